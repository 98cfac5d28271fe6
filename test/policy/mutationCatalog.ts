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
}

export interface Mutation {
  id: string;
  /** Stacks whose preset must block it (default: both). */
  stacks?: Stack[];
  /** Resources to change or remove: by type, optionally narrowed. */
  type?: string;
  where?: (inputs: Record<string, unknown>, urn: string) => boolean;
  /** Path -> new value (`DELETE` removes it); `push:<path>` appends to an array. */
  set?: Record<string, unknown>;
  remove?: boolean;
  unprotect?: boolean;
  /** A resource a user might write by hand, added to the stack. */
  add?: { type: string; name: string; inputs: (ctx: Context) => Record<string, unknown> };
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

const T = {
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

  // Environment separation (ENV-1)
  {
    id: "a resource tagged for the other environment",
    type: T.vault,
    where: named("keyvault-vault"),
    set: { "tags.environment": "__other__" },
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
];

export interface Variation {
  id: string;
  stacks?: Stack[];
  type: string;
  where?: (inputs: Record<string, unknown>, urn: string) => boolean;
  set: Record<string, unknown>;
}

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
];
