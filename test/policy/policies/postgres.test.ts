import * as p from "../../../policy/policies/postgres";
import { runStackPolicy, UNKNOWN } from "../../helpers/policyHarness";
import { describePolicy, expectPass, randomString } from "./support";
import { describeStackPolicy, estate, replace, res, violations, without } from "./estate";

const SERVER = "azure-native:dbforpostgresql:Server";
const server = {
  serverName: "sap-prod-psql-x1",
  location: "westeurope",
  authConfig: { activeDirectoryAuth: "Enabled", passwordAuth: "Disabled" },
  backup: { backupRetentionDays: 35, geoRedundantBackup: "Enabled" },
  highAvailability: { mode: "ZoneRedundant" },
  network: { publicNetworkAccess: "Disabled" },
  dataEncryption: {
    type: "AzureKeyVault",
    primaryKeyURI: "https://kv1.vault.azure.net/keys/pg",
    primaryUserAssignedIdentityId: "/id/1",
    geoBackupKeyURI: "https://kv2.vault.azure.net/keys/pg-geo",
    geoBackupUserAssignedIdentityId: "/id/2",
  },
};

describePolicy(p.postgresEntraAuthOnly, {
  type: SERVER,
  compliant: server,
  violations: [
    ["authConfig.passwordAuth", "Enabled", /passwordAuth/],
    ["authConfig", undefined, /passwordAuth/],
    ["authConfig.activeDirectoryAuth", "Disabled", /activeDirectoryAuth/],
    ["administratorLoginPassword", "hunter2", /administratorLoginPassword/],
  ],
  unknown: "authConfig",
});

describePolicy(p.postgresBackupRetention, {
  type: SERVER,
  compliant: server,
  violations: [
    ["backup.backupRetentionDays", 7, /at least 30/],
    ["backup", undefined, /backupRetentionDays/],
  ],
  passes: [["backup.backupRetentionDays", 30]],
  unknown: "backup.backupRetentionDays",
});

describePolicy(p.postgresGeoRedundantBackup, {
  type: SERVER,
  compliant: server,
  violations: [
    ["backup.geoRedundantBackup", "Disabled", /geoRedundantBackup/],
    ["backup.geoRedundantBackup", undefined, /geoRedundantBackup/],
  ],
  unknown: "backup",
});

describePolicy(p.postgresZoneRedundantHa, {
  type: SERVER,
  compliant: server,
  violations: [
    ["highAvailability.mode", "SameZone", /ZoneRedundant/],
    ["highAvailability", undefined, /ZoneRedundant/],
  ],
  unknown: "highAvailability",
});

describePolicy(p.postgresPrivateAccess, {
  type: SERVER,
  compliant: server,
  violations: [
    ["network.publicNetworkAccess", "Enabled", /Disabled/],
    ["network", undefined, /Disabled/],
  ],
  passes: [["network", { delegatedSubnetResourceId: "/subnets/pg" }]],
  unknown: "network",
});

describePolicy(p.postgresCustomerManagedKey, {
  type: SERVER,
  compliant: server,
  violations: [
    ["dataEncryption.type", "SystemManaged", /AzureKeyVault/],
    ["dataEncryption.primaryKeyURI", undefined, /primaryKeyURI/],
    ["dataEncryption.geoBackupKeyURI", undefined, /geoBackupKeyURI/],
    ["dataEncryption.geoBackupUserAssignedIdentityId", undefined, /geoBackupUserAssignedIdentityId/],
  ],
  passes: [["backup.geoRedundantBackup", "Disabled"]],
  unknown: "dataEncryption",
});

describe("postgres dev settings", () => {
  it("accepts platform keys and no HA when not required", async () => {
    const dev = {
      ...server,
      highAvailability: { mode: "Disabled" },
      dataEncryption: { type: "SystemManaged" },
    };
    await expectPass(p.postgresCustomerManagedKey, SERVER, dev, { requireCustomerManagedKey: false });
    await expectPass(p.postgresZoneRedundantHa, SERVER, dev, { requireZoneRedundancy: false });
  });
});

const CONFIG = "azure-native:dbforpostgresql:Configuration";
describePolicy(p.postgresConfigurationTls, {
  type: CONFIG,
  compliant: {
    serverName: "s",
    configurationName: "ssl_min_protocol_version",
    value: "TLSv1.3",
    source: "user-override",
  },
  violations: [
    ["value", "TLSv1.2", /TLSv1.3/],
    ["value", "TLSv1", /TLSv1.3/],
  ],
  unknown: "value",
});

describe("postgres-configuration-tls on other parameters", () => {
  const tls = p.postgresConfigurationTls;
  it("refuses require_secure_transport off", async () => {
    const { expectViolation } = await import("./support");
    await expectViolation(
      tls,
      CONFIG,
      { configurationName: "require_secure_transport", value: "OFF" },
      /must be on/,
    );
  });
  it("accepts TLSv1.2 when configured", () =>
    expectPass(
      tls,
      CONFIG,
      { configurationName: "ssl_min_protocol_version", value: "TLSv1.2" },
      { minTlsVersion: "TLSv1.2" },
    ));
  it("ignores unrelated parameters", () =>
    expectPass(tls, CONFIG, { configurationName: "work_mem", value: "8MB" }));
});

describePolicy(p.postgresConfigurationConnectionLogging, {
  type: CONFIG,
  compliant: { serverName: "s", configurationName: "log_disconnections", value: "on" },
  violations: [
    ["value", "off", /must be on/],
    ["value", "0", /must be on/],
  ],
  passes: [["configurationName", "log_min_duration_statement"]],
  unknown: "value",
});

describePolicy(p.postgresExtensionsAllowed, {
  type: CONFIG,
  compliant: { serverName: "s", configurationName: "azure.extensions", value: " vector,PGCRYPTO, uuid-ossp" },
  violations: [
    ["value", "vector,azure_storage", /allows "azure_storage", not in allowedExtensions/],
    ["value", "dblink,postgres_fdw", /"dblink", "postgres_fdw"/],
    ["value", "AZURE_AI", /"azure_ai"/],
    ["value", "pg_cron", /"pg_cron"/],
    ["value", ["dblink"], /must be a comma-separated list/],
  ],
  passes: [
    ["value", ""],
    ["configurationName", "shared_preload_libraries"],
  ],
  unknown: "value",
});

it("postgres-extensions-allowed accepts a reviewed extension from config", () =>
  expectPass(
    p.postgresExtensionsAllowed,
    CONFIG,
    { serverName: "s", configurationName: "azure.extensions", value: "dblink" },
    { allowedExtensions: ["dblink"] },
  ));

const FW = "azure-native:dbforpostgresql:FirewallRule";
const rule = {
  serverName: "s",
  firewallRuleName: "office",
  startIpAddress: "203.0.113.0",
  endIpAddress: "203.0.113.255",
};
describePolicy(p.postgresFirewallNoOpenRange, {
  type: FW,
  compliant: rule,
  violations: [
    ["endIpAddress", "255.255.255.255", /addresses/],
    ["startIpAddress", "0.0.0.0", /addresses/],
    ["endIpAddress", "not-an-ip", /not IPv4/],
  ],
  unknown: "startIpAddress",
});

describe("postgres-firewall-no-open-range allow-all-Azure", () => {
  it("refuses 0.0.0.0-0.0.0.0", async () => {
    const { expectViolation } = await import("./support");
    await expectViolation(
      p.postgresFirewallNoOpenRange,
      FW,
      { ...rule, startIpAddress: "0.0.0.0", endIpAddress: "0.0.0.0" },
      /every Azure service/,
    );
  });
});

describePolicy(p.postgresFirewallNoRules, {
  type: FW,
  compliant: rule,
  config: { allowFirewallRules: true },
  violations: [],
  unknown: "startIpAddress",
});

describe("postgres-firewall-no-rules by default", () => {
  it("refuses any rule", async () => {
    const { expectViolation } = await import("./support");
    await expectViolation(p.postgresFirewallNoRules, FW, rule, /not allowed: the server is private/);
  });
});

describePolicy(p.postgresEntraAdminGroup, {
  type: "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra",
  compliant: {
    serverName: "psql-sap-main-prod",
    objectId: "7a2d3b0f-4c5e-4f6a-9b8c-2d3e4f5a6b7c",
    principalName: "sg-platform-dba-prod",
    principalType: "group",
    tenantId: "00000000-0000-4000-8000-0000000000a1",
  },
  violations: [
    ["principalType", "User", /principalType is "User"; the Entra administrator must be a Group/],
    ["principalType", "ServicePrincipal", /must be a Group/],
    ["principalType", undefined, /must be a Group/],
  ],
  passes: [["principalType", "Group"]],
  unknown: "principalType",
});

describe("postgres-entra-admin-group", () => {
  it("matches the old Administrator token", () =>
    expectPass(p.postgresEntraAdminGroup, "azure-native:dbforpostgresql:Administrator", {
      principalType: "Group",
    }));
});

describe("postgres-source-in-stack", () => {
  const RG = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers";
  const res = (name: string, props: Record<string, unknown>) => ({
    type: "azure-native:dbforpostgresql:Server",
    name,
    urn: `urn:pulumi:prod::p::azure-native:dbforpostgresql:Server::${name}`,
    props,
  });
  const main = res("main", { id: `${RG}/main`, location: "westeurope" });
  const copy = (props: Record<string, unknown>) =>
    res("copy", { id: `${RG}/copy`, location: "northeurope", ...props });
  it.each([
    [{}, ""],
    [{ createMode: "Replica", sourceServerResourceId: `${RG}/main` }, ""],
    [
      {
        createMode: "PointInTimeRestore",
        sourceServerResourceId:
          "/subscriptions/prod/resourceGroups/rg-sap-prod/providers/Microsoft.DBforPostgreSQL/flexibleServers/psql-prod",
      },
      "not a resource of this stack",
    ],
    [{ createMode: "GeoRestore" }, "without sourceServerResourceId"],
  ])("judges a server created with %j", async (props, message) => {
    const result = (await runStackPolicy(p.postgresSourceInStack, [main, copy(props)])) as string[];
    if (message) expect(result.join("\n")).toContain(message);
    else expect(result).toEqual([]);
  });
  // Preview (bypass10): a source not known yet was vouched for by any dependency of the copy (a
  // dependsOn on our server), and a createMode not known yet skipped the policy for every server.
  it("in a preview, judges a source by what it was computed from", async () => {
    const salt = randomString();
    const computed = (sources: string[], extra: Record<string, unknown> = {}) => ({
      ...copy({ createMode: "Replica", sourceServerResourceId: UNKNOWN, ...extra }),
      dependencies: [main.urn, salt.urn],
      propertyDependencies: { sourceServerResourceId: sources },
    });
    expect(await runStackPolicy(p.postgresSourceInStack, [main, salt, computed([main.urn])])).toEqual([]);
    expect(String(await runStackPolicy(p.postgresSourceInStack, [main, salt, computed([salt.urn])]))).toMatch(
      /sourceServerResourceId is not known yet and does not come from a resource of this stack/,
    );
    const other = res("other", {
      createMode: "PointInTimeRestore",
      sourceServerResourceId:
        "/subscriptions/prod/resourceGroups/rg-sap-prod/providers/Microsoft.DBforPostgreSQL/flexibleServers/psql-prod",
    });
    expect(
      String(
        await runStackPolicy(p.postgresSourceInStack, [
          main,
          salt,
          computed([main.urn], { createMode: UNKNOWN }),
          other,
        ]),
      ),
    ).toMatch(/other: sourceServerResourceId .* is not a resource of this stack/);
  });
});

describeStackPolicy(p.postgresServerParameters);

describe("postgres-server-parameters", () => {
  // Preview (bypass10): before, one configuration whose value, parameter or server name was not
  // known yet made the policy "can't run during preview" for every server, hiding a second
  // server without the TLS floor.
  it("in a preview, a configuration not known yet hides no server without the TLS floor", async () => {
    const second = res("dbforpostgresql:Server", "pg2", { serverName: "pg2" });
    const preview = (props: Record<string, unknown>) => [
      ...replace(estate(), "pg-log_connections", props),
      second,
    ];
    for (const props of [{ value: UNKNOWN }, { configurationName: UNKNOWN }, { serverName: UNKNOWN }]) {
      const text = await violations(p.postgresServerParameters, preview(props));
      expect(text).toMatch(/Server pg2: ssl_min_protocol_version is not set/);
      expect(text).not.toMatch(/Server pg: ssl_min_protocol_version/);
    }
    // A value not known yet counts as set: the configuration policies judge it.
    expect(
      await violations(
        p.postgresServerParameters,
        replace(estate(), "pg-log_connections", { value: UNKNOWN }),
      ),
    ).toBe("");
  });
  it("flags a server without the TLS 1.3 floor", async () => {
    expect(
      await violations(p.postgresServerParameters, without(estate(), "pg-ssl_min_protocol_version")),
    ).toMatch(/ssl_min_protocol_version is not set/);
  });
  it("flags disconnection logging off", async () => {
    expect(
      await violations(
        p.postgresServerParameters,
        replace(estate(), "pg-log_disconnections", { value: "off" }),
      ),
    ).toMatch(/log_disconnections/);
  });
});
