/**
 * Aliases as the engine resolves them (pulumi/pulumi pkg/resource/deploy/step_generator.go:
 * `generateAliases`, `collapseAliasToUrn`, `inheritedChildAlias`, `generateSteps`):
 *
 * - each alias of the resource is collapsed to a URN: the resource's own name, type, parent,
 *   stack and project, with whatever the alias sets replaced. The offline plan records these
 *   in the export's `aliases` ("URNs this resource may have had").
 * - The engine looks a resource up in the old state by its URN, then by each alias URN; when
 *   an alias matched, that old URN is what its children inherit: each child also answers to
 *   itself under the parent's old URN (keeping its name, or swapping the parent's name prefix
 *   when its name starts with the parent's name), and each of its own aliases likewise. Through
 *   the children's own matches this reaches every level.
 *
 * A URN is `urn:pulumi:<stack>::<project>::<qualified type>::<name>`, where the qualified type is
 * the parent's qualified type, `$`, and the resource's type: renaming a component's type changes
 * the URN of every descendant, which is why children inherit their parent's matched alias.
 */
import type * as pulumi from "@pulumi/pulumi";

/** An alias as the SDK sends it (`pulumirpc.Alias`): a whole URN, or a spec relative to the resource. */
export type AliasSpec =
  | { urn: string }
  | {
      name?: string;
      type?: string;
      stack?: string;
      project?: string;
      parentUrn?: string;
      noParent?: boolean;
    };

export interface AliasTarget {
  urn: string;
  type: string;
  name: string;
  parent?: string;
}

interface UrnParts {
  stack: string;
  project: string;
  qualifiedType: string;
  name: string;
}

export function parseUrn(urn: string): UrnParts {
  const [head, project, qualifiedType, ...name] = urn.split("::");
  return { stack: head.replace(/^urn:pulumi:/, ""), project, qualifiedType, name: name.join("::") };
}

/** `resource.NewURN`: the qualified type is the parent's qualified type `$` the type. */
export function createUrn(
  stack: string,
  project: string,
  parentUrn: string | undefined,
  type: string,
  name: string,
): string {
  const qualified = parentUrn ? `${parseUrn(parentUrn).qualifiedType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

const baseType = (urn: string) => parseUrn(urn).qualifiedType.split("$").pop() as string;

function collapse(target: AliasTarget, alias: AliasSpec): string {
  if ("urn" in alias) return alias.urn;
  const own = parseUrn(target.urn);
  const parent = alias.noParent ? undefined : alias.parentUrn || target.parent;
  return createUrn(
    alias.stack || own.stack,
    alias.project || own.project,
    parent,
    alias.type || target.type,
    alias.name || target.name,
  );
}

/**
 * A provider SDK's alias to an API-version token (azure-native gives every resource
 * `azure-native:<module>/<version>:<Resource>` aliases, dozens of them): it matters only to a state
 * written with that explicit version, and recording all of them would nearly double the export.
 * Left out; every other alias is kept, such as azure-native v3's unversioned module moves
 * (`azure-native:insights:MetricAlert` for `azure-native:monitor:MetricAlert`).
 */
function isApiVersionAlias(alias: string): boolean {
  return isApiVersionType(parseUrn(alias).qualifiedType.split("$").pop() as string);
}

/**
 * `<package>:<module>/v<version>:<Resource>`: azure-native's `app/v20240301` (every one of its
 * versioned modules is `v` and a date). Not a bridged provider's `<module>/<name>` token
 * (`random:index/randomString:RandomString`): an alias from such a token is a rename, kept.
 */
export const isApiVersionType = (type: string) => /^[^:]+:[^:/]+\/v\d[^:/]*:[^:]+$/.test(type);

/**
 * Whether `collapseAliases` would leave `alias`, one of a resource's `aliases` options, out: a URN
 * whose type is an API version, or a plain spec whose type (its own, else the resource's) is one.
 * Anything computed (an output, a promise, a non-string field) is kept: it is not known yet.
 */
function isApiVersionAliasOption(alias: unknown, resourceType: string): boolean {
  if (typeof alias === "string") return isApiVersionAlias(alias);
  if (typeof alias !== "object" || alias === null || Object.getPrototypeOf(alias) !== Object.prototype)
    return false;
  const spec = alias as { type?: unknown };
  const type = !("type" in spec) ? resourceType : spec.type;
  return typeof type === "string" && type !== "" && isApiVersionType(type);
}

/**
 * A stack transformation (`pulumi.runtime.registerStackTransformation`) that `runUnderMocks`
 * registers for the offline run only: it removes the API-version aliases before the SDK's
 * `Resource` constructor sees them. Never part of a real `pulumi preview`/`up`.
 *
 * Safe because nothing offline reads them. The engine uses an alias only to find a resource's old
 * state when its URN is not in the last deployment (step_generator.go `generateSteps`: the alias
 * URNs are looked up in the old state, and a match is an update of that resource under its new
 * URN, inherited by its children), and an API-version alias matches only a resource a program
 * registered with that explicit-version token (`azure-native:app/v20240301:ContainerApp`). The
 * offline plan has no old state but the change preview's, which reads the export's `aliases`:
 * `collapseAliases` leaves these out there anyway. The SDK does not: it collapses each one into
 * outputs in the `Resource` constructor (`collapseAliasToUrn`, read only by `allAliases` for a
 * monitor without alias specs, which neither the engine nor the mock monitor is) and awaits each
 * before registering. azure-native gives a container app 19 of them, a virtual network 60: this
 * was half of the 200-app plan's CPU time (issue 17, BENCHMARKS.md).
 */
export const withoutApiVersionAliases: pulumi.ResourceTransformation = ({ type, props, opts }) => {
  const aliases = opts.aliases;
  if (!aliases || aliases.length === 0) return undefined;
  const kept = aliases.filter((alias) => !isApiVersionAliasOption(alias, type));
  return kept.length === aliases.length ? undefined : { props, opts: { ...opts, aliases: kept } };
};

/**
 * The resource's own aliases as URNs, without duplicates, its own URN or API-version aliases:
 * what the export records (`aliases`, "previous URNs the resource may have had").
 */
export function collapseAliases(target: AliasTarget, aliases: readonly AliasSpec[]): string[] {
  const out: string[] = [];
  for (const alias of aliases) {
    // A spec's URN ends in its type (or the resource's): an API-version one is known before
    // collapsing it (azure-native sends dozens per resource).
    if (!("urn" in alias) && isApiVersionType(alias.type || target.type)) continue;
    const urn = collapse(target, alias);
    if (urn !== target.urn && !out.includes(urn) && !isApiVersionAlias(urn)) out.push(urn);
  }
  return out;
}

function inheritedChildAlias(
  target: AliasTarget,
  childType: string,
  childName: string,
  parentAlias: string,
): string {
  const parentName = target.parent ? parseUrn(target.parent).name : "";
  const aliasName = childName.startsWith(parentName)
    ? parseUrn(parentAlias).name + childName.slice(parentName.length)
    : childName;
  const own = parseUrn(target.urn);
  return createUrn(own.stack, own.project, parentAlias, childType, aliasName);
}

/**
 * Every URN the engine tries for `target` after its own, in its order: its own aliases
 * (`ownAliases`, collapsed), then, when its parent was found in the old state under the alias URN
 * `parentMatch`, itself and each own alias under that parent URN.
 */
export function candidateAliases(
  target: AliasTarget,
  ownAliases: readonly string[],
  parentMatch: string | undefined,
): string[] {
  const out: string[] = [];
  const add = (urn: string) => {
    if (urn !== target.urn && !out.includes(urn)) out.push(urn);
  };
  ownAliases.forEach(add);
  if (parentMatch !== undefined) {
    add(inheritedChildAlias(target, target.type, target.name, parentMatch));
    for (const alias of ownAliases)
      add(inheritedChildAlias(target, baseType(alias), parseUrn(alias).name, parentMatch));
  }
  return out;
}
