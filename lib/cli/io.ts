/**
 * What the command-line scripts share about their input and output: output paths are checked
 * before any work starts, a reader that closes stdout early (`| head`, `| jq` failing) ends
 * the run quietly with its own exit code, and progress goes to a terminal only.
 */
import * as fs from "fs";
import * as path from "path";

/**
 * Why `file` cannot be written (its directory is missing, not a directory or not writable,
 * or `file` is a directory), or undefined when it can. Checked before the work starts, so a
 * bad path costs nothing.
 */
export function outputPathProblem(file: string): string | undefined {
  const dir = path.dirname(file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    return `directory ${dir} does not exist`;
  }
  if (!stat.isDirectory()) return `${dir} is not a directory`;
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    return `directory ${dir} is not writable`;
  }
  let existed = true;
  try {
    if (fs.statSync(file).isDirectory()) return "is a directory; give a file name";
    fs.accessSync(file, fs.constants.W_OK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") return "exists and is not writable";
    existed = false;
  }
  // The permission bits do not tell everything (root passes access(), a read-only or virtual
  // file system such as /proc refuses anyway): open it for appending, which writes nothing,
  // and remove it again if it was not there.
  try {
    fs.closeSync(fs.openSync(file, "a"));
    if (!existed) fs.unlinkSync(file);
  } catch (err) {
    return `cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
  return undefined;
}

/**
 * A closed stdout (the reader of a pipe went away) is not an error of ours: further output is
 * dropped and the process ends with the exit code it computes, instead of dying with an EPIPE
 * stack trace (which would turn a clean verdict into a failure).
 */
export function tolerateClosedStdout(): void {
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") return;
    throw err;
  });
}

/** Progress on stderr, only for a person at a terminal (never in CI, never into a file or pipe). */
export function progressWanted(quiet: boolean): boolean {
  const ci = process.env.CI;
  return !quiet && process.stderr.isTTY === true && (ci === undefined || ci === "" || ci === "false");
}

/** A one-line status on stderr, rewritten in place; `done()` erases it. */
export class Progress {
  private timer?: NodeJS.Timeout;
  private text = "";

  constructor(private readonly enabled: boolean) {}

  /** Shows `text`, re-rendered every 250 ms with `detail()` appended while it is the current step. */
  step(text: string, detail?: () => string): void {
    if (!this.enabled) return;
    this.text = text;
    this.render(detail);
    clearInterval(this.timer);
    if (detail) {
      this.timer = setInterval(() => this.render(detail), 250);
      this.timer.unref();
    }
  }

  done(): void {
    if (!this.enabled) return;
    clearInterval(this.timer);
    process.stderr.write("\r\x1b[2K");
  }

  private render(detail?: () => string): void {
    const seconds = process.uptime().toFixed(1);
    process.stderr.write(`\r\x1b[2K${this.text}${detail ? ` ${detail()}` : ""} (${seconds} s)`);
  }
}
