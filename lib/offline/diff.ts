/**
 * The change preview: what `pulumi up` would do to a stack whose last state is an earlier
 * export (`npm run plan -- --export`, or a real `pulumi stack export`), and which of those
 * operations Azure or Pulumi would refuse. See docs/offline-plan.md, "Change preview".
 *
 * - Creates, updates, replaces and deletes are keyed by URN. A changed input replaces the
 *   resource when azure-native treats it as create-only: every ARM path parameter (resource
 *   group, parent and own name, `scope`, `resourceUri`; pulumi-azure-native
 *   `provider/pkg/provider/diff.go`), `location` (ARM RPC: `x-ms-mutability: [read, create]`),
 *   and the per-type properties in `CREATE_ONLY`. azure-native deletes a replaced resource first
 *   (unless randomly auto-named), and the engine then replaces what names it in a create-only
 *   input or path parameter too (`replaceDependents`).
 * - An update of an input Azure refuses to change in place (`UPDATE_REFUSED`) or accepts and
 *   ignores (`UPDATE_IGNORED`: a Key Vault key) fails, naming the input.
 * - A delete or replace (a replace deletes the old resource) of a stateful resource is data
 *   loss (BAK-2) and fails; so does one of a resource `protect`ed in the old state (Pulumi
 *   refuses).
 * - A `CanNotDelete`/`ReadOnly` lock refuses deleting anything at or under its scope: child
 *   resources, extension resources (role assignments, diagnostic settings; Azure answers
 *   `ScopeLocked`, MicrosoftDocs/azure-docs#110791, microsoft/AzureTRE#1164) and a private
 *   endpoint whose target is locked (the endpoint connection proxy lives under the target,
 *   hashicorp/terraform-provider-azurerm#17478). The lock window (scripts/lock-window.ts)
 *   lifts resource-scoped locks of this program for the deploy; a delete it cannot cover fails.
 * - A delete the deploy identity may not make fails (`unauthorized`, judged by the caller's
 *   `canDelete`): a role assignment whose role the RBAC administrator's condition no longer lists.
 */
import * as fs from "fs";
import { canonicalType } from "../../policy/lib/azureTypes";
import { LOCK_TYPES, STATEFUL } from "../../policy/policies/dataStores";
import { pathParameters } from "./armIds";
import { parseStackExport } from "./export";
import {
  SIG_KEY,
  StackExportError,
  type NormalizedExportResource,
  type NormalizedStackExport,
  type StackExport,
} from "../../policy/common/pulumiFormat";
import { candidateAliases } from "./aliases";

export type ChangeOp = "create" | "update" | "replace" | "delete";

/** A create-only input that changed, and why it forces a new resource. */
export interface ReplaceReason {
  property: string;
  reason: string;
}

/**
 * What makes a delete (or the delete half of a replace) fail, or what the lock window does about
 * it; for an update, an input Azure refuses to change (`update-refused`: the deploy fails) or
 * silently keeps (`update-ignored`: the deploy succeeds and changes nothing).
 */
export type FindingKind =
  | "data-loss"
  | "protected"
  | "scope-locked"
  | "lock-window"
  | "update-refused"
  | "update-ignored"
  | "unauthorized";

/**
 * Whether the identity that deploys may delete an old resource: given the old state and the URNs
 * the change deletes or replaces, a function answering each delete with the refusal (why, and what
 * to do instead) or undefined. Supplied by the caller (lib/offline/permissions.ts
 * roleAssignmentDeleteCheck, from deploy/identities.yaml), so this module stays pure.
 */
export type DeletePermissionCheck = (
  olds: readonly NormalizedExportResource[],
  removed: ReadonlySet<string>,
) => (old: NormalizedExportResource) => string | undefined;

export interface Finding {
  kind: FindingKind;
  message: string;
  /** For update findings: the input (dotted path) that changed. */
  property?: string;
  /** For lock findings: the lock's ARM ID and URN. */
  lock?: { id: string; urn: string; scope: string };
}

export interface ResourceChange {
  urn: string;
  type: string;
  op: ChangeOp;
  /** Top-level inputs that differ (update and replace). */
  changed: string[];
  /** Replace only: the create-only inputs that changed. */
  replaceReasons: ReplaceReason[];
  /** Delete and replace: the old resource's ARM ID. */
  id?: string;
  /** Update and replace of a resource found in the old state through an alias: its old URN. */
  from?: string;
  findings: Finding[];
}

/** A lock the deploy must lift for this change, with the deletes it lets through. */
export interface LockToLift {
  id: string;
  urn: string;
  scope: string;
  for: string[];
}

export interface ChangePreview {
  /** Version of this JSON shape (documented in docs/offline-plan.md). */
  version: 1;
  stack: string;
  from: string;
  summary: Record<ChangeOp | "same", number> & { failures: number };
  changes: ResourceChange[];
  lockWindow: LockToLift[];
  /** Every failing finding, flattened: `{urn, kind, message}`. */
  failures: { urn: string; kind: FindingKind; message: string }[];
}

/** Why a stateful type's deletion loses data (types from the BAK-2 policy, plus their data children). */
const DATA_LOSS: Readonly<Record<string, string>> = {
  "azure-native:storage:StorageAccount": "the storage account holds customer data",
  "azure-native:storage:BlobContainer": "the container's blobs are deleted with it",
  "azure-native:dbforpostgresql:Server": "the PostgreSQL server holds customer data and its backups",
  "azure-native:dbforpostgresql:Database": "the database's data is deleted with it",
  "azure-native:redisenterprise:RedisEnterprise": "the Redis cluster holds cached and persisted data",
  "azure-native:redisenterprise:Database": "the Redis database's data is deleted with it",
  "azure-native:redis:Redis": "the Redis cache holds cached and persisted data",
  "azure-native:keyvault:Vault": "the vault holds the keys and secrets the platform depends on",
  "azure-native:keyvault:Key":
    "a customer-managed key: data encrypted with it becomes unreadable once it is gone",
  "azure-native:operationalinsights:Workspace": "the workspace holds the audit and diagnostic logs",
};

/** Every type in the BAK-2 policy's list must say why here (checked at load). */
for (const type of STATEFUL) {
  if (!(type in DATA_LOSS)) throw new Error(`lib/offline/diff.ts: no data-loss reason for ${type}`);
}

const MUTABILITY = "x-ms-mutability [create, read]: azure-native replaces";

/**
 * Create-only inputs beyond the ARM path and `location`, per canonical type: what azure-native
 * replaces the resource for, i.e. its `forceNew` set (`provider/pkg/gen/replacement.go`) plus
 * every property whose `x-ms-mutability` lacks `update` in the REST spec of the API version it
 * uses. A path ends in `[]` segments for array items. Each entry says why.
 */
export const CREATE_ONLY: Readonly<Record<string, readonly ReplaceReason[]>> = {
  "azure-native:authorization:RoleAssignment": [
    // forceNew: principalId, scope (scope is a path parameter). Not roleDefinitionId: a new role
    // on the same assignment name is an in-place PUT. Our component names the assignment after
    // principal, role and scope, so for ours a role change is a new name: a replace anyway.
    {
      property: "principalId",
      reason: "azure-native forceNew; Azure refuses to update it (RoleAssignmentUpdateNotPermitted)",
    },
  ],
  "azure-native:network:PrivateEndpoint": [
    // forceNew: subnet only (pulumi-azure-native#3883); its connections update in place.
    { property: "subnet", reason: "azure-native forceNew: the endpoint's NIC and IP live in its subnet" },
  ],
  "azure-native:app:ManagedEnvironment": [
    // Microsoft.App 2025-07-01 ManagedEnvironments.json.
    { property: "vnetConfiguration.infrastructureSubnetId", reason: MUTABILITY },
    { property: "vnetConfiguration.internal", reason: MUTABILITY },
    { property: "vnetConfiguration.dockerBridgeCidr", reason: MUTABILITY },
    { property: "vnetConfiguration.platformReservedCidr", reason: MUTABILITY },
    { property: "vnetConfiguration.platformReservedDnsIP", reason: MUTABILITY },
    { property: "zoneRedundant", reason: MUTABILITY },
    { property: "infrastructureResourceGroup", reason: MUTABILITY },
  ],
  "azure-native:app:ContainerApp": [
    // Microsoft.App ContainerApps.json: an app cannot move to another environment.
    { property: "environmentId", reason: MUTABILITY },
    { property: "managedEnvironmentId", reason: MUTABILITY },
  ],
  "azure-native:app:Job": [
    // Microsoft.App 2025-02-02-preview Jobs.json: a job cannot move to another environment either.
    { property: "environmentId", reason: MUTABILITY },
  ],
  "azure-native:dbforpostgresql:Server": [
    // Microsoft.DBforPostgreSQL 2025-08-01 Servers.json. Not createMode: [create, update].
    { property: "administratorLogin", reason: MUTABILITY },
    { property: "availabilityZone", reason: MUTABILITY },
    { property: "backup.geoRedundantBackup", reason: MUTABILITY },
    { property: "sourceServerResourceId", reason: MUTABILITY },
    { property: "pointInTimeUTC", reason: "x-ms-mutability [create]: azure-native replaces" },
  ],
  "azure-native:storage:StorageAccount": [
    { property: "isHnsEnabled", reason: "azure-native forceNew (hierarchical namespace)" },
  ],
  "azure-native:operationalinsights:Workspace": [
    // Microsoft.OperationalInsights 2025-02-01 Workspaces.json (nothing else is marked).
    { property: "replication.location", reason: MUTABILITY },
  ],
  "azure-native:redisenterprise:Database": [
    // Microsoft.Cache 2025-07-01 redisenterprise.json.
    { property: "port", reason: MUTABILITY },
    { property: "modules", reason: MUTABILITY },
    { property: "geoReplication", reason: MUTABILITY },
  ],
};

/** An update rule: when it applies (default: any change of the input). */
interface UpdateRule extends ReplaceReason {
  applies?: (old: unknown, next: unknown) => boolean;
  /** Only while other resources of the old state point at this one (its ARM ID in their inputs). */
  whileInUse?: boolean;
  /** What to do instead (default: keep the old value, or create a new resource under a new name). */
  instead?: string;
}

/** Azure Managed Redis Flash Optimized SKUs (`FlashOptimized_A250`, ...): data partly on NVMe. */
const isFlashSku = (sku: string) => /^FlashOptimized_/i.test(sku);

/** Storage SKUs that keep copies in three zones (`Standard_ZRS`, `Standard_GZRS`, `Standard_RAGZRS`, ...). */
const isZonalStorageSku = (sku: string) => /ZRS$/i.test(sku);

/** Azure Virtual Network FAQ: a subnet can be resized only "if there are no VMs or services deployed within it". */
const SUBNET_IN_USE: Omit<UpdateRule, "property"> = {
  whileInUse: true,
  reason:
    "a subnet's address range cannot change while resources are deployed in it (Azure answers InUsePrefixCannotBeDeleted)",
  instead:
    "keep the range; to move, add a subnet with the new range and recreate what is in it there (the Container Apps environment's subnet is fixed at its creation)",
};

/** Once true, never false again (Key Vault soft delete, purge protection). */
const fromTrue = (old: unknown) => old === true;

/** Managed Redis persistence: on an existing database, a mode once enabled stays enabled. */
const PERSISTENCE_STAYS: Omit<UpdateRule, "property"> = {
  reason: "Azure Managed Redis persistence cannot be disabled once enabled, nor switched between AOF and RDB",
  applies: (old, next) => old === true && next !== true,
  instead:
    "keep the current persistence mode (the RDB interval may change); to drop or switch it, create a new cache and move the data (export/import)",
};

/**
 * Inputs azure-native updates in place (not create-only by the rules above) that Azure refuses
 * to change on an existing resource: the deploy fails half-way. Each entry says why.
 */
export const UPDATE_REFUSED: Readonly<Record<string, readonly UpdateRule[]>> = {
  "azure-native:dbforpostgresql:Server": [
    {
      property: "dataEncryption.type",
      reason:
        "no x-ms-mutability, but customer-managed vs service-managed key is fixed when the server is created",
    },
    {
      property: "network.delegatedSubnetResourceId",
      reason: "required at creation; on update only the private DNS zone may change (Servers.json)",
    },
    {
      // Major version upgrades are in place; "there are no automated ways to revert to the earlier
      // version" (Microsoft's "Major version upgrades" for flexible server).
      property: "version",
      reason: "a flexible server's major version can only be upgraded in place, never lowered",
      applies: (old, next) => Number(next) < Number(old),
      instead:
        "keep the current version (or a later one); an earlier version needs a point-in-time restore to a new server",
    },
    {
      // Microsoft's "Scale operations" guide for flexible server: "You can't scale down the storage."
      property: "storage.storageSizeGB",
      reason: "a flexible server's storage can only grow; Azure refuses a smaller size",
      applies: (old, next) => typeof old === "number" && typeof next === "number" && next < old,
      instead:
        "keep the current size (or a larger one); moving to less storage needs a new server and a restore",
    },
  ],
  "azure-native:keyvault:Vault": [
    {
      property: "properties.enablePurgeProtection",
      reason: "enabling purge protection is irreversible: the property does not accept false",
      applies: fromTrue,
      instead: "keep it true",
    },
    {
      property: "properties.enableSoftDelete",
      reason: "once set to true, soft delete cannot be reverted to false",
      applies: fromTrue,
      instead: "keep it true",
    },
    {
      // Key Vault soft-delete overview: "Once set, the retention policy interval cannot be changed."
      property: "properties.softDeleteRetentionInDays",
      reason: "the soft-delete (and purge-protection) retention interval is fixed when the vault is created",
      instead: "keep the old interval, or move the keys and secrets to a new vault",
    },
  ],
  "azure-native:network:Subnet": [
    { property: "addressPrefix", ...SUBNET_IN_USE },
    { property: "addressPrefixes", ...SUBNET_IN_USE },
  ],
  "azure-native:storage:StorageAccount": [
    {
      // Microsoft's "Change how a storage account is replicated": geo-replication and read access
      // change by updating the SKU; adding or removing zone redundancy is a conversion
      // (startAccountMigration). An account update that does it fails (StorageAccountTypeConversionNotAllowed,
      // hashicorp/terraform-provider-azurerm#6526; "Request parameter values are invalid: sku", MicrosoftDocs/azure-docs#96815).
      property: "sku.name",
      reason: "adding or removing zone redundancy is a conversion, not an account update",
      applies: (old, next) =>
        typeof old === "string" &&
        typeof next === "string" &&
        isZonalStorageSku(old) !== isZonalStorageSku(next),
      instead:
        "convert first (`az storage account migration start --sku <new SKU>`), and set the new SKU once the conversion has finished; change geo-replication or read access in a separate step",
    },
    {
      // Microsoft's "Enable infrastructure encryption for double encryption of data": "Infrastructure
      // encryption cannot be enabled or disabled after the account has been created." azure-native
      // replaces a storage account only for isHnsEnabled and location (provider/pkg/gen/replacement.go),
      // and storage.json 2024-01-01 marks no mutability (Encryption.requireInfrastructureEncryption:
      // no x-ms-mutability, checked in Azure/azure-rest-api-specs), so the change goes out as an
      // account PUT, which Azure refuses: "The property 'requireInfrastructureEncryption' was
      // specified in the input, but it cannot be updated as it is read-only" (Azure/ResourceModules
      // #4466). Absent is off: an account created without it cannot have it added. (That issue hit
      // `false` sent to an account read back without the property; whether Azure refuses absent ->
      // false too is not settled, so the plan does not refuse it.)
      property: "encryption.requireInfrastructureEncryption",
      reason: "infrastructure (double) encryption is fixed when the storage account is created",
      applies: (old, next) => (old === true) !== (next === true),
      instead:
        "keep the account's setting; to change it, create a new account with it and copy the data (azcopy or object replication)",
    },
  ],
  "azure-native:redisenterprise:RedisEnterprise": [
    {
      // Microsoft's "Scale an Azure Managed Redis instance", limitations: "You can't scale from the
      // Memory Optimized, Balanced, or Compute Optimized tiers to the Flash Optimized tier, or vice-versa."
      property: "sku.name",
      reason: "Azure Managed Redis cannot scale between the in-memory tiers and Flash Optimized",
      applies: (old, next) =>
        typeof old === "string" && typeof next === "string" && isFlashSku(old) !== isFlashSku(next),
      instead: "stay on the tier family, or create a new cluster and move the data (export/import)",
    },
    {
      // Microsoft.Cache redisEnterprise `highAvailability`: "Enabled by default. Can only be updated
      // from disabled to enabled." (Azure/azure-powershell src/RedisEnterpriseCache, -HighAvailability
      // of New-/Update-AzRedisEnterpriseCache, API 2025-07-01). Absent means Azure's default, Enabled.
      property: "highAvailability",
      reason: "an Azure Managed Redis cluster's high availability can only be turned on, never off",
      applies: (old, next) => old !== "Disabled" && next === "Disabled",
      instead:
        "keep it Enabled (a dev stack that was zone redundant keeps a replicated cache), or create a new cluster without it and move the data (export/import)",
    },
  ],
  "azure-native:redisenterprise:Database": [
    {
      property: "clusteringPolicy",
      reason: "it can change only from NoCluster; OSSCluster or EnterpriseCluster need a new database",
      applies: (old) => old !== "NoCluster",
    },
    // Persistence can be added to an existing cache and the RDB interval changed (Microsoft's
    // "Configure data persistence for an Azure Managed Redis instance", FAQ), but Microsoft's own
    // tools say it cannot be turned off again: "After enabling AOF [RDB] persistence, you will be
    // unable to disable it" (Update-AzRedisEnterpriseCacheDatabase -AofPersistenceEnabled /
    // -RdbPersistenceEnabled; az redisenterprise database update --persistence). AOF and RDB are
    // exclusive ("at most one of AOF or RDB persistence may be enabled", redisenterprise.json
    // 2025-07-01), so switching one for the other disables the first: refused too. (The azurerm
    // provider's acceptance test sends none -> RDB -> AOF -> none as updates; no published result.)
    { property: "persistence.aofEnabled", ...PERSISTENCE_STAYS },
    { property: "persistence.rdbEnabled", ...PERSISTENCE_STAYS },
  ],
};

/**
 * Inputs whose in-place update reports success and changes nothing in Azure. ARM key create
 * "creates the first version of a new key if it does not exist ... does not update existing
 * keys" (Keys_CreateIfNotExist), and azure-native does not force a new key on any of them.
 */
const KEY_IGNORED = "ARM key create does not update an existing key: Azure keeps the old value";
export const UPDATE_IGNORED: Readonly<Record<string, readonly UpdateRule[]>> = {
  "azure-native:keyvault:Key": [
    "properties.kty",
    "properties.keySize",
    "properties.curveName",
    "properties.keyOps",
    "properties.rotationPolicy",
    "properties.attributes",
    "properties.releasePolicy",
    "tags",
  ].map((property) => ({
    property,
    reason: KEY_IGNORED,
    instead: "create a new key under a new name and keep the old one until nothing uses it",
  })),
};

const SECRET = "[secret]";
/** How `pulumi preview --json` writes a value not known until the deploy (the engine's `UnknownStringValue`). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Values as compared: secrets (ciphertext, `[secret]`) are equal to each other, as they cannot be compared. */
function comparable(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(comparable);
  const obj = value as Record<string, unknown>;
  if (SIG_KEY in obj) return SECRET;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) out[key] = comparable(obj[key]);
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(comparable(a)) === JSON.stringify(comparable(b));
}

/** Values at a dotted path (`a.b`, `a[].b`): one per array item. */
function valuesAt(value: unknown, path: string): unknown[] {
  let current: unknown[] = [value];
  for (const segment of path.split(".")) {
    const isArray = segment.endsWith("[]");
    const key = isArray ? segment.slice(0, -2) : segment;
    current = current.flatMap((v) => {
      if (v === null || typeof v !== "object" || Array.isArray(v)) return [undefined];
      const next = (v as Record<string, unknown>)[key];
      return isArray ? (Array.isArray(next) ? (next as unknown[]) : [undefined]) : [next];
    });
  }
  return current;
}

/** `location` as azure-native compares it: case and spaces do not matter. */
function normalizedLocation(value: unknown): unknown {
  return typeof value === "string" ? value.replace(/\s+/g, "").toLowerCase() : value;
}

function replaceReasons(
  type: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): ReplaceReason[] {
  const reasons: ReplaceReason[] = [];
  for (const param of pathParameters(type)) {
    if (!same(olds[param], news[param])) {
      reasons.push({ property: param, reason: "part of the resource's ARM ID (name, parent or scope)" });
    }
  }
  if (
    ("location" in olds || "location" in news) &&
    normalizedLocation(olds.location) !== normalizedLocation(news.location)
  ) {
    reasons.push({ property: "location", reason: "a resource cannot move to another region" });
  }
  for (const entry of CREATE_ONLY[canonicalType(type) ?? type] ?? []) {
    if (!same(valuesAt(olds, entry.property), valuesAt(news, entry.property))) reasons.push(entry);
  }
  return reasons;
}

/** Inputs of an in-place update that Azure refuses or ignores (`UPDATE_REFUSED`, `UPDATE_IGNORED`). */
export function updateFindings(
  type: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  /** URNs of the old state's resources that point at this one (`whileInUse` rules). */
  usedBy: readonly string[] = [],
): Finding[] {
  const canonical = canonicalType(type) ?? type;
  const findings: Finding[] = [];
  const tables: [FindingKind, string, Readonly<Record<string, readonly UpdateRule[]>>][] = [
    ["update-refused", "Azure refuses this update, the deploy fails", UPDATE_REFUSED],
    ["update-ignored", "Azure ignores this update: it reports success and changes nothing", UPDATE_IGNORED],
  ];
  for (const [kind, what, table] of tables) {
    for (const entry of table[canonical] ?? []) {
      const before = valuesAt(olds, entry.property);
      const after = valuesAt(news, entry.property);
      // A value a real preview does not know yet cannot be judged.
      if (same(before, after) || JSON.stringify(after).includes(UNKNOWN)) continue;
      if (entry.applies && !before.some((b, i) => entry.applies?.(b, after[i]))) continue;
      if (entry.whileInUse && usedBy.length === 0) continue;
      const users = entry.whileInUse ? `; in use by ${usedBy.join(", ")}` : "";
      findings.push({
        kind,
        property: entry.property,
        message: `${what}: ${entry.property} changed (${entry.reason}${users}); instead: ${entry.instead ?? "keep the old value, or create a new resource under a new name"}`,
      });
    }
  }
  return findings;
}

/**
 * URNs of the resources in `resources` whose inputs name `id` (an ARM ID, any case), other than
 * itself: what keeps a subnet in use (endpoints, an environment's infrastructure subnet).
 */
export function resourcesPointingAt(
  id: string | undefined,
  resources: readonly NormalizedExportResource[],
): string[] {
  if (!id) return [];
  const target = JSON.stringify(norm(id)); // quoted: a longer ID that starts with it is not a match
  return resources
    .filter((r) => r.id !== id && JSON.stringify(r.inputs).toLowerCase().includes(target))
    .map((r) => r.urn);
}

const isLockType = (type: string) => {
  const canonical = canonicalType(type);
  return canonical !== undefined && LOCK_TYPES.includes(canonical);
};

/**
 * Resources the change preview compares: custom, not providers, not external reads, and not
 * old copies already pending deletion (`delete: true` in a real export, left by an earlier
 * replace; the engine deletes them anyway).
 */
function tracked(r: NormalizedExportResource): boolean {
  return r.custom && !r.type.startsWith("pulumi:providers:") && r.external !== true && r.delete !== true;
}

function norm(id: string): string {
  return id.replace(/\/+$/, "").toLowerCase();
}

/**
 * Types whose azure-native Delete sends no ARM DELETE, and which locks therefore stand in the way of:
 * - `put`: a PUT, which a CanNotDelete lock (DELETE only) does not refuse and a ReadOnly lock (PUT
 *   too) does. A PostgreSQL server parameter cannot be deleted, so azure-native reads its default
 *   value and PUTs it back with its source (pulumi/pulumi-azure-native provider/pkg/resources/
 *   customresources/custom_postgres_config.go, as `az postgres flexible-server parameter set` does).
 *   A type whose REST path has no DELETE is a singleton to azure-native (provider/pkg/gen/schema.go
 *   isSingleton), and its Delete PUTs the type's default body (provider/pkg/provider/provider.go
 *   Delete; provider/pkg/openapi/defaults/defaultResourcesState.go): blobServices has PUT and GET
 *   only (storage blob.json 2024-01-01).
 * - `data-plane`: a call to the service's own endpoint, which no lock covers: "Locks only apply to
 *   control plane Azure operations and not to data plane operations" (Microsoft's "Lock your
 *   resources"). Key Vault keys and secrets have no ARM DELETE, so azure-native deletes them through
 *   the vault's data plane (custom_keyvault.go: azkeys DeleteKey, azsecrets DeleteSecret).
 */
const DELETE_REQUEST: Readonly<Record<string, "put" | "data-plane">> = {
  "azure-native:dbforpostgresql:Configuration": "put",
  "azure-native:storage:BlobServiceProperties": "put",
  "azure-native:keyvault:Key": "data-plane",
  "azure-native:keyvault:Secret": "data-plane",
};

/** A delete-blocking lock of the old state. */
interface Lock {
  id: string;
  urn: string;
  /** CanNotDelete or ReadOnly (ReadOnly also refuses PUT). */
  readOnly: boolean;
  /** The scope it protects (normalized ARM ID). */
  scope: string;
  /** The scope as written (for messages). */
  scopeText: string;
}

function locksOf(resources: readonly NormalizedExportResource[]): Lock[] {
  const locks: Lock[] = [];
  for (const r of resources) {
    if (!isLockType(r.type) || !r.id) continue;
    const props = { ...r.inputs, ...r.outputs };
    const level = typeof props.level === "string" ? props.level : "";
    if (!/^(CanNotDelete|ReadOnly)$/i.test(level)) continue;
    // The lock's own ID minus `/providers/Microsoft.Authorization/locks/<name>` is its scope,
    // whichever lock type (subscription, resource group, resource, by scope) made it.
    const scopeText = r.id.replace(/\/providers\/Microsoft\.Authorization\/locks\/[^/]+\/?$/i, "");
    locks.push({
      id: r.id,
      urn: r.urn,
      readOnly: /^ReadOnly$/i.test(level),
      scope: norm(scopeText),
      scopeText,
    });
  }
  return locks;
}

/** `/subscriptions/<id>` or `/subscriptions/<id>/resourceGroups/<name>`: a lock there covers everything in it. */
function isContainerScope(scope: string): boolean {
  return /^\/subscriptions\/[^/]+(\/resourcegroups\/[^/]+)?$/.test(scope);
}

/** ARM IDs whose lock refuses deleting `r`: its own ID, and for a private endpoint its targets. */
function deleteScopes(r: NormalizedExportResource): string[] {
  const scopes = r.id ? [r.id] : [];
  if (canonicalType(r.type) === "azure-native:network:PrivateEndpoint") {
    for (const target of valuesAt(r.inputs, "privateLinkServiceConnections[].privateLinkServiceId")) {
      if (typeof target === "string" && target) scopes.push(target);
    }
  }
  return scopes;
}

function covers(lock: Lock, id: string): boolean {
  const target = norm(id);
  return target === lock.scope || target.startsWith(`${lock.scope}/`);
}

/** The old URNs a change deletes or replaces (replacing deletes the old resource). */
const removedUrns = (changes: readonly ResourceChange[]) =>
  new Set(changes.filter((c) => c.op === "delete" || c.op === "replace").map((c) => c.from ?? c.urn));

/**
 * The engine calls no provider Delete for a resource marked retainOnDelete, nor for one whose
 * deletedWith resource goes in the same change (pulumi/pulumi pkg/resource/deploy/step.go,
 * DeleteStep.Apply): it only leaves the state, nothing in Azure is deleted. (A replace is left as
 * judged: its new resource is then created where the old one remains.)
 */
const leavesAzure = (change: ResourceChange, old: NormalizedExportResource, removed: ReadonlySet<string>) =>
  change.op === "delete" &&
  (old.retainOnDelete === true || (old.deletedWith !== undefined && removed.has(old.deletedWith)));

/**
 * Adds the data-loss, protect and lock findings to each delete and replace in `changes`
 * (judged against the old state `olds`) and returns the locks the lock window must lift.
 * Shared by the change preview and the lock window (which reads a real preview's steps).
 */
export function assessRemovals(
  changes: ResourceChange[],
  olds: readonly NormalizedExportResource[],
): LockToLift[] {
  const removed = removedUrns(changes);
  const oldByUrn = new Map(olds.map((r) => [r.urn, r]));
  const locks = locksOf(olds);
  const lockWindow = new Map<string, LockToLift>();
  for (const change of changes) {
    if (change.op !== "delete" && change.op !== "replace") continue;
    const old = oldByUrn.get(change.from ?? change.urn);
    if (!old) continue;
    const canonical = canonicalType(old.type);
    const what = change.op === "delete" ? "deleting" : "replacing (deleting)";
    // A delete that only leaves the state (leavesAzure) loses no data and no lock refuses it.
    // `protect` is checked before either in the engine, so it still refuses.
    const staysInAzure = !leavesAzure(change, old, removed);
    const dataLoss = canonical && staysInAzure ? DATA_LOSS[canonical] : undefined;
    if (dataLoss) {
      change.findings.push({
        kind: "data-loss",
        message: `${what} a stateful resource loses data: ${dataLoss} (BAK-2)`,
      });
    }
    if (old.protect) {
      change.findings.push({
        kind: "protected",
        message: `${what} it fails: it is protected (Pulumi refuses to delete a protected resource)`,
      });
    }
    if (isLockType(old.type) || !staysInAzure) continue; // deleting a lock is not refused by the lock itself
    const stateful = dataLoss !== undefined || old.protect;
    const request = canonical !== undefined ? DELETE_REQUEST[canonical] : undefined;
    for (const scope of deleteScopes(old)) {
      for (const lock of locks) {
        if (!covers(lock, scope) || request === "data-plane" || (request === "put" && !lock.readOnly))
          continue;
        const viaTarget = scope !== old.id ? ` (the private endpoint's target ${scope})` : "";
        const lockedResource = olds.find((o) => o.id !== undefined && norm(o.id) === lock.scope);
        const why = stateful
          ? "the resource itself is stateful or protected"
          : isContainerScope(lock.scope)
            ? "a subscription or resource-group lock protects everything in it; the window lifts resource locks only"
            : removed.has(lock.urn)
              ? "the change removes the lock itself, so nothing recreates it"
              : lockedResource && removed.has(lockedResource.urn)
                ? "the locked resource is deleted or replaced by this change"
                : undefined;
        if (why) {
          change.findings.push({
            kind: "scope-locked",
            message: `${what} it fails with ScopeLocked: lock ${lock.id} covers ${lock.scopeText}${viaTarget}; the lock window cannot lift it: ${why}`,
            lock: { id: lock.id, urn: lock.urn, scope: lock.scopeText },
          });
          continue;
        }
        change.findings.push({
          kind: "lock-window",
          message: `lock window: lifts ${lock.id}${viaTarget}; the deploy recreates it`,
          lock: { id: lock.id, urn: lock.urn, scope: lock.scopeText },
        });
        const entry = lockWindow.get(lock.id) ?? {
          id: lock.id,
          urn: lock.urn,
          scope: lock.scopeText,
          for: [],
        };
        if (!entry.for.includes(change.urn)) entry.for.push(change.urn);
        lockWindow.set(lock.id, entry);
      }
    }
  }

  return [...lockWindow.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Adds an `unauthorized` finding to each delete (or delete half of a replace) that reaches Azure
 * and that the deploy identity may not make (`check`): Azure refuses it with AuthorizationFailed
 * after the change's creates went through, so the deploy stops half-way.
 */
export function assessDeletePermissions(
  changes: ResourceChange[],
  olds: readonly NormalizedExportResource[],
  check: DeletePermissionCheck,
): void {
  const removed = removedUrns(changes);
  const refusal = check(olds, removed);
  const oldByUrn = new Map(olds.map((r) => [r.urn, r]));
  for (const change of changes) {
    const old = oldByUrn.get(change.from ?? change.urn);
    if (!old || !removed.has(old.urn) || leavesAzure(change, old, removed)) continue;
    const refused = refusal(old);
    if (!refused) continue;
    const what = change.op === "delete" ? "deleting" : "replacing (deleting)";
    change.findings.push({
      kind: "unauthorized",
      message: `${what} it fails with AuthorizationFailed: ${refused}`,
    });
  }
}

/**
 * Which old resource each new one continues, as the engine decides (lib/offline/aliases.ts): the
 * old state at its URN, else at the first of its alias URNs that no resource of the program has
 * and no other resource claimed; its own aliases first, then those it inherits when its parent
 * (component or not) was found under an alias. Exports list parents first, so a parent's match is
 * known when its children come.
 */
function matchOldState(
  olds: readonly NormalizedExportResource[],
  news: readonly NormalizedExportResource[],
): Map<string, NormalizedExportResource> {
  const oldByUrn = new Map(olds.map((r) => [r.urn, r]));
  const newUrns = new Set(news.map((r) => r.urn));
  const claimed = new Set<string>();
  const matchedAlias = new Map<string, string>();
  const result = new Map<string, NormalizedExportResource>();
  for (const r of news) {
    let urn: string | undefined = oldByUrn.has(r.urn) ? r.urn : undefined;
    if (urn === undefined) {
      const name = r.urn.split("::").slice(3).join("::");
      const candidates = candidateAliases(
        { urn: r.urn, type: r.type, name, ...(r.parent ? { parent: r.parent } : {}) },
        r.aliases ?? [],
        r.parent ? matchedAlias.get(r.parent) : undefined,
      );
      urn = candidates.find((u) => oldByUrn.has(u) && !claimed.has(u) && !newUrns.has(u));
      if (urn !== undefined) matchedAlias.set(r.urn, urn);
    }
    if (urn === undefined) continue;
    claimed.add(urn);
    result.set(r.urn, oldByUrn.get(urn) as NormalizedExportResource);
  }
  return result;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
/** Looks through a secret envelope: the engine resets paths inside secret values too. */
const opened = (v: unknown): unknown => (isObject(v) && SIG_KEY in v ? v.value : v);

/** `a.b[0]["c.d"]` or `a[*].b` as segments: keys, indexes and `*`; undefined if it does not parse. */
function propertyPath(text: string): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  const re = /^(?:\.?([A-Za-z_$][\w$-]*|\*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\[\*\])/;
  let rest = text;
  while (rest.length > 0) {
    const m = re.exec(rest);
    if (!m) return undefined;
    out.push(
      m[2] !== undefined ? Number(m[2]) : m[3] !== undefined ? m[3].replace(/\\(.)/g, "$1") : (m[1] ?? "*"),
    );
    rest = rest.slice(m[0].length);
  }
  return out.length > 0 ? out : undefined;
}

/**
 * The engine's `PropertyPath.Reset` (pulumi sdk/go/common/resource/properties_path.go): the value
 * at `path` in `next` becomes the value in `old`, or is removed when `old` has none; no
 * intermediate objects or array items are created. `next` is modified in place. False where the
 * engine finds a path error: an index one side lacks or that is no array there, `[*]` over arrays
 * of different lengths, a key only `old` has on the way to the leaf.
 */
function resetPath(old: unknown, next: unknown, path: readonly (string | number)[]): boolean {
  const [key, ...rest] = path;
  const o = opened(old);
  const n = opened(next);
  if (typeof key === "number") {
    if (!Array.isArray(o) || !Array.isArray(n)) return !Array.isArray(o) && !Array.isArray(n);
    const [from, to] = [o as unknown[], n as unknown[]];
    if (rest.length === 0 && key >= from.length && key >= to.length) return true;
    if (key >= from.length || key >= to.length) return false;
    if (rest.length > 0) return resetPath(from[key], to[key], rest);
    to[key] = from[key];
    return true;
  }
  if (key === "*") {
    if (rest.length === 0) {
      if (isObject(n)) {
        if (isObject(o)) {
          for (const k of Object.keys(o)) n[k] = o[k];
          for (const k of Object.keys(n)) if (!(k in o)) delete n[k];
        }
        return true;
      }
      if (!Array.isArray(n)) return false;
      if (!Array.isArray(o)) return true;
      if (o.length !== n.length) return false;
      (o as unknown[]).forEach((v, i) => ((n as unknown[])[i] = v));
      return true;
    }
    if (isObject(o) && isObject(n)) return Object.keys(o).every((k) => k in n && resetPath(o[k], n[k], rest));
    if (Array.isArray(o) && Array.isArray(n))
      return (
        o.length === n.length && (o as unknown[]).every((v, i) => resetPath(v, (n as unknown[])[i], rest))
      );
    return false;
  }
  if (rest.length === 0) {
    if (isObject(o) && key in o) {
      if (!isObject(n)) return false;
      n[key] = o[key];
    } else if (isObject(n)) delete n[key];
    return true;
  }
  if (!isObject(o) || !isObject(n)) return !isObject(o) && !isObject(n);
  if (!(key in n)) return !(key in o);
  return resetPath(o[key], n[key], rest);
}

/** The inputs after the engine's `processIgnoreChanges`, and the paths it cannot apply. */
function applyIgnoreChanges(
  old: Json,
  next: Json,
  ignoreChanges: readonly string[],
): { inputs: Json; invalid: string[] } {
  if (ignoreChanges.length === 0) return { inputs: next, invalid: [] };
  const inputs = JSON.parse(JSON.stringify(next)) as Json;
  const invalid = ignoreChanges.filter((text) => {
    const path = propertyPath(text);
    return path !== undefined && !resetPath(old, inputs, path);
  });
  return { inputs, invalid };
}

/**
 * The inputs the engine diffs for an update: a resource's `ignoreChanges` paths keep their old
 * values (Pulumi applies them before the provider sees the inputs), so an ignored change neither
 * updates nor is refused. Only for an existing resource: a create uses every input.
 */
export function withIgnoredChanges(old: Json, next: Json, ignoreChanges: readonly string[] = []): Json {
  return applyIgnoreChanges(old, next, ignoreChanges).inputs;
}

/**
 * The `ignoreChanges` paths the engine cannot apply between `old` (the state's inputs, or what an
 * import read) and `next` (pulumi pkg/resource/deploy step_generator.go processIgnoreChanges, also
 * called by the import step). Since Pulumi CLI 3.190 (pulumi/pulumi#20278) the engine prints "cannot
 * ignore changes in added or removed elements of the path" as an info line and keeps the program's
 * value there; before, it failed the step. The pinned CLI (.pulumi.version) is later, so the change
 * preview does not refuse these; a component should still not ignore a path its state can lack.
 */
export function invalidIgnoreChanges(old: Json, next: Json, ignoreChanges: readonly string[] = []): string[] {
  return applyIgnoreChanges(old, next, ignoreChanges).invalid;
}

/**
 * Whether replacing this old resource deletes it before creating the new one. azure-native's Diff
 * answers `deleteBeforeReplace` for every replace except of a randomly auto-named resource, which
 * its state marks `__createBeforeDelete` (pulumi-azure-native provider/pkg/provider/provider.go):
 * an explicitly named resource cannot exist twice under one ARM ID.
 */
const deletesFirst = (r: NormalizedExportResource) =>
  r.type.startsWith("azure-native") && r.inputs.__createBeforeDelete !== true;

/**
 * Before a delete-before-replace, the Pulumi engine replaces every dependent whose diff, with the
 * replaced resource's outputs unknown, is a replace (pulumi/pulumi step generator, dependent
 * replacements): here, a resource whose create-only input or ARM path parameter depends on a
 * replaced resource (the state's `propertyDependencies`) or holds its ARM ID (a container app's
 * `environmentId`, a diagnostic setting's `resourceUri`, a DNS zone group's
 * `privateEndpointName`). Turns such updates and unchanged resources into replaces,
 * transitively, and returns how many unchanged ones it turned.
 */
function replaceDependents(
  changes: ResourceChange[],
  kept: { r: NormalizedExportResource; old: NormalizedExportResource; change?: ResourceChange }[],
  olds: readonly NormalizedExportResource[],
): number {
  const oldByUrn = new Map(olds.map((o) => [o.urn, o]));
  /** Replaced delete-first resources by old ARM ID and by old URN, each to its (new) URN. */
  const replaced = new Map<string, string>();
  const replacedUrns = new Map<string, string>();
  for (const c of changes) {
    const old = oldByUrn.get(c.from ?? c.urn);
    if (c.op !== "replace" || !old || !deletesFirst(old)) continue;
    replacedUrns.set(old.urn, c.urn);
    if (c.id) replaced.set(norm(c.id), c.urn);
  }
  let turned = 0;
  let pending = kept;
  for (let grew = replaced.size > 0; grew;) {
    grew = false;
    const rest: typeof kept = [];
    for (const k of pending) {
      const type = canonicalType(k.r.type) ?? k.r.type;
      const entries = [
        ...pathParameters(k.r.type).map((property) => ({
          property,
          reason: "part of the resource's ARM ID (name, parent or scope)",
        })),
        ...(CREATE_ONLY[type] ?? []),
      ];
      let hit: { entry: ReplaceReason; urn: string } | undefined;
      for (const entry of entries) {
        // The engine's own record (the state's property dependencies), or the ARM ID in the input.
        const top = entry.property.split(".")[0].replace(/\[\]$/, "");
        const viaDependency = (k.old.propertyDependencies[top] ?? []).find((u) => replacedUrns.has(u));
        const value = valuesAt(k.old.inputs, entry.property).find(
          (v) => typeof v === "string" && replaced.has(norm(v)),
        ) as string | undefined;
        const urn = viaDependency ? replacedUrns.get(viaDependency) : value && replaced.get(norm(value));
        if (urn) {
          hit = { entry, urn };
          break;
        }
      }
      if (!hit) {
        rest.push(k);
        continue;
      }
      const reason: ReplaceReason = {
        property: hit.entry.property,
        reason: `it names ${hit.urn}, which is deleted before its replacement is created: the engine replaces this first (${hit.entry.reason})`,
      };
      if (k.change) {
        Object.assign(k.change, { op: "replace", replaceReasons: [reason], findings: [] });
        if (k.old.id) k.change.id = k.old.id;
      } else {
        changes.push({
          urn: k.r.urn,
          type: k.r.type,
          op: "replace",
          changed: [],
          replaceReasons: [reason],
          ...(k.old.id ? { id: k.old.id } : {}),
          ...(k.old.urn !== k.r.urn ? { from: k.old.urn } : {}),
          findings: [],
        });
        turned++;
      }
      if (deletesFirst(k.old)) {
        replacedUrns.set(k.old.urn, k.r.urn);
        if (k.old.id) replaced.set(norm(k.old.id), k.r.urn);
      }
      grew = true;
    }
    pending = rest;
  }
  return turned;
}

/** Whether a type has `whileInUse` rules (the only ones that need the old state's references). */
const inUse = (type: string) =>
  (UPDATE_REFUSED[canonicalType(type) ?? type] ?? []).some((rule) => rule.whileInUse === true);

export interface ChangePreviewOptions {
  stack: string;
  /** How the old export is named in the output (its file name). */
  from: string;
  /** The deploy identity's permission to delete (omitted: not judged, e.g. another team's program). */
  canDelete?: DeletePermissionCheck;
}

/**
 * Compares the planned export (`next`) with an earlier one (`previous`). Pure: no I/O.
 */
export function previewChanges(
  previous: NormalizedStackExport,
  next: NormalizedStackExport,
  options: ChangePreviewOptions,
): ChangePreview {
  const olds = previous.deployment.resources.filter(tracked);
  const news = next.deployment.resources.filter(tracked);
  const oldOf = matchOldState(previous.deployment.resources, next.deployment.resources);
  const matched = new Set([...oldOf.values()].map((r) => r.urn));
  const changes: ResourceChange[] = [];
  let unchanged = 0;
  /** Updated or unchanged resources: a dependent replacement (below) may still replace them. */
  const kept: { r: NormalizedExportResource; old: NormalizedExportResource; change?: ResourceChange }[] = [];

  for (const r of news) {
    const old = oldOf.get(r.urn);
    if (!old || !tracked(old)) {
      changes.push({ urn: r.urn, type: r.type, op: "create", changed: [], replaceReasons: [], findings: [] });
      continue;
    }
    // A path the engine cannot apply (invalidIgnoreChanges) is an info line since Pulumi CLI 3.190
    // (pulumi/pulumi#20278: it keeps the program's value), not a failure: nothing to refuse.
    const inputs = withIgnoredChanges(old.inputs, r.inputs, r.ignoreChanges);
    const keys = [...new Set([...Object.keys(old.inputs), ...Object.keys(inputs)])].sort();
    const changed = keys.filter((k) =>
      k === "location"
        ? normalizedLocation(old.inputs[k]) !== normalizedLocation(inputs[k])
        : !same(old.inputs[k], inputs[k]),
    );
    if (changed.length === 0) {
      unchanged++;
      kept.push({ r, old });
      continue;
    }
    const reasons = replaceReasons(r.type, old.inputs, inputs);
    const change: ResourceChange = {
      urn: r.urn,
      type: r.type,
      op: reasons.length > 0 ? "replace" : "update",
      changed,
      replaceReasons: reasons,
      ...(reasons.length > 0 && old.id ? { id: old.id } : {}),
      ...(old.urn !== r.urn ? { from: old.urn } : {}),
      // A replace creates a new resource with every input: only an in-place update can be refused or ignored.
      findings:
        reasons.length > 0
          ? []
          : updateFindings(
              r.type,
              old.inputs,
              inputs,
              inUse(r.type) ? resourcesPointingAt(old.id, olds) : [],
            ),
    };
    changes.push(change);
    if (reasons.length === 0) kept.push({ r, old, change });
  }
  unchanged -= replaceDependents(changes, kept, olds);
  for (const old of olds) {
    if (!matched.has(old.urn)) {
      changes.push({
        urn: old.urn,
        type: old.type,
        op: "delete",
        changed: [],
        replaceReasons: [],
        ...(old.id ? { id: old.id } : {}),
        findings: [],
      });
    }
  }

  const lockWindow = assessRemovals(changes, olds);
  if (options.canDelete) assessDeletePermissions(changes, olds, options.canDelete);

  const order: Record<ChangeOp, number> = { delete: 0, replace: 1, update: 2, create: 3 };
  changes.sort((a, b) => order[a.op] - order[b.op] || a.urn.localeCompare(b.urn));
  const failures = changes.flatMap((c) =>
    c.findings
      .filter((f) => f.kind !== "lock-window")
      .map((f) => ({ urn: c.urn, kind: f.kind, message: f.message })),
  );
  const count = (op: ChangeOp) => changes.filter((c) => c.op === op).length;
  return {
    version: 1,
    stack: options.stack,
    from: options.from,
    summary: {
      create: count("create"),
      update: count("update"),
      replace: count("replace"),
      delete: count("delete"),
      same: unchanged,
      failures: failures.length,
    },
    changes,
    lockWindow,
    failures,
  };
}

/** Text for people: the counts, each change with its reasons and findings, the lock window. */
export function renderChangePreview(preview: ChangePreview): string {
  const s = preview.summary;
  const lines = [
    `Change preview of stack ${preview.stack} against ${preview.from}: ` +
      `${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete, ${s.same} unchanged.`,
  ];
  const sign: Record<ChangeOp, string> = { create: "+", update: "~", replace: "+-", delete: "-" };
  for (const c of preview.changes) {
    lines.push(`  ${sign[c.op].padEnd(2)} ${c.op.padEnd(7)} ${c.urn}`);
    if (c.op === "update") lines.push(`       changed: ${c.changed.join(", ")}`);
    for (const r of c.replaceReasons) lines.push(`       replace: ${r.property} changed (${r.reason})`);
    for (const f of c.findings) lines.push(`       ${f.kind === "lock-window" ? "" : "FAIL "}${f.message}`);
  }
  if (preview.lockWindow.length > 0) {
    lines.push(`Lock window (lifted by the deploy, recreated by pulumi up --refresh):`);
    for (const l of preview.lockWindow) lines.push(`  ${l.id}  for ${l.for.length} delete(s)`);
  }
  lines.push(
    preview.failures.length === 0
      ? "No data loss, nothing a lock would refuse, no update Azure refuses or ignores."
      : `${preview.failures.length} problem(s): the deploy would fail, lose data or change nothing.`,
  );
  return lines.join("\n");
}

/**
 * Reads the earlier export named by `--diff-from`. Throws an Error whose message names the
 * file and what is wrong (missing, unreadable, not JSON, not a stack export): a usage error.
 */
export function readPreviousExport(file: string): NormalizedStackExport {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      `--diff-from ${file}: ${code === "ENOENT" ? "no such file" : `cannot be read (${(err as Error).message})`}`,
    );
  }
  try {
    return parseStackExport(text, file);
  } catch (err) {
    if (err instanceof StackExportError) throw new Error(`--diff-from ${err.message}`);
    throw err;
  }
}

/** The change preview of a planned export against an earlier one, for `npm run plan -- --diff-from`. */
export function changePreviewOf(
  previous: NormalizedStackExport,
  planned: StackExport,
  options: ChangePreviewOptions,
): { preview: ChangePreview; text: string; json: string } {
  const preview = previewChanges(previous, parseStackExport(planned, "<plan>"), options);
  return { preview, text: renderChangePreview(preview), json: `${JSON.stringify(preview, null, 2)}\n` };
}
