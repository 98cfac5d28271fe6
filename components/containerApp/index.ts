/**
 * One container app wired to the platform's data services by identity, with no stored
 * credential anywhere:
 * - IAM-1: its own user-assigned identity, created (with its role assignments) before the app,
 *   so the first revision can already read its Key Vault references; images are pulled with
 *   that identity, never a registry password.
 * - IAM-2: only the roles its `uses` need, each scoped to the one resource: Key Vault Secrets
 *   User on the vault, Storage Blob Data Contributor/Reader on the account, a Managed Redis
 *   access policy assignment; PostgreSQL through Entra (see `postgresSetupSql`).
 * - SEC-1: secrets only as Key Vault references read with the identity; plain env vars that
 *   look like secrets are refused.
 * - NET-2: HTTPS-only ingress, external only for frontends.
 * - AVL-1: probes, single active revision, HTTP scale rule, >= 2 replicas for prod frontends.
 * - MON-1: an alert on container restarts. Logs go through the environment's diagnostic
 *   setting (apps have no diagnostic settings of their own).
 */
import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import * as redisenterprise from "@pulumi/azure-native/redisenterprise";
import {
  appSecretName,
  containerAppSpecSchema,
  prodFrontendReplicasProblem,
  type AppConfig,
  type AppService,
} from "./schema";
import { CONSUMPTION_PROFILE } from "../containerAppsEnvironment";
import { addMetricAlerts } from "../common/alerts";
import { startArgChecks } from "../common/interfaces";
import { resourceName } from "../common/naming";
import { afterRoleGrants } from "../common/propagation";
import { assignRole } from "../common/roleAssignment";
import { parseArgs, PLATFORM_CONTEXT_KEYS } from "../common/schema";
import { componentTags } from "../common/tags";
import { WorkloadIdentity } from "../workloadIdentity";
import { PrivateState } from "../common/privateState";
import { postgresSetupStatements } from "./postgresSql";
import type { AppServices, ContainerAppArgs, RedisService } from "./spec";
import { componentType, withLegacyAlias } from "../common/componentType";
import { LEGACY_COMPONENT_TYPES } from "../../controls/componentTypes";

export * from "./spec";
export { postgresSetupStatements } from "./postgresSql";

const ARG_KEYS = [
  "platform",
  "environment",
  "app",
  "services",
  "registryResourceId",
  "httpConcurrency",
  "tags",
  "redisGrantAfter",
] as const satisfies readonly (keyof ContainerAppArgs)[];

const SERVICE_KEY: Record<AppService, keyof AppServices> = {
  keyvault: "keyVault",
  storage: "storage",
  postgres: "postgres",
  redis: "redis",
};

export { appSecretName };
export { MIN_PROD_FRONTEND_REPLICAS } from "../../controls/limits";
export const DEFAULT_HTTP_CONCURRENCY = 50;

/** Probe timings: generous enough for a cold start, quick to take a hung replica out. */
export const PROBE_DEFAULTS = {
  liveness: { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
  readiness: { initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
} as const;

/** Restarts in 15 minutes above which someone is told (MON-1). */
export const RESTART_ALERT_THRESHOLD = 3;

interface Validated {
  spec: AppConfig;
  uses: Set<AppService>;
  /** Key Vault Secrets User is needed (uses keyvault, or has secret references). */
  needsVault: boolean;
  secretNames: Map<string, string>;
  restrictions: { name: string; ipAddressRange: string; description?: string }[];
  identityName: string;
  tags: Record<string, string>;
}

/**
 * Every check on the args, before anything registers: one `ComponentArgsError` (a RunError)
 * listing every problem, each naming its argument path, value and what is allowed.
 */
function validate(owner: string, name: string, args: ContainerAppArgs): Validated {
  const { problems, platformOk } = startArgChecks(
    owner,
    args,
    ARG_KEYS,
    "ingress, identity and secrets handling are fixed by NET-2/IAM-1/SEC-1",
    PLATFORM_CONTEXT_KEYS,
  );
  const { platform, environment } = args;
  const environmentOk =
    typeof environment === "object" &&
    environment !== null &&
    Array.isArray(environment.workloadProfileNames);
  if (!environmentOk) {
    problems.add(
      ["environment"],
      environment,
      "is required: the Container Apps environment (its id, external and workloadProfileNames; the platform's containerAppsEnvironment)",
    );
  }
  // The app's own contract (the same schema as the stack config's apps[]): every problem at once.
  const spec =
    typeof args.app === "object" && args.app !== null
      ? problems.check(() => parseArgs(owner, containerAppSpecSchema, args.app, ["app"]))
      : problems.add(
          ["app"],
          args.app,
          "is required: the app's mapping (name, image, ingress, ...; see docs/container-apps.md)",
        );
  const services = args.services ?? {};
  const concurrency = args.httpConcurrency ?? DEFAULT_HTTP_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    problems.add(["httpConcurrency"], concurrency, "must be a whole number >= 1");
  }
  for (const key of Object.keys(args.tags ?? {})) {
    if (key.toLowerCase() === "ingress") {
      problems.add(
        ["tags", key],
        args.tags?.[key],
        "is set from app.ingress and cannot be overridden (NET-2)",
      );
    }
  }
  const grantAfter = args.redisGrantAfter;
  if (
    typeof grantAfter === "string" &&
    !/\/databases\/[^/]+\/accessPolicyAssignments\/[^/]+$/i.test(grantAfter)
  ) {
    problems.add(
      ["redisGrantAfter"],
      grantAfter,
      "must be the resource ID of another app's Redis grant (its redisGrantId)",
    );
  }
  const legacyParent = services.redis?.legacyGrantParent;
  if (typeof legacyParent === "string" && !/^urn:pulumi:[^:]+::[^:]+::.+::[^:]+$/.test(legacyParent)) {
    problems.add(
      ["services", "redis", "legacyGrantParent"],
      legacyParent,
      "must be the URN of a ManagedRedis component",
    );
  }
  if (environmentOk && !environment.workloadProfileNames.includes(CONSUMPTION_PROFILE)) {
    problems.add(
      ["environment", "workloadProfileNames"],
      environment.workloadProfileNames,
      `must include ${CONSUMPTION_PROFILE}: the apps run on the ${CONSUMPTION_PROFILE} workload profile`,
    );
  }
  // The rules below read the app's spec (and the platform): without them, the problems so far are the report.
  if (!spec || !platformOk) {
    problems.throwIfAny();
    throw new Error("unreachable: a failed check always records a problem");
  }
  const replicas = prodFrontendReplicasProblem(platform.environment, spec);
  if (replicas) problems.add(["app", "minReplicas"], spec.minReplicas, replicas);
  if (spec.ingress === "frontend" && environmentOk && !environment.external) {
    problems.add(
      ["app", "ingress"],
      spec.ingress,
      "needs an environment that serves frontends through the edge (hasFrontend: true) (NET-2, EDGE-1); allowed here: internal, none",
    );
  }
  const secretNames = new Map(Object.keys(spec.secrets).map((name) => [name, appSecretName(name)]));
  const uses = new Set<AppService>(spec.uses);
  const available = (Object.keys(SERVICE_KEY) as AppService[]).filter((s) => services[SERVICE_KEY[s]]);
  spec.uses.forEach((service, i) => {
    if (!services[SERVICE_KEY[service]]) {
      problems.add(
        ["app", "uses", i],
        service,
        `is not a service of this stack; allowed (services passed): ${available.join(", ") || "none"}`,
      );
    }
  });
  const needsVault = uses.has("keyvault") || secretNames.size > 0;
  if (secretNames.size > 0 && !services.keyVault) {
    problems.add(
      ["app", "secrets"],
      spec.secrets,
      "needs a Key Vault to read them from, but this stack passed none (services.keyVault) (SEC-1)",
    );
  }
  const identityName = problems.check(
    () => resourceName(platform, "userAssignedIdentity", `app-${spec.name}`),
    { path: ["app", "name"], value: spec.name },
  );
  // Apps process customer data in memory; the `ingress` tag is what the policy pack checks
  // external ingress against (NET-2).
  const tags = problems.check(() =>
    componentTags(platform, "confidential", { ...args.tags, ingress: spec.ingress }, owner),
  );
  problems.check(() => resourceName(platform, "metricAlert", `${name}-restarts`), { path: [], value: name });
  problems.throwIfAny();
  const restrictions = spec.ipRestrictions.map((r) => ({
    name: r.name,
    ipAddressRange: r.cidr,
    ...(r.description ? { description: r.description } : {}),
  }));
  return { spec, uses, needsVault, secretNames, restrictions, identityName: identityName!, tags: tags! };
}

/**
 * IAM-1: the identity's data access through the database's `default` access policy (Entra token
 * auth; access keys stay off). Until issue 16 the `ManagedRedis` component made this grant as
 * its child `<redis>-access-<app>`: `legacyGrantParent` aliases that name and parent, so a
 * deployed grant is adopted, never deleted and recreated.
 *
 * Managed Redis applies one update at a time per database (a parallel assignment fails with
 * "another operation is in progress": hashicorp/terraform-provider-azurerm#26085, and the azurerm
 * Managed Redis assignment resource locks on the cluster, #30980), so grants are chained: the
 * previous grant's ID flows into `databaseName` below. The engine registers a resource only once
 * its inputs resolve, and a resource's ID resolves only after it is created, so this grant is sent
 * after the previous one; the ID's resources also become this grant's recorded dependencies.
 * An input, not `dependsOn`: a plain ID from another language carries its resource through the
 * component provider as an input dependency, while `dependsOn` needs a resource object.
 */
function redisAccess(
  name: string,
  appName: string,
  principalId: pulumi.Output<string>,
  redis: RedisService,
  grantAfter: pulumi.Input<string> | undefined,
  parent: pulumi.Resource,
): redisenterprise.AccessPolicyAssignment {
  const legacy = redis.legacyGrantParent;
  return new redisenterprise.AccessPolicyAssignment(
    `${name}-redis-access`,
    {
      resourceGroupName: redis.resourceGroupName,
      clusterName: redis.clusterName,
      databaseName: pulumi.all([redis.databaseName, grantAfter]).apply(([database]) => database),
      // Alphanumeric only: the object ID without dashes, stable per identity.
      accessPolicyAssignmentName: principalId.apply((p) => p.replace(/-/g, "").toLowerCase()),
      accessPolicyName: "default",
      user: { objectId: principalId },
    },
    {
      parent,
      ...(legacy === undefined
        ? {}
        : {
            // The old parent under its current token, and under its legacy token for a stack last
            // deployed before the token rename (a child's alias does not inherit that of the
            // ManagedRedis component, which is no longer its parent).
            aliases: [(urn: string) => urn, legacyTokenUrn].map((parentUrn) => ({
              name: pulumi.output(legacy).apply((urn) => `${urn.split("::").pop()}-access-${appName}`),
              parent: pulumi.output(legacy).apply(parentUrn),
            })),
          }),
    },
  );
}

/** A ManagedRedis URN with the component's legacy type token. */
function legacyTokenUrn(urn: string): string {
  return urn.replace(`${componentType("ManagedRedis")}::`, `${LEGACY_COMPONENT_TYPES.ManagedRedis}::`);
}

/** `https://<vault>.vault.azure.net/secrets/<name>` (versionless: rotation needs no redeploy). */
function secretUrl(vaultUri: pulumi.Input<string>, secretName: string): pulumi.Output<string> {
  return pulumi.output(vaultUri).apply((uri) => `${uri.replace(/\/*$/, "/")}secrets/${secretName}`);
}

const identities = new PrivateState<ContainerApp, WorkloadIdentity>();

/**
 * A container app (IAM-1, NET-2, SEC-1): its own user-assigned identity with least-privilege
 * grants to the services it uses, HTTPS-only ingress, secrets by Key Vault reference.
 */
export class ContainerApp extends pulumi.ComponentResource {
  /** Resource ID of the app. */
  readonly appId: pulumi.Output<string>;
  /** Name of the app. */
  readonly appName: pulumi.Output<string>;
  /** Ingress host name: `<app>.<env domain>` for frontends, `<app>.internal.<env domain>` otherwise. */
  readonly fqdn: pulumi.Output<string>;
  /** Whether the ingress is public (a frontend, reached through the edge). */
  readonly external: boolean;
  /** Azure name of the identity, which is also the app's PostgreSQL role name. */
  readonly identityName: string;
  /**
   * When the app uses PostgreSQL: the SQL an Entra admin runs once to create the app's role
   * (mapped to the identity, no password) and grant it access. Not a secret.
   */
  readonly postgresSetupSql?: pulumi.Output<string>;
  /**
   * When the app uses Redis: resource ID of its access policy assignment, the next app's
   * `redisGrantAfter` (grants on one database are made one at a time).
   */
  readonly redisGrantId?: pulumi.Output<string>;

  /** The app's user-assigned identity. */
  get identity(): WorkloadIdentity {
    return identities.get(this);
  }

  constructor(name: string, args: ContainerAppArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = `ContainerApp "${name}"`;
    const v = validate(owner, name, args);
    const { platform } = args;
    const { spec, identityName, tags } = v;
    const services = args.services ?? {};
    super(componentType("ContainerApp"), name, {}, withLegacyAlias("ContainerApp", opts));

    // IAM-1: the identity and every grant exist before the app's first revision starts.
    const identity = new WorkloadIdentity(
      `${name}-identity`,
      { platform, purpose: `app-${spec.name}` },
      { parent: this },
    );
    const principal = {
      principalId: identity.principalId,
      principalType: "ServicePrincipal" as const,
    };
    const grants: pulumi.CustomResource[] = [];
    const env: { name: string; value?: pulumi.Input<string>; secretRef?: string }[] = [
      { name: "AZURE_CLIENT_ID", value: identity.clientId },
    ];

    if (v.needsVault && services.keyVault) {
      grants.push(
        assignRole(
          `${name}-kv-secrets-user`,
          services.keyVault.vaultId,
          {
            ...principal,
            role: "Key Vault Secrets User",
            description: `App ${spec.name}: read secrets of the platform vault (IAM-2, SEC-1)`,
          },
          { parent: this },
        ),
      );
      if (v.uses.has("keyvault"))
        env.push({ name: "AZURE_KEY_VAULT_URI", value: services.keyVault.vaultUri });
    }
    if (v.uses.has("storage") && services.storage) {
      const role =
        spec.storageAccess === "read" ? "Storage Blob Data Reader" : "Storage Blob Data Contributor";
      grants.push(
        assignRole(
          `${name}-blob-${spec.storageAccess}`,
          services.storage.accountId,
          {
            ...principal,
            role,
            description: `App ${spec.name}: ${spec.storageAccess} blobs of the platform account (IAM-2)`,
          },
          { parent: this },
        ),
      );
      env.push({ name: "AZURE_STORAGE_BLOB_ENDPOINT", value: services.storage.blobEndpoint });
    }
    if (v.uses.has("redis") && services.redis) {
      const grant = redisAccess(
        name,
        spec.name,
        identity.principalId,
        services.redis,
        args.redisGrantAfter,
        this,
      );
      grants.push(grant);
      this.redisGrantId = grant.id;
      env.push(
        { name: "AZURE_REDIS_HOST", value: services.redis.hostName },
        { name: "AZURE_REDIS_PORT", value: pulumi.output(services.redis.port).apply(String) },
      );
    }
    if (v.uses.has("postgres") && services.postgres) {
      const pg = services.postgres;
      env.push(
        { name: "AZURE_POSTGRESQL_HOST", value: pg.fqdn },
        { name: "AZURE_POSTGRESQL_DATABASE", value: pg.database },
        { name: "AZURE_POSTGRESQL_USER", value: identityName },
      );
      this.postgresSetupSql = pulumi
        .all([identity.principalId, pg.serverName])
        .apply(([principalId, serverName]) =>
          postgresSetupStatements(identityName, principalId, pg.database, pg.adminGroupName, serverName),
        );
    }
    if (args.registryResourceId !== undefined) {
      grants.push(
        assignRole(
          `${name}-acr-pull`,
          args.registryResourceId,
          {
            ...principal,
            role: "AcrPull",
            description: `App ${spec.name}: pull images with its identity (IAM-1)`,
          },
          { parent: this },
        ),
      );
    }
    for (const [envName, value] of Object.entries(spec.env)) env.push({ name: envName, value });
    for (const [envName, secretName] of v.secretNames) env.push({ name: envName, secretRef: secretName });

    // validate() guarantees a vault whenever there are secrets.
    const vaultUri = services.keyVault?.vaultUri ?? "";
    const probe = (type: "Liveness" | "Readiness") => ({
      type,
      httpGet: { path: spec.probePath, port: spec.targetPort, scheme: "HTTP" },
      ...PROBE_DEFAULTS[type === "Liveness" ? "liveness" : "readiness"],
    });

    const containerApp = new app.ContainerApp(
      `${name}-app`,
      {
        resourceGroupName: platform.resourceGroupName,
        location: platform.location,
        containerAppName: spec.name,
        environmentId: args.environment.environmentId,
        workloadProfileName: CONSUMPTION_PROFILE,
        identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
        configuration: {
          activeRevisionsMode: "Single",
          ingress: {
            // NET-2: public only for frontends; HTTP is refused, never redirected.
            external: spec.ingress === "frontend",
            allowInsecure: false,
            targetPort: spec.targetPort,
            transport: "auto",
            traffic: [{ latestRevision: true, weight: 100 }],
            ...(v.restrictions.length > 0
              ? { ipSecurityRestrictions: v.restrictions.map((r) => ({ ...r, action: "Allow" })) }
              : {}),
          },
          // IAM-1: image pulls with the app's identity, never a password.
          registries: spec.registryServer ? [{ server: spec.registryServer, identity: identity.id }] : [],
          // SEC-1: references only; the value never leaves Key Vault.
          secrets: [...v.secretNames].map(([envName, secretName]) => ({
            name: secretName,
            keyVaultUrl: secretUrl(vaultUri, spec.secrets[envName]),
            identity: identity.id,
          })),
        },
        template: {
          containers: [
            {
              name: spec.name,
              image: spec.image,
              resources: { cpu: spec.cpu, memory: spec.memory },
              env,
              probes: [probe("Liveness"), probe("Readiness")],
            },
          ],
          scale: {
            minReplicas: spec.minReplicas,
            maxReplicas: spec.maxReplicas,
            rules: [
              {
                name: "http-concurrency",
                http: {
                  metadata: { concurrentRequests: String(args.httpConcurrency ?? DEFAULT_HTTP_CONCURRENCY) },
                },
              },
            ],
          },
        },
        tags,
      },
      // Key Vault references and the identity's other grants must have propagated before the
      // first revision starts: Container Apps resolves a reference when it accepts the PUT and
      // answers 400 InvalidParameterValueInContainerTemplate ("unable to fetch secret ... using
      // Managed identity", microsoft/azure-container-apps#1159, #930) rather than retrying.
      {
        parent: this,
        dependsOn: [
          identity,
          ...grants,
          ...(grants.length > 0 ? [afterRoleGrants(name, grants, { parent: this })] : []),
        ],
      },
    );

    addMetricAlerts(
      name,
      containerApp.id,
      [
        {
          name: "restarts",
          description: `Container app ${spec.name}: more than ${RESTART_ALERT_THRESHOLD} container restarts in 15 minutes`,
          metricNamespace: "Microsoft.App/containerApps",
          metricName: "RestartCount",
          operator: "GreaterThan",
          threshold: RESTART_ALERT_THRESHOLD,
          aggregation: "Total",
          severity: 2,
          windowSize: "PT15M",
          frequency: "PT5M",
        },
      ],
      platform,
      { parent: this },
    );

    this.appId = containerApp.id;
    this.appName = containerApp.name;
    this.fqdn = containerApp.configuration.apply((c) => c?.ingress?.fqdn ?? "");
    this.external = spec.ingress === "frontend";
    identities.set(this, identity);
    this.identityName = identityName;
    this.registerOutputs({
      appId: this.appId,
      appName: this.appName,
      fqdn: this.fqdn,
      external: this.external,
      identityId: identity.id,
      identityClientId: identity.clientId,
      identityPrincipalId: identity.principalId,
      postgresSetupSql: this.postgresSetupSql,
      redisGrantId: this.redisGrantId,
    });
  }
}
