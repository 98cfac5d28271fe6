/**
 * First-deploy ordering in the real plans (NET-1): an app connects to a data store by the name
 * it is given, and with public network access disabled only the private address answers. So an
 * app must not start before the store's private endpoint is registered in the private DNS zone
 * (its PrivateDnsZoneGroup); otherwise the name resolves to the public address the store refuses.
 */
import type { Plan } from "../../lib/offline/plan";
import type { PlannedResource } from "../../lib/offline/run";
import { sharedPlan } from "../helpers/plans";

const APP = "azure-native:app:ContainerApp";
const ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup";

/** Every resource `urn` waits for, through explicit and property dependencies. */
function waitsFor(plan: Plan, urn: string): Set<string> {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const out = new Set<string>();
  const visit = (u: string) => {
    const r = byUrn.get(u);
    if (!r) return;
    for (const d of [...r.dependencies, ...Object.values(r.propertyDependencies).flat()]) {
      if (out.has(d)) continue;
      out.add(d);
      visit(d);
    }
  };
  visit(urn);
  return out;
}

/** The DNS zone group of the component that owns `store`'s type (one data store per component here). */
const zoneGroupsOf = (plan: Plan, component: string): PlannedResource[] =>
  plan.resources.filter((r) => r.type === ZONE_GROUP && r.urn.includes(`${component}$`));

describe.each(["dev", "prod"] as const)("the %s plan", (stack) => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await sharedPlan(stack);
  });

  it("starts no app before the private DNS records of the data stores it connects to", () => {
    const apps = plan.resources.filter((r) => r.type === APP);
    expect(apps.length).toBeGreaterThan(0);
    const stores: [string, string][] = [
      ["AZURE_POSTGRESQL_HOST", "PostgresServer"],
      ["AZURE_REDIS_HOST", "ManagedRedis"],
      ["AZURE_STORAGE_BLOB_ENDPOINT", "BlobStorage"],
      ["AZURE_KEY_VAULT_URI", "KeyVault"],
    ];
    let checked = 0;
    for (const app of apps) {
      const env = JSON.stringify(app.inputs.template ?? {});
      const deps = waitsFor(plan, app.urn);
      for (const [variable, component] of stores) {
        if (!env.includes(`"${variable}"`)) continue;
        const groups = zoneGroupsOf(plan, component);
        expect(groups.length).toBeGreaterThan(0);
        // The app's store is one of the component's endpoints: at least one registration is waited for.
        expect({ app: app.name, variable, waits: groups.some((g) => deps.has(g.urn)) }).toEqual({
          app: app.name,
          variable,
          waits: true,
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });
});
