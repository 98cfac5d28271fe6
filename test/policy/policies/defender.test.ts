import * as d from "../../../policy/policies/defender";
import { runStackPolicy, UNKNOWN } from "../../helpers/policyHarness";
import { describePolicy, expectPass, expectViolation } from "./support";

const PRICING = "azure-native:security:Pricing";
const plan = {
  scopeId: "/subscriptions/s",
  pricingName: "KeyVaults",
  pricingTier: "Standard",
  subPlan: "PerKeyVault",
};

describePolicy(d.defenderPlanStandard, {
  type: PRICING,
  compliant: plan,
  violations: [
    ["pricingTier", "Free", /pricingTier of plan "KeyVaults" is "Free"; it must be Standard/],
    ["pricingTier", undefined, /must be Standard/],
  ],
  passes: [["pricingTier", "standard"]],
  unknown: "pricingTier",
});

describe("defender-plan-standard", () => {
  it("leaves plans the platform does not rely on alone", () =>
    expectPass(d.defenderPlanStandard, PRICING, {
      ...plan,
      pricingName: "VirtualMachines",
      pricingTier: "Free",
    }));
  it("judges a plan added to protectedPlans by config", () =>
    expectViolation(
      d.defenderPlanStandard,
      PRICING,
      { ...plan, pricingName: "Api", pricingTier: "Free" },
      /"Api"/,
      { protectedPlans: ["Api"] },
    ));
  it("matches an API-versioned token", () =>
    expectViolation(
      d.defenderPlanStandard,
      "azure-native:security/v20240101:Pricing",
      { ...plan, pricingTier: "Free" },
      /Standard/,
    ));
});

describePolicy(d.threatProtectionEnabled, {
  type: "azure-native:security:AdvancedThreatProtection",
  compliant: {
    resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1",
    isEnabled: true,
  },
  violations: [
    ["isEnabled", false, /threat protection is disabled/],
    ["isEnabled", undefined, /not enabled/],
  ],
  unknown: "isEnabled",
});

describe("threat-protection-enabled for Defender for Storage", () => {
  const DFS = "azure-native:security:DefenderForStorage";
  it("passes when enabled", () =>
    expectPass(d.threatProtectionEnabled, DFS, { properties: { isEnabled: true } }));
  it("blocks a per-account opt-out", () =>
    expectViolation(
      d.threatProtectionEnabled,
      DFS,
      { properties: { isEnabled: false, overrideSubscriptionLevelSettings: true } },
      /disabled/,
    ));
});

describe("defender-plans-cover-services", () => {
  const urn = (type: string, name: string) => `urn:pulumi:prod::secure-azure-platform::${type}::${name}`;
  const res = (type: string, name: string, props: Record<string, unknown> = {}) => ({
    type: `azure-native:${type}`,
    name,
    urn: urn(`azure-native:${type}`, name),
    props,
  });
  const pricing = (name: string, tier = "Standard") =>
    res("security:Pricing", `defender-${name}`, { pricingName: name, pricingTier: tier });
  const estate = () => [
    res("storage:StorageAccount", "st"),
    res("keyvault:Vault", "kv"),
    res("app:ManagedEnvironment", "env"),
    res("app:ContainerApp", "web"),
    res("dbforpostgresql:Server", "pg"),
    pricing("StorageAccounts"),
    pricing("KeyVaults"),
    pricing("Containers"),
    pricing("OpenSourceRelationalDatabases"),
  ];

  it("passes when every deployed service has its Standard plan", async () => {
    expect(await runStackPolicy(d.defenderPlansCoverServices, estate())).toEqual([]);
  });
  it("names each resource whose plan is missing", async () => {
    const result = await runStackPolicy(
      d.defenderPlansCoverServices,
      estate().filter((r) => r.name !== "defender-Containers"),
    );
    expect(result).toEqual([
      expect.stringMatching(/ManagedEnvironment env runs without the Defender plan Containers/),
      expect.stringMatching(/ContainerApp web runs without the Defender plan Containers/),
    ]);
  });
  it("does not count a Free plan", async () => {
    const resources = estate().map((r) =>
      r.name === "defender-KeyVaults" ? pricing("KeyVaults", "Free") : r,
    );
    expect(await runStackPolicy(d.defenderPlansCoverServices, resources)).toEqual([
      expect.stringMatching(/Vault kv runs without the Defender plan KeyVaults/),
    ]);
  });
  it("does not count a plan on another subscription or on a single resource", async () => {
    const sub = "/subscriptions/00000000-0000-4000-8000-000000000001";
    const other = "/subscriptions/00000000-0000-4000-8000-0000000000ff";
    const resources = estate().map((r) =>
      r.name === "st"
        ? { ...r, props: { id: `${sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st` } }
        : r.name === "defender-StorageAccounts"
          ? { ...r, props: { ...r.props, scopeId: other } }
          : r.name === "defender-KeyVaults"
            ? {
                ...r,
                props: {
                  ...r.props,
                  scopeId: `${sub}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/x`,
                },
              }
            : r,
    );
    expect(await runStackPolicy(d.defenderPlansCoverServices, resources)).toEqual([
      expect.stringMatching(
        /StorageAccount st runs without the Defender plan StorageAccounts on the Standard tier for its subscription 00000000-0000-4000-8000-000000000001$/,
      ),
      expect.stringMatching(/Vault kv runs without the Defender plan KeyVaults/),
    ]);
  });
  it("is off where another stack owns the subscription's plans (dev preset)", async () => {
    expect(
      await runStackPolicy(d.defenderPlansCoverServices, [res("keyvault:Vault", "kv")], {
        requireDefenderPlans: false,
      }),
    ).toEqual([]);
  });
  it("does not crash on unknown plan names (preview)", async () => {
    const resources = estate().map((r) =>
      r.type === PRICING ? { ...r, props: { ...r.props, pricingName: UNKNOWN } } : r,
    );
    const result = await runStackPolicy(d.defenderPlansCoverServices, resources);
    expect(result === "notApplicable" || Array.isArray(result)).toBe(true);
  });
});
