/** HumanAccess (IAM-2): Entra groups per role, least privilege per environment, RG scope. */
import {
  HUMAN_ACCESS,
  HumanAccess,
  humanAccessGroups,
  type HumanAccessArgs,
} from "../../components/humanAccess";
import { BUILT_IN_ROLES, PRIVILEGED_ROLES, roleNameOf } from "../../controls/roles";
import { testResourceGroupId } from "../helpers/platform";
import { byType, runExpectingError, runProgram, type PlannedResource } from "../helpers/pulumi";

const RA = "azure-native:authorization:RoleAssignment";
const DEV_GROUP = "11111111-1111-4111-8111-111111111111";
const QA_GROUP = "22222222-2222-4222-8222-222222222222";
const OPS_GROUP = "33333333-3333-4333-8333-333333333333";
const ADMIN_GROUP = "44444444-4444-4444-8444-444444444444";

const groups = humanAccessGroups({
  developerGroupIds: [DEV_GROUP],
  qaGroupIds: [QA_GROUP],
  devopsGroupIds: [OPS_GROUP],
  cloudAdminGroupIds: [ADMIN_GROUP],
});
const args = (environment: "dev" | "prod"): HumanAccessArgs => ({
  environment,
  resourceGroupId: testResourceGroupId(environment),
  groups,
});
const rolesOf = (resources: PlannedResource[], group: string) =>
  byType(resources, RA)
    .filter((r) => r.inputs.principalId === group)
    .map((r) => roleNameOf(String(r.inputs.roleDefinitionId)))
    .sort();

describe("the human access table", () => {
  it("grants nobody a privileged role in any environment (IAM-2)", () => {
    for (const env of Object.values(HUMAN_ACCESS))
      for (const roles of Object.values(env))
        for (const role of roles) expect(PRIVILEGED_ROLES).not.toContain(role);
  });

  it("gives developers and QA only Reader in prod", () => {
    expect(HUMAN_ACCESS.prod.developer).toEqual(["Reader"]);
    expect(HUMAN_ACCESS.prod.qa).toEqual(["Reader"]);
  });

  it("grants no standing access to secrets or customer data in prod", () => {
    const dataPlane = /Secrets|Crypto|Blob Data|Key Vault Administrator/;
    for (const roles of Object.values(HUMAN_ACCESS.prod))
      for (const r of roles) expect(r).not.toMatch(dataPlane);
  });
});

describe("HumanAccess", () => {
  it.each(["dev", "prod"] as const)(
    "assigns the %s table to the groups at resource-group scope",
    async (env) => {
      const { resources } = await runProgram(() => new HumanAccess("people", args(env)));
      const assignments = byType(resources, RA);
      const expected = Object.values(HUMAN_ACCESS[env]).reduce((n, roles) => n + roles.length, 0);
      expect(assignments).toHaveLength(expected);
      for (const a of assignments) {
        expect(a.inputs.scope).toBe(testResourceGroupId(env));
        expect(a.inputs.principalType).toBe("Group");
      }
      expect(rolesOf(resources, DEV_GROUP)).toEqual([...HUMAN_ACCESS[env].developer].sort());
      expect(rolesOf(resources, ADMIN_GROUP)).toEqual([...HUMAN_ACCESS[env].cloudAdmin].sort());
      expect(
        assignments.every((a) =>
          Object.values(BUILT_IN_ROLES).some((g) => String(a.inputs.roleDefinitionId).endsWith(g)),
        ),
      ).toBe(true);
    },
  );

  it("assigns nothing for roles without groups", async () => {
    const { resources } = await runProgram(
      () => new HumanAccess("people", { ...args("prod"), groups: { qa: [QA_GROUP] } }),
    );
    expect(byType(resources, RA)).toHaveLength(HUMAN_ACCESS.prod.qa.length);
  });

  it.each([
    [
      { developer: ["alice@example.com"] },
      /groups.developer\[0\] = "alice@example.com": must be an Entra group object ID/,
    ],
    [{ developer: [DEV_GROUP, DEV_GROUP] }, /groups.developer\[1\] = ".*": is listed twice/],
    [
      { admins: [ADMIN_GROUP] },
      /groups.admins = \[.*\]: is not a human role \(allowed: developer, qa, devops, cloudAdmin\)/,
    ],
  ])("refuses %j before registering", async (g, message) => {
    const { error, resources } = await runExpectingError(
      () => new HumanAccess("people", { ...args("dev"), groups: g as HumanAccessArgs["groups"] }),
    );
    expect(error.message).toMatch(message);
    expect(resources).toEqual([]);
  });

  it("the role table is not an argument", async () => {
    // @ts-expect-error roles come from HUMAN_ACCESS only
    const a: HumanAccessArgs = { ...args("dev"), roles: { developer: ["Owner"] } };
    const { error, resources } = await runExpectingError(() => new HumanAccess("people", a));
    expect(error.message).toMatch(/unknown argument "roles"/);
    expect(resources).toEqual([]);
  });
});
