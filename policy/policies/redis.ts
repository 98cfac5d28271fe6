/**
 * Azure Managed Redis (`redisenterprise`) clusters and databases, and legacy Azure Cache for
 * Redis (`redis:Redis`, formerly `cache:Redis`), which no longer accepts new caches and
 * retires: new code must use Managed Redis (TLS-1, NET-1, IAM-1, AVL-1, ENC-2, BAK-1).
 */
import {
  propertyDependenciesOf,
  requireCmkParam,
  requireZoneParam,
  resourcePolicy,
  stackPolicy,
  type StackResource,
} from "../lib/define";
import { bool, eqi, get, has, normalizeLocation, NOT_KNOWN, peek, peekArr, show, str } from "../lib/props";
import {
  allowedDestinationsParam,
  destinationLocationsParam,
  destinationJudge,
  label,
  stackIndex,
} from "../lib/relations";

const CLUSTER = ["azure-native:redisenterprise:RedisEnterprise"] as const;
const DATABASE = ["azure-native:redisenterprise:Database"] as const;
const LEGACY = ["azure-native:redis:Redis"] as const;
const TLS_OK = ["1.2", "1.3"];

export const redisEnterpriseTls = resourcePolicy({
  name: "redis-enterprise-tls",
  description: "Managed Redis clusters accept TLS 1.2 or newer only (TLS-1).",
  controls: ["TLS-1"],
  severity: "high",
  remediation: 'Set minimumTlsVersion: "1.2" (Managed Redis cannot enforce a 1.3 floor).',
  types: CLUSTER,
  config: {},
  check: ({ props }, _cfg, report) => {
    const tls = get(props, "minimumTlsVersion");
    // Set explicitly: the default has changed across API versions.
    if (!(typeof tls === "string" && TLS_OK.includes(tls)))
      report(`minimumTlsVersion is ${show(tls)}; it must be 1.2 or newer`);
  },
});

export const redisEnterprisePrivateAccess = resourcePolicy({
  name: "redis-enterprise-private-access",
  description:
    "Managed Redis clusters have public network access disabled and are reached by private endpoint (NET-1).",
  controls: ["NET-1"],
  severity: "critical",
  remediation: "Set publicNetworkAccess: Disabled and add a private endpoint (group redisEnterprise).",
  types: CLUSTER,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (!eqi(get(props, "publicNetworkAccess"), "Disabled"))
      report(`publicNetworkAccess is ${show(get(props, "publicNetworkAccess"))}; it must be Disabled`);
  },
});

export const redisEnterpriseHighAvailability = resourcePolicy({
  name: "redis-enterprise-high-availability",
  description:
    "When zone redundancy is required, Managed Redis keeps high availability (replication across zones) on (AVL-1).",
  controls: ["AVL-1"],
  severity: "high",
  remediation: "Set highAvailability: Enabled.",
  types: CLUSTER,
  config: { requireZoneRedundancy: requireZoneParam },
  check: ({ props }, cfg, report) => {
    if (!cfg.requireZoneRedundancy) return;
    const ha = get(props, "highAvailability");
    if (!eqi(ha, "Enabled")) report(`highAvailability is ${show(ha)}; it must be Enabled`);
  },
});

export const redisEnterpriseCustomerManagedKey = resourcePolicy({
  name: "redis-enterprise-customer-managed-key",
  description:
    "When customer-managed keys are required, Managed Redis encrypts with a Key Vault key through a user-assigned identity (ENC-2).",
  controls: ["ENC-2"],
  severity: "high",
  remediation:
    "Set encryption.customerManagedKeyEncryption { keyEncryptionKeyUrl, keyEncryptionKeyIdentity { identityType: userAssignedIdentity, userAssignedIdentityResourceId } } and the identity under identity.userAssignedIdentities.",
  types: CLUSTER,
  config: { requireCustomerManagedKey: requireCmkParam },
  check: ({ props }, cfg, report) => {
    if (!cfg.requireCustomerManagedKey) return;
    const cmk = ["encryption", "customerManagedKeyEncryption"];
    if (!has(props, ...cmk, "keyEncryptionKeyUrl")) {
      report("encryption.customerManagedKeyEncryption.keyEncryptionKeyUrl is not set");
      return;
    }
    if (!eqi(get(props, ...cmk, "keyEncryptionKeyIdentity", "identityType"), "userAssignedIdentity"))
      report(
        `encryption.customerManagedKeyEncryption.keyEncryptionKeyIdentity.identityType is ${show(get(props, ...cmk, "keyEncryptionKeyIdentity", "identityType"))}; it must be userAssignedIdentity`,
      );
    if (!has(props, ...cmk, "keyEncryptionKeyIdentity", "userAssignedIdentityResourceId"))
      report(
        "encryption.customerManagedKeyEncryption.keyEncryptionKeyIdentity.userAssignedIdentityResourceId is not set",
      );
  },
});

export const redisDatabaseTls = resourcePolicy({
  name: "redis-database-tls",
  description: "Managed Redis databases accept TLS-encrypted clients only (TLS-1).",
  controls: ["TLS-1"],
  severity: "high",
  remediation: "Set clientProtocol: Encrypted.",
  types: DATABASE,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (!eqi(get(props, "clientProtocol"), "Encrypted"))
      report(`clientProtocol is ${show(get(props, "clientProtocol"))}; it must be Encrypted`);
  },
});

export const redisDatabaseNoAccessKeys = resourcePolicy({
  name: "redis-database-no-access-keys",
  description: "Managed Redis databases refuse access keys; clients authenticate with Entra ID (IAM-1).",
  controls: ["IAM-1"],
  severity: "high",
  remediation: "Set accessKeysAuthentication: Disabled and grant identities an access policy assignment.",
  types: DATABASE,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (!eqi(get(props, "accessKeysAuthentication"), "Disabled"))
      report(
        `accessKeysAuthentication is ${show(get(props, "accessKeysAuthentication"))}; it must be Disabled`,
      );
  },
});

export const redisDatabasePersistence = resourcePolicy({
  name: "redis-database-persistence",
  description: "When persistence is required, Managed Redis databases persist data (AOF or RDB) (BAK-1).",
  controls: ["BAK-1"],
  severity: "medium",
  remediation: "Set persistence { aofEnabled: true, aofFrequency: 1s } (or rdbEnabled with an rdbFrequency).",
  types: DATABASE,
  config: {
    requirePersistence: {
      description: "Require AOF or RDB persistence (on where the cache holds data that matters).",
      default: true,
    },
  },
  check: ({ props }, cfg, report) => {
    if (!cfg.requirePersistence) return;
    if (
      bool(props, "persistence", "aofEnabled") !== true &&
      bool(props, "persistence", "rdbEnabled") !== true
    )
      report("persistence has neither aofEnabled nor rdbEnabled; data would be lost on restart");
  },
});

export const redisCacheLegacy = resourcePolicy({
  name: "redis-cache-legacy",
  description:
    "Azure Cache for Redis no longer accepts new caches and is being retired; use Azure Managed Redis (redisenterprise) (IAM-1, TLS-1).",
  controls: ["IAM-1", "TLS-1"],
  severity: "medium",
  remediation:
    "Use azure-native redisenterprise RedisEnterprise + Database (the ManagedRedis component) instead.",
  types: LEGACY,
  config: {},
  check: ({ type }, _cfg, report) => {
    report(`${type} (Azure Cache for Redis) is retired for new caches; use Azure Managed Redis`);
  },
});

export const redisCacheSecure = resourcePolicy({
  name: "redis-cache-secure",
  description:
    "Existing Azure Cache for Redis instances stay locked down: TLS 1.2+, no non-TLS port, no access keys, no public network access (TLS-1, IAM-1, NET-1).",
  controls: ["TLS-1", "IAM-1", "NET-1"],
  severity: "high",
  remediation:
    'Set enableNonSslPort: false, minimumTlsVersion: "1.2", disableAccessKeyAuthentication: true and publicNetworkAccess: Disabled.',
  types: LEGACY,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (bool(props, "enableNonSslPort") === true)
      report("enableNonSslPort is true; the non-TLS port 6379 must stay closed");
    const tls = str(props, "minimumTlsVersion");
    if (!tls || !TLS_OK.includes(tls))
      report(`minimumTlsVersion is ${show(get(props, "minimumTlsVersion"))}; it must be 1.2`);
    if (bool(props, "disableAccessKeyAuthentication") !== true)
      report(
        `disableAccessKeyAuthentication is ${show(get(props, "disableAccessKeyAuthentication"))}; it must be true`,
      );
    if (!eqi(get(props, "publicNetworkAccess"), "Disabled"))
      report(`publicNetworkAccess is ${show(get(props, "publicNetworkAccess"))}; it must be Disabled`);
  },
});

export const redisGeoReplicationInStack = stackPolicy({
  name: "redis-geo-replication-in-stack",
  description:
    "Redis geo-replication links only caches of this stack in allowed regions: a Managed Redis database's linked databases and a legacy cache's linked servers replicate every key (RES-1, ENV-1).",
  controls: ["RES-1", "ENV-1"],
  severity: "critical",
  remediation:
    "Link only databases (geoReplication.linkedDatabases[].id) or caches (linkedRedisCacheId) created in this stack in an allowed region, or remove the link.",
  types: [...DATABASE, "azure-native:redis:LinkedServer"],
  config: { allowedDestinations: allowedDestinationsParam, allowedLocations: destinationLocationsParam },
  check: (stack, cfg, report) => {
    const index = stackIndex(stack);
    const isCache = (r: StackResource) =>
      r.canonical === "azure-native:redisenterprise:Database" || r.canonical === "azure-native:redis:Redis";
    const judgeDestination = destinationJudge(stack, cfg, report, index);
    // Not known yet (preview): only what the input was computed from counts, and a list not
    // known as a whole is one link not known (read with arr(), it skipped the policy).
    const judge = (r: StackResource, what: string, value: unknown, input: string) =>
      judgeDestination(r, what, value, isCache, () => propertyDependenciesOf(r, input));
    for (const db of stack.ofType(...DATABASE))
      for (const linked of peekArr(db.props, "geoReplication", "linkedDatabases"))
        judge(
          db,
          "geoReplication.linkedDatabases[].id",
          typeof linked === "object" || linked === NOT_KNOWN ? peek(linked, "id") : linked,
          "geoReplication",
        );
    for (const link of stack.ofType("azure-native:redis:LinkedServer")) {
      judge(link, "linkedRedisCacheId", peek(link.props, "linkedRedisCacheId"), "linkedRedisCacheId");
      // A location not known yet: the linked cache's own location is judged through its ID.
      const location = peek(link.props, "linkedRedisCacheLocation");
      if (
        typeof location === "string" &&
        !cfg.allowedLocations.map(normalizeLocation).includes(normalizeLocation(location))
      )
        report(
          `${label(link)}: linkedRedisCacheLocation ${show(location)} is not an allowed region`,
          link.urn,
        );
    }
  },
});

export const redisPolicies = [
  redisEnterpriseTls,
  redisEnterprisePrivateAccess,
  redisEnterpriseHighAvailability,
  redisEnterpriseCustomerManagedKey,
  redisDatabaseTls,
  redisDatabaseNoAccessKeys,
  redisDatabasePersistence,
  redisCacheLegacy,
  redisCacheSecure,
  redisGeoReplicationInStack,
] as const;
