/**
 * How components check their arguments: a zod schema next to each component
 * (`<component>.schema.ts`) runs before anything registers and reports every problem at once,
 * each naming the argument path, the value and what is allowed. The stack config schema is
 * composed from the same schemas, so a config error and a component error are the same error
 * (the config adds the key path).
 */
import { RunError } from "@pulumi/pulumi/errors";
import { Output } from "@pulumi/pulumi/output";
import { z } from "zod";
import { closest } from "../../controls/closest";
import type { NameRule } from "../../controls/limits";

/** One bad argument: where, what was given (JSON, shortened) and what is allowed. */
export interface ArgProblem {
  path: PropertyKey[];
  value: string;
  message: string;
}

/** `apps[0].env.TOKEN` from `["apps", 0, "env", "TOKEN"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => {
    if (typeof part === "number") return `${acc}[${part}]`;
    return acc === "" ? String(part) : `${acc}.${String(part)}`;
  }, "");
}

const MAX_VALUE_LENGTH = 80;

/** The value as JSON, `(not set)` when absent, objects shortened so a message never dumps a whole app. */
export function showValue(value: unknown): string {
  if (value === undefined) return "(not set)";
  let text: string;
  try {
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = typeof value;
  }
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 3)}...` : text;
}

/** The value at `path` inside `input` (undefined when the path does not exist). */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const part of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

/** The message for a key an object does not have. */
export function unknownKeyMessage(key: string, allowed: readonly string[], what: string): string {
  const hint = closest(key, allowed);
  return `is not ${what}${hint ? `; did you mean ${hint}?` : ""} (allowed: ${allowed.join(", ")})`;
}

/**
 * A strict object whose unknown keys are reported one by one with a did-you-mean (zod's own
 * message names the object, not the key). `refused` explains keys that are refused on purpose
 * (an insecure switch the component does not have).
 */
export function strictArgs<S extends z.ZodRawShape>(
  shape: S,
  what: string,
  refused: Readonly<Record<string, string>> = {},
) {
  const allowed = Object.keys(shape);
  return z.looseObject(shape).superRefine(
    (value, ctx) => {
      if (typeof value !== "object" || value === null) return;
      for (const key of Object.keys(value)) {
        if (allowed.includes(key)) continue;
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: refused[key] ?? unknownKeyMessage(key, allowed, what),
        });
      }
    },
    { when: () => true },
  ) as unknown as z.ZodType<z.output<z.ZodObject<S>>, z.input<z.ZodObject<S>>>;
}

/** A string following an Azure name rule; the message says the rule. */
export function named(rule: NameRule): z.ZodString {
  return z
    .string({ message: `must be a string: ${rule.rule}` })
    .regex(rule.pattern, `must be ${rule.rule}`)
    .meta({ allowed: rule.rule });
}

/** An integer in `[min, max]`, with one message for every way of missing it. */
export function wholeNumber(min: number, max: number, why?: string): z.ZodNumber {
  const message = `must be a whole number from ${min} to ${max}${why ? ` (${why})` : ""}`;
  return z.number({ message }).int(message).min(min, message).max(max, message);
}

/** What zod's own wording for a wrong type ("Invalid input: expected ...") means, as what is allowed. */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping (key: value)",
  record: "a mapping (key: value)",
};

/**
 * The issue's message, or, where a schema left zod's default wording ("Invalid input: expected
 * string, received undefined", "Too small: expected string to have >=1 characters", "Invalid
 * email address"), what is allowed in the words of the other messages: the rule is "a message
 * names what is allowed", and a field without its own message must not break it.
 */
function allowedMessage(issue: z.core.$ZodIssue, value: unknown): string {
  const message = issue.message;
  if (issue.code === "invalid_value" && message.startsWith("Invalid option")) {
    return `must be one of ${issue.values.map(String).join(", ")}`;
  }
  if (issue.code === "invalid_type" && message.startsWith("Invalid input: expected ")) {
    const what = TYPE_WORDS[issue.expected] ?? issue.expected;
    return value === undefined ? `is required: ${what}` : `must be ${what}`;
  }
  if (issue.code === "too_small" && message.startsWith("Too small: ")) {
    if (issue.origin === "string" && Number(issue.minimum) === 1) return "must not be empty";
    if (issue.origin === "array" && Number(issue.minimum) === 1) return "must list at least one item";
  }
  if (issue.code === "invalid_format" && issue.format === "email" && message === "Invalid email address") {
    return "must be an e-mail address such as team@example.com";
  }
  return message;
}

/** zod issues as problems on `input`, with paths relative to it. */
export function problemsOf(issues: readonly z.core.$ZodIssue[], input: unknown): ArgProblem[] {
  const out: ArgProblem[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      // Not produced by strictArgs, but by plain strict objects: one problem per key.
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        out.push({ path, value: showValue(valueAt(input, path)), message: "is not a known setting" });
      }
      continue;
    }
    const value = valueAt(input, issue.path);
    out.push({ path: [...issue.path], value: showValue(value), message: allowedMessage(issue, value) });
  }
  return out;
}

/**
 * Bad component arguments: the message lists every problem; `problems` has them structured.
 * A `RunError`, so `pulumi preview`/`up` prints the message without a stack trace (the Node.js
 * language host prints any other error with its stack: @pulumi/pulumi cmd/run/run.js).
 */
export class ComponentArgsError extends RunError {
  constructor(
    readonly owner: string,
    readonly problems: ArgProblem[],
  ) {
    super(
      `${owner}: invalid arguments (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${formatPath(p.path) || "(args)"} = ${p.value}: ${p.message}`).join("\n"),
    );
    this.name = "ComponentArgsError";
  }
}

/** Parses `input` with `schema`, or throws one `ComponentArgsError` listing every problem. */
export function parseArgs<T>(
  owner: string,
  schema: z.ZodType<T>,
  input: unknown,
  prefix: PropertyKey[] = [],
): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ComponentArgsError(
    owner,
    problemsOf(result.error.issues, input).map((p) => ({ ...p, path: [...prefix, ...p.path] })),
  );
}

/** "Did you mean": one helper for the stack config, the components and the policy pack. */
export const didYouMean = closest;

/** One bad argument as a `ComponentArgsError` (for a check that cannot live in a schema). */
export function argError(
  owner: string,
  path: PropertyKey[],
  value: unknown,
  message: string,
): ComponentArgsError {
  return new ComponentArgsError(owner, [{ path, value: showValue(value), message }]);
}

/**
 * Problems found by checks outside the schema, collected so that independent checks all
 * report before anything registers: `check` runs one and returns its result (a
 * `ComponentArgsError` it throws joins the list; another `RunError`, such as a `NamingError`,
 * joins as a problem of `where`; anything else is a bug and propagates), `throwIfAny` throws
 * them together.
 */
export class ArgProblems {
  readonly problems: ArgProblem[] = [];
  /** The error of the first failed check, rethrown as is when it stays the only problem (its class kept). */
  private first?: ComponentArgsError;
  constructor(readonly owner: string) {}

  add(path: PropertyKey[], value: unknown, message: string): void {
    this.problems.push({ path, value: showValue(value), message });
  }

  check<T>(
    fn: () => T,
    where: { path: PropertyKey[]; value: unknown } = { path: [], value: undefined },
  ): T | undefined {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ComponentArgsError) {
        if (this.problems.length === 0 && err.owner === this.owner) this.first = err;
        this.problems.push(...err.problems);
      } else if (err instanceof RunError) this.add(where.path, where.value, err.message);
      else throw err;
      return undefined;
    }
  }

  /** In a `catch`: the error joins the problems as in `check`, and all of them come back to throw. */
  fail(
    err: unknown,
    where: { path: PropertyKey[]; value: unknown } = { path: [], value: undefined },
  ): ComponentArgsError {
    this.check(() => {
      throw err;
    }, where);
    return new ComponentArgsError(this.owner, this.problems);
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }

  /**
   * Before the checks that read the platform: without a usable one (`startArgChecks`'s
   * `platformOk`), the problems so far are the report. An unknown argument does not stop them.
   */
  beforePlatformReads(platformOk: boolean): void {
    if (!platformOk) this.throwIfAny();
  }

  throwIfAny(): void {
    // A lone PrivilegedRoleError from a component stays one, as before every problem was collected.
    if (this.first && this.first.problems.length === this.problems.length) throw this.first;
    if (this.problems.length > 0) throw new ComponentArgsError(this.owner, this.problems);
  }
}

/**
 * An optional argument that must be a mapping with the `required` keys (`shape` says which, in
 * words). Anything else was silently ignored (a string `lock`) or failed at deployment with a
 * TypeError (a string `customerManagedKey`). `null` counts as not set, as other languages send
 * an unset optional argument. Returns whether the value can be read (false: problems recorded).
 */
export function checkMapping(
  problems: ArgProblems,
  path: PropertyKey[],
  value: unknown,
  shape: string,
  required: readonly string[] = [],
): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== "object" || Array.isArray(value) || Output.isInstance(value)) {
    problems.add(path, Output.isInstance(value) ? "(an Output)" : value, `must be a mapping ${shape}`);
    return false;
  }
  const missing = required.filter((key) => {
    const v = (value as Record<string, unknown>)[key];
    return v === undefined || v === null || v === "";
  });
  for (const key of missing) {
    problems.add([...path, key], (value as Record<string, unknown>)[key], `is required: ${shape}`);
  }
  return missing.length === 0;
}

/** What a `platform` key must be, in words, by how components read it. */
const PLATFORM_KEY_TYPES: Readonly<Record<string, "string" | "boolean" | "object">> = {
  environment: "string",
  location: "string",
  pairedLocation: "string",
  namePrefix: "string",
  tags: "object",
  privateDnsZoneIds: "object",
  deletionLocks: "boolean",
  zoneRedundant: "boolean",
};

/** The keys of the platform context each kind of component reads (see interfaces.ts). */
export const PLACEMENT_KEYS = ["environment", "location", "resourceGroupName", "namePrefix", "tags"] as const;
export const LOGGING_PLATFORM_KEYS = [...PLACEMENT_KEYS, "deletionLocks"] as const;
export const NETWORK_PLATFORM_KEYS = [...PLACEMENT_KEYS, "workspaceId"] as const;
export const PLATFORM_CONTEXT_KEYS = [
  ...PLACEMENT_KEYS,
  "deletionLocks",
  "workspaceId",
  "pairedLocation",
  "resourceGroupId",
  "tenantId",
  "actionGroupId",
  "privateEndpointSubnetId",
  "privateDnsZoneIds",
  "zoneRedundant",
] as const;

/**
 * The first check of every component: `args` is a mapping. Without it a missing `args` is a
 * TypeError deep in the constructor (a stack trace under `pulumi up`); nothing else can be
 * checked, so this one throws alone.
 */
export function requireArgs(owner: string, args: unknown): void {
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw argError(
      owner,
      [],
      args,
      "is required: a mapping of the component's arguments (see docs/component-arguments.md)",
    );
  }
}

/**
 * `platform` is a platform context with every key the component reads (`keys`): a missing
 * `platform` or key is reported by name, not met as a TypeError later.
 */
export function checkPlatform(owner: string, platform: unknown, keys: readonly string[]): void {
  // An Output (a StackReference output passed as is, or any input with dependencies through the
  // component package's gRPC path) cannot be read before deployment: the checks and names need it.
  const notOutput =
    "is an Output, unknown until deployment: pass the platform stack's output as a plain value (StackReference.getOutputDetails, see examples/team-app)";
  if (Output.isInstance(platform)) {
    throw new ComponentArgsError(owner, [{ path: ["platform"], value: "(an Output)", message: notOutput }]);
  }
  if (typeof platform !== "object" || platform === null || Array.isArray(platform)) {
    throw argError(
      owner,
      ["platform"],
      platform,
      `is required: the platform context, a mapping with ${keys.join(", ")} (the platform stack's output "platform"; see docs/components-package.md)`,
    );
  }
  const problems = new ArgProblems(owner);
  for (const key of keys) {
    const value = (platform as Record<string, unknown>)[key];
    const type = PLATFORM_KEY_TYPES[key];
    if (Output.isInstance(value) && type) {
      problems.problems.push({ path: ["platform", key], value: "(an Output)", message: notOutput });
    } else if (value === undefined || value === null) {
      problems.add(
        ["platform", key],
        value,
        'is required: a key of the platform context (the platform stack\'s output "platform")',
      );
    } else if (
      type === "object" ? typeof value !== "object" || Array.isArray(value) : type && typeof value !== type
    ) {
      problems.add(["platform", key], value, `must be ${TYPE_WORDS[type] ?? type}`);
    }
  }
  problems.throwIfAny();
}
