/**
 * CPU per test file, for issue 17's measurements (jest `setupFilesAfterEnv`; inert unless asked).
 *
 * `SAP_TEST_CPU=/tmp/cpu.tsv npm test` (or `npx jest ...`): each test file appends one
 * tab-separated line to that file when its last `afterAll` has run: its path under test/, the
 * seconds from before its imports to then (wall), the CPU seconds (user + system) its jest worker
 * spent in that span, all threads (GC and compiler included), and those of the child processes it
 * waited for (`spawnSync`, `execFileSync`, a child it killed and reaped: /proc/self/stat's cutime
 * and cstime, so Linux only, `-` elsewhere). On 2 shared cores the wall time of a file is mostly
 * the others' load; its CPU is the steadier figure, and what `npm test`'s total is made of.
 */
import * as fs from "fs";

/** Environment variable naming the file the lines are appended to. */
export const CPU_REPORT_ENV = "SAP_TEST_CPU";

/** USER_HZ: the unit of /proc's times, 100 on every Linux architecture Node supports. */
const TICKS_PER_SECOND = 100;

export interface CpuTimes {
  /** This process, all threads, in seconds. */
  self: number;
  /** The waited-for children, in seconds (undefined without /proc). */
  children: number | undefined;
}

export function cpuTimes(): CpuTimes {
  const { user, system } = process.cpuUsage();
  let children: number | undefined;
  try {
    // proc(5): after "pid (comm) ", field 3 (state) comes first; cutime and cstime are fields 16 and 17.
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    children = (Number(fields[16 - 3]) + Number(fields[17 - 3])) / TICKS_PER_SECOND;
  } catch {
    children = undefined;
  }
  return { self: (user + system) / 1e6, children };
}

/**
 * Starts measuring `testPath`; the returned function appends its line to `out`. The path is
 * written relative to the nearest `test/` folder above it.
 */
export function startReport(testPath: string, out: string): () => void {
  const started = Date.now();
  const before = cpuTimes();
  return () => {
    const after = cpuTimes();
    const children =
      after.children === undefined || before.children === undefined
        ? "-"
        : (after.children - before.children).toFixed(2);
    const file = testPath.replace(/^.*[\\/]test[\\/]/, "").replace(/\\/g, "/");
    const wall = ((Date.now() - started) / 1000).toFixed(2);
    fs.appendFileSync(out, `${file}\t${wall}\t${(after.self - before.self).toFixed(2)}\t${children}\n`);
  };
}

const out = process.env[CPU_REPORT_ENV];
const testPath = expect.getState().testPath;
if (out && testPath) afterAll(startReport(testPath, out));
