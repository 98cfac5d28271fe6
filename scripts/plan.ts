/**
 * `npm run plan -- [--stack dev|prod] [--stack-file PATH] [--export FILE] [--json]
 *                  [--report FILE] [--diagram FILE] [--diff-from OLD_EXPORT.json]`
 *
 * What `pulumi preview` would create for a stack, computed offline (no Azure, no Pulumi
 * CLI): the real program under Pulumi's mock runtime, with the stack's configuration as
 * the CLI would pass it. See docs/offline-plan.md.
 *
 * Exit codes: 0 plan ok; 1 the policy pack reports a mandatory violation, or the change
 * preview (--diff-from) finds data loss or a delete a lock would refuse; 2 bad
 * configuration or usage (the message names the key, flag or file); 3 the program failed
 * for another reason.
 */
import * as fs from "fs";
import * as path from "path";
import type { Evaluation, Violation } from "../lib/analyzer/evaluate";
import type { Plan } from "../lib/offline/plan";
import { SEVERITIES } from "../policy/lib/types";
import { outputPathProblem, Progress, progressWanted, tolerateClosedStdout } from "../lib/cli/io";

// The SDK and the program load only once the arguments are known to be good: a usage
// error answers at once. The evidence writers load only when asked for, after the plan: the
// report pulls in the whole policy pack, which the program's fresh load (lib/offline/plan.ts
// `loadProgram`) would otherwise purge and transpile a second time.
type PlanModule = typeof import("../lib/offline/plan");
type ExportModule = typeof import("../lib/offline/export");
type TreeModule = typeof import("../lib/offline/tree");
type DiffModule = typeof import("../lib/offline/diff");
type ReportModule = typeof import("../lib/evidence/report");
type DiagramModule = typeof import("../lib/evidence/diagram");

const PROJECT_ROOT = path.resolve(__dirname, "..");

const USAGE = `usage: npm run plan -- [--stack <name>] [--stack-file PATH] [--export FILE] [--json]
                     [--report FILE] [--diagram FILE] [--diff-from OLD_EXPORT.json]
  --stack <name>      stack to plan (default dev); reads Pulumi.<name>.yaml
  --stack-file PATH   read the stack configuration from PATH instead (the stack name still
                      comes from --stack)
  --export FILE       write the plan as a \`pulumi stack export\` document
  --json              print that document to stdout and nothing else
  --report FILE       write the compliance report (Markdown)
  --diagram FILE      write the architecture diagram (Mermaid)
  --diff-from FILE    change preview against an earlier export (ours or \`pulumi stack export\`):
                      creates, updates, replaces (with the reason) and deletes; exits 1 on data
                      loss or a delete a lock would refuse; with --json prints the preview as JSON`;

class UsageError extends Error {}

interface Args {
  stack: string;
  stackFile?: string;
  export?: string;
  json: boolean;
  report?: string;
  diagram?: string;
  diffFrom?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { stack: "dev", json: false };
  const valued = new Set(["--stack", "--stack-file", "--export", "--report", "--diagram", "--diff-from"]);
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i];
    let value: string | undefined;
    const eq = flag.indexOf("=");
    if (flag.startsWith("--") && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    if (flag === "--help" || flag === "-h") throw new UsageError(USAGE);
    if (flag === "--json") {
      if (value !== undefined) throw new UsageError("--json takes no value");
      args.json = true;
      continue;
    }
    if (!valued.has(flag)) {
      throw new UsageError(
        flag.startsWith("-") ? `unknown option ${flag}` : `unexpected argument ${JSON.stringify(flag)}`,
      );
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    }
    if (value.length === 0) throw new UsageError(`${flag} needs a value`);
    switch (flag) {
      case "--stack":
        if (!/^[A-Za-z0-9_.-]+$/.test(value)) throw new UsageError(`--stack ${value}: not a stack name`);
        args.stack = value;
        break;
      case "--stack-file":
        args.stackFile = path.resolve(value);
        break;
      case "--export":
        args.export = path.resolve(value);
        break;
      case "--report":
        args.report = path.resolve(value);
        break;
      case "--diagram":
        args.diagram = path.resolve(value);
        break;
      case "--diff-from":
        args.diffFrom = path.resolve(value);
        break;
    }
  }
  return args;
}

/**
 * The policy engine is loaded only when needed (after the flags are checked, so a usage error
 * answers at once), typed by its modules.
 */
type EngineModule = typeof import("../lib/analyzer/evaluate") & typeof import("../lib/analyzer/config");

/** The verdict: counts per severity, then each violation with what to do about it. */
function renderVerdict(evaluation: Evaluation, preset: string): string {
  const { violations, summary } = evaluation;
  const lines = [
    `Policy pack (preset ${preset}): ${summary.policies} policies on ${summary.resources} resources and the stack: ` +
      (violations.length === 0
        ? "no violations."
        : `${summary.mandatory} mandatory, ${summary.advisory} advisory violation(s).`),
  ];
  if (violations.length === 0) return lines.join("\n");
  lines.push(
    `  by severity: ${SEVERITIES.map((s) => `${s} ${violations.filter((v) => v.severity === s).length}`).join(", ")}`,
  );
  const order = (v: Violation) => (v.level === "mandatory" ? 0 : 10) + SEVERITIES.indexOf(v.severity);
  for (const v of [...violations].sort((a, b) => order(a) - order(b))) {
    lines.push(`  [${v.level}] [${v.severity}] ${v.policy} (${v.controls.join(", ")})`);
    lines.push(`    resource: ${v.urn}`);
    lines.push(`    ${v.message}`);
    lines.push(`    remediation: ${v.remediation}`);
  }
  return lines.join("\n");
}

function fail(code: number, message: string): never {
  process.stderr.write(`${message.trimEnd()}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  tolerateClosedStdout();
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      if (err.message === USAGE) {
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
      }
      fail(2, `plan: ${err.message}\n${USAGE}`);
    }
    throw err;
  }
  if (!args.stackFile && !fs.existsSync(path.join(PROJECT_ROOT, `Pulumi.${args.stack}.yaml`))) {
    const stacks = fs
      .readdirSync(PROJECT_ROOT)
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => s !== undefined);
    fail(
      2,
      `plan: unknown stack ${args.stack}: Pulumi.${args.stack}.yaml not found (stacks: ${stacks.join(", ")})`,
    );
  }
  if (args.stackFile && !fs.existsSync(args.stackFile)) {
    fail(2, `plan: --stack-file ${args.stackFile}: no such file`);
  }
  // Output paths are checked before the plan runs: a typo costs nothing.
  const outputs = (["export", "report", "diagram"] as const).flatMap((flag) => {
    const file = args[flag];
    const problem = file === undefined ? undefined : outputPathProblem(file);
    return problem ? [`--${flag} ${file}: ${problem}`] : [];
  });
  if (outputs.length > 0) fail(2, `plan: cannot write the output:\n  ${outputs.join("\n  ")}`);
  const progress = new Progress(progressWanted(args.json));
  progress.step(`Planning stack ${args.stack}: loading the program`);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const diff = args.diffFrom ? (require("../lib/offline/diff") as DiffModule) : undefined;
  let previous: ReturnType<DiffModule["readPreviousExport"]> | undefined;
  try {
    previous = diff?.readPreviousExport(args.diffFrom as string);
  } catch (err) {
    fail(2, `plan: ${(err as Error).message}`);
  }
  const { isConfigError, planStack } = require("../lib/offline/plan") as PlanModule;
  const { checkExportIntegrity } = require("../lib/offline/export") as ExportModule;
  const { renderSummary, renderTree, summarize } = require("../lib/offline/tree") as TreeModule;
  /* eslint-enable @typescript-eslint/no-require-imports */

  let plan: Plan;
  const registered: Plan["resources"] = [];
  try {
    plan = await planStack(args.stack, {
      stackFile: args.stackFile,
      registered,
      started: () =>
        progress.step(
          `Planning stack ${args.stack}: running the program`,
          () => `${registered.length} resources`,
        ),
    });
  } catch (err) {
    progress.done();
    if (isConfigError(err)) fail(2, `plan: stack ${args.stack}: ${err.message}`);
    // A component refusing its arguments is bad input too: the message names them, no stack trace.
    if (err instanceof Error && err.name === "ComponentArgsError")
      fail(2, `plan: stack ${args.stack}: ${err.message}`);
    fail(
      3,
      `plan: the program failed for stack ${args.stack}:\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
  }

  const stackExport = plan.toStackExport();
  const integrity = checkExportIntegrity(stackExport);
  if (integrity.length > 0) {
    fail(3, `plan: the export is inconsistent (a bug in the offline plan):\n  ${integrity.join("\n  ")}`);
  }
  const json = `${JSON.stringify(stackExport, null, 2)}\n`;
  const write = (flag: string, file: string, text: string) => {
    try {
      fs.writeFileSync(file, text);
    } catch (err) {
      progress.done();
      fail(2, `plan: --${flag} ${file}: cannot write (${(err as Error).message})`);
    }
  };
  if (args.export) write("export", args.export, json);
  progress.done();

  // Human output goes to stderr with --json, so stdout is the document and nothing else.
  const say = (text: string) => (args.json ? process.stderr : process.stdout).write(`${text}\n`);
  const changes =
    diff && previous
      ? diff.changePreviewOf(previous, stackExport, {
          stack: args.stack,
          from: path.relative(process.cwd(), args.diffFrom as string) || (args.diffFrom as string),
        })
      : undefined;
  if (args.json) {
    process.stdout.write(changes ? changes.json : json);
  } else {
    const location = plan.config.location;
    const cfg = plan.stackConfig;
    say(
      `Offline plan of stack ${plan.stack} (${plan.project}), region ${location}: ` +
        `${Object.keys(cfg.config).length} config keys (${cfg.secretKeys.length} secret), ` +
        `from ${path.relative(process.cwd(), cfg.file) || cfg.file}`,
    );
    say("");
    say(renderTree({ project: plan.project, stack: plan.stack, resources: plan.resources }));
    say("");
    say(renderSummary(summarize(plan.resources)));
  }
  if (args.export)
    say(`Wrote the stack export to ${path.relative(process.cwd(), args.export) || args.export}.`);

  /* eslint-disable @typescript-eslint/no-require-imports */
  const engine = {
    ...(require("../lib/analyzer/evaluate") as typeof import("../lib/analyzer/evaluate")),
    ...(require("../lib/analyzer/config") as typeof import("../lib/analyzer/config")),
  } as EngineModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  // The preset follows the stack's environment (a stack named otherwise still gets one).
  const preset = plan.config.environment;
  progress.step(`Planning stack ${args.stack}: evaluating the policy pack`);
  const packConfig = engine.loadPackConfig(preset);
  const evaluation = await engine.evaluateStackExport(stackExport, { config: packConfig });
  progress.done();
  say("");
  say(renderVerdict(evaluation, preset));
  // What the pack did not judge (unevaluated Azure types, unknown values), always said.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { coverageLines } = require("../lib/analyzer/verdict") as typeof import("../lib/analyzer/verdict");
  say(
    coverageLines(evaluation)
      .map((line) => `  ${line}`)
      .join("\n"),
  );
  if (changes) say(`\n${changes.text}`);
  let exitCode =
    evaluation.violations.some((v) => v.level === "mandatory") || (changes?.preview.failures.length ?? 0) > 0
      ? 1
      : 0;

  // Can the identities of deploy/identities.yaml perform this plan? (docs/offline-plan.md)
  /* eslint-disable-next-line @typescript-eslint/no-require-imports */
  const identities = require("../lib/offline/permissions") as typeof import("../lib/offline/permissions");
  const permissions = identities.renderPermissionReport(identities.checkPlanIdentities(plan));
  say("");
  say(permissions.text);
  exitCode = Math.max(exitCode, permissions.exitCode);

  // The report shows the config the evaluation ran with, not a second reading of the preset.
  const input = { plan, stackExport, evaluation, packConfig };
  if (args.report) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { writeReport } = require("../lib/evidence/report") as ReportModule;
    try {
      writeReport(args.report, input);
    } catch (err) {
      fail(2, `plan: --report ${args.report}: cannot write (${(err as Error).message})`);
    }
    say(`Wrote the compliance report to ${path.relative(process.cwd(), args.report)}.`);
  }
  if (args.diagram) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { writeDiagram } = require("../lib/evidence/diagram") as DiagramModule;
    try {
      writeDiagram(args.diagram, input);
    } catch (err) {
      fail(2, `plan: --diagram ${args.diagram}: cannot write (${(err as Error).message})`);
    }
    say(`Wrote the architecture diagram to ${path.relative(process.cwd(), args.diagram)}.`);
  }
  // Wall time of the whole command, from process start (loading the SDK and the program included).
  say(
    `Done in ${process.uptime().toFixed(1)} s (the program itself ran ${(plan.durationMs / 1000).toFixed(1)} s).`,
  );
  process.exitCode = exitCode;
}

main().catch((err: unknown) =>
  fail(3, `plan: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
);
