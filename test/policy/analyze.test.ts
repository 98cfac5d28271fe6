/**
 * `npm run policy:analyze` end to end, as a child process, on the offline plan's real exports:
 * exit codes, several files at once, grouping by severity, the --json contract, --config,
 * unreadable input and exports with Pulumi's omitted empty fields. Runs are shared.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planStack } from "../../lib/offline/plan";

const ROOT = path.join(__dirname, "..", "..");
const TS_NODE = path.join(ROOT, "node_modules", ".bin", "ts-node");

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function analyze(...args: string[]): Run {
  const r = spawnSync(TS_NODE, ["--transpile-only", "scripts/analyze.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Report {
  violations: {
    file: string;
    policy: string;
    level: string;
    severity: string;
    controls: string[];
    urn: string;
    message: string;
  }[];
  summary: Record<string, unknown>;
}

let dir: string;
let devFile: string;
let prodFile: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "analyze-"));
  devFile = path.join(dir, "dev.json");
  prodFile = path.join(dir, "prod.json");
  fs.writeFileSync(devFile, JSON.stringify((await planStack("dev")).toStackExport(), null, 2));
  fs.writeFileSync(prodFile, JSON.stringify((await planStack("prod")).toStackExport(), null, 2));
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the plan's own exports", () => {
  it("dev with the dev preset: exit 0, no violations", () => {
    const run = analyze("--stack", "dev", devFile);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/1 export, \d+ resources, \d+ policies: 0 mandatory, 0 advisory violation/);
  });

  describe("dev and prod at once with the prod preset (--json)", () => {
    let run: Run;
    let report: Report;
    beforeAll(() => {
      run = analyze("--stack", "prod", "--json", devFile, prodFile);
      report = JSON.parse(run.stdout) as Report;
    });

    it("exits 1: dev breaks prod-only rules", () => {
      expect(run.status).toBe(1);
    });

    it("prints only the JSON document with the contract's fields", () => {
      expect(Object.keys(report).sort()).toEqual(["summary", "violations"]);
      for (const v of report.violations) {
        expect(Object.keys(v)).toEqual(
          expect.arrayContaining(["file", "policy", "level", "severity", "controls", "urn", "message"]),
        );
      }
    });

    it("blames only the dev file, for what prod requires and dev relaxes", () => {
      expect(new Set(report.violations.map((v) => v.file))).toEqual(new Set([devFile]));
      const policies = new Set(report.violations.map((v) => v.policy));
      for (const p of [
        "postgres-customer-managed-key",
        "stateful-resources-locked",
        "single-environment-per-stack",
        "container-app-frontend-replicas",
      ])
        expect(policies).toContain(p);
      expect(report.violations.every((v) => v.level === "mandatory")).toBe(true);
    });
  });

  it("groups the human output by severity with resource, policy, controls and fix", () => {
    const run = analyze("--stack", "prod", devFile);
    expect(run.status).toBe(1);
    const high = run.stdout.indexOf("HIGH (");
    const medium = run.stdout.indexOf("MEDIUM (");
    expect(high).toBeGreaterThanOrEqual(0);
    expect(medium).toBeGreaterThan(high);
    expect(run.stdout).toMatch(
      /\[mandatory\] postgres-zone-redundant-ha \(AVL-1\)\n\s+resource: urn:pulumi:dev::/,
    );
    expect(run.stdout).toMatch(/\n\s+fix: /);
    expect(run.stdout).toContain("FAILED: mandatory policy violations");
  });
});

describe("--config", () => {
  it("applies a config file: advisory everywhere makes the same findings non-blocking", () => {
    const config = path.join(dir, "advisory.json");
    fs.writeFileSync(config, JSON.stringify({ all: "advisory" }));
    const run = analyze("--config", config, "--json", devFile);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.violations.length).toBeGreaterThan(0);
    expect(report.violations.every((v) => v.level === "advisory")).toBe(true);
  });

  it("refuses a malformed config file, naming it (exit 2)", () => {
    const config = path.join(dir, "bad-config.json");
    fs.writeFileSync(config, JSON.stringify({ all: "sometimes" }));
    const run = analyze("--config", config, devFile);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("bad-config.json");
  });
});

describe("unreadable input and bad usage exit 2, naming the problem", () => {
  it.each([
    ["a missing file", () => [path.join(dir, "nope.json")], /nope\.json/],
    ["invalid JSON", () => [write("broken.json", "{ not json")], /broken\.json/],
    [
      "JSON that is not a stack export",
      () => [write("other.json", JSON.stringify({ hello: 1 }))],
      /other\.json/,
    ],
    ["no file at all", () => [], /no export file/],
    ["an unknown flag", () => ["--stakc", "dev", devFile], /stakc/],
    ["--config with --stack", () => ["--config", "x.json", "--stack", "dev", devFile], /exclusive/],
  ] as const)("%s", (_what, args, message) => {
    const run = analyze(...args());
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

it("reads exports whose empty fields Pulumi omitted (inputs, outputs, dependencies)", () => {
  const doc = JSON.parse(fs.readFileSync(devFile, "utf8")) as {
    deployment: { resources: Record<string, unknown>[] };
  };
  for (const r of doc.deployment.resources) {
    for (const key of ["dependencies", "propertyDependencies", "outputs", "inputs"]) {
      const v = r[key];
      if (
        v === undefined ||
        (Array.isArray(v) && v.length === 0) ||
        (typeof v === "object" && v && Object.keys(v).length === 0)
      )
        delete r[key];
    }
  }
  // The root stack resource has no inputs at all once omitted.
  expect(doc.deployment.resources[0].inputs).toBeUndefined();
  const run = analyze("--stack", "dev", write("omitted.json", JSON.stringify(doc)));
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
});
