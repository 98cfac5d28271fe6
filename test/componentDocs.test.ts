import * as fs from "fs";
import { COMPONENT_DOC, renderComponentDoc } from "../scripts/component-docs";

describe("docs/component-arguments.md", () => {
  it("is what the component schemas say (run npm run docs:components)", () => {
    expect(fs.readFileSync(COMPONENT_DOC, "utf8")).toBe(renderComponentDoc());
  });

  it("shows the limits of controls/limits.ts, e.g. the backup window and the Consumption cpu steps", () => {
    const doc = renderComponentDoc();
    expect(doc).toContain("| 30..35 |");
    expect(doc).toContain("0.25..4 in steps of 0.25");
    expect(doc).toContain("`secure-azure-platform:postgresDatabases`");
  });
});
