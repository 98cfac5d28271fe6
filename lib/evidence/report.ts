/**
 * The compliance report (`npm run plan -- --stack <s> --report FILE`): for every control of the
 * catalog, the policies that enforce it, the resources they judged and each verdict, the honest
 * limits, then the SOC 2 / GDPR mapping. Generated from the plan and the pack's evaluation, so
 * it states what was checked, not what was intended.
 */
import * as fs from "fs";
import type { Evaluation, PolicyOutcome } from "../analyzer/evaluate";
import { loadPackConfig, reconcilePackConfig, schemaDefaults, type PackConfig } from "../analyzer/config";
import type { ControlId, PlatformPolicy } from "../../policy/lib/types";
import { platformPolicies } from "../../policy/policies";
import type { Plan, PlannedProgram } from "../offline/plan";
import { CONTROLS, FRAMEWORK_MAPPING, type Control } from "./controls";
import { countedResources, type StackExport } from "../../policy/common/pulumiFormat";

export interface EvidenceInput {
  /** Our stack's plan, or another team's (`planProgram`: no `config`). */
  plan: Pick<PlannedProgram, "project" | "stack" | "resources" | "location"> & {
    config?: Pick<Plan["config"], "environment" | "location" | "apps">;
  };
  stackExport: StackExport;
  /** The pack's verdicts; without them the report says so instead of claiming passes. */
  evaluation?: Evaluation;
  /**
   * The pack config the evaluation ran with: the report shows these settings rather than
   * reloading the preset (which could differ from what judged the stack). Without it (no
   * evaluation), the stack's preset file is read to show the levels it would apply.
   */
  packConfig?: PackConfig;
  /** The preset (or config file) the pack ran with; default: the stack's environment. */
  preset?: string;
}

export type Verdict = "pass" | "violation" | "unknown" | "not evaluated" | "no resources";

/** One resource a control applied to, with the worst verdict across the control's policies. */
export interface ResourceVerdict {
  urn: string;
  type: string;
  name: string;
  verdict: "pass" | "violation" | "unknown";
  policies: string[];
  messages: string[];
}

export interface ControlResult {
  control: Control;
  policies: PlatformPolicy[];
  resources: ResourceVerdict[];
  /** (policy, resource) pairs the policies skipped as not applicable. */
  notApplicable: number;
  verdict: Verdict;
}

const RANK: Record<ResourceVerdict["verdict"], number> = { pass: 0, unknown: 1, violation: 2 };

function nameOf(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** Per control: which policies, which resources, which verdicts. */
export function controlResults(evaluation: Evaluation | undefined): ControlResult[] {
  return CONTROLS.map((control) => {
    const policies = platformPolicies.filter((p) => p.controls.includes(control.id));
    if (!evaluation) return { control, policies, resources: [], notApplicable: 0, verdict: "not evaluated" };
    const names = new Set(policies.map((p) => p.name));
    const violations = evaluation.violations.filter((v) => names.has(v.policy));
    const byUrn = new Map<string, ResourceVerdict>();
    let notApplicable = 0;
    const touch = (
      o: Pick<PolicyOutcome, "urn" | "type" | "policy">,
      verdict: ResourceVerdict["verdict"],
    ) => {
      const r = byUrn.get(o.urn) ?? {
        urn: o.urn,
        type: o.type,
        name: nameOf(o.urn),
        verdict: "pass" as const,
        policies: [],
        messages: [],
      };
      if (!r.policies.includes(o.policy)) r.policies.push(o.policy);
      if (RANK[verdict] > RANK[r.verdict]) r.verdict = verdict;
      byUrn.set(o.urn, r);
      return r;
    };
    for (const o of evaluation.outcomes) {
      if (!names.has(o.policy)) continue;
      if (o.outcome === "notApplicable") notApplicable++;
      else touch(o, o.outcome === "violation" ? "violation" : o.outcome === "unknown" ? "unknown" : "pass");
    }
    // Violations carry the messages (and name resources outcomes may not list, e.g. stack-wide ones).
    for (const v of violations) {
      const type = byUrn.get(v.urn)?.type ?? typeFromUrn(v.urn);
      touch({ urn: v.urn, type, policy: v.policy }, "violation").messages.push(`${v.policy}: ${v.message}`);
    }
    const resources = [...byUrn.values()];
    const verdict: Verdict =
      resources.length === 0
        ? "no resources"
        : resources.some((r) => r.verdict === "violation")
          ? "violation"
          : resources.some((r) => r.verdict === "unknown")
            ? "unknown"
            : "pass";
    return { control, policies, resources, notApplicable, verdict };
  });
}

function typeFromUrn(urn: string): string {
  const typePart = urn.split("::")[2] ?? "";
  return typePart.slice(typePart.lastIndexOf("$") + 1);
}

/** Markdown table cell: no pipes or newlines breaking the row. */
export function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

const BADGE: Record<Verdict, string> = {
  pass: "PASS",
  violation: "VIOLATION",
  unknown: "UNKNOWN (values not known until deployment)",
  "not evaluated": "NOT EVALUATED",
  "no resources": "NO RESOURCES IN THIS STACK",
};

function shortType(type: string): string {
  return type.replace(/^azure-native:/, "");
}

/** How the preset configures a policy: its level and the parameters it sets. */
export interface PresetSetting {
  level: string;
  /**
   * Parameters the preset sets away from the policy's own defaults, as `key=value` (e.g. dev's
   * `requireLocks=false`), so a pass is read against what was actually required.
   */
  nonDefault: string[];
}

/** Per policy, the preset's level and non-default parameters (empty when the stack has no preset). */
export function presetSettings(preset: string, packConfig?: PackConfig): Map<string, PresetSetting> {
  const out = new Map<string, PresetSetting>();
  let resolved;
  try {
    resolved = reconcilePackConfig(platformPolicies, packConfig ?? loadPackConfig(preset)).policies;
  } catch {
    // A stack without a preset: nothing is shown rather than guessed.
    return out;
  }
  for (const p of platformPolicies) {
    const cfg = resolved.get(p.name);
    if (!cfg) continue;
    const defaults = schemaDefaults(p);
    const nonDefault = Object.entries(cfg.properties)
      .filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(defaults[k]))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    if (cfg.enforcementLevel === "disabled") nonDefault.unshift("disabled");
    out.set(p.name, { level: cfg.enforcementLevel, nonDefault });
  }
  return out;
}

/** How the report names what the pack ran with: a preset by its file, a config file by its path. */
function presetText(preset: string): string {
  return /^[a-z0-9-]+$/i.test(preset) ? `preset \`policy/config/${preset}.json\`` : `config \`${preset}\``;
}

/** The report as Markdown. */
export function renderReport(input: EvidenceInput): string {
  const { plan, stackExport, evaluation } = input;
  const preset = input.preset ?? plan.config?.environment ?? plan.stack;
  const results = controlResults(evaluation);
  // The preset is configuration, not a verdict: its levels are shown even when the pack did not run.
  const settings = presetSettings(preset, input.packConfig);
  const presetSettingsOf = (r: ControlResult) =>
    r.policies.flatMap((p) => (settings.get(p.name)?.nonDefault ?? []).map((x) => `\`${p.name}\` ${x}`));
  const manifest = (stackExport.deployment.manifest ?? {}) as { time?: unknown };
  const time = typeof manifest.time === "string" ? manifest.time : "time unknown";
  // One count everywhere (tree, verdict, report, analyzer): `countedResources`.
  const counted = countedResources(stackExport.deployment.resources);
  const total = counted.length;
  const custom = counted.filter((r) => r.custom).length;
  const out: string[] = [];

  out.push(`# Compliance report: stack \`${plan.stack}\` (${plan.project})`, "");
  out.push(
    `Generated from the offline plan's export (${time}): ${total} resources (the stack itself and providers not counted), ` +
      `${custom} of them Azure resources, region ${plan.location ?? plan.config?.location ?? "not set"}, policy ${presetText(preset)}.`,
  );
  if (evaluation) {
    const s = evaluation.summary;
    const outcomes = (o: PolicyOutcome["outcome"]) =>
      evaluation.outcomes.filter((x) => x.outcome === o).length;
    out.push(
      "",
      `Policy pack: ${s.policies} policies on those ${total} resources and the stack: ${s.mandatory} mandatory and ` +
        `${s.advisory} advisory violation(s), ${s.unknown} check(s) that could not complete on unknown values.`,
      "",
      `Checks (policy × resource): ${outcomes("pass")} pass, ${outcomes("violation")} violation, ` +
        `${outcomes("unknown")} unknown, ${outcomes("notApplicable")} not applicable.`,
    );
  } else {
    out.push(
      "",
      "**The policy pack was not evaluated for this report: no verdict below is a pass.** " +
        "Run `npm run plan -- --stack <s> --report FILE` with the policy engine present.",
    );
  }
  const tally = (v: Verdict) => results.filter((r) => r.verdict === v).length;
  out.push(
    "",
    `Controls: ${tally("pass")} pass, ${tally("violation")} with violations, ${tally("unknown")} unknown, ` +
      `${tally("no resources")} without resources in this stack, ${tally("not evaluated")} not evaluated ` +
      `(of ${results.length}).`,
    "",
  );

  out.push("## Controls", "");
  out.push(
    "| Control | Enforced by | Applies to | Verdict | Preset settings | Notes |",
    "|---|---|---|---|---|---|",
  );
  for (const r of results) {
    const counts =
      r.resources.length === 0
        ? "—"
        : `${r.resources.length} resource${r.resources.length === 1 ? "" : "s"}: ${r.resources.filter((x) => x.verdict === "pass").length} pass, ` +
          `${r.resources.filter((x) => x.verdict === "violation").length} violation, ` +
          `${r.resources.filter((x) => x.verdict === "unknown").length} unknown` +
          `; ${r.notApplicable} not applicable`;
    out.push(
      `| [${r.control.id}](#${r.control.id.toLowerCase()}) ${cell(r.control.title)} | ` +
        `${r.policies.map((p) => `\`${p.name}\``).join(", ") || "**no policy**"} | ${counts} | ` +
        `${BADGE[r.verdict]} | ${cell(presetSettingsOf(r).join(", ")) || "—"} | ` +
        `${r.control.notes.length ? cell(r.control.notes.join(" ")) : "—"} |`,
    );
  }
  out.push("");

  out.push("## Framework mapping", "");
  out.push("| Framework | Criterion | Controls | Verdict |", "|---|---|---|---|");
  for (const f of FRAMEWORK_MAPPING) {
    const verdicts = results.filter((r) => f.controls.includes(r.control.id)).map((r) => r.verdict);
    const worst = (["violation", "not evaluated", "unknown", "pass"] as Verdict[]).find((v) =>
      verdicts.includes(v),
    );
    out.push(
      `| ${f.framework} | ${f.criterion} ${cell(f.title)} | ${f.controls.join(", ")} | ${BADGE[worst ?? "no resources"]} |`,
    );
  }
  out.push("");

  out.push("## Per control", "");
  for (const r of results) {
    out.push(`### ${r.control.id}`, "");
    out.push(`**${r.control.title}** — ${BADGE[r.verdict]}`, "");
    out.push(`Requirement: ${r.control.requirement}`, "");
    out.push("Policies:", "");
    for (const p of r.policies) {
      const preset = settings.get(p.name);
      const how = preset
        ? `, ${preset.level}${preset.nonDefault.length ? `; preset: ${preset.nonDefault.join(", ")}` : ""}`
        : "";
      out.push(`- \`${p.name}\` (${p.severity}${how}): ${p.description}`);
    }
    out.push("");
    if (r.control.notes.length) out.push(r.control.notes.map((n) => `> Note: ${n}`).join("\n>\n"), "");
    if (!evaluation) continue;
    if (r.resources.length === 0) {
      out.push("No resource of this stack is of a type these policies judge.", "");
      continue;
    }
    out.push("| Resource | Type | Verdict | Policies |", "|---|---|---|---|");
    for (const res of [...r.resources].sort((a, b) => RANK[b.verdict] - RANK[a.verdict])) {
      const verdict =
        res.verdict === "violation" ? `VIOLATION: ${res.messages.join("; ")}` : res.verdict.toUpperCase();
      out.push(
        `| \`${cell(res.name)}\` | ${cell(shortType(res.type))} | ${cell(verdict)} | ${res.policies.map((p) => `\`${p}\``).join(", ")} |`,
      );
    }
    out.push("", `Not applicable: ${r.notApplicable} (policy, resource) pairs.`, "");
  }
  return `${out.join("\n").trimEnd()}\n`;
}

/** Controls no policy enforces (the coverage test keeps this empty). */
export function unenforcedControls(policies: readonly PlatformPolicy[] = platformPolicies): ControlId[] {
  return CONTROLS.filter((c) => !policies.some((p) => p.controls.includes(c.id))).map((c) => c.id);
}

export function writeReport(file: string, input: EvidenceInput): void {
  fs.writeFileSync(file, renderReport(input));
}
