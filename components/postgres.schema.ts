/**
 * The PostgreSQL settings a stack chooses (`PostgresServer` args without the platform wiring):
 * the component parses them with `postgresSettingsSchema`, and the stack config's
 * `postgres*` and `backupRetentionDays` keys are the same fields and rules.
 */
import { z } from "zod";
import {
  BACKUP_RETENTION_DAYS,
  POSTGRES_DATABASE_NAME,
  RESERVED_POSTGRES_DATABASES,
} from "../controls/limits";
import { wholeNumber } from "./common/schema";
import { enumValues } from "./common/enums";
import { zoneRedundancyRequired } from "./common/mandatory";

/** PostgreSQL major versions the platform supports. */
export const PostgresVersion = {
  /** PostgreSQL 16. */
  V16: "16",
  /** PostgreSQL 17. */
  V17: "17",
  /** PostgreSQL 18 (the default). */
  V18: "18",
} as const;
export type PostgresVersion = (typeof PostgresVersion)[keyof typeof PostgresVersion];
export const POSTGRES_VERSIONS = enumValues(PostgresVersion);

/** Compute tier of a flexible server. */
export const PostgresSkuTier = {
  /** B-series, burstable (dev); no zone-redundant HA. */
  Burstable: "Burstable",
  /** D-series, general purpose. */
  GeneralPurpose: "GeneralPurpose",
  /** E-series, memory optimized. */
  MemoryOptimized: "MemoryOptimized",
} as const;
export type PostgresSkuTier = (typeof PostgresSkuTier)[keyof typeof PostgresSkuTier];
export const POSTGRES_TIERS = enumValues(PostgresSkuTier);

/** Premium SSD sizes a flexible server can have (GiB). */
export const POSTGRES_STORAGE_SIZES_GB = [
  32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767,
] as const;

/** Compute sizes per tier: B-series burstable, D-series general purpose, E-series memory optimized. */
export const POSTGRES_SKU_PREFIX: Readonly<Record<PostgresSkuTier, { pattern: RegExp; example: string }>> = {
  Burstable: { pattern: /^Standard_B\d/, example: "Standard_B2s" },
  GeneralPurpose: { pattern: /^Standard_D\d/, example: "Standard_D4ds_v5" },
  MemoryOptimized: { pattern: /^Standard_E\d/, example: "Standard_E4ds_v5" },
};

const databaseName = z
  .string({ message: `must be ${POSTGRES_DATABASE_NAME.rule}` })
  .regex(POSTGRES_DATABASE_NAME.pattern, `must be ${POSTGRES_DATABASE_NAME.rule}`)
  .meta({ allowed: `${POSTGRES_DATABASE_NAME.rule}; not ${RESERVED_POSTGRES_DATABASES.join(", ")}` })
  .refine((name) => !RESERVED_POSTGRES_DATABASES.includes(name), {
    message: `is reserved by Azure (reserved: ${RESERVED_POSTGRES_DATABASES.join(", ")})`,
  });

/** The fields, each usable on its own (the stack config maps them to its keys). */
export const postgresFields = {
  databases: z
    .array(databaseName)
    .superRefine(
      (names, ctx) => {
        if (!Array.isArray(names)) return;
        names.forEach((name, i) => {
          if (names.indexOf(name) !== i) {
            ctx.addIssue({ code: "custom", path: [i], message: `duplicates database "${String(name)}"` });
          }
        });
      },
      { when: () => true },
    )
    .describe("Databases to create (UTF8, en_US.utf8), each once; at least one (see `postgresRules`)."),
  version: z
    .enum(POSTGRES_VERSIONS, { message: `must be one of ${POSTGRES_VERSIONS.join(", ")}` })
    .describe("PostgreSQL major version."),
  skuTier: z
    .enum(POSTGRES_TIERS, { message: `must be one of ${POSTGRES_TIERS.join(", ")}` })
    .describe("Compute tier; zone-redundant HA needs GeneralPurpose or MemoryOptimized."),
  skuName: z
    .string({ message: "must be a flexible server SKU such as Standard_B2s" })
    .regex(/^Standard_[A-Za-z0-9_]+$/, "must be a flexible server SKU such as Standard_B2s")
    .describe("Compute size matching the tier (Standard_B*, Standard_D*, Standard_E*)."),
  storageSizeGb: z
    .number({ message: `must be one of ${POSTGRES_STORAGE_SIZES_GB.join(", ")}` })
    .meta({ allowed: POSTGRES_STORAGE_SIZES_GB.join(", ") })
    .refine((n) => (POSTGRES_STORAGE_SIZES_GB as readonly number[]).includes(n), {
      message: `must be one of ${POSTGRES_STORAGE_SIZES_GB.join(", ")} (Premium SSD sizes)`,
    })
    .describe("Initial Premium SSD size in GiB; storage grows automatically and a later change is ignored."),
  backupRetentionDays: wholeNumber(
    BACKUP_RETENTION_DAYS.min,
    BACKUP_RETENTION_DAYS.max,
    BACKUP_RETENTION_DAYS.why,
  ).describe("BAK-1: point-in-time-restore window in days."),
};

export const POSTGRES_DEFAULTS = {
  version: "18",
  skuTier: "Burstable",
  skuName: "Standard_B2s",
  storageSizeGb: 32,
  backupRetentionDays: BACKUP_RETENTION_DAYS.max,
} as const;

/** Where the server runs: HA is zone redundant in prod and wherever the platform is zone redundant. */
export interface PostgresContext {
  environment: string;
  zoneRedundant: boolean;
}

type Issue = (path: PropertyKey[], message: string) => void;

/** Rules across fields and the context; `issue` blames one field. Runs only on fields that parsed. */
export function postgresRules(
  s: { skuTier?: unknown; skuName?: unknown; databases?: unknown },
  context: PostgresContext,
  issue: Issue,
): void {
  if (Array.isArray(s.databases) && s.databases.length === 0) {
    issue(["databases"], "must name at least one database when the stack deploys postgres");
  }
  const tier = POSTGRES_TIERS.find((t) => t === s.skuTier);
  if (tier && typeof s.skuName === "string" && !POSTGRES_SKU_PREFIX[tier].pattern.test(s.skuName)) {
    issue(["skuName"], `does not belong to tier ${tier} (e.g. ${POSTGRES_SKU_PREFIX[tier].example})`);
  }
  if (tier === "Burstable" && zoneRedundancyRequired(context)) {
    issue(
      ["skuTier"],
      `Burstable servers cannot run the zone-redundant high availability ${context.environment} requires; use GeneralPurpose or MemoryOptimized (AVL-1)`,
    );
  }
}

/** The component's schema for the settings, defaults applied. */
export function postgresSettingsSchema(context: PostgresContext) {
  return z
    .object({
      databases: postgresFields.databases,
      version: postgresFields.version.default(POSTGRES_DEFAULTS.version),
      skuTier: postgresFields.skuTier.default(POSTGRES_DEFAULTS.skuTier),
      skuName: postgresFields.skuName.default(POSTGRES_DEFAULTS.skuName),
      storageSizeGb: postgresFields.storageSizeGb.default(POSTGRES_DEFAULTS.storageSizeGb),
      backupRetentionDays: postgresFields.backupRetentionDays.default(POSTGRES_DEFAULTS.backupRetentionDays),
    })
    .superRefine(
      (s, ctx) =>
        postgresRules(s, context, (path, message) => ctx.addIssue({ code: "custom", path, message })),
      { when: () => true },
    );
}
