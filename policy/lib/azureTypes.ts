/**
 * Resource type tokens, normalized before any policy sees them. One Azure resource type can be
 * registered under several tokens, and a policy matching only one of them would silently skip
 * the others:
 *
 * - canonical azure-native 3.28 tokens (`azure-native:storage:StorageAccount`);
 * - the aliases of the installed SDK (read from each resource's `aliases` list:
 *   `azure-native:cache:Redis`), registered by programs pinned to an older SDK;
 * - API-versioned tokens (`azure-native:storage/v20230101:StorageAccount`): the
 *   `/vYYYYMMDD[preview]` part of the module is dropped, so every past and future version matches;
 * - v3 parameterized local packages (`pulumi package add azure-native storage 2024-01-01`
 *   registers `azure-native_storage_v20240101:storage:StorageAccount`, pulumi-azure-native
 *   `provider/pkg/provider/parameterize.go`): the package prefix is replaced by `azure-native`.
 *   They are the same ARM resource with the same input names, so every policy applies.
 *
 * Pulumi Azure Classic (`azure:storage/account:Account`, the Terraform azurerm bridge) names the
 * same Azure resources with other property names (`publicNetworkAccessEnabled`, not
 * `publicNetworkAccess`), so the azure-native property policies cannot judge them: a classic
 * token stays its own canonical type, is an Azure resource (location, tags and the type gate
 * apply; `location` and `tags` are the classic property names too) and is never "known".
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
  "storage:EncryptionScope": { aliases: [], tags: false, location: false },
  "storage:ObjectReplicationPolicy": { aliases: [], tags: false, location: false },
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
  "redisenterprise:AccessPolicyAssignment": {
    aliases: ["cache:AccessPolicyAssignment"],
    tags: false,
    location: false,
  },
  "redis:Redis": { aliases: ["cache:Redis"], tags: true, location: true },
  "redis:LinkedServer": { aliases: ["cache:LinkedServer"], tags: false, location: false },
  "monitor:DiagnosticSetting": { aliases: ["insights:DiagnosticSetting"], tags: false, location: false },
  "monitor:ActionGroup": { aliases: ["insights:ActionGroup"], tags: true, location: true },
  "monitor:MetricAlert": { aliases: ["insights:MetricAlert"], tags: true, location: true },
  "monitor:DataCollectionRule": { aliases: ["insights:DataCollectionRule"], tags: true, location: true },
  "keyvault:Vault": { aliases: [], tags: true, location: true },
  "keyvault:Key": { aliases: [], tags: true, location: false },
  "keyvault:Secret": { aliases: [], tags: true, location: false },
  "app:ContainerApp": { aliases: [], tags: true, location: true },
  "app:Job": { aliases: [], tags: true, location: true },
  "app:ManagedEnvironment": { aliases: [], tags: true, location: true },
  "operationalinsights:Workspace": { aliases: [], tags: true, location: true },
  "operationalinsights:Table": { aliases: [], tags: false, location: false },
  "operationalinsights:DataExport": { aliases: [], tags: false, location: false },
  "operationalinsights:LinkedStorageAccount": { aliases: [], tags: false, location: false },
  "operationalinsights:LinkedService": { aliases: [], tags: true, location: false },
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
  "network:VirtualNetworkPeering": { aliases: [], tags: false, location: false },
  "network:Subnet": { aliases: [], tags: false, location: false },
  "privatedns:PrivateZone": { aliases: ["network:PrivateZone"], tags: true, location: true },
  "privatedns:VirtualNetworkLink": { aliases: ["network:VirtualNetworkLink"], tags: true, location: true },
  "managedidentity:UserAssignedIdentity": { aliases: [], tags: true, location: true },
  "security:Pricing": { aliases: [], tags: false, location: false },
  "security:AdvancedThreatProtection": { aliases: [], tags: false, location: false },
  "security:DefenderForStorage": { aliases: [], tags: false, location: false },
  "cdn:Profile": { aliases: [], tags: true, location: true },
  "cdn:AFDEndpoint": { aliases: [], tags: true, location: true },
  "cdn:AFDOriginGroup": { aliases: [], tags: false, location: false },
  "cdn:AFDOrigin": { aliases: [], tags: false, location: false },
  "cdn:AFDCustomDomain": { aliases: [], tags: false, location: false },
  "cdn:Route": { aliases: [], tags: false, location: false },
  "cdn:RuleSet": { aliases: [], tags: false, location: false },
  "cdn:Rule": { aliases: [], tags: false, location: false },
  "cdn:SecurityPolicy": { aliases: [], tags: false, location: false },
  "frontdoor:Policy": { aliases: ["network:Policy"], tags: true, location: true },
  "app:ManagedEnvironmentPrivateEndpointConnection": { aliases: [], tags: false, location: false },
  // Connection approvals on the data stores: judged by dataStores.ts.
  "storage:PrivateEndpointConnection": { aliases: [], tags: false, location: false },
  "keyvault:PrivateEndpointConnection": { aliases: [], tags: false, location: false },
  "dbforpostgresql:PrivateEndpointConnection": { aliases: [], tags: false, location: false },
  "redisenterprise:PrivateEndpointConnection": {
    aliases: ["cache:EnterprisePrivateEndpointConnection"],
    tags: false,
    location: false,
  },
  "securityinsights:SentinelOnboardingState": { aliases: [], tags: false, location: false },
  "securityinsights:ScheduledAlertRule": { aliases: [], tags: false, location: false },
  "monitor:SubscriptionDiagnosticSetting": {
    aliases: ["insights:SubscriptionDiagnosticSetting"],
    tags: false,
    location: false,
  },
  "monitor:ScheduledQueryRule": { aliases: ["insights:ScheduledQueryRule"], tags: true, location: true },
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
  // Azure Policy that acts with an identity, and exemptions from it: judged by resources.ts.
  "authorization:PolicyDefinitionVersion": { aliases: [], tags: false, location: false },
  "authorization:PolicyDefinitionVersionAtManagementGroup": { aliases: [], tags: false, location: false },
  "authorization:PolicyAssignment": { aliases: [], tags: false, location: true },
  "authorization:PolicyExemption": { aliases: [], tags: false, location: false },
  "policyinsights:RemediationAtManagementGroup": { aliases: [], tags: false, location: false },
  "policyinsights:RemediationAtSubscription": { aliases: [], tags: false, location: false },
  "policyinsights:RemediationAtResourceGroup": { aliases: [], tags: false, location: false },
  "policyinsights:RemediationAtResource": { aliases: [], tags: false, location: false },
  "authorization:PimRoleEligibilitySchedule": { aliases: [], tags: false, location: false },
  "managedidentity:FederatedIdentityCredential": { aliases: [], tags: false, location: false },
  "app:DaprComponent": { aliases: [], tags: false, location: false },
  "app:ManagedEnvironmentsStorage": { aliases: [], tags: false, location: false },
} as const satisfies Record<string, TypeInfo>;

/** A canonical azure-native type token known to the pack, e.g. `azure-native:storage:StorageAccount`. */
export type AzureType = `azure-native:${keyof typeof TYPES}`;

const PREFIX = "azure-native:";
/** `/v20230101`, `/v20240601preview`, `/v20210615privatepreview` after the module name. */
const VERSION = /\/v\d{8}[a-z]*(?=:)/;
/** `azure-native_<module>_<vYYYYMMDD[preview]>:` of a parameterized local package. */
const PARAMETERIZED = /^azure-native_[A-Za-z0-9]+_v\d{8}[a-z]*:/;
/** `azure:<module>/<member>:<Name>` of Pulumi Azure Classic. */
const CLASSIC = /^azure:[A-Za-z0-9]+\/[A-Za-z0-9]+:[A-Za-z0-9]+$/;

/** Unversioned alias or canonical short token -> canonical short token. */
const CANONICAL_BY_TOKEN: ReadonlyMap<string, string> = new Map(
  Object.entries(TYPES as Record<string, TypeInfo>).flatMap(([canonical, info]) => [
    [canonical, canonical] as const,
    ...info.aliases.map((alias) => [alias, canonical] as const),
  ]),
);

/** Which Pulumi package registered an Azure resource. */
export type AzurePackage = "azure-native" | "azure-classic";

/** What the pack reads from a type token. */
export interface ParsedType {
  package: AzurePackage;
  /**
   * One token per Azure resource type: `azure-native:<module>:<Name>` (aliases, API versions and
   * the parameterized package prefix resolved) or the classic token itself.
   */
  canonical: string;
  /** The canonical token when the pack knows the type (azure-native only). */
  known: AzureType | undefined;
}

/**
 * Parsed tokens by token: every policy parses the type of every resource, and an estate has few
 * distinct types (the 10,000-resource benchmark: ~45), so this stays small.
 */
const PARSED = new Map<string, ParsedType | null>();

function parse(token: string): ParsedType | null {
  if (CLASSIC.test(token)) return { package: "azure-classic", canonical: token, known: undefined };
  let rest: string;
  if (token.startsWith(PREFIX)) rest = token.slice(PREFIX.length);
  else if (PARAMETERIZED.test(token)) rest = token.slice(token.indexOf(":") + 1);
  else return null;
  const short = rest.replace(VERSION, "");
  const canonical = CANONICAL_BY_TOKEN.get(short);
  return canonical === undefined
    ? { package: "azure-native", canonical: `${PREFIX}${short}`, known: undefined }
    : {
        package: "azure-native",
        canonical: `${PREFIX}${canonical}`,
        known: `${PREFIX}${canonical}` as AzureType,
      };
}

/**
 * The Azure resource type behind any token form, or undefined for anything that is not an
 * Azure resource (components, `random`, providers, other clouds). Non-strings are not Azure.
 */
export function parseType(token: unknown): ParsedType | undefined {
  if (typeof token !== "string") return undefined;
  let parsed = PARSED.get(token);
  if (parsed === undefined) {
    parsed = parse(token);
    PARSED.set(token, parsed);
  }
  return parsed ?? undefined;
}

/**
 * The canonical token of a type token (canonical, alias, API-versioned or parameterized
 * package), or undefined when the pack does not know the type.
 */
export function canonicalType(token: unknown): AzureType | undefined {
  return parseType(token)?.known;
}

/** Whether `token` is one of `types` (given canonically), in any token form. */
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

/** `tags` of each known type, by canonical token. */
const TAGS_BY_CANONICAL: ReadonlyMap<string, boolean> = new Map(
  Object.entries(TYPES as Record<string, TypeInfo>).map(([short, info]) => [`${PREFIX}${short}`, info.tags]),
);

/** Whether the known type has a `tags` input. Unknown types: undefined. */
export function typeHasTags(token: unknown): boolean | undefined {
  const canonical = canonicalType(token);
  return canonical === undefined ? undefined : TAGS_BY_CANONICAL.get(canonical);
}

/** Whether a type token is an Azure resource: azure-native in any form, or Azure Classic. */
export function isAzureResource(token: unknown): boolean {
  return parseType(token) !== undefined;
}
