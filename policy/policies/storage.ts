/**
 * Storage accounts, blob service properties and blob containers (ENC-1, ENC-2, IAM-1, TLS-1,
 * NET-1, BAK-1, AVL-1). Azure's defaults for several account settings are insecure (shared
 * keys on, public network access on, TLS 1.0 on older API versions, no infrastructure
 * encryption), so those must be set explicitly: a missing value is a violation.
 */
import { requireCmkParam, requireZoneParam, resourcePolicy } from "../lib/define";
import { bool, eqi, get, has, num, show, str } from "../lib/props";
import { BLOB_SOFT_DELETE_DAYS } from "../shared/limits";

const ACCOUNT = ["azure-native:storage:StorageAccount"] as const;
const GEO_SKUS = ["Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"];
const ZONE_GEO_SKUS = ["Standard_GZRS", "Standard_RAGZRS"];

export const storageAccountEntraOnlyAuth = resourcePolicy({
  name: "storage-account-entra-only-auth",
  description:
    "Storage accounts refuse shared keys and local users and default the portal to Entra ID (IAM-1): access is granted to managed identities by RBAC only.",
  controls: ["IAM-1"],
  severity: "high",
  remediation:
    "Set allowSharedKeyAccess: false, defaultToOAuthAuthentication: true, isLocalUserEnabled: false and leave isSftpEnabled off; grant data-plane roles (Storage Blob Data Reader/Contributor) to managed identities.",
  types: ACCOUNT,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (bool(props, "allowSharedKeyAccess") !== false)
      report(
        `allowSharedKeyAccess is ${show(get(props, "allowSharedKeyAccess"))}; it must be false (Azure's default allows shared keys)`,
      );
    if (bool(props, "defaultToOAuthAuthentication") !== true)
      report(
        `defaultToOAuthAuthentication is ${show(get(props, "defaultToOAuthAuthentication"))}; it must be true`,
      );
    if (bool(props, "isLocalUserEnabled") !== false)
      report(
        `isLocalUserEnabled is ${show(get(props, "isLocalUserEnabled"))}; local users (SFTP/SMB keys) must be disabled explicitly`,
      );
    if (bool(props, "isSftpEnabled") === true)
      report("isSftpEnabled is true; SFTP relies on local users and must stay off");
  },
});

export const storageAccountNoPublicBlobAccess = resourcePolicy({
  name: "storage-account-no-public-blob-access",
  description: "Storage accounts forbid anonymous public read access to blobs (NET-1).",
  controls: ["NET-1"],
  severity: "critical",
  remediation: "Set allowBlobPublicAccess: false on the storage account.",
  types: ACCOUNT,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (bool(props, "allowBlobPublicAccess") !== false)
      report(`allowBlobPublicAccess is ${show(get(props, "allowBlobPublicAccess"))}; it must be false`);
  },
});

export const storageAccountNoCrossTenantReplication = resourcePolicy({
  name: "storage-account-no-cross-tenant-replication",
  description:
    "Storage accounts forbid object replication to accounts in other Entra tenants, which would copy customer data outside our control (RES-1).",
  controls: ["RES-1"],
  severity: "high",
  remediation: "Set allowCrossTenantReplication: false on the storage account.",
  types: ACCOUNT,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (bool(props, "allowCrossTenantReplication") !== false)
      report(
        `allowCrossTenantReplication is ${show(get(props, "allowCrossTenantReplication"))}; it must be false`,
      );
  },
});

export const storageAccountTls = resourcePolicy({
  name: "storage-account-tls",
  description:
    "Storage accounts accept HTTPS only with TLS 1.2 or newer (TLS-1; Storage cannot enforce a TLS 1.3 floor).",
  controls: ["TLS-1"],
  severity: "high",
  remediation: "Set minimumTlsVersion: TLS1_2 (or TLS1_3) and leave enableHttpsTrafficOnly true.",
  types: ACCOUNT,
  config: {
    allowedTlsVersions: {
      description: "Accepted minimumTlsVersion values.",
      default: ["TLS1_2", "TLS1_3"],
    },
  },
  check: ({ props }, cfg, report) => {
    const tls = str(props, "minimumTlsVersion");
    if (!tls || !cfg.allowedTlsVersions.some((v) => eqi(tls, v)))
      report(
        `minimumTlsVersion is ${show(get(props, "minimumTlsVersion"))}; allowed: ${cfg.allowedTlsVersions.join(", ")}`,
      );
    if (bool(props, "enableHttpsTrafficOnly") === false)
      report("enableHttpsTrafficOnly is false; plain HTTP must be refused");
  },
});

export const storageAccountInfrastructureEncryption = resourcePolicy({
  name: "storage-account-infrastructure-encryption",
  description: "Storage accounts use infrastructure (double) encryption at rest (ENC-1).",
  controls: ["ENC-1"],
  severity: "medium",
  remediation:
    "Set encryption.requireInfrastructureEncryption: true (fixed at creation: a new account is needed for an existing one).",
  types: ACCOUNT,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (bool(props, "encryption", "requireInfrastructureEncryption") !== true)
      report(
        `encryption.requireInfrastructureEncryption is ${show(get(props, "encryption", "requireInfrastructureEncryption"))}; it must be true`,
      );
  },
});

export const storageAccountCustomerManagedKey = resourcePolicy({
  name: "storage-account-customer-managed-key",
  description:
    "When customer-managed keys are required, storage accounts encrypt with a Key Vault key reached through a user-assigned identity (ENC-2).",
  controls: ["ENC-2"],
  severity: "high",
  remediation:
    "Set encryption.keySource: Microsoft.Keyvault, encryption.keyVaultProperties {keyVaultUri, keyName} and encryption.encryptionIdentity.encryptionUserAssignedIdentity (use the CustomerManagedKey component).",
  types: ACCOUNT,
  config: { requireCustomerManagedKey: requireCmkParam },
  check: ({ props }, cfg, report) => {
    if (!cfg.requireCustomerManagedKey) return;
    if (!eqi(get(props, "encryption", "keySource"), "Microsoft.Keyvault")) {
      report(
        `encryption.keySource is ${show(get(props, "encryption", "keySource"))}; it must be Microsoft.Keyvault`,
      );
      return;
    }
    if (
      !has(props, "encryption", "keyVaultProperties", "keyVaultUri") ||
      !has(props, "encryption", "keyVaultProperties", "keyName")
    )
      report("encryption.keyVaultProperties must name the key (keyVaultUri and keyName)");
    if (!has(props, "encryption", "encryptionIdentity", "encryptionUserAssignedIdentity"))
      report("encryption.encryptionIdentity.encryptionUserAssignedIdentity must be a user-assigned identity");
  },
});

export const storageAccountPrivateAccess = resourcePolicy({
  name: "storage-account-private-access",
  description:
    "Storage accounts are reachable only through private endpoints: public network access disabled and the firewall denying by default (NET-1).",
  controls: ["NET-1"],
  severity: "critical",
  remediation:
    "Set publicNetworkAccess: Disabled and networkRuleSet.defaultAction: Deny; add a private endpoint (group blob).",
  types: ACCOUNT,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (!eqi(get(props, "publicNetworkAccess"), "Disabled"))
      report(`publicNetworkAccess is ${show(get(props, "publicNetworkAccess"))}; it must be Disabled`);
    if (!eqi(get(props, "networkRuleSet", "defaultAction"), "Deny"))
      report(
        `networkRuleSet.defaultAction is ${show(get(props, "networkRuleSet", "defaultAction"))}; it must be Deny`,
      );
  },
});

export const storageAccountGeoRedundant = resourcePolicy({
  name: "storage-account-geo-redundant",
  description:
    "Storage accounts replicate to the paired region (GRS/GZRS family, BAK-1) and, when zone redundancy is required, across zones too (GZRS family, AVL-1).",
  controls: ["BAK-1", "AVL-1"],
  severity: "high",
  remediation:
    "Set sku.name to Standard_GZRS or Standard_RAGZRS (Standard_GRS/RAGRS only where zone redundancy is not required).",
  types: ACCOUNT,
  config: { requireZoneRedundancy: requireZoneParam },
  check: ({ props }, cfg, report) => {
    const sku = str(props, "sku", "name");
    const allowed = cfg.requireZoneRedundancy ? ZONE_GEO_SKUS : GEO_SKUS;
    if (!sku || !allowed.some((s) => eqi(sku, s)))
      report(`sku.name is ${show(get(props, "sku", "name"))}; allowed: ${allowed.join(", ")}`);
  },
});

const BLOB_SERVICE = ["azure-native:storage:BlobServiceProperties"] as const;

export const blobServiceSoftDelete = resourcePolicy({
  name: "blob-service-soft-delete",
  description: "Blob and container soft delete are on with at least the configured retention (BAK-1).",
  controls: ["BAK-1"],
  severity: "high",
  remediation:
    "Set deleteRetentionPolicy and containerDeleteRetentionPolicy to { enabled: true, days: >= minRetentionDays } and leave allowPermanentDelete off.",
  types: BLOB_SERVICE,
  config: {
    minRetentionDays: {
      description: "Minimum blob and container soft-delete retention in days.",
      default: BLOB_SOFT_DELETE_DAYS.min,
      schema: { minimum: 1, maximum: BLOB_SOFT_DELETE_DAYS.max },
    },
  },
  check: ({ props }, cfg, report) => {
    for (const key of ["deleteRetentionPolicy", "containerDeleteRetentionPolicy"]) {
      const enabled = bool(props, key, "enabled");
      const days = num(props, key, "days");
      if (enabled !== true) report(`${key}.enabled is ${show(get(props, key, "enabled"))}; it must be true`);
      else if (days === undefined || days < cfg.minRetentionDays)
        report(
          `${key}.days is ${show(get(props, key, "days"))}; it must be at least ${cfg.minRetentionDays}`,
        );
      if (bool(props, key, "allowPermanentDelete") === true)
        report(`${key}.allowPermanentDelete is true; soft-deleted data must not be purgeable`);
    }
  },
});

export const blobServiceVersioning = resourcePolicy({
  name: "blob-service-versioning",
  description: "Blob versioning and the change feed are on, so overwritten blobs can be recovered (BAK-1).",
  controls: ["BAK-1"],
  severity: "medium",
  remediation: "Set isVersioningEnabled: true and changeFeed.enabled: true.",
  types: BLOB_SERVICE,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (bool(props, "isVersioningEnabled") !== true)
      report(`isVersioningEnabled is ${show(get(props, "isVersioningEnabled"))}; it must be true`);
    if (bool(props, "changeFeed", "enabled") !== true)
      report(`changeFeed.enabled is ${show(get(props, "changeFeed", "enabled"))}; it must be true`);
  },
});

export const blobServicePointInTimeRestore = resourcePolicy({
  name: "blob-service-point-in-time-restore",
  description:
    "Point-in-time restore is on, with a window shorter than the blob soft-delete retention as Azure requires (BAK-1).",
  controls: ["BAK-1"],
  severity: "medium",
  remediation:
    "Set restorePolicy { enabled: true, days: N } with N at least 1 and below deleteRetentionPolicy.days (versioning and change feed on).",
  types: BLOB_SERVICE,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (bool(props, "restorePolicy", "enabled") !== true) {
      report(`restorePolicy.enabled is ${show(get(props, "restorePolicy", "enabled"))}; it must be true`);
      return;
    }
    const days = num(props, "restorePolicy", "days");
    const softDelete = num(props, "deleteRetentionPolicy", "days");
    if (days === undefined || days < 1)
      report(`restorePolicy.days is ${show(get(props, "restorePolicy", "days"))}; it must be at least 1`);
    else if (softDelete !== undefined && days >= softDelete)
      report(`restorePolicy.days (${days}) must be shorter than deleteRetentionPolicy.days (${softDelete})`);
  },
});

export const blobContainerPrivate = resourcePolicy({
  name: "blob-container-private",
  description: "Blob containers allow no anonymous access (NET-1).",
  controls: ["NET-1"],
  severity: "critical",
  remediation: "Set publicAccess: None (or leave it unset) on the container.",
  types: ["azure-native:storage:BlobContainer"],
  config: {},
  check: ({ props }, _cfg, report) => {
    const access = get(props, "publicAccess");
    if (access !== undefined && access !== null && !eqi(access, "None"))
      report(`publicAccess is ${show(access)}; it must be None`);
  },
});

export const storagePolicies = [
  storageAccountEntraOnlyAuth,
  storageAccountNoPublicBlobAccess,
  storageAccountNoCrossTenantReplication,
  storageAccountTls,
  storageAccountInfrastructureEncryption,
  storageAccountCustomerManagedKey,
  storageAccountPrivateAccess,
  storageAccountGeoRedundant,
  blobServiceSoftDelete,
  blobServiceVersioning,
  blobServicePointInTimeRestore,
  blobContainerPrivate,
] as const;
