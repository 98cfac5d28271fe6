/**
 * Bypass cases: the edge and the SIEM (EDGE-1, NET-2, TLS-1, LOG-1, SIEM-1). What someone would
 * try to get traffic past the WAF, reach an app without Front Door, weaken TLS at the edge, or
 * blind the security team: each must be refused by the named policy on the real plans.
 */
import { DELETE, type Context, type Mutation, type Variation } from "../mutationCatalog";

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
} as const;

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
];

export const SECURE_VARIATIONS: Variation[] = [
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
    id: "dev without Sentinel (a cost item the dev preset relaxes)",
    stacks: ["dev"],
    type: E.onboarding,
    remove: true,
  },
];
