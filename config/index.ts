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
import { didYouMean, problemsOf, showValue } from "../components/common/schema";
import { readConfigText } from "../policy/common/pulumiFormat";
import { platformConfigSchema, PROJECT, type PlatformConfig } from "./schema";
import { parseYamlText } from "./yamlText";

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
  const doc = parseYamlText(fs.readFileSync(projectFile, "utf8")) as {
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
 * A `RunError`: the SDK's program runner (`@pulumi/pulumi/cmd/run`) prints a RunError's message
 * alone, where any other error thrown by the program is printed as "failed with an unhandled
 * exception" with its stack trace and fields (`util.inspect`), so `pulumi preview` shows the list
 * and nothing else, as `npm run plan` does.
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

/** `value`, frozen deeply (plain data): whoever shares it cannot change it for the others. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** How a secret config key is shown: never its value. */
export const SECRET_VALUE_DISPLAY = "[secret]";

/**
 * Why a setting of this project must not be a secret: the program reads every one of them as
 * plain data (`secret: true` in Pulumi.yaml would be the exception; none is), so a secret value
 * would land in plain text in resource properties (tags, names, a container's `env`) and in the
 * state, where Pulumi no longer knows it is secret. Secrets live in Key Vault (SEC-1).
 */
export function secretSettingMessage(key: string): string {
  const where =
    key === "apps"
      ? "an app's env is a plain container environment variable: put the value in Key Vault and list it under the app's secrets (ENV_VAR: Key Vault secret name, docs/container-apps.md)"
      : "store secrets in Key Vault and reference them (an app's secrets: ENV_VAR: Key Vault secret name, docs/container-apps.md)";
  return (
    "is a secret (pulumi config set --secret, or --secret --path on one of its values), but this program reads it as plain data: " +
    `its value would be written in plain text to resources and state. No setting of this project is a secret (SEC-1); ${where}; ` +
    `then set it without --secret (pulumi config set ${key} ...)`
  );
}

/**
 * Validates raw settings (short key -> value, already typed) against the schema, with
 * Pulumi.yaml defaults applied. Exposed separately so the offline plan can check a stack
 * file before running the program. `secretKeys` (full keys, `secure-azure-platform:apps`) are
 * the keys the runtime marks secret: a setting among them is refused and its value neither
 * judged nor shown.
 */
export function validatePlatformConfig(
  raw: Record<string, unknown>,
  declarations = projectDeclarations(),
  alreadyReported: readonly ConfigProblem[] = [],
  secretKeys: readonly string[] = [],
): PlatformConfig {
  const input: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [...alreadyReported];
  const secretSettings = new Set<string>();
  for (const fullKey of secretKeys) {
    if (!fullKey.startsWith(`${PROJECT}:`)) continue;
    const short = fullKey.slice(PROJECT.length + 1);
    if (!(short in declarations) || declarations[short].secret) continue;
    secretSettings.add(short);
    if (!problems.some((p) => p.key === fullKey)) {
      problems.push({ key: fullKey, value: SECRET_VALUE_DISPLAY, message: secretSettingMessage(short) });
    }
  }
  // Keys already reported (a value of the wrong type) are not reported again, and rules reading them wait.
  const reported = new Set(
    alreadyReported
      .filter((p) => p.key.startsWith(`${PROJECT}:`) || p.key === "azure-native:location")
      .map((p) => p.key.replace(/^[^:]*:/, "").split(/[.[]/)[0]),
  );
  // A secret setting is reported once, above: its value is never judged or echoed.
  for (const key of secretSettings) reported.add(key);
  for (const [key, decl] of Object.entries(declarations)) {
    input[key] = raw[key] !== undefined ? raw[key] : decl.default;
  }
  input.location = raw.location;
  for (const key of Object.keys(raw)) {
    if (key !== "location" && !(key in declarations)) {
      const hint = didYouMean(key, Object.keys(declarations));
      const fullKey = `${PROJECT}:${key}`;
      problems.push({
        key: fullKey,
        // A mistyped key set with --secret holds a secret too: never echo it.
        value: secretKeys.includes(fullKey) ? SECRET_VALUE_DISPLAY : showValue(raw[key]),
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

/**
 * Whether the Pulumi runtime marks `fullKey` secret (`pulumi config set --secret`; under mocks,
 * `pulumi.runtime.setAllConfig(config, secretKeys)`). The SDK has no public API for it:
 * `isConfigSecret` is exported by @pulumi/pulumi/runtime/config.js (3.276.0) but marked
 * `@internal` and absent from its .d.ts, and reads the secret keys the language host passes in
 * PULUMI_CONFIG_SECRET_KEYS. Feature-detected: an SDK without it falls back to that variable
 * (what the language host sets for a real run), and anything unexpected counts as "not known
 * secret", never as a crash. docs/components.md ("Configuration and secrets") says so.
 */
export function configKeyIsSecret(fullKey: string): boolean {
  // The language host may pass legacy `<project>:config:<key>` names (the SDK's cleanKey).
  const colon = fullKey.indexOf(":");
  const names = [fullKey, `${fullKey.slice(0, colon)}:config:${fullKey.slice(colon + 1)}`];
  const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: unknown }).isConfigSecret;
  try {
    if (typeof isConfigSecret === "function") {
      return names.some((name) => (isConfigSecret as (k: string) => unknown)(name) === true);
    }
    const listed: unknown = JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS || "[]");
    return Array.isArray(listed) && names.some((name) => listed.includes(name));
  } catch {
    return false;
  }
}

/** Reads and validates this stack's configuration from the Pulumi runtime. */
export function loadPlatformConfig(): PlatformConfig {
  const declarations = projectDeclarations();
  const raw: Record<string, unknown> = {};
  const all = pulumi.runtime.allConfig();
  const typos: ConfigProblem[] = [];
  const secretKeys: string[] = [];
  for (const [fullKey, value] of Object.entries(all)) {
    const secret = configKeyIsSecret(fullKey);
    if (secret) secretKeys.push(fullKey);
    const namespace = fullKey.slice(0, fullKey.indexOf(":"));
    if (namespace !== PROJECT && didYouMean(namespace, [PROJECT]) === PROJECT) {
      typos.push({
        key: fullKey,
        // Set with --secret under a mistyped namespace: still a secret, never echoed.
        value: secret ? SECRET_VALUE_DISPLAY : showValue(value),
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
  return validatePlatformConfig(raw, declarations, typos, secretKeys);
}
