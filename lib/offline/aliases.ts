/**
 * The URNs a resource answers to through its aliases, computed as the engine does when it looks
 * a resource up in the old state (pulumi/pulumi pkg/resource/deploy/step_generator.go:
 * `generateAliases`, `collapseAliasToUrn`, `inheritedChildAlias`; the SDK's `allAliases` in
 * sdk/nodejs/resource.ts is the same rule for engines without alias specs):
 *
 * - each alias of the resource, collapsed to a URN: the resource's own name, type, parent, stack
 *   and project, with whatever the alias sets replaced;
 * - for each alias URN of its parent (including the parent's inherited ones, so it reaches every
 *   level): the resource under that parent alias, keeping its name (or swapping the parent's
 *   name prefix when the name starts with the parent's name), and the same for each of its own
 *   aliases.
 *
 * A URN is `urn:pulumi:<stack>::<project>::<qualified type>::<name>`, where the qualified type is
 * the parent's qualified type, `$`, and the resource's type: renaming a component's type changes
 * the URN of every descendant, which is why children inherit their parent's aliases.
 */

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
 * Every URN `target` answers to through `aliases` and its parent's alias URNs (`parentAliases`,
 * what this function returned for the parent), without duplicates and without its own URN.
 */
export function aliasUrns(
  target: AliasTarget,
  aliases: readonly AliasSpec[],
  parentAliases: readonly string[],
): string[] {
  const out: string[] = [];
  const add = (urn: string) => {
    if (urn !== target.urn && !out.includes(urn)) out.push(urn);
  };
  const own = aliases.map((a) => collapse(target, a));
  own.forEach(add);
  for (const parentAlias of parentAliases) {
    add(inheritedChildAlias(target, target.type, target.name, parentAlias));
    for (const alias of own)
      add(inheritedChildAlias(target, baseType(alias), parseUrn(alias).name, parentAlias));
  }
  return out;
}
