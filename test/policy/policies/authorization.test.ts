import * as a from "../../../policy/policies/authorization";
import { BUILT_IN_ROLES } from "../../../policy/shared/roles";
import { describePolicy } from "./support";

const RA = "azure-native:authorization:RoleAssignment";
const roleId = (guid: string) => `/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const assignment = {
  principalId: "p",
  principalType: "ServicePrincipal",
  roleDefinitionId: roleId(BUILT_IN_ROLES["Key Vault Secrets User"]),
  scope: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1",
};

describePolicy(a.roleAssignmentNoPrivilegedWorkload, {
  type: RA,
  compliant: assignment,
  violations: [
    ["roleDefinitionId", roleId(BUILT_IN_ROLES.Owner), /Owner/],
    ["roleDefinitionId", roleId(BUILT_IN_ROLES.Contributor), /Contributor/],
    ["roleDefinitionId", roleId(BUILT_IN_ROLES["User Access Administrator"]), /User Access Administrator/],
    [
      "roleDefinitionId",
      roleId(BUILT_IN_ROLES["Role Based Access Control Administrator"].toUpperCase()),
      /privileged/,
    ],
  ],
  passes: [
    // Human access: Cloud Admins' group may be Owner of the resource group.
    ["principalType", "Group"],
  ],
  unknown: "roleDefinitionId",
});

describePolicy(a.roleAssignmentGroupsOnly, {
  type: RA,
  compliant: assignment,
  violations: [
    ["principalType", "User", /User/],
    ["principalType", undefined, /principalType is not set/],
  ],
  passes: [["principalType", "Group"]],
  unknown: "principalType",
});
