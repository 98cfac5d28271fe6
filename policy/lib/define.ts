/**
 * Builders for the pack's policies. They give every policy the same shape: metadata for the
 * catalog (controls, severity, remediation), a `configSchema` generated from the policy's own
 * defaults (so schema and behaviour cannot drift), default enforcement `mandatory`, type
 * matching by canonical token, alias or API-versioned token, and `notApplicable` for every
 * other type. The config a policy sees is `cfg.x ?? default` for each parameter: the engine,
 * not the SDK, merges schema defaults, and tests or other engines may not.
 */
import type {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { canonicalType, typeTokens, type AzureType } from "./azureTypes";
import { frameworkMetadata } from "./frameworks";
import type { ControlId, PlatformResourcePolicy, PlatformStackPolicy, Severity } from "./types";
import { isRecord, normalizeId, NOT_KNOWN, peek, type Props } from "./props";
import { PROPERTY_DEPENDENCIES_OF } from "../common/pulumiFormat";

/** Values a policy parameter may take. */
export type ConfigValue = string | number | boolean | readonly string[] | ConfigRecord;
/** A table parameter (e.g. custom roles by GUID); the policy validates each entry's shape. */
export type ConfigRecord = { readonly [key: string]: unknown };
export type ConfigShape = Record<string, ConfigValue>;

/** One declared parameter: its description, optional extra JSON schema, and its default. */
export interface ConfigParam<T extends ConfigValue> {
  description: string;
  default: T;
  /** Extra JSON schema (enum, minimum, ...); `type` and `default` are derived. */
  schema?: Omit<PolicyConfigJSONSchema, "default" | "type" | "description">;
}
export type ConfigSpec<C extends ConfigShape> = { [K in keyof C]: ConfigParam<C[K]> };

interface CommonSpec<N extends string, C extends ConfigShape> {
  name: N;
  description: string;
  controls: ControlId[];
  severity: Severity;
  remediation: string;
  config: ConfigSpec<C>;
}

/** The resource as a resource policy's check sees it. */
export interface CheckedResource {
  /** The type token as registered (may be an alias or a versioned token). */
  type: string;
  /** The canonical azure-native token, when the pack knows the type. */
  canonical: AzureType | undefined;
  props: Props;
  name: string;
  urn: string;
  opts: PolicyResourceOptions | undefined;
  /** Provider properties (e.g. the provider's default `location`), when the engine passes them. */
  providerProps: Props | undefined;
  /**
   * The type token of the resource's provider (`pulumi:providers:<package>`), when the engine
   * passes one: every custom resource has a provider, a local component none.
   */
  provider: string | undefined;
  /** Skip this resource (throws the SDK's not-applicable signal). */
  notApplicable(reason?: string): never;
}

export interface ResourcePolicySpec<N extends string, C extends ConfigShape> extends CommonSpec<N, C> {
  /** Canonical types the policy inspects (aliases and versioned tokens match too), or "all". */
  types: readonly AzureType[] | "all";
  /**
   * With `types: "all"`: the type tokens the policy can judge at all, decided from the token
   * alone (e.g. Azure resources only), and its not-applicable reason for every other token,
   * given before `check` runs whatever the props. Declared rather than left to `check` so the
   * analyzer can skip those resources without running the policy (`appliesToType`).
   */
  appliesTo?: { type: (token: string) => boolean; otherwise: string };
  check(resource: CheckedResource, config: Readonly<C>, report: (message: string) => void): void;
}

/** A resource of the stack as a stack policy sees it (outputs, parent, dependencies). */
export interface StackResource {
  type: string;
  canonical: AzureType | undefined;
  props: Props;
  urn: string;
  name: string;
  protect: boolean;
  parent: PolicyResource | undefined;
  dependencies: readonly PolicyResource[];
}

/**
 * A `StackResource` of a view. `parent` and `dependencies` are read from the engine's resource
 * when a policy first asks (the same values: the engine's resources do not change while stack
 * policies run), so a view of a big stack does not make the analyzer link every resource's
 * dependencies (lib/analyzer/server.ts links them on first read) when policies read few.
 */
class ViewResource implements StackResource {
  readonly type: string;
  readonly canonical: AzureType | undefined;
  readonly props: Props;
  readonly urn: string;
  readonly name: string;
  readonly protect: boolean;
  readonly #source: PolicyResource;
  #dependencies: readonly PolicyResource[] | undefined;
  /** `idOf` and `normalizedIdOf` (relations.ts), once read (`null`: not yet). */
  #id: string | undefined | null = null;
  #normalizedId: string | undefined | null = null;

  constructor(r: PolicyResource) {
    this.type = r.type;
    this.canonical = canonicalType(r.type);
    this.props = isRecord(r.props) ? r.props : {};
    this.urn = r.urn;
    this.name = r.name;
    this.protect = r.opts?.protect === true;
    this.#source = r;
  }

  get parent(): PolicyResource | undefined {
    return this.#source.parent;
  }

  get dependencies(): readonly PolicyResource[] {
    if (this.#dependencies === undefined) {
      const dependencies = this.#source.dependencies;
      this.#dependencies = Array.isArray(dependencies) ? dependencies : [];
    }
    return this.#dependencies;
  }

  /**
   * The resource's ARM ID (`props.id` when a string), read once: stack policies ask for the IDs
   * of the same resources many times (every reference compared, every index built). Safe to
   * keep: `peek` never throws, and the props do not change while stack policies run.
   */
  static idOf(this: void, r: StackResource): string | undefined {
    if (!(r instanceof ViewResource)) return idIn(r.props);
    if (r.#id === null) r.#id = idIn(r.props);
    return r.#id;
  }

  /**
   * What property `key` of `r` was computed from: the engine's propertyDependencies for it, none
   * when the engine does not list it. Every dependency of `r` only when the resource carries no
   * propertyDependencies at all (a harness that does not give the field; nothing finer is known).
   */
  static dependenciesOf(this: void, r: StackResource, key: string): readonly PolicyResource[] {
    if (!(r instanceof ViewResource)) return r.dependencies;
    const source = r.#source as PolicyResource & {
      [PROPERTY_DEPENDENCIES_OF]?: (key: string) => readonly PolicyResource[] | undefined;
    };
    // The analyzer's resources link this input's URNs only (the same answer as below).
    const ofInput = source[PROPERTY_DEPENDENCIES_OF];
    if (typeof ofInput === "function") return ofInput.call(source, key) ?? r.dependencies;
    const byProperty = source.propertyDependencies as Record<string, unknown> | undefined;
    // The engine lists only the inputs that depend on something (pulumi/pulumi
    // pkg/resource/plugin/analyzer_plugin.go AnalyzeStack skips empty lists). Every SDK that sends
    // per-input dependencies sends one entry per input, empty or not (sdk/nodejs/runtime/rpc.ts
    // serializeFilteredProperties), and for an SDK that sends none the engine backfills every input
    // with all of the resource's dependencies (pkg/resource/deploy/source_eval.go RegisterResource,
    // `len(req.GetPropertyDependencies()) == 0`). So an input not listed depends on nothing, even
    // when nothing is listed: an empty map with dependencies means inputs computed from nothing in
    // the stack next to a `dependsOn`, which must not vouch for a value not known yet.
    if (byProperty === undefined || byProperty === null) return r.dependencies;
    const byKey = byProperty[key];
    return Array.isArray(byKey) ? (byKey as PolicyResource[]) : [];
  }

  /** `normalizeId(idOf(r))`, lowercased once. */
  static normalizedIdOf(this: void, r: StackResource): string | undefined {
    if (!(r instanceof ViewResource)) return normalizeId(idIn(r.props));
    if (r.#normalizedId === null) r.#normalizedId = normalizeId(ViewResource.idOf(r));
    return r.#normalizedId;
  }
}

function idIn(props: Props): string | undefined {
  const id = peek(props, "id");
  return typeof id === "string" ? id : undefined;
}

/** The resource's ARM ID, or undefined when it is absent or not known yet (preview). */
export const resourceIdOf: (r: StackResource) => string | undefined = ViewResource.idOf;
/** `normalizeId(resourceIdOf(r))`. */
export const normalizedResourceIdOf: (r: StackResource) => string | undefined = ViewResource.normalizedIdOf;
/** What property `key` of the resource depends on (`ViewResource.dependenciesOf`). */
export const propertyDependenciesOf: (r: StackResource, key: string) => readonly PolicyResource[] =
  ViewResource.dependenciesOf;

/** The stack's resources with lookups by canonical type. */
export class StackView {
  readonly resources: readonly StackResource[];
  private readonly byType = new Map<string, StackResource[]>();

  constructor(resources: readonly PolicyResource[]) {
    this.resources = resources.map((r) => new ViewResource(r));
    // Indexed loops over every resource here and in the stack policies' scans: a `for...of`
    // allocates an iterator result per step until the loop is optimized, ~10k per scan.
    for (let i = 0; i < this.resources.length; i++) {
      const r = this.resources[i];
      if (r.canonical === undefined) continue;
      const list = this.byType.get(r.canonical) ?? [];
      list.push(r);
      this.byType.set(r.canonical, list);
    }
  }

  /** Resources of the given canonical types (aliases and versioned tokens included). */
  ofType(...types: AzureType[]): StackResource[] {
    return types.flatMap((t) => this.byType.get(t) ?? []);
  }

  private urns: Map<string, StackResource> | undefined;
  /** The resource with this URN. */
  byUrn(urn: string): StackResource | undefined {
    this.urns ??= new Map(this.resources.map((r) => [r.urn, r]));
    return this.urns.get(urn);
  }

  private readonly memos = new Map<symbol, unknown>();
  /** A value derived from the whole stack, built once and shared by every stack policy (indexes). */
  memo<T>(key: symbol, build: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, build());
    return this.memos.get(key) as T;
  }
}

/**
 * One view per resource list: the engine passes the same list to every stack policy of a run,
 * so the view and the indexes memoized on it are built once, not once per policy.
 */
const views = new WeakMap<readonly PolicyResource[], StackView>();
function viewOf(resources: readonly PolicyResource[]): StackView {
  let view = views.get(resources);
  if (!view) {
    view = new StackView(resources);
    views.set(resources, view);
  }
  return view;
}

export interface StackPolicySpec<N extends string, C extends ConfigShape> extends CommonSpec<N, C> {
  /** Types whose resources the policy judges (documentation and `resourceTypes`). */
  types: readonly AzureType[];
  check(stack: StackView, config: Readonly<C>, report: (message: string, urn?: string) => void): void;
}

/** What every policy of the pack offers on top of the SDK shape: its typed defaults and re-configuration. */
export interface Configurable<N extends string, C extends ConfigShape, P> {
  readonly name: N;
  /** The parameter defaults this policy applies (same values as its `configSchema`). */
  readonly defaults: Readonly<C>;
  /** `raw.x ?? default` for every parameter; `enforcementLevel` and unknown keys are ignored. */
  resolveConfig(raw: unknown): C;
  /**
   * The same policy with another enforcement level and other parameter defaults (used by the
   * composition API, `guard.ts`). Pack config given at run time still overrides them.
   */
  configure(enforcementLevel?: EnforcementLevel, settings?: Partial<C>): P;
}

export type DefinedResourcePolicy<N extends string, C extends ConfigShape> = PlatformResourcePolicy &
  Configurable<N, C, DefinedResourcePolicy<N, C>>;
export type DefinedStackPolicy<N extends string, C extends ConfigShape> = PlatformStackPolicy &
  Configurable<N, C, DefinedStackPolicy<N, C>>;
export type DefinedPolicy =
  DefinedResourcePolicy<string, ConfigShape> | DefinedStackPolicy<string, ConfigShape>;

function jsonType(value: ConfigValue): PolicyConfigJSONSchema {
  if (Array.isArray(value)) return { type: "array", items: { type: "string" } };
  if (typeof value === "object") return { type: "object" };
  if (typeof value === "number") return { type: Number.isInteger(value) ? "integer" : "number" };
  return { type: typeof value as "string" | "boolean" };
}

function configSchemaOf<C extends ConfigShape>(spec: ConfigSpec<C>, defaults: C): PolicyConfigSchema {
  const properties: Record<string, PolicyConfigJSONSchema> = {};
  for (const key of Object.keys(spec)) {
    const param = spec[key];
    const value = defaults[key];
    properties[key] = {
      ...jsonType(value),
      ...param.schema,
      description: param.description,
      default: Array.isArray(value) ? [...(value as string[])] : value,
    };
  }
  return { properties };
}

function defaultsOf<C extends ConfigShape>(spec: ConfigSpec<C>): C {
  const out: Record<string, ConfigValue> = {};
  for (const key of Object.keys(spec)) out[key] = spec[key].default;
  return out as C;
}

function resolver<C extends ConfigShape>(defaults: C): (raw: unknown) => C {
  const keys = Object.keys(defaults);
  // The engine passes a policy the same config object on every resource: the last resolution is
  // reused while every parameter of that object is still the same value.
  let last: { raw: Record<string, unknown>; values: unknown[]; resolved: C } | undefined;
  const resolve = (raw: unknown): C => {
    if (!isRecord(raw)) return resolveFresh(raw);
    if (last?.raw === raw && sameValues(raw, last.values)) return last.resolved;
    const resolved = resolveFresh(raw);
    last = { raw, values: keys.map((key) => raw[key]), resolved };
    return resolved;
  };
  const sameValues = (raw: Record<string, unknown>, values: readonly unknown[]): boolean => {
    for (let i = 0; i < keys.length; i++) if (raw[keys[i]] !== values[i]) return false;
    return true;
  };
  const resolveFresh = (raw: unknown): C => {
    const out: Record<string, ConfigValue> = { ...defaults };
    if (isRecord(raw)) {
      for (const key of Object.keys(defaults)) {
        const v = raw[key];
        // A value of the wrong kind (e.g. a string where a list is expected) falls back to the
        // default rather than crashing or silently weakening the check.
        const d = defaults[key];
        if (v !== undefined && v !== null && Array.isArray(v) === Array.isArray(d) && typeof v === typeof d) {
          out[key] = v as ConfigValue;
        }
      }
    }
    return out as C;
  };
  return resolve;
}

function withDefaults<C extends ConfigShape>(
  spec: ConfigSpec<C>,
  settings: Partial<C> | undefined,
): ConfigSpec<C> {
  if (!settings) return spec;
  const next = { ...spec };
  for (const key of Object.keys(settings) as (keyof C)[]) {
    const v = settings[key];
    if (v !== undefined && key in spec) next[key] = { ...spec[key], default: v };
  }
  return next;
}

/** What every policy of the pack declares, resource or stack policy alike. */
function metadata<N extends string, C extends ConfigShape>(
  spec: CommonSpec<N, C>,
  enforcementLevel: EnforcementLevel,
) {
  // Pulumi's policy metadata (`framework`, `url`, `tags`) derives from the framework mapping.
  const { framework, url, tags } = frameworkMetadata(spec.controls);
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel,
    severity: spec.severity,
    controls: spec.controls,
    remediation: spec.remediation,
    remediationSteps: spec.remediation,
    framework,
    url,
    tags: [...spec.controls, ...tags],
  };
}

/**
 * What the resource policies last saw of each resource's inputs (by URN), for the stack policies.
 * Resource policies see inputs (the engine's Analyze), stack policies only outputs and
 * propertyDependencies (AnalyzeStack), both in the one pack process of a deployment, Analyze first
 * (pulumi/pulumi pkg/resource/deploy/step_generator.go: `analyzeAll` on each registration, the
 * provider-checked inputs with their unknowns, pkg/resource/plugin/analyzer_plugin.go `Analyze`
 * `KeepUnknowns: true`; `AnalyzeResources` once every step ran). A resource whose inputs hold no
 * value not known yet keeps no record (the common case: nothing but the walk that finds none).
 */
interface AnalyzedInputs {
  /** The top-level inputs that were, or held, a value not known yet. */
  readonly unknown: readonly string[];
  /** Every input's shape (`shapeOf`): which paths the program sent, and which were not known yet. */
  readonly shape: ShapeObject;
}
/**
 * An input's shape: `NOT_KNOWN` where the value was not known yet, `true` for a known scalar, a
 * list or (null-prototype) object of shapes; an absent or null field has none. No string is kept.
 */
type Shape = typeof NOT_KNOWN | true | readonly (Shape | undefined)[] | ShapeObject;
type ShapeObject = { readonly [key: string]: Shape | undefined };

const analyzed = new Map<string, AnalyzedInputs>();
/**
 * Each resource's `resourceGroupName` input as the resource policies saw it (a string, or
 * `NOT_KNOWN`), for a stack policy reading a new resource's group in a preview, where its outputs
 * carry no path parameter (`resourceGroupWhenAnalyzed`). Equal names are one string (`groupNames`):
 * a stack has few groups and many resources.
 */
const resourceGroups = new Map<string, string | typeof NOT_KNOWN>();
const groupNames = new Map<string, string>();
/**
 * The resource last remembered: every resource policy meets one resource's props in turn, so one
 * look at them is enough (and no props are kept alive: the 50k analyzer's memory target).
 */
let lastUrn: string | undefined;

/**
 * What the offline analyzer adds to a resource policy's arguments when it knows the props hold
 * no value not known yet (lib/analyzer/server.ts `validationArgs`): no walk through them. The
 * engine's SDK never sets it, and its props are walked.
 */
export interface KnownPropsHint {
  propsKnown?: boolean;
}

/**
 * The top-level inputs of `urn` not known yet when the resource policies last saw it (undefined:
 * none, or not seen).
 */
export function inputsNotKnownWhenAnalyzed(urn: string): readonly string[] | undefined {
  return analyzed.get(urn)?.unknown;
}

/**
 * The resources the resource policies last saw with every input known: no record in `analyzed`,
 * only the URN (the 50k analyzer's memory target).
 */
const seenKnown = new Set<string>();

/**
 * Whether the resource policies saw every input of `urn` known (false: one was not, or `urn` was
 * not seen). Then nothing not known yet in its outputs came from the program: a preview answers
 * an input it was sent, and its value is known (azure-native's `PreviewOutputs` copies it), so a
 * value not known yet there is a field the program left unset (an updated VNet's inline subnet
 * without a `routeTable`, its NSG ID from an existing NSG) or one Azure computes.
 */
export function inputsAllKnownWhenAnalyzed(urn: string): boolean {
  return seenKnown.has(urn);
}

/**
 * What the inputs the resource policies last saw of `urn` held at `path` (an input, then the keys
 * and list indexes below it), for a resource whose inputs held a value not known yet:
 *
 * - `"absent"`: the input at `path[0]` was sent, and the path ends at a field or element it does
 *   not have (or null); azure-native's preview answers such a field as unknown
 *   (pulumi/pulumi-azure-native provider/pkg/convert/previewOutputs.go: `PreviewOutputs` over a
 *   nested object input's type, `MakeComputed` for a property the input lacks);
 * - `"unknown"`: the value there, or an object or list holding it, was not known yet;
 * - `"set"`: a known value there, or a known scalar where the path reads inside one.
 *
 * Undefined when `urn` keeps no record (its inputs held nothing not known yet, or it was not seen)
 * or `path[0]` was not among its inputs: what was sent there cannot be told.
 */
export function inputWhenAnalyzed(
  urn: string,
  path: readonly (string | number)[],
): "absent" | "unknown" | "set" | undefined {
  const record = analyzed.get(urn);
  if (record === undefined || path.length === 0 || typeof path[0] !== "string") return undefined;
  let at: Shape | undefined = record.shape[path[0]];
  if (at === undefined) return undefined;
  for (let i = 1; i < path.length; i++) {
    if (at === NOT_KNOWN) return "unknown";
    if (at === undefined) return "absent";
    if (at === true) return "set";
    const key = path[i];
    const list = Array.isArray(at);
    // A list read by key or an object by index: not what the inputs held (deny by default).
    if (list !== (typeof key === "number")) return "set";
    at = list ? (at as readonly (Shape | undefined)[])[key as number] : (at as ShapeObject)[key];
  }
  return at === undefined ? "absent" : at === NOT_KNOWN ? "unknown" : "set";
}

/**
 * The `resourceGroupName` input of `urn` as the resource policies last saw it: a string, `NOT_KNOWN`,
 * or undefined (none, or not seen).
 */
export function resourceGroupWhenAnalyzed(urn: string): string | typeof NOT_KNOWN | undefined {
  return resourceGroups.get(urn);
}

/** Forgets what the resource policies saw: a new evaluation of another export begins (lib/analyzer). */
export function forgetAnalyzedInputs(): void {
  analyzed.clear();
  seenKnown.clear();
  resourceGroups.clear();
  groupNames.clear();
  lastUrn = undefined;
  knownInputs.clear();
}

/**
 * What a stack policy may ask of a resource's inputs as the resource policies saw them: the
 * string inputs it registered for the resource's type (`rememberKnownInputs`), and the URN of the
 * resource's provider (one provider, one subscription), when the engine gave one (it gives every
 * custom resource's to Analyze: pulumi/pulumi pkg/resource/deploy/step_generator.go,
 * `AnalyzerProviderResource`).
 */
export interface KnownInputs {
  provider: string | undefined;
  inputs: Readonly<Record<string, string>>;
}
/** Input keys to keep, by canonical type: only those, only strings (the 50k memory target). */
const knownInputKeys = new Map<AzureType, readonly string[]>();
const knownInputs = new Map<string, KnownInputs>();

/**
 * Keep, for resources of `types`, the string values of the top-level inputs `keys` when the
 * resource policies see them (Analyze, before AnalyzeStack in the same pack process). For what a
 * stack policy cannot read otherwise: an ARM path parameter (`workspaceName`,
 * `resourceGroupName`) is no output, so a resource being created in a preview shows it nowhere
 * (azure-native's `Create` in preview answers `PreviewOutputs` over the response's properties:
 * pulumi/pulumi-azure-native provider/pkg/provider/provider.go), and a literal one has no
 * propertyDependencies either. A value not known when analyzed is not kept.
 */
export function rememberKnownInputs(types: readonly AzureType[], keys: readonly string[]): void {
  for (const type of types)
    knownInputKeys.set(type, [...new Set([...(knownInputKeys.get(type) ?? []), ...keys])]);
}

/** What `rememberKnownInputs` kept of `urn` in this evaluation (undefined: not seen by any resource policy). */
export function knownInputsWhenAnalyzed(urn: string): KnownInputs | undefined {
  return knownInputs.get(urn);
}

function rememberKnownInputsOf(
  urn: string,
  canonical: AzureType | undefined,
  props: Props,
  provider: unknown,
): void {
  const keys = canonical === undefined ? undefined : knownInputKeys.get(canonical);
  if (keys === undefined) return;
  const inputs: Record<string, string> = {};
  for (const key of keys) {
    const value = peek(props, key);
    if (typeof value === "string") inputs[key] = value;
  }
  knownInputs.set(urn, { provider: typeof provider === "string" ? provider : undefined, inputs });
}

/** Whether a value is, or holds anywhere inside it, a value not known yet. */
function holdsNotKnown(value: unknown): boolean {
  if (value === NOT_KNOWN) return true;
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (holdsNotKnown(peek(value, i))) return true;
    return false;
  }
  for (const key of Object.keys(value)) if (holdsNotKnown(peek(value, key))) return true;
  return false;
}

/** `value`'s shape (`Shape`), undefined where it is absent or null. */
function shapeOf(value: unknown): Shape | undefined {
  if (value === NOT_KNOWN) return NOT_KNOWN;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object") return true;
  if (Array.isArray(value)) {
    const items = new Array<Shape | undefined>(value.length);
    for (let i = 0; i < value.length; i++) items[i] = shapeOf(peek(value, i));
    return items;
  }
  return shapeOfObject(value as Props);
}

function shapeOfObject(value: Props): ShapeObject {
  // No prototype: a field named like an Object.prototype member is only what the inputs held.
  const fields = Object.create(null) as Record<string, Shape | undefined>;
  for (const key of Object.keys(value)) {
    const field = shapeOf(peek(value, key));
    if (field !== undefined) fields[key] = field;
  }
  return fields;
}

function rememberInputs(
  urn: unknown,
  canonical: AzureType | undefined,
  props: Props,
  provider: unknown,
  known: boolean,
): void {
  if (urn === lastUrn || typeof urn !== "string") return;
  lastUrn = urn;
  rememberKnownInputsOf(urn, canonical, props, provider);
  const group = peek(props, "resourceGroupName");
  if (typeof group === "string") {
    let name = groupNames.get(group);
    if (name === undefined) groupNames.set(group, (name = group));
    resourceGroups.set(urn, name);
  } else if (group === NOT_KNOWN) resourceGroups.set(urn, NOT_KNOWN);
  else resourceGroups.delete(urn);
  const keys = known ? [] : Object.keys(props).filter((k) => holdsNotKnown(peek(props, k)));
  if (keys.length > 0) {
    analyzed.set(urn, { unknown: keys, shape: shapeOfObject(props) });
    seenKnown.delete(urn);
  } else {
    analyzed.delete(urn);
    seenKnown.add(urn);
  }
}

/** Define a resource policy of the pack. */
export function resourcePolicy<const N extends string, C extends ConfigShape>(
  spec: ResourcePolicySpec<N, C>,
  enforcementLevel: EnforcementLevel = "mandatory",
): DefinedResourcePolicy<N, C> {
  const defaults = defaultsOf(spec.config);
  const resolveConfig = resolver(defaults);
  const types = spec.types;
  const typeSet: ReadonlySet<string> | undefined = types === "all" ? undefined : new Set(types);
  const notOneOf = types === "all" ? "" : `not one of ${types.join(", ")}`;
  const appliesTo = types === "all" ? spec.appliesTo : undefined;
  // What the type token alone decides, for the last token seen (a policy meets the resources of
  // one type one after the other): its canonical type and whether the policy applies to it.
  let lastType: unknown;
  let lastCanonical: AzureType | undefined;
  let lastReason: string | undefined;
  const validate = (args: ResourceValidationArgs, reportViolation: ReportViolation): void => {
    const type = args.type;
    if (type !== lastType || typeof type !== "string") {
      // (All three set together, after every call that could throw.)
      const canonical = canonicalType(type);
      let reason: string | undefined;
      if (typeSet && (canonical === undefined || !typeSet.has(canonical))) reason = notOneOf;
      else if (appliesTo && !appliesTo.type(type)) reason = appliesTo.otherwise;
      lastCanonical = canonical;
      lastReason = reason;
      lastType = type;
    }
    const canonical = lastCanonical;
    const props = (isRecord(args.props) ? args.props : {}) as Props;
    rememberInputs(
      args.urn,
      canonical,
      props,
      args.provider?.urn,
      (args as KnownPropsHint).propsKnown === true,
    );
    if (lastReason !== undefined) args.notApplicable(lastReason);
    const providerProps = isRecord(args.provider?.props) ? (args.provider.props as Props) : undefined;
    const resource: CheckedResource = {
      type: args.type,
      canonical,
      props,
      name: args.name,
      urn: args.urn,
      opts: args.opts,
      providerProps,
      provider: typeof args.provider?.type === "string" ? args.provider.type : undefined,
      notApplicable: (reason) => args.notApplicable(reason),
    };
    spec.check(resource, resolveConfig(args.getConfig<object>()), (message) => reportViolation(message));
  };
  return {
    ...metadata(spec, enforcementLevel),
    resourceTypes: types === "all" ? ["*"] : typeTokens(...types),
    ...(appliesTo ? { appliesToType: appliesTo.type } : {}),
    configSchema: configSchemaOf(spec.config, defaults),
    validateResource: validate,
    defaults,
    resolveConfig,
    configure: (level, settings) =>
      resourcePolicy({ ...spec, config: withDefaults(spec.config, settings) }, level ?? enforcementLevel),
  };
}

/** Define a stack policy of the pack. */
export function stackPolicy<const N extends string, C extends ConfigShape>(
  spec: StackPolicySpec<N, C>,
  enforcementLevel: EnforcementLevel = "mandatory",
): DefinedStackPolicy<N, C> {
  const defaults = defaultsOf(spec.config);
  const resolveConfig = resolver(defaults);
  const validateStack = (args: StackValidationArgs, reportViolation: ReportViolation): void => {
    const resources = Array.isArray(args.resources) ? args.resources : [];
    spec.check(viewOf(resources), resolveConfig(args.getConfig<object>()), (message, urn) =>
      reportViolation(message, urn),
    );
  };
  return {
    ...metadata(spec, enforcementLevel),
    resourceTypes: typeTokens(...spec.types),
    configSchema: configSchemaOf(spec.config, defaults),
    validateStack,
    defaults,
    resolveConfig,
    configure: (level, settings) =>
      stackPolicy({ ...spec, config: withDefaults(spec.config, settings) }, level ?? enforcementLevel),
  };
}

/** Shared parameter: whether customer-managed keys are required (ENC-2). */
export const requireCmkParam: ConfigParam<boolean> = {
  description:
    "Require customer-managed keys in Key Vault (ENC-2). On in production; dev runs platform keys.",
  default: true,
};
/** Shared parameter: whether zone redundancy is required (AVL-1). */
export const requireZoneParam: ConfigParam<boolean> = {
  description: "Require zone redundancy (AVL-1). On in production.",
  default: true,
};
