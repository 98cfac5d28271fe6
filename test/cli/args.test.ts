/** The shared flag reader (lib/cli/args.ts): every problem at once, naming flag, value and what is allowed. */
import { parseCommandLine, STACK_NAME, type FlagSpecs } from "../../lib/cli/args";

const FLAGS = {
  stack: { type: "string", required: true, pattern: STACK_NAME },
  report: { type: "string" },
  mode: { type: "string", oneOf: ["fast", "full"] },
  json: { type: "boolean" },
} as const satisfies FlagSpecs;

describe("parseCommandLine", () => {
  it("reads --flag value, --flag=value and booleans", () => {
    const r = parseCommandLine(["--stack", "dev", "--report=out.md", "--json"], FLAGS);
    expect(r).toEqual({
      values: { stack: "dev", report: "out.md", json: true },
      positionals: [],
      help: false,
      problems: [],
    });
  });

  it("reports every problem at once, in order, then what is missing", () => {
    const r = parseCommandLine(
      ["--stakc", "x", "--report", "--json=yes", "--mode", "slow", "--bogus", "--report", "b"],
      FLAGS,
    );
    expect(r.problems).toEqual([
      "unknown option --stakc (did you mean --stack?)",
      'unexpected argument "x"',
      "--report needs a value",
      '--json takes no value (got "yes")',
      '--mode "slow": allowed: fast, full',
      "unknown option --bogus",
      "--report given twice: give it once",
      "--stack is required",
    ]);
  });

  it("names both values of a repeated flag", () => {
    expect(parseCommandLine(["--stack", "dev", "--stack=prod"], FLAGS).problems).toEqual([
      '--stack given twice ("dev" and "prod"): give it once',
    ]);
  });

  it("does not take the next flag as a value (--stack --json)", () => {
    const r = parseCommandLine(["--stack", "--json"], FLAGS);
    expect(r.problems).toEqual(["--stack needs a value"]);
    expect(r.values.json).toBe(true);
  });

  it("names a value outside the pattern and what is allowed", () => {
    expect(parseCommandLine(["--stack", "../prod"], FLAGS).problems).toEqual([
      `--stack "../prod": not a stack name (letters, digits, '.', '_' or '-')`,
    ]);
  });

  it("keeps positionals when allowed, also after --", () => {
    const r = parseCommandLine(["--stack", "dev", "a.json", "--", "--b.json"], FLAGS, { positionals: true });
    expect(r.positionals).toEqual(["a.json", "--b.json"]);
    expect(r.problems).toEqual([]);
  });

  it("answers --help and -h whatever else is wrong", () => {
    expect(parseCommandLine(["-h"], FLAGS).help).toBe(true);
    expect(parseCommandLine(["--bogus", "--help"], FLAGS).help).toBe(true);
  });
});
