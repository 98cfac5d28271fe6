/**
 * The lock window (scripts/lock-window.ts, lib/offline/lockWindow.ts): from a `pulumi preview
 * --json` digest (built here from the prod plan's export, in the shape pulumi's
 * `ShowPreviewDigest` writes) or from the offline change preview, which locks to lift; refusal
 * when a stateful resource would be deleted; `--apply` runs `az lock delete --ids` (a fake `az`
 * on PATH records the calls) and audits each lock.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { IDENTITIES_FILE_ENV, parseDeployIdentities } from "../../config/identities";
import { parseStackExport } from "../../lib/offline/export";
import { roleAssignmentDeleteCheck } from "../../lib/offline/permissions";
import { previewChanges } from "../../lib/offline/diff";
import {
  LockWindowInputError,
  planFromChangePreview,
  planFromPulumiPreview,
} from "../../lib/offline/lockWindow";
import { sharedExport } from "../helpers/plans";
import { runMain, runScript } from "../helpers/cli";
import { IDENTITIES_TEXT, identitiesText, withoutAllowedRole } from "../helpers/identities";
import { main } from "../../scripts/lock-window";
import {
  type NormalizedExportResource,
  type NormalizedStackExport,
  type StackExportResource,
} from "../../policy/common/pulumiFormat";

const jsonCopy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

let dir: string;
let state: NormalizedStackExport;
let stateFile: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lock-window-"));
  const doc = await sharedExport("prod");
  state = parseStackExport(doc, "prod");
  stateFile = path.join(dir, "state.json");
  fs.writeFileSync(stateFile, JSON.stringify(doc));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const resource = (suffix: string): StackExportResource => {
  const r = state.deployment.resources.find((x) => x.urn.endsWith(`::${suffix}`));
  if (!r) throw new Error(`no ${suffix}`);
  return r;
};
/** A `pulumi preview --json` digest: only the changing steps (no sames), secrets as "[secret]". */
const digest = (...steps: { op: string; name: string }[]) => ({
  config: {},
  steps: steps.map(({ op, name }) => ({
    op,
    urn: resource(name).urn,
    provider: "",
    oldState: resource(name),
  })),
  changeSummary: { delete: steps.length },
  duration: 1,
});

/**
 * deploy/identities.yaml with Storage Blob Data Reader dropped from the RBAC administrator's
 * allowedRoles.prod: its condition then refuses deleting an assignment of that role (see
 * test/offline/deletePermissions.test.ts, the same rule in the offline change preview).
 */
const withoutReaderText = (): string => identitiesText(withoutAllowedRole("Storage Blob Data Reader"));

describe("planFromPulumiPreview", () => {
  it("refuses an in-place update Azure ignores (a Key Vault key's size); an unknown value is not judged", () => {
    const key = state.deployment.resources.find((r) => r.type === "azure-native:keyvault:Key");
    if (!key) throw new Error("fixture");
    const step = (keySize: unknown) => {
      const newState = jsonCopy(key);
      ((newState.inputs ?? {}).properties as Record<string, unknown>).keySize = keySize;
      return { op: "update", urn: key.urn, provider: "", oldState: key, newState };
    };
    const plan = planFromPulumiPreview({ steps: [step(8192)] }, state.deployment.resources, "p.json");
    expect(plan.refusals).toEqual([
      {
        urn: key.urn,
        kind: "update-ignored",
        message: expect.stringContaining("properties.keySize changed"),
      },
    ]);
    expect(plan.locks).toEqual([]);
    const unknown = step("04da6b54-80e4-46f7-96ec-b56ff0331ba9");
    expect(
      planFromPulumiPreview({ steps: [unknown] }, state.deployment.resources, "p.json").refusals,
    ).toEqual([]);
  });

  it("refuses resizing a subnet the state's private endpoints sit in (the export tells what uses it)", () => {
    const subnet = resource("network-pe-subnet");
    const newState = jsonCopy(subnet);
    (newState.inputs ?? {}).addressPrefix = "10.30.3.0/24";
    const step = { op: "update", urn: subnet.urn, provider: "", oldState: subnet, newState };
    const plan = planFromPulumiPreview({ steps: [step] }, state.deployment.resources, "p.json");
    expect(plan.refusals).toEqual([
      { urn: subnet.urn, kind: "update-refused", message: expect.stringMatching(/in use by .*keyvault-pe/) },
    ]);
    // Without the resources that point at it (an empty state), the subnet is free to resize.
    expect(planFromPulumiPreview({ steps: [step] }, [], "p.json").refusals).toEqual([]);
  });

  it("a removed app's role assignments need the vault and storage locks lifted, nothing else", () => {
    const plan = planFromPulumiPreview(
      digest(
        { op: "delete", name: "app-web-kv-secrets-user" },
        { op: "delete", name: "app-web-blob-read" },
        { op: "delete", name: "app-web-app" },
      ),
      state.deployment.resources,
      "preview.json",
    );
    expect(plan.refusals).toEqual([]);
    expect(plan.locks.map((l) => l.urn.split("::").pop())).toEqual(
      expect.arrayContaining(["keyvault-vault-lock", "storage-account-lock"]),
    );
    expect(plan.locks).toHaveLength(2);
  });

  // The deploy identity's permission to delete, as the offline change preview judges it: the
  // deploy stops before it starts instead of failing half-way on AuthorizationFailed.
  it("refuses deleting a role assignment whose role the RBAC administrator's condition no longer lists", () => {
    const removed = digest({ op: "delete", name: "app-web-blob-read" });
    const judged = (text: string) =>
      planFromPulumiPreview(
        removed,
        state.deployment.resources,
        "p.json",
        roleAssignmentDeleteCheck("prod", {}, parseDeployIdentities(text)),
      );
    expect(judged(IDENTITIES_TEXT).refusals).toEqual([]);
    const refused = judged(withoutReaderText());
    expect(refused.refusals.map((r) => [r.urn.split("::").pop(), r.kind])).toEqual([
      ["app-web-blob-read", "unauthorized"],
    ]);
    expect(refused.refusals[0].message).toMatch(
      /^deleting it fails with AuthorizationFailed: sap-deploy-prod may not: .*does not list role Storage Blob Data Reader/,
    );
    // Judged only with the check: the lock window alone still lifts the storage lock for it.
    expect(planFromPulumiPreview(removed, state.deployment.resources, "p.json").refusals).toEqual([]);
  });

  it("refuses a replace of the storage account (data loss), lifting nothing", () => {
    const plan = planFromPulumiPreview(
      digest({ op: "replace", name: "storage-account" }),
      state.deployment.resources,
      "p.json",
    );
    expect(plan.refusals.map((r) => r.kind)).toEqual(["data-loss", "protected", "scope-locked"]);
  });
});

describe("planFromChangePreview", () => {
  it("takes the offline change preview's locks and failures, and only for its own stack", () => {
    const next = jsonCopy(state);
    next.deployment.resources = (state.deployment.resources as NormalizedExportResource[]).filter(
      (r) => !r.urn.endsWith("::app-web-kv-secrets-user"),
    );
    const preview = previewChanges(state, next, { stack: "prod", from: "old.json" });
    const plan = planFromChangePreview(preview, "prod", "changes.json");
    expect(plan.refusals).toEqual([]);
    expect(plan.locks.map((l) => l.urn.split("::").pop())).toEqual(["keyvault-vault-lock"]);
    expect(() => planFromChangePreview(preview, "dev", "changes.json")).toThrow(LockWindowInputError);
  });
});

describe("npm run lock-window", () => {
  let fakeAzLog: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    fakeAzLog = path.join(dir, "az.log");
    fs.writeFileSync(path.join(bin, "az"), `#!/bin/sh\necho "$@" >> "${fakeAzLog}"\n`, { mode: 0o755 });
    env = {
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
      GITHUB_STEP_SUMMARY: path.join(dir, "summary.md"),
      GITHUB_ACTOR: "deploy-bot",
    };
  });

  it("--apply lifts exactly the needed lock with az, audits it and records its URN", () => {
    const preview = path.join(dir, "preview.json");
    fs.writeFileSync(preview, JSON.stringify(digest({ op: "delete", name: "app-web-redis-access" })));
    const record = path.join(dir, "lifted.txt");
    const run = runScript(
      "lock-window",
      "--stack",
      "prod",
      "--preview",
      preview,
      "--state",
      stateFile,
      "--apply",
      "--record",
      record,
      { env },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const lock = resource("redis-cluster-lock");
    expect(fs.readFileSync(fakeAzLog, "utf8")).toBe(`lock delete --ids ${lock.id}\n`);
    expect(run.stdout).toContain(`lock-window: LIFTED ${lock.id} (stack prod`);
    expect(fs.readFileSync(env.GITHUB_STEP_SUMMARY as string, "utf8")).toContain(`LIFTED ${lock.id}`);
    expect(fs.readFileSync(record, "utf8")).toBe(`${lock.urn}\n`);
  });

  // The refusal and usage errors run in-process (`main`); the --apply run above is the child.
  it("refuses (exit 1) a change deleting the PostgreSQL server and lifts nothing", async () => {
    fs.rmSync(fakeAzLog, { force: true });
    const preview = path.join(dir, "refused.json");
    fs.writeFileSync(preview, JSON.stringify(digest({ op: "delete", name: "postgres-server" })));
    const run = await runMain(
      main,
      "--stack",
      "prod",
      "--preview",
      preview,
      "--state",
      stateFile,
      "--apply",
      {
        env,
      },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/REFUSED[\s\S]*\[data-loss\][\s\S]*postgres-server/);
    expect(fs.existsSync(fakeAzLog)).toBe(false);
  });

  it("refuses (exit 1) a role-assignment delete the deploy identity may not make, lifting nothing", async () => {
    fs.rmSync(fakeAzLog, { force: true });
    const preview = path.join(dir, "unauthorized.json");
    fs.writeFileSync(preview, JSON.stringify(digest({ op: "delete", name: "app-web-blob-read" })));
    const identities = path.join(dir, "identities-without-reader.yaml");
    fs.writeFileSync(identities, withoutReaderText());
    const args = ["--stack", "prod", "--preview", preview, "--state", stateFile] as const;
    const record = path.join(dir, "unauthorized-lifted.txt");
    const run = await runMain(main, ...args, "--apply", "--record", record, {
      env: { ...env, [IDENTITIES_FILE_ENV]: identities },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /REFUSED[\s\S]*\[unauthorized\] urn:.*::app-web-blob-read\n {4}deleting it fails with AuthorizationFailed: sap-deploy-prod may not/,
    );
    expect(fs.existsSync(fakeAzLog)).toBe(false);
    expect(fs.existsSync(record)).toBe(false);
    // With the declaration as it is, the same delete only needs the storage lock lifted.
    const allowed = await runMain(main, ...args, { env });
    expect(allowed.stderr).toBe("");
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain(resource("storage-account-lock").id);
  });

  it("--apply with a record path that cannot be written exits 2 before lifting any lock", async () => {
    fs.rmSync(fakeAzLog, { force: true });
    const preview = path.join(dir, "record-preview.json");
    fs.writeFileSync(preview, JSON.stringify(digest({ op: "delete", name: "app-web-redis-access" })));
    const record = path.join(dir, "no-such-dir", "lifted.txt");
    const run = await runMain(
      main,
      "--stack",
      "prod",
      "--preview",
      preview,
      "--state",
      stateFile,
      "--apply",
      "--record",
      record,
      { env },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`--record ${record}: directory ${path.dirname(record)} does not exist`);
    // The lock the change needs lifted is still there: the deploy could not have recreated it.
    expect(fs.existsSync(fakeAzLog)).toBe(false);
  });

  it("reads a preview and a state saved with a UTF-8 byte order mark", async () => {
    const preview = path.join(dir, "bom-preview.json");
    fs.writeFileSync(
      preview,
      `\uFEFF${JSON.stringify(digest({ op: "update", name: "app-web-redis-access" }))}`,
    );
    const state = path.join(dir, "bom-state.json");
    fs.writeFileSync(state, `\uFEFF${fs.readFileSync(stateFile, "utf8")}`);
    const run = await runMain(main, "--stack", "prod", "--preview", preview, "--state", state, { env });
    expect(run.stderr).not.toMatch(/invalid JSON/);
    expect(run.status).toBe(0);
  });

  it("usage errors exit 2 and name every problem", async () => {
    const run = await runMain(main, "--preview", path.join(dir, "missing.json"), "--bogus", { env });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown option --bogus; --stack is required/);
    // The usage names the preview the deploy judges: refreshed, as its `pulumi up --refresh` is.
    expect(run.stderr).toContain("`pulumi preview --refresh --stack S --json` output");
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, "{ nope");
    const malformed = await runMain(main, "--stack", "prod", "--preview", bad, { env });
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toMatch(/--preview .*bad\.json: invalid JSON/);
  });
});
