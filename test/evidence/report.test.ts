/**
 * The compliance report from the real dev and prod plans and the pack's real verdicts: one
 * row per control, the framework mapping, violations with their messages when a resource is
 * made noncompliant, and no claimed pass when the pack was not evaluated.
 */
import * as fs from "fs";
import * as path from "path";
import { CONTROLS } from "../../lib/evidence/controls";
import { cell, controlResults, renderReport } from "../../lib/evidence/report";
import type { Plan } from "../../lib/offline/plan";
import { sharedPlan } from "../helpers/plans";
import { loadPackConfig } from "../../lib/analyzer/config";
import { evaluateStackExport, type Evaluation } from "../../lib/analyzer/evaluate";
import { jsonClone } from "../../lib/analyzer/paths";
import { type StackExport } from "../../policy/common/pulumiFormat";

interface Case {
  plan: Plan;
  stackExport: StackExport;
  evaluation: Evaluation;
}
const cases: Partial<Record<"dev" | "prod", Case>> = {};

async function build(stack: "dev" | "prod"): Promise<Case> {
  const plan = await sharedPlan(stack);
  const stackExport = plan.toStackExport();
  const evaluation = await evaluateStackExport(stackExport, { config: loadPackConfig(stack) });
  return { plan, stackExport, evaluation };
}

/** The case with its export edited (a copy) and evaluated again: no second plan. */
async function broken(base: Case, stack: "dev" | "prod", mutate: (doc: StackExport) => void): Promise<Case> {
  const stackExport = jsonClone(base.stackExport);
  mutate(stackExport);
  const evaluation = await evaluateStackExport(stackExport, { config: loadPackConfig(stack) });
  return { plan: base.plan, stackExport, evaluation };
}

const controlRows = (text: string) => text.split("\n").filter((l) => /^\| \[[A-Z]+-\d\]/.test(l));

beforeAll(async () => {
  cases.dev = await build("dev");
  cases.prod = await build("prod");
}, 60_000);

describe.each(["dev", "prod"] as const)("the %s report", (stack) => {
  let text: string;
  beforeAll(() => {
    text = renderReport(cases[stack]!);
  });

  it("names the stack, its preset, the export's date and counts, and the verdict totals", () => {
    const { plan, stackExport, evaluation } = cases[stack]!;
    const manifest = stackExport.deployment.manifest as { time: string };
    // One count: the program's resources (the tree's total), without the stack and providers.
    const total = plan.resources.length;
    expect(text).toMatch(new RegExp(`^# Compliance report: stack \`${stack}\``));
    expect(text).toContain(`policy preset \`policy/config/${stack}.json\``);
    expect(text).toContain(
      `(${manifest.time}): ${total} resources (the stack itself and providers not counted)`,
    );
    expect(text).toContain(
      `Policy pack: ${evaluation.summary.policies} policies on those ${total} resources and the stack: ` +
        "0 mandatory and 0 advisory violation(s)",
    );
    const pass = evaluation.outcomes.filter((o) => o.outcome === "pass").length;
    expect(pass).toBeGreaterThan(100);
    expect(text).toMatch(
      new RegExp(`Checks \\(policy × resource\\): ${pass} pass, 0 violation, 0 unknown, \\d+ not applicable`),
    );
    expect(text).toContain(`Controls: ${CONTROLS.length} pass, 0 with violations, 0 unknown`);
  });

  it("has one row per control of the catalog (all 20, EDGE-1 and SIEM-1 included), each with its policies and a verdict", () => {
    const rows = controlRows(text);
    expect(rows).toHaveLength(CONTROLS.length);
    expect(rows.map((r) => /\[([A-Z]+-\d)\]/.exec(r)?.[1])).toEqual(CONTROLS.map((c) => c.id));
    for (const row of rows)
      expect(row).toMatch(
        /`[a-z0-9-]+`.*\d+ resources?: \d+ pass, 0 violation, 0 unknown; \d+ not applicable \| PASS \|/,
      );
  });

  it("has a section per control with its policies' severity and level, and per-resource verdicts", () => {
    for (const c of CONTROLS) expect(text).toContain(`### ${c.id}\n`);
    expect(text).toMatch(/\| `[^`]+` \| keyvault:Vault \| PASS \|/);
    expect(text).toMatch(/- `storage-account-tls` \(high, mandatory\): /);
    expect(text).toMatch(/Not applicable: \d+ \(policy, resource\) pairs\./);
  });

  it("maps SOC 2 criteria and GDPR articles to the controls", () => {
    expect(text).toContain("| SOC 2 | CC6.7 transmission | TLS-1 | PASS |");
    expect(text).toContain("| GDPR | Art. 44 transfers | RES-1 | PASS |");
  });

  it("keeps the honest notes where a service or the evidence falls short", () => {
    const row = (id: string) => controlRows(text).find((r) => r.startsWith(`| [${id}]`)) ?? "";
    expect(row("TLS-1")).toContain("Only PostgreSQL can enforce a TLS 1.3 floor");
    expect(row("ENC-2")).toContain("Azure Managed Redis accepts only versioned key URLs");
    expect(row("BAK-1")).toContain("Managed Redis has no geo-redundant backup");
    expect(row("MON-1")).toContain("static metric thresholds");
    expect(row("ENV-1")).toContain("outside the stack");
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
    const tls10 = await broken(cases.prod!, "prod", (doc) => {
      const account = doc.deployment.resources!.find(
        (r) => r.type === "azure-native:storage:StorageAccount",
      )!;
      account.inputs = { ...account.inputs, minimumTlsVersion: "TLS1_0" };
    });
    const text = renderReport(tls10);
    const tls = controlResults(tls10.evaluation).find((r) => r.control.id === "TLS-1")!;
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

  it("shows no preset settings for prod's controls but what only the preset can know", () => {
    const rows = renderReport(cases.prod!)
      .split("\n")
      .filter((l) => /^\| \[[A-Z]+-\d\]/.test(l));
    const settings = rows.map((r) => r.split(" | ")[4]);
    // The environment it expects, the environment's principals, its reviewed custom roles and
    // the mail domain its alerts may go to (MON-1, ENV-1, IAM-2 rows): read from the preset,
    // which tests elsewhere keep in sync.
    const preset = JSON.parse(
      fs.readFileSync(path.join(__dirname, "..", "..", "policy", "config", "prod.json"), "utf8"),
    );
    const groups = `\`principals-from-stack-or-allow-list\` allowedPrincipalIds=${JSON.stringify(preset["principals-from-stack-or-allow-list"].allowedPrincipalIds)}`;
    const roles = `\`role-assignment-known-role\` customRoles=${JSON.stringify(preset["role-assignment-known-role"].customRoles)}`;
    expect(groups).toContain("7a2d3b0f-4c5e-4f6a-9b8c-2d3e4f5a6b7c");
    const mail = `\`alert-routes-in-stack\` allowedEmailDomains=${JSON.stringify(preset["alert-routes-in-stack"].allowedEmailDomains)}`;
    expect(settings.filter((x) => x !== "—")).toEqual([
      `${roles}, ${groups}`,
      mail,
      `${mail}, ${groups}, \`single-environment-per-stack\` expectedEnvironment="prod"`,
    ]);
  });

  it("keeps a violation message with pipes and newlines inside its table cell", () => {
    const { plan, stackExport, evaluation } = cases.prod!;
    const vault = evaluation.outcomes.find((o) => o.type === "azure-native:keyvault:Vault")!;
    const text = renderReport({
      plan,
      stackExport,
      evaluation: {
        ...evaluation,
        violations: [
          {
            policy: "key-vault-rbac-authorization",
            level: "mandatory",
            severity: "high",
            controls: ["KEY-1", "IAM-2"],
            urn: vault.urn,
            message: "a | b\nc",
            remediation: "fix it",
          },
        ],
      },
    });
    const row = text.split("\n").find((l) => l.includes("VIOLATION: key-vault-rbac-authorization"))!;
    expect(row).toContain("VIOLATION: key-vault-rbac-authorization: a \\| b c |");
    expect(row.split(/(?<!\\)\|/)).toHaveLength(6);
  });

  it("claims nothing when the pack was not evaluated", () => {
    const { plan, stackExport } = cases.dev!;
    const text = renderReport({ plan, stackExport });
    expect(text).toContain("The policy pack was not evaluated for this report: no verdict below is a pass.");
    expect(text).not.toMatch(/\bPASS\b/);
    expect(text).not.toMatch(/Checks \(policy/);
    expect(controlRows(text).every((r) => r.includes("| NOT EVALUATED |"))).toBe(true);
    expect(text).toContain("| SOC 2 | CC6.7 transmission | TLS-1 | NOT EVALUATED |");
    // What the preset would enforce is configuration, so it is still shown.
    expect(text).toContain("- `stateful-resources-locked` (high, mandatory; preset: requireLocks=false)");
  });
});

describe("the pack config", () => {
  it("is the one the evaluation ran with, not a second reading of the preset", async () => {
    const { plan, stackExport } = cases.dev!;
    const packConfig = { ...loadPackConfig("dev"), "log-analytics-retention": { minRetentionDays: 400 } };
    const evaluation = await evaluateStackExport(stackExport, { config: packConfig });
    const text = renderReport({ plan, stackExport, evaluation, packConfig });
    expect(text).toContain("`log-analytics-retention` minRetentionDays=400");
    expect(renderReport({ plan, stackExport, evaluation })).not.toContain("minRetentionDays=400");
  });
});

describe("cell", () => {
  it("escapes pipes and folds newlines so a message cannot break the table", () => {
    expect(cell("a | b\nc")).toBe("a \\| b c");
  });
});
