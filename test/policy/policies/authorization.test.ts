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

const VAULT = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1";
describePolicy(a.roleAssignmentWorkloadResourceScope, {
  type: "azure-native:authorization:RoleAssignment",
  compliant: {
    principalId: "0091752e-edd3-4538-80fb-72a03b421779",
    principalType: "ServicePrincipal",
    roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES["Key Vault Secrets User"]}`,
    scope: VAULT,
  },
  violations: [
    ["scope", "/subscriptions/s/resourceGroups/rg", /is not a single resource/],
    ["scope", "/subscriptions/s", /is not a single resource/],
    ["scope", "/providers/Microsoft.Management/managementGroups/mg", /is not a single resource/],
    ["scope", undefined, /is not a single resource/],
  ],
  passes: [
    ["scope", `${VAULT}/keys/cmk`],
    // Human access (groups) is judged by the HumanAccess rules, at resource-group scope.
    ["principalType", "Group"],
  ],
  unknown: "scope",
});
