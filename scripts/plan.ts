/**
 * `npm run plan -- [--program DIR] [--stack dev|prod] [--stack-file PATH] [--config FILE]
 *                  [--export FILE] [--json] [--report FILE] [--diagram FILE] [--diff-from OLD_EXPORT.json]`
 *
 * What `pulumi preview` would create for a stack, computed offline (no Azure, no Pulumi
 * CLI): the real program under Pulumi's mock runtime, with the stack's configuration as
 * the CLI would pass it. This repository's stack, or with `--program` any Pulumi
 * TypeScript/JavaScript program directory (another team's). See docs/offline-plan.md.
 *
 * Exit codes: 0 plan ok; 1 the policy pack reports a mandatory violation, or the change
 * preview (--diff-from) finds data loss or a delete a lock would refuse; 2 bad
 * configuration or usage (the message names the key, flag or file); 3 the program failed
 * for another reason.
 */
import * as fs from "fs";
import * as path from "path";
import type { Evaluation, Violation } from "../lib/analyzer/evaluate";
import type { PackConfig } from "../lib/analyzer/config";
import type { Plan, PlannedProgram } from "../lib/offline/plan";
import { readProgramDir, stacksIn, type ProgramDir } from "../lib/offline/program";
import { SEVERITIES } from "../policy/lib/types";
import { parseCommandLine, STACK_NAME, type FlagSpecs } from "../lib/cli/args";
import { outputPathProblem, Progress, progressWanted, tolerateClosedStdout } from "../lib/cli/io";

// The SDK and the program load only once the arguments, the program directory and the output
// paths are known to be good: bad input answers at once. The evidence writers load only when
// asked for (the report pulls in the whole policy pack).
type PlanModule = typeof import("../lib/offline/plan");
type ExportModule = typeof import("../lib/offline/export");
type TreeModule = typeof import("../lib/offline/tree");
type DiffModule = typeof import("../lib/offline/diff");
type ReportModule = typeof import("../lib/evidence/report");
type DiagramModule = typeof import("../lib/evidence/diagram");

const PROJECT_ROOT = path.resolve(__dirname, "..");

const USAGE = `usage: npm run plan -- [--program DIR] [--stack <name>] [--stack-file PATH] [--config FILE]
                     [--export FILE] [--json] [--report FILE] [--diagram FILE]
                     [--diff-from OLD_EXPORT.json]
  --program DIR       plan another Pulumi TypeScript/JavaScript program: DIR/Pulumi.yaml (name,
                      runtime nodejs, main) and DIR/Pulumi.<name>.yaml (default: this stack)
  --stack <name>      stack to plan (default dev); reads Pulumi.<name>.yaml
  --stack-file PATH   read the stack configuration from PATH instead (the stack name still
                      comes from --stack)
  --config FILE       policy pack config (default: the preset policy/config/<env>.json, for
                      --program the preset named like the stack)
  --export FILE       write the plan as a \`pulumi stack export\` document
  --json              print that document to stdout and nothing else
  --report FILE       write the compliance report (Markdown)
  --diagram FILE      write the architecture diagram (Mermaid)
  --diff-from FILE    change preview against an earlier export (ours or \`pulumi stack export\`):
                      creates, updates, replaces (with the reason) and deletes; exits 1 on data
                      loss or a delete a lock would refuse; with --json prints the preview as JSON`;

const FLAGS = {
  stack: { type: "string", pattern: STACK_NAME },
  "stack-file": { type: "string" },
  program: { type: "string" },
  config: { type: "string" },
  export: { type: "string" },
  json: { type: "boolean" },
  report: { type: "string" },
  diagram: { type: "string" },
  "diff-from": { type: "string" },
} as const satisfies FlagSpecs;

interface Args {
  stack: string;
  stackFile?: string;
  /** Another team's program directory (`--program`); undefined plans this stack. */
  program?: string;
  /** Policy pack config file (`--config`) instead of the preset named like the stack. */
  packConfig?: string;
  export?: string;
  json: boolean;
  report?: string;
  diagram?: string;
  diffFrom?: string;
}

/** The flags, or every problem with them (exit 2 with the usage). */
function readArgs(argv: string[]): Args | { help: true } | { problems: string[] } {
  const { values, help, problems } = parseCommandLine(argv, FLAGS);
  if (help) return { help: true };
  if (problems.length > 0) return { problems };
  const resolved = (file: string | undefined) => (file === undefined ? undefined : path.resolve(file));
  return {
    stack: values.stack ?? "dev",
    stackFile: resolved(values["stack-file"]),
    program: resolved(values.program),
    packConfig: resolved(values.config),
    export: resolved(values.export),
    json: values.json ?? false,
    report: resolved(values.report),
    diagram: resolved(values.diagram),
    diffFrom: resolved(values["diff-from"]),
  };
}

/**
 * The policy engine is loaded only when needed (after the flags are checked, so a usage error
 * answers at once), typed by its modules.
 */
type EngineModule = typeof import("../lib/analyzer/evaluate");

/** The verdict: counts per severity, then each violation with what to do about it. */
function renderVerdict(evaluation: Evaluation, packConfig: string): string {
  const { violations, summary } = evaluation;
  const lines = [
    `Policy pack (${packConfig}): ${summary.policies} policies on ${summary.resources} resources and the stack: ` +
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

/** Ends the command with `code` (caught by `main`, which returns it: tests call `main` in-process). */
class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function fail(code: number, message: string): never {
  process.stderr.write(`${message.trimEnd()}\n`);
  throw new Exit(code);
}

/** The CLI: plans, evaluates and prints (writes what the flags ask for); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    return await runPlan(argv);
  } catch (err) {
    if (err instanceof Exit) return err.code;
    throw err;
  }
}

async function runPlan(argv: string[]): Promise<number> {
  const read = readArgs(argv);
  if ("help" in read) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ("problems" in read) fail(2, `plan: ${read.problems.join("; ")}\n${USAGE}`);
  const args = read;
  const problems: string[] = [];
  // Another team's program: its directory, Pulumi.yaml and stack file, checked before anything loads.
  let program: ProgramDir | undefined;
  if (args.program) {
    const checked = readProgramDir(args.program, args.stack, { stackFile: args.stackFile });
    program = checked.program;
    problems.push(...checked.problems);
  } else if (!args.stackFile && !fs.existsSync(path.join(PROJECT_ROOT, `Pulumi.${args.stack}.yaml`))) {
    problems.push(
      `unknown stack ${args.stack}: Pulumi.${args.stack}.yaml not found (stacks: ${stacksIn(PROJECT_ROOT).join(", ")})`,
    );
  } else if (args.stackFile && !fs.existsSync(args.stackFile)) {
    problems.push(`--stack-file ${args.stackFile}: no such file`);
  }
  // Output paths are checked before the plan runs: a typo costs nothing.
  for (const flag of ["export", "report", "diagram"] as const) {
    const file = args[flag];
    const problem = file === undefined ? undefined : outputPathProblem(file);
    if (problem) problems.push(`--${flag} ${file}: ${problem}`);
  }
  // The pack config: --config, or the preset named like another team's stack (ours: its environment).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const engineConfig = require("../lib/analyzer/config") as typeof import("../lib/analyzer/config");
  let packConfig: PackConfig | undefined;
  const preset = args.packConfig ?? (args.program ? args.stack : undefined);
  if (preset !== undefined) {
    try {
      packConfig = engineConfig.loadPackConfig(preset);
      // Unknown policies and parameters, values outside a schema: found before the plan runs
      // (the evaluation would refuse them only after the whole program ran, with a stack trace).
      const { platformPolicies } = require("../policy/policies") as typeof import("../policy/policies");
      const { problems: mismatch } = engineConfig.reconcilePackConfig(platformPolicies, packConfig);
      if (mismatch.length > 0)
        throw new engineConfig.PackConfigError(
          "the policy pack config does not match the policies' config schemas",
          mismatch,
        );
    } catch (err) {
      if (!(err instanceof engineConfig.PackConfigError)) throw err;
      problems.push(
        args.packConfig
          ? `--config ${args.packConfig}: ${err.message}`
          : `--stack ${args.stack}: ${err.message}; give the pack config with --config FILE`,
      );
    }
  }
  if (problems.length > 0) {
    // Every problem at once: the stack file's too, when it could be read (our stack; another
    // team's program has its own config rules, judged as its program runs).
    const stackFileExists = args.stackFile
      ? fs.existsSync(args.stackFile)
      : fs.existsSync(path.join(PROJECT_ROOT, `Pulumi.${args.stack}.yaml`));
    if (!args.program && stackFileExists) {
      const configError = (require("../lib/offline/plan") as PlanModule).stackConfigError(args.stack, {
        stackFile: args.stackFile,
      });
      if (configError) problems.push(`stack ${args.stack}: ${configError.message}`);
    }
    fail(2, `plan: ${problems.join("\n  ")}`);
  }
  const progress = new Progress(progressWanted(args.json));
  progress.step(`Planning stack ${args.stack}: loading the program`);
  const diff = args.diffFrom ? (require("../lib/offline/diff") as DiffModule) : undefined;
  let previous: ReturnType<DiffModule["readPreviousExport"]> | undefined;
  try {
    previous = diff?.readPreviousExport(args.diffFrom as string);
  } catch (err) {
    fail(2, `plan: ${(err as Error).message}`);
  }
  const offline = require("../lib/offline/plan") as PlanModule;
  const { checkExportIntegrity } = require("../lib/offline/export") as ExportModule;
  const { renderSummary, renderTree, summarize } = require("../lib/offline/tree") as TreeModule;
  /* eslint-enable @typescript-eslint/no-require-imports */

  let plan: PlannedProgram & { config?: Plan["config"] };
  const registered: Plan["resources"] = [];
  const started = () =>
    progress.step(
      `Planning stack ${args.stack}: running the program`,
      () => `${registered.length} resources`,
    );
  const what = program
    ? `program ${path.relative(process.cwd(), program.dir) || program.dir}, stack`
    : "stack";
  try {
    plan = program
      ? await offline.planProgram(program, args.stack, { stackFile: args.stackFile, registered, started })
      : await offline.planStack(args.stack, { stackFile: args.stackFile, registered, started });
  } catch (err) {
    progress.done();
    if (offline.isConfigError(err)) fail(2, `plan: ${what} ${args.stack}: ${err.message}`);
    // A component refusing its arguments is bad input too: the message names them, no stack trace.
    if (
      err instanceof Error &&
      (err.name === "ComponentArgsError" || err instanceof offline.ProgramInputError)
    )
      fail(2, `plan: ${what} ${args.stack}: ${err.message}`);
    fail(
      3,
      `plan: the program failed for ${what} ${args.stack}:\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
  }

  const stackExport = plan.toStackExport();
  const integrity = checkExportIntegrity(stackExport);
  if (integrity.length > 0) {
    fail(3, `plan: the export is inconsistent (a bug in the offline plan):\n  ${integrity.join("\n  ")}`);
  }
  // Serialized only when written or printed: for 200 apps it is a 30 MB string (issue 17).
  let serialized: string | undefined;
  const json = () => (serialized ??= `${JSON.stringify(stackExport, null, 2)}\n`);
  const write = (flag: string, file: string, text: string) => {
    try {
      fs.writeFileSync(file, text);
    } catch (err) {
      progress.done();
      fail(2, `plan: --${flag} ${file}: cannot write (${(err as Error).message})`);
    }
  };
  if (args.export) write("export", args.export, json());
  progress.done();

  // Human output goes to stderr with --json, so stdout is the document and nothing else.
  const say = (text: string) => (args.json ? process.stderr : process.stdout).write(`${text}\n`);
  // Our stack's deletes are judged against the identity that deploys it (deploy/identities.yaml);
  // another team's program runs as its own identity.
  const identities = plan.config
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require("../lib/offline/permissions") as typeof import("../lib/offline/permissions"))
    : undefined;
  const changes =
    diff && previous
      ? diff.changePreviewOf(previous, stackExport, {
          stack: args.stack,
          from: path.relative(process.cwd(), args.diffFrom as string) || (args.diffFrom as string),
          ...(identities && plan.config
            ? {
                canDelete: identities.roleAssignmentDeleteCheck(
                  plan.config.environment,
                  plan.invokes.find((i) => i.token === "azure-native:authorization:getClientConfig")?.result,
                ),
              }
            : {}),
        })
      : undefined;
  if (args.json) {
    process.stdout.write(changes ? changes.json : json());
  } else {
    const cfg = plan.stackConfig;
    say(
      `Offline plan of ${program ? `program ${path.relative(process.cwd(), program.dir) || program.dir}, ` : ""}` +
        `stack ${plan.stack} (${plan.project}), region ${plan.location ?? "not set"}: ` +
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

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const engine = require("../lib/analyzer/evaluate") as EngineModule;
  // Our stack's preset follows its environment (a stack named otherwise still gets one).
  const presetName = args.packConfig
    ? path.relative(process.cwd(), args.packConfig) || args.packConfig
    : (plan.config?.environment ?? args.stack);
  progress.step(`Planning stack ${args.stack}: evaluating the policy pack`);
  packConfig ??= engineConfig.loadPackConfig(presetName);
  let evaluation: Awaited<ReturnType<EngineModule["evaluateStackExport"]>>;
  try {
    evaluation = await engine.evaluateStackExport(stackExport, { config: packConfig });
  } catch (err) {
    progress.done();
    // A program that registers nothing to judge is bad input, as for the analyzer: exit 2, no stack trace.
    if (err instanceof Error && err.name === "StackExportError")
      fail(2, `plan: ${what} ${args.stack}: ${err.message}`);
    throw err;
  }
  progress.done();
  say("");
  say(renderVerdict(evaluation, args.packConfig ? `config ${presetName}` : `preset ${presetName}`));
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

  // Can the identities of deploy/identities.yaml perform this plan? (docs/offline-plan.md) They
  // deploy this repository's stack only: another team's program runs as its own identity.
  say("");
  if (identities && plan.config) {
    const permissions = identities.renderPermissionReport(
      identities.checkPlanIdentities({ ...plan, config: plan.config }),
    );
    say(permissions.text);
    exitCode = Math.max(exitCode, permissions.exitCode);
  } else {
    say(
      "Deploy identities: not checked (deploy/identities.yaml describes the identities that deploy this " +
        "repository's stacks, not another team's program; see docs/offline-plan.md).",
    );
  }

  // The report shows the config the evaluation ran with, not a second reading of the preset.
  const input = { plan, stackExport, evaluation, packConfig, preset: presetName };
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
  return exitCode;
}

if (require.main === module) {
  tolerateClosedStdout();
  main(process.argv.slice(2)).then(
    (code) => {
      // Bad input (2) and a failed program (3) end the process at once, as they always have: a
      // program that failed may leave the SDK's work pending. A plan that ran ends by itself.
      if (code >= 2) process.exit(code);
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`plan: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(3);
    },
  );
}
