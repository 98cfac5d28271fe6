/**
 * Coverage of the controls catalog: every control is enforced by at least one policy of the
 * pack and named in at least one test outside this folder. A control nothing enforces or
 * tests fails the run, naming it.
 */
import * as fs from "fs";
import * as path from "path";
import { CONTROLS } from "../../lib/evidence/controls";
import { unenforcedControls } from "../../lib/evidence/report";
import { platformPolicies } from "../../policy/policies";

const TEST_ROOT = path.resolve(__dirname, "..");

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

  it("reads the test files it counts", () => {
    expect(sources.length).toBeGreaterThan(20);
  });

  it("every control is enforced by at least one policy", () => {
    expect(unenforcedControls()).toEqual([]);
  });

  it.each(CONTROLS.map((c) => [c.id] as const))("%s is enforced by a policy and named in a test", (id) => {
    const policies = platformPolicies.filter((p) => p.controls.includes(id)).map((p) => p.name);
    const tests = sources.filter((s) => s.text.includes(id)).map((s) => s.file);
    expect({ id, enforcedBy: policies.length > 0, testedIn: tests.length > 0 }).toEqual({
      id,
      enforcedBy: true,
      testedIn: true,
    });
  });

  it("would fail for a control nothing enforces", () => {
    const withoutMon = platformPolicies.filter((p) => !p.controls.includes("MON-1"));
    expect(unenforcedControls(withoutMon)).toEqual(["MON-1"]);
  });
});
