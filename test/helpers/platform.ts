/**
 * A `PlatformContext` for component tests: plain strings shaped like the ARM IDs the real
 * foundation produces (same subscription and tenant as the offline mocks), dev by default.
 * `testPlatform({ environment: "prod", deletionLocks: true, zoneRedundant: true })` gives prod;
 * the `environment` tag follows the environment unless `tags` is overridden.
 */
import type { PlatformContext, PrivateDnsZoneKey } from "../../components/shared/interfaces";
import { pairedRegion } from "../../config/regions";
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
