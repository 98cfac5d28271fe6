/**
 * Literal choices in component arguments are `as const` objects plus a type of the same name:
 * the pattern the SDK's component schema analysis turns into schema enums (plain literal
 * unions are refused). The zod schemas take the same values through `enumValues`.
 */

/** The values of an `as const` enum object, in declaration order, as the tuple `z.enum` takes. */
export function enumValues<E extends Record<string, string>>(e: E): [E[keyof E], ...E[keyof E][]] {
  return Object.values(e) as [E[keyof E], ...E[keyof E][]];
}

/**
 * `true` when two types are the same: a named argument interface (which the component schema
 * needs) against the output of the zod schema that validates it, so the two cannot drift.
 */
export type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
