/**
 * Stack policies: what one resource alone cannot show. They see every resource's outputs
 * (inputs during preview) with parents and dependencies, and relate resources by ARM ID —
 * falling back to the dependency graph where an ID is not known yet (preview).
 */
import { canonicalType, type AzureType } from "../lib/azureTypes";
import { stackPolicy, type StackResource, type StackView } from "../lib/define";
import { arr, bool, eqi, get, hasText, normalizeId, NOT_KNOWN, num, peek, show, str } from "../lib/props";
import { dependsOn, idOf, label, ReferenceIndex, refersTo } from "../lib/relations";
import { rotationIntervalDays } from "./keyVault";

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
    minRetentionDays: { description: "Minimum retention of the receiving workspace in days.", default: 365 },
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
    "Every data store (storage account, PostgreSQL server, Managed Redis, Key Vault) is reachable privately: a private endpoint to it in the stack, or VNet integration (NET-1).",
  controls: ["NET-1"],
  severity: "high",
  remediation:
    "Add a private endpoint (components: addPrivateEndpoint) whose privateLinkServiceConnections[].privateLinkServiceId is the store's ID, or VNet-integrate PostgreSQL (network.delegatedSubnetResourceId).",
  types: DATA_STORES,
  config: {},
  check: (stack, _cfg, report) => {
    const byService = new ReferenceIndex(stack.ofType("azure-native:network:PrivateEndpoint"), (pe) =>
      [
        ...arr(pe.props, "privateLinkServiceConnections"),
        ...arr(pe.props, "manualPrivateLinkServiceConnections"),
      ].map((c) => peek(c, "privateLinkServiceId")),
    );
    for (const store of stack.ofType(...DATA_STORES)) {
      if (hasText(store.props, "network", "delegatedSubnetResourceId") || hasText(store.props, "subnetId"))
        continue;
      if (byService.referrers(store).length === 0)
        report(`${label(store)} has no private endpoint or VNet integration`, store.urn);
    }
  },
});

const STATEFUL: AzureType[] = [
  "azure-native:storage:StorageAccount",
  "azure-native:dbforpostgresql:Server",
  "azure-native:redisenterprise:RedisEnterprise",
  "azure-native:redis:Redis",
  "azure-native:keyvault:Vault",
  "azure-native:operationalinsights:Workspace",
];
const LOCK_TYPES: AzureType[] = [
  "azure-native:authorization:ManagementLockByScope",
  "azure-native:authorization:ManagementLockAtResourceGroupLevel",
  "azure-native:authorization:ManagementLockAtResourceLevel",
  "azure-native:authorization:ManagementLockAtSubscriptionLevel",
];

function resourceGroupOf(r: StackResource): string | undefined {
  const fromId = idOf(r)?.match(/\/resourcegroups\/([^/]+)/i)?.[1];
  return (fromId ?? str(r.props, "resourceGroupName"))?.toLowerCase();
}

/** Whether a delete-blocking lock covers `target`. */
function lockCovers(lock: StackResource, target: StackResource): boolean {
  const level = get(lock.props, "level");
  if (!eqi(level, "CanNotDelete") && !eqi(level, "ReadOnly")) return false;
  switch (lock.canonical) {
    case "azure-native:authorization:ManagementLockAtSubscriptionLevel":
      return true;
    case "azure-native:authorization:ManagementLockAtResourceGroupLevel": {
      const rg = str(lock.props, "resourceGroupName")?.toLowerCase();
      return rg !== undefined && rg === resourceGroupOf(target);
    }
    case "azure-native:authorization:ManagementLockAtResourceLevel": {
      const rg = str(lock.props, "resourceGroupName")?.toLowerCase();
      const name = str(lock.props, "resourceName")?.toLowerCase();
      const targetId = normalizeId(idOf(target));
      if (targetId !== undefined && name !== undefined)
        return targetId.endsWith(`/${name}`) && rg === resourceGroupOf(target);
      return dependsOn(lock, target);
    }
    case "azure-native:authorization:ManagementLockByScope": {
      const scope = normalizeId(peek(lock.props, "scope"));
      const targetId = normalizeId(idOf(target));
      if (scope !== undefined && targetId !== undefined)
        return targetId === scope || targetId.startsWith(`${scope}/`);
      return dependsOn(lock, target);
    }
    default:
      return false;
  }
}

/**
 * `target => some lock covers it`, with scope locks of known scope looked up by the target's
 * ID and its parents (big stacks hold hundreds of locks); the rest go through `lockCovers`.
 */
function lockIndex(locks: readonly StackResource[]): (target: StackResource) => boolean {
  const scopes = new Set<string>();
  const others: StackResource[] = [];
  for (const lock of locks) {
    const level = get(lock.props, "level");
    const scope =
      lock.canonical === "azure-native:authorization:ManagementLockByScope" &&
      (eqi(level, "CanNotDelete") || eqi(level, "ReadOnly"))
        ? normalizeId(peek(lock.props, "scope"))
        : undefined;
    if (scope !== undefined) scopes.add(scope);
    else others.push(lock);
  }
  return (target) => {
    const id = normalizeId(idOf(target));
    // Unknown ID (preview): only the dependency graph can tell, lock by lock.
    if (id === undefined) return locks.some((lock) => lockCovers(lock, target));
    if (scopes.has(id)) return true;
    for (let i = id.indexOf("/", 1); i > 0; i = id.indexOf("/", i + 1))
      if (scopes.has(id.slice(0, i))) return true;
    return others.some((lock) => lockCovers(lock, target));
  };
}

export const statefulResourcesLocked = stackPolicy({
  name: "stateful-resources-locked",
  description:
    "When locks are required, stateful resources (storage, PostgreSQL, Redis, Key Vault, Log Analytics) carry a CanNotDelete management lock covering them and Pulumi protect (BAK-2).",
  controls: ["BAK-2"],
  severity: "high",
  remediation:
    "Add a CanNotDelete ManagementLockByScope on the resource (components: addLock) and set protect: true in its resource options.",
  types: STATEFUL,
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
    const covered = lockIndex(stack.ofType(...LOCK_TYPES));
    for (const target of stack.ofType(...STATEFUL)) {
      if (!covered(target)) report(`${label(target)} has no CanNotDelete lock covering it`, target.urn);
      if (cfg.requireProtect && !target.protect)
        report(`${label(target)} is not protected (protect: true)`, target.urn);
    }
  },
});

/** `https://<vault>.vault.azure.net/keys/<name>[/<version>]` -> parts. */
export function parseKeyUri(uri: string): { host: string; vault: string; name: string } | undefined {
  const m = uri.trim().match(/^https:\/\/(([^./]+)\.[^/]+)\/keys\/([^/]+)(\/[^/]*)?\/?$/i);
  return m ? { host: m[1].toLowerCase(), vault: m[2].toLowerCase(), name: m[3].toLowerCase() } : undefined;
}

/** Key URIs a data store encrypts with; `NOT_KNOWN` for one that is not known yet (preview). */
export function keyReferences(r: StackResource): (string | typeof NOT_KNOWN)[] {
  const refs: unknown[] = [];
  if (
    r.canonical === "azure-native:storage:StorageAccount" &&
    eqi(get(r.props, "encryption", "keySource"), "Microsoft.Keyvault")
  ) {
    const vaultUri = peek(r.props, "encryption", "keyVaultProperties", "keyVaultUri");
    const keyName = peek(r.props, "encryption", "keyVaultProperties", "keyName");
    if (vaultUri === NOT_KNOWN || keyName === NOT_KNOWN) refs.push(NOT_KNOWN);
    else if (typeof vaultUri === "string" && vaultUri && typeof keyName === "string" && keyName)
      refs.push(`${vaultUri.replace(/\/+$/, "")}/keys/${keyName}`);
  } else if (r.canonical === "azure-native:dbforpostgresql:Server") {
    refs.push(
      peek(r.props, "dataEncryption", "primaryKeyURI"),
      peek(r.props, "dataEncryption", "geoBackupKeyURI"),
    );
  } else if (r.canonical === "azure-native:redisenterprise:RedisEnterprise") {
    refs.push(peek(r.props, "encryption", "customerManagedKeyEncryption", "keyEncryptionKeyUrl"));
  }
  return refs.filter(
    (v): v is string | typeof NOT_KNOWN => v === NOT_KNOWN || (typeof v === "string" && v !== ""),
  );
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
    "Every customer-managed key used by a storage account, PostgreSQL server or Managed Redis is a Key Vault key of this stack with a rotation policy rotating at most every configured days (KEY-1, ENC-2).",
  controls: ["KEY-1", "ENC-2"],
  severity: "high",
  remediation:
    "Create the key in this stack with the CustomerManagedKey component (rotation policy: rotate after <= 365 days) and reference it by its versionless URI.",
  types: [
    "azure-native:keyvault:Key",
    "azure-native:storage:StorageAccount",
    "azure-native:dbforpostgresql:Server",
    "azure-native:redisenterprise:RedisEnterprise",
  ],
  config: { maxRotationDays: { description: "Longest allowed rotation interval in days.", default: 365 } },
  check: (stack, cfg, report) => {
    const keys = stack.ofType("azure-native:keyvault:Key");
    const consumers = stack.ofType(
      "azure-native:storage:StorageAccount",
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
      for (const uri of keyReferences(consumer)) {
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
  dataStorePrivateConnectivity,
  statefulResourcesLocked,
  customerManagedKeysRotate,
  containerAppKeyVaultReferences,
  postgresServerParameters,
] as const;
