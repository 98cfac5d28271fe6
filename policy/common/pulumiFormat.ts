/**
 * Pulumi's own formats, declared once for the pack, the offline plan, the analyzer and the
 * stack config: the secret marker of property values (state, exports, the policy analyzer's
 * wire), how a secret is shown, the `pulumi stack export` document (what the plan writes and
 * the analyzer, the change preview, the lock window and the drift workflow read), and how a
 * value of `Pulumi.<stack>.yaml` becomes what the program reads. Imports nothing, so the
 * published pack can use it and the analyzer can read exports without loading the plan.
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

/**
 * A method the offline analyzer's stack resources offer (lib/analyzer/server.ts `GraphResource`):
 * `r[PROPERTY_DEPENDENCIES_OF](key)` is `undefined` when `r` has no `propertyDependencies` object,
 * else `r.propertyDependencies[key]` when that is an array, else `[]`: what a stack policy reads
 * of one input, without linking every other input's URNs to resources first. The engine's own
 * resources (under `pulumi preview`) have no such method; readers fall back to the object.
 */
export const PROPERTY_DEPENDENCIES_OF: unique symbol = Symbol("propertyDependencies of one input");

/** Type token of the root resource the engine registers for every stack. */
export const STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * A resource of a `pulumi stack export` document (`apitype.ResourceV3`, pulumi/pulumi
 * sdk/go/common/apitype/core.go; the fields a reader may meet). The engine always writes
 * `custom` and the manifest; readers tolerate documents without them (the analyzer judges
 * hand-written exports), so they are optional here and required in `PlanExport`.
 */
export interface StackExportResource {
  urn: string;
  custom?: boolean;
  delete?: boolean;
  id?: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  parent?: string;
  protect?: boolean;
  external?: boolean;
  dependencies?: string[];
  initErrors?: string[];
  provider?: string;
  propertyDependencies?: Record<string, string[]>;
  pendingReplacement?: boolean;
  additionalSecretOutputs?: string[];
  aliases?: string[];
  customTimeouts?: { create?: number; update?: number; delete?: number };
  retainOnDelete?: boolean;
  deletedWith?: string;
  ignoreChanges?: string[];
  replaceOnChanges?: string[];
  created?: string;
  modified?: string;
  sourcePosition?: string;
}

/** `apitype.ManifestV1`. */
export interface StackExportManifest {
  time: string;
  magic: string;
  version: string;
  plugins?: { name: string; path: string; type: string; version: string }[];
}

/** `pulumi stack export` output (`apitype.UntypedDeployment` with a `DeploymentV3` inside). */
export interface StackExport {
  version: number;
  deployment: {
    manifest?: StackExportManifest;
    secrets_providers?: { type: string; state?: unknown };
    resources?: StackExportResource[] | null;
    pending_operations?: unknown[];
    metadata?: unknown;
    [key: string]: unknown;
  };
}

/** What the offline plan writes (`buildStackExport`): every field the engine always writes. */
export interface PlanExport extends StackExport {
  version: 3;
  deployment: StackExport["deployment"] & {
    manifest: StackExportManifest;
    resources: (StackExportResource & { custom: boolean })[];
  };
}

/** A resource of a checked export (`custom` present) with the `omitempty` fields filled in. */
export type NormalizedExportResource = StackExportResource &
  Required<
    Pick<StackExportResource, "custom" | "inputs" | "outputs" | "dependencies" | "propertyDependencies">
  > & {
    protect: boolean;
  };

export interface NormalizedStackExport extends StackExport {
  deployment: StackExport["deployment"] & { resources: NormalizedExportResource[] };
}

/**
 * The resources a stack counts, one definition for the offline plan (tree, verdict, report) and
 * the analyzer: what the program registered, Azure resources and components, without the stack
 * resource itself, the providers and old copies pending deletion (`delete: true`).
 */
export function countedResources<R extends Pick<StackExportResource, "type" | "delete">>(
  resources: readonly R[] | null | undefined,
): R[] {
  return (resources ?? []).filter(
    (r) => r.type !== STACK_TYPE && !r.type.startsWith("pulumi:providers:") && r.delete !== true,
  );
}

/**
 * A step of `pulumi preview --json` / `pulumi refresh --preview-only --json` (pulumi/pulumi
 * pkg/backend/display/json.go `previewStep`; the fields read here). The states are resources
 * as a stack export holds them.
 */
export interface PreviewStep {
  op: string;
  urn: string;
  oldState?: StackExportResource;
  newState?: StackExportResource;
  replaceReasons?: string[];
}

/** The `--json` digest of a preview (`previewDigest`): its steps, unchecked until read. */
export interface PreviewDigest {
  steps?: unknown[];
  changeSummary?: Record<string, number>;
}

/** A document that is not a stack export (or not one this tooling can read). */
export class StackExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackExportError";
  }
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
