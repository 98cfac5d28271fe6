import * as m from "../../../policy/policies/managedIdentity";
import { federatedCredentialTrustedSubject } from "../../../policy/policies/managedIdentity";
import { runResourcePolicy, UNKNOWN } from "../../helpers/policyHarness";
import { res as estateRes, RG, violations } from "./estate";
import { describePolicy, expectPass, expectViolation, randomString } from "./support";

const FIC = "azure-native:managedidentity:FederatedIdentityCredential";
const PROD_SUBJECT = "repo:acme/platform:environment:production";
const credential = {
  resourceGroupName: "rg-sap-prod",
  resourceName: "id-sap-deploy-prod",
  federatedIdentityCredentialResourceName: "github-production",
  issuer: "https://token.actions.githubusercontent.com",
  subject: PROD_SUBJECT,
  audiences: ["api://AzureADTokenExchange"],
};

describePolicy(federatedCredentialTrustedSubject, {
  type: FIC,
  compliant: credential,
  config: { allowedSubjects: [PROD_SUBJECT, "repo:acme/platform:ref:refs/heads/main"] },
  violations: [
    ["subject", "repo:acme/platform:pull_request", /pull-request/],
    ["subject", "repo:acme/*:environment:production", /wildcard/],
    ["subject", "repo:attacker/platform:environment:production", /not in allowedSubjects/],
    ["subject", "repo:acme/platform:ref:refs/heads/feature", /not in allowedSubjects/],
    ["issuer", "https://attacker.example.com", /issuer .* is not allowed/],
    ["audiences", ["api://AzureADTokenExchange", "https://attacker.example.com"], /audiences/],
    ["audiences", [], /audiences/],
  ],
  passes: [
    ["subject", "repo:acme/platform:ref:refs/heads/main"],
    ["issuer", "https://token.actions.githubusercontent.com/"],
  ],
  unknown: "subject",
});

it("federated-credential-trusted-subject trusts no subject by default (deny by default)", () =>
  expectViolation(federatedCredentialTrustedSubject, FIC, credential, /allowedSubjects \(none\)/));

describe("user-assigned-identities-from-stack", () => {
  const identity = estateRes("managedidentity:UserAssignedIdentity", "id", {
    id: `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-app`,
  });
  const app = (identities: unknown, deps?: string[]) =>
    estateRes(
      "app:ContainerApp",
      "app",
      { identity: { type: "UserAssigned", userAssignedIdentities: identities } },
      deps ? { dependencies: deps } : {},
    );
  const run = (identities: unknown, deps?: string[]) =>
    violations(m.userAssignedIdentitiesFromStack, [identity, app(identities, deps)]);
  const FOREIGN =
    "/subscriptions/s/resourceGroups/rg-ci-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/sap-deploy-prod";

  it("accepts the stack's identity, as a list (inputs) or a map (outputs), in any case", async () => {
    expect(await run([`${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-app`])).toBe("");
    expect(
      await run({
        [`${RG.toUpperCase()}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID-APP`]: {},
      }),
    ).toBe("");
  });
  it("blocks an identity outside the stack, in either form", async () => {
    expect(await run([FOREIGN])).toMatch(/sap-deploy-prod.* is not a resource of this stack/);
    expect(await run({ [FOREIGN]: { principalId: "p" } })).toMatch(/is not a resource of this stack/);
  });
  it("in a preview, accepts an ID written from the names of a new identity of the stack, in its subscription only", async () => {
    const group = estateRes("resources:ResourceGroup", "rg", { id: RG });
    const created = estateRes("managedidentity:UserAssignedIdentity", "new", {
      resourceGroupName: "rg",
      resourceName: "id-new",
    });
    const id = (sub: string) =>
      `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-new`;
    const check = (sub: string) =>
      violations(m.userAssignedIdentitiesFromStack, [group, created, app([id(sub)], [created.urn])]);
    expect(await check("s")).toBe("");
    expect(await check("other")).toMatch(/is not a resource of this stack/);
  });
  // review13: an identity being created with the deploy identity's names vouched for an app naming
  // the deploy identity's ID as text: the identity's create fails (it exists) while the app, not
  // waiting for it, runs as the deploy identity. Fails on the old policy (accepted).
  it("in a preview, a new identity vouches for its ID written as text only for a resource that waits for it", async () => {
    const decoy = estateRes("managedidentity:UserAssignedIdentity", "decoy", {
      resourceGroupName: "rg-ci-identities",
      resourceName: "sap-deploy-prod",
    });
    const check = (deps?: string[]) =>
      violations(m.userAssignedIdentitiesFromStack, [decoy, app([FOREIGN], deps)]);
    expect(await check()).toMatch(/sap-deploy-prod.* is not a resource of this stack/);
    expect(await check([decoy.urn])).toBe("");
  });
  it("accepts a preview identity that comes from an identity of the stack, and only that", async () => {
    expect(await run([UNKNOWN], [identity.urn])).toBe("");
    const salt = randomString();
    expect(
      await violations(m.userAssignedIdentitiesFromStack, [identity, salt, app([UNKNOWN], [salt.urn])]),
    ).toMatch(/not known yet/);
  });
  // Preview (bypass10): before, any dependency of the app vouched for an identity not known yet
  // (a dependsOn on ours), whatever the identity input was computed from.
  it("in a preview, judges an identity not known yet by what the identity input was computed from", async () => {
    const salt = randomString();
    const withSources = (sources: string[]) => ({
      ...app([UNKNOWN], [identity.urn, salt.urn]),
      propertyDependencies: { identity: sources },
    });
    expect(
      await violations(m.userAssignedIdentitiesFromStack, [identity, salt, withSources([identity.urn])]),
    ).toBe("");
    expect(
      await violations(m.userAssignedIdentitiesFromStack, [identity, salt, withSources([salt.urn])]),
    ).toMatch(
      /identity.userAssignedIdentities is not known yet and does not come from a resource of this stack/,
    );
  });
  // Preview (bypass11): an app with a dependsOn on our identity whose identity input is computed
  // elsewhere reaches the pack with only that input's propertyDependencies (analyzer_plugin.go drops
  // the empty lists). The old rule fell back to every dependency and let the dependsOn vouch for it.
  // An identity not known yet that no resource computed is one the program never set (a first
  // preview's PreviewOutputs: `notSetByProgram`), judged once known, at `up`.
  it("in a preview, a dependsOn does not vouch for an identity computed elsewhere", async () => {
    const salt = randomString();
    const dependsOn = (propertyDependencies: Record<string, string[]>) => ({
      ...app([UNKNOWN], [identity.urn, salt.urn]),
      propertyDependencies,
    });
    expect(
      await violations(m.userAssignedIdentitiesFromStack, [
        identity,
        salt,
        dependsOn({ identity: [salt.urn] }),
      ]),
    ).toMatch(
      /identity.userAssignedIdentities is not known yet and does not come from a resource of this stack/,
    );
    expect(await violations(m.userAssignedIdentitiesFromStack, [identity, salt, dependsOn({})])).toBe("");
  });
});

// An allow-listed subject says whom a credential trusts, not which identity it opens: before,
// nothing judged the identity, so the subject could be put on the deploy identity or another
// environment's workload identity. Fails on the old pack (no such policy).
describe("federated-credential-on-stack-identity", () => {
  const policy = m.federatedCredentialOnStackIdentity;
  // Created already: its `name` output is known.
  const identity = estateRes("managedidentity:UserAssignedIdentity", "id", {
    resourceGroupName: "rg-sap-prod",
    resourceName: "id-app-prod",
    name: "id-app-prod",
  });
  const fic = (props: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    ...estateRes("managedidentity:FederatedIdentityCredential", "fic", { ...credential, ...props }),
    ...extra,
  });
  const run = (...rs: ReturnType<typeof estateRes>[]) => violations(policy, [identity, ...rs]);

  it("accepts a credential on an identity of the stack, names in any case", async () => {
    expect(await run(fic({ resourceName: "id-app-prod" }))).toBe("");
    expect(await run(fic({ resourceName: "ID-APP-PROD", resourceGroupName: "RG-SAP-PROD" }))).toBe("");
  });
  it.each([
    ["the deploy identity", { resourceName: "id-sap-deploy-prod" }],
    [
      "an identity of the same name in another group",
      { resourceName: "id-app-prod", resourceGroupName: "rg-ci" },
    ],
  ])("blocks a credential on %s", async (_what, props) => {
    expect(await run(fic(props))).toMatch(/is not a user-assigned identity this stack creates/);
  });
  it("in a preview, accepts names computed from the stack's identity, or from what its own names came from", async () => {
    const group = estateRes("resources:ResourceGroup", "rg", {});
    const fresh = {
      ...estateRes("managedidentity:UserAssignedIdentity", "new", {
        resourceGroupName: UNKNOWN,
        resourceName: "id-new",
      }),
      propertyDependencies: { resourceGroupName: [group.urn] },
    };
    const ours = fic(
      { resourceGroupName: UNKNOWN, resourceName: UNKNOWN },
      { propertyDependencies: { resourceGroupName: [group.urn], resourceName: [fresh.urn] } },
    );
    expect(await violations(policy, [group, fresh, ours])).toBe("");
  });
  // review13: an identity this deployment only creates, with the names of one that exists already
  // (the deploy identity), vouched for a credential naming them as text: the identity's create
  // fails ("cannot create already existing resource") while the credential, not waiting for it, is
  // added to the deploy identity. Fails on the old policy (accepted).
  it("an identity being created vouches only for a credential that waits for it", async () => {
    const deploy = { resourceGroupName: "rg-ci-identities", resourceName: "id-sap-deploy-prod" };
    const decoy = estateRes("managedidentity:UserAssignedIdentity", "decoy", deploy);
    expect(await violations(policy, [decoy, fic(deploy)])).toMatch(
      /one being created must be waited for: a dependency on it/,
    );
    expect(await violations(policy, [decoy, fic(deploy, { dependencies: [decoy.urn] })])).toBe("");
  });
  // review13: azure-native's outputs, which stack policies read (at `up`, and in a preview for what
  // exists already), carry no path parameter (the recorded state in pulumi/pulumi-azure-native
  // provider/pkg/provider/testdata/recorded/TestProviderUpgrade/upgrade-keyvault/2.76.0/stack.json
  // has `id` and `name`, no `resourceGroupName`), and a preview of a create shows neither names nor
  // ID. The old policy read only the inputs' names, so it refused every credential of a real
  // deployment. Fails on the old policy.
  describe("on azure-native's outputs (no resourceGroupName or resourceName)", () => {
    const MI =
      "/subscriptions/s/resourceGroups/rg-sap-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities";
    const group = estateRes("resources:ResourceGroup", "rg", {
      id: "/subscriptions/s/resourceGroups/rg-sap-prod",
    });
    const created = {
      ...estateRes("managedidentity:UserAssignedIdentity", "id", {
        id: `${MI}/id-app-prod`,
        name: "id-app-prod",
      }),
      propertyDependencies: { resourceGroupName: [group.urn] },
    };
    const outputsOf = (id: unknown, extra: Record<string, unknown> = {}) => ({
      ...estateRes("managedidentity:FederatedIdentityCredential", "fic", {
        id,
        name: "github",
        issuer: credential.issuer,
        subject: PROD_SUBJECT,
        audiences: credential.audiences,
      }),
      ...extra,
    });
    it("judges a credential that exists by its ID", async () => {
      expect(
        await violations(policy, [
          group,
          created,
          outputsOf(`${MI}/id-app-prod/federatedIdentityCredentials/github`),
        ]),
      ).toBe("");
      expect(
        await violations(policy, [
          group,
          created,
          outputsOf(
            "/subscriptions/s/resourceGroups/rg-ci-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-sap-deploy-prod/federatedIdentityCredentials/github",
          ),
        ]),
      ).toMatch(
        /resourceGroupName "rg-ci-identities", resourceName "id-sap-deploy-prod", which is not a user-assigned identity/,
      );
    });
    it("in a preview of its creation, judges it by what its names are computed from", async () => {
      const creating = (rgFrom: string[]) =>
        outputsOf(UNKNOWN, {
          propertyDependencies: { resourceGroupName: rgFrom, resourceName: [created.urn] },
          dependencies: [...rgFrom, created.urn],
        });
      expect(await violations(policy, [group, created, creating([group.urn])])).toBe("");
      expect(await violations(policy, [group, created, creating([])])).toMatch(
        /resourceGroupName not known yet, resourceName not known yet, which is not a user-assigned identity/,
      );
    });
  });
  it("refuses Azure Classic's federated credential, which no federated credential policy reads", async () => {
    const classic = {
      type: "azure:armmsi/federatedIdentityCredential:FederatedIdentityCredential",
      name: "classic",
      urn: "urn:pulumi:prod::secure-azure-platform::azure:armmsi/federatedIdentityCredential:FederatedIdentityCredential::classic",
      props: {
        parentId:
          "/subscriptions/s/resourceGroups/rg-ci-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-sap-deploy-prod",
        subject: PROD_SUBJECT,
      },
    };
    expect(await run(classic)).toMatch(/is an Azure Classic federated credential/);
  });
  it("in a preview, a dependsOn on the stack's identity does not vouch for a name computed elsewhere", async () => {
    const salt = randomString();
    const elsewhere = fic(
      { resourceName: UNKNOWN },
      { dependencies: [identity.urn, salt.urn], propertyDependencies: { resourceName: [salt.urn] } },
    );
    expect(await run(salt, elsewhere)).toMatch(
      /resourceName not known yet, which is not a user-assigned identity/,
    );
  });
});

describe("computed-properties-not-inputs", () => {
  const policy = m.computedPropertiesNotInputs;
  it.each([
    [
      "a container app's identity.principalId",
      "azure-native:app:ContainerApp",
      { identity: { type: "SystemAssigned", principalId: "p" } },
    ],
    [
      "a role assignment vouching for itself",
      "azure-native:authorization:RoleAssignment",
      { principalId: "p", identity: { principalId: "p" } },
    ],
    [
      "a user-assigned identity's principalId",
      "azure-native:managedidentity:UserAssignedIdentity",
      { principalId: "p" },
    ],
    // review13: a written `name` would make an identity being created look created already to
    // federated-credential-on-stack-identity. Fails on the old policy.
    [
      "a user-assigned identity's name",
      "azure-native:managedidentity:UserAssignedIdentity",
      { resourceName: "id-sap-deploy-prod", name: "id-sap-deploy-prod" },
    ],
    [
      "a role definition's name",
      "azure-native:authorization:RoleDefinition",
      {
        roleDefinitionId: "0badc0de-0000-4000-8000-000000000000",
        name: "0badc0de-0000-4000-8000-000000000000",
      },
    ],
    [
      "a user-assigned identity's clientId, not known yet",
      "azure-native:managedidentity:UserAssignedIdentity",
      { clientId: UNKNOWN },
    ],
    [
      "a vault's vaultUri naming another vault",
      "azure-native:keyvault:Vault",
      { vaultName: "kv", properties: { vaultUri: "https://other.vault.azure.net/" } },
    ],
    [
      "a key's keyUri",
      "azure-native:keyvault:Key",
      { keyName: "k", keyUri: "https://kv.vault.azure.net/keys/other" },
    ],
  ])("refuses %s", (_what, type, props) =>
    expectViolation(policy, type, props, /is set as an input.*Azure computes it/),
  );
  it("accepts identities as the platform writes them", async () => {
    await expectPass(policy, "azure-native:app:ContainerApp", {
      identity: { type: "UserAssigned", userAssignedIdentities: ["/x"] },
    });
    await expectPass(policy, "azure-native:managedidentity:UserAssignedIdentity", {
      resourceName: "id",
      location: "westeurope",
    });
    // Deployed values (policy:analyze --deployed): the vault's own URI.
    await expectPass(policy, "azure-native:keyvault:Vault", {
      vaultName: "KV",
      properties: { vaultUri: "https://kv.vault.azure.net/" },
    });
    // A role assignment's own principalId is its input, not a computed identity field.
    await expectPass(policy, "azure-native:authorization:RoleAssignment", { principalId: "p" });
  });
  it("is not applicable to what is not Azure", async () =>
    expect(
      await runResourcePolicy(policy, { type: "random:index/randomString:RandomString", props: {} }),
    ).toBe("notApplicable"));
});
