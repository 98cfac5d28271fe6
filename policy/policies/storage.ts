/**
 * Storage accounts, blob service properties and blob containers (ENC-1, ENC-2, IAM-1, TLS-1,
 * NET-1, BAK-1, AVL-1). Azure's defaults for several account settings are insecure (shared
 * keys on, public network access on, TLS 1.0 on older API versions, no infrastructure
 * encryption), so those must be set explicitly: a missing value is a violation.
 */
import {
  knownInputsWhenAnalyzed,
  propertyDependenciesOf,
  rememberKnownInputs,
  requireCmkParam,
  requireZoneParam,
  resourcePolicy,
  stackPolicy,
  type StackResource,
  type StackView,
} from "../lib/define";
import { bool, eqi, get, has, NOT_KNOWN, num, peek, show, str } from "../lib/props";
import {
  allowedDestinationsParam,
  computedFrom,
  destinationLocationsParam,
  destinationProblem,
  label,
  normalizedIdOf,
  peekSet,
  stackIndex,
} from "../lib/relations";
import { BLOB_SOFT_DELETE_DAYS } from "../../controls/limits";

const ACCOUNT = ["azure-native:storage:StorageAccount"] as const;
const GEO_SKUS = ["Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"];
const ZONE_GEO_SKUS = ["Standard_GZRS", "Standard_RAGZRS"];

export const storageAccountEntraOnlyAuth = resourcePolicy({
  name: "storage-account-entra-only-auth",
  description:
    "Storage accounts refuse shared keys, local users and NFS 3.0 (authorized by network location only) and default the portal to Entra ID (IAM-1): access is granted to managed identities by RBAC only.",
  controls: ["IAM-1"],
  severity: "high",
  remediation:
    "Set allowSharedKeyAccess: false, defaultToOAuthAuthentication: true, isLocalUserEnabled: false and leave isSftpEnabled and isNfsV3Enabled off; grant data-plane roles (Storage Blob Data Reader/Contributor) to managed identities.",
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
    // NFS 3.0 requests carry no identity: Azure authorizes them by network location only (no
    // Entra ID, keys or ACLs), so anything that reaches the endpoint reads and writes every container.
    if (bool(props, "isNfsV3Enabled") === true)
      report(
        "isNfsV3Enabled is true; NFS 3.0 requests are authorized by network location only, never by Entra ID",
      );
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
    // Queues and tables default to a Microsoft-managed service key (fixed at creation): the
    // account key must cover them too.
    for (const service of ["queue", "table"]) {
      const keyType = get(props, "encryption", "services", service, "keyType");
      if (!eqi(keyType, "Account"))
        report(
          `encryption.services.${service}.keyType is ${show(keyType)}; it must be Account so the customer-managed key covers ${service}s (Service means a Microsoft-managed key)`,
        );
    }
  },
});

export const storageEncryptionScopeCustomerKey = resourcePolicy({
  name: "storage-encryption-scope-customer-key",
  description:
    "When customer-managed keys are required, every storage encryption scope encrypts with a Key Vault key: a Microsoft-managed scope lets blobs written with it bypass the customer-managed key (ENC-2).",
  controls: ["ENC-2"],
  severity: "high",
  remediation:
    "Set source: Microsoft.KeyVault and keyVaultProperties.keyUri to a versionless key URI of the stack's vault, or delete the scope.",
  types: ["azure-native:storage:EncryptionScope"],
  config: { requireCustomerManagedKey: requireCmkParam },
  check: ({ props }, cfg, report) => {
    if (!cfg.requireCustomerManagedKey) return;
    if (!eqi(get(props, "source"), "Microsoft.KeyVault"))
      report(
        `source is ${show(get(props, "source"))}; it must be Microsoft.KeyVault (Azure's default is Microsoft.Storage)`,
      );
    else if (!has(props, "keyVaultProperties", "keyUri")) report("keyVaultProperties.keyUri is not set");
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

const ACCOUNT_TYPE = "azure-native:storage:StorageAccount" as const;
const BLOB_TYPE = "azure-native:storage:BlobServiceProperties" as const;

/** The storage account an account-child resource belongs to: by the child's ID, its accountName, or its dependencies. */
function accountFor(child: StackResource, accounts: readonly StackResource[]): StackResource[] {
  const childId = normalizedIdOf(child);
  const name = peek(child.props, "accountName");
  // Not known yet (a first preview: the account's name has a random suffix): only the account
  // the input was computed from (its propertyDependencies) counts, as for every other reference.
  const from =
    name === NOT_KNOWN ? new Set(propertyDependenciesOf(child, "accountName").map((d) => d.urn)) : undefined;
  return accounts.filter((a) => {
    const id = normalizedIdOf(a);
    if (childId !== undefined && id !== undefined) return childId.startsWith(`${id}/`);
    if (from) return from.has(a.urn);
    const own = [peek(a.props, "accountName"), peek(a.props, "name")];
    // A child naming an account by a known name is not the child of an account whose name is not known yet.
    if (typeof name === "string" && own[0] === NOT_KNOWN) return false;
    const accountName = own.find((n): n is string => typeof n === "string");
    if (typeof name === "string" && accountName !== undefined)
      return name.toLowerCase() === accountName.toLowerCase();
    // Neither name readable: only the account the child's accountName was computed from.
    return computedFrom(child, a, "accountName");
  });
}

export const storageBlobServiceRequired = stackPolicy({
  name: "storage-blob-service-required",
  description:
    "Every storage account of the stack has its blob service properties in the stack: deleting that resource silently drops soft delete, versioning, change feed, point-in-time restore and the blob audit logs that hang off it (BAK-1, LOG-1).",
  controls: ["BAK-1", "LOG-1"],
  severity: "high",
  remediation:
    "Keep a storage.BlobServiceProperties (blobServicesName: default) for the account with the soft delete, versioning and restore settings (components: StorageAccount).",
  types: [ACCOUNT_TYPE, BLOB_TYPE],
  config: {},
  check: (stack, _cfg, report) => {
    const accounts = stack.ofType(ACCOUNT_TYPE);
    const covered = new Set<StackResource>();
    for (const blob of stack.ofType(BLOB_TYPE)) for (const a of accountFor(blob, accounts)) covered.add(a);
    for (const account of accounts)
      if (!covered.has(account))
        report(
          `${label(account)} has no blob service properties in the stack: soft delete, versioning and restore are off`,
          account.urn,
        );
  },
});

/** An account child's storage account as its own props and ID say: the account's ID and name (lower-case). */
interface AccountRef {
  id?: string;
  name?: string;
}
/** A storage account's ID at the start of a child's (`.../storageAccounts/{a}/blobServices/default/containers/{c}`). */
const IN_ACCOUNT_ID = /^(.*\/providers\/microsoft\.storage\/storageaccounts\/([^/]+))\/./;

// A child being created in a preview shows neither its accountName (a path parameter) nor its ID:
// the name is the input the resource policies saw (`accountRefOf`).
rememberKnownInputs(
  ["azure-native:storage:BlobContainer", "azure-native:storage:EncryptionScope"],
  ["accountName"],
);

function accountRefOf(child: StackResource): AccountRef {
  const inAccount = normalizedIdOf(child)?.match(IN_ACCOUNT_ID);
  const shown = peek(child.props, "accountName");
  const name = typeof shown === "string" ? shown : knownInputsWhenAnalyzed(child.urn)?.inputs.accountName;
  return {
    ...(inAccount ? { id: inAccount[1] } : {}),
    ...(typeof name === "string" ? { name: name.toLowerCase() } : inAccount ? { name: inAccount[2] } : {}),
  };
}

/** An encryption scope of the stack: its name (lower-case), its account, whether it uses a Key Vault key. */
interface ScopeEntry {
  scope: StackResource;
  account: AccountRef;
  keyVault: boolean;
}

/** The stack's encryption scopes by name (lower-case): accounts may hold scopes of the same name. */
function encryptionScopes(stack: StackView): Map<string, ScopeEntry[]> {
  const scopes = new Map<string, ScopeEntry[]>();
  for (const scope of stack.ofType("azure-native:storage:EncryptionScope")) {
    const name = (
      str(scope.props, "encryptionScopeName") ??
      str(scope.props, "name") ??
      scope.name
    ).toLowerCase();
    const entry = {
      scope,
      account: accountRefOf(scope),
      keyVault: eqi(get(scope.props, "source"), "Microsoft.KeyVault"),
    };
    const list = scopes.get(name);
    if (list) list.push(entry);
    else scopes.set(name, [entry]);
  }
  return scopes;
}

/**
 * Whether a container (`ref`: `accountRefOf(container)`) may be in the account of an encryption
 * scope: by account ID where both IDs are known (a deployed stack: the outputs carry no
 * `accountName`, a path parameter), by account name where both are (a storage account's name is
 * unique in Azure: Microsoft's "Storage account overview", naming rules; in a preview, the name
 * the program sent, as the resource policies saw it), else unless the storage
 * accounts of the stack each belongs to (`accountFor`: its ID, its name, what its accountName was
 * computed from) say two different accounts. Before, a scope was matched by its name alone at `up`:
 * a container of one account naming a scope only another account has passed.
 */
function mayShareAccount(
  container: StackResource,
  ref: AccountRef,
  entry: ScopeEntry,
  accounts: readonly StackResource[],
): boolean {
  if (ref.id !== undefined && entry.account.id !== undefined) return ref.id === entry.account.id;
  if (ref.name !== undefined && entry.account.name !== undefined) return ref.name === entry.account.name;
  const ofContainer = accountFor(container, accounts);
  const ofScope = accountFor(entry.scope, accounts);
  return ofContainer.length === 0 || ofScope.length === 0 || ofContainer.some((a) => ofScope.includes(a));
}

export const blobContainerEncryptionScope = stackPolicy({
  name: "blob-container-encryption-scope",
  description:
    "When customer-managed keys are required, a blob container's default encryption scope is a scope of this stack that uses a Key Vault key, so new blobs are not written under a Microsoft-managed key (ENC-2).",
  controls: ["ENC-2"],
  severity: "high",
  remediation:
    "Remove defaultEncryptionScope (the account's customer-managed key applies) or name a storage.EncryptionScope of the stack with source Microsoft.KeyVault.",
  types: ["azure-native:storage:BlobContainer", "azure-native:storage:EncryptionScope"],
  config: { requireCustomerManagedKey: requireCmkParam },
  check: (stack, cfg, report) => {
    if (!cfg.requireCustomerManagedKey) return;
    const scopes = encryptionScopes(stack);
    const accounts = stack.ofType(ACCOUNT_TYPE);
    for (const container of stack.ofType("azure-native:storage:BlobContainer")) {
      // None, or one the program never set (unknown in a preview all the same: `peekSet`).
      const scope = peekSet(container, "defaultEncryptionScope");
      if (scope === undefined || scope === null || scope === "") continue;
      if (scope === NOT_KNOWN) {
        // Preview: a scope name computed from a scope being created must come from a Key Vault
        // scope of the stack, by what this input is computed from (propertyDependencies), as every
        // other reference must: a `dependsOn` on a Key Vault scope next to a name computed from
        // anything else passed, and at `up` this stack policy runs after the container exists.
        const sources = new Set(
          propertyDependenciesOf(container, "defaultEncryptionScope").map((d) => d.urn),
        );
        const fromKeyVaultScope = stack
          .ofType("azure-native:storage:EncryptionScope")
          .some((s) => sources.has(s.urn) && eqi(get(s.props, "source"), "Microsoft.KeyVault"));
        if (!fromKeyVaultScope)
          report(
            `${label(container)}: default encryption scope is not known yet and does not come from an encryption scope of this stack that uses a Key Vault key`,
            container.urn,
          );
        continue;
      }
      // Every scope of that name the container's account may hold must use a Key Vault key (one
      // only, once the IDs are known), and there must be one.
      const ref = accountRefOf(container);
      const candidates =
        typeof scope === "string"
          ? (scopes.get(scope.toLowerCase()) ?? []).filter((e) =>
              mayShareAccount(container, ref, e, accounts),
            )
          : [];
      if (candidates.length === 0 || candidates.some((e) => !e.keyVault))
        report(
          `${label(container)}: default encryption scope ${show(scope)} ${candidates.length > 0 ? "uses a Microsoft-managed key" : "is not an encryption scope of this stack in the container's storage account"}; it must use a Key Vault key`,
          container.urn,
        );
    }
  },
});

export const storageObjectReplicationInStack = stackPolicy({
  name: "storage-object-replication-in-stack",
  description:
    "Object replication copies blobs only between storage accounts of this stack in allowed regions: never out to another environment's or a foreign account, nor in from one (RES-1, ENV-1).",
  controls: ["RES-1", "ENV-1"],
  severity: "critical",
  remediation:
    "Replicate only between the stack's own accounts (full resource IDs), both in allowed regions; list a reviewed account in allowedDestinations.",
  types: ["azure-native:storage:ObjectReplicationPolicy"],
  config: { allowedDestinations: allowedDestinationsParam, allowedLocations: destinationLocationsParam },
  check: (stack, cfg, report) => {
    const index = stackIndex(stack);
    const accounts = stack.ofType(ACCOUNT_TYPE);
    // Peeked: a name not known yet (preview) must not make the policy skip every replication.
    const nameOf = (a: StackResource) => {
      for (const key of ["accountName", "name"]) {
        const v = peek(a.props, key);
        if (typeof v === "string" && v !== "") return v.toLowerCase();
      }
      return "";
    };
    const names = new Map(accounts.map((a) => [nameOf(a), a]));
    const isAccount = (r: StackResource) => r.canonical === ACCOUNT_TYPE;
    for (const policy of stack.ofType("azure-native:storage:ObjectReplicationPolicy")) {
      for (const key of ["sourceAccount", "destinationAccount"]) {
        let value = peek(policy.props, key);
        // A bare account name (allowed when cross-tenant replication is on): one of the stack's accounts, by ID.
        if (typeof value === "string" && !value.includes("/")) {
          const account = names.get(value.trim().toLowerCase());
          if (account === undefined) {
            report(
              `${label(policy)}: ${key} ${show(value)} is not a storage account of this stack`,
              policy.urn,
            );
            continue;
          }
          value = peek(account.props, "id") ?? NOT_KNOWN;
          if (value === NOT_KNOWN) continue;
        }
        // Not known yet (preview): only what this input was computed from counts.
        const problem = destinationProblem(index, policy, key, value, cfg, isAccount, stack, () =>
          propertyDependenciesOf(policy, key),
        );
        if (problem) report(`${label(policy)}: ${problem}`, policy.urn);
      }
    }
  },
});

export const storagePolicies = [
  storageAccountEntraOnlyAuth,
  storageAccountNoPublicBlobAccess,
  storageAccountNoCrossTenantReplication,
  storageAccountTls,
  storageAccountInfrastructureEncryption,
  storageAccountCustomerManagedKey,
  storageEncryptionScopeCustomerKey,
  storageAccountPrivateAccess,
  storageAccountGeoRedundant,
  blobServiceSoftDelete,
  blobServiceVersioning,
  blobServicePointInTimeRestore,
  blobContainerPrivate,
  storageBlobServiceRequired,
  blobContainerEncryptionScope,
  storageObjectReplicationInStack,
] as const;
