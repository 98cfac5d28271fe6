/** Runs one of the project's npm scripts (`scripts/<name>.ts`) as a child process, as a user would. */
import { spawnSync } from "child_process";
import * as path from "path";

export const ROOT = path.join(__dirname, "..", "..");
const TS_NODE = path.join(ROOT, "node_modules", ".bin", "ts-node");

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Extra environment for the child (merged over this process's). */
export interface RunOptions {
  env?: NodeJS.ProcessEnv;
}

/** `args` are the script's arguments; a trailing object gives `RunOptions`. */
export function runScript(script: string, ...args: (string | RunOptions)[]): Run {
  const options = args.find((a): a is RunOptions => typeof a === "object") ?? {};
  const argv = args.filter((a): a is string => typeof a === "string");
  const r = spawnSync(TS_NODE, ["--transpile-only", `scripts/${script}.ts`, ...argv], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0", ...options.env },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
