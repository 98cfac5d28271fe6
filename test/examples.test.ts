/**
 * Any team's program under the offline plan (`npm run plan -- --program DIR`, docs/offline-plan.md):
 * examples/team-app builds on the platform through the components package and a StackReference
 * and passes the pack; examples/noncompliant-raw (raw azure-native) is blocked by name; a bad
 * program directory is refused before anything runs. One plan per program. The command line
 * runs in this process (scripts/plan.ts's `main`) except where the child process is the point:
 * a program outside the repository (it resolves the SDK like NODE_PATH) failing mid-run.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { evaluateStackExport, type Evaluation } from "../lib/analyzer/evaluate";
import { loadPackConfig } from "../lib/analyzer/config";
import { planProgram, referencedPlatformStacks, type PlannedProgram } from "../lib/offline/plan";
import { readProgramDir, type ProgramDir } from "../lib/offline/program";
import { SHARED_PLATFORM_KEYS } from "../components/platform";
import { ROOT, runMain, runScript } from "./helpers/cli";
import { main } from "../scripts/plan";

const TEAM_APP = path.join(ROOT, "examples", "team-app");
const RAW = path.join(ROOT, "examples", "noncompliant-raw");
const TEAM_CONFIG = path.join(TEAM_APP, "policy-config.dev.json");

function program(dir: string, stack = "dev"): ProgramDir {
  const { program: checked, problems } = readProgramDir(dir, stack);
  expect(problems).toEqual([]);
  return checked as ProgramDir;
}

const mandatory = (evaluation: Evaluation) =>
  evaluation.violations.filter((v) => v.level === "mandatory").map((v) => v.policy);

describe("examples/team-app: another team's app and database on the platform", () => {
  let plan: PlannedProgram;
  let withTeamConfig: Evaluation;
  let withDevPreset: Evaluation;
  beforeAll(async () => {
    plan = await planProgram(program(TEAM_APP), "dev");
    const stackExport = plan.toStackExport();
    withTeamConfig = await evaluateStackExport(stackExport, { config: loadPackConfig(TEAM_CONFIG) });
    withDevPreset = await evaluateStackExport(stackExport, { config: loadPackConfig("dev") });
  });

  it("runs as its own project with its own stack file", () => {
    expect(plan.project).toBe("team-app");
    expect(plan.stackConfig.file).toBe(path.join(TEAM_APP, "Pulumi.dev.yaml"));
    expect(plan.resources.every((r) => r.urn.startsWith("urn:pulumi:dev::team-app::"))).toBe(true);
  });

  it("reads the platform through a StackReference answered from the platform's offline plan", () => {
    const ref = plan.resources.find((r) => r.type === "pulumi:pulumi:StackReference");
    expect(ref?.id).toBe("organization/secure-azure-platform/dev");
    const platform = (ref?.outputs.outputs as Record<string, Record<string, unknown>>).platform;
    expect(Object.keys(platform).sort()).toEqual([...SHARED_PLATFORM_KEYS].sort());
    // The team's database sits in the platform's private-endpoint subnet, behind its DNS zone.
    const endpoint = plan.resources.find((r) => r.type === "azure-native:network:PrivateEndpoint");
    expect((endpoint?.inputs.subnet as { id?: string }).id).toBe(platform.privateEndpointSubnetId);
    // Its app runs in the platform's Container Apps environment.
    const app = plan.resources.find((r) => r.type === "azure-native:app:ContainerApp");
    const environment = platform.containerAppsEnvironment as { environmentId: string };
    expect(app?.inputs.environmentId).toBe(environment.environmentId);
  });

  it("adds its app and PostgreSQL database through the components", () => {
    // By class name: the package prefix of the type tokens is the component package's business.
    const components = plan.resources.filter((r) => !r.custom).map((r) => r.type.split(":").pop());
    expect(components).toEqual(expect.arrayContaining(["Logging", "ContainerApp", "PostgresServer"]));
  });

  it("passes the pack with its reviewed config: zero violations", () => {
    expect(withTeamConfig.violations).toEqual([]);
  });

  it("needs exactly the reviewed exceptions: the plain dev preset refuses the platform's network, environment and the DBA group", () => {
    expect([...new Set(mandatory(withDevPreset))].sort()).toEqual([
      "container-apps-run-in-stack",
      "principals-from-stack-or-allow-list",
      "private-dns-in-stack",
      "private-endpoints-in-stack",
    ]);
  });

  it("its config is the dev preset plus only those exceptions", () => {
    const dev = JSON.parse(
      fs.readFileSync(path.join(ROOT, "policy", "config", "dev.json"), "utf8"),
    ) as Record<string, Record<string, unknown>>;
    const team = JSON.parse(fs.readFileSync(TEAM_CONFIG, "utf8")) as typeof dev;
    const changed = Object.keys({ ...dev, ...team }).filter(
      (k) => JSON.stringify(dev[k]) !== JSON.stringify(team[k]),
    );
    expect(changed.sort()).toEqual([
      "container-apps-run-in-stack",
      "principals-from-stack-or-allow-list",
      "private-dns-in-stack",
      "private-endpoints-in-stack",
    ]);
  });

  it("references a platform stack by the name in its config", () => {
    expect([...referencedPlatformStacks(plan.stackConfig)]).toEqual([
      ["organization/secure-azure-platform/dev", "dev"],
    ]);
  });
});

describe("examples/noncompliant-raw: raw azure-native resources are blocked", () => {
  it("exits 1, naming the policies it breaks, with the report and diagram it was asked for", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "raw-"));
    const [report, diagram] = [path.join(out, "report.md"), path.join(out, "diagram.mmd")];
    const run = await runMain(
      main,
      "--program",
      "examples/noncompliant-raw",
      "--stack",
      "dev",
      "--report",
      report,
      "--diagram",
      diagram,
    );
    expect(fs.readFileSync(report, "utf8")).toMatch(/^# Compliance report: stack `dev` \(noncompliant-raw\)/);
    expect(fs.readFileSync(diagram, "utf8")).toContain("public access Enabled");
    fs.rmSync(out, { recursive: true, force: true });
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.status).toBe(1);
    for (const policy of [
      "storage-account-no-public-blob-access",
      "storage-account-tls",
      "storage-account-private-access",
      "postgres-private-access",
      "postgres-firewall-no-open-range",
      "postgres-entra-auth-only",
      "postgres-backup-retention",
      "postgres-configuration-tls",
    ]) {
      expect(run.stdout).toMatch(new RegExp(`\\[mandatory\\] \\[\\w+\\] ${policy} `));
    }
    expect(run.stdout).toContain("Deploy identities: not checked");
  });
});

describe("a bad program directory is refused before anything runs (exit 2)", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "program-dir-"));
    fs.mkdirSync(path.join(dir, "python"));
    fs.writeFileSync(path.join(dir, "python", "Pulumi.yaml"), "name: py\nruntime: python\n");
    fs.writeFileSync(path.join(dir, "python", "Pulumi.dev.yaml"), "config: {}\n");
    // Outside the repository, with no node_modules: the SDK resolves from this repository's.
    fs.mkdirSync(path.join(dir, "otherref"));
    fs.writeFileSync(path.join(dir, "otherref", "Pulumi.yaml"), "name: otherref\nruntime: nodejs\n");
    fs.writeFileSync(
      path.join(dir, "otherref", "Pulumi.dev.yaml"),
      "config:\n  otherref:network: acme/network/dev\n",
    );
    fs.writeFileSync(
      path.join(dir, "otherref", "index.ts"),
      [
        'import * as pulumi from "@pulumi/pulumi";',
        'const ref = new pulumi.StackReference("net", { name: new pulumi.Config().require("network") });',
        'export const vnetId = ref.requireOutput("vnetId");',
      ].join("\n"),
    );
    fs.mkdirSync(path.join(dir, "nomain"));
    fs.writeFileSync(path.join(dir, "nomain", "Pulumi.yaml"), "name: nomain\nruntime: nodejs\nmain: src/\n");
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ["a missing directory", () => path.join(dir, "missing"), "dev", /: no such directory$/],
    ["a directory without Pulumi.yaml", () => path.join(ROOT, "docs"), "dev", /: no Pulumi\.yaml/],
    [
      "another runtime",
      () => path.join(dir, "python"),
      "dev",
      /Pulumi\.yaml runtime "python": the offline plan runs nodejs programs .* only/,
    ],
    [
      "a main that does not exist, and no stack file",
      () => path.join(dir, "nomain"),
      "dev",
      /main "src\/": no such file[\s\S]*no Pulumi\.dev\.yaml for stack dev \(stacks: none\)/,
    ],
    [
      "a stack without a stack file",
      () => RAW,
      "prod",
      /no Pulumi\.prod\.yaml for stack prod \(stacks: dev\)/,
    ],
  ])("%s", (_what, dirOf, stack, message) => {
    const { program: checked, problems } = readProgramDir(dirOf(), stack);
    expect(checked).toBeUndefined();
    expect(problems.join("\n")).toMatch(message);
  });

  it("refuses a StackReference it cannot answer (not one of this repository's stacks), naming it", () => {
    const run = runScript("plan", "--program", path.join(dir, "otherref"), "--stack", "dev");
    expect(run.stderr).toMatch(
      /StackReference acme\/network\/dev: offline, a stack reference reads the offline plan/,
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.status).toBe(2);
  });

  it("refuses a reference to a stack of ours that does not exist, naming it", async () => {
    const stackFile = path.join(dir, "Pulumi.staging.yaml");
    const dev = fs.readFileSync(path.join(TEAM_APP, "Pulumi.dev.yaml"), "utf8");
    fs.writeFileSync(stackFile, dev.replace("secure-azure-platform/dev", "secure-azure-platform/staging"));
    await expect(planProgram(program(TEAM_APP), "dev", { stackFile })).rejects.toThrow(
      /stack reference organization\/secure-azure-platform\/staging \(from Pulumi\.staging\.yaml\): this repository's stack staging: [\s\S]*has no stack file[\s\S]*Pulumi\.staging\.yaml/,
    );
  });

  it("names every problem at once on the command line, with no stack trace", async () => {
    const run = await runMain(
      main,
      "--program",
      path.join(dir, "nomain"),
      "--stack",
      "staging",
      "--exprot",
      "x",
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown option --exprot (did you mean --export?)");
    const problems = await runMain(main, "--program", path.join(dir, "nomain"), "--stack", "staging");
    expect(problems.status).toBe(2);
    expect(problems.stderr).toMatch(/main "src\/": no such file/);
    expect(problems.stderr).toMatch(/no Pulumi\.staging\.yaml/);
    expect(problems.stderr).toMatch(/No policy pack preset "staging"/);
    expect(problems.stderr).not.toMatch(/^\s+at /m);
    expect(problems.stdout).toBe("");
  });
});
