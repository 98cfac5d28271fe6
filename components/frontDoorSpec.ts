/**
 * EDGE-1 in one place: the limits, rule sets and TLS policy of the Front Door edge, read by the
 * stack config schema, the FrontDoor component, the policy pack's defaults and the docs. Pure
 * data and validation, no resources.
 */
import { z } from "zod";

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

/** Custom rule priorities the platform uses itself; per-stack rules take 1..99. */
export const PLATFORM_RULE_PRIORITY = { geoFilter: 100, rateLimit: 200 } as const;

/** What a per-stack custom rule may match on and do: blocking or logging only, never Allow. */
export const CUSTOM_RULE_ACTIONS = ["Block", "Log"] as const;
export const CUSTOM_RULE_VARIABLES = [
  "RemoteAddr",
  "SocketAddr",
  "RequestMethod",
  "RequestUri",
  "RequestHeader",
  "QueryString",
  "RequestBody",
] as const;
export const CUSTOM_RULE_OPERATORS = [
  "IPMatch",
  "GeoMatch",
  "Equal",
  "Contains",
  "BeginsWith",
  "EndsWith",
  "RegEx",
] as const;

/** A per-stack WAF custom rule (`secure-azure-platform:wafCustomRules[]`). */
export const wafCustomRuleSchema = z.strictObject({
  /** Letters and digits, starting with a letter (Front Door's rule-name rule), at most 128. */
  name: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,127}$/, "must be letters and digits, starting with a letter"),
  /** 1..99: evaluated before the platform's geo-filter (100) and rate limit (200). */
  priority: z.number().int().min(1, "must be 1..99").max(99, "must be 1..99 (100+ are the platform's rules)"),
  action: z.enum(CUSTOM_RULE_ACTIONS, {
    message: `must be ${CUSTOM_RULE_ACTIONS.join(" or ")}: an Allow rule would skip the managed rule sets (EDGE-1)`,
  }),
  matchVariable: z.enum(CUSTOM_RULE_VARIABLES, {
    message: `must be one of ${CUSTOM_RULE_VARIABLES.join(", ")}`,
  }),
  operator: z.enum(CUSTOM_RULE_OPERATORS, { message: `must be one of ${CUSTOM_RULE_OPERATORS.join(", ")}` }),
  /** Header name for RequestHeader, argument name for QueryString. */
  selector: z.string().min(1).optional(),
  matchValues: z.array(z.string().min(1)).min(1, "must list at least one value"),
  negateCondition: z.boolean().default(false),
});
export type WafCustomRule = z.output<typeof wafCustomRuleSchema>;

/** A DNS host name Front Door can serve with a managed certificate (no wildcard, no apex checks). */
export const CUSTOM_DOMAIN =
  /^(?=.{4,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.[a-z]{2,63}$/;

/** The edge settings of the stack config, as the FrontDoor component takes them. */
export interface EdgeSettings {
  /** Requests per client IP and minute before the WAF blocks (10..100000). */
  rateLimitPerMinute: number;
  /** ISO country codes allowed; empty: no geo-filter. */
  allowedCountries: readonly string[];
  /** Per-stack custom rules (priority 1..99, Block or Log). */
  customRules: readonly WafCustomRule[];
  /** App name -> custom host name served with a Front Door managed certificate. */
  customDomains: Readonly<Record<string, string>>;
}
