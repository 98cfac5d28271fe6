/**
 * `npm run policy:analyze` on the offline plan's real exports: exit codes, several files at
 * once, grouping by severity, the --json contract, --config, unreadable input and exports with
 * Pulumi's omitted empty fields. The first case runs the script end to end as a child process
 * (as test/plan.test.ts runs the plan script); a process start costs more than a second, so the
 * others call its `main` in-process with the output captured (`runMain`), and argument errors
 * caught before any file is read check `main`'s return directly.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, streamable } from "../../scripts/analyze";
import { runMain, runScript, type Run } from "../helpers/cli";
import { sharedExport } from "../helpers/plans";
import { countedResources, type StackExport } from "../../policy/common/pulumiFormat";

/** In-process, output captured (the child-process run is the first describe). */
const analyze = (...args: string[]): Promise<Run> => runMain(main, ...args);

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

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "analyze-"));
  devFile = write("dev.json", JSON.stringify(await sharedExport("dev"), null, 2));
  prodFile = write("prod.json", JSON.stringify(await sharedExport("prod"), null, 2));
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("exports that pass: dev as planned and dev with Pulumi's empty fields omitted", () => {
  let run: Run;
  let omitted: { deployment: { resources: Record<string, unknown>[] } };
  beforeAll(() => {
    // `pulumi stack export` leaves out empty inputs, outputs, dependencies and propertyDependencies.
    omitted = JSON.parse(fs.readFileSync(devFile, "utf8")) as typeof omitted;
    for (const r of omitted.deployment.resources) {
      for (const key of ["dependencies", "propertyDependencies", "outputs", "inputs"]) {
        const v = r[key];
        if (
          v === undefined ||
          (Array.isArray(v) && v.length === 0) ||
          (typeof v === "object" && v !== null && Object.keys(v).length === 0)
        )
          delete r[key];
      }
    }
    run = runScript("analyze", "--stack", "dev", devFile, write("omitted.json", JSON.stringify(omitted)));
  });

  it("the omitted export really lacks the fields (the root stack resource has no inputs)", () => {
    expect(omitted.deployment.resources[0].inputs).toBeUndefined();
    expect(omitted.deployment.resources.some((r) => r.dependencies === undefined)).toBe(true);
  });

  it("exits 0 with both files evaluated and no violation", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/2 exports, \d+ resources, \d+ policies: 0 mandatory, 0 advisory violation/);
    expect(run.stdout).toContain("PASSED");
  });

  it("always says which Azure resources no service policy evaluated, by type", () => {
    expect(run.stdout).toMatch(
      /Not evaluated by any service policy \(only location, tags and the type gate judged them\): \d+ Azure resource\(s\) of \d+ type\(s\):\n {2}azure-native:\S+ x\d+/,
    );
    expect(run.stdout).toMatch(/azure-native:privatedns:PrivateZone x\d+/);
    expect(run.stdout).toMatch(
      /Not Azure resources \(judged only by no-provider-escape-hatches: package reviewed or resource allow-listed\): random:index\/randomString:RandomString x\d+/,
    );
  });
});

describe("dev and prod at once with the prod preset", () => {
  // Dev relaxes what prod requires (CMK, zone redundancy, locks, replicas) and is tagged dev.
  const PROD_ONLY = [
    "postgres-customer-managed-key",
    "postgres-zone-redundant-ha",
    "stateful-resources-locked",
    "single-environment-per-stack",
    "container-app-frontend-replicas",
  ];

  describe("--json", () => {
    let run: Run;
    let report: Report;
    beforeAll(async () => {
      run = await analyze("--stack", "prod", "--json", devFile, prodFile);
      report = JSON.parse(run.stdout) as Report;
    });

    it("exits 1: dev breaks prod-only rules", () => {
      expect(run.status).toBe(1);
    });

    it("prints only the JSON document, every violation with the contract's fields", () => {
      expect(Object.keys(report).sort()).toEqual([
        "nonAzure",
        "summary",
        "unevaluated",
        "unknowns",
        "violations",
      ]);
      expect(report.violations.length).toBeGreaterThan(0);
      for (const v of report.violations) {
        expect(Object.keys(v).sort()).toEqual(
          ["controls", "file", "level", "message", "policy", "severity", "urn"].sort(),
        );
        expect(v.controls.length).toBeGreaterThan(0);
        expect(v.urn).toMatch(/^urn:pulumi:dev::/);
      }
    });

    it("summarizes both files and counts what it lists", () => {
      expect(report.summary).toMatchObject({ files: 2, mandatory: report.violations.length, advisory: 0 });
      // The plan's count (countedResources): no stack resource, no providers, in both files.
      const counted = [devFile, prodFile]
        .map((f) => JSON.parse(fs.readFileSync(f, "utf8")) as StackExport)
        .reduce((n, doc) => n + countedResources(doc.deployment.resources).length, 0);
      expect(report.summary.resources).toBe(counted);
    });

    it("blames only the dev file, for what prod requires and dev relaxes", () => {
      expect(new Set(report.violations.map((v) => v.file))).toEqual(new Set([devFile]));
      const policies = new Set(report.violations.map((v) => v.policy));
      for (const p of PROD_ONLY) expect(policies).toContain(p);
      expect(report.violations.every((v) => v.level === "mandatory")).toBe(true);
    });
  });

  it("human output: grouped by severity, each with level, policy, controls, resource, file and fix", async () => {
    const run = await analyze("--stack", "prod", devFile, prodFile);
    expect(run.status).toBe(1);
    const order = ["CRITICAL (", "HIGH (", "MEDIUM (", "LOW ("]
      .map((h) => run.stdout.indexOf(h))
      .filter((i) => i >= 0);
    expect(order.length).toBeGreaterThanOrEqual(2);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(run.stdout).toMatch(
      /\[mandatory\] postgres-zone-redundant-ha \(AVL-1\)\n\s+resource: urn:pulumi:dev::\S+ {2}\[[^\]]*dev\.json\]\n/,
    );
    const entries = run.stdout.match(/\[mandatory\] /g) ?? [];
    expect(run.stdout.match(/\n\s+fix: /g)).toHaveLength(entries.length);
    expect(run.stdout).not.toContain("prod.json]");
    expect(run.stdout).toContain("FAILED: mandatory policy violations");
  });
});

describe("--config", () => {
  it("applies a config file: advisory everywhere makes the same findings non-blocking", async () => {
    const config = write("advisory.json", JSON.stringify({ all: "advisory" }));
    const run = await analyze("--config", config, "--json", devFile);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.violations.length).toBeGreaterThan(0);
    expect(report.violations.every((v) => v.level === "advisory")).toBe(true);
  });

  it("refuses a misspelled policy or parameter with a did-you-mean (exit 2): the engine would ignore it", async () => {
    const config = write(
      "typo.json",
      JSON.stringify({ "blob-service-soft-delete": { minRetentionDay: 7 }, "allowed-location": "advisory" }),
    );
    const run = await analyze("--config", config, devFile);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      'blob-service-soft-delete.minRetentionDay: not a parameter of blob-service-soft-delete (did you mean "minRetentionDays"?)',
    );
    expect(run.stderr).toContain(
      'allowed-location: not a policy of the pack (did you mean "allowed-locations"?)',
    );
    expect(run.stdout).toBe("");
  });

  it("refuses a malformed config file, naming it (exit 2)", async () => {
    const config = write("bad-config.json", JSON.stringify({ all: "sometimes" }));
    const run = await analyze("--config", config, devFile);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("bad-config.json");
  });
});

describe("which files are read one resource at a time", () => {
  it("streams a regular file, never a device path that leads to one, a directory or a missing file", () => {
    expect(streamable(devFile)).toBe(true);
    expect(streamable("/dev/stdin")).toBe(false);
    expect(streamable("/proc/self/fd/0")).toBe(false);
    expect(streamable(path.dirname(devFile))).toBe(false);
    expect(streamable(path.join(path.dirname(devFile), "missing.json"))).toBe(false);
  });
});

describe("unreadable input and bad usage exit 2, naming the problem", () => {
  it("a missing file, invalid JSON and JSON that is not an export: each named, nothing evaluated", async () => {
    const run = await analyze(
      "--stack",
      "dev",
      devFile,
      path.join(dir, "nope.json"),
      write("broken.json", "{ not json"),
      write("other.json", JSON.stringify({ hello: 1 })),
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/nope\.json: cannot read it \(no such file\)/);
    expect(run.stderr).toMatch(/broken\.json: not valid JSON/);
    expect(run.stderr).toMatch(/other\.json/);
    expect(run.stdout).toBe("");
  });

  it("malformed shapes and empty exports: every file, resource and field named, no stack trace; a BOM is fine", async () => {
    const doc = JSON.parse(fs.readFileSync(devFile, "utf8")) as {
      deployment: { resources: Record<string, unknown>[] };
    };
    const victim = doc.deployment.resources[5];
    victim.dependencies = "urn:pulumi:dev::x";
    doc.deployment.resources[7].inputs = "loose";
    const bom = write("bom.json", `\uFEFF${fs.readFileSync(devFile, "utf8")}`);
    const run = await analyze(
      "--stack",
      "dev",
      bom,
      write("malformed.json", JSON.stringify(doc)),
      write("empty.json", JSON.stringify({ version: 3, deployment: { manifest: {} } })),
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      `malformed.json is not a pulumi stack export: 2 malformed field(s):\n  - resource #5 (${String(victim.urn)}): "dependencies" is a string, expected an array of URN strings`,
    );
    expect(run.stderr).toMatch(/resource #7 \(\S+\): "inputs" is a string, expected an object/);
    expect(run.stderr).toMatch(/empty\.json holds no resources to evaluate/);
    expect(run.stderr).not.toContain("bom.json");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect((await analyze("--stack", "dev", bom)).status).toBe(0);
  });

  it("a --config the policies refuse and unreadable files: all named in one run", async () => {
    const config = write("typo-config.json", JSON.stringify({ "storage-acount-tls": "advisory" }));
    const run = await analyze(
      "--config",
      config,
      path.join(dir, "missing.json"),
      write("half.json", '{"a":'),
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      'storage-acount-tls: not a policy of the pack (did you mean "storage-account-tls"?)',
    );
    // Used to name only the files, then the config on the next run.
    expect(run.stderr).toContain("missing.json: cannot read it (no such file)");
    expect(run.stderr).toContain("half.json: not valid JSON");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("an unknown flag", async () => {
    const run = await analyze("--stakc", "dev", devFile);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/stakc/);
    expect(run.stderr).toContain("Usage:");
  });

  describe("argument errors found before any file is read (in-process)", () => {
    let stderr: jest.SpyInstance;
    beforeEach(() => {
      stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    });
    afterEach(() => stderr.mockRestore());
    const written = () => stderr.mock.calls.map((c: unknown[]) => String(c[0])).join("");

    it.each([
      ["no file at all", ["--stack", "dev"], /no export file/],
      ["--config with --stack", ["--config", "x.json", "--stack", "dev", "a.json"], /exclusive/],
      ["a stack name that is not one", ["--stack", "../prod", "a.json"], /not a stack name/],
    ])("%s", async (_what, args, message) => {
      expect(await main(args)).toBe(2);
      expect(written()).toMatch(message);
    });
  });
});
