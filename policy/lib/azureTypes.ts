/**
 * The azure-native type tokens the pack inspects, with the aliases of the installed
 * azure-native 3.28 (read from each resource's `aliases` list). A program pinned to an older
 * SDK, or one using an explicit API version module, registers one of those older tokens, and
 * a policy matching only the canonical token would silently skip it.
 *
 * Versioned tokens (`azure-native:storage/v20230101:StorageAccount`) are matched by dropping
 * the `/vYYYYMMDD[preview]` part of the module, so every past and future API version matches.
 */

interface TypeInfo {
  /** Unversioned alias tokens (`module:Name`, without the `azure-native:` prefix). */
  aliases: readonly string[];
  /** The resource has a `tags` input (ARM tracked or taggable). */
  tags: boolean;
  /** The resource has a `location` input. */
  location: boolean;
}

/** Canonical tokens (without `azure-native:`) and what we know about them. */
const TYPES = {
  "resources:ResourceGroup": { aliases: [], tags: true, location: true },
  "storage:StorageAccount": { aliases: [], tags: true, location: true },
  "storage:BlobServiceProperties": { aliases: [], tags: false, location: false },
  "storage:BlobContainer": { aliases: [], tags: false, location: false },
  "dbforpostgresql:Server": { aliases: [], tags: true, location: true },
  "dbforpostgresql:Configuration": { aliases: [], tags: false, location: false },
  "dbforpostgresql:FirewallRule": { aliases: [], tags: false, location: false },
  "dbforpostgresql:Database": { aliases: [], tags: false, location: false },
  "dbforpostgresql:AdministratorsMicrosoftEntra": {
    aliases: ["dbforpostgresql:Administrator"],
    tags: false,
    location: false,
  },
  "redisenterprise:RedisEnterprise": { aliases: ["cache:RedisEnterprise"], tags: true, location: true },
  "redisenterprise:Database": { aliases: ["cache:Database"], tags: false, location: false },
  "redis:Redis": { aliases: ["cache:Redis"], tags: true, location: true },
  "monitor:DiagnosticSetting": { aliases: ["insights:DiagnosticSetting"], tags: false, location: false },
  "monitor:ActionGroup": { aliases: ["insights:ActionGroup"], tags: true, location: true },
  "monitor:MetricAlert": { aliases: ["insights:MetricAlert"], tags: true, location: true },
  "keyvault:Vault": { aliases: [], tags: true, location: true },
  "keyvault:Key": { aliases: [], tags: true, location: false },
  "keyvault:Secret": { aliases: [], tags: true, location: false },
  "app:ContainerApp": { aliases: [], tags: true, location: true },
  "app:Job": { aliases: [], tags: true, location: true },
  "app:ManagedEnvironment": { aliases: [], tags: true, location: true },
  "operationalinsights:Workspace": { aliases: [], tags: true, location: true },
  "authorization:RoleAssignment": { aliases: [], tags: false, location: false },
  "authorization:ManagementLockByScope": { aliases: [], tags: false, location: false },
  "authorization:ManagementLockAtResourceGroupLevel": { aliases: [], tags: false, location: false },
  "authorization:ManagementLockAtResourceLevel": { aliases: [], tags: false, location: false },
  "authorization:ManagementLockAtSubscriptionLevel": { aliases: [], tags: false, location: false },
  "network:SecurityRule": { aliases: [], tags: false, location: false },
  "network:NetworkSecurityGroup": { aliases: [], tags: true, location: true },
  "network:PublicIPAddress": { aliases: [], tags: true, location: true },
  "network:PrivateEndpoint": { aliases: ["network:InterfaceEndpoint"], tags: true, location: true },
  "network:PrivateDnsZoneGroup": { aliases: [], tags: false, location: false },
  "network:VirtualNetwork": { aliases: [], tags: true, location: true },
  "network:Subnet": { aliases: [], tags: false, location: false },
  "privatedns:PrivateZone": { aliases: ["network:PrivateZone"], tags: true, location: true },
  "privatedns:VirtualNetworkLink": { aliases: ["network:VirtualNetworkLink"], tags: true, location: true },
  "managedidentity:UserAssignedIdentity": { aliases: [], tags: true, location: true },
  "security:Pricing": { aliases: [], tags: false, location: false },
  "security:AdvancedThreatProtection": { aliases: [], tags: false, location: false },
  "security:DefenderForStorage": { aliases: [], tags: false, location: false },
  // Escape hatches and identity (issue 13, class 2): judged by resources.ts, managedIdentity.ts
  // and authorization.ts.
  "resources:Deployment": { aliases: [], tags: true, location: true },
  "resources:DeploymentAtScope": { aliases: [], tags: true, location: true },
  "resources:DeploymentAtSubscriptionScope": { aliases: [], tags: true, location: true },
  "resources:DeploymentAtManagementGroupScope": { aliases: [], tags: true, location: true },
  "resources:DeploymentAtTenantScope": { aliases: [], tags: true, location: true },
  "resources:DeploymentStackAtResourceGroup": { aliases: [], tags: true, location: true },
  "resources:DeploymentStackAtSubscription": { aliases: [], tags: true, location: true },
  "resources:DeploymentStackAtManagementGroup": { aliases: [], tags: true, location: true },
  "resources:TemplateSpec": { aliases: [], tags: true, location: true },
  "resources:TemplateSpecVersion": { aliases: [], tags: true, location: true },
  "resources:AzureCliScript": { aliases: [], tags: true, location: true },
  "resources:AzurePowerShellScript": { aliases: [], tags: true, location: true },
  "resources:Resource": { aliases: [], tags: true, location: true },
  "authorization:RoleDefinition": { aliases: [], tags: false, location: false },
  "authorization:PolicyDefinition": { aliases: [], tags: false, location: false },
  "authorization:PolicyDefinitionAtManagementGroup": { aliases: [], tags: false, location: false },
  "authorization:PimRoleEligibilitySchedule": { aliases: [], tags: false, location: false },
  "managedidentity:FederatedIdentityCredential": { aliases: [], tags: false, location: false },
  "redisenterprise:AccessPolicyAssignment": {
    aliases: ["cache:AccessPolicyAssignment"],
    tags: false,
    location: false,
  },
  "app:DaprComponent": { aliases: [], tags: false, location: false },
  "app:ManagedEnvironmentsStorage": { aliases: [], tags: false, location: false },
} as const satisfies Record<string, TypeInfo>;

/** A canonical azure-native type token known to the pack, e.g. `azure-native:storage:StorageAccount`. */
export type AzureType = `azure-native:${keyof typeof TYPES}`;

const PREFIX = "azure-native:";
/** `/v20230101`, `/v20240601preview`, `/v20210615privatepreview` after the module name. */
const VERSION = /\/v\d{8}[a-z]*(?=:)/;

/** Unversioned alias or canonical short token -> canonical short token. */
const CANONICAL_BY_TOKEN: ReadonlyMap<string, string> = new Map(
  Object.entries(TYPES as Record<string, TypeInfo>).flatMap(([canonical, info]) => [
    [canonical, canonical] as const,
    ...info.aliases.map((alias) => [alias, canonical] as const),
  ]),
);

/**
 * The canonical token of a type token (canonical, alias or API-versioned), or undefined when
 * the pack does not know the type. Non-strings (odd shapes) are simply unknown types.
 */
export function canonicalType(token: unknown): AzureType | undefined {
  if (typeof token !== "string" || !token.startsWith(PREFIX)) return undefined;
  const short = token.slice(PREFIX.length).replace(VERSION, "");
  const canonical = CANONICAL_BY_TOKEN.get(short);
  return canonical === undefined ? undefined : (`${PREFIX}${canonical}` as AzureType);
}

/** Whether `token` is one of `types` (given canonically), by canonical token, alias or versioned token. */
export function isType(token: unknown, ...types: AzureType[]): boolean {
  const canonical = canonicalType(token);
  return canonical !== undefined && types.includes(canonical);
}

/** Every token (canonical + unversioned aliases) that resolves to one of `types`: for documentation and `resourceTypes`. */
export function typeTokens(...types: AzureType[]): string[] {
  return types.flatMap((type) => {
    const info = (TYPES as Record<string, TypeInfo>)[type.slice(PREFIX.length)];
    return [type, ...(info?.aliases ?? []).map((alias) => `${PREFIX}${alias}`)];
  });
}

/** Whether the known type has a `tags` input. Unknown types: undefined. */
export function typeHasTags(token: unknown): boolean | undefined {
  const canonical = canonicalType(token);
  return canonical === undefined
    ? undefined
    : (TYPES as Record<string, TypeInfo>)[canonical.slice(PREFIX.length)]?.tags;
}

/** Whether a type token belongs to azure-native at all (any module, any version). */
export function isAzureNative(token: unknown): boolean {
  return typeof token === "string" && token.startsWith(PREFIX);
}
