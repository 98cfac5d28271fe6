/**
 * The whole program (`index.ts`) for dev and prod, through the offline plan with the stack
 * files' configuration: only frontends are external (NET-2), no plain-text secret anywhere in
 * the inputs or outputs (SEC-1), every app has its own identity and exactly the
 * least-privilege grants its `uses` need, created before it (IAM-1, IAM-2), data stores are
 * private (NET-1), prod carries locks and protect (BAK-2), and config variations change the
 * wiring the way the config says.
 */
import { secretLookingReason } from "../controls/secretDetection";
import { BUILT_IN_ROLES, PRIVILEGED_ROLES, roleNameOf, type BuiltInRoleName } from "../controls/roles";
import { SHARED_PLATFORM_KEYS } from "../components/platform";
import type { AppConfig } from "../config";
import { planStack, type Plan } from "../lib/offline/plan";
import type { PlannedResource } from "../lib/offline/run";
import { isSecretEnvelope } from "../policy/common/pulumiFormat";
import { sharedPlan } from "./helpers/plans";
import { byType, only } from "./helpers/pulumi";

const APP = "azure-native:app:ContainerApp";
const ENVIRONMENT = "azure-native:app:ManagedEnvironment";
const IDENTITY = "azure-native:managedidentity:UserAssignedIdentity";
const RA = "azure-native:authorization:RoleAssignment";
const ACCESS = "azure-native:redisenterprise:AccessPolicyAssignment";
const LOCK = "azure-native:authorization:ManagementLockByScope";
const PE = "azure-native:network:PrivateEndpoint";
const VAULT = "azure-native:keyvault:Vault";
const STORAGE = "azure-native:storage:StorageAccount";
const POSTGRES = "azure-native:dbforpostgresql:Server";
const REDIS = "azure-native:redisenterprise:RedisEnterprise";
const WORKSPACE = "azure-native:operationalinsights:Workspace";
const STATEFUL = [VAULT, STORAGE, POSTGRES, REDIS, WORKSPACE];

type Props = Record<string, unknown>;

/** Every string leaf outside a secret wrapper, with its path; secret values go to `secrets`. */
function leaves(value: unknown, path: string, out: [string, string][], secrets: string[]): void {
  if (isSecretEnvelope(value)) {
    if (typeof value.value === "string") secrets.push(value.value);
    return;
  }
  if (typeof value === "string") out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => leaves(v, `${path}[${i}]`, out, secrets));
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) leaves(v, `${path}.${k}`, out, secrets);
}

function expectedRoles(app: AppConfig): BuiltInRoleName[] {
  const roles: BuiltInRoleName[] = [];
  if (app.uses.includes("keyvault") || Object.keys(app.secrets).length > 0)
    roles.push("Key Vault Secrets User");
  if (app.uses.includes("storage"))
    roles.push(app.storageAccess === "read" ? "Storage Blob Data Reader" : "Storage Blob Data Contributor");
  return roles.sort();
}

describe.each(["dev", "prod"] as const)("the %s stack", (stack) => {
  let plan: Plan;
  let resources: PlannedResource[];
  beforeAll(async () => {
    plan = await planStack(stack);
    resources = plan.resources;
  });

  it("is what the shared fixture gives other test files (sharedPlan, test/helpers/plans.ts)", async () => {
    const shared = await sharedPlan(stack);
    const data = ({ toStackExport: _e, stackConfig: _c, durationMs: _d, ...rest }: Plan) => rest;
    expect(data(shared)).toStrictEqual(data(plan));
    const time = new Date("2026-12-01T00:00:00Z");
    expect(shared.toStackExport({ time })).toStrictEqual(plan.toStackExport({ time }));
    expect(shared.toStackExport().deployment.manifest?.time).not.toBe(time.toISOString());
    const { display, ...stackConfig } = shared.stackConfig;
    expect({ ...stackConfig, display: display() }).toStrictEqual({
      ...plan.stackConfig,
      display: plan.stackConfig.display(),
    });
  });

  it("builds the environment and every configured app", () => {
    expect(plan.config.apps.length).toBeGreaterThan(0);
    expect(byType(resources, APP).map((a) => a.inputs.containerAppName)).toEqual(
      plan.config.apps.map((a) => a.name),
    );
    const env = only(resources, ENVIRONMENT);
    // NET-2/EDGE-1: internal and closed to the Internet; frontends are served by Front Door.
    expect(env.inputs.vnetConfiguration).toMatchObject({ internal: true });
    expect(env.inputs.publicNetworkAccess).toBe("Disabled");
    expect(env.inputs.zoneRedundant).toBe(stack === "prod");
    expect(only(resources, "azure-native:resources:ResourceGroup").inputs.resourceGroupName).toBe(
      `rg-sap-${stack}`,
    );
  });

  it("creates no private DNS zone that no private endpoint registers in (issue 12 item 7)", () => {
    const used = new Set(
      byType(resources, "azure-native:network:PrivateDnsZoneGroup").flatMap((g) =>
        ((g.inputs.privateDnsZoneConfigs ?? []) as Props[]).map((c) => String(c.privateDnsZoneId)),
      ),
    );
    const zones = byType(resources, "azure-native:privatedns:PrivateZone");
    expect(zones.length).toBeGreaterThan(0);
    expect(zones.filter((z) => !used.has(String(z.outputs.id))).map((z) => z.inputs.privateZoneName)).toEqual(
      [],
    );
  });

  it("makes only frontends external, and no ingress accepts plain HTTP (NET-2)", () => {
    const frontends = plan.config.apps.filter((a) => a.ingress === "frontend").map((a) => a.name);
    expect(frontends.length).toBeGreaterThan(0);
    for (const app of byType(resources, APP)) {
      const ingress = (app.inputs.configuration as Props).ingress as Props;
      expect(ingress.allowInsecure).toBe(false);
      expect(ingress.external).toBe(frontends.includes(String(app.inputs.containerAppName)));
    }
  });

  it("exports the platform context another team builds on, complete and secret-free (output platform)", () => {
    const platform = plan.outputs.platform as Record<string, unknown>;
    expect(Object.keys(platform).sort()).toEqual([...SHARED_PLATFORM_KEYS].sort());
    const found: [string, string][] = [];
    const secrets: string[] = [];
    leaves(platform, "platform", found, secrets);
    expect(secrets).toEqual([]);
    expect(platform).toMatchObject({
      environment: stack,
      resourceGroupId: only(resources, "azure-native:resources:ResourceGroup").outputs.id,
      containerAppsEnvironment: { environmentId: only(resources, ENVIRONMENT).outputs.id },
    });
    // The stack's own vault (prod also has the geo-backup key's vault in the paired region).
    const vault = byType(resources, VAULT).find((v) => v.outputs.id === (platform.keyVault as Props).vaultId);
    expect(vault?.inputs.location).toBe(platform.location);
  });

  it("has no plain-text secret anywhere in the inputs or outputs (SEC-1)", () => {
    const found: [string, string][] = [];
    const secrets: string[] = [];
    for (const r of resources) leaves(r.inputs, `${r.name}.inputs`, found, secrets);
    leaves(plan.outputs, "outputs", found, secrets);
    // No value shaped like a credential (account keys, SAS, passwords in URLs, JWTs, PEM keys).
    expect(found.filter(([, v]) => secretLookingReason("", v) !== undefined)).toEqual([]);
    // A value that is secret somewhere is never also in the clear anywhere.
    const clear = new Set(found.map(([, v]) => v));
    expect(secrets.filter((s) => s.length >= 8 && clear.has(s))).toEqual([]);
    // Password/key fields appear only to switch that kind of authentication off (IAM-1).
    expect(
      found.filter(([p, v]) => /password|sharedKey|accessKey|connectionString/i.test(p) && v !== "Disabled"),
    ).toEqual([]);
    for (const app of byType(resources, APP)) {
      const config = app.inputs.configuration as Props;
      for (const secret of config.secrets as Props[]) {
        expect(Object.keys(secret).sort()).toEqual(["identity", "keyVaultUrl", "name"]);
        expect(secret.keyVaultUrl).toMatch(
          /^https:\/\/[a-z0-9-]+\.vault\.azure\.net\/secrets\/[A-Za-z0-9-]+$/,
        );
      }
      for (const registry of config.registries as Props[])
        expect(registry).not.toHaveProperty("passwordSecretRef");
      const env = ((app.inputs.template as Props).containers as Props[])[0].env as Props[];
      for (const e of env) {
        if (e.secretRef === undefined)
          expect(secretLookingReason(String(e.name), String(e.value))).toBeUndefined();
      }
    }
  });

  it("grants the deployer roles to the declared deployPrincipalId only, on its own vaults (ENV-1, IAM-2)", () => {
    const grants = byType(resources, RA).filter((r) => r.name.includes("-deployer-"));
    const vaults = new Set(byType(resources, VAULT).map((v) => v.id));
    // Crypto Officer + Platform Secret Writer per vault (the geo vault too when there is one).
    expect(grants).toHaveLength(2 * vaults.size);
    for (const grant of grants) {
      expect(grant.inputs.principalId).toBe(plan.config.deployPrincipalId);
      expect(vaults.has(String(grant.inputs.scope))).toBe(true);
    }
  });

  it("gives every app its own identity and exactly the least-privilege grants it uses, before the app (IAM-1, IAM-2)", () => {
    const vault = byType(resources, VAULT).find((v) => String(v.inputs.vaultName).includes("main"))!;
    const account = only(resources, STORAGE);
    for (const cfg of plan.config.apps) {
      const app = byType(resources, APP).find((a) => a.inputs.containerAppName === cfg.name)!;
      const identity = only(
        byType(resources, IDENTITY).filter(
          (i) => i.inputs.resourceName === `id-sap-app-${cfg.name}-${stack}`,
        ),
        IDENTITY,
      );
      expect(app.inputs.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [identity.id] });
      expect(app.dependencies).toContain(identity.urn);

      const grants = byType(resources, RA).filter(
        (r) => r.inputs.principalId === identity.outputs.principalId,
      );
      expect(grants.map((g) => roleNameOf(String(g.inputs.roleDefinitionId))).sort()).toEqual(
        expectedRoles(cfg),
      );
      for (const grant of grants) {
        const role = roleNameOf(String(grant.inputs.roleDefinitionId))!;
        expect(PRIVILEGED_ROLES).not.toContain(role);
        expect(grant.inputs.principalType).toBe("ServicePrincipal");
        expect(grant.inputs.scope).toBe(role.startsWith("Key Vault") ? vault.id : account.id);
        expect(String(grant.inputs.roleDefinitionId)).toMatch(new RegExp(`${BUILT_IN_ROLES[role]}$`));
        expect(app.dependencies).toContain(grant.urn);
      }
      const access = byType(resources, ACCESS).filter(
        (a) => (a.inputs.user as Props).objectId === identity.outputs.principalId,
      );
      expect(access).toHaveLength(cfg.uses.includes("redis") ? 1 : 0);
      for (const a of access) expect(app.dependencies).toContain(a.urn);
    }
  });

  it("makes the apps' Redis grants one at a time, in config order, each under its app (IAM-1)", () => {
    const grants = plan.config.apps
      .filter((a) => a.uses.includes("redis"))
      .map((a) =>
        only(
          byType(resources, ACCESS).filter((r) => r.name === `app-${a.name}-redis-access`),
          ACCESS,
        ),
      );
    for (const [i, grant] of grants.entries()) {
      expect(grant.parent).toMatch(/:index:ContainerApp::app-/);
      // The database accepts one update at a time: each grant waits for the one before.
      if (i > 0) expect(grant.dependencies).toContain(grants[i - 1].urn);
    }
    expect(byType(resources, ACCESS)).toHaveLength(grants.length);
  });

  it("exports the PostgreSQL role SQL for exactly the apps using postgres, and their FQDNs", () => {
    const pgApps = plan.config.apps.filter((a) => a.uses.includes("postgres")).map((a) => a.name);
    const sql = plan.outputs.postgresAppRoleSql as Record<string, string>;
    expect(Object.keys(sql).sort()).toEqual([...pgApps].sort());
    for (const name of pgApps) {
      expect(sql[name]).toMatch(
        new RegExp(
          `pgaadauth_create_principal_with_oid\\('id-sap-app-${name}-${stack}', '[0-9a-f-]{36}', 'service', false, false\\)`,
        ),
      );
    }
    const apps = plan.outputs.containerApps as Record<string, Props>;
    for (const cfg of plan.config.apps) {
      expect(apps[cfg.name].external).toBe(cfg.ingress === "frontend");
      const fqdn = String(apps[cfg.name].fqdn);
      if (cfg.ingress === "frontend") expect(fqdn).not.toContain(".internal.");
      else expect(fqdn).toContain(".internal.");
    }
  });

  it("keeps every data store private behind a private endpoint (NET-1)", () => {
    const endpoints = byType(resources, PE).map(
      (pe) => (pe.inputs.privateLinkServiceConnections as Props[])[0].privateLinkServiceId as string,
    );
    for (const store of [
      ...byType(resources, VAULT),
      only(resources, STORAGE),
      only(resources, POSTGRES),
      only(resources, REDIS),
    ]) {
      const access =
        store.type === VAULT
          ? (store.inputs.properties as Props).publicNetworkAccess
          : store.type === POSTGRES
            ? (store.inputs.network as Props).publicNetworkAccess
            : store.inputs.publicNetworkAccess;
      expect([store.name, access]).toEqual([store.name, "Disabled"]);
      expect(endpoints).toContain(store.id);
    }
  });

  it(
    stack === "prod"
      ? "locks and protects every stateful resource (BAK-2)"
      : "has no locks and nothing protected",
    () => {
      const locks = byType(resources, LOCK);
      for (const type of STATEFUL) {
        for (const r of byType(resources, type)) {
          expect([r.name, r.protect]).toEqual([r.name, stack === "prod"]);
          const lock = locks.find((l) => l.inputs.scope === r.id);
          if (stack === "prod") expect(lock?.inputs.level).toBe("CanNotDelete");
          else expect(lock).toBeUndefined();
        }
      }
      if (stack === "prod") {
        expect(only(resources, ENVIRONMENT).protect).toBe(true);
        expect(byType(resources, "azure-native:security:Pricing").length).toBeGreaterThan(0);
        // ENC-2: the PostgreSQL geo-backup key lives in a vault in the paired region.
        expect(
          byType(resources, VAULT)
            .map((v) => v.inputs.location)
            .sort(),
        ).toEqual(["northeurope", "westeurope"]);
      } else {
        expect(locks).toEqual([]);
        expect(byType(resources, VAULT)).toHaveLength(1);
        expect(byType(resources, "azure-native:keyvault:Key")).toEqual([]);
      }
    },
  );
});

describe("config variations", () => {
  it("no frontend: the environment is internal and the apps subnet takes no Internet traffic (NET-2)", async () => {
    const plan = await planStack("dev", {
      configOverrides: {
        apps: [
          {
            name: "worker",
            image: "mcr.microsoft.com/k8se/quickstart:latest",
            targetPort: 80,
            probePath: "/",
            ingress: "internal",
          },
        ],
      },
    });
    expect(only(plan.resources, ENVIRONMENT).inputs.vnetConfiguration).toMatchObject({ internal: true });
    const worker = only(plan.resources, APP);
    expect(((worker.inputs.configuration as Props).ingress as Props).external).toBe(false);
    expect(byType(plan.resources, RA).filter((r) => String(r.name).startsWith("app-worker"))).toEqual([]);
    const rules = byType(plan.resources, "azure-native:network:NetworkSecurityGroup").flatMap(
      (n) => n.inputs.securityRules as Props[],
    );
    expect(rules.filter((r) => r.access === "Allow" && r.sourceAddressPrefix === "Internet")).toEqual([]);
  });

  it("only the configured services are built, and an app cannot use one that is not", async () => {
    const plan = await planStack("dev", {
      configOverrides: {
        services: ["storage"],
        apps: [
          {
            name: "reader",
            image: "mcr.microsoft.com/k8se/quickstart:latest",
            targetPort: 80,
            probePath: "/",
            ingress: "frontend",
            uses: ["storage"],
            storageAccess: "read",
          },
        ],
      },
    });
    expect(byType(plan.resources, POSTGRES)).toEqual([]);
    expect(byType(plan.resources, REDIS)).toEqual([]);
    expect(plan.outputs.postgresAppRoleSql).toEqual({});
    await expect(
      planStack("dev", {
        configOverrides: {
          services: ["storage"],
          apps: [
            {
              name: "api",
              image: "x.azurecr.io/api:1",
              targetPort: 80,
              ingress: "internal",
              uses: ["redis"],
            },
          ],
        },
      }),
    ).rejects.toThrow(/app "api" uses redis, which this stack does not deploy/);
  });
});
