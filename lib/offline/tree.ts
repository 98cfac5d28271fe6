/**
 * The plan's readable summary: resources as a tree under their components (type, logical
 * name, Azure name, `[protected]`, location), counts per type and totals. Secret values
 * are never printed: a name or location that is secret shows as `[secret]`.
 *
 * Linear in the number of resources (one pass to index children, one to render).
 */
import { countedResources, isSecretEnvelope, SECRET_DISPLAY } from "../../policy/common/pulumiFormat";
import type { PlannedResource } from "./run";

export interface TreeInput {
  project: string;
  stack: string;
  resources: PlannedResource[];
}

export interface PlanSummary {
  total: number;
  custom: number;
  components: number;
  protected: number;
  byType: [type: string, count: number][];
}

function shown(value: unknown): string | undefined {
  if (isSecretEnvelope(value)) return SECRET_DISPLAY;
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function describe(r: PlannedResource): string {
  const parts = [r.type, r.name];
  const azureName = r.custom ? shown(r.outputs.name ?? r.inputs.name) : undefined;
  if (azureName && azureName !== r.name) parts.push(`"${azureName}"`);
  if (r.protect) parts.push("[protected]");
  if (r.external) parts.push("[read]");
  const location = r.custom ? shown(r.inputs.location ?? r.outputs.location) : undefined;
  if (location) parts.push(`@ ${location}`);
  return parts.join("  ");
}

export function summarize(registered: PlannedResource[]): PlanSummary {
  // The count the verdict, the report and the analyzer give too.
  const resources = countedResources(registered);
  const counts = new Map<string, number>();
  let custom = 0;
  let protectedCount = 0;
  for (const r of resources) {
    counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    if (r.custom) custom++;
    if (r.protect) protectedCount++;
  }
  const byType = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return {
    total: resources.length,
    custom,
    components: resources.length - custom,
    protected: protectedCount,
    byType,
  };
}

/** The resource tree, rooted at the stack, children in registration order. */
export function renderTree(input: TreeInput): string {
  const children = new Map<string | undefined, PlannedResource[]>();
  const known = new Set(input.resources.map((r) => r.urn));
  for (const r of input.resources) {
    // A parent the plan did not capture (should not happen) hangs the child under the root.
    const parent = r.parent && known.has(r.parent) ? r.parent : undefined;
    const list = children.get(parent);
    if (list) list.push(r);
    else children.set(parent, [r]);
  }
  const lines = [`pulumi:pulumi:Stack  ${input.project}-${input.stack}`];
  // Iterative depth-first walk: deep component nesting cannot overflow the stack.
  const stack: { r: PlannedResource; prefix: string; last: boolean }[] = [];
  const push = (list: PlannedResource[] | undefined, prefix: string) => {
    if (!list) return;
    for (let i = list.length - 1; i >= 0; i--)
      stack.push({ r: list[i], prefix, last: i === list.length - 1 });
  };
  push(children.get(undefined), "");
  while (stack.length > 0) {
    const { r, prefix, last } = stack.pop()!;
    lines.push(`${prefix}${last ? "└─ " : "├─ "}${describe(r)}`);
    push(children.get(r.urn), `${prefix}${last ? "   " : "│  "}`);
  }
  return lines.join("\n");
}

/** Counts per type and totals, as printed under the tree. */
export function renderSummary(summary: PlanSummary): string {
  const width = Math.max(...summary.byType.map(([type]) => type.length), 10);
  const lines = ["Resources by type:"];
  for (const [type, count] of summary.byType)
    lines.push(`  ${type.padEnd(width)}  ${String(count).padStart(4)}`);
  lines.push(
    `Total: ${summary.total} resources (${summary.custom} custom, ${summary.components} components, ` +
      `${summary.protected} protected)`,
  );
  return lines.join("\n");
}
