/**
 * The orders team's program: its own API (a container app) and PostgreSQL database on the shared
 * platform, built only from the platform's components and the platform stack's `platform` output.
 * Every security setting (private endpoint, Entra-only PostgreSQL, TLS floor, backups, logs,
 * identity-based access) comes from the components; this program only says what it wants.
 */
import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import {
  ContainerApp,
  Logging,
  PostgresServer,
  sharedPlatformContext,
} from "@secure-azure-platform/components";

const config = new pulumi.Config();
const platformStack = config.require("platformStack");
const DATABASE = "orders";

// Pulumi's Node.js host calls an exported function and exports what it returns: the platform
// context is read first, because components name and check resources from plain values.
export = async () => {
  const platformRef = new pulumi.StackReference("platform", { name: platformStack });
  const shared = sharedPlatformContext((await platformRef.getOutputDetails("platform")).value, platformStack);
  // The team's own prefix, tags (CLS-1) and resource group (ENV-1) on everything it adds; the
  // network it attaches to (private-endpoint subnet, private DNS zones) and the Container Apps
  // environment are the platform's.
  const namePrefix = config.get("namePrefix") ?? "orders";
  const tags = { ...shared.tags, owner: config.require("owner"), costCenter: config.require("costCenter") };
  const resourceGroup = new resources.ResourceGroup("orders-rg", {
    resourceGroupName: `rg-${namePrefix}-${shared.environment}`,
    location: shared.location,
    tags: { ...tags, dataClassification: "internal" },
  });
  const team = {
    ...shared,
    namePrefix,
    tags,
    resourceGroupName: resourceGroup.name,
    resourceGroupId: resourceGroup.id,
  };
  // The team's own workspace and action group: the pack verifies log retention and alert routes
  // on resources of the same stack (LOG-1, MON-1), and the team is the one paged for its service.
  const logging = new Logging("orders-logging", {
    platform: team,
    retentionInDays: config.requireNumber("logRetentionDays"),
    alertEmail: config.require("alertEmail"),
  });
  const platform = { ...team, workspaceId: logging.workspaceId, actionGroupId: logging.actionGroupId };

  const database = new PostgresServer("orders-db", {
    platform,
    adminGroup: { objectId: config.require("dbaGroupObjectId"), displayName: config.require("dbaGroupName") },
    databases: [DATABASE],
    purpose: "orders",
  });
  const api = new ContainerApp("orders-api", {
    platform,
    environment: shared.containerAppsEnvironment,
    app: {
      name: "orders-api",
      image: config.require("image"),
      targetPort: 80,
      ingress: "internal",
      probePath: "/",
      uses: ["postgres"],
    },
    services: {
      postgres: {
        serverName: database.serverName,
        fqdn: database.fqdn,
        adminGroupName: database.adminGroupName,
        database: DATABASE,
      },
    },
  });

  return {
    ordersApiUrl: pulumi.interpolate`https://${api.fqdn}`,
    postgresFqdn: database.fqdn,
    /** Run once by a member of the DBA group: creates the API's role, mapped to its identity. */
    postgresSetupSql: api.postgresSetupSql,
  };
};
