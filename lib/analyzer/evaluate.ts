/**
 * Evaluate the policy pack against a `pulumi stack export` document, offline, the way
 * `pulumi policy analyze` evaluates a pack against exported state (pulumi/pulumi
 * `pkg/engine` `runPolicyChecks`) and the way `pulumi preview` does after the program ran:
 *
 * - provider resources (`pulumi:providers:*`) and pending deletes (`delete: true`) are skipped;
 * - every other resource, component resources and the root stack included (their props are
 *   whatever the export holds, usually empty), goes through every enabled resource policy with
 *   its INPUTS, its options (`protect`, `parent`, ...) and its provider's inputs;
 * - type tokens are normalized the way the policies normalize them (policy/lib/azureTypes.ts:
 *   aliases, API versions, parameterized packages), so the type fast path below and the
 *   policies agree on every token form;
 * - stack policies run once on every such resource with its OUTPUTS, linked to its parent,
 *   dependencies and property dependencies;
 * - a stack violation naming a URN that is not in the stack is attributed to the first
 *   resource (the root stack), as the CLI does;
 * - enforcement and config come from `reconcilePackConfig` (config.ts); a config the engine
 *   would refuse (wrong property type, out of range) throws `PackConfigError`.
 *
 * Beyond the engine, the evaluation says what was not judged: Azure resources no enabled
 * service policy evaluates (`unevaluated`, by canonical type), custom resources that are not
 * Azure (`nonAzure`), and each policy run stopped by a preview unknown (`unknowns`, by policy and
 * resource). A malformed export (`assertStackExport`) or one with nothing to evaluate
 * (`assertResourcesToEvaluate`) is refused before any policy runs.
 *
 * Secrets in an export carry only ciphertext; policies see them as `SECRET_PLACEHOLDER`.
 */
import type {
  EnforcementLevel,
  PolicyResourceOptions,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { platformPolicies } from "../../policy/policies";
import { parseType } from "../../policy/lib/azureTypes";
import { evaluatedTypes } from "../../policy/lib/coverage";
import type { ControlId, PlatformPolicy, Severity } from "../../policy/lib/types";
import { PackConfigError, reconcilePackConfig, type PackConfig } from "./config";
import {
  buildPolicyResources,
  deserializeProperties,
  resourceOptions,
  runResourceValidationNow,
  runStackValidation,
  type AnalyzeRequest,
  type AnalyzeStackRequestResource,
  type Outcome,
  type RunResult,
} from "./server";
import {
  countedResources,
  STACK_TYPE,
  StackExportError,
  type StackExport,
  type StackExportResource,
} from "../../policy/common/pulumiFormat";

export interface Violation {
  policy: string;
  level: "mandatory" | "advisory";
  severity: Severity;
  controls: ControlId[];
  urn: string;
  message: string;
  remediation: string;
  file?: string;
}

export interface PolicyOutcome {
  policy: string;
  urn: string;
  type: string;
  outcome: Outcome;
}

/** Azure resources of one type that no enabled service policy evaluated (only location, tags, the type gate). */
export interface UnevaluatedType {
  /** Canonical token (`parseType`): aliases, API versions and parameterized packages resolved. */
  type: string;
  package: "azure-native" | "azure-classic";
  /** How many resources of the type. */
  resources: number;
  urns: string[];
}

/** A policy that could not finish on a resource (or, for a stack policy, on the stack) because a value was unknown. */
export interface UnknownSkip {
  policy: string;
  /** The resource (resource policies); undefined for a stack policy, which judges the whole stack. */
  urn?: string;
  type?: string;
  /** The SDK's message, e.g. "string value at .sku.name can't be known during preview". */
  reason: string;
  /** The export it came from (set by the analyzer when it reads several). */
  file?: string;
}

export interface Evaluation {
  violations: Violation[];
  /**
   * Resource policies: one per (enabled policy, resource). Stack policies: one per resource of
   * the types the policy declares (`resourceTypes`) or that a violation names.
   */
  outcomes: PolicyOutcome[];
  summary: {
    /** Resources of the stack, as the plan counts them (`countedResources`: no stack, providers, pending deletes). */
    resources: number;
    /** Enabled policies. */
    policies: number;
    mandatory: number;
    advisory: number;
    /** Policy runs that could not complete because a value was unknown (preview). */
    unknown: number;
    /** Azure resources no enabled service policy evaluates (`unevaluated` lists them by type). */
    unevaluated: number;
  };
  /** Azure resources no enabled service policy evaluates, by type (most resources first). */
  unevaluated: UnevaluatedType[];
  /** Every policy run that could not finish on an unknown value, by policy and resource. */
  unknowns: UnknownSkip[];
  /** Custom resources that are not Azure resources (e.g. `random`), by type: no policy judges them. */
  nonAzure: { type: string; resources: number }[];
  /** Config entries that name no policy of the pack (the engine ignores them silently). */
  warnings: string[];
}

export interface EvaluateOptions {
  /** Policy pack config (`--policy-pack-config` format); default: the pack's own defaults. */
  config?: PackConfig;
  /** Default: every policy of the pack (`platformPolicies`). */
  policies?: readonly PlatformPolicy[];
  /** The pack's enforcement level (policy/index.ts), used for policies without their own. */
  packEnforcementLevel?: EnforcementLevel;
  /** Recorded on each violation. */
  file?: string;
  /** Collect per-policy outcomes (default true; the CLI does not need them). */
  outcomes?: boolean;
  stackTags?: ReadonlyMap<string, string>;
  /**
   * Skip a resource policy without calling it when the resource's type (API version dropped
   * from the module) is not in the policy's declared `resourceTypes` (default true). The
   * outcome is the same "notApplicable" the policy returns for other types (the pack's
   * builders check the type first; engine.test.ts verifies it for every policy); it is the
   * same idea as the SDK's `__pulumiType` fast path and makes big estates ~10x faster.
   */
  typeFilter?: boolean;
  /**
   * Judge resource policies on what is deployed (the drift workflow, on refreshed state): each
   * input the program set is replaced by the provider's output of the same name, which a refresh
   * read from Azure. A portal change shows in the outputs only (a refresh keeps the recorded
   * inputs), so inputs alone would still pass it.
   */
  deployed?: boolean;
  /**
   * The caller ran `assertStackExport` and `assertResourcesToEvaluate` on this very document and
   * has not changed it since (the CLI checks every file before evaluating any): not checked again.
   */
  checked?: boolean;
}

const kindOf = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : `a ${typeof v}`;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
function isStringArray(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== "string") return false;
  return true;
}

/** What each optional field of a resource must be, as apitype.ResourceV3 declares it. */
const RESOURCE_FIELDS: Record<string, [expected: string, ok: (v: unknown) => boolean]> = {
  custom: ["a boolean", (v) => typeof v === "boolean"],
  delete: ["a boolean", (v) => typeof v === "boolean"],
  protect: ["a boolean", (v) => typeof v === "boolean"],
  id: ["a string", (v) => typeof v === "string"],
  parent: ["a string (a URN)", (v) => typeof v === "string"],
  provider: ["a string (<provider URN>::<id>)", (v) => typeof v === "string"],
  inputs: ["an object", isObject],
  outputs: ["an object", isObject],
  dependencies: ["an array of URN strings", isStringArray],
  aliases: ["an array of URN strings", isStringArray],
  ignoreChanges: ["an array of strings", isStringArray],
  additionalSecretOutputs: ["an array of strings", isStringArray],
  propertyDependencies: [
    "an object of URN string arrays",
    (v) => {
      if (!isObject(v)) return false;
      for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k) && !isStringArray(v[k])) return false;
      return true;
    },
  ],
  customTimeouts: ["an object", isObject],
};
const RESOURCE_FIELD_CHECKS = Object.entries(RESOURCE_FIELDS);
const RESOURCE_FIELD_OK: ReadonlyMap<string, (v: unknown) => boolean> = new Map(
  RESOURCE_FIELD_CHECKS.map(([field, [, ok]]) => [field, ok]),
);

/** Whether every field of `r` that `RESOURCE_FIELDS` describes is well formed (one pass over its keys). */
function wellFormed(r: Record<string, unknown>): boolean {
  for (const key in r) {
    const ok = RESOURCE_FIELD_OK.get(key);
    if (ok === undefined) continue;
    const v = r[key];
    if (v !== undefined && v !== null && !ok(v)) return false;
  }
  return true;
}

/**
 * Throw `StackExportError` unless `doc` has the shape of a `pulumi stack export` document. Every
 * problem is listed at once, each naming the resource (URN, else its index) and the field, so a
 * malformed export never reaches the policies (where it would crash with a stack trace).
 */
export function assertStackExport(doc: unknown, what = "the document"): asserts doc is StackExport {
  const fail = (why: string): never => {
    throw new StackExportError(`${what} is not a pulumi stack export: ${why}`);
  };
  if (!isObject(doc)) fail(`expected a JSON object, got ${kindOf(doc)}`);
  const d = doc as Record<string, unknown>;
  if (typeof d.version !== "number") fail('no numeric "version"');
  if (d.version !== 3) fail(`version ${String(d.version)} is not supported (only 3)`);
  const deployment = d.deployment;
  if (!isObject(deployment)) fail('no "deployment" object');
  const resources = (deployment as Record<string, unknown>).resources;
  if (resources === undefined || resources === null) return;
  if (!Array.isArray(resources)) fail(`"deployment.resources" is ${kindOf(resources)}, not an array`);
  const problems: string[] = [];
  const list = resources as unknown[];
  for (let i = 0; i < list.length; i++) {
    const r = list[i];
    if (!isObject(r)) {
      problems.push(`resource #${i} is ${kindOf(r)}, not an object`);
      continue;
    }
    // (Named only when something is wrong: a big export is checked on every run.)
    const name = () => (typeof r.urn === "string" ? `resource #${i} (${r.urn})` : `resource #${i}`);
    if (typeof r.urn !== "string") problems.push(`${name()}: "urn" is ${kindOf(r.urn)}, expected a string`);
    if (typeof r.type !== "string")
      problems.push(`${name()}: "type" is ${kindOf(r.type)}, expected a string`);
    // The usual case in one pass; a malformed resource is described field by field, in order.
    if (wellFormed(r)) continue;
    for (const [field, [expected, ok]] of RESOURCE_FIELD_CHECKS) {
      const v = r[field];
      if (v !== undefined && v !== null && !ok(v))
        problems.push(`${name()}: "${field}" is ${kindOf(v)}, expected ${expected}`);
    }
  }
  if (problems.length) fail(`${problems.length} malformed field(s):\n  - ${problems.join("\n  - ")}`);
}

const PROVIDER_PREFIX = "pulumi:providers:";

/** Components and the root stack: no cloud resource of their own (their children are judged). */
const isComponent = (r: StackExportResource): boolean => r.custom === false || r.type === STACK_TYPE;

/**
 * The types a policy declares it inspects, normalized (`parseType`), or undefined when it may
 * inspect any type.
 */
function declaredTypes(policy: PlatformPolicy): ReadonlySet<string> | undefined {
  const types = policy.resourceTypes;
  if (!types || types.includes("*")) return undefined;
  return new Set(types.map((t) => parseType(t)?.canonical ?? t));
}

/** A resource's type as the fast path compares it: the canonical token of an Azure type, else the token. */
const normalizedType = (type: string): string => parseType(type)?.canonical ?? type;

/** The name part of a URN (`...::<type>::<name>`). */
function urnName(urn: string): string {
  const i = urn.lastIndexOf("::");
  return i < 0 ? urn : urn.slice(i + 2);
}

/** A provider reference is `<provider urn>::<provider id>`. */
function providerUrn(ref: string): string {
  const i = ref.lastIndexOf("::");
  return i < 0 ? ref : ref.slice(0, i);
}

function optionsOf(r: StackExportResource): PolicyResourceOptions {
  return resourceOptions({
    protect: r.protect === true,
    ignoreChanges: r.ignoreChanges,
    aliases: r.aliases,
    additionalSecretOutputs: r.additionalSecretOutputs,
    customTimeouts: {
      createSeconds: r.customTimeouts?.create ?? 0,
      updateSeconds: r.customTimeouts?.update ?? 0,
      deleteSeconds: r.customTimeouts?.delete ?? 0,
    },
    parent: r.parent,
  });
}

function isStackPolicy(p: PlatformPolicy): p is PlatformPolicy & StackValidationPolicy {
  return typeof (p as Partial<StackValidationPolicy>).validateStack === "function";
}

function isResourcePolicy(p: PlatformPolicy): p is PlatformPolicy & ResourceValidationPolicy {
  const r = p as Partial<ResourceValidationPolicy>;
  const v = r.validateResource;
  return (
    typeof v === "function" ||
    (Array.isArray(v) && v.every((f) => typeof f === "function")) ||
    typeof r.remediateResource === "function"
  );
}

/**
 * Throw `StackExportError` when the export holds nothing to evaluate (no resources, or only
 * providers, components and pending deletes): an empty or never-deployed stack, or the wrong
 * file. Nothing judged must not read as a pass.
 */
export function assertResourcesToEvaluate(doc: StackExport, what = "the export"): void {
  const all = doc.deployment.resources ?? [];
  if (!all.some((r) => !isComponent(r) && !r.type.startsWith(PROVIDER_PREFIX) && r.delete !== true)) {
    throw new StackExportError(
      `${what} holds no resources to evaluate (${all.length} in total: only providers, components or pending deletes); nothing was judged`,
    );
  }
}

/** Evaluate the pack (or `options.policies`) against one stack export. */
export async function evaluateStackExport(
  doc: StackExport,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  if (!options.checked) assertStackExport(doc);
  const policies = options.policies ?? platformPolicies;
  const reconciled = reconcilePackConfig(policies, options.config ?? {}, options.packEnforcementLevel);
  if (reconciled.problems.length) {
    throw new PackConfigError(
      "the policy pack config does not match the policies' config schemas",
      reconciled.problems,
    );
  }
  const wantOutcomes = options.outcomes !== false;
  const all = doc.deployment.resources ?? [];
  if (!options.checked) assertResourcesToEvaluate(doc, options.file);
  const providers = new Map<string, StackExportResource>();
  for (const r of all) if (r.type.startsWith(PROVIDER_PREFIX)) providers.set(r.urn, r);
  // One deserialized copy per provider, shared by the resources it serves (policies only read
  // props, as they do the resource's own props shared by every policy).
  const providerProps = new Map<string, Record<string, unknown>>();
  const providerByRef = new Map<string, AnalyzeRequest["provider"]>();
  const providerOf = (r: StackExportResource): AnalyzeRequest["provider"] => {
    if (!r.provider) return undefined;
    if (providerByRef.has(r.provider)) return providerByRef.get(r.provider);
    const p = providers.get(providerUrn(r.provider));
    let provider: AnalyzeRequest["provider"];
    if (p) {
      let props = providerProps.get(p.urn);
      if (!props) providerProps.set(p.urn, (props = deserializeProperties(p.inputs)));
      provider = { type: p.type, urn: p.urn, name: urnName(p.urn), props };
    }
    providerByRef.set(r.provider, provider);
    return provider;
  };
  const resources = all.filter((r) => !r.type.startsWith(PROVIDER_PREFIX) && r.delete !== true);

  const violations: Violation[] = [];
  const outcomes: PolicyOutcome[] = [];
  const unknowns: UnknownSkip[] = [];
  const enabled = policies.filter((p) => reconciled.policies.get(p.name)!.enforcementLevel !== "disabled");
  const record = (policy: PlatformPolicy, result: RunResult, urnFor: (urn: string | undefined) => string) => {
    for (const d of result.diagnostics) {
      violations.push({
        policy: policy.name,
        level: d.enforcementLevel,
        severity: policy.severity,
        controls: policy.controls,
        urn: urnFor(d.urn),
        message: d.message || policy.description,
        remediation: policy.remediation,
        ...(options.file !== undefined ? { file: options.file } : {}),
      });
    }
  };

  // Resource policies on inputs. Which policies can apply depends on the type token only, so it
  // is worked out once per distinct token (an estate has few): a policy that declares no types
  // or "*" (the deny-by-default ones) is in every list, whatever the token.
  const resourcePolicies = enabled.filter(isResourcePolicy);
  const typeFilter = options.typeFilter !== false;
  const declared = resourcePolicies.map((p) => (typeFilter ? declaredTypes(p) : undefined));
  const applicableByType = new Map<string, ReadonlySet<PlatformPolicy>>();
  const applicableTo = (type: string): ReadonlySet<PlatformPolicy> => {
    let set = applicableByType.get(type);
    if (!set) {
      const normalized = normalizedType(type);
      set = new Set(resourcePolicies.filter((_, i) => declared[i]?.has(normalized) ?? true));
      applicableByType.set(type, set);
    }
    return set;
  };
  // Options as the server builds them, shared by the resource's resource and stack requests.
  const opts = resources.map(optionsOf);
  for (const [i, r] of resources.entries()) {
    const applicable = applicableTo(r.type);
    const req: AnalyzeRequest = {
      type: r.type,
      urn: r.urn,
      name: urnName(r.urn),
      props: deserializeProperties(options.deployed ? deployedInputs(r) : r.inputs),
      opts: opts[i],
      provider: providerOf(r),
    };
    for (const p of wantOutcomes ? resourcePolicies : applicable) {
      if (!applicable.has(p)) {
        outcomes.push({ policy: p.name, urn: r.urn, type: r.type, outcome: "notApplicable" });
        continue;
      }
      const cfg = reconciled.policies.get(p.name)!;
      const run = runResourceValidationNow(p, req, cfg.properties, cfg.enforcementLevel, options.stackTags);
      const result = run instanceof Promise ? await run : run;
      if (result.outcome === "unknown")
        unknowns.push({
          policy: p.name,
          urn: r.urn,
          type: r.type,
          reason: result.unknown ?? "unknown value",
        });
      if (result.diagnostics.length) record(p, result, () => r.urn);
      if (wantOutcomes) outcomes.push({ policy: p.name, urn: r.urn, type: r.type, outcome: result.outcome });
    }
  }

  // Stack policies on outputs, with the resource graph built once for all of them.
  const stackPolicies = enabled.filter(isStackPolicy);
  if (stackPolicies.length) {
    const stackResources: AnalyzeStackRequestResource[] = resources.map((r, i) => ({
      type: r.type,
      urn: r.urn,
      name: urnName(r.urn),
      props: deserializeProperties(r.outputs),
      opts: opts[i],
      provider: providerOf(r),
      parent: r.parent,
      dependencies: r.dependencies ?? [],
      propertyDependencies: r.propertyDependencies ?? {},
    }));
    const graph = buildPolicyResources(stackResources);
    const urns = new Set(resources.map((r) => r.urn));
    const firstUrn = resources[0]?.urn ?? "";
    for (const p of stackPolicies) {
      const cfg = reconciled.policies.get(p.name)!;
      const result = await runStackValidation(
        p,
        graph,
        cfg.properties,
        cfg.enforcementLevel,
        options.stackTags,
      );
      if (result.outcome === "unknown")
        unknowns.push({ policy: p.name, reason: result.unknown ?? "unknown value" });
      record(p, result, (urn) => (urn && urns.has(urn) ? urn : firstUrn));
      if (wantOutcomes) outcomes.push(...stackOutcomes(p, result, resources, urns));
    }
  }

  const { unevaluated, nonAzure } = coverage(resources, enabled);
  return {
    violations,
    outcomes,
    summary: {
      resources: countedResources(all).length,
      policies: enabled.length,
      mandatory: violations.filter((v) => v.level === "mandatory").length,
      advisory: violations.filter((v) => v.level === "advisory").length,
      unknown: unknowns.length,
      unevaluated: unevaluated.reduce((n, u) => n + u.resources, 0),
    },
    unevaluated,
    unknowns,
    nonAzure,
    warnings: reconciled.warnings,
  };
}

/** The inputs with each one the outputs also report replaced by the output (`deployed`). */
function deployedInputs(r: StackExportResource): Record<string, unknown> | undefined {
  if (!r.inputs || !r.outputs) return r.inputs;
  const out = { ...r.inputs };
  for (const key of Object.keys(out)) if (key in r.outputs) out[key] = r.outputs[key];
  return out;
}

/**
 * Which resources no enabled service policy evaluates: Azure resources whose canonical type no
 * enabled policy declares (`evaluatedTypes`), and custom resources that are not Azure at all.
 */
function coverage(
  resources: readonly StackExportResource[],
  enabled: readonly PlatformPolicy[],
): { unevaluated: UnevaluatedType[]; nonAzure: Evaluation["nonAzure"] } {
  const evaluated = evaluatedTypes(enabled);
  const byType = new Map<string, UnevaluatedType>();
  const nonAzure = new Map<string, number>();
  for (const r of resources) {
    if (isComponent(r)) continue;
    const parsed = parseType(r.type);
    if (!parsed) {
      nonAzure.set(r.type, (nonAzure.get(r.type) ?? 0) + 1);
      continue;
    }
    if (evaluated.has(parsed.canonical)) continue;
    let entry = byType.get(parsed.canonical);
    if (!entry) {
      entry = { type: parsed.canonical, package: parsed.package, resources: 0, urns: [] };
      byType.set(parsed.canonical, entry);
    }
    entry.resources++;
    entry.urns.push(r.urn);
  }
  const byCount = <T extends { type: string; resources: number }>(a: T, b: T) =>
    b.resources - a.resources || a.type.localeCompare(b.type);
  return {
    unevaluated: [...byType.values()].sort(byCount),
    nonAzure: [...nonAzure].map(([type, n]) => ({ type, resources: n })).sort(byCount),
  };
}

/** Per-resource outcomes of one stack policy run. */
function stackOutcomes(
  policy: PlatformPolicy,
  result: RunResult,
  resources: readonly StackExportResource[],
  urns: ReadonlySet<string>,
): PolicyOutcome[] {
  const types = new Set((policy.resourceTypes ?? []).map(normalizedType));
  const named = new Set(result.diagnostics.map((d) => d.urn).filter((u): u is string => !!u && urns.has(u)));
  const out: PolicyOutcome[] = [];
  for (const r of resources) {
    const judged = types.has(normalizedType(r.type)) || types.has("*");
    if (!judged && !named.has(r.urn)) continue;
    let outcome: Outcome;
    if (named.has(r.urn)) outcome = "violation";
    else if (result.outcome === "violation") outcome = "pass";
    else outcome = result.outcome;
    out.push({ policy: policy.name, urn: r.urn, type: r.type, outcome });
  }
  return out;
}
