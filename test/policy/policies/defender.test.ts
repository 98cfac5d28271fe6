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
  // bypass11b: a plan the platform does not rely on was left alone, so a stack (dev, in a
  // subscription it shares with prod) could turn Defender for Resource Manager or servers off.
  it.each(["VirtualMachines", "Arm", "CloudPosture"])(
    "refuses turning off %s, a plan the platform does not rely on (the subscription's)",
    (pricingName) =>
      expectViolation(
        d.defenderPlanStandard,
        PRICING,
        { scopeId: "/subscriptions/s", pricingName, pricingTier: "Free" },
        new RegExp(`pricingTier of plan "${pricingName}" is "Free"; it must be Standard`),
      ),
  );
  it("judges the platform's sub-plan on its own plans only", () =>
    expectPass(d.defenderPlanStandard, PRICING, {
      scopeId: "/subscriptions/s",
      pricingName: "VirtualMachines",
      pricingTier: "Standard",
      subPlan: "P1",
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

describe("defender-plan-standard: sub-plans and extensions of controls/defender.ts", () => {
  const storage = {
    scopeId: "/subscriptions/s",
    pricingName: "StorageAccounts",
    pricingTier: "Standard",
    subPlan: "DefenderForStorageV2",
  };
  const ext = (name: string, isEnabled: string, cap?: string) => ({
    name,
    isEnabled,
    ...(cap === undefined ? {} : { additionalExtensionProperties: { CapGBPerMonthPerStorageAccount: cap } }),
  });
  it("accepts V2 with its extensions on, uncapped or at Azure's default cap", () =>
    expectPass(d.defenderPlanStandard, PRICING, {
      ...storage,
      extensions: [ext("OnUploadMalwareScanning", "True", "-1"), ext("SensitiveDataDiscovery", "True")],
    }));
  it("accepts the stack's own declaration: scanning stated off, left to the subscription Owner (controls/defender.ts)", () =>
    expectPass(d.defenderPlanStandard, PRICING, {
      ...storage,
      extensions: [ext("OnUploadMalwareScanning", "False"), ext("SensitiveDataDiscovery", "False")],
    }));
  it.each([
    [
      "a classic sub-plan",
      { subPlan: "PerTransaction" },
      /subPlan of plan "StorageAccounts" is "PerTransaction"; it must be DefenderForStorageV2/,
    ],
    ["no sub-plan", { subPlan: undefined }, /subPlan .* is not set/],
    [
      "the classic Key Vault plan",
      { pricingName: "KeyVaults", subPlan: "PerTransaction" },
      /must be PerKeyVault/,
    ],
    [
      "a 1 GB scanning cap",
      { extensions: [ext("OnUploadMalwareScanning", "True", "1")] },
      /caps scanning at "1" GB/,
    ],
  ])("blocks %s", (_what, change, message) =>
    expectViolation(d.defenderPlanStandard, PRICING, { ...storage, ...change }, message),
  );
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
  const on = {
    isEnabled: true,
    overrideSubscriptionLevelSettings: true,
    malwareScanning: { onUpload: { isEnabled: true, capGBPerMonth: -1 } },
    sensitiveDataDiscovery: { isEnabled: true },
  };
  it("passes an override that keeps everything on", () =>
    expectPass(d.threatProtectionEnabled, DFS, { properties: on }));
  it.each([
    [
      "malware scanning off",
      { malwareScanning: { onUpload: { isEnabled: false } } },
      /onUpload.isEnabled is false/,
    ],
    [
      "malware scanning left out of the override",
      { malwareScanning: undefined },
      /onUpload.isEnabled is not set/,
    ],
    [
      "a 10 GB cap",
      { malwareScanning: { onUpload: { isEnabled: true, capGBPerMonth: 10 } } },
      /capGBPerMonth is 10/,
    ],
    [
      "blobs excluded by prefix",
      {
        malwareScanning: { onUpload: { isEnabled: true, filters: { excludeBlobsWithPrefix: ["uploads/"] } } },
      },
      /filters exclude blobs/,
    ],
    [
      "sensitive data discovery off",
      { sensitiveDataDiscovery: { isEnabled: false } },
      /sensitiveDataDiscovery.isEnabled is false/,
    ],
  ])("blocks an override with %s", (_what, change, message) =>
    expectViolation(d.threatProtectionEnabled, DFS, { properties: { ...on, ...change } }, message),
  );
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
  // Preview (bypass10): before, one plan whose tier (or name) was not known yet made the policy
  // "can't run during preview" for every service, hiding a plan left on Free.
  it("in a preview, a plan not known yet covers nothing and hides no Free plan", async () => {
    const resources = estate().map((r) =>
      r.name === "defender-KeyVaults"
        ? pricing("KeyVaults", "Free")
        : r.name === "defender-Containers"
          ? { ...r, props: { pricingName: "Containers", pricingTier: UNKNOWN } }
          : r,
    );
    expect(await runStackPolicy(d.defenderPlansCoverServices, resources)).toEqual([
      expect.stringMatching(/Vault kv runs without the Defender plan KeyVaults/),
      expect.stringMatching(/ManagedEnvironment env runs without the Defender plan Containers/),
      expect.stringMatching(/ContainerApp web runs without the Defender plan Containers/),
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
