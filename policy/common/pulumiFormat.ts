/**
 * Pulumi's own formats, declared once for the pack, the offline plan and the stack config:
 * the secret marker of property values (state, exports, the policy analyzer's wire), how a
 * secret is shown, and how a value of `Pulumi.<stack>.yaml` becomes what the program reads.
 * Imports nothing, so the published pack can use it.
 *
 * Config, as the Pulumi CLI does it (pulumi/pulumi, sdk/go/common):
 * - resource/config/value.go `unmarshalValue`: a stack-file value is first read as a string,
 *   so a scalar reaches the program as the text written (`30`, `1.50`, `True` stay as typed);
 *   anything else is kept as JSON (`object`), with `{secure: ...}` leaves secret.
 * - workspace/config.go `createConfigValue`: a Pulumi.yaml default that is a scalar becomes
 *   its `%v` text (`35`, `true`), a structure its JSON.
 * - workspace/project.go `ValidateConfigValue`: `string` wants a string (any scalar's text);
 *   `integer` an int, a whole float (inside JSON) or text `strconv.Atoi` accepts (`[+-]digits`,
 *   no spaces, no `1.0`); `boolean` a bool or exactly the text `true`/`false`; `array` a list
 *   whose items match `items`.
 */

/** Key of the signature that marks a special property value (secret, asset, resource ref). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** Signature of a secret: `{[SIG_KEY]: SECRET_SIG, value}` in memory, `ciphertext` in exports. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** How a secret is shown: plan output, summaries, what policies see of an exported secret. */
export const SECRET_DISPLAY = "[secret]";

/** A secret property value (`{[SIG_KEY]: SECRET_SIG, value | ciphertext}`). */
export function isSecretEnvelope(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  );
}

/** `value` wrapped as a secret, as the engine keeps it in memory. */
export function secretEnvelope(value: unknown): { value: unknown } {
  return { [SIG_KEY]: SECRET_SIG, value } as { value: unknown };
}

/** A project config type (`type`, and `items` for arrays). */
export interface ConfigType {
  type: string;
  items?: ConfigType;
}

/** `strconv.Atoi`'s syntax: an optional sign and decimal digits, nothing else. */
const GO_INT = /^[+-]?[0-9]+$/;

/** Whether `value` (a scalar's text, or a structure from JSON) has the declared type, as the CLI checks it. */
export function configValueHasType(declared: ConfigType, value: unknown): boolean {
  switch (declared.type) {
    case "string":
      return typeof value === "string";
    case "integer":
      if (typeof value === "number") return Number.isInteger(value);
      return typeof value === "string" && GO_INT.test(value);
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "array":
      return (
        Array.isArray(value) &&
        declared.items !== undefined &&
        value.every((item) => configValueHasType(declared.items as ConfigType, item))
      );
    case "object":
      // Not in the CLI's check (project.go has no object case); a mapping is what it means.
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

/** The text the CLI passes the program for a scalar given as a typed value (a default, an override). */
export function scalarConfigText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/**
 * What typed code reads from a config value's text (the program's `loadPlatformConfig` and the
 * offline plan alike): `integer` a number, `boolean` a boolean, `array`/`object` the JSON.
 * Text that does not parse is returned as is, so the schema names it.
 */
export function readConfigText(text: string, type: string | undefined): unknown {
  switch (type) {
    case "integer":
      return GO_INT.test(text) ? Number(text) : text;
    case "boolean":
      return text === "true" ? true : text === "false" ? false : text;
    case "array":
    case "object":
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    default:
      return text;
  }
}
