/**
 * The stack configuration contract: every key of `Pulumi.yaml`'s `config:` block, typed and
 * constrained. Defaults live in Pulumi.yaml (one source of truth, applied by `loader.ts`);
 * this schema only says what is allowed, citing the control each constraint protects.
 */
import { z } from "zod";
import {
  CUSTOM_DOMAIN,
  EU_COUNTRY_CODES,
  WAF_RATE_LIMIT,
  wafCustomRuleSchema,
} from "../components/frontDoorSpec";
import { secretLookingReason } from "../components/shared/secretDetection";
import { parseCidr, subnetPlanProblems } from "./network";
import { EU_REGIONS, pairedRegion, ZONAL_REGIONS } from "./regions";

export const PROJECT = "secure-azure-platform";

export const DATA_SERVICES = ["postgres", "storage", "redis"] as const;
export type DataService = (typeof DATA_SERVICES)[number];
/** What an app may say it uses: a data service of the stack, or the stack's Key Vault. */
export const APP_SERVICES = [...DATA_SERVICES, "keyvault"] as const;
export type AppService = (typeof APP_SERVICES)[number];

export const INGRESS_MODES = ["frontend", "internal"] as const;
export type IngressMode = (typeof INGRESS_MODES)[number];

/** Geo-redundant storage replication only (BAK-1); the GZRS family is also zone redundant (AVL-1). */
export const STORAGE_SKUS = ["Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"] as const;
export const ZONE_REDUNDANT_STORAGE_SKUS: ReadonlySet<string> = new Set(["Standard_GZRS", "Standard_RAGZRS"]);
export const POSTGRES_VERSIONS = ["16", "17", "18"] as const;
export const POSTGRES_TIERS = ["Burstable", "GeneralPurpose", "MemoryOptimized"] as const;
export const REDIS_PERSISTENCE = ["none", "rdb", "aof"] as const;
export const KEY_VAULT_SKUS = ["standard", "premium"] as const;

// Azure Container Apps: lowercase letters, digits and '-', starts with a letter, ends
// alphanumeric, at most 32 characters, no '--'.
/**
 * Public sample images whose behaviour we know: the port they listen on and the HTTP paths
 * they answer with 200. An app running one must target that port and probe such a path, or
 * its revision never becomes ready. `mcr.microsoft.com/k8se/quickstart` (Microsoft's Container
 * Apps quickstart, `az containerapp up ... --target-port 80`) serves its page on port 80 at `/`.
 */
export const KNOWN_IMAGES: Readonly<Record<string, { port: number; answers: readonly string[] }>> = {
  "mcr.microsoft.com/k8se/quickstart": { port: 80, answers: ["/"] },
};

/** `registry/repo[:tag][@digest]` -> `registry/repo`. */
export function imageRepository(image: string): string {
  return image.replace(/@.*$/, "").replace(/:[^/:]*$/, "");
}

const APP_NAME = /^(?!.*--)[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Key Vault secret names: 1-127 alphanumerics and dashes.
const KV_SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;
// Blob container names: 3-63 lowercase letters, digits and single dashes.
const CONTAINER_NAME = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const PG_DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Env var names the platform sets itself; an app cannot override them. */
export const RESERVED_ENV = new Set([
  "AZURE_CLIENT_ID",
  "AZURE_KEY_VAULT_URI",
  "AZURE_STORAGE_BLOB_ENDPOINT",
  "AZURE_POSTGRESQL_HOST",
  "AZURE_POSTGRESQL_DATABASE",
  "AZURE_POSTGRESQL_USER",
  "AZURE_REDIS_HOST",
  "AZURE_REDIS_PORT",
]);

const uuid = z.uuid({ message: "must be an Entra object ID (a GUID)" });
const cidr = z.string().superRefine((value, ctx) => {
  const parsed = parseCidr(value);
  if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
});

const ipRestrictionSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9-_]{1,64}$/, "must be 1-64 letters, digits, '-' or '_'"),
  cidr,
  description: z.string().optional(),
});

export const appSchema = z
  .strictObject({
    /** Container app name (Azure rules: lowercase letters, digits, '-', 2-32 chars, starts with a letter). */
    name: z.string().regex(APP_NAME, {
      message:
        "must be 2-32 lowercase letters, digits or single '-', start with a letter and end with a letter or digit (Azure Container Apps naming rule)",
    }),
    /** Container image reference, e.g. `myregistry.azurecr.io/api:1.4.2`. */
    image: z.string().min(3, "must be a container image reference"),
    /** Registry login server pulled from with the app's managed identity (never a password). */
    registryServer: z
      .string()
      .regex(/^[a-z0-9.-]+$/, "must be a registry host name such as myregistry.azurecr.io")
      .optional(),
    /** Port the container listens on. */
    targetPort: z.number().int().min(1).max(65535),
    /** `frontend`: public HTTPS ingress; `internal`: reachable only inside the environment (NET-2). */
    ingress: z.enum(INGRESS_MODES, { message: `must be one of ${INGRESS_MODES.join(", ")} (NET-2)` }),
    minReplicas: z.number().int().min(0).max(300).default(1),
    maxReplicas: z.number().int().min(1).max(300).default(3),
    /** vCPU per replica (0.25 steps, Consumption profile). */
    cpu: z.number().min(0.25).max(4).default(0.5),
    /** Memory per replica; Container Apps requires 2Gi per vCPU. */
    memory: z
      .string()
      .regex(/^\d+(\.\d+)?Gi$/, "must be like 1Gi or 0.5Gi")
      .default("1Gi"),
    /** Plain environment variables. Never secrets (SEC-1): those go in `secrets`. */
    env: z
      .record(z.string().regex(ENV_NAME, "env var names are letters, digits and '_'"), z.string())
      .default({}),
    /** Secrets as Key Vault references: env var name -> secret name in the stack's Key Vault (SEC-1). */
    secrets: z
      .record(
        z.string().regex(ENV_NAME, "env var names are letters, digits and '_'"),
        z.string().regex(KV_SECRET_NAME, "must be a Key Vault secret name (1-127 letters, digits, '-')"),
      )
      .default({}),
    /** Which services the app talks to; each grants the app's identity a least-privilege role (IAM-2). */
    uses: z.array(z.enum(APP_SERVICES, { message: `must be one of ${APP_SERVICES.join(", ")}` })).default([]),
    /** Blob access level when the app uses storage. */
    storageAccess: z.enum(["read", "readwrite"]).default("readwrite"),
    /** Optional source IP allow-list for the ingress. */
    ipRestrictions: z.array(ipRestrictionSchema).default([]),
    /** HTTP path for liveness and readiness probes. */
    probePath: z.string().regex(/^\//, "must start with '/'").default("/healthz"),
  })
  .superRefine((app, ctx) => {
    if (app.maxReplicas < app.minReplicas) {
      ctx.addIssue({
        code: "custom",
        path: ["maxReplicas"],
        message: `must be >= minReplicas (${app.minReplicas})`,
      });
    }
    for (const [name, value] of Object.entries(app.env)) {
      const reason = secretLookingReason(name, value);
      if (reason) {
        ctx.addIssue({
          code: "custom",
          path: ["env", name],
          message: `app "${app.name}": plain env var ${name} refused because ${reason}; put it in Key Vault and reference it under "secrets" (SEC-1)`,
        });
      }
      if (RESERVED_ENV.has(name)) {
        ctx.addIssue({
          code: "custom",
          path: ["env", name],
          message: `${name} is set by the platform and cannot be overridden`,
        });
      }
      if (name in app.secrets) {
        ctx.addIssue({
          code: "custom",
          path: ["env", name],
          message: `${name} is also a secret; define it once`,
        });
      }
    }
    if (new Set(app.uses).size !== app.uses.length) {
      ctx.addIssue({ code: "custom", path: ["uses"], message: "lists a service twice" });
    }
    const known = KNOWN_IMAGES[imageRepository(app.image)];
    if (known && app.targetPort !== known.port) {
      ctx.addIssue({
        code: "custom",
        path: ["targetPort"],
        message: `${imageRepository(app.image)} listens on port ${known.port}; targetPort must be ${known.port} or the app never becomes ready (AVL-1)`,
      });
    }
    if (known && !known.answers.includes(app.probePath)) {
      ctx.addIssue({
        code: "custom",
        path: ["probePath"],
        message: `${imageRepository(app.image)} answers only ${known.answers.join(", ")}; probes on ${app.probePath} fail and the app never becomes ready (AVL-1)`,
      });
    }
  });

export type AppConfig = z.output<typeof appSchema>;

const workloadProfileSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,14}$/, "must be 1-15 letters, digits or '-'"),
  workloadProfileType: z
    .string()
    .regex(/^(D|E)\d+$|^NC/, "must be a dedicated profile type such as D4 or E8"),
  minimumCount: z.number().int().min(0),
  maximumCount: z.number().int().min(1),
});

const rawSchema = z.object({
  location: z.string({ message: "is required (set azure-native:location)" }).min(1),
  environment: z.enum(["dev", "prod"], { message: "must be dev or prod (ENV-1)" }),
  allowedLocations: z.array(z.string().min(1)).min(1, "must list at least one region"),
  namePrefix: z
    .string()
    .regex(
      /^[a-z][a-z0-9]{1,7}$/,
      "must be 2-8 lowercase letters or digits starting with a letter (it is part of storage account and Key Vault names)",
    ),
  owner: z.string().min(1, "is required (CLS-1 owner tag)"),
  costCenter: z.string().min(1, "is required (cost-centre tag)"),
  backupRetentionDays: z
    .number({ message: "must be a whole number of days" })
    .int("must be a whole number of days")
    .min(30, "must be between 30 and 35 days (BAK-1 needs >= 30; Azure allows at most 35)")
    .max(35, "must be between 30 and 35 days (BAK-1 needs >= 30; Azure allows at most 35)"),
  logRetentionDays: z
    .number({ message: "must be a whole number of days" })
    .int("must be a whole number of days")
    .min(365, "must be between 365 and 730 days (LOG-1 needs >= 365; Log Analytics allows at most 730)")
    .max(730, "must be between 365 and 730 days (LOG-1 needs >= 365; Log Analytics allows at most 730)"),
  vnetAddressSpace: cidr,
  appsSubnetPrefix: cidr,
  privateEndpointSubnetPrefix: cidr,
  services: z.array(z.enum(DATA_SERVICES, { message: `must be among ${DATA_SERVICES.join(", ")}` })),
  postgresVersion: z.enum(POSTGRES_VERSIONS, { message: `must be one of ${POSTGRES_VERSIONS.join(", ")}` }),
  postgresSkuTier: z.enum(POSTGRES_TIERS, { message: `must be one of ${POSTGRES_TIERS.join(", ")}` }),
  postgresSkuName: z
    .string()
    .regex(/^Standard_[A-Za-z0-9_]+$/, "must be a flexible server SKU such as Standard_B2s"),
  postgresStorageSizeGb: z.number().int().min(32).max(32768),
  postgresDatabases: z.array(
    z.string().regex(PG_DATABASE_NAME, "must be a lowercase PostgreSQL identifier (letters, digits, '_')"),
  ),
  postgresAdminGroupObjectId: uuid,
  postgresAdminGroupName: z
    .string()
    .min(1, "is required: the display name of the Entra group that administers PostgreSQL"),
  storageSkuName: z.enum(STORAGE_SKUS, {
    message: `must be one of ${STORAGE_SKUS.join(", ")} (geo-redundant, BAK-1)`,
  }),
  storageContainers: z.array(
    z.string().regex(CONTAINER_NAME, "must be 3-63 lowercase letters, digits or single '-'"),
  ),
  redisSkuName: z
    .string()
    .regex(
      /^(Balanced|MemoryOptimized|ComputeOptimized|FlashOptimized)_[A-Z]\d+$/,
      "must be an Azure Managed Redis SKU such as Balanced_B0 or MemoryOptimized_M10",
    ),
  redisPersistence: z.enum(REDIS_PERSISTENCE, { message: `must be one of ${REDIS_PERSISTENCE.join(", ")}` }),
  keyVaultSku: z.enum(KEY_VAULT_SKUS, { message: "must be standard or premium" }),
  alertEmail: z.email({ message: "must be an e-mail address (MON-1 action group)" }),
  developerGroupIds: z.array(uuid),
  qaGroupIds: z.array(uuid),
  devopsGroupIds: z.array(uuid),
  cloudAdminGroupIds: z.array(uuid),
  customerManagedKeys: z.boolean({ message: "must be true or false" }),
  zoneRedundant: z.boolean({ message: "must be true or false" }),
  deletionLocks: z.boolean({ message: "must be true or false" }),
  manageDefenderPlans: z.boolean({ message: "must be true or false" }),
  workloadProfiles: z.array(workloadProfileSchema),
  apps: z.array(appSchema),
  // EDGE-1 / SIEM-1 (limits in components/frontDoorSpec.ts).
  sentinel: z.boolean({ message: "must be true or false (SIEM-1)" }),
  // Empty: incidents go to alertEmail. (A declared key without a default would be required by the CLI.)
  securityAlertEmail: z.union([z.literal(""), z.email()], {
    message: "must be an e-mail address, or empty for alertEmail (SIEM-1 incident routing)",
  }),
  wafRateLimitPerMinute: z
    .number({ message: "must be a whole number of requests" })
    .int("must be a whole number of requests")
    .min(
      WAF_RATE_LIMIT.min,
      `must be ${WAF_RATE_LIMIT.min}..${WAF_RATE_LIMIT.max} (Front Door's minimum is ${WAF_RATE_LIMIT.min}; EDGE-1)`,
    )
    .max(WAF_RATE_LIMIT.max, `must be ${WAF_RATE_LIMIT.min}..${WAF_RATE_LIMIT.max} (EDGE-1)`),
  wafGeoFilter: z.boolean({ message: "must be true or false (EDGE-1)" }),
  wafAllowedCountries: z
    .array(z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 country code such as DE"))
    .min(1, `must list at least one country (default: the EU, ${EU_COUNTRY_CODES.length} codes)`),
  wafCustomRules: z.array(wafCustomRuleSchema),
  frontDoorCustomDomains: z.record(
    z.string(),
    z.string().regex(CUSTOM_DOMAIN, "must be a lowercase DNS host name such as app.example.com"),
  ),
});

type RawConfig = z.output<typeof rawSchema>;
type Blame = (path: (string | number)[], message: string) => void;

/**
 * Cross-key rules: each names the keys it reads and blames one of them. A rule runs whenever
 * the keys it reads are valid, even if other keys are not, so one error lists every problem
 * (zod skips a plain refinement as soon as any field fails).
 */
const CROSS_KEY_RULES: { reads: (keyof RawConfig)[]; check(c: RawConfig, issue: Blame): void }[] = [
  {
    reads: ["location", "allowedLocations"],
    check(c, issue) {
      const location = c.location.toLowerCase();
      if (!c.allowedLocations.map((l) => l.toLowerCase()).includes(location)) {
        issue(
          ["location"],
          `must be one of secure-azure-platform:allowedLocations [${c.allowedLocations.join(", ")}] (RES-1)`,
        );
      }
      c.allowedLocations.forEach((l, i) => {
        if (!(EU_REGIONS as readonly string[]).includes(l.toLowerCase())) {
          issue(["allowedLocations", i], `is not an EU region; allowed: ${EU_REGIONS.join(", ")} (RES-1)`);
        }
      });
      // Geo-redundant backups and GRS storage land in the Azure pair, which must be allowed too.
      const pair = pairedRegion(location);
      if (!pair) {
        issue(
          ["location"],
          "has no Azure paired region, so geo-redundant backups (BAK-1) cannot be kept in an allowed region",
        );
      } else if (!c.allowedLocations.map((l) => l.toLowerCase()).includes(pair)) {
        issue(["location"], `geo-redundant copies go to ${pair}, which is not in allowedLocations (RES-1)`);
      }
    },
  },
  {
    reads: ["environment", "zoneRedundant", "deletionLocks", "customerManagedKeys"],
    check(c, issue) {
      if (c.environment !== "prod") return;
      if (!c.zoneRedundant) issue(["zoneRedundant"], "must be true in prod (AVL-1)");
      if (!c.deletionLocks) issue(["deletionLocks"], "must be true in prod (BAK-2)");
      if (!c.customerManagedKeys) issue(["customerManagedKeys"], "must be true in prod (ENC-2)");
    },
  },
  {
    reads: ["zoneRedundant", "location", "storageSkuName", "postgresSkuTier"],
    check(c, issue) {
      if (!c.zoneRedundant) return;
      if (!ZONAL_REGIONS.has(c.location.toLowerCase()))
        issue(["location"], "has no availability zones, so zoneRedundant cannot be honoured");
      if (!ZONE_REDUNDANT_STORAGE_SKUS.has(c.storageSkuName)) {
        issue(
          ["storageSkuName"],
          "must be Standard_GZRS or Standard_RAGZRS when zoneRedundant is true (AVL-1)",
        );
      }
      if (c.postgresSkuTier === "Burstable") {
        issue(
          ["postgresSkuTier"],
          "Burstable servers cannot use zone-redundant high availability; use GeneralPurpose (AVL-1)",
        );
      }
    },
  },
  {
    reads: ["vnetAddressSpace", "appsSubnetPrefix", "privateEndpointSubnetPrefix"],
    check(c, issue) {
      // CIDR syntax is reported by the field schemas; only the plan's relations are added here.
      for (const problem of subnetPlanProblems(c)) if (!problem.syntax) issue([problem.key], problem.message);
    },
  },
  {
    reads: ["apps", "services", "environment"],
    check(c, issue) {
      const names = new Set<string>();
      c.apps.forEach((app, i) => {
        if (names.has(app.name)) issue(["apps", i, "name"], `duplicates app "${app.name}"`);
        names.add(app.name);
        app.uses.forEach((service, j) => {
          if (service !== "keyvault" && !c.services.includes(service)) {
            issue(
              ["apps", i, "uses", j],
              `app "${app.name}" uses ${service}, which this stack does not deploy (services: ${c.services.join(", ")})`,
            );
          }
        });
        if (c.environment === "prod" && app.ingress === "frontend" && app.minReplicas < 2) {
          issue(
            ["apps", i, "minReplicas"],
            `app "${app.name}" is a frontend: prod needs at least 2 replicas (AVL-1)`,
          );
        }
      });
    },
  },
  {
    reads: ["environment", "sentinel"],
    check(c, issue) {
      if (c.environment === "prod" && !c.sentinel) issue(["sentinel"], "must be true in prod (SIEM-1)");
    },
  },
  {
    reads: ["apps", "frontDoorCustomDomains", "wafCustomRules"],
    check(c, issue) {
      const frontends = c.apps.filter((a) => a.ingress === "frontend").map((a) => a.name);
      for (const app of Object.keys(c.frontDoorCustomDomains)) {
        if (!frontends.includes(app)) {
          issue(
            ["frontDoorCustomDomains", app],
            `names no frontend app (frontends: ${frontends.join(", ") || "none"}); only frontends are served at the edge (EDGE-1)`,
          );
        }
      }
      const hosts = Object.values(c.frontDoorCustomDomains);
      if (new Set(hosts).size !== hosts.length)
        issue(["frontDoorCustomDomains"], "a host name is used twice");
      const names = new Set<string>();
      const priorities = new Set<number>();
      c.wafCustomRules.forEach((rule, i) => {
        if (names.has(rule.name.toLowerCase())) issue(["wafCustomRules", i, "name"], "is used twice");
        if (priorities.has(rule.priority)) issue(["wafCustomRules", i, "priority"], "is used twice");
        names.add(rule.name.toLowerCase());
        priorities.add(rule.priority);
      });
    },
  },
  {
    reads: ["services", "postgresDatabases"],
    check(c, issue) {
      if (c.services.includes("postgres") && c.postgresDatabases.length === 0) {
        issue(["postgresDatabases"], "must name at least one database when the stack deploys postgres");
      }
    },
  },
  {
    reads: ["workloadProfiles"],
    check(c, issue) {
      if (new Set(c.workloadProfiles.map((p) => p.name)).size !== c.workloadProfiles.length) {
        issue(["workloadProfiles"], "profile names must be unique");
      }
    },
  },
];

export const platformConfigSchema = rawSchema.superRefine(
  (c, ctx) => {
    const invalid = new Set(ctx.issues.map((i) => i.path?.[0]));
    const issue: Blame = (path, message) => ctx.addIssue({ code: "custom", path, message });
    for (const rule of CROSS_KEY_RULES) {
      if (rule.reads.some((key) => invalid.has(key))) continue;
      rule.check(c, issue);
    }
  },
  // Run even when some fields failed; each rule checks that the keys it reads did not.
  { when: () => true },
);

export type PlatformConfig = Readonly<z.output<typeof platformConfigSchema>>;
