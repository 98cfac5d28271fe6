/**
 * Evaluate the policy pack against a `pulumi stack export` document, offline, the way
 * `pulumi policy analyze` evaluates a pack against exported state (pulumi/pulumi
 * `pkg/engine` `runPolicyChecks`) and the way `pulumi preview` does after the program ran:
 *
 * - pending deletes (`delete: true`) are skipped (pulumi/pulumi pkg/resource/deploy/analyze_snapshot.go
 *   AnalyzeSnapshot); provider resources (`pulumi:providers:*`) are analyzed but not counted;
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
 *
 * `ExportEvaluator` evaluates many exports with one set of options (variants of one export, as
 * the mutation suite makes them) without preparing the options or deserializing a resource again.
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
import { forgetAnalyzedInputs } from "../../policy/lib/define";
import type { ControlId, PlatformPolicy, Severity } from "../../policy/lib/types";
import { PackConfigError, reconcilePackConfig, type PackConfig } from "./config";
import {
  buildPolicyResources,
  deserializeProperties,
  assumeKnown,
  knownProperties,
  resourceOptions,
  ResourcePolicyRunner,
  runStackValidation,
  type AnalyzeRequest,
  type AnalyzeStackRequestResource,
  type Outcome,
  type RunResult,
  UNKNOWN_SENTINEL_STRINGS,
} from "./server";
import {
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
  /**
   * Custom resources that are not Azure resources (e.g. `random`), by type: only
   * no-provider-escape-hatches judges them (the engine's own, `pulumi:`, nothing).
   */
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
   * Likewise a policy for every type is skipped for the tokens its `appliesToType` refuses.
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
export function assertStackExport(
  doc: unknown,
  what = "the document",
  known?: { has(resource: unknown): boolean },
): asserts doc is StackExport {
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
    // (A resource found well formed before and frozen since: `ExportEvaluator`.)
    if (known?.has(r)) continue;
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
  const evaluator = new StackEvaluator(options);
  if (!options.checked) assertResourcesToEvaluate(doc, options.file);
  return evaluateWhole(evaluator, doc.deployment.resources ?? []);
}

/** Every resource of a checked document, in order, then the stack policies. */
async function evaluateWhole(
  evaluator: StackEvaluator,
  all: readonly StackExportResource[],
): Promise<Evaluation> {
  // Every provider is known before any resource asks for its own, wherever it stands.
  evaluator.knowProviders(all);
  for (const r of all) {
    const added = evaluator.add(r);
    if (added) await added;
  }
  return evaluator.finish();
}

/**
 * `evaluateStackExport` for many exports with the same options (the mutation suite evaluates
 * ~1,300 variants of two stacks, each changing a resource or two), without redoing what cannot
 * have changed: the options are prepared once (`PreparedPack`: the pack config reconciled, the
 * policies sorted by kind and type, their config frozen), and a resource object evaluated before
 * is not deserialized, nor its shape checked, again (`ResourceReuse`). Each evaluation is
 * otherwise the whole evaluation, every policy run on every resource; the result is what
 * `evaluateStackExport(doc, options)` returns (test/policy/engine.test.ts).
 *
 * To make that sound, the resources of every export it evaluates are FROZEN, deeply (and stay
 * so): nothing derived from a resource object can go stale, since the object cannot change. A
 * variant of an export shares the resources it leaves alone and replaces the ones it changes
 * with new objects (copy-on-write); changing a resource in place after its evaluation throws
 * (TypeError, in strict code). Resources that are not plain JSON data (another prototype, an
 * accessor) or that hold an unknown sentinel (a preview's; see `freezeData`) are not frozen and
 * are evaluated from scratch every time.
 */
export class ExportEvaluator {
  private readonly options: EvaluateOptions;
  private readonly pack: PreparedPack;
  private readonly reuse: ResourceReuse;

  /**
   * Throws `PackConfigError` when the config does not match the policies. The values of
   * `options.config` are frozen too (the policies read them on every evaluation).
   */
  constructor(options: Omit<EvaluateOptions, "checked"> = {}) {
    this.options = { ...options, checked: false };
    this.pack = new PreparedPack(options, true);
    this.reuse = new ResourceReuse();
  }

  /** The evaluation of `doc` (`evaluateStackExport(doc, options)`); freezes `doc`'s resources. */
  async evaluate(doc: StackExport): Promise<Evaluation> {
    const { reuse } = this;
    assertStackExport(doc, undefined, reuse);
    const all = doc.deployment.resources ?? [];
    for (const r of all) reuse.settle(r);
    assertResourcesToEvaluate(doc, this.options.file);
    return evaluateWhole(new StackEvaluator(this.options, false, this.pack, reuse), all);
  }
}

/**
 * What an evaluation derives from its options alone, before any resource: the pack config
 * reconciled with the policies, the enabled policies by kind, each resource policy's runner, and
 * (filled as resources come) which resource policies can apply to each type token. `frozen`:
 * the reconciled config is frozen, deeply, so policies that share it over many evaluations
 * (`ExportEvaluator`) cannot change it for the next one.
 */
class PreparedPack {
  readonly reconciled: ReturnType<typeof reconcilePackConfig>;
  readonly wantOutcomes: boolean;
  readonly enabled: readonly PlatformPolicy[];
  readonly resourcePolicies: readonly (PlatformPolicy & ResourceValidationPolicy)[];
  readonly stackPolicies: readonly (PlatformPolicy & StackValidationPolicy)[];
  /** Canonical types some enabled policy evaluates (`CoverageCollector`). */
  readonly evaluated: ReadonlySet<string>;
  private readonly declared: (ReadonlySet<string> | undefined)[];
  /** Per resource policy: the type tokens it can apply to at all (`appliesToType`), when it says. */
  private readonly appliesToType: (((token: string) => boolean) | undefined)[];
  /** Per resource policy: the policy with its reconciled config, ready to run. */
  readonly runners: readonly ResourcePolicyRunner[];
  /** Per type token: the policies that can apply, as a set and (indexes) in the pack's order. */
  private readonly applicableByType = new Map<
    string,
    { set: ReadonlySet<PlatformPolicy>; list: readonly number[] }
  >();

  /** Throws `PackConfigError` when the config does not match the policies. */
  constructor(options: EvaluateOptions, frozen = false) {
    const policies = options.policies ?? platformPolicies;
    this.reconciled = reconcilePackConfig(policies, options.config ?? {}, options.packEnforcementLevel);
    if (this.reconciled.problems.length) {
      throw new PackConfigError(
        "the policy pack config does not match the policies' config schemas",
        this.reconciled.problems,
      );
    }
    if (frozen) for (const cfg of this.reconciled.policies.values()) freezeData(cfg.properties);
    this.wantOutcomes = options.outcomes !== false;
    this.enabled = policies.filter(
      (p) => this.reconciled.policies.get(p.name)!.enforcementLevel !== "disabled",
    );
    // Which resource policies can apply depends on the type token only, so it is worked out
    // once per distinct token (an estate has few): a policy that declares no types or "*" (the
    // deny-by-default ones) is in every list, whatever the token.
    this.resourcePolicies = this.enabled.filter(isResourcePolicy);
    const typeFilter = options.typeFilter !== false;
    this.declared = this.resourcePolicies.map((p) => (typeFilter ? declaredTypes(p) : undefined));
    this.appliesToType = this.resourcePolicies.map((p) =>
      typeFilter && typeof p.appliesToType === "function" ? p.appliesToType : undefined,
    );
    this.runners = this.resourcePolicies.map((p) => {
      const cfg = this.reconciled.policies.get(p.name)!;
      return new ResourcePolicyRunner(p, cfg.properties, cfg.enforcementLevel, options.stackTags);
    });
    this.stackPolicies = this.enabled.filter(isStackPolicy);
    this.evaluated = evaluatedTypes(this.enabled);
  }

  applicableTo(type: string) {
    let entry = this.applicableByType.get(type);
    if (!entry) {
      const normalized = normalizedType(type);
      const list: number[] = [];
      for (let i = 0; i < this.resourcePolicies.length; i++)
        if (this.declared[i]?.has(normalized) ?? this.appliesToType[i]?.(type) ?? true) list.push(i);
      entry = { set: new Set(list.map((i) => this.resourcePolicies[i])), list };
      this.applicableByType.set(type, entry);
    }
    return entry;
  }
}

/**
 * Freeze `value` deeply if it is plain JSON data (objects of `Object.prototype` or none, arrays,
 * primitives; no accessor, no symbol key) holding no unknown sentinel, and return true; else
 * change nothing and return false. Objects this module froze so are remembered (`FROZEN`), and
 * not walked again.
 *
 * Unknowns: props that hold one are handed to policies behind the SDK's `unknownCheckingProxy`,
 * which must return a frozen object's properties unwrapped (the Proxy invariant for
 * non-writable, non-configurable properties; @pulumi/policy proxy.js `proxyHelper`), so an unknown
 * inside a frozen object would read as its sentinel string instead of throwing. A frozen object
 * holds none, so whether it is read through the proxy or not changes nothing.
 */
function freezeData(value: unknown): boolean {
  if (!isKnownData(value)) return false;
  freezeChecked(value);
  return true;
}

/** Objects and arrays `freezeData` froze, deeply. */
const FROZEN = new WeakSet<object>();
const SENTINELS: ReadonlySet<string> = new Set(UNKNOWN_SENTINEL_STRINGS);

function isKnownData(v: unknown): boolean {
  if (typeof v === "string") return !SENTINELS.has(v);
  if (v === null || typeof v !== "object") return typeof v !== "function" && typeof v !== "symbol";
  if (FROZEN.has(v)) return true;
  const proto: unknown = Object.getPrototypeOf(v);
  if (Array.isArray(v) ? !isIntrinsic(proto, "Array") : proto !== null && !isIntrinsic(proto, "Object"))
    return false;
  if (Object.getOwnPropertySymbols(v).length) return false;
  const descriptors = Object.getOwnPropertyDescriptors(v);
  for (const key in descriptors) {
    const d = descriptors[key];
    if (!("value" in d)) return false;
    if (!isKnownData(d.value)) return false;
  }
  return true;
}

/**
 * `Object.prototype` or `Array.prototype` (`name`), of this realm or another one: under jest,
 * `structuredClone` (the pack config's defaults, config.ts `schemaDefaults`) returns objects of
 * the outer realm.
 */
function isIntrinsic(proto: unknown, name: "Object" | "Array"): boolean {
  if (proto === (name === "Object" ? Object.prototype : Array.prototype)) return true;
  if (typeof proto !== "object" || proto === null) return false;
  const ctor: unknown = Object.getOwnPropertyDescriptor(proto, "constructor")?.value;
  if (typeof ctor !== "function" || ctor.name !== name || ctor.prototype !== proto) return false;
  const up: unknown = Object.getPrototypeOf(proto);
  return name === "Object" ? up === null : isIntrinsic(up, "Object");
}

function freezeChecked(v: unknown): void {
  if (v === null || typeof v !== "object" || FROZEN.has(v)) return;
  for (const key of Object.keys(v)) freezeChecked((v as Record<string, unknown>)[key]);
  Object.freeze(v);
  FROZEN.add(v);
}

/**
 * What an `ExportEvaluator` keeps of the resources it evaluated, by object: each is frozen
 * (`freezeData`) before anything derived from it is kept, so what is kept holds as long as the
 * object lives (a changed resource is a new object, evaluated from scratch). Kept: that it is
 * well formed (`has`, for `assertStackExport`), its policy options, and the deserialized props of
 * each props object (frozen as well, so a policy cannot change them for the next evaluation).
 */
class ResourceReuse {
  /** Resources frozen and found well formed. */
  private readonly checked = new WeakSet<object>();
  private readonly options = new WeakMap<object, PolicyResourceOptions>();
  private readonly props = new WeakMap<object, Record<string, unknown>>();
  private readonly deployed = new WeakMap<object, Record<string, unknown>>();

  /** Whether `r` is a resource frozen earlier and found well formed: not checked again. */
  has(r: unknown): boolean {
    return typeof r === "object" && r !== null && this.checked.has(r);
  }

  /** After `assertStackExport` passed: freeze `r` for reuse, unless it is not plain data. */
  settle(r: StackExportResource): void {
    if (!this.checked.has(r) && freezeData(r)) this.checked.add(r);
  }

  optionsOf(r: StackExportResource): PolicyResourceOptions {
    return kept(this.options, r, this.checked.has(r), () => optionsOf(r));
  }

  /** `deserializeProperties(raw)`, once per frozen props object. */
  deserialized(raw: unknown): Record<string, unknown> {
    const frozen = typeof raw === "object" && raw !== null && FROZEN.has(raw);
    return kept(this.props, raw as object, frozen, () => deserializeProperties(raw));
  }

  /** `deserializeProperties(deployedInputs(r))`, once per frozen resource. */
  deployedProps(r: StackExportResource): Record<string, unknown> {
    return kept(this.deployed, r, this.checked.has(r), () => deserializeProperties(deployedInputs(r)));
  }
}

/** What `derive` gives for `key`: made once and kept (frozen) when `key` is frozen, else made anew. */
function kept<V extends object>(store: WeakMap<object, V>, key: object, frozen: boolean, derive: () => V): V {
  if (!frozen) return derive();
  let value = store.get(key);
  if (value === undefined) {
    value = derive();
    freezeData(value);
    store.set(key, value);
  }
  return value;
}

/**
 * The resources of one export must be checked by `isWellFormedResource` before `add`; the
 * streaming reader checks them one at a time, the whole-document path all at once
 * (`assertStackExport`, which names every problem).
 */
export function isWellFormedResource(r: unknown): r is StackExportResource {
  return isObject(r) && typeof r.urn === "string" && typeof r.type === "string" && wellFormed(r);
}

/**
 * A provider the streaming reader cannot place as the whole-document evaluation would: the
 * caller evaluates the document as a whole instead (see `StackEvaluator.add`).
 */
export class ProviderOrderError extends Error {}

/**
 * One export's evaluation, fed one resource at a time in the export's order (`add`), then
 * `finish` for the stack policies and the summary. `evaluateStackExport` feeds it a whole
 * document; the analyzer CLI feeds it resources as the streaming reader parses them
 * (lib/analyzer/stream.ts), so a resource's inputs are dropped once its resource policies ran
 * and only what stack policies read is kept.
 *
 * Providers: the whole-document evaluation looks a resource's provider up among all providers
 * of the export (`knowProviders`, the last of one URN wins). Fed without that, a provider is
 * known from where it stands, which is the same for every export the engine writes (a provider
 * precedes the resources it serves); a provider that appears after a resource looked for it, or
 * a second provider of one URN after the first was used, throws `ProviderOrderError`.
 */
export class StackEvaluator {
  private readonly options: EvaluateOptions;
  private readonly pack: PreparedPack;
  /** Work kept from earlier evaluations of the same resources (`ExportEvaluator`), if any. */
  private readonly reuse: ResourceReuse | undefined;
  private readonly providers = new Map<string, { resource: StackExportResource; plain: boolean }>();
  private providersKnown = false;
  /** Provider URNs a resource looked up (found or not): a later provider of that URN is out of order. */
  private readonly providersAsked = new Set<string>();
  private readonly providerProps = new Map<string, Record<string, unknown>>();
  private readonly providerByRef = new Map<string, AnalyzeRequest["provider"]>();
  /** The last provider reference looked up and its provider (resources of one provider follow each other). */
  private lastProviderRef: string | undefined;
  private lastProvider: AnalyzeRequest["provider"];
  private readonly violations: Violation[] = [];
  private readonly outcomes: PolicyOutcome[] = [];
  private readonly unknowns: UnknownSkip[] = [];
  /** What stack policies read of each resource (outputs), in export order. */
  private stackResources: AnalyzeStackRequestResource[] = [];
  private readonly coverage: CoverageCollector;
  private counted = 0;
  private total = 0;
  private evaluable = false;

  /** The resources added are the evaluator's own (`ownsResources`). */
  private readonly owns: boolean;
  /** Each type token added, by itself (`shareStrings`). */
  private readonly types = new Map<string, string>();
  /** The parent URN of the last resource added (`shareStrings`). */
  private lastParent: string | undefined;

  /**
   * Throws `PackConfigError` when the config does not match the policies. `ownsResources`: the
   * resources added were parsed for this evaluation alone (the streaming reader), so equal
   * strings kept of them may be made one (`shareStrings`). `pack`: `options` prepared already
   * (by an `ExportEvaluator`, with `reuse`, its resources' deserialized props).
   */
  constructor(
    options: EvaluateOptions = {},
    ownsResources = false,
    pack = new PreparedPack(options),
    reuse?: ResourceReuse,
  ) {
    this.options = options;
    this.owns = ownsResources;
    this.pack = pack;
    this.reuse = reuse;
    this.coverage = new CoverageCollector(pack.evaluated);
    // What the resource policies saw of another export's resources says nothing of this one's.
    forgetAnalyzedInputs();
  }

  /** Every provider of the export, before any resource is added (the whole-document evaluation). */
  knowProviders(all: readonly StackExportResource[]): void {
    for (const r of all)
      if (r.type.startsWith(PROVIDER_PREFIX)) this.providers.set(r.urn, { resource: r, plain: false });
    this.providersKnown = true;
  }

  /** Whether any resource added so far is one to evaluate (`assertResourcesToEvaluate`). */
  get hasResourcesToEvaluate(): boolean {
    return this.evaluable;
  }

  /** How many resources were added (providers, components and pending deletes included). */
  get added(): number {
    return this.total;
  }

  /**
   * The next resource of the export. `plain`: its text holds no secret and no unknown sentinel
   * (`StreamedResource.plain`), so its props are used without being walked. Returns a promise
   * only when a policy returned one.
   */
  add(r: StackExportResource, plain = false): void | Promise<void> {
    this.total++;
    if (this.owns) this.shareStrings(r);
    const isProvider = r.type.startsWith(PROVIDER_PREFIX);
    if (isProvider && !this.providersKnown) {
      if (this.providersAsked.has(r.urn)) throw new ProviderOrderError(`provider ${r.urn} after its use`);
      this.providers.set(r.urn, { resource: r, plain });
    }
    if (r.delete === true) return;
    // The engine analyzes provider resources like any other (AnalyzeSnapshot skips only pending
    // deletes; the step generator runs analyzers on every registration): they are neither counted
    // nor covered here, but every policy sees them (a remote component's package shows only in
    // its provider resource, see no-provider-escape-hatches).
    if (!isProvider) {
      if (r.type !== STACK_TYPE) this.counted++;
      if (!isComponent(r)) this.evaluable = true;
      this.coverage.add(r);
    }
    const { reuse } = this;
    const opts = reuse ? reuse.optionsOf(r) : optionsOf(r);
    const provider = this.providerOf(r);
    if (this.pack.stackPolicies.length) {
      // Only what stack policies read is kept: the inputs go with `r` once its policies ran.
      this.stackResources.push({
        type: r.type,
        urn: r.urn,
        name: urnName(r.urn),
        props: plain
          ? knownProperties(r.outputs)
          : reuse
            ? reuse.deserialized(r.outputs)
            : deserializeProperties(r.outputs),
        propsKnown: plain,
        opts,
        provider,
        parent: r.parent,
        dependencies: r.dependencies ?? [],
        propertyDependencies: r.propertyDependencies ?? {},
      });
    }
    let props: Record<string, unknown>;
    if (reuse && !plain)
      props = this.options.deployed ? reuse.deployedProps(r) : reuse.deserialized(r.inputs);
    else {
      const inputs = this.options.deployed ? deployedInputs(r) : r.inputs;
      props = plain ? knownProperties(inputs) : deserializeProperties(inputs);
    }
    const req: AnalyzeRequest = {
      type: r.type,
      urn: r.urn,
      name: urnName(r.urn),
      props,
      propsKnown: plain,
      opts,
      provider,
    };
    return this.runResourcePolicies(r, req, 0);
  }

  /**
   * One string object for equal URNs inside a resource the evaluator owns, as cheaply as it
   * comes: a property dependency is nearly always one of the resource's dependencies, and
   * resources of one component follow each other with the same parent. Stack policies keep every
   * resource's links, and in a big export those URN copies are most of what they keep.
   */
  private shareStrings(r: StackExportResource): void {
    // One string per type token (an estate has few): every policy looks the token up (its
    // canonical type, whether it applies), and a lookup with the very string the table holds
    // neither hashes a new string nor compares its characters.
    const type = this.types.get(r.type);
    if (type === undefined) this.types.set(r.type, r.type);
    else r.type = type;
    if (r.parent !== undefined) {
      if (r.parent === this.lastParent) r.parent = this.lastParent;
      else this.lastParent = r.parent;
    }
    const deps = r.dependencies;
    const propertyDeps = r.propertyDependencies;
    if (!deps || !propertyDeps) return;
    for (const key in propertyDeps) {
      if (!Object.prototype.hasOwnProperty.call(propertyDeps, key)) continue;
      const urns = propertyDeps[key];
      for (let i = 0; i < urns.length; i++) {
        const same = deps.indexOf(urns[i]);
        if (same >= 0) urns[i] = deps[same];
      }
    }
  }

  /** The resource policies from `first` on (in the pack's order), synchronously while none returns a promise. */
  private runResourcePolicies(
    r: StackExportResource,
    req: AnalyzeRequest,
    first: number,
  ): void | Promise<void> {
    const { pack } = this;
    const applicable = pack.applicableTo(r.type);
    // With outcomes, every policy in order (the others are "notApplicable"); else the applicable ones.
    const all = pack.wantOutcomes;
    const count = all ? pack.resourcePolicies.length : applicable.list.length;
    for (let i = first; i < count; i++) {
      const index = all ? i : applicable.list[i];
      const p = pack.resourcePolicies[index];
      if (all && !applicable.set.has(p)) {
        this.outcomes.push({ policy: p.name, urn: r.urn, type: r.type, outcome: "notApplicable" });
        continue;
      }
      const run = pack.runners[index].run(req);
      if (run instanceof Promise)
        return run.then((result) => {
          this.recordResourceRun(p, r, result);
          return this.runResourcePolicies(r, req, i + 1);
        });
      this.recordResourceRun(p, r, run);
    }
  }

  private recordResourceRun(p: PlatformPolicy, r: StackExportResource, result: RunResult): void {
    if (result.outcome === "unknown")
      this.unknowns.push({
        policy: p.name,
        urn: r.urn,
        type: r.type,
        reason: result.unknown ?? "unknown value",
      });
    if (result.diagnostics.length) this.record(p, result, () => r.urn);
    if (this.pack.wantOutcomes)
      this.outcomes.push({ policy: p.name, urn: r.urn, type: r.type, outcome: result.outcome });
  }

  private record(
    policy: PlatformPolicy,
    result: RunResult,
    urnFor: (urn: string | undefined) => string,
  ): void {
    for (const d of result.diagnostics) {
      this.violations.push({
        policy: policy.name,
        level: d.enforcementLevel,
        severity: policy.severity,
        controls: policy.controls,
        urn: urnFor(d.urn),
        message: d.message || policy.description,
        remediation: policy.remediation,
        ...(this.options.file !== undefined ? { file: this.options.file } : {}),
      });
    }
  }

  /** A provider reference is `<provider urn>::<provider id>`; one deserialized copy per provider, shared. */
  private providerOf(r: StackExportResource): AnalyzeRequest["provider"] {
    if (!r.provider) return undefined;
    if (r.provider === this.lastProviderRef) return this.lastProvider;
    const known = this.providerByRef.get(r.provider);
    if (known !== undefined || this.providerByRef.has(r.provider)) {
      this.lastProviderRef = r.provider;
      return (this.lastProvider = known);
    }
    const urn = providerUrn(r.provider);
    this.providersAsked.add(urn);
    const entry = this.providers.get(urn);
    let provider: AnalyzeRequest["provider"];
    if (entry) {
      const p = entry.resource;
      let props = this.providerProps.get(p.urn);
      if (!props) {
        if (entry.plain) assumeKnown((props = knownProperties(p.inputs)));
        else props = this.reuse ? this.reuse.deserialized(p.inputs) : deserializeProperties(p.inputs);
        this.providerProps.set(p.urn, props);
      }
      provider = { type: p.type, urn: p.urn, name: urnName(p.urn), props };
    }
    this.providerByRef.set(r.provider, provider);
    this.lastProviderRef = r.provider;
    return (this.lastProvider = provider);
  }

  /** Stack policies on outputs (the resource graph built once for all of them), then the summary. */
  async finish(): Promise<Evaluation> {
    const { violations, outcomes, unknowns, pack } = this;
    const { stackPolicies, reconciled } = pack;
    if (stackPolicies.length) {
      const graph = buildPolicyResources(this.stackResources);
      // The requests are not needed once the graph is built (it keeps their links' URNs).
      this.stackResources = [];
      // The stack's URNs, for the diagnostics that name one (most stack policies report none).
      let urns: ReadonlySet<string> | undefined;
      const urnSet = () => (urns ??= new Set(graph.map((r) => r.urn)));
      const firstUrn = graph[0]?.urn ?? "";
      for (const p of stackPolicies) {
        const cfg = reconciled.policies.get(p.name)!;
        const result = await runStackValidation(
          p,
          graph,
          cfg.properties,
          cfg.enforcementLevel,
          this.options.stackTags,
        );
        if (result.outcome === "unknown")
          unknowns.push({ policy: p.name, reason: result.unknown ?? "unknown value" });
        this.record(p, result, (urn) => (urn && urnSet().has(urn) ? urn : firstUrn));
        if (pack.wantOutcomes) outcomes.push(...stackOutcomes(p, result, graph, urnSet()));
      }
    }
    const { unevaluated, nonAzure } = this.coverage.result();
    return {
      violations,
      outcomes,
      summary: {
        resources: this.counted,
        policies: pack.enabled.length,
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
 * Fed the resources to evaluate (no providers, no pending deletes) in export order.
 */
class CoverageCollector {
  private readonly evaluated: ReadonlySet<string>;
  private readonly byType = new Map<string, UnevaluatedType>();
  private readonly nonAzure = new Map<string, number>();

  constructor(evaluated: ReadonlySet<string>) {
    this.evaluated = evaluated;
  }

  add(r: StackExportResource): void {
    if (isComponent(r)) return;
    const parsed = parseType(r.type);
    if (!parsed) {
      this.nonAzure.set(r.type, (this.nonAzure.get(r.type) ?? 0) + 1);
      return;
    }
    if (this.evaluated.has(parsed.canonical)) return;
    let entry = this.byType.get(parsed.canonical);
    if (!entry) {
      entry = { type: parsed.canonical, package: parsed.package, resources: 0, urns: [] };
      this.byType.set(parsed.canonical, entry);
    }
    entry.resources++;
    entry.urns.push(r.urn);
  }

  result(): { unevaluated: UnevaluatedType[]; nonAzure: Evaluation["nonAzure"] } {
    const byCount = <T extends { type: string; resources: number }>(a: T, b: T) =>
      b.resources - a.resources || a.type.localeCompare(b.type);
    return {
      unevaluated: [...this.byType.values()].sort(byCount),
      nonAzure: [...this.nonAzure].map(([type, n]) => ({ type, resources: n })).sort(byCount),
    };
  }
}

/** Per-resource outcomes of one stack policy run. */
function stackOutcomes(
  policy: PlatformPolicy,
  result: RunResult,
  resources: readonly { type: string; urn: string }[],
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
