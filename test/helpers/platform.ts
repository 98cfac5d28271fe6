/**
 * A `PlatformContext` for component tests: plain strings shaped like the ARM IDs the real
 * foundation produces (same subscription and tenant as the offline mocks), dev by default.
 * `testPlatform({ environment: "prod", deletionLocks: true, zoneRedundant: true })` gives prod;
 * the `environment` tag follows the environment unless `tags` is overridden.
 */
import type {
  CustomerManagedKeyArgs,
  PlatformContext,
  PrivateDnsZoneKey,
} from "../../components/common/interfaces";
import { pairedRegion } from "../../controls/regions";
import { MOCK_SUBSCRIPTION_ID, MOCK_TENANT_ID } from "../../lib/offline/mocks";

export const TEST_SUBSCRIPTION_ID = MOCK_SUBSCRIPTION_ID;
export const TEST_TENANT_ID = MOCK_TENANT_ID;

/** A resource-group ARM ID for the test platform of an environment. */
export function testResourceGroupId(environment: PlatformContext["environment"] = "dev"): string {
  return `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/rg-sap-${environment}`;
}

export function testPlatform(overrides: Partial<PlatformContext> = {}): PlatformContext {
  const environment = overrides.environment ?? "dev";
  const rgName = `rg-sap-${environment}`;
  const rg = testResourceGroupId(environment);
  const location = overrides.location ?? "westeurope";
  const zone = (name: string) => `${rg}/providers/Microsoft.Network/privateDnsZones/${name}`;
  const vnet = `${rg}/providers/Microsoft.Network/virtualNetworks/vnet-sap-${environment}`;
  const privateDnsZoneIds: Record<PrivateDnsZoneKey, string> = {
    vault: zone("privatelink.vaultcore.azure.net"),
    blob: zone("privatelink.blob.core.windows.net"),
    postgres: zone("privatelink.postgres.database.azure.com"),
    redis: zone("privatelink.redis.azure.net"),
  };
  return {
    environment,
    location,
    pairedLocation: pairedRegion(location) ?? "northeurope",
    resourceGroupName: rgName,
    resourceGroupId: rg,
    tenantId: TEST_TENANT_ID,
    namePrefix: "sap",
    tags: { environment, owner: "platform-team", costCenter: "cc-1234" },
    workspaceId: `${rg}/providers/Microsoft.OperationalInsights/workspaces/log-sap-${environment}`,
    actionGroupId: `${rg}/providers/Microsoft.Insights/actionGroups/ag-sap-${environment}`,
    privateEndpointSubnetId: `${vnet}/subnets/snet-sap-pe-${environment}`,
    privateDnsZoneIds,
    deletionLocks: environment === "prod",
    zoneRedundant: environment === "prod",
    ...overrides,
  };
}

/** The prod platform: zone redundant, locked (the WAF-aligned scenario every component is tested in). */
export function prodPlatform(overrides: Partial<PlatformContext> = {}): PlatformContext {
  return testPlatform({ environment: "prod", zoneRedundant: true, deletionLocks: true, ...overrides });
}

/** Named platform scenarios, so every component test means the same thing by "defaults" and "prod". */
export const PLATFORM_SCENARIOS = {
  /** dev, no locks, no zone redundancy: what a component does with nothing but required args. */
  defaults: () => testPlatform(),
  /** prod: zone redundant, locked, customer-managed keys required. */
  prod: () => prodPlatform(),
} as const;

/**
 * `CustomerManagedKey` args as the component produces them (prod resource group): a versionless
 * key URI in `vault` and the user-assigned identity that may use the key.
 */
export function testCmkArgs(
  purpose: string,
  vault = "kv-sap-prod-a1b2c",
): { [K in keyof CustomerManagedKeyArgs]: string } {
  const rg = testResourceGroupId("prod");
  return {
    keyVaultId: `${rg}/providers/Microsoft.KeyVault/vaults/${vault}`,
    keyVaultUri: `https://${vault}.vault.azure.net/`,
    keyName: `key-sap-${purpose}-prod`,
    keyUri: `https://${vault}.vault.azure.net/keys/key-sap-${purpose}-prod`,
    identityId: `${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-sap-cmk-${purpose}-prod`,
    identityClientId: "11111111-1111-4111-8111-111111111111",
    identityPrincipalId: "22222222-2222-4222-8222-222222222222",
  };
}
