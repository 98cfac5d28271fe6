/**
 * DELIBERATELY NONCOMPLIANT: what a team writing raw azure-native resources without the
 * components might deploy. Each setting below breaks a control the policy pack enforces; the
 * offline plan (`npm run plan -- --program examples/noncompliant-raw --stack dev`) must block
 * it with exit 1. Never run `pulumi up` on it.
 */
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";
import * as random from "@pulumi/random";

const resourceGroup = new resources.ResourceGroup("rg", { resourceGroupName: "rg-raw-dev" });

// Public blob access, TLS 1.0, plain HTTP, shared keys and the public endpoint open to everyone.
new storage.StorageAccount("data", {
  resourceGroupName: resourceGroup.name,
  kind: storage.Kind.StorageV2,
  sku: { name: storage.SkuName.Standard_LRS },
  allowBlobPublicAccess: true,
  minimumTlsVersion: storage.MinimumTlsVersion.TLS1_0,
  enableHttpsTrafficOnly: false,
  allowSharedKeyAccess: true,
  publicNetworkAccess: storage.PublicNetworkAccess.Enabled,
  networkRuleSet: { defaultAction: storage.DefaultAction.Allow },
});

// A password administrator, a public endpoint open to the whole Internet, 7-day local backups.
const password = new random.RandomPassword("db-admin", { length: 24 });
const server = new dbforpostgresql.Server("db", {
  resourceGroupName: resourceGroup.name,
  version: dbforpostgresql.PostgresMajorVersion.PostgresMajorVersion_16,
  sku: { name: "Standard_B1ms", tier: dbforpostgresql.SkuTier.Burstable },
  storage: { storageSizeGB: 32 },
  administratorLogin: "dbadmin",
  administratorLoginPassword: password.result,
  authConfig: { passwordAuth: dbforpostgresql.PasswordBasedAuth.Enabled },
  network: { publicNetworkAccess: dbforpostgresql.ServerPublicNetworkAccessState.Enabled },
  backup: {
    backupRetentionDays: 7,
    geoRedundantBackup: dbforpostgresql.GeographicallyRedundantBackup.Disabled,
  },
});
new dbforpostgresql.FirewallRule("db-everyone", {
  resourceGroupName: resourceGroup.name,
  serverName: server.name,
  startIpAddress: "0.0.0.0",
  endIpAddress: "255.255.255.255",
});
// Unencrypted connections accepted.
new dbforpostgresql.Configuration("db-plaintext", {
  resourceGroupName: resourceGroup.name,
  serverName: server.name,
  configurationName: "require_secure_transport",
  source: "user-override",
  value: "off",
});
