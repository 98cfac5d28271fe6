/**
 * The `pulumi stack export` document the plan writes: shape and field names of
 * DeploymentV3/ResourceV3, root stack, default providers, secrets as ciphertext only, and
 * the parser that other tools (the policy analyzer) use.
 */
import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as random from "@pulumi/random";
import { buildStackExport, checkExportIntegrity, parseStackExport, stackUrn } from "../../lib/offline/export";
import {
  SECRET_SIG,
  SIG_KEY,
  StackExportError,
  type PlanExport,
  type StackExport,
  type StackExportResource,
} from "../../policy/common/pulumiFormat";
import { sharedExport } from "../helpers/plans";
import { runProgram } from "../helpers/pulumi";

const SECRET_TEXT = "s3cr3t-value-never-exported";
const STACK_TYPE = "pulumi:pulumi:Stack";

// Field names of apitype.ResourceV3 (pulumi/pulumi sdk/go/common/apitype/core.go).
const RESOURCE_V3_FIELDS = new Set([
  "urn",
  "custom",
  "delete",
  "id",
  "type",
  "inputs",
  "outputs",
  "parent",
  "protect",
  "external",
  "dependencies",
  "initErrors",
  "provider",
  "propertyDependencies",
  "pendingReplacement",
  "additionalSecretOutputs",
  "aliases",
  "customTimeouts",
  "importID",
  "retainOnDelete",
  "deletedWith",
  "created",
  "modified",
  "sourcePosition",
  "ignoreChanges",
  "replaceOnChanges",
]);

function byUrn(doc: StackExport): Map<string, StackExportResource> {
  return new Map((doc.deployment.resources ?? []).map((r) => [r.urn, r]));
}

describe("a program with components, secrets and generated passwords", () => {
  class Store extends pulumi.ComponentResource {
    constructor(name: string) {
      super("test:index:Store", name, {}, {});
      const vault = new keyvault.Vault(
        `${name}-kv`,
        {
          resourceGroupName: "rg",
          vaultName: "kvstore",
          location: "westeurope",
          properties: {
            tenantId: "00000000-0000-4000-8000-0000000000a1",
            sku: { family: "A", name: "standard" },
          },
        },
        { parent: this, protect: true },
      );
      new keyvault.Secret(
        `${name}-secret`,
        {
          resourceGroupName: "rg",
          vaultName: vault.name,
          secretName: "api-key",
          properties: { value: pulumi.secret(SECRET_TEXT), attributes: { expires: 1893456000 } },
        },
        { parent: this },
      );
      this.registerOutputs({});
    }
  }

  let doc: PlanExport;
  let text: string;
  beforeAll(async () => {
    const { resources } = await runProgram(
      () => {
        new Store("store");
        new random.RandomPassword("pw", { length: 24 });
      },
      { stack: "unit" },
    );
    doc = buildStackExport({
      project: "secure-azure-platform",
      stack: "unit",
      resources,
      stackOutputs: {
        endpoint: "https://kvstore.vault.azure.net/",
        token: { [SIG_KEY]: SECRET_SIG, value: SECRET_TEXT },
      },
      providerConfig: { "azure-native": { location: "westeurope" } },
      time: new Date("2026-01-01T00:00:00Z"),
    });
    text = JSON.stringify(doc);
  });

  it("is a version 3 deployment with the manifest fields of ManifestV1", () => {
    expect(doc.version).toBe(3);
    expect(Object.keys(doc.deployment.manifest).sort()).toEqual(["magic", "time", "version"]);
    expect(doc.deployment.manifest.time).toBe("2026-01-01T00:00:00.000Z");
    expect(doc.deployment.manifest.magic).toMatch(/^[0-9a-f]{64}$/);
  });

  it("uses only ResourceV3 field names", () => {
    for (const r of doc.deployment.resources ?? []) {
      for (const key of Object.keys(r)) expect(RESOURCE_V3_FIELDS).toContain(key);
    }
  });

  it("starts with the root stack, which parents the top-level resources and holds the outputs", () => {
    const [root] = doc.deployment.resources;
    expect(root).toMatchObject({
      urn: stackUrn("secure-azure-platform", "unit"),
      type: STACK_TYPE,
      custom: false,
    });
    expect(root.urn).toBe(
      "urn:pulumi:unit::secure-azure-platform::pulumi:pulumi:Stack::secure-azure-platform-unit",
    );
    expect(root.outputs?.endpoint).toBe("https://kvstore.vault.azure.net/");
    const store = doc.deployment.resources.find((r) => r.type === "test:index:Store")!;
    const pw = doc.deployment.resources.find((r) => r.type === "random:index/randomPassword:RandomPassword")!;
    expect(store.parent).toBe(root.urn);
    expect(pw.parent).toBe(root.urn);
    const vault = doc.deployment.resources.find((r) => r.type === "azure-native:keyvault:Vault")!;
    expect(vault.parent).toBe(store.urn);
    expect(vault.protect).toBe(true);
  });

  it("references a default provider per package as <urn>::<id>, as the engine writes it", () => {
    const resources = byUrn(doc);
    const providers = doc.deployment.resources.filter((r) => r.type.startsWith("pulumi:providers:"));
    expect(providers.map((p) => p.type).sort()).toEqual([
      "pulumi:providers:azure-native",
      "pulumi:providers:random",
    ]);
    const azure = providers.find((p) => p.type === "pulumi:providers:azure-native")!;
    expect(azure.urn).toMatch(/::pulumi:providers:azure-native::default_3_28_0$/);
    expect(azure.inputs).toMatchObject({ location: "westeurope", version: "3.28.0" });
    for (const r of doc.deployment.resources) {
      if (!r.custom || r.type.startsWith("pulumi:providers:")) {
        expect(r.provider).toBeUndefined();
        continue;
      }
      const [urn, id] = [r.provider!.slice(0, r.provider!.lastIndexOf("::")), r.provider!.split("::").pop()];
      expect(resources.get(urn)?.id).toBe(id);
      expect(resources.get(urn)?.type).toBe(`pulumi:providers:${r.type.split(":")[0]}`);
    }
  });

  it("never contains a secret value, only ciphertext at the secret property", () => {
    expect(text).not.toContain(SECRET_TEXT);
    const pw = doc.deployment.resources.find((r) => r.type === "random:index/randomPassword:RandomPassword")!;
    // The mock's generated password ("mock-<hex>") is a secret output: ciphertext only.
    expect(text).not.toMatch(/"mock-[0-9a-f]+"/);
    const secret = doc.deployment.resources.find((r) => r.type === "azure-native:keyvault:Secret")!;
    const props = secret.inputs!.properties as Record<string, unknown>;
    expect(props.value).toEqual({ [SIG_KEY]: SECRET_SIG, ciphertext: expect.any(String) });
    expect(props.attributes).toEqual({ expires: 1893456000 });
    expect(pw.outputs?.result).toEqual({ [SIG_KEY]: SECRET_SIG, ciphertext: expect.any(String) });
    expect(doc.deployment.resources[0].outputs?.token).toEqual({
      [SIG_KEY]: SECRET_SIG,
      ciphertext: expect.any(String),
    });
  });

  it("lists parents, dependencies and providers before the resources that use them", () => {
    expect(checkExportIntegrity(doc)).toEqual([]);
    const secret = doc.deployment.resources.find((r) => r.type === "azure-native:keyvault:Secret")!;
    const vault = doc.deployment.resources.find((r) => r.type === "azure-native:keyvault:Vault")!;
    expect(secret.propertyDependencies?.vaultName).toEqual([vault.urn]);
  });

  it("round-trips through parseStackExport, which fills the omitted fields", () => {
    const parsed = parseStackExport(text, "unit.json");
    expect(parsed.deployment.resources).toHaveLength(doc.deployment.resources.length);
    const root = parsed.deployment.resources[0];
    expect(root).toMatchObject({ inputs: {}, dependencies: [], propertyDependencies: {}, protect: false });
  });
});

describe("parseStackExport refuses what is not a stack export, naming the file", () => {
  const valid = () => ({
    version: 3,
    deployment: {
      manifest: { time: "2026-01-01T00:00:00Z", magic: "", version: "" },
      resources: [{ urn: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", custom: false, type: STACK_TYPE }],
    },
  });

  it.each<[string, unknown, RegExp]>([
    ["not JSON", "{nope", /invalid JSON/],
    ["a JSON array", "[]", /expected a JSON object/],
    ["another version", { ...valid(), version: 2 }, /"version" is 2/],
    ["no deployment", { version: 3 }, /"deployment" must be an object/],
    ["no manifest", { version: 3, deployment: { resources: [] } }, /manifest/],
    [
      "a resource without a URN",
      { ...valid(), deployment: { ...valid().deployment, resources: [{ type: "x", custom: true }] } },
      /resources\[0\]\.urn/,
    ],
    [
      "a resource whose custom is not boolean",
      {
        ...valid(),
        deployment: {
          ...valid().deployment,
          resources: [{ ...valid().deployment.resources[0], custom: "yes" }],
        },
      },
      /resources\[0\]\.custom/,
    ],
    [
      "dependencies that are not URNs",
      {
        ...valid(),
        deployment: {
          ...valid().deployment,
          resources: [{ ...valid().deployment.resources[0], dependencies: [1] }],
        },
      },
      /dependencies/,
    ],
  ])("%s", (_what, input, problem) => {
    let error: unknown;
    try {
      parseStackExport(input, "some/file.json");
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StackExportError);
    expect((error as Error).message).toMatch(/^some\/file\.json: not a Pulumi stack export/);
    expect((error as Error).message).toMatch(problem);
  });

  it("accepts a minimal export", () => {
    expect(parseStackExport(valid(), "ok.json").deployment.resources).toHaveLength(1);
  });
});

describe("checkExportIntegrity: the engine's snapshot rules", () => {
  const stack = { urn: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", custom: false, type: STACK_TYPE };
  const provider = {
    urn: "urn:pulumi:s::p::pulumi:providers:x::default",
    custom: true,
    id: "1",
    type: "pulumi:providers:x",
  };
  const res = (name: string, fields: Partial<StackExportResource> = {}): StackExportResource => ({
    urn: `urn:pulumi:s::p::x:y:Z::${name}`,
    custom: true,
    type: "x:y:Z",
    parent: stack.urn,
    ...fields,
  });
  const doc = (resources: StackExportResource[]): StackExport => ({
    version: 3,
    deployment: { manifest: { time: "", magic: "", version: "" }, resources },
  });
  const a = res("a");

  it("accepts every reference to a resource listed earlier", () => {
    const b = res("b", {
      provider: `${provider.urn}::1`,
      dependencies: [a.urn],
      propertyDependencies: { p: [a.urn] },
      deletedWith: a.urn,
    });
    expect(checkExportIntegrity(doc([stack, provider, a, b]))).toEqual([]);
  });

  it.each<[string, Partial<StackExportResource>, RegExp]>([
    ["a parent", { parent: a.urn }, /parent .*::a is not listed before it/],
    ["a dependency", { dependencies: [a.urn] }, /dependency .*::a is not listed before it/],
    ["a property dependency", { propertyDependencies: { p: [a.urn] } }, /p depends on unlisted .*::a/],
    ["deletedWith", { deletedWith: a.urn }, /deleted with .*::a, which is not listed before it/],
    ["a provider", { provider: `${provider.urn}::1` }, /provider .* is not listed before it/],
  ])("names %s listed after the resource", (_what, fields, problem) => {
    const problems = checkExportIntegrity(doc([stack, res("b", fields), a, provider]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  it("names a duplicate URN", () => {
    expect(checkExportIntegrity(doc([stack, a, a]))).toEqual([`duplicate URN ${a.urn}`]);
  });
});

describe.each(["dev", "prod"] as const)("the %s stack's export", (stack) => {
  let doc: StackExport;
  beforeAll(async () => {
    doc = await sharedExport(stack);
  });

  it("is a valid Pulumi state: unique URNs, each resource after its parent, provider and dependencies", () => {
    expect(checkExportIntegrity(doc)).toEqual([]);
    expect(doc.deployment.resources![0].type).toBe(STACK_TYPE);
  });

  it("has a URN for every resource that names its stack, project and parent chain", () => {
    const resources = byUrn(doc);
    for (const r of doc.deployment.resources!) {
      expect(r.urn.startsWith(`urn:pulumi:${stack}::secure-azure-platform::`)).toBe(true);
      const qualified = r.urn.split("::")[2];
      const parent = r.parent ? resources.get(r.parent) : undefined;
      if (parent && parent.type !== STACK_TYPE) {
        expect(qualified).toBe(`${parent.urn.split("::")[2]}$${r.type}`);
      } else {
        expect(qualified).toBe(r.type);
      }
    }
  });

  it("gives every custom Azure resource an ARM ID", () => {
    for (const r of doc.deployment.resources!) {
      if (r.custom && r.type.startsWith("azure-native:"))
        expect(r.id).toMatch(/^\/subscriptions\/[0-9a-f-]{36}\//);
    }
  });
});
