/**
 * SIEM-1: Microsoft Sentinel on the platform workspace.
 * - Onboarding (`SentinelOnboardingState` "default") turns the workspace into a Sentinel workspace.
 * - The subscription's Activity log reaches the workspace (the "Azure Activity" data connector
 *   is, since 2021, exactly this subscription diagnostic setting). Resource logs already arrive
 *   through each component's diagnostic setting (LOG-1). Tenant-level connectors (Entra ID,
 *   Defender XDR) need a tenant administrator: docs/edge-and-siem.md lists them.
 * - The analytics rules of `sentinel/rules.ts`, scheduled, each creating incidents.
 * - Incidents reach the security team: a log alert on the `SecurityIncident` table notifies the
 *   security action group (Sentinel automation rules can only run Logic App playbooks, which
 *   would need a connector identity and consent; an Azure Monitor alert needs neither).
 */
import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import * as securityinsights from "@pulumi/azure-native/securityinsights";
import {
  ANALYTICS_RULES,
  SECURITY_INCIDENT_QUERY,
  type AnalyticsRule,
  type RuleContext,
} from "./sentinel/rules";
import { DIAGNOSTIC_SETTING_NAME } from "./common/diagnostics";
import { startArgChecks, type PlatformContext } from "./common/interfaces";
import { ArgProblems, argError, PLATFORM_CONTEXT_KEYS } from "./common/schema";
import { stableRuleId } from "./sentinel/ids";
import { resourceName } from "./common/naming";
import { componentTags } from "./common/tags";
import { componentType, withLegacyAlias } from "./common/componentType";

/** Activity log categories sent to the workspace: who changed what, security and policy events. */
export const ACTIVITY_LOG_CATEGORIES = ["Administrative", "Security", "Policy", "Alert"] as const;

export interface SentinelArgs {
  /** The foundation this component stands on. */
  platform: PlatformContext;
  /** Name of the platform workspace (Sentinel addresses it by name within the resource group). */
  workspaceName: pulumi.Input<string>;
  /** Where incidents are mailed (the security team). */
  securityEmail: string;
  /** Deployment-time values the rules need (pipeline identity, workload identities). */
  ruleContext: pulumi.Input<RuleContext>;
  /**
   * IDs of the `ANALYTICS_RULES` to deploy; default all. IDs rather than rule objects: a rule
   * carries its KQL as a function, and component arguments are plain data.
   */
  ruleIds?: string[];
}

const ARG_KEYS = ["platform", "workspaceName", "securityEmail", "ruleContext", "ruleIds"] as const;

/** The analytics rules `ids` names, in `ANALYTICS_RULES` order; an unknown ID is an error. */
function selectRules(owner: string, ids: string[] | undefined): AnalyticsRule[] {
  if (ids === undefined) return [...ANALYTICS_RULES];
  const known = ANALYTICS_RULES.map((r) => r.id);
  if (!Array.isArray(ids)) {
    throw argError(
      owner,
      ["ruleIds"],
      ids,
      `must be a list of analytics rule IDs; allowed: ${known.join(", ")}`,
    );
  }
  const problems = new ArgProblems(owner);
  ids.forEach((id, i) => {
    if (!known.includes(id))
      problems.add(["ruleIds", i], id, `is not a known analytics rule; allowed: ${known.join(", ")}`);
  });
  if (ids.length === 0) problems.add(["ruleIds"], ids, "must list at least one analytics rule (SIEM-1)");
  problems.throwIfAny();
  return ANALYTICS_RULES.filter((r) => ids.includes(r.id));
}

/** Microsoft Sentinel on the platform workspace with the platform's analytics rules (SIEM-1). */
export class Sentinel extends pulumi.ComponentResource {
  /** Resource ID of the Sentinel onboarding state. */
  readonly onboardingId: pulumi.Output<string>;
  /** Action group that receives incidents (the security team). */
  readonly securityActionGroupId: pulumi.Output<string>;
  /** Resource IDs of the analytics rules. */
  readonly ruleIds: pulumi.Output<string>[];

  constructor(name: string, args: SentinelArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = `Sentinel "${name}"`;
    // Every problem at once, before anything registers.
    const { problems, platformOk } = startArgChecks(
      owner,
      args,
      ARG_KEYS,
      "the onboarding, connectors and rules are fixed by SIEM-1",
      PLATFORM_CONTEXT_KEYS,
    );
    if (typeof args.securityEmail !== "string" || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(args.securityEmail)) {
      problems.add(
        ["securityEmail"],
        args.securityEmail,
        "must be an e-mail address such as security@example.com (SIEM-1)",
      );
    }
    if (args.workspaceName === undefined || args.workspaceName === null || args.workspaceName === "") {
      problems.add(
        ["workspaceName"],
        args.workspaceName,
        "is required: the name of the platform's Log Analytics workspace",
      );
    }
    if (args.ruleContext === undefined || args.ruleContext === null) {
      problems.add(
        ["ruleContext"],
        args.ruleContext,
        "is required: what the analytics rules query (see RuleContext)",
      );
    }
    const rules = problems.check(() => selectRules(owner, args.ruleIds))!;
    problems.beforePlatformReads(platformOk);
    const { platform } = args;
    const prefix = { path: ["platform", "namePrefix"], value: platform.namePrefix };
    const actionGroupName = problems.check(() => resourceName(platform, "actionGroup", "security"), prefix)!;
    const alertName = problems.check(
      () => resourceName(platform, "metricAlert", "sentinel-incidents"),
      prefix,
    )!;
    const tags = problems.check(() => componentTags(platform, "confidential", {}, owner))!;
    problems.throwIfAny();
    super(componentType("Sentinel"), name, {}, withLegacyAlias("Sentinel", opts));
    const rg = platform.resourceGroupName;

    const onboarding = new securityinsights.SentinelOnboardingState(
      `${name}-onboarding`,
      { resourceGroupName: rg, workspaceName: args.workspaceName, sentinelOnboardingStateName: "default" },
      { parent: this },
    );

    // The "Azure Activity" connector: the subscription's Activity log into the workspace.
    new monitor.SubscriptionDiagnosticSetting(
      `${name}-activity-log`,
      {
        name: `${DIAGNOSTIC_SETTING_NAME}-${platform.namePrefix}-${platform.environment}`,
        workspaceId: platform.workspaceId,
        logs: ACTIVITY_LOG_CATEGORIES.map((category) => ({ category, enabled: true })),
      },
      { parent: this },
    );

    // Rules need the onboarding: Sentinel refuses alert rules on a workspace it does not manage.
    const ruleOpts = { parent: this, dependsOn: [onboarding] };
    this.ruleIds = rules.map(
      (rule) =>
        new securityinsights.ScheduledAlertRule(
          `${name}-${rule.id}`,
          {
            resourceGroupName: rg,
            workspaceName: args.workspaceName,
            ruleId: stableRuleId(platform, rule.id),
            kind: "Scheduled",
            displayName: rule.displayName,
            description: rule.description,
            enabled: true,
            severity: rule.severity,
            tactics: [...rule.tactics],
            techniques: [...rule.techniques],
            query: pulumi.output(args.ruleContext).apply((ctx) => rule.query(ctx)),
            queryFrequency: rule.queryFrequency,
            queryPeriod: rule.queryPeriod,
            triggerOperator: "GreaterThan",
            triggerThreshold: 0,
            suppressionEnabled: false,
            suppressionDuration: "PT1H",
            entityMappings: rule.entityMappings.map((m) => ({
              entityType: m.entityType,
              fieldMappings: m.fieldMappings.map((f) => ({ ...f })),
            })),
            incidentConfiguration: {
              createIncident: true,
              groupingConfiguration: {
                enabled: true,
                reopenClosedIncident: false,
                lookbackDuration: "PT5H",
                matchingMethod: "AllEntities",
              },
            },
            eventGroupingSettings: { aggregationKind: "SingleAlert" },
          },
          ruleOpts,
        ).id,
    );

    const actionGroup = new monitor.ActionGroup(
      `${name}-security-action-group`,
      {
        resourceGroupName: rg,
        actionGroupName,
        location: "global",
        groupShortName: `${platform.namePrefix}sec`.slice(0, 12),
        enabled: true,
        emailReceivers: [
          { name: "security-team", emailAddress: args.securityEmail, useCommonAlertSchema: true },
        ],
        tags,
      },
      { parent: this },
    );

    // Every new incident (from these rules or any other Sentinel source) notifies the team.
    new monitor.ScheduledQueryRule(
      `${name}-incidents-to-security`,
      {
        resourceGroupName: rg,
        ruleName: alertName,
        location: platform.location,
        description: "New Microsoft Sentinel incidents, routed to the security team (SIEM-1)",
        displayName: "Sentinel incident created",
        enabled: true,
        severity: 1,
        kind: "LogAlert",
        scopes: [platform.workspaceId],
        evaluationFrequency: "PT5M",
        windowSize: "PT5M",
        criteria: {
          allOf: [
            {
              query: SECURITY_INCIDENT_QUERY,
              timeAggregation: "Count",
              operator: "GreaterThan",
              threshold: 0,
              failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
            },
          ],
        },
        autoMitigate: false,
        actions: { actionGroups: [actionGroup.id] },
        tags,
      },
      { parent: this, dependsOn: [onboarding] },
    );

    this.onboardingId = onboarding.id;
    this.securityActionGroupId = actionGroup.id;
    this.registerOutputs({
      onboardingId: this.onboardingId,
      securityActionGroupId: this.securityActionGroupId,
    });
  }
}
