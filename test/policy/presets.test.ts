/**
 * The presets as an attacker's pull request would change them (ENV-1: production runs the pack
 * with every control mandatory). A preset is configuration, so nothing refuses a value that
 * quietly turns a control off: `minKeySize: 2048`, `requireLocks: false` or one policy set to
 * advisory in prod.json loads, passes both plans and reads like a tuning change. Prod must stay
 * at least as strict as every policy's own defaults; dev relaxes only what its preset names.
 */
import { loadPackConfig, reconcilePackConfig, type PackConfig } from "../../lib/analyzer/config";
import { platformPolicies } from "../../policy/policies";
import { allowedDestinationsParam } from "../../policy/lib/relations";

/** Dev's reviewed advisory policy (bypass8: the lead keeps the type gate advisory in dev). */
const DEV_ADVISORY = ["azure-resource-type-allowed"];

/** Why a preset is weaker than the policies' defaults where it must not be; [] when it is not. */
function weakenings(
  config: PackConfig,
  advisoryAllowed: readonly string[],
  relaxParameters: boolean,
): string[] {
  const { policies, problems } = reconcilePackConfig(platformPolicies, config);
  const found = [...problems];
  for (const policy of platformPolicies) {
    const resolved = policies.get(policy.name)!;
    if (resolved.enforcementLevel !== "mandatory" && !advisoryAllowed.includes(policy.name))
      found.push(`${policy.name}: ${resolved.enforcementLevel}, not mandatory`);
    if (relaxParameters) continue;
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
      const fallback = (schema as { default?: unknown }).default;
      const value = resolved.properties[key];
      // A require* switch turned off, a minimum lowered or a maximum raised is a weaker control.
      if (/^require/.test(key) && fallback === true && value !== true)
        found.push(`${policy.name}.${key}: ${String(value)}`);
      if (typeof fallback === "number" && typeof value === "number") {
        if (/^min/.test(key) && value < fallback) found.push(`${policy.name}.${key}: ${value} < ${fallback}`);
        if (/^max/.test(key) && value > fallback) found.push(`${policy.name}.${key}: ${value} > ${fallback}`);
      }
      // Prod is stricter than the parameter's own rule (relations.ts: at least a subscription or
      // management group, which the config check enforces everywhere): a reviewed exception in
      // prod names at least a resource group, never a whole subscription.
      const patternOf = (s: unknown) => (s as { items?: { pattern?: string } } | undefined)?.items?.pattern;
      const isDestinations = patternOf(schema) === patternOf(allowedDestinationsParam.schema);
      if (isDestinations && Array.isArray(value))
        for (const entry of value)
          if (!/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+/i.test(String(entry).trim()))
            found.push(`${policy.name}.${key}: ${JSON.stringify(entry)} is broader than a resource group`);
    }
  }
  return found;
}

describe("presets cannot quietly weaken a control (ENV-1)", () => {
  it("prod runs every policy mandatory, at least as strict as the policies' defaults", () =>
    expect(weakenings(loadPackConfig("prod"), [], false)).toEqual([]));
  it("dev runs every policy mandatory except its reviewed advisory gate", () =>
    expect(weakenings(loadPackConfig("dev"), DEV_ADVISORY, true)).toEqual([]));
  it.each([
    ["a policy set to advisory", { "storage-account-private-access": "advisory" }, /advisory, not mandatory/],
    ["a policy disabled", { "storage-account-private-access": "disabled" }, /disabled, not mandatory/],
    ["a smaller key", { "key-vault-key-strength": { minKeySize: 2048 } }, /minKeySize: 2048 < 3072/],
    ["locks off", { "stateful-resources-locked": { requireLocks: false } }, /requireLocks: false/],
    [
      "slower rotation",
      { "key-vault-key-rotation": { maxRotationDays: 3650 } },
      /maxRotationDays: 3650 > 365/,
    ],
    [
      "an allow-list entry for everything",
      { "log-export-in-stack": { allowedDestinations: ["/"] } },
      /broader/,
    ],
  ])("refuses %s in prod", (_what, change, message) => {
    const config = { ...loadPackConfig("prod"), ...change } as PackConfig;
    expect(weakenings(config, [], false).join("\n")).toMatch(message);
  });
});
