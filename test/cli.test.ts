/**
 * What the command-line scripts do with bad paths and closed pipes: output paths are refused
 * (exit 2) before the plan runs, and a reader closing stdout early (`| head`) ends the run
 * quietly with the verdict's exit code, never an EPIPE stack trace.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { outputPathProblem, progressWanted } from "../lib/cli/io";
import { ROOT, runScript, scriptCommand, scriptEnv } from "./helpers/cli";

/** `scripts/<script>.ts args | head -c 10` (started as its npm script), with the script's own exit status. */
function pipedToHead(script: string, ...args: string[]) {
  const r = spawnSync(
    "bash",
    ["-c", `${scriptCommand(script)} "$@" | head -c 10; exit "\${PIPESTATUS[0]}"`, "bash", ...args],
    { cwd: ROOT, encoding: "utf8", env: scriptEnv(), timeout: 180_000 },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("output paths", () => {
  it("are checked before the plan runs: every bad one named, exit 2, nothing planned", () => {
    const started = Date.now();
    const run = runScript(
      "plan",
      "--export",
      path.join(dir, "missing", "dev.json"),
      "--report",
      dir,
      "--diagram",
      path.join(dir, "ok.mmd"),
    );
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`--export ${path.join(dir, "missing", "dev.json")}: directory`);
    expect(run.stderr).toContain(`--report ${dir}: is a directory`);
    expect(run.stderr).not.toContain("--diagram");
    expect(run.stderr).not.toMatch(/^\s+at /m);
    // Well under a plan's cost: the program never ran.
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("outputPathProblem accepts a new file in a writable directory and refuses the rest", () => {
    expect(outputPathProblem(path.join(dir, "new.json"))).toBeUndefined();
    expect(outputPathProblem(path.join(dir, "no", "new.json"))).toMatch(/does not exist/);
    expect(outputPathProblem(dir)).toMatch(/is a directory/);
    const file = path.join(dir, "plain");
    fs.writeFileSync(file, "");
    expect(outputPathProblem(path.join(file, "x.json"))).toMatch(/is not a directory/);
    // Writable by its permission bits (always, for root) and still refused by the file system.
    if (fs.existsSync("/proc/self"))
      expect(outputPathProblem("/proc/x.md")).toMatch(/not writable|cannot be written/);
    // The probe leaves nothing behind.
    expect(fs.existsSync(path.join(dir, "new.json"))).toBe(false);
  });
});

describe("a reader that closes the pipe early", () => {
  const exportFile = () => path.join(dir, "piped-dev.json");

  it("ends the plan quietly with the verdict's exit code (0 for dev)", () => {
    const run = pipedToHead("plan", "--json", "--export", exportFile());
    expect(run.stdout).toBe('{\n  "versi');
    expect(run.stderr).not.toMatch(/EPIPE|^\s+at /m);
    expect(run.stderr).toContain("no violations");
    expect(run.status).toBe(0);
  });

  it("ends the analyzer quietly with its verdict (1: the dev export breaks the pack's strictest defaults)", () => {
    const run = pipedToHead("analyze", "--json", exportFile());
    expect(run.stdout).toBe('{\n  "viola');
    expect(run.stderr).not.toMatch(/EPIPE|^\s+at /m);
    expect(run.status).toBe(1);
  });
});

describe("progress", () => {
  it("is never shown in CI, with --json or when stderr is not a terminal", () => {
    const ci = process.env.CI;
    try {
      process.env.CI = "true";
      expect(progressWanted(false)).toBe(false);
      delete process.env.CI;
      expect(progressWanted(true)).toBe(false);
      expect(progressWanted(false)).toBe(process.stderr.isTTY === true);
    } finally {
      if (ci === undefined) delete process.env.CI;
      else process.env.CI = ci;
    }
  });
});

// Bad flags of every script: exit 2 naming the flag, before anything is written (the doc
// generators used to ignore any argument, rewrite their file and exit 0; drift:state read a flag
// as a file name and said "expected 2 files").
describe("an unknown flag, for every npm script that runs a scripts/*.ts", () => {
  const launched = Object.entries(
    (
      JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      }
    ).scripts,
  )
    .map(([name, command]) => [name, /scripts\/([\w-]+)\.ts/.exec(command)?.[1]] as const)
    .filter((e): e is readonly [string, string] => e[1] !== undefined);

  it("covers every such script", () => {
    expect(launched.map(([name]) => name)).toEqual(
      expect.arrayContaining(["plan", "policy:analyze", "drift:state", "docs:policies", "docs:diagram"]),
    );
  });

  it.each(launched)(
    "npm run %s -- --no-such-flag: exit 2, the flag named, nothing written",
    (_name, script) => {
      const tracked = (): string =>
        spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, encoding: "utf8" })
          .stdout;
      const before = tracked();
      const run = runScript(script, "--no-such-flag");
      expect({ status: run.status, stderr: run.stderr }).toEqual({
        status: 2,
        stderr: expect.stringContaining("--no-such-flag"),
      });
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(tracked()).toBe(before);
    },
  );

  it("--help of a doc generator and of drift:state prints the usage and exits 0", () => {
    for (const script of ["policy-docs", "drift-state"]) {
      const run = runScript(script, "--help");
      expect({ script, status: run.status }).toEqual({ script, status: 0 });
      expect(run.stdout).toMatch(/^usage: npm run /i);
    }
  });
});

describe("an unknown flag, for the plain JavaScript scripts (npm run build, npm run check)", () => {
  it.each([
    ["build.js", "(allowed: --pack)"],
    ["check.js", "(it takes no options)"],
  ])("node scripts/%s --no-such-flag: exit 2 naming it, nothing built or checked", (script, allowed) => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", script), "--no-such-flag"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 2, stdout: "" });
    expect(r.stderr).toContain("--no-such-flag");
    expect(r.stderr).toContain(allowed);
  });
});

describe("npm run bench -- --node PATH", () => {
  it("with a path that is no Node.js binary exits 2 naming it, before measuring anything", () => {
    const node = path.join(dir, "no-such-node");
    const run = runScript("bench", "--only", "floor:node", "--runs", "1", "--node", node);
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: "" });
    expect(run.stderr).toContain(`--node ${node}: not a Node.js binary`);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});

describe("npm run bench cases", () => {
  it("include engine:10k, the analyzer with every policy disabled, beside analyze:10k", () => {
    // (An unknown case lists every case, without measuring anything.)
    const run = runScript("bench", "--only", "no-such-case");
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: "" });
    expect(run.stderr).toMatch(/\(cases: .*\banalyze:10k, engine:10k,/);
  });
});
