/**
 * Stack policies on a deployed stack, where they read outputs (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go AnalyzeResources) shaped as azure-native gives them: no ARM
 * path parameters (`workspaceName`, `pricingName`, a rule set's `ruleSetName`...), a key's properties flattened
 * (`kty`, not `properties.kty`). The props here are what the offline mocks answer
 * (lib/offline/mocks.ts, shaped by lib/offline/sdkOutputs.ts from the installed SDK), with literal
 * names: no propertyDependencies to fall back on. Each case was a false violation before (fidelity14);
 * front-door-route-hsts's is in edge.test.ts.
 */
import { MOCK_SUBSCRIPTION_ID } from "../../../lib/offline/mocks";
import { deployedResource } from "./support";
import { runStackPolicy } from "../../helpers/policyHarness";
import { sentinelOnboarded } from "../../../policy/policies/sentinel";
import { defenderPlansCoverServices } from "../../../policy/policies/defender";
import { customerManagedKeyStrength } from "../../../policy/policies/customerManagedKeys";

const deployed = deployedResource;

const RG = { resourceGroupName: "rg-sap-prod" };

describe("sentinel-onboarded on outputs (SIEM-1)", () => {
  const workspace = deployed("operationalinsights:Workspace", "ws", { ...RG, workspaceName: "log-sap" });
  const rule = (i: number, workspaceName = "log-sap") =>
    deployed("securityinsights:ScheduledAlertRule", `rule-${i}`, {
      ...RG,
      workspaceName,
      ruleId: `rule-${i}`,
      kind: "Scheduled",
      enabled: true,
      query: "AzureActivity | take 1",
    });
  const onboarding = (workspaceName: string) =>
    deployed("securityinsights:SentinelOnboardingState", "onboarding", {
      ...RG,
      workspaceName,
      sentinelOnboardingStateName: "default",
    });
  const activity = deployed("monitor:SubscriptionDiagnosticSetting", "activity", {
    name: "activity",
    workspaceId: workspace.props.id,
    logs: [{ category: "Administrative", enabled: true }],
  });
  const stack = (name = "log-sap", rulesIn = "log-sap") => [
    workspace,
    onboarding(name),
    ...Array.from({ length: 6 }, (_, i) => rule(i, rulesIn)),
    activity,
  ];

  it("finds the onboarding and the rules by their IDs (outputs carry no workspaceName)", async () => {
    expect(stack()[1].props.workspaceName).toBeUndefined();
    expect(await runStackPolicy(sentinelOnboarded, stack())).toEqual([]);
  });
  it("still refuses an onboarding or rules of another workspace", async () => {
    expect(await runStackPolicy(sentinelOnboarded, stack("log-other"))).toEqual([
      expect.stringMatching(/ws is not onboarded to Microsoft Sentinel/),
    ]);
    expect(await runStackPolicy(sentinelOnboarded, stack("log-sap", "log-other"))).toEqual([
      expect.stringMatching(/ws runs 0 enabled analytics rule\(s\)/),
    ]);
  });
  it("fails closed on an onboarding whose ID is not below a workspace", async () => {
    const [ws, ob, ...rest] = stack();
    const odd = {
      ...ob,
      props: { ...ob.props, id: "/subscriptions/s/providers/Microsoft.SecurityInsights/x/y" },
    };
    expect(await runStackPolicy(sentinelOnboarded, [ws, odd, ...rest])).toEqual([
      expect.stringMatching(/not onboarded/),
    ]);
  });
});

describe("defender-plans-cover-services on outputs (THR-1)", () => {
  const scopeId = `/subscriptions/${MOCK_SUBSCRIPTION_ID}`;
  const pricing = (plan: string) =>
    deployed(
      "security:Pricing",
      `defender-${plan}`,
      { scopeId, pricingName: plan, pricingTier: "Standard" },
      // A subscription's pricing exists before anyone creates it: imported.
      `${scopeId}/providers/Microsoft.Security/pricings/${plan}`,
    );
  const services = () => [
    deployed("storage:StorageAccount", "st", { ...RG, accountName: "stsap", kind: "StorageV2" }),
    deployed("keyvault:Vault", "kv", { ...RG, vaultName: "kv-sap", properties: {} }),
  ];
  it("reads each plan from its pricing's ID (outputs carry no pricingName)", async () => {
    const plans = [pricing("StorageAccounts"), pricing("KeyVaults")];
    expect(plans[0].props.pricingName).toBeUndefined();
    expect(await runStackPolicy(defenderPlansCoverServices, [...services(), ...plans])).toEqual([]);
    expect(await runStackPolicy(defenderPlansCoverServices, [...services(), plans[0]])).toEqual([
      expect.stringMatching(/Vault kv runs without the Defender plan KeyVaults/),
    ]);
  });
});

describe("customer-managed-key-strength on outputs (ENC-2)", () => {
  const key = (keySize: number) =>
    deployed("keyvault:Key", "cmk", {
      ...RG,
      vaultName: "kv1",
      keyName: "cmk",
      properties: { kty: "RSA-HSM", keySize, keyOps: ["wrapKey", "unwrapKey"] },
    });
  const account = deployed("storage:StorageAccount", "st", {
    ...RG,
    accountName: "stsap",
    encryption: {
      keySource: "Microsoft.Keyvault",
      keyVaultProperties: { keyVaultUri: "https://kv1.vault.azure.net/", keyName: "cmk" },
    },
  });
  it("reads the key's flattened kty and keySize (outputs carry no properties)", async () => {
    expect(key(3072).props).toMatchObject({ kty: "RSA-HSM", keySize: 3072 });
    expect(key(3072).props.properties).toBeUndefined();
    expect(await runStackPolicy(customerManagedKeyStrength, [key(3072), account])).toEqual([]);
    expect(await runStackPolicy(customerManagedKeyStrength, [key(2048), account])).toEqual([
      expect.stringMatching(/properties.keySize is 2048; it must be at least 3072/),
    ]);
  });
});
