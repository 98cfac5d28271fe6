/**
 * Stack policies: what one resource alone cannot show. They see every resource's outputs
 * (inputs during preview) with parents and dependencies, and relate resources by ARM ID —
 * falling back to the dependency graph where an ID is not known yet (preview).
 */
import { canonicalType, type AzureType } from "../lib/azureTypes";
import { stackPolicy, type StackResource, type StackView } from "../lib/define";
import { arr, bool, eqi, get, hasText, normalizeId, NOT_KNOWN, num, peek, show, str } from "../lib/props";
import {
  allowedDestinationsParam,
  allowListed,
  dependsOn,
  destinationLocationsParam,
  destinationProblem,
  idOf,
  label,
  ReferenceIndex,
  refersTo,
  stackIndex,
  subscriptionOf,
} from "../lib/relations";
import { rotationIntervalDays } from "./keyVault";
import { KEY_ROTATION_DAYS, LOG_RETENTION_DAYS } from "../../controls/limits";

const DIAGNOSTIC_TYPES: AzureType[] = [
  "azure-native:keyvault:Vault",
  "azure-native:storage:StorageAccount",
  "azure-native:storage:BlobServiceProperties",
  "azure-native:dbforpostgresql:Server",
  "azure-native:redisenterprise:RedisEnterprise",
  "azure-native:redisenterprise:Database",
  "azure-native:redis:Redis",
  "azure-native:app:ManagedEnvironment",
  "azure-native:operationalinsights:Workspace",
  "azure-native:network:NetworkSecurityGroup",
  "azure-native:network:VirtualNetwork",
];

export const diagnosticsCoverage = stackPolicy({
  name: "diagnostics-coverage",
  description:
    "Every resource that supports diagnostic settings sends them to a Log Analytics workspace of the stack that keeps logs at least the configured days (LOG-1).",
  controls: ["LOG-1"],
  severity: "high",
  remediation:
    "Add a diagnostic setting (components: addDiagnostics) with resourceUri = the resource's ID and workspaceId = the platform workspace, whose retentionInDays >= minRetentionDays.",
  types: DIAGNOSTIC_TYPES,
  config: {
    minRetentionDays: {
      description: "Minimum retention of the receiving workspace in days.",
      default: LOG_RETENTION_DAYS.min,
    },
    resourceTypes: {
      description: "Canonical azure-native type tokens that must have a diagnostic setting.",
      default: DIAGNOSTIC_TYPES,
    },
  },
  check: (stack, cfg, report) => {
    const settings = stack.ofType("azure-native:monitor:DiagnosticSetting");
    const workspaces = stack.ofType("azure-native:operationalinsights:Workspace");
    const byResource = new ReferenceIndex(settings, (s) => [peek(s.props, "resourceUri")]);
    const wanted = new Set(cfg.resourceTypes.map((t) => canonicalType(t)).filter((t) => t !== undefined));
    for (const target of stack.resources) {
      if (target.canonical === undefined || !wanted.has(target.canonical)) continue;
      const mine = byResource.referrers(target);
      if (mine.length === 0) {
        report(`${label(target)} has no diagnostic setting`, target.urn);
        continue;
      }
      const good = mine.some((s) =>
        workspaces.some(
          (w) =>
            refersTo(s, peek(s.props, "workspaceId"), w) &&
            (num(w.props, "retentionInDays") ?? 0) >= cfg.minRetentionDays,
        ),
      );
      if (!good)
        report(
          `${label(target)}: its diagnostic settings do not reach a workspace of this stack retaining logs >= ${cfg.minRetentionDays} days`,
          target.urn,
        );
    }
  },
});

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
    const byService = new ReferenceIndex(stack.ofType("azure-native:network:PrivateEndpoint"), (pe) =>
      [
        ...arr(pe.props, "privateLinkServiceConnections"),
        ...arr(pe.props, "manualPrivateLinkServiceConnections"),
      ].map((c) => peek(c, "privateLinkServiceId")),
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
        );
        if (problem) report(`${label(store)}: ${problem}`, store.urn);
        continue;
      }
      if (byService.referrers(store).length === 0)
        report(`${label(store)} has no private endpoint or VNet integration`, store.urn);
    }
  },
});

/** A stack resource of one of these canonical types, or whose type token is in one of these modules. */
const ofKind =
  (types: readonly AzureType[], modules: readonly string[] = []) =>
  (r: StackResource): boolean =>
    (r.canonical !== undefined && types.includes(r.canonical)) ||
    modules.some((m) => r.type.toLowerCase().includes(`:${m}:`));
const anyResource = (): boolean => true;

/** Where a diagnostic setting can send data, and what may receive it. */
const DIAGNOSTIC_DESTINATIONS: readonly [key: string, accepts: (r: StackResource) => boolean][] = [
  ["workspaceId", ofKind(["azure-native:operationalinsights:Workspace"])],
  ["storageAccountId", ofKind(["azure-native:storage:StorageAccount"])],
  ["eventHubAuthorizationRuleId", ofKind([], ["eventhub"])],
  ["serviceBusRuleId", ofKind([], ["servicebus"])],
];

export const diagnosticDestinationsInStack = stackPolicy({
  name: "diagnostic-destinations-in-stack",
  description:
    "Every destination of every diagnostic setting (workspace, storage account, event hub, service bus) is a resource of this stack in an allowed region, or a reviewed exception; partner solutions only when listed (LOG-1, RES-1).",
  controls: ["LOG-1", "RES-1"],
  severity: "critical",
  remediation:
    "Send diagnostics only to the stack's own workspace (or a storage account / event hub of the stack in an allowed region); add a reviewed destination outside the stack to allowedDestinations.",
  types: ["azure-native:monitor:DiagnosticSetting"],
  config: { allowedDestinations: allowedDestinationsParam, allowedLocations: destinationLocationsParam },
  check: (stack, cfg, report) => {
    const index = stackIndex(stack);
    for (const setting of stack.ofType("azure-native:monitor:DiagnosticSetting")) {
      for (const [key, accepts] of DIAGNOSTIC_DESTINATIONS) {
        const problem = destinationProblem(
          index,
          setting,
          key,
          peek(setting.props, key),
          cfg,
          accepts,
          stack,
        );
        if (problem) report(`${label(setting)}: ${problem}`, setting.urn);
      }
      // A partner solution ships logs out of Azure: only a listed, reviewed one.
      const partner = peek(setting.props, "marketplacePartnerId");
      if (
        partner !== undefined &&
        partner !== null &&
        partner !== "" &&
        !(typeof partner === "string" && allowListed(partner, cfg.allowedDestinations))
      )
        report(
          `${label(setting)}: marketplacePartnerId ${show(partner === NOT_KNOWN ? "(not known yet)" : partner)} sends logs to a partner outside Azure; only IDs on allowedDestinations may`,
          setting.urn,
        );
    }
  },
});

export const privateEndpointsInStack = stackPolicy({
  name: "private-endpoints-in-stack",
  description:
    "Private endpoints connect only to resources of this stack (or reviewed exceptions), automatically approved, from a subnet of this stack: a private endpoint to a foreign resource is a path for data out of the network (NET-1).",
  controls: ["NET-1"],
  severity: "critical",
  remediation:
    "Point privateLinkServiceConnections[].privateLinkServiceId at a resource of this stack, place the endpoint in a subnet of the stack, and do not use manualPrivateLinkServiceConnections; list a reviewed target in allowedDestinations.",
  types: ["azure-native:network:PrivateEndpoint"],
  config: { allowedDestinations: allowedDestinationsParam, allowedLocations: destinationLocationsParam },
  check: (stack, cfg, report) => {
    const index = stackIndex(stack);
    const subnets = ofKind(["azure-native:network:Subnet", "azure-native:network:VirtualNetwork"]);
    for (const pe of stack.ofType("azure-native:network:PrivateEndpoint")) {
      for (const c of arr(pe.props, "privateLinkServiceConnections")) {
        const problem = destinationProblem(
          index,
          pe,
          "privateLinkServiceId",
          peek(c, "privateLinkServiceId"),
          cfg,
          anyResource,
          stack,
        );
        if (problem) report(`${label(pe)}: ${problem}`, pe.urn);
      }
      for (const c of arr(pe.props, "manualPrivateLinkServiceConnections")) {
        const target = peek(c, "privateLinkServiceId");
        // A manual connection waits for the other side's owner to approve it: someone else's resource.
        if (!(typeof target === "string" && allowListed(target, cfg.allowedDestinations)))
          report(
            `${label(pe)}: manual private link connection to ${show(target === NOT_KNOWN ? "(not known yet)" : target)}; only a target on allowedDestinations may need a manual approval`,
            pe.urn,
          );
      }
      const problem = destinationProblem(
        index,
        pe,
        "subnet.id",
        peek(pe.props, "subnet", "id"),
        cfg,
        subnets,
        stack,
      );
      if (problem) report(`${label(pe)}: ${problem}`, pe.urn);
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
  const level = get(lock.props, "level");
  if (!eqi(level, "CanNotDelete") && !eqi(level, "ReadOnly")) return undefined;
  const id = normalizeId(idOf(lock));
  if (id !== undefined && LOCK_SUFFIX.test(id)) return id.replace(LOCK_SUFFIX, "");
  // Without an ID, a lock at subscription, group or resource level applies to its provider's
  // subscription: the stack's own when it deploys into exactly one.
  const sub = subscriptions.size === 1 ? `/subscriptions/${[...subscriptions][0]}` : undefined;
  const text = (...path: string[]) => {
    const v = peek(lock.props, ...path);
    return v === NOT_KNOWN ? NOT_KNOWN : typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
  };
  switch (lock.canonical) {
    case "azure-native:authorization:ManagementLockByScope": {
      const scope = peek(lock.props, "scope");
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
  if (rg !== str(target.props, "resourceGroupName")?.toLowerCase()) return false;
  if (!scope.includes("/providers/")) return true;
  const name = scope.split("/").pop();
  return NAME_KEYS.some((k) => str(target.props, k)?.toLowerCase() === name);
}

/**
 * `target => some lock covers it`, with locks of known scope looked up by the target's ID and
 * its parents (big stacks hold hundreds of locks); the rest go through the dependency graph.
 */
function lockIndex(
  locks: readonly StackResource[],
  subscriptions: ReadonlySet<string>,
): (target: StackResource) => boolean {
  const scopes = new Set<string>();
  const pending: StackResource[] = [];
  for (const lock of locks) {
    const scope = lockScope(lock, subscriptions);
    if (scope === NOT_KNOWN) pending.push(lock);
    else if (scope !== undefined) scopes.add(scope);
  }
  return (target) => {
    if (pending.some((lock) => dependsOn(lock, target))) return true;
    const id = normalizeId(idOf(target));
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
    const covered = lockIndex(stack.ofType(...LOCK_TYPES), stackIndex(stack).subscriptions);
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

interface KeyRef {
  host: string;
  vault: string;
  name: string;
  /** The pinned key version, if the URI names one. */
  version: string | undefined;
}

/** `https://<vault>.vault.azure.net/keys/<name>[/<version>]` -> parts. */
export function parseKeyUri(uri: string): KeyRef | undefined {
  const m = uri.trim().match(/^https:\/\/(([^./]+)\.[^/]+)\/keys\/([^/]+)(?:\/([^/]*))?\/?$/i);
  return m
    ? {
        host: m[1].toLowerCase(),
        vault: m[2].toLowerCase(),
        name: m[3].toLowerCase(),
        version: m[4] ? m[4].toLowerCase() : undefined,
      }
    : undefined;
}

/**
 * A key a data store encrypts with: its URI (`NOT_KNOWN` in a preview) and how it may name a
 * version. Storage accounts, encryption scopes and PostgreSQL follow a versionless URI to the
 * key's newest version, so a pinned version never sees a rotation; Managed Redis accepts only
 * versioned URLs, so it must name the key's current version.
 */
interface KeyUse {
  uri: string | typeof NOT_KNOWN;
  versions: "versionless" | "current";
}

export function keyReferences(r: StackResource): KeyUse[] {
  const refs: { uri: unknown; versions: KeyUse["versions"] }[] = [];
  const vaultKey = (base: string[], uriKey: string, nameKey: string, versionKey: string) => {
    const vaultUri = peek(r.props, ...base, uriKey);
    const keyName = peek(r.props, ...base, nameKey);
    const version = peek(r.props, ...base, versionKey);
    if (vaultUri === NOT_KNOWN || keyName === NOT_KNOWN)
      refs.push({ uri: NOT_KNOWN, versions: "versionless" });
    else if (typeof vaultUri === "string" && vaultUri && typeof keyName === "string" && keyName)
      refs.push({
        uri: `${vaultUri.replace(/\/+$/, "")}/keys/${keyName}${typeof version === "string" && version.trim() ? `/${version.trim()}` : ""}`,
        versions: "versionless",
      });
  };
  if (
    r.canonical === "azure-native:storage:StorageAccount" &&
    eqi(get(r.props, "encryption", "keySource"), "Microsoft.Keyvault")
  ) {
    vaultKey(["encryption", "keyVaultProperties"], "keyVaultUri", "keyName", "keyVersion");
  } else if (r.canonical === "azure-native:dbforpostgresql:Server") {
    for (const key of ["primaryKeyURI", "geoBackupKeyURI"])
      refs.push({ uri: peek(r.props, "dataEncryption", key), versions: "versionless" });
  } else if (r.canonical === "azure-native:redisenterprise:RedisEnterprise") {
    refs.push({
      uri: peek(r.props, "encryption", "customerManagedKeyEncryption", "keyEncryptionKeyUrl"),
      versions: "current",
    });
  } else if (
    r.canonical === "azure-native:storage:EncryptionScope" &&
    eqi(get(r.props, "source"), "Microsoft.KeyVault")
  ) {
    refs.push({ uri: peek(r.props, "keyVaultProperties", "keyUri"), versions: "versionless" });
  }
  return refs.filter((v): v is KeyUse => v.uri === NOT_KNOWN || (typeof v.uri === "string" && v.uri !== ""));
}

function keyMatches(key: StackResource, ref: { vault: string; name: string }, uri: string): boolean {
  const keyUri = str(key.props, "keyUri") ?? str(key.props, "keyUriWithVersion");
  if (keyUri) {
    const parsed = parseKeyUri(keyUri);
    if (parsed) return parsed.vault === ref.vault && parsed.name === ref.name;
  }
  const name = (str(key.props, "keyName") ?? str(key.props, "name"))?.toLowerCase();
  const vault = str(key.props, "vaultName")?.toLowerCase();
  return name === ref.name && (vault === undefined || vault === ref.vault) && uri !== "";
}

export const customerManagedKeysRotate = stackPolicy({
  name: "customer-managed-keys-rotate",
  description:
    "Every customer-managed key used by a storage account, encryption scope, PostgreSQL server or Managed Redis is a Key Vault key of this stack with a rotation policy rotating at most every configured days, referenced so that rotation reaches the data: versionless (Managed Redis: the key's current version) (KEY-1, ENC-2).",
  controls: ["KEY-1", "ENC-2"],
  severity: "high",
  remediation:
    "Create the key in this stack with the CustomerManagedKey component (rotation policy: rotate after <= 365 days) and reference it by its versionless URI (no keyVersion); Managed Redis: the key's keyUriWithVersion output.",
  types: [
    "azure-native:keyvault:Key",
    "azure-native:storage:StorageAccount",
    "azure-native:storage:EncryptionScope",
    "azure-native:dbforpostgresql:Server",
    "azure-native:redisenterprise:RedisEnterprise",
  ],
  config: {
    maxRotationDays: {
      description: "Longest allowed rotation interval in days.",
      default: KEY_ROTATION_DAYS.max,
    },
  },
  check: (stack, cfg, report) => {
    const keys = stack.ofType("azure-native:keyvault:Key");
    const consumers = stack.ofType(
      "azure-native:storage:StorageAccount",
      "azure-native:storage:EncryptionScope",
      "azure-native:dbforpostgresql:Server",
      "azure-native:redisenterprise:RedisEnterprise",
    );
    const checkRotation = (key: StackResource, what: string, consumer: StackResource) => {
      const interval = rotationIntervalDays(
        get(key.props, "properties", "rotationPolicy") ?? get(key.props, "rotationPolicy"),
      );
      if (interval === undefined || interval > cfg.maxRotationDays)
        report(
          `key ${what} used by ${label(consumer)} has ${interval === undefined ? "no rotation policy" : `a rotation every ${Math.round(interval)} days`}; it must rotate at most every ${cfg.maxRotationDays} days`,
          key.urn,
        );
    };
    for (const consumer of consumers) {
      for (const { uri, versions } of keyReferences(consumer)) {
        if (uri === NOT_KNOWN) {
          // Preview: the URI comes from a key being created; judge the keys the store depends on.
          for (const key of keys.filter((k) => dependsOn(consumer, k)))
            checkRotation(key, str(key.props, "keyName") ?? key.name, consumer);
          continue;
        }
        const ref = parseKeyUri(uri);
        if (!ref) {
          report(`${label(consumer)} uses key ${show(uri)}, which is not a Key Vault key URI`, consumer.urn);
          continue;
        }
        const key = keys.find((k) => keyMatches(k, ref, uri));
        if (!key) {
          report(
            `${label(consumer)} uses key ${ref.vault}/${ref.name}, which this stack does not manage: its rotation cannot be verified`,
            consumer.urn,
          );
          continue;
        }
        checkRotation(key, `${ref.vault}/${ref.name}`, consumer);
        const current = parseKeyUri(str(key.props, "keyUriWithVersion") ?? "")?.version;
        if (versions === "versionless" && ref.version !== undefined)
          report(
            `${label(consumer)} pins version ${ref.version} of key ${ref.vault}/${ref.name}: a rotated key never reaches the data; reference it without a version`,
            consumer.urn,
          );
        else if (versions === "current" && current !== undefined && ref.version !== current)
          report(
            `${label(consumer)} uses ${ref.version === undefined ? "no version" : `version ${ref.version}`} of key ${ref.vault}/${ref.name}, not its current version ${current}: rotation does not reach the data`,
            consumer.urn,
          );
      }
    }
  },
});

/** Host names (`<vault>.vault.azure.net`) of the stack's vaults. */
function vaultHosts(stack: StackView): Set<string> {
  const hosts = new Set<string>();
  for (const vault of stack.ofType("azure-native:keyvault:Vault")) {
    const uri = peek(vault.props, "properties", "vaultUri");
    const host = typeof uri === "string" ? uri.match(/^https:\/\/([^/]+)/i)?.[1] : undefined;
    if (host) hosts.add(host.toLowerCase());
    const name = str(vault.props, "vaultName") ?? str(vault.props, "name");
    if (name) hosts.add(`${name.toLowerCase()}.vault.azure.net`);
  }
  return hosts;
}

export const containerAppKeyVaultReferences = stackPolicy({
  name: "container-app-key-vault-references",
  description:
    "Container app and job Key Vault secret references point at a Key Vault of this stack (SEC-1).",
  controls: ["SEC-1"],
  severity: "high",
  remediation:
    "Reference secrets in the stack's Key Vault (KeyVault.addSecret) by their versionless secret URI.",
  types: ["azure-native:app:ContainerApp", "azure-native:app:Job", "azure-native:keyvault:Vault"],
  config: {},
  check: (stack, _cfg, report) => {
    const hosts = vaultHosts(stack);
    const vaults = stack.ofType("azure-native:keyvault:Vault");
    for (const app of stack.ofType("azure-native:app:ContainerApp", "azure-native:app:Job")) {
      for (const secret of arr(app.props, "configuration", "secrets")) {
        const url = peek(secret, "keyVaultUrl");
        if (url === NOT_KNOWN) {
          // Preview: a URL computed from a vault being created must come from one of ours.
          if (!vaults.some((v) => dependsOn(app, v)))
            report(
              `${label(app)}: secret ${show(get(secret, "name"))} references a Key Vault URL that is not known yet and does not come from a vault of this stack`,
              app.urn,
            );
          continue;
        }
        if (typeof url !== "string") continue;
        const host = url.match(/^https:\/\/([^/]+)/i)?.[1]?.toLowerCase();
        if (!host || !hosts.has(host))
          report(
            `${label(app)}: secret ${show(get(secret, "name"))} references ${show(url)}, not a Key Vault of this stack`,
            app.urn,
          );
      }
    }
  },
});

const PG_TLS = ["tlsv1", "tlsv1.1", "tlsv1.2", "tlsv1.3"];

export const postgresServerParameters = stackPolicy({
  name: "postgres-server-parameters",
  description:
    "Every PostgreSQL server of the stack sets ssl_min_protocol_version to the configured floor (TLSv1.3) and turns on connection and disconnection logging (TLS-1, LOG-1).",
  controls: ["TLS-1", "LOG-1"],
  severity: "medium",
  remediation:
    "Add dbforpostgresql.Configuration resources: ssl_min_protocol_version = TLSv1.3, log_connections = on, log_disconnections = on (source: user-override), one after another.",
  types: ["azure-native:dbforpostgresql:Server", "azure-native:dbforpostgresql:Configuration"],
  config: {
    minTlsVersion: {
      description: "Lowest acceptable ssl_min_protocol_version.",
      default: "TLSv1.3",
      schema: { enum: ["TLSv1.2", "TLSv1.3"] },
    },
    requireConnectionLogging: {
      description: "Require log_connections and log_disconnections set to on.",
      default: true,
    },
  },
  check: (stack, cfg, report) => {
    const configurations = stack.ofType("azure-native:dbforpostgresql:Configuration");
    for (const server of stack.ofType("azure-native:dbforpostgresql:Server")) {
      const serverName = (str(server.props, "serverName") ?? str(server.props, "name"))?.toLowerCase();
      const mine = configurations.filter((c) => {
        const cServer = str(c.props, "serverName")?.toLowerCase();
        return cServer !== undefined && serverName !== undefined
          ? cServer === serverName
          : dependsOn(c, server);
      });
      const value = (parameter: string): string | undefined =>
        str(
          mine.find((c) => eqi(get(c.props, "configurationName") ?? get(c.props, "name"), parameter))?.props,
          "value",
        )
          ?.trim()
          .toLowerCase();
      const tls = value("ssl_min_protocol_version");
      if (tls === undefined || PG_TLS.indexOf(tls) < PG_TLS.indexOf(cfg.minTlsVersion.toLowerCase()))
        report(
          `${label(server)}: ssl_min_protocol_version is ${show(tls)}; it must be ${cfg.minTlsVersion} or newer`,
          server.urn,
        );
      if (cfg.requireConnectionLogging) {
        for (const parameter of ["log_connections", "log_disconnections"]) {
          const v = value(parameter);
          if (v !== "on" && v !== "true" && bool(v) !== true)
            report(`${label(server)}: ${parameter} is ${show(v)}; it must be on`, server.urn);
        }
      }
    }
  },
});

export const stackPolicies = [
  diagnosticsCoverage,
  diagnosticDestinationsInStack,
  dataStorePrivateConnectivity,
  privateEndpointsInStack,
  statefulResourcesLocked,
  customerManagedKeysRotate,
  containerAppKeyVaultReferences,
  postgresServerParameters,
] as const;
