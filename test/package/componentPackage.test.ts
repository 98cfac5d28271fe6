/**
 * The Pulumi component package (components/PulumiPlugin.yaml, provider.ts). Its schema, inferred
 * by the SDK's own analysis exactly as
 * `pulumi package add <repo>/components@<tag>` gets it (the provider the host serves,
 * components/providerOptions.ts): every exported component is there under
 * `secure-azure-platform:index:<Class>`, every input and output is typed (no `Any`, no untyped
 * object or array) and described, and the literal choices are schema enums with the values the
 * zod schemas accept. And the provider path works: `construct`, what the host runs when another
 * language creates a component, builds one from plain inputs under the offline mocks, and a
 * caller's bad arguments come back as the engine's property errors.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { InputPropertiesError } from "@pulumi/pulumi/errors";
import { testPlatform } from "../helpers/platform";
import { only, runProgram } from "../helpers/pulumi";
import * as components from "../../components/index";
import {
  componentProviderOptions,
  enginePropertyPath,
  PlatformComponentProvider,
} from "../../components/providerOptions";
import { LEGACY_COMPONENT_TYPES } from "../../controls/componentTypes";
import { STORAGE_SKUS } from "../../components/blobStorage.schema";
import { KEY_VAULT_SKUS } from "../../components/keyVault.schema";
import { POSTGRES_TIERS, POSTGRES_VERSIONS } from "../../components/postgres.schema";
import { APP_SERVICES, INGRESS_MODES } from "../../components/containerApp/schema";
import { REDIS_PERSISTENCE } from "../../components/managedRedis.schema";
import {
  CUSTOM_RULE_ACTIONS,
  CUSTOM_RULE_OPERATORS,
  CUSTOM_RULE_VARIABLES,
} from "../../components/frontDoorSpec";
import { BUILT_IN_ROLES } from "../../controls/roles";
import { checkPlatform, ComponentArgsError, PLATFORM_CONTEXT_KEYS } from "../../components/common/schema";

interface Property {
  type?: string;
  plain?: boolean;
  $ref?: string;
  items?: Property;
  additionalProperties?: Property;
  description?: string;
}
interface ObjectType {
  type: string;
  properties?: Record<string, Property>;
  enum?: { name: string; value: string | number }[];
  description?: string;
}
interface Schema {
  name: string;
  resources: Record<
    string,
    {
      isComponent: boolean;
      inputProperties: Record<string, Property>;
      properties: Record<string, Property>;
      description?: string;
    }
  >;
  types: Record<string, ObjectType>;
}

const PKG = "secure-azure-platform";
let provider: PlatformComponentProvider;
let schema: Schema;

beforeAll(async () => {
  provider = new PlatformComponentProvider();
  schema = JSON.parse(await provider.getSchema()) as Schema;
}, 180_000);

/** Problems of one property: untyped, `Any`, an untyped array/map, a dangling reference, no description. */
function problems(where: string, p: Property, described = true): string[] {
  const out: string[] = [];
  if (described && !p.description?.trim()) out.push(`${where}: no description`);
  if (p.$ref !== undefined) {
    if (p.$ref === "pulumi.json#/Any") out.push(`${where}: Any`);
    else if (p.$ref.startsWith("#/types/") && !(decodeURIComponent(p.$ref.slice(8)) in schema.types))
      out.push(`${where}: dangling ${p.$ref}`);
    return out;
  }
  if (p.type === "array")
    return p.items
      ? [...out, ...problems(`${where}[]`, p.items, false)]
      : [...out, `${where}: untyped array`];
  if (p.type === "object")
    return p.additionalProperties
      ? [...out, ...problems(`${where}{}`, p.additionalProperties, false)]
      : [...out, `${where}: untyped object`];
  if (!["string", "number", "integer", "boolean"].includes(p.type ?? "")) out.push(`${where}: no type`);
  return out;
}

function enumValues(name: string): (string | number)[] {
  const t = schema.types[`${PKG}:index:${name}`];
  expect(t?.enum).toBeDefined();
  return (t.enum ?? []).map((m) => m.value);
}

describe("component package schema (SDK analysis)", () => {
  it("is the secure-azure-platform package with every exported component under index", () => {
    expect(schema.name).toBe(PKG);
    const exported = componentProviderOptions()
      .components.map((c) => c.name)
      .sort();
    expect(exported).toEqual(Object.keys(LEGACY_COMPONENT_TYPES).sort());
    expect(Object.keys(schema.resources).sort()).toEqual(exported.map((c) => `${PKG}:index:${c}`));
    for (const resource of Object.values(schema.resources)) expect(resource.isComponent).toBe(true);
    const undescribed = Object.entries(schema.resources).filter(([, r]) => !r.description?.trim());
    expect(undescribed.map(([token]) => token)).toEqual([]);
    // Every component class is exported from the entry point the schema was read from.
    for (const name of exported) expect(name in components).toBe(true);
  });

  it("types and describes every input and output", () => {
    const found: string[] = [];
    for (const [token, r] of Object.entries(schema.resources)) {
      const cls = token.split(":")[2];
      for (const [k, p] of Object.entries(r.inputProperties)) found.push(...problems(`${cls} input ${k}`, p));
      for (const [k, p] of Object.entries(r.properties)) found.push(...problems(`${cls} output ${k}`, p));
      expect(Object.keys(r.inputProperties).length + Object.keys(r.properties).length).toBeGreaterThan(0);
    }
    for (const [token, t] of Object.entries(schema.types)) {
      if (t.enum) continue;
      expect(t.type).toBe("object");
      for (const [k, p] of Object.entries(t.properties ?? {})) found.push(...problems(`${token}.${k}`, p));
    }
    expect(found).toEqual([]);
  });

  it("has the literal choices as enums, with the values the zod schemas accept", () => {
    expect(enumValues("Environment")).toEqual(["dev", "prod"]);
    expect(enumValues("StorageSkuName")).toEqual([...STORAGE_SKUS]);
    expect(enumValues("KeyVaultSku")).toEqual([...KEY_VAULT_SKUS]);
    expect(enumValues("PostgresVersion")).toEqual([...POSTGRES_VERSIONS]);
    expect(enumValues("PostgresSkuTier")).toEqual([...POSTGRES_TIERS]);
    expect(enumValues("AppService").sort()).toEqual([...APP_SERVICES].sort());
    expect(enumValues("IngressMode")).toEqual([...INGRESS_MODES]);
    expect(enumValues("RedisPersistence").sort()).toEqual([...REDIS_PERSISTENCE].sort());
    expect(enumValues("CustomRuleAction")).toEqual([...CUSTOM_RULE_ACTIONS]);
    expect(enumValues("CustomRuleMatchVariable")).toEqual([...CUSTOM_RULE_VARIABLES]);
    expect(enumValues("CustomRuleOperator")).toEqual([...CUSTOM_RULE_OPERATORS]);
    expect(enumValues("BuiltInRole").sort()).toEqual(Object.keys(BUILT_IN_ROLES).sort());
    expect(enumValues("KeySize")).toEqual([3072, 4096]);
    // And the arguments use them (a plain string there would accept anything from other languages).
    const input = (cls: string, key: string) => schema.resources[`${PKG}:index:${cls}`].inputProperties[key];
    expect(input("BlobStorage", "skuName").$ref).toBe(`#/types/${PKG}:index:StorageSkuName`);
    expect(input("KeyVault", "sku").$ref).toBe(`#/types/${PKG}:index:KeyVaultSku`);
    expect(input("CustomerManagedKey", "keySize").$ref).toBe(`#/types/${PKG}:index:KeySize`);
    expect(input("ManagedRedis", "evictionPolicy").$ref).toBe(`#/types/${PKG}:index:RedisEvictionPolicy`);
    expect(schema.types[`${PKG}:index:RoleAssignmentArgs`].properties?.role.$ref).toBe(
      `#/types/${PKG}:index:BuiltInRole`,
    );
  });
});

describe("a platform key as an Output: refused exactly where the types make it plain", () => {
  // What another team may pass: an Input-typed key (not plain in the schema, pulumi.Input<T> in
  // TypeScript) takes an Output, e.g. its own resource group's name (examples/team-app); a plain
  // key (names, tags and checks read it before deployment) does not.
  const keys = () => {
    const props = schema.types[`${PKG}:index:PlatformContext`].properties ?? {};
    const plain = Object.keys(props).filter((k) => props[k].plain);
    const input = Object.keys(props).filter((k) => !props[k].plain);
    return { plain, input };
  };
  const refusedPaths = (platform: unknown): string[] => {
    try {
      checkPlatform("C", platform, PLATFORM_CONTEXT_KEYS);
      return [];
    } catch (err) {
      expect(err).toBeInstanceOf(ComponentArgsError);
      return (err as ComponentArgsError).problems.map((p) => p.path.join("."));
    }
  };

  it("accepts every Input-typed key as an Output, together", () => {
    const { input } = keys();
    expect(input).toEqual(expect.arrayContaining(["resourceGroupName", "workspaceId", "tenantId"]));
    const base = testPlatform();
    const platform: Record<string, unknown> = { ...base };
    for (const k of input) platform[k] = pulumi.output(base[k as keyof typeof base]);
    expect(refusedPaths(platform)).toEqual([]);
  });

  it("refuses each plain key as an Output, by path", () => {
    const { plain } = keys();
    expect(plain).toEqual(expect.arrayContaining(["environment", "location", "namePrefix", "tags"]));
    const base = testPlatform();
    for (const k of plain) {
      expect(refusedPaths({ ...base, [k]: pulumi.output(base[k as keyof typeof base]) })).toEqual([
        `platform.${k}`,
      ]);
    }
  });
});

describe("ContainerApp args are data only (issue 16: the Redis grant no longer goes through a function)", () => {
  it("types services.redis fully: what the app's own access policy assignment needs", () => {
    const app = schema.resources[`${PKG}:index:ContainerApp`];
    expect(app.inputProperties.services.$ref).toBe(`#/types/${PKG}:index:AppServices`);
    expect(schema.types[`${PKG}:index:AppServices`].properties?.redis.$ref).toBe(
      `#/types/${PKG}:index:RedisService`,
    );
    const redis = schema.types[`${PKG}:index:RedisService`];
    expect(Object.fromEntries(Object.entries(redis.properties ?? {}).map(([k, p]) => [k, p.type]))).toEqual({
      hostName: "string",
      port: "number",
      resourceGroupName: "string",
      clusterName: "string",
      databaseName: "string",
      legacyGrantParent: "string",
    });
    expect(Object.values(redis.properties ?? {}).every((p) => p.description?.trim())).toBe(true);
    // Grants on one database are chained from app to app through plain resource IDs.
    expect(app.inputProperties.redisGrantAfter.type).toBe("string");
    expect(app.properties.redisGrantId.type).toBe("string");
    expect(schema.resources[`${PKG}:index:ManagedRedis`].properties.databaseName.type).toBe("string");
  });
});

describe("component provider construct (offline mocks)", () => {
  const value = (o: pulumi.Input<string>) =>
    new Promise<string>((resolve) => pulumi.output(o).apply(resolve));

  it("builds a component from plain inputs under its index token, children parented to it", async () => {
    // Plain data, as the engine hands it over from a Python/Go/YAML program.
    const inputs = JSON.parse(JSON.stringify({ platform: testPlatform(), purpose: "api" })) as pulumi.Inputs;
    let constructed: pulumi.provider.ConstructResult | undefined;
    const { resources } = await runProgram(async () => {
      constructed = await provider.construct("api-id", `${PKG}:index:WorkloadIdentity`, inputs, {});
    });
    const component = only(resources, `${PKG}:index:WorkloadIdentity`);
    expect(await value(constructed!.urn)).toBe(component.urn);
    const identity = only(resources, "azure-native:managedidentity:UserAssignedIdentity");
    expect(identity.parent).toBe(component.urn);
    expect(identity.inputs.resourceName).toBe("id-sap-api-dev");
    // The state the provider returns is the schema's outputs, resolved.
    const state = constructed!.state as Record<string, pulumi.Output<string>>;
    expect(Object.keys(state).sort()).toEqual(
      Object.keys(schema.resources[`${PKG}:index:WorkloadIdentity`].properties).sort(),
    );
    expect(await value(state.id)).toBe(identity.id);
    expect(await value(state.name)).toBe("id-sap-api-dev");
  });

  it("returns a caller's bad arguments as the engine's property errors: every problem, each under its path", async () => {
    // What a Python program passing a typo'd key and a bad purpose gets back: the provider server
    // sends an InputPropertiesError as INVALID_ARGUMENT with one detail per property.
    const inputs = JSON.parse(
      JSON.stringify({ platform: testPlatform(), purpose: "API!", purpse: "api" }),
    ) as pulumi.Inputs;
    let error: unknown;
    const { resources } = await runProgram(async () => {
      error = await provider.construct("bad", `${PKG}:index:WorkloadIdentity`, inputs, {}).then(
        () => undefined,
        (e: unknown) => e,
      );
    });
    expect(InputPropertiesError.isInstance(error)).toBe(true);
    const { message, errors } = error as InputPropertiesError;
    expect(message).toMatch(/^WorkloadIdentity "bad": invalid arguments/);
    expect(errors).toEqual([
      {
        propertyPath: "purpse",
        reason: expect.stringMatching(
          /^unknown argument "purpse" \(did you mean purpose\?\).*\(got "api"\)$/,
        ) as string,
      },
      {
        propertyPath: "purpose",
        reason: expect.stringMatching(/^invalid userAssignedIdentity name .*\(got "API!"\)$/) as string,
      },
    ]);
    // Refused before anything registered.
    expect(resources).toEqual([]);
  });

  it("never gives the engine a property path whose value holds a secret, and quotes a key the engine would split", async () => {
    // The engine prints the value it finds at each path with Go's %v, a secret's plain text
    // included (pulumi/pulumi source_eval.go errorToMessage); a secret top-level input reaches
    // construct as a secret Output, a nested one as the RPC secret envelope. Fails on the old
    // code, which listed "purpose" and "purpse" and wrote the tag's path as tags.a.b.
    const envelope = {
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      value: "hunter2",
    };
    const inputs = {
      ...(JSON.parse(JSON.stringify({ platform: testPlatform() })) as pulumi.Inputs),
      purpose: pulumi.secret("API!"),
      purpse: { nested: envelope },
      tags: { "a.b": 5 },
    } as pulumi.Inputs;
    let error: unknown;
    await runProgram(async () => {
      error = await provider.construct("bad", `${PKG}:index:WorkloadIdentity`, inputs, {}).then(
        () => undefined,
        (e: unknown) => e,
      );
    });
    expect(InputPropertiesError.isInstance(error)).toBe(true);
    const { message, errors } = error as InputPropertiesError;
    // Every problem is still in the message, under its path.
    expect(message).toMatch(/^ {2}- purpose = /m);
    expect(message).toMatch(/^ {2}- purpse = /m);
    expect(errors.map((e) => e.propertyPath)).toEqual(['tags["a.b"]']);
    expect(`${message}${JSON.stringify(errors)}`).not.toMatch(/hunter2|API!/);
  });

  it("writes property paths as the engine parses them", () => {
    expect(enginePropertyPath(["apps", 0, "env", "TOKEN"])).toBe("apps[0].env.TOKEN");
    expect(enginePropertyPath(["tags", "cost-center"])).toBe("tags.cost-center");
    expect(enginePropertyPath(["tags", 'a."b"[c]'])).toBe('tags["a.\\"b\\"[c]"]');
    expect(enginePropertyPath(["", "x"])).toBe('[""].x');
  });

  it("refuses the legacy tokens: the package serves the index module only", async () => {
    await expect(provider.construct("x", LEGACY_COMPONENT_TYPES.WorkloadIdentity, {}, {})).rejects.toThrow(
      /Invalid module 'foundation'/,
    );
  });
});

describe("plugin entry", () => {
  const dir = path.join(__dirname, "..", "..", "components");

  it("is a Node.js source plugin whose main hosts the provider while npm consumers get index.ts", () => {
    expect(fs.readFileSync(path.join(dir, "PulumiPlugin.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
      main: string;
      exports: Record<string, { default: string }>;
    };
    // `pulumi package add` (a git clone) runs main; Node resolves the package name through
    // `exports`, whose entry loads index.ts in the repository (the compiled tree when published).
    expect(manifest.main).toBe("provider.ts");
    expect(manifest.exports["."].default).toBe("./entry.js");

    expect(require.resolve("@secure-azure-platform/components")).toBe(path.join(dir, "entry.js"));
  });

  it("refuses to start a provider inside a program that imports the directory by path", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(() => require("../../components")).toThrow(/provider\.ts is the Pulumi plugin entry/);
  });
});
