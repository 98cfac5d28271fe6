/**
 * The mutation suite: starting from the real plans of the dev and prod stacks (which pass
 * their presets with zero violations), every entry of the catalog changes one security
 * setting, removes what a stack policy relies on, or adds a resource a user might write by
 * hand — and the pack, evaluated exactly as `npm run policy:analyze` does, must block it with
 * a mandatory violation from the expected policy citing the expected control. Secure
 * variations must pass untouched. The counts are printed at the end.
 */
import { sharedExport } from "../helpers/plans";
import { deepFreeze } from "../../config";
import { loadPackConfig } from "../../lib/analyzer/config";
import { ExportEvaluator, type Evaluation } from "../../lib/analyzer/evaluate";
import { platformPolicies } from "../../policy/policies";
import {
  MUTATIONS,
  SECURE_VARIATIONS,
  type Context,
  type ExportResource,
  type Mutation,
  type Stack,
  type Variation,
  setPath,
} from "./mutationCatalog";
import { jsonClone } from "../../lib/analyzer/paths";
import {
  declaredOutputs,
  echoedInputs,
  isAzureNativeResourceType,
  outputPathOf,
} from "../../lib/offline/sdkOutputs";
import { armResourceId, nameProperty, pathParameters } from "../../lib/offline/armIds";
import { UNKNOWN_SENTINEL } from "../../lib/analyzer/server";
import { BYPASS_MUTATIONS, BYPASS_VARIATIONS } from "./bypass";
import { type StackExport } from "../../policy/common/pulumiFormat";

const STACKS: Stack[] = ["dev", "prod"];
const baseline: Partial<Record<Stack, StackExport>> = {};
/**
 * Each stack's evaluator with its preset (read once, as `policy:analyze` reads it once for every
 * file of a run): every evaluation is `evaluateStackExport(doc, { config: preset, outcomes: false
 * })`, without preparing the pack or deserializing the baseline's resources a mutation leaves
 * alone again (the evaluator freezes them; `mutate` copies what it changes).
 */
const evaluators: Partial<Record<Stack, ExportEvaluator>> = {};
const tally = { mutations: 0, blocked: 0, variations: 0, accepted: 0 };

beforeAll(async () => {
  for (const stack of STACKS) {
    baseline[stack] = await sharedExport(stack);
    evaluators[stack] = new ExportEvaluator({ config: deepFreeze(loadPackConfig(stack)), outcomes: false });
  }
}, 60_000);

afterAll(() => {
  console.log(
    `Mutation suite: ${tally.blocked} of ${tally.mutations} mutations blocked; ` +
      `${tally.accepted} of ${tally.variations} secure variations accepted.`,
  );
});

const resourcesOf = (doc: StackExport) => doc.deployment.resources as ExportResource[];

function evaluate(doc: StackExport, stack: Stack): Promise<Evaluation> {
  return evaluators[stack]!.evaluate(doc);
}

function context(doc: StackExport, stack: Stack): Context {
  const first = (type: string) => {
    const r = resourcesOf(doc).find((x) => x.type === type);
    if (!r) throw new Error(`the ${stack} plan has no ${type}`);
    return r;
  };
  const idOf = (type: string) => String(first(type).outputs?.id);
  const rg = first("azure-native:resources:ResourceGroup");
  return {
    stack,
    subscription: idOf("azure-native:resources:ResourceGroup").split("/")[2],
    resourceGroup: String(rg.outputs?.name ?? rg.inputs?.resourceGroupName),
    idOf,
    nameOf: (type) => idOf(type).split("/").pop() ?? "",
  };
}

/**
 * The mutated export and the URNs it touched; throws if the entry matches nothing (a stale
 * catalog). The baseline is shared: only the resources an entry changes are cloned.
 */
function mutate(stack: Stack, m: Mutation | Variation): { doc: StackExport; touched: Set<string> } {
  const base = baseline[stack]!;
  const resources = [...resourcesOf(base)];
  const doc: StackExport = { ...base, deployment: { ...base.deployment, resources } };
  const ctx = context(base, stack);
  const touched = new Set<string>();
  // The engine gives a custom resource a provider of its own package (a parameterized package's
  // default provider is `pulumi:providers:<parameterization name>`, pulumi/pulumi
  // pkg/resource/deploy/providers/provider.go ProviderRequest.Package): the one the export's
  // resources of that package use, else a default provider registered before them (placed after
  // the root stack, so it precedes every resource that uses it).
  const newProviders: typeof resources = [];
  const providerOf = (pkg: string): string => {
    const providerType = `pulumi:providers:${pkg}`;
    const existing = resources.find(
      (r) => r.provider?.split("::")[2]?.split("$").pop() === providerType,
    )?.provider;
    if (existing) return existing;
    const providerUrn = `urn:pulumi:${stack}::secure-azure-platform::${providerType}::default`;
    const id = `mutation-${pkg}`;
    if (!newProviders.some((p) => p.urn === providerUrn))
      newProviders.push({ urn: providerUrn, type: providerType, custom: true, inputs: {}, outputs: { id } });
    return `${providerUrn}::${id}`;
  };
  if (m.add) {
    const root = resources[0];
    const provider = providerOf(m.add.providerPackage ?? m.add.type.split(":")[0]);
    const inputs = m.add.inputs(ctx);
    const urn = `urn:pulumi:${stack}::secure-azure-platform::${m.add.type}::mutation-${m.add.name}`;
    // Its ID as Azure forms it from the path parameters (a stack policy finds a child's parent by
    // it), not known yet where one of them is not (a create in a preview); another package's, a
    // stand-in.
    const id = !m.add.type.startsWith("azure-native:")
      ? `/subscriptions/${ctx.subscription}/resourceGroups/${ctx.resourceGroup}/providers/Added/${m.add.name}`
      : pathParameters(m.add.type).some((key) => inputs[key] === UNKNOWN_SENTINEL)
        ? UNKNOWN_SENTINEL
        : armResourceId(m.add.type, inputs, ctx.subscription, m.add.name);
    resources.push({
      urn,
      type: m.add.type,
      custom: true,
      inputs,
      outputs: m.add.outputs ? m.add.outputs(ctx, inputs) : addedOutputs(m.add.type, m.add.name, inputs, id),
      parent: root.urn,
      provider,
      dependencies: [],
      // An added resource alone takes `computedFrom` itself.
      ...(m.type === undefined ? { propertyDependencies: computedFromOf(m, resources) } : {}),
    });
    touched.add(urn);
    // An added resource alone, or next to a change of existing ones (`type` with `set`).
    if (m.type === undefined) {
      resources.splice(1, 0, ...newProviders);
      return { doc, touched };
    }
  }
  const targets = resources.filter((r) => r.type === m.type && (!m.where || m.where(r.inputs ?? {}, r.urn)));
  if (targets.length === 0) throw new Error(`"${m.id}" matches no ${m.type} in the ${stack} plan`);
  const changed = new Set(targets.map((r) => r.urn));
  for (const urn of changed) touched.add(urn);
  if (m.remove) {
    doc.deployment.resources = resources
      .filter((r) => !touched.has(r.urn))
      .map((r) =>
        (r.parent && touched.has(r.parent)) || (r.dependencies ?? []).some((d) => touched.has(d))
          ? {
              ...r,
              parent: r.parent && touched.has(r.parent) ? resources[0].urn : r.parent,
              dependencies: (r.dependencies ?? []).filter((d) => !touched.has(d)),
            }
          : r,
      );
    return { doc, touched };
  }
  const replaced = new Set<string>();
  for (let i = 0; i < resources.length; i++) {
    if (!changed.has(resources[i].urn)) continue;
    const r = jsonClone(resources[i]);
    if (m.unprotect) r.protect = false;
    if (m.retype) {
      r.type = m.retype(r.type);
      // Another package's token comes with that package's (default) provider.
      const pkg = r.type.split(":")[0];
      if (r.provider && pkg !== resources[i].type.split(":")[0]) r.provider = providerOf(pkg);
    }
    let movedTo: string[] | undefined;
    for (const [path, raw] of Object.entries(m.set ?? {})) {
      const value = typeof raw === "function" ? (raw as (c: Context) => unknown)(ctx) : raw;
      if (r.inputs) setPath(r.inputs, path, value);
      const top = path.split(".")[0];
      if (routePathParameters(r.type).includes(top)) {
        // An ARM path parameter is no output: a new value is another resource (a replacement),
        // whose ID says it, or is not known yet (`replaceInPreview`).
        if (value === UNKNOWN_SENTINEL) replaced.add(r.urn);
        else (movedTo ??= []).push(top);
        continue;
      }
      // Where azure-native reports that input among the outputs (a key's `properties.kty` as `kty`).
      if (r.outputs) setPath(r.outputs, outputPathOf(resources[i].type, path), value);
    }
    if (movedTo && r.outputs && r.inputs)
      r.outputs.id = armResourceId(
        r.type,
        r.inputs,
        ctx.subscription,
        typeof r.outputs.name === "string" ? r.outputs.name : m.id,
      );
    if (m.computedFrom)
      r.propertyDependencies = { ...r.propertyDependencies, ...computedFromOf(m, resources) };
    resources[i] = r;
  }
  replaceInPreview(resources, replaced);
  resources.splice(1, 0, ...newProviders);
  return { doc, touched };
}

/**
 * Resources replaced in a preview because an ARM path parameter of theirs is set not known yet:
 * as the engine previews them, their ID is not known yet, and so is every value of another
 * resource that held that ID or one below it (now computed from the replaced resource: its
 * propertyDependencies say so), which replaces that resource too where the value is one of its
 * own path parameters (a diagnostic setting's `resourceUri`).
 */
function replaceInPreview(resources: ExportResource[], replaced: Set<string>): void {
  const queue = [...replaced];
  for (let urn = queue.shift(); urn !== undefined; urn = queue.shift()) {
    const i = resources.findIndex((r) => r.urn === urn);
    const r = (resources[i] = jsonClone(resources[i]));
    const oldId = r.outputs?.id;
    if (r.outputs) r.outputs.id = UNKNOWN_SENTINEL;
    if (typeof oldId !== "string" || oldId === UNKNOWN_SENTINEL) continue;
    const id = oldId.toLowerCase();
    const wasOld = (v: unknown) =>
      typeof v === "string" && (v.toLowerCase() === id || v.toLowerCase().startsWith(`${id}/`));
    for (let j = 0; j < resources.length; j++) {
      const d = resources[j];
      if (j === i || d.inputs === undefined) continue;
      const keys = Object.keys(d.inputs).filter((k) => holds(d.inputs![k], wasOld));
      if (keys.length === 0) continue;
      const c = (resources[j] = jsonClone(d));
      const inputs = c.inputs!;
      for (const k of keys) {
        inputs[k] = unknownWhere(inputs[k], wasOld);
        const from = c.propertyDependencies?.[k] ?? [];
        c.propertyDependencies = { ...c.propertyDependencies, [k]: [...new Set([...from, urn])] };
      }
      if (c.outputs) c.outputs = unknownWhere(c.outputs, wasOld) as Record<string, unknown>;
      const own = routePathParameters(c.type);
      if (keys.some((k) => own.includes(k)) && !replaced.has(c.urn)) {
        replaced.add(c.urn);
        queue.push(c.urn);
      }
    }
  }
}

function holds(value: unknown, match: (v: unknown) => boolean): boolean {
  if (match(value)) return true;
  if (typeof value !== "object" || value === null) return false;
  return Object.values(value).some((v) => holds(v, match));
}

function unknownWhere(value: unknown, match: (v: unknown) => boolean): unknown {
  if (match(value)) return UNKNOWN_SENTINEL;
  if (Array.isArray(value)) return value.map((v) => unknownWhere(v, match));
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unknownWhere(v, match)]));
}

/**
 * The outputs the installed SDK declares for `type`; undefined for another package's type or a
 * token the SDK does not declare (an old alias, an API version, a module it lacks).
 */
function sdkOutputsOf(type: string): ReadonlySet<string> | undefined {
  if (!isAzureNativeResourceType(type)) return undefined;
  try {
    return declaredOutputs(type);
  } catch {
    return undefined;
  }
}

/** A type's ARM path parameters that azure-native does not also declare as outputs. */
function routePathParameters(type: string): string[] {
  const outputs = sdkOutputsOf(type);
  return outputs ? pathParameters(type).filter((key) => !outputs.has(key)) : [];
}

/**
 * An added resource's outputs as a deployed stack holds them: for an azure-native type of the
 * installed SDK, what its outputs keep of the inputs (no ARM path parameter: `echoedInputs`, as
 * the offline plan's mocks answer), its name and ID; another package's, or a token the SDK does not
 * declare (an old alias, an API version, a module it lacks), its inputs and ID.
 */
function addedOutputs(type: string, name: string, inputs: Record<string, unknown>, id: string) {
  if (sdkOutputsOf(type) === undefined) return { ...inputs, id };
  const echoed = echoedInputs(type, inputs);
  const nameKey = nameProperty(type);
  const given = nameKey === undefined ? undefined : inputs[nameKey];
  return { ...echoed, name: typeof given === "string" ? given : name, id };
}

/** `m.computedFrom` as propertyDependencies: each input on the first resource of its type. */
function computedFromOf(
  m: Mutation | Variation,
  resources: readonly ExportResource[],
): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(m.computedFrom ?? {}).map(([input, type]) => {
      const from = resources.find((x) => x.type === type);
      if (!from) throw new Error(`"${m.id}": the plan has no ${type}`);
      return [input, [from.urn]];
    }),
  );
}

const stackPolicyNames = new Set(platformPolicies.filter((p) => "validateStack" in p).map((p) => p.name));

describe("the baseline", () => {
  it.each(STACKS)("%s passes its preset with zero violations", async (stack) => {
    const before = JSON.stringify(baseline[stack]);
    const { violations } = await evaluate(baseline[stack]!, stack);
    expect(violations).toEqual([]);
    // Mutated exports share the baseline's untouched resources: evaluation must not change them.
    expect(JSON.stringify(baseline[stack])).toBe(before);
  });

  it("every expected policy of the catalog exists in the pack", () => {
    const names = new Set(platformPolicies.map((p) => p.name));
    expect(ALL_MUTATIONS.map((m) => m.policy).filter((p) => !names.has(p))).toEqual([]);
  });
});

const ALL_MUTATIONS = [...MUTATIONS, ...BYPASS_MUTATIONS];
const ALL_VARIATIONS = [...SECURE_VARIATIONS, ...BYPASS_VARIATIONS];

const mutationCases = ALL_MUTATIONS.flatMap((m) =>
  (m.stacks ?? STACKS).map((stack) => [stack, m.id, m] as const),
);

describe("mutations the pack must block", () => {
  it.each(mutationCases)("[%s] %s", async (stack, _id, m) => {
    tally.mutations++;
    const { doc, touched } = mutate(stack, m);
    const { violations } = await evaluate(doc, stack);
    const blocking = violations.filter(
      (v) =>
        v.policy === m.policy &&
        v.level === "mandatory" &&
        v.controls.includes(m.control) &&
        (stackPolicyNames.has(v.policy) || touched.has(v.urn)),
    );
    // On failure, show what the pack said instead.
    expect({
      blocked: blocking.length > 0,
      saw: blocking.length ? [] : violations.map((v) => `${v.policy}: ${v.message}`),
    }).toEqual({
      blocked: true,
      saw: [],
    });
    tally.blocked++;
  });
});

const variationCases = ALL_VARIATIONS.flatMap((v) =>
  (v.stacks ?? STACKS).map((stack) => [stack, v.id, v] as const),
);

describe("secure variations the pack must accept", () => {
  it.each(variationCases)("[%s] %s", async (stack, _id, variation) => {
    tally.variations++;
    const { doc } = mutate(stack, variation);
    const { violations } = await evaluate(doc, stack);
    expect(violations.map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
    tally.accepted++;
  });
});
