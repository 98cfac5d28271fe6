/**
 * ContainerApp under mocks: a frontend and an internal app in dev and prod. Ingress (NET-2),
 * identity created before the app (IAM-1), secrets as Key Vault references (SEC-1), role
 * assignments with the right role, scope and ordering (IAM-2), replicas and probes (AVL-1),
 * the restart alert (MON-1), the PostgreSQL Entra SQL; and every refused input gives a clear
 * error and registers nothing.
 */
import {
  ContainerApp,
  appSecretName,
  type AppServices,
  type ContainerAppArgs,
  type ContainerAppSpec,
  type RedisService,
} from "../../components/containerApp/index";
import type { ContainerAppsEnvironmentReference } from "../../components/containerAppsEnvironment";
import { ManagedRedis } from "../../components/managedRedis";
import type { CustomerManagedKeyArgs, PlatformContext } from "../../components/common/interfaces";
import { BUILT_IN_ROLES } from "../../controls/roles";
import { testPlatform, testResourceGroupId } from "../helpers/platform";
import * as pulumi from "@pulumi/pulumi";
import { byType, only, runExpectingError, runProgram, type PlannedResource } from "../helpers/pulumi";

const APP = "azure-native:app:ContainerApp";
const IDENTITY = "azure-native:managedidentity:UserAssignedIdentity";
const RA = "azure-native:authorization:RoleAssignment";
const ACCESS = "azure-native:redisenterprise:AccessPolicyAssignment";
const ALERT = "azure-native:monitor:MetricAlert";
const DIAG = "azure-native:monitor:DiagnosticSetting";

type Env = PlatformContext["environment"];
type Props = Record<string, unknown>;

function platform(environment: Env): PlatformContext {
  return environment === "prod"
    ? testPlatform({ environment: "prod", zoneRedundant: true, deletionLocks: true })
    : testPlatform();
}

const rg = (environment: Env) => testResourceGroupId(environment);
const VAULT_NAME = "kvsapmaindevab12c";
const vaultId = (e: Env) => `${rg(e)}/providers/Microsoft.KeyVault/vaults/${VAULT_NAME}`;
const accountId = (e: Env) => `${rg(e)}/providers/Microsoft.Storage/storageAccounts/stsapdatadevab12cd`;

function environmentRef(environment: Env, external = true): ContainerAppsEnvironmentReference {
  return {
    environmentId: `${rg(environment)}/providers/Microsoft.App/managedEnvironments/cae-sap-apps-${environment}`,
    external,
    workloadProfileNames: ["Consumption"],
  };
}

function cmkArgs(): CustomerManagedKeyArgs {
  const base = rg("prod");
  return {
    keyVaultId: `${base}/providers/Microsoft.KeyVault/vaults/kv-sap-prod-a1b2c`,
    keyVaultUri: "https://kv-sap-prod-a1b2c.vault.azure.net/",
    keyName: "key-sap-redis-prod",
    keyUri: "https://kv-sap-prod-a1b2c.vault.azure.net/keys/key-sap-redis-prod",
    identityId: `${base}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-sap-cmk-redis-prod`,
    identityClientId: "11111111-1111-4111-8111-111111111111",
    identityPrincipalId: "22222222-2222-4222-8222-222222222222",
  };
}

/** Redis as plain data, from the real component's outputs (what the stack passes). */
function redisService(environment: Env, redis: ManagedRedis): RedisService {
  return {
    hostName: redis.hostName,
    port: redis.port,
    resourceGroupName: `rg-sap-${environment}`,
    clusterName: redis.clusterName,
    databaseName: redis.databaseName,
    legacyGrantParent: redis.urn,
  };
}

/** Every service of the stack. */
function services(environment: Env, redis?: RedisService): AppServices {
  return {
    keyVault: { vaultId: vaultId(environment), vaultUri: `https://${VAULT_NAME}.vault.azure.net/` },
    storage: {
      accountId: accountId(environment),
      blobEndpoint: "https://stsapdatadevab12cd.blob.core.windows.net/",
    },
    postgres: {
      serverName: "psql-sap-main-dev-ab12cd",
      fqdn: "psql-sap-main-dev-ab12cd.postgres.database.azure.com",
      adminGroupName: "sg-platform-dba",
      database: "app",
    },
    ...(redis ? { redis } : {}),
  };
}

const web = (environment: Env): ContainerAppSpec => ({
  name: "web",
  image: "myregistry.azurecr.io/web:1.2.3",
  registryServer: "myregistry.azurecr.io",
  targetPort: 80,
  ingress: "frontend",
  minReplicas: environment === "prod" ? 2 : 1,
  maxReplicas: 5,
  env: { LOG_LEVEL: "info" },
  secrets: { SESSION_SIGNING_KEY: "web-session-signing-key" },
  uses: ["keyvault", "storage", "redis"],
  storageAccess: "read",
  ipRestrictions: [{ name: "office", cidr: "203.0.113.0/24", description: "Head office" }],
});

const api = (): ContainerAppSpec => ({
  name: "api",
  image: "myregistry.azurecr.io/api:4.5.6",
  targetPort: 8080,
  ingress: "internal",
  secrets: { THIRD_PARTY_API_KEY: "api-third-party-key" },
  uses: ["keyvault", "postgres", "storage", "redis"],
  probePath: "/ready",
});

interface Stack {
  resources: PlannedResource[];
  /** The resources of one app component (its own children and grants made for it). */
  app(name: string): {
    app: PlannedResource;
    identity: PlannedResource;
    assignments: PlannedResource[];
    access: PlannedResource | undefined;
    component: PlannedResource;
  };
}

async function runStack(environment: Env): Promise<Stack> {
  const { resources } = await runProgram(() => {
    const p = platform(environment);
    const redis = new ManagedRedis("redis", {
      platform: p,
      ...(environment === "prod" ? { skuName: "Balanced_B5", customerManagedKey: cmkArgs() } : {}),
    });
    // Chained as the stack does: api's grant waits for web's.
    let redisGrantAfter: pulumi.Output<string> | undefined;
    for (const spec of [web(environment), api()]) {
      const created = new ContainerApp(`app-${spec.name}`, {
        platform: p,
        environment: environmentRef(environment),
        app: spec,
        services: services(environment, redisService(environment, redis)),
        ...(redisGrantAfter ? { redisGrantAfter } : {}),
      });
      redisGrantAfter = created.redisGrantId;
    }
  });
  return {
    resources,
    app(name) {
      const inApp = (r: PlannedResource) =>
        r.urn.includes(`ContainerApp::app-${name}`) || r.name.startsWith(`app-${name}-`);
      const app = byType(resources, APP).find((r) => r.inputs.containerAppName === name)!;
      return {
        app,
        component: resources.find(
          (r) => r.type === "secure-azure-platform:index:ContainerApp" && r.name === `app-${name}`,
        )!,
        identity: byType(resources, IDENTITY).find(
          (r) => r.inputs.resourceName === `id-sap-app-${name}-${environment}`,
        )!,
        assignments: byType(resources, RA).filter(inApp),
        access: byType(resources, ACCESS).find((r) => r.name === `app-${name}-redis-access`),
      };
    },
  };
}

const config = (r: PlannedResource) => r.inputs.configuration as Props;
const ingress = (r: PlannedResource) => config(r).ingress as Props;
const template = (r: PlannedResource) => r.inputs.template as Props;
const container = (r: PlannedResource) => (template(r).containers as Props[])[0];
const envVars = (r: PlannedResource) =>
  container(r).env as { name: string; value?: string; secretRef?: string }[];
const envValue = (r: PlannedResource, name: string) => envVars(r).find((e) => e.name === name);
const roleGuid = (r: PlannedResource) => String(r.inputs.roleDefinitionId).split("/").pop();

describe.each(["dev", "prod"] as const)("ContainerApp in %s", (environment) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await runStack(environment);
  });

  it("registers one component per app under the apps type token", () => {
    expect(byType(stack.resources, "secure-azure-platform:index:ContainerApp").map((r) => r.name)).toEqual([
      "app-web",
      "app-api",
    ]);
    expect(stack.app("web").app.inputs.containerAppName).toBe("web");
  });

  it("makes only the frontend external; ingress is HTTPS only (NET-2)", () => {
    const w = stack.app("web").app;
    const a = stack.app("api").app;
    expect(ingress(w)).toMatchObject({
      external: true,
      allowInsecure: false,
      targetPort: 80,
      transport: "auto",
    });
    expect(ingress(a)).toMatchObject({
      external: false,
      allowInsecure: false,
      targetPort: 8080,
      transport: "auto",
    });
    expect(w.inputs.tags).toMatchObject({
      ingress: "frontend",
      environment,
      dataClassification: "confidential",
    });
    expect(a.inputs.tags).toMatchObject({ ingress: "internal" });
  });

  it("applies the configured IP allow-list to the ingress", () => {
    expect(ingress(stack.app("web").app).ipSecurityRestrictions).toEqual([
      { name: "office", ipAddressRange: "203.0.113.0/24", description: "Head office", action: "Allow" },
    ]);
    expect(ingress(stack.app("api").app).ipSecurityRestrictions).toBeUndefined();
  });

  it("runs each app with its own user-assigned identity, created before the app (IAM-1)", () => {
    for (const name of ["web", "api"]) {
      const { app, identity } = stack.app(name);
      expect(identity).toBeDefined();
      expect(app.inputs.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [identity.id] });
      expect(app.dependencies).toContain(identity.urn);
      expect(container(app).env).toContainEqual({
        name: "AZURE_CLIENT_ID",
        value: identity.outputs.clientId,
      });
    }
    expect(stack.app("web").identity.id).not.toBe(stack.app("api").identity.id);
  });

  it("pulls images with the identity, never a password (IAM-1)", () => {
    const { app, identity } = stack.app("web");
    expect(config(app).registries).toEqual([{ server: "myregistry.azurecr.io", identity: identity.id }]);
    expect(config(stack.app("api").app).registries).toEqual([]);
  });

  it("reads secrets only as Key Vault references through the identity (SEC-1)", () => {
    const { app, identity } = stack.app("web");
    expect(config(app).secrets).toEqual([
      {
        name: "session-signing-key",
        keyVaultUrl: `https://${VAULT_NAME}.vault.azure.net/secrets/web-session-signing-key`,
        identity: identity.id,
      },
    ]);
    expect(envValue(app, "SESSION_SIGNING_KEY")).toEqual({
      name: "SESSION_SIGNING_KEY",
      secretRef: "session-signing-key",
    });
    expect(envValue(stack.app("api").app, "THIRD_PARTY_API_KEY")).toEqual({
      name: "THIRD_PARTY_API_KEY",
      secretRef: "third-party-api-key",
    });
  });

  it("grants least-privilege roles scoped to the one resource each, to the app's identity (IAM-2)", () => {
    const expectAssignments = (name: string, expected: [string, string][]) => {
      const { assignments, identity } = stack.app(name);
      expect(assignments.map((a) => [roleGuid(a), a.inputs.scope]).sort()).toEqual(
        expected.map(([role, scope]) => [BUILT_IN_ROLES[role as keyof typeof BUILT_IN_ROLES], scope]).sort(),
      );
      for (const a of assignments) {
        expect(a.inputs).toMatchObject({
          principalId: identity.outputs.principalId,
          principalType: "ServicePrincipal",
        });
      }
    };
    expectAssignments("web", [
      ["Key Vault Secrets User", vaultId(environment)],
      ["Storage Blob Data Reader", accountId(environment)],
    ]);
    expectAssignments("api", [
      ["Key Vault Secrets User", vaultId(environment)],
      ["Storage Blob Data Contributor", accountId(environment)],
    ]);
  });

  it("gives each Redis-using identity an access policy assignment on the database (IAM-1)", () => {
    for (const name of ["web", "api"]) {
      const { access, identity } = stack.app(name);
      expect(access?.inputs).toMatchObject({
        accessPolicyName: "default",
        user: { objectId: identity.outputs.principalId },
      });
    }
  });

  it("makes the assignment itself, from plain data: on the component's database, under the app", () => {
    const cluster = only(stack.resources, "azure-native:redisenterprise:RedisEnterprise");
    const database = only(stack.resources, "azure-native:redisenterprise:Database");
    for (const name of ["web", "api"]) {
      const { access, identity, component } = stack.app(name);
      expect(access?.inputs).toEqual({
        resourceGroupName: `rg-sap-${environment}`,
        clusterName: cluster.outputs.name,
        databaseName: "default",
        accessPolicyName: "default",
        accessPolicyAssignmentName: String(identity.outputs.principalId).replace(/-/g, ""),
        user: { objectId: identity.outputs.principalId },
      });
      expect(access?.parent).toBe(component.urn);
      // Waits for the database (its name is the database's output), and is published for chaining.
      expect(access?.propertyDependencies.databaseName).toContain(database.urn);
      expect(component.outputs.redisGrantId).toBe(access?.id);
    }
  });

  it("makes the grants one at a time: api's waits for web's through redisGrantAfter", () => {
    const web = stack.app("web").access!;
    const api = stack.app("api").access!;
    expect(api.propertyDependencies.databaseName).toContain(web.urn);
    expect(api.dependencies).toContain(web.urn);
    expect(web.dependencies).not.toContain(api.urn);
  });

  it("aliases each grant to its old name under the ManagedRedis component (no delete and recreate)", () => {
    const redis = only(stack.resources, "secure-azure-platform:index:ManagedRedis");
    for (const name of ["web", "api"]) {
      const grant = `$azure-native:redisenterprise:AccessPolicyAssignment::redis-access-${name}`;
      expect(stack.app(name).access?.aliases).toEqual([
        redis.urn.replace(/::redis$/, grant),
        // The same under the component's legacy token (a stack last deployed before the rename).
        redis.urn.replace(/:index:ManagedRedis::redis$/, `:data:ManagedRedis${grant}`),
      ]);
    }
  });

  it("creates the app after every assignment (no revision starts without its grants)", () => {
    for (const name of ["web", "api"]) {
      const { app, assignments, access } = stack.app(name);
      expect(assignments.length).toBeGreaterThan(0);
      for (const a of [...assignments, access!]) expect(app.dependencies).toContain(a.urn);
    }
  });

  it("creates the app only after its grants had time to propagate (a sleep after every grant)", () => {
    for (const name of ["web", "api"]) {
      const { app, assignments, access } = stack.app(name);
      const sleep = byType(stack.resources, "time:index/sleep:Sleep").find(
        (r) => r.name === `app-${name}-role-propagation`,
      )!;
      expect(app.dependencies).toContain(sleep.urn);
      for (const a of [...assignments, access!]) expect(sleep.dependencies).toContain(a.urn);
    }
  });

  it("passes connection details as plain, non-secret env vars", () => {
    const a = stack.app("api");
    expect(envValue(a.app, "AZURE_KEY_VAULT_URI")?.value).toBe(`https://${VAULT_NAME}.vault.azure.net/`);
    expect(envValue(a.app, "AZURE_STORAGE_BLOB_ENDPOINT")?.value).toBe(
      "https://stsapdatadevab12cd.blob.core.windows.net/",
    );
    expect(envValue(a.app, "AZURE_POSTGRESQL_HOST")?.value).toBe(
      "psql-sap-main-dev-ab12cd.postgres.database.azure.com",
    );
    expect(envValue(a.app, "AZURE_POSTGRESQL_DATABASE")?.value).toBe("app");
    expect(envValue(a.app, "AZURE_POSTGRESQL_USER")?.value).toBe(`id-sap-app-api-${environment}`);
    expect(envValue(a.app, "AZURE_REDIS_HOST")?.value).toMatch(/\.redis\.azure\.net$/);
    expect(envValue(a.app, "AZURE_REDIS_PORT")?.value).toBe("10000");
    // web does not use postgres: no host, no SQL.
    expect(envValue(stack.app("web").app, "AZURE_POSTGRESQL_HOST")).toBeUndefined();
    expect(stack.app("web").component.outputs.postgresSetupSql).toBeUndefined();
    expect(envValue(stack.app("web").app, "LOG_LEVEL")).toEqual({ name: "LOG_LEVEL", value: "info" });
  });

  it("outputs the Entra SQL that creates the app's PostgreSQL role with no password", () => {
    const { component, identity } = stack.app("api");
    const sql = String(component.outputs.postgresSetupSql);
    expect(sql).toContain(
      `select * from pgaadauth_create_principal_with_oid('id-sap-app-api-${environment}', '${String(identity.outputs.principalId)}', 'service', false, false);`,
    );
    expect(sql).toContain(`GRANT CONNECT ON DATABASE "app" TO "id-sap-app-api-${environment}";`);
    expect(sql).not.toMatch(/password/i);
  });

  it("keeps replicas, probes, single revision and an HTTP scale rule (AVL-1)", () => {
    const w = stack.app("web").app;
    const a = stack.app("api").app;
    expect(config(w).activeRevisionsMode).toBe("Single");
    expect(template(w).scale).toMatchObject({
      minReplicas: environment === "prod" ? 2 : 1,
      maxReplicas: 5,
      rules: [{ name: "http-concurrency", http: { metadata: { concurrentRequests: "50" } } }],
    });
    expect(template(a).scale).toMatchObject({ minReplicas: 1, maxReplicas: 3 });
    expect(container(w).probes).toEqual([
      expect.objectContaining({ type: "Liveness", httpGet: { path: "/healthz", port: 80, scheme: "HTTP" } }),
      expect.objectContaining({ type: "Readiness", httpGet: { path: "/healthz", port: 80, scheme: "HTTP" } }),
    ]);
    expect((container(a).probes as Props[]).map((p) => (p.httpGet as Props).path)).toEqual([
      "/ready",
      "/ready",
    ]);
    expect(container(a).resources).toEqual({ cpu: 0.5, memory: "1Gi" });
  });

  it("alerts on container restarts (MON-1) and leaves diagnostics to the environment", () => {
    const alert = byType(stack.resources, ALERT).find((r) => r.name === "app-web-restarts")!;
    const criteria = (alert.inputs.criteria as Props).allOf as Props[];
    expect(alert.inputs.scopes).toEqual([stack.app("web").app.id]);
    expect(criteria[0]).toMatchObject({
      metricNamespace: "Microsoft.App/containerApps",
      metricName: "RestartCount",
      operator: "GreaterThan",
    });
    const appIds = byType(stack.resources, APP).map((r) => r.id);
    expect(
      byType(stack.resources, DIAG).filter((d) => appIds.includes(String(d.inputs.resourceUri))),
    ).toEqual([]);
  });
});

describe("ContainerApp with services.redis as plain strings (a program in another language)", () => {
  const GRANT_BEFORE =
    "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-sap-dev/providers/Microsoft.Cache/redisEnterprise/amr-sap-cache-dev-ab12cd/databases/default/accessPolicyAssignments/abc";
  it("makes the grant from the strings alone, with no alias when there was no earlier grant", async () => {
    const { resources } = await runProgram(
      () =>
        new ContainerApp("app-api", {
          platform: platform("dev"),
          environment: environmentRef("dev"),
          app: { ...api(), uses: ["redis"], secrets: {} },
          services: {
            redis: {
              hostName: "amr-sap-cache-dev-ab12cd.westeurope.redis.azure.net",
              port: 10000,
              resourceGroupName: "rg-sap-dev",
              clusterName: "amr-sap-cache-dev-ab12cd",
              databaseName: "default",
            },
          },
          redisGrantAfter: GRANT_BEFORE,
        }),
    );
    const access = only(resources, ACCESS);
    expect(access.inputs).toMatchObject({
      resourceGroupName: "rg-sap-dev",
      clusterName: "amr-sap-cache-dev-ab12cd",
      databaseName: "default",
      accessPolicyName: "default",
    });
    expect(access.aliases).toBeUndefined();
  });
});

describe("ContainerApp refuses bad input and registers nothing", () => {
  const base = (
    spec: Partial<ContainerAppSpec> = {},
    overrides: Partial<ContainerAppArgs> = {},
  ): ContainerAppArgs => ({
    platform: platform("dev"),
    environment: environmentRef("dev"),
    app: { ...api(), uses: ["keyvault", "postgres", "storage"], ...spec },
    services: services("dev"),
    ...overrides,
  });

  async function refused(args: ContainerAppArgs, message: RegExp): Promise<Error> {
    const { error, resources } = await runExpectingError(() => new ContainerApp("app-api", args));
    expect(error.message).toMatch(message);
    expect(error.message).toContain('ContainerApp "app-api"');
    expect(resources).toEqual([]);
    return error;
  }

  it("a plain env var whose name looks like a secret (SEC-1), naming app and variable", async () => {
    const error = await refused(
      base({ env: { DB_PASSWORD: "hunter2" } }),
      /app\.env\.DB_PASSWORD = "hunter2": app "\w[\w-]*": plain env var DB_PASSWORD refused/,
    );
    expect(error.message).toMatch(/SEC-1/);
  });

  it("a plain env var whose value looks like a credential (SEC-1)", () =>
    refused(
      base({ env: { STORAGE: "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc==" } }),
      /app\.env\.STORAGE = .*: app "\w[\w-]*": plain env var STORAGE refused because its value looks like a credential/,
    ));

  it("an unknown ingress mode (NET-2)", () =>
    refused(
      base({
        // @ts-expect-error only "frontend" and "internal" exist (NET-2)
        ingress: "public",
      }),
      /app\.ingress = "public": must be one of frontend, internal/,
    ));

  it("insecure ingress: allowInsecure, or external set directly (NET-2)", async () => {
    await refused(
      base({
        // @ts-expect-error there is no allowInsecure: ingress is HTTPS only (NET-2)
        allowInsecure: true,
      }),
      /app\.allowInsecure = true: refused: ingress is HTTPS only/,
    );
    await refused(
      base({
        // @ts-expect-error external follows ingress: "frontend" (NET-2)
        external: true,
      }),
      /app\.external = true: refused/,
    );
  });

  it("a redisGrantAfter or legacyGrantParent that is not what it names", async () => {
    const redis: RedisService = {
      hostName: "amr-sap-cache-dev-ab12cd.westeurope.redis.azure.net",
      port: 10000,
      resourceGroupName: "rg-sap-dev",
      clusterName: "amr-sap-cache-dev-ab12cd",
      databaseName: "default",
    };
    const withRedis = services("dev", redis);
    await refused(
      base({ uses: ["redis"] }, { services: withRedis, redisGrantAfter: "app-web" }),
      /redisGrantAfter = "app-web": must be the resource ID of another app's Redis grant/,
    );
    await refused(
      base({ uses: ["redis"] }, { services: services("dev", { ...redis, legacyGrantParent: "redis" }) }),
      /services\.redis\.legacyGrantParent = "redis": must be the URN of a ManagedRedis component/,
    );
  });

  it("a data service the stack does not have, naming app and service", async () => {
    await refused(
      base({ uses: ["keyvault", "redis"] }),
      /app\.uses\[\d\] = "redis": is not a service of this stack; allowed \(services passed\): keyvault, storage, postgres/,
    );
    const { postgres: _omit, ...noPostgres } = services("dev");
    void _omit;
    await refused(
      base({}, { services: noPostgres }),
      /app\.uses\[\d\] = "postgres": is not a service of this stack; allowed \(services passed\): keyvault, storage/,
    );
  });

  it("secrets without a Key Vault to read them from (SEC-1)", () =>
    refused(
      base({ uses: [] }, { services: {} }),
      /app\.secrets = \{"THIRD_PARTY_API_KEY":.*needs a Key Vault to read them from, but this stack passed none/,
    ));

  it("a frontend in an environment that serves no frontends", () =>
    refused(
      base({ ingress: "frontend" }, { environment: environmentRef("dev", false) }),
      /app\.ingress = "frontend": needs an environment that serves frontends through the edge/,
    ));

  it("a prod frontend with fewer than 2 replicas (AVL-1)", () =>
    refused(
      {
        ...base({ ingress: "frontend", minReplicas: 1 }),
        platform: platform("prod"),
        environment: environmentRef("prod"),
      },
      /minReplicas = 1: a frontend in prod needs at least 2 replicas \(AVL-1\)/,
    ));

  it("a platform env var overridden, or cpu/memory that Consumption cannot run", async () => {
    await refused(
      base({ env: { AZURE_POSTGRESQL_HOST: "evil.example.com" } }),
      /AZURE_POSTGRESQL_HOST is set by the platform/,
    );
    await refused(
      base({ cpu: 1, memory: "1Gi" }),
      /app\.memory = "1Gi": the Consumption profile needs 2Gi per vCPU: "2Gi" for cpu 1/,
    );
  });

  it("an IP restriction that is not a CIDR, and an ingress tag override", async () => {
    await refused(
      base({ ipRestrictions: [{ name: "x", cidr: "everyone" }] }),
      /app\.ipRestrictions\[0\]\.cidr = "everyone"/,
    );
    await refused(
      base({}, { tags: { ingress: "frontend" } }),
      /tags\.ingress = "frontend": is set from app\.ingress/,
    );
  });
});

describe("appSecretName", () => {
  it("turns env var names into Container Apps secret names", () => {
    expect(appSecretName("SESSION_SIGNING_KEY")).toBe("session-signing-key");
    expect(appSecretName("_X__Y_")).toBe("x-y");
  });
});
