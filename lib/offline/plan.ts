/**
 * The offline plan: runs the real program (`index.ts`) for a stack under the mock runtime
 * with the configuration the CLI would give it, and returns what `pulumi preview` would
 * create. `planProgram` does the same for another team's program directory (its own
 * Pulumi.yaml and stack file). Usable from scripts (plain node + ts-node) and from jest tests.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { checkDeployPrincipal } from "../../config/deployPrincipal";
import {
  ConfigError,
  PROJECT,
  validatePlatformConfig,
  type ConfigProblem,
  type PlatformConfig,
} from "../../config";
import { buildStackExport } from "./export";
import { runUnderMocks, type PlannedResource, type RunResult } from "./run";
import type { ProgramDir } from "./program";
import { isSecretEnvelope, secretEnvelope, type StackExport } from "../../policy/common/pulumiFormat";
import { readStackConfig, SECRET_DISPLAY, type StackConfig } from "./stackConfig";

/** Repository root (where Pulumi.yaml and index.ts live). */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const PROGRAM = path.join(PROJECT_ROOT, "index.ts");

/** What any planned program gives: our stack's `Plan` and another team's (`planProgram`). */
export interface PlannedProgram {
  project: string;
  stack: string;
  /** `azure-native:location` of the stack configuration, if set. */
  location?: string;
  /** The program directory, for another team's program; undefined for this repository's stack. */
  program?: ProgramDir;
  /** The raw stack configuration (full keys; secrets as placeholders, see `display()`). */
  stackConfig: StackConfig;
  /** Every registered resource, in registration order (parents before children). */
  resources: PlannedResource[];
  /** Every invoke the program made, with the mock's answer. */
  invokes: RunResult["invokes"];
  /** The program's exports, resolved; secret values stay wrapped. */
  outputs: Record<string, unknown>;
  /** Wall time of the run (config read, program, drain), in milliseconds. */
  durationMs: number;
  /** The plan as `pulumi stack export` would write it after an update. */
  toStackExport(options?: { time?: Date }): StackExport;
}

/** The plan of this repository's stack. */
export interface Plan extends PlannedProgram {
  /** The validated, typed stack configuration the program ran with. */
  config: PlatformConfig;
}

export interface PlanOptions {
  /** Stack file to read instead of `Pulumi.<stack>.yaml` (e.g. a temp file in tests). */
  stackFile?: string;
  /** Settings over the stack file; see `ReadStackConfigOptions.configOverrides`. */
  configOverrides?: Record<string, unknown>;
  /**
   * Check the configuration before running the program (default true: the plan fails
   * fast with the ConfigError). `false` leaves it to the program, which must then refuse
   * the same way before registering anything (tests use it to prove that).
   */
  validateFirst?: boolean;
  /** Receives every resource as it registers, also when the program fails (see `RunOptions`). */
  registered?: PlannedResource[];
  /** Called once the configuration is checked, as the program starts (progress display). */
  started?: () => void;
  /**
   * Object ID the mocks report as the identity running the program (default: the stack's
   * `deployPrincipalId`; tests use another to prove the program refuses to run as it).
   */
  runAs?: string;
}

/** True for a `ConfigError` from any copy of `config/` (a fresh module registry has its own class). */
export function isConfigError(err: unknown): err is ConfigError {
  return (
    err instanceof ConfigError ||
    (err instanceof Error &&
      err.name === "ConfigError" &&
      Array.isArray((err as Partial<ConfigError>).problems))
  );
}

/** Package versions installed for the default providers, read once. */
function packageVersion(pkg: string): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(`@pulumi/${pkg}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * Loads a program module once per run. A CLI run plans once, so the program shares the
 * modules the tooling already loaded (config/, components/, policy/common): nothing is
 * transpiled twice (issue 17). Only a program already loaded in this process (a second plan,
 * e.g. `npm run bench`) gets a fresh copy of its own modules, so every plan sees the config it
 * was given (modules may cache at load time): those under `root` (not node_modules, not this
 * tooling) leave `require.cache`; the SDK and providers stay loaded. In jest the module
 * registry is jest's: the same split, through `jest.isolateModules` (./jestProgram.ts).
 */
function loadProgram(main: string, root: string): unknown {
  if (typeof jest !== "undefined") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require("./jestProgram") as typeof import("./jestProgram")).requireProgramUnderJest(main);
  }
  if (require.cache[main]) {
    const keep = [
      `${path.sep}node_modules${path.sep}`,
      path.join(PROJECT_ROOT, "lib", "offline") + path.sep,
      path.join(PROJECT_ROOT, "scripts") + path.sep,
    ];
    for (const key of Object.keys(require.cache)) {
      if (key.startsWith(root + path.sep) && !keep.some((k) => key.includes(k))) {
        delete require.cache[key];
      }
    }
  }
  if (!root.startsWith(PROJECT_ROOT + path.sep)) resolveFromProject();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(main);
}

/**
 * A program outside this repository resolves what it does not install itself (the SDK, the
 * providers, `@secure-azure-platform/components`) from this repository's node_modules, as with
 * NODE_PATH: one SDK copy shares the mock runtime. Node.js reads NODE_PATH in `_initPaths`.
 */
function resolveFromProject(): void {
  const modules = path.join(PROJECT_ROOT, "node_modules");
  const current = (process.env.NODE_PATH ?? "").split(path.delimiter).filter(Boolean);
  if (current.includes(modules)) return;
  process.env.NODE_PATH = [...current, modules].join(path.delimiter);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require("module") as { _initPaths(): void })._initPaths();
}

/** Runs a program module the way Pulumi's nodejs host does: a default-exported function is called. */
async function runProgramModule(main: string, root: string): Promise<unknown> {
  const exported = loadProgram(main, root) as Record<string, unknown> | ((...args: unknown[]) => unknown);
  if (typeof exported === "function") return await exported();
  if (exported && typeof exported.default === "function") {
    return await (exported.default as () => unknown)();
  }
  return exported;
}

interface OutputInternals {
  promise(): Promise<unknown>;
  isSecret: Promise<boolean>;
}

/** Resolves the program's exports to plain values (secrets wrapped as in state). */
async function resolveExports(exported: unknown): Promise<Record<string, unknown>> {
  if (!exported || typeof exported !== "object") return {};
  const out: Record<string, unknown> = {};
  await Promise.all(
    Object.entries(exported as Record<string, unknown>).map(async ([key, value]) => {
      if (key === "__esModule" || typeof value === "function" || value === undefined) return;
      const o = pulumi.output(value) as unknown as OutputInternals;
      const [resolved, secret] = await Promise.all([o.promise(), o.isSecret]);
      if (resolved === undefined) return;
      out[key] = secret && !isSecretEnvelope(resolved) ? secretEnvelope(resolved) : resolved;
    }),
  );
  return out;
}

/** Provider configuration per package from the stack config (`azure-native:location` -> azure-native). */
function providerConfig(stackConfig: StackConfig): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const secrets = new Set(stackConfig.secretKeys);
  for (const [key, value] of Object.entries(stackConfig.config)) {
    const [pkg, name] = key.split(":");
    if (pkg === stackConfig.project || !name) continue;
    out[pkg] ??= {};
    out[pkg][name] = secrets.has(key) ? secretEnvelope(value) : value;
  }
  return out;
}

/**
 * A `secure:` setting cannot be decrypted here, so what the schema judged was its placeholder
 * ("must be of type 'integer'", "offline-secret-...: must be an e-mail address"): each problem on
 * such a setting becomes one that says so. No setting of this project needs to be a secret
 * (SEC-1: secrets live in Key Vault), so the way out is to set it in plain text.
 */
function explainSecretProblems(
  problems: readonly ConfigProblem[],
  stackConfig: StackConfig,
): ConfigProblem[] {
  const prefix = `${stackConfig.project}:`;
  // A whole setting that is secret (a value inside one, `apps[0].env.X`, keeps its own message,
  // which says where a secret belongs); a value refused for its declared type is shown as
  // [secret] and never became a secret key.
  const secretOf = (p: ConfigProblem): string | undefined =>
    p.key.startsWith(prefix) && (p.value === SECRET_DISPLAY || stackConfig.secretKeys.includes(p.key))
      ? p.key
      : undefined;
  const explained = new Set<string>();
  return problems.flatMap((p) => {
    const secret = secretOf(p);
    if (!secret) return [p];
    if (explained.has(secret)) return [];
    explained.add(secret);
    return [
      {
        key: secret,
        value: SECRET_DISPLAY,
        message:
          "is a secret (secure:), which the offline plan cannot decrypt, so its value cannot be checked; no " +
          `setting of this project needs to be secret (SEC-1: secrets live in Key Vault): set it in plain text (pulumi config set ${secret.slice(prefix.length)} <value>)`,
      },
    ];
  });
}

/** The stack's configuration as read, and its validation (throws the one `ConfigError`). */
function readStackSettings(
  stack: string,
  options: Pick<PlanOptions, "stackFile" | "configOverrides">,
): { stackConfig: StackConfig; validate: () => PlatformConfig } {
  const stackConfig = readStackConfig(stack, {
    stackFile: options.stackFile,
    configOverrides: options.configOverrides,
    collectProblems: true,
  });
  const settings = { ...stackConfig.projectSettings, location: stackConfig.config["azure-native:location"] };
  // Problems reading the file (types, namespaces) and the schema's are reported together.
  const validate = () => {
    try {
      return validatePlatformConfig(settings, undefined, stackConfig.problems, stackConfig.secretKeys);
    } catch (err) {
      throw isConfigError(err) ? new ConfigError(explainSecretProblems(err.problems, stackConfig)) : err;
    }
  };
  return { stackConfig, validate };
}

/** The stack's configuration, validated as `planStack` validates it (throws its `ConfigError`). */
export function stackPlatformConfig(stack: string): PlatformConfig {
  return readStackSettings(stack, {}).validate();
}

/**
 * The `ConfigError` `planStack` would reject this stack's configuration with, or undefined:
 * for a caller that has other problems to report first and wants them all at once.
 */
export function stackConfigError(
  stack: string,
  options: Pick<PlanOptions, "stackFile" | "configOverrides"> = {},
): ConfigError | undefined {
  try {
    readStackSettings(stack, options).validate();
    return undefined;
  } catch (err) {
    if (isConfigError(err)) return err;
    throw err;
  }
}

/**
 * Plans `stack`. Rejects with the `ConfigError` (before anything is registered) when the
 * stack configuration is bad, or with the program's own error.
 */
export async function planStack(stack: string, options: PlanOptions = {}): Promise<Plan> {
  const started = performance.now();
  const { stackConfig, validate } = readStackSettings(stack, options);
  const location = stackConfig.config["azure-native:location"];
  const deployPrincipal = stackConfig.config[`${stackConfig.project}:deployPrincipalId`];
  if (stackConfig.problems.length > 0) validate();
  let config = options.validateFirst === false ? undefined : validate();
  // The program refuses to run as anyone but the declared deploy identity; under the real
  // engine that surfaces from an apply, here it is refused before anything registers (exit 2).
  if (options.runAs !== undefined && typeof deployPrincipal === "string")
    checkDeployPrincipal(options.runAs, deployPrincipal);
  options.started?.();

  const { resources, result, invokes } = await runUnderMocks(() => runProgramModule(PROGRAM, PROJECT_ROOT), {
    project: stackConfig.project,
    stack,
    config: stackConfig.config,
    secretKeys: stackConfig.secretKeys,
    mocks: {
      location: typeof location === "string" ? location : undefined,
      // The plan runs as the stack's declared deploy identity (the program refuses any other).
      objectId: options.runAs ?? (typeof deployPrincipal === "string" ? deployPrincipal : undefined),
    },
    registered: options.registered,
  });
  const outputs = await resolveExports(result);
  config ??= validate();
  const durationMs = performance.now() - started;

  return { ...planned(stack, stackConfig, { resources, invokes, outputs, durationMs }), config };
}

/** The parts every plan shares, with its export. */
function planned(
  stack: string,
  stackConfig: StackConfig,
  run: Pick<PlannedProgram, "resources" | "invokes" | "outputs" | "durationMs">,
): PlannedProgram {
  const versions = { "azure-native": packageVersion("azure-native"), random: packageVersion("random") };
  const providers = providerConfig(stackConfig);
  const location = stackConfig.config["azure-native:location"];
  return {
    project: stackConfig.project,
    stack,
    location: typeof location === "string" ? location : undefined,
    stackConfig,
    ...run,
    toStackExport: (exportOptions = {}) =>
      buildStackExport({
        project: stackConfig.project,
        stack,
        resources: run.resources,
        stackOutputs: run.outputs,
        providerConfig: providers,
        packageVersions: Object.fromEntries(
          Object.entries(versions).filter((e): e is [string, string] => e[1] !== undefined),
        ),
        time: exportOptions.time,
      }),
  };
}

/** A problem with another team's program or its stack configuration: bad input (exit 2), never a crash. */
export class ProgramInputError extends Error {
  override name = "ProgramInputError";
}

/**
 * The stacks of this repository that a program's configuration names as a stack reference
 * (`<org>/secure-azure-platform/<stack>` or `secure-azure-platform/<stack>`): what its
 * `StackReference`s may read offline. Keyed by the name as written, valued by our stack.
 */
export function referencedPlatformStacks(stackConfig: StackConfig): Map<string, string> {
  const pattern = new RegExp(`^(?:[^/\\s]+/)?${PROJECT.replace(/[.]/g, "\\.")}/([A-Za-z0-9_.-]+)$`);
  const out = new Map<string, string>();
  for (const value of Object.values(stackConfig.config)) {
    const stack = typeof value === "string" ? pattern.exec(value)?.[1] : undefined;
    if (stack) out.set(value as string, stack);
  }
  return out;
}

export interface ProgramPlanOptions {
  /** Stack file to read instead of `DIR/Pulumi.<stack>.yaml`. */
  stackFile?: string;
  /** Receives every resource as it registers (see `PlanOptions.registered`). */
  registered?: PlannedResource[];
  /** Called as the program starts (progress display). */
  started?: () => void;
  /**
   * Outputs a `StackReference` reads, by stack name as the program writes it. Without an
   * entry, a reference to one of this repository's stacks named in the program's config is
   * answered by planning that stack first, in this process (see `referencedPlatformStacks`).
   */
  stackReferences?: Record<string, Record<string, unknown>>;
}

/**
 * Plans another team's program (`readProgramDir`) for `stack` with its own Pulumi.yaml and
 * stack file. None of this repository's stack checks apply (our config schema, the deploy
 * identity): its configuration is checked as the Pulumi CLI would (types declared in its
 * Pulumi.yaml, namespaces, secrets), and the policy pack judges what it registers.
 */
export async function planProgram(
  program: ProgramDir,
  stack: string,
  options: ProgramPlanOptions = {},
): Promise<PlannedProgram> {
  const started = performance.now();
  const stackConfig = readStackConfig(stack, {
    projectFile: program.projectFile,
    stackFile: options.stackFile,
  });
  const references = new Map(Object.entries(options.stackReferences ?? {}));
  for (const [name, platformStack] of referencedPlatformStacks(stackConfig)) {
    if (references.has(name)) continue;
    let platform: Plan;
    try {
      platform = await planStack(platformStack);
    } catch (err) {
      // Bad input of our stack is bad input of this plan; anything else is a failure (exit 3).
      if (!isConfigError(err) && !(err instanceof Error && err.name === "ComponentArgsError")) throw err;
      throw new ProgramInputError(
        `stack reference ${name} (from ${path.basename(stackConfig.file)}): this repository's stack ${platformStack}: ${err.message}`,
      );
    }
    references.set(name, platform.outputs);
  }
  options.started?.();
  const location = stackConfig.config["azure-native:location"];
  const unanswered: string[] = [];
  const run = await runUnderMocks(() => runProgramModule(program.main, program.dir), {
    project: stackConfig.project,
    stack,
    config: stackConfig.config,
    secretKeys: stackConfig.secretKeys,
    mocks: {
      location: typeof location === "string" ? location : undefined,
      stackOutputs: (name) => {
        const outputs = references.get(name);
        if (!outputs) unanswered.push(name);
        return outputs;
      },
    },
    registered: options.registered,
  }).catch((err: unknown) => {
    // A reference the plan cannot answer is the cause of whatever failed after it.
    if (unanswered.length > 0) throw new ProgramInputError(unansweredMessage(unanswered));
    throw err;
  });
  if (unanswered.length > 0) throw new ProgramInputError(unansweredMessage(unanswered));
  const outputs = await resolveExports(run.result);
  const durationMs = performance.now() - started;
  return {
    ...planned(stack, stackConfig, { resources: run.resources, invokes: run.invokes, outputs, durationMs }),
    program,
  };
}

function unansweredMessage(names: string[]): string {
  return (
    `StackReference ${[...new Set(names)].join(", ")}: offline, a stack reference reads the offline plan of ` +
    `one of this repository's stacks, named in the program's stack configuration as <org>/${PROJECT}/<stack> ` +
    `(e.g. organization/${PROJECT}/dev); see docs/offline-plan.md`
  );
}
