/**
 * The contract of a container app: what a caller (the stack, or another team's program) passes.
 * Validation lives in `./schema` (zod, shared with the stack config), wiring in `./index`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ContainerAppsEnvironmentReference } from "../containerAppsEnvironment";
import type { PlatformContext } from "../common/interfaces";
import type { AppService, IngressMode, StorageAccess } from "./schema";

/** A source address range allowed to reach the app's ingress. */
export interface IpRestriction {
  /** 1-64 letters, digits, '-' or '_'. */
  name: string;
  /** IPv4 CIDR block, e.g. `203.0.113.0/24`. */
  cidr: string;
  /** Shown on the rule in the portal. */
  description?: string;
}

/**
 * The app as the stack config describes it (`secure-azure-platform:apps[]`); a config entry
 * can be passed as is. There is no `allowInsecure`, `external` or `transport`: ingress is
 * HTTPS only and public only for `ingress: "frontend"` (NET-2).
 */
export interface ContainerAppSpec {
  /** Azure name of the app and its host name inside the environment: 2-32 lowercase letters, digits, '-'. */
  name: string;
  /** Image reference, e.g. `myregistry.azurecr.io/api:1.4.2`. */
  image: string;
  /** Registry host pulled from with the app's identity (grant it AcrPull, see `registryResourceId`). */
  registryServer?: string;
  /** Port the container listens on. */
  targetPort: number;
  /** `frontend`: public HTTPS ingress (needs an external environment); `internal`: environment only. */
  ingress: IngressMode;
  /** Default 1; a frontend in prod needs at least 2 (AVL-1). */
  minReplicas?: number;
  /** Default 3; >= minReplicas. */
  maxReplicas?: number;
  /** vCPU per replica, 0.25..4 in 0.25 steps (Consumption profile). Default 0.5. */
  cpu?: number;
  /** Memory per replica: exactly 2Gi per vCPU on Consumption (e.g. 0.5 vCPU -> `1Gi`). Default `1Gi`. */
  memory?: string;
  /** Plain environment variables. Never secrets (SEC-1): a secret-looking name or value is an error. */
  env?: Readonly<Record<string, string>>;
  /** Secrets: env var name -> Key Vault secret name in the stack's vault, read by reference (SEC-1). */
  secrets?: Readonly<Record<string, string>>;
  /** Services the app talks to; each grants the identity a least-privilege role (IAM-2). */
  uses?: AppService[];
  /** Blob access when the app uses storage. Default `readwrite`. */
  storageAccess?: StorageAccess;
  /** Source ranges allowed to reach the ingress (Allow rules; everything else is denied). */
  ipRestrictions?: IpRestriction[];
  /** HTTP path of the liveness and readiness probes. Default `/healthz`. */
  probePath?: string;
}

/** The stack's Key Vault (the `KeyVault` component fits). */
export interface KeyVaultService {
  /** Resource ID of the vault (scope of the app's `Key Vault Secrets User` role). */
  vaultId: pulumi.Input<string>;
  /** `https://<vault>.vault.azure.net/` */
  vaultUri: pulumi.Input<string>;
}

/** The stack's blob storage (the `BlobStorage` component fits). */
export interface StorageService {
  /** Resource ID of the storage account (scope of the app's blob data role). */
  accountId: pulumi.Input<string>;
  /** `https://<account>.blob.core.windows.net/`, passed to the app as `AZURE_STORAGE_BLOB_ENDPOINT`. */
  blobEndpoint: pulumi.Input<string>;
}

/** The stack's PostgreSQL server and the database apps connect to. */
export interface PostgresService {
  /** Name of the server (in the app's setup SQL). */
  serverName: pulumi.Input<string>;
  /** Host name of the server, passed to the app as `AZURE_POSTGRESQL_HOST`. */
  fqdn: pulumi.Input<string>;
  /** Display name of the Entra admin group (who runs `postgresSetupSql`). */
  adminGroupName: string;
  /** Database the app connects to. */
  database: string;
}

/**
 * The stack's Managed Redis, as plain data (the `ManagedRedis` component's outputs fit). The app
 * creates its own identity's access policy assignment on the database (IAM-1: Entra token auth,
 * access keys stay off).
 */
export interface RedisService {
  /** Host name of the cache, passed to the app as `AZURE_REDIS_HOST`. */
  hostName: pulumi.Input<string>;
  /** TLS port of the database, passed to the app as `AZURE_REDIS_PORT`. */
  port: pulumi.Input<number>;
  /** Resource group of the cluster. */
  resourceGroupName: pulumi.Input<string>;
  /** Name of the cluster (`ManagedRedis.clusterName`). */
  clusterName: pulumi.Input<string>;
  /**
   * Name of the database (`ManagedRedis.databaseName`, always `default`). Pass the component's
   * output, not the literal: the grant must wait for the database to exist.
   */
  databaseName: pulumi.Input<string>;
  /**
   * URN of the `ManagedRedis` component that made this app's grant before grants moved to the
   * app (`ManagedRedis.urn`): the grant keeps its deployed state through an alias instead of
   * being deleted and recreated. Omit in stacks that never had such a grant.
   */
  legacyGrantParent?: pulumi.Input<string>;
}

/**
 * The data services this stack has. An app whose `uses` names a service missing here is an
 * error, never a silently unconnected app.
 */
export interface AppServices {
  /** The stack's Key Vault; needed by apps with secrets or `uses: keyvault`. */
  keyVault?: KeyVaultService;
  /** The stack's blob storage; needed by apps with `uses: storage`. */
  storage?: StorageService;
  /** The stack's PostgreSQL server; needed by apps with `uses: postgres`. */
  postgres?: PostgresService;
  /** The stack's Managed Redis; needed by apps with `uses: redis`. */
  redis?: RedisService;
}

export interface ContainerAppArgs {
  /** The foundation this component stands on. */
  platform: PlatformContext;
  /** The environment (`ContainerAppsEnvironment.reference`). */
  environment: ContainerAppsEnvironmentReference;
  /** The app: image, port, ingress, scale, settings and the services it uses. */
  app: ContainerAppSpec;
  /** What the stack deploys; the app connects to those its `uses` names. */
  services?: AppServices;
  /** Resource ID of the app's container registry: grants the identity AcrPull on it (IAM-2). */
  registryResourceId?: pulumi.Input<string>;
  /** Concurrent HTTP requests per replica before scaling out. Default 50. */
  httpConcurrency?: number;
  /** Extra tags; cannot override the CLS-1 tags or `ingress`. */
  tags?: Record<string, string>;
  /**
   * Resource ID of the previous app's Redis grant on the same database (its `redisGrantId`):
   * this app's grant is made only after it, since the database accepts one update at a time.
   * Chain the apps of a stack in order; the first app omits it.
   */
  redisGrantAfter?: pulumi.Input<string>;
}
