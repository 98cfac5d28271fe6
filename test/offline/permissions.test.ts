/**
 * Deployer permissions (lib/offline/permissions.ts): the role table and matching rules, then the
 * real prod plan against deploy/identities.yaml and against declarations that would fail on
 * Azure: a missing key role, an allowed-role list without Key Vault Reader, a read-only identity
 * without the data role getKey needs, a key that does not wait for its grant, and an app whose
 * secret reference nothing creates.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseDeployIdentities, type DeployIdentities } from "../../config/identities";
import {
  BUILT_IN_ROLE_DEFINITIONS as R,
  actionMatches,
  checkPlanIdentities,
  renderPermissionReport,
  resourceTypeOf,
  roleAllows,
  scopeContains,
} from "../../lib/offline/permissions";
import type { Plan } from "../../lib/offline/plan";
import type { PlannedResource } from "../../lib/offline/run";
import { BUILT_IN_ROLES } from "../../controls/roles";
import { runMain, type Run } from "../helpers/cli";
import { main } from "../../scripts/plan";
import { sharedPlan } from "../helpers/plans";
import {
  IDENTITIES_TEXT,
  identitiesText,
  withoutAllowedRole,
  type RawIdentities,
} from "../helpers/identities";

const declaration = (edit?: (doc: RawIdentities) => void): DeployIdentities =>
  parseDeployIdentities(identitiesText(edit));
const withoutCryptoOfficer = (doc: RawIdentities) => {
  doc.identities.deploy.roles = doc.identities.deploy.roles.filter(
    (r) => r.role !== "Key Vault Crypto Officer",
  );
  for (const list of Object.values(
    doc.identities.deploy.roles.find((r) => r.condition)!.condition!.allowedRoles,
  ))
    list.splice(list.indexOf("Key Vault Crypto Officer"), 1);
};

describe("the role table and its matching rules", () => {
  it("matches actions case-insensitively with wildcards", () => {
    expect(actionMatches("*/read", "Microsoft.KeyVault/vaults/read")).toBe(true);
    expect(
      actionMatches("Microsoft.Authorization/*/Write", "microsoft.authorization/roleAssignments/write"),
    ).toBe(true);
    expect(
      actionMatches("Microsoft.KeyVault/vaults/keys/*", "Microsoft.KeyVault/vaults/secrets/setSecret/action"),
    ).toBe(false);
  });

  it("Contributor writes resources but neither role assignments nor locks", () => {
    expect(roleAllows(R.Contributor, "Microsoft.KeyVault/vaults/keys/write", "control")).toBe(true);
    expect(roleAllows(R.Contributor, "Microsoft.Authorization/roleAssignments/write", "control")).toBe(false);
    expect(roleAllows(R.Contributor, "Microsoft.Authorization/locks/write", "control")).toBe(false);
    // Control-plane roles carry no data actions: keys through ARM need a Key Vault data role.
    expect(roleAllows(R.Contributor, "Microsoft.KeyVault/vaults/keys/create/action", "data")).toBe(false);
    expect(
      roleAllows(
        R["Role Based Access Control Administrator"],
        "Microsoft.Authorization/locks/write",
        "control",
      ),
    ).toBe(false);
  });

  it("Key Vault Crypto Officer creates keys; Key Vault Reader reads key and secret metadata, never a value", () => {
    expect(
      roleAllows(R["Key Vault Crypto Officer"], "Microsoft.KeyVault/vaults/keys/create/action", "data"),
    ).toBe(true);
    expect(
      roleAllows(
        R["Key Vault Crypto Officer"],
        "Microsoft.KeyVault/vaults/keyrotationpolicies/write",
        "data",
      ),
    ).toBe(true);
    expect(roleAllows(R["Key Vault Reader"], "Microsoft.KeyVault/vaults/keys/read", "data")).toBe(true);
    expect(
      roleAllows(R["Key Vault Reader"], "Microsoft.KeyVault/vaults/secrets/readMetadata/action", "data"),
    ).toBe(true);
    expect(
      roleAllows(R["Key Vault Reader"], "Microsoft.KeyVault/vaults/secrets/getSecret/action", "data"),
    ).toBe(false);
    expect(roleAllows(R["Key Vault Reader"], "Microsoft.KeyVault/vaults/keys/create/action", "data")).toBe(
      false,
    );
  });

  it("contains scopes: subscription ⊃ resource group ⊃ resource, not a sibling with a common prefix", () => {
    const rg = "/subscriptions/s/resourceGroups/rg-sap-prod";
    expect(scopeContains("/subscriptions/s", `${rg}/providers/Microsoft.KeyVault/vaults/kv`)).toBe(true);
    expect(scopeContains(rg, rg)).toBe(true);
    expect(scopeContains(rg, "/subscriptions/s/resourceGroups/rg-sap-prod2")).toBe(false);
    expect(scopeContains(`${rg}/providers/Microsoft.KeyVault/vaults/kv`, rg)).toBe(false);
  });

  it("derives the resource type (and so the write action) from an ARM ID, extension resources included", () => {
    const kv = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv";
    expect(resourceTypeOf(`${kv}/keys/k`)).toBe("Microsoft.KeyVault/vaults/keys");
    expect(resourceTypeOf(`${kv}/providers/Microsoft.Authorization/roleAssignments/g`)).toBe(
      "Microsoft.Authorization/roleAssignments",
    );
    expect(resourceTypeOf("/subscriptions/s/resourceGroups/rg")).toBe(
      "Microsoft.Resources/subscriptions/resourceGroups",
    );
    expect(resourceTypeOf("/subscriptions/s/providers/Microsoft.Security/pricings/KeyVaults")).toBe(
      "Microsoft.Security/pricings",
    );
  });
});

describe("the prod plan", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await sharedPlan("prod");
  });
  const findingsWith = (doc: DeployIdentities, p: Plan = plan) => checkPlanIdentities(p, doc).findings;

  it("is allowed in full for the checked-in declaration, with getKey checked for both identities", () => {
    const report = checkPlanIdentities(plan, declaration());
    expect(report.findings).toEqual([]);
    expect(report.operations["sap-deploy-prod"]).toBeGreaterThan(100);
    expect(report.operations["sap-ci-preview"]).toBeGreaterThan(100);
    expect(report.secretReferences).toBe(2);
    expect(plan.invokes.some((i) => i.token === "azure-native:keyvault:getKey")).toBe(true);
    expect(renderPermissionReport(report).exitCode).toBe(0);
  });

  // azure-native registers no resource provider (pulumi/pulumi-azure-native#3479): on a subscription
  // where Microsoft.App was never registered the first create fails with
  // MissingSubscriptionRegistration. Fails on the old check, which had no namespace rule.
  it("lists the namespaces the plan uses and refuses one the setup does not register", () => {
    const report = checkPlanIdentities(plan, declaration());
    expect(report.namespaces).toEqual(
      expect.arrayContaining([
        "Microsoft.App",
        "Microsoft.Cdn",
        "Microsoft.SecurityInsights",
        "Microsoft.Authorization",
      ]),
    );
    const findings = findingsWith(
      declaration((doc) => {
        doc.resourceProviders = (doc.resourceProviders as string[]).filter((ns) => ns !== "Microsoft.App");
      }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0].identity).toBe("(setup)");
    expect(findings[0].resource).toMatch(/azure-native:app:/);
    expect(findings[0].message).toMatch(
      /resource provider namespace Microsoft\.App, which deploy:setup does not register .*MissingSubscriptionRegistration.*add Microsoft\.App to resourceProviders/,
    );
    // Registered by default (Microsoft's list): role assignments and locks need no entry.
    expect(report.namespaces).toContain("Microsoft.Resources");
    expect(findings.some((f) => /Microsoft\.Authorization|Microsoft\.Resources/.test(f.message))).toBe(false);
  });

  // Namespaces no planned resource lives in, so the namespace check alone never asked for them:
  // - Microsoft.EventGrid: Defender for Storage's on-upload malware scanning (turned on by a
  //   subscription Owner on the plan this stack manages) creates an Event Grid system topic per
  //   scanned account (Microsoft's "Malware scanning in Defender for Storage");
  // - Microsoft.OperationsManagement: a Sentinel onboarding through the onboardingStates API failed
  //   until it (the SecurityInsights solution's namespace) was registered (MicrosoftDocs/azure-docs#83267).
  // Each fails on the old check (no finding) and on the old deploy/identities.yaml (not listed).
  it.each([
    [
      "Microsoft.EventGrid",
      "the StorageAccounts plan whose malware scanning creates a system topic",
      (r: PlannedResource) =>
        r.type === "azure-native:security:Pricing" && r.inputs.pricingName === "StorageAccounts",
      /registered: its on-upload malware scanning creates an Event Grid system topic /,
    ],
    [
      "Microsoft.OperationsManagement",
      "the Sentinel onboarding",
      (r: PlannedResource) => r.type === "azure-native:securityinsights:SentinelOnboardingState",
      /registered: .*MicrosoftDocs\/azure-docs#83267/,
    ],
  ])("requires %s for %s", (ns, _what, isCause, why) => {
    expect(findingsWith(declaration())).toEqual([]);
    const cause = plan.resources.find(isCause);
    expect(cause).toBeDefined();
    const findings = findingsWith(
      declaration((doc) => {
        doc.resourceProviders = (doc.resourceProviders as string[]).filter((x) => x !== ns);
      }),
    );
    expect(findings.map((f) => [f.identity, f.resource])).toEqual([["(setup)", cause!.urn]]);
    expect(findings[0].message).toMatch(why);
    expect(findings[0].message).toContain(`needs resource provider namespace ${ns} registered`);
    expect(findings[0].message).toContain(`add ${ns} to resourceProviders`);
  });

  // azure-native deletes keys and secrets through the vault's data plane (custom_keyvault.go), which
  // the closed vault refuses from the runner: each must be retainOnDelete. Fails on the old check,
  // which never looked at deletes.
  it("refuses a key or secret in the closed vault that is not retainOnDelete (its delete is a data-plane call)", () => {
    const secret = plan.resources.find((r) => r.type === "azure-native:keyvault:Secret")!;
    expect(secret.retainOnDelete).toBe(true);
    expect(
      plan.resources.filter((r) => /keyvault:(Key|Secret)$/.test(r.type)).every((r) => r.retainOnDelete),
    ).toBe(true);
    const withoutRetain: Plan = {
      ...plan,
      resources: plan.resources.map((r) => (r.urn === secret.urn ? { ...r, retainOnDelete: undefined } : r)),
    };
    const findings = findingsWith(declaration(), withoutRetain);
    expect(findings).toHaveLength(1);
    expect(findings[0].identity).toBe("sap-deploy-prod");
    expect(findings[0].resource).toBe(secret.urn);
    expect(findings[0].message).toMatch(
      /deleted \(when removed, replaced or destroyed\) through vault .+'s data plane.*public network access is Disabled.*retainOnDelete/,
    );
  });

  it("fails on the keys when the deploy identity lacks Key Vault Crypto Officer, naming that role", () => {
    const findings = findingsWith(declaration(withoutCryptoOfficer));
    const keys = findings.filter((f) => f.resource.includes("azure-native:keyvault:Key::"));
    expect(keys.length).toBeGreaterThan(0);
    expect(keys[0].identity).toBe("sap-deploy-prod");
    expect(keys[0].message).toMatch(/keys\/(read|create\/action) on \/subscriptions\/.+\/vaults\/.+\/keys\//);
    expect(keys[0].message).toContain("Key Vault Crypto Officer");
  });

  it("refuses the prod cloud admins' Key Vault Reader when the allowed-role list omits it (ABAC condition)", () => {
    const findings = findingsWith(declaration(withoutAllowedRole("Key Vault Reader")));
    expect(findings).toHaveLength(1);
    expect(findings[0].resource).toMatch(
      /HumanAccess\$azure-native:authorization:RoleAssignment::.*cloudAdmin.*key-vault-reader/,
    );
    expect(findings[0].message).toContain("does not list role Key Vault Reader");
  });

  // components/containerApp.ts grants the app identity AcrPull when registryResourceId is set.
  it("refuses an app's AcrPull on its registry when the allowed-role list omits it (ABAC condition)", () => {
    const anyAppGrant = plan.resources.find(
      (r) =>
        r.type === "azure-native:authorization:RoleAssignment" &&
        r.inputs.principalType === "ServicePrincipal" &&
        !r.name.includes("-deployer-"),
    )!;
    // A registry in the stack's subscription, where the deploy identity's RBAC administrator role applies.
    const subscription = /^\/subscriptions\/[^/]+/.exec(String(anyAppGrant.id))![0];
    const registry = `${subscription}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/acr`;
    const acrPull = {
      ...anyAppGrant,
      urn: `${anyAppGrant.urn}-acr-pull`,
      name: `${anyAppGrant.name}-acr-pull`,
      id: `${registry}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-4000-8000-000000000001`,
      inputs: {
        ...anyAppGrant.inputs,
        scope: registry,
        roleDefinitionId: `/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.AcrPull}`,
      },
    };
    const withAcr: Plan = { ...plan, resources: [...plan.resources, acrPull] };
    expect(findingsWith(declaration(), withAcr)).toEqual([]);
    const findings = findingsWith(declaration(withoutAllowedRole("AcrPull")), withAcr);
    expect(findings).toHaveLength(1);
    expect(findings[0].resource).toBe(acrPull.urn);
    expect(findings[0].message).toContain("does not list role AcrPull");
  });

  // config/identities.ts renderCondition: PrincipalId is a request attribute of roleAssignments/write.
  it("refuses a role the deploy identity would assign itself beyond the stack's own vault grants (ABAC condition)", () => {
    const own = plan.resources.find(
      (r) => r.type === "azure-native:authorization:RoleAssignment" && r.name.includes("-deployer-"),
    )!;
    const secretsUser = {
      ...own,
      urn: `${own.urn}-secrets-user`,
      name: `${own.name}-secrets-user`,
      id: String(own.id).replace(/[^/]+$/, "00000000-0000-4000-8000-000000000002"),
      inputs: {
        ...own.inputs,
        roleDefinitionId: `/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES["Key Vault Secrets User"]}`,
      },
    };
    const findings = findingsWith(declaration(), { ...plan, resources: [...plan.resources, secretsUser] });
    expect(findings).toHaveLength(1);
    expect(findings[0].resource).toBe(secretsUser.urn);
    expect(findings[0].message).toContain(
      "lets the deploy identity assign itself only Key Vault Crypto Officer, Platform Secret Writer, not Key Vault Secrets User",
    );
  });

  it("fails getKey for the read-only preview identity without a Key Vault data role", () => {
    const findings = findingsWith(
      declaration((doc) => {
        doc.identities.preview.roles = doc.identities.preview.roles.filter(
          (r) => r.role !== "Key Vault Reader",
        );
      }),
    );
    const getKey = findings.filter((f) => f.identity === "sap-ci-preview" && f.message.startsWith("getKey"));
    expect(getKey).toHaveLength(1);
    expect(getKey[0].message).toContain("Key Vault Reader");
  });

  it("does not count the stack's own grant for a key that does not wait for its propagation sleep", () => {
    const racing: Plan = {
      ...plan,
      resources: plan.resources.map((r) =>
        r.type === "azure-native:keyvault:Key" ? { ...r, dependencies: [], propertyDependencies: {} } : r,
      ),
    };
    const findings = findingsWith(declaration(), racing).filter((f) =>
      f.resource.includes(":keyvault:Key::"),
    );
    expect(findings.length).toBeGreaterThan(0);
    expect(findings[0].message).toMatch(
      /Key Vault Crypto Officer is granted by the stack .* does not wait for it/,
    );
  });

  // Microsoft's "Permissions required to enable Defender for Storage": malware scanning and sensitive
  // data threat detection at subscription level need Subscription Owner or action set 1 (role
  // assignment writes Defender makes for its scanner, outside the plan).
  const withStoragePricing = (extensions: unknown): Plan => ({
    ...plan,
    resources: plan.resources.map((r) =>
      r.type === "azure-native:security:Pricing" && r.inputs.pricingName === "StorageAccounts"
        ? { ...r, inputs: { ...r.inputs, extensions } }
        : r,
    ),
  });
  it("refuses Defender for Storage scanning turned on (or left out) for a deploy identity whose role assignments are conditioned", () => {
    expect(plan.resources.some((r) => r.type === "azure-native:security:Pricing")).toBe(true);
    for (const extensions of [
      undefined,
      [
        { name: "OnUploadMalwareScanning", isEnabled: "True" },
        { name: "SensitiveDataDiscovery", isEnabled: "False" },
      ],
    ]) {
      const findings = findingsWith(declaration(), withStoragePricing(extensions));
      expect(findings.length).toBeGreaterThan(0);
      expect(findings.every((f) => f.resource.includes("StorageAccounts"))).toBe(true);
      expect(findings.map((f) => f.message).join("\n")).toMatch(
        /enable OnUploadMalwareScanning.* needs action Microsoft\.Authorization\/roleAssignments\/write .*Role Based Access Control Administrator holds it but its condition cannot be shown to allow them/,
      );
    }
    // An unconditioned role assignment writer (Owner) could: the check is about the condition.
    const owner = declaration((doc) => {
      doc.identities.deploy.roles.push({
        role: "Owner",
        scope: "subscription",
        grantedBy: "setup",
        why: "test",
      });
    });
    expect(findingsWith(owner, withStoragePricing(undefined))).toEqual([]);
  });

  // The engine reads a resource it imports (the Defender pricings every subscription has) before
  // the update that follows: one read per imported resource, by the identity that deploys.
  it("has the deploy identity read each imported resource before updating it", () => {
    const imported = plan.resources.filter((r) => r.importId);
    expect(imported.map((r) => r.type)).toEqual(imported.map(() => "azure-native:security:Pricing"));
    expect(imported.length).toBeGreaterThan(0);
    const withoutImports: Plan = {
      ...plan,
      resources: plan.resources.map((r) => ({ ...r, importId: undefined })),
    };
    const withImports = checkPlanIdentities(plan, declaration());
    const without = checkPlanIdentities(withoutImports, declaration());
    const deploy = Object.keys(withImports.operations).find((k) => k.includes("deploy"))!;
    expect(withImports.operations[deploy] - without.operations[deploy]).toBe(imported.length);
    expect(withImports.findings).toEqual(without.findings);
  });

  it("reports an app whose Key Vault secret reference no step of the process creates (exit 1)", () => {
    const noPlaceholders: Plan = {
      ...plan,
      resources: plan.resources.filter((r) => r.type !== "azure-native:keyvault:Secret"),
    };
    const report = checkPlanIdentities(noPlaceholders, declaration());
    const refs = report.findings.filter((f) => f.identity === "(process)");
    expect(refs.map((f) => f.resource)).toEqual([
      expect.stringContaining("ContainerApp::app-web-app"),
      expect.stringContaining("ContainerApp::app-api-app"),
    ]);
    expect(refs[0].message).toMatch(
      /web-session-signing-key, which no step of the documented process creates/,
    );
    expect(renderPermissionReport(report)).toMatchObject({ exitCode: 1 });
  });

  it("reports a secret nobody declared can set", () => {
    const findings = findingsWith(
      declaration((doc) => {
        doc.identities.secretWriters.roles[0].role = "Key Vault Reader";
      }),
    );
    expect(findings.length).toBe(2);
    expect(findings[0].message).toMatch(/nobody declared can set the value/);
  });
});

describe("npm run plan with another declaration (DEPLOY_IDENTITIES_FILE)", () => {
  // scripts/plan.ts's main in this process, the file named for the call only (runMain's env).
  const planWith = async (content: string, ...args: string[]): Promise<Run> => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "identities-"));
    const file = path.join(dir, "identities.yaml");
    fs.writeFileSync(file, content);
    try {
      return await runMain(main, ...args, { env: { DEPLOY_IDENTITIES_FILE: file } });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  it("exits 2 on a bad declaration, naming key, value and what is allowed, before anything registers", async () => {
    const run = await planWith(
      IDENTITIES_TEXT.replace("scope: stackVaults", "scope: tenant"),
      "--stack",
      "dev",
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("Invalid deploy identities declaration");
    expect(run.stderr).toMatch(
      /identities\.yaml: identities\.deploy\.roles\[\d\]\.scope = "tenant": .*subscription/,
    );
    expect(run.stdout).toBe("");
  });

  it("exits 1 when it lacks the key role, naming Key Vault Crypto Officer, the vault scope and the key", async () => {
    const run = await planWith(identitiesText(withoutCryptoOfficer), "--stack", "prod");
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/Deploy identities .*the declared identities cannot perform/);
    expect(run.stdout).toMatch(/\[sap-deploy-prod\] urn:.*keyvault:Key::cmk-storage-key/);
    expect(run.stdout).toContain("Key Vault Crypto Officer");
  });
});
