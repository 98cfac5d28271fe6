/**
 * deploy/identities.yaml: the checked-in declaration loads; every class of bad input is one
 * ConfigError naming the key, the value and what is allowed, all problems at once.
 */
import {
  IDENTITIES_FILE,
  customRoleName,
  identityName,
  loadDeployIdentities,
  parseDeployIdentities,
  renderCondition,
  roleGuid,
  stackGrants,
} from "../config/identities";
import { ConfigError } from "../config";
import { BUILT_IN_ROLES } from "../controls/roles";
import { HUMAN_ACCESS } from "../components/humanAccess";
import { identitiesText } from "./helpers/identities";

const problemsOf = (yamlText: string) => {
  try {
    parseDeployIdentities(yamlText, "/x/identities.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
};

describe("the checked-in declaration", () => {
  const doc = loadDeployIdentities(IDENTITIES_FILE);

  it("names the three identities per environment", () => {
    expect(identityName(doc.identities.preview, "prod")).toBe("sap-ci-preview");
    expect(identityName(doc.identities.deploy, "prod")).toBe("sap-deploy-prod");
    expect(identityName(doc.identities.secretWriters, "dev")).toBe("sg-sap-secret-writers-dev");
  });

  it("keeps the preview identity read-only and the deploy identity without Owner or User Access Administrator", () => {
    expect(doc.identities.preview.roles.map((r) => r.role)).toEqual(["Reader", "Key Vault Reader"]);
    const deployRoles = doc.identities.deploy.roles.map((r) => r.role);
    expect(deployRoles).not.toContain("Owner");
    expect(deployRoles).not.toContain("User Access Administrator");
  });

  it("has a lock-only custom role held by the deploy identity", () => {
    expect(doc.customRoles["Platform Lock Operator"].actions).toEqual([
      "Microsoft.Authorization/locks/read",
      "Microsoft.Authorization/locks/write",
      "Microsoft.Authorization/locks/delete",
    ]);
    expect(doc.customRoles["Platform Lock Operator"].dataActions).toEqual([]);
    expect(doc.identities.deploy.roles.some((r) => r.role === "Platform Lock Operator")).toBe(true);
  });

  it("lets the RBAC administrator assign every role the human-access table uses (Key Vault Reader for prod cloud admins)", () => {
    for (const env of ["dev", "prod"] as const) {
      const allowed = doc.identities.deploy.roles.find((r) => r.condition)!.condition!.allowedRoles[env]!;
      for (const roles of Object.values(HUMAN_ACCESS[env]))
        for (const role of roles) expect(allowed).toContain(role);
    }
    expect(renderCondition(doc, "prod")).toContain(BUILT_IN_ROLES["Key Vault Reader"]);
    expect(renderCondition(doc, "prod")).not.toContain(BUILT_IN_ROLES.Owner);
    // Named, the identity may assign itself only the roles the stack grants it on its vaults.
    const self = "11111111-2222-4333-8444-555555555555";
    expect(renderCondition(doc, "prod")).not.toContain("PrincipalId");
    expect(renderCondition(doc, "prod", self)).toContain(
      `AND (@Request[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAllValues:GuidNotEquals {${self}} OR ` +
        `@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${BUILT_IN_ROLES["Key Vault Crypto Officer"]}, ${roleGuid(doc, "Platform Secret Writer", "prod")}})`,
    );
    // No role granted by the stack: the identity may assign itself nothing, and no empty set is written.
    const deploy = doc.identities.deploy;
    const noStackGrants = {
      ...doc,
      identities: {
        ...doc.identities,
        deploy: { ...deploy, roles: deploy.roles.filter((r) => r.grantedBy !== "stack") },
      },
    };
    const bare = renderCondition(noStackGrants, "prod", self)!;
    expect(bare).not.toContain("{}");
    expect(bare).toContain(
      `AND @Request[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAllValues:GuidNotEquals {${self}})) AND`,
    );
  });

  it("resolves the stack's own grants: Key Vault Crypto Officer on each vault, by GUID", () => {
    const grants = stackGrants(doc, "prod", "stackVaults");
    expect(grants).toContainEqual({
      role: "Key Vault Crypto Officer",
      roleDefinitionGuid: BUILT_IN_ROLES["Key Vault Crypto Officer"],
      scope: "stackVaults",
    });
    // Custom roles: one definition per environment, stable GUID.
    expect(roleGuid(doc, "Platform Secret Writer", "prod")).toBe(
      roleGuid(doc, "Platform Secret Writer", "prod"),
    );
    expect(roleGuid(doc, "Platform Secret Writer", "prod")).not.toBe(
      roleGuid(doc, "Platform Secret Writer", "dev"),
    );
    expect(customRoleName("Platform Lock Operator", "dev")).toBe("Platform Lock Operator (dev)");
  });
});

describe("refuses, naming key, value and what is allowed", () => {
  it("an unknown role, a privileged allowed role and a setup grant below subscription scope, all at once", () => {
    const problems = problemsOf(
      identitiesText((doc) => {
        doc.identities.deploy.roles[0].role = "Contributer";
        const admin = doc.identities.deploy.roles.find((r) => r.condition);
        admin!.condition!.allowedRoles.prod.push("Owner");
        doc.identities.preview.roles[0].scope = "resourceGroup";
      }),
    );
    expect(problems.map((p) => p.key)).toEqual(
      expect.arrayContaining([
        "identities.yaml: identities.deploy.roles[0].role",
        expect.stringMatching(
          /^identities\.yaml: identities\.deploy\.roles\[\d+\]\.condition\.allowedRoles\.prod\[\d+\]$/,
        ),
        "identities.yaml: identities.preview.roles[0].scope",
      ]),
    );
    const unknown = problems.find((p) => p.value === '"Contributer"')!;
    expect(unknown.message).toContain("Contributor");
    expect(problems.find((p) => p.value === '"Owner"')!.message).toMatch(/refused/);
  });

  it("an RBAC administrator without a condition (it could grant itself Owner)", () => {
    const problems = problemsOf(
      identitiesText((doc) => {
        for (const r of doc.identities.deploy.roles) delete r.condition;
      }),
    );
    expect(problems.some((p) => /needs a condition/.test(p.message))).toBe(true);
  });

  // The drift check runs on main without a GitHub environment: only read-only identities trust it.
  it("a deploy identity trusting jobs on main (no environment protection), or a subject twice", () => {
    const problems = problemsOf(
      identitiesText((doc) => {
        doc.identities.deploy.federatedSubjects = ["environment", "mainBranch"];
        doc.identities.preview.federatedSubjects = ["pull_request", "pull_request", "mainBranch"];
      }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        key: "identities.yaml: identities.deploy.federatedSubjects",
        message: expect.stringMatching(/only for a readOnly identity/),
      }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        key: "identities.yaml: identities.preview.federatedSubjects",
        message: "lists a subject twice",
      }),
    );
  });

  it("an unknown key, a wrong scope kind and a bad action, through the schema", () => {
    const problems = problemsOf(
      identitiesText((doc) => {
        doc.identities.deploy.roles[0].scope = "tenant";
        doc.customRoles["Platform Lock Operator"].actions.push("not an action");
        doc.owner = "me";
      }),
    );
    const scope = problems.find((p) => p.key.endsWith("identities.deploy.roles[0].scope"))!;
    expect(scope.value).toBe('"tenant"');
    expect(scope.message).toMatch(/subscription/);
    expect(problems.some((p) => p.key.includes("customRoles.Platform Lock Operator.actions"))).toBe(true);
    expect(problems).toContainEqual(
      expect.objectContaining({ key: "identities.yaml: owner", value: '"me"' }),
    );
  });

  it("a role the stack would grant itself on a scope it does not grant on", () => {
    const problems = problemsOf(
      identitiesText((doc) => {
        const officer = doc.identities.deploy.roles.find((r) => r.role === "Key Vault Crypto Officer")!;
        officer.scope = "resourceGroup";
      }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0].value).toBe('"resourceGroup"');
    expect(problems[0].message).toContain("stackVaults");
  });

  it("a read-only identity holding a writing role", () => {
    const problems = problemsOf(
      identitiesText((doc) => {
        doc.identities.preview.roles[0].role = "Contributor";
      }),
    );
    expect(problems[0]).toMatchObject({
      key: "identities.yaml: identities.preview.roles[0].role",
      value: '"Contributor"',
    });
  });

  it("text that is not YAML, and a missing file", () => {
    expect(problemsOf("a: [")[0].message).toMatch(/not YAML/);
    expect(() => loadDeployIdentities("/nonexistent/identities.yaml")).toThrow(/no such file/);
  });
});
