/**
 * IAM-2 role assignments: built-in role by name, one resource scope, ServicePrincipal for
 * identities, deterministic GUID names, privileged roles refused for workloads.
 */
import {
  PrivilegedRoleError,
  assignRole,
  checkRoleAssignments,
  deterministicGuid,
} from "../../../components/common/roleAssignment";
import type { RoleAssignmentArgs } from "../../../components/common/interfaces";
import { BUILT_IN_ROLES, PRIVILEGED_ROLES } from "../../../controls/roles";
import { TEST_SUBSCRIPTION_ID } from "../../helpers/platform";
import { byType, only, runExpectingError, runProgram } from "../../helpers/pulumi";

const RA = "azure-native:authorization:RoleAssignment";
const SCOPE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1";
const PRINCIPAL = "22222222-2222-4222-8222-222222222222";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("deterministicGuid", () => {
  it("is a name-based UUID, stable for the same parts and case-insensitive", () => {
    const a = deterministicGuid(SCOPE, BUILT_IN_ROLES["Key Vault Secrets User"], PRINCIPAL);
    expect(a).toMatch(UUID);
    expect(deterministicGuid(SCOPE.toUpperCase(), BUILT_IN_ROLES["Key Vault Secrets User"], PRINCIPAL)).toBe(
      a,
    );
  });

  it("differs when scope, role or principal differs", () => {
    const role = BUILT_IN_ROLES["Key Vault Secrets User"];
    const base = deterministicGuid(SCOPE, role, PRINCIPAL);
    expect(deterministicGuid(`${SCOPE}2`, role, PRINCIPAL)).not.toBe(base);
    expect(deterministicGuid(SCOPE, BUILT_IN_ROLES.Reader, PRINCIPAL)).not.toBe(base);
    expect(deterministicGuid(SCOPE, role, PRINCIPAL.replace(/2/g, "3"))).not.toBe(base);
  });
});

describe("assignRole", () => {
  const assignment = {
    role: "Key Vault Secrets User",
    principalId: PRINCIPAL,
    principalType: "ServicePrincipal",
  } as const;

  it("assigns the built-in role by GUID on the one scope with a deterministic name", async () => {
    const run = () => runProgram(() => assignRole("api-kv", SCOPE, assignment, {}));
    const first = only((await run()).resources, RA);
    const second = only((await run()).resources, RA);
    expect(first.inputs).toMatchObject({
      scope: SCOPE,
      roleDefinitionId: `/subscriptions/${TEST_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES["Key Vault Secrets User"]}`,
      principalId: PRINCIPAL,
      principalType: "ServicePrincipal",
      roleAssignmentName: deterministicGuid(SCOPE, BUILT_IN_ROLES["Key Vault Secrets User"], PRINCIPAL),
    });
    expect(first.inputs.roleAssignmentName).toBe(second.inputs.roleAssignmentName);
    expect(first.inputs.roleAssignmentName).toMatch(UUID);
  });

  it.each(PRIVILEGED_ROLES.map((r) => [r]))(
    "refuses %s for a workload identity and registers nothing",
    async (role) => {
      const { error, resources } = await runExpectingError(() =>
        assignRole("api", SCOPE, { ...assignment, role }, {}),
      );
      expect(error).toBeInstanceOf(PrivilegedRoleError);
      expect(error.message).toContain(`role "${role}" refused for a workload identity (IAM-2)`);
      expect(byType(resources, RA)).toEqual([]);
    },
  );

  it("allows a Group principal type for people", async () => {
    const { resources } = await runProgram(() =>
      assignRole("devs", SCOPE, { role: "Reader", principalId: PRINCIPAL, principalType: "Group" }, {}),
    );
    expect(only(resources, RA).inputs.principalType).toBe("Group");
  });
});

describe("checkRoleAssignments (before super)", () => {
  it("passes data-plane roles and no assignments", () => {
    expect(() => checkRoleAssignments("X", undefined)).not.toThrow();
    expect(() =>
      checkRoleAssignments("X", [
        { role: "Storage Blob Data Reader", principalId: PRINCIPAL, principalType: "ServicePrincipal" },
      ]),
    ).not.toThrow();
  });

  it("names the owner and the entry", () => {
    expect(() =>
      checkRoleAssignments('BlobStorage "st"', [
        { role: "Reader", principalId: PRINCIPAL, principalType: "ServicePrincipal" },
        { role: "Owner", principalId: PRINCIPAL, principalType: "ServicePrincipal" },
      ]),
    ).toThrow(
      /^BlobStorage "st": invalid arguments \(1 problem\):\n {2}- roleAssignments\[1\]\.role = "Owner": role "Owner" refused/,
    );
  });

  it("refuses unknown roles, user principals and non-GUID principals", () => {
    const unknownRole: RoleAssignmentArgs = {
      // @ts-expect-error only built-in roles from the one table (IAM-2)
      role: "Cosmos DB Operator",
      principalId: PRINCIPAL,
      principalType: "Group",
    };
    expect(() => checkRoleAssignments("X", [unknownRole])).toThrow(
      /roleAssignments\[0\]\.role = "Cosmos DB Operator": is not a known built-in role/,
    );
    expect(() =>
      // @ts-expect-error people are granted through groups, never as users (IAM-2)
      checkRoleAssignments("X", [{ role: "Reader", principalId: PRINCIPAL, principalType: "User" }]),
    ).toThrow(/principalType = "User": refused/);
    expect(() =>
      checkRoleAssignments("X", [
        { role: "Reader", principalId: "alice@example.com", principalType: "Group" },
      ]),
    ).toThrow(/principalId = "alice@example\.com": must be an Entra object ID/);
  });
});
