/**
 * Runs the project's command-line scripts (`scripts/<name>.ts`) the two ways tests need:
 *
 * - `runScript("plan", ...args)`: a child process, started with the command of the npm script
 *   that runs `scripts/plan.ts` in package.json (as `npm run plan -- ...args` does, without
 *   npm's own start-up), so it follows however the scripts are launched. Costs a process
 *   start: use it where the process is the point (exit code, streams, what loads at start),
 *   and at least once per CLI.
 * - `runMain(main, ...args)`: the script's exported `main` in this process, stdout and stderr
 *   captured, the returned exit code as `status`. Milliseconds instead of seconds: for usage
 *   errors, bad input and variations of output.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const ROOT = path.join(__dirname, "..", "..");

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Extra environment for the child (merged over this process's). */
export interface RunOptions {
  env?: NodeJS.ProcessEnv;
}

let scripts: Record<string, string> | undefined;

/**
 * The shell command of the npm script that runs `scripts/<script>.ts` (e.g. for "plan",
 * package.json's `"plan"`), run from ROOT with node_modules/.bin on PATH.
 */
export function scriptCommand(script: string): string {
  scripts ??= (
    JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  const file = new RegExp(`(^|\\s)scripts/${script.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.ts(\\s|$)`);
  const found = Object.entries(scripts).filter(([, command]) => file.test(command));
  if (found.length !== 1) {
    throw new Error(
      `expected one npm script running scripts/${script}.ts, found ${found.length}: ${found.map(([n]) => n).join(", ")}`,
    );
  }
  return found[0][1];
}

/** The environment npm gives a script: node_modules/.bin first on PATH. */
export function scriptEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const bin = path.join(ROOT, "node_modules", ".bin");
  return {
    ...process.env,
    FORCE_COLOR: "0",
    ...extra,
    PATH: [bin, extra.PATH ?? process.env.PATH].filter(Boolean).join(path.delimiter),
  };
}

/** `args` are the script's arguments; a trailing object gives `RunOptions`. */
export function runScript(script: string, ...args: (string | RunOptions)[]): Run {
  const options = args.find((a): a is RunOptions => typeof a === "object") ?? {};
  const argv = args.filter((a): a is string => typeof a === "string");
  // As npm does: the script's command with the arguments appended, through the shell.
  const r = spawnSync("sh", ["-c", `${scriptCommand(script)} "$@"`, "sh", ...argv], {
    cwd: ROOT,
    encoding: "utf8",
    env: scriptEnv(options.env),
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Calls a script's exported `main(argv)` in this process with stdout and stderr captured
 * (everything it writes to `process.stdout`/`process.stderr`), as `runScript` would report the
 * child. `env` is set for the call only. A throw is a crash the child would have printed as a
 * stack trace: it propagates and fails the test.
 */
export async function runMain(
  main: (argv: string[]) => number | Promise<number>,
  ...args: (string | RunOptions)[]
): Promise<Run> {
  const options = args.find((a): a is RunOptions => typeof a === "object") ?? {};
  const argv = args.filter((a): a is string => typeof a === "string");
  const out: string[] = [];
  const err: string[] = [];
  const capture = (into: string[]) => (chunk: string | Uint8Array) => {
    into.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  };
  const stdout = jest.spyOn(process.stdout, "write").mockImplementation(capture(out));
  const stderr = jest.spyOn(process.stderr, "write").mockImplementation(capture(err));
  const saved = Object.fromEntries(Object.keys(options.env ?? {}).map((k) => [k, process.env[k]]));
  Object.assign(process.env, options.env);
  // A child's streams are pipes, whatever this process's are (progress, colours).
  const tty = [process.stdout, process.stderr].map((s) => Object.getOwnPropertyDescriptor(s, "isTTY"));
  for (const s of [process.stdout, process.stderr])
    Object.defineProperty(s, "isTTY", { value: false, configurable: true, writable: true });
  try {
    const status = await main(argv);
    return { status, stdout: out.join(""), stderr: err.join("") };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    [process.stdout, process.stderr].forEach((s, i) => {
      const d = tty[i];
      if (d) Object.defineProperty(s, "isTTY", d);
      else delete (s as { isTTY?: boolean }).isTTY;
    });
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
