/**
 * Role assignments (IAM-2). Locks are judged by the stack policy `stateful-resources-locked`,
 * which can see what each lock covers.
 */
import { resourcePolicy } from "../lib/define";
import { eqi, get, NOT_KNOWN, peek, show, str } from "../lib/props";
import { BUILT_IN_ROLES, PRIVILEGED_ROLES, roleNameOf } from "../shared/roles";

const ROLE_ASSIGNMENT = ["azure-native:authorization:RoleAssignment"] as const;

export const roleAssignmentNoPrivilegedWorkload = resourcePolicy({
  name: "role-assignment-no-privileged-workload",
  description:
    "Workload identities (service principals, managed identities) never hold Owner, Contributor, User Access Administrator or RBAC Administrator (IAM-2).",
  controls: ["IAM-2"],
  severity: "critical",
  remediation:
    "Grant a data-plane role scoped to the one resource the workload needs (e.g. Key Vault Secrets User on one vault, Storage Blob Data Reader on one account).",
  types: ROLE_ASSIGNMENT,
  config: {
    privilegedRoleIds: {
      description: "Role definition GUIDs that workloads may never hold.",
      default: PRIVILEGED_ROLES.map((role) => BUILT_IN_ROLES[role]),
    },
  },
  check: ({ props }, cfg, report) => {
    const roleId = str(props, "roleDefinitionId");
    const guid = roleId?.split("/").pop()?.toLowerCase();
    if (!guid || !cfg.privilegedRoleIds.some((g) => g.toLowerCase() === guid)) return;
    const principalType = get(props, "principalType");
    // Unset principalType leaves the principal kind to Azure: it could be a workload.
    if (!eqi(principalType, "Group") && !eqi(principalType, "User") && !eqi(principalType, "ForeignGroup")) {
      report(
        `role ${roleNameOf(guid) ?? guid} is privileged and principalType is ${show(principalType)}; workloads may not hold it`,
      );
    }
  },
});

export const roleAssignmentGroupsOnly = resourcePolicy({
  name: "role-assignment-groups-only",
  description:
    "Role assignments name their principal type, and human access goes to Entra groups, never to single users (IAM-2).",
  controls: ["IAM-2"],
  severity: "high",
  remediation:
    "Assign the role to the Entra group of the person's role (Developer, QA, DevOps, Cloud Admin) with principalType: Group; workloads use principalType: ServicePrincipal.",
  types: ROLE_ASSIGNMENT,
  config: {
    allowedPrincipalTypes: {
      description: "Principal types that may receive role assignments.",
      default: ["ServicePrincipal", "Group"],
    },
  },
  check: ({ props }, cfg, report) => {
    const principalType = str(props, "principalType");
    if (!principalType || !cfg.allowedPrincipalTypes.some((t) => eqi(principalType, t)))
      report(
        `principalType is ${show(get(props, "principalType"))}; allowed: ${cfg.allowedPrincipalTypes.join(", ")}`,
      );
  },
});

export const roleAssignmentWorkloadResourceScope = resourcePolicy({
  name: "role-assignment-workload-resource-scope",
  description:
    "Workload identities (service principals) get their roles on the one resource they need, never on a whole resource group, subscription or management group (IAM-2).",
  controls: ["IAM-2"],
  severity: "high",
  remediation:
    "Scope the assignment to the resource (a Key Vault, storage account, container registry): scope = the resource's ID (components: assignRole).",
  types: ROLE_ASSIGNMENT,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (!eqi(get(props, "principalType"), "ServicePrincipal")) return;
    const scope = peek(props, "scope");
    // A scope computed from a resource being created (preview) is that resource.
    if (scope === NOT_KNOWN) return;
    const text = typeof scope === "string" ? scope.trim() : "";
    if (!/\/providers\/(?!microsoft\.management\/)[^/]+\/[^/]+\/[^/]+/i.test(text))
      report(
        `scope ${show(scope)} is not a single resource; workload roles are scoped to the resource they need`,
      );
  },
});

export const authorizationPolicies = [
  roleAssignmentNoPrivilegedWorkload,
  roleAssignmentGroupsOnly,
  roleAssignmentWorkloadResourceScope,
] as const;
