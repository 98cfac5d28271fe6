/**
 * `npm run lock-window -- --stack <stack> --preview <file> [--state EXPORT.json] [--apply]
 *                         [--record FILE]`
 *
 * The deploy's guarded lock window (BAK-2 stays intact; see docs/offline-plan.md, "Lock
 * window"): prints which CanNotDelete locks this change needs lifted and why; with --apply
 * lifts exactly those (`az lock delete --ids`), one audit line per lock on stdout and in
 * $GITHUB_STEP_SUMMARY, and writes the lifted locks' URNs to the record file for the deploy's
 * two `pulumi up` passes. Refuses (exit 1, nothing lifted) when the change deletes or replaces
 * a stateful or protected resource, a delete no window can cover, or a role assignment the deploy
 * identity may not delete (deploy/identities.yaml, the stack's environment).
 *
 * `--preview` is the output of `pulumi preview --refresh --stack S --json` (refreshed, as the
 * deploy's `pulumi up --refresh` is) or of
 * `npm run plan -- --stack S --diff-from OLD --json`. For the former the locks are read from
 * the stack's state: `--state` (a `pulumi stack export`) or else `pulumi stack export --stack S`.
 *
 * Exit codes: 0 nothing to lift, or lifted; 1 refused; 2 usage or unreadable input; 3 a
 * command (`pulumi stack export`, `az lock delete`) failed.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseCommandLine, STACK_NAME, type FlagSpecs } from "../lib/cli/args";
import { outputPathProblem } from "../lib/cli/io";
import { parseStackExport } from "../lib/offline/export";
import {
  isChangePreview,
  isPulumiPreview,
  LockWindowInputError,
  planFromChangePreview,
  planFromPulumiPreview,
  renderLockWindowPlan,
  type LockWindowPlan,
} from "../lib/offline/lockWindow";
import type { DeletePermissionCheck } from "../lib/offline/diff";
import { StackExportError } from "../policy/common/pulumiFormat";

const USAGE = `usage: npm run lock-window -- --stack <name> --preview <file> [--state EXPORT.json] [--apply]
                            [--record FILE]
  --stack <name>      the stack being deployed
  --preview <file>    \`pulumi preview --refresh --stack S --json\` output (refreshed, as the deploy's
                      \`pulumi up --refresh\`), or \`npm run plan -- --stack S
                      --diff-from OLD --json\` output
  --state FILE        the stack's \`pulumi stack export\` (default: runs \`pulumi stack export --stack S\`
                      when the preview is pulumi's)
  --apply             lift the locks (\`az lock delete --ids\`), audited
  --record FILE       with --apply: where the lifted locks' URNs go, one per line (default
                      lock-window-lifted.txt); the deploy excludes them from its first \`pulumi up\`
                      and targets them in the second, which recreates them`;

interface Args {
  stack?: string;
  preview?: string;
  state?: string;
  apply: boolean;
  record: string;
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

const FLAGS = {
  stack: { type: "string", required: true, pattern: STACK_NAME },
  preview: { type: "string", required: true },
  state: { type: "string" },
  apply: { type: "boolean" },
  record: { type: "string" },
} as const satisfies FlagSpecs;

function parseArgs(argv: string[]): Args {
  const { values, help, problems } = parseCommandLine(argv, FLAGS);
  if (help) {
    process.stdout.write(`${USAGE}\n`);
    throw new Exit(0);
  }
  const record = path.resolve(values.record ?? "lock-window-lifted.txt");
  // With --apply the record is what makes the deploy recreate the lifted locks: a path that
  // cannot be written must stop the run before any lock is lifted, not after (BAK-2).
  const recordProblem = values.apply ? outputPathProblem(record) : undefined;
  if (recordProblem) problems.push(`--record ${record}: ${recordProblem}`);
  if (problems.length > 0) fail(2, `lock-window: ${problems.join("; ")}\n${USAGE}`);
  return {
    stack: values.stack,
    preview: values.preview && path.resolve(values.preview),
    state: values.state && path.resolve(values.state),
    apply: values.apply ?? false,
    record,
  };
}

function readJson(file: string, flag: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail(2, `lock-window: ${flag} ${file}: ${code === "ENOENT" ? "no such file" : (err as Error).message}`);
  }
  try {
    // A UTF-8 byte order mark is not content (PowerShell's `pulumi preview --json > file`).
    return JSON.parse(text.replace(/^\uFEFF/, "")) as unknown;
  } catch (err) {
    fail(2, `lock-window: ${flag} ${file}: invalid JSON (${(err as Error).message})`);
  }
}

/** The stack's state: `--state`, or `pulumi stack export` (what the deploy identity can read). */
function readState(args: Args) {
  let text: unknown;
  let file: string;
  if (args.state) {
    file = args.state;
    text = readJson(args.state, "--state");
  } else {
    file = `pulumi stack export --stack ${args.stack}`;
    const r = spawnSync("pulumi", ["stack", "export", "--stack", args.stack as string], { encoding: "utf8" });
    if (r.status !== 0) {
      fail(
        3,
        `lock-window: ${file} failed (${r.error?.message ?? r.stderr.trim()}); pass --state FILE instead`,
      );
    }
    text = r.stdout;
  }
  try {
    return parseStackExport(text, file).deployment.resources;
  } catch (err) {
    if (err instanceof StackExportError) fail(2, `lock-window: --state ${err.message}`);
    throw err;
  }
}

function decide(args: Args): LockWindowPlan {
  const doc = readJson(args.preview as string, "--preview");
  try {
    if (isChangePreview(doc)) return planFromChangePreview(doc, args.stack as string, args.preview as string);
    if (isPulumiPreview(doc))
      return planFromPulumiPreview(doc, readState(args), args.preview as string, deleteCheck(args.stack!));
  } catch (err) {
    if (err instanceof LockWindowInputError) fail(2, `lock-window: --preview ${err.message}`);
    throw err;
  }
  fail(
    2,
    `lock-window: --preview ${args.preview}: neither \`pulumi preview --json\` output (with "steps") nor \`npm run plan -- --diff-from --json\` output (with "version": 1 and "lockWindow")`,
  );
}

/**
 * The deploy identity's permission to delete in the stack's environment (deploy/identities.yaml),
 * as the offline change preview judges it (`npm run plan -- --diff-from`, which decides it
 * itself): a role assignment whose role the RBAC administrator's condition no longer lists is
 * refused here, before any lock is lifted or anything deployed. Bad stack configuration or
 * declaration: exit 2. (Loaded only for a `pulumi preview` digest: it brings the SDK.)
 */
function deleteCheck(stack: string): DeletePermissionCheck {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { isConfigError, stackPlatformConfig } =
    require("../lib/offline/plan") as typeof import("../lib/offline/plan");
  const { roleAssignmentDeleteCheck } =
    require("../lib/offline/permissions") as typeof import("../lib/offline/permissions");
  /* eslint-enable @typescript-eslint/no-require-imports */
  try {
    const config = stackPlatformConfig(stack);
    // The identity that deploys is the stack's declared one: its own grants count as it holds them.
    return roleAssignmentDeleteCheck(config.environment, { objectId: config.deployPrincipalId });
  } catch (err) {
    if (isConfigError(err)) fail(2, `lock-window: stack ${stack}: ${err.message}`);
    throw err;
  }
}

function apply(plan: LockWindowPlan, args: Args): void {
  const lifted: string[] = [];
  const summary = process.env.GITHUB_STEP_SUMMARY;
  const who = process.env.GITHUB_ACTOR ?? process.env.USER ?? "unknown";
  const run = process.env.GITHUB_RUN_ID ? ` run ${process.env.GITHUB_RUN_ID}` : "";
  if (summary && plan.locks.length > 0)
    fs.appendFileSync(summary, `### Lock window (stack ${args.stack})\n\n`);
  for (const lock of plan.locks) {
    const r = spawnSync("az", ["lock", "delete", "--ids", lock.id], { encoding: "utf8" });
    if (r.status !== 0) {
      fs.writeFileSync(args.record, lifted.map((urn) => `${urn}\n`).join(""));
      fail(
        3,
        `lock-window: az lock delete --ids ${lock.id} failed (${r.error?.message ?? r.stderr.trim()}); ` +
          `${lifted.length} lock(s) already lifted are in ${args.record}: the deploy's second pulumi up recreates them`,
      );
    }
    lifted.push(lock.urn);
    const line =
      `lock-window: LIFTED ${lock.id} (stack ${args.stack}, ${new Date().toISOString()}, by ${who}${run}) ` +
      `for ${lock.for.length} delete(s): ${lock.for.join(", ")}; recreated by the deploy's pulumi up`;
    process.stdout.write(`${line}\n`);
    if (summary) fs.appendFileSync(summary, `- ${line}\n`);
  }
  fs.writeFileSync(args.record, lifted.map((urn) => `${urn}\n`).join(""));
  if (process.env.GITHUB_OUTPUT) fs.appendFileSync(process.env.GITHUB_OUTPUT, `lifted=${lifted.length}\n`);
}

/** The CLI: prints the plan (and lifts with --apply); returns the exit code. */
export function main(argv: string[]): number {
  try {
    const args = parseArgs(argv);
    const plan = decide(args);
    const text = renderLockWindowPlan(plan, args.stack as string);
    if (plan.refusals.length > 0) fail(1, text);
    process.stdout.write(`${text}\n`);
    if (args.apply) apply(plan, args);
    return 0;
  } catch (err) {
    if (err instanceof Exit) return err.code;
    throw err;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
