/**
 * The vendored catalog (lib/evidence/controls.ts) against the shared one (../shared/CONTROLS.md):
 * same IDs, titles, requirements and framework mapping. CI clones only this repository, so the
 * comparison runs where the shared folder exists (developer machines) and is skipped, saying
 * so, where it does not; the structural checks always run.
 */
import * as fs from "fs";
import * as path from "path";
import { CONTROLS, FRAMEWORK_MAPPING, criteriaOf } from "../../lib/evidence/controls";
import { CONTROL_IDS } from "../../policy/lib/types";

const SHARED = path.resolve(__dirname, "..", "..", "..", "shared", "CONTROLS.md");
const shared = fs.existsSync(SHARED) ? fs.readFileSync(SHARED, "utf8") : undefined;

describe("the vendored controls catalog", () => {
  it("has every control ID of the pack once, in catalog order", () => {
    expect(CONTROLS.map((c) => c.id)).toEqual([...CONTROL_IDS]);
  });

  it("maps every control to at least one framework criterion", () => {
    for (const c of CONTROLS) expect(criteriaOf(c.id).length).toBeGreaterThan(0);
    expect(criteriaOf("RES-1").map((f) => f.criterion)).toEqual(["Art. 44", "Art. 25"]);
  });

  (shared ? describe : describe.skip)(`matches ${SHARED}${shared ? "" : " (skipped: file absent)"}`, () => {
    const rows = [...(shared ?? "").matchAll(/^\| ([A-Z]+-\d) \| ([^|]+) \| (.+) \|$/gm)].map((m) => ({
      id: m[1],
      title: m[2].trim(),
      requirement: m[3].trim(),
    }));

    it("word for word, control by control", () => {
      expect(CONTROLS.map(({ id, title, requirement }) => ({ id, title, requirement }))).toEqual(rows);
    });

    it("in its framework mapping: framework, criterion, title and controls", () => {
      const mapping = /## Framework mapping[^\n]*\n([\s\S]*)$/.exec(shared ?? "")?.[1] ?? "";
      const parsed: { framework: string; criterion: string; title: string; controls: string[] }[] = [];
      // One bullet per framework: "- SOC 2: CC6.1 (logical access: IAM-1, ...), ...".
      for (const line of mapping.matchAll(/^- ([^:]+): (.+)$/gm)) {
        for (const m of line[2].matchAll(/(CC\d\.\d|A\d\.\d|C\d\.\d|Art\. \d+) \(([^:]+): ([^)]+)\)/g)) {
          const ids = m[3].match(/[A-Z]+-\d/g);
          // A criterion without IDs ("all defaults secure") covers every control.
          parsed.push({
            framework: line[1],
            criterion: m[1],
            title: ids ? m[2] : `${m[2]}: ${m[3]}`,
            controls: ids ?? [...CONTROL_IDS],
          });
        }
      }
      expect(parsed.length).toBeGreaterThan(0);
      expect(FRAMEWORK_MAPPING.map((f) => ({ ...f, controls: [...f.controls] }))).toEqual(parsed);
    });
  });

  if (!shared) {
    it("notes that the shared catalog is absent here, so only the structure was checked", () => {
      expect(fs.existsSync(SHARED)).toBe(false);
    });
  }
});
