/**
 * Bypass cases: the edge and the SIEM (EDGE-1, NET-2, TLS-1, LOG-1, SIEM-1). What someone would
 * try to get traffic past the WAF, reach an app without Front Door, weaken TLS at the edge, or
 * blind the security team: each must be refused by the named policy on the real plans.
 */
import { computedElsewhere, DELETE, type Context, type Mutation, type Variation } from "../mutationCatalog";
import { UNKNOWN_SENTINEL } from "../../../lib/analyzer/server";

const E = {
  env: "azure-native:app:ManagedEnvironment",
  profile: "azure-native:cdn:Profile",
  waf: "azure-native:frontdoor:Policy",
  origin: "azure-native:cdn:AFDOrigin",
  route: "azure-native:cdn:Route",
  binding: "azure-native:cdn:SecurityPolicy",
  domain: "azure-native:cdn:AFDCustomDomain",
  endpoint: "azure-native:cdn:AFDEndpoint",
  diag: "azure-native:monitor:DiagnosticSetting",
  onboarding: "azure-native:securityinsights:SentinelOnboardingState",
  rule: "azure-native:securityinsights:ScheduledAlertRule",
  activity: "azure-native:monitor:SubscriptionDiagnosticSetting",
  ruleSet: "azure-native:cdn:RuleSet",
  cdnRule: "azure-native:cdn:Rule",
  group: "azure-native:cdn:AFDOriginGroup",
  approval: "azure-native:app:ManagedEnvironmentPrivateEndpointConnection",
  incidentAlert: "azure-native:monitor:ScheduledQueryRule",
} as const;

const FOREIGN_GROUP = (c: Context) =>
  `/subscriptions/${c.subscription}/resourceGroups/elsewhere/providers/Microsoft.Cdn/profiles/afd-other/originGroups/og`;

const onProfile = (inputs: Record<string, unknown>) =>
  typeof inputs.resourceUri === "string" &&
  /\/providers\/Microsoft\.Cdn\/profiles\//i.test(inputs.resourceUri);

export const MUTATIONS: Mutation[] = [
  // Around the edge: the environment opened to the Internet again.
  {
    id: "environment public network access re-enabled",
    type: E.env,
    set: { publicNetworkAccess: "Enabled" },
    policy: "managed-environment-not-public",
    control: "EDGE-1",
  },
  {
    id: "environment public network access left to Azure's default (Enabled)",
    type: E.env,
    set: { publicNetworkAccess: DELETE },
    policy: "managed-environment-not-public",
    control: "NET-2",
  },
  {
    id: "environment external (public load balancer)",
    type: E.env,
    set: { "vnetConfiguration.internal": false },
    policy: "managed-environment-not-public",
    control: "NET-2",
  },
  // The WAF itself.
  {
    id: "WAF switched to Detection (logs, blocks nothing)",
    type: E.waf,
    set: { "policySettings.mode": "Detection" },
    policy: "front-door-waf-prevention",
    control: "EDGE-1",
  },
  {
    id: "WAF disabled",
    type: E.waf,
    set: { "policySettings.enabledState": "Disabled" },
    policy: "front-door-waf-prevention",
    control: "EDGE-1",
  },
  {
    id: "WAF request body inspection off",
    type: E.waf,
    set: { "policySettings.requestBodyCheck": "Disabled" },
    policy: "front-door-waf-prevention",
    control: "EDGE-1",
  },
  {
    id: "WAF default rule set removed",
    type: E.waf,
    set: {
      "managedRules.managedRuleSets": [{ ruleSetType: "Microsoft_BotManagerRuleSet", ruleSetVersion: "1.1" }],
    },
    policy: "front-door-waf-managed-rules",
    control: "EDGE-1",
  },
  {
    id: "WAF default rule set turned to Log",
    type: E.waf,
    set: { "managedRules.managedRuleSets.0.ruleSetAction": "Log" },
    policy: "front-door-waf-managed-rules",
    control: "EDGE-1",
  },
  {
    id: "WAF SQL injection rule disabled by an override",
    type: E.waf,
    set: {
      "managedRules.managedRuleSets.0.ruleGroupOverrides": [
        { ruleGroupName: "SQLI", rules: [{ ruleId: "942100", enabledState: "Disabled" }] },
      ],
    },
    policy: "front-door-waf-managed-rules",
    control: "EDGE-1",
  },
  {
    id: "WAF custom Allow rule ahead of the managed rules",
    type: E.waf,
    set: {
      "push:customRules.rules": {
        name: "AllowOffice",
        priority: 1,
        ruleType: "MatchRule",
        action: "Allow",
        matchConditions: [{ matchVariable: "RemoteAddr", operator: "IPMatch", matchValue: ["0.0.0.0/0"] }],
      },
    },
    policy: "front-door-waf-managed-rules",
    control: "EDGE-1",
  },
  {
    id: "WAF rate limit removed",
    type: E.waf,
    set: { "customRules.rules": [] },
    policy: "front-door-waf-rate-limit",
    control: "EDGE-1",
  },
  {
    id: "WAF rate limit above the prod ceiling",
    stacks: ["prod"],
    type: E.waf,
    set: { "customRules.rules.0.rateLimitThreshold": 50000 },
    policy: "front-door-waf-rate-limit",
    control: "EDGE-1",
  },
  {
    id: "Front Door Standard (no Private Link, no managed rules)",
    type: E.profile,
    set: { "sku.name": "Standard_AzureFrontDoor" },
    policy: "front-door-premium",
    control: "EDGE-1",
  },
  {
    id: "WAF unbound from the endpoints (security policy removed)",
    type: E.binding,
    remove: true,
    policy: "front-door-waf-coverage",
    control: "EDGE-1",
  },
  {
    id: "security policy bound to a WAF outside the stack",
    type: E.binding,
    set: {
      "parameters.wafPolicy.id": (c: Context) =>
        `/subscriptions/${c.subscription}/resourceGroups/elsewhere/providers/Microsoft.Network/frontDoorWebApplicationFirewallPolicies/detect`,
    },
    policy: "front-door-waf-coverage",
    control: "EDGE-1",
  },
  {
    id: "an extra endpoint without the WAF",
    add: {
      type: E.endpoint,
      name: "shadow-endpoint",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        profileName: c.nameOf(E.profile),
        endpointName: "shadow",
        id: `${c.idOf(E.profile)}/afdEndpoints/shadow`,
      }),
    },
    policy: "front-door-waf-coverage",
    control: "EDGE-1",
  },
  // Origins and routes.
  {
    id: "origin over the Internet (Private Link removed)",
    type: E.origin,
    set: { sharedPrivateLinkResource: DELETE },
    policy: "front-door-private-origins",
    control: "EDGE-1",
  },
  {
    id: "origin certificate name check off",
    type: E.origin,
    set: { enforceCertificateNameCheck: false },
    policy: "front-door-private-origins",
    control: "NET-2",
  },
  {
    id: "route serves HTTP without redirecting",
    type: E.route,
    set: { httpsRedirect: "Disabled" },
    policy: "front-door-route-https-only",
    control: "TLS-1",
  },
  {
    id: "route calls the origin over HTTP (MatchRequest)",
    type: E.route,
    set: { forwardingProtocol: "MatchRequest" },
    policy: "front-door-route-https-only",
    control: "TLS-1",
  },
  {
    id: "route serving a custom domain also on *.azurefd.net (Front Door's default TLS)",
    type: E.route,
    set: {
      customDomains: (c: Context) => [{ id: `${c.idOf(E.profile)}/customDomains/web-app-example-com` }],
      linkToDefaultDomain: "Enabled",
    },
    policy: "front-door-route-https-only",
    control: "TLS-1",
  },
  {
    id: "a custom domain with the 2019 TLS 1.0 policy",
    add: {
      type: E.domain,
      name: "legacy-domain",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        profileName: c.nameOf(E.profile),
        hostName: "legacy.example.com",
        tlsSettings: { certificateType: "ManagedCertificate", cipherSuiteSetType: "TLS10_2019" },
      }),
    },
    policy: "front-door-custom-domain-tls",
    control: "TLS-1",
  },
  {
    id: "Front Door WAF log dropped from the diagnostic setting",
    type: E.diag,
    where: onProfile,
    set: { logs: [{ category: "FrontDoorAccessLog", enabled: true }] },
    policy: "front-door-diagnostics",
    control: "LOG-1",
  },
  // Undoing HTTPS through the rule engine.
  {
    id: "HSTS rule turned into a Delete of the header",
    type: E.cdnRule,
    set: { "actions.0.parameters.headerAction": "Delete" },
    policy: "front-door-rule-actions",
    control: "TLS-1",
  },
  {
    id: "HSTS max-age set to 0 (browsers forget HSTS)",
    type: E.cdnRule,
    set: { "actions.0.parameters.value": "max-age=0" },
    policy: "front-door-rule-actions",
    control: "TLS-1",
  },
  {
    id: "HSTS rule removed",
    type: E.cdnRule,
    remove: true,
    policy: "front-door-route-hsts",
    control: "TLS-1",
  },
  {
    id: "HSTS rule made conditional (only some requests get it)",
    type: E.cdnRule,
    set: {
      conditions: [
        {
          name: "RequestScheme",
          parameters: {
            typeName: "DeliveryRuleRequestSchemeConditionParameters",
            operator: "Equal",
            matchValues: ["HTTPS"],
          },
        },
      ],
    },
    policy: "front-door-route-hsts",
    control: "TLS-1",
  },
  {
    id: "route no longer runs the security headers rule set",
    type: E.route,
    set: { ruleSets: [] },
    policy: "front-door-route-hsts",
    control: "TLS-1",
  },
  {
    id: "a rule redirecting to HTTP",
    type: E.cdnRule,
    set: {
      "push:actions": {
        name: "UrlRedirect",
        parameters: {
          typeName: "DeliveryRuleUrlRedirectActionParameters",
          redirectType: "Found",
          destinationProtocol: "Http",
        },
      },
    },
    policy: "front-door-rule-actions",
    control: "TLS-1",
  },
  {
    id: "a rule overriding the route to forward over HTTP",
    type: E.cdnRule,
    set: {
      "push:actions": {
        name: "RouteConfigurationOverride",
        parameters: {
          typeName: "DeliveryRuleRouteConfigurationOverrideActionParameters",
          originGroupOverride: { originGroup: { id: "og" }, forwardingProtocol: "HttpOnly" },
        },
      },
    },
    policy: "front-door-rule-actions",
    control: "TLS-1",
  },
  {
    id: "a rule sending traffic to an origin group outside the stack",
    type: E.cdnRule,
    set: {
      "push:actions": (c: Context) => ({
        name: "RouteConfigurationOverride",
        parameters: {
          typeName: "DeliveryRuleRouteConfigurationOverrideActionParameters",
          originGroupOverride: { originGroup: { id: FOREIGN_GROUP(c) }, forwardingProtocol: "HttpsOnly" },
        },
      }),
    },
    policy: "front-door-rule-origin-groups",
    control: "EDGE-1",
  },
  // unknown10: in a preview, a rule order not known yet made front-door-route-hsts "can't run
  // during preview" (advisory) for every route; now a Stop rule of unknown order may come first.
  {
    id: "a Stop rule whose order is computed at deploy time, added to the security headers rule set (preview)",
    add: {
      type: E.cdnRule,
      name: "rule-stop-computed",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        profileName: c.nameOf(E.profile),
        ruleSetName: c.nameOf(E.ruleSet),
        ruleName: "StopFirst",
        order: UNKNOWN_SENTINEL,
        conditions: [],
        actions: [],
        matchProcessingBehavior: "Stop",
      }),
    },
    policy: "front-door-route-hsts",
    control: "TLS-1",
  },
  // residual10: the same for a route's rule set not known yet (the route still depends on the
  // security headers rule set).
  {
    id: "route running a rule set computed at deploy time from something else than a rule set (preview)",
    type: E.route,
    set: { ruleSets: [{ id: UNKNOWN_SENTINEL }] },
    computedFrom: { ruleSets: "azure-native:resources:ResourceGroup" },
    policy: "front-door-route-hsts",
    control: "TLS-1",
  },
  {
    id: "origin group health probes over HTTP",
    type: E.group,
    set: { "healthProbeSettings.probeProtocol": "Http" },
    policy: "front-door-origin-group-https-probe",
    control: "TLS-1",
  },
  // Private Link: approving a foreign private endpoint on the environment.
  {
    id: "a hand-written approval of another private endpoint on the environment",
    add: {
      type: E.approval,
      name: "foreign-approval",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        environmentName: c.nameOf(E.env),
        privateEndpointConnectionName: "attacker-pe.0123",
        privateLinkServiceConnectionState: {
          status: "Approved",
          description: "Approved by the platform stack for its Front Door profile (EDGE-1)",
        },
      }),
    },
    policy: "front-door-private-link-approval",
    control: "EDGE-1",
  },
  {
    id: "the stack's approval with another text (not Front Door's)",
    type: E.approval,
    set: { "privateLinkServiceConnectionState.description": "approved" },
    policy: "front-door-private-link-approval",
    control: "NET-2",
  },
  // Blinding the SIEM (prod requires it; dev may run without).
  {
    id: "Sentinel onboarding removed",
    stacks: ["prod"],
    type: E.onboarding,
    remove: true,
    policy: "sentinel-onboarded",
    control: "SIEM-1",
  },
  {
    id: "Activity log connector removed",
    stacks: ["prod"],
    type: E.activity,
    remove: true,
    policy: "sentinel-onboarded",
    control: "SIEM-1",
  },
  {
    id: "analytics rule switched off",
    type: E.rule,
    set: { enabled: false },
    policy: "sentinel-rule-quality",
    control: "SIEM-1",
  },
  {
    id: "analytics rule no longer creates incidents",
    type: E.rule,
    set: { "incidentConfiguration.createIncident": false },
    policy: "sentinel-rule-quality",
    control: "SIEM-1",
  },
  // review13: a query over every table, or an open set of them. `union T, *` is a union over every
  // table as `union *` is (Sentinel refuses it at creation); `find` without `in (...)` and a table
  // wildcard read whatever the workspace holds when the rule runs. Before, the pack read only
  // whether the query was empty.
  ...(
    [
      ["a `*` next to its table in a union", "AzureActivity | union SigninLogs, *"],
      ["`find` over every table", 'find where Caller == "attacker@example.com"'],
      ["a table wildcard in a union", "union isfuzzy=true AzureActivity, *_CL | take 1"],
    ] as const
  ).map(([what, query]): Mutation => ({
    id: `analytics rule query with ${what}`,
    type: E.rule,
    set: { query },
    policy: "sentinel-rule-quality",
    control: "SIEM-1",
  })),
  {
    id: "incident alert routed to an action group outside the stack",
    stacks: ["prod"],
    type: E.incidentAlert,
    set: {
      "actions.actionGroups": (c: Context) => [
        `/subscriptions/${c.subscription}/resourceGroups/elsewhere/providers/Microsoft.Insights/actionGroups/sink`,
      ],
    },
    policy: "sentinel-incidents-routed",
    control: "SIEM-1",
  },
  // residual10: in a preview, an action group not known yet matched through ANY dependency of
  // the rule; a foreign ID computed in an apply (here from the resource group) passed because
  // the rule still depends on the stack's security action group.
  {
    id: "incident alert routed to an action group computed at deploy time from something else than an action group (preview)",
    stacks: ["prod"],
    type: E.incidentAlert,
    set: { "actions.actionGroups": [UNKNOWN_SENTINEL] },
    computedFrom: { actions: "azure-native:resources:ResourceGroup" },
    policy: "sentinel-incidents-routed",
    control: "SIEM-1",
  },
  // unknown11: in a preview, a value not known yet matched through ANY dependency of the resource:
  // a `dependsOn` on the right resource next to a value computed from something else passed the
  // preview, and stack policies see the real value at `up` only after every step has run.
  {
    id: "Sentinel onboarded on a workspace name computed at deploy time from something else (preview, dependsOn kept)",
    stacks: ["prod"],
    type: E.onboarding,
    ...computedElsewhere("workspaceName"),
    policy: "sentinel-onboarded",
    control: "SIEM-1",
  },
  {
    id: "analytics rules created in a workspace whose name is computed at deploy time from something else (preview, dependsOn kept)",
    stacks: ["prod"],
    type: E.rule,
    ...computedElsewhere("workspaceName"),
    policy: "sentinel-onboarded",
    control: "SIEM-1",
  },
  {
    id: "Activity log sent to a workspace computed at deploy time from something else (preview, dependsOn kept)",
    stacks: ["prod"],
    type: E.activity,
    ...computedElsewhere("workspaceId"),
    policy: "sentinel-onboarded",
    control: "SIEM-1",
  },
  {
    id: "HSTS rule put in a rule set whose name is computed at deploy time from something else (preview, dependsOn kept)",
    type: E.cdnRule,
    ...computedElsewhere("ruleSetName"),
    policy: "front-door-route-hsts",
    control: "TLS-1",
  },
  {
    id: "security policy bound to a WAF computed at deploy time from something else (preview, dependsOn kept)",
    type: E.binding,
    ...computedElsewhere("parameters", { "parameters.wafPolicy.id": UNKNOWN_SENTINEL }),
    policy: "front-door-waf-coverage",
    control: "EDGE-1",
  },
  {
    id: "Front Door diagnostic setting on a resource computed at deploy time from something else (preview, dependsOn kept)",
    type: E.diag,
    where: onProfile,
    ...computedElsewhere("resourceUri"),
    policy: "front-door-diagnostics",
    control: "LOG-1",
  },
  {
    id: "incident alert removed",
    stacks: ["prod"],
    type: E.incidentAlert,
    remove: true,
    policy: "sentinel-incidents-routed",
    control: "SIEM-1",
  },
];

export const SECURE_VARIATIONS: Variation[] = [
  // review13: a function parameter named `search` is not the `search` operator.
  {
    id: "analytics rule query with a function parameter named `search`",
    type: E.rule,
    set: {
      query:
        'let byOperation = (search: string) { AzureActivity | where OperationName == search };\nbyOperation("Delete")',
    },
  },
  {
    id: "WAF with a stricter rate limit",
    type: E.waf,
    set: { "customRules.rules.0.rateLimitThreshold": 100 },
  },
  {
    id: "route served over HTTPS only (no HTTP listener at all)",
    type: E.route,
    set: { supportedProtocols: ["Https"] },
  },
  {
    id: "HSTS with preload and a longer max-age",
    type: E.cdnRule,
    set: { "actions.0.parameters.value": "max-age=126144000; includeSubDomains; preload" },
  },
  {
    id: "a rule redirecting to HTTPS on another path",
    type: E.cdnRule,
    set: {
      "push:actions": {
        name: "UrlRedirect",
        parameters: {
          typeName: "DeliveryRuleUrlRedirectActionParameters",
          redirectType: "PermanentRedirect",
          destinationProtocol: "Https",
          customPath: "/new",
        },
      },
    },
  },
  {
    id: "a rule overriding the origin group with the stack's own, over HTTPS",
    type: E.cdnRule,
    set: {
      "push:actions": (c: Context) => ({
        name: "RouteConfigurationOverride",
        parameters: {
          typeName: "DeliveryRuleRouteConfigurationOverrideActionParameters",
          originGroupOverride: { originGroup: { id: c.idOf(E.group) }, forwardingProtocol: "HttpsOnly" },
        },
      }),
    },
  },
  // residual10: the first preview of the components' own wiring, a value not known yet computed
  // from the resource the policy looks for, stays accepted.
  {
    id: "route's rule set not known yet, computed from the stack's rule set (preview)",
    type: E.route,
    set: { ruleSets: [{ id: UNKNOWN_SENTINEL }] },
    computedFrom: { ruleSets: E.ruleSet },
  },
  {
    id: "incident alert's action group not known yet, computed from the stack's action group (preview)",
    stacks: ["prod"],
    type: E.incidentAlert,
    set: { "actions.actionGroups": [UNKNOWN_SENTINEL] },
    computedFrom: { actions: "azure-native:monitor:ActionGroup" },
  },
  {
    id: "route with the default domain unlinked",
    type: E.route,
    set: { linkToDefaultDomain: "Disabled" },
  },
  {
    id: "dev without Sentinel (a cost item the dev preset relaxes)",
    stacks: ["dev"],
    type: E.onboarding,
    remove: true,
  },
];
