/**
 * YAML text to its value, as `yaml.parse` gives it, with each text parsed once per process and,
 * when its value is plain JSON, once per checkout.
 *
 * A plan reads Pulumi.yaml three times (the stack config's defaults and types, the config check
 * before the run, the program's own config loader) and deploy/identities.yaml twice (the program,
 * the permission check): each re-parse of the 10 KB Pulumi.yaml cost 30–45 ms of a 1.3 s prod
 * plan, in code that runs too seldom to be optimized (issue 17). Each caller still gets its own
 * value (`Document.toJS()`, a few ms), so none sees another's changes, and the same warnings and
 * first error `yaml.parse` gives.
 *
 * The first parse in a process still cost about 90 ms of a prod plan (loading the yaml package,
 * 72 modules, and parsing Pulumi.yaml, the stack file and deploy/identities.yaml with code that
 * has never run), so what a text parses to is also kept between runs: in
 * node_modules/.cache/secure-azure-platform/yaml-values.json, by the SHA-256 of the text, for the
 * installed yaml version, the last `STORED` texts. Only a value that JSON gives back exactly is
 * kept (plain objects and arrays, strings, booleans, null, finite numbers other than -0, no object
 * reached twice, as an alias makes it), and only when the text parsed without warnings or errors:
 * a kept text reads as `yaml.parse` would read it, and the package is loaded only for a text not
 * kept. The file is replaced by a rename (concurrent runs never see half of it); one that cannot be
 * read or written is ignored (the text is parsed).
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { Document } from "yaml";

type YamlModule = typeof import("yaml");
let yamlModule: YamlModule | undefined;
/** The yaml package, loaded for the first text the kept values do not answer. */
function yaml(): YamlModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (yamlModule ??= require("yaml") as YamlModule);
}

/** The last texts parsed (a plan has three; tests parse hundreds of fixtures, kept bounded). */
const documents = new Map<string, Document>();
const KEEP = 8;

/** The parsed document of `text`: parsed on first request, then shared (read it, do not change it). */
export function yamlDocument(text: string): Document {
  let doc = documents.get(text);
  if (doc === undefined) {
    doc = yaml().parseDocument(text);
    if (documents.size >= KEEP) documents.delete(documents.keys().next().value as string);
    documents.set(text, doc);
  }
  return doc;
}

/** A scalar entry of a top-level mapping: its key, its text as written, its value (not null). */
export interface MappingScalar {
  key: string;
  /** The scalar's source text (`1.50`, `True`, a quoted string without its quotes), when it has one. */
  source?: string;
  value: unknown;
}

/** What is kept of one text: its value and, once asked for, the scalars of its top-level mappings. */
interface Kept {
  value: unknown;
  scalars?: Record<string, MappingScalar[]>;
}

/** How many texts the file keeps (a plan reads three; every test fixture would push them out). */
export const STORED = 16;
/** The file's layout; a file of another layout or yaml version is ignored and replaced. */
const FORMAT = 1;
export const STORE_FILE = path.join(
  __dirname,
  "..",
  "node_modules",
  ".cache",
  "secure-azure-platform",
  "yaml-values.json",
);

let storeFile = STORE_FILE;
let store: { version: string; kept: Map<string, Kept> } | undefined;

/** Keeps values in `file` from now on (tests: a file of their own, not shared with other runs). */
export function useStoreFile(file: string): void {
  storeFile = file;
  store = undefined;
}

function installedYamlVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("yaml/package.json") as { version: string }).version;
}

function keptValues(): Map<string, Kept> {
  if (store) return store.kept;
  const version = installedYamlVersion();
  let kept = new Map<string, Kept>();
  try {
    const file = JSON.parse(fs.readFileSync(storeFile, "utf8")) as {
      format?: unknown;
      yaml?: unknown;
      texts?: unknown;
    };
    if (file.format === FORMAT && file.yaml === version && file.texts && typeof file.texts === "object")
      // Only entries of the shape this module writes (a file edited by hand is not trusted further).
      kept = new Map(
        Object.entries(file.texts as Record<string, unknown>).filter(
          (e): e is [string, Kept] =>
            typeof e[1] === "object" && e[1] !== null && "value" in e[1] && isJsonExact(e[1]),
        ),
      );
  } catch {
    // none yet, or unreadable: parse as without it
  }
  store = { version, kept };
  return kept;
}

function keep(hash: string, entry: Kept): void {
  const kept = keptValues();
  kept.delete(hash);
  kept.set(hash, entry);
  while (kept.size > STORED) kept.delete(kept.keys().next().value as string);
  const texts = Object.fromEntries(kept);
  const temporary = `${storeFile}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(storeFile), { recursive: true });
    fs.writeFileSync(temporary, JSON.stringify({ format: FORMAT, yaml: store?.version, texts }));
    fs.renameSync(temporary, storeFile);
  } catch {
    // read-only checkout: the text is parsed next time
    fs.rmSync(temporary, { force: true });
  }
}

/** True when `JSON.parse(JSON.stringify(value))` is `value` again, in every respect a reader sees. */
export function isJsonExact(value: unknown, seen = new Set<object>()): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== "object" || seen.has(value)) return false;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!(i in value) || !isJsonExact(value[i], seen)) return false;
    return Object.keys(value).length === value.length;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  const keys = Object.keys(value);
  if (Reflect.ownKeys(value).length !== keys.length || keys.includes("__proto__")) return false;
  return keys.every((key) => isJsonExact((value as Record<string, unknown>)[key], seen));
}

const hashOf = (text: string) => createHash("sha256").update(text).digest("hex");

/** A new copy of a kept value (each caller gets its own). */
const copy = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

/**
 * What `yaml.parse(text)` returns (a new value on every call) and throws: warnings to the
 * process (`process.emitWarning`, yaml's default log level), then the document's first error.
 */
export function parseYamlText(text: string): unknown {
  const hash = hashOf(text);
  const kept = keptValues().get(hash);
  if (kept) return copy(kept.value);
  const doc = yamlDocument(text);
  for (const warning of doc.warnings) process.emitWarning(warning);
  if (doc.errors.length > 0) throw doc.errors[0];
  const value = doc.toJS() as unknown;
  if (doc.warnings.length === 0 && isJsonExact(value)) keep(hash, { value: copy(value) });
  return value;
}

/**
 * The scalar entries (string key, value not null) of the mapping at `key` of the document's top
 * level, in the document's order; none when it is not a mapping. For a text `parseYamlText` reads
 * without an error.
 */
export function mappingScalars(text: string, key: string): MappingScalar[] {
  const hash = hashOf(text);
  const kept = keptValues().get(hash);
  const known = kept?.scalars?.[key];
  if (known) return known.map((s) => ({ ...s }));
  const { isMap, isScalar } = yaml();
  const mapping = yamlDocument(text).get(key);
  const out: MappingScalar[] = [];
  if (isMap(mapping)) {
    for (const pair of mapping.items) {
      const name = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof name !== "string" || !isScalar(pair.value) || pair.value.value === null) continue;
      const source = pair.value.source as unknown;
      out.push({
        key: name,
        ...(typeof source === "string" ? { source } : {}),
        value: pair.value.value,
      });
    }
  }
  if (kept && isJsonExact(out)) keep(hash, { ...kept, scalars: { ...kept.scalars, [key]: out } });
  return out.map((s) => ({ ...s }));
}
