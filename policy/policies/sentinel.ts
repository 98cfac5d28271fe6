/**
 * Microsoft Sentinel (SIEM-1): the platform workspace is onboarded, receives the subscription's
 * Activity log, and runs scheduled analytics rules that create incidents. Dev may turn the
 * requirement off (a cost item, `requireSentinel: false` in its preset); prod may not.
 */
import {
  knownInputsWhenAnalyzed,
  propertyDependenciesOf,
  rememberKnownInputs,
  resourceGroupWhenAnalyzed,
  resourcePolicy,
  stackPolicy,
  type StackResource,
  type StackView,
} from "../lib/define";
import type { AzureType } from "../lib/azureTypes";
import { arr, bool, eqi, get, hasText, known, NOT_KNOWN, peek, peekArr, show } from "../lib/props";
import {
  idOf,
  isParentOf,
  label,
  parentKeysOf,
  parentRefOf,
  ReferenceIndex,
  type ParentRef,
} from "../lib/relations";
import { scheduledRuleQueryProblems, unboundedScanProblems } from "../../controls/sentinelQuery";

export const sentinelRuleQuality = resourcePolicy({
  name: "sentinel-rule-quality",
  description:
    "Sentinel scheduled analytics rules are enabled, never suppressed after an alert, create incidents, name a MITRE ATT&CK tactic and map at least one entity, so an incident says who, from where and on what; their query is one Sentinel accepts (1 to 10,000 characters, no `search`, no `union *`) and names the tables it reads (no table wildcard, no `find` over every table) (SIEM-1).",
  controls: ["SIEM-1"],
  severity: "medium",
  remediation:
    "Set enabled: true, suppressionEnabled: false, incidentConfiguration.createIncident: true, tactics [...] and entityMappings [...], and a query that reads named tables (`union isfuzzy=true (datatable(...)[]), Table`, `find in (Table, ...)`) instead of `search`, `union *` or a table wildcard (components/sentinel/rules.ts).",
  types: ["azure-native:securityinsights:ScheduledAlertRule"],
  config: {},
  check: ({ props }, _cfg, report) => {
    if (bool(props, "enabled") !== true)
      report(`enabled is ${show(get(props, "enabled"))}; the rule must run`);
    if (bool(props, "incidentConfiguration", "createIncident") !== true)
      report("incidentConfiguration.createIncident is not true; alerts would never reach the security team");
    // Suppression stops the query for suppressionDuration (up to a day) after each alert: one
    // noisy alert an attacker provokes buys that window unwatched.
    if (bool(props, "suppressionEnabled") === true)
      report(
        `suppressionEnabled is true; the rule would stop running for ${show(get(props, "suppressionDuration"))} after each alert`,
      );
    if (arr(props, "tactics").length === 0) report("tactics is empty; name the MITRE ATT&CK tactic");
    if (arr(props, "entityMappings").length === 0) report("entityMappings is empty; map at least one entity");
    const query = peek(props, "query");
    if (!hasText(props, "query")) report("query is empty");
    // What Sentinel refuses at creation, caught at preview, and reads of an open set of tables,
    // which Azure accepts (controls/sentinelQuery.ts). A query not known yet is judged at `up`.
    else if (typeof query === "string")
      for (const problem of [...scheduledRuleQueryProblems(query), ...unboundedScanProblems(query)])
        report(`query: ${problem}`);
  },
});

const WORKSPACE: AzureType = "azure-native:operationalinsights:Workspace";
const ONBOARDING: AzureType = "azure-native:securityinsights:SentinelOnboardingState";
const RULE: AzureType = "azure-native:securityinsights:ScheduledAlertRule";
const RESOURCE_GROUP: AzureType = "azure-native:resources:ResourceGroup";

// The names a first preview shows only to the resource policies (`workspaceAddressOf`).
// (Each resource's `resourceGroupName` input is kept for every type: `resourceGroupWhenAnalyzed`.)
rememberKnownInputs([WORKSPACE, ONBOARDING, RULE], ["workspaceName"]);

/**
 * Where in ARM a workspace is, or the workspace a Sentinel onboarding or rule names, as the
 * resource policies saw the inputs: its provider (one subscription), resource group and workspace
 * name, or undefined where one of them is not known. For a first preview, where a stack policy
 * sees none of them: every resource is created, so its outputs carry no path parameter and its ID
 * is unknown (azure-native's PreviewOutputs), and a literal `workspaceName` has no
 * propertyDependencies to follow. Before, a workspace and its onboarding named literally
 * (`workspaceName: "law-x"`, not `workspace.name`) were "not onboarded", which blocked the first
 * preview of such a stack.
 *
 * The whole address, never the name alone: a workspace's name is unique only within its resource
 * group and subscription. A group given literally is its name; one computed from the stack's
 * resource group (`rg.name`, not known yet) is that group (its own literal name where it has
 * one); one computed from anything else says nothing (undefined: deny by default).
 */
function workspaceAddressOf(r: StackResource, stack: StackView): string | undefined {
  const seen = knownInputsWhenAnalyzed(r.urn);
  const name = seen?.inputs.workspaceName;
  if (seen?.provider === undefined || name === undefined) return undefined;
  const given = resourceGroupWhenAnalyzed(r.urn);
  let group = typeof given === "string" ? given : undefined;
  if (group === undefined) {
    const from = new Set(propertyDependenciesOf(r, "resourceGroupName").map((d) => d.urn));
    const rg = from.size === 1 ? stack.byUrn([...from][0]) : undefined;
    if (rg?.canonical !== RESOURCE_GROUP) return undefined;
    const rgName = resourceGroupWhenAnalyzed(rg.urn);
    group = typeof rgName === "string" ? rgName : `\0${rg.urn}`;
  }
  return [seen.provider, group.toLowerCase(), name.toLowerCase()].join("\n");
}

export const sentinelOnboarded = stackPolicy({
  name: "sentinel-onboarded",
  description:
    "The platform's Log Analytics workspace is onboarded to Microsoft Sentinel, receives the subscription's Activity log and runs at least the configured number of enabled analytics rules (SIEM-1).",
  controls: ["SIEM-1"],
  severity: "high",
  remediation:
    "Turn secure-azure-platform:sentinel on (the Sentinel component onboards the workspace, adds the Activity log setting and the analytics rules).",
  types: [WORKSPACE, ONBOARDING, RULE, "azure-native:monitor:SubscriptionDiagnosticSetting"],
  config: {
    requireSentinel: {
      description: "Require Sentinel on every workspace of the stack (prod). Dev may turn it off for cost.",
      default: true,
    },
    minRules: {
      description: "Fewest enabled scheduled analytics rules per onboarded workspace.",
      default: 6,
      schema: { minimum: 1 },
    },
  },
  check: (stack, cfg, report) => {
    if (!cfg.requireSentinel) return;
    const workspaces = stack.ofType(WORKSPACE);
    const onboardings = stack.ofType(ONBOARDING);
    // Peeked, never read: a value not known yet (preview) must not make the policy skip every
    // workspace of the stack. A rule that may be off, or logs not known yet, count for nothing
    // (fail closed: the Sentinel component sets both as constants, known in any preview).
    const rules = stack
      .ofType(RULE)
      .filter((r) => peek(r.props, "enabled") !== NOT_KNOWN && bool(r.props, "enabled") === true);
    const activity = new ReferenceIndex(
      stack
        .ofType("azure-native:monitor:SubscriptionDiagnosticSetting")
        .filter((s) =>
          peekArr(s.props, "logs").some(
            (l) =>
              eqi(peek(l, "category"), "Administrative") &&
              peek(l, "enabled") !== NOT_KNOWN &&
              bool(l, "enabled") === true,
          ),
        ),
      (s) => [peek(s.props, "workspaceId")],
      "workspaceId",
    );
    // Each onboarding's and rule's workspace, read once rather than once per workspace. Sentinel
    // resources address the workspace by name, and a deployed one (outputs, which carry no
    // workspaceName) by its ID below the workspace's: before, a literal workspace name matched
    // nothing at `up`. An unknown name (preview) matches only when that input was computed from
    // the workspace (its propertyDependencies): a `dependsOn` on the workspace next to a name
    // computed elsewhere onboarded another workspace at `up`.
    // Where no ID can say (a resource being created in a preview), the address the inputs gave
    // (`workspaceAddressOf`): a workspace and an onboarding named literally.
    const onboardingRefs = onboardings.map((r) => parentRefOf(r, "workspaceName"));
    const ruleRefs = rules.map((r) => parentRefOf(r, "workspaceName"));
    const workspaceKeys = parentKeysOf(workspaces, "workspaceName");
    const addresses = new Map<StackResource, string | undefined>();
    const addressOf = (r: StackResource) => {
      if (!addresses.has(r)) addresses.set(r, workspaceAddressOf(r, stack));
      return addresses.get(r);
    };
    for (const [w, ws] of workspaces.entries()) {
      const key = workspaceKeys[w];
      const matches = (r: StackResource, ref: ParentRef) =>
        isParentOf(key, r, ref, "workspaceName") ||
        ((idOf(ws) === undefined || idOf(r) === undefined) &&
          addressOf(ws) !== undefined &&
          addressOf(ws) === addressOf(r));
      if (!onboardings.some((r, i) => matches(r, onboardingRefs[i]))) {
        report(`${label(ws)} is not onboarded to Microsoft Sentinel`, ws.urn);
        continue;
      }
      const count = rules.filter((r, i) => matches(r, ruleRefs[i])).length;
      if (count < cfg.minRules)
        report(`${label(ws)} runs ${count} enabled analytics rule(s); at least ${cfg.minRules}`, ws.urn);
      if (activity.referrers(ws).length === 0)
        report(
          `${label(ws)} does not receive the subscription's Activity log (Administrative category)`,
          ws.urn,
        );
    }
    if (workspaces.length === 0) report("the stack has no Log Analytics workspace for Sentinel");
  },
});

export const sentinelIncidentsRouted = stackPolicy({
  name: "sentinel-incidents-routed",
  description:
    "Log alert rules are enabled and notify only action groups of the stack, and a workspace onboarded to Sentinel has one on SecurityIncident, so every new incident reaches the security team (SIEM-1, MON-1).",
  controls: ["SIEM-1", "MON-1"],
  severity: "high",
  remediation:
    "Keep the Sentinel component's incidents-to-security rule: enabled, scopes [the workspace], a query on SecurityIncident, actions.actionGroups [the stack's security action group].",
  types: [
    "azure-native:monitor:ScheduledQueryRule",
    "azure-native:monitor:ActionGroup",
    "azure-native:securityinsights:SentinelOnboardingState",
  ],
  config: {},
  check: (stack, _cfg, report) => {
    const rules = stack.ofType("azure-native:monitor:ScheduledQueryRule");
    const groups = stack.ofType("azure-native:monitor:ActionGroup");
    const routedTo = (rule: (typeof rules)[number]) => arr(rule.props, "actions", "actionGroups");
    // One action group not known yet inside a known list (preview) counts only through what
    // `actions` was computed from, as for the whole list below; not any dependency of the rule.
    const byGroup = new ReferenceIndex(rules, routedTo, "actions");
    // Rule -> how many of its action groups are the stack's.
    const ours = new Map<string, number>();
    for (const g of groups) for (const r of byGroup.referrers(g)) ours.set(r.urn, (ours.get(r.urn) ?? 0) + 1);
    for (const rule of rules) {
      // Peeked (preview): a rule that may be off is refused (the Sentinel component's is `true`,
      // known in any preview), and must not make the policy skip every other rule of the stack.
      const enabled = peek(rule.props, "enabled");
      if (enabled === NOT_KNOWN)
        report(`${label(rule)}: enabled is not known yet; it may be disabled`, rule.urn);
      else if (bool(rule.props, "enabled") === false) report(`${label(rule)} is disabled`, rule.urn);
      const targets = known(() => routedTo(rule));
      if (targets === NOT_KNOWN) {
        // A list not known as a whole (preview): one action group not known yet, judged by what
        // `actions` was computed from (its propertyDependencies), as alert-routes-in-stack does;
        // before, such a rule was skipped, whatever it notified.
        if (!propertyDependenciesOf(rule, "actions").some((d) => groups.some((g) => g.urn === d.urn)))
          report(
            `${label(rule)}: its action groups are not known yet and do not come from an action group of this stack`,
            rule.urn,
          );
        continue;
      }
      if (targets.length === 0) report(`${label(rule)} notifies no action group`, rule.urn);
      else if (
        (ours.get(rule.urn) ?? 0) <
        new Set(targets.map((t) => (typeof t === "string" ? t.toLowerCase() : t))).size
      )
        report(`${label(rule)} notifies an action group outside the stack`, rule.urn);
    }
    const onIncidents = rules.filter((r) =>
      // Criteria not known as a whole (preview): one criterion whose query is not known yet.
      peekArr(r.props, "criteria", "allOf").some((c) => {
        const q = peek(c, "query");
        return q === NOT_KNOWN || (typeof q === "string" && /\bSecurityIncident\b/.test(q));
      }),
    );
    for (const onboarding of stack.ofType("azure-native:securityinsights:SentinelOnboardingState")) {
      if (onIncidents.length === 0)
        report(
          `${label(onboarding)}: no log alert rule on SecurityIncident; new incidents would reach nobody`,
          onboarding.urn,
        );
    }
  },
});

export const sentinelPolicies = [sentinelRuleQuality, sentinelOnboarded, sentinelIncidentsRouted] as const;
