/**
 * Runs npm scripts' `main(argv)` one after the other in one process, the way their npm scripts
 * start them one at a time: `node scripts/launch.js test/helpers/sequence.ts RESULTS STEPS`, from
 * the launcher the scripts' own package.json lines name (test/docsCommands.test.ts, for the
 * commands a doc shows as a sequence). STEPS is JSON, `[{ "module": "scripts/plan.ts", "args":
 * [...] }, ...]`; each step's stdout and stderr are captured, and after each step RESULTS holds
 * the JSON list `{ status, stdout, stderr }` of the steps so far, so a step that ends the process
 * still leaves the others'. A step that throws is a crash its CLI would print as a stack trace:
 * status null, the stack on its stderr, and the next step runs. The process then ends by itself,
 * as a CLI's must (a timer or handle left behind keeps it alive).
 */
import * as fs from "fs";
import * as path from "path";

interface Step {
  module: string;
  args: string[];
}

export interface StepResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

type Write = typeof process.stdout.write;

/** A `write` that keeps what it is given, calling a callback as a pipe would once written. */
function capturing(into: string[]): Write {
  return (chunk: string | Uint8Array, ...rest: unknown[]) => {
    into.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    if (callback) process.nextTick(callback);
    return true;
  };
}

async function runSteps(resultsFile: string, steps: Step[]): Promise<void> {
  const results: StepResult[] = [];
  for (const step of steps) {
    const out: string[] = [];
    const err: string[] = [];
    const file = path.resolve(step.module);
    const { stdout, stderr } = { stdout: process.stdout.write, stderr: process.stderr.write };
    process.stdout.write = capturing(out);
    process.stderr.write = capturing(err);
    // As the launcher leaves it for the script it runs.
    process.argv = [process.argv[0], file, ...step.args];
    let status: number | null;
    try {
      const { main } = (await import(file)) as { main(argv: string[]): number | Promise<number> };
      status = await main(step.args);
    } catch (e) {
      status = null;
      err.push(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    } finally {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    }
    results.push({ status, stdout: out.join(""), stderr: err.join("") });
    fs.writeFileSync(resultsFile, JSON.stringify(results));
  }
}

if (require.main === module) {
  const [resultsFile, steps] = process.argv.slice(2);
  runSteps(resultsFile, JSON.parse(steps) as Step[]).catch((e: unknown) => {
    process.stderr.write(`sequence: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
