/**
 * The edge (EDGE-1, NET-2, TLS-1, LOG-1): Front Door Premium with a WAF in Prevention mode in
 * front of every public frontend, origins over Private Link only, HTTPS only with the strongest
 * TLS policy, and a Container Apps environment the Internet cannot reach directly.
 */
import type { AzureType } from "../lib/azureTypes";
import { resourcePolicy, stackPolicy, type StackResource } from "../lib/define";
import { arr, bool, eqi, get, hasText, known, NOT_KNOWN, num, peek, peekArr, show } from "../lib/props";
import {
  diagnosticTargetOf,
  isParentOf,
  label,
  parentKeysOf,
  type ParentKey,
  parentRefOf,
  ReferenceIndex,
} from "../lib/relations";
import { componentTypes } from "../../controls/componentTypes";

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
    "Front Door routes serve HTTPS, redirect HTTP to HTTPS and call origins over HTTPS only; a route with custom domains does not also serve the *.azurefd.net host, which cannot carry a TLS policy (TLS-1, EDGE-1).",
  controls: ["TLS-1", "EDGE-1"],
  severity: "high",
  remediation:
    "Set supportedProtocols [Http, Https] (or [Https]), httpsRedirect: Enabled, forwardingProtocol: HttpsOnly, and linkToDefaultDomain: Disabled when customDomains is set.",
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
    // A TLS policy exists only on custom domains: the *.azurefd.net host runs Front Door's defaults.
    // Azure's default linkToDefaultDomain is Disabled.
    if (arr(props, "customDomains").length > 0 && eqi(get(props, "linkToDefaultDomain"), "Enabled"))
      report(
        "linkToDefaultDomain is Enabled on a route with custom domains; the *.azurefd.net host would serve the app without the custom domain's TLS policy",
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

/** HSTS's header name and the max-age a rule must keep (one year; the platform sends two). */
const HSTS = "Strict-Transport-Security";
const hstsMaxAge = (value: unknown): number | undefined => {
  const m = typeof value === "string" ? /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?/i.exec(value) : null;
  return m ? Number(m[1]) : undefined;
};
/** Rule actions the edge may use; anything else (legacy CDN actions, URL signing) is refused. */
const RULE_ACTIONS = [
  "ModifyResponseHeader",
  "ModifyRequestHeader",
  "UrlRedirect",
  "UrlRewrite",
  "RouteConfigurationOverride",
  "CacheExpiration",
  "CacheKeyQueryString",
] as const;
const hstsParam = {
  minHstsMaxAgeSeconds: {
    description: "Smallest Strict-Transport-Security max-age (seconds) a rule may send.",
    default: 31_536_000,
    schema: { minimum: 1 },
  },
};

export const ruleActionsSecure = resourcePolicy({
  name: "front-door-rule-actions",
  description:
    "Front Door rules cannot undo the route's HTTPS guarantees: a redirect goes to HTTPS, a route override forwards over HttpsOnly, and no rule deletes or weakens the HSTS header; only the rule-engine actions the edge knows are allowed (TLS-1, EDGE-1).",
  controls: ["TLS-1", "EDGE-1"],
  severity: "high",
  remediation:
    "UrlRedirect: destinationProtocol Https. RouteConfigurationOverride: originGroupOverride.forwardingProtocol HttpsOnly. Never Delete Strict-Transport-Security, and keep its max-age at least minHstsMaxAgeSeconds.",
  types: ["azure-native:cdn:Rule"],
  config: hstsParam,
  check: ({ props }, cfg, report) => {
    arr(props, "actions").forEach((action, i) => {
      const name = get(action, "name");
      const where = `actions[${i}] (${show(name)})`;
      if (!RULE_ACTIONS.some((a) => eqi(name, a))) {
        report(`${where} is not an action the edge allows (${RULE_ACTIONS.join(", ")})`);
        return;
      }
      const param = (...path: string[]) => get(action, "parameters", ...path);
      if (eqi(name, "UrlRedirect") && !eqi(param("destinationProtocol"), "Https"))
        report(
          `${where} redirects with destinationProtocol ${show(param("destinationProtocol"))} (Azure's default is MatchRequest); it must be Https`,
        );
      if (
        eqi(name, "RouteConfigurationOverride") &&
        get(action, "parameters", "originGroupOverride") !== undefined &&
        !eqi(param("originGroupOverride", "forwardingProtocol"), "HttpsOnly")
      )
        report(
          `${where} forwards with ${show(param("originGroupOverride", "forwardingProtocol"))}; an origin group override must forward HttpsOnly`,
        );
      if (eqi(name, "ModifyResponseHeader") && eqi(param("headerName"), HSTS)) {
        const maxAge = hstsMaxAge(param("value"));
        if (eqi(param("headerAction"), "Delete")) report(`${where} deletes ${HSTS}`);
        else if (maxAge === undefined || maxAge < cfg.minHstsMaxAgeSeconds)
          report(
            `${where} sets ${HSTS} to ${show(param("value"))}; max-age must be at least ${cfg.minHstsMaxAgeSeconds}`,
          );
      }
    });
  },
});

export const originGroupHttpsProbe = resourcePolicy({
  name: "front-door-origin-group-https-probe",
  description:
    "Front Door origin groups probe their origins over HTTPS, on the same private TLS path as traffic (TLS-1, EDGE-1).",
  controls: ["TLS-1", "EDGE-1"],
  severity: "medium",
  remediation:
    "Set healthProbeSettings { probeProtocol: Https, probePath: <readiness path>, probeRequestType: GET }.",
  types: ["azure-native:cdn:AFDOriginGroup"],
  config: {},
  check: ({ props }, _cfg, report) => {
    const protocol = get(props, "healthProbeSettings", "probeProtocol");
    if (!eqi(protocol, "Https"))
      report(`healthProbeSettings.probeProtocol is ${show(protocol)}; probes must use Https`);
  },
});

/** Origin group references a rule can make (route override, legacy override). */
function ruleOriginGroups(rule: StackResource): unknown[] {
  return arr(rule.props, "actions").flatMap((a) => {
    const groups = [
      peek(a, "parameters", "originGroupOverride", "originGroup", "id"),
      peek(a, "parameters", "originGroup", "id"),
    ];
    return groups.filter((g) => g !== undefined);
  });
}

export const ruleOriginGroupsInStack = stackPolicy({
  name: "front-door-rule-origin-groups",
  description:
    "A Front Door rule that overrides a route's origin group points at an origin group of the stack (whose origins the pack checks are private), never at one elsewhere (EDGE-1, NET-2).",
  controls: ["EDGE-1", "NET-2"],
  severity: "high",
  remediation:
    "Point originGroupOverride.originGroup.id at a cdn:AFDOriginGroup of this stack, or remove the override.",
  types: ["azure-native:cdn:Rule", "azure-native:cdn:AFDOriginGroup"],
  config: {},
  check: (stack, _cfg, report) => {
    const groups = stack.ofType("azure-native:cdn:AFDOriginGroup");
    const rules = stack.ofType("azure-native:cdn:Rule");
    const index = new ReferenceIndex(rules, ruleOriginGroups, "actions");
    const resolved = new Set(groups.flatMap((g) => index.referrers(g)));
    for (const rule of rules) {
      const refs = known(() => ruleOriginGroups(rule));
      // Actions not known at all yet (preview, computed in an apply) may hold an override: they
      // pass only when computed from an origin group of the stack (the index's "actions"
      // propertyDependencies). Before, they were skipped, and `up` (whose stack policies run after
      // every step) sent the route's traffic wherever the computed override pointed.
      if (refs === NOT_KNOWN && !resolved.has(rule))
        report(
          `${label(rule)}: actions are not known yet and do not come from an origin group of this stack (they may override the origin group)`,
          rule.urn,
        );
      else if (refs !== NOT_KNOWN && refs.length > 0 && !resolved.has(rule))
        report(`${label(rule)} overrides the origin group with one outside the stack`, rule.urn);
    }
  },
});

/**
 * Whether a rule sends a strong HSTS header on every response (no conditions). Peeked, never
 * read: a value not known yet (preview) cannot be verified and sends nothing (fail closed: the
 * FrontDoor component's Hsts rule is constant, known in any preview), and must not make
 * front-door-route-hsts skip every route of the stack.
 */
function sendsHsts(rule: StackResource, minMaxAge: number): boolean {
  return (
    peekArr(rule.props, "conditions").length === 0 &&
    peekArr(rule.props, "actions").some(
      (a) =>
        eqi(peek(a, "name"), "ModifyResponseHeader") &&
        eqi(peek(a, "parameters", "headerName"), HSTS) &&
        ["Overwrite", "Append"].some((h) => eqi(peek(a, "parameters", "headerAction"), h)) &&
        (hstsMaxAge(peek(a, "parameters", "value")) ?? 0) >= minMaxAge,
    )
  );
}

export const routeHsts = stackPolicy({
  name: "front-door-route-hsts",
  description:
    "Every Front Door route runs a rule set of the stack whose unconditional rule sends Strict-Transport-Security, with no earlier rule of that set stopping evaluation (TLS-1, EDGE-1).",
  controls: ["TLS-1", "EDGE-1"],
  severity: "high",
  remediation:
    "Attach the FrontDoor component's SecurityHeaders rule set (ruleSets: [{ id }]) to the route and keep its Hsts rule (order 1, no conditions, ModifyResponseHeader Overwrite).",
  types: ["azure-native:cdn:Route", "azure-native:cdn:RuleSet", "azure-native:cdn:Rule"],
  config: hstsParam,
  check: (stack, cfg, report) => {
    const rules = stack.ofType("azure-native:cdn:Rule");
    // A rule belongs to the rule set whose ID its own ID is below, else to the set its ruleSetName
    // was computed from, else to the one set of the stack with that name (`isParentOf`: two
    // profiles may each hold a set of the same name). Each rule's set and order, read once rather
    // than once per rule set and per pair (`order` on first use: `num` throws on an unknown value,
    // where it always did). A name not known yet (preview): only through what the rule's
    // ruleSetName was computed from, not a `dependsOn` on the set next to a name computed elsewhere.
    const ruleRefs = rules.map((r) => parentRefOf(r, "ruleSetName"));
    const ofSet = (set: ParentKey) => rules.filter((r, i) => isParentOf(set, r, ruleRefs[i], "ruleSetName"));
    // An order not known yet (preview) may come first, and a behaviour not known yet may stop:
    // either way the rule may stop evaluation before the HSTS rule (fail closed, never thrown,
    // which skipped every route of the stack; the component's orders and behaviours are constant).
    const orders = new Map<StackResource, number | typeof NOT_KNOWN>();
    const order = (r: StackResource): number | typeof NOT_KNOWN => {
      let o = orders.get(r);
      if (o === undefined)
        orders.set(r, (o = peek(r.props, "order") === NOT_KNOWN ? NOT_KNOWN : (num(r.props, "order") ?? 0)));
      return o;
    };
    const mayStopBefore = (o: StackResource, h: StackResource) => {
      const a = order(o);
      const b = order(h);
      const behaviour = peek(o.props, "matchProcessingBehavior");
      return (
        (a === NOT_KNOWN || b === NOT_KNOWN || a < b) && (behaviour === NOT_KNOWN || eqi(behaviour, "Stop"))
      );
    };
    const hstsSets = parentKeysOf(stack.ofType("azure-native:cdn:RuleSet"), "ruleSetName").flatMap((set) => {
      const members = ofSet(set);
      return members.some(
        (h) => sendsHsts(h, cfg.minHstsMaxAgeSeconds) && !members.some((o) => o !== h && mayStopBefore(o, h)),
      )
        ? [set.resource]
        : [];
    });
    // A rule set not known yet (preview) counts only through what the route's `ruleSets` was
    // computed from (its propertyDependencies), not any dependency of the route.
    const byRuleSet = new ReferenceIndex(
      stack.ofType("azure-native:cdn:Route"),
      (r) => arr(r.props, "ruleSets").map((x) => peek(x, "id")),
      "ruleSets",
    );
    const covered = new Set(hstsSets.flatMap((set) => byRuleSet.referrers(set)));
    for (const route of stack.ofType("azure-native:cdn:Route")) {
      if (!covered.has(route))
        report(
          `${label(route)} runs no rule set of the stack that sends ${HSTS} on every response`,
          route.urn,
        );
    }
  },
});

/**
 * The FrontDoor component's types: its approvals are children of it. The legacy token too, for
 * programs still on a components release from before the `index` tokens.
 */
const FRONT_DOOR_COMPONENT: readonly string[] = componentTypes("FrontDoor");

export const privateLinkApproval = stackPolicy({
  name: "front-door-private-link-approval",
  description:
    "A private endpoint connection approved on a Container Apps environment is Front Door's: approved by the stack's FrontDoor component with its approval text, on an environment a Front Door origin of the stack requests with the stack's request message; never a foreign private endpoint (EDGE-1, NET-2).",
  controls: ["EDGE-1", "NET-2"],
  severity: "critical",
  remediation:
    "Approve environment connections only through the FrontDoor component (it approves the connections carrying its request message); reject any other private endpoint connection.",
  types: [
    "azure-native:app:ManagedEnvironmentPrivateEndpointConnection",
    "azure-native:cdn:AFDOrigin",
    "azure-native:app:ManagedEnvironment",
  ],
  config: {
    approvalDescription: {
      description: "The description the FrontDoor component writes on the connections it approves.",
      default: "Approved by the platform stack for its Front Door profile (EDGE-1)",
    },
    requestMessage: {
      description:
        "How the request message of the stack's Front Door origins starts (the profile's Front Door ID follows).",
      default: "Front Door (EDGE-1) private origin request",
    },
  },
  check: (stack, cfg, report) => {
    // Environments the stack's own origins ask for, as `<resource group>/<environment>`.
    const requested = new Set<string>();
    let unknownTarget = false;
    for (const origin of stack.ofType("azure-native:cdn:AFDOrigin")) {
      // The component's message is the prefix followed by the profile's Front Door ID.
      const message = peek(origin.props, "sharedPrivateLinkResource", "requestMessage");
      if (typeof message === "string" && !message.startsWith(cfg.requestMessage)) continue;
      const target = peek(origin.props, "sharedPrivateLinkResource", "privateLink", "id");
      const environment = environmentKeyOf(target, false);
      if (environment) requested.add(environment);
      else unknownTarget = true;
    }
    for (const c of stack.ofType("azure-native:app:ManagedEnvironmentPrivateEndpointConnection")) {
      const status = peek(c.props, "privateLinkServiceConnectionState", "status");
      if (typeof status === "string" && !eqi(status, "Approved")) continue;
      if (peek(c.props, "privateLinkServiceConnectionState", "description") !== cfg.approvalDescription)
        report(
          `${label(c)} approves a connection without the stack's approval text: only Front Door's connections may be approved`,
          c.urn,
        );
      if (!FRONT_DOOR_COMPONENT.includes(c.parent?.type ?? ""))
        report(`${label(c)} is not approved by the stack's FrontDoor component`, c.urn);
      // Inputs (a preview) name the environment; azure-native's outputs (`up`, and a preview once
      // the connection exists) carry no path parameters, only the ID (@pulumi/azure-native
      // app/managedEnvironmentPrivateEndpointConnection.js lists the outputs without them).
      const [rg, env] = [peek(c.props, "resourceGroupName"), peek(c.props, "environmentName")];
      const environment =
        typeof rg === "string" && typeof env === "string"
          ? `${rg}/${env}`.toLowerCase()
          : environmentKeyOf(peek(c.props, "id"), true);
      if (environment === undefined || unknownTarget) continue;
      if (!requested.has(environment))
        report(
          `${label(c)} approves a connection on environment ${environment}, which no Front Door origin of the stack requests`,
          c.urn,
        );
    }
  },
});

/** A Container Apps environment's ARM ID, or one of its private endpoint connections' (group 3). */
const ENVIRONMENT_ID =
  /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.App\/managedEnvironments\/([^/]+)(\/privateEndpointConnections\/[^/]+)?$/i;

/**
 * `<resource group>/<environment>` (lowercase) of the ARM ID of a Container Apps environment
 * (`connection` false) or of one of its private endpoint connections (true), else undefined.
 */
function environmentKeyOf(id: unknown, connection: boolean): string | undefined {
  const m = typeof id === "string" ? ENVIRONMENT_ID.exec(id) : null;
  return m && (m[3] !== undefined) === connection ? `${m[1]}/${m[2]}`.toLowerCase() : undefined;
}

/** A WAF policy as the stack shows it, with whether it protects (Prevention, enabled). */
/** A WAF policy that blocks; one whose settings are not known yet (preview) does not count. */
function protects(waf: StackResource): boolean {
  return (
    eqi(peek(waf.props, "policySettings", "mode"), "Prevention") &&
    eqi(peek(waf.props, "policySettings", "enabledState"), "Enabled")
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
      // External ingress not known yet (preview) may be external: peeked, never read, so one app
      // computed at deploy time cannot make the policy skip every other app and endpoint.
      .filter((a) => {
        const external = peek(a.props, "configuration", "ingress", "external");
        return external === NOT_KNOWN || bool(a.props, "configuration", "ingress", "external") === true;
      });
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
    const byWaf = new ReferenceIndex(
      policies,
      (p) => [peek(p.props, "parameters", "wafPolicy", "id")],
      "parameters",
    );
    const good = new Set(wafs.filter(protects).flatMap((w) => byWaf.referrers(w)));
    const boundDomains = new ReferenceIndex(
      [...good],
      (p) =>
        arr(p.props, "parameters", "associations").flatMap((a) =>
          arr(a, "domains").map((d) => peek(d, "id")),
        ),
      "parameters",
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
    const index = new ReferenceIndex(settings, (s) => [diagnosticTargetOf(s)], "resourceUri");
    for (const profile of stack.ofType("azure-native:cdn:Profile")) {
      const covered = index.referrers(profile).some((s) => {
        // Peeked, never read: logs not known yet (preview) cannot be verified and send nothing
        // (fail closed: the diagnostics component's categories are constant, known in any
        // preview), and must not make the policy skip every profile of the stack.
        const logs = peekArr(s.props, "logs").filter(
          (l) => peek(l, "enabled") !== NOT_KNOWN && bool(l, "enabled") === true,
        );
        if (logs.some((l) => eqi(peek(l, "categoryGroup"), "allLogs"))) return true;
        return cfg.requiredCategories.every((c) => logs.some((l) => eqi(peek(l, "category"), c)));
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
  ruleActionsSecure,
  originGroupHttpsProbe,
  ruleOriginGroupsInStack,
  routeHsts,
  privateLinkApproval,
  edgeWafCoverage,
  frontDoorDiagnostics,
] as const;
