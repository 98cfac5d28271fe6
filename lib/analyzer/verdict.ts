/**
 * What a verdict says besides violations, for `npm run plan` and `npm run policy:analyze` alike:
 * which Azure resources no service policy evaluated (only location, tags and the type gate
 * judged them), which custom resources are not Azure at all (judged only by
 * no-provider-escape-hatches, the engine's own by nothing), and which policy runs could not
 * finish on a value unknown during preview, by policy and resource.
 */
import { noProviderEscapeHatches } from "../../policy/policies/resources";
import type { Evaluation, UnevaluatedType, UnknownSkip } from "./evaluate";

/** The parts of one or more evaluations the lines below read (several exports: concatenated). */
export type Coverage = Pick<Evaluation, "unevaluated" | "unknowns" | "nonAzure">;

/** Merge per-export coverage (same type counted once, resources summed). */
export function mergeCoverage(parts: readonly Coverage[]): Coverage {
  const unevaluated = new Map<string, UnevaluatedType>();
  const nonAzure = new Map<string, number>();
  for (const part of parts) {
    for (const u of part.unevaluated) {
      const entry = unevaluated.get(u.type);
      if (entry) {
        entry.resources += u.resources;
        entry.urns.push(...u.urns);
      } else unevaluated.set(u.type, { ...u, urns: [...u.urns] });
    }
    for (const n of part.nonAzure) nonAzure.set(n.type, (nonAzure.get(n.type) ?? 0) + n.resources);
  }
  const byCount = <T extends { type: string; resources: number }>(a: T, b: T) =>
    b.resources - a.resources || a.type.localeCompare(b.type);
  return {
    unevaluated: [...unevaluated.values()].sort(byCount),
    unknowns: parts.flatMap((p) => p.unknowns),
    nonAzure: [...nonAzure].map(([type, resources]) => ({ type, resources })).sort(byCount),
  };
}

/** A first preview of a big stack can leave hundreds of checks unknown: the text shows the first ones. */
const MAX_UNKNOWN_LINES = 50;

const where = (u: UnknownSkip) => (u.urn ? `on ${u.urn}` : "on the stack (stack policy)");

/** Lines of text, each unindented; the caller indents. Always says something about coverage. */
export function coverageLines(c: Coverage): string[] {
  const lines: string[] = [];
  const count = c.unevaluated.reduce((n, u) => n + u.resources, 0);
  if (count === 0) lines.push("Every Azure resource was evaluated by at least one service policy.");
  else {
    lines.push(
      `Not evaluated by any service policy (only location, tags and the type gate judged them): ` +
        `${count} Azure resource(s) of ${c.unevaluated.length} type(s):`,
    );
    for (const u of c.unevaluated)
      lines.push(
        `  ${u.type} x${u.resources}${u.package === "azure-classic" ? " (Pulumi Azure Classic)" : ""}`,
      );
  }
  // Custom resources of other packages are judged by one policy only (their package reviewed in
  // allowedPackages, or the resource allow-listed as an escape hatch); the engine's own (a stack
  // reference) by none.
  const list = (ns: Coverage["nonAzure"]) => ns.map((n) => `${n.type} x${n.resources}`).join(", ");
  const engine = c.nonAzure.filter((n) => n.type.startsWith("pulumi:"));
  const packages = c.nonAzure.filter((n) => !n.type.startsWith("pulumi:"));
  if (packages.length)
    lines.push(
      `Not Azure resources (judged only by ${noProviderEscapeHatches.name}: package reviewed or resource allow-listed): ${list(packages)}`,
    );
  if (engine.length) lines.push(`The engine's own resources (no policy applies): ${list(engine)}`);
  if (c.unknowns.length) {
    lines.push(
      `${c.unknowns.length} check(s) could not run on values unknown until deployment (advisory, not a pass):`,
    );
    for (const u of c.unknowns.slice(0, MAX_UNKNOWN_LINES))
      lines.push(`  ${u.policy} ${where(u)}: ${u.reason}`);
    if (c.unknowns.length > MAX_UNKNOWN_LINES)
      lines.push(`  ... and ${c.unknowns.length - MAX_UNKNOWN_LINES} more (policy:analyze --json lists all)`);
  }
  return lines;
}
