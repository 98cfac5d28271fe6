import { runStackPolicy, UNKNOWN } from "../../helpers/policyHarness";
import { stackResource } from "./support";
import { customerManagedKeyStrength } from "../../../policy/policies/customerManagedKeys";

const urn = (type: string, name: string) => `urn:pulumi:prod::secure-azure-platform::${type}::${name}`;
const res = stackResource;
const key = (properties: Record<string, unknown>) =>
  res("keyvault:Key", "cmk", {
    keyName: "cmk",
    vaultName: "kv1",
    keyUri: "https://kv1.vault.azure.net/keys/cmk",
    properties,
  });
const account = (keyName: unknown = "cmk") =>
  res(
    "storage:StorageAccount",
    "st",
    {
      encryption: {
        keySource: "Microsoft.Keyvault",
        keyVaultProperties: { keyVaultUri: "https://kv1.vault.azure.net/", keyName },
      },
    },
    [urn("azure-native:keyvault:Key", "cmk")],
  );
const strong = { kty: "RSA-HSM", keySize: 3072, keyOps: ["wrapKey", "unwrapKey"] };

describe("customer-managed-key-strength", () => {
  it("accepts a strong RSA-HSM key used as CMK", async () => {
    expect(await runStackPolicy(customerManagedKeyStrength, [key(strong), account()])).toEqual([]);
  });
  it("judges a signing key used as CMK, whatever its keyOps", async () => {
    const signing = key({ kty: "EC-HSM", curveName: "P-256", keyOps: ["sign", "verify"] });
    const result = await runStackPolicy(customerManagedKeyStrength, [signing, account()]);
    expect(result).toEqual(expect.arrayContaining([expect.stringMatching(/customer-managed key of .*kty/)]));
  });
  it("judges a short RSA key limited to sign/verify used as CMK", async () => {
    const weak = key({ kty: "RSA-HSM", keySize: 2048, keyOps: ["sign", "verify"] });
    expect(String(await runStackPolicy(customerManagedKeyStrength, [weak, account()]))).toMatch(/keySize/);
  });
  it("leaves a weak key nobody encrypts with to key-vault-key-strength", async () => {
    const signing = key({ kty: "EC", keyOps: ["sign"] });
    expect(await runStackPolicy(customerManagedKeyStrength, [signing])).toEqual([]);
  });
  it("accepts software RSA when HSM is not required (dev)", async () => {
    const soft = key({ kty: "RSA", keySize: 3072 });
    expect(
      await runStackPolicy(customerManagedKeyStrength, [soft, account()], { requireHsm: false }),
    ).toEqual([]);
  });
  it("in a preview, judges the keys the store depends on", async () => {
    const signing = key({ kty: "EC", keyOps: ["sign"] });
    const result = await runStackPolicy(customerManagedKeyStrength, [signing, account(UNKNOWN)]);
    expect(String(result)).toMatch(/kty/);
  });
});
