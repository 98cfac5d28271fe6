/**
 * The presets as an attacker's pull request would change them (ENV-1: production runs the pack
 * with every control mandatory). A preset is configuration, so nothing refuses a value that
 * quietly turns a control off: `minKeySize: 2048`, `requireLocks: false` or one policy set to
 * advisory in prod.json loads, passes both plans and reads like a tuning change. Prod must stay
 * at least as strict as every policy's own defaults; dev relaxes only what its preset names.
 */
import { loadPackConfig, reconcilePackConfig, type PackConfig } from "../../lib/analyzer/config";
import { platformPolicies } from "../../policy/policies";
import { allowedDestinationsParam } from "../../policy/lib/relations";

/** Dev's reviewed advisory policy (bypass8: the lead keeps the type gate advisory in dev). */
const DEV_ADVISORY = ["azure-resource-type-allowed"];

/** Why a preset is weaker than the policies' defaults where it must not be; [] when it is not. */
function weakenings(
  config: PackConfig,
  advisoryAllowed: readonly string[],
  relaxParameters: boolean,
): string[] {
  const { policies, problems } = reconcilePackConfig(platformPolicies, config);
  const found = [...problems];
  for (const policy of platformPolicies) {
    const resolved = policies.get(policy.name)!;
    if (resolved.enforcementLevel !== "mandatory" && !advisoryAllowed.includes(policy.name))
      found.push(`${policy.name}: ${resolved.enforcementLevel}, not mandatory`);
    if (relaxParameters) continue;
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
      const fallback = (schema as { default?: unknown }).default;
      const value = resolved.properties[key];
      // A require* switch turned off, a minimum lowered or a maximum raised is a weaker control.
      if (/^require/.test(key) && fallback === true && value !== true)
        found.push(`${policy.name}.${key}: ${String(value)}`);
      if (typeof fallback === "number" && typeof value === "number") {
        if (/^min/.test(key) && value < fallback) found.push(`${policy.name}.${key}: ${value} < ${fallback}`);
        if (/^max/.test(key) && value > fallback) found.push(`${policy.name}.${key}: ${value} > ${fallback}`);
      }
      // Prod is stricter than the parameter's own rule (relations.ts: at least a subscription or
      // management group, which the config check enforces everywhere): a reviewed exception in
      // prod names at least a resource group, never a whole subscription.
      const patternOf = (s: unknown) => (s as { items?: { pattern?: string } } | undefined)?.items?.pattern;
      const isDestinations = patternOf(schema) === patternOf(allowedDestinationsParam.schema);
      if (isDestinations && Array.isArray(value))
        for (const entry of value)
          if (!/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+/i.test(String(entry).trim()))
            found.push(`${policy.name}.${key}: ${JSON.stringify(entry)} is broader than a resource group`);
    }
  }
  return found;
}

describe("presets cannot quietly weaken a control (ENV-1)", () => {
  it("prod runs every policy mandatory, at least as strict as the policies' defaults", () =>
    expect(weakenings(loadPackConfig("prod"), [], false)).toEqual([]));
  it("dev runs every policy mandatory except its reviewed advisory gate", () =>
    expect(weakenings(loadPackConfig("dev"), DEV_ADVISORY, true)).toEqual([]));
  it.each([
    ["a policy set to advisory", { "storage-account-private-access": "advisory" }, /advisory, not mandatory/],
    ["a policy disabled", { "storage-account-private-access": "disabled" }, /disabled, not mandatory/],
    ["a smaller key", { "key-vault-key-strength": { minKeySize: 2048 } }, /minKeySize: 2048 < 3072/],
    ["locks off", { "stateful-resources-locked": { requireLocks: false } }, /requireLocks: false/],
    [
      "slower rotation",
      { "key-vault-key-rotation": { maxRotationDays: 3650 } },
      /maxRotationDays: 3650 > 365/,
    ],
    [
      "an allow-list entry for everything",
      { "log-export-in-stack": { allowedDestinations: ["/"] } },
      /broader/,
    ],
  ])("refuses %s in prod", (_what, change, message) => {
    const config = { ...loadPackConfig("prod"), ...change } as PackConfig;
    expect(weakenings(config, [], false).join("\n")).toMatch(message);
  });
});

/**
 * Every entry prod's allow-lists may hold, each reviewed, with why (ENV-1). An allow-list is a
 * config key named `allowed*` or `exempt*`, or `customRoles` (its keys): whatever prod resolves
 * to, the preset's value or the policy's default, must be listed here, so widening an allow-list
 * (in prod.json, or in a policy's default that prod inherits) needs a visible change of this
 * table. A new allow-list key that is not empty in prod fails until it is reviewed here.
 */
const PROD_REGIONS = [
  "westeurope",
  "northeurope",
  "germanywestcentral",
  "germanynorth",
  "francecentral",
  "francesouth",
  "swedencentral",
  "swedensouth",
  "polandcentral",
  "italynorth",
  "spaincentral",
  "austriaeast",
  "belgiumcentral",
  "denmarkeast",
];
const regions = Object.fromEntries(PROD_REGIONS.map((r) => [r, "EU data residency (controls/regions.ts)"]));
const each = (entries: readonly string[], why: string) => Object.fromEntries(entries.map((e) => [e, why]));
const REVIEWED_PROD_ALLOW_LISTS: Record<string, Record<string, string>> = {
  // Every *-in-stack policy's `allowedLocations` (the regions a reviewed destination may be in).
  "*.allowedLocations": regions,
  "geo-replica-locations.allowedLocations": regions,
  "allowed-locations.allowedLocations": regions,
  "no-provider-escape-hatches.allowedPackages": {
    random: "random suffixes of globally unique names; creates nothing outside the state",
    time: "propagation waits after role grants (components/common/propagation.ts); creates nothing",
  },
  "alert-routes-in-stack.allowedEmailDomains": {
    "example.com": "the domain of the stack's alertEmail (Pulumi.prod.yaml) that on-call reads",
  },
  "principals-from-stack-or-allow-list.allowedPrincipalIds": {
    "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d": "developerGroupIds (Pulumi.prod.yaml)",
    "1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e": "qaGroupIds (Pulumi.prod.yaml)",
    "2c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e6f": "devopsGroupIds (Pulumi.prod.yaml)",
    "3d4e5f6a-7b8c-4d9e-9f0a-2b3c4d5e6f7a": "cloudAdminGroupIds (Pulumi.prod.yaml)",
    "7a2d3b0f-4c5e-4f6a-9b8c-2d3e4f5a6b7c": "postgresAdminGroupObjectId (Pulumi.prod.yaml)",
    "faa20390-bbe9-4192-83be-1827caeea269": "deployPrincipalId, sap-deploy-prod (deploy/identities.yaml)",
  },
  "role-assignment-known-role.customRoles": {
    "dd264a5d-bc1e-5dea-9542-564fbab1161d": "Platform Lock Operator (prod): locks only",
    "86ba5701-d0d1-5423-96a5-aca7fe6a3672": "Platform Secret Writer (prod): secrets of the vault only",
  },
  "storage-account-tls.allowedTlsVersions": each(
    ["TLS1_2", "TLS1_3"],
    "TLS 1.2 at least; Storage cannot require 1.3 (docs/policy.md)",
  ),
  "postgres-extensions-allowed.allowedExtensions": each(
    [
      "btree_gin",
      "btree_gist",
      "citext",
      "fuzzystrmatch",
      "hstore",
      "intarray",
      "ltree",
      "pg_buffercache",
      "pg_prewarm",
      "pg_stat_statements",
      "pg_trgm",
      "pgaudit",
      "pgcrypto",
      "pgstattuple",
      "plpgsql",
      "tablefunc",
      "unaccent",
      "uuid-ossp",
      "vector",
    ],
    "the policy's reviewed default: no extension that reaches files, programs or other servers",
  ),
  "managed-environment-logs.allowedDestinations": {
    "azure-monitor": "diagnostic settings to the stack's workspace (no shared key)",
  },
  "federated-credential-trusted-subject.allowedIssuers": {
    "https://token.actions.githubusercontent.com": "GitHub Actions OIDC, the deploy identities' only issuer",
  },
  "role-assignment-groups-only.allowedPrincipalTypes": each(
    ["ServicePrincipal", "Group"],
    "workload identities and Entra groups; never a user directly",
  ),
  "required-tags.allowedClassifications": each(
    ["public", "internal", "confidential", "customer-confidential"],
    "the data classification scheme",
  ),
  "required-tags.allowedEnvironments": each(["dev", "prod"], "the two stacks"),
  "azure-resource-type-allowed.allowedUnevaluatedTypes": each(
    [
      "azure-native:managedidentity:UserAssignedIdentity",
      "azure-native:privatedns:PrivateZone",
      "azure-native:privatedns:VirtualNetworkLink",
      "azure-native:network:PrivateEndpoint",
      "azure-native:network:PrivateDnsZoneGroup",
      "azure-native:authorization:ManagementLockByScope",
      "azure-native:redisenterprise:AccessPolicyAssignment",
      "azure-native:dbforpostgresql:Database",
    ],
    "no setting of their own to judge; what points at or from them is judged by the *-in-stack policies",
  ),
  "front-door-custom-domain-tls.allowedCipherSuiteSets": {
    TLS12_2023: "the policy's reviewed default (front-door-custom-domain-tls)",
  },
  "nsg-no-internet-inbound.allowedInternetPorts": { "443": "HTTPS to the edge" },
  "subnet-has-nsg.exemptSubnets": each(
    ["GatewaySubnet", "AzureFirewallSubnet", "AzureFirewallManagementSubnet", "RouteServerSubnet"],
    "Azure refuses an NSG on these subnets",
  ),
};

/** Lists a preset must not shorten: what is protected, required or treated as privileged. */
const MUST_COVER = /^(privilegedRoleIds|resourceTypes|required[A-Z]\w*|protectedPlans)$/;

/** Prod allow-list entries nobody reviewed, and required lists prod shortened; [] when none. */
function unreviewed(config: PackConfig): string[] {
  const { policies } = reconcilePackConfig(platformPolicies, config);
  const found: string[] = [];
  for (const policy of platformPolicies) {
    const resolved = policies.get(policy.name)!;
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
      const value = resolved.properties[key];
      const fallback = (schema as { default?: unknown }).default;
      if (MUST_COVER.test(key) && Array.isArray(fallback) && Array.isArray(value))
        for (const entry of fallback)
          if (!value.includes(entry)) found.push(`${policy.name}.${key}: ${JSON.stringify(entry)} left out`);
      if (!/^(allowed|exempt)/.test(key) && key !== "customRoles") continue;
      const entries = Array.isArray(value)
        ? value.map(String)
        : value !== null && typeof value === "object"
          ? Object.keys(value)
          : [];
      const reviewed =
        REVIEWED_PROD_ALLOW_LISTS[`${policy.name}.${key}`] ?? REVIEWED_PROD_ALLOW_LISTS[`*.${key}`] ?? {};
      for (const entry of entries)
        if (!Object.hasOwn(reviewed, entry))
          found.push(`${policy.name}.${key}: ${JSON.stringify(entry)} is not reviewed for prod`);
    }
  }
  return found;
}

describe("prod's allow-lists hold only reviewed entries (ENV-1)", () => {
  it("every entry prod's allow-lists resolve to is reviewed in this test", () =>
    expect(unreviewed(loadPackConfig("prod"))).toEqual([]));
  it("prod's allowedPackages is exactly the reviewed default", () => {
    const { policies } = reconcilePackConfig(platformPolicies, loadPackConfig("prod"));
    expect(policies.get("no-provider-escape-hatches")!.properties.allowedPackages).toEqual([
      "random",
      "time",
    ]);
  });
  it.each([
    [
      "a provider package",
      { "no-provider-escape-hatches": { allowedPackages: ["random", "time", "aws"] } },
      /"aws"/,
    ],
    [
      "an e-mail domain",
      { "alert-routes-in-stack": { allowedEmailDomains: ["example.com", "gmail.com"] } },
      /"gmail.com"/,
    ],
    ["a phone number", { "alert-routes-in-stack": { allowedPhoneNumbers: ["+15550100"] } }, /"\+15550100"/],
    [
      "an ARM role",
      { "alert-routes-in-stack": { allowedArmRoles: ["acdd72a7-3385-48ef-bd42-f606fba81ae7"] } },
      /allowedArmRoles/,
    ],
    [
      "an alert endpoint",
      { "alert-routes-in-stack": { allowedAlertEndpoints: ["hooks.example.net"] } },
      /allowedAlertEndpoints/,
    ],
    [
      "a destination",
      { "alert-routes-in-stack": { allowedDestinations: ["/subscriptions/s/resourceGroups/other"] } },
      /alert-routes-in-stack.allowedDestinations/,
    ],
    [
      "a Dapr component",
      { "dapr-components-reviewed": { allowedComponents: ["x=state.redis@0"] } },
      /allowedComponents/,
    ],
    [
      "an escape hatch",
      { "no-arm-escape-hatches": { allowedEscapeHatches: ["tpl"] } },
      /allowedEscapeHatches/,
    ],
    ["a region", { "allowed-locations": { allowedLocations: [...PROD_REGIONS, "eastus"] } }, /"eastus"/],
    [
      "a principal",
      { "principals-from-stack-or-allow-list": { allowedPrincipalIds: ["x"] } },
      /allowedPrincipalIds/,
    ],
    [
      "a custom role",
      { "role-assignment-known-role": { customRoles: { x: { actions: ["*"] } } } },
      /customRoles: "x"/,
    ],
    [
      "a shorter privileged role list",
      { "role-assignment-no-privileged-human": { privilegedRoleIds: [] } },
      /left out/,
    ],
  ])("refuses %s added to prod without review", (_what, change, message) => {
    const config = { ...loadPackConfig("prod"), ...change } as PackConfig;
    expect(unreviewed(config).join("\n")).toMatch(message);
  });
});
