/**
 * Built-in Azure roles: names, definition GUIDs and permissions — the one table every role
 * assignment, test and policy uses (IAM-2). GUIDs are global constants published by Microsoft;
 * the actions are those of Microsoft's "Azure built-in roles" reference (trimmed to what decides
 * privilege: read-only and support actions are left out where they change nothing below).
 *
 * Which roles are *privileged* is derived from their actions, not listed by hand: a role is
 * privileged when it can grant access (role assignments, role definitions, vault access
 * policies), read credentials that open data (storage account keys, Redis keys), or act as
 * another principal (federated credentials on, or assignment of, managed identities; run
 * commands on VMs). Custom role definitions are judged by the same operations.
 */

export interface RolePermissions {
  actions: readonly string[];
  notActions?: readonly string[];
  dataActions?: readonly string[];
}

interface BuiltInRole extends RolePermissions {
  id: string;
}

const READ_ONLY: RolePermissions = { actions: ["*/read"] };

/**
 * The control-plane actions every Key Vault data role carries besides its data actions
 * (Microsoft's built-in roles reference).
 */
const KEY_VAULT_ROLE_ACTIONS: readonly string[] = [
  "Microsoft.Authorization/*/read",
  "Microsoft.Insights/alertRules/*",
  "Microsoft.Resources/deployments/*",
  "Microsoft.Resources/subscriptions/resourceGroups/read",
  "Microsoft.Support/*",
  "Microsoft.KeyVault/checkNameAvailability/read",
  "Microsoft.KeyVault/deletedVaults/read",
  "Microsoft.KeyVault/locations/*/read",
  "Microsoft.KeyVault/vaults/*/read",
  "Microsoft.KeyVault/operations/read",
];

const ROLES = {
  Owner: { id: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", actions: ["*"] },
  Contributor: {
    id: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    actions: ["*"],
    // Microsoft's current definition (learn.microsoft.com/azure/role-based-access-control/
    // built-in-roles/privileged#contributor): Blueprint assignments, gallery sharing, Purview
    // consents and deployment stacks' deny settings joined the Authorization exclusions. The Azure
    // China listing also excludes Microsoft.Subscription/cancel and enable; left out here (global
    // Azure's definition), which errs towards Contributor allowing more, never less.
    notActions: [
      "Microsoft.Authorization/*/Delete",
      "Microsoft.Authorization/*/Write",
      "Microsoft.Authorization/elevateAccess/Action",
      "Microsoft.Blueprint/blueprintAssignments/write",
      "Microsoft.Blueprint/blueprintAssignments/delete",
      "Microsoft.Compute/galleries/share/action",
      "Microsoft.Purview/consents/write",
      "Microsoft.Purview/consents/delete",
      "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
    ],
  },
  Reader: { id: "acdd72a7-3385-48ef-bd42-f606fba81ae7", ...READ_ONLY },
  "User Access Administrator": {
    id: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
  },
  "Role Based Access Control Administrator": {
    id: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    actions: [
      "Microsoft.Authorization/roleAssignments/write",
      "Microsoft.Authorization/roleAssignments/delete",
      "Microsoft.Support/*",
      "*/read",
    ],
  },
  "Key Vault Administrator": {
    id: "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    actions: KEY_VAULT_ROLE_ACTIONS,
    dataActions: ["Microsoft.KeyVault/vaults/*"],
  },
  "Key Vault Contributor": {
    id: "f25e0fa2-a7c8-4377-a976-54943a77a395",
    actions: ["Microsoft.Authorization/*/read", "Microsoft.KeyVault/*", "Microsoft.Resources/deployments/*"],
    notActions: [
      "Microsoft.KeyVault/locations/deletedVaults/purge/action",
      "Microsoft.KeyVault/hsmPools/*",
      "Microsoft.KeyVault/managedHsms/*",
    ],
  },
  // Its ABAC condition limits *which* roles it grants (the Key Vault data roles, Administrator
  // included): to itself as much as to anyone, so it reaches every secret and key.
  "Key Vault Data Access Administrator": {
    id: "8b54135c-b56d-4d72-a534-26097cfdc8d8",
    actions: [
      "Microsoft.Authorization/roleAssignments/write",
      "Microsoft.Authorization/roleAssignments/delete",
      "Microsoft.Authorization/*/read",
    ],
  },
  "Key Vault Reader": {
    id: "21090545-7ca7-4776-b22c-e363652d74d2",
    actions: KEY_VAULT_ROLE_ACTIONS,
    dataActions: [
      "Microsoft.KeyVault/vaults/*/read",
      "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
    ],
  },
  "Key Vault Secrets User": {
    id: "4633458b-17de-408a-b874-0445c86b69e6",
    actions: [],
    dataActions: [
      "Microsoft.KeyVault/vaults/secrets/getSecret/action",
      "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
    ],
  },
  "Key Vault Secrets Officer": {
    id: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    actions: KEY_VAULT_ROLE_ACTIONS,
    dataActions: ["Microsoft.KeyVault/vaults/secrets/*"],
  },
  "Key Vault Crypto Officer": {
    id: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
    actions: KEY_VAULT_ROLE_ACTIONS,
    dataActions: ["Microsoft.KeyVault/vaults/keys/*", "Microsoft.KeyVault/vaults/keyrotationpolicies/*"],
  },
  "Key Vault Crypto User": {
    id: "12338af0-0e69-4776-bea7-57ae8d297424",
    actions: [],
    dataActions: [
      "Microsoft.KeyVault/vaults/keys/read",
      "Microsoft.KeyVault/vaults/keys/update/action",
      "Microsoft.KeyVault/vaults/keys/backup/action",
      "Microsoft.KeyVault/vaults/keys/encrypt/action",
      "Microsoft.KeyVault/vaults/keys/decrypt/action",
      "Microsoft.KeyVault/vaults/keys/wrap/action",
      "Microsoft.KeyVault/vaults/keys/unwrap/action",
      "Microsoft.KeyVault/vaults/keys/sign/action",
      "Microsoft.KeyVault/vaults/keys/verify/action",
    ],
  },
  "Key Vault Crypto Service Encryption User": {
    id: "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    actions: ["Microsoft.EventGrid/eventSubscriptions/write"],
    dataActions: [
      "Microsoft.KeyVault/vaults/keys/read",
      "Microsoft.KeyVault/vaults/keys/wrap/action",
      "Microsoft.KeyVault/vaults/keys/unwrap/action",
    ],
  },
  "Storage Account Contributor": {
    id: "17d1049b-9a84-46fb-8f53-869881c3d3ab",
    actions: [
      "Microsoft.Authorization/*/read",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Storage/storageAccounts/*",
    ],
  },
  "Storage Account Key Operator Service Role": {
    id: "81a9662b-bebf-436f-a333-f67b29880f12",
    actions: [
      "Microsoft.Storage/storageAccounts/listkeys/action",
      "Microsoft.Storage/storageAccounts/regeneratekey/action",
    ],
  },
  "Storage Blob Data Owner": {
    id: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    actions: ["Microsoft.Storage/storageAccounts/blobServices/containers/*"],
    dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"],
  },
  "Storage Blob Data Contributor": {
    id: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    actions: [
      "Microsoft.Storage/storageAccounts/blobServices/containers/delete",
      "Microsoft.Storage/storageAccounts/blobServices/containers/read",
      "Microsoft.Storage/storageAccounts/blobServices/containers/write",
      "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
    ],
    dataActions: [
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action",
    ],
  },
  "Storage Blob Data Reader": {
    id: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    actions: [
      "Microsoft.Storage/storageAccounts/blobServices/containers/read",
      "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
    ],
    dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
  },
  "Managed Identity Contributor": {
    id: "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
    actions: [
      "Microsoft.ManagedIdentity/userAssignedIdentities/read",
      "Microsoft.ManagedIdentity/userAssignedIdentities/write",
      "Microsoft.ManagedIdentity/userAssignedIdentities/delete",
      "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
      "Microsoft.Authorization/*/read",
    ],
  },
  "Managed Identity Operator": {
    id: "f1a07417-d97a-45cb-824c-7a7467783830",
    actions: [
      "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
      "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
      "Microsoft.Authorization/*/read",
    ],
  },
  "Virtual Machine Contributor": {
    id: "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
    actions: ["Microsoft.Authorization/*/read", "Microsoft.Compute/virtualMachines/*"],
  },
  AcrPull: {
    id: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    actions: ["Microsoft.ContainerRegistry/registries/pull/read"],
  },
  "Monitoring Reader": { id: "43d0d8ad-25c7-4714-9337-8ba259a9fe05", ...READ_ONLY },
  "Log Analytics Reader": {
    id: "73c42c96-874c-492b-b04d-ab87d138a893",
    actions: ["*/read", "Microsoft.OperationalInsights/workspaces/search/action"],
    notActions: ["Microsoft.OperationalInsights/workspaces/sharedKeys/read"],
  },
  "Monitoring Metrics Publisher": {
    id: "3913510d-42f4-4e42-8a64-420c390055eb",
    actions: ["Microsoft.Insights/Register/Action"],
    dataActions: ["Microsoft.Insights/Metrics/Write", "Microsoft.Insights/Telemetry/Write"],
  },
} as const satisfies Record<string, BuiltInRole>;

export type BuiltInRoleName = keyof typeof ROLES;

/** Role name -> definition GUID (lower case). */
export const BUILT_IN_ROLES = Object.fromEntries(
  Object.entries(ROLES).map(([name, role]) => [name, role.id]),
) as { readonly [N in BuiltInRoleName]: (typeof ROLES)[N]["id"] };

/**
 * Operations that give more than their holder's own data-plane access: granting access,
 * reading credentials that open a data store, or acting as another identity. A role (built-in
 * or custom) that can perform any of them is privileged (IAM-2).
 */
export const PRIVILEGED_OPERATIONS: readonly string[] = [
  "Microsoft.Authorization/roleAssignments/write",
  "Microsoft.Authorization/roleDefinitions/write",
  "Microsoft.Authorization/elevateAccess/action",
  "Microsoft.KeyVault/vaults/accessPolicies/write",
  "Microsoft.KeyVault/vaults/write", // can switch a vault back to access policies
  "Microsoft.Storage/storageAccounts/listkeys/action",
  "Microsoft.Storage/storageAccounts/ListAccountSas/action",
  "Microsoft.Cache/redisEnterprise/databases/listKeys/action",
  "Microsoft.Cache/redis/listKeys/action",
  "Microsoft.DBforPostgreSQL/flexibleServers/administrators/write",
  "Microsoft.DBforPostgreSQL/flexibleServers/write", // resets the admin password
  "Microsoft.App/containerApps/listSecrets/action",
  "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
  "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action",
  "Microsoft.Compute/virtualMachines/runCommand/action",
  "Microsoft.Resources/deploymentScripts/write",
];

/**
 * Whether an Azure action pattern matches an operation: case-insensitive, a star matches any
 * characters, and a star standing for a whole path segment also matches no segment at all
 * (Managed Identity Operator's `userAssignedIdentities/<star>/assign/action` grants
 * `userAssignedIdentities/assign/action`).
 */
export function actionMatches(pattern: string, operation: string): boolean {
  const { prefix, suffix, expression } = actionPattern(pattern);
  // The expression starts with the pattern's text up to its first star and ends with its text
  // after the last one (less the slash a whole-segment star may stand without), each matched
  // literally and case-insensitively: an operation that does not start and end so is refused
  // without running the expression (V8 compiles each one on its first runs: most of the cost
  // of deriving `PRIVILEGED_ROLES` at every start). Only for ASCII text, where the expression's
  // case-insensitive match is ASCII upper case (no other character matches an ASCII one), so
  // this refuses nothing the expression would match; what it lets through, the expression decides.
  if (prefix.length > 0 && operation.slice(0, prefix.length).toUpperCase() !== prefix) return false;
  if (suffix.length > 0 && operation.slice(-suffix.length).toUpperCase() !== suffix) return false;
  return expression.test(operation);
}

/**
 * A compiled action pattern, and the literal text it must start and end with (`actionMatches`),
 * upper-cased ("" when not ASCII).
 */
interface ActionPattern {
  prefix: string;
  suffix: string;
  expression: RegExp;
}

/** Compiled action patterns: a stack repeats the same roles' actions many times. */
const ACTION_PATTERNS = new Map<string, ActionPattern>();

function actionPattern(pattern: string): ActionPattern {
  const cached = ACTION_PATTERNS.get(pattern);
  if (cached) return cached;
  const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  const segments = pattern.split("/");
  let source = "";
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === "*" && !last)
      source += "(?:[^]*/)?"; // zero or more whole segments
    else source += segment.split("*").map(escape).join("[^]*") + (last ? "" : "/");
  });
  const first = pattern.indexOf("*");
  const last = pattern.lastIndexOf("*");
  let suffix = first < 0 ? "" : pattern.slice(last + 1);
  // A whole-segment star before the last segment stands for its own slash too: `a/<star>/b` is `a/b` or `a/.../b`.
  if (suffix.startsWith("/") && (last === 0 || pattern[last - 1] === "/")) suffix = suffix.slice(1);
  const ascii = (text: string) => (/^[\x20-\x7e]*$/.test(text) ? text.toUpperCase() : "");
  const compiled = {
    prefix: ascii(first < 0 ? pattern : pattern.slice(0, first)),
    suffix: ascii(suffix),
    expression: new RegExp(`^${source}$`, "i"),
  };
  if (ACTION_PATTERNS.size < 1000) ACTION_PATTERNS.set(pattern, compiled);
  return compiled;
}

/** Whether a role's actions allow an operation (an action matches it, no notAction does). */
export function allows(role: RolePermissions, operation: string): boolean {
  return (
    role.actions.some((a) => actionMatches(a, operation)) &&
    !(role.notActions ?? []).some((a) => actionMatches(a, operation))
  );
}

/** The privileged operations a role allows ([] for a role that only reaches its own data). */
export function privilegedOperations(role: RolePermissions): string[] {
  return PRIVILEGED_OPERATIONS.filter((op) => allows(role, op));
}

/** A custom role defined outside the stack and reviewed: its name and permissions, from a preset. */
export interface CustomRole extends RolePermissions {
  name: string;
  dataActions: readonly string[];
}

const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A preset's custom-role table (role definition GUID -> { name, actions, dataActions }), keyed
 * by lower-case GUID. An entry of any other shape is left out, so a role it names stays unknown
 * (refused) rather than judged on permissions nobody declared.
 */
export function customRolesOf(table: unknown): Map<string, CustomRole> {
  const roles = new Map<string, CustomRole>();
  if (table === null || typeof table !== "object" || Array.isArray(table)) return roles;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((a) => typeof a === "string");
  for (const [guid, entry] of Object.entries(table as Record<string, unknown>)) {
    if (!GUID_PATTERN.test(guid) || entry === null || typeof entry !== "object") continue;
    const { name, actions, dataActions = [] } = entry as Record<string, unknown>;
    if (typeof name !== "string" || !strings(actions) || !strings(dataActions)) continue;
    roles.set(guid.toLowerCase(), { name, actions, dataActions });
  }
  return roles;
}

/** Built-in roles derived as privileged from their actions (IAM-2). */
export const PRIVILEGED_ROLES: readonly BuiltInRoleName[] = (Object.keys(ROLES) as BuiltInRoleName[]).filter(
  (name) => privilegedOperations(ROLES[name]).length > 0,
);

/** The permissions of a built-in role. */
export function builtInRole(name: BuiltInRoleName): RolePermissions {
  return ROLES[name];
}

/**
 * The role definition GUID of a role definition ID in any form Azure accepts: a full ID
 * (`/subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>`, any
 * subscription, or tenant-level `/providers/...`), a bare GUID, any letter case, a trailing
 * slash. Undefined for anything else.
 */
export function roleGuidOf(roleDefinitionId: unknown): string | undefined {
  if (typeof roleDefinitionId !== "string") return undefined;
  const last = roleDefinitionId.trim().replace(/\/+$/, "").split("/").pop() ?? "";
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(last)
    ? last.toLowerCase()
    : undefined;
}

/** `/subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>` for a role. */
export function roleDefinitionId(subscriptionId: string, role: BuiltInRoleName): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES[role]}`;
}

/** The role name of a role definition ID or GUID, if it is one of the table's. */
export function roleNameOf(roleDefinitionIdOrGuid: string): BuiltInRoleName | undefined {
  const guid = roleGuidOf(roleDefinitionIdOrGuid);
  return (Object.keys(ROLES) as BuiltInRoleName[]).find((name) => ROLES[name].id === guid);
}
