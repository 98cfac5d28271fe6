/** The per-file CPU report (test/helpers/cpuReport.ts) measures what it says it does. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cpuTimes, startReport } from "./cpuReport";

/** Spends `ms` of this process's CPU (CPU, not wall: the same on a loaded machine). */
function burn(ms: number): void {
  const from = process.cpuUsage();
  for (let u = { user: 0, system: 0 }; u.user + u.system < ms * 1000; u = process.cpuUsage(from));
}

/** A child that spends `ms` of CPU (and its start-up) and exits. */
const busyChild = (ms: number) =>
  spawnSync(process.execPath, ["-e", `(${burn.toString()})(${ms})`], { encoding: "utf8" });

describe("the per-file CPU report", () => {
  it("counts a waited-for child's CPU as the children's, not this process's", () => {
    const before = cpuTimes();
    expect(busyChild(100).status).toBe(0);
    const after = cpuTimes();
    if (process.platform !== "linux") return expect(after.children).toBeUndefined();
    expect(after.children! - before.children!).toBeGreaterThanOrEqual(0.09);
    expect(after.self - before.self).toBeLessThan(after.children! - before.children!);
  });

  it("counts this process's own CPU as its own", () => {
    const before = cpuTimes();
    burn(100);
    const after = cpuTimes();
    expect(after.self - before.self).toBeGreaterThanOrEqual(0.09);
    if (process.platform === "linux") expect(after.children).toBe(before.children);
  });

  it("appends one line per file: its path under test/, wall, own CPU and the children's", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cpu-report-"));
    try {
      const out = path.join(dir, "cpu.tsv");
      fs.writeFileSync(out, "earlier\tline\n");
      const finish = startReport(path.join("/repo", "test", "policy", "x.test.ts"), out);
      busyChild(100);
      finish();
      const [earlier, line, rest] = fs.readFileSync(out, "utf8").split("\n");
      expect(earlier).toBe("earlier\tline");
      expect(rest).toBe("");
      const [file, wall, self, children] = line.split("\t");
      expect(file).toBe("policy/x.test.ts");
      expect(Number(wall)).toBeGreaterThanOrEqual(0.09);
      expect(Number(self)).toBeGreaterThanOrEqual(0);
      if (process.platform === "linux") {
        expect(Number(children)).toBeGreaterThanOrEqual(0.09);
        expect(Number(self)).toBeLessThan(Number(children));
      } else expect(children).toBe("-");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
