/**
 * How stack policies relate resources: by ARM ID when it is known, falling back to the
 * dependency graph where it is not (during preview a new resource's ID is unknown).
 */
import type { AzureType } from "./azureTypes";
import {
  normalizedResourceIdOf,
  propertyDependenciesOf,
  resourceIdOf,
  type ConfigParam,
  type StackResource,
  type StackView,
  inputsAllKnownWhenAnalyzed,
  inputsNotKnownWhenAnalyzed,
  inputWhenAnalyzed,
} from "./define";
import {
  arr,
  known,
  normalizeId,
  normalizeLocation,
  normalizeLocations,
  NOT_KNOWN,
  peek,
  show,
} from "./props";
import { EU_REGIONS } from "../../controls/regions";

/** A stack resource of one of these canonical types, or whose type token is in one of these modules. */
export const ofKind =
  (types: readonly AzureType[], modules: readonly string[] = []) =>
  (r: StackResource): boolean =>
    (r.canonical !== undefined && types.includes(r.canonical)) ||
    modules.some((m) => r.type.toLowerCase().includes(`:${m}:`));

/**
 * The resource's ARM ID, or undefined when it is absent or not known yet (preview). Read once
 * per view resource (`StackView`): stack policies compare the same IDs many times.
 */
export const idOf: (r: StackResource) => string | undefined = resourceIdOf;

/** `normalizeId(idOf(r))`, lowercased once per view resource. */
export const normalizedIdOf: (r: StackResource) => string | undefined = normalizedResourceIdOf;

/** Whether `from` depends on `to` (directly, or through a property dependency). */
export function dependsOn(from: StackResource, to: StackResource): boolean {
  return from.dependencies.some((d) => d.urn === to.urn);
}

/**
 * Whether the input(s) `key` of `from` were computed from `to` (the engine's propertyDependencies
 * of those inputs); every dependency of `from` when `key` is undefined. A value not known yet is
 * vouched for only by what it was computed from: a `dependsOn` (or another input) naming `to`
 * next to a value computed elsewhere says nothing about where the value points at `up`, and stack
 * policies run at `up` only after every step has run (pulumi/pulumi
 * pkg/resource/deploy/deployment_executor.go).
 */
export function computedFrom(
  from: StackResource,
  to: StackResource,
  key: string | readonly string[] | undefined,
): boolean {
  if (key === undefined) return dependsOn(from, to);
  const keys = typeof key === "string" ? [key] : key;
  return keys.some((k) => propertyDependenciesOf(from, k).some((d) => d.urn === to.urn));
}

/**
 * `from.<value>` refers to `to`: same ARM ID, or (ID unknown on either side, e.g. `NOT_KNOWN`
 * from `peek` in a preview) a dependency (of the input `key` holding the value, when given).
 */
export function refersTo(from: StackResource, value: unknown, to: StackResource, key?: string): boolean {
  return referenceFrom(from, value, key)(to);
}

/** `(to) => refersTo(from, value, to, key)`, with `value` normalized once for all the targets tried. */
export function referenceFrom(
  from: StackResource,
  value: unknown,
  key?: string | readonly string[],
): (to: StackResource) => boolean {
  const normalized = typeof value === "string" ? normalizeId(value) : undefined;
  return (to) =>
    // `sameId(value, idOf(to))` when both are strings, else a dependency.
    typeof value === "string" && idOf(to) !== undefined
      ? normalized !== undefined && normalized === normalizedIdOf(to)
      : computedFrom(from, to, key);
}

/** How a violation names a resource. */
export function label(r: StackResource): string {
  // The canonical token: a verdict must not depend on which token form registered the resource.
  return `${r.canonical ?? r.type} ${r.name}`;
}

/**
 * `refersTo` for many sources at once: which of `sources` refer to a target through any of the
 * values `valuesOf(source)` yields. Indexed by normalized ARM ID, so a stack policy relating
 * thousands of resources stays linear instead of comparing every pair.
 */
export class ReferenceIndex {
  private readonly byId = new Map<string, StackResource[]>();
  /** Sources with at least one value that is not a string (matched through dependencies). */
  private readonly withoutIds: StackResource[] = [];
  /** Sources with at least one value at all. */
  private readonly referring: StackResource[] = [];
  /** Whether a source's value not known yet may stand for the target (see the constructor's `key`). */
  private readonly through: (source: StackResource, target: StackResource) => boolean;

  /**
   * `key`: the input(s) holding the values. When given, a value matched through dependencies (not
   * known yet, in a preview) counts only through those inputs' own propertyDependencies, never
   * through a dependency of the resource elsewhere (a `dependsOn` next to a foreign ID computed
   * in an apply).
   */
  constructor(
    sources: readonly StackResource[],
    valuesOf: (source: StackResource) => unknown[],
    key?: string | readonly string[],
  ) {
    this.through = (s: StackResource, t: StackResource) => computedFrom(s, t, key);
    for (let s = 0; s < sources.length; s++) {
      const source = sources[s];
      // A reference that cannot be read yet (preview) is matched through dependencies.
      const read = known(() => valuesOf(source));
      const values = read === NOT_KNOWN ? [NOT_KNOWN] : read;
      if (values.length > 0) this.referring.push(source);
      if (values.some((v) => typeof v !== "string")) this.withoutIds.push(source);
      // Each distinct ID once, in order (most sources hold one value: no set per source).
      const ids: string[] = [];
      for (let i = 0; i < values.length; i++) {
        const id = normalizeId(values[i]);
        if (id === undefined || ids.includes(id)) continue;
        ids.push(id);
        const list = this.byId.get(id);
        if (list) list.push(source);
        else this.byId.set(id, [source]);
      }
    }
  }

  /** The sources that refer to `target` (same result as `refersTo` on each of their values). */
  referrers(target: StackResource): StackResource[] {
    const through = this.through;
    if (idOf(target) === undefined) return this.referring.filter((s) => through(s, target));
    const byId = this.byId.get(normalizedIdOf(target) ?? "") ?? [];
    const byDependency = this.withoutIds.filter((s) => !byId.includes(s) && through(s, target));
    return byDependency.length === 0 ? byId : [...byId, ...byDependency];
  }
}

/**
 * `referenceFrom` from the other side: which of `targets` a source's value refers to, found by
 * normalized ARM ID instead of trying every target (a stack policy asking for each of a big
 * stack's sources which of its many targets it reaches stays linear). The same targets as
 * `targets.filter(referenceFrom(from, value, key))`, in the same order within each kind: those
 * with that ID, then those matched through dependencies.
 */
export class TargetIndex {
  private readonly byId = new Map<string, StackResource[]>();
  /** Targets without an ID (not known yet, in a preview): matched through dependencies only. */
  private readonly withoutIds: StackResource[] = [];
  private readonly targets: readonly StackResource[];

  constructor(targets: readonly StackResource[]) {
    this.targets = targets;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i];
      if (idOf(t) === undefined) {
        this.withoutIds.push(t);
        continue;
      }
      // (An empty ID normalizes to nothing and equals no value: `referenceFrom`.)
      const id = normalizedIdOf(t);
      if (id === undefined) continue;
      const list = this.byId.get(id);
      if (list) list.push(t);
      else this.byId.set(id, [t]);
    }
  }

  /** The targets `referenceFrom(from, value, key)` accepts. */
  referencedBy(from: StackResource, value: unknown, key?: string | readonly string[]): StackResource[] {
    const through = (t: StackResource) => computedFrom(from, t, key);
    // Not a string (e.g. `NOT_KNOWN`): every target is matched through dependencies.
    if (typeof value !== "string") return this.targets.filter(through);
    const id = normalizeId(value);
    const byId = id === undefined ? [] : (this.byId.get(id) ?? []);
    const byDependency = this.withoutIds.filter(through);
    return byDependency.length === 0 ? byId : [...byId, ...byDependency];
  }
}

/** `/subscriptions/<id>/...` -> `<id>` (lowercase), or undefined. */
export function subscriptionOf(id: unknown): string | undefined {
  return typeof id === "string" ? id.match(/^\s*\/subscriptions\/([^/]+)/i)?.[1]?.toLowerCase() : undefined;
}

/**
 * The ARM resource that contains `id` (normalized), or undefined when `id` is a top-level
 * resource (its parent is a resource group or subscription, not a resource):
 * `.../vaults/kv/keys/k` -> `.../vaults/kv`; `.../vaults/kv/providers/Microsoft.Insights/diagnosticSettings/d`
 * (an extension resource) -> `.../vaults/kv`; `.../resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv` -> undefined.
 */
export function armParent(id: string): string | undefined {
  const at = id.lastIndexOf("/providers/");
  if (at < 0) return undefined;
  const segments = id.slice(at + "/providers/".length).split("/");
  // namespace / type / name [/ type / name]...
  if (segments.length >= 5) return id.slice(0, id.length - segments.slice(-2).join("/").length - 1);
  const scope = id.slice(0, at);
  return scope.includes("/providers/") ? scope : undefined;
}

/** A diagnostic setting's ID after its target's: `{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}`. */
const DIAGNOSTIC_SETTING_SUFFIX = /\/providers\/microsoft\.insights\/diagnosticsettings\/[^/]+\/*$/i;

/**
 * The resource a diagnostic setting (`azure-native:monitor:DiagnosticSetting`) exports the logs of,
 * for stack policies: its `resourceUri` when present, else the parent of its ID. Stack policies see
 * a resource's outputs (pulumi/pulumi pkg/resource/deploy/step_generator.go AnalyzeResources:
 * `resource.FromResourcePropertyMap(v.Outputs)`), and azure-native's outputs leave out the ARM path
 * parameter `resourceUri` (@pulumi/azure-native monitor/diagnosticSetting.js: the outputs listed
 * when reading an existing resource), while its ID is the target's ID followed by
 * `/providers/Microsoft.Insights/diagnosticSettings/{name}`. `NOT_KNOWN` when neither says
 * (a create in preview with its target not known yet, or an ID of another shape): matched only
 * through what the resourceUri input was computed from (its propertyDependencies), as in a preview.
 */
export function diagnosticTargetOf(setting: StackResource): unknown {
  const uri = peek(setting.props, "resourceUri");
  if (uri !== undefined && uri !== null) return uri;
  const id = idOf(setting);
  if (id === undefined) return NOT_KNOWN;
  const suffix = id.match(DIAGNOSTIC_SETTING_SUFFIX);
  return suffix && suffix.index !== undefined && suffix.index > 0 ? id.slice(0, suffix.index) : NOT_KNOWN;
}

/**
 * An ARM path parameter (`key`: `resourceGroupName`, `scope`, `serverName`...) of `r` as a stack
 * policy can read it: the value where the props carry it (a preview's inputs, an export). A
 * resource being created in a preview has neither it nor an ID: azure-native's `Create` in preview
 * answers `PreviewOutputs` over the response's properties only (pulumi/pulumi-azure-native
 * provider/pkg/provider/provider.go), and the engine sends only non-empty propertyDependencies
 * (pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go AnalyzeStack). There it is `NOT_KNOWN`
 * when the input was computed from resources (judge it through them: `computedFrom`), else
 * undefined: a literal or no such input, which only resource policies (inputs) see before `up`.
 */
export function pathParameterOf(r: StackResource, key: string): unknown {
  const value = peek(r.props, key);
  if (value !== undefined || resourceIdOf(r) !== undefined) return value;
  return propertyDependenciesOf(r, key).length > 0 ? NOT_KNOWN : undefined;
}

/**
 * Whether a stack policy may leave `r`'s inputs `keys`, which its props do not show (a path
 * parameter such as a configuration's name, a key's `properties` that the response flattens), to
 * `up`: `r` is being created in a preview (no ID) and those inputs were computed from no resource
 * (no propertyDependencies: literals or config), so the resource policies judged their values on
 * the inputs before anything is created. A value computed from a resource may be unknown to the
 * resource policies too: not left to `up` (deny by default); so is one the resource policies saw
 * not known yet (`inputsNotKnownWhenAnalyzed`: an invoke whose arguments are not known yet).
 */
export function judgedOnInputsInPreview(r: StackResource, keys: readonly string[]): boolean {
  const unknownInputs = inputsNotKnownWhenAnalyzed(r.urn) ?? [];
  return (
    resourceIdOf(r) === undefined &&
    keys.every((k) => propertyDependenciesOf(r, k).length === 0 && !unknownInputs.includes(k))
  );
}

/**
 * Whether `value`, read from what a stack policy sees, is an output the program never set: not
 * known yet (`NOT_KNOWN`) while the top-level input holding it was computed from no resource
 * (`dependencies`: that input's propertyDependencies, never the resource's). One rule for every
 * stack policy (`peekSet`, `peekArrSet`, `destinationProblem`):
 *
 * - In a preview, azure-native answers a resource it creates with `PreviewOutputs`: every output
 *   property of the response, the program's input where it set one, and *unknown* for every one it
 *   did not set (a diagnostic setting's `storageAccountId` beside its `workspaceId`, a VNet's
 *   `virtualNetworkPeerings`, an object input's unset fields); pulumi/pulumi-azure-native
 *   provider/pkg/convert/previewOutputs.go `PreviewOutputs`, `previewOutputValue`.
 * - A value the program set is known when it is a literal (echoed by `previewOutputValue`), and
 *   otherwise was computed from resources, which the engine lists in the input's
 *   propertyDependencies (it drops only empty lists: pulumi/pulumi
 *   pkg/resource/plugin/analyzer_plugin.go AnalyzeStack); an invoke with known arguments runs in
 *   the preview and is known.
 *
 * So such a value reads as absent (unset); a value computed from a resource is still judged
 * through those resources, and a known one by what it is. Except where the program set an input
 * of `r` to a value not known yet with no resource behind it: the public SDK makes one two ways,
 * an invoke whose arguments are not known yet (@pulumi/pulumi runtime/invoke.js `invokeAsync`,
 * `createOutput`: an unknown with no dependencies) and `pulumi.unknown`. AnalyzeStack gives outputs
 * and propertyDependencies, not inputs, so the resource policies, which see the inputs first in
 * the same pack process, remember which were not known yet (define.ts
 * `inputsNotKnownWhenAnalyzed`); where one of those has no propertyDependencies, nothing of `r` not
 * known yet reads as unset (deny by default). Not for a path parameter the outputs do not show
 * (`pathParameterOf`, `diagnosticTargetOf`): a literal there is not echoed, so its absence says
 * nothing.
 *
 * Within an input (`path`: the input, then the keys and list indexes below it), a field the program
 * left unset is unknown too, and only the top-level input has propertyDependencies: the same
 * record says what the program sent there (`inputWhenAnalyzed`). A field absent from an object the
 * inputs held is unset, whatever the input was computed from (a VNet's inline subnet without a
 * `routeTable` beside an NSG ID from the stack); one present and not known yet, or inside an
 * object or list not known as a whole, is judged as before, through the input's resources.
 */
export function notSetByProgram(
  value: unknown,
  dependencies: Dependencies,
  r: StackResource,
  path?: readonly (string | number)[],
): boolean {
  if (value !== NOT_KNOWN) return false;
  // Every input known when the resource policies saw it: nothing not known yet came from them.
  if (inputsAllKnownWhenAnalyzed(r.urn)) return true;
  if (path !== undefined && path.length > 1) {
    const sent = inputWhenAnalyzed(r.urn, path);
    if (sent !== undefined) return sent === "absent";
  }
  if ((typeof dependencies === "function" ? dependencies() : dependencies).length !== 0) return false;
  // Not where the program set an input of `r` to a value not known yet that came from no resource
  // (`inputsNotKnownWhenAnalyzed`): an unset output cannot be told from it.
  const unknownInputs = inputsNotKnownWhenAnalyzed(r.urn);
  return unknownInputs === undefined || unknownInputs.every((k) => propertyDependenciesOf(r, k).length > 0);
}

/** `peek(r.props, input, ...path)`, or undefined where it is an output the program never set (`notSetByProgram`). */
export function peekSet(r: StackResource, input: string, ...path: (string | number)[]): unknown {
  const value = peek(r.props, input, ...path);
  if (value !== NOT_KNOWN) return value;
  return notSetByProgram(value, () => propertyDependenciesOf(r, input), r, [input, ...path])
    ? undefined
    : value;
}

/**
 * `peekArr(r.props, input, ...path)`: `[]` where the list is an output the program never set
 * (`notSetByProgram`), `[NOT_KNOWN]` where it is not known as a whole otherwise.
 */
export function peekArrSet(r: StackResource, input: string, ...path: (string | number)[]): unknown[] {
  const value = peekSet(r, input, ...path);
  return value === NOT_KNOWN ? [NOT_KNOWN] : arr(value);
}

/**
 * Which parent a child resource belongs to (a Sentinel rule's workspace, a Front Door rule's rule
 * set), as a stack policy can tell: the path parameter `key` that names the parent (lower-case)
 * where the props carry it (the inputs of a plan, and outputs that echo it: a deployed Front Door
 * rule's `ruleSetName`), and the parent's ID from the child's own ID (`armParent`; "" when the ID
 * has no parent, which matches none: fail closed). Stack policies see outputs (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go AnalyzeResources), and azure-native's carry no ARM path
 * parameter (@pulumi/azure-native: each resource's constructor lists its outputs when reading an
 * existing resource, without them), so at `up` the ID is what says.
 */
export interface ParentRef {
  name?: string;
  parentId?: string;
}
export function parentRefOf(child: StackResource, key: string): ParentRef {
  const name = peek(child.props, key);
  // A name not known yet (preview) is a new parent: the resource is replaced, and its ID is the
  // old one's.
  if (name === NOT_KNOWN) return {};
  const id = normalizedIdOf(child);
  return {
    ...(typeof name === "string" ? { name: name.toLowerCase() } : {}),
    ...(id !== undefined ? { parentId: armParent(id) ?? "" } : {}),
  };
}

/**
 * A parent's name (its `nameKey` input, else its `name` output; lower-case), its ID, and whether
 * another parent of the same list has that name, for `isParentOf`.
 */
export interface ParentKey {
  resource: StackResource;
  name: string | undefined;
  id: string | undefined;
  /** Another parent of the list has the same name: the name alone says nothing. */
  sharedName: boolean;
}
export function parentKeysOf(parents: readonly StackResource[], nameKey: string): ParentKey[] {
  const keys = parents.map((parent) => {
    const name = peek(parent.props, nameKey) ?? peek(parent.props, "name");
    return {
      resource: parent,
      name: typeof name === "string" ? name.toLowerCase() : undefined,
      id: normalizedIdOf(parent),
      sharedName: false,
    };
  });
  const seen = new Map<string, ParentKey>();
  for (const key of keys) {
    if (key.name === undefined) continue;
    const other = seen.get(key.name);
    if (other) other.sharedName = key.sharedName = true;
    else seen.set(key.name, key);
  }
  return keys;
}

/**
 * Whether `child` (its `parentRefOf(child, key)`) belongs to `parent`. An ID is the parent's whole
 * path (subscription, group, every ancestor) and a name only its last segment, so: by ID where
 * both are known; never where both names are known and differ; else through what the child's `key`
 * was computed from (`computedFrom`); else by name, only when no other parent of the stack has it.
 * Before, a name decided first: with two Front Door profiles each holding a `SecurityHeaders`
 * rule set, the HSTS rule of one counted for the other's routes, and a workspace's onboarding
 * counted for a same-named workspace in another group. A name alone still cannot tell a parent of the stack from a same-named one outside it;
 * the IDs say at `up`.
 */
export function isParentOf(parent: ParentKey, child: StackResource, ref: ParentRef, key: string): boolean {
  if (ref.parentId !== undefined && parent.id !== undefined) return ref.parentId === parent.id;
  const named = ref.name !== undefined && parent.name !== undefined;
  if (named && ref.name !== parent.name) return false;
  if (computedFrom(child, parent.resource, key)) return true;
  return named && !parent.sharedName;
}

const INDEX = Symbol("stack index");

/**
 * Where things are, for every stack policy that checks where a reference points: the stack's
 * resources by ARM ID (any type, known to the pack or not), the resource groups it creates and
 * the subscriptions it deploys into. Built once per evaluation (`stackIndex`).
 */
export class StackIndex {
  private readonly byId = new Map<string, StackResource>();
  /** Normalized IDs of the resource groups the stack creates. */
  readonly resourceGroups = new Set<string>();
  /** Subscriptions (lowercase IDs) of those resource groups, or of the stack's resources when it creates none. */
  readonly subscriptions = new Set<string>();

  constructor(stack: StackView) {
    for (let i = 0; i < stack.resources.length; i++) {
      const r = stack.resources[i];
      const id = normalizedIdOf(r);
      if (id !== undefined) this.byId.set(id, r);
    }
    for (const rg of stack.ofType("azure-native:resources:ResourceGroup")) {
      const id = normalizedIdOf(rg);
      if (id === undefined) continue;
      this.resourceGroups.add(id);
      const sub = subscriptionOf(id);
      if (sub) this.subscriptions.add(sub);
    }
    if (this.subscriptions.size === 0)
      for (const id of this.byId.keys()) {
        const sub = id.includes("/resourcegroups/") ? subscriptionOf(id) : undefined;
        if (sub) this.subscriptions.add(sub);
      }
  }

  /**
   * `owner` and `locationOf` by the ID asked about. Many references name the same few
   * destinations (every alert its action group, every diagnostic setting its workspace), and
   * several stack policies ask about each: the walk up the ID's ARM parents is done once per ID.
   * (The index and the resources' props do not change once built, so the answers cannot.)
   */
  private readonly owners = new Map<string, StackResource | null>();
  private readonly locations = new Map<string, string | null>();

  /** The stack's resource with this ARM ID, or the nearest resource of the stack that contains it. */
  owner(id: unknown): StackResource | undefined {
    if (typeof id !== "string") return undefined;
    let owner = this.owners.get(id);
    if (owner === undefined) {
      owner = null;
      for (let at = normalizeId(id); at !== undefined; at = armParent(at)) {
        const r = this.byId.get(at);
        if (r) {
          owner = r;
          break;
        }
      }
      this.owners.set(id, owner);
    }
    return owner ?? undefined;
  }

  /** The region of the resource at `id` (or of the nearest resource of the stack containing it), if known. */
  locationOf(id: unknown): string | undefined {
    if (typeof id !== "string") return undefined;
    let found = this.locations.get(id);
    if (found === undefined) {
      found = null;
      for (let at = normalizeId(id); at !== undefined; at = armParent(at)) {
        const location = peek(this.byId.get(at)?.props, "location");
        if (typeof location === "string" && location.trim() !== "") {
          found = normalizeLocation(location);
          break;
        }
      }
      this.locations.set(id, found);
    }
    return found ?? undefined;
  }
}

/** The stack's index, shared by every stack policy of one evaluation. */
export function stackIndex(stack: StackView): StackIndex {
  return stack.memo(INDEX, () => new StackIndex(stack));
}

/** Where data, logs, alerts and traffic may go outside the stack, and in which regions. */
export interface DestinationRules {
  allowedLocations: readonly string[];
  allowedDestinations: readonly string[];
}

/** A letter of `word` in either case: JSON schema patterns (ECMA 262, as the engine reads them) take no flags. */
const anyCase = (word: string) =>
  word.replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`).replace(/\./g, "\\.");

/**
 * An allow-list entry names a subscription or management group, or something inside one. Anything
 * shorter ("/", "/subscriptions") would allow every ID (an entry also allows what is inside it).
 */
const ALLOW_LIST_ENTRY = new RegExp(
  `^\\s*/(${anyCase("subscriptions")}|${anyCase("providers/Microsoft.Management/managementGroups")})/[^/\\s]+(/.*)?$`,
);

/** Shared parameter: reviewed destinations outside the stack. */
export const allowedDestinationsParam: ConfigParam<readonly string[]> = {
  description:
    "ARM IDs outside this stack that may be a destination (an ID also allows what is inside it, e.g. a resource group): reviewed exceptions such as a central security workspace. Each names at least a subscription or management group.",
  default: [],
  schema: {
    items: {
      type: "string",
      pattern: ALLOW_LIST_ENTRY.source,
      description:
        "the ARM ID of a subscription or management group, or of a resource group or resource inside one",
    },
  },
};
/** Shared parameter: regions a destination may be in (RES-1). */
export const destinationLocationsParam: ConfigParam<readonly string[]> = {
  description: "Regions a destination of this stack may be in (default: EU regions, RES-1).",
  default: [...EU_REGIONS],
};

/** Whether `id` is on the allow-list (equal to an entry or inside it). */
export function allowListed(id: string, allowed: readonly string[]): boolean {
  // (An empty list, the presets' usual one, allows nothing: the ID is not normalized for it.)
  if (allowed.length === 0) return false;
  const target = normalizeId(id);
  return (
    target !== undefined &&
    allowed.some((entry) => {
      // An entry the schema refuses allows nothing, where the config was not validated (a
      // programmatic `configure`): deny by default.
      if (!ALLOW_LIST_ENTRY.test(entry)) return false;
      const e = normalizeId(entry);
      return e !== undefined && (target === e || target.startsWith(`${e}/`));
    })
  );
}

/**
 * What a reference not known yet was computed from (`destinationProblem`): the resources, or a
 * function giving them, called only when the value is not known. Callers pass
 * `() => propertyDependenciesOf(r, key)`, so a stack whose references are known (every `up`, and
 * most of a preview) never links an input's dependencies: on the 10,000-resource export that
 * linking was about a tenth of the stack policies' time.
 */
export type Dependencies = readonly { urn: string }[] | (() => readonly { urn: string }[]);

/**
 * The usual way a stack policy reports destinations: `judge(from, what, value, accepts)` reports
 * `<label>: <destinationProblem>` on `from` when its reference is not acceptable (`dependencies`:
 * what the value was computed from, as `destinationProblem` takes it).
 */
export function destinationJudge(
  stack: StackView,
  rules: DestinationRules,
  report: (message: string, urn?: string) => void,
  index: StackIndex = stackIndex(stack),
): (
  from: StackResource,
  what: string,
  value: unknown,
  accepts: (candidate: StackResource) => boolean,
  dependencies?: Dependencies,
) => void {
  return (from, what, value, accepts, dependencies) => {
    const problem = destinationProblem(index, from, what, value, rules, accepts, stack, dependencies);
    if (problem) report(`${label(from)}: ${problem}`, from.urn);
  };
}

/**
 * Why the reference `value` (read with `peek`: `NOT_KNOWN` during preview) from `from` is not an
 * acceptable destination, or undefined when it is, or when there is none. Acceptable: a resource
 * of this stack (or inside one) in an allowed region, or an allow-listed ID. A reference not
 * known yet must come from a resource of this stack that `accepts` (through the dependency graph:
 * `dependencies` when the caller knows what the value was computed from, the engine's
 * propertyDependencies of the top-level input holding it, else every dependency of `from`; read
 * only then). With `dependencies` given and empty, it is an output the program never set
 * (`notSetByProgram`): absent. Not where `shown` is false: `value` is no output the props show but
 * a path parameter read from elsewhere (`diagnosticTargetOf`), where a literal is not echoed.
 */
export function destinationProblem(
  index: StackIndex,
  from: StackResource,
  what: string,
  value: unknown,
  rules: DestinationRules,
  accepts: (candidate: StackResource) => boolean,
  stack: StackView,
  dependencies?: Dependencies,
  shown = true,
): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (value === NOT_KNOWN) {
    // `from.dependencies` and the dependencies asked for are read only here: the analyzer links a
    // resource's dependencies (a URN lookup each) when first read, and most values are known.
    const given = typeof dependencies === "function" ? dependencies() : dependencies;
    // An output the program never set (only with the input's own dependencies given: the
    // resource's say nothing about one input) is absent.
    if (shown && given !== undefined && notSetByProgram(value, given, from)) return undefined;
    const linked = (given ?? from.dependencies).some((d) => {
      const r = stack.byUrn(d.urn);
      return r !== undefined && accepts(r);
    });
    return linked ? undefined : `${what} is not known yet and does not come from a resource of this stack`;
  }
  if (typeof value !== "string") return `${what} ${show(value)} is not an ARM resource ID`;
  if (allowListed(value, rules.allowedDestinations)) return undefined;
  if (index.owner(value) === undefined)
    return `${what} ${show(value)} is not a resource of this stack (nor on allowedDestinations)`;
  const location = index.locationOf(value);
  const allowed = normalizeLocations(rules.allowedLocations);
  if (location !== undefined && location !== "global" && !allowed.includes(location))
    return `${what} ${show(value)} is in ${location}, which is not an allowed region`;
  return undefined;
}
