import * as fs from "fs";
import * as path from "path";
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

  it("has a section for every component that owns an args schema (components/*.schema.ts)", () => {
    const doc = renderComponentDoc();
    const dir = path.join(__dirname, "..", "components");
    const classes = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".schema.ts"))
      .flatMap((f) =>
        [
          ...fs
            .readFileSync(path.join(dir, f.replace(".schema", "")), "utf8")
            .matchAll(/export class (\w+) extends pulumi\.ComponentResource/g),
        ].map((m) => m[1]),
      );
    expect(classes.length).toBeGreaterThanOrEqual(10);
    for (const name of classes) expect(doc).toMatch(new RegExp(`## \`${name}\``));
  });
});
