/**
 * YAML text to its value, as `yaml.parse` gives it, with each text parsed once per process.
 *
 * A plan reads Pulumi.yaml three times (the stack config's defaults and types, the config check
 * before the run, the program's own config loader) and deploy/identities.yaml twice (the program,
 * the permission check): each re-parse of the 10 KB Pulumi.yaml cost 30–45 ms of a 1.3 s prod
 * plan, in code that runs too seldom to be optimized (issue 17). Each caller still gets its own
 * value (`Document.toJS()`, a few ms), so none sees another's changes, and the same warnings and
 * first error `yaml.parse` gives.
 */
import { type Document, parseDocument } from "yaml";

/** The last texts parsed (a plan has three; tests parse hundreds of fixtures, kept bounded). */
const documents = new Map<string, Document>();
const KEEP = 8;

/** The parsed document of `text`: parsed on first request, then shared (read it, do not change it). */
export function yamlDocument(text: string): Document {
  let doc = documents.get(text);
  if (doc === undefined) {
    doc = parseDocument(text);
    if (documents.size >= KEEP) documents.delete(documents.keys().next().value as string);
    documents.set(text, doc);
  }
  return doc;
}

/**
 * What `yaml.parse(text)` returns (a new value on every call) and throws: warnings to the
 * process (`process.emitWarning`, yaml's default log level), then the document's first error.
 */
export function parseYamlText(text: string): unknown {
  const doc = yamlDocument(text);
  for (const warning of doc.warnings) process.emitWarning(warning);
  if (doc.errors.length > 0) throw doc.errors[0];
  return doc.toJS() as unknown;
}
