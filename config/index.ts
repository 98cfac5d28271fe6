/**
 * Turns the stack's `pulumi.Config` into one typed, deeply frozen `PlatformConfig`.
 *
 * Pulumi.yaml's `config:` block is the single source of defaults: the CLI applies it on
 * `pulumi up`, and this loader applies it again so that mocks, tests and the offline plan
 * (where nothing else does) see exactly the same values. Any bad value is reported in one
 * `ConfigError` naming every offending key, its value and what is allowed, before the
 * program registers a single resource.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { didYouMean, problemsOf, showValue } from "../components/common/schema";
import { readConfigText } from "../policy/common/pulumiFormat";
import { platformConfigSchema, PROJECT, type PlatformConfig } from "./schema";

export * from "./schema";
export { EU_REGIONS, pairedRegion } from "../controls/regions";

/** A declared setting of Pulumi.yaml: `type` is one of Pulumi's project config types. */
export interface ConfigDeclaration {
  type: "string" | "integer" | "boolean" | "array" | "object";
  description?: string;
  default?: unknown;
  secret?: boolean;
  items?: { type: string };
}

export const PROJECT_FILE = path.join(__dirname, "..", "Pulumi.yaml");

/** The `config:` block of Pulumi.yaml, keyed by the setting's short name (without the project prefix). */
export function projectDeclarations(projectFile = PROJECT_FILE): Record<string, ConfigDeclaration> {
  const doc = parseYaml(fs.readFileSync(projectFile, "utf8")) as {
    config?: Record<string, ConfigDeclaration>;
  };
  const out: Record<string, ConfigDeclaration> = {};
  for (const [key, decl] of Object.entries(doc.config ?? {})) {
    const short = key.startsWith(`${PROJECT}:`) ? key.slice(PROJECT.length + 1) : key;
    if (!short.includes(":")) out[short] = decl;
  }
  return out;
}

export interface ConfigProblem {
  /** Full config key, e.g. `secure-azure-platform:apps[0].ingress`. */
  key: string;
  /** The offending value as JSON, or `(not set)`. */
  value: string;
  /** What is allowed. */
  message: string;
}

/**
 * Bad stack configuration. The message lists every problem; `problems` has them structured.
 * A `RunError`: under the real CLI (`pulumi preview`/`up`) the Node.js language host prints a
 * RunError's message alone, where any other error is printed with its whole stack trace
 * (@pulumi/pulumi cmd/run/run.js, `uncaughtHandler`), as Pulumi's own config errors are.
 */
export class ConfigError extends pulumi.RunError {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p.key} = ${p.value}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

function keyOf(pathParts: PropertyKey[]): string {
  const [head, ...rest] = pathParts;
  const base = head === "location" ? "azure-native:location" : `${PROJECT}:${String(head)}`;
  return rest.reduce<string>(
    (acc, part) => (typeof part === "number" ? `${acc}[${part}]` : `${acc}.${String(part)}`),
    base,
  );
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/**
 * Validates raw settings (short key -> value, already typed) against the schema, with
 * Pulumi.yaml defaults applied. Exposed separately so the offline plan can check a stack
 * file before running the program.
 */
export function validatePlatformConfig(
  raw: Record<string, unknown>,
  declarations = projectDeclarations(),
  alreadyReported: readonly ConfigProblem[] = [],
): PlatformConfig {
  const input: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [...alreadyReported];
  // Keys already reported (a value of the wrong type) are not reported again, and rules reading them wait.
  const reported = new Set(
    alreadyReported
      .filter((p) => p.key.startsWith(`${PROJECT}:`) || p.key === "azure-native:location")
      .map((p) => p.key.replace(/^[^:]*:/, "").split(/[.[]/)[0]),
  );
  for (const [key, decl] of Object.entries(declarations)) {
    input[key] = raw[key] !== undefined ? raw[key] : decl.default;
  }
  input.location = raw.location;
  for (const key of Object.keys(raw)) {
    if (key !== "location" && !(key in declarations)) {
      const hint = didYouMean(key, Object.keys(declarations));
      problems.push({
        key: `${PROJECT}:${key}`,
        value: showValue(raw[key]),
        message: `is not a setting of this project${hint ? ` (did you mean ${PROJECT}:${hint}?)` : ""}; see Pulumi.yaml`,
      });
    }
  }
  for (const key of reported) input[key] = undefined;
  const result = platformConfigSchema.safeParse(input);
  if (!result.success) {
    for (const p of problemsOf(result.error.issues, input)) {
      if (reported.has(String(p.path[0]))) continue;
      problems.push({ key: keyOf(p.path), value: p.value, message: p.message });
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return deepFreeze(result.data);
}

/** Reads and validates this stack's configuration from the Pulumi runtime. */
export function loadPlatformConfig(): PlatformConfig {
  const declarations = projectDeclarations();
  const raw: Record<string, unknown> = {};
  const all = pulumi.runtime.allConfig();
  const typos: ConfigProblem[] = [];
  for (const [fullKey, value] of Object.entries(all)) {
    const namespace = fullKey.slice(0, fullKey.indexOf(":"));
    if (namespace !== PROJECT && didYouMean(namespace, [PROJECT]) === PROJECT) {
      typos.push({
        key: fullKey,
        value: showValue(value),
        message: `namespace "${namespace}" is not read by anything; did you mean ${PROJECT}:${fullKey.slice(namespace.length + 1)}?`,
      });
    }
    if (!fullKey.startsWith(`${PROJECT}:`)) continue;
    const key = fullKey.slice(PROJECT.length + 1);
    const decl = declarations[key];
    // The same reading of the CLI's text as the offline plan's (policy/common/pulumiFormat.ts).
    raw[key] = readConfigText(value, decl?.type);
  }
  raw.location = new pulumi.Config("azure-native").get("location");
  return validatePlatformConfig(raw, declarations, typos);
}
