/**
 * Bad input to any component is a `ComponentArgsError`: a `pulumi.RunError`, so `pulumi up`
 * prints the message alone (the SDK's runner prints any other error with its stack trace,
 * @pulumi/pulumi cmd/run/run.js), naming the component, each argument path, its value and what
 * is allowed, every independent problem at once, and nothing registered.
 *
 * Fails on the code before this test: a missing `args` or `platform` was a TypeError
 * ("Cannot convert undefined or null to object", "Cannot read properties of undefined"), an
 * unknown argument a plain Error naming only the first key, and the other checks plain Errors
 * one at a time.
 */
import * as pulumi from "@pulumi/pulumi";
import * as components from "../../../components/index";
import { ComponentArgsError, formatPath } from "../../../components/common/schema";
import { prodPlatform, testPlatform, testResourceGroupId } from "../../helpers/platform";
import { runExpectingError, runProgram } from "../../helpers/pulumi";

type Construct = (args: unknown) => unknown;

/** Every component of the package that takes the platform context, by its exported class. */
const WITH_PLATFORM: Record<string, Construct> = {
  Network: (a) => new components.Network("x", a as components.NetworkArgs),
  Logging: (a) => new components.Logging("x", a as components.LoggingArgs),
  KeyVault: (a) => new components.KeyVault("x", a as components.KeyVaultArgs),
  CustomerManagedKey: (a) =>
    new components.CustomerManagedKey("x", a as components.CustomerManagedKeyComponentArgs),
  WorkloadIdentity: (a) => new components.WorkloadIdentity("x", a as components.WorkloadIdentityArgs),
  Sentinel: (a) => new components.Sentinel("x", a as components.SentinelArgs),
  PostgresServer: (a) => new components.PostgresServer("x", a as components.PostgresServerArgs),
  BlobStorage: (a) => new components.BlobStorage("x", a as components.BlobStorageArgs),
  ManagedRedis: (a) => new components.ManagedRedis("x", a as components.ManagedRedisArgs),
  ContainerAppsEnvironment: (a) =>
    new components.ContainerAppsEnvironment("x", a as components.ContainerAppsEnvironmentArgs),
  ContainerApp: (a) => new components.ContainerApp("x", a as components.ContainerAppArgs),
  FrontDoor: (a) => new components.FrontDoor("x", a as components.FrontDoorArgs),
};

const WITHOUT_PLATFORM: Record<string, Construct> = {
  HumanAccess: (a) => new components.HumanAccess("x", a as components.HumanAccessArgs),
  DefenderPlans: (a) => new components.DefenderPlans("x", a as components.DefenderPlansArgs),
};

/** Runs the construction under mocks; returns the error (which must be a ComponentArgsError) and what registered. */
async function refusal(construct: Construct, args: unknown): Promise<ComponentArgsError> {
  const { error, resources } = await runExpectingError(() => construct(args));
  expect(resources).toEqual([]);
  expect(error).toBeInstanceOf(pulumi.RunError);
  expect(error).toBeInstanceOf(ComponentArgsError);
  expect(error.message).not.toMatch(/TypeError|Cannot read properties|undefined or null/);
  return error as ComponentArgsError;
}

const paths = (error: ComponentArgsError): string[] => error.problems.map((p) => formatPath(p.path));

describe("every component refuses missing or bad arguments with one RunError, registering nothing", () => {
  it("covers every component class the package exports", () => {
    const exported = Object.entries(components)
      .filter(([, v]) => typeof v === "function" && v.prototype instanceof pulumi.ComponentResource)
      .map(([k]) => k)
      .sort();
    expect(exported).toEqual([...Object.keys(WITH_PLATFORM), ...Object.keys(WITHOUT_PLATFORM)].sort());
  });

  describe.each(Object.entries(WITH_PLATFORM))("%s", (name, construct) => {
    it("without args: names the component and says what is required", async () => {
      const error = await refusal(construct, undefined);
      expect(error.message).toMatch(new RegExp(`^${name} "x": invalid arguments \\(1 problem\\):`));
      expect(error.problems).toEqual([
        { path: [], value: "(not set)", message: expect.stringMatching(/^is required: a mapping/) },
      ]);
    });

    it("without platform and with an unknown argument: both problems, the allowed arguments listed", async () => {
      const error = await refusal(construct, { publicNetworkAccess: "Enabled" });
      expect(paths(error)).toEqual(expect.arrayContaining(["publicNetworkAccess", "platform"]));
      const unknown = error.problems.find((p) => formatPath(p.path) === "publicNetworkAccess")!;
      expect(unknown.value).toBe('"Enabled"');
      expect(unknown.message).toMatch(/unknown argument "publicNetworkAccess".*; allowed: .*\bplatform\b/);
      const platform = error.problems.find((p) => formatPath(p.path) === "platform")!;
      expect(platform.value).toBe("(not set)");
      expect(platform.message).toMatch(/^is required: the platform context, a mapping with .*\blocation\b/);
    });

    it("with a platform lacking keys: each missing key by path", async () => {
      const { location: _l, tags: _t, ...partial } = testPlatform();
      const error = await refusal(construct, { platform: partial });
      expect(paths(error)).toEqual(expect.arrayContaining(["platform.location", "platform.tags"]));
      for (const p of error.problems.filter((q) => formatPath(q.path).startsWith("platform."))) {
        expect(p.value).toBe("(not set)");
        expect(p.message).toMatch(/^is required: a key of the platform context/);
      }
    });

    it("with the platform, or one of its read keys, as an Output: says to pass a plain value", async () => {
      const whole = await refusal(construct, { platform: pulumi.output(testPlatform()) });
      expect(whole.problems.find((p) => formatPath(p.path) === "platform")).toEqual({
        path: ["platform"],
        value: "(an Output)",
        message: expect.stringMatching(/^is an Output, unknown until deployment: pass .* as a plain value/),
      });
      const key = await refusal(construct, {
        platform: { ...testPlatform(), location: pulumi.output("westeurope") },
      });
      expect(paths(key)).toContain("platform.location");
    });
  });

  describe.each(Object.entries(WITHOUT_PLATFORM))("%s", (_name, construct) => {
    it("with args that are not a mapping", async () => {
      const error = await refusal(construct, null);
      expect(error.problems.map((p) => [formatPath(p.path), p.value])).toEqual([["", "null"]]);
    });

    it("with an unknown argument", async () => {
      const error = await refusal(construct, { publicNetworkAccess: "Enabled" });
      expect(paths(error)).toContain("publicNetworkAccess");
    });
  });

  it("HumanAccess without its arguments: every required one at once", async () => {
    const error = await refusal(WITHOUT_PLATFORM.HumanAccess, {});
    expect(paths(error)).toEqual(expect.arrayContaining(["resourceGroupId", "environment", "groups"]));
  });
});

describe("independent problems are reported together", () => {
  it("BlobStorage in prod: replication, missing key, lock, protected tag, role", async () => {
    const error = await refusal(WITH_PLATFORM.BlobStorage, {
      platform: prodPlatform(),
      containers: ["docs"],
      skuName: "Standard_GRS",
      lock: { enabled: false },
      tags: { owner: "someone-else" },
      roleAssignments: [{ role: "Owner", principalId: "not-a-guid", principalType: "User" }],
    });
    expect(paths(error).sort()).toEqual(
      [
        "skuName",
        "customerManagedKey",
        "lock.enabled",
        "tags.owner",
        "roleAssignments[0].principalType",
        "roleAssignments[0].principalId",
      ].sort(),
    );
    expect(error.message).toMatch(
      /skuName = "Standard_GRS": must be Standard_GZRS or Standard_RAGZRS: prod is zone redundant/,
    );
  });

  it("PostgresServer: zones, admin group, maintenance window and key together", async () => {
    const error = await refusal(WITH_PLATFORM.PostgresServer, {
      platform: prodPlatform(),
      databases: ["app"],
      availabilityZone: "4",
      adminGroup: { objectId: "nope", displayName: " " },
      maintenanceWindow: { dayOfWeek: 7, startHour: 24 },
    });
    expect(paths(error)).toEqual(
      expect.arrayContaining([
        "availabilityZone",
        "adminGroup.objectId",
        "adminGroup.displayName",
        "maintenanceWindow.dayOfWeek",
        "maintenanceWindow.startHour",
        "customerManagedKey",
      ]),
    );
    expect(error.message).toContain('availabilityZone = "4": must be "1", "2" or "3"');
  });

  it("Sentinel: e-mail, unknown rule and missing workspace together", async () => {
    const error = await refusal(WITH_PLATFORM.Sentinel, {
      platform: prodPlatform(),
      securityEmail: "security",
      ruleIds: ["no-such-rule"],
      ruleContext: { pipelineIds: [], keyVaultCallers: [] },
    });
    expect(paths(error)).toEqual(["securityEmail", "workspaceName", "ruleIds[0]"]);
    expect(error.problems[2].message).toMatch(/^is not a known analytics rule; allowed: /);
  });

  it("a KeyVault secret: name, lifetime and content type together", async () => {
    const { error } = await runExpectingError(() => {
      const kv = new components.KeyVault("kv", { platform: testPlatform(), sku: "standard" });
      kv.addSecret("bad name", { value: "v", contentType: "", expiresInDays: 0 });
    });
    expect(error).toBeInstanceOf(pulumi.RunError);
    expect(paths(error as ComponentArgsError)).toEqual(["name", "expiresInDays", "contentType"]);
  });
});

describe("an unknown argument does not hide the other problems (every problem at once)", () => {
  // Fails on the merged code: each of these reported the unknown argument alone, the rest after a fix.
  it.each<[string, Record<string, unknown>, string[]]>([
    ["KeyVault", { platform: testPlatform(), sku: "free", enableRbac: false }, ["enableRbac", "sku"]],
    [
      "BlobStorage",
      { platform: prodPlatform(), containers: ["docs"], skuName: "Standard_LRS", allowSharedKey: true },
      ["allowSharedKey", "skuName", "customerManagedKey"],
    ],
    [
      "PostgresServer",
      {
        platform: testPlatform(),
        databases: ["app"],
        adminGroup: { objectId: "nope", displayName: "dba" },
        password: "x",
      },
      ["password", "adminGroup.objectId"],
    ],
    [
      "Logging",
      { platform: testPlatform(), retentionInDays: 1, alertEmail: "ops@example.com", localAuth: true },
      ["localAuth", "retentionInDays"],
    ],
    [
      "Network",
      {
        platform: testPlatform(),
        vnetAddressSpace: "10.0.0.0/33",
        appsSubnetPrefix: "10.0.0.0/23",
        privateEndpointSubnetPrefix: "10.0.2.0/24",
        hasFrontend: false,
        openPorts: [22],
      },
      ["openPorts", "vnetAddressSpace"],
    ],
  ])("%s", async (name, args, expected) => {
    const error = await refusal(WITH_PLATFORM[name], args);
    expect(paths(error)).toEqual(expect.arrayContaining(expected));
  });
});

describe("shared optional arguments of the wrong shape: a ComponentArgsError, never a TypeError or silence", () => {
  // Fails on the merged code: lock null and a non-text purpose were TypeErrors (with a stack
  // trace), a string lock/diagnostics/privateEndpoint was ignored, a string customerManagedKey
  // failed at deployment (keyVaultId.split in an apply).
  it.each<[string, string, Record<string, unknown>, string[]]>([
    ["ManagedRedis", "a string lock", { lock: "off" }, ["lock"]],
    ["ManagedRedis", "a string diagnostics", { diagnostics: "none" }, ["diagnostics"]],
    ["ManagedRedis", "a number privateEndpoint", { privateEndpoint: 42 }, ["privateEndpoint"]],
    ["ManagedRedis", "a string customerManagedKey", { customerManagedKey: "kv/key" }, ["customerManagedKey"]],
    [
      "ManagedRedis",
      "a customerManagedKey lacking keys",
      { customerManagedKey: { keyVaultId: "/subscriptions/x", keyUri: "https://kv.vault.azure.net/keys/k" } },
      ["customerManagedKey.keyName", "customerManagedKey.identityId"],
    ],
    ["KeyVault", "a number purpose", { sku: "standard", purpose: 42 }, ["purpose"]],
    ["BlobStorage", "a list purpose", { containers: ["docs"], purpose: ["a"] }, ["purpose"]],
  ])("%s: %s", async (name, _what, extra, expected) => {
    const error = await refusal(WITH_PLATFORM[name], { platform: testPlatform(), ...extra });
    expect(paths(error)).toEqual(expect.arrayContaining(expected));
  });

  it("a customerManagedKey lacking only keys the component never reads is still accepted", async () => {
    const { resources } = await runProgram(
      () =>
        new components.ManagedRedis("x", {
          platform: testPlatform(),
          customerManagedKey: {
            keyVaultId: `${testResourceGroupId()}/providers/Microsoft.KeyVault/vaults/kv-sap-dev-a1b2c`,
            keyName: "redis",
            identityId: `${testResourceGroupId()}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-sap-cmk-dev`,
          },
        } as unknown as components.ManagedRedisArgs),
    );
    expect(resources.some((r) => r.type === "azure-native:redisenterprise:RedisEnterprise")).toBe(true);
  });

  it("null is not set (what other languages send for an unset optional argument)", async () => {
    const { resources } = await runProgram(
      () =>
        new components.ManagedRedis("x", {
          platform: testPlatform(),
          lock: null,
          diagnostics: null,
          privateEndpoint: null,
          customerManagedKey: null,
        } as unknown as components.ManagedRedisArgs),
    );
    expect(resources.some((r) => r.type === "azure-native:redisenterprise:RedisEnterprise")).toBe(true);
  });
});

describe("a privileged role for a workload identity, alone, is still a PrivilegedRoleError from the component", () => {
  // Fails on the merged code (a plain ComponentArgsError): before it, BlobStorage threw
  // PrivilegedRoleError itself, and consumers may catch it by class.
  const owner = {
    role: "Owner",
    principalId: "00000000-0000-0000-0000-000000000001",
    principalType: "ServicePrincipal",
  };

  it("alone: the PrivilegedRoleError (a ComponentArgsError) with its path", async () => {
    const error = await refusal(WITH_PLATFORM.BlobStorage, {
      platform: testPlatform(),
      containers: ["docs"],
      roleAssignments: [owner],
    });
    expect(error).toBeInstanceOf(components.PrivilegedRoleError);
    expect(paths(error)).toEqual(["roleAssignments[0].role"]);
  });

  it("with another problem: one ComponentArgsError listing both", async () => {
    const error = await refusal(WITH_PLATFORM.BlobStorage, {
      platform: testPlatform(),
      containers: ["docs"],
      roleAssignments: [owner],
      tags: { owner: "me" },
    });
    expect(error).not.toBeInstanceOf(components.PrivilegedRoleError);
    expect(paths(error).sort()).toEqual(["roleAssignments[0].role", "tags.owner"]);
  });
});

describe("KeyVault.addGeneratedSecret: every problem at once, before the password registers", () => {
  // Fails on the merged code: a bad length was reported alone, and a bad lifetime only after the
  // RandomPassword had registered (addSecret checked it).
  it.each<[string, Record<string, unknown>, string[]]>([
    ["length and lifetime", { length: 8, expiresInDays: 0 }, ["length", "expiresInDays"]],
    ["lifetime alone", { expiresInDays: 9999 }, ["expiresInDays"]],
  ])("%s", async (_what, secretArgs, expected) => {
    const { error, resources } = await runExpectingError(() => {
      const kv = new components.KeyVault("kv", { platform: testPlatform(), sku: "standard" });
      kv.addGeneratedSecret("api-key", secretArgs as unknown as components.GeneratedSecretArgs);
    });
    expect(error).toBeInstanceOf(ComponentArgsError);
    expect(paths(error as ComponentArgsError)).toEqual(expected);
    expect(resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword")).toEqual([]);
  });
});
