/**
 * The stack configuration contract: every key of `Pulumi.yaml`'s `config:` block, typed and
 * constrained. Defaults live in Pulumi.yaml (one source of truth, applied by `loader.ts`);
 * this schema only says what is allowed, citing the control each constraint protects.
 *
 * Keys that feed a component are the component's own schema (`components/*.schema.ts`), so
 * a config error and a component error are the same error; limits come from
 * `controls/limits.ts`.
 */
import { z } from "zod";
import {
  customDomainSchema,
  EU_COUNTRY_CODES,
  frontDoorEndpointNameProblem,
  wafCustomRulesSchema,
  wafAllowedCountriesSchema,
  wafRateLimitSchema,
} from "../components/frontDoorSpec";
import {
  APP_SERVICES,
  containerAppSpecSchema,
  DATA_SERVICES,
  prodFrontendReplicasProblem,
  type DataService,
} from "../components/containerApp/schema";
import { workloadProfilesSchema } from "../components/containerAppsEnvironment.schema";
import { blobStorageFields, blobStorageRules } from "../components/blobStorage.schema";
import { keyVaultRules, keyVaultSkuSchema } from "../components/keyVault.schema";
import { loggingFields } from "../components/logging.schema";
import { managedRedisFields } from "../components/managedRedis.schema";
import { postgresFields, postgresRules } from "../components/postgres.schema";
import { humanAccessFields } from "../components/humanAccess.schema";
import { networkFields, networkRules } from "../components/network.schema";
import { EU_REGIONS, pairedRegion, ZONAL_REGIONS } from "../controls/regions";
import { CONTAINER_APP_NAME } from "../controls/limits";

export {
  APP_SERVICES,
  DATA_SERVICES,
  INGRESS_MODES,
  RESERVED_ENV,
  type AppConfig,
  type AppService,
  type DataService,
  type IngressMode,
} from "../components/containerApp/schema";
export { STORAGE_SKUS, ZONE_REDUNDANT_STORAGE_SKUS } from "../components/blobStorage.schema";
export { KEY_VAULT_SKUS } from "../components/keyVault.schema";
export { REDIS_PERSISTENCE } from "../components/managedRedis.schema";
export { POSTGRES_TIERS, POSTGRES_VERSIONS } from "../components/postgres.schema";

export const PROJECT = "secure-azure-platform";

const uuid = z.uuid({ message: "must be an Entra object ID (a GUID)" });

/** One app of `apps[]`: exactly the `ContainerApp` component's contract. */
export const appSchema = containerAppSpecSchema;

const SECURITY_ALERT_EMAIL = "must be an e-mail address, or empty for alertEmail (SIEM-1 incident routing)";

const rawSchema = z.object({
  location: z.string({ message: "is required (set azure-native:location)" }).min(1),
  environment: z.enum(["dev", "prod"], { message: "must be dev or prod (ENV-1)" }),
  allowedLocations: z
    .array(
      z
        .string({ message: "must be a region name such as westeurope" })
        .min(1, "must be a region name such as westeurope"),
    )
    .min(1, "must list at least one region"),
  namePrefix: z
    .string()
    .regex(
      /^[a-z][a-z0-9]{1,7}$/,
      "must be 2-8 lowercase letters or digits starting with a letter (it is part of storage account and Key Vault names)",
    ),
  owner: z
    .string({ message: "is required: the owning team, a string (CLS-1 owner tag)" })
    .min(1, "is required: the owning team, a string (CLS-1 owner tag)"),
  costCenter: z
    .string({ message: "is required: the cost centre, a string (cost-centre tag)" })
    .min(1, "is required: the cost centre, a string (cost-centre tag)"),
  backupRetentionDays: postgresFields.backupRetentionDays,
  logRetentionDays: loggingFields.retentionInDays,
  vnetAddressSpace: networkFields.vnetAddressSpace,
  appsSubnetPrefix: networkFields.appsSubnetPrefix,
  privateEndpointSubnetPrefix: networkFields.privateEndpointSubnetPrefix,
  services: z.array(z.enum(DATA_SERVICES, { message: `must be among ${DATA_SERVICES.join(", ")}` })),
  postgresVersion: postgresFields.version,
  postgresSkuTier: postgresFields.skuTier,
  postgresSkuName: postgresFields.skuName,
  postgresStorageSizeGb: postgresFields.storageSizeGb,
  postgresDatabases: postgresFields.databases,
  postgresAdminGroupObjectId: uuid,
  postgresAdminGroupName: z
    .string({ message: "is required: the display name of the Entra group that administers PostgreSQL" })
    .min(1, "is required: the display name of the Entra group that administers PostgreSQL"),
  storageSkuName: blobStorageFields.skuName,
  storageContainers: blobStorageFields.containers,
  redisSkuName: managedRedisFields.skuName,
  redisPersistence: managedRedisFields.persistence,
  keyVaultSku: keyVaultSkuSchema,
  alertEmail: loggingFields.alertEmail,
  developerGroupIds: humanAccessFields.groupIds,
  qaGroupIds: humanAccessFields.groupIds,
  devopsGroupIds: humanAccessFields.groupIds,
  cloudAdminGroupIds: humanAccessFields.groupIds,
  // ENV-1/IAM-2: the one principal the stack grants its deployer roles to, and may run as.
  deployPrincipalId: uuid,
  customerManagedKeys: z.boolean({ message: "must be true or false" }),
  zoneRedundant: z.boolean({ message: "must be true or false" }),
  deletionLocks: z.boolean({ message: "must be true or false" }),
  manageDefenderPlans: z.boolean({ message: "must be true or false" }),
  workloadProfiles: workloadProfilesSchema,
  apps: z.array(appSchema),
  // EDGE-1 / SIEM-1 (limits in components/frontDoorSpec.ts).
  sentinel: z.boolean({ message: "must be true or false (SIEM-1)" }),
  // Empty: incidents go to alertEmail. (A declared key without a default would be required by the CLI.)
  securityAlertEmail: z.union([z.literal(""), z.email({ message: SECURITY_ALERT_EMAIL })], {
    message: SECURITY_ALERT_EMAIL,
  }),
  wafRateLimitPerMinute: wafRateLimitSchema,
  wafGeoFilter: z.boolean({ message: "must be true or false (EDGE-1)" }),
  wafAllowedCountries: wafAllowedCountriesSchema.min(
    1,
    `must list at least one country (default: the EU, ${EU_COUNTRY_CODES.length} codes)`,
  ),
  wafCustomRules: wafCustomRulesSchema,
  frontDoorCustomDomains: z.record(z.string(), customDomainSchema),
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
    reads: ["zoneRedundant", "location"],
    check(c, issue) {
      if (c.zoneRedundant && !ZONAL_REGIONS.has(c.location.toLowerCase()))
        issue(["location"], "has no availability zones, so zoneRedundant cannot be honoured");
    },
  },
  // The BlobStorage component's rules, blamed on the config keys it reads (soft delete is
  // backupRetentionDays, whose own range already covers the blob window). One rule per key it
  // judges, so a bad container name does not hide a SKU prod refuses, and the reverse.
  ...(["storageSkuName", "storageContainers"] as const).map((key) => ({
    reads: ["services", "environment", "zoneRedundant", key] as (keyof RawConfig)[],
    check(c: RawConfig, issue: Blame) {
      if (!c.services.includes("storage")) return;
      const keys: Record<string, string> = { skuName: "storageSkuName", containers: "storageContainers" };
      blobStorageRules(
        key === "storageSkuName" ? { skuName: c.storageSkuName } : { containers: c.storageContainers },
        c,
        ([field, ...rest], message) => issue([keys[String(field)], ...rest] as (string | number)[], message),
      );
    },
  })),
  {
    // The KeyVault component's rule, blamed on the config key.
    reads: ["environment", "keyVaultSku"],
    check(c, issue) {
      keyVaultRules({ sku: c.keyVaultSku }, c, (_path, message) => issue(["keyVaultSku"], message));
    },
  },
  // The PostgresServer component's rules, blamed on the config keys it reads: the SKU against
  // its tier and the environment, and the databases, apart, so neither hides the other.
  ...[["postgresSkuTier", "postgresSkuName"], ["postgresDatabases"]].map((judged) => ({
    reads: ["services", "environment", "zoneRedundant", ...judged] as (keyof RawConfig)[],
    check(c: RawConfig, issue: Blame) {
      if (!c.services.includes("postgres")) return;
      const keys: Record<string, string> = {
        skuTier: "postgresSkuTier",
        skuName: "postgresSkuName",
        databases: "postgresDatabases",
      };
      postgresRules(
        judged.includes("postgresDatabases")
          ? { databases: c.postgresDatabases }
          : { skuTier: c.postgresSkuTier, skuName: c.postgresSkuName },
        c,
        ([field, ...rest], message) => issue([keys[String(field)], ...rest] as (string | number)[], message),
      );
    },
  })),
  {
    // The Network component's rules (the address plan's relations), on the same keys.
    reads: ["vnetAddressSpace", "appsSubnetPrefix", "privateEndpointSubnetPrefix"],
    check(c, issue) {
      networkRules(c, (path, message) => issue(path as string[], message));
    },
  },
  {
    reads: ["environment", "sentinel"],
    check(c, issue) {
      if (c.environment === "prod" && !c.sentinel) issue(["sentinel"], "must be true in prod (SIEM-1)");
    },
  },
  {
    reads: ["apps", "frontDoorCustomDomains"],
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
    },
  },
  {
    // Apart from the apps: an app's own error must not hide a WAF rule used twice.
    reads: ["wafCustomRules"],
    check(c, issue) {
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
    // EDGE-1: each frontend gets a Front Door endpoint named after it, the prefix and the
    // environment (components/frontDoorSpec.ts); Azure refuses one longer than 46 characters.
    // Runs even when some apps are invalid, on every frontend whose own name is valid.
    reads: ["namePrefix", "environment"],
    check(c, issue) {
      if (!Array.isArray(c.apps)) return;
      c.apps.forEach((app: unknown, i) => {
        if (typeof app !== "object" || app === null) return;
        const a = app as Partial<Record<string, unknown>>;
        if (a.ingress !== "frontend" || typeof a.name !== "string") return;
        if (!CONTAINER_APP_NAME.pattern.test(a.name)) return;
        const problem = frontDoorEndpointNameProblem(a.name, c.namePrefix, c.environment);
        if (problem) issue(["apps", i, "name"], `"${a.name}" ${problem}`);
      });
    },
  },
  {
    // Runs even when some apps are invalid: a duplicate name must not hide behind another app's error.
    reads: ["services", "environment"],
    check(c, issue) {
      if (!Array.isArray(c.apps)) return;
      const names = new Set<string>();
      c.apps.forEach((app: unknown, i) => {
        if (typeof app !== "object" || app === null) return;
        const a = app as Partial<Record<string, unknown>>;
        const name = typeof a.name === "string" ? a.name : undefined;
        if (name !== undefined && names.has(name)) issue(["apps", i, "name"], `duplicates app "${name}"`);
        if (name !== undefined) names.add(name);
        if (Array.isArray(a.uses)) {
          a.uses.forEach((service: unknown, j) => {
            if (service === "keyvault" || typeof service !== "string") return;
            if (!(APP_SERVICES as readonly string[]).includes(service)) return;
            if (!c.services.includes(service as DataService)) {
              issue(
                ["apps", i, "uses", j],
                `app "${name}" uses ${service}, which this stack does not deploy (services: ${c.services.join(", ")})`,
              );
            }
          });
        }
        if (typeof a.ingress === "string") {
          const problem = prodFrontendReplicasProblem(c.environment, {
            ingress: a.ingress,
            minReplicas: typeof a.minReplicas === "number" ? a.minReplicas : undefined,
          });
          if (problem) issue(["apps", i, "minReplicas"], `app "${name}": ${problem}`);
        }
      });
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
