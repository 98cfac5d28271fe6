/**
 * A stack export as the policy pack sees it during a real `pulumi preview` that creates (or
 * replaces) resources, derived from the plan's export of the deployed stack:
 *
 * - A resource being created has no ID yet, and its outputs are what azure-native's preview
 *   gives (pulumi/pulumi-azure-native provider/pkg/convert/previewOutputs.go `PreviewOutputs`):
 *   an output property whose name is also an input keeps the input's (preview) value, nested
 *   the same way; every other output (`id`, `name`, `vaultUri`, `fullyQualifiedDomainName`,
 *   `hostName`, `principalId`, `keyUriWithVersion`, a random string's `result`, ...) is unknown;
 *   the ARM path parameters (`resourceGroupName`, `serverName`, `vaultName`...) are not outputs
 *   at all (`createdOutputs`).
 * - An input of resource B is unknown where it holds (equals or contains) the value of an
 *   output of a resource A that B's `propertyDependencies` name for that input and that is
 *   unknown in this preview: the Node.js SDK sends an unknown Output as the unknown sentinel at
 *   its place and still lists its resources in the property's dependencies (pulumi/pulumi
 *   sdk/nodejs/runtime/rpc.ts `serializeProperty`, `serializeFilteredProperties`).
 * - Reads (`external`, stack references) and invokes (`getClientConfig`) are known in a
 *   preview, so are config values; `dependencies` and `propertyDependencies` are kept as they
 *   are (the engine sends them unchanged, pkg/resource/plugin/analyzer_plugin.go `AnalyzeStack`).
 *
 * - A resource that exists keeps its ID and outputs, except where an input it echoes changed;
 *   one whose ARM ID is made of an input no longer known is replaced (`movesIn`).
 *
 * Resources the plan holds in dependency order (`buildStackExport`), so one pass settles
 * chains (a random suffix -> a vault name -> its URI -> a secret reference).
 *
 * Not modelled: a value a component computes in an `apply` over an unknown is unknown as a
 * whole in a real preview (here only the strings holding the unknown value are), and a
 * resource a component creates inside such an `apply` does not register at all.
 */
import { readFileSync } from "fs";
import { dirname, join } from "path";
import { UNKNOWN_SENTINEL } from "../../lib/analyzer/server";
import { jsonClone } from "../../lib/analyzer/paths";
import { declaredOutputs, isAzureNativeResourceType } from "../../lib/offline/sdkOutputs";
import { isSecretEnvelope, STACK_TYPE, type StackExport } from "../../policy/common/pulumiFormat";

interface Resource {
  urn: string;
  type: string;
  custom?: boolean;
  external?: boolean;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  propertyDependencies?: Record<string, string[]>;
}

export interface PreviewOptions {
  /**
   * The resources the preview creates or replaces (default: every resource the stack manages,
   * a first preview of a new stack). Others exist: they keep their ID and the outputs their
   * inputs do not change.
   */
  created?: (r: { urn: string; type: string }) => boolean;
}

/** Whether the engine creates `r` in a first deploy (not a provider, a read or a component). */
function managed(r: Resource): boolean {
  return (
    r.custom === true &&
    !r.external &&
    !r.type.startsWith("pulumi:providers:") &&
    r.type !== "pulumi:pulumi:StackReference"
  );
}

type Value = unknown;
const isObject = (v: Value): v is Record<string, Value> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Every string leaf of `v`. */
function strings(v: Value, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (isObject(v)) for (const x of Object.values(v)) strings(x, out);
  return out;
}

/**
 * `v` with every string leaf `unknown(s)` says is unknown replaced by the sentinel. An object
 * keyed by an unknown value (a map of identity IDs) is unknown as a whole: only an `apply`
 * over the unknown could have built it.
 */
function blank(v: Value, unknown: (s: string) => boolean): Value {
  if (typeof v === "string") return unknown(v) ? UNKNOWN_SENTINEL : v;
  if (Array.isArray(v)) return v.map((x) => blank(x, unknown));
  if (isObject(v)) {
    if (Object.keys(v).some(unknown)) return UNKNOWN_SENTINEL;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, blank(x, unknown)]));
  }
  return v;
}

/**
 * The output type azure-native declares for a property, as the installed SDK's typings write it
 * (`pulumi.Output<outputs.network.SubnetResponse[] | undefined>`): an object type (`ref`,
 * `namespace.Interface` in types/output.d.ts), a list or a map of one, or a constant. Undefined
 * for a scalar, a union (`oneOf`: azure-native keeps the input as given) or an untyped value.
 */
type Declared = { ref: string; shape: "object" | "list" | "map" } | { constant: string } | undefined;

function declaredType(type: string): Declared {
  const t = type
    .replace(/\s+/g, " ")
    .replace(/ \| undefined$/, "")
    .trim();
  const constant = /^"([^"]*)"$/.exec(t);
  if (constant) return { constant: constant[1] };
  const ref = /^outputs\.(\w+\.\w+)(\[\])?$/.exec(t);
  if (ref) return { ref: ref[1], shape: ref[2] ? "list" : "object" };
  const map = /^\{ \[key: string\]: outputs\.(\w+\.\w+); \}$/.exec(t);
  return map ? { ref: map[1], shape: "map" } : undefined;
}

let sdkTypes: { root: string; outputs?: string } | undefined;
const sdk = () => (sdkTypes ??= { root: dirname(require.resolve("@pulumi/azure-native/package.json")) });
/** Per azure-native resource type, its declared outputs' types (`Declared`), read from its typings. */
const resourceTypes = new Map<string, Map<string, Declared>>();
/** Per output type (`namespace.Interface`), its fields' types; null where the typings have none. */
const outputTypes = new Map<string, Map<string, Declared> | null>();

/** `readonly <name>: pulumi.Output<TYPE>;` (a resource's typings) or `<name>?: TYPE;` (an output type's). */
function fieldsOf(text: string, field: RegExp): Map<string, Declared> {
  const fields = new Map<string, Declared>();
  for (const m of text.matchAll(field)) fields.set(m[1], declaredType(m[2]));
  return fields;
}

function declaredOf(type: string): Map<string, Declared> {
  let fields = resourceTypes.get(type);
  if (!fields) {
    const [, module, resource] = type.split(":");
    let text = "";
    try {
      text = readFileSync(
        join(sdk().root, module, `${resource[0].toLowerCase()}${resource.slice(1)}.d.ts`),
        "utf8",
      );
    } catch {
      // Another file name: no nested types known (the deployed value's shape stands for them).
    }
    fields = fieldsOf(text, /^ {4}readonly (\w+): pulumi\.Output<([\s\S]*?)>;$/gm);
    resourceTypes.set(type, fields);
  }
  return fields;
}

function outputType(ref: string): Map<string, Declared> | undefined {
  let fields = outputTypes.get(ref);
  if (fields === undefined) {
    const [namespace, name] = ref.split(".");
    const all = (sdk().outputs ??= readFileSync(join(sdk().root, "types", "output.d.ts"), "utf8"));
    const start = all.indexOf(`\nexport declare namespace ${namespace} {\n`);
    const end = start < 0 ? -1 : all.indexOf("\nexport declare namespace ", start + 1);
    const at = start < 0 ? -1 : all.indexOf(`\n    interface ${name} {\n`, start);
    const close = at < 0 ? -1 : all.indexOf("\n    }\n", at);
    fields =
      at < 0 || (end >= 0 && at > end) || close < 0
        ? null
        : fieldsOf(all.slice(at, close), /^ {8}(\w+)\??: ([^;]*?);$/gm);
    outputTypes.set(ref, fields);
  }
  return fields ?? undefined;
}

/**
 * `previewOutputValue` where the SDK declares the property's type: an object input through its
 * type's fields (one the input lacks unknown, a constant known), a list element by element, a map
 * value by value; an input of another kind unknown. Elsewhere `previewOutput` on the deployed shape.
 */
function previewTyped(input: Value, deployed: Value, declared: Declared): Value {
  if (input === UNKNOWN_SENTINEL) return UNKNOWN_SENTINEL;
  if (declared === undefined || isSecretEnvelope(input)) return previewOutput(input, deployed);
  if ("constant" in declared) return declared.constant;
  const at = (v: Value, k: string | number) =>
    isObject(v) || Array.isArray(v) ? (v as Record<string, Value>)[k as string] : undefined;
  const one = (v: Value, d: Value): Value => {
    const fields = outputType(declared.ref);
    if (!fields) return previewOutput(v, d);
    if (v === UNKNOWN_SENTINEL || !isObject(v) || isSecretEnvelope(v))
      return isObject(v) ? v : UNKNOWN_SENTINEL;
    return Object.fromEntries(
      [...fields].map(([k, f]) => [
        k,
        f && "constant" in f ? f.constant : k in v ? previewTyped(v[k], at(d, k), f) : UNKNOWN_SENTINEL,
      ]),
    );
  };
  if (declared.shape === "list")
    return Array.isArray(input) ? input.map((x, i) => one(x, at(deployed, i))) : UNKNOWN_SENTINEL;
  if (declared.shape === "map")
    return isObject(input)
      ? Object.fromEntries(Object.entries(input).map(([k, x]) => [k, one(x, at(deployed, k))]))
      : UNKNOWN_SENTINEL;
  return one(input, deployed);
}

/** azure-native's `previewOutputValue`: the output shape filled from the input, unknown where the input says nothing. */
export function previewOutput(input: Value, output: Value): Value {
  if (input === UNKNOWN_SENTINEL) return UNKNOWN_SENTINEL;
  if (isObject(output) && isObject(input)) {
    return Object.fromEntries(
      Object.entries(output).map(([k, o]) => [k, k in input ? previewOutput(input[k], o) : UNKNOWN_SENTINEL]),
    );
  }
  if (Array.isArray(output) && Array.isArray(input)) return input.map((x, i) => previewOutput(x, output[i]));
  return input;
}

/**
 * A created resource's outputs in a preview. azure-native (`Create` with `req.GetPreview()`:
 * `k.converter.PreviewOutputs(inputs, res.Response)`, pulumi/pulumi-azure-native
 * provider/pkg/provider/provider.go, provider/pkg/convert/previewOutputs.go) answers every property
 * of the response (`declaredOutputs`): one with an input of the same name takes that input's value
 * (`previewOutputValue`), every other is unknown (`MakeComputed`), whether or not the resource will
 * ever have it (a diagnostic setting's `storageAccountId` when it sends logs to a workspace only, a
 * server's `sourceServerResourceId`); the ARM path parameters (`resourceGroupName`, `serverName`,
 * `vaultName`...) and an input nested under `properties` that the response flattens (a key's `kty`)
 * are not there at all. Other providers (random) answer their inputs and leave what they compute
 * unknown.
 *
 * Nested values: `previewOutputValue` maps an object input through `PreviewOutputs` over its
 * type's properties (unset ones unknown, a `const` one known), an array element by element, a map
 * value by value, and keeps a `oneOf` or untyped (`pulumi.json#/Any`) value as given; an input of
 * another kind than its type is unknown. The installed SDK carries no schema, but its typings
 * declare each output's type (`<module>/<resource>.d.ts`, `types/output.d.ts`: `previewTyped`);
 * where they do not say (a map of objects, a resource whose typings file is named otherwise),
 * `deployed` (the value the deployed state holds there) stands for the type, and a nested property
 * neither set nor in the deployed state is missing here, where the real preview has it unknown.
 */
export function createdOutputs(
  type: string,
  inputs: Record<string, Value>,
  deployed: Record<string, Value>,
): Record<string, Value> {
  if (!isAzureNativeResourceType(type))
    return previewOutput(inputs, { ...inputs, ...deployed }) as Record<string, Value>;
  const outputs: Record<string, Value> = {};
  const declared = declaredOf(type);
  for (const k of declaredOutputs(type))
    outputs[k] = k in inputs ? previewTyped(inputs[k], deployed[k], declared.get(k)) : UNKNOWN_SENTINEL;
  outputs.id = UNKNOWN_SENTINEL;
  return outputs;
}

/** The values (from the deployed export) at the places the preview leaves unknown. */
function hidden(deployed: Value, preview: Value, out: string[] = []): string[] {
  if (preview === UNKNOWN_SENTINEL) return strings(deployed, out);
  if (Array.isArray(deployed) && Array.isArray(preview))
    deployed.forEach((d, i) => hidden(d, preview[i], out));
  else if (isObject(deployed) && isObject(preview))
    for (const [k, d] of Object.entries(deployed)) hidden(d, preview[k], out);
  return out;
}

/** Holds (is, or contains) one of `values`. Values shorter than 3 characters say nothing. */
const holdsAny = (values: readonly string[]) => (s: string) =>
  values.some((u) => u.length >= 3 && (s === u || s.includes(u)));

/**
 * Whether an existing resource is replaced because an input its ARM ID is made of (a path
 * parameter: resource group, parent name, scope) is no longer known: azure-native marks those
 * properties replace-on-change, and a replacement's outputs are a create's.
 */
function movesIn(r: Resource, inputs: Record<string, Value>): boolean {
  const id = r.id?.toLowerCase();
  if (id === undefined) return false;
  return Object.entries(r.inputs ?? {}).some(
    ([k, v]) =>
      typeof v === "string" &&
      v.length >= 3 &&
      inputs[k] === UNKNOWN_SENTINEL &&
      id.includes(v.toLowerCase()),
  );
}

/** The export as the policy pack sees it in a preview that creates `options.created` (default: everything). */
export function previewExport(doc: StackExport, options: PreviewOptions = {}): StackExport {
  const copy = jsonClone(doc);
  const resources = copy.deployment.resources as Resource[];
  const created = options.created ?? (() => true);
  /** Per resource: the deployed values of its outputs this preview does not know. */
  const unknownOutputs = new Map<string, string[]>();
  const everyUnknown: string[] = [];
  const registered: Resource[] = [];
  for (const r of resources) {
    if (r.type.startsWith("pulumi:providers:")) continue;
    const deployedInputs = r.inputs ?? {};
    const deployedOutputs = r.outputs ?? {};
    const deployedId = r.id;
    // What the program reads off the resource: its outputs, and its inputs where the outputs have
    // none (the Node.js SDK resolves those from the inputs at `up`, unknown in a preview).
    const shape = { ...deployedInputs, ...deployedOutputs };
    // Inputs computed from outputs this preview does not know, through the input's own dependencies.
    const inputs: Record<string, Value> = {};
    for (const [k, v] of Object.entries(deployedInputs)) {
      const from = (r.propertyDependencies?.[k] ?? []).flatMap((u) => unknownOutputs.get(u) ?? []);
      inputs[k] = from.length > 0 ? blank(v, holdsAny(from)) : v;
    }
    let outputs: Record<string, Value>;
    if (managed(r) && (created(r) || movesIn(r, inputs))) {
      outputs = createdOutputs(r.type, inputs, shape);
      if (r.id !== undefined) outputs.id = UNKNOWN_SENTINEL;
      delete r.id;
    } else if (r.custom) {
      // Exists (or is read): an output changes only where the input it echoes does.
      outputs = Object.fromEntries(
        Object.entries(deployedOutputs).map(([k, o]) => [k, k in inputs ? previewOutput(inputs[k], o) : o]),
      );
    } else {
      // Components and the stack: what they registered as outputs, once every resource is settled
      // (they register before their children: the stack's `resourceGroupName` is its group's name).
      if (r.inputs) r.inputs = inputs;
      registered.push(r);
      continue;
    }
    if (r.inputs) r.inputs = inputs;
    if (r.outputs) r.outputs = outputs;
    // What the program can read off a created resource is its outputs only: an input it does not
    // echo (a path parameter) reaches another resource through an unknown output (its ID), so is
    // not known there either.
    const read = r.id === undefined && managed(r) ? { ...absentAsUnknown(shape), ...outputs } : outputs;
    const lost = hidden(shape, read);
    if (deployedId !== undefined && outputs.id === UNKNOWN_SENTINEL) lost.push(deployedId);
    if (lost.length > 0 && r.type !== STACK_TYPE) {
      unknownOutputs.set(r.urn, lost);
      everyUnknown.push(...lost);
    }
  }
  for (const r of registered)
    if (r.outputs)
      r.outputs = Object.fromEntries(
        Object.entries(r.outputs).map(([k, v]) => [k, blank(v, holdsAny(everyUnknown))]),
      );
  return copy;
}

/** `shape`'s keys, each unknown. */
const absentAsUnknown = (shape: Record<string, Value>) =>
  Object.fromEntries(Object.keys(shape).map((k) => [k, UNKNOWN_SENTINEL]));
