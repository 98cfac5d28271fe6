/**
 * BlobStorage under mocks: every secure default on the registered account, blob service and
 * containers (dev and prod), CMK wiring, and every insecure override either impossible in the
 * args type (`@ts-expect-error`, checked by typecheck) or a clear error that registers nothing.
 */
import { BlobStorage, type BlobStorageArgs } from "../../components/blobStorage";
import { CustomerManagedKey } from "../../components/customerManagedKey";
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

const ACCOUNT = "azure-native:storage:StorageAccount";
const BLOB_SERVICE = "azure-native:storage:BlobServiceProperties";
const CONTAINER = "azure-native:storage:BlobContainer";
const DIAG = "azure-native:monitor:DiagnosticSetting";
const LOCK = "azure-native:authorization:ManagementLockByScope";
const SUB = "/subscriptions/00000000-0000-4000-8000-000000000001";
const CONTAINERS = ["recordings", "transcripts", "knowledge-bases", "customer-metadata"];

const cmkArgs = () => testCmkArgs("storage");

const devArgs = (): BlobStorageArgs => ({ platform: testPlatform(), containers: CONTAINERS });
const prodArgs = (): BlobStorageArgs => ({
  platform: prodPlatform(),
  containers: CONTAINERS,
  customerManagedKey: cmkArgs(),
});

type Props = Record<string, unknown>;
const props = (r: PlannedResource, key: string) => r.inputs[key] as Props;

async function refused(args: BlobStorageArgs, message: RegExp): Promise<void> {
  const { error, resources } = await runExpectingError(() => new BlobStorage("st", args));
  expect(error.message).toMatch(message);
  expect(error.message).toContain('BlobStorage "st"');
  expect(resources).toEqual([]);
}

describe("BlobStorage with default args (dev)", () => {
  let resources: PlannedResource[];
  let account: PlannedResource;
  beforeAll(async () => {
    ({ resources } = await runProgram(() => new BlobStorage("st", devArgs())));
    account = only(resources, ACCOUNT);
  });

  it("is a data component holding every resource", () => {
    const component = only(resources, "secure-azure-platform:index:BlobStorage");
    expect(account.parent).toBe(component.urn);
  });

  it("is a StorageV2 account with geo-redundant replication and a valid unique name (BAK-1)", () => {
    expect(account.inputs.kind).toBe("StorageV2");
    expect(account.inputs.sku).toEqual({ name: "Standard_GRS" });
    expect(account.inputs.accountName).toMatch(/^stsapdatadev[a-z0-9]{6}$/);
    expect(String(account.inputs.accountName).length).toBeLessThanOrEqual(24);
  });

  it("allows Entra ID data access only (IAM-1)", () => {
    expect(account.inputs).toMatchObject({
      allowSharedKeyAccess: false,
      defaultToOAuthAuthentication: true,
      isLocalUserEnabled: false,
      isSftpEnabled: false,
      isHnsEnabled: false,
      allowBlobPublicAccess: false,
      allowCrossTenantReplication: false,
    });
  });

  it("requires HTTPS with TLS 1.2 as floor (TLS-1)", () => {
    expect(account.inputs.minimumTlsVersion).toBe("TLS1_2");
    expect(account.inputs.enableHttpsTrafficOnly).toBe(true);
  });

  it("has no public network path (NET-1)", () => {
    expect(account.inputs.publicNetworkAccess).toBe("Disabled");
    expect(account.inputs.networkRuleSet).toEqual({
      defaultAction: "Deny",
      bypass: "AzureServices",
      ipRules: [],
      virtualNetworkRules: [],
    });
    expect(account.inputs.allowedCopyScope).toBe("PrivateLink");
  });

  it("uses infrastructure encryption with account-scoped keys (ENC-1)", () => {
    const account_ = { enabled: true, keyType: "Account" };
    expect(account.inputs.encryption).toEqual({
      requireInfrastructureEncryption: true,
      keySource: "Microsoft.Storage",
      services: { blob: account_, file: account_, queue: account_, table: account_ },
    });
    expect(account.inputs.identity).toBeUndefined();
  });

  it("is tagged customer-confidential (CLS-1)", () => {
    expect(account.inputs.tags).toEqual({
      ...testPlatform().tags,
      dataClassification: "customer-confidential",
    });
  });

  it("keeps deleted blobs and containers 35 days, with versioning, change feed and point-in-time restore (BAK-1)", () => {
    const service = only(resources, BLOB_SERVICE);
    expect(service.inputs).toMatchObject({
      accountName: account.outputs.name,
      blobServicesName: "default",
      deleteRetentionPolicy: { enabled: true, days: 35 },
      containerDeleteRetentionPolicy: { enabled: true, days: 35 },
      isVersioningEnabled: true,
      changeFeed: { enabled: true, retentionInDays: 365 },
      restorePolicy: { enabled: true, days: 34 },
    });
  });

  it("creates private containers after the blob service properties", () => {
    const service = only(resources, BLOB_SERVICE);
    const containers = byType(resources, CONTAINER);
    expect(containers.map((c) => c.inputs.containerName)).toEqual(CONTAINERS);
    for (const c of containers) {
      expect(c.inputs.publicAccess).toBe("None");
      expect(c.dependencies).toContain(service.urn);
    }
  });

  it("is reached through a blob private endpoint in the blob zone (NET-1)", () => {
    const pe = only(resources, "azure-native:network:PrivateEndpoint");
    expect(pe.inputs.privateLinkServiceConnections).toEqual([
      expect.objectContaining({ privateLinkServiceId: account.id, groupIds: ["blob"] }),
    ]);
    const zoneGroup = only(resources, "azure-native:network:PrivateDnsZoneGroup");
    expect(zoneGroup.inputs.privateDnsZoneConfigs).toEqual([
      expect.objectContaining({ privateDnsZoneId: testPlatform().privateDnsZoneIds.blob }),
    ]);
  });

  it("logs blob reads, writes and deletes from the blob service and metrics from the account (LOG-1)", () => {
    const service = only(resources, BLOB_SERVICE);
    const diags = byType(resources, DIAG);
    const blob = diags.find((d) => d.inputs.resourceUri === service.id);
    expect(service.id).toBe(`${account.id}/blobServices/default`);
    expect(blob?.inputs).toMatchObject({
      workspaceId: testPlatform().workspaceId,
      logs: [
        { category: "StorageRead", enabled: true },
        { category: "StorageWrite", enabled: true },
        { category: "StorageDelete", enabled: true },
      ],
      metrics: [{ category: "AllMetrics", enabled: true }],
    });
    const accountDiag = diags.find((d) => d.inputs.resourceUri === account.id);
    expect(accountDiag?.inputs).toMatchObject({
      logs: [],
      metrics: [{ category: "AllMetrics", enabled: true }],
    });
  });

  it("alerts on availability (MON-1)", () => {
    const alert = only(resources, "azure-native:monitor:MetricAlert");
    expect(alert.inputs.scopes).toEqual([account.id]);
  });

  it("has no lock and no protect in dev", () => {
    expect(byType(resources, LOCK)).toEqual([]);
    expect(resources.filter((r) => r.protect)).toEqual([]);
  });

  it("registers its outputs", () => {
    const component = only(resources, "secure-azure-platform:index:BlobStorage");
    expect(component.outputs).toEqual({
      accountId: account.id,
      accountName: account.outputs.name,
      blobEndpoint: `https://${String(account.outputs.name)}.blob.core.windows.net/`,
      containerNames: CONTAINERS,
    });
  });
});

describe("BlobStorage in prod", () => {
  let resources: PlannedResource[];
  let account: PlannedResource;
  beforeAll(async () => {
    ({ resources } = await runProgram(() => new BlobStorage("st", prodArgs())));
    account = only(resources, ACCOUNT);
  });

  it("replicates zone- and geo-redundantly (AVL-1, BAK-1)", () => {
    expect(account.inputs.sku).toEqual({ name: "Standard_GZRS" });
  });

  it("encrypts with the customer-managed key through the user-assigned identity, versionless (ENC-2)", () => {
    const cmk = cmkArgs();
    expect(account.inputs.identity).toEqual({
      type: "UserAssigned",
      userAssignedIdentities: [cmk.identityId],
    });
    expect(account.inputs.encryption).toMatchObject({
      requireInfrastructureEncryption: true,
      keySource: "Microsoft.Keyvault",
      keyVaultProperties: { keyName: cmk.keyName, keyVaultUri: cmk.keyVaultUri },
      encryptionIdentity: { encryptionUserAssignedIdentity: cmk.identityId },
    });
    expect(props(account, "encryption").keyVaultProperties).not.toHaveProperty("keyVersion");
  });

  it("locks the account and protects account and containers (BAK-2)", () => {
    const lock = only(resources, LOCK);
    expect(lock.inputs).toMatchObject({ scope: account.id, level: "CanNotDelete" });
    expect(account.protect).toBe(true);
    expect(byType(resources, CONTAINER).every((c) => c.protect)).toBe(true);
  });

  it("keeps every other secure setting", () => {
    expect(account.inputs).toMatchObject({
      allowSharedKeyAccess: false,
      publicNetworkAccess: "Disabled",
      minimumTlsVersion: "TLS1_2",
      allowBlobPublicAccess: false,
    });
  });
});

describe("BlobStorage with a CustomerManagedKey component", () => {
  it("attaches the identity that holds Crypto Service Encryption User on the key, before the account exists", async () => {
    const { resources } = await runProgram(() => {
      const platform = prodPlatform();
      const cmk = new CustomerManagedKey("st-cmk", {
        platform,
        vault: {
          id: `${SUB}/resourceGroups/rg-sap-prod/providers/Microsoft.KeyVault/vaults/kv-sap-prod-a1b2c`,
          name: "kv-sap-prod-a1b2c",
          uri: "https://kv-sap-prod-a1b2c.vault.azure.net/",
          sku: "premium",
        },
        purpose: "storage",
      });
      return new BlobStorage("st", { ...prodArgs(), platform, customerManagedKey: cmk.args });
    });
    const account = only(resources, ACCOUNT);
    const identity = only(resources, "azure-native:managedidentity:UserAssignedIdentity");
    const key = only(resources, "azure-native:keyvault:Key");
    const grant = only(resources, "azure-native:authorization:RoleAssignment");
    expect(props(account, "identity").userAssignedIdentities).toEqual([identity.id]);
    expect(props(account, "encryption").encryptionIdentity).toEqual({
      encryptionUserAssignedIdentity: identity.id,
    });
    expect(props(account, "encryption").keyVaultProperties).toEqual({
      keyName: key.outputs.name,
      keyVaultUri: "https://kv-sap-prod-a1b2c.vault.azure.net/",
    });
    expect(grant.inputs).toMatchObject({ scope: key.id, principalId: identity.outputs.principalId });
    expect(grant.inputs.roleDefinitionId).toMatch(
      new RegExp(`/roleDefinitions/${BUILT_IN_ROLES["Key Vault Crypto Service Encryption User"]}$`),
    );
    expect(waitsFor(resources, account, grant)).toBe(true);
  });
});

describe("BlobStorage refuses insecure or invalid input and registers nothing", () => {
  it("cannot enable shared keys", async () => {
    // @ts-expect-error shared key access is always off (IAM-1)
    const args: BlobStorageArgs = { ...devArgs(), allowSharedKeyAccess: true };
    await refused(args, /unknown argument "allowSharedKeyAccess"/);
  });

  it("cannot open public network access", async () => {
    // @ts-expect-error public access is always off (NET-1)
    const args: BlobStorageArgs = { ...devArgs(), publicNetworkAccess: "Enabled" };
    await refused(args, /unknown argument "publicNetworkAccess"/);
  });

  it("cannot allow public blobs", async () => {
    // @ts-expect-error blob public access is always off
    const args: BlobStorageArgs = { ...devArgs(), allowBlobPublicAccess: true };
    await refused(args, /unknown argument "allowBlobPublicAccess"/);
  });

  it("cannot lower TLS", async () => {
    // @ts-expect-error the TLS floor is fixed (TLS-1)
    const args: BlobStorageArgs = { ...devArgs(), minimumTlsVersion: "TLS1_0" };
    await refused(args, /unknown argument "minimumTlsVersion"/);
  });

  it("cannot choose a locally redundant SKU", async () => {
    // @ts-expect-error geo-redundant SKUs only (BAK-1)
    const args: BlobStorageArgs = { ...devArgs(), skuName: "Standard_LRS" };
    await refused(args, /skuName = "Standard_LRS".*geo-redundant/);
  });

  it("lists every bad setting at once, each with its value and what is allowed (ComponentArgsError)", async () => {
    const args = {
      ...devArgs(),
      containers: ["recordings", "Call_Logs", "recordings"],
      skuName: "Standard_LRS",
      softDeleteRetentionDays: 400,
    } as unknown as BlobStorageArgs;
    const { error, resources } = await runExpectingError(() => new BlobStorage("st", args));
    expect(error.name).toBe("ComponentArgsError");
    expect(error.message).toContain('BlobStorage "st": invalid arguments (4 problems)');
    expect(error.message).toContain(
      `containers[1] = "Call_Logs": must be 3-63 lowercase letters, digits or single '-'`,
    );
    expect(error.message).toContain('containers[2] = "recordings": duplicates container "recordings"');
    expect(error.message).toContain(
      'skuName = "Standard_LRS": must be one of Standard_GRS, Standard_RAGRS, Standard_GZRS, Standard_RAGZRS (geo-redundant, BAK-1)',
    );
    expect(error.message).toContain("softDeleteRetentionDays = 400: must be a whole number from 30 to 365");
    expect(resources).toEqual([]);
  });

  it("refuses an empty container list", async () => {
    await refused({ ...devArgs(), containers: [] }, /containers = \[\]: must name at least one container/);
  });

  it("refuses a non-zone-redundant SKU where zone redundancy is required (AVL-1)", async () => {
    await refused(
      { ...prodArgs(), skuName: "Standard_GRS" },
      /skuName = "Standard_GRS": must be Standard_GZRS or Standard_RAGZRS: prod is zone redundant \(AVL-1\)/,
    );
  });

  it.each([7, 29, 366])("refuses softDeleteRetentionDays = %p (BAK-1)", async (days) => {
    await refused({ ...devArgs(), softDeleteRetentionDays: days }, /softDeleteRetentionDays = .*30 to 365/);
  });

  it("refuses a restore window as long as soft delete", async () => {
    await refused(
      { ...devArgs(), softDeleteRetentionDays: 30, restoreDays: 30 },
      /restoreDays = 30.*1 to 29/,
    );
  });

  it("refuses a change feed shorter than the restore window", async () => {
    await refused({ ...devArgs(), changeFeedRetentionDays: 7 }, /changeFeedRetentionDays = 7/);
  });

  it("refuses a region replicating outside the EU (RES-1)", async () => {
    await refused(
      { ...devArgs(), platform: testPlatform({ location: "uksouth", pairedLocation: "ukwest" }) },
      /platform\.location = "uksouth": replicates to ukwest; both must be EU regions: .*\(RES-1\)/,
    );
  });

  it("requires a customer-managed key in prod (ENC-2)", async () => {
    await refused(
      { ...prodArgs(), customerManagedKey: undefined },
      /customerManagedKey = \(not set\): is required in prod/,
    );
  });

  it("refuses a versioned key URI", async () => {
    const key = cmkArgs();
    await refused(
      {
        ...prodArgs(),
        customerManagedKey: { ...key, keyUri: `${key.keyUri}/0123456789abcdef0123456789abcdef` },
      },
      /must be versionless/,
    );
  });

  it("refuses turning the lock off in prod (BAK-2)", async () => {
    await refused({ ...prodArgs(), lock: { enabled: false } }, /lock\.enabled = false: refused/);
  });

  it("refuses overriding the owner tag (CLS-1)", async () => {
    await refused(
      { ...devArgs(), tags: { owner: "someone-else" } },
      /tags\.owner = "[^"]*": cannot be overridden/,
    );
  });

  it.each([["Recordings"], ["ab"], ["a--b"], ["-abc"]])("refuses container name %p", async (name) => {
    await refused(
      { ...devArgs(), containers: [name] },
      new RegExp(`containers\\[0\\] = "${name}": must be 3-63 lowercase`),
    );
  });

  it("refuses a purpose that breaks the account naming rule", async () => {
    await refused({ ...devArgs(), purpose: "customerdocuments" }, /invalid storageAccount name/);
  });
});
