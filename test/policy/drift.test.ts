/**
 * The drift workflow's path, offline (.github/workflows/drift.yml): the recorded state of the
 * deployed prod stack (`pulumi stack export`, real-shaped: test/helpers/deployedState.ts), the
 * refresh preview's JSON reporting a portal change, `npm run drift:state` joining them, and
 * `npm run policy:analyze -- --stack prod --deployed` catching the change. A refresh leaves the
 * recorded inputs alone and records what Azure reports in the outputs, so the drifted value is
 * in the outputs only. The join runs both scripts as child processes, as the workflow does; the
 * other cases call their `main` in-process (`runMain`).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { jsonClone } from "../../lib/analyzer/paths";
import { deployedExport } from "../helpers/deployedState";
import { main as analyze } from "../../scripts/analyze";
import { main as driftState } from "../../scripts/drift-state";
import { runMain, runScript } from "../helpers/cli";
import { sharedExport } from "../helpers/plans";
import { type StackExport, type StackExportResource } from "../../policy/common/pulumiFormat";

let dir: string;
let recorded: StackExport;
let account: StackExportResource;
let drifted: StackExportResource;
const file = (name: string, doc: unknown): string => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, typeof doc === "string" ? doc : JSON.stringify(doc));
  return f;
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-"));
  recorded = deployedExport(await sharedExport("prod"), "prod");
  account = recorded.deployment.resources!.find((r) => r.type === "azure-native:storage:StorageAccount")!;
  // Someone re-enabled public network access in the portal; the refresh read it back.
  drifted = jsonClone(account);
  drifted.outputs!.publicNetworkAccess = "Enabled";
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the deployed-state fixture", () => {
  it("has the shape of a real export: manifest, Pulumi Cloud secrets provider, computed outputs, a secret", () => {
    const d = recorded.deployment;
    expect(recorded.version).toBe(3);
    expect(d.manifest?.version).toMatch(/^3\.\d+\.\d+$/);
    expect(d.secrets_providers?.type).toBe("service");
    expect(account.id).toMatch(/^\/subscriptions\/.+\/providers\/Microsoft\.Storage\/storageAccounts\//);
    expect(account.outputs).toMatchObject({ provisioningState: "Succeeded", statusOfPrimary: "available" });
    expect(JSON.stringify(d.resources)).toMatch(
      /\{"4dabf18193072939515e22adb298388d":"1b47061264138c4ac30d75fd1eb44270","ciphertext":"[^"]+"\}/,
    );
  });
});

describe("drift on the deployed prod stack", () => {
  it("passes the prod preset as recorded, and catches a portal change only in the refreshed outputs", async () => {
    const clean = file("recorded.json", recorded);
    expect((await runMain(analyze, "--stack", "prod", "--deployed", clean)).status).toBe(0);

    const withDrift = jsonClone(recorded);
    withDrift.deployment.resources = withDrift.deployment.resources!.map((r) =>
      r.urn === account.urn ? drifted : r,
    );
    const driftFile = file("drifted.json", withDrift);
    // Inputs alone (what a preview judges) still say Disabled: that is why the job needs --deployed.
    expect((await runMain(analyze, "--stack", "prod", driftFile)).status).toBe(0);
    const run = await runMain(analyze, "--stack", "prod", "--deployed", "--json", driftFile);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as {
      violations: { policy: string; urn: string; message: string }[];
    };
    expect(report.violations).toEqual([
      expect.objectContaining({
        policy: "storage-account-private-access",
        urn: account.urn,
        message: expect.stringContaining("publicNetworkAccess is") as unknown,
      }),
    ]);
  }, 120_000);

  it("joins the recorded state with the refresh preview (drift:state), as the workflow does", () => {
    const gone = recorded.deployment.resources!.find((r) => r.type === "azure-native:monitor:ActionGroup")!;
    const refresh = {
      steps: [
        { op: "same", urn: recorded.deployment.resources![0].urn },
        {
          op: "update",
          urn: account.urn,
          oldState: account,
          newState: drifted,
          diffReasons: ["publicNetworkAccess"],
        },
        { op: "delete", urn: gone.urn, oldState: gone },
      ],
      changeSummary: { same: 140, update: 1, delete: 1 },
    };
    const joined = runScript("drift-state", file("state.json", recorded), file("refresh.json", refresh));
    expect(joined.status).toBe(0);
    const view = JSON.parse(joined.stdout) as StackExport;
    const urns = view.deployment.resources!.map((r) => r.urn);
    expect(urns).not.toContain(gone.urn);
    expect(urns).toHaveLength(recorded.deployment.resources!.length - 1);
    expect(view.deployment.secrets_providers).toEqual(recorded.deployment.secrets_providers);
    const refreshed = view.deployment.resources!.find((r) => r.urn === account.urn)!;
    expect(refreshed.inputs!.publicNetworkAccess).toBe("Disabled");
    expect(refreshed.outputs!.publicNetworkAccess).toBe("Enabled");

    const verdict = runScript(
      "analyze",
      "--stack",
      "prod",
      "--deployed",
      "--json",
      file("view.json", joined.stdout),
    );
    expect(verdict.status).toBe(1);
    const policies = (JSON.parse(verdict.stdout) as { violations: { policy: string }[] }).violations.map(
      (v) => v.policy,
    );
    expect(policies).toContain("storage-account-private-access");
  }, 120_000);

  it("reads files saved with a UTF-8 byte order mark (PowerShell's `> file`), as the analyzer does", async () => {
    const run = await runMain(
      driftState,
      file("bom-state.json", `\uFEFF${JSON.stringify(recorded)}`),
      file("bom-refresh.json", `\uFEFF${JSON.stringify({ steps: [] })}`),
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as StackExport).deployment.resources).toHaveLength(
      recorded.deployment.resources!.length,
    );
  });

  it("refuses unreadable input with exit 2, naming every bad file at once", async () => {
    const run = await runMain(driftState, path.join(dir, "missing.json"), file("bad.json", '{"steps": 3}'));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("missing.json: no such file");
    expect(run.stderr).toContain('bad.json: not a "pulumi refresh --preview-only --json" document');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
