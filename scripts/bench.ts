/**
 * `npm run bench [-- --runs N] [--json] [--only CASE]` — the platform's speed and memory figures
 * (issue 8). Every measurement runs in a fresh Node process (what a user or CI pays, cold
 * module cache included), several times; the table shows the median and the peak RSS.
 * Figures go to BENCHMARKS.md; tests never assert timings.
 *
 * Cases:
 *   plan:dev, plan:prod      the offline plan of each stack (program run under mocks)
 *   plan:apps:N              the dev stack with N container apps (1, 10, 50, 200), config only
 *   policy:10k               the pack on a 10,000-resource export vs JSON.parse of the same text
 *   pack:load                loading @pulumi/policy and the pack's policies (ts-node, as
 *                            `pulumi preview --policy-pack policy` does), transpile-only and type-checked
 */
import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const APP_COUNTS = [1, 10, 50, 200];

/** What a child process reports: named durations in ms, counts, and its peak RSS. */
interface Sample {
  times: Record<string, number>;
  counts: Record<string, number>;
  maxRssMb: number;
}

interface CaseSpec {
  id: string;
  title: string;
  runs: number;
}

function cases(runs: number | undefined): CaseSpec[] {
  return [
    { id: "plan:dev", title: "offline plan, dev", runs: runs ?? 5 },
    { id: "plan:prod", title: "offline plan, prod", runs: runs ?? 5 },
    ...APP_COUNTS.map((n) => ({
      id: `plan:apps:${n}`,
      title: `offline plan, dev with ${n} apps`,
      runs: runs ?? 3,
    })),
    { id: "policy:10k", title: "policy evaluation, 10,000-resource export", runs: runs ?? 3 },
    { id: "pack:load:transpile", title: "policy pack load (ts-node transpile-only)", runs: runs ?? 3 },
    { id: "pack:load:typecheck", title: "policy pack load (ts-node type-checked)", runs: runs ?? 3 },
  ];
}

// ---------------------------------------------------------------------------------------------
// Child side: one measurement, printed as one JSON line.

function appsConfig(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `app${String(i).padStart(3, "0")}`,
    image: "mcr.microsoft.com/k8se/quickstart:latest",
    targetPort: 8080,
    ingress: i === 0 ? "frontend" : "internal",
    minReplicas: 1,
    maxReplicas: 3,
    env: { LOG_LEVEL: "info" },
    secrets: { API_KEY: `app${i}-api-key` },
    uses: ["keyvault", "postgres", "storage", "redis"],
  }));
}

function rssMb(): number {
  // maxRSS is in kilobytes on Linux and macOS.
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function child(id: string): Promise<Sample> {
  /* eslint-disable @typescript-eslint/no-require-imports -- load after the clock starts */
  if (id.startsWith("plan:")) {
    const t0 = performance.now();
    const { planStack } = require("../lib/offline/plan") as typeof import("../lib/offline/plan");
    const loaded = performance.now();
    const apps = id.startsWith("plan:apps:") ? Number(id.split(":")[2]) : undefined;
    const stack = id === "plan:prod" ? "prod" : "dev";
    const plan = await planStack(stack, {
      configOverrides: apps === undefined ? undefined : { "secure-azure-platform:apps": appsConfig(apps) },
    });
    return {
      times: { plan: plan.durationMs, load: loaded - t0 },
      counts: { resources: plan.resources.length },
      maxRssMb: rssMb(),
    };
  }
  if (id === "policy:10k") {
    const { planStack } = require("../lib/offline/plan") as typeof import("../lib/offline/plan");
    const { syntheticExport } =
      require("../lib/analyzer/synthetic") as typeof import("../lib/analyzer/synthetic");
    const { evaluateStackExport } =
      require("../lib/analyzer/evaluate") as typeof import("../lib/analyzer/evaluate");
    const { loadPackConfig } = require("../lib/analyzer/config") as typeof import("../lib/analyzer/config");
    const template = (await planStack("prod")).toStackExport();
    const { doc } = syntheticExport({ template, resources: 10_000 });
    const text = JSON.stringify(doc);
    const t0 = performance.now();
    const parsed = JSON.parse(text) as unknown;
    const t1 = performance.now();
    const evaluation = await evaluateStackExport(parsed as never, {
      config: loadPackConfig("prod"),
      outcomes: false,
    });
    const t2 = performance.now();
    return {
      times: { parse: t1 - t0, evaluate: t2 - t1 },
      counts: {
        resources: evaluation.summary.resources,
        bytes: Buffer.byteLength(text),
        violations: evaluation.violations.length,
        policies: evaluation.summary.policies,
      },
      maxRssMb: rssMb(),
    };
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
  throw new Error(`unknown bench case ${id}`);
}

/** The pack-load child: a plain Node script, so ts-node is registered inside the clock. */
function packLoadScript(typeCheck: boolean): string {
  return `
    const t0 = performance.now();
    require("ts-node").register({ project: ${JSON.stringify(path.join(ROOT, "policy", "tsconfig.json"))}, transpileOnly: ${!typeCheck} });
    require("@pulumi/policy");
    const { platformPolicies } = require(${JSON.stringify(path.join(ROOT, "policy", "policies"))});
    const t1 = performance.now();
    console.log(JSON.stringify({ times: { load: t1 - t0 }, counts: { policies: platformPolicies.length },
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));`;
}

// ---------------------------------------------------------------------------------------------
// Parent side: run each case N times, take medians.

function runOnce(id: string): Sample & { wallMs: number } {
  const args = id.startsWith("pack:load:")
    ? ["-e", packLoadScript(id.endsWith("typecheck"))]
    : ["-r", "ts-node/register/transpile-only", path.join(__dirname, "bench.ts"), "--child", id];
  const t0 = performance.now();
  const res = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
  });
  const wallMs = performance.now() - t0;
  if (res.status !== 0) throw new Error(`bench case ${id} failed (exit ${res.status}):\n${res.stderr}`);
  const line = res.stdout.trim().split("\n").pop() ?? "";
  return { ...(JSON.parse(line) as Sample), wallMs };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

interface Result {
  id: string;
  title: string;
  runs: number;
  median: Record<string, number>;
  counts: Record<string, number>;
  peakRssMb: number;
}

function summarize(spec: CaseSpec, samples: (Sample & { wallMs: number })[]): Result {
  const keys = [...Object.keys(samples[0].times), "wallMs"];
  const med: Record<string, number> = {};
  for (const k of keys) med[k] = median(samples.map((s) => (k === "wallMs" ? s.wallMs : s.times[k])));
  return {
    id: spec.id,
    title: spec.title,
    runs: samples.length,
    median: med,
    counts: samples[0].counts,
    peakRssMb: Math.max(...samples.map((s) => s.maxRssMb)),
  };
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function describe(r: Result): string {
  const m = r.median;
  if (r.id.startsWith("plan:"))
    return `${s(m.plan)} plan (${r.counts.resources} resources; ${s(m.wallMs)} whole process incl. Node/ts-node start)`;
  if (r.id === "policy:10k") {
    const rate = (ms: number) => Math.round(r.counts.resources / (ms / 1000)).toLocaleString("en-US");
    return (
      `${s(m.evaluate)} evaluate = ${rate(m.evaluate)} resources/s (${r.counts.policies} policies, ` +
      `${r.counts.violations} violations found); floor JSON.parse of the same ${(r.counts.bytes / 1e6).toFixed(1)} MB: ` +
      `${s(m.parse)} = ${rate(m.parse)} resources/s`
    );
  }
  return `${s(m.load)} to load ${r.counts.policies} policies (${s(m.wallMs)} whole process)`;
}

export function machine(): string {
  const cpus = os.cpus();
  return (
    `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
    `${os.type()} ${os.release()} ${os.arch()}, Node ${process.version}`
  );
}

function parseArgs(argv: string[]): { runs?: number; json: boolean; only?: string } {
  const out: { runs?: number; json: boolean; only?: string } = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") out.json = true;
    else if (a === "--runs") {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--runs must be a positive integer, got ${argv[i]}`);
      out.runs = n;
    } else if (a === "--only") out.only = argv[++i];
    else throw new Error(`unknown flag ${a} (allowed: --runs N, --json, --only CASE-PREFIX)`);
  }
  return out;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") {
    console.log(JSON.stringify(await child(argv[1])));
    return;
  }
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    process.exit(2);
  }
  const selected = cases(args.runs).filter((c) => !args.only || c.id.startsWith(args.only));
  if (selected.length === 0) {
    console.error(
      `bench: --only ${args.only} matches no case (cases: ${cases(1)
        .map((c) => c.id)
        .join(", ")})`,
    );
    process.exit(2);
  }
  const started = performance.now();
  const results: Result[] = [];
  if (!args.json) console.log(`Machine: ${machine()}\n`);
  for (const spec of selected) {
    const samples = Array.from({ length: spec.runs }, () => runOnce(spec.id));
    const r = summarize(spec, samples);
    results.push(r);
    if (!args.json)
      console.log(`${r.title.padEnd(46)} median of ${r.runs}: ${describe(r)}; peak RSS ${r.peakRssMb} MB`);
  }
  const total = performance.now() - started;
  if (args.json) console.log(JSON.stringify({ machine: machine(), totalMs: total, results }, null, 2));
  else console.log(`\nTotal bench time ${s(total)}.`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(3);
});
