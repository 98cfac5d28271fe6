/**
 * The lock window's decision (scripts/lock-window.ts): from a preview of the deploy, which
 * `CanNotDelete` locks must be lifted so the stack's own routine deletes succeed, and whether
 * the change must be refused because it deletes or replaces a stateful resource (BAK-2) or
 * updates an input Azure refuses or ignores (`updateFindings`: the deploy would fail half-way
 * or change nothing).
 *
 * The preview is either the real `pulumi preview --json` digest (pulumi/pulumi
 * `pkg/backend/display/json.go`: `{steps: [{op, urn, oldState, newState, replaceReasons,
 * ...}], changeSummary, ...}`; unchanged resources are left out unless `--show-sames`, so the
 * locks come from the stack's state) or the `--json` output of `npm run plan -- --diff-from`.
 */
import {
  assessDeletePermissions,
  assessRemovals,
  resourcesPointingAt,
  updateFindings,
  type ChangePreview,
  type DeletePermissionCheck,
  type FindingKind,
  type LockToLift,
  type ResourceChange,
} from "./diff";
import { parseStackExport } from "./export";
import {
  StackExportError,
  type NormalizedExportResource,
  type PreviewDigest,
  type StackExportResource,
} from "../../policy/common/pulumiFormat";

/** Preview ops that delete a resource in Azure (a logical `replace` deletes the old one). */
const DELETING_OPS = new Set(["delete", "replace", "delete-replaced"]);

export interface LockWindowPlan {
  /** Where the decision came from (`pulumi preview --json` or the offline change preview). */
  source: "pulumi-preview" | "change-preview";
  locks: LockToLift[];
  /** What the window cannot make safe: the deploy is refused. */
  refusals: { urn: string; kind: FindingKind; message: string }[];
}

export class LockWindowInputError extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Whether a parsed preview file is the offline change preview (`npm run plan -- --diff-from --json`). */
export function isChangePreview(doc: unknown): doc is ChangePreview {
  return isRecord(doc) && doc.version === 1 && Array.isArray(doc.lockWindow) && Array.isArray(doc.changes);
}

/** Whether a parsed preview file is a `pulumi preview --json` digest. */
export function isPulumiPreview(doc: unknown): doc is PreviewDigest {
  return isRecord(doc) && (Array.isArray(doc.steps) || isRecord(doc.changeSummary)) && !("version" in doc);
}

/** Resource states as an export's resources (checked and normalized by the export reader). */
function normalize(states: unknown[], file: string): NormalizedExportResource[] {
  return parseStackExport({ version: 3, deployment: { manifest: { time: "" }, resources: states } }, file)
    .deployment.resources;
}

/**
 * The decision for a `pulumi preview --json` digest. `state` is the stack's current export
 * (`pulumi stack export`): the locks and the resources they protect. `canDelete`: the deploy
 * identity's permission to delete (lib/offline/permissions.ts roleAssignmentDeleteCheck), as the
 * offline change preview judges it: a delete Azure would refuse stops the deploy before it starts
 * rather than half-way.
 */
export function planFromPulumiPreview(
  digest: PreviewDigest,
  state: readonly NormalizedExportResource[],
  file: string,
  canDelete?: DeletePermissionCheck,
): LockWindowPlan {
  const changes: ResourceChange[] = [];
  const oldStates: unknown[] = [];
  const seen = new Set<string>();
  (digest.steps ?? []).forEach((step, i) => {
    if (!isRecord(step) || typeof step.op !== "string" || typeof step.urn !== "string") {
      throw new LockWindowInputError(`${file}: steps[${i}] must have an "op" and a "urn"`);
    }
    if (step.op === "update" && isRecord(step.oldState) && isRecord(step.newState) && !seen.has(step.urn)) {
      // An update Azure refuses or ignores: the deploy must not start (or lift anything) for it.
      const inputs = (s: Record<string, unknown>) => (isRecord(s.inputs) ? s.inputs : {});
      const findings = updateFindings(
        String(step.newState.type),
        inputs(step.oldState),
        inputs(step.newState),
        resourcesPointingAt(typeof step.oldState.id === "string" ? step.oldState.id : undefined, state),
      );
      seen.add(step.urn);
      if (findings.length > 0) {
        changes.push({
          urn: step.urn,
          type: String(step.newState.type),
          op: "update",
          changed: [],
          replaceReasons: [],
          findings,
        });
      }
      return;
    }
    if (!DELETING_OPS.has(step.op) || seen.has(step.urn)) return;
    if (!isRecord(step.oldState)) {
      throw new LockWindowInputError(`${file}: steps[${i}] (${step.op} ${step.urn}) has no "oldState"`);
    }
    seen.add(step.urn);
    oldStates.push(step.oldState);
    changes.push({
      urn: step.urn,
      type: String((step.oldState as unknown as StackExportResource).type),
      op: step.op === "delete" ? "delete" : "replace",
      changed: [],
      replaceReasons: [],
      findings: [],
    });
  });
  let fromSteps: NormalizedExportResource[];
  try {
    fromSteps = normalize(oldStates, file);
  } catch (err) {
    if (err instanceof StackExportError) throw new LockWindowInputError(err.message);
    throw err;
  }
  // The step's old state wins over the export for the resources it names (it is newer).
  const byUrn = new Map(state.map((r) => [r.urn, r]));
  for (const r of fromSteps) byUrn.set(r.urn, r);
  const olds = [...byUrn.values()];
  const locks = assessRemovals(changes, olds);
  if (canDelete) assessDeletePermissions(changes, olds, canDelete);
  return { source: "pulumi-preview", locks, refusals: refusalsOf(changes) };
}

function refusalsOf(changes: readonly ResourceChange[]): LockWindowPlan["refusals"] {
  return changes.flatMap((c) =>
    c.findings
      .filter((f) => f.kind !== "lock-window")
      .map((f) => ({ urn: c.urn, kind: f.kind, message: f.message })),
  );
}

/** The decision already made by the offline change preview. */
export function planFromChangePreview(preview: ChangePreview, stack: string, file: string): LockWindowPlan {
  if (preview.stack !== stack) {
    throw new LockWindowInputError(`${file}: a change preview of stack ${preview.stack}, not ${stack}`);
  }
  return { source: "change-preview", locks: preview.lockWindow, refusals: preview.failures };
}

/** Human text: what will be lifted and why, or why the change is refused. */
export function renderLockWindowPlan(plan: LockWindowPlan, stack: string): string {
  const lines: string[] = [];
  if (plan.refusals.length > 0) {
    lines.push(`lock-window: REFUSED for stack ${stack}: the change cannot be made safe by lifting locks:`);
    for (const r of plan.refusals) lines.push(`  [${r.kind}] ${r.urn}\n    ${r.message}`);
    return lines.join("\n");
  }
  if (plan.locks.length === 0)
    return `lock-window: stack ${stack}: no lock stands in the way of this change.`;
  lines.push(`lock-window: stack ${stack}: ${plan.locks.length} lock(s) must be lifted for this change:`);
  for (const lock of plan.locks) {
    lines.push(`  ${lock.id}`);
    lines.push(`    protects ${lock.scope}; refuses deleting:`);
    for (const urn of lock.for) lines.push(`      ${urn}`);
  }
  return lines.join("\n");
}
