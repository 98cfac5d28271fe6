/**
 * Policy pack configuration as the Pulumi engine handles it: the `--policy-pack-config` JSON
 * format, and its reconciliation with the pack's policies (pulumi/pulumi
 * `ReconcilePolicyPackConfig` / `applyConfig`):
 *
 * 1. every policy starts with its own enforcement level (or the pack's when it has none) and
 *    the `default` of each top-level property of its `configSchema`;
 * 2. `"all": <level>` (or `{ "enforcementLevel": <level> }`) sets every policy's level;
 * 3. a policy's own entry sets its level and overrides properties one by one (shallow).
 *
 * `disabled` policies do not run; `remediate` is reported as `mandatory` (the engine runs
 * remediations first, and a violation left after them is mandatory).
 *
 * Stricter than the engine on purpose: an entry naming no policy of the pack, or a parameter
 * the policy does not declare, is refused with a did-you-mean. The engine ignores both
 * silently, so a typo in a preset (`minRetentionDay`) would quietly leave the default in force.
 */
import * as fs from "fs";
import * as path from "path";
import type { EnforcementLevel, Policy } from "@pulumi/policy";
import { closest } from "../../controls/closest";

/** The pack's name and enforcement level as `policy/index.ts` declares them. */
export const PACK_NAME = "secure-azure-platform";
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** One entry of a policy pack config file: a level, or a level plus properties. */
export type PackConfigEntry =
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>);
/** The `--policy-pack-config` file format: `{ "all": ..., "<policy-name>": ... }`. */
export type PackConfig = Record<string, PackConfigEntry>;

/** A policy's configuration after reconciliation. */
export interface ResolvedPolicyConfig {
  enforcementLevel: EnforcementLevel;
  /** What `args.getConfig()` returns: schema defaults overridden by the given config. */
  properties: Record<string, unknown>;
}

export class PackConfigError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length ? `${message}:\n  - ${problems.join("\n  - ")}` : message);
    this.name = "PackConfigError";
  }
}

const PRESETS_DIR = path.resolve(__dirname, "..", "..", "policy", "config");

/**
 * The config for `"dev"` / `"prod"` (the presets in `policy/config/`), or read from a JSON
 * file path. Throws `PackConfigError` naming the file when it is missing or malformed.
 */
export function loadPackConfig(fileOrStack: string): PackConfig {
  // A bare name ("dev", "prod") is a preset; anything with a dot or a slash is a file.
  const file = /^[a-z0-9-]+$/i.test(fileOrStack)
    ? path.join(PRESETS_DIR, `${fileOrStack}.json`)
    : path.resolve(fileOrStack);
  let text: string;
  try {
    // A UTF-8 byte order mark (Windows editors write one) is not part of the JSON.
    text = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PackConfigError(
      code === "ENOENT" && file.startsWith(PRESETS_DIR)
        ? `No policy pack preset "${fileOrStack}" (${file} does not exist; presets: ${presetNames().join(", ")})`
        : `Cannot read policy pack config ${file}: ${(err as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new PackConfigError(`Policy pack config ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const problems = checkPackConfigShape(parsed);
  if (problems.length) throw new PackConfigError(`Policy pack config ${file} is invalid`, problems);
  return parsed as PackConfig;
}

function presetNames(): string[] {
  try {
    return fs
      .readdirSync(PRESETS_DIR)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5));
  } catch {
    return [];
  }
}

/** Structural problems of a config document (the format, not the policies' schemas). */
export function checkPackConfigShape(doc: unknown): string[] {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    return ["the config must be a JSON object"];
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(doc)) {
    if (typeof entry === "string") {
      if (!LEVELS.includes(entry as EnforcementLevel)) {
        problems.push(`${name}: "${entry}" is not an enforcement level (${LEVELS.join(", ")})`);
      }
    } else if (typeof entry === "object" && entry !== null && !Array.isArray(entry)) {
      const level = (entry as Record<string, unknown>).enforcementLevel;
      if (level !== undefined && !LEVELS.includes(level as EnforcementLevel)) {
        problems.push(
          `${name}.enforcementLevel: ${JSON.stringify(level)} is not one of ${LEVELS.join(", ")}`,
        );
      }
    } else {
      problems.push(`${name}: expected an enforcement level or an object, got ${JSON.stringify(entry)}`);
    }
  }
  return problems;
}

function entryParts(entry: PackConfigEntry | undefined): {
  level: EnforcementLevel | undefined;
  properties: Record<string, unknown>;
} {
  if (entry === undefined) return { level: undefined, properties: {} };
  if (typeof entry === "string") return { level: entry, properties: {} };
  const { enforcementLevel, ...properties } = entry;
  return { level: enforcementLevel || undefined, properties };
}

/** Top-level `default`s of a policy's config schema (what the engine pre-fills). */
export function schemaDefaults(policy: Pick<Policy, "configSchema">): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
    if (schema && typeof schema === "object" && "default" in schema)
      out[key] = structuredClone(schema.default);
  }
  return out;
}

/**
 * Reconcile a pack config with the policies, as the engine does before it configures the
 * analyzer. Returns each policy's level and properties, and the problems the engine would
 * refuse the config for (a property of the wrong JSON type, outside `enum`/`minimum`/`maximum`,
 * or a `required` one missing), plus entries that name no policy of the pack and parameters a
 * policy does not declare (the engine ignores them silently; a typo in a preset must not).
 * `warnings` is kept for callers that print it; it is empty today.
 */
export function reconcilePackConfig(
  policies: readonly Policy[],
  config: PackConfig = {},
  packLevel: EnforcementLevel = PACK_ENFORCEMENT_LEVEL,
): { policies: Map<string, ResolvedPolicyConfig>; problems: string[]; warnings: string[] } {
  const result = new Map<string, ResolvedPolicyConfig>();
  for (const p of policies) {
    result.set(p.name, { enforcementLevel: p.enforcementLevel || packLevel, properties: schemaDefaults(p) });
  }
  const all = entryParts(config.all);
  if (all.level) for (const r of result.values()) r.enforcementLevel = all.level;
  const warnings: string[] = [];
  const problems: string[] = [];
  const names = policies.map((p) => p.name);
  for (const [name, entry] of Object.entries(config)) {
    if (name === "all") continue;
    const target = result.get(name);
    if (!target) {
      const hint = closest(name, names);
      problems.push(
        `${name}: not a policy of the pack${hint ? ` (did you mean "${hint}"?)` : ""}; policies: see docs/policy.md`,
      );
      continue;
    }
    const { level, properties } = entryParts(entry);
    if (level) target.enforcementLevel = level;
    const declared = Object.keys(policies.find((p) => p.name === name)?.configSchema?.properties ?? {});
    for (const key of Object.keys(properties)) {
      if (declared.includes(key)) continue;
      const hint = closest(key, declared);
      problems.push(
        `${name}.${key}: not a parameter of ${name}` +
          (hint ? ` (did you mean "${hint}"?)` : "") +
          `; parameters: ${declared.length ? declared.join(", ") : "none (only enforcementLevel)"}`,
      );
    }
    Object.assign(target.properties, properties);
  }
  for (const p of policies) problems.push(...validateProperties(p, result.get(p.name)!.properties));
  return { policies: result, problems, warnings };
}

type JsonSchemaLite = {
  type?: string | string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
  /** Says what a value matching `pattern` is, in the message. */
  description?: string;
  items?: JsonSchemaLite;
};

function jsonTypeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function matchesType(v: unknown, type: string): boolean {
  const t = jsonTypeOf(v);
  return t === type || (type === "number" && t === "integer");
}

function checkValue(where: string, v: unknown, schema: JsonSchemaLite): string[] {
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length && !types.some((t) => matchesType(v, t))) {
    return [`${where}: expected ${types.join(" or ")}, got ${JSON.stringify(v)}`];
  }
  const problems: string[] = [];
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
    problems.push(`${where}: ${JSON.stringify(v)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof v === "number" && schema.minimum !== undefined && v < schema.minimum) {
    problems.push(`${where}: ${v} is less than the minimum ${schema.minimum}`);
  }
  if (typeof v === "number" && schema.maximum !== undefined && v > schema.maximum) {
    problems.push(`${where}: ${v} is greater than the maximum ${schema.maximum}`);
  }
  if (typeof v === "string" && schema.pattern !== undefined && !new RegExp(schema.pattern).test(v)) {
    problems.push(
      schema.description
        ? `${where}: ${JSON.stringify(v)} is not ${schema.description}`
        : `${where}: ${JSON.stringify(v)} does not match ${schema.pattern}`,
    );
  }
  if (Array.isArray(v) && schema.items) {
    v.forEach((item, i) => problems.push(...checkValue(`${where}[${i}]`, item, schema.items!)));
  }
  return problems;
}

function validateProperties(policy: Policy, properties: Record<string, unknown>): string[] {
  const schema = policy.configSchema;
  if (!schema) return [];
  const problems: string[] = [];
  for (const key of schema.required ?? []) {
    if (properties[key] === undefined) problems.push(`${policy.name}.${key}: required`);
  }
  for (const [key, value] of Object.entries(properties)) {
    const s = schema.properties?.[key] as JsonSchemaLite | undefined;
    if (s) problems.push(...checkValue(`${policy.name}.${key}`, value, s));
  }
  return problems;
}
