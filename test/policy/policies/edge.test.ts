/** The edge policies (EDGE-1, NET-2, TLS-1, LOG-1): Front Door Premium, WAF, TLS, Private Link origins. */
import * as e from "../../../policy/policies/edge";
import { runStackPolicy, UNKNOWN } from "../../helpers/policyHarness";
import { describePolicy } from "./support";

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
  passes: [["supportedProtocols", ["Https"]]],
  unknown: "forwardingProtocol",
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
});
