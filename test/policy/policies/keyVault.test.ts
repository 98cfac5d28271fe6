import * as k from "../../../policy/policies/keyVault";
import { runResourcePolicy } from "../../helpers/policyHarness";
import { describePolicy, expectPass, expectViolation, set } from "./support";

const VAULT = "azure-native:keyvault:Vault";
const vault = {
  vaultName: "sap-prod-kv-x1",
  properties: {
    tenantId: "t",
    sku: { family: "A", name: "premium" },
    enableRbacAuthorization: true,
    enableSoftDelete: true,
    softDeleteRetentionInDays: 90,
    enablePurgeProtection: true,
    publicNetworkAccess: "Disabled",
    networkAcls: { defaultAction: "Deny", bypass: "AzureServices" },
    enabledForDeployment: false,
    enabledForTemplateDeployment: false,
    enabledForDiskEncryption: false,
  },
};

describePolicy(k.keyVaultRbacAuthorization, {
  type: VAULT,
  compliant: vault,
  violations: [
    ["properties.enableRbacAuthorization", false, /enableRbacAuthorization/],
    ["properties.enableRbacAuthorization", undefined, /enableRbacAuthorization/],
    ["properties.accessPolicies", [{ objectId: "x" }], /accessPolicies/],
  ],
  unknown: "properties.enableRbacAuthorization",
});

describePolicy(k.keyVaultDeletionProtection, {
  type: VAULT,
  compliant: vault,
  violations: [
    ["properties.enablePurgeProtection", undefined, /enablePurgeProtection/],
    ["properties.softDeleteRetentionInDays", 7, /softDeleteRetentionInDays/],
    ["properties.enableSoftDelete", false, /enableSoftDelete/],
  ],
  passes: [["properties.softDeleteRetentionInDays", undefined]],
  unknown: "properties.enablePurgeProtection",
});

describePolicy(k.keyVaultPrivateAccess, {
  type: VAULT,
  compliant: vault,
  violations: [
    ["properties.publicNetworkAccess", "Enabled", /publicNetworkAccess/],
    ["properties.publicNetworkAccess", undefined, /publicNetworkAccess/],
    ["properties.networkAcls.defaultAction", "Allow", /defaultAction/],
    ["properties.networkAcls.bypass", "None", /bypass/],
  ],
  unknown: "properties.networkAcls",
});

describePolicy(k.keyVaultNoPlatformAccess, {
  type: VAULT,
  compliant: vault,
  violations: [
    ["properties.enabledForDeployment", true, /enabledForDeployment/],
    ["properties.enabledForTemplateDeployment", true, /enabledForTemplateDeployment/],
    ["properties.enabledForDiskEncryption", true, /enabledForDiskEncryption/],
  ],
  unknown: "properties.enabledForDeployment",
});

describePolicy(k.keyVaultPremiumSku, {
  type: VAULT,
  compliant: vault,
  violations: [["properties.sku.name", "standard", /premium/]],
  unknown: "properties.sku",
});

it("key-vault-premium-sku accepts standard in dev", () =>
  expectPass(
    k.keyVaultPremiumSku,
    VAULT,
    { properties: { sku: { name: "standard" } } },
    { requirePremium: false },
  ));

const KEY = "azure-native:keyvault:Key";
const key = {
  vaultName: "sap-prod-kv-x1",
  keyName: "storage-cmk",
  properties: {
    kty: "RSA-HSM",
    keySize: 3072,
    attributes: { expires: 1893456000 },
    rotationPolicy: {
      attributes: { expiryTime: "P730D" },
      lifetimeActions: [
        { action: { type: "rotate" }, trigger: { timeAfterCreate: "P365D" } },
        { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } },
      ],
    },
  },
};

describePolicy(k.keyVaultKeyStrength, {
  type: KEY,
  compliant: key,
  violations: [
    ["properties.keySize", 2048, /keySize/],
    ["properties.keySize", undefined, /keySize/],
    ["properties.kty", "oct-HSM", /kty/],
    ["properties.kty", "RSA", /RSA-HSM/],
  ],
  passes: [["properties.keySize", 4096]],
  unknown: "properties.keySize",
});

describe("key-vault-key-strength and signing keys (issue 13, class 7)", () => {
  it("judges an EC key whose keyOps ask for wrapKey (meant to encrypt)", () =>
    expectViolation(
      k.keyVaultKeyStrength,
      KEY,
      { properties: { kty: "EC-HSM", curveName: "P-384", keyOps: ["wrapKey", "unwrapKey"] } },
      /kty/,
    ));
  it("judges a key that can wrap, whatever else it may do", () =>
    expectViolation(
      k.keyVaultKeyStrength,
      KEY,
      { properties: { kty: "RSA-HSM", keySize: 2048, keyOps: ["sign", "wrapKey"] } },
      /keySize/,
    ));
  it.each([
    ["an EC signing key", { kty: "EC-HSM", curveName: "P-256", keyOps: ["sign", "verify"] }],
    ["an EC key without keyOps", { kty: "EC", curveName: "P-384" }],
    ["an RSA key limited to sign/verify", { kty: "RSA", keySize: 2048, keyOps: ["sign", "verify"] }],
  ])("does not judge %s", async (_what, properties) => {
    expect(await runResourcePolicy(k.keyVaultKeyStrength, { type: KEY, props: { properties } })).toBe(
      "notApplicable",
    );
  });
});

describePolicy(k.keyVaultKeyNotExportable, {
  type: KEY,
  compliant: set(key, "properties.attributes", { enabled: true, exportable: false }),
  violations: [
    ["properties.attributes.exportable", true, /exportable is true/],
    [
      "properties.releasePolicy",
      { contentType: "application/json; charset=utf-8", data: "eyJ2ZXJzaW9uIjoiMS4wLjAifQ" },
      /releasePolicy is set/,
    ],
  ],
  passes: [["properties.attributes", undefined]],
  unknown: "properties.attributes.exportable",
});

it("key-vault-key-strength accepts software RSA when HSM is not required", () =>
  expectPass(
    k.keyVaultKeyStrength,
    KEY,
    { properties: { kty: "RSA", keySize: 3072 } },
    { requireHsm: false },
  ));

describePolicy(k.keyVaultKeyRotation, {
  type: KEY,
  compliant: key,
  violations: [
    ["properties.rotationPolicy", undefined, /rotationPolicy is not set/],
    ["properties.rotationPolicy.lifetimeActions.0.trigger.timeAfterCreate", "P2Y", /730 days/],
    [
      "properties.rotationPolicy.lifetimeActions",
      [{ action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } }],
      /no rotate action/,
    ],
  ],
  passes: [
    ["properties.rotationPolicy.lifetimeActions.0.trigger.timeAfterCreate", "P90D"],
    ["properties.rotationPolicy.lifetimeActions.0.trigger", { timeBeforeExpiry: "P400D" }],
  ],
  unknown: "properties.rotationPolicy",
});

describePolicy(k.keyVaultKeyExpiry, {
  type: KEY,
  compliant: key,
  violations: [
    ["properties.attributes", undefined, /current version has no expiry/],
    ["properties.attributes.expires", undefined, /current version has no expiry/],
    ["properties.rotationPolicy.attributes", undefined, /created by rotation would never expire/],
  ],
  passes: [["properties.rotationPolicy", undefined]],
  unknown: "properties.rotationPolicy",
});

describePolicy(k.keyVaultSecretHygiene, {
  type: "azure-native:keyvault:Secret",
  compliant: {
    vaultName: "v",
    secretName: "s",
    properties: { value: "x", contentType: "text/plain", attributes: { expires: 1893456000 } },
  },
  violations: [
    ["properties.attributes", undefined, /expires/],
    ["properties.contentType", undefined, /contentType/],
  ],
  unknown: "properties.attributes",
});
