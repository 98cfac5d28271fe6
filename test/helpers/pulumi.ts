/**
 * Jest helpers for running components and the stack under Pulumi's mock runtime.
 * `runProgram` waits for every registration (not just exported outputs) and returns the
 * resources as the engine would see them; `byType`/`only` pick them out.
 */
import { runUnderMocks, type PlannedResource, type RunOptions, type RunResult } from "../../lib/offline/run";

export type { PlannedResource } from "../../lib/offline/run";

/** Runs `program` (a function creating resources) under mocks. */
export function runProgram(program: () => unknown, options: RunOptions = {}): Promise<RunResult> {
  return runUnderMocks(program, options);
}

/**
 * Runs `program` expecting it to throw; returns the error and what got registered (the
 * contract is: bad input registers nothing).
 */
export async function runExpectingError(
  program: () => unknown,
  options: RunOptions = {},
): Promise<{ error: Error; resources: PlannedResource[] }> {
  // Everything that registered before the failure, not just what a successful run returns.
  const registered: PlannedResource[] = [];
  try {
    await runUnderMocks(program, { ...options, registered });
  } catch (err) {
    return { error: err as Error, resources: registered };
  }
  throw new Error(`expected the program to fail, but it registered ${registered.length} resources`);
}

export function byType(resources: PlannedResource[], type: string): PlannedResource[] {
  return resources.filter((r) => r.type === type);
}

/** The single resource of a type (fails the test if there are zero or several). */
export function only(resources: PlannedResource[], type: string): PlannedResource {
  const found = byType(resources, type);
  if (found.length !== 1) {
    throw new Error(
      `expected exactly one ${type}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
    );
  }
  return found[0];
}

/**
 * Whether `from` waits for `to`, directly or through other resources (explicit and property
 * dependencies): e.g. a data store waits for its key grant through the propagation sleep.
 */
export function waitsFor(resources: PlannedResource[], from: PlannedResource, to: PlannedResource): boolean {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const seen = new Set<string>();
  const stack = [from.urn];
  while (stack.length > 0) {
    const r = byUrn.get(stack.pop()!);
    if (!r) continue;
    for (const d of [...r.dependencies, ...Object.values(r.propertyDependencies).flat()]) {
      if (d === to.urn) return true;
      if (!seen.has(d)) {
        seen.add(d);
        stack.push(d);
      }
    }
  }
  return false;
}
