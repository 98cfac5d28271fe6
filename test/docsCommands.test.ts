/**
 * Every command in a shell block of README.md, docs/*.md and examples/<name>/README.md that can
 * run offline runs exactly as written, in the order a reader meets them (README first, then docs/
 * by name, then the examples), in a copy
 * of the repository: a command may use a file an earlier documented command wrote, never one
 * nothing creates. Commands that need Azure, the Pulumi CLI or the network are skipped by
 * rule, as are the bench (minutes) and `npm test` (this suite); each distinct command runs once.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "./helpers/cli";

const DOCS = [
  "README.md",
  ...fs
    .readdirSync(path.join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`),
  // The examples' READMEs are READMEs too: their commands run from the repository root.
  ...fs
    .readdirSync(path.join(ROOT, "examples"))
    .filter((d) => fs.existsSync(path.join(ROOT, "examples", d, "README.md")))
    .sort()
    .map((d) => `examples/${d}/README.md`),
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
    for (const line of shellBlocks(doc).flatMap((block) =>
      // In a block of cloud setup, only the npm commands are candidates (the rest is Azure/CLI).
      block.cloud ? block.lines.filter((l) => /^npm /.test(l)) : block.lines,
    )) {
      const notOffline = NOT_OFFLINE.find((n) => n.pattern.test(line.replace(ALREADY_DONE, "")));
      if (notOffline) {
        skipped.push({ doc, line, why: notOffline.why });
        continue;
      }
      const command = line.replace(ALREADY_DONE, "");
      if (seen.has(command)) continue;
      seen.add(command);
      run.push({ doc, line, run: command });
    }
  }
  return { run, skipped };
}

const { run: commands, skipped } = documentedCommands();

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
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

beforeAll(() => {
  // A copy of the repository (sources and docs; dependencies linked) where commands may write.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "docs-commands-"));
  fs.cpSync(ROOT, dir, {
    recursive: true,
    filter: (src) => !/[\\/](node_modules|\.git|coverage|out)$/.test(src),
  });
  linkNodeModules(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  for (const c of commands) {
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
    expect(runs).toMatch(/^npm run plan -- --program examples\/team-app\b/m);
    for (const s of skipped) expect(s.why).toBeTruthy();
  });

  it.each(commands.map((c) => [`${c.doc}: ${c.line}`, c] as const))("%s", (_name, c) => {
    const r = results.get(c);
    expect(r).toBeDefined();
    const shown = `$ ${c.run}\nexit ${String(r?.status)}\n--- stderr\n${r?.stderr.slice(-3000)}`;
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
