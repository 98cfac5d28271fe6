/**
 * Every data store at once (NET-1, BAK-2): storage accounts, PostgreSQL servers, Redis caches
 * and Key Vaults (plus Log Analytics for locks) share these rules, so they belong to no single
 * service. Stack policies: they relate each store to the private endpoints, subnets and locks
 * of the stack by ARM ID, falling back to the dependency graph where an ID is not known yet
 * (preview). Service-specific stack policies live in their service's file.
 */
import type { AzureType } from "../lib/azureTypes";
import { propertyDependenciesOf, resourcePolicy, stackPolicy, type StackResource } from "../lib/define";
import { arr, eqi, hasText, normalizeId, NOT_KNOWN, peek, show, str } from "../lib/props";
import {
  allowedDestinationsParam,
  computedFrom,
  destinationLocationsParam,
  destinationProblem,
  label,
  normalizedIdOf,
  ofKind,
  pathParameterOf,
  ReferenceIndex,
  stackIndex,
  subscriptionOf,
} from "../lib/relations";

const DATA_STORES: AzureType[] = [
  "azure-native:storage:StorageAccount",
  "azure-native:dbforpostgresql:Server",
  "azure-native:redisenterprise:RedisEnterprise",
  "azure-native:redis:Redis",
  "azure-native:keyvault:Vault",
];

export const dataStorePrivateConnectivity = stackPolicy({
  name: "data-store-private-connectivity",
  description:
    "Every data store (storage account, PostgreSQL server, Managed Redis, Key Vault) is reachable privately: a private endpoint to it in the stack, or VNet integration in a subnet of the stack (NET-1).",
  controls: ["NET-1"],
  severity: "high",
  remediation:
    "Add a private endpoint (components: addPrivateEndpoint) whose privateLinkServiceConnections[].privateLinkServiceId is the store's ID, or VNet-integrate PostgreSQL (network.delegatedSubnetResourceId).",
  types: DATA_STORES,
  config: { allowedDestinations: allowedDestinationsParam, allowedLocations: destinationLocationsParam },
  check: (stack, cfg, report) => {
    const byService = new ReferenceIndex(
      stack.ofType("azure-native:network:PrivateEndpoint"),
      (pe) =>
        [
          ...arr(pe.props, "privateLinkServiceConnections"),
          ...arr(pe.props, "manualPrivateLinkServiceConnections"),
        ].map((c) => peek(c, "privateLinkServiceId")),
      ["privateLinkServiceConnections", "manualPrivateLinkServiceConnections"],
    );
    const index = stackIndex(stack);
    const isNetwork = ofKind(["azure-native:network:Subnet", "azure-native:network:VirtualNetwork"]);
    for (const store of stack.ofType(...DATA_STORES)) {
      // VNet integration counts only in a subnet of this stack (not another environment's network).
      const subnet = [["network", "delegatedSubnetResourceId"], ["subnetId"]].find((path) =>
        hasText(store.props, ...path),
      );
      if (subnet) {
        const problem = destinationProblem(
          index,
          store,
          subnet.join("."),
          peek(store.props, ...subnet),
          cfg,
          isNetwork,
          stack,
          () => propertyDependenciesOf(store, subnet[0]),
        );
        if (problem) report(`${label(store)}: ${problem}`, store.urn);
        continue;
      }
      if (byService.referrers(store).length === 0)
        report(`${label(store)} has no private endpoint or VNet integration`, store.urn);
    }
  },
});

/** Stateful resources (BAK-2): locked and protected in prod; the change preview refuses to delete them. */
export const STATEFUL: readonly AzureType[] = [
  "azure-native:storage:StorageAccount",
  "azure-native:dbforpostgresql:Server",
  "azure-native:redisenterprise:RedisEnterprise",
  "azure-native:redis:Redis",
  "azure-native:keyvault:Vault",
  "azure-native:operationalinsights:Workspace",
];
/** Data held inside a locked resource: a lock on the parent does not stop Pulumi deleting these, protect does. */
const PROTECTED_DATA: AzureType[] = [
  "azure-native:storage:BlobContainer",
  "azure-native:dbforpostgresql:Database",
  "azure-native:redisenterprise:Database",
];
/** Management lock types (any scope). */
export const LOCK_TYPES: readonly AzureType[] = [
  "azure-native:authorization:ManagementLockByScope",
  "azure-native:authorization:ManagementLockAtResourceGroupLevel",
  "azure-native:authorization:ManagementLockAtResourceLevel",
  "azure-native:authorization:ManagementLockAtSubscriptionLevel",
];

/** `.../providers/Microsoft.Authorization/locks/<name>`: a lock's ID is its scope plus this suffix. */
const LOCK_SUFFIX = /\/providers\/microsoft\.authorization\/locks\/[^/]+$/;
/** Properties that hold a resource's Azure name, by the types the pack locks. */
const NAME_KEYS = [
  "name",
  "accountName",
  "serverName",
  "vaultName",
  "clusterName",
  "workspaceName",
  "environmentName",
];

/**
 * The scope a delete-blocking lock protects (a normalized ARM ID): read from the lock's own ID
 * when it is known — whatever provider or subscription created it — else from its inputs.
 * `NOT_KNOWN` when only the deployment will tell (preview); undefined when it blocks nothing.
 */
function lockScope(
  lock: StackResource,
  subscriptions: ReadonlySet<string>,
): string | typeof NOT_KNOWN | undefined {
  // Peeked: a level not known yet (preview) is no lock that can be judged, and must not make the
  // policy skip every other stateful resource of the stack.
  const level = peek(lock.props, "level");
  if (!eqi(level, "CanNotDelete") && !eqi(level, "ReadOnly")) return undefined;
  const id = normalizedIdOf(lock);
  if (id !== undefined && LOCK_SUFFIX.test(id)) return id.replace(LOCK_SUFFIX, "");
  // Without an ID, a lock at subscription, group or resource level applies to its provider's
  // subscription: the stack's own when it deploys into exactly one.
  const sub = subscriptions.size === 1 ? `/subscriptions/${[...subscriptions][0]}` : undefined;
  // A lock being created in a preview carries neither its ID nor the path parameters naming its
  // scope: only what they were computed from says what it covers (SCOPE_INPUTS, pathParameterOf).
  const text = (key: string) => {
    const v = pathParameterOf(lock, key);
    return v === NOT_KNOWN ? NOT_KNOWN : typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
  };
  switch (lock.canonical) {
    case "azure-native:authorization:ManagementLockByScope": {
      const scope = pathParameterOf(lock, "scope");
      return scope === NOT_KNOWN ? NOT_KNOWN : normalizeId(scope);
    }
    case "azure-native:authorization:ManagementLockAtSubscriptionLevel":
      return sub ?? NOT_KNOWN;
    case "azure-native:authorization:ManagementLockAtResourceGroupLevel": {
      const rg = text("resourceGroupName");
      if (rg === undefined) return undefined;
      return rg === NOT_KNOWN || sub === undefined ? NOT_KNOWN : normalizeId(`${sub}/resourceGroups/${rg}`);
    }
    case "azure-native:authorization:ManagementLockAtResourceLevel": {
      const parts = ["resourceGroupName", "resourceProviderNamespace", "resourceType", "resourceName"].map(
        (k) => text(k),
      );
      const parent = text("parentResourcePath");
      if (parts.some((p) => p === undefined)) return undefined;
      if (parts.some((p) => p === NOT_KNOWN) || parent === NOT_KNOWN || sub === undefined) return NOT_KNOWN;
      const [rg, ns, type, name] = parts as string[];
      return normalizeId(
        `${sub}/resourceGroups/${rg}/providers/${ns}/${parent ? `${parent}/` : ""}${type}/${name}`,
      );
    }
    default:
      return undefined;
  }
}

/** Whether a known lock scope covers a target whose ID is not known yet (preview): by names. */
function scopeCoversByName(
  scope: string,
  target: StackResource,
  subscriptions: ReadonlySet<string>,
): boolean {
  const sub = subscriptionOf(scope);
  if (sub === undefined || !subscriptions.has(sub)) return false;
  const rg = scope.match(/^\/subscriptions\/[^/]+\/resourcegroups\/([^/]+)/)?.[1];
  if (rg === undefined) return scope === `/subscriptions/${sub}`;
  // Peeked: a name not known yet (the target is being replaced) matches nothing, and a read would
  // make the policy "can't run during preview" for every stateful resource of the stack.
  const lower = (k: string) => {
    const v = peek(target.props, k);
    return typeof v === "string" ? v.toLowerCase() : undefined;
  };
  if (rg !== lower("resourceGroupName")) return false;
  if (!scope.includes("/providers/")) return true;
  const name = scope.split("/").pop();
  return NAME_KEYS.some((k) => lower(k) === name);
}

/**
 * The inputs that name what a lock of each type covers. A lock whose scope is not known yet
 * (preview) covers a target only when those inputs were computed from it (their
 * propertyDependencies): a `dependsOn` on the target next to a scope computed from anything else
 * let a preview pass while `up` locked something else — stack policies see the real scope only
 * after every step has run. A subscription-level lock has no such input (its provider picks the
 * subscription), so it keeps every dependency of the lock.
 */
const SCOPE_INPUTS: Readonly<Record<string, readonly string[] | undefined>> = {
  "azure-native:authorization:ManagementLockByScope": ["scope"],
  "azure-native:authorization:ManagementLockAtResourceGroupLevel": ["resourceGroupName"],
  "azure-native:authorization:ManagementLockAtResourceLevel": [
    "resourceGroupName",
    "resourceProviderNamespace",
    "parentResourcePath",
    "resourceType",
    "resourceName",
  ],
};

/**
 * `target => some lock covers it`, with locks of known scope looked up by the target's ID and
 * its parents (big stacks hold hundreds of locks); the rest go through the dependency graph.
 */
function lockIndex(
  locks: readonly StackResource[],
  subscriptions: ReadonlySet<string>,
  resourceGroups: ReadonlySet<string>,
): (target: StackResource) => boolean {
  const scopes = new Set<string>();
  const pending: StackResource[] = [];
  for (const lock of locks) {
    const scope = lockScope(lock, subscriptions);
    if (scope === NOT_KNOWN) pending.push(lock);
    else if (scope !== undefined) scopes.add(scope);
  }
  // The resource groups of the stack (URNs) each pending resource-group-level lock's name was
  // computed from.
  const lockedGroups = pending
    .filter((lock) => lock.canonical === "azure-native:authorization:ManagementLockAtResourceGroupLevel")
    .flatMap((lock) => propertyDependenciesOf(lock, "resourceGroupName").map((d) => d.urn))
    .filter((u) => resourceGroups.has(u));
  return (target) => {
    if (pending.some((lock) => computedFrom(lock, target, SCOPE_INPUTS[lock.canonical ?? ""]))) return true;
    // A resource-group-level lock covers what the group holds. In the first preview of a stack
    // the group's name is not known (azure-native previews a new resource's outputs as unknown,
    // provider/pkg/convert/previewOutputs.go), so neither is the lock's scope nor the target's
    // group: both count as the same group when their resourceGroupName inputs were computed from
    // the same ResourceGroup of the stack. Its `up` locks that group (the lock's ID shows it).
    if (
      lockedGroups.length > 0 &&
      propertyDependenciesOf(target, "resourceGroupName").some((d) => lockedGroups.includes(d.urn))
    )
      return true;
    const id = normalizedIdOf(target);
    // Unknown ID (preview): compare the names a known scope spells out.
    if (id === undefined) return [...scopes].some((scope) => scopeCoversByName(scope, target, subscriptions));
    if (scopes.has(id)) return true;
    for (let i = id.indexOf("/", 1); i > 0; i = id.indexOf("/", i + 1))
      if (scopes.has(id.slice(0, i))) return true;
    return false;
  };
}

export const statefulResourcesLocked = stackPolicy({
  name: "stateful-resources-locked",
  description:
    "When locks are required, stateful resources (storage, PostgreSQL, Redis, Key Vault, Log Analytics) carry a CanNotDelete management lock whose scope covers them, and they and the data inside them (blob containers, databases) carry Pulumi protect (BAK-2).",
  controls: ["BAK-2"],
  severity: "high",
  remediation:
    "Add a CanNotDelete ManagementLockByScope on the resource (components: addLock) and set protect: true in its resource options.",
  types: [...STATEFUL, ...PROTECTED_DATA],
  config: {
    requireLocks: {
      description: "Require CanNotDelete locks on stateful resources. On in production.",
      default: true,
    },
    requireProtect: {
      description: "Also require Pulumi's protect option when locks are required.",
      default: true,
    },
  },
  check: (stack, cfg, report) => {
    if (!cfg.requireLocks) return;
    const covered = lockIndex(
      stack.ofType(...LOCK_TYPES),
      stackIndex(stack).subscriptions,
      new Set(stack.ofType("azure-native:resources:ResourceGroup").map((rg) => rg.urn)),
    );
    for (const target of stack.ofType(...STATEFUL)) {
      if (!covered(target)) report(`${label(target)} has no CanNotDelete lock covering it`, target.urn);
      if (cfg.requireProtect && !target.protect)
        report(`${label(target)} is not protected (protect: true)`, target.urn);
    }
    if (cfg.requireProtect)
      for (const data of stack.ofType(...PROTECTED_DATA))
        if (!data.protect) report(`${label(data)} holds data and is not protected (protect: true)`, data.urn);
  },
});

/** Private endpoint connections on the data stores, as separate resources (the owner's side of an approval). */
export const DATA_STORE_CONNECTIONS: readonly AzureType[] = [
  "azure-native:storage:PrivateEndpointConnection",
  "azure-native:keyvault:PrivateEndpointConnection",
  "azure-native:dbforpostgresql:PrivateEndpointConnection",
  "azure-native:redisenterprise:PrivateEndpointConnection",
];
/** States in which a connection carries no traffic. */
const CLOSED_CONNECTION = ["Rejected", "Disconnected"];

export const dataStoreNoConnectionApproval = resourcePolicy({
  name: "data-store-no-connection-approval",
  description:
    "No private endpoint connection is approved on a data store (storage account, PostgreSQL server, Managed Redis, Key Vault) by a connection resource: the stack's own private endpoints are approved automatically when they are created, so an approval only serves an endpoint outside the stack, in a network (or tenant) the pack does not see (NET-1). Rejecting or disconnecting one is allowed.",
  controls: ["NET-1"],
  severity: "high",
  remediation:
    "Reach the data store through a private endpoint of this stack (privateLinkServiceConnections, approved automatically). To close a foreign request, set privateLinkServiceConnectionState.status to Rejected.",
  types: DATA_STORE_CONNECTIONS,
  config: {},
  check: ({ props }, _cfg, report) => {
    const status = str(props, "privateLinkServiceConnectionState", "status");
    if (CLOSED_CONNECTION.some((s) => eqi(status, s))) return;
    report(
      `privateLinkServiceConnectionState.status is ${show(status)}: a connection resource on a data store approves (or leaves open) a private endpoint outside this stack; only Rejected or Disconnected are allowed`,
    );
  },
});

export const dataStoresPolicies = [
  dataStorePrivateConnectivity,
  statefulResourcesLocked,
  dataStoreNoConnectionApproval,
] as const;
