/**
 * CustomerManagedKey (ENC-2, KEY-1, IAM-2): RSA >= 3072 (HSM on premium), rotation at least
 * yearly with expiry and notify, an identity holding Crypto Service Encryption User on the key
 * only, and outputs that consumers cannot use before that grant exists.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  CustomerManagedKey,
  firstVersionExpiry,
  type CustomerManagedKeyComponentArgs,
} from "../../components/customerManagedKey";
import { ROLE_PROPAGATION_DELAY } from "../../components/common/propagation";
import { KeyVault } from "../../components/keyVault";
import { BUILT_IN_ROLES } from "../../controls/roles";
import { TEST_SUBSCRIPTION_ID, testPlatform } from "../helpers/platform";
import { byType, only, runExpectingError, runProgram, type PlannedResource } from "../helpers/pulumi";

const KEY = "azure-native:keyvault:Key";
const IDENTITY = "azure-native:managedidentity:UserAssignedIdentity";
const RA = "azure-native:authorization:RoleAssignment";
const RG = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/rg-sap-prod`;
const prod = () => testPlatform({ environment: "prod", deletionLocks: true, zoneRedundant: true });
const vault = (name: string, sku: "standard" | "premium" = "premium") => ({
  id: `${RG}/providers/Microsoft.KeyVault/vaults/${name}`,
  name,
  uri: `https://${name}.vault.azure.net/`,
  sku,
});
const args = (overrides: Partial<CustomerManagedKeyComponentArgs> = {}): CustomerManagedKeyComponentArgs => ({
  platform: prod(),
  vault: vault("kvsapmainprodab12c"),
  purpose: "storage",
  ...overrides,
});
/** Stands in for a data component consuming the key. */
class Consumer extends pulumi.CustomResource {
  constructor(name: string, props: Record<string, pulumi.Input<string>>) {
    super("test:consumer:Consumer", name, props);
  }
}
const keyProps = (r: PlannedResource) => r.inputs.properties as Record<string, unknown>;
const value = <T>(o: pulumi.Input<T>) =>
  new Promise<T>((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));

async function refused(a: CustomerManagedKeyComponentArgs, message: RegExp): Promise<void> {
  const { error, resources } = await runExpectingError(() => new CustomerManagedKey("cmk", a));
  expect(error.message).toMatch(message);
  expect(error.message).toContain('CustomerManagedKey "cmk"');
  expect(resources).toEqual([]);
}

describe("CustomerManagedKey with default args on a premium vault", () => {
  let resources: PlannedResource[];
  let key: PlannedResource;
  let cmk: CustomerManagedKey;
  beforeAll(async () => {
    ({ resources } = await runProgram(() => {
      cmk = new CustomerManagedKey("cmk", args());
    }));
    key = only(resources, KEY);
  });

  it("is an HSM-backed 3072-bit RSA key for wrapping only (ENC-2)", () => {
    expect(key.inputs).toMatchObject({
      vaultName: "kvsapmainprodab12c",
      keyName: "key-sap-storage-prod",
      resourceGroupName: "rg-sap-prod",
    });
    expect(keyProps(key)).toMatchObject({ kty: "RSA-HSM", keySize: 3072, keyOps: ["wrapKey", "unwrapKey"] });
  });

  it("rotates every 180 days, expires after 730, notifies 30 days before (KEY-1)", () => {
    expect(keyProps(key).rotationPolicy).toEqual({
      attributes: { expiryTime: "P730D" },
      lifetimeActions: [
        { action: { type: "rotate" }, trigger: { timeAfterCreate: "P180D" } },
        { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } },
      ],
    });
  });

  it("grants its identity Crypto Service Encryption User on the key, not the vault (IAM-2)", () => {
    const identity = only(resources, IDENTITY);
    expect(identity.inputs.resourceName).toBe("id-sap-cmk-storage-prod");
    const grant = only(resources, RA);
    expect(grant.inputs).toMatchObject({
      scope: key.id,
      principalType: "ServicePrincipal",
      roleDefinitionId: expect.stringMatching(
        new RegExp(`${BUILT_IN_ROLES["Key Vault Crypto Service Encryption User"]}$`),
      ),
    });
    expect(String(key.id)).toContain("/keys/key-sap-storage-prod");
  });

  it("exposes CustomerManagedKeyArgs with a versionless key URI", async () => {
    expect(await value(cmk.args.keyUri)).toBe(
      "https://kvsapmainprodab12c.vault.azure.net/keys/key-sap-storage-prod",
    );
    expect(await value(cmk.args.keyVaultId)).toBe(vault("kvsapmainprodab12c").id);
    expect(await value(cmk.args.identityId)).toBe(only(resources, IDENTITY).id);
    expect(await value(cmk.keyUriWithVersion)).toMatch(/\/keys\/key-sap-storage-prod\/[0-9a-z]+$/);
  });

  it("makes consumers wait for the grant and its propagation: they depend on a sleep after the role assignment", async () => {
    const { resources: withConsumer } = await runProgram(() => {
      const c = new CustomerManagedKey("cmk", args());
      return new Consumer("consumer", {
        keyUri: c.args.keyUri,
        identityId: c.args.identityId,
      });
    });
    const consumer = withConsumer.find((r) => r.type === "test:consumer:Consumer");
    expect(consumer).toBeDefined();
    const sleep = only(withConsumer, "time:index/sleep:Sleep");
    expect(consumer!.dependencies).toContain(sleep.urn);
    expect(sleep.dependencies).toContain(only(withConsumer, RA).urn);
    expect(sleep.inputs.createDuration).toBe(ROLE_PROPAGATION_DELAY);
  });

  it("gives the first key version the rotation policy's lifetime (a rotation policy's expiry applies to rotated versions only)", () => {
    const key = only(resources, KEY);
    const props = key.inputs.properties as {
      attributes: { expires: number };
      rotationPolicy: { attributes: { expiryTime: string } };
    };
    const days = Number(/^P(\d+)D$/.exec(props.rotationPolicy.attributes.expiryTime)?.[1]);
    expect(props.attributes.expires).toBe(firstVersionExpiry(days));
    expect(firstVersionExpiry(730, new Date("2026-01-31T18:00:00Z"))).toBe(
      Date.UTC(2026, 0, 31) / 1000 + 730 * 86400,
    );
    expect(key.ignoreChanges).toContain("properties.attributes.expires");
  });

  it("waits for the vault's deployer grant before creating the key", async () => {
    const ready = await runProgram(() => {
      const v = new KeyVault("kv", {
        platform: prod(),
        sku: "premium",
        deployer: {
          principalId: "11111111-2222-4333-8444-555555555555",
          grants: [
            {
              role: "Key Vault Crypto Officer",
              roleDefinitionGuid: BUILT_IN_ROLES["Key Vault Crypto Officer"],
            },
          ],
        },
      });
      new CustomerManagedKey("cmk", { ...args(), vault: v.reference });
    });
    const key = only(ready.resources, KEY);
    const sleeps = byType(ready.resources, "time:index/sleep:Sleep");
    const vaultSleep = sleeps.find((s) => s.name === "kv-role-propagation");
    expect(vaultSleep).toBeDefined();
    expect(key.dependencies).toContain(vaultSleep!.urn);
  });

  // azure-native deletes a key through the vault's data plane (ARM has no DELETE for keys), which
  // the vault's disabled public network access refuses from a CI runner.
  it("is never deleted by the stack: it goes with its vault (retainOnDelete)", () => {
    expect(key.retainOnDelete).toBe(true);
  });

  it("tags key and identity (CLS-1); the key keeps its first tags (ARM never updates an existing key)", () => {
    expect(key.inputs.tags).toEqual({ ...prod().tags, dataClassification: "confidential" });
    expect(key.ignoreChanges).toContain("tags");
    expect(only(resources, IDENTITY).inputs.tags).toMatchObject({ owner: "platform-team" });
  });
});

describe("CustomerManagedKey variants", () => {
  it("uses software RSA on a standard vault, and 4096 bits when asked", async () => {
    const { resources } = await runProgram(
      () =>
        new CustomerManagedKey(
          "cmk",
          args({ platform: testPlatform(), vault: vault("kvsapmaindevab12c", "standard"), keySize: 4096 }),
        ),
    );
    expect(keyProps(only(resources, KEY))).toMatchObject({ kty: "RSA", keySize: 4096 });
  });

  it("lives in another vault with its identity in the paired region (PostgreSQL geo backup)", async () => {
    const { resources } = await runProgram(
      () =>
        new CustomerManagedKey(
          "geo",
          args({ vault: vault("kvsapgeoprodcd34e"), purpose: "postgres-geo", location: "northeurope" }),
        ),
    );
    expect(only(resources, KEY).inputs.vaultName).toBe("kvsapgeoprodcd34e");
    expect(only(resources, IDENTITY).inputs.location).toBe("northeurope");
  });

  it("takes a KeyVault component's reference", async () => {
    const { resources } = await runProgram(() => {
      const kv = new KeyVault("kv", { platform: prod(), sku: "premium" });
      return new CustomerManagedKey("cmk", args({ vault: kv.reference }));
    });
    const key = only(resources, KEY);
    expect(key.inputs.vaultName).toBe(only(resources, "azure-native:keyvault:Vault").inputs.vaultName);
    expect(keyProps(key).kty).toBe("RSA-HSM");
    expect(byType(resources, RA)).toHaveLength(1);
  });
});

describe("CustomerManagedKey refuses weak keys before registering", () => {
  it("a key below 3072 bits", async () => {
    // @ts-expect-error 2048-bit keys are below ENC-2's floor
    await refused(args({ keySize: 2048 }), /keySize = 2048: must be 3072 or 4096 bits/);
  });

  // 1..6: Key Vault rotates no sooner than 7 days after creation; the key's PUT would fail.
  it.each([0, 1, 6, 366, 400, 1.5])("rotateAfterDays = %p", (days) =>
    refused(
      args({ rotateAfterDays: days }),
      /rotateAfterDays = .*: must be a whole number from 7 to 365 \(Key Vault rotates no sooner than 7 days after creation/,
    ),
  );

  it("an expiry that comes before rotation", () =>
    refused(
      args({ rotateAfterDays: 365, expiryDays: 380 }),
      /expiryDays = 380: must exceed rotateAfterDays \+ 30/,
    ));

  it("an unknown vault SKU", async () => {
    // @ts-expect-error only standard or premium vaults
    await refused(args({ vault: { ...vault("kv"), sku: "free" } }), /vault.sku = "free"/);
  });

  it("every bad setting at once, each with its value and what is allowed", () =>
    refused(
      // @ts-expect-error 2048-bit keys are below ENC-2's floor
      args({ keySize: 2048, rotateAfterDays: 400, expiryDays: 100 }),
      /3 problems[\s\S]*keySize = 2048: must be 3072 or 4096[\s\S]*rotateAfterDays = 400: must be a whole number from 7 to 365[\s\S]*expiryDays = 100: must exceed/,
    ));

  it("a purpose that makes an invalid key or identity name", () =>
    refused(args({ purpose: "storage/blob" }), /invalid keyVaultKey name/));

  it("a different key type or operations", async () => {
    // @ts-expect-error key type and operations are fixed (ENC-2)
    const a: CustomerManagedKeyComponentArgs = { ...args(), kty: "EC" };
    await refused(a, /unknown argument "kty"/);
  });
});
