/**
 * Every command in a shell block of README.md and docs/*.md that can run offline runs exactly
 * as written, in the order a reader meets them (README first, then docs/ by name), in a copy
 * of the repository: a command may use a file an earlier documented command wrote, never one
 * nothing creates. Commands that need Azure, the Pulumi CLI or the network are skipped by
 * rule, as are the bench (minutes) and `npm test` (this suite); each distinct command runs once.
 *
 * Each runs as typed, through bash and npm, with one exception: consecutive commands of one
 * shell block (a sequence the reader runs in a row) that are each `npm run SCRIPT -- ARGS`, plain
 * words only, for a SCRIPT whose package.json line is `node scripts/launch.js scripts/X.ts`, share
 * one process: the same launcher runs X.ts's `main(ARGS)` for each, in order
 * (test/helpers/sequence.ts). A plan costs ~1.2 s of CPU as its own process and ~0.4 s more in one
 * already started. What npm adds (the line, the arguments after `--` passed as they are) is proven
 * by the commands of every such SCRIPT that run as typed.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT, scriptEnv } from "./helpers/cli";
import type { StepResult } from "./helpers/sequence";

const DOCS = [
  "README.md",
  ...fs
    .readdirSync(path.join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`),
];

/** Commands that cannot run here, and why. A line with any of them is not run. */
const NOT_OFFLINE: { pattern: RegExp; why: string }[] = [
  { pattern: /(^|[^\w./:-])pulumi\s/, why: "needs the Pulumi CLI and a backend" },
  { pattern: /(^|[^\w./:-])az\s/, why: "needs Azure" },
  { pattern: /(^|&&\s*)cd\b/, why: "changes directory (publishing the pack)" },
  // Also protects the repository: the copy links its node_modules, which `npm ci` would wipe.
  { pattern: /(^|&&\s*)npm (ci|install|i)\b/, why: "installs from the registry" },
  { pattern: /^npm test\b/, why: "is this suite" },
  { pattern: /(^|&&\s*)npm publish\b/, why: "publishes to the npm registry" },
  { pattern: /(^|&&\s*)npm run (-s )?bench\b/, why: "takes minutes (see BENCHMARKS.md)" },
  { pattern: /\block-window\b.*--apply\b/, why: "lifts locks in Azure (az lock delete)" },
];
/** `npm ci` before another command (the Quick start) is installation, already done here. */
const ALREADY_DONE = /^npm ci\s*&&\s*/;

interface DocCommand {
  doc: string;
  /** The shell block of `doc` it is in (its index). */
  block: number;
  line: string;
  /** What runs: the line, minus an `npm ci &&` prefix. */
  run: string;
}

/** A shell block of a doc: its commands (continuation lines joined), and whether it talks to the cloud. */
interface Block {
  lines: string[];
  cloud: boolean;
}

function shellBlocks(doc: string): Block[] {
  const text = fs.readFileSync(path.join(ROOT, doc), "utf8");
  const blocks: Block[] = [];
  let current: string[] | undefined;
  let inBlock = false;
  for (const raw of text.split("\n")) {
    const fence = /^```(\w*)/.exec(raw);
    if (fence) {
      if (inBlock && current) {
        const joined = current
          .join("\n")
          .replace(/\\\n\s*/g, " ")
          .split("\n");
        const lines = joined
          // Drop a trailing comment (` # ...`); comments inside quotes do not occur in our docs.
          .map((l) => l.replace(/\s+#\s.*$/, "").trim())
          .filter((l) => l.length > 0 && !l.startsWith("#"));
        blocks.push({
          lines,
          cloud: lines.some((l) => NOT_OFFLINE.slice(0, 2).some((n) => n.pattern.test(l))),
        });
      }
      current = !inBlock && ["sh", "bash", "shell"].includes(fence[1]) ? [] : undefined;
      inBlock = !inBlock;
      continue;
    }
    current?.push(raw);
  }
  return blocks;
}

function documentedCommands(): { run: DocCommand[]; skipped: { doc: string; line: string; why: string }[] } {
  const run: DocCommand[] = [];
  const skipped: { doc: string; line: string; why: string }[] = [];
  const seen = new Set<string>();
  for (const doc of DOCS) {
    for (const { line, block } of shellBlocks(doc).flatMap((b, index) =>
      // In a block of cloud setup, only the npm commands are candidates (the rest is Azure/CLI).
      (b.cloud ? b.lines.filter((l) => /^npm /.test(l)) : b.lines).map((l) => ({ line: l, block: index })),
    )) {
      const notOffline = NOT_OFFLINE.find((n) => n.pattern.test(line.replace(ALREADY_DONE, "")));
      if (notOffline) {
        skipped.push({ doc, line, why: notOffline.why });
        continue;
      }
      const command = line.replace(ALREADY_DONE, "");
      if (seen.has(command)) continue;
      seen.add(command);
      run.push({ doc, block, line, run: command });
    }
  }
  return { run, skipped };
}

const { run: commands, skipped } = documentedCommands();

const packageScripts = (
  JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

/** `npm run [-s] SCRIPT -- ARGS` of plain words, SCRIPT launching `module`: what a shared process can run. */
interface Launched {
  script: string;
  launcher: string;
  module: string;
  args: string[];
}

function launched(run: string): Launched | undefined {
  const m = /^npm run (?:-s )?([\w:-]+)(?: -- ([\w./=@:,-]+(?: [\w./=@:,-]+)*))?$/.exec(run);
  const line = m
    ? /^(node scripts\/launch\.js) (scripts\/[\w-]+\.ts)$/.exec(packageScripts[m[1]] ?? "")
    : null;
  return m && line
    ? { script: m[1], launcher: line[1], module: line[2], args: m[2]?.split(" ") ?? [] }
    : undefined;
}

/** The commands in runs: consecutive launched commands of one block together, every other alone. */
function sequences(list: DocCommand[]): DocCommand[][] {
  const out: DocCommand[][] = [];
  for (const c of list) {
    const last = out[out.length - 1]?.at(-1);
    if (last && last.doc === c.doc && last.block === c.block && launched(last.run) && launched(c.run))
      out[out.length - 1].push(c);
    else out.push([c]);
  }
  return out;
}
const runs = sequences(commands);
const shared = runs.filter((r) => r.length > 1).flat();

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
  /** How it ran, when not as typed. */
  how?: string;
}
const results = new Map<DocCommand, Result>();
let dir: string;

/**
 * The copy's node_modules: each of the repository's packages linked, and its own links (the
 * workspaces', relative: `@secure-azure-platform/components -> ../../components`) made again, so
 * they point into the copy as `npm ci` would make them. Linking the whole directory would send
 * the copy's imports of a workspace to the repository's sources, outside the copy's build, which
 * the launcher then transpiles on every start (~1.4 s more for the team-app example's plan).
 */
function linkNodeModules(from: string, to: string): void {
  fs.mkdirSync(to);
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const [source, target] = [path.join(from, entry.name), path.join(to, entry.name)];
    if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(source), target);
    else if (entry.isDirectory() && entry.name.startsWith("@")) linkNodeModules(source, target);
    else fs.symlinkSync(source, target);
  }
}

/** Runs a sequence's commands in one process (test/helpers/sequence.ts), each result as its own. */
function runShared(sequence: DocCommand[]): void {
  const steps = sequence.map((c) => launched(c.run)!);
  const resultsFile = `${dir}-sequence.json`;
  fs.rmSync(resultsFile, { force: true });
  const r = spawnSync(
    "sh",
    ["-c", `${steps[0].launcher} test/helpers/sequence.ts "$@"`, "sh", resultsFile, JSON.stringify(steps)],
    { cwd: dir, encoding: "utf8", env: scriptEnv({ CI: "true" }), timeout: 240_000 },
  );
  const stepResults = fs.existsSync(resultsFile)
    ? (JSON.parse(fs.readFileSync(resultsFile, "utf8")) as StepResult[])
    : [];
  fs.rmSync(resultsFile, { force: true });
  const how = `in one process with ${sequence.length - 1} other command(s) of its block: ${steps[0].launcher} test/helpers/sequence.ts`;
  // Every step done and the process ended by itself with status 0: each step's result is its own.
  // Otherwise (a step ended the process, a crash, a hang) no step of the sequence passes.
  const ended = r.status === 0 && stepResults.length === sequence.length;
  sequence.forEach((c, i) => {
    const own = stepResults[i];
    if (own && ended) {
      results.set(c, { ...own, how });
      return;
    }
    results.set(c, {
      status: own && own.status !== 0 ? own.status : r.status !== 0 ? r.status : null,
      stdout: own?.stdout ?? "",
      stderr:
        `${own?.stderr ?? ""}\n(the shared process: exit ${String(r.status)}, signal ${String(r.signal)}, ` +
        `${stepResults.length} of ${sequence.length} step(s) done)\n${r.stderr}`,
      how,
    });
  });
}

beforeAll(() => {
  // A copy of the repository (sources and docs; dependencies linked) where commands may write.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "docs-commands-"));
  fs.cpSync(ROOT, dir, {
    recursive: true,
    filter: (src) => !/[\\/](node_modules|\.git|coverage|out)$/.test(src),
  });
  linkNodeModules(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  for (const sequence of runs) {
    if (sequence.length > 1) {
      runShared(sequence);
      continue;
    }
    const [c] = sequence;
    const r = spawnSync("bash", ["-c", c.run], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, FORCE_COLOR: "0", CI: "true" },
      timeout: 240_000,
    });
    results.set(c, { status: r.status, stdout: r.stdout, stderr: r.stderr });
  }
}, 1_200_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the commands shown in README.md and docs/", () => {
  it("include the plan, the analyzer and the doc generators, and skip only what needs the cloud or takes minutes", () => {
    const runs = commands.map((c) => c.run).join("\n");
    expect(runs).toMatch(/^npm run plan\b/m);
    expect(runs).toMatch(/^npm run (-s )?policy:analyze\b/m);
    expect(runs).toMatch(/--json/);
    for (const s of skipped) expect(s.why).toBeTruthy();
  });

  it("share a process only within a block, and run every script they share one for as typed too, through npm", () => {
    for (const sequence of runs.filter((r) => r.length > 1))
      expect(new Set(sequence.map((c) => `${c.doc} block ${c.block}`)).size).toBe(1);
    const asTyped = commands.filter((c) => !shared.includes(c));
    for (const c of shared) {
      const { script } = launched(c.run)!;
      expect({
        script,
        asTyped: asTyped.some((t) => new RegExp(`(^|&&\\s*)npm run (-s )?${script}\\b`).test(t.run)),
      }).toEqual({
        script,
        asTyped: true,
      });
    }
  });

  it.each(commands.map((c) => [`${c.doc}: ${c.line}`, c] as const))("%s", (_name, c) => {
    const r = results.get(c);
    expect(r).toBeDefined();
    const shown = `$ ${c.run}${r?.how ? `\n(${r.how})` : ""}\nexit ${String(r?.status)}\n--- stderr\n${r?.stderr.slice(-3000)}`;
    // A documented command that fails is a documentation bug (or a product bug).
    expect({ status: r?.status, shown }).toEqual({ status: 0, shown });
    expect(r?.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    // What a command writes with `--json > FILE` is JSON and nothing else (npm's banner included).
    const redirected = /--json\b.*>\s*(\S+)\s*$/.exec(c.run)?.[1];
    if (redirected) {
      expect(() => JSON.parse(fs.readFileSync(path.join(dir, redirected), "utf8")) as unknown).not.toThrow();
    }
  });
});
