/**
 * EDGE-1 in one place: the limits, rule sets and TLS policy of the Front Door edge, read by the
 * stack config schema, the FrontDoor component, the policy pack's defaults and the docs. Pure
 * data and validation, no resources.
 */
import { z } from "zod";
import { enumValues, type SameType } from "./common/enums";

/** Front Door SKU with Private Link origins and the managed WAF rule sets (Standard has neither). */
export const FRONT_DOOR_SKU = "Premium_AzureFrontDoor";

/**
 * Managed rule sets the WAF runs, all blocking. DRS 2.1 scores anomalies and blocks at the
 * threshold (its `ruleSetAction` is `Block`); the bot manager blocks known bad bots.
 */
export const MANAGED_RULE_SETS = [
  { ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1", ruleSetAction: "Block" },
  { ruleSetType: "Microsoft_BotManagerRuleSet", ruleSetVersion: "1.1", ruleSetAction: "Block" },
] as const;

/**
 * The strongest predefined TLS policy of the cdn API 2025-06-01 (`AfdCipherSuiteSetType`):
 * TLS 1.3 preferred, TLS 1.2 minimum with ECDHE + AES-GCM suites only.
 */
export const EDGE_TLS_POLICY = "TLS12_2023";

/** HSTS for every response at the edge (two years, subdomains; preload is the owner's decision). */
export const HSTS_HEADER_VALUE = "max-age=63072000; includeSubDomains";

/** WAF rate limit per client IP and minute: Front Door's minimum threshold is 10. */
export const WAF_RATE_LIMIT = { min: 10, max: 100_000, default: 1_000 } as const;

/** EU member states (ISO 3166-1 alpha-2): the geo-filter's default allow list. */
export const EU_COUNTRY_CODES = [
  "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "GR", "DE", "HU", "IE",
  "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
] as const; // prettier-ignore

/**
 * A Front Door endpoint's name: 2-46 letters, digits or '-', starting and ending alphanumeric.
 * Azure appends a 16-character hash to it in the `*.azurefd.net` host (`<name>-<hash>.<zone>`), and
 * the DNS label holds 63 characters (hashicorp/terraform-provider-azurerm
 * internal/services/cdn/validate: CdnFrontDoorEndpointName, "between 2 and 46 characters"); a longer
 * name fails the endpoint's PUT half-way through the deployment.
 */
export const FRONT_DOOR_ENDPOINT_NAME = {
  max: 46,
  pattern: /^[a-zA-Z0-9][a-zA-Z0-9-]{0,44}[a-zA-Z0-9]$/,
} as const;

/** The endpoint name of a frontend app: `fde-<app>-<namePrefix>-<environment>` (one rule, read by config and component). */
export function frontDoorEndpointName(app: string, namePrefix: string, environment: string): string {
  return `fde-${app}-${namePrefix}-${environment}`;
}

/** Why an app's endpoint name is refused, or undefined when Azure accepts it. */
export function frontDoorEndpointNameProblem(
  app: string,
  namePrefix: string,
  environment: string,
): string | undefined {
  const name = frontDoorEndpointName(app, namePrefix, environment);
  if (FRONT_DOOR_ENDPOINT_NAME.pattern.test(name)) return undefined;
  const room = FRONT_DOOR_ENDPOINT_NAME.max - (name.length - app.length);
  return `makes the Front Door endpoint name "${name}" (${name.length} characters); Azure allows at most ${FRONT_DOOR_ENDPOINT_NAME.max} letters, digits or '-': a frontend's name may have at most ${room} characters with namePrefix "${namePrefix}" in ${environment} (EDGE-1)`;
}

/**
 * Regions where Front Door Premium can place the private endpoint of a Private Link origin
 * (`sharedPrivateLinkResource.privateLinkLocation`): Microsoft's "Secure your Origin with Private
 * Link in Azure Front Door Premium", Region availability (public cloud). Elsewhere the origin's PUT
 * fails; Microsoft: the feature is region agnostic, "if your origin's region isn't supported ...
 * pick the next nearest region".
 */
export const FRONT_DOOR_PRIVATE_LINK_REGIONS: readonly string[] = [
  // Europe
  "francecentral", "germanywestcentral", "northeurope", "norwayeast", "swedencentral", "uksouth", "westeurope",
  // Americas
  "brazilsouth", "canadacentral", "centralus", "eastus", "eastus2", "southcentralus", "westus2", "westus3",
  // Middle East and Africa
  "southafricanorth", "uaenorth",
  // Asia Pacific
  "australiaeast", "centralindia", "eastasia", "japaneast", "koreacentral", "southeastasia",
]; // prettier-ignore

/** Whether Front Door Private Link is offered in `region` (`West Europe` or `westeurope`): what the component and the offline plan's Azure both ask. */
export function frontDoorPrivateLinkOffered(region: string): boolean {
  return FRONT_DOOR_PRIVATE_LINK_REGIONS.includes(region.replace(/\s+/g, "").toLowerCase());
}

/**
 * Where the edge's private endpoint to the apps environment lives: the platform's region when
 * Front Door Private Link is offered there, else its Azure pair (the same country's other region:
 * the nearest, and allowed by RES-1 since the pair must be), else none.
 */
export function frontDoorPrivateLinkLocation(location: string, pairedLocation: string): string | undefined {
  // As written: an origin deployed before keeps exactly its value (no update from a case change).
  if (frontDoorPrivateLinkOffered(location)) return location;
  if (pairedLocation && frontDoorPrivateLinkOffered(pairedLocation)) return pairedLocation;
  return undefined;
}

/** Custom rule priorities the platform uses itself; per-stack rules take 1..99. */
export const PLATFORM_RULE_PRIORITY = { geoFilter: 100, rateLimit: 200 } as const;
/** The names of the platform's own custom rules; a stack rule may not take one. */
export const PLATFORM_RULE_NAME = {
  geoFilter: "BlockOutsideAllowedCountries",
  rateLimit: "RateLimitPerClientIp",
} as const;

/**
 * A Front Door (Standard/Premium) WAF policy's limits: Azure refuses a policy PUT beyond them, so
 * the deploy would stop at the WAF (Microsoft's "Azure Front Door limits",
 * MicrosoftDocs/azure-docs includes/front-door-limits.md: WAF custom rules per policy 100, match
 * conditions per custom rule 10, custom regex rules per policy 5, IP address ranges per match
 * condition 600, string match values per match condition 10, string match value length 256).
 * Every operator's values except IPMatch's CIDR ranges count as string match values; the page
 * names no separate limit for GeoMatch country codes, so they are counted as string values too
 * (the geo-filter keeps 10 per condition, within either reading). The IP ranges are per match
 * condition in the page's Standard/Premium table (per custom rule in its classic-tier table); a
 * stack rule has one condition, so both readings agree for it.
 */
export const WAF_POLICY_LIMITS = {
  customRules: 100,
  matchConditionsPerRule: 10,
  regexRules: 5,
  ipRangesPerCondition: 600,
  stringValuesPerCondition: 10,
  stringValueLength: 256,
} as const;

/** The geo-filter's countries fit one rule: 10 conditions of 10 codes. */
export const WAF_MAX_ALLOWED_COUNTRIES =
  WAF_POLICY_LIMITS.matchConditionsPerRule * WAF_POLICY_LIMITS.stringValuesPerCondition;

/** The stack's own custom rules share the policy with the platform's (geo-filter, rate limit). */
export const WAF_MAX_STACK_CUSTOM_RULES =
  WAF_POLICY_LIMITS.customRules - Object.keys(PLATFORM_RULE_PRIORITY).length;

/** How many values one match condition with this operator may list. */
export function wafValuesPerCondition(operator: string): number {
  return operator === "IPMatch"
    ? WAF_POLICY_LIMITS.ipRangesPerCondition
    : WAF_POLICY_LIMITS.stringValuesPerCondition;
}

/**
 * What Azure refuses in a WAF policy's custom rules (`customRules.rules` of
 * `azure-native:frontdoor:Policy`), per WAF_POLICY_LIMITS, and two rules with the same priority or
 * name ("Priority numbers must be unique among all custom rules"; a copied rule needs "a unique
 * name for the rule and a unique priority value": Microsoft's "Custom rules for Azure Web
 * Application Firewall on Azure Front Door"; names compared without case, which that page does not
 * settle); empty when it accepts them.
 */
export function wafPolicyLimitProblems(rules: readonly unknown[]): string[] {
  const problems: string[] = [];
  const L = WAF_POLICY_LIMITS;
  if (rules.length > L.customRules) problems.push(`${rules.length} custom rules; at most ${L.customRules}`);
  let regex = 0;
  rules.forEach((raw, i) => {
    const rule = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    const label = `rule ${typeof rule.name === "string" ? rule.name : i}`;
    const conditions = Array.isArray(rule.matchConditions) ? rule.matchConditions : [];
    if (conditions.length > L.matchConditionsPerRule)
      problems.push(`${label}: ${conditions.length} match conditions; at most ${L.matchConditionsPerRule}`);
    let usesRegex = false;
    conditions.forEach((rawCondition, j) => {
      const c = (typeof rawCondition === "object" && rawCondition !== null ? rawCondition : {}) as Record<
        string,
        unknown
      >;
      const operator = typeof c.operator === "string" ? c.operator : "";
      if (operator === "RegEx") usesRegex = true;
      const values = Array.isArray(c.matchValue) ? c.matchValue : [];
      const max = wafValuesPerCondition(operator);
      if (values.length > max)
        problems.push(`${label}, condition ${j} (${operator}): ${values.length} values; at most ${max}`);
      const long = values.filter((v) => typeof v === "string" && v.length > L.stringValueLength);
      if (operator !== "IPMatch" && long.length > 0)
        problems.push(
          `${label}, condition ${j}: a value of ${(long[0] as string).length} characters; at most ${L.stringValueLength}`,
        );
    });
    if (usesRegex) regex++;
  });
  if (regex > L.regexRules) problems.push(`${regex} rules use RegEx; at most ${L.regexRules}`);
  for (const key of ["priority", "name"] as const) {
    const seen = new Map<string, number>();
    rules.forEach((raw, i) => {
      const v = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>)[key] : undefined;
      if (typeof v !== "string" && typeof v !== "number") return;
      const k = String(v).toLowerCase();
      if (seen.has(k))
        problems.push(`rules ${seen.get(k)} and ${i} have the same ${key} ${JSON.stringify(v)}`);
      else seen.set(k, i);
    });
  }
  return problems;
}

/** What a per-stack custom rule does: block or log only, never Allow (EDGE-1). */
export const CustomRuleAction = {
  /** Refuse the request. */
  Block: "Block",
  /** Let it through and log the match. */
  Log: "Log",
} as const;
export type CustomRuleAction = (typeof CustomRuleAction)[keyof typeof CustomRuleAction];
export const CUSTOM_RULE_ACTIONS = enumValues(CustomRuleAction);

/** What part of the request a custom rule matches on. */
export const CustomRuleMatchVariable = {
  /** Client IP as Front Door sees it (after X-Forwarded-For). */
  RemoteAddr: "RemoteAddr",
  /** IP of the TCP connection. */
  SocketAddr: "SocketAddr",
  /** HTTP method. */
  RequestMethod: "RequestMethod",
  /** Full request URI. */
  RequestUri: "RequestUri",
  /** A request header (`selector` names it). */
  RequestHeader: "RequestHeader",
  /** A query argument (`selector` names it). */
  QueryString: "QueryString",
  /** Request body. */
  RequestBody: "RequestBody",
} as const;
export type CustomRuleMatchVariable = (typeof CustomRuleMatchVariable)[keyof typeof CustomRuleMatchVariable];
export const CUSTOM_RULE_VARIABLES = enumValues(CustomRuleMatchVariable);

/** How a custom rule compares the match variable with its values. */
export const CustomRuleOperator = {
  /** Address in one of the CIDR ranges. */
  IPMatch: "IPMatch",
  /** Client's country in the list. */
  GeoMatch: "GeoMatch",
  /** Equal to a value. */
  Equal: "Equal",
  /** Contains a value. */
  Contains: "Contains",
  /** Begins with a value. */
  BeginsWith: "BeginsWith",
  /** Ends with a value. */
  EndsWith: "EndsWith",
  /** Matches a regular expression. */
  RegEx: "RegEx",
} as const;
export type CustomRuleOperator = (typeof CustomRuleOperator)[keyof typeof CustomRuleOperator];
export const CUSTOM_RULE_OPERATORS = enumValues(CustomRuleOperator);

/** A per-stack WAF custom rule (`secure-azure-platform:wafCustomRules[]`). */
export const wafCustomRuleSchema = z
  .strictObject({
    /** Letters and digits, starting with a letter (Front Door's rule-name rule), at most 128. */
    name: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{0,127}$/, "must be letters and digits, starting with a letter"),
    /** 1..99: evaluated before the platform's geo-filter (100) and rate limit (200). */
    priority: z
      .number()
      .int()
      .min(1, "must be 1..99")
      .max(99, "must be 1..99 (100+ are the platform's rules)"),
    action: z.enum(CUSTOM_RULE_ACTIONS, {
      message: `must be ${CUSTOM_RULE_ACTIONS.join(" or ")}: an Allow rule would skip the managed rule sets (EDGE-1)`,
    }),
    matchVariable: z.enum(CUSTOM_RULE_VARIABLES, {
      message: `must be one of ${CUSTOM_RULE_VARIABLES.join(", ")}`,
    }),
    operator: z.enum(CUSTOM_RULE_OPERATORS, {
      message: `must be one of ${CUSTOM_RULE_OPERATORS.join(", ")}`,
    }),
    /** Header name for RequestHeader, argument name for QueryString. */
    selector: z.string().min(1).optional(),
    matchValues: z
      .array(
        z
          .string()
          .min(1)
          .max(
            WAF_POLICY_LIMITS.stringValueLength,
            `must be at most ${WAF_POLICY_LIMITS.stringValueLength} characters (Front Door's WAF limit)`,
          ),
      )
      .min(1, "must list at least one value"),
    negateCondition: z.boolean().default(false),
  })
  .superRefine((rule, ctx) => {
    const max = wafValuesPerCondition(rule.operator);
    if (rule.matchValues.length > max)
      ctx.addIssue({
        code: "custom",
        path: ["matchValues"],
        message: `lists ${rule.matchValues.length} values; Front Door takes at most ${max} per condition with ${rule.operator} (split the rule)`,
      });
  });

/** The stack's custom rules: what fits one WAF policy beside the platform's two rules (EDGE-1). */
export const wafCustomRulesSchema = z
  .array(wafCustomRuleSchema)
  .max(
    WAF_MAX_STACK_CUSTOM_RULES,
    `must list at most ${WAF_MAX_STACK_CUSTOM_RULES} rules (Front Door's WAF takes ${WAF_POLICY_LIMITS.customRules} per policy, 2 are the platform's)`,
  )
  .refine((rules) => rules.filter((r) => r.operator === "RegEx").length <= WAF_POLICY_LIMITS.regexRules, {
    message: `must have at most ${WAF_POLICY_LIMITS.regexRules} RegEx rules (Front Door's WAF limit per policy)`,
  })
  .superRefine((rules, ctx) => {
    // Front Door refuses two custom rules with the same priority or name (wafPolicyLimitProblems);
    // the platform's own rules keep their names (their priorities are outside 1..99).
    const names = new Map<string, number>(
      Object.values(PLATFORM_RULE_NAME).map((n) => [n.toLowerCase(), -1] as const),
    );
    const priorities = new Map<number, number>();
    rules.forEach((rule, i) => {
      const name = names.get(rule.name.toLowerCase());
      if (name !== undefined)
        ctx.addIssue({
          code: "custom",
          path: [i, "name"],
          message:
            name < 0
              ? "is the name of one of the platform's own WAF rules"
              : `is also the name of rule ${name} (Front Door needs unique rule names)`,
        });
      else names.set(rule.name.toLowerCase(), i);
      const priority = priorities.get(rule.priority);
      if (priority !== undefined)
        ctx.addIssue({
          code: "custom",
          path: [i, "priority"],
          message: `is also the priority of rule ${priority} (Front Door needs unique priorities)`,
        });
      else priorities.set(rule.priority, i);
    });
  });
/** A per-stack WAF custom rule; `wafCustomRuleSchema` is its rule. */
export interface WafCustomRule {
  /** Letters and digits, starting with a letter (Front Door's rule-name rule), at most 128. */
  name: string;
  /** 1..99: evaluated before the platform's geo-filter (100) and rate limit (200). */
  priority: number;
  /** Block or Log; never Allow (EDGE-1). */
  action: CustomRuleAction;
  /** What the rule matches on. */
  matchVariable: CustomRuleMatchVariable;
  /** How it compares. */
  operator: CustomRuleOperator;
  /** Header name for RequestHeader, argument name for QueryString. */
  selector?: string;
  /** Values to compare with; at least one. */
  matchValues: string[];
  /** Match when the condition is false. */
  negateCondition: boolean;
}
const customRuleMatchesSchema: SameType<WafCustomRule, z.output<typeof wafCustomRuleSchema>> = true;
void customRuleMatchesSchema;

/** A DNS host name Front Door can serve with a managed certificate (no wildcard, no apex checks). */
export const CUSTOM_DOMAIN =
  /^(?=.{4,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.[a-z]{2,63}$/;

/**
 * The edge settings' rules, read by the stack config (`waf*`, `frontDoorCustomDomains`) and the
 * FrontDoor component alike: one rule, one place (EDGE-1).
 */
export const wafRateLimitSchema = z
  .number({ message: "must be a whole number of requests" })
  .int("must be a whole number of requests")
  .min(
    WAF_RATE_LIMIT.min,
    `must be ${WAF_RATE_LIMIT.min}..${WAF_RATE_LIMIT.max} (Front Door's minimum is ${WAF_RATE_LIMIT.min}; EDGE-1)`,
  )
  .max(WAF_RATE_LIMIT.max, `must be ${WAF_RATE_LIMIT.min}..${WAF_RATE_LIMIT.max} (EDGE-1)`);
/** A geo-filter country: what Front Door's GeoMatch takes. */
export const countryCodeSchema = z
  .string()
  .regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 country code such as DE");
/** The geo-filter's allowed countries: at most what one WAF rule holds. */
export const wafAllowedCountriesSchema = z
  .array(countryCodeSchema)
  .max(
    WAF_MAX_ALLOWED_COUNTRIES,
    `must list at most ${WAF_MAX_ALLOWED_COUNTRIES} countries (one WAF rule: ${WAF_POLICY_LIMITS.matchConditionsPerRule} conditions of ${WAF_POLICY_LIMITS.stringValuesPerCondition}, Front Door's limits)`,
  );
/** A custom domain Front Door serves with a managed certificate. */
export const customDomainSchema = z
  .string()
  .regex(CUSTOM_DOMAIN, "must be a lowercase DNS host name such as app.example.com (no wildcard)");

/** The edge settings of the stack config, as the FrontDoor component takes them. */
export interface EdgeSettings {
  /** Requests per client IP and minute before the WAF blocks (10..100000). */
  rateLimitPerMinute: number;
  /** ISO country codes allowed; empty: no geo-filter. */
  allowedCountries: string[];
  /** Per-stack custom rules (priority 1..99, Block or Log). */
  customRules: WafCustomRule[];
  /** App name -> custom host name served with a Front Door managed certificate. */
  customDomains: Readonly<Record<string, string>>;
}
