/**
 * The mutation catalog: every security-relevant setting of every resource type the platform
 * deploys (and the types a user might write instead), changed to an insecure value, removed, or
 * the resource that satisfies a stack policy taken away — each with the policy and control that
 * must block it. `SECURE_VARIATIONS` are changes that stay compliant and must not be blocked.
 *
 * Paths are dot-separated into a resource's inputs (and its outputs, which stack policies
 * read); numeric segments index arrays.
 */
import type { ControlId } from "../../policy/lib/types";
import { setPath as setJsonPath } from "../../lib/analyzer/paths";
import { UNKNOWN_SENTINEL } from "../../lib/analyzer/server";

export type Stack = "dev" | "prod";
export const DELETE = Symbol("delete");

/** A resource in the export (the fields the catalog touches). */
export interface ExportResource {
  urn: string;
  type: string;
  custom?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  protect?: boolean;
  parent?: string;
  provider?: string;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
}

export interface Mutation {
  id: string;
  /** Stacks whose preset must block it (default: both). */
  stacks?: Stack[];
  /** Resources to change or remove: by type, optionally narrowed. */
  type?: string;
  where?: (inputs: Record<string, unknown>, urn: string) => boolean;
  /**
   * Path -> new value (`DELETE` removes it; a function computes it from the plan); `push:<path>`
   * appends to an array.
   */
  set?: Record<string, unknown>;
  remove?: boolean;
  unprotect?: boolean;
  /**
   * Another type token for the matched resources (same inputs): the same Azure resource as a
   * parameterized local package or an API version registers it.
   */
  retype?: (type: string) => string;
  /**
   * Input -> type: the input's propertyDependencies become the first resource of that type (a
   * value computed in an apply from that resource), the resource's other dependencies kept (e.g.
   * a `dependsOn` on what the policy looks for).
   */
  computedFrom?: Record<string, string>;
  /** A resource a user might write by hand, added to the stack (next to `set` on `type`, if given). */
  add?: {
    type: string;
    name: string;
    inputs: (ctx: Context) => Record<string, unknown>;
    /** The package of the provider that handles it (default: the type's own, as the engine's default provider). */
    providerPackage?: string;
    /**
     * Its outputs, where the inputs with an ID (the default) are not what azure-native answers: no
     * ARM path parameter (a deployed resource), or PreviewOutputs (a create in a preview:
     * test/helpers/firstPreview.ts `createdOutputs`).
     */
    outputs?: (ctx: Context, inputs: Record<string, unknown>) => Record<string, unknown>;
  };
  /** The policy that must report a mandatory violation, and the control it cites. */
  policy: string;
  control: ControlId;
}

export interface Context {
  stack: Stack;
  subscription: string;
  resourceGroup: string;
  /** ARM ID of the first resource of a type. */
  idOf(type: string): string;
  /** Azure name of the first resource of a type. */
  nameOf(type: string): string;
}

export const T = {
  account: "azure-native:storage:StorageAccount",
  blob: "azure-native:storage:BlobServiceProperties",
  container: "azure-native:storage:BlobContainer",
  pg: "azure-native:dbforpostgresql:Server",
  pgConfig: "azure-native:dbforpostgresql:Configuration",
  pgFirewall: "azure-native:dbforpostgresql:FirewallRule",
  redis: "azure-native:redisenterprise:RedisEnterprise",
  redisDb: "azure-native:redisenterprise:Database",
  vault: "azure-native:keyvault:Vault",
  key: "azure-native:keyvault:Key",
  app: "azure-native:app:ContainerApp",
  job: "azure-native:app:Job",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  env: "azure-native:app:ManagedEnvironment",
  workspace: "azure-native:operationalinsights:Workspace",
  diag: "azure-native:monitor:DiagnosticSetting",
  alert: "azure-native:monitor:MetricAlert",
  actionGroup: "azure-native:monitor:ActionGroup",
  role: "azure-native:authorization:RoleAssignment",
  lock: "azure-native:authorization:ManagementLockByScope",
  nsg: "azure-native:network:NetworkSecurityGroup",
  subnet: "azure-native:network:Subnet",
  pe: "azure-native:network:PrivateEndpoint",
  pricing: "azure-native:security:Pricing",
  rg: "azure-native:resources:ResourceGroup",
} as const;

const ROLE = {
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  "Role Based Access Control Administrator": "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
};

const config = (name: string) => (i: Record<string, unknown>) => i.configurationName === name;
const named = (suffix: string) => (_: Record<string, unknown>, urn: string) => urn.endsWith(`::${suffix}`);
const scopedTo = (fragment: string) => (i: Record<string, unknown>) =>
  typeof i.resourceUri === "string" && i.resourceUri.toLowerCase().includes(fragment);
const workloadRole = (i: Record<string, unknown>) => i.principalType === "ServicePrincipal";
const humanRole = (i: Record<string, unknown>) => i.principalType === "Group";
const PROD: Stack[] = ["prod"];

/**
 * A preview's value of `input` computed in an apply from a random string (from nothing a policy
 * looks for), the resource's other dependencies kept (e.g. a `dependsOn` on the right resource):
 * `set` (default: the input itself not known yet) and `computedFrom`.
 */
export function computedElsewhere(
  input: string,
  set: Record<string, unknown> = { [input]: UNKNOWN_SENTINEL },
): Pick<Mutation, "set" | "computedFrom"> {
  return { set, computedFrom: { [input]: RANDOM_STRING } };
}

/** The type of the stacks' random strings: what a value computed from nothing a policy looks for depends on. */
export const RANDOM_STRING = "random:index/randomString:RandomString";

/** `setPath` with the catalog's `DELETE` marker for removal. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  setJsonPath(target, path, value === DELETE ? undefined : value);
}

const tagsFor = (c: Context, dataClassification: string) => ({
  environment: c.stack,
  owner: "platform-team",
  dataClassification,
});

/** A legacy Azure Cache for Redis, locked down except for `changes`. */
function legacyRedis(name: string, changes: Record<string, unknown>): NonNullable<Mutation["add"]> {
  return {
    type: "azure-native:redis:Redis",
    name,
    inputs: (c) => ({
      resourceGroupName: c.resourceGroup,
      location: "westeurope",
      name: `redis-${name}`,
      sku: { name: "Premium", family: "P", capacity: 1 },
      enableNonSslPort: false,
      minimumTlsVersion: "1.2",
      publicNetworkAccess: "Disabled",
      disableAccessKeyAuthentication: true,
      tags: tagsFor(c, "customer-confidential"),
      ...changes,
    }),
  };
}

/**
 * A Container Apps job written the way the platform's apps are (user-assigned identity, a Key
 * Vault reference to the stack's vault read through it, the secret consumed by secretRef),
 * then `changes` applied by path.
 */
export function job(name: string, changes: Record<string, unknown> = {}): NonNullable<Mutation["add"]> {
  return {
    type: T.job,
    name,
    inputs: (c) => {
      const identity = c.idOf(T.identity);
      const inputs: Record<string, unknown> = {
        resourceGroupName: c.resourceGroup,
        location: "westeurope",
        jobName: `job-${name}`,
        environmentId: c.idOf(T.env),
        identity: { type: "UserAssigned", userAssignedIdentities: [identity] },
        configuration: {
          triggerType: "Schedule",
          scheduleTriggerConfig: { cronExpression: "0 2 * * *", parallelism: 1, replicaCompletionCount: 1 },
          replicaTimeout: 1800,
          registries: [],
          secrets: [
            {
              name: "export-key",
              keyVaultUrl: `https://${c.nameOf(T.vault)}.vault.azure.net/secrets/export-key`,
              identity,
            },
          ],
        },
        template: {
          containers: [
            {
              name: "export",
              image: "mcr.microsoft.com/k8se/quickstart:latest",
              env: [
                { name: "LOG_LEVEL", value: "info" },
                { name: "EXPORT_KEY", secretRef: "export-key" },
              ],
            },
          ],
        },
        tags: tagsFor(c, "confidential"),
      };
      for (const [path, value] of Object.entries(changes)) setPath(inputs, path, value);
      return inputs;
    },
  };
}

export const MUTATIONS: Mutation[] = [
  // Storage account (TLS-1, IAM-1, NET-1, ENC-1/2, BAK-1, AVL-1, RES-1, CLS-1)
  {
    id: "storage TLS 1.0",
    type: T.account,
    set: { minimumTlsVersion: "TLS1_0" },
    policy: "storage-account-tls",
    control: "TLS-1",
  },
  {
    id: "storage minimum TLS removed (Azure default 1.0)",
    type: T.account,
    set: { minimumTlsVersion: DELETE },
    policy: "storage-account-tls",
    control: "TLS-1",
  },
  {
    id: "storage HTTP allowed",
    type: T.account,
    set: { enableHttpsTrafficOnly: false },
    policy: "storage-account-tls",
    control: "TLS-1",
  },
  {
    id: "storage shared keys on",
    type: T.account,
    set: { allowSharedKeyAccess: true },
    policy: "storage-account-entra-only-auth",
    control: "IAM-1",
  },
  {
    id: "storage shared keys unset (Azure default on)",
    type: T.account,
    set: { allowSharedKeyAccess: DELETE },
    policy: "storage-account-entra-only-auth",
    control: "IAM-1",
  },
  {
    id: "storage local users on",
    type: T.account,
    set: { isLocalUserEnabled: true },
    policy: "storage-account-entra-only-auth",
    control: "IAM-1",
  },
  {
    id: "storage anonymous blob access",
    type: T.account,
    set: { allowBlobPublicAccess: true },
    policy: "storage-account-no-public-blob-access",
    control: "NET-1",
  },
  {
    id: "storage cross-tenant replication",
    type: T.account,
    set: { allowCrossTenantReplication: true },
    policy: "storage-account-no-cross-tenant-replication",
    control: "RES-1",
  },
  {
    id: "storage infrastructure encryption off",
    type: T.account,
    set: { "encryption.requireInfrastructureEncryption": false },
    policy: "storage-account-infrastructure-encryption",
    control: "ENC-1",
  },
  {
    id: "storage platform-managed keys",
    stacks: PROD,
    type: T.account,
    set: { "encryption.keySource": "Microsoft.Storage", "encryption.keyVaultProperties": DELETE },
    policy: "storage-account-customer-managed-key",
    control: "ENC-2",
  },
  {
    id: "storage public network access",
    type: T.account,
    set: { publicNetworkAccess: "Enabled" },
    policy: "storage-account-private-access",
    control: "NET-1",
  },
  {
    id: "storage firewall default allow",
    type: T.account,
    set: { "networkRuleSet.defaultAction": "Allow" },
    policy: "storage-account-private-access",
    control: "NET-1",
  },
  {
    id: "storage locally redundant",
    type: T.account,
    set: { "sku.name": "Standard_LRS" },
    policy: "storage-account-geo-redundant",
    control: "BAK-1",
  },
  {
    id: "storage geo without zones in prod",
    stacks: PROD,
    type: T.account,
    set: { "sku.name": "Standard_GRS" },
    policy: "storage-account-geo-redundant",
    control: "AVL-1",
  },
  {
    id: "storage outside the EU",
    type: T.account,
    set: { location: "eastus" },
    policy: "allowed-locations",
    control: "RES-1",
  },
  {
    id: "storage geo pair outside the allowed regions",
    type: T.account,
    set: { location: "italynorth" },
    policy: "geo-replica-locations",
    control: "RES-1",
  },
  {
    id: "storage classified internal",
    type: T.account,
    set: { "tags.dataClassification": "internal" },
    policy: "customer-data-classification",
    control: "CLS-1",
  },
  {
    id: "storage without owner tag",
    type: T.account,
    set: { "tags.owner": DELETE },
    policy: "required-tags",
    control: "CLS-1",
  },

  {
    id: "storage SFTP on",
    type: T.account,
    set: { isSftpEnabled: true },
    policy: "storage-account-entra-only-auth",
    control: "IAM-1",
  },
  {
    id: "storage portal defaults to shared keys",
    type: T.account,
    set: { defaultToOAuthAuthentication: false },
    policy: "storage-account-entra-only-auth",
    control: "IAM-1",
  },
  {
    id: "storage local users unset (Azure default on)",
    type: T.account,
    set: { isLocalUserEnabled: DELETE },
    policy: "storage-account-entra-only-auth",
    control: "IAM-1",
  },
  {
    id: "storage anonymous access unset",
    type: T.account,
    set: { allowBlobPublicAccess: DELETE },
    policy: "storage-account-no-public-blob-access",
    control: "NET-1",
  },
  {
    id: "storage public network access unset (Azure default Enabled)",
    type: T.account,
    set: { publicNetworkAccess: DELETE },
    policy: "storage-account-private-access",
    control: "NET-1",
  },
  {
    id: "storage firewall removed (Azure default Allow)",
    type: T.account,
    set: { networkRuleSet: DELETE },
    policy: "storage-account-private-access",
    control: "NET-1",
  },
  {
    id: "storage infrastructure encryption unset",
    type: T.account,
    set: { "encryption.requireInfrastructureEncryption": DELETE },
    policy: "storage-account-infrastructure-encryption",
    control: "ENC-1",
  },
  {
    id: "storage CMK without its user-assigned identity",
    stacks: PROD,
    type: T.account,
    set: { "encryption.encryptionIdentity": DELETE },
    policy: "storage-account-customer-managed-key",
    control: "ENC-2",
  },
  {
    id: "storage CMK key held in a vault outside the stack",
    stacks: PROD,
    type: T.account,
    set: { "encryption.keyVaultProperties.keyVaultUri": "https://kv-someone-else.vault.azure.net/" },
    policy: "customer-managed-keys-rotate",
    control: "KEY-1",
  },
  {
    id: "storage zone-redundant only (no geo copy)",
    type: T.account,
    set: { "sku.name": "Standard_ZRS" },
    policy: "storage-account-geo-redundant",
    control: "BAK-1",
  },
  {
    id: "storage premium locally redundant",
    type: T.account,
    set: { "sku.name": "Premium_LRS" },
    policy: "storage-account-geo-redundant",
    control: "BAK-1",
  },
  {
    id: "storage read-access geo without zones in prod",
    stacks: PROD,
    type: T.account,
    set: { "sku.name": "Standard_RAGRS" },
    policy: "storage-account-geo-redundant",
    control: "AVL-1",
  },
  {
    id: "storage in Switzerland (Europe, not EU)",
    type: T.account,
    set: { location: "switzerlandnorth" },
    policy: "allowed-locations",
    control: "RES-1",
  },
  {
    id: "storage classification outside the four classes",
    type: T.account,
    set: { "tags.dataClassification": "secret" },
    policy: "required-tags",
    control: "CLS-1",
  },
  {
    id: "storage without any tags",
    type: T.account,
    set: { tags: DELETE },
    policy: "required-tags",
    control: "CLS-1",
  },
  {
    id: "storage account diagnostic setting removed",
    type: T.diag,
    where: (i) => /\/storageaccounts\/[^/]+$/i.test(String(i.resourceUri)),
    remove: true,
    policy: "diagnostics-coverage",
    control: "LOG-1",
  },
  {
    id: "blob service diagnostic setting removed",
    type: T.diag,
    where: scopedTo("/blobservices/"),
    remove: true,
    policy: "diagnostics-coverage",
    control: "LOG-1",
  },

  // Blob service and containers (BAK-1, NET-1)
  {
    id: "blob soft delete 7 days",
    type: T.blob,
    set: { "deleteRetentionPolicy.days": 7 },
    policy: "blob-service-soft-delete",
    control: "BAK-1",
  },
  {
    id: "blob soft delete off",
    type: T.blob,
    set: { "deleteRetentionPolicy.enabled": false },
    policy: "blob-service-soft-delete",
    control: "BAK-1",
  },
  {
    id: "container soft delete removed",
    type: T.blob,
    set: { containerDeleteRetentionPolicy: DELETE },
    policy: "blob-service-soft-delete",
    control: "BAK-1",
  },
  {
    id: "blob versioning off",
    type: T.blob,
    set: { isVersioningEnabled: false },
    policy: "blob-service-versioning",
    control: "BAK-1",
  },
  {
    id: "blob point-in-time restore off",
    type: T.blob,
    set: { "restorePolicy.enabled": false },
    policy: "blob-service-point-in-time-restore",
    control: "BAK-1",
  },
  {
    id: "blob change feed off",
    type: T.blob,
    set: { "changeFeed.enabled": false },
    policy: "blob-service-versioning",
    control: "BAK-1",
  },
  {
    id: "container public blobs",
    type: T.container,
    set: { publicAccess: "Blob" },
    policy: "blob-container-private",
    control: "NET-1",
  },
  {
    id: "container public listing",
    type: T.container,
    set: { publicAccess: "Container" },
    policy: "blob-container-private",
    control: "NET-1",
  },

  {
    id: "blob soft delete removed",
    type: T.blob,
    set: { deleteRetentionPolicy: DELETE },
    policy: "blob-service-soft-delete",
    control: "BAK-1",
  },
  {
    id: "container soft delete 7 days",
    type: T.blob,
    set: { "containerDeleteRetentionPolicy.days": 7 },
    policy: "blob-service-soft-delete",
    control: "BAK-1",
  },
  {
    id: "container soft delete off",
    type: T.blob,
    set: { "containerDeleteRetentionPolicy.enabled": false },
    policy: "blob-service-soft-delete",
    control: "BAK-1",
  },
  {
    id: "soft-deleted blobs purgeable",
    type: T.blob,
    set: { "deleteRetentionPolicy.allowPermanentDelete": true },
    policy: "blob-service-soft-delete",
    control: "BAK-1",
  },
  {
    id: "blob point-in-time restore removed",
    type: T.blob,
    set: { restorePolicy: DELETE },
    policy: "blob-service-point-in-time-restore",
    control: "BAK-1",
  },
  {
    id: "restore window not shorter than soft delete",
    type: T.blob,
    set: { "restorePolicy.days": 60 },
    policy: "blob-service-point-in-time-restore",
    control: "BAK-1",
  },

  // PostgreSQL server, parameters, firewall (IAM-1, BAK-1, AVL-1, NET-1, ENC-2, TLS-1, LOG-1)
  {
    id: "postgres password auth on",
    type: T.pg,
    set: { "authConfig.passwordAuth": "Enabled" },
    policy: "postgres-entra-auth-only",
    control: "IAM-1",
  },
  {
    id: "postgres Entra auth off",
    type: T.pg,
    set: { "authConfig.activeDirectoryAuth": "Disabled" },
    policy: "postgres-entra-auth-only",
    control: "IAM-1",
  },
  {
    id: "postgres authConfig removed (Azure default: passwords)",
    type: T.pg,
    set: { authConfig: DELETE },
    policy: "postgres-entra-auth-only",
    control: "IAM-1",
  },
  {
    id: "postgres backups 7 days",
    type: T.pg,
    set: { "backup.backupRetentionDays": 7 },
    policy: "postgres-backup-retention",
    control: "BAK-1",
  },
  {
    id: "postgres geo backup off",
    type: T.pg,
    set: { "backup.geoRedundantBackup": "Disabled" },
    policy: "postgres-geo-redundant-backup",
    control: "BAK-1",
  },
  {
    id: "postgres without HA in prod",
    stacks: PROD,
    type: T.pg,
    set: { "highAvailability.mode": "Disabled" },
    policy: "postgres-zone-redundant-ha",
    control: "AVL-1",
  },
  {
    id: "postgres same-zone HA in prod",
    stacks: PROD,
    type: T.pg,
    set: { "highAvailability.mode": "SameZone" },
    policy: "postgres-zone-redundant-ha",
    control: "AVL-1",
  },
  {
    id: "postgres public network access",
    type: T.pg,
    set: { "network.publicNetworkAccess": "Enabled" },
    policy: "postgres-private-access",
    control: "NET-1",
  },
  {
    id: "postgres platform-managed keys",
    stacks: PROD,
    type: T.pg,
    set: { dataEncryption: { type: "SystemManaged" } },
    policy: "postgres-customer-managed-key",
    control: "ENC-2",
  },
  {
    id: "postgres geo backup without its key",
    stacks: PROD,
    type: T.pg,
    set: { "dataEncryption.geoBackupKeyURI": DELETE },
    policy: "postgres-customer-managed-key",
    control: "ENC-2",
  },
  {
    id: "postgres outside the EU",
    type: T.pg,
    set: { location: "eastus" },
    policy: "allowed-locations",
    control: "RES-1",
  },
  {
    id: "postgres TLS not required",
    type: T.pgConfig,
    where: config("require_secure_transport"),
    set: { value: "off" },
    policy: "postgres-configuration-tls",
    control: "TLS-1",
  },
  {
    id: "postgres TLS floor 1.2",
    type: T.pgConfig,
    where: config("ssl_min_protocol_version"),
    set: { value: "TLSv1.2" },
    policy: "postgres-configuration-tls",
    control: "TLS-1",
  },
  {
    id: "postgres TLS floor parameter removed",
    type: T.pgConfig,
    where: config("ssl_min_protocol_version"),
    remove: true,
    policy: "postgres-server-parameters",
    control: "TLS-1",
  },
  {
    id: "postgres connection logging off",
    type: T.pgConfig,
    where: config("log_connections"),
    set: { value: "off" },
    policy: "postgres-configuration-connection-logging",
    control: "LOG-1",
  },
  {
    id: "postgres disconnection logging off",
    type: T.pgConfig,
    where: config("log_disconnections"),
    set: { value: "off" },
    policy: "postgres-configuration-connection-logging",
    control: "LOG-1",
  },
  {
    id: "postgres connection logging parameter removed",
    type: T.pgConfig,
    where: config("log_connections"),
    remove: true,
    policy: "postgres-server-parameters",
    control: "LOG-1",
  },
  {
    id: "postgres firewall open to the world",
    add: {
      type: T.pgFirewall,
      name: "open",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        serverName: c.nameOf(T.pg),
        firewallRuleName: "open",
        startIpAddress: "0.0.0.0",
        endIpAddress: "255.255.255.255",
      }),
    },
    policy: "postgres-firewall-no-open-range",
    control: "NET-1",
  },
  {
    id: "postgres firewall allowing all Azure",
    add: {
      type: T.pgFirewall,
      name: "azure",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        serverName: c.nameOf(T.pg),
        firewallRuleName: "AllowAllAzureServicesAndResourcesWithinAzureIps",
        startIpAddress: "0.0.0.0",
        endIpAddress: "0.0.0.0",
      }),
    },
    policy: "postgres-firewall-no-open-range",
    control: "NET-1",
  },
  {
    id: "postgres firewall rule for one office IP",
    add: {
      type: T.pgFirewall,
      name: "office",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        serverName: c.nameOf(T.pg),
        firewallRuleName: "office",
        startIpAddress: "203.0.113.10",
        endIpAddress: "203.0.113.10",
      }),
    },
    policy: "postgres-firewall-no-rules",
    control: "NET-1",
  },

  {
    id: "postgres backup retention unset (Azure default 7)",
    type: T.pg,
    set: { "backup.backupRetentionDays": DELETE },
    policy: "postgres-backup-retention",
    control: "BAK-1",
  },
  {
    id: "postgres geo backup unset (Azure default off)",
    type: T.pg,
    set: { "backup.geoRedundantBackup": DELETE },
    policy: "postgres-geo-redundant-backup",
    control: "BAK-1",
  },
  {
    id: "postgres public access unset without VNet integration",
    type: T.pg,
    set: { "network.publicNetworkAccess": DELETE },
    policy: "postgres-private-access",
    control: "NET-1",
  },
  {
    id: "postgres HA removed in prod",
    stacks: PROD,
    type: T.pg,
    set: { highAvailability: DELETE },
    policy: "postgres-zone-redundant-ha",
    control: "AVL-1",
  },
  {
    id: "postgres data encryption removed in prod",
    stacks: PROD,
    type: T.pg,
    set: { dataEncryption: DELETE },
    policy: "postgres-customer-managed-key",
    control: "ENC-2",
  },
  {
    id: "postgres CMK without its identity",
    stacks: PROD,
    type: T.pg,
    set: { "dataEncryption.primaryUserAssignedIdentityId": DELETE },
    policy: "postgres-customer-managed-key",
    control: "ENC-2",
  },
  {
    id: "postgres geo backup without its identity",
    stacks: PROD,
    type: T.pg,
    set: { "dataEncryption.geoBackupUserAssignedIdentityId": DELETE },
    policy: "postgres-customer-managed-key",
    control: "ENC-2",
  },
  {
    id: "postgres CMK key held outside the stack",
    stacks: PROD,
    type: T.pg,
    set: { "dataEncryption.primaryKeyURI": "https://kv-elsewhere.vault.azure.net/keys/pg" },
    policy: "customer-managed-keys-rotate",
    control: "KEY-1",
  },
  {
    id: "postgres password administrator",
    type: T.pg,
    set: { administratorLogin: "pgadmin", administratorLoginPassword: "[secret]" },
    policy: "postgres-entra-auth-only",
    control: "IAM-1",
  },
  {
    id: "postgres geo backup paired outside the allowed regions",
    type: T.pg,
    set: { location: "italynorth" },
    policy: "geo-replica-locations",
    control: "RES-1",
  },
  {
    id: "postgres classified confidential instead of customer-confidential",
    type: T.pg,
    set: { "tags.dataClassification": "confidential" },
    policy: "customer-data-classification",
    control: "CLS-1",
  },
  {
    id: "postgres private endpoint removed",
    type: T.pe,
    where: (i) => JSON.stringify(i).includes("flexibleServers"),
    remove: true,
    policy: "data-store-private-connectivity",
    control: "NET-1",
  },
  {
    id: "postgres read replica outside the EU",
    add: {
      type: T.pg,
      name: "replica",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        serverName: "psql-replica-us",
        location: "eastus",
        createMode: "Replica",
        sourceServerResourceId: c.idOf(T.pg),
        tags: tagsFor(c, "customer-confidential"),
      }),
    },
    policy: "allowed-locations",
    control: "RES-1",
  },
  {
    id: "postgres TLS floor 1.1",
    type: T.pgConfig,
    where: config("ssl_min_protocol_version"),
    set: { value: "TLSv1.1" },
    policy: "postgres-configuration-tls",
    control: "TLS-1",
  },
  {
    id: "postgres TLS not required (OFF in capitals)",
    type: T.pgConfig,
    where: config("require_secure_transport"),
    set: { value: "OFF" },
    policy: "postgres-configuration-tls",
    control: "TLS-1",
  },
  {
    id: "postgres TLS ceiling below the floor",
    add: {
      type: T.pgConfig,
      name: "ssl-max",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        serverName: c.nameOf(T.pg),
        configurationName: "ssl_max_protocol_version",
        value: "TLSv1.2",
        source: "user-override",
      }),
    },
    policy: "postgres-configuration-tls",
    control: "TLS-1",
  },
  {
    id: "postgres disconnection logging parameter removed",
    type: T.pgConfig,
    where: config("log_disconnections"),
    remove: true,
    policy: "postgres-server-parameters",
    control: "LOG-1",
  },
  {
    id: "postgres diagnostic setting without logs",
    type: T.diag,
    where: scopedTo("/flexibleservers/"),
    set: { logs: [] },
    policy: "diagnostic-setting-to-workspace",
    control: "LOG-1",
  },
  {
    id: "postgres Entra administrator is a single user",
    type: "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra",
    set: { principalType: "User" },
    policy: "postgres-entra-admin-group",
    control: "IAM-2",
  },
  {
    id: "postgres Entra administrator is a workload",
    type: "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra",
    set: { principalType: "ServicePrincipal" },
    policy: "postgres-entra-admin-group",
    control: "IAM-2",
  },

  // Managed Redis and legacy Azure Cache for Redis (TLS-1, NET-1, AVL-1, ENC-2, IAM-1, BAK-1)
  {
    id: "redis TLS 1.0",
    type: T.redis,
    set: { minimumTlsVersion: "1.0" },
    policy: "redis-enterprise-tls",
    control: "TLS-1",
  },
  {
    id: "redis public network access",
    type: T.redis,
    set: { publicNetworkAccess: "Enabled" },
    policy: "redis-enterprise-private-access",
    control: "NET-1",
  },
  {
    id: "redis without HA in prod",
    stacks: PROD,
    type: T.redis,
    set: { highAvailability: "Disabled" },
    policy: "redis-enterprise-high-availability",
    control: "AVL-1",
  },
  {
    id: "redis without CMK in prod",
    stacks: PROD,
    type: T.redis,
    set: { encryption: DELETE },
    policy: "redis-enterprise-customer-managed-key",
    control: "ENC-2",
  },
  {
    id: "redis database plaintext",
    type: T.redisDb,
    set: { clientProtocol: "Plaintext" },
    policy: "redis-database-tls",
    control: "TLS-1",
  },
  {
    id: "redis database access keys on",
    type: T.redisDb,
    set: { accessKeysAuthentication: "Enabled" },
    policy: "redis-database-no-access-keys",
    control: "IAM-1",
  },
  {
    id: "redis database access keys unset",
    type: T.redisDb,
    set: { accessKeysAuthentication: DELETE },
    policy: "redis-database-no-access-keys",
    control: "IAM-1",
  },
  {
    id: "redis persistence off in prod",
    stacks: PROD,
    type: T.redisDb,
    set: { persistence: DELETE },
    policy: "redis-database-persistence",
    control: "BAK-1",
  },
  {
    id: "legacy Azure Cache for Redis with the non-TLS port",
    add: {
      type: "azure-native:redis:Redis",
      name: "legacy",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        location: "westeurope",
        name: "legacy",
        sku: { name: "Premium", family: "P", capacity: 1 },
        enableNonSslPort: true,
        minimumTlsVersion: "1.2",
        publicNetworkAccess: "Disabled",
        disableAccessKeyAuthentication: true,
        tags: { environment: c.stack, owner: "team", dataClassification: "customer-confidential" },
      }),
    },
    policy: "redis-cache-secure",
    control: "TLS-1",
  },
  {
    id: "legacy Azure Cache for Redis through the old cache:Redis alias",
    add: {
      type: "azure-native:cache:Redis",
      name: "legacy-alias",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        location: "westeurope",
        name: "legacy2",
        sku: { name: "Basic", family: "C", capacity: 0 },
        tags: { environment: c.stack, owner: "team", dataClassification: "customer-confidential" },
      }),
    },
    policy: "redis-cache-secure",
    control: "TLS-1",
  },

  {
    id: "legacy Azure Cache for Redis at all, even configured securely",
    add: {
      type: "azure-native:redis:Redis",
      name: "legacy-secure",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        location: "westeurope",
        name: "legacy3",
        sku: { name: "Premium", family: "P", capacity: 1 },
        enableNonSslPort: false,
        minimumTlsVersion: "1.2",
        publicNetworkAccess: "Disabled",
        disableAccessKeyAuthentication: true,
        tags: { environment: c.stack, owner: "team", dataClassification: "customer-confidential" },
      }),
    },
    policy: "redis-cache-legacy",
    control: "IAM-1",
  },

  {
    id: "redis minimum TLS unset",
    type: T.redis,
    set: { minimumTlsVersion: DELETE },
    policy: "redis-enterprise-tls",
    control: "TLS-1",
  },
  {
    id: "redis public network access unset",
    type: T.redis,
    set: { publicNetworkAccess: DELETE },
    policy: "redis-enterprise-private-access",
    control: "NET-1",
  },
  {
    id: "redis HA unset in prod",
    stacks: PROD,
    type: T.redis,
    set: { highAvailability: DELETE },
    policy: "redis-enterprise-high-availability",
    control: "AVL-1",
  },
  {
    id: "redis CMK through a system-assigned identity",
    stacks: PROD,
    type: T.redis,
    set: {
      "encryption.customerManagedKeyEncryption.keyEncryptionKeyIdentity.identityType":
        "systemAssignedIdentity",
    },
    policy: "redis-enterprise-customer-managed-key",
    control: "ENC-2",
  },
  {
    id: "redis CMK key held outside the stack",
    stacks: PROD,
    type: T.redis,
    set: {
      "encryption.customerManagedKeyEncryption.keyEncryptionKeyUrl":
        "https://kv-other.vault.azure.net/keys/k/1",
    },
    policy: "customer-managed-keys-rotate",
    control: "KEY-1",
  },
  {
    id: "redis outside the EU",
    type: T.redis,
    set: { location: "eastus" },
    policy: "allowed-locations",
    control: "RES-1",
  },
  {
    id: "redis classified internal",
    type: T.redis,
    set: { "tags.dataClassification": "internal" },
    policy: "customer-data-classification",
    control: "CLS-1",
  },
  {
    id: "redis cluster diagnostic setting removed",
    type: T.diag,
    where: (i) => /\/redisenterprise\/[^/]+$/i.test(String(i.resourceUri)),
    remove: true,
    policy: "diagnostics-coverage",
    control: "LOG-1",
  },
  {
    id: "Redis database diagnostic setting removed (its connection audit logs)",
    type: T.diag,
    where: scopedTo("/databases/"),
    remove: true,
    policy: "diagnostics-coverage",
    control: "LOG-1",
  },
  {
    id: "redis database client protocol unset",
    type: T.redisDb,
    set: { clientProtocol: DELETE },
    policy: "redis-database-tls",
    control: "TLS-1",
  },
  {
    id: "redis append-only file off in prod",
    stacks: PROD,
    type: T.redisDb,
    set: { "persistence.aofEnabled": false },
    policy: "redis-database-persistence",
    control: "BAK-1",
  },
  {
    id: "legacy Azure Cache for Redis with access keys",
    add: legacyRedis("legacy-keys", { disableAccessKeyAuthentication: false }),
    policy: "redis-cache-secure",
    control: "IAM-1",
  },
  {
    id: "legacy Azure Cache for Redis open to the internet",
    add: legacyRedis("legacy-public", { publicNetworkAccess: "Enabled" }),
    policy: "redis-cache-secure",
    control: "NET-1",
  },
  {
    id: "legacy Azure Cache for Redis accepting TLS 1.0",
    add: legacyRedis("legacy-tls", { minimumTlsVersion: "1.0" }),
    policy: "redis-cache-secure",
    control: "TLS-1",
  },
  {
    id: "legacy Azure Cache for Redis without a private endpoint",
    add: legacyRedis("legacy-no-pe", {}),
    policy: "data-store-private-connectivity",
    control: "NET-1",
  },

  // Key Vault, keys, secrets (KEY-1, NET-1, ENC-2, SEC-1)
  {
    id: "vault access policies instead of RBAC",
    type: T.vault,
    set: { "properties.enableRbacAuthorization": false },
    policy: "key-vault-rbac-authorization",
    control: "KEY-1",
  },
  {
    id: "vault purge protection off",
    type: T.vault,
    set: { "properties.enablePurgeProtection": false },
    policy: "key-vault-deletion-protection",
    control: "KEY-1",
  },
  {
    id: "vault soft delete 7 days",
    type: T.vault,
    set: { "properties.softDeleteRetentionInDays": 7 },
    policy: "key-vault-deletion-protection",
    control: "KEY-1",
  },
  {
    id: "vault public network access",
    type: T.vault,
    set: { "properties.publicNetworkAccess": "Enabled" },
    policy: "key-vault-private-access",
    control: "NET-1",
  },
  {
    id: "vault firewall default allow",
    type: T.vault,
    set: { "properties.networkAcls.defaultAction": "Allow" },
    policy: "key-vault-private-access",
    control: "NET-1",
  },
  {
    id: "vault open to VM deployment",
    type: T.vault,
    set: { "properties.enabledForDeployment": true },
    policy: "key-vault-no-platform-access",
    control: "KEY-1",
  },
  {
    id: "vault open to ARM templates",
    type: T.vault,
    set: { "properties.enabledForTemplateDeployment": true },
    policy: "key-vault-no-platform-access",
    control: "KEY-1",
  },
  {
    id: "vault open to disk encryption",
    type: T.vault,
    set: { "properties.enabledForDiskEncryption": true },
    policy: "key-vault-no-platform-access",
    control: "KEY-1",
  },
  {
    id: "vault standard SKU in prod",
    stacks: PROD,
    type: T.vault,
    set: { "properties.sku.name": "standard" },
    policy: "key-vault-premium-sku",
    control: "ENC-2",
  },
  {
    id: "vault outside the EU",
    type: T.vault,
    set: { location: "westus" },
    policy: "allowed-locations",
    control: "RES-1",
  },
  {
    id: "key RSA 2048",
    stacks: PROD,
    type: T.key,
    set: { "properties.keySize": 2048 },
    policy: "key-vault-key-strength",
    control: "ENC-2",
  },
  {
    id: "key software-protected in prod",
    stacks: PROD,
    type: T.key,
    set: { "properties.kty": "RSA" },
    policy: "key-vault-key-strength",
    control: "ENC-2",
  },
  {
    id: "key without rotation policy",
    stacks: PROD,
    type: T.key,
    set: { "properties.rotationPolicy": DELETE },
    policy: "key-vault-key-rotation",
    control: "KEY-1",
  },
  {
    id: "key rotated every 400 days",
    stacks: PROD,
    type: T.key,
    set: { "properties.rotationPolicy.lifetimeActions.0.trigger.timeAfterCreate": "P400D" },
    policy: "key-vault-key-rotation",
    control: "KEY-1",
  },
  {
    id: "key whose first version never expires",
    stacks: PROD,
    type: T.key,
    set: { "properties.attributes.expires": DELETE },
    policy: "key-vault-key-expiry",
    control: "KEY-1",
  },
  {
    id: "key without expiry",
    stacks: PROD,
    type: T.key,
    set: { "properties.rotationPolicy.attributes.expiryTime": DELETE },
    policy: "key-vault-key-expiry",
    control: "KEY-1",
  },
  {
    id: "secret without expiry",
    add: {
      type: "azure-native:keyvault:Secret",
      name: "handwritten-secret",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        vaultName: c.nameOf(T.vault),
        secretName: "api-key",
        properties: { value: "not-a-real-secret" },
        tags: { environment: c.stack, owner: "team", dataClassification: "confidential" },
      }),
    },
    policy: "key-vault-secret-hygiene",
    control: "KEY-1",
  },

  {
    id: "vault soft delete off",
    type: T.vault,
    set: { "properties.enableSoftDelete": false },
    policy: "key-vault-deletion-protection",
    control: "KEY-1",
  },
  {
    id: "vault purge protection unset (Azure default off)",
    type: T.vault,
    set: { "properties.enablePurgeProtection": DELETE },
    policy: "key-vault-deletion-protection",
    control: "KEY-1",
  },
  {
    id: "vault RBAC unset",
    type: T.vault,
    set: { "properties.enableRbacAuthorization": DELETE },
    policy: "key-vault-rbac-authorization",
    control: "KEY-1",
  },
  {
    id: "vault access policy added",
    type: T.vault,
    set: {
      "push:properties.accessPolicies": {
        tenantId: "00000000-0000-4000-8000-0000000000a1",
        objectId: "11111111-1111-4111-8111-111111111111",
        permissions: { secrets: ["get", "list"] },
      },
    },
    policy: "key-vault-rbac-authorization",
    control: "KEY-1",
  },
  {
    id: "vault public network access unset (Azure default Enabled)",
    type: T.vault,
    set: { "properties.publicNetworkAccess": DELETE },
    policy: "key-vault-private-access",
    control: "NET-1",
  },
  {
    id: "vault firewall removed",
    type: T.vault,
    set: { "properties.networkAcls": DELETE },
    policy: "key-vault-private-access",
    control: "NET-1",
  },
  {
    id: "vault firewall lets no trusted service through",
    type: T.vault,
    set: { "properties.networkAcls.bypass": "None" },
    policy: "key-vault-private-access",
    control: "NET-1",
  },
  {
    id: "vault audit log category disabled",
    type: T.diag,
    where: scopedTo("/vaults/"),
    set: { "logs.0.enabled": false },
    policy: "diagnostic-setting-to-workspace",
    control: "LOG-1",
  },
  {
    id: "vault logs sent to a workspace outside the stack",
    type: T.diag,
    where: scopedTo("/vaults/"),
    set: {
      workspaceId:
        "/subscriptions/99999999-0000-4000-8000-000000000001/resourceGroups/rg-other/providers/Microsoft.OperationalInsights/workspaces/law-other",
    },
    policy: "diagnostics-coverage",
    control: "LOG-1",
  },
  {
    id: "Key Vault diagnostic setting without its audit events",
    type: T.diag,
    where: scopedTo("/vaults/"),
    set: { logs: [{ category: "AzurePolicyEvaluationDetails", enabled: true }] },
    policy: "diagnostic-setting-to-workspace",
    control: "LOG-1",
  },
  {
    id: "blob service diagnostic setting with reads only",
    type: T.diag,
    where: scopedTo("/blobservices/"),
    set: { logs: [{ category: "StorageRead", enabled: true }] },
    policy: "diagnostic-setting-to-workspace",
    control: "LOG-1",
  },
  {
    id: "key as elliptic curve",
    stacks: PROD,
    type: T.key,
    set: { "properties.kty": "EC-HSM", "properties.curveName": "P-384", "properties.keySize": DELETE },
    policy: "key-vault-key-strength",
    control: "ENC-2",
  },
  {
    id: "key size unset (Azure default 2048)",
    stacks: PROD,
    type: T.key,
    set: { "properties.keySize": DELETE },
    policy: "key-vault-key-strength",
    control: "ENC-2",
  },
  {
    id: "key rotation policy that only notifies",
    stacks: PROD,
    type: T.key,
    set: {
      "properties.rotationPolicy.lifetimeActions": [
        { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } },
      ],
    },
    policy: "key-vault-key-rotation",
    control: "KEY-1",
  },
  {
    id: "key rotated 30 days before a 3-year expiry",
    stacks: PROD,
    type: T.key,
    set: {
      "properties.rotationPolicy.attributes.expiryTime": "P3Y",
      "properties.rotationPolicy.lifetimeActions": [
        { action: { type: "rotate" }, trigger: { timeBeforeExpiry: "P30D" } },
      ],
    },
    policy: "key-vault-key-rotation",
    control: "KEY-1",
  },
  {
    id: "handwritten key without rotation policy",
    add: {
      type: T.key,
      name: "handwritten-key",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        vaultName: c.nameOf(T.vault),
        keyName: "key-handwritten",
        properties: { kty: "RSA-HSM", keySize: 3072, attributes: { expires: 1900000000 } },
        tags: tagsFor(c, "confidential"),
      }),
    },
    policy: "key-vault-key-rotation",
    control: "KEY-1",
  },
  {
    id: "handwritten RSA 2048 key",
    add: {
      type: T.key,
      name: "weak-key",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        vaultName: c.nameOf(T.vault),
        keyName: "key-weak",
        properties: { kty: "RSA", keySize: 2048 },
        tags: tagsFor(c, "confidential"),
      }),
    },
    policy: "key-vault-key-strength",
    control: "ENC-2",
  },
  {
    id: "secret without content type",
    add: {
      type: "azure-native:keyvault:Secret",
      name: "untyped-secret",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        vaultName: c.nameOf(T.vault),
        secretName: "partner-token",
        properties: { value: "[secret]", attributes: { expires: 1900000000 } },
        tags: tagsFor(c, "confidential"),
      }),
    },
    policy: "key-vault-secret-hygiene",
    control: "SEC-1",
  },

  // Container apps and environments (TLS-1, NET-2, AVL-1, IAM-1, SEC-1, NET-1, LOG-1)
  {
    id: "app allows HTTP",
    type: T.app,
    set: { "configuration.ingress.allowInsecure": true },
    policy: "container-app-https-only",
    control: "TLS-1",
  },
  {
    id: "internal app made external",
    type: T.app,
    where: (i) => i.containerAppName === "api",
    set: { "configuration.ingress.external": true },
    policy: "container-app-external-ingress",
    control: "NET-2",
  },
  {
    id: "frontend with one replica in prod",
    stacks: PROD,
    type: T.app,
    where: (i) => i.containerAppName === "web",
    set: { "template.scale.minReplicas": 1 },
    policy: "container-app-frontend-replicas",
    control: "AVL-1",
  },
  {
    id: "app with a system-assigned identity",
    type: T.app,
    set: { identity: { type: "SystemAssigned" } },
    policy: "container-app-user-assigned-identity",
    control: "IAM-1",
  },
  {
    id: "app without identity",
    type: T.app,
    set: { identity: DELETE },
    policy: "container-app-user-assigned-identity",
    control: "IAM-1",
  },
  {
    id: "app password in a plain env var",
    type: T.app,
    set: { "push:template.containers.0.env": { name: "DB_PASSWORD", value: "hunter2-hunter2" } },
    policy: "container-app-no-secret-env",
    control: "SEC-1",
  },
  {
    id: "app connection string in a plain env var",
    type: T.app,
    set: {
      "push:template.containers.0.env": {
        name: "STORAGE",
        value: "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc123abc123abc123abc123==",
      },
    },
    policy: "container-app-no-secret-env",
    control: "SEC-1",
  },
  {
    id: "app secret as a plain value",
    type: T.app,
    set: { "configuration.secrets.0": { name: "session-signing-key", value: "plain-text" } },
    policy: "container-app-secrets-from-key-vault",
    control: "SEC-1",
  },
  {
    id: "app Key Vault reference to a foreign vault",
    type: T.app,
    set: { "configuration.secrets.0.keyVaultUrl": "https://someone-elses-vault.vault.azure.net/secrets/x" },
    policy: "container-app-key-vault-references",
    control: "SEC-1",
  },
  {
    id: "app pulls images with a registry password",
    type: T.app,
    set: {
      "configuration.registries": [
        { server: "myacr.azurecr.io", username: "pull", passwordSecretRef: "registry-password" },
      ],
    },
    policy: "container-app-registry-identity",
    control: "IAM-1",
  },
  {
    id: "app outside the EU",
    type: T.app,
    set: { location: "eastus" },
    policy: "allowed-locations",
    control: "RES-1",
  },
  {
    id: "environment without VNet",
    type: T.env,
    set: { vnetConfiguration: DELETE },
    policy: "managed-environment-vnet",
    control: "NET-1",
  },
  {
    id: "environment peer traffic unencrypted",
    type: T.env,
    set: { "peerTrafficConfiguration.encryption.enabled": false },
    policy: "managed-environment-peer-encryption",
    control: "TLS-1",
  },
  {
    id: "environment not zone redundant in prod",
    stacks: PROD,
    type: T.env,
    set: { zoneRedundant: false },
    policy: "managed-environment-zone-redundant",
    control: "AVL-1",
  },
  {
    id: "environment logs with the workspace shared key",
    type: T.env,
    set: {
      appLogsConfiguration: {
        destination: "log-analytics",
        logAnalyticsConfiguration: { customerId: "x", sharedKey: "y" },
      },
    },
    policy: "managed-environment-logs",
    control: "LOG-1",
  },

  {
    id: "app with an empty user-assigned identity list",
    type: T.app,
    set: { "identity.userAssignedIdentities": [] },
    policy: "container-app-user-assigned-identity",
    control: "IAM-1",
  },
  {
    id: "app reads its secret with the system identity",
    type: T.app,
    set: { "configuration.secrets.0.identity": "System" },
    policy: "container-app-secrets-from-key-vault",
    control: "SEC-1",
  },
  {
    id: "app secret reference without identity",
    type: T.app,
    set: { "configuration.secrets.0.identity": DELETE },
    policy: "container-app-secrets-from-key-vault",
    control: "SEC-1",
  },
  {
    id: "app client secret in a plain env var",
    type: T.app,
    set: {
      "push:template.containers.0.env": {
        name: "AZURE_CLIENT_SECRET",
        value: "Zx8Q~abcdefghijklmnopqrstuvwxyz0123456",
      },
    },
    policy: "container-app-no-secret-env",
    control: "SEC-1",
  },
  {
    id: "init container with a database password",
    type: T.app,
    set: {
      "template.initContainers": [
        {
          name: "migrate",
          image: "mcr.microsoft.com/k8se/quickstart:latest",
          env: [{ name: "PGPASSWORD", value: "s3cr3t-pass" }],
        },
      ],
    },
    policy: "container-app-no-secret-env",
    control: "SEC-1",
  },
  {
    id: "app pulls images without an identity",
    type: T.app,
    set: { "configuration.registries": [{ server: "myacr.azurecr.io" }] },
    policy: "container-app-registry-identity",
    control: "IAM-1",
  },
  {
    id: "external app loses its frontend designation",
    type: T.app,
    where: (i) => i.containerAppName === "web",
    set: { "tags.ingress": DELETE },
    policy: "container-app-external-ingress",
    control: "NET-2",
  },
  {
    id: "frontend without minimum replicas in prod",
    stacks: PROD,
    type: T.app,
    where: (i) => i.containerAppName === "web",
    set: { "template.scale.minReplicas": DELETE },
    policy: "container-app-frontend-replicas",
    control: "AVL-1",
  },
  {
    id: "frontend exposing raw TCP",
    type: T.app,
    where: (i) => i.containerAppName === "web",
    set: { "configuration.ingress.transport": "tcp", "configuration.ingress.exposedPort": 22 },
    policy: "container-app-https-only",
    control: "NET-2",
  },
  {
    id: "frontend with an extra external port",
    type: T.app,
    where: (i) => i.containerAppName === "web",
    set: { "configuration.ingress.additionalPortMappings": [{ external: true, targetPort: 5432 }] },
    policy: "container-app-https-only",
    control: "NET-2",
  },
  {
    id: "job with a system-assigned identity",
    add: job("job-system-identity", { identity: { type: "SystemAssigned" } }),
    policy: "container-app-user-assigned-identity",
    control: "IAM-1",
  },
  {
    id: "job with a password in a plain env var",
    add: job("job-plain-env", {
      "push:template.containers.0.env": { name: "DB_PASSWORD", value: "hunter2-hunter2" },
    }),
    policy: "container-app-no-secret-env",
    control: "SEC-1",
  },
  {
    id: "job with a secret value stored in the job",
    add: job("job-secret-value", { "configuration.secrets.0": { name: "export-key", value: "plain-text" } }),
    policy: "container-app-secrets-from-key-vault",
    control: "SEC-1",
  },
  {
    id: "job reading a secret from a foreign vault",
    add: job("job-foreign-vault", {
      "configuration.secrets.0.keyVaultUrl": "https://someone-elses-vault.vault.azure.net/secrets/x",
    }),
    policy: "container-app-key-vault-references",
    control: "SEC-1",
  },
  {
    id: "job pulling images with a registry password",
    add: job("job-registry-password", {
      "configuration.registries": [
        { server: "myacr.azurecr.io", username: "pull", passwordSecretRef: "registry-password" },
      ],
    }),
    policy: "container-app-registry-identity",
    control: "IAM-1",
  },
  {
    id: "job outside the EU",
    add: job("job-us", { location: "eastus" }),
    policy: "allowed-locations",
    control: "RES-1",
  },
  {
    id: "environment subnet removed",
    type: T.env,
    set: { "vnetConfiguration.infrastructureSubnetId": DELETE },
    policy: "managed-environment-vnet",
    control: "NET-1",
  },
  {
    id: "environment peer encryption unset",
    type: T.env,
    set: { peerTrafficConfiguration: DELETE },
    policy: "managed-environment-peer-encryption",
    control: "TLS-1",
  },
  {
    id: "environment zone redundancy unset in prod",
    stacks: PROD,
    type: T.env,
    set: { zoneRedundant: DELETE },
    policy: "managed-environment-zone-redundant",
    control: "AVL-1",
  },
  {
    id: "environment logs discarded",
    type: T.env,
    set: { appLogsConfiguration: { destination: "none" } },
    policy: "managed-environment-logs",
    control: "LOG-1",
  },
  {
    id: "environment diagnostic setting removed",
    type: T.diag,
    where: scopedTo("/managedenvironments/"),
    remove: true,
    policy: "diagnostics-coverage",
    control: "LOG-1",
  },

  // Logging and monitoring (LOG-1, IAM-1, NET-1, MON-1)
  {
    id: "workspace keeps logs 30 days",
    type: T.workspace,
    set: { retentionInDays: 30 },
    policy: "log-analytics-retention",
    control: "LOG-1",
  },
  {
    id: "workspace retention unset (Azure default 30)",
    type: T.workspace,
    set: { retentionInDays: DELETE },
    policy: "log-analytics-retention",
    control: "LOG-1",
  },
  {
    id: "workspace shared keys on",
    type: T.workspace,
    set: { "features.disableLocalAuth": false },
    policy: "log-analytics-no-local-auth",
    control: "IAM-1",
  },
  {
    id: "workspace public ingestion",
    type: T.workspace,
    set: { publicNetworkAccessForIngestion: "Enabled" },
    policy: "log-analytics-private-ingestion",
    control: "NET-1",
  },
  {
    id: "Key Vault diagnostic setting removed",
    type: T.diag,
    where: scopedTo("/vaults/"),
    remove: true,
    policy: "diagnostics-coverage",
    control: "LOG-1",
  },
  {
    id: "PostgreSQL diagnostic setting removed",
    type: T.diag,
    where: scopedTo("/flexibleservers/"),
    remove: true,
    policy: "diagnostics-coverage",
    control: "LOG-1",
  },
  {
    id: "diagnostic setting without logs",
    type: T.diag,
    where: scopedTo("/vaults/"),
    set: { logs: [] },
    policy: "diagnostic-setting-to-workspace",
    control: "LOG-1",
  },
  {
    id: "diagnostic setting without workspace",
    type: T.diag,
    where: scopedTo("/vaults/"),
    set: { workspaceId: DELETE },
    policy: "diagnostic-setting-to-workspace",
    control: "LOG-1",
  },
  {
    id: "PostgreSQL alerts removed",
    type: T.alert,
    where: (i) =>
      JSON.stringify(i.scopes ?? [])
        .toLowerCase()
        .includes("/flexibleservers/"),
    remove: true,
    policy: "critical-resources-alerted",
    control: "MON-1",
  },
  {
    id: "alert disabled",
    type: T.alert,
    set: { enabled: false },
    policy: "metric-alert-routed",
    control: "MON-1",
  },
  {
    id: "alert routed nowhere",
    type: T.alert,
    set: { actions: [] },
    policy: "metric-alert-routed",
    control: "MON-1",
  },
  {
    id: "action group disabled",
    type: T.actionGroup,
    set: { enabled: false },
    policy: "action-group-reaches-someone",
    control: "MON-1",
  },
  {
    id: "action group without receivers",
    type: T.actionGroup,
    set: { emailReceivers: [] },
    policy: "action-group-reaches-someone",
    control: "MON-1",
  },

  {
    id: "workspace features removed (local auth on)",
    type: T.workspace,
    set: { features: DELETE },
    policy: "log-analytics-no-local-auth",
    control: "IAM-1",
  },
  {
    id: "workspace keeps logs 364 days",
    type: T.workspace,
    set: { retentionInDays: 364 },
    policy: "log-analytics-retention",
    control: "LOG-1",
  },
  {
    id: "workspace ingestion access unset (Azure default Enabled)",
    type: T.workspace,
    set: { publicNetworkAccessForIngestion: DELETE },
    policy: "log-analytics-private-ingestion",
    control: "NET-1",
  },
  {
    id: "workspace outside the EU",
    type: T.workspace,
    set: { location: "eastus" },
    policy: "allowed-locations",
    control: "RES-1",
  },
  {
    id: "diagnostics reach only a 90-day workspace",
    type: T.workspace,
    set: { retentionInDays: 90 },
    policy: "diagnostics-coverage",
    control: "LOG-1",
  },
  {
    id: "workspace diagnostic setting removed",
    type: T.diag,
    where: scopedTo("/workspaces/"),
    remove: true,
    policy: "diagnostics-coverage",
    control: "LOG-1",
  },
  {
    id: "Key Vault alerts removed",
    type: T.alert,
    where: (i) =>
      JSON.stringify(i.scopes ?? [])
        .toLowerCase()
        .includes("/vaults/"),
    remove: true,
    policy: "critical-resources-alerted",
    control: "MON-1",
  },
  {
    id: "container app alerts removed",
    type: T.alert,
    where: (i) =>
      JSON.stringify(i.scopes ?? [])
        .toLowerCase()
        .includes("/containerapps/"),
    remove: true,
    policy: "critical-resources-alerted",
    control: "MON-1",
  },

  // Identity and access (IAM-2)
  ...Object.entries(ROLE).map(([role, guid]): Mutation => ({
    id: `workload identity granted ${role}`,
    type: T.role,
    where: workloadRole,
    set: { roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${guid}` },
    policy: "role-assignment-no-privileged-workload",
    control: "IAM-2",
  })),
  {
    id: "human role granted to a single user",
    type: T.role,
    where: humanRole,
    set: { principalType: "User" },
    policy: "role-assignment-groups-only",
    control: "IAM-2",
  },
  {
    id: "role assignment without principal type",
    type: T.role,
    where: workloadRole,
    set: { principalType: DELETE },
    policy: "role-assignment-groups-only",
    control: "IAM-2",
  },

  {
    id: "role assignment to a foreign group",
    type: T.role,
    where: humanRole,
    set: { principalType: "ForeignGroup" },
    policy: "role-assignment-groups-only",
    control: "IAM-2",
  },
  {
    id: "Contributor to a principal of unstated type",
    type: T.role,
    where: workloadRole,
    set: {
      principalType: DELETE,
      roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${ROLE.Contributor}`,
    },
    policy: "role-assignment-no-privileged-workload",
    control: "IAM-2",
  },
  {
    id: "workload role moved to the resource group",
    type: T.role,
    where: workloadRole,
    set: { scope: "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-sap-shared" },
    policy: "role-assignment-workload-resource-scope",
    control: "IAM-2",
  },
  {
    id: "workload role moved to the subscription",
    type: T.role,
    where: workloadRole,
    set: { scope: "/subscriptions/00000000-0000-4000-8000-000000000001" },
    policy: "role-assignment-workload-resource-scope",
    control: "IAM-2",
  },

  // Network (NET-1, NET-2)
  {
    id: "NSG opens SSH to the Internet",
    type: T.nsg,
    set: {
      "push:securityRules": {
        name: "ssh",
        priority: 110,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourceAddressPrefix: "Internet",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "22",
      },
    },
    policy: "nsg-no-internet-inbound",
    control: "NET-2",
  },
  {
    id: "NSG opens everything to 0.0.0.0/0",
    type: T.nsg,
    set: {
      "push:securityRules": {
        name: "any",
        priority: 120,
        direction: "Inbound",
        access: "Allow",
        protocol: "*",
        sourceAddressPrefix: "0.0.0.0/0",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "*",
      },
    },
    policy: "nsg-no-internet-inbound",
    control: "NET-2",
  },
  {
    id: "standalone security rule opens RDP",
    add: {
      type: "azure-native:network:SecurityRule",
      name: "rdp",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        networkSecurityGroupName: c.nameOf(T.nsg),
        securityRuleName: "rdp",
        priority: 130,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourceAddressPrefix: "*",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "3389",
      }),
    },
    policy: "nsg-no-internet-inbound",
    control: "NET-2",
  },
  {
    id: "subnet without NSG",
    type: T.subnet,
    set: { networkSecurityGroup: DELETE },
    policy: "subnet-has-nsg",
    control: "NET-1",
  },
  {
    id: "public IP address",
    add: {
      type: "azure-native:network:PublicIPAddress",
      name: "pip",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        location: "westeurope",
        publicIpAddressName: "pip-debug",
        sku: { name: "Standard" },
        tags: { environment: c.stack, owner: "team", dataClassification: "internal" },
      }),
    },
    policy: "public-ip-restricted",
    control: "NET-2",
  },
  {
    id: "storage private endpoint removed",
    type: T.pe,
    where: (i) => JSON.stringify(i).includes("storageAccounts"),
    remove: true,
    policy: "data-store-private-connectivity",
    control: "NET-1",
  },
  {
    id: "Key Vault private endpoint removed",
    type: T.pe,
    where: (i) => JSON.stringify(i).includes("Microsoft.KeyVault"),
    remove: true,
    policy: "data-store-private-connectivity",
    control: "NET-1",
  },
  {
    id: "Redis private endpoint removed",
    type: T.pe,
    where: (i) => JSON.stringify(i).includes("redisEnterprise"),
    remove: true,
    policy: "data-store-private-connectivity",
    control: "NET-1",
  },

  ...(
    [
      ["SSH from a list containing 0.0.0.0/0", { sourceAddressPrefixes: ["10.0.0.0/8", "0.0.0.0/0"] }],
      ["SSH from any source (no prefix)", {}],
      [
        "HTTPS plus 8080 from the Internet",
        { sourceAddressPrefix: "Internet", destinationPortRanges: ["443", "8080"] },
      ],
      ["every port from the Internet", { sourceAddressPrefix: "Internet", destinationPortRange: "0-65535" }],
      ["SSH from the internet in two halves", { sourceAddressPrefixes: ["0.0.0.0/1", "128.0.0.0/1"] }],
      ["SSH from any IPv6 address", { sourceAddressPrefix: "::/0" }],
      ["SSH from every Azure customer's VMs (service tag AzureCloud)", { sourceAddressPrefix: "AzureCloud" }],
      [
        "RDP from a regional cloud tag",
        { sourceAddressPrefix: "AzureCloud.WestEurope", destinationPortRange: "3389" },
      ],
      [
        "SSH from every public /8 listed one by one",
        {
          sourceAddressPrefixes: Array.from({ length: 223 }, (_, i) => `${i + 1}.0.0.0/8`).filter(
            (p) => !["10.0.0.0/8", "127.0.0.0/8"].includes(p),
          ),
        },
      ],
    ] as const
  ).map(([what, rule], n): Mutation => ({
    id: `NSG rule: ${what}`,
    type: T.nsg,
    where: named("network-apps-nsg"),
    set: {
      "push:securityRules": {
        name: `probe-${n}`,
        priority: 200 + n,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        ...("destinationPortRanges" in rule ? {} : { destinationPortRange: "22" }),
        ...rule,
      },
    },
    policy: "nsg-no-internet-inbound",
    control: "NET-2",
  })),
  {
    id: "NSG diagnostic setting removed",
    type: T.diag,
    where: scopedTo("/networksecuritygroups/"),
    remove: true,
    policy: "diagnostics-coverage",
    control: "LOG-1",
  },
  {
    id: "virtual network with an inline subnet without NSG",
    type: "azure-native:network:VirtualNetwork",
    set: { subnets: [{ name: "snet-debug", addressPrefix: "10.30.9.0/24" }] },
    policy: "subnet-has-nsg",
    control: "NET-1",
  },
  {
    id: "subnet NSG reference without ID",
    type: T.subnet,
    set: { "networkSecurityGroup.id": DELETE },
    policy: "subnet-has-nsg",
    control: "NET-1",
  },
  {
    id: "resource group outside the EU",
    type: T.rg,
    set: { location: "eastus" },
    policy: "allowed-locations",
    control: "RES-1",
  },
  {
    id: "resource group without owner",
    type: T.rg,
    set: { "tags.owner": DELETE },
    policy: "required-tags",
    control: "CLS-1",
  },
  {
    id: "managed identity without tags",
    type: "azure-native:managedidentity:UserAssignedIdentity",
    set: { tags: DELETE },
    policy: "required-tags",
    control: "CLS-1",
  },

  // Deletion protection (BAK-2), prod only
  {
    id: "PostgreSQL lock removed",
    stacks: PROD,
    type: T.lock,
    where: (i) => String(i.scope).includes("flexibleServers"),
    remove: true,
    policy: "stateful-resources-locked",
    control: "BAK-2",
  },
  {
    id: "storage lock that does not block deletion",
    stacks: PROD,
    type: T.lock,
    where: (i) => String(i.scope).includes("storageAccounts"),
    set: { level: "NotSpecified" },
    policy: "stateful-resources-locked",
    control: "BAK-2",
  },
  {
    id: "Key Vault not protected",
    stacks: PROD,
    type: T.vault,
    where: named("keyvault-vault"),
    unprotect: true,
    policy: "stateful-resources-locked",
    control: "BAK-2",
  },
  {
    id: "workspace not protected",
    stacks: PROD,
    type: T.workspace,
    unprotect: true,
    policy: "stateful-resources-locked",
    control: "BAK-2",
  },

  ...(
    [
      ["storage", "storageAccounts", T.account],
      ["Redis", "redisEnterprise", T.redis],
      ["Key Vault", "Microsoft.KeyVault", T.vault],
      ["workspace", "OperationalInsights", T.workspace],
    ] as const
  ).map(([what, scope]): Mutation => ({
    id: `${what} lock removed`,
    stacks: PROD,
    type: T.lock,
    where: (i) => String(i.scope).includes(scope),
    remove: true,
    policy: "stateful-resources-locked",
    control: "BAK-2",
  })),
  ...(
    [
      ["PostgreSQL", T.pg],
      ["storage", T.account],
      ["Redis", T.redis],
    ] as const
  ).map(([what, type]): Mutation => ({
    id: `${what} not protected`,
    stacks: PROD,
    type,
    unprotect: true,
    policy: "stateful-resources-locked",
    control: "BAK-2",
  })),

  // Customer-managed keys the stack must manage (KEY-1, ENC-2), prod only
  {
    id: "storage CMK key not managed by the stack",
    stacks: PROD,
    type: T.key,
    where: named("cmk-storage-key"),
    remove: true,
    policy: "customer-managed-keys-rotate",
    control: "KEY-1",
  },

  {
    id: "Redis CMK key not managed by the stack",
    stacks: PROD,
    type: T.key,
    where: named("cmk-redis-key"),
    remove: true,
    policy: "customer-managed-keys-rotate",
    control: "KEY-1",
  },
  {
    id: "PostgreSQL geo-backup key not managed by the stack",
    stacks: PROD,
    type: T.key,
    where: named("cmk-postgres-geo-key"),
    remove: true,
    policy: "customer-managed-keys-rotate",
    control: "KEY-1",
  },

  // Threat protection (THR-1)
  {
    id: "Defender for Key Vaults on the Free tier",
    stacks: PROD,
    type: T.pricing,
    where: (i) => i.pricingName === "KeyVaults",
    set: { pricingTier: "Free" },
    policy: "defender-plan-standard",
    control: "THR-1",
  },
  {
    id: "Defender for Containers plan removed",
    stacks: PROD,
    type: T.pricing,
    where: (i) => i.pricingName === "Containers",
    remove: true,
    policy: "defender-plans-cover-services",
    control: "THR-1",
  },
  {
    id: "threat protection switched off for the storage account",
    add: {
      type: "azure-native:security:AdvancedThreatProtection",
      name: "atp-off",
      inputs: (c) => ({ resourceId: c.idOf(T.account), settingName: "current", isEnabled: false }),
    },
    policy: "threat-protection-enabled",
    control: "THR-1",
  },

  ...(
    [
      ["Storage", "StorageAccounts"],
      ["Key Vault", "KeyVaults"],
      ["open-source databases", "OpenSourceRelationalDatabases"],
    ] as const
  ).map(([what, plan]): Mutation => ({
    id: `Defender for ${what} plan removed`,
    stacks: PROD,
    type: T.pricing,
    where: (i) => i.pricingName === plan,
    remove: true,
    policy: "defender-plans-cover-services",
    control: "THR-1",
  })),
  {
    id: "Defender for Containers on the Free tier",
    stacks: PROD,
    type: T.pricing,
    where: (i) => i.pricingName === "Containers",
    set: { pricingTier: "Free" },
    policy: "defender-plan-standard",
    control: "THR-1",
  },
  {
    id: "Defender for Storage switched off for the account",
    add: {
      type: "azure-native:security:DefenderForStorage",
      name: "defender-storage-off",
      inputs: (c) => ({
        resourceId: c.idOf(T.account),
        settingName: "current",
        properties: { isEnabled: false },
      }),
    },
    policy: "threat-protection-enabled",
    control: "THR-1",
  },
  {
    id: "threat protection switched off for the PostgreSQL server",
    add: {
      type: "azure-native:security:AdvancedThreatProtection",
      name: "atp-postgres-off",
      inputs: (c) => ({ resourceId: c.idOf(T.pg), settingName: "current", isEnabled: false }),
    },
    policy: "threat-protection-enabled",
    control: "THR-1",
  },

  // Environment separation (ENV-1)
  {
    id: "a resource tagged for the other environment",
    type: T.vault,
    where: named("keyvault-vault"),
    set: { "tags.environment": (c: Context) => (c.stack === "prod" ? "dev" : "prod") },
    policy: "single-environment-per-stack",
    control: "ENV-1",
  },
  {
    id: "a resource in another environment's resource group",
    type: T.container,
    set: { resourceGroupName: "rg-sap-shared" },
    policy: "own-resource-groups",
    control: "ENV-1",
  },
  {
    id: "PostgreSQL in a resource group the stack does not own",
    type: T.pg,
    set: { resourceGroupName: "rg-sap-other" },
    policy: "own-resource-groups",
    control: "ENV-1",
  },
];

/** A change that stays compliant: the same shape as a mutation, without an expected verdict. */
export type Variation = Omit<Mutation, "policy" | "control">;

/** Secure changes the pack must accept. */
export const SECURE_VARIATIONS: Variation[] = [
  {
    id: "PostgreSQL TLS floor stays TLSv1.3 with TLS required",
    type: T.pgConfig,
    where: config("ssl_min_protocol_version"),
    set: { value: "TLSv1.3" },
  },
  {
    id: "storage TLS 1.2 (the highest floor Storage supports)",
    type: T.account,
    set: { minimumTlsVersion: "TLS1_2" },
  },
  {
    id: "blob and container soft delete 90 days",
    type: T.blob,
    set: { "deleteRetentionPolicy.days": 90, "containerDeleteRetentionPolicy.days": 90 },
  },
  {
    id: "PostgreSQL backups kept 30 days (the minimum)",
    type: T.pg,
    set: { "backup.backupRetentionDays": 30 },
  },
  { id: "workspace keeps logs 730 days", type: T.workspace, set: { retentionInDays: 730 } },
  {
    id: "vault soft delete 90 days (the maximum)",
    type: T.vault,
    set: { "properties.softDeleteRetentionInDays": 90 },
  },
  { id: "keys of 4096 bits", stacks: PROD, type: T.key, set: { "properties.keySize": 4096 } },
  {
    id: "keys rotated every 90 days",
    stacks: PROD,
    type: T.key,
    set: { "properties.rotationPolicy.lifetimeActions.0.trigger.timeAfterCreate": "P90D" },
  },
  {
    id: "storage read-access geo-zone-redundant",
    stacks: PROD,
    type: T.account,
    set: { "sku.name": "Standard_RAGZRS" },
  },
  {
    id: "frontend with 3 replicas",
    type: T.app,
    where: (i) => i.containerAppName === "web",
    set: { "template.scale.minReplicas": 3 },
  },
  {
    id: "Redis snapshots instead of append-only file",
    stacks: PROD,
    type: T.redisDb,
    set: { persistence: { rdbEnabled: true, rdbFrequency: "1h" } },
  },
  {
    id: "storage in another EU region with an EU pair",
    type: T.account,
    set: { location: "germanywestcentral" },
  },
  {
    id: "Key Vault in another EU region",
    type: T.vault,
    where: named("keyvault-vault"),
    set: { location: "swedencentral" },
  },
  { id: "an extra tag", type: T.account, set: { "tags.project": "recordings" } },
  {
    id: "NSG allows HTTPS from the Internet",
    type: T.nsg,
    where: named("network-apps-nsg"),
    set: {
      "push:securityRules": {
        name: "https",
        priority: 150,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourceAddressPrefix: "Internet",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "443",
      },
    },
  },
  {
    id: "an app with plain, non-secret settings",
    type: T.app,
    set: { "push:template.containers.0.env": { name: "FEATURE_FLAGS", value: "search,export" } },
  },
  {
    id: "blob and container soft delete 60 days",
    type: T.blob,
    set: { "deleteRetentionPolicy.days": 60, "containerDeleteRetentionPolicy.days": 60 },
  },
  {
    id: "PostgreSQL in France Central (geo backups to France South)",
    type: T.pg,
    set: { location: "francecentral" },
  },
  {
    id: "keys rotated exactly every 365 days",
    stacks: PROD,
    type: T.key,
    set: { "properties.rotationPolicy.lifetimeActions.0.trigger.timeAfterCreate": "P365D" },
  },
  {
    id: "geo-zone-redundant storage in dev too",
    stacks: ["dev"],
    type: T.account,
    set: { "sku.name": "Standard_GZRS" },
  },
  {
    id: "PostgreSQL locked at the resource-group scope instead",
    stacks: PROD,
    type: T.lock,
    where: (i) => String(i.scope).includes("flexibleServers"),
    set: { scope: (c: Context) => `/subscriptions/${c.subscription}/resourceGroups/${c.resourceGroup}` },
  },
  {
    id: "a scheduled job written like the platform's apps",
    add: job("nightly-export"),
  },
  {
    id: "a workload's blob role narrowed to one container",
    type: T.role,
    where: (i) => String(i.description).includes("read blobs"),
    set: {
      scope: (c: Context) => `${c.idOf(T.account)}/blobServices/default/containers/recordings`,
    },
  },
  {
    id: "NSG allows PostgreSQL from the virtual network",
    type: T.nsg,
    where: named("network-pe-nsg"),
    set: {
      "push:securityRules": {
        name: "postgres-from-vnet",
        priority: 160,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourceAddressPrefix: "VirtualNetwork",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "5432",
      },
    },
  },
  {
    // A group the preset does not list is refused (ENV-1): test/policy/bypass/escapes.ts.
    id: "a listed Entra group (QA) granted another read role",
    add: {
      type: T.role,
      name: "qa-monitoring-reader",
      inputs: (c) => ({
        principalId: "1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e",
        principalType: "Group",
        roleDefinitionId: `/subscriptions/${c.subscription}/providers/Microsoft.Authorization/roleDefinitions/43d0d8ad-25c7-4714-9337-8ba259a9fe05`,
        scope: `/subscriptions/${c.subscription}/resourceGroups/${c.resourceGroup}`,
      }),
    },
  },
];
