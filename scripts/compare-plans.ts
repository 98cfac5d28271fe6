/**
 * `node scripts/launch.js scripts/compare-plans.ts --before DIR [--after DIR] [--apps N] [--out DIR]`
 *
 * Before/after check for a change that must leave the offline plan's outputs as they were
 * (issue 17): plans the dev stack, the prod stack, the dev stack with N container apps (default
 * 200, the bench's plan:apps case) and the example programs of examples/ (`--program`) in two
 * checkouts (each built, with its node_modules),
 * and compares what each writes (lib/offline/compare.ts): the text, the `--export` document (what
 * `--json` prints) minus its time, `--report`, `--diagram`, the analyzer's `--json` verdicts on
 * each export, `drift:state` of each export with an empty refresh, and the change preview between
 * the two exports both ways; plus the export as a valid Pulumi state and the alias URNs no two
 * resources share (the change preview's matching cannot depend on the order).
 *
 * Exit codes: 0 every output identical or the same up to order; 1 a difference; 2 bad usage.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseCommandLine, type FlagSpecs } from "../lib/cli/args";
import {
  compareChangePreview,
  compareExports,
  compareJson,
  compareLines,
  compareReports,
  compareText,
  sharedAliasCandidates,
  type Comparison,
} from "../lib/offline/compare";
import { scaledStackFile } from "../lib/offline/scaledStack";
import type { StackExport } from "../policy/common/pulumiFormat";

const ROOT = path.resolve(__dirname, "..");
const USAGE =
  "usage: node scripts/launch.js scripts/compare-plans.ts --before DIR [--after DIR] [--apps N] [--out DIR]";

const FLAGS = {
  before: { type: "string", required: true },
  after: { type: "string" },
  apps: {
    type: "string",
    pattern: { test: /^[1-9][0-9]{0,3}$/, what: "a number of apps", allowed: "1 to 9999" },
  },
  out: { type: "string" },
} as const satisfies FlagSpecs;

interface Case {
  name: string;
  stack: string;
  stackFile?: string;
  /** Another team's program directory, relative to the checkout (`--program`). */
  program?: string;
}

interface Outputs {
  status: number | null;
  text: string;
  exportDoc: StackExport;
  report: string;
  diagram: string;
}

function isCheckout(dir: string): string | undefined {
  for (const f of ["scripts/launch.js", "scripts/plan.ts", "node_modules/@pulumi/pulumi/package.json"]) {
    if (!fs.existsSync(path.join(dir, f))) return `${dir}: no ${f} (a built checkout with node_modules)`;
  }
  return undefined;
}

function run(
  cwd: string,
  script: string,
  args: string[],
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    [path.join(cwd, "scripts", "launch.js"), `scripts/${script}`, ...args],
    {
      cwd,
      encoding: "utf8",
      maxBuffer: 1 << 30,
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function plan(dir: string, c: Case, out: string): Outputs {
  const file = (ext: string) => path.join(out, `${c.name}.${ext}`);
  const r = run(dir, "plan.ts", [
    "--stack",
    c.stack,
    ...(c.stackFile ? ["--stack-file", c.stackFile] : []),
    ...(c.program ? ["--program", c.program] : []),
    "--export",
    file("json"),
    "--report",
    file("md"),
    "--diagram",
    file("mmd"),
  ]);
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`${dir}: plan ${c.name} exited ${r.status}:\n${r.stderr}`);
  fs.writeFileSync(file("txt"), r.stdout);
  return {
    status: r.status,
    text: r.stdout,
    exportDoc: JSON.parse(fs.readFileSync(file("json"), "utf8")) as StackExport,
    report: fs.readFileSync(file("md"), "utf8"),
    diagram: fs.readFileSync(file("mmd"), "utf8"),
  };
}

/** The analyzer's verdicts on an export (this checkout's analyzer for both). */
function analyze(stack: string, exportFile: string): unknown {
  const r = run(ROOT, "analyze.ts", ["--stack", stack, "--json", exportFile]);
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`analyze ${exportFile} exited ${r.status}:\n${r.stderr}`);
  // Violations name the file they came from: the same export under two names.
  return JSON.parse(r.stdout.split(JSON.stringify(exportFile).slice(1, -1)).join("<export>"));
}

/** `drift:state` of an export with a refresh that changed nothing: the state it would judge. */
function driftState(exportFile: string, emptyRefresh: string): StackExport {
  const r = run(ROOT, "drift-state.ts", [exportFile, emptyRefresh]);
  if (r.status !== 0) throw new Error(`drift:state ${exportFile} exited ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as StackExport;
}

function main(): void {
  const { values, help, problems } = parseCommandLine(process.argv.slice(2), FLAGS);
  if (help) {
    console.log(USAGE);
    return;
  }
  const before = values.before ? path.resolve(values.before) : undefined;
  const after = path.resolve(values.after ?? ROOT);
  for (const dir of [before, after]) {
    const problem = dir === undefined ? undefined : isCheckout(dir);
    if (problem) problems.push(problem);
  }
  if (problems.length > 0 || !before) {
    console.error(`${problems.join("\n")}\n${USAGE}`);
    process.exit(2);
  }
  const out = values.out
    ? path.resolve(values.out)
    : fs.mkdtempSync(path.join(os.tmpdir(), "compare-plans-"));
  const apps = Number(values.apps ?? 200);
  const scaled = path.join(out, `Pulumi.dev-${apps}.yaml`);
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    scaled,
    scaledStackFile(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"), apps),
  );
  const emptyRefresh = path.join(out, "empty-refresh.json");
  fs.writeFileSync(emptyRefresh, '{"steps": []}\n');
  const cases: Case[] = [
    { name: "dev", stack: "dev" },
    { name: "prod", stack: "prod" },
    { name: `dev-${apps}-apps`, stack: "dev", stackFile: scaled },
    // Pulumi.dev.yaml only: the example programs are planned as `--stack dev`.
    ...fs
      .readdirSync(path.join(ROOT, "examples"))
      .filter((d) => fs.existsSync(path.join(ROOT, "examples", d, "Pulumi.dev.yaml")))
      .map((d) => ({ name: d, stack: "dev", program: `examples/${d}` })),
  ];

  let different = false;
  const show = (what: string, c: Comparison) => {
    different ||= c.verdict === "different";
    console.log(`  ${what.padEnd(28)} ${c.verdict}`);
    for (const d of c.details) console.log(`      ${d}`);
  };
  for (const c of cases) {
    const dirs = { before: path.join(out, "before"), after: path.join(out, "after") };
    for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
    const a = plan(before, c, dirs.before);
    const b = plan(after, c, dirs.after);
    console.log(`${c.name}: ${(b.exportDoc.deployment.resources ?? []).length} resources in the export`);
    show("exit code", {
      verdict: a.status === b.status ? "identical" : "different",
      details: a.status === b.status ? [] : [`${a.status} vs ${b.status}`],
    });
    show("text", compareText(a.text, b.text));
    show("export (--export/--json)", compareExports(a.exportDoc, b.exportDoc));
    show("report (--report)", compareReports(a.report, b.report));
    show("diagram (--diagram)", compareLines(a.diagram, b.diagram));
    const exportOf = (dir: string) => path.join(dir, `${c.name}.json`);
    show(
      "analyzer --json",
      compareJson(analyze(c.stack, exportOf(dirs.before)), analyze(c.stack, exportOf(dirs.after))),
    );
    show(
      "drift:state (empty refresh)",
      compareExports(
        driftState(exportOf(dirs.before), emptyRefresh),
        driftState(exportOf(dirs.after), emptyRefresh),
      ),
    );
    show("change preview, both ways", compareChangePreview(a.exportDoc, b.exportDoc));
    const shared = sharedAliasCandidates(b.exportDoc);
    different ||= shared.length > 0;
    console.log(
      `  ${"alias URNs two could claim".padEnd(28)} ${shared.length === 0 ? "none (the preview's matching cannot depend on the order)" : shared.length}`,
    );
    for (const d of shared.slice(0, 10)) console.log(`      ${d}`);
  }
  console.log(`Outputs in ${out}`);
  process.exit(different ? 1 : 0);
}

main();
