/**
 * Runs a Pulumi program under the mock runtime and collects every registered resource the
 * way the engine would see it: type, name, URN, parent, inputs, outputs, dependencies
 * (explicit and per property), protect flag and provider.
 *
 * The MockMonitor only hands mocks `{type, name, inputs}`; the rest of the registration
 * request (parent, dependencies, protect) is read by wrapping its `registerResource`.
 * Completion is "every RPC drained", not "exports resolved": resources created inside
 * `apply` callbacks register late and would otherwise be missed.
 */
import * as pulumi from "@pulumi/pulumi";
import { AzureMocks, type AzureMockOptions } from "./mocks";
import {
  isSecretEnvelope,
  SECRET_SIG,
  secretEnvelope,
  SIG_KEY,
  STACK_TYPE,
} from "../../policy/common/pulumiFormat";
import { collapseAliases, withoutApiVersionAliases, type AliasSpec } from "./aliases";
import { stackUrn } from "./export";

export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  /** `false` for component resources. */
  custom: boolean;
  id?: string;
  /**
   * Inputs as the provider receives them. Secrets stay wrapped where they occur
   * (`{[SIG_KEY]: SECRET_SIG, value}`, see `isSecretEnvelope`), as in the engine's state.
   */
  inputs: Record<string, unknown>;
  /** Inputs plus what the (mock) provider computed; for components, what `registerOutputs` gave. */
  outputs: Record<string, unknown>;
  parent?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  protect: boolean;
  provider?: string;
  /** Version of the resource's package the program asked for (names the default provider). */
  version?: string;
  /** The `import` option: the ID of an existing Azure resource the engine imports (then updates). */
  importId?: string;
  /** Read with `.get()` rather than created: the engine marks these `external`. */
  external?: boolean;
  additionalSecretOutputs?: string[];
  retainOnDelete?: boolean;
  deletedWith?: string;
  ignoreChanges?: string[];
  /** `deleteBeforeReplace` option (not in the state: the engine reads it from the program). */
  deleteBeforeReplace?: boolean;
  /**
   * The resource's aliases as URNs ("URNs this resource may have had", lib/offline/aliases.ts):
   * how a renamed type or a moved resource finds its old state instead of being replaced.
   */
  aliases?: string[];
}

export interface RunOptions {
  project?: string;
  stack?: string;
  /** Full config keys (`project:key`); non-strings are JSON-encoded as the CLI does. */
  config?: Record<string, unknown>;
  /** Config keys whose values are secrets. */
  secretKeys?: string[];
  mocks?: AzureMockOptions;
  /** Run as a preview (unknown computed values). Default false: the plan wants the values. */
  preview?: boolean;
  /**
   * Receives every resource as it registers, also when the program then fails (a failed
   * run rejects without a result): how tests check "bad input registers nothing".
   */
  registered?: PlannedResource[];
}

export interface RunResult {
  resources: PlannedResource[];
  /** What the program returned (for `index.ts`-style programs: its module exports). */
  result: unknown;
  /** Every invoke the program made (`AzureMocks.invokes`). */
  invokes: AzureMocks["invokes"];
}

/** The wire signature of a resource reference. */
export const RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

type StructLike = { toJavaScript(): Record<string, unknown> } | undefined;

interface RequestLike {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean | undefined;
  getProvider(): string;
  getVersion(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): {
    forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void;
  };
  getObject(): StructLike;
  getAdditionalsecretoutputsList(): string[];
  getRetainondelete(): boolean | undefined;
  getImportid(): string | undefined;
  getDeletedwith(): string;
  getIgnorechangesList(): string[];
  getDeletebeforereplace(): boolean;
  getAliasesList?(): AliasLike[];
}

/** `pulumirpc.Alias`: a URN or a spec (the MockMonitor's SDK sends specs). */
interface AliasLike {
  hasUrn(): boolean;
  getUrn(): string;
  getSpec():
    | {
        getName(): string;
        getType(): string;
        getStack(): string;
        getProject(): string;
        hasParenturn(): boolean;
        getParenturn(): string;
        getNoparent(): boolean;
      }
    | undefined;
}

/**
 * The request's aliases. An alias whose parent is the root stack (`parent: getStackResource()` or
 * the stack's URN, see `runUnderMocks`) means "was top-level", as the engine reads it: no parent,
 * not "the resource's current parent", which for a resource moved into a component would collapse
 * the alias onto its own new URN and lose it.
 */
function aliasSpecs(req: RequestLike, rootUrn: string): AliasSpec[] {
  return (req.getAliasesList?.() ?? []).map((a) => {
    const spec = a.getSpec();
    if (a.hasUrn() || !spec) return { urn: a.getUrn() };
    const parentUrn = spec.hasParenturn() ? spec.getParenturn() : "";
    return {
      name: spec.getName(),
      type: spec.getType(),
      stack: spec.getStack(),
      project: spec.getProject(),
      ...(parentUrn && parentUrn !== rootUrn ? { parentUrn } : {}),
      noParent: spec.getNoparent() || (parentUrn !== "" && parentUrn === rootUrn),
    };
  });
}

interface ReadRequestLike {
  getId(): string;
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getVersion(): string;
  getDependenciesList(): string[];
  getProperties(): StructLike;
  getAdditionalsecretoutputsList(): string[];
}

interface ResponseLike {
  getUrn(): string;
  getId?(): string;
  getObject?(): StructLike;
  getProperties?(): StructLike;
}

interface OutputsRequestLike {
  getUrn(): string;
  getOutputs(): StructLike;
}

type Callback = (err: unknown, resp?: ResponseLike) => void;
interface MonitorLike {
  registerResource(req: RequestLike, cb: Callback): void;
  readResource(req: ReadRequestLike, cb: Callback): void;
  registerResourceOutputs(req: OutputsRequestLike, cb: (err: unknown, resp?: unknown) => void): void;
}

// Internal to @pulumi/pulumi (not in its .d.ts): resolves once the RPC queue is empty.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

let pending = 0;

async function drain(): Promise<void> {
  // Registrations can start more registrations (applies, component children): loop until
  // the queue stays empty across a macrotask.
  for (let i = 0; i < 1000; i++) {
    await settings.waitForRPCs();
    await new Promise((resolve) => setImmediate(resolve));
    const before = pending;
    await settings.waitForRPCs();
    if (before === 0 && pending === 0) return;
  }
}

/**
 * Wire value -> state value, the way the engine stores it: secrets stay wrapped at the
 * property that is secret (the SDK's own deserializer hoists them to the top-level
 * property, which would hide e.g. a secret's `attributes` from policies), resource
 * references stay references, unknowns stay the unknown sentinel.
 */
export function decodeWire(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(decodeWire);
  const obj = value as Record<string, unknown>;
  const sig = obj[SIG_KEY];
  if (sig === SECRET_SIG) return secretEnvelope(decodeWire(obj.value));
  if (sig === OUTPUT_VALUE_SIG) {
    const inner = obj.value === undefined ? undefined : decodeWire(obj.value);
    return obj.secret === true ? secretEnvelope(inner) : inner;
  }
  if (typeof sig === "string") return obj; // resource references, assets, archives: as stored
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(obj)) {
    if (v !== undefined) out[key] = decodeWire(v);
  }
  return out;
}

function decodeStruct(struct: StructLike): Record<string, unknown> {
  return struct ? (decodeWire(struct.toJavaScript()) as Record<string, unknown>) : {};
}

/** Marks `additionalSecretOutputs` secret, as the engine does after the provider answered. */
function applySecretOutputs(outputs: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  for (const key of keys) {
    if (key in outputs && !isSecretEnvelope(outputs[key])) outputs[key] = secretEnvelope(outputs[key]);
  }
  return outputs;
}

/** The mock hook that lets `AzureMocks` see inputs with secrets in place (see `AzureMocks.exactInputs`). */
interface ExactInputsSink {
  exactInputs?: { type: string; name: string; inputs: Record<string, unknown> };
}

/**
 * Runs `program` under mocks and returns every resource it registered. A program that
 * throws rejects with that error (after the runtime has drained, so nothing dangles).
 */
export async function runUnderMocks(program: () => unknown, options: RunOptions = {}): Promise<RunResult> {
  const project = options.project ?? "secure-azure-platform";
  const stack = options.stack ?? "test";
  // A fresh runtime store per run: config, monitor and leak tracking of a previous scenario
  // must not bleed into this one.
  (global as { globalStore?: unknown }).globalStore = undefined;
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.config ?? {})) {
    if (value === undefined) continue;
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(config, options.secretKeys);
  const mocks = new AzureMocks(options.mocks);
  await pulumi.runtime.setMocks(mocks, project, stack, options.preview ?? false);

  // Insertion order = registration order, which the export and the tree keep.
  const captured = new Map<string, PlannedResource>();
  const componentOutputs = new Map<string, Record<string, unknown>>();
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  // The engine qualifies a URN's type with the parent's whole type chain (`A$B$type`, as the
  // SDK's `createUrn` does); the MockMonitor prefixes only the immediate parent's type, which
  // is wrong from the third nesting level on (component -> component -> resource).
  // The root stack's type is no part of its children's (the engine's `RegisterResource`, the SDK's
  // `createUrn`).
  const rootUrn = stackUrn(project, stack);
  const urns = monitor as unknown as { newUrn?: (parent: string, type: string, name: string) => string };
  if (typeof urns.newUrn === "function") {
    urns.newUrn = (parent, type, name) =>
      `urn:pulumi:${stack}::${project}::${parent && parent !== rootUrn ? `${parent.split("::")[2]}$` : ""}${type}::${name}`;
  }
  // Top-level resources are the root stack's children on the wire, as under the engine; the plan
  // records them without a parent (the export parents them to its root, `buildStackExport`).
  const parentOf = (urn: string) => (urn && urn !== rootUrn ? urn : undefined);
  const sink = mocks as unknown as ExactInputsSink;
  const capture = (resource: PlannedResource) => {
    captured.set(resource.urn, resource);
    options.registered?.push(resource);
  };

  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    if (req.getType() === STACK_TYPE && !req.getParent()) {
      // The root stack itself (`runInPulumiStack` below): not a resource of the plan.
      pending++;
      register(req, (err, resp) => {
        pending--;
        cb(err, resp);
      });
      return;
    }
    pending++;
    const inputs = decodeStruct(req.getObject());
    // MockMonitor calls `mocks.newResource` synchronously inside `register`: hand it the
    // inputs with secrets in place (its own argument has them hoisted).
    sink.exactInputs = { type: req.getType(), name: req.getName(), inputs };
    register(req, (err, resp) => {
      pending--;
      if (!err && resp) {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps, key) => {
          propertyDependencies[key] = deps.getUrnsList();
        });
        const secretOutputs = req.getAdditionalsecretoutputsList();
        const ignoreChanges = req.getIgnorechangesList();
        const parent = parentOf(req.getParent());
        const aliases = collapseAliases(
          { urn: resp.getUrn(), type: req.getType(), name: req.getName(), ...(parent ? { parent } : {}) },
          aliasSpecs(req, rootUrn),
        );
        capture({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          id: resp.getId?.() || undefined,
          inputs,
          outputs: applySecretOutputs(decodeStruct(resp.getObject?.()), secretOutputs),
          parent,
          dependencies: [...new Set(req.getDependenciesList())],
          propertyDependencies,
          protect: req.getProtect() ?? false,
          provider: req.getProvider() || undefined,
          version: req.getVersion() || undefined,
          ...(secretOutputs.length > 0 ? { additionalSecretOutputs: secretOutputs } : {}),
          ...(req.getImportid() ? { importId: req.getImportid() } : {}),
          ...(req.getRetainondelete() ? { retainOnDelete: true } : {}),
          ...(req.getDeletedwith() ? { deletedWith: req.getDeletedwith() } : {}),
          ...(ignoreChanges.length > 0 ? { ignoreChanges } : {}),
          ...(req.getDeletebeforereplace() ? { deleteBeforeReplace: true } : {}),
          ...(aliases.length > 0 ? { aliases } : {}),
        });
      }
      cb(err, resp);
    });
    sink.exactInputs = undefined;
  };

  const read = monitor.readResource.bind(monitor);
  monitor.readResource = (req, cb) => {
    pending++;
    read(req, (err, resp) => {
      pending--;
      if (!err && resp) {
        const inputs = decodeStruct(req.getProperties());
        capture({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          custom: true,
          id: req.getId() || undefined,
          inputs,
          outputs: applySecretOutputs(
            decodeStruct(resp.getProperties?.()),
            req.getAdditionalsecretoutputsList(),
          ),
          parent: parentOf(req.getParent()),
          dependencies: [...new Set(req.getDependenciesList())],
          propertyDependencies: {},
          protect: false,
          provider: req.getProvider() || undefined,
          version: req.getVersion() || undefined,
          external: true,
        });
      }
      cb(err, resp);
    });
  };

  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, cb) => {
    componentOutputs.set(req.getUrn(), decodeStruct(req.getOutputs()));
    registerOutputs(req, cb);
  };

  let result: unknown;
  let failure: unknown;
  // The SDK formats a stack trace for every promise it creates (`debuggablePromise`, read only by
  // its promise-leak report) and an unlimited one for every resource (`Resource.callsites`: the
  // source position it sends the engine, which the mock monitor drops). While the program runs,
  // V8's documented `Error.prepareStackTrace` hook formats every stack as its first line only
  // (no frames to format or source-map). Stacks are formatted lazily, on first read, so an error
  // the program throws is printed after the hook is restored, with its frame.
  const hooks = Error as { prepareStackTrace?: unknown };
  const prepareStackTrace = hooks.prepareStackTrace;
  hooks.prepareStackTrace = process.env.PULUMI_DEBUG_PROMISE_LEAKS
    ? undefined
    : (error: Error) => String(error);
  // The frames V8 captures for each of those errors: one instead of ten (`Error.stackTraceLimit`),
  // so a crash still names where it was thrown; the limit is restored before anything is printed.
  const stackTraceLimit = Error.stackTraceLimit;
  if (!process.env.PULUMI_DEBUG_PROMISE_LEAKS) Error.stackTraceLimit = Math.min(stackTraceLimit, 1);
  // A registration the mocks refuse rejects promises nobody awaits (the resource's outputs):
  // as under Pulumi's Node.js host, that fails the program instead of crashing the process.
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on("unhandledRejection", onRejection);
  try {
    // As Pulumi's Node.js host runs a program (`runInPulumiStack`): inside the root stack
    // resource, whose transformations every resource inherits. Its outputs (massaged from what
    // the program returns) are not the plan's: `planStack` resolves the program's exports itself.
    // The program's error is kept here: rejected, the stack's outputs would reject promises
    // nobody awaits.
    try {
      await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation(withoutApiVersionAliases);
        try {
          result = await program();
        } catch (err) {
          failure = err;
        }
        return undefined;
      });
    } catch (err) {
      failure ??= err;
    }
    await drain();
  } finally {
    process.off("unhandledRejection", onRejection);
    hooks.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  }
  failure ??= rejections[0];
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
  for (const [urn, outputs] of componentOutputs) {
    const resource = captured.get(urn);
    if (resource && !resource.custom) resource.outputs = outputs;
  }
  return { resources: [...captured.values()], result, invokes: mocks.invokes };
}
