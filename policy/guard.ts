/**
 * Typed composition of the platform's policies into another pack, in the manner of AwsGuard:
 * the caller picks an enforcement level per policy (or for `all`) and per-policy settings
 * typed by that policy's config, and gets the policy list or complete `PolicyPackArgs`.
 *
 * ```ts
 * import { PolicyPack } from "@pulumi/policy";
 * import { platformGuard } from "secure-azure-platform-policy/guard";
 *
 * new PolicyPack("team-x", platformGuard({
 *   all: "advisory",
 *   "allowed-locations": { enforcementLevel: "mandatory", allowedLocations: ["westeurope", "northeurope"] },
 *   "stateful-resources-locked": { requireLocks: false },
 *   "public-ip-restricted": "disabled",
 * }));
 * ```
 *
 * Settings become the policies' defaults (and their `configSchema` defaults); a pack config
 * passed at run time (`--policy-pack-config`) still overrides them, as for any pack.
 */
import type { EnforcementLevel, PolicyPackArgs } from "@pulumi/policy";
import type { ConfigShape } from "./lib/define";
import type { PlatformPolicy } from "./lib/types";
import { allPolicies } from "./policies";

type AnyPolicy = (typeof allPolicies)[number];

/** Names of the platform's policies. */
export type PlatformPolicyName = AnyPolicy["name"];

/** The config parameters of one policy, by name. */
export type PolicyConfigOf<N extends PlatformPolicyName> = Extract<AnyPolicy, { name: N }>["defaults"];

/** A level, or a level plus (some of) the policy's parameters. */
export type PolicySetting<N extends PlatformPolicyName> =
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Partial<PolicyConfigOf<N>>);

/** Settings for the whole composition: `all` first, then per policy. */
export type PlatformGuardSettings = { all?: EnforcementLevel } & {
  [N in PlatformPolicyName]?: PolicySetting<N>;
};

interface Reconfigurable {
  name: string;
  configure(level?: EnforcementLevel, settings?: Partial<ConfigShape>): PlatformPolicy;
}

/**
 * The platform's policies with the chosen levels and settings. Precedence as in Pulumi: the
 * policy's own setting, then `all`, then the policy's default (`mandatory`).
 */
export function composePolicies(settings: PlatformGuardSettings = {}): PlatformPolicy[] {
  const known = new Set<string>(allPolicies.map((p) => p.name));
  const unknown = Object.keys(settings).filter((key) => key !== "all" && !known.has(key));
  if (unknown.length > 0) {
    throw new Error(`unknown policy name(s) in platform guard settings: ${unknown.join(", ")}`);
  }
  return allPolicies.map((policy) => {
    const p = policy as unknown as Reconfigurable;
    const setting = (settings as Record<string, PolicySetting<PlatformPolicyName> | undefined>)[p.name];
    if (typeof setting === "string") return p.configure(setting);
    const { enforcementLevel, ...params } = setting ?? {};
    return p.configure(enforcementLevel ?? settings.all, params);
  });
}

/** `PolicyPackArgs` for `new PolicyPack(name, args)` with the composed policies. */
export function platformGuard(
  settings: PlatformGuardSettings = {},
  packArgs: Omit<PolicyPackArgs, "policies"> = {},
): PolicyPackArgs {
  return {
    enforcementLevel: "mandatory",
    description: "secure-azure-platform controls (composed)",
    provider: "azure",
    ...packArgs,
    policies: composePolicies(settings),
  };
}
