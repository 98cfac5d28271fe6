/**
 * How stack policies relate resources: by ARM ID when it is known, falling back to the
 * dependency graph where it is not (during preview a new resource's ID is unknown).
 */
import type { StackResource } from "./define";
import { known, NOT_KNOWN, normalizeId, peek, sameId } from "./props";

/** The resource's ARM ID, or undefined when it is absent or not known yet (preview). */
export function idOf(r: StackResource): string | undefined {
  const id = peek(r.props, "id");
  return typeof id === "string" ? id : undefined;
}

/** Whether `from` depends on `to` (directly, or through a property dependency). */
export function dependsOn(from: StackResource, to: StackResource): boolean {
  return from.dependencies.some((d) => d.urn === to.urn);
}

/**
 * `from.<value>` refers to `to`: same ARM ID, or (ID unknown on either side, e.g. `NOT_KNOWN`
 * from `peek` in a preview) a dependency.
 */
export function refersTo(from: StackResource, value: unknown, to: StackResource): boolean {
  const target = idOf(to);
  if (typeof value === "string" && target !== undefined) return sameId(value, target);
  return dependsOn(from, to);
}

/** How a violation names a resource. */
export function label(r: StackResource): string {
  return `${r.type} ${r.name}`;
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

  constructor(sources: readonly StackResource[], valuesOf: (source: StackResource) => unknown[]) {
    for (const source of sources) {
      // A reference that cannot be read yet (preview) is matched through dependencies.
      const read = known(() => valuesOf(source));
      const values = read === NOT_KNOWN ? [NOT_KNOWN] : read;
      if (values.length > 0) this.referring.push(source);
      if (values.some((v) => typeof v !== "string")) this.withoutIds.push(source);
      for (const id of new Set(values.map(normalizeId))) {
        if (id === undefined) continue;
        const list = this.byId.get(id) ?? [];
        list.push(source);
        this.byId.set(id, list);
      }
    }
  }

  /** The sources that refer to `target` (same result as `refersTo` on each of their values). */
  referrers(target: StackResource): StackResource[] {
    const id = idOf(target);
    if (id === undefined) return this.referring.filter((s) => dependsOn(s, target));
    const byId = this.byId.get(normalizeId(id) ?? "") ?? [];
    const byDependency = this.withoutIds.filter((s) => !byId.includes(s) && dependsOn(s, target));
    return byDependency.length === 0 ? byId : [...byId, ...byDependency];
  }
}
