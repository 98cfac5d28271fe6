import * as s from "../../../policy/policies/storage";
import { describePolicy, expectPass, expectViolation } from "./support";

const ACCOUNT = "azure-native:storage:StorageAccount";
const account = {
  accountName: "sapdevst1234",
  kind: "StorageV2",
  sku: { name: "Standard_GZRS" },
  allowSharedKeyAccess: false,
  defaultToOAuthAuthentication: true,
  isLocalUserEnabled: false,
  isSftpEnabled: false,
  allowBlobPublicAccess: false,
  allowCrossTenantReplication: false,
  minimumTlsVersion: "TLS1_2",
  enableHttpsTrafficOnly: true,
  publicNetworkAccess: "Disabled",
  networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" },
  encryption: {
    requireInfrastructureEncryption: true,
    keySource: "Microsoft.Keyvault",
    keyVaultProperties: { keyVaultUri: "https://kv1.vault.azure.net/", keyName: "storage-cmk" },
    encryptionIdentity: {
      encryptionUserAssignedIdentity:
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1",
    },
  },
};

describePolicy(s.storageAccountEntraOnlyAuth, {
  type: ACCOUNT,
  compliant: account,
  violations: [
    ["allowSharedKeyAccess", true, /allowSharedKeyAccess/],
    ["allowSharedKeyAccess", undefined, /allowSharedKeyAccess is not set/],
    ["defaultToOAuthAuthentication", false, /defaultToOAuthAuthentication/],
    ["isLocalUserEnabled", undefined, /isLocalUserEnabled/],
    ["isSftpEnabled", true, /isSftpEnabled/],
  ],
  unknown: "allowSharedKeyAccess",
});

describePolicy(s.storageAccountNoPublicBlobAccess, {
  type: ACCOUNT,
  compliant: account,
  violations: [
    ["allowBlobPublicAccess", true, /allowBlobPublicAccess/],
    ["allowBlobPublicAccess", undefined, /allowBlobPublicAccess/],
  ],
  unknown: "allowBlobPublicAccess",
});

describePolicy(s.storageAccountNoCrossTenantReplication, {
  type: ACCOUNT,
  compliant: account,
  violations: [["allowCrossTenantReplication", true, /allowCrossTenantReplication/]],
  unknown: "allowCrossTenantReplication",
});

describePolicy(s.storageAccountTls, {
  type: ACCOUNT,
  compliant: account,
  violations: [
    ["minimumTlsVersion", "TLS1_0", /minimumTlsVersion/],
    ["minimumTlsVersion", undefined, /minimumTlsVersion is not set/],
    ["enableHttpsTrafficOnly", false, /enableHttpsTrafficOnly/],
  ],
  passes: [
    ["minimumTlsVersion", "TLS1_3"],
    ["enableHttpsTrafficOnly", undefined],
  ],
  unknown: "minimumTlsVersion",
});

describePolicy(s.storageAccountInfrastructureEncryption, {
  type: ACCOUNT,
  compliant: account,
  violations: [
    ["encryption.requireInfrastructureEncryption", false, /requireInfrastructureEncryption/],
    ["encryption", undefined, /requireInfrastructureEncryption/],
  ],
  unknown: "encryption",
});

describePolicy(s.storageAccountCustomerManagedKey, {
  type: ACCOUNT,
  compliant: account,
  violations: [
    ["encryption.keySource", "Microsoft.Storage", /keySource/],
    ["encryption.keyVaultProperties.keyName", undefined, /keyVaultProperties/],
    ["encryption.encryptionIdentity", undefined, /encryptionUserAssignedIdentity/],
  ],
  unknown: "encryption.keySource",
});

describe("storage-account-customer-managed-key config", () => {
  it("does not require CMK when requireCustomerManagedKey is false", () =>
    expectPass(
      s.storageAccountCustomerManagedKey,
      ACCOUNT,
      { ...account, encryption: { requireInfrastructureEncryption: true, keySource: "Microsoft.Storage" } },
      { requireCustomerManagedKey: false },
    ));
  it("matches the old versioned token of the type", () =>
    expectViolation(
      s.storageAccountCustomerManagedKey,
      "azure-native:storage/v20230101:StorageAccount",
      { ...account, encryption: {} },
      /keySource/,
    ));
});

describePolicy(s.storageAccountPrivateAccess, {
  type: ACCOUNT,
  compliant: account,
  violations: [
    ["publicNetworkAccess", "Enabled", /publicNetworkAccess/],
    ["publicNetworkAccess", undefined, /publicNetworkAccess/],
    ["networkRuleSet.defaultAction", "Allow", /defaultAction/],
    ["networkRuleSet", undefined, /defaultAction/],
  ],
  unknown: "networkRuleSet",
});

describePolicy(s.storageAccountGeoRedundant, {
  type: ACCOUNT,
  compliant: account,
  violations: [
    ["sku.name", "Standard_LRS", /sku.name/],
    ["sku.name", "Standard_ZRS", /sku.name/],
    ["sku.name", "Standard_GRS", /Standard_GZRS/],
  ],
  passes: [["sku.name", "Standard_RAGZRS"]],
  unknown: "sku",
});

describe("storage-account-geo-redundant without zone redundancy", () => {
  it("accepts GRS", () =>
    expectPass(
      s.storageAccountGeoRedundant,
      ACCOUNT,
      { ...account, sku: { name: "Standard_GRS" } },
      {
        requireZoneRedundancy: false,
      },
    ));
  it("still refuses LRS", () =>
    expectViolation(
      s.storageAccountGeoRedundant,
      ACCOUNT,
      { ...account, sku: { name: "Standard_LRS" } },
      /sku/,
      {
        requireZoneRedundancy: false,
      },
    ));
});

const BLOB = "azure-native:storage:BlobServiceProperties";
const blobService = {
  accountName: "sapdevst1234",
  blobServicesName: "default",
  deleteRetentionPolicy: { enabled: true, days: 35 },
  containerDeleteRetentionPolicy: { enabled: true, days: 35 },
  isVersioningEnabled: true,
  changeFeed: { enabled: true },
  restorePolicy: { enabled: true, days: 34 },
};

describePolicy(s.blobServiceSoftDelete, {
  type: BLOB,
  compliant: blobService,
  violations: [
    ["deleteRetentionPolicy.days", 7, /deleteRetentionPolicy.days/],
    ["deleteRetentionPolicy.enabled", false, /deleteRetentionPolicy.enabled/],
    ["containerDeleteRetentionPolicy", undefined, /containerDeleteRetentionPolicy.enabled/],
    ["deleteRetentionPolicy.allowPermanentDelete", true, /allowPermanentDelete/],
  ],
  passes: [["deleteRetentionPolicy.days", 365]],
  unknown: "deleteRetentionPolicy",
});

describePolicy(s.blobServiceVersioning, {
  type: BLOB,
  compliant: blobService,
  violations: [
    ["isVersioningEnabled", false, /isVersioningEnabled/],
    ["changeFeed", undefined, /changeFeed/],
  ],
  unknown: "changeFeed",
});

describePolicy(s.blobServicePointInTimeRestore, {
  type: BLOB,
  compliant: blobService,
  violations: [
    ["restorePolicy", undefined, /restorePolicy.enabled/],
    ["restorePolicy.days", 35, /shorter than/],
    ["restorePolicy.days", 0, /at least 1/],
  ],
  unknown: "restorePolicy",
});

describePolicy(s.blobContainerPrivate, {
  type: "azure-native:storage:BlobContainer",
  compliant: { accountName: "a", containerName: "recordings", publicAccess: "None" },
  violations: [
    ["publicAccess", "Blob", /publicAccess/],
    ["publicAccess", "Container", /publicAccess/],
  ],
  passes: [["publicAccess", undefined]],
  unknown: "publicAccess",
});
