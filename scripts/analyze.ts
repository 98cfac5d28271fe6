/**
 * `npm run policy:analyze -- [--config FILE | --stack dev|prod] [--json] [--deployed] EXPORT.json...`
 *
 * Evaluates the policy pack against `pulumi stack export` files exactly as the engine would
 * (lib/analyzer: resource policies on inputs, stack policies on outputs with parents and
 * dependencies) and prints the violations grouped by severity.
 *
 * Exit codes: 0 no mandatory violation; 1 at least one mandatory violation; 2 unreadable
 * input (missing file, bad JSON, not a stack export or a malformed one, an export with no
 * resources, bad pack config, bad usage) or a policy that crashed. With `--json`, stdout
 * carries only the JSON document. Either form always says which Azure resources no service
 * policy evaluated and which checks could not run on unknown values (policy and resource).
 */
import * as fs from "fs";
import * as path from "path";
import * as v8 from "v8";
import { parseCommandLine, type FlagSpecs } from "../lib/cli/args";
import {
  loadPackConfig,
  PackConfigError,
  reconcilePackConfig,
  type PackConfig,
} from "../lib/analyzer/config";
import { platformPolicies } from "../policy/policies";
import {
  assertResourcesToEvaluate,
  assertStackExport,
  evaluateStackExport,
  type Evaluation,
  type Violation,
} from "../lib/analyzer/evaluate";
import { evaluateExportFile, StreamBail } from "../lib/analyzer/stream";
import { PolicyCrashError } from "../lib/analyzer/server";
import { coverageLines, mergeCoverage, type Coverage } from "../lib/analyzer/verdict";
import { SEVERITIES } from "../policy/lib/types";
import { tolerateClosedStdout } from "../lib/cli/io";
import { StackExportError, type StackExport } from "../policy/common/pulumiFormat";

const USAGE = `Usage: npm run policy:analyze -- [--config FILE | --stack dev|prod] [--json] [--deployed] EXPORT.json...

Evaluates the secure-azure-platform policy pack against one or more \`pulumi stack export\` files.
  --config FILE   policy pack config (the --policy-pack-config format)
  --stack NAME    use the preset policy/config/<NAME>.json (dev, prod)
  --json          print {"violations":[...],"summary":{...},"unevaluated":[...],"unknowns":[...],
                  "nonAzure":[...]} and nothing else on stdout
  --deployed      resource policies judge the deployed values: each input replaced by the output
                  of the same name (refreshed state, e.g. from npm run drift:state)
Without --config/--stack the pack's own defaults apply (every policy mandatory, strictest settings).
Exit codes: 0 no mandatory violation, 1 mandatory violations, 2 unreadable or empty input or bad usage.`;

class UsageError extends Error {}

interface Loaded {
  file: string;
  doc: StackExport;
}

const FLAGS = {
  config: { type: "string" },
  // A preset name: policy/config/<NAME>.json.
  stack: { type: "string", pattern: { test: /^[a-z0-9-]+$/i, what: "a stack name", allowed: "dev, prod" } },
  json: { type: "boolean" },
  deployed: { type: "boolean" },
} as const satisfies FlagSpecs;

function parse(argv: string[]) {
  const { values, positionals, help, problems } = parseCommandLine(argv, FLAGS, { positionals: true });
  if (help) return { help: true as const };
  if (values.config !== undefined && values.stack !== undefined) {
    problems.push("--config and --stack are exclusive: give one of them");
  }
  if (positionals.length === 0) problems.push("no export file given");
  if (problems.length > 0) throw new UsageError(problems.join("; "));
  return {
    help: false as const,
    config: values.config,
    stack: values.stack,
    json: values.json ?? false,
    deployed: values.deployed ?? false,
    files: positionals,
  };
}

/** Read and check every file first, so a bad one stops the run before anything is reported. */
function loadExports(files: string[]): Loaded[] {
  const problems: string[] = [];
  const loaded: Loaded[] = [];
  for (const file of files) {
    let text: string;
    try {
      // A UTF-8 byte order mark (PowerShell's `>` writes one) is not part of the JSON.
      text = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push(
        `${file}: cannot read it (${code === "ENOENT" ? "no such file" : (err as Error).message})`,
      );
      continue;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      problems.push(`${file}: not valid JSON (${(err as Error).message})`);
      continue;
    }
    try {
      assertStackExport(doc, file);
      assertResourcesToEvaluate(doc, file);
      loaded.push({ file, doc });
    } catch (err) {
      if (!(err instanceof StackExportError)) throw err;
      problems.push(err.message);
    }
  }
  if (problems.length) throw new StackExportError(problems.join("\n"));
  return loaded;
}

/**
 * Whether `file` may be streamed (`evaluateFiles`): a regular file reached by an ordinary path.
 * A device path (`/dev/stdin`, `/proc/self/fd/0`) is never streamed, even when it leads to a
 * regular file: on macOS and BSD it shares descriptor 0's offset, so reading it again for the
 * whole-document path would start at the end.
 */
export function streamable(file: string): boolean {
  if (/^\/(dev|proc)\//.test(path.resolve(file))) return false;
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Evaluate every file, in order. Each is read one resource at a time (lib/analyzer/stream.ts:
 * a big export is never held whole, and a resource's inputs are dropped once judged); when the
 * reader cannot vouch for a file, or a policy crashes, every file is read and checked first and
 * evaluated as a whole document, exactly as before, so any problem is reported as it always was
 * (every unreadable or malformed file at once, before anything is evaluated). Only regular
 * files are streamed (`streamable`): a pipe or `/dev/stdin` cannot be read a second time.
 */
async function evaluateFiles(
  files: string[],
  config: PackConfig | undefined,
  deployed: boolean,
): Promise<Evaluation[]> {
  if (files.every(streamable)) {
    try {
      const out: Evaluation[] = [];
      for (const file of files)
        out.push(await evaluateExportFile(file, { config, outcomes: false, deployed }));
      return out;
    } catch (err) {
      if (!(err instanceof StreamBail || err instanceof PolicyCrashError || err instanceof PackConfigError))
        throw err;
    }
  }
  const out: Evaluation[] = [];
  for (const { file, doc } of loadExports(files)) {
    out.push(
      await evaluateStackExport(doc, {
        config,
        file,
        outcomes: false,
        deployed,
        // loadExports checked every file.
        checked: true,
      }),
    );
  }
  return out;
}

function formatText(violations: Violation[], totals: Totals, coverage: Coverage, multi: boolean): string {
  const lines: string[] = [];
  for (const severity of SEVERITIES) {
    const group = violations.filter((v) => v.severity === severity);
    if (!group.length) continue;
    lines.push(`${severity.toUpperCase()} (${group.length})`);
    for (const v of group) {
      lines.push(`  [${v.level}] ${v.policy} (${v.controls.join(", ")})`);
      lines.push(`    resource: ${v.urn}${multi && v.file ? `  [${v.file}]` : ""}`);
      for (const line of v.message.split("\n")) lines.push(`    ${line}`);
      lines.push(`    fix: ${v.remediation}`);
    }
    lines.push("");
  }
  const files = `${totals.files} export${totals.files === 1 ? "" : "s"}`;
  lines.push(
    `${files}, ${totals.resources} resources, ${totals.policies} policies: ` +
      `${totals.mandatory} mandatory, ${totals.advisory} advisory violation(s)` +
      (totals.unknown ? `, ${totals.unknown} check(s) could not run on unknown values` : ""),
  );
  lines.push(...coverageLines(coverage));
  lines.push(
    totals.mandatory
      ? "FAILED: mandatory policy violations (pulumi preview/up would be blocked)."
      : "PASSED: no mandatory policy violation.",
  );
  return lines.join("\n");
}

interface Totals {
  files: number;
  resources: number;
  policies: number;
  mandatory: number;
  advisory: number;
  unknown: number;
  unevaluated: number;
}

export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parse(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`policy:analyze: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    let config: PackConfig | undefined;
    try {
      if (args.config !== undefined) config = loadPackConfig(path.resolve(args.config));
      else if (args.stack !== undefined) config = loadPackConfig(args.stack);
      // Unknown policies or parameters are found now, not after the files were read.
      const mismatch = config ? reconcilePackConfig(platformPolicies, config).problems : [];
      if (mismatch.length > 0)
        throw new PackConfigError(
          "the policy pack config does not match the policies' config schemas",
          mismatch,
        );
    } catch (err) {
      if (!(err instanceof PackConfigError)) throw err;
      // Every problem at once: the files' too.
      const problems = [err.message];
      try {
        loadExports(args.files);
      } catch (fileErr) {
        if (!(fileErr instanceof StackExportError)) throw fileErr;
        problems.push(fileErr.message);
      }
      process.stderr.write(`policy:analyze: ${problems.join("\n")}\n`);
      return 2;
    }
    const evaluations = await evaluateFiles(args.files, config, args.deployed);
    const violations: Violation[] = [];
    const totals: Totals = {
      files: evaluations.length,
      resources: 0,
      policies: 0,
      mandatory: 0,
      advisory: 0,
      unknown: 0,
      unevaluated: 0,
    };
    const coverages: Coverage[] = [];
    const warnings = new Set<string>();
    for (const [i, evaluation] of evaluations.entries()) {
      const file = args.files[i];
      violations.push(...evaluation.violations);
      totals.resources += evaluation.summary.resources;
      totals.policies = evaluation.summary.policies;
      totals.mandatory += evaluation.summary.mandatory;
      totals.advisory += evaluation.summary.advisory;
      totals.unknown += evaluation.summary.unknown;
      totals.unevaluated += evaluation.summary.unevaluated;
      coverages.push({
        unevaluated: evaluation.unevaluated,
        unknowns: evaluation.unknowns.map((u) => ({ ...u, file })),
        nonAzure: evaluation.nonAzure,
      });
      evaluation.warnings.forEach((w) => warnings.add(w));
    }
    for (const w of warnings) process.stderr.write(`policy:analyze: warning: ${w}\n`);
    const coverage = mergeCoverage(coverages);
    if (args.json) {
      const out = {
        violations: violations.map((v) => ({
          file: v.file,
          policy: v.policy,
          level: v.level,
          severity: v.severity,
          controls: v.controls,
          urn: v.urn,
          message: v.message,
        })),
        summary: totals,
        unevaluated: coverage.unevaluated,
        unknowns: coverage.unknowns,
        nonAzure: coverage.nonAzure,
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      process.stdout.write(`${formatText(violations, totals, coverage, evaluations.length > 1)}\n`);
    }
    return totals.mandatory > 0 ? 1 : 0;
  } catch (err) {
    if (
      err instanceof StackExportError ||
      err instanceof PackConfigError ||
      err instanceof PolicyCrashError
    ) {
      process.stderr.write(`policy:analyze: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

/**
 * V8's optimizing compiler (TurboFan) is turned off for this process before anything runs hot
 * (issue 17), where V8's mid-tier compiler (Maglev, on by default from Node 22) takes its place.
 * A run is one pass over the export: the functions hot enough for TurboFan (the reader, the props
 * readers, the policies' checks, thousands of calls each) were compiled on a background thread
 * and then ran for a few milliseconds before the process ended. On the 10k export that was about
 * a fifth of the process's CPU time (the main thread's own time the same with and without it),
 * which on a shared 2-core machine is taken from the main thread; at 50k the whole process is
 * faster without it too (BENCHMARKS.md, session 10). Node 20 has no Maglev by default: its flags
 * are left alone. No output changes, and Node's compile cache still accepts its entries.
 * Set here, not in the launcher: the plan, the pack and the tests keep V8's defaults.
 */
function tuneV8(): void {
  if (Number(process.versions.node.split(".")[0]) >= 22) v8.setFlagsFromString("--no-turbofan");
}

if (require.main === module) {
  tuneV8();
  tolerateClosedStdout();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(
        `policy:analyze: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 2;
    },
  );
}
