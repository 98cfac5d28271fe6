/** The edge policies (EDGE-1, NET-2, TLS-1, LOG-1): Front Door Premium, WAF, TLS, Private Link origins. */
import * as e from "../../../policy/policies/edge";
import { runResourcePolicy, runStackPolicy, UNKNOWN } from "../../helpers/policyHarness";
import { deployedResource, describePolicy, randomString } from "./support";
import { asOutputs } from "./estate";
import { PRIVATE_LINK_APPROVAL_MESSAGE, PRIVATE_LINK_REQUEST_MESSAGE } from "../../../components/frontDoor";
import { HSTS_HEADER_VALUE } from "../../../components/frontDoorSpec";

const WAF = "azure-native:frontdoor:Policy";
const waf = {
  policyName: "wafsapprod",
  sku: { name: "Premium_AzureFrontDoor" },
  policySettings: { enabledState: "Enabled", mode: "Prevention", requestBodyCheck: "Enabled" },
  managedRules: {
    managedRuleSets: [
      { ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1", ruleSetAction: "Block" },
      { ruleSetType: "Microsoft_BotManagerRuleSet", ruleSetVersion: "1.1", ruleSetAction: "Block" },
    ],
  },
  customRules: {
    rules: [
      {
        name: "RateLimitPerClientIp",
        priority: 200,
        enabledState: "Enabled",
        ruleType: "RateLimitRule",
        action: "Block",
        rateLimitDurationInMinutes: 1,
        rateLimitThreshold: 1000,
        groupBy: [{ variableName: "SocketAddr" }],
        matchConditions: [{ matchVariable: "RequestUri", operator: "Any", matchValue: [] }],
      },
    ],
  },
};

describePolicy(e.frontDoorPremium, {
  type: "azure-native:cdn:Profile",
  compliant: { sku: { name: "Premium_AzureFrontDoor" } },
  violations: [["sku.name", "Standard_AzureFrontDoor", /Premium_AzureFrontDoor/]],
  unknown: "sku.name",
});

describePolicy(e.wafPrevention, {
  type: WAF,
  compliant: waf,
  violations: [
    ["policySettings.mode", "Detection", /Prevention/],
    ["policySettings.enabledState", "Disabled", /enabledState/],
    ["policySettings.requestBodyCheck", "Disabled", /request bodies/],
    ["sku.name", "Classic_AzureFrontDoor", /managed rule sets need/],
  ],
  passes: [["policySettings.requestBodyCheck", undefined]],
  unknown: "policySettings.mode",
});

describePolicy(e.wafManagedRules, {
  type: WAF,
  compliant: waf,
  violations: [
    ["managedRules.managedRuleSets", [waf.managedRules.managedRuleSets[1]], /no Microsoft_DefaultRuleSet/],
    ["managedRules.managedRuleSets.0.ruleSetVersion", "1.1", /older than 2.1/],
    ["managedRules.managedRuleSets.0.ruleSetAction", "Log", /must be Block/],
    ["managedRules.managedRuleSets", [waf.managedRules.managedRuleSets[0]], /BotManager/],
    [
      "managedRules.managedRuleSets.0.ruleGroupOverrides",
      [{ ruleGroupName: "SQLI", rules: [{ ruleId: "942100", enabledState: "Disabled" }] }],
      /942100.*disabled/,
    ],
    [
      "managedRules.managedRuleSets.0.ruleGroupOverrides",
      [{ ruleGroupName: "XSS", rules: [{ ruleId: "941100", enabledState: "Enabled", action: "Log" }] }],
      /overridden to "Log"/,
    ],
    [
      "customRules.rules.1",
      { name: "AllowAll", action: "Allow", priority: 1, ruleType: "MatchRule" },
      /AllowAll/,
    ],
  ],
  passes: [["managedRules.managedRuleSets.0.ruleSetVersion", "2.2"]],
  unknown: "managedRules.managedRuleSets",
});

describePolicy(e.wafRateLimit, {
  type: WAF,
  compliant: waf,
  config: { maxRequestsPerMinute: 2000 },
  violations: [
    ["customRules.rules", [], /no enabled blocking RateLimitRule/],
    ["customRules.rules.0.groupBy", [{ variableName: "None" }], /grouped by client IP/],
    ["customRules.rules.0.action", "Log", /no enabled blocking/],
    ["customRules.rules.0.rateLimitThreshold", 5000, /5000 requests a minute; at most 2000/],
  ],
  passes: [
    ["customRules.rules.0.rateLimitDurationInMinutes", 5],
    ["customRules.rules.0.rateLimitThreshold", 2000],
  ],
  unknown: "customRules.rules.0.rateLimitThreshold",
});

describePolicy(e.customDomainTls, {
  type: "azure-native:cdn:AFDCustomDomain",
  compliant: {
    hostName: "app.example.com",
    tlsSettings: { certificateType: "ManagedCertificate", cipherSuiteSetType: "TLS12_2023" },
  },
  violations: [
    ["tlsSettings.cipherSuiteSetType", "TLS12_2022", /TLS12_2022.*allowed: TLS12_2023/],
    ["tlsSettings.cipherSuiteSetType", "TLS10_2019", /TLS10_2019/],
    ["tlsSettings.cipherSuiteSetType", "Customized", /TLS13/],
    ["tlsSettings.certificateType", undefined, /certificateType/],
  ],
  passes: [
    [
      "tlsSettings",
      { certificateType: "ManagedCertificate", cipherSuiteSetType: "Customized", minimumTlsVersion: "TLS13" },
    ],
  ],
  unknown: "tlsSettings.cipherSuiteSetType",
});

describePolicy(e.routeHttpsOnly, {
  type: "azure-native:cdn:Route",
  compliant: {
    supportedProtocols: ["Http", "Https"],
    httpsRedirect: "Enabled",
    forwardingProtocol: "HttpsOnly",
  },
  violations: [
    ["httpsRedirect", "Disabled", /redirect to HTTPS/],
    ["httpsRedirect", undefined, /redirect to HTTPS/],
    ["forwardingProtocol", "MatchRequest", /HttpsOnly/],
    ["forwardingProtocol", "HttpOnly", /HttpsOnly/],
    ["supportedProtocols", ["Http"], /does not include Https/],
  ],
  passes: [
    ["supportedProtocols", ["Https"]],
    ["linkToDefaultDomain", "Enabled"],
    ["customDomains", [{ id: "d" }]],
  ],
  unknown: "forwardingProtocol",
});

describe("front-door-route-https-only: the default domain next to a custom domain (TLS-1)", () => {
  const route = {
    supportedProtocols: ["Http", "Https"],
    httpsRedirect: "Enabled",
    forwardingProtocol: "HttpsOnly",
    customDomains: [{ id: "d" }],
  };
  it("refuses a route serving custom domains that still links *.azurefd.net", async () =>
    expect(
      await runResourcePolicy(e.routeHttpsOnly, {
        type: "azure-native:cdn:Route",
        props: { ...route, linkToDefaultDomain: "Enabled" },
      }),
    ).toEqual([expect.stringMatching(/linkToDefaultDomain is Enabled.*TLS policy/)]));
  it("accepts it with the default domain unlinked (or left to Azure's default, Disabled)", async () => {
    for (const link of ["Disabled", undefined])
      expect(
        await runResourcePolicy(e.routeHttpsOnly, {
          type: "azure-native:cdn:Route",
          props: { ...route, linkToDefaultDomain: link },
        }),
      ).toEqual([]);
  });
});

const hsts = (headerAction: string, value?: string) => ({
  name: "ModifyResponseHeader",
  parameters: {
    typeName: "DeliveryRuleHeaderActionParameters",
    headerAction,
    headerName: "Strict-Transport-Security",
    ...(value === undefined ? {} : { value }),
  },
});
describePolicy(e.ruleActionsSecure, {
  type: "azure-native:cdn:Rule",
  compliant: {
    ruleSetName: "SecurityHeaders",
    order: 1,
    conditions: [],
    actions: [hsts("Overwrite", HSTS_HEADER_VALUE)],
  },
  violations: [
    ["actions.0", hsts("Delete"), /deletes Strict-Transport-Security/],
    ["actions.0", hsts("Overwrite", "max-age=0"), /max-age must be at least 31536000/],
    ["actions.0.parameters.value", "includeSubDomains", /max-age must be at least/],
    [
      "actions.0",
      { name: "UrlRedirect", parameters: { redirectType: "Found", destinationProtocol: "Http" } },
      /destinationProtocol "Http".*must be Https/,
    ],
    ["actions.0", { name: "UrlRedirect", parameters: { redirectType: "Found" } }, /MatchRequest/],
    [
      "actions.0",
      {
        name: "RouteConfigurationOverride",
        parameters: { originGroupOverride: { originGroup: { id: "g" }, forwardingProtocol: "HttpOnly" } },
      },
      /must forward HttpsOnly/,
    ],
    [
      "actions.0",
      { name: "OriginGroupOverride", parameters: { originGroup: { id: "g" } } },
      /not an action the edge allows/,
    ],
  ],
  passes: [
    [
      "actions.0",
      { name: "UrlRedirect", parameters: { redirectType: "Moved", destinationProtocol: "Https" } },
    ],
    [
      "actions.0",
      {
        name: "RouteConfigurationOverride",
        parameters: { originGroupOverride: { originGroup: { id: "g" }, forwardingProtocol: "HttpsOnly" } },
      },
    ],
    ["actions.0", { name: "RouteConfigurationOverride", parameters: { cacheConfiguration: {} } }],
    ["actions.0", hsts("Overwrite", "max-age=31536000; includeSubDomains; preload")],
  ],
  unknown: "actions.0.parameters.destinationProtocol",
});

describePolicy(e.originGroupHttpsProbe, {
  type: "azure-native:cdn:AFDOriginGroup",
  compliant: {
    healthProbeSettings: { probePath: "/healthz", probeProtocol: "Https", probeRequestType: "GET" },
  },
  violations: [
    ["healthProbeSettings.probeProtocol", "Http", /probeProtocol is "Http"; probes must use Https/],
    ["healthProbeSettings.probeProtocol", "NotSet", /must use Https/],
    ["healthProbeSettings", undefined, /not set/],
  ],
  unknown: "healthProbeSettings.probeProtocol",
});

const ENV_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/cae";
describePolicy(e.privateOrigins, {
  type: "azure-native:cdn:AFDOrigin",
  compliant: {
    hostName: "web.example.westeurope.azurecontainerapps.io",
    enforceCertificateNameCheck: true,
    sharedPrivateLinkResource: {
      privateLink: { id: ENV_ID },
      groupId: "managedEnvironments",
      privateLinkLocation: "westeurope",
    },
  },
  violations: [
    ["sharedPrivateLinkResource", undefined, /over the Internet/],
    ["sharedPrivateLinkResource.groupId", undefined, /groupId/],
    ["enforceCertificateNameCheck", false, /certificate/],
  ],
  passes: [["sharedPrivateLinkResource.privateLink.id", UNKNOWN]],
  unknown: "sharedPrivateLinkResource.privateLink.id",
});

describePolicy(e.environmentNotPublic, {
  type: "azure-native:app:ManagedEnvironment",
  compliant: {
    vnetConfiguration: { infrastructureSubnetId: "subnet", internal: true },
    publicNetworkAccess: "Disabled",
  },
  violations: [
    ["vnetConfiguration.internal", false, /must be internal/],
    ["publicNetworkAccess", "Enabled", /must be Disabled/],
    ["publicNetworkAccess", undefined, /must be Disabled/],
  ],
  unknown: "publicNetworkAccess",
});

// Stack policies: where the security policy and diagnostic setting point, not only that they exist.
const RG = "/subscriptions/s/resourceGroups/rg/providers";
const ids = {
  profile: `${RG}/Microsoft.Cdn/profiles/afd`,
  endpoint: `${RG}/Microsoft.Cdn/profiles/afd/afdEndpoints/web`,
  domain: `${RG}/Microsoft.Cdn/profiles/afd/customDomains/web`,
  waf: `${RG}/Microsoft.Network/frontDoorWebApplicationFirewallPolicies/waf`,
  otherWaf: `${RG}/Microsoft.Network/frontDoorWebApplicationFirewallPolicies/detect`,
  workspace: `${RG}/Microsoft.OperationalInsights/workspaces/ws`,
};
const r = (type: string, name: string, props: Record<string, unknown>) => ({
  type: `azure-native:${type}`,
  name,
  urn: `urn:pulumi:prod::secure-azure-platform::azure-native:${type}::${name}`,
  props,
});
function edge(overrides: { wafId?: string; domains?: string[]; mode?: string } = {}) {
  return [
    r("app:ContainerApp", "web", { configuration: { ingress: { external: true } } }),
    r("cdn:Profile", "afd", { id: ids.profile, sku: { name: "Premium_AzureFrontDoor" } }),
    r("cdn:AFDEndpoint", "web-endpoint", { id: ids.endpoint }),
    r("cdn:AFDCustomDomain", "web-domain", { id: ids.domain }),
    r("frontdoor:Policy", "waf", {
      ...waf,
      id: ids.waf,
      policySettings: { ...waf.policySettings, mode: overrides.mode ?? "Prevention" },
    }),
    r("cdn:SecurityPolicy", "binding", {
      parameters: {
        type: "WebApplicationFirewall",
        wafPolicy: { id: overrides.wafId ?? ids.waf },
        associations: [
          {
            domains: (overrides.domains ?? [ids.endpoint, ids.domain]).map((id) => ({ id })),
            patternsToMatch: ["/*"],
          },
        ],
      },
    }),
    r("monitor:DiagnosticSetting", "afd-diag", {
      resourceUri: ids.profile,
      workspaceId: ids.workspace,
      logs: ["FrontDoorAccessLog", "FrontDoorHealthProbeLog", "FrontDoorWebApplicationFirewallLog"].map(
        (category) => ({
          category,
          enabled: true,
        }),
      ),
    }),
  ];
}

describe("front-door-waf-coverage (EDGE-1)", () => {
  it("passes a profile whose endpoint and domain are bound to a Prevention WAF", async () =>
    expect(await runStackPolicy(e.edgeWafCoverage, edge())).toEqual([]));
  it("refuses a public frontend with no Front Door at all", async () => {
    const result = await runStackPolicy(e.edgeWafCoverage, edge().slice(0, 1));
    expect((result as string[]).join()).toMatch(/external ingress but the stack has no Front Door/);
  });
  it("refuses a custom domain left out of the security policy", async () =>
    expect((await runStackPolicy(e.edgeWafCoverage, edge({ domains: [ids.endpoint] }))) as string[]).toEqual([
      expect.stringMatching(/AFDCustomDomain web-domain is not bound/),
    ]));
  // Preview (bypass10): before, one app whose configuration (or one WAF whose settings) was not
  // known yet made the whole policy "can't run during preview", hiding an unbound endpoint.
  it("in a preview, an app or WAF not known yet does not hide an endpoint left out of the WAF", async () => {
    const preview = edge({ domains: [ids.domain] }).map((x) =>
      x.name === "web" ? { ...x, props: { configuration: UNKNOWN } } : x,
    );
    expect((await runStackPolicy(e.edgeWafCoverage, preview)) as string[]).toEqual([
      expect.stringMatching(/AFDEndpoint web-endpoint is not bound/),
    ]);
    const unknownWaf = edge().map((x) =>
      x.name === "waf" ? { ...x, props: { ...x.props, policySettings: UNKNOWN } } : x,
    );
    // A WAF whose mode is not known yet protects nothing that can be judged.
    expect(((await runStackPolicy(e.edgeWafCoverage, unknownWaf)) as string[]).length).toBe(2);
    // An app whose ingress is not known yet may be public: it needs the Front Door edge.
    expect(((await runStackPolicy(e.edgeWafCoverage, preview.slice(0, 1))) as string[]).join()).toMatch(
      /external ingress but the stack has no Front Door/,
    );
  });
  it("refuses a binding to a WAF in Detection mode or to a WAF outside the stack", async () => {
    expect(((await runStackPolicy(e.edgeWafCoverage, edge({ mode: "Detection" }))) as string[]).length).toBe(
      2,
    );
    expect(
      ((await runStackPolicy(e.edgeWafCoverage, edge({ wafId: ids.otherWaf }))) as string[]).length,
    ).toBe(2);
  });
});

describe("front-door-diagnostics (LOG-1, EDGE-1)", () => {
  it("passes the profile's setting with the three categories", async () =>
    expect(await runStackPolicy(e.frontDoorDiagnostics, edge())).toEqual([]));
  it("refuses a setting without the WAF log, or one on another resource", async () => {
    const withoutWaf = edge().map((x) =>
      x.name === "afd-diag"
        ? { ...x, props: { ...x.props, logs: [{ category: "FrontDoorAccessLog", enabled: true }] } }
        : x,
    );
    expect((await runStackPolicy(e.frontDoorDiagnostics, withoutWaf)) as string[]).toEqual([
      expect.stringMatching(/FrontDoorWebApplicationFirewallLog/),
    ]);
    const elsewhere = edge().map((x) =>
      x.name === "afd-diag" ? { ...x, props: { ...x.props, resourceUri: ids.waf } } : x,
    );
    expect(((await runStackPolicy(e.frontDoorDiagnostics, elsewhere)) as string[]).length).toBe(1);
  });
  // Real outputs (diag13): no resourceUri, the target is in the setting's ID (see asOutputs);
  // before, the profile's own setting was not found and the deployed stack was refused.
  it("finds the profile's setting by its ID in the outputs, and only on the profile", async () => {
    expect(await runStackPolicy(e.frontDoorDiagnostics, asOutputs(edge()))).toEqual([]);
    const elsewhere = edge().map((x) =>
      x.name === "afd-diag" ? { ...x, props: { ...x.props, resourceUri: ids.waf } } : x,
    );
    expect(await runStackPolicy(e.frontDoorDiagnostics, asOutputs(elsewhere))).toEqual([
      expect.stringMatching(/cdn:Profile afd has no diagnostic setting/),
    ]);
  });
  // Preview (unknown10): before, one setting's logs not known yet made the whole policy "can't
  // run during preview" (advisory), hiding a profile without any diagnostic setting beside it.
  it("in a preview, logs not known yet send nothing and do not hide a profile without diagnostics", async () => {
    const stack = [
      ...edge(),
      r("cdn:Profile", "afd2", { id: `${ids.profile}2` }),
      r("monitor:DiagnosticSetting", "afd2-diag", {
        resourceUri: `${ids.profile}2`,
        workspaceId: ids.workspace,
        logs: UNKNOWN,
      }),
      r("cdn:Profile", "afd3", { id: `${ids.profile}3` }),
    ];
    expect(await runStackPolicy(e.frontDoorDiagnostics, stack)).toEqual([
      expect.stringMatching(/cdn:Profile afd2 has no diagnostic setting/),
      expect.stringMatching(/cdn:Profile afd3 has no diagnostic setting/),
    ]);
  });
});

// Rules, rule sets and routes: where overrides point and whether HSTS reaches every route.
const cdn = {
  ruleSet: `${ids.profile}/ruleSets/SecurityHeaders`,
  group: `${ids.profile}/originGroups/og-web`,
  foreignGroup: "/subscriptions/x/resourceGroups/evil/providers/Microsoft.Cdn/profiles/evil/originGroups/og",
};
function rules(
  overrides: { actions?: unknown[]; routeRuleSets?: string[]; extraRule?: Record<string, unknown> } = {},
) {
  return [
    r("cdn:AFDOriginGroup", "og-web", { id: cdn.group, healthProbeSettings: { probeProtocol: "Https" } }),
    r("cdn:RuleSet", "headers", { id: cdn.ruleSet, ruleSetName: "SecurityHeaders" }),
    r("cdn:Rule", "hsts", {
      id: `${cdn.ruleSet}/rules/Hsts`,
      ruleSetName: "SecurityHeaders",
      order: 1,
      conditions: [],
      actions: overrides.actions ?? [hsts("Overwrite", HSTS_HEADER_VALUE)],
      matchProcessingBehavior: "Continue",
    }),
    ...(overrides.extraRule
      ? [r("cdn:Rule", "extra", { ruleSetName: "SecurityHeaders", ...overrides.extraRule })]
      : []),
    r("cdn:Route", "route", {
      originGroup: { id: cdn.group },
      ruleSets: (overrides.routeRuleSets ?? [cdn.ruleSet]).map((id) => ({ id })),
    }),
  ];
}
const override = (id: string) => ({
  name: "RouteConfigurationOverride",
  parameters: { originGroupOverride: { originGroup: { id }, forwardingProtocol: "HttpsOnly" } },
});

describe("front-door-rule-origin-groups (EDGE-1)", () => {
  it("passes rules without overrides, and an override to the stack's origin group", async () => {
    expect(await runStackPolicy(e.ruleOriginGroupsInStack, rules())).toEqual([]);
    expect(
      await runStackPolicy(
        e.ruleOriginGroupsInStack,
        rules({ extraRule: { order: 2, actions: [override(cdn.group)] } }),
      ),
    ).toEqual([]);
  });
  it("refuses an override to an origin group outside the stack", async () =>
    expect(
      await runStackPolicy(
        e.ruleOriginGroupsInStack,
        rules({ extraRule: { order: 2, actions: [override(cdn.foreignGroup)] } }),
      ),
    ).toEqual([
      expect.stringMatching(/cdn:Rule extra overrides the origin group with one outside the stack/),
    ]));
});

describe("front-door-rule-origin-groups in a preview (unknown11)", () => {
  // Before, an override not known yet was vouched for by any dependency of the rule: a `dependsOn`
  // on the stack's origin group next to a foreign group computed in an apply passed the preview.
  const salt = randomString();
  const preview = (sources: string[]) => {
    const group = rules()[0];
    const extra = {
      ...r("cdn:Rule", "extra", { ruleSetName: "SecurityHeaders", order: 2, actions: [override(UNKNOWN)] }),
      dependencies: [group.urn, salt.urn],
      propertyDependencies: { actions: sources },
    };
    return [...rules(), salt, extra];
  };
  it("accepts an override computed from the stack's origin group", async () =>
    expect(await runStackPolicy(e.ruleOriginGroupsInStack, preview([rules()[0].urn]))).toEqual([]));
  it("refuses actions not known at all unless computed from an origin group of the stack", async () => {
    const whole = (sources: string[]) =>
      preview(sources).map((x) =>
        x.name === "extra" ? { ...x, props: { ...x.props, actions: UNKNOWN } } : x,
      );
    expect(await runStackPolicy(e.ruleOriginGroupsInStack, whole([rules()[0].urn]))).toEqual([]);
    expect(await runStackPolicy(e.ruleOriginGroupsInStack, whole([salt.urn]))).toEqual([
      expect.stringMatching(/cdn:Rule extra: actions are not known yet and do not come from an origin group/),
    ]);
  });
  it("refuses an override computed from something else, the group only in dependsOn", async () =>
    expect(await runStackPolicy(e.ruleOriginGroupsInStack, preview([salt.urn]))).toEqual([
      expect.stringMatching(/cdn:Rule extra overrides the origin group with one outside the stack/),
    ]));
});

describe("front-door-route-hsts (TLS-1)", () => {
  // On a deployed stack (fidelity14): a rule's outputs carry its set's name (a read-only ruleSetName
  // in Azure's answer), the set's own only `name`: before, the set's name read as unknown, no rule
  // with a literal set name belonged to it, and every route was refused.
  describe("on outputs, with literal names", () => {
    const on = { resourceGroupName: "rg", profileName: "afd-sap" };
    const set = (ruleSetName: string) => deployedResource("cdn:RuleSet", ruleSetName, { ...on, ruleSetName });
    const rule = (ruleSetName: string, ruleName: string, order: number, props: Record<string, unknown>) =>
      deployedResource("cdn:Rule", ruleName, {
        ...on,
        ruleSetName,
        ruleName,
        order,
        conditions: [],
        ...props,
      });
    const headers = set("SecurityHeaders");
    const route = deployedResource("cdn:Route", "route", {
      ...on,
      endpointName: "ep",
      routeName: "route",
      ruleSets: [{ id: headers.props.id }],
    });
    const hstsRule = (ruleSetName: string) =>
      rule(ruleSetName, "Hsts", 1, { actions: [hsts("Overwrite", HSTS_HEADER_VALUE)] });
    const refused = /cdn:Route route runs no rule set of the stack that sends Strict-Transport-Security/;
    it("names the rule set by its name output (its outputs carry no ruleSetName)", async () => {
      expect(headers.props.ruleSetName).toBeUndefined();
      expect(await runStackPolicy(e.routeHsts, [headers, hstsRule("SecurityHeaders"), route])).toEqual([]);
    });
    it("still counts a Stop rule ahead in that set, and no rule of another set", async () => {
      const stop = rule("SecurityHeaders", "StopFirst", 0, { actions: [], matchProcessingBehavior: "Stop" });
      expect(await runStackPolicy(e.routeHsts, [headers, stop, hstsRule("SecurityHeaders"), route])).toEqual([
        expect.stringMatching(refused),
      ]);
      expect(await runStackPolicy(e.routeHsts, [headers, set("Other"), hstsRule("Other"), route])).toEqual([
        expect.stringMatching(refused),
      ]);
    });
  });
  // Two Front Door profiles may each hold a rule set of the same name: a name is only the last
  // segment of the set's path. Before, the HSTS rule of profile A's set counted for profile B's
  // same-named, empty set, and B's routes passed.
  describe("two profiles, each with a SecurityHeaders rule set", () => {
    const inProfile = (profileName: string) => {
      const on = { resourceGroupName: "rg", profileName };
      const set = deployedResource("cdn:RuleSet", `${profileName}-headers`, {
        ...on,
        ruleSetName: "SecurityHeaders",
      });
      const route = deployedResource("cdn:Route", `${profileName}-route`, {
        ...on,
        endpointName: "ep",
        routeName: "route",
        ruleSets: [{ id: set.props.id }],
      });
      const hstsRule = deployedResource("cdn:Rule", `${profileName}-hsts`, {
        ...on,
        ruleSetName: "SecurityHeaders",
        ruleName: "Hsts",
        order: 1,
        conditions: [],
        actions: [hsts("Overwrite", HSTS_HEADER_VALUE)],
      });
      return { set, route, hstsRule };
    };
    const a = inProfile("afd-a");
    const b = inProfile("afd-b");
    it("on outputs: a route on the set without the HSTS rule is refused, whatever the other set holds", async () => {
      expect(a.hstsRule.props.ruleSetName).toBe("SecurityHeaders");
      expect(await runStackPolicy(e.routeHsts, [a.set, a.hstsRule, a.route, b.set, b.route])).toEqual([
        expect.stringMatching(/cdn:Route afd-b-route runs no rule set of the stack that sends/),
      ]);
      expect(
        await runStackPolicy(e.routeHsts, [a.set, a.hstsRule, a.route, b.set, b.hstsRule, b.route]),
      ).toEqual([]);
    });
    it("a rule whose ID is not known yet (preview): a set name two sets share says nothing, one set's still counts", async () => {
      const { id: _id, ...props } = a.hstsRule.props;
      const created = { ...a.hstsRule, props: { ...props, id: UNKNOWN } };
      expect(await runStackPolicy(e.routeHsts, [a.set, created, a.route])).toEqual([]);
      expect(await runStackPolicy(e.routeHsts, [a.set, created, a.route, b.set])).toEqual([
        expect.stringMatching(/cdn:Route afd-a-route runs no rule set of the stack that sends/),
      ]);
    });
  });
  it("passes a route running the rule set that sends HSTS", async () =>
    expect(await runStackPolicy(e.routeHsts, rules())).toEqual([]));
  it("refuses a route without the rule set, a weakened or conditional HSTS rule, or a Stop rule ahead of it", async () => {
    const refused = /cdn:Route route runs no rule set of the stack that sends Strict-Transport-Security/;
    expect(await runStackPolicy(e.routeHsts, rules({ routeRuleSets: [] }))).toEqual([
      expect.stringMatching(refused),
    ]);
    expect(await runStackPolicy(e.routeHsts, rules({ actions: [hsts("Overwrite", "max-age=60")] }))).toEqual([
      expect.stringMatching(refused),
    ]);
    const conditional = rules().map((x) =>
      x.name === "hsts" ? { ...x, props: { ...x.props, conditions: [{ name: "RequestScheme" }] } } : x,
    );
    expect(await runStackPolicy(e.routeHsts, conditional)).toEqual([expect.stringMatching(refused)]);
    expect(
      await runStackPolicy(
        e.routeHsts,
        rules({ extraRule: { order: 0, conditions: [], actions: [], matchProcessingBehavior: "Stop" } }),
      ),
    ).toEqual([expect.stringMatching(refused)]);
  });
  // Preview (unknown10): before, a rule's actions, conditions or order not known yet made the
  // whole policy "can't run during preview" (advisory), hiding a route without HSTS.
  it("in a preview, a rule not known yet sends no HSTS and does not hide a route without it", async () => {
    const refused = /cdn:Route route runs no rule set of the stack that sends Strict-Transport-Security/;
    const otherSet = [
      r("cdn:RuleSet", "other", { id: `${ids.profile}/ruleSets/Other`, ruleSetName: "Other" }),
      r("cdn:Rule", "other-rule", { ruleSetName: "Other", order: 1, conditions: [], actions: UNKNOWN }),
    ];
    expect(await runStackPolicy(e.routeHsts, [...rules({ routeRuleSets: [] }), ...otherSet])).toEqual([
      expect.stringMatching(refused),
    ]);
    const conditions = rules().map((x) =>
      x.name === "hsts" ? { ...x, props: { ...x.props, conditions: UNKNOWN } } : x,
    );
    expect(await runStackPolicy(e.routeHsts, conditions)).toEqual([expect.stringMatching(refused)]);
    // A Stop rule whose order is not known yet may come first: refused (the component's is constant).
    expect(
      await runStackPolicy(
        e.routeHsts,
        rules({
          extraRule: { order: UNKNOWN, conditions: [], actions: [], matchProcessingBehavior: "Stop" },
        }),
      ),
    ).toEqual([expect.stringMatching(refused)]);
    // ... but one that never stops does not.
    expect(
      await runStackPolicy(
        e.routeHsts,
        rules({
          extraRule: { order: UNKNOWN, conditions: [], actions: [], matchProcessingBehavior: "Continue" },
        }),
      ),
    ).toEqual([]);
  });
  // Preview (residual10): before, a rule set not known yet matched through ANY dependency of the
  // route, so a foreign rule set computed in an apply passed beside a `dependsOn` on the stack's.
  it("in a preview, a rule set not known yet counts only through what ruleSets was computed from", async () => {
    const refused = /cdn:Route route runs no rule set of the stack that sends Strict-Transport-Security/;
    const headers = rules()[1].urn;
    // Another resource of the stack (a dependency outside the stack's graph is dropped).
    const random = r("storage:StorageAccount", "other", {});
    const other = random.urn;
    const preview = (dependencies: string[], fromInput: string[]) =>
      [...rules(), random].map((x) =>
        x.name === "route"
          ? {
              ...x,
              props: { ...x.props, ruleSets: [{ id: UNKNOWN }] },
              dependencies,
              propertyDependencies: { ruleSets: fromInput },
            }
          : x,
      );
    // The component's route: its rule set's ID not known yet, computed from the rule set.
    expect(await runStackPolicy(e.routeHsts, preview([headers], [headers]))).toEqual([]);
    // A foreign ID computed from something else, next to a dependsOn on the stack's rule set.
    expect(await runStackPolicy(e.routeHsts, preview([headers, other], [other]))).toEqual([
      expect.stringMatching(refused),
    ]);
    // The same as a whole list not known yet.
    const whole = preview([headers, other], [other]).map((x) =>
      x.name === "route" ? { ...x, props: { ...x.props, ruleSets: UNKNOWN } } : x,
    );
    expect(await runStackPolicy(e.routeHsts, whole)).toEqual([expect.stringMatching(refused)]);
  });
});

describe("front-door-private-link-approval (EDGE-1, NET-2)", () => {
  const FRONT_DOOR = "urn:pulumi:prod::secure-azure-platform::secure-azure-platform:index:FrontDoor::edge";
  const approval = (props: Record<string, unknown> = {}, parent: string | null = FRONT_DOOR) => ({
    ...r("app:ManagedEnvironmentPrivateEndpointConnection", "approval", {
      resourceGroupName: "rg",
      environmentName: "cae",
      privateEndpointConnectionName: "pec-1",
      privateLinkServiceConnectionState: { status: "Approved", description: PRIVATE_LINK_APPROVAL_MESSAGE },
      ...props,
    }),
    ...(parent ? { parent } : {}),
  });
  const stack = (...extra: Record<string, unknown>[]) =>
    [
      { type: "secure-azure-platform:index:FrontDoor", name: "edge", urn: FRONT_DOOR, props: {} },
      r("cdn:AFDOrigin", "origin", {
        sharedPrivateLinkResource: {
          privateLink: { id: ENV_ID },
          groupId: "managedEnvironments",
          requestMessage: PRIVATE_LINK_REQUEST_MESSAGE,
        },
      }),
      ...extra,
    ] as Parameters<typeof runStackPolicy>[1];

  it("its defaults are the component's texts (one declaration, checked)", () => {
    expect(e.privateLinkApproval.defaults).toEqual({
      approvalDescription: PRIVATE_LINK_APPROVAL_MESSAGE,
      requestMessage: PRIVATE_LINK_REQUEST_MESSAGE,
    });
  });
  it("passes the FrontDoor component's approval on the environment its origin requests", async () =>
    expect(await runStackPolicy(e.privateLinkApproval, stack(approval()))).toEqual([]));
  it("refuses an approval written by hand, with other text, or on an environment no origin requests", async () => {
    expect(await runStackPolicy(e.privateLinkApproval, stack(approval({}, null)))).toEqual([
      expect.stringMatching(/not approved by the stack's FrontDoor component/),
    ]);
    expect(
      await runStackPolicy(
        e.privateLinkApproval,
        stack(approval({ privateLinkServiceConnectionState: { status: "Approved", description: "ok" } })),
      ),
    ).toEqual([expect.stringMatching(/without the stack's approval text/)]);
    expect(
      await runStackPolicy(e.privateLinkApproval, stack(approval({ environmentName: "other" }))),
    ).toEqual([
      expect.stringMatching(/environment rg\/other, which no Front Door origin of the stack requests/),
    ]);
  });
  it("reads the environment from the connection's ID where its outputs carry no path parameters (`up`)", async () => {
    // azure-native's outputs of a ManagedEnvironmentPrivateEndpointConnection have no
    // resourceGroupName / environmentName (app/managedEnvironmentPrivateEndpointConnection.js).
    const asOutput = (envId: string) => {
      const c = approval();
      const {
        resourceGroupName: _rg,
        environmentName: _env,
        privateEndpointConnectionName: _n,
        ...props
      } = c.props;
      return { ...c, props: { ...props, id: `${envId}/privateEndpointConnections/pec-1`, name: "pec-1" } };
    };
    expect(await runStackPolicy(e.privateLinkApproval, stack(asOutput(ENV_ID)))).toEqual([]);
    expect(
      await runStackPolicy(e.privateLinkApproval, stack(asOutput(ENV_ID.replace(/\/cae$/, "/other")))),
    ).toEqual([
      expect.stringMatching(/environment rg\/other, which no Front Door origin of the stack requests/),
    ]);
  });
  it("also knows the component by its legacy token (a program on an older components release)", async () => {
    const legacy = FRONT_DOOR.replace(":index:FrontDoor", ":edge:FrontDoor");
    const resources = stack(approval({}, legacy)).map((x) =>
      x.urn === FRONT_DOOR ? { ...x, type: "secure-azure-platform:edge:FrontDoor", urn: legacy } : x,
    );
    expect(await runStackPolicy(e.privateLinkApproval, resources)).toEqual([]);
  });
  it("ignores a rejection (refusing a connection is always allowed)", async () =>
    expect(
      await runStackPolicy(
        e.privateLinkApproval,
        stack(
          approval(
            { privateLinkServiceConnectionState: { status: "Rejected", description: "no" } },
            undefined,
          ),
        ),
      ),
    ).toEqual([]));
});
