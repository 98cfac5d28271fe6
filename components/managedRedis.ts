/**
 * Azure Managed Redis (`redisenterprise`), the successor of Azure Cache for Redis, secure by
 * default: TLS 1.2 floor and TLS-only client protocol (TLS-1; the service cannot refuse
 * TLS 1.2), access keys off, so apps authenticate with Entra through access policy assignments, which each
 * `ContainerApp` makes for its identity (IAM-1),
 * no public network access and a private endpoint (NET-1), high availability in prod (AVL-1),
 * AOF or RDB persistence where the data matters (BAK-1), customer-managed key through a
 * user-assigned identity (ENC-2), connection logs and metrics (LOG-1), alerts (MON-1), and a
 * lock plus `protect` in prod (BAK-2).
 */
import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as redisenterprise from "@pulumi/azure-native/redisenterprise";
import { addMetricAlerts } from "./common/alerts";
import { addDiagnostics } from "./common/diagnostics";
import { startArgChecks, type CommonComponentArgs } from "./common/interfaces";
import { addLock } from "./common/lock";
import { assignRoles, checkCustomerManagedKey, prepareDataComponent } from "./common/dataComponent";
import { globalResourceName } from "./common/naming";
import { addPrivateEndpoint } from "./common/privateEndpoint";
import { parseArgs, PLATFORM_CONTEXT_KEYS } from "./common/schema";
import {
  defaultPersistence,
  MANAGED_REDIS_DEFAULTS,
  managedRedisSettingsSchema,
  type RedisClusteringPolicy,
  type RedisEvictionPolicy,
  type RedisPersistence,
  type RedisRdbFrequency,
} from "./managedRedis.schema";

export {
  RedisClusteringPolicy,
  RedisEvictionPolicy,
  RedisPersistence,
  RedisRdbFrequency,
} from "./managedRedis.schema";
import { componentType, withLegacyAlias } from "./common/componentType";
import { customerManagedKeyRequired, zoneRedundancyRequired } from "./common/mandatory";
export { MANAGED_REDIS_SKUS } from "./managedRedis.schema";
/** The database port; Azure Managed Redis serves TLS on 10000. */
export const REDIS_PORT = 10000;

export interface ManagedRedisArgs extends CommonComponentArgs {
  /** Azure Managed Redis SKU, e.g. `Balanced_B0` (dev) .. `Balanced_B5` (prod). Default Balanced_B0. */
  skuName?: string;
  /**
   * BAK-1: `aof` (every second) or `rdb` (snapshots) when the cache holds data that matters,
   * `none` for a pure cache. Default `aof` in prod, `none` elsewhere.
   */
  persistence?: RedisPersistence;
  /** Snapshot interval with `rdb`. Default `1h`. */
  rdbFrequency?: RedisRdbFrequency;
  /**
   * AVL-1: replicate the data set across nodes (and zones where the region has them).
   * Default on in prod and when the platform is zone redundant; cannot be off in prod. Once on,
   * Azure cannot turn it off (only Disabled -> Enabled updates).
   */
  highAvailability?: boolean;
  /**
   * `EnterpriseCluster` (default): one endpoint, any Redis client works, including the Entra
   * token clients; `OSSCluster`: higher throughput but needs cluster-aware clients. Fixed at creation.
   */
  clusteringPolicy?: RedisClusteringPolicy;
  /** Eviction when memory is full. Default `VolatileLRU` (only keys with a TTL are evicted). */
  evictionPolicy?: RedisEvictionPolicy;
  /** Part of the cluster name. Default `cache`. */
  purpose?: string;
}

const ARG_KEYS: Record<keyof ManagedRedisArgs, true> = {
  platform: true,
  diagnostics: true,
  lock: true,
  privateEndpoint: true,
  customerManagedKey: true,
  roleAssignments: true,
  tags: true,
  skuName: true,
  persistence: true,
  rdbFrequency: true,
  highAvailability: true,
  clusteringPolicy: true,
  evictionPolicy: true,
  purpose: true,
};

/**
 * Azure Managed Redis (IAM-1, TLS-1, ENC-1/2, NET-1, AVL-1, BAK-1): Entra authentication with
 * access keys off, TLS only, a private endpoint, and persistence and high availability in prod.
 */
export class ManagedRedis extends pulumi.ComponentResource {
  /** Resource ID of the cluster. */
  readonly clusterId: pulumi.Output<string>;
  /** Name of the cluster. */
  readonly clusterName: pulumi.Output<string>;
  /** `<name>.<region>.redis.azure.net`, resolved privately through the private DNS zone. */
  readonly hostName: pulumi.Output<string>;
  /** TLS port of the database (10000). */
  readonly port: pulumi.Output<number>;
  /** Resource ID of the database. */
  readonly databaseId: pulumi.Output<string>;
  /**
   * Name of the database (`default`), resolved once it exists: what a `ContainerApp`'s
   * `services.redis.databaseName` takes, so its access policy assignment waits for the database.
   */
  readonly databaseName: pulumi.Output<string>;

  constructor(name: string, args: ManagedRedisArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = `ManagedRedis "${name}"`;
    // Every problem at once, before anything registers.
    const { problems, platformOk } = startArgChecks(
      owner,
      args,
      Object.keys(ARG_KEYS),
      "access keys, plaintext and public access cannot be turned on",
      PLATFORM_CONTEXT_KEYS,
    );
    problems.beforePlatformReads(platformOk);
    const { platform } = args;
    const settings = problems.check(() =>
      parseArgs(owner, managedRedisSettingsSchema(platform), {
        skuName: args.skuName,
        persistence: args.persistence,
        rdbFrequency: args.rdbFrequency,
        highAvailability: args.highAvailability,
        clusteringPolicy: args.clusteringPolicy,
        evictionPolicy: args.evictionPolicy,
      }),
    );
    const cmk = args.customerManagedKey;
    checkCustomerManagedKey(problems, "customerManagedKey", cmk, ["keyVaultId", "keyName", "identityId"]);
    if (!cmk && customerManagedKeyRequired(platform)) {
      problems.add(
        ["customerManagedKey"],
        cmk,
        `is required in ${platform.environment}: the cluster's disks must be encrypted with a customer-managed key (ENC-2)`,
      );
    }
    const purpose = args.purpose ?? "cache";
    const { locked, tags } = prepareDataComponent(
      owner,
      platform,
      args,
      "redisEnterprise",
      purpose,
      problems,
    );
    const skuName = settings!.skuName ?? MANAGED_REDIS_DEFAULTS.skuName;
    const persistence = settings!.persistence ?? defaultPersistence(platform);
    const rdbFrequency = settings!.rdbFrequency ?? MANAGED_REDIS_DEFAULTS.rdbFrequency;
    const highAvailability = settings!.highAvailability ?? zoneRedundancyRequired(platform);
    const clusteringPolicy = settings!.clusteringPolicy ?? MANAGED_REDIS_DEFAULTS.clusteringPolicy;
    const evictionPolicy = settings!.evictionPolicy ?? MANAGED_REDIS_DEFAULTS.evictionPolicy;

    super(componentType("ManagedRedis"), name, {}, withLegacyAlias("ManagedRedis", opts));

    // Managed Redis accepts versioned key URLs only: resolve the key's current version. A
    // rotated key is picked up by the next deployment (the old version stays valid until it expires).
    // Joined with the key's own URI so the URL keeps the key among its dependencies: an invoke
    // whose arguments are not known yet (a first preview) answers unknown with no dependencies
    // (pulumi/pulumi sdk/nodejs/runtime/invoke.ts), and the pack judges a key URL not known yet
    // by the keys it comes from (customer-managed-keys-rotate, -key-strength).
    const keyEncryptionKeyUrl = cmk
      ? pulumi
          .all([
            keyvault
              .getKeyOutput(
                {
                  resourceGroupName: pulumi.output(cmk.keyVaultId).apply((id) => id.split("/")[4]),
                  vaultName: pulumi.output(cmk.keyVaultId).apply((id) => id.split("/")[8]),
                  keyName: cmk.keyName,
                },
                { parent: this },
              )
              .apply((k) => k.keyUriWithVersion),
            cmk.keyUri,
          ])
          .apply(([url]) => url)
      : undefined;

    const cluster = new redisenterprise.RedisEnterprise(
      `${name}-cluster`,
      {
        resourceGroupName: platform.resourceGroupName,
        location: platform.location,
        clusterName: globalResourceName(platform, "redisEnterprise", purpose, this),
        sku: { name: skuName },
        minimumTlsVersion: redisenterprise.TlsVersion.TlsVersion_1_2,
        publicNetworkAccess: redisenterprise.PublicNetworkAccess.Disabled,
        highAvailability: highAvailability
          ? redisenterprise.HighAvailability.Enabled
          : redisenterprise.HighAvailability.Disabled,
        ...(cmk
          ? {
              identity: {
                type: redisenterprise.ManagedServiceIdentityType.UserAssigned,
                userAssignedIdentities: [cmk.identityId],
              },
              encryption: {
                customerManagedKeyEncryption: {
                  keyEncryptionKeyUrl,
                  keyEncryptionKeyIdentity: {
                    identityType: redisenterprise.CmkIdentityType.UserAssignedIdentity,
                    userAssignedIdentityResourceId: cmk.identityId,
                  },
                },
              },
            }
          : {}),
        tags,
      },
      { parent: this, protect: locked },
    );

    const database = new redisenterprise.Database(
      `${name}-database`,
      {
        resourceGroupName: platform.resourceGroupName,
        clusterName: cluster.name,
        // Azure Managed Redis has exactly one database, named `default`.
        databaseName: "default",
        port: REDIS_PORT,
        clientProtocol: redisenterprise.Protocol.Encrypted,
        accessKeysAuthentication: redisenterprise.AccessKeysAuthentication.Disabled,
        clusteringPolicy,
        evictionPolicy,
        persistence:
          persistence === "aof"
            ? { aofEnabled: true, aofFrequency: redisenterprise.AofFrequency.AofFrequency_1s }
            : persistence === "rdb"
              ? { rdbEnabled: true, rdbFrequency }
              : { aofEnabled: false, rdbEnabled: false },
      },
      { parent: this, protect: locked },
    );
    if (locked) addLock(`${name}-cluster`, cluster, args.lock, { parent: this });
    const endpoint = addPrivateEndpoint(name, cluster.id, "redisEnterprise", platform, args.privateEndpoint, {
      parent: this,
    });
    // LOG-1: the cluster emits metrics only; the database emits the ConnectionEvents logs.
    addDiagnostics(`${name}-cluster`, cluster.id, "redisEnterprise", platform, args.diagnostics, {
      parent: this,
    });
    addDiagnostics(`${name}-database`, database.id, "redisEnterpriseDatabase", platform, args.diagnostics, {
      parent: this,
    });
    addMetricAlerts(
      name,
      cluster.id,
      [
        {
          name: "memory",
          description: "Managed Redis used memory above 90%",
          metricNamespace: "Microsoft.Cache/redisEnterprise",
          metricName: "usedmemorypercentage",
          operator: "GreaterThan",
          threshold: 90,
          aggregation: "Maximum",
          severity: 2,
        },
        {
          name: "server-load",
          description: "Managed Redis server load above 80%",
          metricNamespace: "Microsoft.Cache/redisEnterprise",
          metricName: "serverLoad",
          operator: "GreaterThan",
          threshold: 80,
          aggregation: "Average",
          severity: 2,
        },
      ],
      platform,
      { parent: this },
    );
    assignRoles(name, cluster.id, args.roleAssignments, this);

    this.clusterId = cluster.id;
    this.clusterName = cluster.name;
    // Apps get the host name once its private address is in DNS (NET-1).
    this.hostName = endpoint.reachable(cluster.hostName);
    this.port = database.port.apply((p) => p ?? REDIS_PORT);
    this.databaseId = database.id;
    this.databaseName = database.name;
    this.registerOutputs({
      clusterId: this.clusterId,
      clusterName: this.clusterName,
      hostName: this.hostName,
      port: this.port,
      databaseId: this.databaseId,
      databaseName: this.databaseName,
    });
  }
}
