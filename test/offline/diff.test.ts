/**
 * The change preview (`lib/offline/diff.ts`) on the real prod plan: export it, change the
 * configuration or the old state the way a routine change would, plan again and diff. Issue
 * 12 item 4: every routine change comes out clean (the lock window covers its deletes);
 * renaming the PostgreSQL server or moving the storage account comes out flagged.
 */
import { previewChanges, type ChangePreview, type ResourceChange } from "../../lib/offline/diff";
import {
  parseStackExport,
  type NormalizedExportResource,
  type NormalizedStackExport,
} from "../../lib/offline/export";
import { planStack, type PlanOptions } from "../../lib/offline/plan";
import type { PlatformConfig } from "../../config";
import { jsonClone } from "../../policy/engine/paths";

let baseline: NormalizedStackExport;
let apps: PlatformConfig["apps"];

async function exported(options: PlanOptions = {}): Promise<NormalizedStackExport> {
  const plan = await planStack("prod", options);
  return parseStackExport(plan.toStackExport(), "prod");
}

beforeAll(async () => {
  const plan = await planStack("prod");
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

  it("removing an app deletes its Key Vault role and Redis access-policy assignment under their locks", async () => {
    const next = await exported({ configOverrides: { apps: apps.filter((a) => a.name !== "api") } });
    const p = diff(baseline, next);
    for (const name of [
      "app-api-kv-secrets-user",
      "redis-access-api",
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
