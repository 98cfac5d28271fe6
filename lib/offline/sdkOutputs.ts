/**
 * The output properties the installed `@pulumi/azure-native` declares for a resource type: what a
 * real deployment's state holds for it, and so what stack policies see (they read outputs: pulumi/pulumi
 * pkg/resource/deploy/step_generator.go AnalyzeResources, `resource.FromResourcePropertyMap(v.Outputs)`).
 *
 * azure-native's outputs are the resource's ARM body (`id`, `name`, `type`, the properties Azure
 * returns), not the ARM path parameters that only build its URL (`resourceGroupName`, `vaultName`,
 * `resourceUri`, `workspaceName`...) unless the body has a property of that name too (a Front Door
 * rule's `ruleSetName`): the recorded state in pulumi/pulumi-azure-native
 * provider/pkg/provider/testdata/recorded/TestProviderUpgrade/upgrade-keyvault/2.76.0/stack.json
 * has a vault with `resourceGroupName` and `vaultName` in its inputs and neither in its outputs.
 * The SDK lists exactly those outputs in each resource's constructor, in the branch that reads an
 * existing resource (`opts.id` set: every property `resourceInputs["x"] = undefined /*out*\/`).
 *
 * Read from the SDK itself, so an upgrade cannot leave the list stale: once per module its
 * `index.js` (which file holds which resource) and once per type that file; both memoised.
 */
import { readFileSync } from "fs";
import { dirname, join } from "path";
import { isSecretEnvelope, secretEnvelope } from "../../policy/common/pulumiFormat";

const PREFIX = "azure-native:";

/** One SDK's files, found on first use (the copy this repository installs). */
let sdkRoot: string | undefined;
const moduleIndexes = new Map<string, string>();
const outputsByType = new Map<string, ReadonlySet<string>>();

const OUTPUT = /resourceInputs\["(\w+)"\] = undefined \/\*out\*\//g;

/** Whether `type` is a resource token of the azure-native package itself (not a local package, not a provider). */
export function isAzureNativeResourceType(type: string): boolean {
  return type.startsWith(PREFIX);
}

/**
 * The output property names azure-native declares for `type` (`azure-native:<module>:<Resource>`),
 * `id` included. Throws, naming the type and the file, when the installed SDK has no such resource
 * or its file does not have the shape this reads: a made-up list would hide exactly what this is for.
 */
export function declaredOutputs(type: string): ReadonlySet<string> {
  let outputs = outputsByType.get(type);
  if (!outputs) {
    outputs = readDeclaredOutputs(type);
    outputsByType.set(type, outputs);
  }
  return outputs;
}

/**
 * Where azure-native reports the input at `path` (dot-separated) among `type`'s outputs: the same
 * path, except where the SDK declares the resource's `properties` flattened into its outputs (a
 * Key Vault key: `properties.kty` in, `kty` out; the recorded state in pulumi/pulumi-azure-native
 * provider/pkg/provider/testdata/recorded/TestProviderUpgrade/upgrade-keyvault/2.76.0/stack.json):
 * there without the leading `properties.`. Other packages' types: the same path.
 */
export function outputPathOf(type: string, path: string): string {
  if (!path.startsWith("properties.") || !isAzureNativeResourceType(type)) return path;
  const outputs = declaredOutputs(type);
  const rest = path.slice("properties.".length);
  return !outputs.has("properties") && outputs.has(rest.split(".")[0]) ? rest : path;
}

/**
 * What a deployed resource's outputs keep of its inputs: those azure-native declares as outputs
 * (Azure echoes them back), never an ARM path parameter it does not, and `properties` the SDK
 * declares flattened (`outputPathOf`; a secret `properties` keeps each flattened value secret).
 * Without `id`, `name` and what Azure computes: the caller adds those.
 */
export function echoedInputs(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const outputs = declaredOutputs(type);
  const state: Record<string, unknown> = {};
  for (const key of Object.keys(inputs)) if (outputs.has(key)) state[key] = inputs[key];
  const given = inputs.properties;
  const secret = isSecretEnvelope(given);
  const properties = secret ? given.value : given;
  if (typeof properties !== "object" || properties === null || Array.isArray(properties)) return state;
  for (const [key, value] of Object.entries(properties))
    if (outputPathOf(type, `properties.${key}`) === key && !(key in state))
      state[key] = secret ? secretEnvelope(value) : value;
  return state;
}

function readDeclaredOutputs(type: string): ReadonlySet<string> {
  const [, module, resource] = type.split(":");
  const problem = (what: string) =>
    new Error(
      `offline plan: cannot tell the outputs of ${type}: ${what} (lib/offline/sdkOutputs.ts reads them from @pulumi/azure-native)`,
    );
  if (!isAzureNativeResourceType(type) || !module || !resource || type.split(":").length !== 3)
    throw problem("not an azure-native resource type token (azure-native:<module>:<Resource>)");
  sdkRoot ??= dirname(require.resolve("@pulumi/azure-native/package.json"));
  // Most files are the class name with a lower-case first letter (keyvault/vault.js); the file is
  // the type's only if it declares that token. Else the module's index says which file it is.
  let path = join(sdkRoot, module, `${resource[0].toLowerCase()}${resource.slice(1)}.js`);
  let source = readIfExists(path);
  if (source === undefined || !source.includes(`static __pulumiType = '${type}';`)) {
    const file = resourceFile(module, resource, problem);
    if (!file)
      throw problem(`the installed SDK (${sdkRoot}) has no resource ${resource} in module ${module}`);
    path = join(sdkRoot, module, `${file}.js`);
    source = readFileSync(path, "utf8");
  }
  // The constructor: `if (!opts.id) { ...inputs... } else { ...outputs... } opts = pulumi.mergeOptions(...)`.
  const start = source.indexOf("else {", source.indexOf("if (!opts.id) {"));
  const end = source.indexOf("opts = pulumi.mergeOptions(", start);
  const names = start < 0 || end < 0 ? [] : [...source.slice(start, end).matchAll(OUTPUT)].map((m) => m[1]);
  if (names.length === 0)
    throw problem(`${path} lists no outputs where the SDK's constructor reads an existing resource`);
  return new Set(["id", ...names]);
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** The file (without `.js`) of `resource` in `module`: its `lazyLoad` line in the module's `index.js`. */
function resourceFile(
  module: string,
  resource: string,
  problem: (what: string) => Error,
): string | undefined {
  let index = moduleIndexes.get(module);
  if (index === undefined) {
    try {
      index = readFileSync(join(sdkRoot as string, module, "index.js"), "utf8");
    } catch {
      throw problem(`the installed SDK (${sdkRoot}) has no module ${module}`);
    }
    moduleIndexes.set(module, index);
  }
  const line = `lazyLoad(exports, ["${resource}"], () => require("./`;
  const at = index.indexOf(line);
  if (at < 0) return undefined;
  const end = index.indexOf('"', at + line.length);
  return end < 0 ? undefined : index.slice(at + line.length, end);
}
