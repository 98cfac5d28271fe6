/**
 * The edge (EDGE-1, NET-2, TLS-1, LOG-1): Front Door Premium with a WAF in Prevention mode in
 * front of every public frontend, origins over Private Link only, HTTPS only with the strongest
 * TLS policy, and a Container Apps environment the Internet cannot reach directly.
 */
import type { AzureType } from "../lib/azureTypes";
import { resourcePolicy, stackPolicy, type StackResource } from "../lib/define";
import { arr, bool, eqi, get, hasText, num, peek, show } from "../lib/props";
import { label, ReferenceIndex } from "../lib/relations";

const WAF = ["azure-native:frontdoor:Policy"] as const satisfies readonly AzureType[];
const PREMIUM = "Premium_AzureFrontDoor";

export const frontDoorPremium = resourcePolicy({
  name: "front-door-premium",
  description:
    "Front Door profiles are Premium: only Premium reaches origins over Private Link and runs Microsoft's managed WAF rule sets (EDGE-1).",
  controls: ["EDGE-1"],
  severity: "high",
  remediation: `Set sku.name: ${PREMIUM}.`,
  types: ["azure-native:cdn:Profile"],
  config: {},
  check: ({ props }, _cfg, report) => {
    if (!eqi(get(props, "sku", "name"), PREMIUM))
      report(`sku.name is ${show(get(props, "sku", "name"))}; it must be ${PREMIUM}`);
  },
});

export const wafPrevention = resourcePolicy({
  name: "front-door-waf-prevention",
  description:
    "Front Door WAF policies are enabled, in Prevention mode (they block, not only log), inspect request bodies and are Premium (EDGE-1).",
  controls: ["EDGE-1"],
  severity: "critical",
  remediation:
    "Set policySettings { enabledState: Enabled, mode: Prevention, requestBodyCheck: Enabled } and sku.name Premium_AzureFrontDoor.",
  types: WAF,
  config: {},
  check: ({ props }, _cfg, report) => {
    const settings = (key: string) => get(props, "policySettings", key);
    if (!eqi(settings("enabledState"), "Enabled"))
      report(`policySettings.enabledState is ${show(settings("enabledState"))}; it must be Enabled`);
    if (!eqi(settings("mode"), "Prevention"))
      report(`policySettings.mode is ${show(settings("mode"))}; it must be Prevention (Detection only logs)`);
    // Azure's default is Enabled; only an explicit Disabled turns body inspection off.
    if (eqi(settings("requestBodyCheck"), "Disabled"))
      report("policySettings.requestBodyCheck is Disabled; request bodies must be inspected");
    if (!eqi(get(props, "sku", "name"), PREMIUM))
      report(`sku.name is ${show(get(props, "sku", "name"))}; managed rule sets need ${PREMIUM}`);
  },
});

/** `Microsoft_DefaultRuleSet` 2.1 -> [2, 1]; unparsable versions compare as 0. */
function version(v: unknown): number[] {
  return (typeof v === "string" || typeof v === "number" ? String(v) : "")
    .split(".")
    .map((p) => Number(p) || 0);
}
function atLeast(v: unknown, min: string): boolean {
  const [a, b] = [version(v), version(min)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

export const wafManagedRules = resourcePolicy({
  name: "front-door-waf-managed-rules",
  description:
    "Front Door WAF policies run Microsoft's default rule set (2.1 or later) and the bot manager rule set, blocking; no rule or group is disabled or turned to Log, and no custom rule allows traffic past them (EDGE-1).",
  controls: ["EDGE-1"],
  severity: "high",
  remediation:
    "Add managedRules.managedRuleSets Microsoft_DefaultRuleSet 2.1 (ruleSetAction Block) and Microsoft_BotManagerRuleSet; remove overrides that disable rules or set action Log; use Block or Log custom rules, never Allow.",
  types: WAF,
  config: {
    minDefaultRuleSetVersion: {
      description: "Oldest accepted Microsoft_DefaultRuleSet version.",
      default: "2.1",
    },
    requireBotManager: {
      description: "Require Microsoft_BotManagerRuleSet.",
      default: true,
    },
  },
  check: ({ props }, cfg, report) => {
    const sets = arr(props, "managedRules", "managedRuleSets");
    const drs = sets.find((s) => eqi(get(s, "ruleSetType"), "Microsoft_DefaultRuleSet"));
    if (!drs) report("managedRules has no Microsoft_DefaultRuleSet");
    else {
      if (!atLeast(get(drs, "ruleSetVersion"), cfg.minDefaultRuleSetVersion))
        report(
          `Microsoft_DefaultRuleSet ${show(get(drs, "ruleSetVersion"))} is older than ${cfg.minDefaultRuleSetVersion}`,
        );
      const action = get(drs, "ruleSetAction");
      if (action !== undefined && !eqi(action, "Block"))
        report(`Microsoft_DefaultRuleSet ruleSetAction is ${show(action)}; it must be Block`);
    }
    if (cfg.requireBotManager && !sets.some((s) => eqi(get(s, "ruleSetType"), "Microsoft_BotManagerRuleSet")))
      report("managedRules has no Microsoft_BotManagerRuleSet");
    for (const set of sets) {
      for (const group of arr(set, "ruleGroupOverrides")) {
        for (const rule of arr(group, "rules")) {
          const where = `${show(get(set, "ruleSetType"))} rule ${show(get(rule, "ruleId"))} (${show(get(group, "ruleGroupName"))})`;
          if (eqi(get(rule, "enabledState"), "Disabled")) report(`${where} is disabled`);
          if (eqi(get(rule, "action"), "Log") || eqi(get(rule, "action"), "Allow"))
            report(`${where} is overridden to ${show(get(rule, "action"))}`);
        }
      }
    }
    for (const rule of arr(props, "customRules", "rules")) {
      if (eqi(get(rule, "action"), "Allow") && !eqi(get(rule, "enabledState"), "Disabled"))
        report(`custom rule ${show(get(rule, "name"))} allows traffic past the managed rule sets`);
    }
  },
});

export const wafRateLimit = resourcePolicy({
  name: "front-door-waf-rate-limit",
  description:
    "Front Door WAF policies block clients above a request rate, counted per client IP (EDGE-1). The ceiling is a pack setting: dev may run a looser one.",
  controls: ["EDGE-1"],
  severity: "medium",
  remediation:
    "Add an enabled customRules rule { ruleType: RateLimitRule, action: Block, groupBy: [{ variableName: SocketAddr }], rateLimitThreshold <= maxRequestsPerMinute per minute }.",
  types: WAF,
  config: {
    maxRequestsPerMinute: {
      description: "Highest accepted threshold per client IP and minute.",
      default: 2000,
      schema: { minimum: 10 },
    },
  },
  check: ({ props }, cfg, report) => {
    const rules = arr(props, "customRules", "rules").filter(
      (r) =>
        eqi(get(r, "ruleType"), "RateLimitRule") &&
        !eqi(get(r, "enabledState"), "Disabled") &&
        eqi(get(r, "action"), "Block"),
    );
    const perClient = rules.filter((r) =>
      arr(r, "groupBy").some((g) => ["SocketAddr", "RemoteAddr"].some((v) => eqi(get(g, "variableName"), v))),
    );
    if (perClient.length === 0) {
      report("no enabled blocking RateLimitRule grouped by client IP (groupBy SocketAddr)");
      return;
    }
    const perMinute = perClient.map(
      (r) =>
        (num(r, "rateLimitThreshold") ?? Infinity) / Math.max(1, num(r, "rateLimitDurationInMinutes") ?? 1),
    );
    if (Math.min(...perMinute) > cfg.maxRequestsPerMinute)
      report(
        `the per-client rate limit is ${Math.min(...perMinute)} requests a minute; at most ${cfg.maxRequestsPerMinute}`,
      );
  },
});

export const customDomainTls = resourcePolicy({
  name: "front-door-custom-domain-tls",
  description:
    "Front Door custom domains use HTTPS with the strongest TLS policy: the predefined TLS12_2023 (TLS 1.3 preferred, 1.2 minimum, ECDHE-GCM only) or a custom policy with a TLS 1.3 minimum (TLS-1, EDGE-1).",
  controls: ["TLS-1", "EDGE-1"],
  severity: "high",
  remediation:
    "Set tlsSettings { certificateType: ManagedCertificate (or CustomerCertificate), cipherSuiteSetType: TLS12_2023 } (or Customized with minimumTlsVersion TLS13).",
  types: ["azure-native:cdn:AFDCustomDomain"],
  config: {
    allowedCipherSuiteSets: {
      description: "Accepted predefined TLS policies (cipherSuiteSetType).",
      default: ["TLS12_2023"] as readonly string[],
    },
  },
  check: ({ props }, cfg, report) => {
    if (!hasText(props, "tlsSettings", "certificateType")) report("tlsSettings.certificateType is not set");
    const set = get(props, "tlsSettings", "cipherSuiteSetType");
    const min = get(props, "tlsSettings", "minimumTlsVersion");
    if (eqi(set, "Customized")) {
      if (!eqi(min, "TLS13"))
        report(`a Customized TLS policy needs minimumTlsVersion TLS13; it is ${show(min)}`);
    } else if (!cfg.allowedCipherSuiteSets.some((a) => eqi(set, a))) {
      report(
        `tlsSettings.cipherSuiteSetType is ${show(set)}; allowed: ${cfg.allowedCipherSuiteSets.join(", ")} or Customized with TLS13`,
      );
    }
  },
});

export const routeHttpsOnly = resourcePolicy({
  name: "front-door-route-https-only",
  description:
    "Front Door routes serve HTTPS, redirect HTTP to HTTPS and call origins over HTTPS only (TLS-1, EDGE-1).",
  controls: ["TLS-1", "EDGE-1"],
  severity: "high",
  remediation:
    "Set supportedProtocols [Http, Https] (or [Https]), httpsRedirect: Enabled, forwardingProtocol: HttpsOnly.",
  types: ["azure-native:cdn:Route"],
  config: {},
  check: ({ props }, _cfg, report) => {
    const protocols = arr(props, "supportedProtocols");
    if (!protocols.some((p) => eqi(p, "Https"))) report("supportedProtocols does not include Https");
    // Azure's default supportedProtocols is [Http, Https] and httpsRedirect Disabled.
    const servesHttp = protocols.length === 0 || protocols.some((p) => eqi(p, "Http"));
    if (servesHttp && !eqi(get(props, "httpsRedirect"), "Enabled"))
      report(`httpsRedirect is ${show(get(props, "httpsRedirect"))}; HTTP must redirect to HTTPS`);
    if (!eqi(get(props, "forwardingProtocol"), "HttpsOnly"))
      report(
        `forwardingProtocol is ${show(get(props, "forwardingProtocol"))}; origins are called over HttpsOnly`,
      );
  },
});

export const privateOrigins = resourcePolicy({
  name: "front-door-private-origins",
  description:
    "Front Door origins are reached over Private Link (sharedPrivateLinkResource), never over the Internet, and keep the certificate name check (EDGE-1, NET-2).",
  controls: ["EDGE-1", "NET-2"],
  severity: "critical",
  remediation:
    "Set sharedPrivateLinkResource { privateLink: { id: <environment id> }, groupId: managedEnvironments, privateLinkLocation, requestMessage } and enforceCertificateNameCheck: true.",
  types: ["azure-native:cdn:AFDOrigin"],
  config: {},
  check: ({ props }, _cfg, report) => {
    if (!hasText(props, "sharedPrivateLinkResource", "privateLink", "id"))
      report(
        "sharedPrivateLinkResource.privateLink.id is not set; the origin would be reached over the Internet",
      );
    if (!hasText(props, "sharedPrivateLinkResource", "groupId"))
      report("sharedPrivateLinkResource.groupId is not set");
    if (bool(props, "enforceCertificateNameCheck") === false)
      report("enforceCertificateNameCheck is false; the origin's certificate must match its host name");
  },
});

export const environmentNotPublic = resourcePolicy({
  name: "managed-environment-not-public",
  description:
    "Container Apps environments are internal with public network access disabled: no public IP, frontends only through the edge (NET-2, EDGE-1).",
  controls: ["NET-2", "EDGE-1"],
  severity: "critical",
  remediation:
    "Set vnetConfiguration.internal: true (fixed at creation) and publicNetworkAccess: Disabled; publish frontends through Front Door over Private Link.",
  types: ["azure-native:app:ManagedEnvironment"],
  config: {},
  check: ({ props }, _cfg, report) => {
    if (bool(props, "vnetConfiguration", "internal") !== true)
      report(
        `vnetConfiguration.internal is ${show(get(props, "vnetConfiguration", "internal"))}; the environment must be internal`,
      );
    if (!eqi(get(props, "publicNetworkAccess"), "Disabled"))
      report(`publicNetworkAccess is ${show(get(props, "publicNetworkAccess"))}; it must be Disabled`);
  },
});

/** A WAF policy as the stack shows it, with whether it protects (Prevention, enabled). */
function protects(waf: StackResource): boolean {
  return (
    eqi(get(waf.props, "policySettings", "mode"), "Prevention") &&
    eqi(get(waf.props, "policySettings", "enabledState"), "Enabled")
  );
}

export const edgeWafCoverage = stackPolicy({
  name: "front-door-waf-coverage",
  description:
    "No public frontend without a WAF: when any container app has external ingress the stack has a Front Door profile, and every Front Door endpoint and custom domain is bound by a security policy to a WAF policy of the stack in Prevention mode (EDGE-1).",
  controls: ["EDGE-1"],
  severity: "critical",
  remediation:
    "Serve frontends through the FrontDoor component, and bind every endpoint and custom domain with a cdn:SecurityPolicy whose wafPolicy.id is a Prevention-mode frontdoor:Policy.",
  types: [
    "azure-native:cdn:AFDEndpoint",
    "azure-native:cdn:AFDCustomDomain",
    "azure-native:cdn:SecurityPolicy",
    "azure-native:frontdoor:Policy",
    "azure-native:app:ContainerApp",
  ],
  config: {},
  check: (stack, _cfg, report) => {
    const frontends = stack
      .ofType("azure-native:app:ContainerApp")
      .filter((a) => bool(a.props, "configuration", "ingress", "external") === true);
    const profiles = stack.ofType("azure-native:cdn:Profile");
    if (frontends.length > 0 && profiles.length === 0)
      for (const app of frontends)
        report(
          `${label(app)} has external ingress but the stack has no Front Door profile (WAF edge)`,
          app.urn,
        );

    const wafs = stack.ofType(...WAF);
    const policies = stack.ofType("azure-native:cdn:SecurityPolicy");
    // Security policies whose wafPolicy points at a protecting WAF of this stack.
    const byWaf = new ReferenceIndex(policies, (p) => [peek(p.props, "parameters", "wafPolicy", "id")]);
    const good = new Set(wafs.filter(protects).flatMap((w) => byWaf.referrers(w)));
    const boundDomains = new ReferenceIndex([...good], (p) =>
      arr(p.props, "parameters", "associations").flatMap((a) => arr(a, "domains").map((d) => peek(d, "id"))),
    );
    for (const target of stack.ofType("azure-native:cdn:AFDEndpoint", "azure-native:cdn:AFDCustomDomain")) {
      if (boundDomains.referrers(target).length === 0)
        report(
          `${label(target)} is not bound to a Prevention-mode WAF policy by a security policy`,
          target.urn,
        );
    }
  },
});

export const frontDoorDiagnostics = stackPolicy({
  name: "front-door-diagnostics",
  description:
    "Every Front Door profile sends its access, health probe and WAF logs to a Log Analytics workspace (LOG-1, EDGE-1).",
  controls: ["LOG-1", "EDGE-1"],
  severity: "high",
  remediation:
    "Add a diagnostic setting on the profile (addDiagnostics 'frontDoorProfile') with FrontDoorAccessLog, FrontDoorHealthProbeLog and FrontDoorWebApplicationFirewallLog (or allLogs) and a workspaceId.",
  types: ["azure-native:cdn:Profile", "azure-native:monitor:DiagnosticSetting"],
  config: {
    requiredCategories: {
      description: "Log categories the profile's setting must enable (unless it enables allLogs).",
      default: [
        "FrontDoorAccessLog",
        "FrontDoorHealthProbeLog",
        "FrontDoorWebApplicationFirewallLog",
      ] as readonly string[],
    },
  },
  check: (stack, cfg, report) => {
    const settings = stack
      .ofType("azure-native:monitor:DiagnosticSetting")
      .filter((s) => hasText(s.props, "workspaceId"));
    const index = new ReferenceIndex(settings, (s) => [peek(s.props, "resourceUri")]);
    for (const profile of stack.ofType("azure-native:cdn:Profile")) {
      const covered = index.referrers(profile).some((s) => {
        const logs = arr(s.props, "logs").filter((l) => bool(l, "enabled") === true);
        if (logs.some((l) => eqi(get(l, "categoryGroup"), "allLogs"))) return true;
        return cfg.requiredCategories.every((c) => logs.some((l) => eqi(get(l, "category"), c)));
      });
      if (!covered)
        report(
          `${label(profile)} has no diagnostic setting sending ${cfg.requiredCategories.join(", ")} to a workspace`,
          profile.urn,
        );
    }
  },
});

export const edgePolicies = [
  frontDoorPremium,
  wafPrevention,
  wafManagedRules,
  wafRateLimit,
  customDomainTls,
  routeHttpsOnly,
  privateOrigins,
  environmentNotPublic,
  edgeWafCoverage,
  frontDoorDiagnostics,
] as const;
