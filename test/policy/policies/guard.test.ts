import { composePolicies, platformGuard, type PlatformGuardSettings } from "../../../policy/guard";
import { platformPolicies } from "../../../policy/policies";
import { runResourcePolicy } from "../../helpers/policyHarness";

const byName = (list: { name: string }[], name: string) => list.find((p) => p.name === name)!;

describe("composition API (guard.ts)", () => {
  it("returns every policy, mandatory by default", () => {
    const policies = composePolicies();
    expect(policies.map((p) => p.name)).toEqual(platformPolicies.map((p) => p.name));
    expect(policies.every((p) => p.enforcementLevel === "mandatory")).toBe(true);
  });

  it("applies all, then per-policy levels", () => {
    const policies = composePolicies({
      all: "advisory",
      "allowed-locations": "mandatory",
      "public-ip-restricted": { enforcementLevel: "disabled" },
    });
    expect((byName(policies, "allowed-locations") as { enforcementLevel?: string }).enforcementLevel).toBe(
      "mandatory",
    );
    expect((byName(policies, "public-ip-restricted") as { enforcementLevel?: string }).enforcementLevel).toBe(
      "disabled",
    );
    expect((byName(policies, "storage-account-tls") as { enforcementLevel?: string }).enforcementLevel).toBe(
      "advisory",
    );
  });

  it("bakes typed settings into the policy and its schema defaults", async () => {
    const settings: PlatformGuardSettings = { "allowed-locations": { allowedLocations: ["westeurope"] } };
    const policy = byName(composePolicies(settings), "allowed-locations") as Parameters<
      typeof runResourcePolicy
    >[0];
    expect(policy.configSchema?.properties.allowedLocations.default).toEqual(["westeurope"]);
    const result = await runResourcePolicy(policy, {
      type: "azure-native:storage:StorageAccount",
      props: { location: "northeurope" },
    });
    expect(result).toHaveLength(1);
    // The original policy is unchanged.
    expect(
      await runResourcePolicy(byName(platformPolicies, "allowed-locations") as typeof policy, {
        type: "azure-native:storage:StorageAccount",
        props: { location: "northeurope" },
      }),
    ).toEqual([]);
  });

  it("refuses unknown policy names at run time", () => {
    expect(() =>
      composePolicies({ "no-such-policy": "advisory" } as unknown as PlatformGuardSettings),
    ).toThrow(/no-such-policy/);
  });

  it("builds PolicyPackArgs", () => {
    const args = platformGuard({ all: "advisory" }, { description: "team pack" });
    expect(args.description).toBe("team pack");
    expect(args.policies).toHaveLength(platformPolicies.length);
  });

  it("types settings per policy", () => {
    // @ts-expect-error minRetentionDays is a number
    const bad: PlatformGuardSettings = { "log-analytics-retention": { minRetentionDays: "long" } };
    // @ts-expect-error not a parameter of this policy
    const bad2: PlatformGuardSettings = { "allowed-locations": { requireLocks: true } };
    expect([bad, bad2]).toHaveLength(2);
  });
});
