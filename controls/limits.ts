/**
 * Control limits and Azure naming rules, declared once. The stack config schema, the
 * components' argument schemas, the policy pack's defaults and the generated docs all read
 * them from here. It lives in `controls/` (shared by the pack and the components package, and
 * shipped in both builds) and imports nothing.
 */

/** An inclusive whole-number range with the reason for each bound. */
export interface Range {
  readonly min: number;
  readonly max: number;
  /** Why these bounds: the control behind the minimum and the Azure limit behind the maximum. */
  readonly why: string;
}

/** BAK-1: PostgreSQL point-in-time restore window (Azure allows 7..35 days). */
export const BACKUP_RETENTION_DAYS: Range = {
  min: 30,
  max: 35,
  why: "BAK-1 needs >= 30; Azure allows at most 35",
};

/** LOG-1: Log Analytics retention (Azure allows 30..730 days on the workspace). */
export const LOG_RETENTION_DAYS: Range = {
  min: 365,
  max: 730,
  why: "LOG-1 needs >= 365; Log Analytics allows at most 730",
};

/** BAK-1: blob and container soft delete (Azure allows 1..365 days). */
export const BLOB_SOFT_DELETE_DAYS: Range = {
  min: 30,
  max: 365,
  why: "BAK-1 needs >= 30; Azure allows at most 365",
};

/** KEY-1: Key Vault soft-delete retention: the platform keeps deleted keys as long as Azure allows (7..90). */
export const KEY_VAULT_SOFT_DELETE_DAYS = { azureMin: 7, max: 90 } as const;

/**
 * KEY-1: a customer-managed key is rotated at least this often (days). `azureMin`: Key Vault's
 * rotation time is "at least seven days from creation and seven days from expiration time"
 * (Microsoft's "Configure cryptographic key auto-rotation in Azure Key Vault", Key rotation
 * policy); a shorter one fails the key's PUT.
 */
export const KEY_ROTATION_DAYS = { default: 180, max: 365, azureMin: 7 } as const;
/**
 * KEY-1: key version lifetime (days) and how long before expiry someone is told. `azureMin`: a
 * rotation policy's `expiryTime` must be at least 28 days (same Microsoft page).
 */
export const KEY_EXPIRY_DAYS = { default: 730, notifyBefore: 30, azureMin: 28 } as const;
/**
 * SIEM-1: a Sentinel scheduled analytics rule's query: "between 1 and 10,000 characters and can't
 * contain `search *` or `union *`" (Microsoft's "Scheduled analytics rules in Microsoft Sentinel",
 * MicrosoftDocs/azure-docs articles/sentinel/scheduled-rules-overview.md); the rule's PUT is refused
 * otherwise (Azure/Azure-Sentinel#1437).
 */
export const SENTINEL_RULE_QUERY_CHARS = { min: 1, max: 10_000 } as const;
/** SEC-1: longest lifetime of a Key Vault secret (days). */
export const MAX_SECRET_LIFETIME_DAYS = 730;

/** Container Apps replicas per app (Azure allows 0..300 on the Consumption profile). */
export const APP_REPLICAS = { min: 0, max: 300, defaultMin: 1, defaultMax: 3 } as const;
/** AVL-1: a frontend app in prod keeps at least this many replicas. */
export const MIN_PROD_FRONTEND_REPLICAS = 2;

/**
 * Container Apps Consumption profile: vCPU in 0.25 steps from 0.25 to 4, memory exactly 2Gi
 * per vCPU (0.25/0.5Gi, 0.5/1Gi, ... 4/8Gi).
 */
export const CONSUMPTION_CPU = { min: 0.25, max: 4, step: 0.25, default: 0.5 } as const;
export const CONSUMPTION_GI_PER_CPU = 2;
/** The memory a Consumption replica with `cpu` vCPU must have, e.g. `1Gi` for 0.5. */
export function consumptionMemory(cpu: number): string {
  return `${cpu * CONSUMPTION_GI_PER_CPU}Gi`;
}
/** Every valid Consumption cpu/memory pair, for messages and docs. */
export function consumptionCombinations(): string[] {
  const out: string[] = [];
  for (let cpu = CONSUMPTION_CPU.min; cpu <= CONSUMPTION_CPU.max; cpu += CONSUMPTION_CPU.step) {
    out.push(`${cpu}/${consumptionMemory(cpu)}`);
  }
  return out;
}

/** A name rule: the pattern and how to say it to a person. */
export interface NameRule {
  readonly pattern: RegExp;
  readonly rule: string;
}

/** Azure Container Apps app names. */
export const CONTAINER_APP_NAME: NameRule = {
  pattern: /^(?!.*--)[a-z][a-z0-9-]{0,30}[a-z0-9]$/,
  rule: "2-32 lowercase letters, digits or single '-', starting with a letter and ending with a letter or digit",
};
/** Environment variable names a container gets. */
export const ENV_VAR_NAME: NameRule = {
  pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
  rule: "letters, digits and '_', not starting with a digit",
};
/** Key Vault secret (and key) names. */
export const KEY_VAULT_SECRET_NAME: NameRule = {
  pattern: /^[0-9A-Za-z-]{1,127}$/,
  rule: "1-127 letters, digits or '-'",
};
/** Blob container names. */
export const BLOB_CONTAINER_NAME: NameRule = {
  pattern: /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
  rule: "3-63 lowercase letters, digits or single '-', starting and ending with a letter or digit",
};
/** PostgreSQL database names the platform creates (unquoted lowercase identifiers). */
export const POSTGRES_DATABASE_NAME: NameRule = {
  pattern: /^[a-z_][a-z0-9_]{0,62}$/,
  rule: "a lowercase PostgreSQL identifier: letters, digits and '_', at most 63, not starting with a digit",
};
/** Databases Azure Database for PostgreSQL keeps for itself. */
export const RESERVED_POSTGRES_DATABASES: readonly string[] = [
  "postgres",
  "azure_maintenance",
  "azure_sys",
  "template0",
  "template1",
];
/** Container Apps ingress IP restriction rule names. */
export const IP_RESTRICTION_NAME: NameRule = {
  pattern: /^[A-Za-z0-9-_]{1,64}$/,
  rule: "1-64 letters, digits, '-' or '_'",
};
/** Container registry login servers (host names, optionally with a port). */
export const REGISTRY_SERVER: NameRule = {
  pattern: /^(?=.{1,253}(:\d+)?$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/,
  rule: "a registry host name such as myregistry.azurecr.io",
};
/** Container Apps dedicated workload profile names. */
export const WORKLOAD_PROFILE_NAME: NameRule = {
  pattern: /^[A-Za-z][A-Za-z0-9-]{0,14}$/,
  rule: "1-15 letters, digits or '-', starting with a letter",
};
/** Dedicated workload profile types (D and E series, NC GPU series). */
export const WORKLOAD_PROFILE_TYPE: NameRule = {
  pattern: /^(D|E)\d+$|^NC[A-Za-z0-9-]+$/,
  rule: "a dedicated profile type such as D4, E8 or NC24-A100",
};

// The OCI distribution reference grammar (github.com/distribution/reference):
//   reference := name [":" tag] ["@" digest]; name := [domain "/"] path-component ["/" path-component]*
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const IMAGE_REFERENCE_PATTERN = new RegExp(
  `^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`,
);
/** Longest repository name (domain and path) the grammar allows. */
const MAX_IMAGE_NAME_LENGTH = 255;

/**
 * Why `image` is not a container image reference (`[registry/]path[:tag][@digest]`, path in
 * lowercase), or undefined when it is one.
 */
export function imageReferenceProblem(image: string): string | undefined {
  const name = image.split("@")[0].replace(/:[\w][\w.-]{0,127}$/, "");
  if (!IMAGE_REFERENCE_PATTERN.test(image)) {
    return "is not a container image reference: expected [registry/]repository[:tag][@digest], repository in lowercase, e.g. myregistry.azurecr.io/api:1.4.2";
  }
  if (name.length > MAX_IMAGE_NAME_LENGTH) {
    return `repository name is longer than ${MAX_IMAGE_NAME_LENGTH} characters`;
  }
  return undefined;
}
