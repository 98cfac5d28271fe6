/**
 * Coverage of the controls catalog: every control is enforced by at least one policy of the
 * pack (`allPolicies`, by `controls`) and named in at least one test outside this folder. A
 * control nothing enforces or tests fails the run, naming it.
 */
import * as fs from "fs";
import * as path from "path";
import { CONTROLS } from "../../lib/evidence/controls";
import { unenforcedControls } from "../../lib/evidence/report";
import { allPolicies } from "../../policy/policies";

const TEST_ROOT = path.resolve(__dirname, "..");

/** Test files under test/, except the evidence tests (they name every ID by construction). */
function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return full === __dirname ? [] : testFiles(full);
    return /\.test\.ts$/.test(e.name) ? [full] : [];
  });
}

describe("controls coverage", () => {
  const sources = testFiles(TEST_ROOT).map((f) => ({
    file: path.relative(TEST_ROOT, f),
    text: fs.readFileSync(f, "utf8"),
  }));

  it("reads the test files it counts, and none of its own folder", () => {
    expect(sources.length).toBeGreaterThan(20);
    expect(sources.filter((s) => s.file.startsWith(`evidence${path.sep}`))).toEqual([]);
  });

  it("every control is enforced by at least one policy", () => {
    const missing = unenforcedControls(allPolicies);
    if (missing.length > 0) {
      throw new Error(
        `controls no policy of allPolicies enforces: ${missing.join(", ")}; ` +
          `add a policy whose \`controls\` lists each of them (policy/policies/*)`,
      );
    }
  });

  it.each(CONTROLS.map((c) => [c.id, c.title] as const))("%s (%s) is enforced and tested", (id, title) => {
    const policies = allPolicies.filter((p) => (p.controls as readonly string[]).includes(id));
    if (policies.length === 0) {
      throw new Error(
        `${id} (${title}) is enforced by no policy: no policy of allPolicies lists it in \`controls\``,
      );
    }
    const tests = sources.filter((s) => s.text.includes(id));
    if (tests.length === 0) {
      throw new Error(
        `${id} (${title}) is named in no test under test/ (outside test/evidence/): ` +
          `its policies (${policies.map((p) => p.name).join(", ")}) need a test that says which control they prove`,
      );
    }
  });

  it("would fail for a control nothing enforces", () => {
    const withoutMon = allPolicies.filter((p) => !(p.controls as readonly string[]).includes("MON-1"));
    expect(unenforcedControls(withoutMon)).toEqual(["MON-1"]);
  });
});
