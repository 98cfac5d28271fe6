/**
 * EDGE-1: the only way in from the Internet. Azure Front Door Premium (built-in DDoS protection
 * at Microsoft's edge) with a WAF policy in Prevention mode, reaching each frontend app over
 * Private Link to the internal Container Apps environment, whose private endpoint connection
 * this component approves itself. HTTPS only: HTTP redirects, the origin is called over HTTPS,
 * custom domains get managed certificates and the strongest predefined TLS policy, and every
 * response carries HSTS. Logs go to the workspace (LOG-1); WAF block spikes and origin health
 * raise alerts (MON-1).
 *
 * Limits and rule sets are declared once in `frontDoorSpec.ts`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import * as cdn from "@pulumi/azure-native/cdn";
import * as frontdoor from "@pulumi/azure-native/frontdoor";
import type * as inputs from "@pulumi/azure-native/types/input";
import {
  EDGE_TLS_POLICY,
  FRONT_DOOR_SKU,
  frontDoorEndpointName,
  frontDoorEndpointNameProblem,
  frontDoorPrivateLinkLocation,
  FRONT_DOOR_PRIVATE_LINK_REGIONS,
  HSTS_HEADER_VALUE,
  MANAGED_RULE_SETS,
  PLATFORM_RULE_NAME,
  PLATFORM_RULE_PRIORITY,
  wafCustomRulesSchema,
  wafAllowedCountriesSchema,
  wafRateLimitSchema,
  customDomainSchema,
  type EdgeSettings,
  type WafCustomRule,
} from "./frontDoorSpec";
import { addMetricAlerts, type MetricAlertSpec } from "./common/alerts";
import { addDiagnostics } from "./common/diagnostics";
import { startArgChecks, type PlatformContext } from "./common/interfaces";
import { componentTags } from "./common/tags";
import { ArgProblems, parseArgs, PLATFORM_CONTEXT_KEYS, strictArgs } from "./common/schema";
import { z } from "zod";
import { componentType, withLegacyAlias } from "./common/componentType";

/** How Front Door's private endpoint connection request starts; the approval matches it. */
export const PRIVATE_LINK_REQUEST_MESSAGE = "Front Door (EDGE-1) private origin request";

/**
 * The full request message: the prefix and the profile's Front Door ID. Anyone who knows the
 * environment's resource ID can request a connection with any message; the profile's GUID is not
 * guessable from outside, so a copied prefix alone does not get a foreign endpoint approved.
 */
export function privateLinkRequestMessage(frontDoorId: string): string {
  return `${PRIVATE_LINK_REQUEST_MESSAGE} ${frontDoorId}`;
}

/**
 * The description the stack writes when it approves. Approving replaces the request message on
 * the connection, so the next run finds the stack's connections by this text.
 */
export const PRIVATE_LINK_APPROVAL_MESSAGE =
  "Approved by the platform stack for its Front Door profile (EDGE-1)";

/** Container Apps' Private Link sub-resource (group ID) for an environment. */
export const MANAGED_ENVIRONMENT_GROUP_ID = "managedEnvironments";

/** One frontend app served at the edge. */
export interface FrontDoorApp {
  /** App name (2-32 lowercase letters, digits, '-'); part of the endpoint's and origin's names. */
  name: string;
  /** The app's FQDN in the environment: origin host name and host header, so ingress routes it. */
  fqdn: pulumi.Input<string>;
  /** Path the health probes GET (the app's readiness path). */
  probePath: string;
}

export interface FrontDoorArgs {
  /** The foundation this component stands on. */
  platform: PlatformContext;
  /** The internal Container Apps environment the origins reach over Private Link. */
  environmentId: pulumi.Input<string>;
  /** Name of that environment (its private endpoint connections are approved for Front Door). */
  environmentName: pulumi.Input<string>;
  /** Frontends; at least one (no frontend, no edge). */
  apps: FrontDoorApp[];
  /** WAF rate limit, geo-filter, custom rules and custom domains (EDGE-1). */
  settings: EdgeSettings;
}

const ARG_KEYS = ["platform", "environmentId", "environmentName", "apps", "settings"] as const;

/** Front Door child names (endpoints, origins, rule sets): letters, digits, '-' (rule sets: no '-'). */
const CHILD_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,44}[a-zA-Z0-9])?$/;

/** The WAF's custom rules: the stack's own (1..99), the geo-filter (100) and the rate limit (200). */
export function wafCustomRules(settings: EdgeSettings): inputs.frontdoor.CustomRuleArgs[] {
  const own = settings.customRules.map((r: WafCustomRule) => ({
    name: r.name,
    priority: r.priority,
    enabledState: "Enabled",
    ruleType: "MatchRule",
    action: r.action,
    matchConditions: [
      {
        matchVariable: r.matchVariable,
        operator: r.operator,
        ...(r.selector ? { selector: r.selector } : {}),
        matchValue: [...r.matchValues],
        negateCondition: r.negateCondition,
      },
    ],
  }));
  // Negated GeoMatch conditions are ANDed: "not in A and not in B" is "not in A ∪ B", so the
  // list is split into groups of 10 without changing what the rule means.
  const countries = [...settings.allowedCountries];
  const geoGroups: string[][] = [];
  for (let i = 0; i < countries.length; i += 10) geoGroups.push(countries.slice(i, i + 10));
  const geo =
    countries.length > 0
      ? [
          {
            name: PLATFORM_RULE_NAME.geoFilter,
            priority: PLATFORM_RULE_PRIORITY.geoFilter,
            enabledState: "Enabled",
            ruleType: "MatchRule",
            action: "Block",
            matchConditions: geoGroups.map((group) => ({
              matchVariable: "SocketAddr",
              operator: "GeoMatch",
              negateCondition: true,
              matchValue: group,
            })),
          },
        ]
      : [];
  const rateLimit = {
    name: PLATFORM_RULE_NAME.rateLimit,
    priority: PLATFORM_RULE_PRIORITY.rateLimit,
    enabledState: "Enabled",
    ruleType: "RateLimitRule",
    action: "Block",
    rateLimitDurationInMinutes: 1,
    rateLimitThreshold: settings.rateLimitPerMinute,
    // Counted per client socket address: one noisy client cannot exhaust the others' budget.
    groupBy: [{ variableName: "SocketAddr" }],
    matchConditions: [{ matchVariable: "RequestUri", operator: "Any", matchValue: [] }],
  };
  return [...own, ...geo, rateLimit];
}

/** A private endpoint connection as `getManagedEnvironment` reports it. */
export interface EnvironmentConnection {
  name: string;
  privateLinkServiceConnectionState?: { status?: string; description?: string };
}

/**
 * The connections of the environment that are this profile's: Pending with its request message
 * (prefix and Front Door ID), or Approved with that message or the stack's approval text (written
 * by an earlier run; only the environment's owner can approve, so a requester cannot forge it).
 * Front Door may open more than one request (a known problem Microsoft's Container Apps tutorial
 * names: approve each with the matching description), so every match is returned. Rejected and
 * Disconnected ones cannot be approved again and are left alone. No match at all means Front
 * Door's request has not arrived yet (first deployment): the run stops and says to run it again,
 * rather than leave an edge that answers 502 for ever.
 */
export function frontDoorConnectionNames(
  owner: string,
  frontDoorId: string,
  connections: readonly EnvironmentConnection[] | undefined,
): string[] {
  const request = privateLinkRequestMessage(frontDoorId);
  const ours = (connections ?? []).filter((c) => {
    const status = (c.privateLinkServiceConnectionState?.status ?? "").toLowerCase();
    const description = c.privateLinkServiceConnectionState?.description ?? "";
    if (status === "pending") return description === request;
    if (status === "approved") return [request, PRIVATE_LINK_APPROVAL_MESSAGE].includes(description);
    return false;
  });
  if (ours.length === 0) {
    throw new pulumi.RunError(
      `${owner}: the environment has no pending or approved private endpoint connection requested by Front Door ("${request}"); Front Door opens it a few minutes after the origin is created: run the deployment again (docs/edge-and-siem.md, EDGE-1)`,
    );
  }
  return [...new Set(ours.map((c) => c.name))].sort();
}

/**
 * The edge settings' own rules (the stack config checks the same for stacks). Strict: a key the
 * component does not read (a typo such as `allowedCountry`, or a switch it does not have such as
 * `geoFilter: false`) is refused by name instead of silently dropped, so nobody believes a WAF
 * setting is in force that is not (EDGE-1).
 */
const edgeSettingsSchema = strictArgs(
  {
    rateLimitPerMinute: wafRateLimitSchema,
    allowedCountries: wafAllowedCountriesSchema,
    customRules: wafCustomRulesSchema,
    customDomains: z.record(z.string(), customDomainSchema),
  },
  "an edge setting (EDGE-1)",
);

/** One frontend app's own rules (strict, as the settings). */
const frontDoorAppSchema = strictArgs(
  {
    name: z
      .string({ message: "must be a Front Door name: letters, digits and '-', 1-46 characters" })
      .regex(CHILD_NAME, "must be a Front Door name: letters, digits and '-', 1-46 characters"),
    fqdn: z.custom<unknown>((v) => v !== undefined && v !== null && v !== "", "is required: the app's FQDN"),
    probePath: z
      .string({ message: "must be a path starting with '/'" })
      .startsWith("/", "must start with '/'"),
  },
  "a field of a frontend app (EDGE-1)",
);

/**
 * Every problem with the arguments at once, before anything registers: the schemas, then the
 * rules that read the platform (Private Link regions, endpoint names) and span fields.
 */
function checkArgs(owner: string, args: FrontDoorArgs, platformOk: boolean): void {
  const problems = new ArgProblems(owner);
  problems.check(() =>
    parseArgs(
      owner,
      z.object({ apps: z.array(frontDoorAppSchema).min(1, "must list at least one frontend (EDGE-1)") }),
      { apps: args.apps },
    ),
  );
  problems.check(() => parseArgs(owner, edgeSettingsSchema, args.settings, ["settings"]));
  for (const key of ["environmentId", "environmentName"] as const) {
    if (args[key] === undefined || args[key] === null || args[key] === "") {
      problems.add(
        [key],
        args[key],
        "is required: the internal Container Apps environment the origins reach",
      );
    }
  }
  // The rules below read the platform, the apps and the settings: without them, the problems so far are the report.
  if (!platformOk || !problems.ok) return problems.throwIfAny();
  const { settings, platform } = args;
  const { location, pairedLocation } = platform;
  if (!frontDoorPrivateLinkLocation(location, pairedLocation)) {
    problems.add(
      ["platform", "location"],
      location,
      `neither it nor its pair ${pairedLocation || "(none)"} offers Front Door Private Link (${FRONT_DOOR_PRIVATE_LINK_REGIONS.join(", ")}): the origins could not reach the environment privately (EDGE-1)`,
    );
  }
  const names = args.apps.map((a) => a.name);
  args.apps.forEach((a, i) => {
    const endpointProblem = frontDoorEndpointNameProblem(a.name, platform.namePrefix, platform.environment);
    if (endpointProblem) problems.add(["apps", i, "name"], a.name, endpointProblem);
  });
  for (const [appName, host] of Object.entries(settings.customDomains)) {
    if (!names.includes(appName)) {
      problems.add(
        ["settings", "customDomains", appName],
        host,
        `names no frontend app; allowed: ${names.join(", ")} (EDGE-1)`,
      );
    }
  }
  problems.throwIfAny();
}

/**
 * The edge (EDGE-1): Front Door Premium with a blocking WAF (managed rule sets, rate limit,
 * geo-filter), TLS 1.2+ and HSTS, reaching the internal apps over Private Link.
 */
export class FrontDoor extends pulumi.ComponentResource {
  /** Resource ID of the Front Door profile. */
  readonly profileId: pulumi.Output<string>;
  /** Resource ID of the WAF policy. */
  readonly wafPolicyId: pulumi.Output<string>;
  /** Per app: the `*.azurefd.net` host name the Internet uses (and the custom domain's CNAME target). */
  readonly endpointHostNames: Record<string, pulumi.Output<string>>;
  /** Per app with a custom domain: the TXT value to publish at `_dnsauth.<host>` for the managed certificate. */
  readonly domainValidationTokens: Record<string, pulumi.Output<string>>;
  /** The environment's private endpoint connections the stack approved for Front Door. */
  readonly privateLinkConnections: pulumi.Output<string[]>;

  constructor(name: string, args: FrontDoorArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = `FrontDoor "${name}"`;
    const { problems, platformOk } = startArgChecks(
      owner,
      args,
      ARG_KEYS,
      "WAF mode, rule sets, TLS and Private Link are fixed by EDGE-1",
      PLATFORM_CONTEXT_KEYS,
    );
    problems.check(() => checkArgs(owner, args, platformOk));
    problems.throwIfAny();
    const { platform, settings } = args;
    const tags = componentTags(platform, "internal", {}, owner);
    const label = `${platform.namePrefix}-${platform.environment}`;
    super(componentType("FrontDoor"), name, {}, withLegacyAlias("FrontDoor", opts));
    const parent = { parent: this };
    const rg = platform.resourceGroupName;

    const profile = new cdn.Profile(
      `${name}-profile`,
      {
        resourceGroupName: rg,
        profileName: `afd-${label}`,
        location: "global",
        sku: { name: FRONT_DOOR_SKU },
        originResponseTimeoutSeconds: 60,
        tags,
      },
      parent,
    );

    // Prevention mode, body inspection, Microsoft's managed rule sets blocking (EDGE-1).
    const waf = new frontdoor.Policy(
      `${name}-waf`,
      {
        resourceGroupName: rg,
        // Letters and digits only, starting with a letter.
        policyName: `waf${platform.namePrefix}${platform.environment}`,
        location: "Global",
        sku: { name: FRONT_DOOR_SKU },
        policySettings: {
          enabledState: "Enabled",
          mode: "Prevention",
          requestBodyCheck: "Enabled",
          customBlockResponseStatusCode: 403,
        },
        managedRules: { managedRuleSets: MANAGED_RULE_SETS.map((s) => ({ ...s })) },
        customRules: { rules: wafCustomRules(settings) },
        tags,
      },
      parent,
    );

    // HSTS (and no MIME sniffing) on every response, whatever the app sends (TLS-1).
    const ruleSet = new cdn.RuleSet(
      `${name}-security-headers`,
      { resourceGroupName: rg, profileName: profile.name, ruleSetName: "SecurityHeaders" },
      parent,
    );
    const headerRule = new cdn.Rule(
      `${name}-hsts`,
      {
        resourceGroupName: rg,
        profileName: profile.name,
        ruleSetName: ruleSet.name,
        ruleName: "Hsts",
        order: 1,
        conditions: [],
        actions: [
          {
            name: "ModifyResponseHeader",
            parameters: {
              typeName: "DeliveryRuleHeaderActionParameters",
              headerAction: "Overwrite",
              headerName: "Strict-Transport-Security",
              value: HSTS_HEADER_VALUE,
            },
          },
          {
            name: "ModifyResponseHeader",
            parameters: {
              typeName: "DeliveryRuleHeaderActionParameters",
              headerAction: "Overwrite",
              headerName: "X-Content-Type-Options",
              value: "nosniff",
            },
          },
        ],
        matchProcessingBehavior: "Continue",
      },
      parent,
    );

    const endpointHostNames: Record<string, pulumi.Output<string>> = {};
    const domainValidationTokens: Record<string, pulumi.Output<string>> = {};
    const wafDomains: pulumi.Input<string>[] = [];
    const origins: cdn.AFDOrigin[] = [];
    const routes: {
      app: FrontDoorApp;
      endpoint: cdn.AFDEndpoint;
      group: cdn.AFDOriginGroup;
      origin: cdn.AFDOrigin;
      domain?: cdn.AFDCustomDomain;
    }[] = [];

    for (const a of args.apps) {
      const endpoint = new cdn.AFDEndpoint(
        `${name}-${a.name}-endpoint`,
        {
          resourceGroupName: rg,
          profileName: profile.name,
          endpointName: frontDoorEndpointName(a.name, platform.namePrefix, platform.environment),
          location: "global",
          enabledState: "Enabled",
          // A hash in the host name: nobody can take over the name if the endpoint is deleted.
          autoGeneratedDomainNameLabelScope: "TenantReuse",
          tags,
        },
        parent,
      );
      endpointHostNames[a.name] = endpoint.hostName;
      wafDomains.push(endpoint.id);

      const group = new cdn.AFDOriginGroup(
        `${name}-${a.name}-origins`,
        {
          resourceGroupName: rg,
          profileName: profile.name,
          originGroupName: `og-${a.name}`,
          // Probes go over the same private HTTPS path as traffic, to the app's readiness path.
          healthProbeSettings: {
            probePath: a.probePath,
            probeProtocol: "Https",
            probeRequestType: "GET",
            probeIntervalInSeconds: 60,
          },
          loadBalancingSettings: {
            sampleSize: 4,
            successfulSamplesRequired: 3,
            additionalLatencyInMilliseconds: 50,
          },
          sessionAffinityState: "Disabled",
        },
        parent,
      );
      const origin = new cdn.AFDOrigin(
        `${name}-${a.name}-origin`,
        {
          resourceGroupName: rg,
          profileName: profile.name,
          originGroupName: group.name,
          originName: `o-${a.name}`,
          // The app's FQDN as host and host header: the environment's ingress routes by host.
          hostName: a.fqdn,
          originHostHeader: a.fqdn,
          httpPort: 80,
          httpsPort: 443,
          priority: 1,
          weight: 1000,
          enabledState: "Enabled",
          enforceCertificateNameCheck: true,
          // EDGE-1 / NET-2: the origin is reached through a private endpoint Front Door manages.
          sharedPrivateLinkResource: {
            privateLink: { id: args.environmentId },
            groupId: MANAGED_ENVIRONMENT_GROUP_ID,
            // The platform's region, or its pair where Front Door Private Link is not offered.
            privateLinkLocation: frontDoorPrivateLinkLocation(platform.location, platform.pairedLocation),
            requestMessage: profile.frontDoorId.apply(privateLinkRequestMessage),
          },
        },
        parent,
      );
      origins.push(origin);

      const host = settings.customDomains[a.name];
      let domain: cdn.AFDCustomDomain | undefined;
      if (host) {
        domain = new cdn.AFDCustomDomain(
          `${name}-${a.name}-domain`,
          {
            resourceGroupName: rg,
            profileName: profile.name,
            customDomainName: `${a.name}-${host.replace(/\./g, "-")}`.slice(0, 60).replace(/-+$/, ""),
            hostName: host,
            // Front Door issues and renews the certificate; TLS 1.3 preferred, 1.2 minimum (TLS-1).
            tlsSettings: { certificateType: "ManagedCertificate", cipherSuiteSetType: EDGE_TLS_POLICY },
          },
          {
            ...parent,
            // Once Front Door has issued the managed certificate it sets tlsSettings.secret.id to
            // a secret of its own (Azure/bicep#12713: what-if shows it as a change on every
            // deploy), and a refresh copies an output that changed since the last write into
            // the state's inputs (pulumi-azure-native provider.go Read, "apply this difference
            // to the actual inputs"): the next `pulumi up --refresh` would otherwise send the
            // domain without it. The stack never chooses that secret.
            ignoreChanges: ["tlsSettings.secret"],
          },
        );
        wafDomains.push(domain.id);
        domainValidationTokens[a.name] = domain.validationProperties.apply((v) => v?.validationToken ?? "");
      }
      routes.push({ app: a, endpoint, group, origin, domain });
    }

    // The WAF covers every endpoint and custom domain of the profile, every path.
    new cdn.SecurityPolicy(
      `${name}-waf-binding`,
      {
        resourceGroupName: rg,
        profileName: profile.name,
        securityPolicyName: "waf",
        parameters: {
          type: "WebApplicationFirewall",
          wafPolicy: { id: waf.id },
          associations: [{ domains: wafDomains.map((id) => ({ id })), patternsToMatch: ["/*"] }],
        },
      },
      parent,
    );

    for (const { app: a, endpoint, group, origin, domain } of routes) {
      new cdn.Route(
        `${name}-${a.name}-route`,
        {
          resourceGroupName: rg,
          profileName: profile.name,
          endpointName: endpoint.name,
          routeName: `r-${a.name}`,
          originGroup: { id: group.id },
          ruleSets: [{ id: ruleSet.id }],
          customDomains: domain ? [{ id: domain.id }] : [],
          // HTTP is accepted only to redirect it; Front Door calls the origin over HTTPS only.
          supportedProtocols: ["Http", "Https"],
          httpsRedirect: "Enabled",
          forwardingProtocol: "HttpsOnly",
          // A TLS policy (TLS12_2023) can only be set on a custom domain; the `*.azurefd.net` host
          // runs Front Door's own TLS defaults. An app with a custom domain is served on it only;
          // an app without one has no other host, so its default domain stays linked (EDGE-1).
          linkToDefaultDomain: domain ? "Disabled" : "Enabled",
          patternsToMatch: ["/*"],
          enabledState: "Enabled",
        },
        // Azure refuses a route to an origin group that has no origin yet.
        { parent: this, dependsOn: [origin, headerRule] },
      );
    }

    // The connections Front Door requested on the environment start Pending; approve them here
    // rather than in the portal. Azure names them (and may open several), so read them back once
    // the origins exist: one approval per connection. In a preview of a new edge the origins have
    // no ID yet, the read is unknown and no approval shows; `pulumi up` reads and approves.
    const connections = app.getManagedEnvironmentOutput(
      { resourceGroupName: rg, environmentName: args.environmentName },
      { parent: this, dependsOn: origins },
    ).privateEndpointConnections;
    const approved = pulumi.all([connections, profile.frontDoorId]).apply(([list, frontDoorId]) => {
      const names = frontDoorConnectionNames(owner, frontDoorId, list);
      for (const connectionName of names) {
        new app.ManagedEnvironmentPrivateEndpointConnection(
          `${name}-private-link-approval-${connectionName}`,
          {
            resourceGroupName: rg,
            environmentName: args.environmentName,
            privateEndpointConnectionName: connectionName,
            privateLinkServiceConnectionState: {
              status: "Approved",
              description: PRIVATE_LINK_APPROVAL_MESSAGE,
            },
          },
          parent,
        );
      }
      return names;
    });

    addDiagnostics(`${name}-profile`, profile.id, "frontDoorProfile", platform, undefined, parent);
    const alerts: MetricAlertSpec[] = [
      {
        name: "waf-block-spike",
        description: "The Front Door WAF blocked an unusual number of requests (attack or false positives)",
        metricNamespace: "Microsoft.Cdn/profiles",
        metricName: "WebApplicationFirewallRequestCount",
        dimensions: [{ name: "Action", values: ["Block"] }],
        operator: "GreaterThan",
        threshold: 500,
        aggregation: "Total",
        severity: 2,
        windowSize: "PT5M",
        frequency: "PT5M",
      },
      {
        name: "origin-health",
        description: "Front Door health probes fail for an origin (app down or Private Link not approved)",
        metricNamespace: "Microsoft.Cdn/profiles",
        metricName: "OriginHealthPercentage",
        operator: "LessThan",
        threshold: 90,
        aggregation: "Average",
        severity: 1,
        windowSize: "PT5M",
        frequency: "PT1M",
      },
    ];
    addMetricAlerts("frontdoor", profile.id, alerts, platform, parent);

    this.profileId = profile.id;
    this.wafPolicyId = waf.id;
    this.endpointHostNames = endpointHostNames;
    this.domainValidationTokens = domainValidationTokens;
    this.privateLinkConnections = approved;
    // Registered as an output so a failed read (no request yet) fails the deployment with its message.
    this.registerOutputs({
      profileId: this.profileId,
      wafPolicyId: this.wafPolicyId,
      privateLinkConnections: this.privateLinkConnections,
    });
  }
}
