import { runStackPolicy, UNKNOWN } from "../../helpers/policyHarness";
import { stackResource, randomString } from "./support";
import {
  customerManagedKeyStrength,
  customerManagedKeysRotate,
} from "../../../policy/policies/customerManagedKeys";
import { describeStackPolicy, estate, replace, violations, without } from "./estate";

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

describeStackPolicy(customerManagedKeysRotate);

describe("customer-managed-keys-rotate", () => {
  it("flags a key without rotation", async () => {
    expect(await violations(customerManagedKeysRotate, replace(estate(), "cmk", { properties: {} }))).toMatch(
      /no rotation policy/,
    );
  });
  it("flags a key the stack does not manage", async () => {
    expect(await violations(customerManagedKeysRotate, without(estate(), "cmk"))).toMatch(/does not manage/);
  });
  it("flags the stack's vault and key names on another host (a Managed HSM of the same name)", async () => {
    const hsm = replace(estate(), "pg", {
      dataEncryption: { type: "AzureKeyVault", primaryKeyURI: "https://kv1.managedhsm.azure.net/keys/cmk" },
    });
    expect(await violations(customerManagedKeysRotate, hsm)).toMatch(
      /cmk at kv1\.managedhsm\.azure\.net.*does not manage/,
    );
    const ours = replace(estate(), "pg", {
      dataEncryption: { type: "AzureKeyVault", primaryKeyURI: "https://KV1.vault.azure.net/keys/cmk" },
    });
    expect(await violations(customerManagedKeysRotate, ours)).toBe("");
  });
});

describe("customer-managed-keys-rotate in a preview", () => {
  const rotating = key({
    ...strong,
    rotationPolicy: {
      lifetimeActions: [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P90D" } }],
    },
  });
  it("accepts an unknown key URI that comes from a key of the stack", async () => {
    expect(await runStackPolicy(customerManagedKeysRotate, [rotating, account(UNKNOWN)])).toEqual([]);
  });
  it("refuses an unknown key URI that comes from no key of the stack", async () => {
    const salt = randomString();
    const { dependencies: _d, ...orphan } = account(UNKNOWN);
    expect(
      String(
        await runStackPolicy(customerManagedKeysRotate, [
          rotating,
          salt,
          { ...orphan, dependencies: [salt.urn] },
        ]),
      ),
    ).toMatch(/not known yet and does not come from a key of this stack/);
  });
});

describe("customer-managed-keys-rotate: pinned versions", () => {
  it("flags a storage account pinned to a key version", async () => {
    const pinned = replace(estate(), "st", {
      encryption: {
        keySource: "Microsoft.Keyvault",
        keyVaultProperties: {
          keyVaultUri: "https://kv1.vault.azure.net/",
          keyName: "cmk",
          keyVersion: "0123abcd",
        },
      },
    });
    expect(await violations(customerManagedKeysRotate, pinned)).toMatch(/pins version 0123abcd/);
  });
  it("flags a PostgreSQL key URI with a version", async () => {
    const pinned = replace(estate(), "pg", {
      dataEncryption: { type: "AzureKeyVault", primaryKeyURI: "https://kv1.vault.azure.net/keys/cmk/abc123" },
    });
    expect(await violations(customerManagedKeysRotate, pinned)).toMatch(/Server pg pins version abc123/);
  });
  it("wants Managed Redis on the key's current version", async () => {
    const redis = (version: string) => [
      ...replace(estate(), "cmk", { keyUriWithVersion: "https://kv1.vault.azure.net/keys/cmk/v2" }),
      res("redisenterprise:RedisEnterprise", "redis", {
        encryption: {
          customerManagedKeyEncryption: {
            keyEncryptionKeyUrl: `https://kv1.vault.azure.net/keys/cmk/${version}`,
          },
        },
      }),
    ];
    expect(await violations(customerManagedKeysRotate, redis("v2"))).toBe("");
    expect(await violations(customerManagedKeysRotate, redis("v1"))).toMatch(
      /version v1 .* not its current version v2/,
    );
  });
});

// Preview (bypass10): before, a store's encryption or a key's properties not known yet made both
// policies "can't run during preview" for every store of the stack, and an unknown key URI was
// vouched for by any dependency of the store (a dependsOn on our key).
describe("customer-managed keys in a preview: what is not known yet", () => {
  const rotating = key({
    ...strong,
    rotationPolicy: {
      lifetimeActions: [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P90D" } }],
    },
  });
  const keyUrn = urn("azure-native:keyvault:Key", "cmk");
  const foreignPg = res("dbforpostgresql:Server", "pg", {
    dataEncryption: { type: "AzureKeyVault", primaryKeyURI: "https://attacker.vault.azure.net/keys/k" },
  });
  it("a store whose encryption is not known yet does not hide a store using a foreign key", async () => {
    const st = {
      ...account(),
      props: { encryption: UNKNOWN },
      propertyDependencies: { encryption: [keyUrn] },
    };
    expect(String(await runStackPolicy(customerManagedKeysRotate, [rotating, st, foreignPg]))).toMatch(
      /dbforpostgresql:Server pg uses key k at attacker\.vault\.azure\.net, which this stack does not manage/,
    );
    // Its own unknown key comes from the stack's key: nothing else reported.
    expect(await runStackPolicy(customerManagedKeysRotate, [rotating, st])).toEqual([]);
  });
  it("a key URI not known yet counts only through the input holding it", async () => {
    const salt = randomString().urn;
    const saltResource = randomString();
    // The store waits for our key (dependsOn), but its encryption comes from a random string.
    const st = { ...account(UNKNOWN), propertyDependencies: { encryption: [salt] } };
    expect(String(await runStackPolicy(customerManagedKeysRotate, [rotating, saltResource, st]))).toMatch(
      /not known yet and does not come from a key of this stack/,
    );
  });
  it("a CMK whose properties are not known yet cannot be verified", async () => {
    // Computed from a resource of the stack: key-vault-key-strength cannot read them either.
    const salt = randomString();
    const unknownKey = {
      ...rotating,
      props: { ...rotating.props, properties: UNKNOWN },
      propertyDependencies: { properties: [salt.urn] },
    };
    expect(String(await runStackPolicy(customerManagedKeyStrength, [salt, unknownKey, account()]))).toMatch(
      /properties are not known yet/,
    );
    expect(String(await runStackPolicy(customerManagedKeysRotate, [salt, unknownKey, account()]))).toMatch(
      /rotation policy that is not known yet/,
    );
  });
});
