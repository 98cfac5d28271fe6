import * as g from "../../../policy/policies/general";
import { loadPackConfig } from "../../../lib/analyzer/config";
import { runResourcePolicy } from "../../helpers/policyHarness";
import { describePolicy, expectPass, expectViolation, set } from "./support";

const ACCOUNT = "azure-native:storage:StorageAccount";
const tags = {
  environment: "prod",
  owner: "platform-team",
  costCenter: "cc-1001",
  dataClassification: "customer-confidential",
};
const account = { location: "westeurope", sku: { name: "Standard_GZRS" }, tags };

describePolicy(g.allowedLocations, {
  type: ACCOUNT,
  compliant: account,
  violations: [
    ["location", "eastus", /eastus/],
    ["location", "uksouth", /not allowed/],
  ],
  passes: [
    ["location", "North Europe"],
    ["location", "swedencentral"],
  ],
  unknown: "location",
});

describe("allowed-locations scope", () => {
  it("skips global resources", async () => {
    expect(
      await runResourcePolicy(g.allowedLocations, {
        type: "azure-native:privatedns:PrivateZone",
        props: { location: "global" },
      }),
    ).toBe("notApplicable");
  });
  it("skips location-less resources and component resources", async () => {
    expect(
      await runResourcePolicy(g.allowedLocations, { type: "azure-native:storage:BlobContainer", props: {} }),
    ).toBe("notApplicable");
    expect(
      await runResourcePolicy(g.allowedLocations, {
        type: "secure-azure-platform:index:BlobStorage",
        props: {},
      }),
    ).toBe("notApplicable");
  });
  it("checks resource types the pack does not know", () =>
    expectViolation(
      g.allowedLocations,
      "azure-native:compute:VirtualMachine",
      { location: "eastus" },
      /eastus/,
    ));
  it("honours a narrower configured list", () =>
    expectViolation(g.allowedLocations, ACCOUNT, { location: "northeurope" }, /not allowed/, {
      allowedLocations: ["westeurope"],
    }));
});

describePolicy(g.geoReplicaLocations, {
  type: ACCOUNT,
  compliant: account,
  violations: [["location", "polandcentral", /no Azure paired region/]],
  passes: [["location", "germanywestcentral"]],
  unknown: "sku",
});

describe("geo-replica-locations", () => {
  it("refuses geo backup whose pair is not allowed", () =>
    expectViolation(
      g.geoReplicaLocations,
      "azure-native:dbforpostgresql:Server",
      { location: "westeurope", backup: { geoRedundantBackup: "Enabled" } },
      /northeurope/,
      { allowedLocations: ["westeurope"] },
    ));
  it("is not applicable to locally redundant storage", async () => {
    expect(
      await runResourcePolicy(g.geoReplicaLocations, {
        type: ACCOUNT,
        props: { location: "polandcentral", sku: { name: "Standard_ZRS" } },
      }),
    ).toBe("notApplicable");
  });
});

describePolicy(g.requiredTags, {
  type: ACCOUNT,
  compliant: account,
  violations: [
    ["tags", undefined, /environment, owner, dataClassification/],
    ["tags.owner", undefined, /owner/],
    ["tags.dataClassification", "secret", /dataClassification "secret"/],
    ["tags.environment", "staging", /environment "staging"/],
  ],
  unknown: "tags",
});

describe("required-tags scope", () => {
  it("checks keys (taggable without a location)", () =>
    expectViolation(g.requiredTags, "azure-native:keyvault:Key", { properties: {} }, /missing tag/));
  it("skips untaggable types", async () => {
    expect(
      await runResourcePolicy(g.requiredTags, {
        type: "azure-native:authorization:RoleAssignment",
        props: {},
      }),
    ).toBe("notApplicable");
  });
  it("checks unknown tracked types by their location", () =>
    expectViolation(g.requiredTags, "azure-native:compute:Disk", { location: "westeurope" }, /missing tag/));
});

describePolicy(g.customerDataClassification, {
  type: ACCOUNT,
  compliant: account,
  violations: [
    ["tags.dataClassification", "internal", /customer-confidential/],
    ["tags", undefined, /customer-confidential/],
  ],
  unknown: "tags",
});

it("customer-data-classification covers PostgreSQL", () =>
  expectPass(
    g.customerDataClassification,
    "azure-native:dbforpostgresql:Server",
    set(account, "sku", undefined),
  ));

describe("location and tags judge every Azure token form", () => {
  const forms = [
    "azure-native_storage_v20240101:storage:StorageAccount",
    "azure-native:storage/v20230101:StorageAccount",
    "azure:storage/account:Account",
    "azure-native:documentdb:DatabaseAccount",
    "azure-native_web_v20240401:web:WebApp",
  ];
  it.each(forms)("%s outside the EU is refused", (type) =>
    expectViolation(g.allowedLocations, type, { location: "eastus", tags }, /eastus/),
  );
  it.each(forms)("%s without tags is refused", (type) =>
    expectViolation(g.requiredTags, type, { location: "westeurope" }, /missing tag/),
  );
  it("a parameterized storage account is a customer data store", () =>
    expectViolation(
      g.customerDataClassification,
      "azure-native_storage_v20240101:storage:StorageAccount",
      set(account, "tags.dataClassification", "internal"),
      /customer-confidential/,
    ));
  it.each(["random:index/randomString:RandomString", "azuread:index/group:Group", "pulumi:pulumi:Stack"])(
    "%s is not an Azure resource",
    async (type) => {
      expect(await runResourcePolicy(g.allowedLocations, { type, props: { location: "eastus" } })).toBe(
        "notApplicable",
      );
      expect(await runResourcePolicy(g.requiredTags, { type, props: { location: "eastus" } })).toBe(
        "notApplicable",
      );
      expect(await runResourcePolicy(g.azureResourceTypeAllowed, { type, props: {} })).toBe("notApplicable");
    },
  );
});

describe("azure-resource-type-allowed (deny by default)", () => {
  const gate = g.azureResourceTypeAllowed;
  it.each([
    "azure-native:storage:StorageAccount",
    "azure-native_storage_v20240101:storage:StorageAccount",
    "azure-native:cache:Redis",
    "azure-native:keyvault/v20230701:Vault",
    "azure-native:managedidentity:UserAssignedIdentity",
  ])("passes %s (evaluated by a service policy, or on the platform's allow-list)", (type) =>
    expectPass(gate, type, {}),
  );
  it.each([
    ["azure-native:web:WebApp", /azure-native:web:WebApp is not evaluated by any service policy/],
    ["azure-native:containerregistry:Registry", /not in allowedUnevaluatedTypes/],
    ["azure-native:documentdb:DatabaseAccount", /not evaluated/],
    ["azure-native:cognitiveservices:Account", /not evaluated/],
    ["azure-native:dbforpostgresql:Cluster", /not evaluated/],
    [
      "azure-native_web_v20240401:web:WebApp",
      /azure-native:web:WebApp \(registered as azure-native_web_v20240401:web:WebApp\)/,
    ],
    ["azure:storage/account:Account", /Pulumi Azure Classic resource/],
    ["azure:keyvault/keyVault:KeyVault", /cannot judge its configuration/],
    ["azure-native:authorization:ManagementLockAtSubscriptionLevel", /not evaluated/],
  ])("refuses %s", (type, message) => expectViolation(gate, type, {}, message));
  it("accepts an allow-listed type in any token form, classic included", async () => {
    const config = { allowedUnevaluatedTypes: ["azure-native:web:WebApp", "azure:storage/account:Account"] };
    await expectPass(gate, "azure-native_web_v20240401:web:WebApp", {}, config);
    await expectPass(gate, "azure-native:web/v20240401:WebApp", {}, config);
    await expectPass(gate, "azure:storage/account:Account", {}, config);
  });
  it("an empty allow-list refuses even the platform's own unevaluated types", () =>
    expectViolation(gate, "azure-native:privatedns:PrivateZone", {}, /not evaluated/, {
      allowedUnevaluatedTypes: [],
    }));
  it("the prod preset names the platform's list explicitly", () => {
    const prod = loadPackConfig("prod")["azure-resource-type-allowed"] as Record<string, unknown>;
    expect(prod.allowedUnevaluatedTypes).toEqual(g.PLATFORM_UNEVALUATED_TYPES);
    expect(loadPackConfig("dev")["azure-resource-type-allowed"]).toEqual({ enforcementLevel: "advisory" });
  });
});

describe("shared-scope-types-evaluated (every environment, no allow-list)", () => {
  const policy = g.sharedScopeTypesEvaluated;
  it.each([
    // PIM: Owner activation without approval or MFA (the role's management policy).
    "azure-native:authorization:RoleManagementPolicy",
    "azure-native:authorization:RoleManagementPolicyAssignment",
    "azure-native:authorization:ManagementLockAtSubscriptionLevel",
    // Lighthouse: the subscription delegated to another tenant.
    "azure-native:managedservices:RegistrationAssignment",
    // Defender for Cloud's continuous export and auto-provisioning, subscription-wide.
    "azure-native:security:Automation",
    "azure-native:security:WorkspaceSetting",
    "azure-native_security_v20231001preview:security:SecurityConnector",
    // Alerts and logs: suppress every alert, export the activity log, Entra ID's audit log.
    "azure-native:alertsmanagement:AlertProcessingRuleByName",
    "azure-native:aadiam:DiagnosticSetting",
    "azure-native:monitor/v20230101:ActivityLogAlert",
    "azure-native:insights:ActivityLogAlert",
    "azure-native:insights:ManagementGroupDiagnosticSetting",
    "azure-native:solutions:Application",
    "azure-native:customproviders:CustomResourceProvider",
    "azure-native:subscription:Alias",
    "azure-native:management:ManagementGroup",
    // A casing variant (the provider would refuse it; the pack still does not let it through).
    "azure-native:Authorization:RoleManagementPolicy",
    // Azure Classic: the same changes under the Terraform-bridged provider.
    "azure:authorization/assignment:Assignment",
    "azure:pim/activeRoleAssignment:ActiveRoleAssignment",
    "azure:lighthouse/assignment:Assignment",
    "azure:securitycenter/subscriptionPricing:SubscriptionPricing",
    "azure:monitoring/alertProcessingRuleSuppression:AlertProcessingRuleSuppression",
    "azure:monitoring/aadDiagnosticSetting:AadDiagnosticSetting",
    "azure:core/resourceGroupTemplateDeployment:ResourceGroupTemplateDeployment",
    "azure:policy/definition:Definition",
  ])("refuses %s", (type) => expectViolation(policy, type, {}, /refused in every environment/));
  it("an allow-list entry of the type gate does not lift it", async () => {
    const type = "azure-native:authorization:RoleManagementPolicy";
    const config = { allowedUnevaluatedTypes: [type] };
    await expectPass(g.azureResourceTypeAllowed, type, {}, config);
    await expectViolation(policy, type, {}, /whatever allowedUnevaluatedTypes says/);
  });
  it.each([
    // Evaluated by a service policy of the pack.
    "azure-native:authorization:RoleAssignment",
    "azure-native:security:Pricing",
    "azure-native:insights:DiagnosticSetting",
    "azure-native:monitor:SubscriptionDiagnosticSetting",
    "azure-native:resources:ResourceGroup",
    "azure-native_authorization_v20220401:authorization:RoleAssignment",
    // The platform's own reviewed type.
    "azure-native:authorization:ManagementLockByScope",
  ])("passes %s", (type) => expectPass(policy, type, {}));
  it.each([
    "azure-native:web:WebApp",
    "azure:storage/account:Account",
    "random:index/randomString:RandomString",
    "azure-native:storage:StorageAccount",
    // Application Insights under its old insights alias: a workload's telemetry, not the subscription's.
    "azure-native:insights:Component",
    "azure-native:insights/v20200202:Component",
    // A workload's own monitoring (one resource's autoscale, its smart detection and alert rules,
    // its data collection): an ordinary app's, not the subscription's settings.
    "azure-native:monitor:AutoscaleSetting",
    "azure-native:insights:AutoscaleSetting",
    "azure-native:monitor/v20221001:AutoscaleSetting",
    "azure-native:alertsmanagement:SmartDetectorAlertRule",
    "azure-native:alertsmanagement/v20230301:PrometheusRuleGroup",
    "azure-native:monitor:DataCollectionRule",
    "azure-native:insights:DataCollectionEndpoint",
    "azure-native:monitor:AzureMonitorWorkspace",
    "azure:monitoring/actionGroup:ActionGroup",
    "azure:monitoring/metricAlert:MetricAlert",
    "azure:monitoring/autoscaleSetting:AutoscaleSetting",
    "azure:monitoring/smartDetectorAlertRule:SmartDetectorAlertRule",
  ])("does not apply to %s (another namespace: the type gate's)", async (type) =>
    expect(await runResourcePolicy(policy, { type, props: {} })).toBe("notApplicable"),
  );
  it("a workload's monitoring type it leaves alone is still the type gate's: refused unless reviewed", async () => {
    const type = "azure-native:monitor:AutoscaleSetting";
    await expectViolation(g.azureResourceTypeAllowed, type, {}, /not in allowedUnevaluatedTypes/);
    await expectPass(g.azureResourceTypeAllowed, type, {}, { allowedUnevaluatedTypes: [type] });
  });
});
