import * as e from "../../../policy/policies/environment";
import { runStackPolicy, UNKNOWN } from "../../helpers/policyHarness";

const res = (type: string, name: string, props: Record<string, unknown>) => ({
  type: `azure-native:${type}`,
  name,
  urn: `urn:pulumi:prod::secure-azure-platform::azure-native:${type}::${name}`,
  props,
});
const tagged = (env: string) => ({ environment: env, owner: "platform", dataClassification: "internal" });
const estate = (env = "prod") => [
  res("resources:ResourceGroup", "rg", {
    resourceGroupName: `rg-sap-${env}`,
    name: `rg-sap-${env}`,
    tags: tagged(env),
  }),
  res("keyvault:Vault", "kv", { resourceGroupName: `rg-sap-${env}`, tags: tagged(env) }),
  res("storage:StorageAccount", "st", { resourceGroupName: `rg-sap-${env}`, tags: tagged(env) }),
  // Untaggable resources are not judged by the tag check.
  res("storage:BlobContainer", "c", { resourceGroupName: `rg-sap-${env}` }),
];

describe("single-environment-per-stack (ENV-1)", () => {
  it("passes a stack of one environment, with and without an expectation", async () => {
    expect(await runStackPolicy(e.singleEnvironmentPerStack, estate())).toEqual([]);
    expect(
      await runStackPolicy(e.singleEnvironmentPerStack, estate(), { expectedEnvironment: "prod" }),
    ).toEqual([]);
  });
  it("blocks a dev-tagged resource in the prod stack", async () => {
    const resources = [...estate(), res("keyvault:Vault", "kv-dev", { tags: tagged("dev") })];
    expect(
      await runStackPolicy(e.singleEnvironmentPerStack, resources, { expectedEnvironment: "prod" }),
    ).toEqual(['azure-native:keyvault:Vault kv-dev is tagged environment "dev" in a stack for "prod"']);
  });
  it("blocks the dev stack deployed with the prod preset", async () => {
    const result = await runStackPolicy(e.singleEnvironmentPerStack, estate("dev"), {
      expectedEnvironment: "prod",
    });
    expect(result).toHaveLength(3);
  });
  it("without an expectation names the minority environment", async () => {
    const resources = [...estate(), res("keyvault:Vault", "kv-dev", { tags: tagged("dev") })];
    expect(await runStackPolicy(e.singleEnvironmentPerStack, resources)).toEqual([
      'azure-native:keyvault:Vault kv-dev is tagged environment "dev"; the rest of the stack is "prod"',
    ]);
  });
  it("does not crash on unknown tags (preview)", async () => {
    const resources = estate().map((r) => ({ ...r, props: { ...r.props, tags: UNKNOWN } }));
    const result = await runStackPolicy(e.singleEnvironmentPerStack, resources, {
      expectedEnvironment: "prod",
    });
    expect(result === "notApplicable" || Array.isArray(result)).toBe(true);
  });
});

describe("own-resource-groups (ENV-1)", () => {
  it("passes when everything is in the stack's resource groups (names compared case-insensitively)", async () => {
    const resources = [...estate(), res("keyvault:Vault", "kv2", { resourceGroupName: "RG-SAP-PROD" })];
    expect(await runStackPolicy(e.ownResourceGroups, resources)).toEqual([]);
  });
  it("blocks a resource placed in another environment's resource group", async () => {
    const resources = [...estate(), res("keyvault:Vault", "kv-x", { resourceGroupName: "rg-sap-dev" })];
    expect(await runStackPolicy(e.ownResourceGroups, resources)).toEqual([
      'azure-native:keyvault:Vault kv-x is deployed into resource group "rg-sap-dev", which this stack does not own',
    ]);
  });
  it("leaves stacks without resource groups of their own alone", async () => {
    expect(await runStackPolicy(e.ownResourceGroups, estate().slice(1))).toEqual([]);
  });
  it("can be switched off", async () => {
    const resources = [...estate(), res("keyvault:Vault", "kv-x", { resourceGroupName: "shared" })];
    expect(await runStackPolicy(e.ownResourceGroups, resources, { requireOwnResourceGroups: false })).toEqual(
      [],
    );
  });
});
