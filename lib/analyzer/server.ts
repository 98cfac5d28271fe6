/**
 * The policy server's analysis loop, offline. This mirrors `@pulumi/policy` 1.21's
 * `server.js` (`makeAnalyzeRpcFun`, `makeAnalyzeStackRpcFun`) step by step, minus gRPC:
 *
 * - props are wrapped in the SDK's own `unknownCheckingProxy`, so reading a preview unknown
 *   throws the SDK's `UnknownValueError`, which is reported as "unknown" (the server turns it
 *   into an advisory "can't run during preview", never a block); props that hold no unknown
 *   sentinel at all are passed unwrapped, since the proxy could never throw on them;
 * - `args.notApplicable()` throws; the throw means "not applicable";
 * - a `validateResource`/`validateStack` function tagged with `__pulumiType` (the
 *   `validateResourceOfType` helpers) is skipped for other types without being called;
 * - `getConfig()` returns the policy's reconciled config without `enforcementLevel`;
 * - stack policies receive `PolicyResource` objects whose `parent`, `dependencies` and
 *   `propertyDependencies` are links to the other resource objects (URNs not in the stack are
 *   dropped), with `isType`/`asType` as the server defines them;
 * - any other exception fails the analysis ("Error validating resource with policy ..."),
 *   as a crashing policy fails `pulumi preview`.
 *
 * Both the jest harness and `evaluateStackExport` run policies through this module only.
 */
import type {
  EnforcementLevel,
  PolicyProviderResource,
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  StackValidationArgs,
  StackValidationPolicy,
  ResourceValidationPolicy,
} from "@pulumi/policy";
import {
  PROPERTY_DEPENDENCIES_OF,
  SECRET_DISPLAY,
  SECRET_SIG,
  SIG_KEY as SECRET_SIG_KEY,
} from "../../policy/common/pulumiFormat";
import type { KnownPropsHint } from "../../policy/lib/define";

interface ProxyModule {
  unknownCheckingProxy<T extends object>(this: void, props: T): T;
  UnknownValueError: new (...args: never[]) => Error;
  unknownBooleanValue: string;
  unknownNumberValue: string;
  unknownStringValue: string;
  unknownArrayValue: string;
  unknownAssetValue: string;
  unknownArchiveValue: string;
  unknownObjectValue: string;
}
// The SDK exports these at run time for harnesses (FIELD-NOTES), but its typings mark them
// @internal and strip them, so they are typed here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxyModule = require("@pulumi/policy/proxy") as ProxyModule;
const { unknownCheckingProxy, UnknownValueError } = proxyModule;

/**
 * The value the engine sends for a property that is unknown during preview. The Go engine
 * marshals every computed value as the string sentinel, which is what the SDK's proxy tests.
 */
export const UNKNOWN_SENTINEL: string = proxyModule.unknownStringValue;

/** `UnknownValueError` from `@pulumi/policy` (the same class the proxy throws). */
export function isUnknownValueError(err: unknown): err is Error & { props: string[] } {
  return err instanceof UnknownValueError;
}

/** What `args.notApplicable()` throws (the SDK's own class is private to server.js). */
export class NotApplicableError extends Error {
  constructor(readonly reason: string | undefined) {
    super(reason ?? "Policy does not apply");
    this.name = "NotApplicableError";
  }
}

/** Signals by reason: most runs that bail out give one of a few fixed reasons. */
const NOT_APPLICABLE = new Map<string | undefined, NotApplicableError>();
const NOT_APPLICABLE_CACHED = 1000;

function throwNotApplicable(reason?: string): never {
  // A control-flow signal, thrown for many policy x resource pairs and never printed: built
  // without capturing a stack trace, and reused for the same reason (it carries nothing else).
  let err = NOT_APPLICABLE.get(reason);
  if (!err) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    err = new NotApplicableError(reason);
    Error.stackTraceLimit = limit;
    if (NOT_APPLICABLE.size < NOT_APPLICABLE_CACHED) NOT_APPLICABLE.set(reason, err);
  }
  throw err;
}

/** A policy failed with an exception other than unknown / not applicable: the analysis fails. */
export class PolicyCrashError extends Error {
  constructor(
    readonly policy: string,
    readonly urn: string,
    readonly cause: unknown,
  ) {
    super(
      `Error validating resource ${urn} with policy '${policy}': ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = "PolicyCrashError";
  }
}

export type Outcome = "pass" | "violation" | "notApplicable" | "unknown";

/** One diagnostic as the server records it (`makeReportViolationFun`). */
export interface Diagnostic {
  /** The message the policy passed to `reportViolation` (the server prefixes the description). */
  message: string;
  /** The resource the violation names (stack policies); resource policies use the resource's URN. */
  urn?: string;
  enforcementLevel: "mandatory" | "advisory";
}

export interface RunResult {
  outcome: Outcome;
  diagnostics: Diagnostic[];
  /** For "unknown": the SDK's message, e.g. "string value at .sku.name can't be known during preview". */
  unknown?: string;
  /** For "notApplicable": the reason the policy gave. */
  reason?: string;
}

/** The options the server builds from the request (`getResourceOptions`). */
export function resourceOptions(o: Partial<PolicyResourceOptions> = {}): PolicyResourceOptions {
  const opts: PolicyResourceOptions = {
    protect: o.protect === true,
    ignoreChanges: o.ignoreChanges ?? [],
    aliases: o.aliases ?? [],
    customTimeouts: o.customTimeouts ?? { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: o.additionalSecretOutputs ?? [],
  };
  if (o.deleteBeforeReplace !== undefined) opts.deleteBeforeReplace = o.deleteBeforeReplace;
  if (o.parent) opts.parent = o.parent;
  return opts;
}

type ResourceClassLike = { __pulumiType?: unknown; isInstance?: unknown; name?: string };

/** `getPulumiType` of policy.js: the type attached by `validate*OfType` helpers. */
function pulumiTypeOf(obj: unknown): string | undefined {
  const t = (obj as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof t === "string" && t.length > 0 ? t : undefined;
}

/** `isTypeOf` of server.js. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
  const pulumiType = pulumiTypeOf(resourceClass);
  if (pulumiType) return type === pulumiType;
  const isInstance = (resourceClass as ResourceClassLike | undefined)?.isInstance;
  return (
    typeof isInstance === "function" &&
    (isInstance as (o: unknown) => unknown)({ __pulumiType: type }) === true
  );
}

/** Resolve the level the server reports: `remediate` is reported as mandatory. */
export function reportedLevel(level: EnforcementLevel): "mandatory" | "advisory" {
  return level === "advisory" ? "advisory" : "mandatory";
}

function reporter(level: "mandatory" | "advisory", into: Diagnostic[], fixedUrn?: string): ReportViolation {
  return (message: unknown, urn?: string) => {
    // The SDK also accepts a `{ message, urn, enforcementLevel, ... }` object.
    if (typeof message === "object" && message !== null) {
      const info = message as {
        message?: string;
        description?: string;
        urn?: string;
        enforcementLevel?: string;
      };
      into.push({
        message: info.message ?? info.description ?? "",
        urn: fixedUrn ?? info.urn,
        enforcementLevel: info.enforcementLevel === "advisory" ? "advisory" : level,
      });
      return;
    }
    into.push({
      message: typeof message === "string" ? message : "",
      urn: fixedUrn ?? urn,
      enforcementLevel: level,
    });
  };
}

function settle(diagnostics: Diagnostic[], err: unknown, policy: string, urn: string): RunResult {
  if (err === undefined) return { outcome: diagnostics.length ? "violation" : "pass", diagnostics };
  if (isUnknownValueError(err)) {
    // Violations reported before the unknown was read stay reported, as in the server.
    return { outcome: diagnostics.length ? "violation" : "unknown", diagnostics, unknown: err.message };
  }
  if (err instanceof NotApplicableError) {
    return { outcome: diagnostics.length ? "violation" : "notApplicable", diagnostics, reason: err.reason };
  }
  throw new PolicyCrashError(policy, urn, err);
}

/** A resource as the server's `analyze` request carries it (props already deserialized). */
export interface AnalyzeRequest {
  type: string;
  urn: string;
  name: string;
  props: Record<string, unknown>;
  opts: PolicyResourceOptions;
  provider?: { type: string; urn: string; name: string; props: Record<string, unknown> };
  /**
   * `props` hold no unknown sentinel at any depth (`knownProperties`): the proxy could never
   * throw on them, so they are handed over unwrapped (as `FULLY_KNOWN` props are).
   */
  propsKnown?: boolean;
}

const EMPTY_TAGS: ReadonlyMap<string, string> = new Map();

/**
 * What a policy sees for a secret whose plaintext is not available (an export holds only the
 * ciphertext). The engine would decrypt it and pass the plaintext; offline, every secret reads
 * as this opaque string, so a policy can tell that a value is set but never what it is.
 */
export const SECRET_PLACEHOLDER = SECRET_DISPLAY;

/**
 * Props trees `deserializeProperties` built and found free of every unknown sentinel. The SDK's
 * proxy can never throw on them (it only tests the values read against the sentinels), so they
 * are handed to policies unwrapped; anything else (a preview with unknowns, a harness's own
 * props) goes through the proxy as in the server.
 */
const FULLY_KNOWN = new WeakSet<object>();
const UNKNOWN_SENTINELS: ReadonlySet<unknown> = new Set([
  proxyModule.unknownBooleanValue,
  proxyModule.unknownNumberValue,
  proxyModule.unknownStringValue,
  proxyModule.unknownArrayValue,
  proxyModule.unknownAssetValue,
  proxyModule.unknownArchiveValue,
  proxyModule.unknownObjectValue,
]);
/** The SDK's unknown sentinels (what the streaming reader looks for, lib/analyzer/stream.ts). */
export const UNKNOWN_SENTINEL_STRINGS = [...UNKNOWN_SENTINELS] as readonly string[];
/** The sentinels are UUIDs, all of one length. */
const SENTINEL_LENGTH = proxyModule.unknownStringValue.length;
if ([...UNKNOWN_SENTINELS].some((s) => typeof s !== "string" || s.length !== SENTINEL_LENGTH))
  throw new Error(
    "@pulumi/policy's unknown sentinels are no longer of one length: update deserializeProperty",
  );
/** Set while `deserializeProperties` walks a tree that holds an unknown sentinel. */
let sawUnknown = false;

/** The props as a policy receives them: behind the SDK's proxy unless known to hold no unknown. */
function checkingProxy<T extends object>(props: T): T {
  return FULLY_KNOWN.has(props) ? props : unknownCheckingProxy(props);
}

/**
 * `deserializeProperties` of the SDK (with `proxySecrets` false, as `analyze` uses it):
 * top-level undefined values are dropped and secrets are unwrapped to their value, here the
 * plaintext when the document carries it (`value`, as under mocks) or the placeholder when it
 * only carries `ciphertext` (a stack export). Assets and archives stay plain objects.
 *
 * The top-level object is always new; nested objects and arrays that hold no secret are the
 * caller's own (policies only read props), so an export's resources are not held twice.
 */
export function deserializeProperties(raw: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    FULLY_KNOWN.add(out);
    return out;
  }
  sawUnknown = false;
  const o = raw as Record<string, unknown>;
  for (const k in o) {
    if (!hasOwn.call(o, k)) continue;
    const v = o[k];
    if (v !== undefined) out[k] = deserializeProperty(v);
  }
  if (!sawUnknown) FULLY_KNOWN.add(out);
  return out;
}

/**
 * `deserializeProperties` of props known to hold no secret and no unknown sentinel at any depth
 * (the streaming reader checked the text they were parsed from, and nothing else holds them):
 * the same props, without walking them. `deserializeProperties` always returns a new top-level
 * object; here the parsed object itself serves, which policies (they only read props) cannot
 * tell apart. Not marked `FULLY_KNOWN` (a weak set of every resource's props costs more than
 * the walk it saves): the request says so (`propsKnown`), or the caller calls `assumeKnown`.
 */
export function knownProperties(raw: unknown): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return {};
  const o = raw as Record<string, unknown>;
  // The object itself when copying it could not change a thing: a plain object as JSON.parse
  // makes it (an own "__proto__" key would become the copy's prototype).
  if (Object.getPrototypeOf(o) === Object.prototype && !hasOwn.call(o, "__proto__")) return o;
  const out: Record<string, unknown> = {};
  for (const k in o) {
    if (!hasOwn.call(o, k)) continue;
    const v = o[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Mark `knownProperties` props as free of unknowns wherever they are handed over (provider props). */
export function assumeKnown(props: Record<string, unknown>): void {
  FULLY_KNOWN.add(props);
}

// eslint-disable-next-line @typescript-eslint/unbound-method -- always called with .call
const hasOwn = Object.prototype.hasOwnProperty;

/** The deserialized value: `v` itself when nothing in it changes (no secret inside). */
function deserializeProperty(v: unknown): unknown {
  if (v === null || typeof v !== "object") {
    // (The length first: most strings are not 36 characters, and the set would hash each one.)
    if (typeof v === "string" && v.length === SENTINEL_LENGTH && UNKNOWN_SENTINELS.has(v)) sawUnknown = true;
    return v;
  }
  if (Array.isArray(v)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      const d = deserializeProperty(item);
      if (d !== item && !copy) copy = v.slice(0, i);
      if (copy) copy.push(d);
    }
    return copy ?? v;
  }
  const o = v as Record<string, unknown>;
  if (o[SECRET_SIG_KEY] === SECRET_SIG)
    return "value" in o ? deserializeProperty(o.value) : SECRET_PLACEHOLDER;
  let copy: Record<string, unknown> | undefined;
  for (const k in o) {
    if (!hasOwn.call(o, k)) continue;
    const item = o[k];
    const d = deserializeProperty(item);
    if (d !== item && !copy) {
      // First changed key: copy what came before it unchanged.
      copy = {};
      for (const before of Object.keys(o)) {
        if (before === k) break;
        copy[before] = o[before];
      }
    }
    if (copy) copy[k] = d;
  }
  return copy ?? o;
}

/**
 * One resource policy on one resource, as `makeAnalyzeRpcFun` runs it. `props` are wrapped
 * fresh for every validation function; the caller passes a deserialized copy.
 */
export async function runResourceValidation(
  policy: ResourceValidationPolicy,
  req: AnalyzeRequest,
  config: Record<string, unknown>,
  level: EnforcementLevel,
  stackTags: ReadonlyMap<string, string> = EMPTY_TAGS,
): Promise<RunResult> {
  return new ResourcePolicyRunner(policy, config, level, stackTags).run(req);
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (typeof v === "object" || typeof v === "function") &&
  v !== null &&
  typeof (v as { then?: unknown }).then === "function";

/**
 * One resource policy with its config, for many resources (`runResourceValidation`; the
 * evaluator keeps one per policy): what the server derives from the policy alone on every
 * request (its validation functions, the `__pulumiType` fast path, the reported level) is
 * derived once, again only if `validateResource` is replaced. A single synchronous validation
 * function (every policy of the pack) runs without the bookkeeping of several, and `run` returns
 * the result directly when no validation returned a promise (no microtask per policy and
 * resource). Each validation function still gets fresh arguments and its own reporter, as in the
 * server.
 */
export class ResourcePolicyRunner {
  private validate: ResourceValidationPolicy["validateResource"] | undefined;
  private validations: readonly ResourceValidation[] = [];
  private pulumiType: string | undefined;
  private readonly level: "mandatory" | "advisory";

  constructor(
    private readonly policy: ResourceValidationPolicy,
    private readonly config: Record<string, unknown>,
    level: EnforcementLevel,
    private readonly stackTags: ReadonlyMap<string, string> = EMPTY_TAGS,
  ) {
    this.level = reportedLevel(level);
  }

  run(req: AnalyzeRequest): RunResult | Promise<RunResult> {
    const { policy } = this;
    const validate = policy.validateResource;
    if (!validate)
      return {
        outcome: "notApplicable",
        diagnostics: [],
        reason: "Policy does not implement validateResource",
      };
    if (validate !== this.validate) {
      this.validate = validate;
      this.validations = Array.isArray(validate) ? validate : [validate];
      this.pulumiType = Array.isArray(validate) ? undefined : pulumiTypeOf(validate);
    }
    const diagnostics: Diagnostic[] = [];
    const { pulumiType, validations } = this;
    if (pulumiType && req.type !== pulumiType) {
      return {
        outcome: "notApplicable",
        diagnostics,
        reason: `Policy only applies to resources of type '${pulumiType}'`,
      };
    }
    const report = reporter(this.level, diagnostics, req.urn);
    if (validations.length !== 1) return continueRun(this.started(req, diagnostics, report), 0);
    // One validation function: `continueRun` inlined for the synchronous case.
    let returned: unknown;
    try {
      returned = validations[0](validationArgs(req, this.config, this.stackTags), report);
    } catch (err) {
      if (!isUnknownValueError(err) && !(err instanceof NotApplicableError))
        throw new PolicyCrashError(policy.name, req.urn, err);
      if (diagnostics.length) return { outcome: "violation", diagnostics };
      return settle(diagnostics, err, policy.name, req.urn);
    }
    if (isThenable(returned)) {
      const run = this.started(req, diagnostics, report);
      return Promise.resolve(returned).then(
        () => continueRun(run, 1),
        (err: unknown) => {
          caught(run, err);
          return continueRun(run, 1);
        },
      );
    }
    return diagnostics.length ? { outcome: "violation", diagnostics } : { outcome: "pass", diagnostics };
  }

  private started(req: AnalyzeRequest, diagnostics: Diagnostic[], report: ReportViolation): ResourceRun {
    return {
      policy: this.policy,
      req,
      config: this.config,
      stackTags: this.stackTags,
      validations: this.validations,
      diagnostics,
      report,
      notApplicable: undefined,
      unknown: undefined,
    };
  }
}

/** One resource policy run in progress. */
interface ResourceRun {
  policy: ResourceValidationPolicy;
  req: AnalyzeRequest;
  config: Record<string, unknown>;
  stackTags: ReadonlyMap<string, string>;
  validations: readonly ResourceValidation[];
  diagnostics: Diagnostic[];
  report: ReportViolation;
  notApplicable: NotApplicableError | undefined;
  unknown: Error | undefined;
}

/** Run the validation functions from `first` on: each runs even when an earlier one bailed out. */
function continueRun(run: ResourceRun, first: number): RunResult | Promise<RunResult> {
  for (let i = first; i < run.validations.length; i++) {
    let returned: unknown;
    try {
      returned = run.validations[i](validationArgs(run.req, run.config, run.stackTags), run.report);
    } catch (err) {
      caught(run, err);
      continue;
    }
    if (isThenable(returned))
      return Promise.resolve(returned).then(
        () => continueRun(run, i + 1),
        (err: unknown) => {
          caught(run, err);
          return continueRun(run, i + 1);
        },
      );
  }
  const { diagnostics, unknown, notApplicable, policy, req } = run;
  if (diagnostics.length) return { outcome: "violation", diagnostics };
  if (unknown) return settle(diagnostics, unknown, policy.name, req.urn);
  if (notApplicable) return settle(diagnostics, notApplicable, policy.name, req.urn);
  return { outcome: "pass", diagnostics };
}

function caught(run: ResourceRun, err: unknown): void {
  if (isUnknownValueError(err)) run.unknown ??= err;
  else if (err instanceof NotApplicableError) run.notApplicable ??= err;
  else throw new PolicyCrashError(run.policy.name, run.req.urn, err);
}

/** The arguments the server passes to one validation function (props wrapped afresh). */
function validationArgs(
  req: AnalyzeRequest,
  config: Record<string, unknown>,
  stackTags: ReadonlyMap<string, string>,
): ResourceValidationArgs {
  const props = req.propsKnown ? req.props : checkingProxy(req.props);
  const args: ResourceValidationArgs & KnownPropsHint = {
    type: req.type,
    props,
    propsKnown: props === req.props,
    urn: req.urn,
    name: req.name,
    opts: req.opts,
    stackTags,
    isType: (resourceClass) => isTypeOf(req.type, resourceClass),
    asType: ((resourceClass: unknown) =>
      isTypeOf(req.type, resourceClass) ? props : undefined) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => config as T,
    notApplicable: throwNotApplicable,
  };
  if (req.provider) {
    const provider: PolicyProviderResource = {
      ...req.provider,
      props: checkingProxy(req.provider.props),
    };
    args.provider = provider;
  }
  return args;
}

/** A resource as the server's `analyzeStack` request carries it (outputs already deserialized). */
export interface AnalyzeStackRequestResource extends AnalyzeRequest {
  parent?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

/**
 * Build the `PolicyResource` graph the server hands to stack policies. The server rebuilds it
 * for every stack policy; the caller may build it once per evaluation and reuse it (policies
 * only read it), which keeps a 10,000-resource stack linear. Each resource's parent and
 * dependencies are linked when first read (`GraphResource`), against the finished graph.
 */
export function buildPolicyResources(resources: readonly AnalyzeStackRequestResource[]): PolicyResource[] {
  const out: GraphResource[] = [];
  const byUrn = new Map<string, GraphResource>();
  // One provider object per provider, not per resource: a stack holds few providers, and a
  // policy only reads them.
  const providers = new Map<NonNullable<AnalyzeRequest["provider"]>, PolicyProviderResource>();
  const providerOf = (request: AnalyzeStackRequestResource): PolicyProviderResource | undefined => {
    const p = request.provider;
    if (!p) return undefined;
    let provider = providers.get(p);
    if (!provider) providers.set(p, (provider = { ...p, props: checkingProxy(p.props) }));
    return provider;
  };
  for (const r of resources) {
    const resource = new GraphResource(r, byUrn, providerOf(r));
    out.push(resource);
    byUrn.set(r.urn, resource);
  }
  return out;
}

/** What an input the engine does not list depends on (one array, asked again: the same one). */
const NO_RESOURCES: readonly PolicyResource[] = Object.freeze([]);

/**
 * A resource of the stack graph, with the fields the server sets. `parent`, `dependencies` and
 * `propertyDependencies` are linked when first read (getters of the class, so every resource
 * keeps one shape), the same resources in the same order as linking them all up front: stack
 * policies read the dependencies of few resources, and linking every URN of a 10,000-resource
 * stack (each a long string hashed and compared once) cost more than the graph itself.
 * The graph is complete before any policy runs, so a link read late finds what it would have.
 */
class GraphResource implements PolicyResource {
  readonly type: string;
  readonly props: Record<string, unknown>;
  readonly urn: string;
  readonly name: string;
  readonly opts: PolicyResourceOptions;
  provider?: PolicyProviderResource;
  readonly isType: PolicyResource["isType"];
  readonly asType: PolicyResource["asType"];
  // Private fields: a policy enumerating the resource sees only the server's fields.
  /** The request's parent, dependencies and property dependencies, by URN (the request itself is not kept). */
  readonly #parentUrn: string | undefined;
  readonly #dependencyUrns: readonly string[];
  readonly #propertyDependencies: Record<string, string[]>;
  readonly #byUrn: ReadonlyMap<string, PolicyResource>;
  #parent: PolicyResource | undefined | null = null;
  #dependencies: PolicyResource[] | undefined;
  #linked: Record<string, PolicyResource[]> | undefined;
  /** Inputs linked one at a time (`PROPERTY_DEPENDENCIES_OF`), before or instead of all of them. */
  #linkedInputs: Map<string, PolicyResource[]> | undefined;

  constructor(
    request: AnalyzeStackRequestResource,
    byUrn: ReadonlyMap<string, PolicyResource>,
    provider: PolicyProviderResource | undefined,
  ) {
    this.#parentUrn = request.parent;
    this.#dependencyUrns = request.dependencies;
    this.#propertyDependencies = request.propertyDependencies;
    this.#byUrn = byUrn;
    const type = request.type;
    const props = request.propsKnown ? request.props : checkingProxy(request.props);
    this.type = type;
    this.props = props;
    this.urn = request.urn;
    this.name = request.name;
    this.opts = request.opts;
    this.isType = (resourceClass) => isTypeOf(type, resourceClass);
    this.asType = ((resourceClass: unknown) =>
      isTypeOf(type, resourceClass) ? props : undefined) as PolicyResource["asType"];
    if (provider) this.provider = provider;
  }

  get parent(): PolicyResource | undefined {
    if (this.#parent === null) this.#parent = this.#parentUrn ? this.#byUrn.get(this.#parentUrn) : undefined;
    return this.#parent;
  }

  set parent(value: PolicyResource | undefined) {
    this.#parent = value;
  }

  get dependencies(): PolicyResource[] {
    if (!this.#dependencies) {
      const dependencies: PolicyResource[] = [];
      for (const urn of this.#dependencyUrns) {
        const d = this.#byUrn.get(urn);
        if (d) dependencies.push(d);
      }
      this.#dependencies = dependencies;
    }
    return this.#dependencies;
  }

  set dependencies(value: PolicyResource[]) {
    this.#dependencies = value;
  }

  get propertyDependencies(): Record<string, PolicyResource[]> {
    if (!this.#linked) {
      const linked: Record<string, PolicyResource[]> = {};
      for (const [key, urns] of Object.entries(this.#propertyDependencies)) {
        linked[key] = this.#linkedInputs?.get(key) ?? this.#link(urns);
      }
      this.#linked = linked;
    }
    return this.#linked;
  }

  #link(urns: readonly string[]): PolicyResource[] {
    // One pass, no callbacks: stack policies link thousands of inputs on a big stack.
    const linked: PolicyResource[] = [];
    for (let i = 0; i < urns.length; i++) {
      const d = this.#byUrn.get(urns[i]);
      if (d) linked.push(d);
    }
    return linked;
  }

  /**
   * `undefined` when there is no `propertyDependencies` object, else its entry for `key` when that
   * is an array, else `[]` (`PROPERTY_DEPENDENCIES_OF`), linking only `key`'s URNs: stack policies
   * ask about one input of many resources, and linking every input of each (a URN lookup per
   * dependency) cost more than the rest of their reads. The same arrays as the getter's.
   */
  [PROPERTY_DEPENDENCIES_OF](key: string): readonly PolicyResource[] | undefined {
    const raw = this.#propertyDependencies;
    // Once linked as a whole (or replaced), or with a key the linked object would not hold as
    // its own (an own "__proto__" sets its prototype): read the linked object, as a policy would.
    if (this.#linked || hasOwn.call(raw, "__proto__")) {
      const linked = this.propertyDependencies as Record<string, unknown> | null | undefined;
      if (linked === undefined || linked === null) return undefined;
      const byKey: unknown = linked[key];
      return Array.isArray(byKey) ? (byKey as PolicyResource[]) : NO_RESOURCES;
    }
    // A key the request does not list reads as the linked object's inherited member: not an array.
    if (!hasOwn.call(raw, key)) return NO_RESOURCES;
    const inputs = (this.#linkedInputs ??= new Map<string, PolicyResource[]>());
    let linked = inputs.get(key);
    if (!linked) inputs.set(key, (linked = this.#link(raw[key])));
    return linked;
  }

  set propertyDependencies(value: Record<string, PolicyResource[]>) {
    this.#linked = value;
  }
}

/** One stack policy on the whole stack, as `makeAnalyzeStackRpcFun` runs it. */
export async function runStackValidation(
  policy: StackValidationPolicy,
  resources: PolicyResource[],
  config: Record<string, unknown>,
  level: EnforcementLevel,
  stackTags: ReadonlyMap<string, string> = EMPTY_TAGS,
): Promise<RunResult> {
  const diagnostics: Diagnostic[] = [];
  const pulumiType = pulumiTypeOf(policy.validateStack);
  if (pulumiType && !resources.some((r) => r.type === pulumiType)) {
    return {
      outcome: "notApplicable",
      diagnostics,
      reason: `Policy only applies to resources of type '${pulumiType}'`,
    };
  }
  const args: StackValidationArgs = {
    resources,
    getConfig: <T extends object>() => config as T,
    stackTags,
    notApplicable: throwNotApplicable,
  };
  let err: unknown;
  try {
    await Promise.resolve(policy.validateStack(args, reporter(reportedLevel(level), diagnostics)));
  } catch (e) {
    err = e ?? new Error("policy threw a nullish value");
  }
  return settle(diagnostics, err, policy.name, "(stack)");
}
