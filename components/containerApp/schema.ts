/**
 * The contract of one container app (`ContainerAppSpec`): the `ContainerApp` component parses
 * its `app` argument with this schema, and the stack config's `apps[]` entries are this schema,
 * so both refuse the same apps with the same message.
 */
import { z } from "zod";
import { parseCidr } from "../network.plan";
import {
  APP_REPLICAS,
  CONSUMPTION_CPU,
  consumptionCombinations,
  consumptionMemory,
  CONTAINER_APP_NAME,
  ENV_VAR_NAME,
  imageReferenceProblem,
  IP_RESTRICTION_NAME,
  KEY_VAULT_SECRET_NAME,
  MIN_PROD_FRONTEND_REPLICAS,
  REGISTRY_SERVER,
} from "../../controls/limits";
import { named, strictArgs, wholeNumber } from "../common/schema";
import { enumValues, type SameType } from "../common/enums";
import { secretLookingReason } from "../../controls/secretDetection";
import { isProduction } from "../common/mandatory";

export const DATA_SERVICES = ["postgres", "storage", "redis"] as const;
export type DataService = (typeof DATA_SERVICES)[number];

/** What an app may say it uses: a data service of the stack, or the stack's Key Vault. */
export const AppService = {
  /** The stack's PostgreSQL server (Entra login as the app's identity). */
  Postgres: "postgres",
  /** The stack's blob storage (a blob data role for the app's identity). */
  Storage: "storage",
  /** The stack's Managed Redis (an access policy assignment for the app's identity). */
  Redis: "redis",
  /** The stack's Key Vault (`Key Vault Secrets User` for the app's identity). */
  KeyVault: "keyvault",
} as const;
export type AppService = (typeof AppService)[keyof typeof AppService];
const appServicesMatch: SameType<AppService, DataService | "keyvault"> = true;
void appServicesMatch;
export const APP_SERVICES = enumValues(AppService);

/** How an app is reached (NET-2). */
export const IngressMode = {
  /** Public HTTPS through the edge (Front Door). */
  Frontend: "frontend",
  /** Only from inside the Container Apps environment. */
  Internal: "internal",
} as const;
export type IngressMode = (typeof IngressMode)[keyof typeof IngressMode];
export const INGRESS_MODES = enumValues(IngressMode);

/** Blob access of an app that uses storage (IAM-2). */
export const StorageAccess = {
  /** `Storage Blob Data Reader`. */
  Read: "read",
  /** `Storage Blob Data Contributor`. */
  ReadWrite: "readwrite",
} as const;
export type StorageAccess = (typeof StorageAccess)[keyof typeof StorageAccess];

/** Env var names the platform sets itself; an app cannot override them. */
export const RESERVED_ENV: ReadonlySet<string> = new Set([
  "AZURE_CLIENT_ID",
  "AZURE_KEY_VAULT_URI",
  "AZURE_STORAGE_BLOB_ENDPOINT",
  "AZURE_POSTGRESQL_HOST",
  "AZURE_POSTGRESQL_DATABASE",
  "AZURE_POSTGRESQL_USER",
  "AZURE_REDIS_HOST",
  "AZURE_REDIS_PORT",
]);

/** Container Apps secret names: lowercase alphanumerics and '-', starting and ending alphanumeric. */
const APP_SECRET_NAME = /^[a-z0-9]([a-z0-9-]{0,251}[a-z0-9])?$/;

/** The Container Apps secret name for an env var (`SESSION_SIGNING_KEY` -> `session-signing-key`). */
export function appSecretName(envName: string): string {
  return envName.toLowerCase().replace(/_/g, "-").replace(/-+/g, "-").replace(/^-|-$/g, "");
}

/** Keys someone might use to open up ingress; each gets a NET-2 explanation, not just "unknown". */
const INSECURE_INGRESS =
  'refused: ingress is HTTPS only (allowInsecure is always false) and external only for ingress "frontend" (NET-2); set ingress to "frontend" or "internal"';
export const REFUSED_APP_KEYS: Readonly<Record<string, string>> = {
  allowInsecure: INSECURE_INGRESS,
  external: INSECURE_INGRESS,
  transport: INSECURE_INGRESS,
  exposedPort: INSECURE_INGRESS,
};

const envName = named(ENV_VAR_NAME);
const cidr = z.string().superRefine((value, ctx) => {
  const parsed = parseCidr(value);
  if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
});

const ipRestrictionSchema = strictArgs(
  { name: named(IP_RESTRICTION_NAME), cidr, description: z.string().optional() },
  "a field of an IP restriction",
);

const cpuMessage = `must be ${CONSUMPTION_CPU.min}..${CONSUMPTION_CPU.max} vCPU in steps of ${CONSUMPTION_CPU.step} (Consumption profile)`;

/** Where the probes go unless an app says otherwise. */
export const DEFAULT_PROBE_PATH = "/healthz";

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

export const containerAppSpecSchema = strictArgs(
  {
    name: named(CONTAINER_APP_NAME).describe(
      "Azure name of the app and its host name inside the environment.",
    ),
    image: z
      .string({ message: "must be a container image reference" })
      .superRefine((image, ctx) => {
        const problem = imageReferenceProblem(image);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .meta({
        allowed: "[registry/]repository[:tag][@digest], repository in lowercase (OCI reference grammar)",
      })
      .describe("Image reference, e.g. `myregistry.azurecr.io/api:1.4.2`."),
    registryServer: named(REGISTRY_SERVER)
      .optional()
      .describe("Registry host pulled from with the app's managed identity (never a password)."),
    targetPort: wholeNumber(1, 65535).describe("Port the container listens on."),
    ingress: z
      .enum(INGRESS_MODES, { message: `must be one of ${INGRESS_MODES.join(", ")} (NET-2)` })
      .describe(
        "`frontend`: public HTTPS ingress (needs an external environment); `internal`: environment only (NET-2).",
      ),
    minReplicas: wholeNumber(APP_REPLICAS.min, APP_REPLICAS.max)
      .default(APP_REPLICAS.defaultMin)
      .describe(
        `Replicas kept running; a frontend in prod needs at least ${MIN_PROD_FRONTEND_REPLICAS} (AVL-1).`,
      ),
    maxReplicas: wholeNumber(1, APP_REPLICAS.max)
      .default(APP_REPLICAS.defaultMax)
      .describe("Most replicas the HTTP scale rule may add; >= minReplicas."),
    cpu: z
      .number({ message: cpuMessage })
      .meta({ allowed: `${CONSUMPTION_CPU.min}..${CONSUMPTION_CPU.max} in steps of ${CONSUMPTION_CPU.step}` })
      .min(CONSUMPTION_CPU.min, cpuMessage)
      .max(CONSUMPTION_CPU.max, cpuMessage)
      .refine((cpu) => Number.isInteger(cpu / CONSUMPTION_CPU.step), cpuMessage)
      .default(CONSUMPTION_CPU.default)
      .describe("vCPU per replica on the Consumption profile."),
    memory: z
      .string({ message: "must be like 1Gi" })
      .meta({ allowed: `cpu/memory: ${consumptionCombinations().join(", ")}` })
      .optional()
      .describe("Memory per replica: exactly 2Gi per vCPU on Consumption. Default: what `cpu` needs."),
    env: z
      .record(envName, z.string({ message: "must be a string" }))
      .default({})
      .describe(
        "Plain environment variables. Never secrets (SEC-1): a secret-looking name or value is an error.",
      ),
    secrets: z
      .record(envName, named(KEY_VAULT_SECRET_NAME))
      .default({})
      .describe(
        "Secrets: env var name -> Key Vault secret name in the stack's vault, read by reference (SEC-1).",
      ),
    uses: z
      .array(z.enum(APP_SERVICES, { message: `must be one of ${APP_SERVICES.join(", ")}` }))
      .default([])
      .describe("Services the app talks to; each grants the identity a least-privilege role (IAM-2)."),
    storageAccess: z
      .enum(enumValues(StorageAccess), { message: "must be read or readwrite" })
      .default("readwrite")
      .describe("Blob access when the app uses storage."),
    ipRestrictions: z
      .array(ipRestrictionSchema)
      .default([])
      .describe("Source ranges allowed to reach the ingress (Allow rules; everything else is denied)."),
    probePath: z
      .string()
      .regex(/^\//, "must start with '/'")
      .default(DEFAULT_PROBE_PATH)
      .describe("HTTP path of the liveness and readiness probes."),
  },
  "a field of an app",
  REFUSED_APP_KEYS,
)
  .superRefine(
    (app, ctx) => {
      const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
      if (typeof app !== "object" || app === null) return;
      const ok = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
      if (ok(app.minReplicas) && ok(app.maxReplicas) && app.maxReplicas < app.minReplicas) {
        issue(["maxReplicas"], `must be >= minReplicas (${app.minReplicas})`);
      }
      const cpu = app.cpu;
      if (
        typeof app.memory === "string" &&
        typeof cpu === "number" &&
        Number.isInteger(cpu / CONSUMPTION_CPU.step)
      ) {
        if (app.memory !== consumptionMemory(cpu)) {
          issue(
            ["memory"],
            `the Consumption profile needs 2Gi per vCPU: "${consumptionMemory(cpu)}" for cpu ${cpu} (allowed cpu/memory: ${consumptionCombinations().join(", ")})`,
          );
        }
      }
      const env = typeof app.env === "object" && app.env !== null ? app.env : {};
      const secrets = typeof app.secrets === "object" && app.secrets !== null ? app.secrets : {};
      for (const [name, value] of Object.entries(env)) {
        const reason = typeof value === "string" ? secretLookingReason(name, value) : undefined;
        if (reason) {
          issue(
            ["env", name],
            // Names the app as well as the variable: a stack config error's key has only its index.
            `${typeof app.name === "string" ? `app "${app.name}": ` : ""}plain env var ${name} refused because ${reason}; put it in Key Vault and reference it under "secrets" (SEC-1)`,
          );
        }
        if (RESERVED_ENV.has(name))
          issue(["env", name], `${name} is set by the platform and cannot be overridden`);
        if (name in secrets) issue(["env", name], `${name} is also a secret; define it once`);
      }
      const appSecrets = new Map<string, string>();
      for (const name of Object.keys(secrets)) {
        if (RESERVED_ENV.has(name)) {
          issue(["secrets", name], `${name} is set by the platform and cannot be overridden`);
        }
        const secretName = appSecretName(name);
        if (!APP_SECRET_NAME.test(secretName)) {
          issue(["secrets", name], "cannot be turned into a Container Apps secret name");
        }
        const clash = appSecrets.get(secretName);
        if (clash)
          issue(["secrets", name], `maps to the same Container Apps secret "${secretName}" as ${clash}`);
        appSecrets.set(secretName, name);
      }
      if (Array.isArray(app.uses) && new Set(app.uses).size !== app.uses.length) {
        issue(["uses"], "lists a service twice");
      }
      const known = typeof app.image === "string" ? KNOWN_IMAGES[imageRepository(app.image)] : undefined;
      if (known && typeof app.targetPort === "number" && app.targetPort !== known.port) {
        issue(
          ["targetPort"],
          `${imageRepository(String(app.image))} listens on port ${known.port}; targetPort must be ${known.port} or the app never becomes ready (AVL-1)`,
        );
      }
      const probePath = typeof app.probePath === "string" ? app.probePath : DEFAULT_PROBE_PATH;
      if (known && !known.answers.includes(probePath)) {
        issue(
          ["probePath"],
          `${imageRepository(String(app.image))} answers only ${known.answers.join(", ")}; probes on ${probePath} fail and the app never becomes ready (AVL-1)`,
        );
      }
    },
    { when: () => true },
  )
  .transform((app) => ({ ...app, memory: app.memory ?? consumptionMemory(app.cpu) }));

/** An app as validated, defaults applied. */
export type AppConfig = z.output<typeof containerAppSpecSchema>;

/** AVL-1: why this app cannot run like this in `environment`, or undefined. */
export function prodFrontendReplicasProblem(
  environment: string,
  app: { ingress: string; minReplicas?: number },
): string | undefined {
  const min = app.minReplicas ?? APP_REPLICAS.defaultMin;
  return isProduction({ environment }) && app.ingress === "frontend" && min < MIN_PROD_FRONTEND_REPLICAS
    ? `a frontend in prod needs at least ${MIN_PROD_FRONTEND_REPLICAS} replicas (AVL-1)`
    : undefined;
}
