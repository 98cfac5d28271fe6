import { CONTROL_IDS } from "../../../policy/lib/types";
import { allPolicies, platformPolicies, policiesByService } from "../../../policy/policies";
import { runResourcePolicy, runStackPolicy } from "../../helpers/policyHarness";

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Another value of the same kind as a parameter's default. */
function changedValue(value: unknown): unknown {
  if (typeof value === "boolean") return !value;
  if (typeof value === "number") return value + 1;
  if (typeof value === "string") return `${value}-changed`;
  if (Array.isArray(value)) return [...(value as unknown[]), "changed"];
  return { ...(value as object), changed: true };
}

describe("platformPolicies", () => {
  it("lists every policy once, in the by-service table too", () => {
    const names = platformPolicies.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    const byService = Object.values(policiesByService).flatMap((list) => list.map((p) => p.name));
    expect(byService.sort()).toEqual([...names].sort());
  });

  it.each(platformPolicies.map((p) => [p.name, p] as const))("%s has the pack's metadata", (name, policy) => {
    expect(name).toMatch(KEBAB);
    expect(name).not.toBe("all");
    expect(policy.description.length).toBeGreaterThan(20);
    expect(policy.controls.length).toBeGreaterThan(0);
    for (const control of policy.controls) expect(CONTROL_IDS).toContain(control);
    expect(["critical", "high", "medium", "low"]).toContain(policy.severity);
    expect(policy.remediation.length).toBeGreaterThan(10);
    expect(policy.enforcementLevel).toBe("mandatory");
    expect(policy.configSchema).toBeDefined();
  });

  it.each(allPolicies.map((p) => [p.name, p] as const))(
    "%s declares a default for every parameter and applies them",
    (_name, policy) => {
      const properties = policy.configSchema?.properties ?? {};
      expect(Object.keys(properties).sort()).toEqual(Object.keys(policy.defaults).sort());
      for (const [key, schema] of Object.entries(properties)) {
        expect(schema.default).toEqual((policy.defaults as Record<string, unknown>)[key]);
        expect(typeof schema.description).toBe("string");
      }
      // The policy applies its defaults itself: no config resolves to the schema defaults.
      expect(policy.resolveConfig({})).toEqual(policy.defaults);
      expect(policy.resolveConfig(undefined)).toEqual(policy.defaults);
      // A config object changed since the last run is resolved again (policies reuse the last one).
      const [key] = Object.keys(policy.defaults);
      if (key !== undefined) {
        const defaults = policy.defaults as Record<string, unknown>;
        const raw: Record<string, unknown> = {};
        expect(policy.resolveConfig(raw)).toEqual(defaults);
        raw[key] = defaults[key];
        expect(policy.resolveConfig(raw)).toEqual(defaults);
        raw[key] = changedValue(defaults[key]);
        expect(policy.resolveConfig(raw)).toEqual({ ...defaults, [key]: raw[key] });
      }
    },
  );

  it("every policy runs without config (defaults applied by the policy) and without crashing on empty props", async () => {
    for (const policy of allPolicies) {
      const result =
        "validateStack" in policy
          ? await runStackPolicy(
              policy,
              [{ type: "azure-native:storage:StorageAccount", name: "st", props: {} }],
              {},
            )
          : await runResourcePolicy(
              policy,
              {
                type:
                  policy.resourceTypes?.[0] === "*"
                    ? "azure-native:storage:StorageAccount"
                    : (policy.resourceTypes?.[0] ?? ""),
                props: {},
              },
              {},
            );
      expect(result === "notApplicable" || Array.isArray(result)).toBe(true);
    }
  });

  it("covers every control of the catalog", () => {
    const covered = new Set(platformPolicies.flatMap((p) => p.controls));
    expect(CONTROL_IDS.filter((c) => !covered.has(c))).toEqual([]);
  });
});
