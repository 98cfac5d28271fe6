/**
 * Reads a stack's configuration the way the Pulumi CLI hands it to the program: the
 * `Pulumi.<stack>.yaml` values, Pulumi.yaml's declared defaults for what the stack leaves
 * out, types checked against the declarations, `secure:` values kept secret.
 *
 * The CLI does this before the program starts, so under mocks nobody does unless we do
 * (see FIELD-NOTES, "Pulumi mock runtime"). What it produces is exactly what
 * `runUnderMocks` needs (`config` + `secretKeys`) plus the typed project settings that
 * `validatePlatformConfig` checks.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { didYouMean, showValue } from "../../components/common/schema";
import {
  configValueHasType,
  readConfigText,
  scalarConfigText,
  SECRET_DISPLAY,
  type ConfigType,
} from "../../policy/common/pulumiFormat";
import { ConfigError, PROJECT, PROJECT_FILE, type ConfigDeclaration, type ConfigProblem } from "../../config";
import { mappingScalars, parseYamlText } from "../../config/yamlText";

/** What secret values read as under mocks: deterministic, recognisable, never a real secret. */
export const SECRET_PLACEHOLDER_PREFIX = "offline-secret-";
export { SECRET_DISPLAY };

export interface StackConfig {
  project: string;
  stack: string;
  /** The stack file read (absent when the stack has no file and only defaults apply). */
  file: string;
  /**
   * Full key (`namespace:name`) -> value as the program reads it: strings for scalars,
   * arrays/objects as values (`runUnderMocks` JSON-encodes them as the CLI does). Secret
   * values are placeholders.
   */
  config: Record<string, unknown>;
  /** Full keys whose values are secrets. */
  secretKeys: string[];
  /** Project settings by short name, typed (integer -> number, boolean -> boolean). */
  projectSettings: Record<string, unknown>;
  /** The config for display: secrets shown as `[secret]`. */
  display(): Record<string, unknown>;
  /** Problems found reading the file (only with `collectProblems`; otherwise they are thrown). */
  problems: ConfigProblem[];
}

/**
 * The top-level keys of a stack file (the CLI's `ProjectStack`: pulumi/pulumi
 * sdk/go/common/workspace/project.go); anything else is ignored by the CLI, so a typo here
 * (`configg:`) would silently drop the whole configuration.
 */
const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"];

let azureNativeKeys: string[] | undefined;
/**
 * The azure-native provider's configuration keys (`azure-native:location`, `:subscriptionId`,
 * ...), as the installed package declares them (`@pulumi/azure-native/config`: one getter each;
 * `Object.keys` lists them without reading any).
 */
function azureNativeSettings(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  azureNativeKeys ??= Object.keys(require("@pulumi/azure-native/config/vars") as object).sort();
  return azureNativeKeys;
}

/** Namespaces this program reads: a stack key in a namespace close to one of them is a typo. */
const KNOWN_NAMESPACES = ["azure-native", "pulumi", "random"];

export interface ReadStackConfigOptions {
  /** Stack file to read instead of `Pulumi.<stack>.yaml` next to the project file. */
  stackFile?: string;
  projectFile?: string;
  /**
   * Settings applied over the stack file, typed values (not strings), by full key
   * (`azure-native:location`) or by the project's short key (`backupRetentionDays`).
   * `undefined` removes the key, as if the stack file did not set it.
   */
  configOverrides?: Record<string, unknown>;
  /**
   * Return type problems in `problems` instead of throwing them, so the caller can report them
   * together with the schema's (a value of the wrong type must not hide other problems).
   */
  collectProblems?: boolean;
}

interface ProjectDoc {
  name?: string;
  config?: Record<string, unknown>;
}

/**
 * The file's value and its text (the stack file's scalars are also read as written,
 * `scalarTexts`): one parse (config/yamlText.ts), shared with the other readers of the same file.
 */
function readYaml(file: string, what: string): { value: unknown; text: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError([
      { key: what, value: JSON.stringify(file), message: `cannot be read (${(err as Error).message})` },
    ]);
  }
  try {
    // What `yaml.parse` gives (warnings to the process, the first error thrown).
    return { value: parseYamlText(text), text };
  } catch (err) {
    throw new ConfigError([
      { key: what, value: JSON.stringify(file), message: `is not valid YAML: ${(err as Error).message}` },
    ]);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** `{secure: "v1:..."}`: how a stack file stores an encrypted value. */
function isSecure(value: unknown): value is { secure: string } {
  return isObject(value) && Object.keys(value).length === 1 && typeof value.secure === "string";
}

function placeholder(key: string): string {
  return `${SECRET_PLACEHOLDER_PREFIX}${createHash("sha256").update(key).digest("hex").slice(0, 12)}`;
}

/** Replaces every `secure:` leaf by a placeholder; reports whether there was one. */
function revealPlaceholders(value: unknown, key: string): { value: unknown; secret: boolean } {
  if (isSecure(value)) return { value: placeholder(key), secret: true };
  if (Array.isArray(value)) {
    let secret = false;
    const items = value.map((item, i) => {
      const r = revealPlaceholders(item, `${key}[${i}]`);
      secret ||= r.secret;
      return r.value;
    });
    return { value: items, secret };
  }
  if (isObject(value)) {
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = revealPlaceholders(v, `${key}.${k}`);
      secret ||= r.secret;
      out[k] = r.value;
    }
    return { value: out, secret };
  }
  return { value, secret: false };
}

function typeName(decl: ConfigType): string {
  return decl.type === "array" && decl.items ? `array<${decl.items.type}>` : decl.type;
}

/**
 * The text of each top-level scalar of the stack file's `config:` block as written: the CLI
 * reads a scalar as a string (`1.50`, `007`, `True` reach the program as typed), while a YAML
 * parser would turn them into 1.5, 7 and true.
 */
function scalarTexts(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const { key, source, value } of mappingScalars(text, "config")) {
    out.set(key, source ?? scalarConfigText(value) ?? "");
  }
  return out;
}

function projectName(doc: ProjectDoc): string {
  return typeof doc.name === "string" && doc.name.length > 0 ? doc.name : PROJECT;
}

/** Full key for a key written in Pulumi.yaml (un-namespaced keys belong to the project). */
function fullKey(key: string, project: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/**
 * Reads `Pulumi.<stack>.yaml` (or `options.stackFile`) with Pulumi.yaml's defaults and
 * declared types. Throws one `ConfigError` listing every key whose value has the wrong
 * type, a plaintext value for a `secret: true` setting, or an un-namespaced stack key.
 */
export function readStackConfig(stack: string, options: ReadStackConfigOptions = {}): StackConfig {
  const projectFile = options.projectFile ?? PROJECT_FILE;
  const projectDoc = (readYaml(projectFile, "Pulumi.yaml").value ?? {}) as ProjectDoc;
  const project = projectName(projectDoc);
  const file = options.stackFile ?? path.join(path.dirname(projectFile), `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    throw new ConfigError([
      {
        key: `stack ${stack}`,
        value: JSON.stringify(file),
        message: `has no stack file; expected ${path.basename(file)} next to Pulumi.yaml`,
      },
    ]);
  }
  const { value: stackDoc, text: stackText } = readYaml(file, path.basename(file));
  if (stackDoc !== null && stackDoc !== undefined && !isObject(stackDoc)) {
    throw new ConfigError([
      {
        key: path.basename(file),
        value: "(document)",
        message: "must be a YAML mapping with a config: block",
      },
    ]);
  }
  const problems: ConfigProblem[] = [];
  // A misspelt `config:` block would otherwise read as an empty stack ("every key missing").
  for (const key of Object.keys(stackDoc ?? {})) {
    if (STACK_FILE_KEYS.includes(key)) continue;
    const meant = didYouMean(key, STACK_FILE_KEYS);
    problems.push({
      key: `${path.basename(file)} ${key}`,
      value: showValue((stackDoc as Record<string, unknown>)[key]),
      message: `is not a key of a stack file${meant ? `; did you mean ${meant}?` : ""} (allowed: ${STACK_FILE_KEYS.join(", ")})`,
    });
  }
  const stackConfig = (stackDoc as { config?: unknown } | null)?.config ?? {};
  if (!isObject(stackConfig)) {
    throw new ConfigError([
      { key: `${path.basename(file)} config`, value: "(block)", message: "must be a mapping of key: value" },
    ]);
  }

  // Declarations (project keys) and plain values (other namespaces) from Pulumi.yaml.
  const declarations = new Map<string, ConfigDeclaration>();
  const defaults = new Map<string, unknown>();
  for (const [key, entry] of Object.entries(projectDoc.config ?? {})) {
    const full = fullKey(key, project);
    if (isObject(entry) && ("type" in entry || "default" in entry || "description" in entry)) {
      declarations.set(full, entry as unknown as ConfigDeclaration);
      if ("default" in entry) defaults.set(full, entry.default);
    } else if (isObject(entry) && "value" in entry) {
      defaults.set(full, entry.value);
    } else {
      defaults.set(full, entry);
    }
  }

  const texts = scalarTexts(stackText);
  const raw = new Map<string, unknown>(defaults);
  for (const [key, value] of Object.entries(stackConfig)) {
    if (!key.includes(":")) {
      problems.push({
        key,
        value: JSON.stringify(value),
        message: `stack configuration keys are namespaced: write ${project}:${key} (or <provider>:${key})`,
      });
      continue;
    }
    const namespace = key.slice(0, key.indexOf(":"));
    const known = [project, ...KNOWN_NAMESPACES];
    const meant = known.includes(namespace) ? undefined : didYouMean(namespace, known);
    if (meant) {
      problems.push({
        key,
        value: showValue(value),
        message: `namespace "${namespace}" is not read by anything; did you mean ${meant}:${key.slice(namespace.length + 1)}?`,
      });
      continue;
    }
    const setting = key.slice(namespace.length + 1);
    if (namespace === "azure-native" && !azureNativeSettings().includes(setting)) {
      // The provider ignores a key it does not declare: `azure-native:locaton` would be dropped.
      const hint = didYouMean(setting, azureNativeSettings());
      problems.push({
        key,
        value: showValue(value),
        message: `is not a setting of the azure-native provider${hint ? ` (did you mean azure-native:${hint}?)` : ""}; its settings: ${azureNativeSettings().join(", ")}`,
      });
      continue;
    }
    raw.set(key, texts.get(key) ?? value);
  }
  for (const [key, value] of Object.entries(options.configOverrides ?? {})) {
    const full = fullKey(key, project);
    if (value === undefined) raw.delete(full);
    else raw.set(full, value);
  }

  const config: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  const projectSettings: Record<string, unknown> = {};
  const prefix = `${project}:`;
  for (const [key, value] of raw) {
    if (value === null || value === undefined) continue;
    const revealed = revealPlaceholders(value, key);
    const decl = declarations.get(key);
    if (decl?.secret && !revealed.secret) {
      problems.push({
        key,
        value: "(plaintext)",
        message: `is declared secret in Pulumi.yaml: set it with \`pulumi config set --secret ${key.startsWith(prefix) ? key.slice(prefix.length) : key}\``,
      });
      continue;
    }
    // What the program receives: a scalar's text, a structure as JSON (see pulumiFormat.ts).
    const text = scalarConfigText(revealed.value);
    const content = text ?? revealed.value;
    if (decl?.type && !configValueHasType(decl, content)) {
      problems.push({
        key,
        value: revealed.secret ? SECRET_DISPLAY : JSON.stringify(value),
        message: `must be of type '${typeName(decl)}' (declared in Pulumi.yaml)`,
      });
      continue;
    }
    const typedValue = text === undefined ? content : readConfigText(text, decl?.type);
    config[key] = content;
    if (revealed.secret) secretKeys.push(key);
    if (key.startsWith(prefix)) projectSettings[key.slice(prefix.length)] = typedValue;
  }
  if (problems.length > 0 && !options.collectProblems) throw new ConfigError(problems);

  const secrets = new Set(secretKeys);
  return {
    project,
    stack,
    file,
    config,
    secretKeys,
    projectSettings,
    problems,
    display: () =>
      Object.fromEntries(
        Object.entries(config).map(([key, value]) => [key, secrets.has(key) ? SECRET_DISPLAY : value]),
      ),
  };
}
