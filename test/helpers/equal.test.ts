/** expectEqual (test/helpers/equal.ts) decides as `toEqual` does, on either side of its fast path. */
import { expectEqual } from "./equal";

describe("expectEqual", () => {
  it("passes what toEqual passes: deep-strict equal pairs, and pairs only toEqual calls equal", () => {
    expectEqual({ a: [1, { b: "x" }] }, { a: [1, { b: "x" }] });
    // Not deep-strict equal (an undefined property, another prototype), equal to toEqual.
    expectEqual<object>({ a: 1, b: undefined }, { a: 1 });
    expectEqual<object>(Object.assign(Object.create(null) as object, { a: 1 }), { a: 1 });
  });

  it("fails what toEqual fails, with toEqual's message", () => {
    for (const [actual, expected] of [
      [{ a: 1 }, { a: 2 }],
      [
        [1, 2],
        [1, 2, 3],
      ],
      [{ a: { b: [1] } }, { a: { b: ["1"] } }],
    ]) {
      let message = "";
      try {
        expect(actual).toEqual(expected);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).not.toBe("");
      expect(() => expectEqual(actual, expected)).toThrow(message);
    }
  });
});
