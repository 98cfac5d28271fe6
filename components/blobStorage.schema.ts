/**
 * The Blob Storage settings a stack chooses (`BlobStorage` args without the platform wiring):
 * the component parses them with `blobStorageSettingsSchema`, and the stack config's
 * `storageSkuName` and `storageContainers` keys are the same fields and rules.
 */
import { z } from "zod";
import { BLOB_CONTAINER_NAME, BLOB_SOFT_DELETE_DAYS } from "../controls/limits";
import { named, wholeNumber } from "./common/schema";
import { enumValues } from "./common/enums";
import { zoneRedundancyRequired } from "./common/mandatory";

/** Geo-redundant storage replication only (BAK-1); the GZRS family is also zone redundant (AVL-1). */
export const StorageSkuName = {
  /** Geo-redundant: three copies in the region, three in its pair. */
  StandardGRS: "Standard_GRS",
  /** Geo-redundant with read access to the secondary region. */
  StandardRAGRS: "Standard_RAGRS",
  /** Geo-zone-redundant: three availability zones, plus the pair (AVL-1). */
  StandardGZRS: "Standard_GZRS",
  /** Geo-zone-redundant with read access to the secondary region. */
  StandardRAGZRS: "Standard_RAGZRS",
} as const;
export type StorageSkuName = (typeof StorageSkuName)[keyof typeof StorageSkuName];
export const STORAGE_SKUS = enumValues(StorageSkuName);
export const ZONE_REDUNDANT_STORAGE_SKUS: ReadonlySet<string> = new Set(["Standard_GZRS", "Standard_RAGZRS"]);
/** Longest change feed retention Azure accepts (days). */
export const MAX_CHANGE_FEED_DAYS = 146000;

/** The fields, each usable on its own (the stack config maps them to its keys). */
export const blobStorageFields = {
  containers: z
    .array(named(BLOB_CONTAINER_NAME))
    .superRefine(
      (names, ctx) => {
        if (!Array.isArray(names)) return;
        names.forEach((name, i) => {
          if (names.indexOf(name) !== i) {
            ctx.addIssue({ code: "custom", path: [i], message: `duplicates container "${String(name)}"` });
          }
        });
      },
      { when: () => true },
    )
    .describe("Private containers to create, each once; at least one (see `blobStorageRules`)."),
  skuName: z
    .enum(STORAGE_SKUS, { message: `must be one of ${STORAGE_SKUS.join(", ")} (geo-redundant, BAK-1)` })
    .describe(
      "Replication, geo-redundant only; GZRS or RAGZRS where the platform is zone redundant (AVL-1). Default Standard_GZRS there, else Standard_GRS.",
    ),
  softDeleteRetentionDays: wholeNumber(
    BLOB_SOFT_DELETE_DAYS.min,
    BLOB_SOFT_DELETE_DAYS.max,
    BLOB_SOFT_DELETE_DAYS.why,
  ).describe("BAK-1: blob and container soft-delete window in days."),
  restoreDays: z
    .number({ message: "must be a whole number of days" })
    .meta({ allowed: "1..softDeleteRetentionDays - 1" })
    .describe("BAK-1: point-in-time restore window, 1 to soft delete - 1 days. Default soft delete - 1."),
  changeFeedRetentionDays: z
    .number({ message: "must be a whole number of days" })
    .meta({ allowed: `restoreDays..${MAX_CHANGE_FEED_DAYS}` })
    .describe(`Change feed retention, restore window to ${MAX_CHANGE_FEED_DAYS} days. Default 365.`),
};

export const BLOB_STORAGE_DEFAULTS = { softDeleteRetentionDays: 35, changeFeedRetentionDays: 365 } as const;

/** Where the account runs: zone-redundant replication in prod and wherever the platform is zone redundant. */
export interface BlobStorageContext {
  environment: string;
  zoneRedundant: boolean;
}

type Issue = (path: PropertyKey[], message: string) => void;

const isNumber = (n: unknown): n is number => typeof n === "number";

function dayRange(value: number, min: number, max: number, why: string): string | undefined {
  if (Number.isInteger(value) && value >= min && value <= max) return undefined;
  return `must be a whole number from ${min} to ${max} (${why})`;
}

/** Rules across fields and the context; `issue` blames one field. Runs only on fields that parsed. */
export function blobStorageRules(
  s: {
    skuName?: unknown;
    containers?: unknown;
    softDeleteRetentionDays?: unknown;
    restoreDays?: unknown;
    changeFeedRetentionDays?: unknown;
  },
  context: BlobStorageContext,
  issue: Issue,
): void {
  if (Array.isArray(s.containers) && s.containers.length === 0) {
    issue(["containers"], "must name at least one container when the stack deploys storage");
  }
  const zoneRedundant = zoneRedundancyRequired(context);
  if (typeof s.skuName === "string" && zoneRedundant && !ZONE_REDUNDANT_STORAGE_SKUS.has(s.skuName)) {
    issue(
      ["skuName"],
      `must be Standard_GZRS or Standard_RAGZRS: ${context.environment} is zone redundant (AVL-1)`,
    );
  }
  const softDelete = s.softDeleteRetentionDays ?? BLOB_STORAGE_DEFAULTS.softDeleteRetentionDays;
  // The windows below are relative to soft delete: only checked once it is valid itself.
  if (!isNumber(softDelete) || dayRange(softDelete, BLOB_SOFT_DELETE_DAYS.min, BLOB_SOFT_DELETE_DAYS.max, ""))
    return;
  const restore = s.restoreDays ?? softDelete - 1;
  if (isNumber(restore)) {
    const problem = dayRange(
      restore,
      1,
      softDelete - 1,
      "point-in-time restore must be shorter than the soft-delete window, BAK-1",
    );
    if (problem) issue(["restoreDays"], problem);
    const changeFeed = s.changeFeedRetentionDays ?? BLOB_STORAGE_DEFAULTS.changeFeedRetentionDays;
    if (!isNumber(changeFeed)) return;
    const feedProblem = dayRange(
      changeFeed,
      restore,
      MAX_CHANGE_FEED_DAYS,
      "the change feed must cover the restore window, BAK-1",
    );
    if (feedProblem) issue(["changeFeedRetentionDays"], feedProblem);
  }
}

/** The component's schema for the settings (context-dependent defaults are the component's). */
export function blobStorageSettingsSchema(context: BlobStorageContext) {
  return z
    .object({
      containers: blobStorageFields.containers,
      skuName: blobStorageFields.skuName.optional(),
      softDeleteRetentionDays: blobStorageFields.softDeleteRetentionDays.optional(),
      restoreDays: blobStorageFields.restoreDays.optional(),
      changeFeedRetentionDays: blobStorageFields.changeFeedRetentionDays.optional(),
    })
    .superRefine(
      (s, ctx) =>
        blobStorageRules(s, context, (path, message) => ctx.addIssue({ code: "custom", path, message })),
      { when: () => true },
    );
}
