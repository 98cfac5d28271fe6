/**
 * The Azure provider mock: ARM ID shapes for every type it knows, autonaming, computed
 * outputs, invokes, and the capture of registrations (secrets in place, component outputs).
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as random from "@pulumi/random";
import { knownArmTypes, pathParameters } from "../../lib/offline/armIds";
import * as fs from "fs";
import * as path from "path";
import { AzureMocks, MOCK_SUBSCRIPTION_ID, MOCK_TENANT_ID } from "../../lib/offline/mocks";
import { declaredOutputs, echoedInputs, outputPathOf } from "../../lib/offline/sdkOutputs";
import { runUnderMocks } from "../../lib/offline/run";
import { isSecretEnvelope, SECRET_SIG as SECRET, SIG_KEY as SIG } from "../../policy/common/pulumiFormat";
import { only, runExpectingError, runProgram } from "../helpers/pulumi";

const SUB = MOCK_SUBSCRIPTION_ID;
const RG_ID = `/subscriptions/${SUB}/resourceGroups/rg-test`;
const VAULT_ID = `${RG_ID}/providers/Microsoft.KeyVault/vaults/kv-test`;

/** Inputs filling every placeholder of a type's ID template, with scopes that are real ARM IDs. */
function sampleInputs(type: string): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const key of pathParameters(type)) {
    if (key === "resourceGroupName") inputs[key] = "rg-test";
    else if (key === "scope" || key === "resourceUri") inputs[key] = VAULT_ID;
    // A resource-level pricing (virtual machines); it exists already, as at subscription scope,
    // so it is registered with its import ID (below).
    else if (key === "scopeId") inputs[key] = `${RG_ID}/providers/Microsoft.Compute/virtualMachines/vm-x`;
    else inputs[key] = `${key.replace(/Name$/, "").toLowerCase()}-x`;
  }
  return inputs;
}

// /subscriptions/<guid>[/resourceGroups/<rg>] then one or more provider segments, each a
// namespace followed by type/name pairs (child resources and extension resources nest).
const ARM_ID =
  /^\/subscriptions\/[0-9a-f-]{36}(\/resourceGroups\/[^/]+)?(\/providers\/Microsoft\.[A-Za-z]+(\/[A-Za-z]+\/[^/]+)+)*$/;

describe("ARM IDs", () => {
  const mocks = new AzureMocks();

  it.each(knownArmTypes())("%s gets an ARM-shaped ID ending in its name", (type) => {
    const inputs = sampleInputs(type);
    // Resources Azure has before anyone creates them are registered by import (see below).
    const importId =
      type === "azure-native:security:Pricing"
        ? `${String(inputs.scopeId)}/providers/Microsoft.Security/pricings/${String(inputs.pricingName)}`
        : undefined;
    const { id = "", state } = mocks.newResource({
      type,
      name: "logical",
      inputs,
      custom: true,
      id: importId,
    });
    expect(id).toMatch(ARM_ID);
    expect(id).not.toContain("unknown-rg");
    expect(id).not.toContain("{");
    expect(id.endsWith(`/${String(state.name)}`)).toBe(true);
    expect(state.id).toBe(id);
    if (inputs.resourceGroupName) expect(id.startsWith(`${RG_ID}`)).toBe(true);
  });

  it.each([
    [
      "azure-native:storage:StorageAccount",
      { resourceGroupName: "rg-test", accountName: "sapdevst1" },
      `${RG_ID}/providers/Microsoft.Storage/storageAccounts/sapdevst1`,
    ],
    [
      "azure-native:network:Subnet",
      { resourceGroupName: "rg-test", virtualNetworkName: "vnet", subnetName: "apps" },
      `${RG_ID}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/apps`,
    ],
    [
      "azure-native:authorization:RoleAssignment",
      { scope: VAULT_ID, roleAssignmentName: "1b2c3d4e-0000-4000-8000-000000000000" },
      `${VAULT_ID}/providers/Microsoft.Authorization/roleAssignments/1b2c3d4e-0000-4000-8000-000000000000`,
    ],
    [
      "azure-native:monitor:DiagnosticSetting",
      { resourceUri: VAULT_ID, name: "to-workspace" },
      `${VAULT_ID}/providers/Microsoft.Insights/diagnosticSettings/to-workspace`,
    ],
    [
      "azure-native:redisenterprise:Database",
      { resourceGroupName: "rg-test", clusterName: "redis1", databaseName: "default" },
      `${RG_ID}/providers/Microsoft.Cache/redisEnterprise/redis1/databases/default`,
    ],
    [
      "azure-native:dbforpostgresql:Server",
      { resourceGroupName: "rg-test", serverName: "pg1" },
      `${RG_ID}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg1`,
    ],
  ])("%s has the ID Azure returns", (type, inputs, expected) => {
    expect(mocks.newResource({ type, name: "x", inputs, custom: true }).id).toBe(expected);
  });

  it("autonames like azure-native when the name input is absent: logical name + random suffix", () => {
    const a = mocks.newResource({
      type: "azure-native:network:VirtualNetwork",
      name: "vnet",
      inputs: { resourceGroupName: "rg-test" },
      custom: true,
    });
    expect(a.state.name).toMatch(/^vnet[0-9a-f]{8}$/);
    expect(a.id).toBe(`${RG_ID}/providers/Microsoft.Network/virtualNetworks/${String(a.state.name)}`);
    // Deterministic: the same program plans the same names.
    const b = mocks.newResource({
      type: "azure-native:network:VirtualNetwork",
      name: "vnet",
      inputs: { resourceGroupName: "rg-test" },
      custom: true,
    });
    expect(b.id).toBe(a.id);
  });

  it("gives a type missing from the table a well-formed ID rather than failing", () => {
    const { id } = mocks.newResource({
      type: "azure-native:cdn:Profile",
      name: "edge",
      inputs: { resourceGroupName: "rg-test", profileName: "edge1" },
      custom: true,
    });
    expect(id).toMatch(ARM_ID);
  });
});

/**
 * The outputs are azure-native's, not an echo of the inputs (fidelity14): a real state, and so a
 * stack policy, never sees the ARM path parameters (pulumi/pulumi-azure-native
 * provider/pkg/provider/testdata/recorded/TestProviderUpgrade/upgrade-keyvault/2.76.0/stack.json:
 * a vault with resourceGroupName and vaultName in its inputs and neither in its outputs).
 */
describe("output shape: what azure-native declares as outputs", () => {
  const created = (type: string, inputs: Record<string, unknown>) =>
    new AzureMocks({ location: "westeurope" }).newResource({ type, name: "logical", inputs, custom: true })
      .state;

  it.each([
    [
      "azure-native:keyvault:Vault",
      {
        resourceGroupName: "rg-test",
        vaultName: "kv-test",
        properties: { enableRbacAuthorization: true },
        tags: { a: "b" },
      },
      ["resourceGroupName", "vaultName"],
      { name: "kv-test", location: "westeurope", tags: { a: "b" } },
    ],
    [
      "azure-native:monitor:DiagnosticSetting",
      {
        resourceUri: VAULT_ID,
        name: "diag",
        workspaceId: `${RG_ID}/providers/Microsoft.OperationalInsights/workspaces/log`,
        logs: [{ categoryGroup: "allLogs", enabled: true }],
      },
      ["resourceUri"],
      {
        name: "diag",
        workspaceId: `${RG_ID}/providers/Microsoft.OperationalInsights/workspaces/log`,
        logs: [{ categoryGroup: "allLogs", enabled: true }],
      },
    ],
    [
      "azure-native:securityinsights:SentinelOnboardingState",
      { resourceGroupName: "rg-test", workspaceName: "log-test", sentinelOnboardingStateName: "default" },
      ["resourceGroupName", "workspaceName", "sentinelOnboardingStateName"],
      { name: "default" },
    ],
    [
      "azure-native:storage:BlobContainer",
      { resourceGroupName: "rg-test", accountName: "sttest", containerName: "data", publicAccess: "None" },
      ["resourceGroupName", "accountName", "containerName"],
      { name: "data", publicAccess: "None" },
    ],
  ])("%s: no path parameters, its declared outputs kept", (type, inputs, pathParameters, kept) => {
    const state = created(type, inputs);
    for (const key of pathParameters) expect(state).not.toHaveProperty(key);
    expect(state).toMatchObject({ ...kept, id: expect.stringMatching(/^\/subscriptions\//) });
    expect(Object.keys(state).filter((key) => !declaredOutputs(type).has(key))).toEqual([]);
  });

  it("a Key Vault key's properties come out flattened, as azure-native reports them", () => {
    const state = created("azure-native:keyvault:Key", {
      resourceGroupName: "rg-test",
      vaultName: "kv-test",
      keyName: "k",
      properties: { kty: "RSA-HSM", keySize: 3072, keyOps: ["wrapKey"] },
    });
    expect(state).toMatchObject({
      kty: "RSA-HSM",
      keySize: 3072,
      keyOps: ["wrapKey"],
      keyUri: expect.any(String),
    });
    expect(state).not.toHaveProperty("properties");
    expect(outputPathOf("azure-native:keyvault:Key", "properties.rotationPolicy.lifetimeActions")).toBe(
      "rotationPolicy.lifetimeActions",
    );
    expect(outputPathOf("azure-native:keyvault:Vault", "properties.enableRbacAuthorization")).toBe(
      "properties.enableRbacAuthorization",
    );
  });

  it("echoedInputs: what the mocks and the mutation harness keep of inputs, secrets kept secret", () => {
    const properties = { [SIG]: SECRET, value: { kty: "RSA-HSM", keySize: 3072 } };
    const echoed = echoedInputs("azure-native:keyvault:Key", {
      resourceGroupName: "rg-test",
      vaultName: "kv-test",
      keyName: "k",
      properties,
      tags: { a: "b" },
    });
    expect(echoed).toEqual({
      kty: { [SIG]: SECRET, value: "RSA-HSM" },
      keySize: { [SIG]: SECRET, value: 3072 },
      tags: { a: "b" },
    });
    // Not flattened where the SDK declares `properties` itself (a vault), and no path parameter.
    expect(
      echoedInputs("azure-native:keyvault:Vault", { vaultName: "kv", properties: { tenantId: "t" } }),
    ).toEqual({ properties: { tenantId: "t" } });
  });

  // The list is read from each resource's JS (the constructor's branch for an existing resource);
  // its type declarations say the same thing another way (`readonly x: pulumi.Output<...>`).
  it.each(knownArmTypes())(
    "%s: the outputs read from the SDK's JS are its declared Output members",
    (type) => {
      const [, module, resource] = type.split(":");
      const dir = path.dirname(require.resolve("@pulumi/azure-native/package.json"));
      const file = fs
        .readdirSync(path.join(dir, module))
        .find((f) => f.toLowerCase() === `${resource.toLowerCase()}.d.ts`);
      const members = [
        ...fs
          .readFileSync(path.join(dir, module, file!), "utf8")
          .matchAll(/readonly (\w+): pulumi\.Output</g),
      ];
      expect([...declaredOutputs(type)].sort()).toEqual(["id", ...members.map((m) => m[1])].sort());
    },
  );

  it("refuses a type the installed SDK does not have, naming it", () => {
    expect(() => declaredOutputs("azure-native:keyvault:NoSuchThing")).toThrow(
      /cannot tell the outputs of azure-native:keyvault:NoSuchThing: the installed SDK .* has no resource NoSuchThing in module keyvault/,
    );
    expect(() => declaredOutputs("azure-native:nosuchmodule:Thing")).toThrow(/has no module nosuchmodule/);
  });

  it("leaves other packages' resources as they were (random, providers)", () => {
    const mocks = new AzureMocks();
    const inputs = { length: 8, special: false };
    expect(
      mocks.newResource({ type: "random:index/randomString:RandomString", name: "s", inputs, custom: true })
        .state,
    ).toMatchObject(inputs);
    expect(
      mocks.newResource({
        type: "pulumi:providers:azure-native",
        name: "p",
        inputs: { location: "x" },
        custom: true,
      }).state,
    ).toEqual({ location: "x" });
  });
});

describe("computed outputs", () => {
  const mocks = new AzureMocks();
  const make = (type: string, inputs: Record<string, unknown>) =>
    mocks.newResource({ type, name: "x", inputs: { resourceGroupName: "rg-test", ...inputs }, custom: true })
      .state;

  it("identities get principal and client IDs (GUIDs) and the tenant", () => {
    const s = make("azure-native:managedidentity:UserAssignedIdentity", { resourceName: "id-api" });
    expect(s.principalId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(s.clientId).not.toBe(s.principalId);
    expect(s.tenantId).toBe(MOCK_TENANT_ID);
  });

  it("vaults, keys, storage, postgres and redis get the endpoints Azure computes", () => {
    expect(
      (
        make("azure-native:keyvault:Vault", { vaultName: "kv1", properties: {} }).properties as {
          vaultUri: string;
        }
      ).vaultUri,
    ).toBe("https://kv1.vault.azure.net/");
    expect(make("azure-native:keyvault:Key", { vaultName: "kv1", keyName: "cmk" }).keyUri).toBe(
      "https://kv1.vault.azure.net/keys/cmk",
    );
    expect(
      (
        make("azure-native:storage:StorageAccount", { accountName: "st1" }).primaryEndpoints as {
          blob: string;
        }
      ).blob,
    ).toBe("https://st1.blob.core.windows.net/");
    expect(make("azure-native:dbforpostgresql:Server", { serverName: "pg1" }).fullyQualifiedDomainName).toBe(
      "pg1.postgres.database.azure.com",
    );
    expect(
      make("azure-native:redisenterprise:RedisEnterprise", { clusterName: "r1", location: "westeurope" })
        .hostName,
    ).toBe("r1.westeurope.redis.azure.net");
  });
});

describe("resources Azure already has: created only by import, as azure-native requires", () => {
  const mocks = new AzureMocks();
  const pricing = { scopeId: `/subscriptions/${SUB}`, pricingName: "KeyVaults", pricingTier: "Standard" };
  const pricingId = `/subscriptions/${SUB}/providers/Microsoft.Security/pricings/KeyVaults`;
  const register = (id?: string) =>
    mocks.newResource({
      type: "azure-native:security:Pricing",
      name: "kv",
      inputs: pricing,
      custom: true,
      id,
    });

  // azure-native's Create GETs first and refuses a 200 with a body (client_azcore.go CanCreate);
  // every subscription has a pricing for every plan, and pricings are not azure-native singletons.
  it("refuses a subscription-level Defender pricing that is not imported, as the first `pulumi up` would", () => {
    expect(() => register()).toThrow(
      `cannot create already existing resource '${pricingId}' (a subscription has a pricing for every Defender plan); import it`,
    );
  });

  it("refuses an import ID that names another resource", () => {
    expect(() => register(pricingId.replace("KeyVaults", "Containers"))).toThrow(/names another resource/);
  });

  it("accepts the import of the pricing itself (any case, as ARM IDs compare)", () => {
    expect(register(pricingId.toLowerCase()).id).toBe(pricingId);
  });

  // A resource's pricing GET answers 200 with the pricing it inherits before any override
  // (pricings.json 2024-01-01, GetResourcePricingByNameVirtualMachines_example.json: "inherited":
  // "True"), so azure-native's Create refuses a resource-level override as well.
  it("refuses a resource-level Defender pricing that is not imported, and accepts its import", () => {
    const vm = `${RG_ID}/providers/Microsoft.Compute/virtualMachines/vm-1`;
    const id = `${vm}/providers/Microsoft.Security/pricings/VirtualMachines`;
    const override = (importId?: string) =>
      mocks.newResource({
        type: "azure-native:security:Pricing",
        name: "vm-1-free",
        inputs: { scopeId: vm, pricingName: "VirtualMachines", pricingTier: "Free" },
        custom: true,
        id: importId,
      });
    expect(() => override()).toThrow(
      `cannot create already existing resource '${id}' (a resource answers with the pricing it inherits from its subscription); import it`,
    );
    expect(override(id).id).toBe(id);
  });
});

describe("invokes", () => {
  it("getClientConfig answers with the mock subscription and tenant", async () => {
    const { result } = await runProgram(async () => authorization.getClientConfig());
    expect(result).toMatchObject({ subscriptionId: SUB, tenantId: MOCK_TENANT_ID });
    expect((result as { objectId: string }).objectId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("an invoke without a mock is an error naming it, not a made-up answer", async () => {
    const { error } = await runExpectingError(async () =>
      pulumi.runtime.invoke("azure-native:cdn:getProfile", { profileName: "x" }),
    );
    expect(error.message).toContain("azure-native:cdn:getProfile");
    expect(error.message).toContain("lib/offline/mocks.ts");
  });
});

describe("registration capture", () => {
  class Box extends pulumi.ComponentResource {
    readonly uri: pulumi.Output<string>;
    constructor(name: string) {
      super("test:index:Box", name, {}, {});
      const vault = new keyvault.Vault(
        `${name}-kv`,
        {
          resourceGroupName: "rg-test",
          vaultName: "kvbox",
          properties: { tenantId: MOCK_TENANT_ID, sku: { family: "A", name: "standard" } },
        },
        { parent: this, protect: true },
      );
      new keyvault.Secret(
        `${name}-secret`,
        {
          resourceGroupName: "rg-test",
          vaultName: "kvbox",
          secretName: "api-key",
          properties: { value: pulumi.secret("s3cr3t-value"), attributes: { expires: 1893456000 } },
        },
        { parent: this, dependsOn: [vault] },
      );
      this.uri = vault.properties.vaultUri;
      this.registerOutputs({ uri: this.uri });
    }
  }

  let resources: Awaited<ReturnType<typeof runProgram>>["resources"];
  beforeAll(async () => {
    ({ resources } = await runProgram(() => {
      new Box("box");
      new random.RandomPassword("pw", { length: 20 });
    }));
  });

  it("keeps a secret at the property that is secret, not the whole input", () => {
    const secret = only(resources, "azure-native:keyvault:Secret");
    const props = secret.inputs.properties as Record<string, unknown>;
    expect(isSecretEnvelope(props)).toBe(false);
    expect(isSecretEnvelope(props.value)).toBe(true);
    expect(props.attributes).toEqual({ expires: 1893456000 });
    // The mock extends the nested object without losing the secret.
    const out = secret.outputs.properties as Record<string, unknown>;
    expect(isSecretEnvelope(out.value)).toBe(true);
    expect(out.secretUri).toBe("https://kvbox.vault.azure.net/secrets/api-key");
  });

  it("keeps generated secrets secret (random passwords)", () => {
    const pw = only(resources, "random:index/randomPassword:RandomPassword");
    expect(isSecretEnvelope(pw.outputs.result)).toBe(true);
  });

  it("records parent, protect, explicit dependencies and component outputs", () => {
    const box = only(resources, "test:index:Box");
    const vault = only(resources, "azure-native:keyvault:Vault");
    const secret = only(resources, "azure-native:keyvault:Secret");
    expect(box.custom).toBe(false);
    expect(vault.parent).toBe(box.urn);
    expect(vault.protect).toBe(true);
    expect(secret.protect).toBe(false);
    expect(secret.dependencies).toContain(vault.urn);
    expect(box.outputs).toEqual({ uri: "https://kvbox.vault.azure.net/" });
    expect(vault.urn).toBe(
      "urn:pulumi:test::secure-azure-platform::test:index:Box$azure-native:keyvault:Vault::box-kv",
    );
  });
});

describe("the root stack, as Pulumi's Node.js host runs a program", () => {
  let resources: Awaited<ReturnType<typeof runProgram>>["resources"];
  let rootStack: pulumi.Resource | undefined;
  let vault: keyvault.Vault;
  beforeAll(async () => {
    ({ resources } = await runProgram(() => {
      rootStack = pulumi.runtime.getStackResource();
      vault = new keyvault.Vault(
        "kv",
        {
          resourceGroupName: "rg-test",
          vaultName: "kv-test",
          properties: { tenantId: MOCK_TENANT_ID, sku: { family: "A", name: "standard" } },
        },
        { aliases: [{ type: "test:old:Vault" }] },
      );
    }));
  });

  it("runs the program inside the root stack, which the plan does not list", () => {
    expect(rootStack).toBeDefined();
    expect(resources.map((r) => r.type)).toEqual(["azure-native:keyvault:Vault"]);
  });

  it("records a top-level resource without a parent, under the URN the engine gives it", () => {
    const planned = only(resources, "azure-native:keyvault:Vault");
    expect(planned.parent).toBeUndefined();
    expect(planned.urn).toBe("urn:pulumi:test::secure-azure-platform::azure-native:keyvault:Vault::kv");
  });

  it("keeps the program's own aliases and hands the SDK none of azure-native's API-version ones", () => {
    expect(only(resources, "azure-native:keyvault:Vault").aliases).toEqual([
      "urn:pulumi:test::secure-azure-platform::test:old:Vault::kv",
    ]);
    // The SDK's own list of collapsed aliases (internal): azure-native adds 21 API-version ones to
    // a Vault, each collapsed into outputs; offline only the program's alias is left.
    expect((vault as unknown as { __aliases: unknown[] }).__aliases).toHaveLength(1);
  });

  it("reads an alias whose parent is the root stack as 'was top-level', for a resource moved into a component", async () => {
    const { resources: moved } = await runProgram(() => {
      const stack = pulumi.runtime.getStackResource();
      const box = new pulumi.ComponentResource("test:index:Box", "box", {});
      new keyvault.Vault(
        "kv",
        {
          resourceGroupName: "rg-test",
          vaultName: "kv-test",
          properties: { tenantId: MOCK_TENANT_ID, sku: { family: "A", name: "standard" } },
        },
        // Both spellings the SDK sends as the root stack's URN.
        { parent: box, aliases: [{ parent: stack }, { name: "kv-old", parent: stack?.urn }] },
      );
    });
    const planned = only(moved, "azure-native:keyvault:Vault");
    expect(planned.urn).toBe(
      "urn:pulumi:test::secure-azure-platform::test:index:Box$azure-native:keyvault:Vault::kv",
    );
    expect(planned.aliases).toEqual([
      "urn:pulumi:test::secure-azure-platform::azure-native:keyvault:Vault::kv",
      "urn:pulumi:test::secure-azure-platform::azure-native:keyvault:Vault::kv-old",
    ]);
  });
});

describe("keyvault:getKey", () => {
  it("reports the version the Key resource was created with", async () => {
    const { resources, result } = await runProgram(async () => {
      new keyvault.Key("cmk", {
        resourceGroupName: "rg-test",
        vaultName: "kv1",
        keyName: "cmk",
        properties: { kty: "RSA", keySize: 3072 },
      });
      return keyvault.getKey({ resourceGroupName: "rg-test", vaultName: "kv1", keyName: "cmk" });
    });
    const key = only(resources, "azure-native:keyvault:Key");
    expect((result as { keyUriWithVersion: string }).keyUriWithVersion).toBe(key.outputs.keyUriWithVersion);
    expect((result as { id: string }).id).toBe(key.id);
  });
});

describe("StackReference", () => {
  const outputs = { platform: { location: "westeurope" }, token: { [SIG]: SECRET, value: "s3cret" } };
  const stackOutputs = (name: string) => (name === "org/platform/dev" ? outputs : undefined);

  it("reads the referenced stack's outputs, secrets staying secret", async () => {
    let platform: unknown;
    let tokenSecret: boolean | undefined;
    const { resources } = await runUnderMocks(
      async () => {
        const ref = new pulumi.StackReference("platform", { name: "org/platform/dev" });
        platform = (await ref.getOutputDetails("platform")).value;
        tokenSecret = (await ref.getOutputDetails("token")).secretValue !== undefined;
      },
      { mocks: { stackOutputs } },
    );
    expect(platform).toEqual({ location: "westeurope" });
    expect(tokenSecret).toBe(true);
    const ref = only(resources, "pulumi:pulumi:StackReference");
    expect(ref.id).toBe("org/platform/dev");
    expect(ref.external).toBe(true);
  });

  it("refuses a stack it has no outputs of, naming it", () => {
    const mocks = new AzureMocks({ stackOutputs });
    const read = { type: "pulumi:pulumi:StackReference", name: "other", inputs: {}, custom: true };
    expect(() => mocks.newResource({ ...read, id: "org/other/dev" })).toThrow(
      /StackReference org\/other\/dev: no outputs for this stack/,
    );
    expect(mocks.newResource({ ...read, id: "org/platform/dev" }).state.outputs).toBe(outputs);
  });
});

describe("Front Door origins: Private Link location", () => {
  const mocks = new AzureMocks();
  const origin = (privateLinkLocation: string) => ({
    type: "azure-native:cdn:AFDOrigin",
    name: "edge-web-origin",
    custom: true,
    inputs: {
      resourceGroupName: "rg-test",
      profileName: "afd-test",
      originGroupName: "og-web",
      originName: "o-web",
      hostName: "web.example.azurecontainerapps.io",
      sharedPrivateLinkResource: {
        privateLink: { id: `${RG_ID}/providers/Microsoft.App/managedEnvironments/cae-test` },
        groupId: "managedEnvironments",
        privateLinkLocation,
        requestMessage: "request",
      },
    },
  });
  it("Azure refuses a region without Front Door Private Link; the mock refuses it too", () => {
    expect(() => mocks.newResource(origin("germanynorth"))).toThrow(
      /privateLinkLocation "germanynorth" does not offer Front Door Private Link/,
    );
  });
  it("accepts a region that offers it", () => {
    expect(mocks.newResource(origin("West Europe")).id).toMatch(/\/originGroups\/og-web\/origins\/o-web$/);
  });
});

describe("Key Vault keys: rotation policy limits Azure enforces", () => {
  const mocks = new AzureMocks();
  const key = (rotate: string, expiry = "P730D", trigger = "timeAfterCreate") => ({
    type: "azure-native:keyvault:Key",
    name: "cmk-key",
    custom: true,
    inputs: {
      resourceGroupName: "rg-test",
      vaultName: "kv-test",
      keyName: "key-test",
      properties: {
        kty: "RSA",
        rotationPolicy: {
          attributes: { expiryTime: expiry },
          lifetimeActions: [
            { action: { type: "rotate" }, trigger: { [trigger]: rotate } },
            { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P3D" } },
          ],
        },
      },
    },
  });
  it.each([
    ["rotating 3 days after creation", key("P3D"), /rotates 3 days after creation; at least 7/],
    ["rotating 6 days before expiry", key("P6D", "P730D", "timeBeforeExpiry"), /6 days before expiry/],
    ["versions expiring after 14 days", key("P7D", "P2W"), /expiryTime is 14 days; at least 28/],
  ])("refuses a key %s, as Azure does", (_what, args, message) => {
    expect(() => mocks.newResource(args)).toThrow(message);
  });
  it("accepts 7 days after creation, a 28-day lifetime, and a short notify trigger (not a rotation)", () => {
    expect(mocks.newResource(key("P7D", "P28D")).id).toMatch(/\/vaults\/kv-test\/keys\/key-test$/);
  });
});

// Sentinel validates a scheduled rule's KQL at creation ("One of the tables does not exist"), as a
// log search alert does; a workspace the deployment creates has no table its diagnostic settings
// have not filled yet. Fails on the old mock, which created any rule.
describe("Sentinel rules and log alerts on a workspace the plan creates", () => {
  const WORKSPACE_ID = `${RG_ID}/providers/Microsoft.OperationalInsights/workspaces/log-test`;
  const FUZZY = "union isfuzzy=true (datatable(TimeGenerated: datetime)[]), AZKVAuditLogs";
  const workspace = {
    type: "azure-native:operationalinsights:Workspace",
    name: "log",
    custom: true,
    inputs: { resourceGroupName: "rg-test", workspaceName: "log-test" },
  };
  const rule = (query: string, workspaceName = "log-test") => ({
    type: "azure-native:securityinsights:ScheduledAlertRule",
    name: "siem-kv",
    custom: true,
    inputs: { resourceGroupName: "rg-test", workspaceName, ruleId: "r1", kind: "Scheduled", query },
  });
  const alert = (query: string) => ({
    type: "azure-native:monitor:ScheduledQueryRule",
    name: "siem-incidents",
    custom: true,
    inputs: {
      resourceGroupName: "rg-test",
      ruleName: "alert-incidents",
      scopes: [WORKSPACE_ID],
      criteria: { allOf: [{ query }] },
    },
  });
  const withWorkspace = () => {
    const mocks = new AzureMocks();
    expect(mocks.newResource(workspace).id).toBe(WORKSPACE_ID);
    return mocks;
  };

  it("refuses a scheduled rule that reads a table directly", () => {
    expect(() =>
      withWorkspace().newResource(rule("let x = 1;\nAZKVAuditLogs | where OperationName == 'SecretGet'")),
    ).toThrow(
      /ScheduledAlertRule siem-kv: its query reads AZKVAuditLogs directly.*One of the tables does not exist/,
    );
  });
  it("refuses a log search alert that reads a table directly, and one that joins a second table", () => {
    expect(() => withWorkspace().newResource(alert("SecurityIncident | where Status == 'New'"))).toThrow(
      /ScheduledQueryRule siem-incidents: its query reads SecurityIncident directly/,
    );
    expect(() =>
      withWorkspace().newResource(rule(`${FUZZY}\n| join kind=inner (AzureActivity) on CallerIpAddress`)),
    ).toThrow(/reads AzureActivity directly/);
  });
  it("a fuzzy union that names a second table still reads that one directly", () => {
    expect(() => withWorkspace().newResource(rule(`${FUZZY}, AzureActivity\n| take 1`))).toThrow(
      /reads AZKVAuditLogs, AzureActivity directly|reads AzureActivity, AZKVAuditLogs directly/,
    );
  });
  it("accepts the table through a fuzzy union with an empty leg", () => {
    const mocks = withWorkspace();
    expect(mocks.newResource(rule(`${FUZZY}\n| where OperationName == "SecretGet"`)).id).toMatch(
      /\/alertRules\/r1$/,
    );
    expect(mocks.newResource(alert(`${FUZZY}\n| take 1`)).id).toMatch(
      /\/scheduledQueryRules\/alert-incidents$/,
    );
  });
  // Microsoft's "Scheduled analytics rules in Microsoft Sentinel" (MicrosoftDocs/azure-docs
  // articles/sentinel/scheduled-rules-overview.md): "The query length should be between 1 and 10,000
  // characters and can't contain `search *` or `union *`"; the API refuses it ("Scheduled alert rule
  // query should not contain 'search' or 'union *'", Azure/Azure-Sentinel#1437, by design). On any
  // workspace. Fails on the old mock, which created any rule.
  it.each([
    ["a `union *`", "union withsource=SourceTable *\n| take 1", /contains `union \*`/],
    ["a `union isfuzzy=true *`", `${FUZZY}\n| union isfuzzy=true *`, /contains `union \*`/],
    // review13: a `*` next to named tables reads every table too; the old mock accepted it.
    ["a `*` among the union's tables", `${FUZZY}\n| union SigninLogs, *`, /contains `union \*`/],
    ["a `search`", 'search "SecretGet"', /contains `search`/],
    ["a `search *` after a let", "let x = 1;\nsearch * | take 1", /contains `search`/],
    ["an empty query", "  ", /1 to 10000 characters/],
    [
      "a query over 10,000 characters",
      `${FUZZY}\n| where Id in (${'"x", '.repeat(2000)}"x")`,
      /1 to 10000 characters/,
    ],
  ])("refuses a scheduled rule with %s, as Sentinel does", (_what, query, message) => {
    expect(() => new AzureMocks().newResource(rule(query))).toThrow(message);
  });
  it("accepts `search` and `union` as words in strings or column names, and a union of named tables", () => {
    const mocks = new AzureMocks();
    // review13: and in a multi-line ```...``` literal (Microsoft's "The string data type"), which
    // the old mock took for code.
    const query = `${FUZZY}\n| where OperationName == "search union *" or ResearchId != ""\n| where Note != \`\`\`\nsearch *\n| union *\`\`\`\n| union (datatable(x: int)[])`;
    expect(mocks.newResource(rule(query)).id).toMatch(/\/alertRules\/r1$/);
  });
  // review13: a parameter or column named `search` is not the operator; the old mock refused it.
  it("accepts a function parameter or column named `search`", () => {
    const query = `let f = (search: string) { ${FUZZY}\n| where OperationName == search };\nf("SecretGet")\n| extend search = 1\n| project-rename s = search`;
    expect(new AzureMocks().newResource(rule(query)).id).toMatch(/\/alertRules\/r1$/);
  });
  it("accepts a direct read on a workspace the plan does not create (its tables may exist)", () => {
    expect(new AzureMocks().newResource(rule("AZKVAuditLogs | take 1")).id).toMatch(/\/alertRules\/r1$/);
    expect(withWorkspace().newResource(rule("AZKVAuditLogs | take 1", "log-other")).id).toMatch(
      /workspaces\/log-other\/.*\/alertRules\/r1$/,
    );
  });
});

// Microsoft's "Azure Front Door limits" (MicrosoftDocs/azure-docs includes/front-door-limits.md):
// Azure refuses the policy's PUT beyond them. Fails on the old mock, which accepted any policy.
describe("Front Door WAF policy limits Azure enforces", () => {
  const mocks = new AzureMocks();
  const condition = (operator: string, n: number, value = (i: number) => `v${i}`) => ({
    matchVariable: operator === "IPMatch" ? "RemoteAddr" : "RequestUri",
    operator,
    matchValue: Array.from({ length: n }, (_, i) => value(i)),
  });
  const policy = (rules: Record<string, unknown>[]) => ({
    type: "azure-native:frontdoor:Policy",
    name: "edge-waf",
    custom: true,
    inputs: { resourceGroupName: "rg-test", policyName: "waftest", customRules: { rules } },
  });
  // Each rule its own priority, as Azure requires (the duplicate cases below set one).
  let nextPriority = 1;
  const rule = (name: string, conditions: Record<string, unknown>[], priority = nextPriority++) => ({
    name,
    priority,
    ruleType: "MatchRule",
    action: "Block",
    matchConditions: conditions,
  });
  const ip = (i: number) => `10.${Math.floor(i / 256)}.${i % 256}.0/24`;
  it.each([
    [
      "11 match conditions in a rule",
      [
        rule(
          "Geo",
          Array.from({ length: 11 }, () => condition("GeoMatch", 1)),
        ),
      ],
      /rule Geo: 11 match conditions; at most 10/,
    ],
    [
      "11 string values in a condition",
      [rule("Paths", [condition("Contains", 11)])],
      /condition 0 \(Contains\): 11 values; at most 10/,
    ],
    [
      "601 IP ranges in a condition",
      [rule("Ips", [condition("IPMatch", 601, ip)])],
      /\(IPMatch\): 601 values; at most 600/,
    ],
    [
      "a 257-character value",
      [rule("Long", [condition("Equal", 1, () => "x".repeat(257))])],
      /a value of 257 characters; at most 256/,
    ],
    [
      "6 RegEx rules",
      Array.from({ length: 6 }, (_, i) => rule(`R${i}`, [condition("RegEx", 1)])),
      /6 rules use RegEx; at most 5/,
    ],
    [
      "101 custom rules",
      Array.from({ length: 101 }, (_, i) => rule(`C${i}`, [condition("Equal", 1)])),
      /101 custom rules; at most 100/,
    ],
    // "Priority numbers must be unique among all custom rules", and names too (Microsoft's "Custom
    // rules for Azure Web Application Firewall on Azure Front Door"). Accepted by the old mock.
    [
      "two rules with the same priority",
      [rule("A", [condition("Equal", 1)], 5), rule("B", [condition("Equal", 1)], 5)],
      /rules 0 and 1 have the same priority 5/,
    ],
    [
      "two rules with the same name",
      [rule("Same", [condition("Equal", 1)]), rule("same", [condition("Equal", 1)])],
      /rules 0 and 1 have the same name "same"/,
    ],
  ])("refuses %s, as Azure does", (_what, rules, message) => {
    expect(() => mocks.newResource(policy(rules))).toThrow(message);
  });
  it("accepts the limits themselves: 10 conditions of 10 country codes, 600 IP ranges, 5 RegEx rules", () => {
    const rules = [
      rule(
        "Geo",
        Array.from({ length: 10 }, () => condition("GeoMatch", 10)),
      ),
      rule("Ips", [condition("IPMatch", 600, ip)]),
      ...Array.from({ length: 5 }, (_, i) => rule(`R${i}`, [condition("RegEx", 10)])),
    ];
    expect(mocks.newResource(policy(rules)).id).toMatch(
      /\/frontDoorWebApplicationFirewallPolicies\/waftest$/,
    );
  });
});

// azure-native's Blob and StorageAccountStaticWebsite call the blob endpoint (data plane:
// custom_storage_azidentity.go), where a closed account refuses a runner outside its network.
// Fails on the old mock, which created them like Resource Manager resources.
describe("blob data plane from a runner outside the network", () => {
  const account = (extra: Record<string, unknown>) => ({
    type: "azure-native:storage:StorageAccount",
    name: "st",
    custom: true,
    inputs: { resourceGroupName: "rg-test", accountName: "sttest", ...extra },
  });
  const blob = (type = "azure-native:storage:Blob", accountName = "sttest") => ({
    type,
    name: "seed",
    custom: true,
    inputs: { resourceGroupName: "rg-test", accountName, containerName: "data", blobName: "seed.json" },
  });
  const closed = { publicNetworkAccess: "Disabled", networkRuleSet: { defaultAction: "Deny", ipRules: [] } };
  it.each([
    ["a blob", "azure-native:storage:Blob"],
    ["the static website", "azure-native:storage:StorageAccountStaticWebsite"],
  ])("refuses %s on an account with public network access disabled", (_what, type) => {
    const mocks = new AzureMocks();
    mocks.newResource(account(closed));
    expect(() => mocks.newResource(blob(type))).toThrow(
      /storage:(Blob|StorageAccountStaticWebsite) seed: azure-native writes it through the account's blob endpoint \(data plane\).*sttest, whose public network access is Disabled/,
    );
  });
  // azure-native's Blob signs with the account key (custom_storage_azidentity.go
  // newSharedKeyCredential), refused on an account without Shared Key authorization, as every
  // account of the platform is (pulumi/pulumi-azure-native#2015). Fails on the old mock, which
  // refused a blob only on a closed network.
  it("refuses a blob on an open account with allowSharedKeyAccess false, but not the static website", () => {
    const mocks = new AzureMocks();
    mocks.newResource(account({ publicNetworkAccess: "Enabled", allowSharedKeyAccess: false }));
    expect(() => mocks.newResource(blob())).toThrow(
      /storage:Blob seed: azure-native writes a blob with the account's Shared Key, and storage account sttest has allowSharedKeyAccess false/,
    );
    expect(mocks.newResource(blob("azure-native:storage:StorageAccountStaticWebsite")).id).toBeDefined();
  });
  it("refuses a blob behind a deny-by-default firewall with no IP rule", () => {
    const mocks = new AzureMocks();
    mocks.newResource(account({ publicNetworkAccess: "Enabled", networkRuleSet: { defaultAction: "Deny" } }));
    expect(() => mocks.newResource(blob())).toThrow(/firewall denies by default and lists no IP rule/);
  });
  // bypass11: an IP rule cannot name a GitHub-hosted runner (its address is not fixed), so a
  // deny-by-default firewall with IP rules is as closed to it as one without. Fails on the old
  // closedToRunner, which took any IP rule for a way in and created the blob.
  const behindFirewallAllowing = (range: string) => {
    const mocks = new AzureMocks();
    mocks.newResource(
      account({
        publicNetworkAccess: "Enabled",
        networkRuleSet: { defaultAction: "Deny", ipRules: [{ iPAddressOrRange: range, action: "Allow" }] },
      }),
    );
    return () => mocks.newResource(blob());
  };
  it("refuses a blob behind a deny-by-default firewall whose IP rules name other addresses", () => {
    expect(behindFirewallAllowing("203.0.113.0/24")).toThrow(
      /firewall denies by default, and its IP rules cannot name a GitHub-hosted runner/,
    );
  });
  it("creates a blob behind a deny-by-default firewall with a rule covering every address", () => {
    expect(behindFirewallAllowing("0.0.0.0/0")().id).toBeDefined();
  });
  it("accepts Resource Manager's containers on a closed account, and blobs on an open or unknown one", () => {
    const mocks = new AzureMocks();
    mocks.newResource(account(closed));
    expect(
      mocks.newResource({
        type: "azure-native:storage:BlobContainer",
        name: "data",
        custom: true,
        inputs: { resourceGroupName: "rg-test", accountName: "sttest", containerName: "data" },
      }).id,
    ).toMatch(/\/containers\/data$/);
    mocks.newResource(account({ accountName: "stopen", publicNetworkAccess: "Enabled" }));
    expect(mocks.newResource(blob(undefined, "stopen")).id).toBeDefined();
    expect(mocks.newResource(blob(undefined, "stelsewhere")).id).toBeDefined();
  });
});

// Azure refuses a customer-managed key in a vault the service cannot use: Azure Managed Redis needs
// the vault in the cache's region with purge protection (MicrosoftDocs/azure-docs
// articles/redis/how-to-encryption.md); PostgreSQL's geo-backup key must be in a vault in the region
// the geo-redundant backup goes to, with an identity of its own (MicrosoftDocs/azure-databases-docs
// articles/postgresql/security/security-data-encryption.md). Fails on the old mock, which accepted any vault.
describe("customer-managed keys: the vault must be where the service needs it", () => {
  const vault = (mocks: AzureMocks, vaultName: string, location: string, purgeProtection = true) =>
    mocks.newResource({
      type: "azure-native:keyvault:Vault",
      name: vaultName,
      custom: true,
      inputs: {
        resourceGroupName: "rg-test",
        vaultName,
        location,
        properties: { enableSoftDelete: true, enablePurgeProtection: purgeProtection },
      },
    });
  const identity = (name: string) =>
    `${RG_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
  const cluster = (vaultName: string) => ({
    type: "azure-native:redisenterprise:RedisEnterprise",
    name: "redis-cluster",
    custom: true,
    inputs: {
      resourceGroupName: "rg-test",
      clusterName: "amr-test",
      location: "westeurope",
      sku: { name: "Balanced_B5" },
      encryption: {
        customerManagedKeyEncryption: {
          keyEncryptionKeyUrl: `https://${vaultName}.vault.azure.net/keys/key-redis/0123456789abcdef`,
          keyEncryptionKeyIdentity: {
            identityType: "userAssignedIdentity",
            userAssignedIdentityResourceId: identity("id-redis"),
          },
        },
      },
    },
  });
  const server = (geoVaultName: string, geoIdentity = "id-pg-geo") => ({
    type: "azure-native:dbforpostgresql:Server",
    name: "postgres-server",
    custom: true,
    inputs: {
      resourceGroupName: "rg-test",
      serverName: "psql-test",
      location: "West Europe",
      backup: { geoRedundantBackup: "Enabled" },
      dataEncryption: {
        type: "AzureKeyVault",
        primaryKeyURI: "https://kv-main.vault.azure.net/keys/key-pg",
        primaryUserAssignedIdentityId: identity("id-pg"),
        geoBackupKeyURI: `https://${geoVaultName}.vault.azure.net/keys/key-pg-geo`,
        geoBackupUserAssignedIdentityId: identity(geoIdentity),
      },
    },
  });

  it("Managed Redis: refuses a key in a vault of another region, or without purge protection", () => {
    const mocks = new AzureMocks();
    vault(mocks, "kv-geo", "northeurope");
    vault(mocks, "kv-nopurge", "westeurope", false);
    expect(() => mocks.newResource(cluster("kv-geo"))).toThrow(
      /redis-cluster: its customer-managed key is in vault kv-geo in northeurope; the vault must be in the cache's region westeurope/,
    );
    expect(() => mocks.newResource(cluster("kv-nopurge"))).toThrow(
      /vault kv-nopurge, which has no purge protection/,
    );
  });
  it("Managed Redis: accepts a key in a vault of its region, and a vault the plan does not create", () => {
    const mocks = new AzureMocks();
    vault(mocks, "kv-main", "West Europe");
    expect(mocks.newResource(cluster("kv-main")).id).toMatch(/\/redisEnterprise\/amr-test$/);
    expect(mocks.newResource(cluster("kv-elsewhere")).id).toMatch(/\/redisEnterprise\/amr-test$/);
  });
  it("PostgreSQL: refuses a geo-backup key outside the backup's region, or sharing the primary key's identity", () => {
    const mocks = new AzureMocks();
    vault(mocks, "kv-main", "westeurope");
    vault(mocks, "kv-geo", "northeurope");
    expect(() => mocks.newResource(server("kv-main"))).toThrow(
      /geo-backup key is in vault kv-main in westeurope; it must be in a vault in northeurope, where the geo-redundant backup of westeurope is stored/,
    );
    expect(() => mocks.newResource(server("kv-geo", "id-pg"))).toThrow(
      /the primary and geo-backup keys use the same identity .*id-pg; each needs its own/,
    );
  });
  it("PostgreSQL: accepts a geo-backup key in a vault of the paired region with its own identity", () => {
    const mocks = new AzureMocks();
    vault(mocks, "kv-geo", "northeurope");
    expect(mocks.newResource(server("kv-geo")).id).toMatch(/\/flexibleServers\/psql-test$/);
  });
  it("leaves identities not known yet (a first preview) to the deploy", () => {
    const unknown = (pulumi.runtime as unknown as { unknownValue: string }).unknownValue;
    const preview = server("kv-elsewhere");
    const encryption = (preview.inputs as { dataEncryption: Record<string, unknown> }).dataEncryption;
    encryption.primaryUserAssignedIdentityId = unknown;
    encryption.geoBackupUserAssignedIdentityId = unknown;
    expect(new AzureMocks().newResource(preview).id).toMatch(/\/flexibleServers\/psql-test$/);
  });
});
