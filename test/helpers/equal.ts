/**
 * `expect(actual).toEqual(expected)` for results too large for jest's comparison to be cheap
 * (tens of thousands of evaluation outcomes: over a second each). Node's deep-strict comparison
 * decides first, some thirty times faster; it implies `toEqual` (same own keys and prototypes,
 * SameValue), so an equal pair is handed to `toEqual` as one object, which jest passes at its
 * first check. Any other pair goes to `toEqual` as it is, for its verdict and its diff.
 */
import { isDeepStrictEqual } from "util";

export function expectEqual<T>(actual: T, expected: T): void {
  expect(isDeepStrictEqual(actual, expected) ? expected : actual).toEqual(expected);
}
