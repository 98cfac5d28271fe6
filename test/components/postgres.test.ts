/**
 * PostgresServer under mocks: every secure default on the registered resources (dev and prod),
 * the one-at-a-time parameter chain, CMK wiring with the geo-backup key, and every insecure
 * override either impossible in the args type (`@ts-expect-error`, checked by typecheck) or a
 * clear error that registers nothing.
 */
import { CustomerManagedKey } from "../../components/customerManagedKey";
import { PostgresServer, type PostgresServerArgs } from "../../components/postgres";
import { BUILT_IN_ROLES } from "../../controls/roles";
import { prodPlatform, testCmkArgs, testPlatform } from "../helpers/platform";
import {
  byType,
  only,
  runExpectingError,
  runProgram,
  type PlannedResource,
  waitsFor,
} from "../helpers/pulumi";

const SERVER = "azure-native:dbforpostgresql:Server";
const CONFIGURATION = "azure-native:dbforpostgresql:Configuration";
const DATABASE = "azure-native:dbforpostgresql:Database";
const ENTRA_ADMIN = "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra";
const LOCK = "azure-native:authorization:ManagementLockByScope";
const SUB = "/subscriptions/00000000-0000-4000-8000-000000000001";
const ADMIN = { objectId: "6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b", displayName: "sg-platform-dba" };

/** CMK args as `CustomerManagedKey` produces them, for a vault in `region`. */
const cmkArgs = (purpose: string, region: string) => testCmkArgs(purpose, `kv-sap-${region}`);

function devArgs(): PostgresServerArgs {
  return { platform: testPlatform(), adminGroup: ADMIN, databases: ["app", "analytics"] };
}

function prodArgs(): PostgresServerArgs {
  return {
    platform: prodPlatform(),
    adminGroup: ADMIN,
    databases: ["app"],
    skuTier: "GeneralPurpose",
    skuName: "Standard_D4ds_v5",
    storageSizeGb: 256,
    customerManagedKey: cmkArgs("postgres", "westeurope"),
    geoBackupCustomerManagedKey: cmkArgs("postgres-geo", "northeurope"),
  };
}

type Props = Record<string, unknown>;
const props = (r: PlannedResource, key: string) => r.inputs[key] as Props;

async function refused(args: PostgresServerArgs, message: RegExp): Promise<void> {
  const { error, resources } = await runExpectingError(() => new PostgresServer("pg", args));
  expect(error.message).toMatch(message);
  expect(error.message).toContain('PostgresServer "pg"');
  expect(resources).toEqual([]);
}

describe("PostgresServer with default args (dev)", () => {
  let resources: PlannedResource[];
  let server: PlannedResource;
  beforeAll(async () => {
    ({ resources } = await runProgram(() => new PostgresServer("pg", devArgs())));
    server = only(resources, SERVER);
  });

  it("is a data component holding every resource", () => {
    const component = only(resources, "secure-azure-platform:index:PostgresServer");
    expect(server.parent).toBe(component.urn);
  });

  it("runs the current GA major version with autogrowing premium storage", () => {
    expect(server.inputs.version).toBe("18");
    expect(server.inputs.sku).toEqual({ tier: "Burstable", name: "Standard_B2s" });
    expect(server.inputs.storage).toEqual({ storageSizeGB: 32, autoGrow: "Enabled", type: "Premium_LRS" });
  });

  it("keeps the size Azure grew the disk to: the configured size is the initial one (ignoreChanges)", () => {
    // Azure refuses a smaller disk (DowngradeDiskSizeUnsupported) and a refresh records the grown size.
    expect(server.ignoreChanges).toContain("storage.storageSizeGB");
  });

  it("has a globally unique name from the naming rules", () => {
    expect(server.inputs.serverName).toMatch(/^psql-sap-main-dev-[a-z0-9]{6}$/);
  });

  it("authenticates with Entra ID only and has no password admin (IAM-1)", () => {
    expect(server.inputs.authConfig).toEqual({
      activeDirectoryAuth: "Enabled",
      passwordAuth: "Disabled",
      tenantId: testPlatform().tenantId,
    });
    expect(server.inputs).not.toHaveProperty("administratorLogin");
    expect(server.inputs).not.toHaveProperty("administratorLoginPassword");
  });

  it("makes the admin group the Entra administrator", () => {
    const admin = only(resources, ENTRA_ADMIN);
    expect(admin.inputs).toMatchObject({
      serverName: server.outputs.name,
      objectId: ADMIN.objectId,
      principalName: ADMIN.displayName,
      principalType: "group",
      tenantId: testPlatform().tenantId,
    });
  });

  it("keeps 35 days of geo-redundant backups (BAK-1)", () => {
    expect(server.inputs.backup).toEqual({ backupRetentionDays: 35, geoRedundantBackup: "Enabled" });
  });

  it("has no HA in dev (Burstable) and no zone pinning", () => {
    expect(props(server, "highAvailability").mode).toBe("Disabled");
    expect(server.inputs.availabilityZone).toBe(""); // the SDK's default: Azure picks the zone
  });

  it("has public network access disabled and no VNet integration (NET-1)", () => {
    expect(server.inputs.network).toEqual({ publicNetworkAccess: "Disabled" });
  });

  it("is reached through a postgresqlServer private endpoint registered in the postgres zone", () => {
    const pe = only(resources, "azure-native:network:PrivateEndpoint");
    expect(pe.inputs.privateLinkServiceConnections).toEqual([
      expect.objectContaining({ privateLinkServiceId: server.id, groupIds: ["postgresqlServer"] }),
    ]);
    expect(props(pe, "subnet").id).toBe(testPlatform().privateEndpointSubnetId);
    const zoneGroup = only(resources, "azure-native:network:PrivateDnsZoneGroup");
    expect(zoneGroup.inputs.privateDnsZoneConfigs).toEqual([
      expect.objectContaining({ privateDnsZoneId: testPlatform().privateDnsZoneIds.postgres }),
    ]);
  });

  it("uses platform-managed keys when no CMK is given in dev", () => {
    expect(server.inputs.dataEncryption).toEqual({ type: "SystemAssigned" });
    expect(server.inputs.identity).toBeUndefined();
  });

  it("has a weekly maintenance window", () => {
    expect(server.inputs.maintenanceWindow).toEqual({
      customWindow: "Enabled",
      dayOfWeek: 0,
      startHour: 2,
      startMinute: 0,
    });
  });

  it("is tagged customer-confidential on top of the platform tags (CLS-1)", () => {
    expect(server.inputs.tags).toEqual({
      ...testPlatform().tags,
      dataClassification: "customer-confidential",
    });
  });

  it("sets TLS and connection-logging parameters as user overrides (TLS-1, LOG-1)", () => {
    const parameters = byType(resources, CONFIGURATION).map((c) => [
      c.inputs.configurationName,
      c.inputs.value,
      c.inputs.source,
      c.inputs.serverName,
    ]);
    expect(parameters).toEqual([
      ["require_secure_transport", "on", "user-override", server.outputs.name],
      ["ssl_min_protocol_version", "TLSv1.3", "user-override", server.outputs.name],
      ["log_connections", "on", "user-override", server.outputs.name],
      ["log_disconnections", "on", "user-override", server.outputs.name],
      ["connection_throttle.enable", "on", "user-override", server.outputs.name],
    ]);
  });

  it("applies admin, parameters and databases one after another (no ServerBusy)", () => {
    const admin = only(resources, ENTRA_ADMIN);
    const chain = [admin, ...byType(resources, CONFIGURATION), ...byType(resources, DATABASE)];
    expect(chain).toHaveLength(1 + 5 + 2);
    for (let i = 1; i < chain.length; i++) {
      expect(chain[i].dependencies).toContain(chain[i - 1].urn);
    }
  });

  it("connects the private endpoint only after the last server operation of the chain (no ServerBusy)", () => {
    const last = byType(resources, DATABASE).at(-1);
    expect(only(resources, "azure-native:network:PrivateEndpoint").dependencies).toContain(last?.urn);
  });

  it("creates the databases with UTF8 and en_US.utf8", () => {
    expect(byType(resources, DATABASE).map((d) => d.inputs)).toEqual([
      expect.objectContaining({ databaseName: "app", charset: "UTF8", collation: "en_US.utf8" }),
      expect.objectContaining({ databaseName: "analytics", charset: "UTF8", collation: "en_US.utf8" }),
    ]);
  });

  it("sends all logs and metrics to the platform workspace (LOG-1)", () => {
    const diag = only(resources, "azure-native:monitor:DiagnosticSetting");
    expect(diag.inputs).toMatchObject({
      resourceUri: server.id,
      workspaceId: testPlatform().workspaceId,
      logs: [{ categoryGroup: "allLogs", enabled: true }],
      metrics: [{ category: "AllMetrics", enabled: true }],
    });
  });

  it("alerts on CPU, storage, memory and liveness (MON-1)", () => {
    const criteria = byType(resources, "azure-native:monitor:MetricAlert").map((a) => {
      expect(a.inputs.scopes).toEqual([server.id]);
      expect(a.inputs.actions).toEqual([{ actionGroupId: testPlatform().actionGroupId }]);
      const [c] = (a.inputs.criteria as { allOf: Props[] }).allOf;
      return [c.metricName, c.operator, c.threshold];
    });
    expect(criteria).toEqual(
      expect.arrayContaining([
        ["cpu_percent", "GreaterThan", 80],
        ["storage_percent", "GreaterThan", 85],
        ["memory_percent", "GreaterThan", 90],
        ["is_db_alive", "LessThan", 1],
      ]),
    );
  });

  it("has no lock and no protect in dev", () => {
    expect(byType(resources, LOCK)).toEqual([]);
    expect(resources.filter((r) => r.protect)).toEqual([]);
  });

  it("registers its outputs", () => {
    const component = only(resources, "secure-azure-platform:index:PostgresServer");
    expect(component.outputs).toEqual({
      serverId: server.id,
      serverName: server.outputs.name,
      fqdn: `${String(server.outputs.name)}.postgres.database.azure.com`,
      databaseNames: ["app", "analytics"],
      adminGroupName: ADMIN.displayName,
    });
  });
});

describe("PostgresServer in prod", () => {
  let resources: PlannedResource[];
  let server: PlannedResource;
  beforeAll(async () => {
    ({ resources } = await runProgram(() => new PostgresServer("pg", prodArgs())));
    server = only(resources, SERVER);
  });

  it("runs zone-redundant HA with the standby in another zone (AVL-1)", () => {
    expect(server.inputs.highAvailability).toEqual({ mode: "ZoneRedundant", standbyAvailabilityZone: "2" });
    expect(server.inputs.availabilityZone).toBe("1");
  });

  it("encrypts data and geo backup with customer-managed keys through user-assigned identities (ENC-2)", () => {
    const primary = cmkArgs("postgres", "westeurope");
    const geo = cmkArgs("postgres-geo", "northeurope");
    expect(server.inputs.dataEncryption).toEqual({
      type: "AzureKeyVault",
      primaryKeyURI: primary.keyUri,
      primaryUserAssignedIdentityId: primary.identityId,
      geoBackupKeyURI: geo.keyUri,
      geoBackupUserAssignedIdentityId: geo.identityId,
    });
    expect(server.inputs.identity).toEqual({
      type: "UserAssigned",
      userAssignedIdentities: { [primary.identityId]: {}, [geo.identityId]: {} },
    });
    const encryption = props(server, "dataEncryption");
    for (const uri of [encryption.primaryKeyURI, encryption.geoBackupKeyURI]) {
      expect(uri).toMatch(/^https:\/\/[^/]+\/keys\/[^/]+$/);
    }
  });

  it("still has Entra-only auth, geo backup and no public access", () => {
    expect(props(server, "authConfig").passwordAuth).toBe("Disabled");
    expect(server.inputs.backup).toEqual({ backupRetentionDays: 35, geoRedundantBackup: "Enabled" });
    expect(server.inputs.network).toEqual({ publicNetworkAccess: "Disabled" });
  });

  it("locks the server and protects server and databases (BAK-2)", () => {
    const lock = only(resources, LOCK);
    expect(lock.inputs).toMatchObject({ scope: server.id, level: "CanNotDelete" });
    expect(server.protect).toBe(true);
    expect(byType(resources, DATABASE).every((d) => d.protect)).toBe(true);
  });

  it("is named for prod", () => {
    expect(server.inputs.serverName).toMatch(/^psql-sap-main-prod-[a-z0-9]{6}$/);
  });
});

describe("PostgresServer with CustomerManagedKey components", () => {
  let resources: PlannedResource[];
  beforeAll(async () => {
    ({ resources } = await runProgram(() => {
      const platform = prodPlatform();
      const rg = `${SUB}/resourceGroups/rg-sap-prod/providers/Microsoft.KeyVault/vaults`;
      const vault = (name: string) => ({
        id: `${rg}/${name}`,
        name,
        uri: `https://${name}.vault.azure.net/`,
        sku: "premium" as const,
      });
      const primary = new CustomerManagedKey("pg-cmk", {
        platform,
        vault: vault("kv-sap-prod-a1b2c"),
        purpose: "postgres",
      });
      const geo = new CustomerManagedKey("pg-geo-cmk", {
        platform,
        vault: vault("kv-sap-geo-prod-d3e4f"),
        purpose: "postgres-geo",
        location: platform.pairedLocation,
      });
      return new PostgresServer("pg", {
        ...prodArgs(),
        platform,
        customerManagedKey: primary.args,
        geoBackupCustomerManagedKey: geo.args,
      });
    }));
  });

  it("attaches both CMK identities, each holding Crypto Service Encryption User on its key", () => {
    const server = only(resources, SERVER);
    const identities = byType(resources, "azure-native:managedidentity:UserAssignedIdentity");
    expect(identities).toHaveLength(2);
    const keys = byType(resources, "azure-native:keyvault:Key");
    const grants = byType(resources, "azure-native:authorization:RoleAssignment");
    for (const identity of identities) {
      expect(props(server, "identity").userAssignedIdentities).toHaveProperty([String(identity.id)]);
      const grant = grants.find((g) => g.inputs.principalId === identity.outputs.principalId);
      expect(grant?.inputs.roleDefinitionId).toMatch(
        new RegExp(`/roleDefinitions/${BUILT_IN_ROLES["Key Vault Crypto Service Encryption User"]}$`),
      );
      expect(keys.map((k) => k.id)).toContain(grant?.inputs.scope);
    }
    const encryption = props(server, "dataEncryption");
    const keyUris = keys.map((k) => k.outputs.keyUri);
    expect(keyUris).toContain(encryption.primaryKeyURI);
    expect(keyUris).toContain(encryption.geoBackupKeyURI);
    expect(encryption.primaryKeyURI).not.toBe(encryption.geoBackupKeyURI);
  });

  it("creates the server only after the key grants exist", () => {
    const server = only(resources, SERVER);
    const grants = byType(resources, "azure-native:authorization:RoleAssignment");
    // Through each grant's propagation sleep (components/common/propagation.ts).
    for (const grant of grants) expect(waitsFor(resources, server, grant)).toBe(true);
  });
});

describe("PostgresServer refuses insecure or invalid input and registers nothing", () => {
  it("has no password admin", async () => {
    const args: PostgresServerArgs = {
      ...devArgs(),
      // @ts-expect-error there is no password administrator (IAM-1)
      administratorLoginPassword: "Sup3r-Secret!",
    };
    await refused(args, /unknown argument "administratorLoginPassword"/);
  });

  it("has no administrator login", async () => {
    // @ts-expect-error there is no password administrator (IAM-1)
    const args: PostgresServerArgs = { ...devArgs(), administratorLogin: "pgadmin" };
    await refused(args, /unknown argument "administratorLogin"/);
  });

  it("cannot open public network access", async () => {
    // @ts-expect-error public access cannot be configured (NET-1)
    const args: PostgresServerArgs = { ...devArgs(), publicNetworkAccess: "Enabled" };
    await refused(args, /unknown argument "publicNetworkAccess"/);
  });

  it("cannot turn geo-redundant backup off", async () => {
    // @ts-expect-error geo backup is always on (BAK-1)
    const args: PostgresServerArgs = { ...devArgs(), geoRedundantBackup: "Disabled" };
    await refused(args, /unknown argument "geoRedundantBackup"/);
  });

  it("cannot relax TLS", async () => {
    // @ts-expect-error the TLS floor is fixed (TLS-1)
    const args: PostgresServerArgs = { ...devArgs(), sslMinProtocolVersion: "TLSv1" };
    await refused(args, /unknown argument "sslMinProtocolVersion"/);
  });

  it.each([7, 29, 36, 30.5])("refuses backupRetentionDays = %p", async (days) => {
    await refused({ ...devArgs(), backupRetentionDays: days }, /backupRetentionDays = .*30 to 35.*BAK-1/);
  });

  it("accepts the 30-day minimum", async () => {
    const { resources } = await runProgram(
      () => new PostgresServer("pg", { ...devArgs(), backupRetentionDays: 30 }),
    );
    expect(props(only(resources, SERVER), "backup").backupRetentionDays).toBe(30);
  });

  it("refuses a version the platform does not support", async () => {
    // @ts-expect-error only 16, 17 and 18
    const args: PostgresServerArgs = { ...devArgs(), version: "13" };
    await refused(args, /version = "13": must be one of 16, 17, 18/);
  });

  it("refuses a non-EU geo-backup pair passed explicitly (RES-1)", async () => {
    await refused(
      { ...devArgs(), platform: testPlatform({ pairedLocation: "eastus" }) },
      /pairedLocation = "eastus".*northeurope.*RES-1/,
    );
  });

  it("refuses a region whose pair is outside the EU (RES-1)", async () => {
    await refused(
      { ...devArgs(), platform: testPlatform({ location: "uksouth", pairedLocation: "ukwest" }) },
      /platform\.location = "uksouth": is not an EU region: .*\(RES-1\)/,
    );
  });

  it("requires a customer-managed key in prod (ENC-2)", async () => {
    await refused(
      { ...prodArgs(), customerManagedKey: undefined, geoBackupCustomerManagedKey: undefined },
      /customerManagedKey = \(not set\): is required in prod/,
    );
  });

  it("requires the geo-backup key with CMK (ENC-2)", async () => {
    await refused(
      { ...prodArgs(), geoBackupCustomerManagedKey: undefined },
      /geoBackupCustomerManagedKey = \(not set\): is required/,
    );
  });

  it("refuses the primary vault for the geo-backup key", async () => {
    await refused(
      { ...prodArgs(), geoBackupCustomerManagedKey: cmkArgs("postgres-geo", "westeurope") },
      /must live in a vault in northeurope/,
    );
  });

  it("refuses a versioned key URI (rotation would need a redeploy)", async () => {
    const key = cmkArgs("postgres", "westeurope");
    await refused(
      {
        ...prodArgs(),
        customerManagedKey: { ...key, keyUri: `${key.keyUri}/0123456789abcdef0123456789abcdef` },
      },
      /customerManagedKey.keyUri .* must be a versionless/,
    );
  });

  it("refuses Burstable where zone-redundant HA is required (AVL-1)", async () => {
    await refused({ ...prodArgs(), skuTier: "Burstable", skuName: "Standard_B2s" }, /Burstable.*AVL-1/);
  });

  it("refuses a SKU name from another tier", async () => {
    await refused(
      { ...devArgs(), skuName: "Standard_D4ds_v5" },
      /skuName = "Standard_D4ds_v5": does not belong to tier Burstable/,
    );
  });

  it("refuses the same zone for primary and standby", async () => {
    await refused({ ...prodArgs(), standbyAvailabilityZone: "1" }, /two different zones/);
  });

  it("refuses turning the lock off in prod (BAK-2)", async () => {
    await refused({ ...prodArgs(), lock: { enabled: false } }, /lock\.enabled = false: refused/);
  });

  it("refuses overriding the data classification (CLS-1)", async () => {
    await refused(
      { ...devArgs(), tags: { dataClassification: "public" } },
      /tags\.dataClassification = "[^"]*": cannot be overridden/,
    );
  });

  it("refuses privileged roles for workload identities (IAM-2)", async () => {
    await refused(
      {
        ...devArgs(),
        roleAssignments: [{ role: "Owner", principalId: ADMIN.objectId, principalType: "ServicePrincipal" }],
      },
      /role "Owner" refused/,
    );
  });

  it.each([["Postgres"], ["postgres"], ["a-b"], ["template1"]])("refuses database name %p", async (db) => {
    await refused(
      { ...devArgs(), databases: [db] },
      /databases\[0\] = .*: (must be a lowercase PostgreSQL identifier|is reserved by Azure)/,
    );
  });

  it("refuses a storage size Azure does not offer", async () => {
    await refused({ ...devArgs(), storageSizeGb: 100 }, /storageSizeGb = 100/);
  });

  it("refuses an admin group that is not an object ID", async () => {
    await refused(
      { ...devArgs(), adminGroup: { objectId: "dba", displayName: "dba" } },
      /adminGroup.objectId/,
    );
  });
});
