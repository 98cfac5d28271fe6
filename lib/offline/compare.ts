/**
 * Before/after comparison of what the offline plan produces (scripts/compare-plans.ts): a change
 * that must not alter outputs (issue 17) may still change the order resources register in, so
 * each output is compared exactly first and, when that fails, in the form that ignores only the
 * order the output takes from registration (siblings in the tree, rows of a report table,
 * resources in the export, array entries of the analyzer's JSON). Anything else is a difference.
 *
 * The export is also checked as a Pulumi state (`checkExportIntegrity`), and the change preview
 * is shown not to depend on the order: it matches old state through alias URNs first come, first
 * served (lib/offline/diff.ts `matchOldState`), which can depend on the order only when two
 * resources could claim the same old URN (the engine refuses such a program:
 * `GetDuplicateResourceAliasError`).
 */
import { isDeepStrictEqual } from "util";
import { candidateAliases } from "./aliases";
import { previewChanges } from "./diff";
import { checkExportIntegrity, parseStackExport } from "./export";
import type { StackExport, StackExportResource } from "../../policy/common/pulumiFormat";

export type Verdict = "identical" | "same up to order" | "different";

export interface Comparison {
  verdict: Verdict;
  /** What differs (for "different"), or what the order changed (for "same up to order"). */
  details: string[];
}

const MAX_DETAILS = 10;

function verdictOf(exact: boolean, canonical: boolean, details: string[]): Comparison {
  if (exact) return { verdict: "identical", details: [] };
  return { verdict: canonical ? "same up to order" : "different", details: details.slice(0, MAX_DETAILS) };
}

/** The first line where two texts differ, for a detail. */
function firstDifference(a: string, b: string): string {
  const x = a.split("\n");
  const y = b.split("\n");
  const i = x.findIndex((line, n) => line !== y[n]);
  const at = i === -1 ? x.length : i;
  return `line ${at + 1}: ${JSON.stringify(x[at] ?? "<end>")} vs ${JSON.stringify(y[at] ?? "<end>")}`;
}

const TREE_LINE = /^((?:[│ ] {2})*)[├└]─ (.*)$/;

interface TreeNode {
  label: string;
  children: TreeNode[];
}

const VIOLATION = /^ {2}\[(mandatory|advisory)\] /;

/**
 * The policy verdict's violations (`  [level] [severity] policy`, then its indented lines) of each
 * run sorted: they are listed by level and severity, and within one in the export's order.
 */
function canonicalViolations(lines: string[]): string {
  const out: string[] = [];
  let run: string[][] = [];
  const flush = () => {
    out.push(...run.map((block) => block.join("\n")).sort());
    run = [];
  };
  for (const line of lines) {
    if (VIOLATION.test(line)) run.push([line]);
    else if (run.length > 0 && line.startsWith("    ")) run[run.length - 1].push(line);
    else {
      flush();
      out.push(line);
    }
  }
  flush();
  return out.join("\n");
}

/**
 * The plan's text split into its resource tree (as printed, and in canonical form: each
 * resource's children sorted) and the rest (as printed, and with its violations sorted),
 * without what varies between any two runs (the durations, the directories of the files it read
 * and wrote).
 */
function splitText(text: string): {
  rest: string;
  canonicalRest: string;
  tree: string;
  canonicalTree: string;
} {
  const rest: string[] = [];
  const tree: string[] = [];
  const roots: TreeNode[] = [];
  const path: TreeNode[] = [];
  for (const line of text.split("\n")) {
    const m = TREE_LINE.exec(line);
    if (!m) {
      if (!/^Done in /.test(line))
        rest.push(line.replace(/^(Wrote .*? to ).*$/, "$1<file>").replace(/(, from )\S*?([^/\s]+)$/, "$1$2"));
      continue;
    }
    tree.push(line);
    const depth = [...m[1]].length / 3;
    const node: TreeNode = { label: m[2], children: [] };
    path.length = depth;
    (depth === 0 ? roots : path[depth - 1].children).push(node);
    path.push(node);
  }
  const canonical = (nodes: TreeNode[], indent: string): string[] =>
    nodes.map((n) => [`${indent}${n.label}`, ...canonical(n.children, `${indent}  `)].join("\n")).sort();
  return {
    rest: rest.join("\n"),
    canonicalRest: canonicalViolations(rest),
    tree: tree.join("\n"),
    canonicalTree: canonical(roots, "").join("\n"),
  };
}

/** The plan's text output (tree, counts, policy verdict, permission summary). */
export function compareText(before: string, after: string): Comparison {
  const a = splitText(before);
  const b = splitText(after);
  const details: string[] = [];
  if (a.canonicalRest !== b.canonicalRest)
    details.push(`outside the tree, ${firstDifference(a.canonicalRest, b.canonicalRest)}`);
  if (a.canonicalTree !== b.canonicalTree)
    details.push(`the tree (children sorted), ${firstDifference(a.canonicalTree, b.canonicalTree)}`);
  const canonical = details.length === 0;
  if (canonical && a.tree !== b.tree) details.push("the tree lists some siblings in another order");
  if (canonical && a.rest !== b.rest)
    details.push("the verdict lists violations of one severity in another order");
  return verdictOf(canonical && a.tree === b.tree && a.rest === b.rest, canonical, details);
}

/** Each table's body rows sorted (header and separator kept first), the report's time taken out. */
function canonicalReport(text: string): string {
  const out: string[] = [];
  let table: string[] = [];
  const flush = () => {
    out.push(...table.slice(0, 2), ...table.slice(2).sort());
    table = [];
  };
  for (const line of text.replace(/\(\d{4}-\d\d-\d\dT[\d:.]+Z\)/g, "(<time>)").split("\n")) {
    if (line.startsWith("|")) table.push(line);
    else {
      flush();
      out.push(line);
    }
  }
  flush();
  return out.join("\n");
}

/** The compliance report (`--report`): Markdown whose tables list resources in export order. */
export function compareReports(before: string, after: string): Comparison {
  const stamp = (t: string) => t.replace(/\(\d{4}-\d\d-\d\dT[\d:.]+Z\)/g, "(<time>)");
  const exact = stamp(before) === stamp(after);
  const a = canonicalReport(before);
  const b = canonicalReport(after);
  return verdictOf(exact, a === b, [
    a === b ? "rows of some tables in another order" : firstDifference(a, b),
  ]);
}

/** The diagram (`--diagram`) or any line-based text: exact, else the same lines in another order. */
export function compareLines(before: string, after: string): Comparison {
  const a = before.split("\n").sort().join("\n");
  const b = after.split("\n").sort().join("\n");
  return verdictOf(before === after, a === b, [a === b ? "lines in another order" : firstDifference(a, b)]);
}

/** A JSON value with every array's entries sorted by their canonical text (objects' keys too). */
function canonicalJson(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .map(canonicalJson)
      .map((v) => [JSON.stringify(v), v] as const)
      .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
      .map(([, v]) => v);
  }
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonicalJson((value as Record<string, unknown>)[k])]),
  );
}

/** A JSON document such as the analyzer's `--json` output: exact, else equal with arrays as multisets. */
export function compareJson(before: unknown, after: unknown): Comparison {
  const canonical = isDeepStrictEqual(canonicalJson(before), canonicalJson(after));
  return verdictOf(isDeepStrictEqual(before, after), canonical, [
    canonical ? "array entries in another order" : "the documents differ (arrays compared as multisets)",
  ]);
}

/**
 * Two stack exports: the manifest except its time, the secrets provider, and the resources as a
 * set keyed by URN, each resource field for field (its arrays in order: dependency lists do not
 * come from the registration order). Plus `checkExportIntegrity` of each: a valid Pulumi state
 * lists every resource after its parent, provider and dependencies.
 */
export function compareExports(before: StackExport, after: StackExport): Comparison {
  const details: string[] = [];
  for (const [name, doc] of [
    ["before", before],
    ["after", after],
  ] as const) {
    for (const problem of checkExportIntegrity(doc)) details.push(`${name}: not a valid state: ${problem}`);
  }
  const { time: _t1, ...m1 } = before.deployment.manifest ?? { time: "" };
  const { time: _t2, ...m2 } = after.deployment.manifest ?? { time: "" };
  if (!isDeepStrictEqual(m1, m2)) details.push("the manifests differ (time aside)");
  if (!isDeepStrictEqual(before.deployment.secrets_providers, after.deployment.secrets_providers))
    details.push("the secrets providers differ");
  const list = (doc: StackExport) => doc.deployment.resources ?? [];
  const byUrn = (doc: StackExport) => new Map(list(doc).map((r) => [r.urn, r]));
  const olds = byUrn(before);
  const news = byUrn(after);
  if (list(before).length !== list(after).length)
    details.push(`${list(before).length} resources before, ${list(after).length} after`);
  for (const [urn, r] of olds) {
    const other = news.get(urn);
    if (!other) details.push(`only before: ${urn}`);
    else if (!isDeepStrictEqual(r, other)) details.push(`differs: ${urn}: ${fieldsThatDiffer(r, other)}`);
  }
  for (const urn of news.keys()) if (!olds.has(urn)) details.push(`only after: ${urn}`);
  const sameOrder = isDeepStrictEqual(
    list(before).map((r) => r.urn),
    list(after).map((r) => r.urn),
  );
  const exact = details.length === 0 && sameOrder;
  return verdictOf(
    exact,
    details.length === 0,
    details.length > 0 ? details : ["resources in another order"],
  );
}

function fieldsThatDiffer(a: StackExportResource, b: StackExportResource): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])] as (keyof StackExportResource)[];
  return keys.filter((k) => !isDeepStrictEqual(a[k], b[k])).join(", ");
}

/**
 * The change preview between the two exports, both ways: the same stack planned twice must
 * preview no create, update, replace or delete.
 */
export function compareChangePreview(before: StackExport, after: StackExport): Comparison {
  const details: string[] = [];
  const a = parseStackExport(before, "before");
  const b = parseStackExport(after, "after");
  for (const [name, from, to] of [
    ["before -> after", a, b],
    ["after -> before", b, a],
  ] as const) {
    const { summary } = previewChanges(from, to, { stack: "compare", from: name });
    const ops = (["create", "update", "replace", "delete"] as const).filter((op) => summary[op] > 0);
    if (ops.length > 0) details.push(`${name}: ${ops.map((op) => `${summary[op]} ${op}`).join(", ")}`);
  }
  return verdictOf(details.length === 0, false, details);
}

/**
 * Old URNs that more than one resource of `doc` could be found under (its own aliases, and those
 * it inherits under any URN its parent could be found under), or that are a resource's own URN:
 * where the change preview's first-come matching would depend on the export's order. Empty for a
 * program the engine accepts.
 */
export function sharedAliasCandidates(doc: StackExport): string[] {
  const resources = doc.deployment.resources ?? [];
  const urns = new Set(resources.map((r) => r.urn));
  const candidates = new Map<string, Set<string>>();
  const claimedBy = new Map<string, string>();
  const shared: string[] = [];
  for (const r of resources) {
    const name = r.urn.split("::").slice(3).join("::");
    const target = { urn: r.urn, type: r.type, name, ...(r.parent ? { parent: r.parent } : {}) };
    const own = r.aliases ?? [];
    const mine = new Set(candidateAliases(target, own, undefined));
    for (const parentUrn of (r.parent && candidates.get(r.parent)) || []) {
      for (const urn of candidateAliases(target, own, parentUrn)) mine.add(urn);
    }
    candidates.set(r.urn, mine);
    for (const urn of mine) {
      const other = claimedBy.get(urn);
      if (other !== undefined && other !== r.urn) shared.push(`${urn}: ${other} and ${r.urn}`);
      else if (urns.has(urn)) shared.push(`${urn}: an alias of ${r.urn} and a resource of the plan`);
      claimedBy.set(urn, r.urn);
    }
  }
  return shared;
}
