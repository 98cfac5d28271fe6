/** BAK-2: CanNotDelete locks (and protect) on stateful resources in prod; no opting out there. */
import * as keyvault from "@pulumi/azure-native/keyvault";
import { LOCK_NAME, addLock, resolveLock } from "../../../components/common/lock";
import { testPlatform } from "../../helpers/platform";
import { only, runProgram } from "../../helpers/pulumi";

const dev = testPlatform();
const prod = testPlatform({ environment: "prod", deletionLocks: true, zoneRedundant: true });

describe("resolveLock", () => {
  it("follows the platform: off in dev, on in prod", () => {
    expect(resolveLock(dev, undefined, "X")).toBe(false);
    expect(resolveLock(prod, undefined, "X")).toBe(true);
  });

  it("locks prod even if the context forgot deletionLocks", () => {
    expect(resolveLock({ environment: "prod", deletionLocks: false }, undefined, "X")).toBe(true);
  });

  it("allows opting in in dev", () => {
    expect(resolveLock(dev, { enabled: true }, "X")).toBe(true);
  });

  it("refuses lock.enabled=false in prod, naming the owner", () => {
    expect(() => resolveLock(prod, { enabled: false }, 'KeyVault "kv"')).toThrow(
      /^KeyVault "kv": invalid arguments \(1 problem\):\n {2}- lock\.enabled = false: refused: stateful resources in prod must carry a CanNotDelete lock \(BAK-2\)/,
    );
  });

  it("refuses a non-boolean enabled", () => {
    // @ts-expect-error enabled is a boolean
    expect(() => resolveLock(dev, { enabled: "no" }, "X")).toThrow(
      /lock\.enabled = "no": must be true or false/,
    );
  });
});

describe("addLock", () => {
  it("puts a CanNotDelete lock on the resource's ID after the resource exists", async () => {
    const { resources } = await runProgram(() => {
      const vault = new keyvault.Vault("v", {
        resourceGroupName: "rg",
        vaultName: "kvsaptestdev",
        properties: { tenantId: "t", sku: { family: "A", name: "standard" } },
      });
      addLock("v", vault, { notes: "keep" }, {});
    });
    const vault = only(resources, "azure-native:keyvault:Vault");
    const lock = only(resources, "azure-native:authorization:ManagementLockByScope");
    expect(lock.inputs).toEqual({
      scope: vault.id,
      lockName: LOCK_NAME,
      level: "CanNotDelete",
      notes: "keep",
    });
    expect(lock.dependencies).toContain(vault.urn);
  });
});
