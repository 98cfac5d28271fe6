/**
 * The Managed Redis settings a stack chooses (`ManagedRedis` args without the platform wiring):
 * the component parses them with `managedRedisSettingsSchema`, and the stack config's
 * `redisSkuName` and `redisPersistence` keys are the same fields and rules.
 */
import * as redisenterprise from "@pulumi/azure-native/redisenterprise";
import { z } from "zod";
import { enumValues, type SameType } from "./common/enums";
import { isProduction, zoneRedundancyRequired } from "./common/mandatory";

/** BAK-1: how the cache persists its data set. */
export const RedisPersistence = {
  /** A pure cache: nothing persisted. */
  None: "none",
  /** Periodic snapshots (`rdbFrequency`). */
  Rdb: "rdb",
  /** Append-only file, written every second. */
  Aof: "aof",
} as const;
export type RedisPersistence = (typeof RedisPersistence)[keyof typeof RedisPersistence];
export const REDIS_PERSISTENCE = enumValues(RedisPersistence);

/** Snapshot interval with `rdb` persistence (Azure's `RdbFrequency`). */
export const RedisRdbFrequency = {
  /** Every hour. */
  Every1h: "1h",
  /** Every 6 hours. */
  Every6h: "6h",
  /** Every 12 hours. */
  Every12h: "12h",
} as const;
export type RedisRdbFrequency = (typeof RedisRdbFrequency)[keyof typeof RedisRdbFrequency];

/** How the database spreads keys over shards; fixed at creation (the platform offers two of Azure's). */
export const RedisClusteringPolicy = {
  /** One endpoint, any Redis client works, including the Entra token clients. */
  EnterpriseCluster: "EnterpriseCluster",
  /** Higher throughput, but needs cluster-aware clients. */
  OSSCluster: "OSSCluster",
} as const;
export type RedisClusteringPolicy = (typeof RedisClusteringPolicy)[keyof typeof RedisClusteringPolicy];

/** What the cache evicts when memory is full (Azure's `EvictionPolicy`). */
export const RedisEvictionPolicy = {
  /** Least frequently used, among all keys. */
  AllKeysLFU: "AllKeysLFU",
  /** Least recently used, among all keys. */
  AllKeysLRU: "AllKeysLRU",
  /** Random, among all keys. */
  AllKeysRandom: "AllKeysRandom",
  /** Least recently used, among keys with a TTL (the default). */
  VolatileLRU: "VolatileLRU",
  /** Least frequently used, among keys with a TTL. */
  VolatileLFU: "VolatileLFU",
  /** Shortest remaining TTL first. */
  VolatileTTL: "VolatileTTL",
  /** Random, among keys with a TTL. */
  VolatileRandom: "VolatileRandom",
  /** Nothing: writes fail when memory is full. */
  NoEviction: "NoEviction",
} as const;
export type RedisEvictionPolicy = (typeof RedisEvictionPolicy)[keyof typeof RedisEvictionPolicy];
// Compile-time: every Azure eviction policy and snapshot interval is offered, and only Azure's
// clustering policies. (No `satisfies` on the objects: the schema analysis reads enum members
// only from a plain `{...} as const` initializer.)
const azureClusteringPolicies: RedisClusteringPolicy extends redisenterprise.ClusteringPolicy ? true : never =
  true;
void azureClusteringPolicies;
const allEvictionPolicies: SameType<RedisEvictionPolicy, redisenterprise.EvictionPolicy> = true;
const allRdbFrequencies: SameType<RedisRdbFrequency, redisenterprise.RdbFrequency> = true;
void allEvictionPolicies;
void allRdbFrequencies;
/** Azure Managed Redis SKU families; `Enterprise_*` are the retiring Azure Cache for Redis Enterprise tiers. */
const MANAGED_REDIS_SKU = /^(Balanced|MemoryOptimized|ComputeOptimized|FlashOptimized)_[A-Z]\d+$/;
export const MANAGED_REDIS_SKUS: readonly string[] = Object.values(redisenterprise.SkuName).filter((s) =>
  MANAGED_REDIS_SKU.test(s),
);
const RDB_FREQUENCIES = Object.values(redisenterprise.RdbFrequency) as string[];
const CLUSTERING_POLICIES = enumValues(RedisClusteringPolicy);
const EVICTION_POLICIES = Object.values(redisenterprise.EvictionPolicy) as string[];

const oneOf = (values: readonly string[], why = "") =>
  z
    .string({ message: `must be one of ${values.join(", ")}${why}` })
    .refine((v) => values.includes(v), { message: `must be one of ${values.join(", ")}${why}` });

/** The fields, each usable on its own (the stack config maps them to its keys). */
export const managedRedisFields = {
  skuName: z
    .string({ message: "must be an Azure Managed Redis SKU such as Balanced_B0" })
    .meta({ allowed: "Balanced_*, MemoryOptimized_*, ComputeOptimized_*, FlashOptimized_* sizes" })
    .refine((s) => MANAGED_REDIS_SKUS.includes(s), {
      message: `must be an Azure Managed Redis SKU (Balanced_*, MemoryOptimized_*, ComputeOptimized_*, FlashOptimized_*), one of ${MANAGED_REDIS_SKUS.join(", ")}`,
    })
    .describe("Azure Managed Redis SKU, e.g. Balanced_B0 (dev) .. Balanced_B5 (prod). Default Balanced_B0."),
  persistence: z
    .enum(REDIS_PERSISTENCE, { message: `must be one of ${REDIS_PERSISTENCE.join(", ")}` })
    .describe(
      "BAK-1: aof (every second) or rdb (snapshots) where the data matters, none for a pure cache. Default aof in prod, none elsewhere.",
    ),
  rdbFrequency: oneOf(RDB_FREQUENCIES)
    .meta({ allowed: RDB_FREQUENCIES.join(", ") })
    .describe("Snapshot interval, only with persistence rdb. Default 1h."),
  highAvailability: z
    .boolean({ message: "must be true or false" })
    .describe(
      "AVL-1: replicated cluster; on by default and required in prod and where the platform is zone redundant. Once on, Azure cannot turn it off.",
    ),
  clusteringPolicy: oneOf(CLUSTERING_POLICIES)
    .meta({ allowed: CLUSTERING_POLICIES.join(", ") })
    .describe(
      "EnterpriseCluster (any client) or OSSCluster (cluster-aware clients); fixed at creation. Default EnterpriseCluster.",
    ),
  evictionPolicy: oneOf(EVICTION_POLICIES)
    .meta({ allowed: EVICTION_POLICIES.join(", ") })
    .describe("Eviction when memory is full. Default VolatileLRU (only keys with a TTL)."),
};

export const MANAGED_REDIS_DEFAULTS = {
  skuName: "Balanced_B0",
  rdbFrequency: "1h",
  clusteringPolicy: "EnterpriseCluster",
  evictionPolicy: "VolatileLRU",
} as const;

/** Where the cache runs: prod and zone-redundant platforms need a replicated, persisted cache. */
export interface ManagedRedisContext {
  environment: string;
  zoneRedundant: boolean;
}

/** BAK-1: persist where the data matters (prod) unless told otherwise. */
export const defaultPersistence = (context: ManagedRedisContext): RedisPersistence =>
  isProduction(context) ? "aof" : "none";

type Issue = (path: PropertyKey[], message: string) => void;

/** Rules across fields and the context; `issue` blames one field. */
export function managedRedisRules(
  s: { persistence?: unknown; rdbFrequency?: unknown; highAvailability?: unknown },
  context: ManagedRedisContext,
  issue: Issue,
): void {
  const persistence = s.persistence ?? defaultPersistence(context);
  if (s.rdbFrequency !== undefined && typeof persistence === "string" && persistence !== "rdb") {
    issue(["rdbFrequency"], `is only used with persistence = "rdb" (persistence is "${persistence}")`);
  }
  if (s.highAvailability === false && zoneRedundancyRequired(context)) {
    issue(["highAvailability"], `refused: ${context.environment} requires a replicated cluster (AVL-1)`);
  }
}

/** The component's schema for the settings (context-dependent defaults are the component's). */
export function managedRedisSettingsSchema(context: ManagedRedisContext) {
  return z
    .object({
      skuName: managedRedisFields.skuName.optional(),
      persistence: managedRedisFields.persistence.optional(),
      rdbFrequency: managedRedisFields.rdbFrequency.optional(),
      highAvailability: managedRedisFields.highAvailability.optional(),
      clusteringPolicy: managedRedisFields.clusteringPolicy.optional(),
      evictionPolicy: managedRedisFields.evictionPolicy.optional(),
    })
    .superRefine(
      (s, ctx) =>
        managedRedisRules(s, context, (path, message) => ctx.addIssue({ code: "custom", path, message })),
      { when: () => true },
    );
}
