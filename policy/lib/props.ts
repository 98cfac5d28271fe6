/**
 * Safe reading of resource properties of any shape. Policies receive provider inputs (or
 * outputs) as loosely-typed JSON wrapped in `unknownCheckingProxy`: reading an unknown value
 * throws `UnknownValueError`, which propagates from `get`/`str`/`num`/`bool` (the engine turns
 * it into an advisory "can't run during preview": a value compared with a required setting
 * cannot be judged before it exists). Where only *presence* matters — a reference to another
 * resource's ID, which is unknown until that resource exists — `has`, `hasText`, `peek` and
 * the elements of `arr` read an unknown as "set" (`NOT_KNOWN`) instead, so the check still
 * runs in a preview. Everything else about odd shapes — a string where an object was
 * expected, a missing array — reads as "absent", never throws.
 */

import { isSecretEnvelope } from "../common/pulumiFormat";

interface ProxyModule {
  UnknownValueError: new (...args: never[]) => Error;
}
// Exported by @pulumi/policy at run time, but its typings strip it (marked @internal).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UnknownValueError } = require("@pulumi/policy/proxy") as ProxyModule;

/** A value the engine will only know once the resource exists (preview). */
export const NOT_KNOWN: unique symbol = Symbol("known after deployment");

/** `read()`, or `NOT_KNOWN` when it touches a value that is unknown during preview. */
export function known<T>(read: () => T): T | typeof NOT_KNOWN {
  try {
    return read();
  } catch (err) {
    if (err instanceof UnknownValueError) return NOT_KNOWN;
    throw err;
  }
}

/** `get`, with an unknown value read as `NOT_KNOWN` instead of throwing. */
export function peek(value: unknown, ...path: (string | number)[]): unknown {
  return peekPath(value, path);
}

/** `peek` with the path as an array (see `read`). */
function peekPath(value: unknown, path: readonly (string | number)[]): unknown {
  // Inside a value not known yet (an element `arr` read as NOT_KNOWN, a peeked object), every
  // part is not known yet either: never absent, or a list of unknown destinations would pass.
  if (value === NOT_KNOWN) return NOT_KNOWN;
  // `known(() => get(...))`, without a closure per read (stack policies peek at every resource).
  try {
    return read(value, path);
  } catch (err) {
    if (err instanceof UnknownValueError) return NOT_KNOWN;
    throw err;
  }
}

export type Props = Readonly<Record<string, unknown>>;

/** `{ <sig>: <secret sig>, value }` -> `value`; anything else unchanged. */
export function unwrapSecret(value: unknown): unknown {
  if (isSecretEnvelope(value)) return value.value;
  return value;
}

/** A plain object (not an array, not null), after unwrapping a secret. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `props.a.b.c`, or undefined as soon as a step is absent or not an object. */
export function get(value: unknown, ...path: (string | number)[]): unknown {
  return read(value, path);
}

/**
 * `get` with the path as an array: what every reader here calls, so a read allocates one path
 * array (the caller's rest parameter), not a second one to spread it into `get`, and walks it
 * with an index rather than an iterator (policies read props hundreds of thousands of times on
 * a big stack, most of it in code not yet optimized).
 */
function read(value: unknown, path: readonly (string | number)[]): unknown {
  let current = unwrapSecret(value);
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (typeof key === "number") {
      if (!Array.isArray(current)) return undefined;
      current = unwrapSecret(current[key]);
    } else {
      // No `key in current` first: an absent key reads as undefined all the same (the SDK's
      // unknown-checking proxy has no `has` trap, and its `get` trap returns undefined for
      // a key its target lacks), and it is one lookup less per step of every read.
      if (!isRecord(current)) return undefined;
      current = unwrapSecret(current[key]);
    }
  }
  return current;
}

/** A string value, or undefined. */
export function str(value: unknown, ...path: (string | number)[]): string | undefined {
  const v = read(value, path);
  return typeof v === "string" ? v : undefined;
}

/** A finite number (numeric strings accepted: YAML and JSON config sometimes carry them), or undefined. */
export function num(value: unknown, ...path: (string | number)[]): number | undefined {
  const v = read(value, path);
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** A boolean (`"true"`/`"false"` strings accepted), or undefined. */
export function bool(value: unknown, ...path: (string | number)[]): boolean | undefined {
  const v = read(value, path);
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
  return undefined;
}

/** The elements of an array (secrets unwrapped), or [] when absent or not an array. */
export function arr(value: unknown, ...path: (string | number)[]): unknown[] {
  const v = read(value, path);
  // An unknown element (e.g. an ID in preview) is NOT_KNOWN: it counts, and reads as absent.
  // (Indexed reads: `map` would read each element through the proxy before our callback.)
  if (!Array.isArray(v)) return [];
  const out: unknown[] = new Array(v.length);
  for (let i = 0; i < out.length; i++) {
    try {
      out[i] = unwrapSecret(v[i]);
    } catch (err) {
      if (!(err instanceof UnknownValueError)) throw err;
      out[i] = NOT_KNOWN;
    }
  }
  return out;
}

/**
 * `arr` for a list that may not be known as a whole (preview): `[NOT_KNOWN]`, one element not
 * known yet, so a stack policy judges it as such (through what the input was computed from)
 * instead of `arr` throwing, which skips the rest of the policy for every resource of the stack.
 */
export function peekArr(value: unknown, ...path: (string | number)[]): unknown[] {
  return peekPath(value, path) === NOT_KNOWN ? [NOT_KNOWN] : arr(value, ...path);
}

/** An object value, or undefined. */
export function rec(value: unknown, ...path: (string | number)[]): Record<string, unknown> | undefined {
  const v = read(value, path);
  return isRecord(v) ? v : undefined;
}

/** Whether the property is present with a value other than undefined/null (unknown counts as present). */
export function has(value: unknown, ...path: (string | number)[]): boolean {
  const v = peekPath(value, path);
  return v !== undefined && v !== null;
}

/** Whether the property is a non-blank string, or unknown (it will be set once known). */
export function hasText(value: unknown, ...path: (string | number)[]): boolean {
  const v = peekPath(value, path);
  return v === NOT_KNOWN || (typeof v === "string" && v.trim() !== "");
}

/** Case-insensitive string equality (Azure enum values and IDs are case-insensitive). */
export function eqi(a: unknown, b: string): boolean {
  return typeof a === "string" && a.toLowerCase() === b.toLowerCase();
}

/** An ARM resource ID normalized for comparison: lowercase, no trailing slash. */
export function normalizeId(id: unknown): string | undefined {
  if (typeof id !== "string" || id === "") return undefined;
  // (The regular expression only when there is a trailing slash: IDs are normalized a lot.)
  const trimmed = id.trim();
  return (trimmed.endsWith("/") ? trimmed.replace(/\/+$/, "") : trimmed).toLowerCase();
}

/** Whether two ARM IDs name the same resource. */
export function sameId(a: unknown, b: unknown): boolean {
  const x = normalizeId(a);
  return x !== undefined && x === normalizeId(b);
}

const LOCATIONS = new Map<string, string>();

/** Azure location names normalized: `West Europe` -> `westeurope`. */
export function normalizeLocation(location: string): string {
  // An estate names a handful of regions, each read by several policies per resource.
  let normalized = LOCATIONS.get(location);
  if (normalized === undefined) {
    normalized = location.replace(/\s+/g, "").toLowerCase();
    if (LOCATIONS.size < 1000) LOCATIONS.set(location, normalized);
  }
  return normalized;
}

/** Whether two lists hold the same items in the same order (an indexed loop: called per resource). */
function sameItems(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const LOCATION_LISTS = new WeakMap<readonly string[], { source: string[]; normalized: readonly string[] }>();

/**
 * `locations.map(normalizeLocation)`, kept per list: a policy reads the same configured list
 * for every resource. (Recomputed if the list was changed in place since.)
 */
export function normalizeLocations(locations: readonly string[]): readonly string[] {
  const cached = LOCATION_LISTS.get(locations);
  if (cached && sameItems(cached.source, locations)) return cached.normalized;
  const normalized = locations.map(normalizeLocation);
  LOCATION_LISTS.set(locations, { source: [...locations], normalized });
  return normalized;
}

/** Tags as a string map (non-string values dropped), or undefined when there is no tags object. */
export function tags(props: unknown): Record<string, string> | undefined {
  const t = rec(props, "tags");
  if (!t) return undefined;
  const out: Record<string, string> = {};
  for (const key of Object.keys(t)) {
    const v = unwrapSecret(t[key]);
    if (typeof v === "string") out[key] = v;
  }
  return out;
}

/**
 * `tags(props)?.[name]` for a tag name that is an ordinary key (not `__proto__`), without building
 * the map: the same reads in the same order, so an unknown tag value throws as it would there.
 * (A stack policy reads one tag of every resource of the stack.)
 */
export function tag(props: unknown, name: string): string | undefined {
  const t = rec(props, "tags");
  if (!t) return undefined;
  let found: string | undefined;
  const keys = Object.keys(t);
  for (let i = 0; i < keys.length; i++) {
    const v = unwrapSecret(t[keys[i]]);
    if (keys[i] === name && typeof v === "string") found = v;
  }
  return found;
}

/** A short description of a value for messages (never prints secrets: callers pass non-secret settings). */
export function show(value: unknown): string {
  if (value === undefined) return "not set";
  if (typeof value === "string") return `"${value}"`;
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}
