/**
 * Which Azure resource types the pack evaluates beyond location and tags: a type is evaluated
 * when at least one policy declares it (`resourceTypes`, written by the builders in define.ts
 * from each policy's `types`). Policies that apply to every type ("*": allowed-locations,
 * required-tags, the type gate) do not count: they judge where a resource is and how it is
 * tagged, never how it is configured. Declared tokens are normalized like resource tokens, so
 * aliases, API versions and parameterized packages of an evaluated type are evaluated too.
 */
import { parseType } from "./azureTypes";
import type { PlatformPolicy } from "./types";

const CACHE = new WeakMap<readonly PlatformPolicy[], ReadonlySet<string>>();

/** Canonical tokens (see `parseType`) of the Azure types some of `policies` evaluates. */
export function evaluatedTypes(policies: readonly PlatformPolicy[]): ReadonlySet<string> {
  let set = CACHE.get(policies);
  if (!set) {
    const types = new Set<string>();
    for (const p of policies) {
      const declared = p.resourceTypes ?? [];
      if (declared.includes("*")) continue;
      for (const token of declared) types.add(parseType(token)?.canonical ?? token);
    }
    set = types;
    CACHE.set(policies, set);
  }
  return set;
}
