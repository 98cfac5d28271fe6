/**
 * Composition root of secure-azure-platform: reads the stack configuration and wires the
 * components. No resource settings live here beyond what the config says; everything else is
 * the components' secure defaults.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import { loadPlatformConfig, pairedRegion, type DataService } from "./config";
import { loadDeployIdentities, stackGrants } from "./config/identities";
import { BlobStorage } from "./components/blobStorage";
import { ContainerApp, type AppServices } from "./components/containerApp/index";
import { ContainerAppsEnvironment } from "./components/containerAppsEnvironment";
import { CustomerManagedKey } from "./components/customerManagedKey";
import { DefenderPlans } from "./components/defender";
import { FrontDoor } from "./components/frontDoor";
import { HumanAccess, humanAccessGroups } from "./components/humanAccess";
import { KeyVault, MAX_SECRET_LIFETIME_DAYS } from "./components/keyVault";
import { Logging } from "./components/logging";
import { ManagedRedis } from "./components/managedRedis";
import { Network } from "./components/network";
import { PostgresServer } from "./components/postgres";
import { Sentinel } from "./components/sentinel";
import type { CustomerManagedKeyArgs, PlatformContext } from "./components/common/interfaces";
import type { SharedPlatformContext } from "./components/platform";
import { pinnedDeployPrincipal } from "./config/deployPrincipal";
import { resourceName } from "./components/common/naming";
import { componentTags } from "./components/common/tags";

// Validate everything before the first resource is registered: bad config registers nothing.
const config = loadPlatformConfig();
// The deploy identities (deploy/identities.yaml): which roles the stack grants the identity running it.
const identities = loadDeployIdentities();
const pairedLocation = pairedRegion(config.location);
// Unreachable for a validated config (the schema refuses a location without a pair): a bug if hit.
if (!pairedLocation) throw new Error(`azure-native:location ${config.location} has no paired region (RES-1)`);

const base = {
  environment: config.environment,
  location: config.location,
  pairedLocation,
  namePrefix: config.namePrefix,
  tags: { environment: config.environment, owner: config.owner, costCenter: config.costCenter },
  deletionLocks: config.deletionLocks,
  zoneRedundant: config.zoneRedundant,
};
const hasFrontend = config.apps.some((a) => a.ingress === "frontend");
const uses = (service: DataService) => config.services.includes(service);
/** A placeholder's own version expires as late as a secret may (SEC-1); the real value sets its own. */
const PLACEHOLDER_SECRET_DAYS = MAX_SECRET_LIFETIME_DAYS;

// ENV-1: one resource group per environment.
const resourceGroup = new resources.ResourceGroup("rg", {
  resourceGroupName: resourceName(base, "resourceGroup", ""),
  location: config.location,
  tags: componentTags(base, "internal"),
});
const client = authorization.getClientConfigOutput();
// The deployer's roles on what the stack creates (grantedBy: stack), each waited for where used.
// Granted to the declared principal only, and only when it is the one running (ENV-1, IAM-2).
const deployerGrants = {
  principalId: pinnedDeployPrincipal(config.deployPrincipalId),
  grants: stackGrants(identities, config.environment, "stackVaults"),
};

const logging = new Logging("logging", {
  platform: { ...base, resourceGroupName: resourceGroup.name },
  retentionInDays: config.logRetentionDays,
  alertEmail: config.alertEmail,
});
const network = new Network("network", {
  platform: { ...base, resourceGroupName: resourceGroup.name, workspaceId: logging.workspaceId },
  // NET-2/EDGE-1: the Internet never reaches the VNet; frontends are served by Front Door over Private Link.
  hasFrontend: false,
  vnetAddressSpace: config.vnetAddressSpace,
  appsSubnetPrefix: config.appsSubnetPrefix,
  privateEndpointSubnetPrefix: config.privateEndpointSubnetPrefix,
});

const platform: PlatformContext = {
  ...base,
  resourceGroupName: resourceGroup.name,
  resourceGroupId: resourceGroup.id,
  tenantId: client.tenantId,
  workspaceId: logging.workspaceId,
  actionGroupId: logging.actionGroupId,
  privateEndpointSubnetId: network.privateEndpointSubnetId,
  privateDnsZoneIds: network.privateDnsZoneIds,
};

// IAM-2: people get access through Entra groups per role, at resource-group scope.
new HumanAccess("human-access", {
  environment: config.environment,
  resourceGroupId: resourceGroup.id,
  groups: humanAccessGroups(config),
});
if (config.manageDefenderPlans) new DefenderPlans("defender");

const keyVault = new KeyVault("keyvault", {
  platform,
  sku: config.keyVaultSku,
  deployer: deployerGrants,
});

// ENC-2: one key (and identity) per service. PostgreSQL's geo-redundant backup needs its own
// key in a vault in the paired region, so that vault exists only when CMK is on.
const cmkPrincipals: pulumi.Input<string>[] = [];
const cmk = (service: DataService): CustomerManagedKeyArgs | undefined => {
  if (!config.customerManagedKeys || !uses(service)) return undefined;
  const args = new CustomerManagedKey(`cmk-${service}`, {
    platform,
    vault: keyVault.reference,
    purpose: service,
  }).args;
  cmkPrincipals.push(args.identityPrincipalId);
  return args;
};
const geoVault =
  config.customerManagedKeys && uses("postgres")
    ? new KeyVault("keyvault-geo", {
        platform,
        sku: config.keyVaultSku,
        location: pairedLocation,
        purpose: "geo",
        deployer: deployerGrants,
      })
    : undefined;
const postgresGeoKey = geoVault
  ? new CustomerManagedKey("cmk-postgres-geo", {
      platform,
      vault: geoVault.reference,
      purpose: "postgres-geo",
      location: pairedLocation,
    }).args
  : undefined;

const postgres = uses("postgres")
  ? new PostgresServer("postgres", {
      platform,
      adminGroup: { objectId: config.postgresAdminGroupObjectId, displayName: config.postgresAdminGroupName },
      databases: [...config.postgresDatabases],
      version: config.postgresVersion,
      skuTier: config.postgresSkuTier,
      skuName: config.postgresSkuName,
      storageSizeGb: config.postgresStorageSizeGb,
      backupRetentionDays: config.backupRetentionDays,
      customerManagedKey: cmk("postgres"),
      geoBackupCustomerManagedKey: postgresGeoKey,
    })
  : undefined;
const storage = uses("storage")
  ? new BlobStorage("storage", {
      platform,
      containers: [...config.storageContainers],
      skuName: config.storageSkuName,
      softDeleteRetentionDays: config.backupRetentionDays,
      customerManagedKey: cmk("storage"),
    })
  : undefined;
const redis = uses("redis")
  ? new ManagedRedis("redis", {
      platform,
      skuName: config.redisSkuName,
      persistence: config.redisPersistence,
      customerManagedKey: cmk("redis"),
    })
  : undefined;

const appsEnvironment = new ContainerAppsEnvironment("apps", {
  platform,
  infrastructureSubnetId: network.appsSubnetId,
  hasFrontend,
  workloadProfiles: config.workloadProfiles,
});

// SEC-1 / docs/container-apps.md "App secrets": every secret an app references exists before the
// app (a revision whose Key Vault reference cannot be resolved is not created): the stack writes
// a placeholder through Resource Manager, a Platform Secret Writer sets the value later.
const appSecretNames = [...new Set(config.apps.flatMap((a) => Object.values(a.secrets)))].sort();
const placeholders = appSecretNames.map((name) =>
  keyVault.addPlaceholderSecret(name, { expiresInDays: PLACEHOLDER_SECRET_DAYS }),
);
// Apps read the vault URI through the placeholders, so each app waits for them.
const appVault = {
  vaultId: keyVault.vaultId,
  vaultUri: pulumi.all([keyVault.vaultUri, ...placeholders.map((p) => p.id)]).apply(([uri]) => uri),
};

// What apps may connect to: only services this stack deploys (an app using another is an error).
const services: AppServices = {
  keyVault: appVault,
  ...(storage ? { storage } : {}),
  ...(redis
    ? {
        redis: {
          hostName: redis.hostName,
          port: redis.port,
          resourceGroupName: platform.resourceGroupName,
          clusterName: redis.clusterName,
          databaseName: redis.databaseName,
          // The grants were children of the ManagedRedis component before issue 16.
          legacyGrantParent: redis.urn,
        },
      }
    : {}),
  ...(postgres
    ? {
        postgres: {
          serverName: postgres.serverName,
          fqdn: postgres.fqdn,
          adminGroupName: postgres.adminGroupName,
          // Apps connect to the first configured database.
          database: config.postgresDatabases[0],
        },
      }
    : {}),
};
// The database accepts one update at a time: each app's Redis grant waits for the previous one.
let redisGrantAfter: pulumi.Output<string> | undefined;
const apps = config.apps.map((app) => {
  const created = new ContainerApp(`app-${app.name}`, {
    platform,
    environment: appsEnvironment.reference,
    app,
    services,
    ...(redisGrantAfter ? { redisGrantAfter } : {}),
  });
  redisGrantAfter = created.redisGrantId ?? redisGrantAfter;
  return created;
});

// EDGE-1: public traffic enters only through Front Door Premium + WAF, over Private Link.
const frontends = config.apps.flatMap((spec, i) =>
  spec.ingress === "frontend" ? [{ name: spec.name, fqdn: apps[i].fqdn, probePath: spec.probePath }] : [],
);
const edge =
  frontends.length > 0
    ? new FrontDoor("edge", {
        platform,
        environmentId: appsEnvironment.environmentId,
        environmentName: appsEnvironment.environmentName,
        apps: frontends,
        settings: {
          rateLimitPerMinute: config.wafRateLimitPerMinute,
          allowedCountries: config.wafGeoFilter ? config.wafAllowedCountries : [],
          customRules: config.wafCustomRules,
          customDomains: config.frontDoorCustomDomains,
        },
      })
    : undefined;

// SIEM-1: Sentinel on the platform workspace (prod requires it; dev may turn it off for cost).
if (config.sentinel) {
  new Sentinel("siem", {
    platform,
    workspaceName: logging.workspaceName,
    securityEmail: config.securityAlertEmail || config.alertEmail,
    ruleContext: pulumi
      .all([
        client.objectId,
        client.clientId,
        ...apps.map((app) => app.identity.principalId),
        ...cmkPrincipals,
      ])
      .apply(([objectId, clientId, ...callers]) => ({
        pipelineIds: [objectId, clientId],
        keyVaultCallers: callers,
      })),
  });
}

// Outputs: names, endpoints and IDs only; nothing here is a secret.
/**
 * What another team's program needs to add an app or a data store to this platform through the
 * components (components/platform.ts, examples/team-app): read with a `pulumi.StackReference`.
 */
const sharedPlatform: SharedPlatformContext = {
  ...platform,
  appsSubnetId: network.appsSubnetId,
  vnetId: network.vnetId,
  containerAppsEnvironment: {
    ...appsEnvironment.reference,
    name: appsEnvironment.environmentName,
    defaultDomain: appsEnvironment.defaultDomain,
  },
  keyVault: { vaultId: keyVault.vaultId, vaultUri: keyVault.vaultUri, vaultName: keyVault.vaultName },
};
export { sharedPlatform as platform };
export const resourceGroupName = resourceGroup.name;
export const location = config.location;
export const keyVaultName = keyVault.vaultName;
export const keyVaultUri = keyVault.vaultUri;
export const logAnalyticsWorkspaceId = logging.workspaceId;
export const vnetId = network.vnetId;
export const containerAppsEnvironmentName = appsEnvironment.environmentName;
export const containerAppsDefaultDomain = appsEnvironment.defaultDomain;
export const postgresFqdn = postgres?.fqdn;
export const storageBlobEndpoint = storage?.blobEndpoint;
export const redisHostName = redis?.hostName;
/** Per frontend: the Front Door host name the Internet uses (EDGE-1). */
export const frontDoorHostNames = edge?.endpointHostNames;
/** Per custom domain: the TXT value for `_dnsauth.<host>` that validates the managed certificate. */
export const frontDoorDomainValidation = edge?.domainValidationTokens;
/** Per app: where it answers, whether it is public, and its identity (client ID and name). */
export const containerApps = Object.fromEntries(
  apps.map((app, i) => [
    config.apps[i].name,
    {
      fqdn: app.fqdn,
      url: pulumi.interpolate`https://${app.fqdn}`,
      external: app.external,
      identityName: app.identityName,
      identityClientId: app.identity.clientId,
    },
  ]),
);
/**
 * Per app using PostgreSQL: the SQL an Entra admin runs once to create the app's role, mapped to
 * its managed identity (no password), and grant it access. See docs/container-apps.md.
 */
export const postgresAppRoleSql = Object.fromEntries(
  apps.flatMap((app, i) =>
    app.postgresSetupSql ? [[config.apps[i].name, app.postgresSetupSql] as const] : [],
  ),
);
