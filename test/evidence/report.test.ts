/**
 * The compliance report from the real dev and prod plans and the pack's real verdicts: one
 * row per control, the framework mapping, violations with their messages when a resource is
 * made noncompliant, and no claimed pass when the pack was not evaluated.
 */
import { CONTROLS } from "../../lib/evidence/controls";
import { cell, controlResults, renderReport } from "../../lib/evidence/report";
import type { StackExport } from "../../lib/offline/export";
import { planStack, type Plan } from "../../lib/offline/plan";
import { loadPackConfig } from "../../policy/engine/config";
import { evaluateStackExport, type Evaluation } from "../../policy/engine/evaluate";

interface Case {
  plan: Plan;
  stackExport: StackExport;
  evaluation: Evaluation;
}
const cases: Partial<Record<"dev" | "prod", Case>> = {};

async function build(stack: "dev" | "prod", mutate?: (doc: StackExport) => void): Promise<Case> {
  const plan = await planStack(stack);
  const stackExport = plan.toStackExport();
  mutate?.(stackExport);
  const evaluation = await evaluateStackExport(stackExport, { config: loadPackConfig(stack) });
  return { plan, stackExport, evaluation };
}

beforeAll(async () => {
  cases.dev = await build("dev");
  cases.prod = await build("prod");
}, 60_000);

describe.each(["dev", "prod"] as const)("the %s report", (stack) => {
  let text: string;
  beforeAll(() => {
    text = renderReport(cases[stack]!);
  });

  it("names the stack, its preset and the pack's summary", () => {
    expect(text).toMatch(new RegExp(`^# Compliance report: stack \`${stack}\``));
    expect(text).toContain(`policy preset \`policy/config/${stack}.json\``);
    expect(text).toMatch(/Policy pack: \d+ policies on \d+ resources: 0 mandatory and 0 advisory violation/);
  });

  it("has one row per control of the catalog, each with its policies and a verdict", () => {
    const rows = text.split("\n").filter((l) => /^\| \[[A-Z]+-\d\]/.test(l));
    expect(rows.map((r) => /\[([A-Z]+-\d)\]/.exec(r)?.[1])).toEqual(CONTROLS.map((c) => c.id));
    for (const row of rows) expect(row).toMatch(/`[a-z0-9-]+`.*\| (PASS|NO RESOURCES IN THIS STACK) \|/);
  });

  it("has a section per control with the per-resource verdicts", () => {
    for (const c of CONTROLS) expect(text).toContain(`### ${c.id}\n`);
    expect(text).toMatch(/\| `[^`]+` \| keyvault:Vault \| PASS \|/);
  });

  it("maps SOC 2 criteria and GDPR articles to the controls", () => {
    expect(text).toContain("| SOC 2 | CC6.7 transmission | TLS-1 | PASS |");
    expect(text).toContain("| GDPR | Art. 44 transfers | RES-1 | PASS |");
  });

  it("keeps the honest notes (TLS 1.3 floors)", () => {
    expect(text).toContain("Only PostgreSQL can enforce a TLS 1.3 floor");
  });
});

describe("verdicts", () => {
  it("the prod stack passes every control, with resources behind each verdict", () => {
    const results = controlResults(cases.prod!.evaluation);
    for (const r of results) {
      expect({ id: r.control.id, verdict: r.verdict }).toEqual({ id: r.control.id, verdict: "pass" });
      expect(r.resources.length).toBeGreaterThan(0);
    }
  });

  it("shows a violation with its message on the resource and the control", async () => {
    const broken = await build("prod", (doc) => {
      const account = doc.deployment.resources!.find(
        (r) => r.type === "azure-native:storage:StorageAccount",
      )!;
      account.inputs = { ...account.inputs, minimumTlsVersion: "TLS1_0" };
    });
    const text = renderReport(broken);
    const tls = controlResults(broken.evaluation).find((r) => r.control.id === "TLS-1")!;
    expect(tls.verdict).toBe("violation");
    expect(text).toMatch(/\| \[TLS-1\]\(#tls-1\) Encryption in transit \|.*\| VIOLATION \|/);
    expect(text).toMatch(
      /\| `storage-account` \| storage:StorageAccount \| VIOLATION: storage-account-tls: .*TLS1_0/,
    );
    expect(text).toContain("| SOC 2 | CC6.7 transmission | TLS-1 | VIOLATION |");
    expect(text).toMatch(/1 mandatory and 0 advisory violation/);
  });

  it("shows what the dev preset does not require next to its passes", () => {
    const text = renderReport(cases.dev!);
    expect(text).toMatch(
      /\| \[BAK-2\]\(#bak-2\) Deletion protection \|.*\| PASS \| `stateful-resources-locked` requireLocks=false \|/,
    );
    expect(text).toMatch(
      /\| \[THR-1\]\(#thr-1\).*`defender-plans-cover-services` requireDefenderPlans=false/,
    );
    expect(text).toContain("- `stateful-resources-locked` (high, mandatory; preset: requireLocks=false)");
  });

  it("shows no preset settings for prod's controls but the environment it expects", () => {
    const rows = renderReport(cases.prod!)
      .split("\n")
      .filter((l) => /^\| \[[A-Z]+-\d\]/.test(l));
    const settings = rows.map((r) => r.split(" | ")[4]);
    expect(settings.filter((x) => x !== "—")).toEqual([
      '`single-environment-per-stack` expectedEnvironment="prod"',
    ]);
  });

  it("claims nothing when the pack was not evaluated", () => {
    const { plan, stackExport } = cases.dev!;
    const text = renderReport({ plan, stackExport });
    expect(text).toContain("The policy pack was not evaluated for this report: no verdict below is a pass.");
    expect(text).not.toMatch(/\| PASS \|/);
    expect(text.match(/NOT EVALUATED/g)?.length).toBeGreaterThanOrEqual(CONTROLS.length);
  });
});

describe("cell", () => {
  it("escapes pipes and folds newlines so a message cannot break the table", () => {
    expect(cell("a | b\nc")).toBe("a \\| b c");
  });
});
