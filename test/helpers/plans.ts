/**
 * The dev and prod plans as fixtures, planned once per `jest` run instead of once per test
 * file: `await sharedPlan("prod")` is what `planStack("prod")` returns (test/stack.test.ts
 * proves it equal), `await sharedExport("prod")` is its `toStackExport()`.
 *
 * A plan costs 1–2 CPU seconds and loads the whole program and SDK into the file's module
 * registry; a dozen files need the same two. The first worker to ask plans the stack and
 * writes it as JSON into the run's directory (made by test/helpers/globalSetup.ts, removed
 * by globalTeardown.ts); the others wait for the file. Every call returns a fresh copy, so a
 * test may edit what it gets. Plans with options (`configOverrides`, `stackFile`, `runAs`)
 * are not shared: call `planStack` for those. Without the run's directory (jest started
 * without this config), each file plans for itself, once.
 */
import * as fs from "fs";
import * as path from "path";
// Node's own timer, not the global one a test file may have replaced with jest's fake timers.
import { setTimeout as sleep } from "timers/promises";
import type { Plan } from "../../lib/offline/plan";
import { readStackConfig } from "../../lib/offline/stackConfig";
import { SHARED_PLANS_ENV } from "./globalSetup";

export type SharedStack = "dev" | "prod";

/** What `Plan.toStackExport` returns (named through the plan, wherever the type is declared). */
type StackExport = ReturnType<Plan["toStackExport"]>;

/** A plan as written to disk: everything but the functions, and the export built once. */
type StoredPlan = Omit<Plan, "toStackExport" | "stackConfig"> & { stackExport: StackExport };

/** The JSON text of each stack's stored plan, once read (per test file: jest's module registry). */
const texts = new Map<SharedStack, Promise<string>>();

/** The plan of `stack` as `planStack(stack)` returns it, planned at most once per jest run. */
export async function sharedPlan(stack: SharedStack): Promise<Plan> {
  return revive(stack, restoreUndefined(JSON.parse(await storedText(stack))) as StoredPlan);
}

/** `(await sharedPlan(stack)).toStackExport()`. */
export async function sharedExport(stack: SharedStack, options: { time?: Date } = {}): Promise<StackExport> {
  return (await sharedPlan(stack)).toStackExport(options);
}

function revive(stack: SharedStack, stored: StoredPlan): Plan {
  const { stackExport, ...plan } = stored;
  const exportText = JSON.stringify(stackExport);
  const revived = {
    ...plan,
    // The export's only time-dependent field is the manifest time (`buildStackExport`).
    toStackExport: ({ time } = {}) => {
      const doc = JSON.parse(exportText) as StackExport;
      const manifest = doc.deployment.manifest;
      if (manifest) manifest.time = (time ?? new Date()).toISOString();
      return doc;
    },
  } as Plan;
  // As planStack reads it (a function, `display()`, cannot be stored), when first read: each read
  // parses the stack file again, and most shared plans (exports, above all) are never asked for it.
  const settle = (value: Plan["stackConfig"]) =>
    Object.defineProperty(revived, "stackConfig", {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  Object.defineProperty(revived, "stackConfig", {
    enumerable: true,
    configurable: true,
    get: () => settle(readStackConfig(stack, { collectProblems: true })).stackConfig,
    set: settle,
  });
  return revived;
}

function storedText(stack: SharedStack): Promise<string> {
  let text = texts.get(stack);
  if (!text) {
    text = load(stack);
    texts.set(stack, text);
  }
  return text;
}

/**
 * Stands for `undefined` in the stored JSON: the plan's objects carry explicit undefined
 * properties (`parent: undefined`), which `toStrictEqual` and `in` see and JSON would drop.
 */
const UNDEFINED = "\u0000undefined";

function restoreUndefined(value: unknown): unknown {
  if (value === UNDEFINED) return undefined;
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) value[i] = restoreUndefined(value[i]);
  else if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = restoreUndefined(record[key]);
  }
  return value;
}

async function serialize(stack: SharedStack): Promise<string> {
  // Loaded only to plan: a file reading a stored plan need not load the program and the SDK.
  const { planStack } = await import("../../lib/offline/plan");
  const { toStackExport, stackConfig: _stackConfig, ...plan } = await planStack(stack);
  const stored: StoredPlan = { ...plan, stackExport: toStackExport() };
  return JSON.stringify(stored, (_key, value: unknown) => (value === undefined ? UNDEFINED : value));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Reads the run's stored plan, planning it if no worker has. */
function load(stack: SharedStack): Promise<string> {
  const dir = process.env[SHARED_PLANS_ENV];
  if (!dir || !fs.existsSync(dir)) return serialize(stack);
  return sharedFile(path.join(dir, `${stack}.json`), () => serialize(stack));
}

/**
 * The text of `file`, made by `produce` if no process has made it yet: one producer at a
 * time (a `.lock` file created exclusively, holding its pid), the others wait for the file and
 * take over if the producer died. The file appears whole (written aside, then renamed).
 */
export async function sharedFile(file: string, produce: () => Promise<string>): Promise<string> {
  const lock = `${file}.lock`;
  for (;;) {
    if (fs.existsSync(file)) return fs.readFileSync(file, "utf8");
    let fd: number;
    try {
      fd = fs.openSync(lock, "wx");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number(fs.readFileSync(lock, "utf8") || "0");
      if (holder > 0 && !alive(holder)) fs.rmSync(lock, { force: true });
      else await sleep(50);
      continue;
    }
    try {
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      const text = await produce();
      const partial = `${file}.${process.pid}`;
      fs.writeFileSync(partial, text);
      fs.renameSync(partial, file);
      return text;
    } finally {
      fs.rmSync(lock, { force: true });
    }
  }
}
