/**
 * CLS-1: every resource carries `environment`, `owner`, `costCenter` and `dataClassification`;
 * stores of customer data are `customer-confidential`. Callers may add tags, never override
 * these (a stack could otherwise relabel customer data as public).
 */
import type { DataClassification, PlatformContext } from "./interfaces";
import { ArgProblems } from "./schema";

export const PROTECTED_TAGS = ["environment", "owner", "costCenter", "dataClassification"] as const;
/** The protected tags the platform itself supplies (the classification comes per resource). */
export const PLATFORM_TAGS = ["environment", "owner", "costCenter"] as const;

export const DATA_CLASSIFICATIONS: readonly DataClassification[] = [
  "public",
  "internal",
  "confidential",
  "customer-confidential",
];

/**
 * The tags of one resource: the platform's base tags plus its classification, plus `extra`.
 * Throws (before anything registers, when called before `super()`) if `extra` tries to set a
 * protected tag (Azure tag names are case-insensitive, so `Environment` counts too), or if the
 * platform's base tags are incomplete. `owner` prefixes the message, e.g. `KeyVault "kv"`.
 */
export function componentTags(
  platform: Pick<PlatformContext, "tags">,
  classification: DataClassification,
  extra: Record<string, string> = {},
  owner?: string,
): Record<string, string> {
  // Every problem at once, as a ComponentArgsError naming the component (or "tags" when called without one).
  const problems = new ArgProblems(owner ?? "tags");
  if (typeof extra !== "object" || extra === null || Array.isArray(extra)) {
    problems.add(["tags"], extra, "must be a mapping of tag name to text");
    extra = {};
  }
  for (const key of Object.keys(extra)) {
    const protectedKey = PROTECTED_TAGS.find((p) => p.toLowerCase() === key.toLowerCase());
    if (protectedKey) {
      problems.add(
        ["tags", key],
        extra[key],
        `cannot be overridden: ${PROTECTED_TAGS.join(", ")} are set by the platform (CLS-1)`,
      );
    }
  }
  for (const key of PLATFORM_TAGS) {
    if (!platform.tags?.[key]) {
      problems.add(
        ["platform", "tags", key],
        platform.tags?.[key],
        `is missing: every resource carries ${key} (CLS-1)`,
      );
    }
  }
  if (!DATA_CLASSIFICATIONS.includes(classification)) {
    problems.add(
      ["dataClassification"],
      classification,
      `must be one of ${DATA_CLASSIFICATIONS.join(", ")} (CLS-1)`,
    );
  }
  problems.throwIfAny();
  return { ...extra, ...platform.tags, dataClassification: classification };
}
