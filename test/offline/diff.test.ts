/**
 * The change preview (`lib/offline/diff.ts`) on the real prod plan: export it, change the
 * configuration or the old state the way a routine change would, plan again and diff. Issue
 * 12 item 4: every routine change comes out clean (the lock window covers its deletes);
 * renaming the PostgreSQL server or moving the storage account comes out flagged. Issue 12
 * review: each create-only input (x-ms-mutability / azure-native forceNew) replaces, and an
 * update Azure refuses or ignores fails, each shown by an old state where only it differs.
 */
import * as fs from "fs";
import { parse } from "yaml";
import {
  previewChanges,
  updateFindings,
  withIgnoredChanges,
  invalidIgnoreChanges,
  type ChangePreview,
  type ResourceChange,
} from "../../lib/offline/diff";
import { parseStackExport } from "../../lib/offline/export";
import { planStack, type PlanOptions } from "../../lib/offline/plan";
import { sharedPlan } from "../helpers/plans";
import { deepFreeze, type PlatformConfig } from "../../config";
import { jsonClone } from "../../lib/analyzer/paths";
import { type NormalizedExportResource, type NormalizedStackExport } from "../../policy/common/pulumiFormat";

let baseline: NormalizedStackExport;
let apps: PlatformConfig["apps"];

/**
 * Each distinct plan once: two tests plan dev with the same zone-redundant overrides. The export
 * is frozen, so a test that changed it would throw instead of changing the other's.
 */
const plans = new Map<string, Promise<NormalizedStackExport>>();

async function exported(options: PlanOptions = {}, stack = "prod"): Promise<NormalizedStackExport> {
  const key = JSON.stringify([stack, options]);
  let plan = plans.get(key);
  if (!plan) {
    plan = planStack(stack, options).then((p) => deepFreeze(parseStackExport(p.toStackExport(), stack)));
    plans.set(key, plan);
  }
  return plan;
}

beforeAll(async () => {
  const plan = await sharedPlan("prod");
  apps = plan.config.apps;
  baseline = parseStackExport(plan.toStackExport(), "prod");
});

/** The old state with one resource's inputs edited (what an earlier program version left behind). */
function oldStateWith(
  urnSuffix: string,
  edit: (inputs: Record<string, unknown>) => void,
): NormalizedStackExport {
  const doc = jsonClone(baseline);
  const r = doc.deployment.resources.find((x) => x.urn.endsWith(urnSuffix));
  if (!r) throw new Error(`no resource ${urnSuffix}`);
  edit(r.inputs as Record<string, unknown>);
  return doc;
}

const diff = (previous: NormalizedStackExport, next: NormalizedStackExport): ChangePreview =>
  previewChanges(previous, next, { stack: "prod", from: "old.json" });
const byName = (p: ChangePreview, suffix: string): ResourceChange | undefined =>
  p.changes.find((c) => c.urn.endsWith(`::${suffix}`));
const lockOf = (resource: string) =>
  new RegExp(`/${resource}/providers/Microsoft\\.Authorization/locks/do-not-delete$`, "i");

describe("no change", () => {
  it("the plan against its own export: nothing to do", () => {
    const p = diff(baseline, baseline);
    expect(p.changes).toEqual([]);
    expect(p.failures).toEqual([]);
    expect(p.summary.same).toBeGreaterThan(100);
  });
});

describe("ignoreChanges: what the engine keeps from the old state is neither an update nor a problem", () => {
  it("a plan made on a later day: the keys' first-version expiry and the placeholders' values are ignored", () => {
    // The plan computes `expires` from today's date; the components ignore it after creation.
    const doc = jsonClone(baseline);
    const edited: string[] = [];
    for (const r of doc.deployment.resources) {
      const props = r.inputs.properties as Record<string, unknown> | undefined;
      const attributes = props?.attributes as Record<string, number> | undefined;
      if (!attributes?.expires || !/keyvault:(Key|Secret)$/.test(r.type)) continue;
      attributes.expires -= 86400;
      edited.push(r.urn);
    }
    expect(edited.length).toBe(6);
    const p = diff(doc, baseline);
    expect(p.changes).toEqual([]);
    expect(p.failures).toEqual([]);
  });

  it("unit: the engine's PropertyPath.Reset (old value kept, absent in old means removed, no new array items)", () => {
    const old = { a: { b: 1, c: 2 }, list: [{ x: 1 }, { x: 2 }], gone: undefined, tags: { t: "1" } };
    const next = { a: { b: 9, c: 9 }, list: [{ x: 8 }, { x: 9 }], extra: { y: 1 }, tags: { t: "2" } };
    expect(withIgnoredChanges(old, next, ["a.b", "list[*].x", "extra", 'tags["t"]'])).toEqual({
      a: { b: 1, c: 9 },
      list: [{ x: 1 }, { x: 2 }],
      tags: { t: "1" },
    });
    expect(withIgnoredChanges(old, next, ["list[1].x"]).list).toEqual([{ x: 8 }, { x: 2 }]);
    expect(withIgnoredChanges({ list: [1] }, { list: [1, 2] }, ["list[*]"])).toEqual({ list: [1, 2] });
    expect(next.a.b).toBe(9); // the planned inputs themselves are not modified
  });

  it("unit: the paths the engine cannot apply (an info line since CLI 3.190, pulumi/pulumi#20278; the program's value stays)", () => {
    const next = { list: [{ x: 1 }, { x: 2 }] };
    // An index the state lacks, as after importing a resource Azure returned without the list.
    expect(invalidIgnoreChanges({}, next, ["list[0]", "list[1].x"])).toEqual(["list[0]", "list[1].x"]);
    expect(invalidIgnoreChanges({ list: [{ x: 1 }] }, next, ["list[1]"])).toEqual(["list[1]"]);
    expect(invalidIgnoreChanges({ list: [1] }, { list: [1, 2] }, ["list[*]"])).toEqual(["list[*]"]);
    // What the engine accepts: a key or [*] absent from the state, an index neither side has.
    expect(invalidIgnoreChanges({}, next, ["list[*]", "list", "other.key"])).toEqual([]);
    expect(invalidIgnoreChanges({ list: [] }, { list: [] }, ["list[3]"])).toEqual([]);
  });

  it("the Defender for Storage pricing as imported from a Free plan (no extensions): the engine applies its ignoreChanges", () => {
    // pricings.json ListPricings_example.json: a Free plan has no extensions. The import reads it
    // and the engine's import step applies ignoreChanges against what it read before the update.
    const pricing = baseline.deployment.resources.find(
      (r) => r.type === "azure-native:security:Pricing" && r.inputs?.pricingName === "StorageAccounts",
    )!;
    const imported = oldStateWith(`::${pricing.urn.split("::").pop()}`, (inputs) => {
      delete inputs.extensions;
      delete inputs.subPlan;
      inputs.pricingTier = "Free";
    });
    const p = diff(imported, baseline);
    expect(p.failures.filter((f) => f.urn === pricing.urn)).toEqual([]);
    expect(byName(p, pricing.urn.split("::").pop()!)?.op).toBe("update");
    // An index the import lacks is the engine's path error: an info line since CLI 3.190 (the
    // stated value stays), not a failure, so the preview refuses nothing.
    const byIndex = jsonClone(baseline);
    byIndex.deployment.resources.find((r) => r.urn === pricing.urn)!.ignoreChanges = ["extensions[0]"];
    expect(diff(imported, byIndex).failures).toEqual([]);
  });
});

describe("routine changes in prod come out clean (lock window)", () => {
  it("changing an app's storage access level deletes its old role assignment under the storage lock", async () => {
    const next = await exported({
      configOverrides: {
        apps: apps.map((a) => (a.name === "web" ? { ...a, storageAccess: "readwrite" } : a)),
      },
    });
    const p = diff(baseline, next);
    expect(byName(p, "app-web-blob-read")?.op).toBe("delete");
    expect(byName(p, "app-web-blob-readwrite")?.op).toBe("create");
    expect(p.failures).toEqual([]);
    expect(p.lockWindow.map((l) => l.id)).toEqual([expect.stringMatching(lockOf("storageAccounts/[^/]+"))]);
    expect(byName(p, "app-web-blob-read")?.findings[0].message).toMatch(/^lock window: lifts /);
  });

  it("a new owner or cost centre retags everything; the keys keep theirs (ARM never updates an existing key)", async () => {
    const next = await exported({ configOverrides: { owner: "data-team", costCenter: "cc-2002" } });
    const p = diff(baseline, next);
    expect(p.summary.update).toBeGreaterThan(40);
    expect(p.changes.filter((c) => c.type === "azure-native:keyvault:Key")).toEqual([]);
    expect(p.failures).toEqual([]);
  });

  it("removing an app deletes its Key Vault role and Redis access-policy assignment under their locks", async () => {
    const next = await exported({ configOverrides: { apps: apps.filter((a) => a.name !== "api") } });
    const p = diff(baseline, next);
    for (const name of [
      "app-api-kv-secrets-user",
      "app-api-redis-access",
      "app-api-blob-readwrite",
      "app-api-app",
    ]) {
      expect(byName(p, name)?.op).toBe("delete");
    }
    expect(p.failures).toEqual([]);
    const lifted = p.lockWindow.map((l) => l.id);
    expect(lifted).toHaveLength(3);
    expect(lifted).toEqual(
      expect.arrayContaining([
        expect.stringMatching(lockOf("vaults/kvsapmain[^/]+")),
        expect.stringMatching(lockOf("storageAccounts/[^/]+")),
        expect.stringMatching(lockOf("redisEnterprise/[^/]+")),
      ]),
    );
    // The app itself and its identity sit under no lock.
    expect(byName(p, "app-api-app")?.findings).toEqual([]);
  });

  it("changing the PostgreSQL admin group replaces the Entra admin (its object ID is its name)", async () => {
    const next = await exported({
      configOverrides: { postgresAdminGroupObjectId: "11111111-2222-4333-8444-555555555555" },
    });
    const p = diff(baseline, next);
    const admin = byName(p, "postgres-entra-admin");
    expect(admin?.op).toBe("replace");
    expect(admin?.replaceReasons.map((r) => r.property)).toContain("objectId");
    expect(p.failures).toEqual([]);
    expect(p.lockWindow.map((l) => l.id)).toEqual([expect.stringMatching(lockOf("flexibleServers/[^/]+"))]);
  });

  it("replacing a private endpoint is refused by its target's lock: the window lifts the target's lock", () => {
    const old = oldStateWith("::storage-pe", (inputs) => (inputs.privateEndpointName = "pep-old-name"));
    const p = diff(old, baseline);
    const pe = byName(p, "storage-pe");
    expect(pe?.op).toBe("replace");
    expect(pe?.replaceReasons).toEqual([expect.objectContaining({ property: "privateEndpointName" })]);
    expect(pe?.findings[0].message).toMatch(/the private endpoint's target/);
    expect(p.failures).toEqual([]);
    expect(p.lockWindow.map((l) => l.id)).toEqual([expect.stringMatching(lockOf("storageAccounts/[^/]+"))]);
  });

  it("renaming a diagnostic setting replaces an extension resource of the locked vault", () => {
    const old = oldStateWith("::keyvault-vault-diag", (inputs) => (inputs.name = "old-setting-name"));
    const p = diff(old, baseline);
    expect(byName(p, "keyvault-vault-diag")?.replaceReasons.map((r) => r.property)).toEqual(["name"]);
    expect(p.failures).toEqual([]);
    expect(p.lockWindow.map((l) => l.id)).toEqual([expect.stringMatching(lockOf("vaults/kvsapmain[^/]+"))]);
  });
});

describe("data loss and what no lock window can cover come out flagged", () => {
  it("renaming the PostgreSQL server: data loss, protected, and its own lock", () => {
    const old = oldStateWith("::postgres-server", (inputs) => (inputs.serverName = "psql-sap-main-prod-old"));
    const p = diff(old, baseline);
    const server = byName(p, "postgres-server");
    expect(server?.op).toBe("replace");
    expect(server?.replaceReasons.map((r) => r.property)).toEqual(["serverName"]);
    expect(p.failures.filter((f) => f.urn === server?.urn).map((f) => f.kind)).toEqual([
      "data-loss",
      "protected",
      "scope-locked",
    ]);
    expect(p.lockWindow).toEqual([]);
  });

  it("moving the storage account to another region: replace for location, data loss", () => {
    const old = oldStateWith("::storage-account", (inputs) => (inputs.location = "northeurope"));
    const p = diff(old, baseline);
    const account = byName(p, "storage-account");
    expect(account?.replaceReasons).toEqual([expect.objectContaining({ property: "location" })]);
    expect(p.failures.map((f) => f.kind)).toContain("data-loss");
  });

  it("an environment deployed external (before the edge) becoming internal is a replace, refused", () => {
    // The apps environment is always internal now (EDGE-1); one deployed before the edge existed
    // was external, and Azure cannot switch the mode in place.
    const old = oldStateWith("::apps-environment", (inputs) => {
      (inputs.vnetConfiguration as Record<string, unknown>).internal = false;
    });
    const env = byName(diff(old, baseline), "apps-environment");
    expect(env?.replaceReasons.map((r) => r.property)).toEqual(["vnetConfiguration.internal"]);
    expect(env?.findings.map((f) => f.kind)).toEqual(["protected", "scope-locked"]);
  });

  it("removing the only frontend app leaves the apps environment as it is", async () => {
    const next = await exported({ configOverrides: { apps: apps.filter((a) => a.name !== "web") } });
    expect(byName(diff(baseline, next), "apps-environment")).toBeUndefined();
  });

  it("a location written differently (case, spaces) is not a move", () => {
    const old = oldStateWith("::storage-account", (inputs) => (inputs.location = "West Europe"));
    expect(byName(diff(old, baseline), "storage-account")).toBeUndefined();
  });

  it("a delete under a resource-group lock is not lifted: too broad", () => {
    const withRgLock = (doc: NormalizedStackExport): NormalizedStackExport => {
      const rg = doc.deployment.resources.find((r) => r.type === "azure-native:resources:ResourceGroup");
      const template = doc.deployment.resources.find((r) => r.urn.endsWith("::storage-account-lock"));
      if (!rg?.id || !template) throw new Error("fixture");
      doc.deployment.resources.push({
        ...jsonClone(template),
        urn: template.urn.replace("storage-account-lock", "rg-lock"),
        id: `${rg.id}/providers/Microsoft.Authorization/locks/rg-lock`,
        inputs: { ...template.inputs, scope: rg.id },
      });
      return doc;
    };
    const old = withRgLock(jsonClone(baseline));
    const next = withRgLock(jsonClone(baseline));
    next.deployment.resources = (next.deployment.resources as NormalizedExportResource[]).filter(
      (r) => !r.urn.endsWith("::logging-action-group"),
    );
    const p = diff(old, next);
    expect(byName(p, "logging-action-group")?.op).toBe("delete");
    expect(p.failures).toEqual([
      expect.objectContaining({
        kind: "scope-locked",
        message: expect.stringMatching(/resource-group lock/),
      }),
    ]);
    expect(p.lockWindow).toEqual([]);
  });

  it("secrets in a real export (different ciphertext) are not reported as changes", () => {
    const old = jsonClone(baseline);
    let n = 0;
    const reencrypt = (v: unknown): unknown => {
      if (v && typeof v === "object" && !Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        if (typeof o.ciphertext === "string") return { ...o, ciphertext: `v1:other-${n++}` };
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, reencrypt(x)]));
      }
      return Array.isArray(v) ? v.map(reencrypt) : v;
    };
    for (const r of old.deployment.resources) r.inputs = reencrypt(r.inputs) as Record<string, unknown>;
    expect(diff(old, baseline).changes).toEqual([]);
  });
});

/** The first resource of `type` in the baseline whose URN ends with `suffix`. */
function urnOf(type: string, suffix = ""): string {
  const r = baseline.deployment.resources.find((x) => x.type === type && x.urn.endsWith(suffix));
  if (!r) throw new Error(`no ${type} ${suffix}`);
  return r.urn;
}
const changeOf = (p: ChangePreview, urn: string): ResourceChange | undefined =>
  p.changes.find((c) => c.urn === urn);
/** The inputs of resource `urn` in `doc` (to edit a fixture). */
function inputsOf(doc: NormalizedStackExport, urn: string): Record<string, unknown> {
  const r = doc.deployment.resources.find((x) => x.urn === urn);
  if (!r) throw new Error(`no ${urn}`);
  return r.inputs as Record<string, unknown>;
}
/** The old state where only `path` (dotted, from `inputs`) of one resource had another value. */
function onlyChanged(urn: string, path: string, value: unknown): NormalizedStackExport {
  const doc = jsonClone(baseline);
  const keys = path.split(".");
  let target = inputsOf(doc, urn);
  for (const k of keys.slice(0, -1)) target = target[k] as Record<string, unknown>;
  const last = keys[keys.length - 1];
  if (!(last in target)) throw new Error(`fixture: ${urn} has no input ${path}`);
  target[last] = value;
  return doc;
}

/** `p` updates `urn`, and that update is the one thing Azure refuses, with `message`. */
function expectRefusedUpdate(p: ChangePreview, urn: string, message: string | RegExp): void {
  expect(changeOf(p, urn)?.op).toBe("update");
  expect(p.failures).toEqual([
    expect.objectContaining({
      urn,
      kind: "update-refused",
      message:
        typeof message === "string" ? expect.stringContaining(message) : expect.stringMatching(message),
    }),
  ]);
}

describe("create-only inputs replace (x-ms-mutability without update, azure-native forceNew)", () => {
  const PG = "azure-native:dbforpostgresql:Server";
  it.each([
    ["availabilityZone", "3"],
    ["backup.geoRedundantBackup", "Disabled"],
  ])("PostgreSQL %s: a replace, data loss", (path, value) => {
    const urn = urnOf(PG);
    // As for a program that does not ignore the zones (ours keeps where a failover put them).
    const next = jsonClone(baseline);
    delete next.deployment.resources.find((r) => r.urn === urn)!.ignoreChanges;
    const p = diff(onlyChanged(urn, path, value), next);
    const server = changeOf(p, urn);
    expect(server?.op).toBe("replace");
    expect(server?.replaceReasons.map((r) => r.property)).toEqual([path]);
    expect(p.failures.filter((f) => f.urn === urn).map((f) => f.kind)).toContain("data-loss");
  });

  it("PostgreSQL administratorLogin, set in the old state only (password auth then): a replace", () => {
    const urn = urnOf(PG);
    const old = jsonClone(baseline);
    inputsOf(old, urn).administratorLogin = "pgadmin";
    expect(changeOf(diff(old, baseline), urn)?.replaceReasons.map((x) => x.property)).toEqual([
      "administratorLogin",
    ]);
  });

  it("PostgreSQL sourceServerResourceId and pointInTimeUTC (restore inputs): replace", () => {
    const urn = urnOf(PG);
    const old = jsonClone(baseline);
    const inputs = inputsOf(old, urn);
    inputs.sourceServerResourceId =
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/src";
    inputs.pointInTimeUTC = "2026-01-01T00:00:00Z";
    expect(changeOf(diff(old, baseline), urn)?.replaceReasons.map((x) => x.property)).toEqual([
      "sourceServerResourceId",
      "pointInTimeUTC",
    ]);
  });

  it("PostgreSQL createMode is [create, update]: an update, not a replace", () => {
    const urn = urnOf(PG);
    const old = jsonClone(baseline);
    const inputs = inputsOf(old, urn);
    inputs.createMode = "Update";
    const p = diff(old, baseline);
    expect(changeOf(p, urn)).toMatchObject({ op: "update", changed: ["createMode"], findings: [] });
    expect(p.failures).toEqual([]);
  });

  it.each([
    ["zoneRedundant", false],
    [
      "vnetConfiguration.infrastructureSubnetId",
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/other",
    ],
  ])("Container Apps environment %s: a replace", (path, value) => {
    const urn = urnOf("azure-native:app:ManagedEnvironment");
    const env = changeOf(diff(onlyChanged(urn, path, value), baseline), urn);
    expect(env?.op).toBe("replace");
    expect(env?.replaceReasons.map((r) => r.property)).toEqual([path]);
  });

  it("dev turning zoneRedundant on: the environment is deleted first, so its apps and settings are replaced with it", async () => {
    const dev = parseStackExport((await sharedPlan("dev")).toStackExport(), "dev");
    const zonal = await exported(
      {
        configOverrides: {
          zoneRedundant: true,
          storageSkuName: "Standard_GZRS",
          postgresSkuTier: "GeneralPurpose",
          postgresSkuName: "Standard_D2ds_v5",
        },
      },
      "dev",
    );
    const p = previewChanges(dev, zonal, { stack: "dev", from: "old.json" });
    const env = dev.deployment.resources.find((r) => r.type === "azure-native:app:ManagedEnvironment")!;
    expect(p.changes.find((c) => c.urn === env.urn)).toMatchObject({
      op: "replace",
      replaceReasons: [expect.objectContaining({ property: "zoneRedundant" })],
    });
    // Everything that holds the environment's ID in a create-only input or its ARM path.
    const dependents = dev.deployment.resources.filter(
      (r) =>
        (r.type === "azure-native:app:ContainerApp" && r.inputs?.environmentId === env.id) ||
        (r.type === "azure-native:monitor:DiagnosticSetting" && r.inputs?.resourceUri === env.id),
    );
    expect(dependents.map((r) => r.type)).toEqual(
      expect.arrayContaining(["azure-native:app:ContainerApp", "azure-native:monitor:DiagnosticSetting"]),
    );
    for (const d of dependents) {
      const c = p.changes.find((x) => x.urn === d.urn);
      expect(c?.op).toBe("replace");
      expect(c?.replaceReasons[0].reason).toContain(`it names ${env.urn}, which is deleted before`);
    }
    expect(p.summary.replace).toBeGreaterThan(dependents.length);
    // A randomly auto-named environment is created before the old one is deleted: its apps stay.
    const autonamed = jsonClone(dev);
    inputsOf(autonamed, env.urn).__createBeforeDelete = true;
    const cbd = previewChanges(autonamed, zonal, { stack: "dev", from: "old.json" });
    for (const d of dependents) expect(cbd.changes.find((x) => x.urn === d.urn)).toBeUndefined();
  });

  it("a container app moved to another environment (environmentId): a replace", () => {
    const urn = urnOf("azure-native:app:ContainerApp");
    const other = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/other";
    const app = changeOf(diff(onlyChanged(urn, "environmentId", other), baseline), urn);
    expect(app?.op).toBe("replace");
    expect(app?.replaceReasons.map((r) => r.property)).toEqual(["environmentId"]);
  });

  it("a Container Apps job moved to another environment (environmentId): a replace", () => {
    // The stack runs no job; another team's program may (examples/team-app's environment).
    const withJob = (environmentId: string): NormalizedStackExport => {
      const doc = jsonClone(baseline);
      const app = doc.deployment.resources.find((x) => x.type === "azure-native:app:ContainerApp")!;
      const job = jsonClone(app);
      job.type = "azure-native:app:Job";
      job.urn = app.urn.replace("azure-native:app:ContainerApp", "azure-native:app:Job") + "-job";
      job.inputs = { ...job.inputs, jobName: "job", environmentId };
      doc.deployment.resources.push(job);
      return doc;
    };
    const envId = inputsOf(baseline, urnOf("azure-native:app:ContainerApp")).environmentId as string;
    const other = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/other";
    const job = diff(withJob(other), withJob(envId)).changes.find((c) => c.urn.endsWith("-job"));
    expect(job?.op).toBe("replace");
    expect(job?.replaceReasons.map((r) => r.property)).toEqual(["environmentId"]);
  });

  it("a Log Analytics workspace replicated elsewhere before (replication.location): a replace", () => {
    const urn = urnOf("azure-native:operationalinsights:Workspace");
    const old = jsonClone(baseline);
    inputsOf(old, urn).replication = { enabled: true, location: "northeurope" };
    const ws = changeOf(diff(old, baseline), urn);
    expect(ws?.replaceReasons.map((r) => r.property)).toEqual(["replication.location"]);
  });

  it("storage account isHnsEnabled (azure-native forceNew): a replace, data loss", () => {
    const urn = urnOf("azure-native:storage:StorageAccount");
    const p = diff(onlyChanged(urn, "isHnsEnabled", true), baseline);
    expect(changeOf(p, urn)?.replaceReasons.map((r) => r.property)).toEqual(["isHnsEnabled"]);
    expect(p.failures.map((f) => f.kind)).toContain("data-loss");
  });

  it("a private endpoint's subnet replaces it; its connection's target sub-resource is an update", () => {
    const urn = urnOf("azure-native:network:PrivateEndpoint", "::storage-pe");
    const moved = changeOf(
      diff(onlyChanged(urn, "subnet.id", "/subscriptions/s/x/subnets/other"), baseline),
      urn,
    );
    expect(moved?.replaceReasons.map((r) => r.property)).toEqual(["subnet"]);
    // Its DNS zone group names it by name only (privateEndpointName, a path parameter): the
    // state's property dependencies say it depends on the endpoint, so it is replaced first.
    const group = baseline.deployment.resources.find(
      (r) =>
        r.type === "azure-native:network:PrivateDnsZoneGroup" &&
        r.propertyDependencies?.privateEndpointName?.includes(urn),
    )!;
    const replacedGroup = changeOf(
      diff(onlyChanged(urn, "subnet.id", "/subscriptions/s/x/subnets/other"), baseline),
      group.urn,
    );
    expect(replacedGroup).toMatchObject({
      op: "replace",
      replaceReasons: [expect.objectContaining({ property: "privateEndpointName" })],
    });
    const old = jsonClone(baseline);
    const conns = inputsOf(old, urn).privateLinkServiceConnections as { groupIds: string[] }[];
    conns[0].groupIds = ["other"];
    expect(changeOf(diff(old, baseline), urn)).toMatchObject({ op: "update", findings: [] });
  });

  it("a role assignment's role alone is an in-place update; ours renames with the role: a replace", () => {
    const urn = urnOf("azure-native:authorization:RoleAssignment", "::app-web-blob-read");
    const roleOnly = changeOf(
      diff(
        onlyChanged(urn, "roleDefinitionId", "/providers/Microsoft.Authorization/roleDefinitions/other"),
        baseline,
      ),
      urn,
    );
    expect(roleOnly).toMatchObject({ op: "update", changed: ["roleDefinitionId"], findings: [] });
    const ours = onlyChanged(
      urn,
      "roleDefinitionId",
      "/providers/Microsoft.Authorization/roleDefinitions/other",
    );
    const inputs = inputsOf(ours, urn);
    inputs.roleAssignmentName = "00000000-0000-4000-8000-000000000000";
    expect(changeOf(diff(ours, baseline), urn)?.replaceReasons.map((x) => x.property)).toEqual([
      "roleAssignmentName",
    ]);
    const principal = changeOf(diff(onlyChanged(urn, "principalId", "other-principal"), baseline), urn);
    expect(principal?.replaceReasons.map((x) => x.property)).toEqual(["principalId"]);
  });
});

describe("updates Azure refuses or ignores fail, naming the input", () => {
  it("PostgreSQL dataEncryption.type in place: refused by Azure, not a replace or data loss", () => {
    const urn = urnOf("azure-native:dbforpostgresql:Server");
    const p = diff(onlyChanged(urn, "dataEncryption.type", "SystemAssigned"), baseline);
    expect(changeOf(p, urn)?.op).toBe("update");
    expect(p.failures).toEqual([
      {
        urn,
        kind: "update-refused",
        message: expect.stringMatching(
          /^Azure refuses this update, the deploy fails: dataEncryption\.type changed/,
        ),
      },
    ]);
  });

  it("PostgreSQL storage after Azure's autogrow: the grown size the refresh recorded is kept, no update, no refusal", () => {
    const urn = urnOf("azure-native:dbforpostgresql:Server");
    expect((inputsOf(baseline, urn).storage as Record<string, unknown>).storageSizeGB).toBe(256);
    // azure-native's Read copies a changed output into the inputs: after a grow, the state says 512.
    const grown = onlyChanged(urn, "storage.storageSizeGB", 512);
    const p = diff(grown, baseline);
    expect(changeOf(p, urn)).toBeUndefined();
    expect(p.failures).toEqual([]);
  });

  it("PostgreSQL after an HA failover: the swapped zones the refresh recorded are kept, no replace", () => {
    const urn = urnOf("azure-native:dbforpostgresql:Server");
    expect(inputsOf(baseline, urn).availabilityZone).toBe("1");
    const doc = jsonClone(baseline);
    const inputs = inputsOf(doc, urn);
    inputs.availabilityZone = "2";
    (inputs.highAvailability as Record<string, unknown>).standbyAvailabilityZone = "1";
    const p = diff(doc, baseline);
    expect(changeOf(p, urn)).toBeUndefined();
    expect(p.failures).toEqual([]);
  });

  it("unit: a PostgreSQL server whose storage goes down is refused (a program that does not ignore the size)", () => {
    const type = "azure-native:dbforpostgresql:Server";
    const at = (size: number) => ({ storage: { storageSizeGB: size, autoGrow: "Enabled" } });
    expect(updateFindings(type, at(512), at(256))).toEqual([
      expect.objectContaining({
        kind: "update-refused",
        property: "storage.storageSizeGB",
        message: expect.stringContaining("a flexible server's storage can only grow"),
      }),
    ]);
    expect(updateFindings(type, at(256), at(512))).toEqual([]);
  });

  it("PostgreSQL major version: a config change to an earlier version is refused; an upgrade is clean", async () => {
    const urn = urnOf("azure-native:dbforpostgresql:Server");
    expect(inputsOf(baseline, urn).version).toBe("18");
    const earlier = diff(baseline, await exported({ configOverrides: { postgresVersion: "17" } }));
    expectRefusedUpdate(
      earlier,
      urn,
      "version changed (a flexible server's major version can only be upgraded",
    );
    const upgrade = diff(onlyChanged(urn, "version", "16"), baseline);
    expect(upgrade.failures).toEqual([]);
    // azure-native: `version` has no x-ms-mutability (Servers.json 2025-08-01) and no forceNew
    // (gen/replacement.go): an upgrade updates the server in place, it never replaces it.
    expect(changeOf(upgrade, urn)).toMatchObject({ op: "update", changed: ["version"], replaceReasons: [] });
  });

  it("a Key Vault's soft-delete retention interval is fixed at creation: any change is refused", () => {
    const urn = urnOf("azure-native:keyvault:Vault");
    const days = (inputsOf(baseline, urn).properties as Record<string, unknown>).softDeleteRetentionInDays;
    expect(days).toBe(90);
    const p = diff(onlyChanged(urn, "properties.softDeleteRetentionInDays", 30), baseline);
    expectRefusedUpdate(p, urn, "properties.softDeleteRetentionInDays changed");
  });

  it("Managed Redis: a config change to a Flash Optimized SKU is refused; scaling within the in-memory tiers is clean", async () => {
    const urn = urnOf("azure-native:redisenterprise:RedisEnterprise");
    expect(inputsOf(baseline, urn).sku).toEqual({ name: "Balanced_B5" });
    const flash = diff(
      baseline,
      await exported({ configOverrides: { redisSkuName: "FlashOptimized_A250" } }),
    );
    expectRefusedUpdate(flash, urn, "sku.name changed (Azure Managed Redis cannot scale between");
    const larger = diff(
      baseline,
      await exported({ configOverrides: { redisSkuName: "ComputeOptimized_X10" } }),
    );
    expect(changeOf(larger, urn)?.op).toBe("update");
    expect(larger.failures).toEqual([]);
  });

  it("Managed Redis high availability can be turned on, never off: dev leaving zone redundancy is refused", async () => {
    const dev = parseStackExport((await sharedPlan("dev")).toStackExport(), "dev");
    const urn = dev.deployment.resources.find(
      (r) => r.type === "azure-native:redisenterprise:RedisEnterprise",
    )!.urn;
    const cluster = (doc: NormalizedStackExport) =>
      doc.deployment.resources.find((r) => r.urn === urn)!.inputs as Record<string, unknown>;
    expect(cluster(dev).highAvailability).toBe("Disabled");
    // The dev stack deployed while zoneRedundant was true, now back to the default (false).
    const wasZonal = await exported(
      {
        configOverrides: {
          zoneRedundant: true,
          storageSkuName: "Standard_GZRS",
          postgresSkuTier: "GeneralPurpose",
          postgresSkuName: "Standard_D2ds_v5",
        },
      },
      "dev",
    );
    expect(cluster(wasZonal).highAvailability).toBe("Enabled");
    const off = previewChanges(wasZonal, dev, { stack: "dev", from: "old.json" });
    expect(off.failures).toContainEqual({
      urn,
      kind: "update-refused",
      message: expect.stringContaining(
        "highAvailability changed (an Azure Managed Redis cluster's high availability can only be turned on",
      ),
    });
    // Turning it on is an in-place update Azure accepts.
    const on = previewChanges(dev, wasZonal, { stack: "dev", from: "old.json" });
    expect(on.changes.find((c) => c.urn === urn)?.op).toBe("update");
    expect(on.failures.filter((f) => f.urn === urn)).toEqual([]);
    // A cluster created before the input was set had Azure's default, Enabled.
    const type = "azure-native:redisenterprise:RedisEnterprise";
    expect(updateFindings(type, {}, { highAvailability: "Disabled" }).map((f) => f.kind)).toEqual([
      "update-refused",
    ]);
  });

  it("a Redis database's clustering policy: refused unless it was NoCluster; its port replaces", () => {
    const urn = urnOf("azure-native:redisenterprise:Database");
    const current = inputsOf(baseline, urn).clusteringPolicy;
    const other = current === "OSSCluster" ? "EnterpriseCluster" : "OSSCluster";
    const p = diff(onlyChanged(urn, "clusteringPolicy", other), baseline);
    expect(p.failures.map((f) => f.kind)).toEqual(["update-refused"]);
    expect(diff(onlyChanged(urn, "clusteringPolicy", "NoCluster"), baseline).failures).toEqual([]);
    const port = changeOf(diff(onlyChanged(urn, "port", 10001), baseline), urn);
    expect(port?.replaceReasons.map((r) => r.property)).toEqual(["port"]);
  });

  it("Managed Redis persistence: added in place, never disabled or switched (redisPersistence)", async () => {
    const urn = urnOf("azure-native:redisenterprise:Database");
    expect(inputsOf(baseline, urn).persistence).toMatchObject({ aofEnabled: true });
    // Prod persists with AOF: dropping it or switching to RDB is refused.
    const none = diff(baseline, await exported({ configOverrides: { redisPersistence: "none" } }));
    expectRefusedUpdate(
      none,
      urn,
      "persistence.aofEnabled changed (Azure Managed Redis persistence cannot be disabled",
    );
    const rdb = diff(baseline, await exported({ configOverrides: { redisPersistence: "rdb" } }));
    expectRefusedUpdate(rdb, urn, "persistence.aofEnabled changed");
    // Dev has none: adding persistence to the existing cache is an update Azure accepts.
    const dev = parseStackExport((await sharedPlan("dev")).toStackExport(), "dev");
    const devUrn = dev.deployment.resources.find(
      (r) => r.type === "azure-native:redisenterprise:Database",
    )!.urn;
    const added = previewChanges(
      dev,
      await exported({ configOverrides: { redisPersistence: "aof" } }, "dev"),
      { stack: "dev", from: "old.json" },
    );
    expect(added.changes.find((c) => c.urn === devUrn)?.op).toBe("update");
    expect(added.failures).toEqual([]);
    // The RDB interval changes in place; RDB to AOF disables RDB.
    const type = "azure-native:redisenterprise:Database";
    const rdb1h = { persistence: { rdbEnabled: true, rdbFrequency: "1h" } };
    expect(updateFindings(type, rdb1h, { persistence: { rdbEnabled: true, rdbFrequency: "12h" } })).toEqual(
      [],
    );
    expect(
      updateFindings(type, rdb1h, { persistence: { aofEnabled: true, aofFrequency: "1s" } }).map(
        (f) => f.property,
      ),
    ).toEqual(["persistence.rdbEnabled"]);
  });

  it("a subnet in use cannot be resized: a config change to appsSubnetPrefix is refused, naming its users", async () => {
    const urn = urnOf("azure-native:network:Subnet", "network-apps-subnet");
    const p = diff(baseline, await exported({ configOverrides: { appsSubnetPrefix: "10.30.4.0/23" } }));
    expectRefusedUpdate(p, urn, /addressPrefix changed \(a subnet's address range .* in use by .*::apps-env/);
    // A subnet nothing points at (yet) can be resized.
    const type = "azure-native:network:Subnet";
    expect(updateFindings(type, { addressPrefix: "10.0.0.0/24" }, { addressPrefix: "10.0.0.0/23" })).toEqual(
      [],
    );
  });

  it("the private endpoint subnet holds the endpoints: resizing it is refused too", () => {
    const urn = urnOf("azure-native:network:Subnet", "network-pe-subnet");
    const p = diff(onlyChanged(urn, "addressPrefix", "10.30.3.0/24"), baseline);
    expect(p.failures.map((f) => [f.urn, f.kind])).toEqual([[urn, "update-refused"]]);
    expect(p.failures[0].message).toMatch(/in use by .*storage-pe/);
  });

  it("storage: adding zone redundancy (GRS -> GZRS) is a conversion, refused as an update; GRS -> RA-GRS is clean", async () => {
    const dev = parseStackExport((await sharedPlan("dev")).toStackExport(), "dev");
    const urn = dev.deployment.resources.find((r) => r.type === "azure-native:storage:StorageAccount")!.urn;
    const devDiff = async (storageSkuName: string) =>
      previewChanges(dev, await exported({ configOverrides: { storageSkuName } }, "dev"), {
        stack: "dev",
        from: "old.json",
      });
    const zonal = await devDiff("Standard_GZRS");
    expectRefusedUpdate(zonal, urn, "sku.name changed (adding or removing zone redundancy is a conversion");
    const readAccess = await devDiff("Standard_RAGRS");
    expect(readAccess.changes.find((c) => c.urn === urn)?.op).toBe("update");
    expect(readAccess.failures).toEqual([]);
  });

  it("storage in prod: read access on the zone-redundant SKU is clean; an account deployed without zones, or losing them, is refused", async () => {
    const urn = urnOf("azure-native:storage:StorageAccount");
    const ra = diff(baseline, await exported({ configOverrides: { storageSkuName: "Standard_RAGZRS" } }));
    expect(changeOf(ra, urn)?.op).toBe("update");
    expect(ra.failures).toEqual([]);
    // An account deployed GRS (before zoneRedundant) that the config now wants GZRS: refused.
    const p = diff(onlyChanged(urn, "sku.name", "Standard_RAGRS"), baseline);
    expect(p.failures.map((f) => [f.urn, f.kind])).toEqual([[urn, "update-refused"]]);
    const down = updateFindings(
      "azure-native:storage:StorageAccount",
      { sku: { name: "Standard_GZRS" } },
      { sku: { name: "Standard_GRS" } },
    );
    expect(down.map((f) => f.kind)).toEqual(["update-refused"]);
  });

  // Microsoft's "Enable infrastructure encryption for double encryption of data": it "cannot be
  // enabled or disabled after the account has been created", and azure-native sends the change as
  // an account update (no forceNew, no mutability marker). Fails on the old table (no finding).
  it("storage: infrastructure encryption is refused on an existing account, either way; absent counts as off", () => {
    const urn = urnOf("azure-native:storage:StorageAccount");
    expect(inputsOf(baseline, urn).encryption).toMatchObject({ requireInfrastructureEncryption: true });
    // An account created without it, which the plan now wants with it: refused, named.
    const without = onlyChanged(urn, "encryption.requireInfrastructureEncryption", false);
    const on = diff(without, baseline);
    expect(on.failures.map((f) => [f.urn, f.kind])).toEqual([[urn, "update-refused"]]);
    expect(changeOf(on, urn)?.findings.map((f) => f.property)).toEqual([
      "encryption.requireInfrastructureEncryption",
    ]);
    const type = "azure-native:storage:StorageAccount";
    const enc = (v?: boolean) => ({
      encryption: v === undefined ? {} : { requireInfrastructureEncryption: v },
    });
    expect(updateFindings(type, enc(true), enc(false)).map((f) => f.kind)).toEqual(["update-refused"]);
    expect(updateFindings(type, enc(), enc(true)).map((f) => f.kind)).toEqual(["update-refused"]);
    expect(updateFindings(type, enc(), enc(false))).toEqual([]);
    expect(updateFindings(type, enc(true), enc(true))).toEqual([]);
  });

  it("unit: only the inputs that differ are named; a replace has no update findings", () => {
    const type = "azure-native:keyvault:Key";
    const olds = { properties: { kty: "RSA", keySize: 3072, curveName: "P-256" } };
    expect(updateFindings(type, olds, jsonClone(olds))).toEqual([]);
    const news = { properties: { kty: "RSA", keySize: 4096, curveName: "P-384" } };
    expect(updateFindings(type, olds, news).map((f) => f.property)).toEqual([
      "properties.keySize",
      "properties.curveName",
    ]);
    expect(updateFindings("azure-native:storage:StorageAccount", olds, news)).toEqual([]);
    const urn = urnOf(type);
    const renamedAndResized = onlyChanged(urn, "properties.keySize", 4096);
    const inputs = inputsOf(renamedAndResized, urn);
    inputs.keyName = "old-key-name";
    const key = changeOf(diff(renamedAndResized, baseline), urn);
    expect(key?.op).toBe("replace");
    expect(key?.findings.map((f) => f.kind)).not.toContain("update-ignored");
  });
});

// The engine calls no provider Delete for a retainOnDelete resource, nor for one whose deletedWith
// resource goes in the same change (pulumi/pulumi pkg/resource/deploy/step.go DeleteStep.Apply): it
// only leaves the state. Fails on the old judgement, which called dropping the key from the program
// data loss (refused) and lifted the vault's lock for a delete that never reaches Azure.
describe("a delete that never reaches Azure", () => {
  const without = (...urns: string[]): NormalizedStackExport => {
    const doc = jsonClone(baseline);
    const kept = doc.deployment.resources.filter((r) => !urns.includes(r.urn));
    doc.deployment.resources.splice(0, doc.deployment.resources.length, ...kept);
    return doc;
  };

  it("a retainOnDelete key dropped from the program: no data loss, no lock lifted; protect still refuses", () => {
    const urn = urnOf("azure-native:keyvault:Key", "cmk-storage-key");
    const old = baseline.deployment.resources.find((r) => r.urn === urn)!;
    expect(old.retainOnDelete).toBe(true);
    const p = diff(baseline, without(urn));
    expect(changeOf(p, urn)).toMatchObject({ op: "delete", findings: [] });
    expect(p.failures).toEqual([]);
    expect(p.lockWindow).toEqual([]);
    const protectedOld = jsonClone(baseline);
    protectedOld.deployment.resources.find((r) => r.urn === urn)!.protect = true;
    expect(diff(protectedOld, without(urn)).failures.map((f) => [f.urn, f.kind])).toEqual([
      [urn, "protected"],
    ]);
  });

  // Without retainOnDelete azure-native deletes a key or secret through the vault's data plane
  // (custom_keyvault.go), which no ARM lock covers ("Locks only apply to control plane Azure
  // operations", Microsoft's "Lock your resources"): a key is still data loss, but no lock is in the
  // way and none is lifted. Fails on the old judgement (scope-locked for the key, lock-window for
  // the secret).
  it("a key or secret without retainOnDelete: deleted through the data plane, no lock in the way; a key is still data loss", () => {
    const key = urnOf("azure-native:keyvault:Key", "cmk-storage-key");
    const secret = urnOf("azure-native:keyvault:Secret", "web-session-signing-key");
    const old = jsonClone(baseline);
    for (const r of old.deployment.resources) if (r.urn === key || r.urn === secret) delete r.retainOnDelete;
    const p = diff(old, without(key, secret));
    expect(changeOf(p, key)?.findings.map((f) => f.kind)).toEqual(["data-loss"]);
    expect(changeOf(p, secret)).toMatchObject({ op: "delete", findings: [] });
    expect(p.lockWindow).toEqual([]);
  });

  /**
   * Dropping `urn`, which azure-native deletes with a PUT: no finding and nothing lifted while the
   * lock `lockName` is CanNotDelete (DELETE only); with that lock ReadOnly (PUT too) it is lifted.
   */
  const expectResetByPut = (urn: string, lockName: string) => {
    const p = diff(baseline, without(urn));
    expect(changeOf(p, urn)).toMatchObject({ op: "delete", findings: [] });
    expect(p.lockWindow).toEqual([]);
    const readOnly = jsonClone(baseline);
    const lock = readOnly.deployment.resources.find((r) => r.urn.endsWith(`::${lockName}`))!;
    for (const props of [lock.inputs, lock.outputs]) (props as Record<string, unknown>).level = "ReadOnly";
    expect(changeOf(diff(readOnly, without(urn)), urn)?.findings.map((f) => f.kind)).toEqual(["lock-window"]);
  };

  // azure-native "deletes" a PostgreSQL server parameter by PUTting its default value back
  // (custom_postgres_config.go): a CanNotDelete lock on the server refuses DELETE only, so nothing is
  // lifted for it; a ReadOnly lock refuses the PUT too. Fails on the old judgement (lock-window).
  it("a PostgreSQL parameter dropped: reset by a PUT, so the server's CanNotDelete lock stays; a ReadOnly lock is in the way", () => {
    expectResetByPut(
      urnOf("azure-native:dbforpostgresql:Configuration", "postgres-log-disconnections"),
      "postgres-server-lock",
    );
  });

  // blobServices/{name} has PUT and GET but no DELETE (storage blob.json 2024-01-01), so azure-native
  // marks BlobServiceProperties a singleton (provider/pkg/gen/schema.go isSingleton) and its Delete
  // PUTs the default body (provider.go Delete, case isSingleton; defaultResourcesState.go: `{}`).
  // The account's CanNotDelete lock does not refuse that PUT, so nothing is lifted for it; a
  // ReadOnly lock does. Fails on the old judgement (lock-window on the storage account's lock).
  it("the blob service settings dropped: a singleton reset by a PUT, so the account's CanNotDelete lock stays", () => {
    expectResetByPut(urnOf("azure-native:storage:BlobServiceProperties"), "storage-account-lock");
  });

  it("deletedWith: no delete of its own when its resource goes too, its own findings otherwise", () => {
    const grant = urnOf("azure-native:authorization:RoleAssignment", "app-web-blob-read");
    const identity = urnOf("azure-native:managedidentity:UserAssignedIdentity", "app-web-identity-identity");
    const old = jsonClone(baseline);
    old.deployment.resources.find((r) => r.urn === grant)!.deletedWith = identity;
    const both = diff(old, without(grant, identity));
    expect(changeOf(both, grant)).toMatchObject({ op: "delete", findings: [] });
    const alone = diff(old, without(grant));
    expect(changeOf(alone, grant)?.findings.map((f) => f.kind)).toEqual(["lock-window"]);
  });
});

describe("docs/offline-plan.md: what changing each configuration key does", () => {
  it("has a row for every key Pulumi.yaml declares, and for the region", () => {
    const project = parse(fs.readFileSync("Pulumi.yaml", "utf8")) as { config: Record<string, unknown> };
    const doc = fs.readFileSync("docs/offline-plan.md", "utf8");
    const section = doc.split("### What changing each configuration key does")[1]?.split("\n## ")[0] ?? "";
    const rows = section.split("\n").filter((line) => line.startsWith("| `"));
    const named = new Set(
      rows.flatMap((row) => [...row.split(" | ")[0].matchAll(/`([^`]+)`/g)].map((m) => m[1])),
    );
    const keys = [
      "azure-native:location",
      ...Object.keys(project.config).map((k) => k.replace(/^secure-azure-platform:/, "")),
    ];
    expect(keys.filter((k) => !named.has(k))).toEqual([]);
    expect([...named].filter((k) => !keys.includes(k))).toEqual([]);
  });
});
