/**
 * ManagedRedis under mocks: every secure default on the registered cluster and database (dev
 * and prod), CMK wiring, no access grants of its own (each `ContainerApp` makes its identity's
 * access policy assignment: test/components/containerApp.test.ts), and every insecure override either impossible in the
 * args type (`@ts-expect-error`, checked by typecheck) or a clear error that registers nothing.
 */
import { CustomerManagedKey } from "../../components/customerManagedKey";
import { DIAGNOSTIC_SETTING_NAME } from "../../components/common/diagnostics";
import { ManagedRedis, type ManagedRedisArgs } from "../../components/managedRedis";
import { prodPlatform, testCmkArgs, testPlatform } from "../helpers/platform";
import {
  byType,
  only,
  runExpectingError,
  runProgram,
  type PlannedResource,
  waitsFor,
} from "../helpers/pulumi";

const CLUSTER = "azure-native:redisenterprise:RedisEnterprise";
const DATABASE = "azure-native:redisenterprise:Database";
const ACCESS = "azure-native:redisenterprise:AccessPolicyAssignment";
const DIAG = "azure-native:monitor:DiagnosticSetting";
const LOCK = "azure-native:authorization:ManagementLockByScope";
const SUB = "/subscriptions/00000000-0000-4000-8000-000000000001";
const APP_PRINCIPAL = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f";

const cmkArgs = () => testCmkArgs("redis");

const devArgs = (): ManagedRedisArgs => ({ platform: testPlatform() });
const prodArgs = (): ManagedRedisArgs => ({
  platform: prodPlatform(),
  skuName: "Balanced_B5",
  customerManagedKey: cmkArgs(),
});

type Props = Record<string, unknown>;
const props = (r: PlannedResource, key: string) => r.inputs[key] as Props;

async function refused(args: ManagedRedisArgs, message: RegExp): Promise<void> {
  const { error, resources } = await runExpectingError(() => new ManagedRedis("redis", args));
  expect(error.message).toMatch(message);
  expect(error.message).toContain('ManagedRedis "redis"');
  expect(resources).toEqual([]);
}

describe("ManagedRedis with default args (dev)", () => {
  let resources: PlannedResource[];
  let cluster: PlannedResource;
  let database: PlannedResource;
  beforeAll(async () => {
    ({ resources } = await runProgram(() => new ManagedRedis("redis", devArgs())));
    cluster = only(resources, CLUSTER);
    database = only(resources, DATABASE);
  });

  it("is a data component holding every resource", () => {
    const component = only(resources, "secure-azure-platform:index:ManagedRedis");
    expect(cluster.parent).toBe(component.urn);
    expect(database.parent).toBe(component.urn);
  });

  it("is an Azure Managed Redis cluster (not the retired Azure Cache for Redis)", () => {
    expect(byType(resources, "azure-native:redis:Redis")).toEqual([]);
    expect(cluster.inputs.sku).toEqual({ name: "Balanced_B0" });
    expect(cluster.inputs.clusterName).toMatch(/^amr-sap-cache-dev-[a-z0-9]{6}$/);
  });

  it("requires TLS 1.2 or newer and TLS-only clients (TLS-1)", () => {
    expect(cluster.inputs.minimumTlsVersion).toBe("1.2");
    expect(database.inputs.clientProtocol).toBe("Encrypted");
    expect(database.inputs.port).toBe(10000);
  });

  it("turns access keys off (IAM-1)", () => {
    expect(database.inputs.accessKeysAuthentication).toBe("Disabled");
  });

  it("has public network access disabled and a redisEnterprise private endpoint (NET-1)", () => {
    expect(cluster.inputs.publicNetworkAccess).toBe("Disabled");
    const pe = only(resources, "azure-native:network:PrivateEndpoint");
    expect(pe.inputs.privateLinkServiceConnections).toEqual([
      expect.objectContaining({ privateLinkServiceId: cluster.id, groupIds: ["redisEnterprise"] }),
    ]);
    const zoneGroup = only(resources, "azure-native:network:PrivateDnsZoneGroup");
    expect(zoneGroup.inputs.privateDnsZoneConfigs).toEqual([
      expect.objectContaining({ privateDnsZoneId: testPlatform().privateDnsZoneIds.redis }),
    ]);
  });

  it("runs without HA or persistence in dev (a cache)", () => {
    expect(cluster.inputs.highAvailability).toBe("Disabled");
    expect(database.inputs.persistence).toEqual({ aofEnabled: false, rdbEnabled: false });
  });

  it("uses the Enterprise clustering policy and volatile-LRU eviction", () => {
    expect(database.inputs).toMatchObject({
      databaseName: "default",
      clusterName: cluster.outputs.name,
      clusteringPolicy: "EnterpriseCluster",
      evictionPolicy: "VolatileLRU",
    });
  });

  it("uses platform-managed keys when no CMK is given in dev", () => {
    expect(cluster.inputs.encryption).toBeUndefined();
    expect(cluster.inputs.identity).toBeUndefined();
  });

  it("is tagged customer-confidential (CLS-1)", () => {
    expect(cluster.inputs.tags).toEqual({
      ...testPlatform().tags,
      dataClassification: "customer-confidential",
    });
  });

  it("sends cluster metrics and database connection logs to the workspace (LOG-1)", () => {
    const diags = byType(resources, DIAG);
    expect(diags.find((d) => d.inputs.resourceUri === cluster.id)?.inputs).toMatchObject({
      workspaceId: testPlatform().workspaceId,
      logs: [],
      metrics: [{ category: "AllMetrics", enabled: true }],
    });
    expect(diags.find((d) => d.inputs.resourceUri === database.id)?.inputs).toMatchObject({
      workspaceId: testPlatform().workspaceId,
      logs: [{ categoryGroup: "allLogs", enabled: true }],
      metrics: [],
    });
    // The shared helper's setting: one name, and deleted before a replacement (one sink per setting).
    expect(diags.map((d) => [d.inputs.name, d.deleteBeforeReplace])).toEqual([
      [DIAGNOSTIC_SETTING_NAME, true],
      [DIAGNOSTIC_SETTING_NAME, true],
    ]);
  });

  it("refuses a malformed extra diagnostics category before anything registers (LOG-1)", async () => {
    await refused(
      { ...devArgs(), diagnostics: { additionalLogCategories: ["bad name"] } },
      /diagnostics\.additionalLogCategories\[0\] = "bad name": is not a category name/,
    );
  });

  it("alerts on memory and server load (MON-1)", () => {
    const metrics = byType(resources, "azure-native:monitor:MetricAlert").map((a) => {
      expect(a.inputs.scopes).toEqual([cluster.id]);
      return (a.inputs.criteria as { allOf: Props[] }).allOf[0].metricName;
    });
    expect(metrics).toEqual(["usedmemorypercentage", "serverLoad"]);
  });

  it("grants nobody data access itself: apps make their own assignments (IAM-1)", () => {
    expect(byType(resources, ACCESS)).toEqual([]);
  });

  it("has no lock and no protect in dev", () => {
    expect(byType(resources, LOCK)).toEqual([]);
    expect(resources.filter((r) => r.protect)).toEqual([]);
  });

  it("registers its outputs", () => {
    const component = only(resources, "secure-azure-platform:index:ManagedRedis");
    expect(component.outputs).toEqual({
      clusterId: cluster.id,
      clusterName: cluster.outputs.name,
      hostName: `${String(cluster.outputs.name)}.westeurope.redis.azure.net`,
      port: 10000,
      databaseId: database.id,
      databaseName: database.outputs.name,
    });
  });
});

describe("ManagedRedis in prod", () => {
  let resources: PlannedResource[];
  let cluster: PlannedResource;
  let database: PlannedResource;
  beforeAll(async () => {
    ({ resources } = await runProgram(() => new ManagedRedis("redis", prodArgs())));
    cluster = only(resources, CLUSTER);
    database = only(resources, DATABASE);
  });

  it("replicates the data set (AVL-1) and persists it every second (BAK-1)", () => {
    expect(cluster.inputs.sku).toEqual({ name: "Balanced_B5" });
    expect(cluster.inputs.highAvailability).toBe("Enabled");
    expect(database.inputs.persistence).toEqual({ aofEnabled: true, aofFrequency: "1s" });
  });

  it("encrypts with the customer-managed key through the user-assigned identity (ENC-2)", () => {
    const cmk = cmkArgs();
    expect(cluster.inputs.identity).toEqual({
      type: "UserAssigned",
      userAssignedIdentities: [cmk.identityId],
    });
    const encryption = props(cluster, "encryption").customerManagedKeyEncryption as Props;
    expect(encryption.keyEncryptionKeyIdentity).toEqual({
      identityType: "userAssignedIdentity",
      userAssignedIdentityResourceId: cmk.identityId,
    });
    // Managed Redis takes versioned key URLs only: the key's current version.
    expect(encryption.keyEncryptionKeyUrl).toMatch(new RegExp(`^${cmk.keyUri}/[0-9a-f]{32}$`));
  });

  it("locks the cluster and protects cluster and database (BAK-2)", () => {
    const lock = only(resources, LOCK);
    expect(lock.inputs).toMatchObject({ scope: cluster.id, level: "CanNotDelete" });
    expect(cluster.protect).toBe(true);
    expect(database.protect).toBe(true);
  });

  it("keeps TLS, access keys off and private access", () => {
    expect(cluster.inputs).toMatchObject({ minimumTlsVersion: "1.2", publicNetworkAccess: "Disabled" });
    expect(database.inputs).toMatchObject({
      clientProtocol: "Encrypted",
      accessKeysAuthentication: "Disabled",
    });
  });
});

describe("ManagedRedis persistence options", () => {
  it("takes hourly RDB snapshots with persistence rdb", async () => {
    const { resources } = await runProgram(
      () => new ManagedRedis("redis", { ...devArgs(), persistence: "rdb" }),
    );
    expect(only(resources, DATABASE).inputs.persistence).toEqual({ rdbEnabled: true, rdbFrequency: "1h" });
  });
});

describe("ManagedRedis with a CustomerManagedKey component", () => {
  it("uses the key's current version and the identity granted on that key", async () => {
    const { resources } = await runProgram(() => {
      const platform = prodPlatform();
      const cmk = new CustomerManagedKey("redis-cmk", {
        platform,
        vault: {
          id: `${SUB}/resourceGroups/rg-sap-prod/providers/Microsoft.KeyVault/vaults/kv-sap-prod-a1b2c`,
          name: "kv-sap-prod-a1b2c",
          uri: "https://kv-sap-prod-a1b2c.vault.azure.net/",
          sku: "premium",
        },
        purpose: "redis",
      });
      return new ManagedRedis("redis", { ...prodArgs(), platform, customerManagedKey: cmk.args });
    });
    const cluster = only(resources, CLUSTER);
    const identity = only(resources, "azure-native:managedidentity:UserAssignedIdentity");
    const key = only(resources, "azure-native:keyvault:Key");
    const grant = only(resources, "azure-native:authorization:RoleAssignment");
    expect(props(cluster, "identity").userAssignedIdentities).toEqual([identity.id]);
    const encryption = props(cluster, "encryption").customerManagedKeyEncryption as Props;
    expect(encryption.keyEncryptionKeyUrl).toBe(key.outputs.keyUriWithVersion);
    expect(grant.inputs).toMatchObject({ scope: key.id, principalId: identity.outputs.principalId });
    expect(waitsFor(resources, cluster, grant)).toBe(true);
  });
});

describe("ManagedRedis refuses insecure or invalid input and registers nothing", () => {
  it("cannot enable access keys", async () => {
    // @ts-expect-error access keys are always off (IAM-1)
    const args: ManagedRedisArgs = { ...devArgs(), accessKeysAuthentication: "Enabled" };
    await refused(args, /unknown argument "accessKeysAuthentication"/);
  });

  it("cannot allow plaintext clients", async () => {
    // @ts-expect-error the client protocol is always Encrypted (TLS-1)
    const args: ManagedRedisArgs = { ...devArgs(), clientProtocol: "Plaintext" };
    await refused(args, /unknown argument "clientProtocol"/);
  });

  it("cannot lower TLS", async () => {
    // @ts-expect-error the TLS floor is fixed (TLS-1)
    const args: ManagedRedisArgs = { ...devArgs(), minimumTlsVersion: "1.0" };
    await refused(args, /unknown argument "minimumTlsVersion"/);
  });

  it("cannot open public network access", async () => {
    // @ts-expect-error public access is always off (NET-1)
    const args: ManagedRedisArgs = { ...devArgs(), publicNetworkAccess: "Enabled" };
    await refused(args, /unknown argument "publicNetworkAccess"/);
  });

  it("refuses the retiring Enterprise SKUs and unknown SKUs", async () => {
    await refused(
      { ...devArgs(), skuName: "Enterprise_E10" },
      /skuName = "Enterprise_E10": must be an Azure Managed Redis SKU/,
    );
    await refused({ ...devArgs(), skuName: "Balanced_B2" }, /skuName = "Balanced_B2"/);
  });

  it("lists every bad setting at once, each with its value and what is allowed (ComponentArgsError)", async () => {
    const args = {
      ...prodArgs(),
      skuName: "Balanced_B2",
      persistence: "always",
      evictionPolicy: "Random",
      highAvailability: false,
    } as unknown as ManagedRedisArgs;
    const { error, resources } = await runExpectingError(() => new ManagedRedis("redis", args));
    expect(error.name).toBe("ComponentArgsError");
    expect(error.message).toContain('ManagedRedis "redis": invalid arguments (4 problems)');
    expect(error.message).toMatch(
      /skuName = "Balanced_B2": must be an Azure Managed Redis SKU .*Balanced_B0/,
    );
    expect(error.message).toContain('persistence = "always": must be one of none, rdb, aof');
    expect(error.message).toMatch(/evictionPolicy = "Random": must be one of .*VolatileLRU/);
    expect(error.message).toContain("highAvailability = false: refused: prod requires a replicated cluster");
    expect(resources).toEqual([]);
  });

  it("refuses turning HA off in prod (AVL-1)", async () => {
    await refused(
      { ...prodArgs(), highAvailability: false },
      /highAvailability = false: refused: prod requires a replicated cluster \(AVL-1\)/,
    );
  });

  it("refuses the deprecated always-AOF frequency and unknown persistence", async () => {
    // @ts-expect-error only none, rdb and aof
    const args: ManagedRedisArgs = { ...devArgs(), persistence: "always" };
    await refused(args, /persistence = "always"/);
  });

  it("refuses rdbFrequency without rdb persistence", async () => {
    await refused(
      { ...devArgs(), rdbFrequency: "6h" },
      /rdbFrequency = "6h": is only used with persistence = "rdb" \(persistence is "none"\)/,
    );
  });

  it("requires a customer-managed key in prod (ENC-2)", async () => {
    await refused(
      { ...prodArgs(), customerManagedKey: undefined },
      /customerManagedKey = \(not set\): is required in prod/,
    );
  });

  it("refuses turning the lock off in prod (BAK-2)", async () => {
    await refused({ ...prodArgs(), lock: { enabled: false } }, /lock\.enabled = false: refused/);
  });

  it("refuses privileged roles for workload identities (IAM-2)", async () => {
    await refused(
      {
        ...devArgs(),
        roleAssignments: [
          { role: "Contributor", principalId: APP_PRINCIPAL, principalType: "ServicePrincipal" },
        ],
      },
      /role "Contributor" refused/,
    );
  });
});
