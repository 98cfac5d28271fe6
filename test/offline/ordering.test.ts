/**
 * First-deploy ordering in the real plans (NET-1): an app connects to a data store by the name
 * it is given, and with public network access disabled only the private address answers. So an
 * app must not start before the store's private endpoint is registered in the private DNS zone
 * (its PrivateDnsZoneGroup), nor before that zone is linked to the VNet (its VirtualNetworkLink):
 * a zone answers only the virtual networks linked to it (Microsoft's "Azure Private Endpoint private
 * DNS zone values"). Otherwise the name resolves to the public address the store refuses, and a
 * revision whose Key Vault reference cannot be resolved is not created (microsoft/sre-agent#347).
 */
import type { Plan } from "../../lib/offline/plan";
import type { PlannedResource } from "../../lib/offline/run";
import { sharedPlan } from "../helpers/plans";

const APP = "azure-native:app:ContainerApp";
const ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup";
const ZONE = "azure-native:privatedns:PrivateZone";
const VNET_LINK = "azure-native:privatedns:VirtualNetworkLink";

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

/** The store (last segment of the private link target) each DNS zone group registers, by zone group URN. */
function storeOfZoneGroup(plan: Plan): Map<string, string> {
  const endpoints = new Map(
    plan.resources
      .filter((r) => r.type === "azure-native:network:PrivateEndpoint")
      .map((r) => [r.inputs.privateEndpointName, r] as const),
  );
  const out = new Map<string, string>();
  for (const g of plan.resources.filter((r) => r.type === ZONE_GROUP)) {
    const pe = endpoints.get(g.inputs.privateEndpointName);
    const connections = (pe?.inputs.privateLinkServiceConnections ?? []) as {
      privateLinkServiceId?: string;
    }[];
    const target = connections[0]?.privateLinkServiceId;
    if (typeof target === "string") out.set(g.urn, target.split("/").pop()!.toLowerCase());
  }
  return out;
}

/** The value of the app's environment variable `name` (first container that sets it). */
function envValue(app: PlannedResource, name: string): string | undefined {
  const containers = ((app.inputs.template as { containers?: unknown[] } | undefined)?.containers ?? []) as {
    env?: { name: string; value?: string }[];
  }[];
  for (const c of containers) {
    const v = c.env?.find((e) => e.name === name)?.value;
    if (typeof v === "string") return v;
  }
  return undefined;
}

/** The VNet links of the private DNS zones each DNS zone group registers its endpoint in, by zone group URN. */
function linksOfZoneGroup(plan: Plan): Map<string, string[]> {
  const zoneNames = new Map(
    plan.resources
      .filter((r) => r.type === ZONE)
      .map((z) => [String(z.id).toLowerCase(), z.inputs.privateZoneName]),
  );
  const out = new Map<string, string[]>();
  for (const g of plan.resources.filter((r) => r.type === ZONE_GROUP)) {
    const configs = (g.inputs.privateDnsZoneConfigs ?? []) as { privateDnsZoneId?: string }[];
    const names = configs.map((c) => zoneNames.get(String(c.privateDnsZoneId).toLowerCase()));
    const links = plan.resources.filter(
      (r) => r.type === VNET_LINK && names.includes(r.inputs.privateZoneName),
    );
    out.set(
      g.urn,
      links.map((l) => l.urn),
    );
  }
  return out;
}

describe.each(["dev", "prod"] as const)("the %s plan", (stack) => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await sharedPlan(stack);
  });

  it("starts no app before the private DNS records of the data stores it connects to", () => {
    const apps = plan.resources.filter((r) => r.type === APP);
    expect(apps.length).toBeGreaterThan(0);
    const variables = [
      "AZURE_POSTGRESQL_HOST",
      "AZURE_REDIS_HOST",
      "AZURE_STORAGE_BLOB_ENDPOINT",
      "AZURE_KEY_VAULT_URI",
    ];
    const stores = storeOfZoneGroup(plan);
    let checked = 0;
    for (const app of apps) {
      const deps = waitsFor(plan, app.urn);
      for (const variable of variables) {
        const value = envValue(app, variable)?.toLowerCase();
        if (value === undefined) continue;
        // The zone group that registers the very store the variable names (not a sibling such
        // as the geo vault's), found through its endpoint's private link target.
        const own = [...stores].filter(([, store]) => value.includes(store)).map(([urn]) => urn);
        expect({ app: app.name, variable, groups: own.length }).toEqual({
          app: app.name,
          variable,
          groups: 1,
        });
        expect({ app: app.name, variable, waits: deps.has(own[0]) }).toEqual({
          app: app.name,
          variable,
          waits: true,
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it("starts no app before the private DNS zone of each store it waits for is linked to the VNet", () => {
    const links = linksOfZoneGroup(plan);
    let checked = 0;
    for (const app of plan.resources.filter((r) => r.type === APP)) {
      const deps = waitsFor(plan, app.urn);
      for (const [group, groupLinks] of links) {
        if (!deps.has(group)) continue;
        expect({ app: app.name, group, links: groupLinks.length }).toEqual({
          app: app.name,
          group,
          links: 1,
        });
        expect({ app: app.name, link: groupLinks[0], waits: deps.has(groupLinks[0]) }).toEqual({
          app: app.name,
          link: groupLinks[0],
          waits: true,
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });
});
