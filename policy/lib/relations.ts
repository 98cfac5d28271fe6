/**
 * How stack policies relate resources: by ARM ID when it is known, falling back to the
 * dependency graph where it is not (during preview a new resource's ID is unknown).
 */
import type { StackResource } from "./define";
import { sameId, str } from "./props";

export function idOf(r: StackResource): string | undefined {
  return str(r.props, "id");
}

/** Whether `from` depends on `to` (directly, or through a property dependency). */
export function dependsOn(from: StackResource, to: StackResource): boolean {
  return from.dependencies.some((d) => d.urn === to.urn);
}

/** `from.<value>` refers to `to`: same ARM ID, or (ID unknown on either side) a dependency. */
export function refersTo(from: StackResource, value: unknown, to: StackResource): boolean {
  const target = idOf(to);
  if (typeof value === "string" && target !== undefined) return sameId(value, target);
  return dependsOn(from, to);
}

/** How a violation names a resource. */
export function label(r: StackResource): string {
  return `${r.type} ${r.name}`;
}
