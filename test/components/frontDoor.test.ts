/**
 * FrontDoor under mocks (EDGE-1, TLS-1, NET-2, LOG-1, MON-1): Premium profile, WAF in Prevention
 * with the managed rule sets and a per-client rate limit, Private Link origins whose connection
 * the stack approves, HTTPS-only routes with HSTS, custom domains with the strongest TLS policy.
 */
import {
  FrontDoor,
  frontDoorConnectionNames,
  PRIVATE_LINK_APPROVAL_MESSAGE,
  PRIVATE_LINK_REQUEST_MESSAGE,
  privateLinkRequestMessage,
  type FrontDoorArgs,
} from "../../components/frontDoor";
import { EU_COUNTRY_CODES, WAF_RATE_LIMIT, type EdgeSettings } from "../../components/frontDoorSpec";
import { projectDeclarations } from "../../config";
import { AzureMocks } from "../../lib/offline/mocks";
import { withIgnoredChanges } from "../../lib/offline/diff";
import { testPlatform, testResourceGroupId } from "../helpers/platform";
import { byType, only, runExpectingError, runProgram, type PlannedResource } from "../helpers/pulumi";

const ENV_NAME = "cae-sap-apps-dev";
const ENV_ID = `${testResourceGroupId()}/providers/Microsoft.App/managedEnvironments/${ENV_NAME}`;
const settings = (overrides: Partial<EdgeSettings> = {}): EdgeSettings => ({
  rateLimitPerMinute: 1000,
  allowedCountries: [],
  customRules: [],
  customDomains: {},
  ...overrides,
});
const args = (overrides: Partial<FrontDoorArgs> = {}): FrontDoorArgs => ({
  platform: testPlatform(),
  environmentId: ENV_ID,
  environmentName: ENV_NAME,
  apps: [{ name: "web", fqdn: `web.abc.westeurope.azurecontainerapps.io`, probePath: "/healthz" }],
  settings: settings(),
  ...overrides,
});

describe("FrontDoor (dev defaults)", () => {
  let resources: PlannedResource[];
  beforeAll(async () => {
    ({ resources } = await runProgram(() => new FrontDoor("edge", args())));
  });

  it("is a Premium profile (Private Link origins, managed WAF rules) (EDGE-1)", () => {
    expect(only(resources, "azure-native:cdn:Profile").inputs).toMatchObject({
      sku: { name: "Premium_AzureFrontDoor" },
      location: "global",
    });
  });

  it("runs the WAF in Prevention with body inspection, DRS 2.1 and bot manager blocking (EDGE-1)", () => {
    const waf = only(resources, "azure-native:frontdoor:Policy").inputs;
    expect(waf.policySettings).toMatchObject({
      enabledState: "Enabled",
      mode: "Prevention",
      requestBodyCheck: "Enabled",
    });
    expect(waf.managedRules).toEqual({
      managedRuleSets: [
        { ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1", ruleSetAction: "Block" },
        { ruleSetType: "Microsoft_BotManagerRuleSet", ruleSetVersion: "1.1", ruleSetAction: "Block" },
      ],
    });
    // No geo-filter unless asked; a rate limit per client IP always.
    expect(waf.customRules).toEqual({
      rules: [
        expect.objectContaining({
          ruleType: "RateLimitRule",
          action: "Block",
          rateLimitThreshold: 1000,
          rateLimitDurationInMinutes: 1,
          groupBy: [{ variableName: "SocketAddr" }],
        }),
      ],
    });
  });

  it("binds the WAF to every endpoint, every path", () => {
    const binding = only(resources, "azure-native:cdn:SecurityPolicy").inputs;
    const endpoint = only(resources, "azure-native:cdn:AFDEndpoint");
    expect(binding.parameters).toEqual({
      type: "WebApplicationFirewall",
      wafPolicy: { id: only(resources, "azure-native:frontdoor:Policy").id },
      associations: [{ domains: [{ id: endpoint.id }], patternsToMatch: ["/*"] }],
    });
  });

  it("reaches the app over Private Link with its own host name and probes its readiness path (EDGE-1, NET-2)", () => {
    expect(only(resources, "azure-native:cdn:AFDOrigin").inputs).toMatchObject({
      hostName: "web.abc.westeurope.azurecontainerapps.io",
      originHostHeader: "web.abc.westeurope.azurecontainerapps.io",
      enforceCertificateNameCheck: true,
      sharedPrivateLinkResource: {
        privateLink: { id: ENV_ID },
        groupId: "managedEnvironments",
        privateLinkLocation: "westeurope",
        requestMessage: expect.stringMatching(
          new RegExp(`^${PRIVATE_LINK_REQUEST_MESSAGE.replace(/[()]/g, "\\$&")} [0-9a-f-]{36}$`),
        ),
      },
    });
    const frontDoorId = only(resources, "azure-native:cdn:Profile").outputs.frontDoorId as string;
    expect(only(resources, "azure-native:cdn:AFDOrigin").inputs.sharedPrivateLinkResource).toMatchObject({
      requestMessage: privateLinkRequestMessage(frontDoorId),
    });
    expect(only(resources, "azure-native:cdn:AFDOriginGroup").inputs.healthProbeSettings).toEqual({
      probePath: "/healthz",
      probeProtocol: "Https",
      probeRequestType: "GET",
      probeIntervalInSeconds: 60,
    });
  });

  it("approves the pending connection Front Door requested, by its Azure-generated name", () => {
    const approval = only(resources, "azure-native:app:ManagedEnvironmentPrivateEndpointConnection");
    expect(approval.inputs.environmentName).toBe(ENV_NAME);
    expect(approval.inputs.privateEndpointConnectionName).toMatch(/^pec-[0-9a-f]{12}$/);
    expect(approval.name).toBe(
      `edge-private-link-approval-${String(approval.inputs.privateEndpointConnectionName)}`,
    );
    expect(approval.inputs.privateLinkServiceConnectionState).toEqual({
      status: "Approved",
      description: PRIVATE_LINK_APPROVAL_MESSAGE,
    });
  });

  it("redirects HTTP, calls the origin over HTTPS only and adds HSTS (TLS-1)", () => {
    expect(only(resources, "azure-native:cdn:Route").inputs).toMatchObject({
      supportedProtocols: ["Http", "Https"],
      httpsRedirect: "Enabled",
      forwardingProtocol: "HttpsOnly",
      patternsToMatch: ["/*"],
      ruleSets: [{ id: only(resources, "azure-native:cdn:RuleSet").id }],
      // No custom domain: the default domain is the app's only host (Front Door's default TLS).
      linkToDefaultDomain: "Enabled",
    });
    const actions = only(resources, "azure-native:cdn:Rule").inputs.actions as {
      parameters: { headerName: string; value: string };
    }[];
    expect(actions.map((a) => a.parameters.headerName)).toContain("Strict-Transport-Security");
    expect(actions[0].parameters.value).toMatch(/max-age=63072000/);
  });

  it("logs access, probes and WAF to the workspace and alerts on WAF blocks and origin health (LOG-1, MON-1)", () => {
    const diag = only(resources, "azure-native:monitor:DiagnosticSetting").inputs;
    expect(diag.resourceUri).toBe(only(resources, "azure-native:cdn:Profile").id);
    expect(diag.logs).toEqual(
      ["FrontDoorAccessLog", "FrontDoorHealthProbeLog", "FrontDoorWebApplicationFirewallLog"].map(
        (category) => ({
          category,
          enabled: true,
        }),
      ),
    );
    const alerts = byType(resources, "azure-native:monitor:MetricAlert").map(
      (a) => (a.inputs.criteria as { allOf: { metricName: string; dimensions?: unknown }[] }).allOf[0],
    );
    expect(alerts).toHaveLength(2);
    expect(alerts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          metricName: "WebApplicationFirewallRequestCount",
          dimensions: [{ name: "Action", operator: "Include", values: ["Block"] }],
        }),
        expect.objectContaining({ metricName: "OriginHealthPercentage", operator: "LessThan" }),
      ]),
    );
  });
});

describe("FrontDoor (prod: geo-filter, custom domain, custom rules)", () => {
  let resources: PlannedResource[];
  beforeAll(async () => {
    ({ resources } = await runProgram(
      () =>
        new FrontDoor(
          "edge",
          args({
            platform: testPlatform({ environment: "prod", deletionLocks: true, zoneRedundant: true }),
            environmentId: `${testResourceGroupId("prod")}/providers/Microsoft.App/managedEnvironments/cae-sap-apps-prod`,
            environmentName: "cae-sap-apps-prod",
            settings: settings({
              allowedCountries: [...EU_COUNTRY_CODES],
              customDomains: { web: "app.example.com" },
              customRules: [
                {
                  name: "BlockAdmin",
                  priority: 10,
                  action: "Block",
                  matchVariable: "RequestUri",
                  operator: "BeginsWith",
                  matchValues: ["/admin"],
                  negateCondition: false,
                },
              ],
            }),
          }),
        ),
    ));
  });

  it("blocks everything outside the EU, in groups of 10 negated GeoMatch conditions (EDGE-1)", () => {
    const rules = (
      only(resources, "azure-native:frontdoor:Policy").inputs.customRules as {
        rules: Record<string, unknown>[];
      }
    ).rules;
    expect(rules.map((r) => [r.name, r.priority])).toEqual([
      ["BlockAdmin", 10],
      ["BlockOutsideAllowedCountries", 100],
      ["RateLimitPerClientIp", 200],
    ]);
    const geo = rules[1].matchConditions as { negateCondition: boolean; matchValue: string[] }[];
    expect(geo.every((c) => c.negateCondition)).toBe(true);
    expect(geo.flatMap((c) => c.matchValue).sort()).toEqual([...EU_COUNTRY_CODES].sort());
    expect(Math.max(...geo.map((c) => c.matchValue.length))).toBeLessThanOrEqual(10);
  });

  it("serves the custom domain with a managed certificate and TLS12_2023, bound to the WAF (TLS-1)", () => {
    const domain = only(resources, "azure-native:cdn:AFDCustomDomain");
    expect(domain.inputs).toMatchObject({
      hostName: "app.example.com",
      tlsSettings: { certificateType: "ManagedCertificate", cipherSuiteSetType: "TLS12_2023" },
    });
    expect(only(resources, "azure-native:cdn:Route").inputs.customDomains).toEqual([{ id: domain.id }]);
    // Only the custom domain carries TLS12_2023: the *.azurefd.net host is not served for this app.
    expect(only(resources, "azure-native:cdn:Route").inputs.linkToDefaultDomain).toBe("Disabled");
    const binding = only(resources, "azure-native:cdn:SecurityPolicy").inputs.parameters as {
      associations: { domains: { id: string }[] }[];
    };
    expect(binding.associations[0].domains).toContainEqual({ id: domain.id });
  });
  // Azure/bicep#12713: once issued, the managed certificate's secret appears in tlsSettings, and
  // an azure-native refresh copies a changed output into the inputs: without the ignore, the next
  // `pulumi up --refresh` would update the domain to drop it.
  it("keeps the managed certificate's secret Front Door sets after issuing it", () => {
    const domain = only(resources, "azure-native:cdn:AFDCustomDomain");
    expect(domain.ignoreChanges).toEqual(["tlsSettings.secret"]);
    const tls = domain.inputs.tlsSettings as Record<string, unknown>;
    const refreshed = {
      ...domain.inputs,
      tlsSettings: {
        ...tls,
        secret: { id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Cdn/profiles/p/secrets/x" },
      },
    };
    expect(withIgnoredChanges(refreshed, domain.inputs, domain.ignoreChanges)).toEqual(refreshed);
  });
});

describe("Front Door Private Link location (offered in some regions only)", () => {
  it("a region without Front Door Private Link places the endpoint in its pair (germanynorth -> germanywestcentral)", async () => {
    const { resources } = await runProgram(
      () => new FrontDoor("edge", args({ platform: testPlatform({ location: "germanynorth" }) })),
    );
    expect(only(resources, "azure-native:cdn:AFDOrigin").inputs.sharedPrivateLinkResource).toMatchObject({
      privateLinkLocation: "germanywestcentral",
    });
  });
  it("refuses a platform whose region and pair both lack it, registering nothing", async () => {
    const { error, resources } = await runExpectingError(
      () =>
        new FrontDoor(
          "edge",
          args({ platform: { ...testPlatform({ location: "italynorth" }), pairedLocation: "" } }),
        ),
    );
    expect(error.message).toMatch(
      /platform\.location = "italynorth": neither it nor its pair \(none\) offers Front Door Private Link/,
    );
    expect(resources).toEqual([]);
  });
});

describe("FrontDoor refuses, registering nothing", () => {
  async function refused(a: FrontDoorArgs, message: RegExp): Promise<void> {
    const { error, resources } = await runExpectingError(() => new FrontDoor("edge", a));
    expect(error.message).toMatch(message);
    expect(resources).toEqual([]);
  }
  it("no frontend", () => refused(args({ apps: [] }), /at least one frontend/));
  // Before: zod's z.object dropped unknown keys, so a typo or a switch the component does not have
  // (`geoFilter: false`, `allowedCountry`) was accepted in silence and the reader believed it held.
  it("unknown keys in settings and in a frontend, by name and value, with the other problems at once", async () => {
    const { error, resources } = await runExpectingError(
      () =>
        new FrontDoor(
          "edge",
          args({
            apps: [
              {
                name: "web",
                fqdn: "web.abc.westeurope.azurecontainerapps.io",
                probePath: "/healthz",
                ...({ publicOrigin: "web.example.com" } as object),
              },
            ],
            settings: {
              ...settings({ rateLimitPerMinute: 5 }),
              ...({ geoFilter: false, allowedCountry: ["DE"] } as object),
            },
          }),
        ),
    );
    expect(error.message).toMatch(
      /settings\.geoFilter = false: is not an edge setting \(EDGE-1\) \(allowed: rateLimitPerMinute, allowedCountries, customRules, customDomains\)/,
    );
    expect(error.message).toMatch(
      /settings\.allowedCountry = \["DE"\]: is not an edge setting \(EDGE-1\); did you mean allowedCountries\?/,
    );
    expect(error.message).toMatch(
      /apps\[0\]\.publicOrigin = "web\.example\.com": is not a field of a frontend app \(EDGE-1\) \(allowed: name, fqdn, probePath\)/,
    );
    expect(error.message).toMatch(/settings\.rateLimitPerMinute = 5: must be 10\.\.100000/);
    expect(resources).toEqual([]);
  });
  it("a rate limit below Front Door's minimum", () =>
    // The stack config's rule and wording (frontDoorSpec.ts's wafRateLimitSchema, one place).
    refused(
      args({ settings: settings({ rateLimitPerMinute: 5 }) }),
      /settings\.rateLimitPerMinute = 5: must be 10\.\.100000 \(Front Door's minimum is 10; EDGE-1\)/,
    ));
  it("an Allow custom rule (it would skip the managed rules)", () =>
    refused(
      args({
        settings: settings({
          customRules: [
            {
              name: "AllowAll",
              priority: 1,
              action: "Allow" as "Block",
              matchVariable: "RequestUri",
              operator: "Contains",
              matchValues: ["/"],
              negateCondition: false,
            },
          ],
        }),
      }),
      /Allow rule would skip the managed rule sets/,
    ));
  it("a custom domain for an app that is not a frontend", () =>
    refused(
      args({ settings: settings({ customDomains: { api: "api.example.com" } }) }),
      /settings\.customDomains\.api = "api\.example\.com": names no frontend app; allowed: web/,
    ));
  it("a frontend whose endpoint name Azure refuses (more than 46 characters)", () =>
    refused(
      args({
        platform: testPlatform({ namePrefix: "platform" }),
        apps: [
          {
            name: "customer-self-service-portal-web",
            fqdn: "customer-self-service-portal-web.abc.westeurope.azurecontainerapps.io",
            probePath: "/",
          },
        ],
      }),
      /endpoint name "fde-customer-self-service-portal-web-platform-dev" \(49 characters\); Azure allows at most 46.*at most 29 characters/,
    ));
  it("an insecure override", () =>
    refused({ ...args(), wafMode: "Detection" } as FrontDoorArgs, /unknown argument "wafMode"/));
});

describe("one declaration of the edge defaults", () => {
  it("Pulumi.yaml's geo-filter default is the EU list of frontDoorSpec.ts, and its rate limit default the spec's", () => {
    const decl = projectDeclarations();
    expect(decl.wafAllowedCountries.default).toEqual([...EU_COUNTRY_CODES]);
    expect(decl.wafRateLimitPerMinute.default).toBe(WAF_RATE_LIMIT.default);
    expect(decl.sentinel.default).toBe(true);
  });
});

describe("which private endpoint connections the stack approves", () => {
  const connection = (name: string, status: string, description: string) => ({
    name,
    privateLinkServiceConnectionState: { status, description },
  });
  const owner = 'FrontDoor "edge"';
  const FDID = "3f2c1a9e-0000-4000-8000-00000000afd1";
  const request = privateLinkRequestMessage(FDID);
  const names = (list: ReturnType<typeof connection>[]) => frontDoorConnectionNames(owner, FDID, list);
  it("the ones this profile requested (prefix and its Front Door ID), not another client's", () =>
    expect(
      names([
        connection("someone-else", "Pending", "please let me in"),
        connection("copied-prefix", "Pending", PRIVATE_LINK_REQUEST_MESSAGE),
        connection("other-profile", "Pending", privateLinkRequestMessage("another-id")),
        connection("ours", "Pending", request),
      ]),
    ).toEqual(["ours"]));
  it("every request Front Door opened (it may open several), each approved once", () =>
    expect(names([connection("pec-b", "Pending", request), connection("pec-a", "Pending", request)])).toEqual(
      ["pec-a", "pec-b"],
    ));
  it("the next run: connections it approved earlier (Azure now shows our approval text) keep their approval", () =>
    expect(
      names([
        connection("pec-a", "Approved", PRIVATE_LINK_APPROVAL_MESSAGE),
        connection("pec-b", "Pending", request),
      ]),
    ).toEqual(["pec-a", "pec-b"]));
  it("not a request forging the approval text, a rejected or disconnected one, nor a foreign approved one", () =>
    expect(
      names([
        connection("forged", "Pending", PRIVATE_LINK_APPROVAL_MESSAGE),
        connection("old", "Rejected", request),
        connection("gone", "Disconnected", PRIVATE_LINK_APPROVAL_MESSAGE),
        connection("foreign", "Approved", "approved by hand"),
        connection("ours", "Approved", PRIVATE_LINK_APPROVAL_MESSAGE),
      ]),
    ).toEqual(["ours"]));
  it("none yet (first deployment): stops with a message that says what to do", () =>
    expect(() => names([connection("x", "Pending", "other")])).toThrow(
      /no pending or approved private endpoint connection requested by Front Door.*run the deployment again/,
    ));
  it("the approval text differs from the request text, which is why both must match", () =>
    expect(PRIVATE_LINK_APPROVAL_MESSAGE).not.toBe(request));
});

describe("FrontDoor on its next run: Front Door opened two requests, one approved on the first run", () => {
  let resources: PlannedResource[];
  beforeAll(async () => {
    const call = AzureMocks.prototype.call;
    const spy = jest.spyOn(AzureMocks.prototype, "call").mockImplementation(function (this: AzureMocks, a) {
      const real = call.call(this, a);
      if (a.token !== "azure-native:app:getManagedEnvironment") return real;
      // The mock's pending request (this profile's message), renamed, next to what a first run left.
      const pending = (real.privateEndpointConnections as Record<string, unknown>[])[0];
      const state = (name: string, status: string, description: string) => ({
        name,
        privateLinkServiceConnectionState: { status, description },
      });
      return {
        ...real,
        privateEndpointConnections: [
          state("pec-first", "Approved", PRIVATE_LINK_APPROVAL_MESSAGE),
          { ...pending, name: "pec-second" },
          state("pec-foreign", "Pending", PRIVATE_LINK_REQUEST_MESSAGE),
        ],
      };
    });
    try {
      ({ resources } = await runProgram(() => new FrontDoor("edge", args())));
    } finally {
      spy.mockRestore();
    }
  });

  it("keeps the earlier approval and approves the new request, one resource per connection, nothing foreign", () => {
    const approvals = byType(resources, "azure-native:app:ManagedEnvironmentPrivateEndpointConnection");
    expect(approvals.map((a) => [a.name, a.inputs.privateEndpointConnectionName]).sort()).toEqual([
      ["edge-private-link-approval-pec-first", "pec-first"],
      ["edge-private-link-approval-pec-second", "pec-second"],
    ]);
  });
});
