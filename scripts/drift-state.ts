/**
 * `npm run drift:state -- STATE.json REFRESH.json > REFRESHED.json`
 *
 * The drift workflow's view of what is deployed. `pulumi refresh --preview-only` reads every
 * resource from Azure but writes no state, so `pulumi stack export` still holds the last
 * recorded state. This joins the two: each resource of the export (STATE.json) that the refresh
 * preview's JSON (REFRESH.json, `pulumi refresh --preview-only --json`) reports a `newState` for
 * is replaced by that refreshed version; a resource the refresh found gone (a step without
 * `newState` that is not `same`) is dropped. Everything else (manifest, secrets provider, other
 * resources) is kept as exported. Secrets stay as the export and the preview carry them.
 *
 * Exit codes: 0 written to stdout; 2 unreadable input (missing file, bad JSON, not a stack
 * export, not a preview document), every problem reported at once.
 */
import * as fs from "fs";
import { assertStackExport } from "../lib/analyzer/evaluate";
import { parseCommandLine } from "../lib/cli/args";
import { StackExportError, type PreviewStep, type StackExport } from "../policy/common/pulumiFormat";

const USAGE = "Usage: npm run drift:state -- STATE.json REFRESH.json > REFRESHED.json";

function readJson(file: string, problems: string[]): unknown {
  try {
    // A UTF-8 byte order mark is not content, as for the analyzer.
    return JSON.parse(fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "")) as unknown;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problems.push(`${file}: ${code === "ENOENT" ? "no such file" : (err as Error).message}`);
    return undefined;
  }
}

function previewSteps(doc: unknown, file: string, problems: string[]): PreviewStep[] {
  const steps = (doc as { steps?: unknown } | null)?.steps;
  if (typeof doc !== "object" || doc === null || (steps !== undefined && !Array.isArray(steps))) {
    problems.push(
      `${file}: not a "pulumi refresh --preview-only --json" document (expected {"steps": [...]})`,
    );
    return [];
  }
  const out: PreviewStep[] = [];
  ((steps ?? []) as unknown[]).forEach((s, i) => {
    const step = s as Partial<PreviewStep> | null;
    if (typeof step?.op !== "string" || typeof step.urn !== "string") {
      problems.push(`${file}: step #${i} has no "op"/"urn"`);
    } else out.push(step as PreviewStep);
  });
  return out;
}

/** The export with the refresh preview's view of each resource. */
export function refreshedState(state: StackExport, steps: readonly PreviewStep[]): StackExport {
  const byUrn = new Map(steps.map((s) => [s.urn, s]));
  const resources = (state.deployment.resources ?? []).flatMap((r) => {
    const step = byUrn.get(r.urn);
    if (!step) return [r];
    if (step.newState) return [step.newState];
    return step.op === "same" ? [r] : [];
  });
  return { ...state, deployment: { ...state.deployment, resources } };
}

export function main(argv: string[]): number {
  // No flags: `--help` prints the usage; any other flag is named, not read as a file name.
  const { positionals, help, problems: usage } = parseCommandLine(argv, {}, { positionals: true });
  if (help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 2) usage.push(`expected 2 files, got ${positionals.length}`);
  if (usage.length > 0) {
    process.stderr.write(`drift:state: ${usage.join("; ")}\n${USAGE}\n`);
    return 2;
  }
  const [stateFile, refreshFile] = positionals;
  const problems: string[] = [];
  const state = readJson(stateFile, problems);
  const refresh = readJson(refreshFile, problems);
  if (state !== undefined) {
    try {
      assertStackExport(state, stateFile);
    } catch (err) {
      if (!(err instanceof StackExportError)) throw err;
      problems.push(err.message);
    }
  }
  const steps = refresh === undefined ? [] : previewSteps(refresh, refreshFile, problems);
  if (problems.length) {
    process.stderr.write(`drift:state: ${problems.join("\ndrift:state: ")}\n`);
    return 2;
  }
  process.stdout.write(`${JSON.stringify(refreshedState(state as StackExport, steps), null, 2)}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
