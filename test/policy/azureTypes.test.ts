/** Token normalization (policy/lib/azureTypes.ts) and the did-you-mean helper (controls/closest.ts). */
import { canonicalType, isAzureResource, parseType } from "../../policy/lib/azureTypes";
import { closest } from "../../controls/closest";

describe("parseType: one canonical type per Azure resource type", () => {
  it.each([
    ["azure-native:storage:StorageAccount", "azure-native:storage:StorageAccount", true],
    ["azure-native:cache:Redis", "azure-native:redis:Redis", true],
    ["azure-native:storage/v20230101:StorageAccount", "azure-native:storage:StorageAccount", true],
    [
      "azure-native:insights/v20210501preview:DiagnosticSetting",
      "azure-native:monitor:DiagnosticSetting",
      true,
    ],
    ["azure-native_storage_v20240101:storage:StorageAccount", "azure-native:storage:StorageAccount", true],
    [
      "azure-native_cache_v20230401:cache:RedisEnterprise",
      "azure-native:redisenterprise:RedisEnterprise",
      true,
    ],
    ["azure-native_web_v20240401preview:web:WebApp", "azure-native:web:WebApp", false],
    [
      "azure-native:cache/v20240901preview:AccessPolicyAssignment",
      "azure-native:redisenterprise:AccessPolicyAssignment",
      true,
    ],
    ["azure-native:documentdb:DatabaseAccount", "azure-native:documentdb:DatabaseAccount", false],
  ])("%s -> %s (known: %s)", (token, canonical, known) => {
    expect(parseType(token)).toEqual({
      package: "azure-native",
      canonical,
      known: known ? canonical : undefined,
    });
    expect(canonicalType(token)).toBe(known ? canonical : undefined);
  });

  it("keeps Azure Classic tokens as their own, never known, type", () => {
    expect(parseType("azure:storage/account:Account")).toEqual({
      package: "azure-classic",
      canonical: "azure:storage/account:Account",
      known: undefined,
    });
    expect(canonicalType("azure:keyvault/keyVault:KeyVault")).toBeUndefined();
  });

  it.each([
    "random:index/randomString:RandomString",
    "azuread:index/application:Application",
    "pulumi:providers:azure-native",
    "pulumi:providers:azure-native_storage_v20240101",
    "secure-azure-platform:data:BlobStorage",
    "azure-nativex:storage:StorageAccount",
    "",
  ])("%s is not an Azure resource", (token) => {
    expect(isAzureResource(token)).toBe(false);
  });

  it("non-strings are not Azure resources", () => {
    expect(isAzureResource(undefined)).toBe(false);
    expect(isAzureResource(42)).toBe(false);
  });
});

describe("closest", () => {
  const names = ["minRetentionDays", "requireZoneRedundancy", "allowed-locations", "required-tags"];
  it.each([
    ["minRetentionDay", "minRetentionDays"],
    ["minRetentonDays", "minRetentionDays"],
    ["requireZoneRedundency", "requireZoneRedundancy"],
    ["allowed-location", "allowed-locations"],
    ["REQUIRED-TAGS", "required-tags"],
  ])("%s -> %s", (typo, meant) => expect(closest(typo, names)).toBe(meant));
  it("suggests nothing for a name far from every candidate", () => {
    expect(closest("colour", names)).toBeUndefined();
  });
});
