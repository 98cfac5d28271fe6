import * as g from "../../../policy/policies/general";
import { runResourcePolicy } from "../../../policy/engine/harness";
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
        type: "secure-azure-platform:data:BlobStorage",
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
