/**
 * `npm run plan` end to end, as a child process: the tree for dev and prod, `--export`
 * and `--json` as stack exports, exit 2 with the offending key or flag named.
 * Each run costs seconds, so runs are shared across assertions. Bad input and the change
 * previews (`--diff-from`, whose export the prod child wrote) are answered by scripts/plan.ts's
 * exported `main` in this process (`inProcess`), the same code the child runs (issue 17: ~1 s of
 * CPU less per plan; docsCommands.test.ts runs `--diff-from ... --json` as a process); one usage
 * error still runs as a child, for the process's exit status and streams.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkExportIntegrity, parseStackExport } from "../lib/offline/export";
import type { ChangePreview } from "../lib/offline/diff";
import { ROOT, runMain, runScript, type Run } from "./helpers/cli";
import { main } from "../scripts/plan";
import { type NormalizedStackExport } from "../policy/common/pulumiFormat";
import { LEGACY_COMPONENT_TYPES } from "../controls/componentTypes";

const plan = (...args: string[]): Run => runScript("plan", ...args);
const inProcess = (...args: string[]): Promise<Run> => runMain(main, ...args);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-cli-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("dev with --export", () => {
  let run: Run;
  let doc: NormalizedStackExport;
  beforeAll(() => {
    const file = path.join(dir, "dev.json");
    run = plan(
      "--stack",
      "dev",
      "--export",
      file,
      "--report",
      path.join(dir, "report-dev.md"),
      "--diagram",
      path.join(dir, "diagram-dev.mmd"),
    );
    if (run.status === 0) doc = parseStackExport(fs.readFileSync(file, "utf8"), file);
  });

  it("writes the compliance report and the diagram it was asked for", () => {
    const report = fs.readFileSync(path.join(dir, "report-dev.md"), "utf8");
    expect(report).toMatch(/^# Compliance report: stack `dev`/);
    expect(report).toContain("policy preset `policy/config/dev.json`");
    expect(run.stdout).toContain("Wrote the compliance report to");
    const diagram = fs.readFileSync(path.join(dir, "diagram-dev.mmd"), "utf8");
    expect(diagram).toMatch(/^flowchart LR\n/);
    expect(run.stdout).toContain("Wrote the architecture diagram to");
  });

  it("exits 0 and prints the tree rooted at the stack, counts and totals", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("pulumi:pulumi:Stack  secure-azure-platform-dev");
    expect(run.stdout).toMatch(/^└─ |^├─ /m);
    expect(run.stdout).toContain("azure-native:resources:ResourceGroup");
    expect(run.stdout).toContain("Resources by type:");
    expect(run.stdout).toMatch(/Total: \d+ resources \(\d+ custom, \d+ components, \d+ protected\)/);
  });

  it("writes a version 3 stack export that parses and is consistent", () => {
    expect(doc.version).toBe(3);
    expect(checkExportIntegrity(doc)).toEqual([]);
    const [root, ...rest] = doc.deployment.resources;
    expect(root.type).toBe("pulumi:pulumi:Stack");
    expect(root.urn).toBe(
      "urn:pulumi:dev::secure-azure-platform::pulumi:pulumi:Stack::secure-azure-platform-dev",
    );
    for (const r of rest) {
      if (r.type.startsWith("pulumi:providers:")) continue;
      expect(r.parent).toBeDefined();
    }
    // Every resource the tree counted is in the export (plus root and default providers).
    const total = Number(/Total: (\d+) resources/.exec(run.stdout)?.[1]);
    const programResources = rest.filter((r) => !r.type.startsWith("pulumi:providers:"));
    expect(programResources).toHaveLength(total);
  });

  it("uses one resource count in the tree, the verdict and the report, and reports whole-process time", () => {
    const total = Number(/Total: (\d+) resources/.exec(run.stdout)?.[1]);
    expect(total).toBeGreaterThan(0);
    expect(run.stdout).toContain(`policies on ${total} resources and the stack`);
    const report = fs.readFileSync(path.join(dir, "report-dev.md"), "utf8");
    expect(report).toContain(`: ${total} resources (the stack itself and providers not counted)`);
    expect(report).toContain(`policies on those ${total} resources and the stack`);
    const done = /Done in (\d+\.\d) s \(the program itself ran (\d+\.\d) s\)/.exec(run.stdout);
    expect(done).not.toBeNull();
    expect(Number(done?.[1])).toBeGreaterThanOrEqual(Number(done?.[2]));
  });

  it("prints the location of located resources and never a secret placeholder", () => {
    expect(run.stdout).toMatch(/@ westeurope/);
    expect(run.stdout).not.toContain("offline-secret-");
  });
});

describe("prod", () => {
  let run: Run;
  beforeAll(() => {
    run = plan("--stack=prod", "--export", path.join(dir, "prod.json"));
  });

  it("exits 0 and prints the prod tree", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("pulumi:pulumi:Stack  secure-azure-platform-prod");
    expect(run.stdout).toContain("Offline plan of stack prod");
  });

  it("says under the verdict which Azure resources no service policy evaluated", () => {
    expect(run.stdout).toMatch(
      /Policy pack \(preset prod\): \d+ policies on \d+ resources and the stack: no violations\./,
    );
    expect(run.stdout).toMatch(
      /Not evaluated by any service policy .*: \d+ Azure resource\(s\) of \d+ type\(s\):/,
    );
    expect(run.stdout).toContain("azure-native:authorization:ManagementLockByScope x");
  });
});

describe("--diff-from (change preview)", () => {
  it("prints the preview as JSON and exits 1 when the PostgreSQL server would be renamed", async () => {
    // The state an older program left: the same stack with another server name.
    const before = JSON.parse(fs.readFileSync(path.join(dir, "prod.json"), "utf8")) as {
      deployment: { resources: { urn: string; inputs?: Record<string, unknown> }[] };
    };
    const server = before.deployment.resources.find((r) => r.urn.endsWith("::postgres-server"));
    if (!server?.inputs) throw new Error("no postgres-server in the prod export");
    server.inputs.serverName = "psql-sap-main-prod-old";
    const file = path.join(dir, "before.json");
    fs.writeFileSync(file, JSON.stringify(before));
    const run = await inProcess("--stack", "prod", "--diff-from", file, "--json");
    expect(run.status).toBe(1);
    const preview = JSON.parse(run.stdout) as ChangePreview;
    // The server, and (deleted before it: azure-native replaces a named resource delete-first)
    // everything whose ARM path or create-only input depends on it: its database, settings,
    // Entra admin, lock and diagnostic setting.
    expect(preview).toMatchObject({ version: 1, stack: "prod", summary: { replace: 10, delete: 0 } });
    const replaced = preview.changes.find((c) => c.urn.endsWith("::postgres-server"));
    expect(replaced).toMatchObject({
      op: "replace",
      replaceReasons: [expect.objectContaining({ property: "serverName" })],
    });
    const dependents = preview.changes.filter((c) => c !== replaced);
    expect(dependents.every((c) => c.op === "replace" && c.urn.includes("index:PostgresServer$"))).toBe(true);
    expect(dependents.map((c) => c.urn.split("::").pop())).toEqual(
      expect.arrayContaining([
        "postgres-db-app",
        "postgres-entra-admin",
        "postgres-server-lock",
        "postgres-server-diag",
      ]),
    );
    const failures = preview.failures.map((f) => [f.urn.split("::").pop(), f.kind]);
    expect(failures).toEqual(
      expect.arrayContaining([
        ["postgres-server", "data-loss"],
        ["postgres-server", "protected"],
        ["postgres-server", "scope-locked"],
        ["postgres-db-app", "data-loss"],
        ["postgres-server-diag", "scope-locked"],
      ]),
    );
  });

  it("finds a stack deployed with the legacy component tokens through the aliases: nothing to do", async () => {
    // The state the components left before their tokens moved to `index` (issue 16): this
    // plan's export with each token back to its legacy one and no aliases (test/offline/aliases.test.ts).
    let text = fs.readFileSync(path.join(dir, "prod.json"), "utf8");
    for (const [cls, legacy] of Object.entries(LEGACY_COMPONENT_TYPES))
      text = text.replace(new RegExp(`secure-azure-platform:index:${cls}(?=[$":])`, "g"), legacy);
    const before = JSON.parse(text) as { deployment: { resources: { aliases?: string[] }[] } };
    for (const r of before.deployment.resources) delete r.aliases;
    const file = path.join(dir, "legacy-tokens.json");
    fs.writeFileSync(file, JSON.stringify(before));
    const run = await inProcess("--stack", "prod", "--diff-from", file);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/0 to create, 0 to update, 0 to replace, 0 to delete, \d+ unchanged/);
  });

  it("reads an earlier export saved with a UTF-8 byte order mark, as the analyzer does", async () => {
    const file = path.join(dir, "bom-prod.json");
    fs.writeFileSync(file, `\uFEFF${fs.readFileSync(path.join(dir, "prod.json"), "utf8")}`);
    const run = await inProcess("--stack", "prod", "--diff-from", file);
    expect(run.stderr).not.toMatch(/not a Pulumi stack export/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/0 to create, 0 to update, 0 to replace, 0 to delete, \d+ unchanged/);
  });

  it("exits 2 before planning on a missing or malformed file, naming it", async () => {
    const missing = await inProcess("--stack", "prod", "--diff-from", path.join(dir, "nope.json"));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--diff-from .*nope\.json: no such file/);
    expect(missing.stdout).toBe("");
    const bad = path.join(dir, "bad-export.json");
    fs.writeFileSync(bad, JSON.stringify({ version: 2 }));
    const malformed = await inProcess("--stack", "prod", "--diff-from", bad);
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toMatch(/bad-export\.json: not a Pulumi stack export .*"version" is 2/);
  });
});

describe("--json", () => {
  it("prints the stack export on stdout and nothing else", () => {
    const run = plan("--json");
    expect(run.status).toBe(0);
    const doc = parseStackExport(run.stdout, "stdout");
    expect(doc.deployment.resources[0].urn).toContain("::secure-azure-platform-dev");
    expect(run.stdout.trim().startsWith("{")).toBe(true);
  });
});

describe("exit 2", () => {
  it("on a stack file with a non-EU region, naming the key", async () => {
    const file = path.join(dir, "Pulumi.bad.yaml");
    const dev = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
    fs.writeFileSync(file, dev.replace("azure-native:location: westeurope", "azure-native:location: eastus"));
    const run = await inProcess("--stack", "bad", "--stack-file", file);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("azure-native:location");
    expect(run.stderr).toContain("eastus");
    expect(run.stdout).toBe("");
  });

  // Issue 14, "what was seen": each of these crashed (exit 3, a stack trace, one problem per run)
  // or was silently ignored. One prod stack file holds them all: exit 2, every problem in one
  // message, each naming the key, the value and what is allowed, nothing planned.
  it("on every bad value of issue 14 at once, each with its key, value and what is allowed", async () => {
    const prod = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
    const edits: [string, string][] = [
      ["keyVaultSku: premium", "keyVaultSku: standard"],
      ["zoneRedundant: true", "zoneRedundant: maybe"],
      [
        "  secure-azure-platform:postgresStorageSizeGb: 256\n",
        [
          "  secure-azure-platform:postgresStorageSizeGb: 256",
          "  secure-azure-platform:postgresDatabases: [app, app]",
          "  secure-azure-platfrom:logRetentionDays: 400",
          "  secure-azure-platform:workloadProfiles:",
          "    - {name: general, workloadProfileType: D4, minimumCount: 3, maximumCount: 1}",
          "",
        ].join("\n"),
      ],
      ["      cpu: 1\n", "      cpu: 0.3\n"],
      [
        "    - name: api\n      image: mcr.microsoft.com/k8se/quickstart:latest\n      targetPort: 80\n      probePath: /\n      ingress: internal\n      minReplicas: 2",
        '    - name: api\n      image: "not a valid image!!"\n      targetPort: 80\n      probePath: /\n      ingress: internal\n      minReplica: 2',
      ],
    ];
    let text = prod;
    for (const [from, to] of edits) {
      expect(text).toContain(from);
      text = text.replace(from, to);
    }
    // A third app duplicating a name, after the errors in the first two.
    text +=
      "    - {name: api, image: mcr.microsoft.com/k8se/quickstart:latest, targetPort: 80, probePath: /, ingress: internal}\n";
    const file = path.join(dir, "Pulumi.everything-wrong.yaml");
    fs.writeFileSync(file, text);
    const run = await inProcess("--stack", "prod", "--stack-file", file);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).not.toMatch(/^\s+at /m);
    const P = "secure-azure-platform";
    for (const line of [
      `${P}:keyVaultSku = "standard": prod requires premium`,
      `${P}:zoneRedundant = "maybe": must be of type 'boolean'`,
      `${P}:postgresDatabases[1] = "app": duplicates database "app"`,
      `secure-azure-platfrom:logRetentionDays = 400: namespace "secure-azure-platfrom" is not read by anything; did you mean ${P}:logRetentionDays?`,
      `${P}:workloadProfiles[0].maximumCount = 1: must be >= minimumCount (3)`,
      `${P}:apps[0].cpu = 0.3: must be 0.25..4 vCPU in steps of 0.25`,
      `${P}:apps[1].image = "not a valid image!!": is not a container image reference`,
      `${P}:apps[1].minReplica = 2: is not a field of an app; did you mean minReplicas? (allowed: name, image,`,
      `${P}:apps[2].name = "api": duplicates app "api"`,
    ])
      expect(run.stderr).toContain(line);
    expect(run.stderr).toMatch(/Invalid stack configuration \(9 problems\)/);
  });

  it("on a --config naming a policy or parameter the pack does not have, before the plan runs", async () => {
    const file = path.join(dir, "typo-config.json");
    fs.writeFileSync(
      file,
      JSON.stringify({
        all: "mandatory",
        "storage-acount-tls": "advisory",
        "storage-account-tls": { allowedTls: [] },
      }),
    );
    const run = await inProcess("--config", file);
    // Used to plan the whole stack, print its tree, then die with a PackConfigError stack trace (exit 3).
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: "" });
    expect(run.stderr).toContain(`--config ${file}: the policy pack config does not match`);
    expect(run.stderr).toContain(
      'storage-acount-tls: not a policy of the pack (did you mean "storage-account-tls"?)',
    );
    expect(run.stderr).toContain("storage-account-tls.allowedTls: not a parameter of storage-account-tls");
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it("on a program that registers nothing to judge: exit 2 naming it, no stack trace (as the analyzer)", async () => {
    const program = path.join(dir, "empty-program");
    fs.mkdirSync(program);
    for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml"])
      fs.copyFileSync(path.join(ROOT, "examples", "noncompliant-raw", f), path.join(program, f));
    fs.writeFileSync(path.join(program, "index.ts"), "// Registers no resource.\nexport {};\n");
    const run = await inProcess("--program", program, "--stack", "dev");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("the export holds no resources to evaluate");
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it("names a bad output path and the stack file's problems in the same run (every problem at once)", async () => {
    const file = path.join(dir, "Pulumi.short-backups.yaml");
    const dev = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
    fs.writeFileSync(file, `${dev}\n  secure-azure-platform:backupRetentionDays: 7\n`);
    const exportTo = path.join(dir, "no-such-dir", "dev.json");
    const run = await inProcess("--stack-file", file, "--export", exportTo);
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: "" });
    expect(run.stderr).toContain(`--export ${exportTo}: directory`);
    // Used to stop at the path: the stack file's problem came only in the next run.
    expect(run.stderr).toContain(
      "secure-azure-platform:backupRetentionDays = 7: must be a whole number from 30 to 35",
    );
  });

  it("on an unknown flag, naming it", () => {
    const run = plan("--stakc", "dev");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown option --stakc");
  });

  it("on an unknown stack, naming the missing file", async () => {
    const run = await inProcess("--stack", "staging");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("Pulumi.staging.yaml");
  });

  it("on --report without a file, before planning", async () => {
    const run = await inProcess("--report");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--report");
  });
});
