/** The controls catalog (lib/evidence/controls.ts): structure and framework mapping. */
import { CONTROLS, criteriaOf } from "../../lib/evidence/controls";
import { CONTROL_IDS } from "../../policy/lib/types";

describe("the vendored controls catalog", () => {
  it("has every control ID of the pack once, in catalog order", () => {
    expect(CONTROLS.map((c) => c.id)).toEqual([...CONTROL_IDS]);
  });

  it("maps every control to at least one framework criterion", () => {
    for (const c of CONTROLS) expect(criteriaOf(c.id).length).toBeGreaterThan(0);
    expect(criteriaOf("RES-1").map((f) => f.criterion)).toEqual(["Art. 44", "Art. 25"]);
  });
});
