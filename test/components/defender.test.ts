/** DefenderPlans (THR-1): Standard tier for the services used, at subscription scope. */
import { DEFENDER_PLANS, DefenderPlans } from "../../components/defender";
import { TEST_SUBSCRIPTION_ID } from "../helpers/platform";
import { byType, runExpectingError, runProgram } from "../helpers/pulumi";
import { invalidIgnoreChanges, withIgnoredChanges } from "../../lib/offline/diff";

const PRICING = "azure-native:security:Pricing";

describe("DefenderPlans", () => {
  it("turns on Storage, Key Vault, Containers and open-source databases at subscription scope", async () => {
    const { resources } = await runProgram(() => new DefenderPlans("defender"));
    const plans = byType(resources, PRICING);
    expect(plans.map((p) => p.inputs.pricingName).sort()).toEqual(
      ["Containers", "KeyVaults", "OpenSourceRelationalDatabases", "StorageAccounts"].sort(),
    );
    for (const p of plans) {
      expect(p.inputs).toMatchObject({
        scopeId: `/subscriptions/${TEST_SUBSCRIPTION_ID}`,
        pricingTier: "Standard",
      });
    }
    expect(plans.find((p) => p.inputs.pricingName === "StorageAccounts")!.inputs.subPlan).toBe(
      "DefenderForStorageV2",
    );
    expect(DEFENDER_PLANS).toHaveLength(plans.length);
  });

  // Subscription-level scanning needs Owner or "action set 1" (role assignment writes), which the
  // deploy identity never holds: the stack says so instead of Azure failing it silently.
  it("states the Defender for Storage scanning extensions off, and leaves them to a subscription Owner", async () => {
    const { resources } = await runProgram(() => new DefenderPlans("defender"));
    const storage = byType(resources, PRICING).find((p) => p.inputs.pricingName === "StorageAccounts")!;
    expect(storage.inputs.extensions).toEqual([
      { name: "OnUploadMalwareScanning", isEnabled: "False" },
      { name: "SensitiveDataDiscovery", isEnabled: "False" },
    ]);
    expect(storage.ignoreChanges).toEqual(["scopeId", "extensions[*]"]);
    for (const p of byType(resources, PRICING).filter((x) => x !== storage)) {
      expect(p.inputs.extensions).toBeUndefined();
      expect(p.ignoreChanges).toEqual(["scopeId"]);
    }
  });

  // azure-native creates nothing that exists (client_azcore.go CanCreate), and every subscription
  // has a pricing for every plan: without the import, the first `pulumi up` fails on each plan.
  // Fails on the old code (no import ID), also under the offline mocks, which now refuse the create.
  it("imports each plan (it always exists) and turns it on in the same deployment", async () => {
    const { resources } = await runProgram(() => new DefenderPlans("defender"));
    for (const p of byType(resources, PRICING)) {
      expect(p.importId).toBe(
        `/subscriptions/${TEST_SUBSCRIPTION_ID}/providers/Microsoft.Security/pricings/${String(p.inputs.pricingName)}`,
      );
    }
  });

  // The engine resets an ignored path to the imported value before the update that follows the
  // import. A Free plan has no extensions (ListPricings_example.json): the update must still state
  // them "False", or Azure turns scanning on for the deploy identity; a plan the Owner configured
  // keeps the Owner's values. The import's scope (no leading "/" before azure-native#4818) is kept.
  it("after the import: a Free plan gets the extensions off, an Owner's extensions stay", async () => {
    const { resources } = await runProgram(() => new DefenderPlans("defender"));
    const storage = byType(resources, PRICING).find((p) => p.inputs.pricingName === "StorageAccounts")!;
    const free = {
      scopeId: `subscriptions/${TEST_SUBSCRIPTION_ID}`,
      pricingName: "StorageAccounts",
      pricingTier: "Free",
      enforce: "False",
    };
    // The engine applies them (an index the import lacks would fail the import step).
    expect(invalidIgnoreChanges(free, storage.inputs, storage.ignoreChanges)).toEqual([]);
    const afterFree = withIgnoredChanges(free, storage.inputs, storage.ignoreChanges);
    expect(afterFree).toEqual({ ...storage.inputs, scopeId: free.scopeId });
    const owners = [
      {
        name: "OnUploadMalwareScanning",
        isEnabled: "True",
        additionalExtensionProperties: { capGBPerMonthPerStorageAccount: 5000 },
      },
      { name: "SensitiveDataDiscovery", isEnabled: "True" },
    ];
    const configured = {
      ...free,
      pricingTier: "Standard",
      subPlan: "DefenderForStorageV2",
      extensions: owners,
    };
    expect(withIgnoredChanges(configured, storage.inputs, storage.ignoreChanges).extensions).toEqual(owners);
  });

  // pricings.json: DELETE is "valid only for resource scope"; a destroy or manageDefenderPlans
  // turned off must leave the subscription's plans on, not fail on an unsupported delete.
  it("keeps the subscription's plans when the stack drops them (retainOnDelete)", async () => {
    const { resources } = await runProgram(() => new DefenderPlans("defender"));
    const plans = byType(resources, PRICING);
    expect(plans).toHaveLength(DEFENDER_PLANS.length);
    for (const p of plans) expect(p.retainOnDelete).toBe(true);
  });

  it("has no switches: a free tier is not an argument", async () => {
    const { error, resources } = await runExpectingError(
      // @ts-expect-error the plan list and tier are fixed (THR-1)
      () => new DefenderPlans("d", { pricingTier: "Free" }),
    );
    expect(error.message).toMatch(/pricingTier = "Free": is not an argument/);
    expect(resources).toEqual([]);
  });
});
