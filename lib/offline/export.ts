/**
 * The `pulumi stack export` format (apitype.UntypedDeployment with a DeploymentV3 inside,
 * pulumi/pulumi sdk/go/common/apitype/core.go), written from a plan and read back.
 *
 * What the engine would store is reproduced where a reader can tell: a root
 * `pulumi:pulumi:Stack` resource parenting the top-level resources, default provider
 * resources (`pulumi:providers:<pkg>::default_<version>`) referenced as `<urn>::<id>` by each
 * custom resource, resources in dependency order, empty fields omitted (Go's `omitempty`),
 * and secrets as `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
 * "ciphertext": ...}`. The ciphertext is derived from the resource and property path only,
 * never from the value, so no secret can be recovered or guessed from an export.
 */
import { createHash } from "crypto";
import {
  isSecretEnvelope,
  SECRET_SIG,
  SIG_KEY,
  STACK_TYPE,
  StackExportError,
  type NormalizedExportResource,
  type NormalizedStackExport,
  type PlanExport,
  type StackExport,
  type StackExportResource,
} from "../../policy/common/pulumiFormat";
import type { PlannedResource } from "./run";

/** Engine version written to the manifest: the SDK the plan ran with. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ENGINE_VERSION = (require("@pulumi/pulumi/package.json") as { version: string }).version;

export function stackUrn(project: string, stack: string): string {
  return `urn:pulumi:${stack}::${project}::${STACK_TYPE}::${project}-${stack}`;
}

/** `sha256(version)` in hex, as the engine's `Manifest.NewMagic`. */
function magic(version: string): string {
  return createHash("sha256").update(version).digest("hex");
}

function opaqueCiphertext(urn: string, propertyPath: string): string {
  // Depends on where the secret sits, never on what it is.
  return `offline:${createHash("sha256").update(`${urn}\u0000${propertyPath}`).digest("base64")}`;
}

/** State value -> exported value: secrets become ciphertext, everything else is copied. */
function encryptSecrets(value: unknown, urn: string, propertyPath: string): unknown {
  if (value === null || typeof value !== "object") return value;
  if (isSecretEnvelope(value)) {
    return { [SIG_KEY]: SECRET_SIG, ciphertext: opaqueCiphertext(urn, propertyPath) };
  }
  if (Array.isArray(value)) return value.map((v, i) => encryptSecrets(v, urn, `${propertyPath}[${i}]`));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = encryptSecrets(v, urn, propertyPath ? `${propertyPath}.${key}` : key);
  }
  return out;
}

function nonEmpty<T extends object>(value: T | undefined): T | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value.length : Object.keys(value).length) > 0 ? value : undefined;
}

export interface ExportInput {
  project: string;
  stack: string;
  resources: PlannedResource[];
  /** Stack outputs (the program's exports), secrets wrapped. */
  stackOutputs?: Record<string, unknown>;
  /** Provider configuration by package (`azure-native` -> {location: ...}), secrets wrapped. */
  providerConfig?: Record<string, Record<string, unknown>>;
  /** Package versions for default providers when a resource does not say. */
  packageVersions?: Record<string, string>;
  time?: Date;
}

/** Builds the export. Linear in the number of resources (plans can hold thousands). */
export function buildStackExport(input: ExportInput): PlanExport {
  const { project, stack } = input;
  const rootUrn = stackUrn(project, stack);
  const time = (input.time ?? new Date()).toISOString();

  const root: StackExportResource & { custom: boolean } = { urn: rootUrn, custom: false, type: STACK_TYPE };
  const stackOutputs = nonEmpty(input.stackOutputs);
  if (stackOutputs) root.outputs = encryptSecrets(stackOutputs, rootUrn, "") as Record<string, unknown>;

  // Default providers, one per package and version, in first-use order.
  const providers = new Map<string, StackExportResource & { custom: boolean }>();
  const defaultProviderRef = (r: PlannedResource): string | undefined => {
    if (!r.custom || r.type.startsWith("pulumi:providers:") || r.provider) return r.provider;
    const pkg = r.type.split(":")[0];
    const version = r.version ?? input.packageVersions?.[pkg];
    const name = version ? `default_${version.replace(/[.+-]/g, "_")}` : "default";
    const urn = `urn:pulumi:${stack}::${project}::pulumi:providers:${pkg}::${name}`;
    let provider = providers.get(urn);
    if (!provider) {
      const id = providerId(urn);
      const inputs = { ...(input.providerConfig?.[pkg] ?? {}), ...(version ? { version } : {}) };
      const encrypted = encryptSecrets(inputs, urn, "") as Record<string, unknown>;
      provider = { urn, custom: true, id, type: `pulumi:providers:${pkg}` };
      if (nonEmpty(encrypted)) Object.assign(provider, { inputs: encrypted, outputs: encrypted });
      providers.set(urn, provider);
    }
    return `${urn}::${provider.id}`;
  };

  const body: (StackExportResource & { custom: boolean })[] = [];
  for (const r of input.resources) {
    const out: StackExportResource & { custom: boolean } = { urn: r.urn, custom: r.custom, type: r.type };
    if (r.id) out.id = r.id;
    if (r.external) out.external = true;
    const inputs = nonEmpty(r.inputs);
    if (inputs) out.inputs = encryptSecrets(inputs, r.urn, "") as Record<string, unknown>;
    const outputs = nonEmpty(r.outputs);
    if (outputs) out.outputs = encryptSecrets(outputs, r.urn, "") as Record<string, unknown>;
    out.parent = r.parent ?? (r.type.startsWith("pulumi:providers:") ? undefined : rootUrn);
    if (!out.parent) delete out.parent;
    if (r.protect) out.protect = true;
    const deps = nonEmpty(r.dependencies);
    if (deps) out.dependencies = deps;
    const provider = defaultProviderRef(r);
    if (provider) out.provider = provider;
    const propertyDependencies = nonEmpty(r.propertyDependencies);
    if (propertyDependencies) out.propertyDependencies = propertyDependencies;
    if (r.additionalSecretOutputs?.length) out.additionalSecretOutputs = r.additionalSecretOutputs;
    if (r.aliases?.length) out.aliases = r.aliases;
    if (r.retainOnDelete) out.retainOnDelete = true;
    if (r.deletedWith) out.deletedWith = r.deletedWith;
    if (r.ignoreChanges?.length) out.ignoreChanges = r.ignoreChanges;
    body.push(out);
  }

  return {
    version: 3,
    deployment: {
      manifest: { time, magic: magic(ENGINE_VERSION), version: ENGINE_VERSION },
      // Not a real secrets provider: nothing in this export can be decrypted.
      secrets_providers: { type: "offline-plan" },
      resources: [root, ...providers.values(), ...body],
    },
  };
}

function providerId(urn: string): string {
  const h = createHash("sha256").update(`provider\u0000${urn}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The error for `file` when `problem` makes it no stack export this tooling reads. */
function notAnExport(file: string, problem: string): StackExportError {
  return new StackExportError(`${file}: not a Pulumi stack export (version 3): ${problem}`);
}

const URN = /^urn:pulumi:[^:]+::[^:]+::[^:].*::.+$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Parses and checks a stack export (text or an already parsed value). Throws
 * `StackExportError` naming `file` and the first thing wrong. Returns a copy with the
 * `omitempty` resource fields filled in (`inputs`, `outputs`, `dependencies`,
 * `propertyDependencies` empty; `protect` false), so readers need no guards.
 */
export function parseStackExport(json: unknown, file = "<stack export>"): NormalizedStackExport {
  let doc: unknown = json;
  if (typeof json === "string") {
    try {
      // A UTF-8 byte order mark (PowerShell's `> file`, Windows editors) is not content; the
      // analyzer reads such an export too.
      doc = JSON.parse(json.replace(/^\uFEFF/, "")) as unknown;
    } catch (err) {
      throw notAnExport(file, `invalid JSON (${(err as Error).message})`);
    }
  }
  if (!isRecord(doc)) throw notAnExport(file, "expected a JSON object");
  if (doc.version !== 3) {
    throw notAnExport(
      file,
      `"version" is ${JSON.stringify(doc.version)}; expected 3 (the output of \`pulumi stack export\`)`,
    );
  }
  const deployment = doc.deployment;
  if (!isRecord(deployment)) throw notAnExport(file, `"deployment" must be an object`);
  const manifest = deployment.manifest;
  if (!isRecord(manifest) || typeof manifest.time !== "string") {
    throw notAnExport(file, `"deployment.manifest" must be an object with a "time"`);
  }
  const resources = deployment.resources ?? [];
  if (!Array.isArray(resources)) throw notAnExport(file, `"deployment.resources" must be an array`);
  const normalized: NormalizedExportResource[] = [];
  resources.forEach((r: unknown, i) => {
    const where = `deployment.resources[${i}]`;
    if (!isRecord(r)) throw notAnExport(file, `${where} must be an object`);
    if (typeof r.urn !== "string" || !URN.test(r.urn)) {
      throw notAnExport(file, `${where}.urn must be a URN (urn:pulumi:<stack>::<project>::<type>::<name>)`);
    }
    if (typeof r.type !== "string" || r.type.length === 0) {
      throw notAnExport(file, `${where}.type must be a type token (${r.urn})`);
    }
    if (typeof r.custom !== "boolean")
      throw notAnExport(file, `${where}.custom must be a boolean (${r.urn})`);
    for (const key of ["inputs", "outputs", "propertyDependencies"] as const) {
      if (r[key] !== undefined && !isRecord(r[key])) {
        throw notAnExport(file, `${where}.${key} must be an object (${r.urn})`);
      }
    }
    for (const key of ["parent", "provider", "id"] as const) {
      if (r[key] !== undefined && typeof r[key] !== "string") {
        throw notAnExport(file, `${where}.${key} must be a string (${r.urn})`);
      }
    }
    if (
      r.dependencies !== undefined &&
      !(Array.isArray(r.dependencies) && r.dependencies.every((d) => typeof d === "string"))
    ) {
      throw notAnExport(file, `${where}.dependencies must be an array of URNs (${r.urn})`);
    }
    normalized.push({
      ...(r as unknown as StackExportResource),
      inputs: (r.inputs as Record<string, unknown> | undefined) ?? {},
      outputs: (r.outputs as Record<string, unknown> | undefined) ?? {},
      dependencies: r.dependencies ?? [],
      propertyDependencies: (r.propertyDependencies as Record<string, string[]> | undefined) ?? {},
      custom: r.custom,
      protect: r.protect === true,
    });
  });
  return {
    ...(doc as unknown as StackExport),
    deployment: { ...(deployment as unknown as StackExport["deployment"]), resources: normalized },
  };
}

/**
 * The engine's snapshot integrity rules that matter to readers (pkg/resource/deploy/snapshot.go
 * `VerifyIntegrity`): URNs unique, every parent, dependency, property dependency, `deletedWith`
 * and provider reference points at a resource listed earlier. Returns the problems (empty when
 * sound).
 */
export function checkExportIntegrity(doc: StackExport): string[] {
  const problems: string[] = [];
  const seen = new Map<string, StackExportResource>();
  const providerRefs = new Set<string>();
  for (const r of doc.deployment.resources ?? []) {
    if (seen.has(r.urn)) problems.push(`duplicate URN ${r.urn}`);
    if (r.parent && !seen.has(r.parent))
      problems.push(`${r.urn}: parent ${r.parent} is not listed before it`);
    for (const dep of r.dependencies ?? []) {
      if (!seen.has(dep)) problems.push(`${r.urn}: dependency ${dep} is not listed before it`);
    }
    for (const [prop, deps] of Object.entries(r.propertyDependencies ?? {})) {
      for (const dep of deps) {
        if (!seen.has(dep)) problems.push(`${r.urn}: ${prop} depends on unlisted ${dep}`);
      }
    }
    if (r.deletedWith && !seen.has(r.deletedWith))
      problems.push(`${r.urn}: deleted with ${r.deletedWith}, which is not listed before it`);
    if (r.provider && !providerRefs.has(r.provider)) {
      problems.push(`${r.urn}: provider ${r.provider} is not listed before it`);
    }
    seen.set(r.urn, r);
    if (r.type.startsWith("pulumi:providers:") && r.id) providerRefs.add(`${r.urn}::${r.id}`);
  }
  return problems;
}
