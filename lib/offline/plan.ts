/**
 * The offline plan: runs the real program (`index.ts`) for a stack under the mock runtime
 * with the configuration the CLI would give it, and returns what `pulumi preview` would
 * create. Usable from scripts (plain node + ts-node) and from jest tests.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { checkDeployPrincipal } from "../../components/common/deployerGrants";
import { ConfigError, validatePlatformConfig, type PlatformConfig } from "../../config";
import { buildStackExport } from "./export";
import { runUnderMocks, type PlannedResource, type RunResult } from "./run";
import { isSecretEnvelope, secretEnvelope, type StackExport } from "../../policy/common/pulumiFormat";
import { readStackConfig, type StackConfig } from "./stackConfig";

/** Repository root (where Pulumi.yaml and index.ts live). */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const PROGRAM = path.join(PROJECT_ROOT, "index.ts");

export interface Plan {
  project: string;
  stack: string;
  /** The validated, typed stack configuration the program ran with. */
  config: PlatformConfig;
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
 * Loads the program with a fresh copy of the project's own modules, so every plan sees
 * the config it was given (modules such as components may cache at load time). In jest
 * the module registry is jest's: `jest.isolateModules` gives a fresh one per run. In
 * plain node the project's modules (not node_modules, not this tooling) leave
 * `require.cache`; the SDK and providers stay loaded, which keeps repeated plans fast.
 */
function loadProgram(): unknown {
  if (typeof jest !== "undefined") {
    let exported: unknown;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      exported = require(PROGRAM);
    });
    return exported;
  }
  const keep = [
    `${path.sep}node_modules${path.sep}`,
    path.join(PROJECT_ROOT, "lib", "offline") + path.sep,
    path.join(PROJECT_ROOT, "scripts") + path.sep,
  ];
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(PROJECT_ROOT + path.sep) && !keep.some((k) => key.includes(k))) {
      delete require.cache[key];
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(PROGRAM);
}

/** Runs a program module the way Pulumi's nodejs host does: a default-exported function is called. */
async function runProgramModule(): Promise<unknown> {
  const exported = loadProgram() as Record<string, unknown> | ((...args: unknown[]) => unknown);
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
 * Plans `stack`. Rejects with the `ConfigError` (before anything is registered) when the
 * stack configuration is bad, or with the program's own error.
 */
export async function planStack(stack: string, options: PlanOptions = {}): Promise<Plan> {
  const started = performance.now();
  const stackConfig = readStackConfig(stack, {
    stackFile: options.stackFile,
    configOverrides: options.configOverrides,
    collectProblems: true,
  });
  const location = stackConfig.config["azure-native:location"];
  const deployPrincipal = stackConfig.config[`${stackConfig.project}:deployPrincipalId`];
  const settings = { ...stackConfig.projectSettings, location };
  // Problems reading the file (types, namespaces) and the schema's are reported together.
  const validate = () => validatePlatformConfig(settings, undefined, stackConfig.problems);
  if (stackConfig.problems.length > 0) validate();
  let config = options.validateFirst === false ? undefined : validate();
  // The program refuses to run as anyone but the declared deploy identity; under the real
  // engine that surfaces from an apply, here it is refused before anything registers (exit 2).
  if (options.runAs !== undefined && typeof deployPrincipal === "string")
    checkDeployPrincipal(options.runAs, deployPrincipal);
  options.started?.();

  const { resources, result, invokes } = await runUnderMocks(runProgramModule, {
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

  const versions = { "azure-native": packageVersion("azure-native"), random: packageVersion("random") };
  const providers = providerConfig(stackConfig);
  return {
    project: stackConfig.project,
    stack,
    config,
    stackConfig,
    resources,
    invokes,
    outputs,
    durationMs,
    toStackExport: (exportOptions = {}) =>
      buildStackExport({
        project: stackConfig.project,
        stack,
        resources,
        stackOutputs: outputs,
        providerConfig: providers,
        packageVersions: Object.fromEntries(
          Object.entries(versions).filter((e): e is [string, string] => e[1] !== undefined),
        ),
        time: exportOptions.time,
      }),
  };
}
