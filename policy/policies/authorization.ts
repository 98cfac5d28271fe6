/**
 * Role assignments, PIM eligibility, custom role definitions and who may receive access (IAM-2,
 * ENV-1). Locks are judged by the stack policy `stateful-resources-locked`, which can see what
 * each lock covers.
 *
 * "Privileged" is derived in one place (controls/roles.ts) from what a role can do: grant
 * access, read keys that open a data store, or act as another identity. A role assignment names
 * its role by definition ID in any form Azure accepts (full ID of any subscription, tenant-level
 * ID, bare GUID, any case): all are reduced to the GUID before comparing.
 */
import type { PolicyResource } from "@pulumi/policy";
import { parseType, type AzureType } from "../lib/azureTypes";
import {
  propertyDependenciesOf,
  resourceIdOf,
  resourcePolicy,
  stackPolicy,
  type StackResource,
} from "../lib/define";
import { arr, eqi, get, NOT_KNOWN, peek, show, str } from "../lib/props";
import { label } from "../lib/relations";
import {
  BUILT_IN_ROLES,
  customRolesOf,
  PRIVILEGED_ROLES,
  privilegedOperations,
  roleGuidOf,
  roleNameOf,
  type CustomRole,
  type RolePermissions,
} from "../../controls/roles";

const ROLE_ASSIGNMENT = ["azure-native:authorization:RoleAssignment"] as const;
/** Everything that hands a principal a role: assignments and PIM eligibility (activated at will). */
const ROLE_GRANTS = [
  "azure-native:authorization:RoleAssignment",
  "azure-native:authorization:PimRoleEligibilitySchedule",
] as const;

const privilegedRoleIdsParam = {
  description:
    "Role definition GUIDs treated as privileged (default: the built-in roles that can grant access, read data-store keys or act as another identity).",
  default: PRIVILEGED_ROLES.map((role) => BUILT_IN_ROLES[role]) as readonly string[],
};

/** The role GUID of a grant when it is privileged under `privilegedRoleIds`. */
function privilegedGuid(props: unknown, privilegedRoleIds: readonly string[]): string | undefined {
  const guid = roleGuidOf(get(props, "roleDefinitionId"));
  return guid !== undefined && privilegedRoleIds.some((g) => g.toLowerCase() === guid) ? guid : undefined;
}

export const roleAssignmentNoPrivilegedWorkload = resourcePolicy({
  name: "role-assignment-no-privileged-workload",
  description:
    "Workload identities (service principals, managed identities) never hold Owner, Contributor, User Access Administrator or RBAC Administrator (IAM-2).",
  controls: ["IAM-2"],
  severity: "critical",
  remediation:
    "Grant a data-plane role scoped to the one resource the workload needs (e.g. Key Vault Secrets User on one vault, Storage Blob Data Reader on one account).",
  types: ROLE_GRANTS,
  config: { privilegedRoleIds: privilegedRoleIdsParam },
  check: ({ props }, cfg, report) => {
    const guid = privilegedGuid(props, cfg.privilegedRoleIds);
    if (!guid) return;
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

/** A scope that is one resource (not a resource group, subscription or management group). */
const SINGLE_RESOURCE = /\/providers\/(?!microsoft\.management\/)[^/]+\/[^/]+\/[^/]+/i;

/**
 * Whether a resource of the stack is one resource whose ID is a single-resource scope: an Azure
 * resource (azure-native in any token form) other than a resource group, a management group or a
 * subscription. A random string, a component or an Azure Classic resource group is not.
 */
function isSingleResource(r: PolicyResource): boolean {
  const parsed = parseType(r.type);
  if (parsed?.package !== "azure-native") return false;
  return !/^azure-native:(resources:ResourceGroup|management:|subscription:)/i.test(parsed.canonical);
}

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
    if (!SINGLE_RESOURCE.test(text))
      report(
        `scope ${show(scope)} is not a single resource; workload roles are scoped to the resource they need`,
      );
  },
});

const HUMAN_PRINCIPAL_TYPES = ["Group", "User", "ForeignGroup", "Device"];

export const roleAssignmentNoPrivilegedHuman = resourcePolicy({
  name: "role-assignment-no-privileged-human",
  description:
    "People (groups, users) never receive a privileged role (Owner, Contributor, User Access Administrator, RBAC Administrator, or any role that grants access or reads data-store keys) through the stack, at any scope, as an assignment or a PIM eligibility; only an allow-listed break-glass group may (IAM-2).",
  controls: ["IAM-2"],
  severity: "critical",
  remediation:
    "Give people read roles (Reader, Monitoring Reader, Key Vault Reader) and change production through the pipeline; a break-glass group goes in allowedPrivilegedPrincipalIds.",
  types: ROLE_GRANTS,
  config: {
    privilegedRoleIds: privilegedRoleIdsParam,
    allowedPrivilegedPrincipalIds: {
      description: "Object IDs of Entra groups allowed a privileged role (break glass). Empty: none.",
      default: [] as readonly string[],
    },
  },
  check: ({ props }, cfg, report) => {
    const guid = privilegedGuid(props, cfg.privilegedRoleIds);
    if (!guid) return;
    const principalType = get(props, "principalType");
    // PIM eligibility has no principalType: whoever it names could activate the role.
    if (principalType !== undefined && !HUMAN_PRINCIPAL_TYPES.some((t) => eqi(principalType, t))) return;
    const principal = str(props, "principalId")?.toLowerCase();
    if (
      principal !== undefined &&
      cfg.allowedPrivilegedPrincipalIds.some((p) => p.toLowerCase() === principal)
    )
      return;
    report(
      `role ${roleNameOf(guid) ?? guid} is privileged; principal ${show(get(props, "principalId"))} (${show(principalType)}) at scope ${show(get(props, "scope"))} is not an allow-listed break-glass group`,
    );
  },
});

/** Actions no custom role may hold whatever else it does: everything, or a whole provider. */
function wildcardReason(action: string): string | undefined {
  const a = action.trim();
  if (/^\*\/read$/i.test(a)) return undefined; // Reader's read-everything: no data, no writes
  if (a.startsWith("*")) return `${show(a)} covers every provider`;
  if (/^[^/]+\/\*$/.test(a)) return `${show(a)} covers a whole provider`;
  return undefined;
}

export const customRoleDefinitionLeastPrivilege = resourcePolicy({
  name: "custom-role-definition-least-privilege",
  description:
    "Custom role definitions name their operations: no wildcard over every provider or a whole provider (actions or dataActions), no operation that grants access, reads data-store keys or acts as another identity, and assignable only at resource-group scope or below (IAM-2).",
  controls: ["IAM-2"],
  severity: "critical",
  remediation:
    "List the exact operations the role needs (e.g. Microsoft.Storage/storageAccounts/blobServices/containers/read), leave role-assignment and key-listing operations out, and set assignableScopes to the stack's resource group.",
  types: ["azure-native:authorization:RoleDefinition"],
  config: {},
  check: ({ props }, _cfg, report) => {
    for (const [i, permission] of arr(props, "permissions").entries()) {
      const list = (key: string) => arr(permission, key).filter((v): v is string => typeof v === "string");
      for (const key of ["actions", "dataActions"]) {
        for (const action of list(key)) {
          const reason = wildcardReason(action);
          if (reason) report(`permissions[${i}].${key}: ${reason}`);
        }
      }
      const role: RolePermissions = { actions: list("actions"), notActions: list("notActions") };
      const ops = privilegedOperations(role);
      if (ops.length > 0) report(`permissions[${i}] allows privileged operation(s) ${ops.join(", ")}`);
    }
    for (const scope of arr(props, "assignableScopes")) {
      if (scope === NOT_KNOWN) continue;
      const text = typeof scope === "string" ? scope.trim().replace(/\/+$/, "") : "";
      if (!/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+/i.test(text))
        report(`assignableScopes ${show(scope)} is broader than a resource group`);
    }
  },
});

/** Why a preset's custom role cannot be taken on trust, if it cannot. */
function untrustedCustomRole(role: RolePermissions & { dataActions: readonly string[] }): string[] {
  const reasons = [...role.actions, ...role.dataActions].flatMap((a) => wildcardReason(a) ?? []);
  const ops = privilegedOperations(role);
  if (ops.length > 0) reasons.push(`it allows privileged operation(s) ${ops.join(", ")}`);
  return reasons;
}

export const roleAssignmentKnownRole = stackPolicy({
  name: "role-assignment-known-role",
  description:
    "Role assignments and PIM eligibility use a built-in role of the pack's role table, a custom role defined in this stack (judged by custom-role-definition-least-privilege; while the definition is being created, the grant's role ID computed from it), or a reviewed custom role the preset declares with its permissions (customRoles), which must not be privileged or use wildcards and is assigned on one resource only: a custom role whose permissions the pack cannot see is refused (IAM-2).",
  controls: ["IAM-2"],
  severity: "high",
  remediation:
    "Use a built-in role (controls/roles.ts lists the ones the pack knows), or define the custom role in this stack; a reviewed external role goes in customRoles (GUID -> {name, actions, dataActions}) of policy/config/<stack>.json, assigned on the one resource that needs it.",
  types: [...ROLE_GRANTS, "azure-native:authorization:RoleDefinition"],
  config: {
    customRoles: {
      description:
        "Reviewed custom roles created outside the stack (deploy/identities.yaml): role definition GUID -> { name, actions, dataActions }. Judged by these permissions. Empty: none.",
      default: {},
    },
    allowedRoleDefinitionIds: {
      description:
        "GUIDs of role definitions made outside the stack that assignments may use without the pack seeing their permissions (prefer customRoles). Empty: none.",
      default: [] as readonly string[],
    },
  },
  check: (stack, cfg, report) => {
    const known = new Set<string>(Object.values(BUILT_IN_ROLES));
    for (const id of cfg.allowedRoleDefinitionIds) known.add(roleGuidOf(id) ?? id.toLowerCase());
    const customRoles = customRolesOf(cfg.customRoles);
    const untrusted = new Map<CustomRole, string[]>();
    const definitions = stack.ofType("azure-native:authorization:RoleDefinition");
    // A definition the stack has created already is known by its ID (never an input: the Node SDK
    // drops `id` from a resource's inputs, @pulumi/pulumi runtime/rpc.js serializeResourceProperties).
    // One this deployment creates vouches only for grants whose role ID is computed from it: its
    // `roleDefinitionId` (or a `name` input, which the provider lets through) may be the GUID of a
    // role that exists already, whose create then fails while a grant naming the GUID as text, not
    // waiting for the definition, is made with that other role's permissions.
    // Its `name` output (the GUID) says so too: azure-native's preview of an update keeps `name`
    // from the old state while `id` becomes unknown, and a create's preview has neither
    // (pulumi/pulumi-azure-native provider.go Update/Create with preview); a written `name` input
    // is refused by computed-properties-not-inputs. (Real outputs carry no `roleDefinitionId`, a
    // path parameter: a definition being created then vouches for no GUID written as text.)
    const creating = new Map<string, StackResource>();
    for (const d of definitions) {
      const existing = roleGuidOf(resourceIdOf(d)) ?? roleGuidOf(peek(d.props, "name"));
      if (existing) {
        known.add(existing);
        continue;
      }
      const guid = roleGuidOf(peek(d.props, "roleDefinitionId"));
      if (guid) creating.set(guid, d);
    }
    const definitionUrns = new Set(definitions.map((d) => d.urn));
    for (const grant of stack.ofType(...ROLE_GRANTS)) {
      const id = peek(grant.props, "roleDefinitionId");
      if (id === NOT_KNOWN) {
        // Preview: an ID not known yet must be computed from a role definition being created: the
        // input's own dependencies, not the grant's (a `dependsOn` on a decoy definition next to an
        // ID computed from anything else would pass the preview, and at `up` this stack policy runs
        // only after the assignment exists: pulumi/pulumi deployment_executor.go AnalyzeResources).
        if (!propertyDependenciesOf(grant, "roleDefinitionId").some((d) => definitionUrns.has(d.urn)))
          report(
            `${label(grant)} uses a role definition that is not known yet and not defined in this stack`,
            grant.urn,
          );
        continue;
      }
      const guid = roleGuidOf(id);
      const custom = guid !== undefined && !known.has(guid) ? customRoles.get(guid) : undefined;
      if (custom) {
        // Judged once per role, however many grants use it.
        let reasons = untrusted.get(custom);
        if (!reasons) untrusted.set(custom, (reasons = untrustedCustomRole(custom)));
        for (const reason of reasons)
          report(
            `${label(grant)} uses custom role ${custom.name} (${guid}) from the preset, but ${reason}`,
            grant.urn,
          );
        const scope = peek(grant.props, "scope");
        // A scope not known yet (preview) is taken for the resource it is computed from, when that is
        // an Azure resource being created other than a resource group (a group's ID is a group
        // scope); one computed from nothing, a group or a random string could be a group or the
        // subscription, and this policy sees the known value only after the grant exists at `up`.
        if (scope === NOT_KNOWN) {
          if (!propertyDependenciesOf(grant, "scope").some(isSingleResource))
            report(
              `${label(grant)} assigns custom role ${custom.name} at a scope not known yet that is not computed from a single resource of the stack; a role made outside the stack is assigned on one resource only`,
              grant.urn,
            );
        } else if (!(typeof scope === "string" && SINGLE_RESOURCE.test(scope.trim())))
          report(
            `${label(grant)} assigns custom role ${custom.name} at scope ${show(scope)}; a role made outside the stack is assigned on one resource only`,
            grant.urn,
          );
        continue;
      }
      const created = guid !== undefined && !known.has(guid) ? creating.get(guid) : undefined;
      if (created) {
        if (!propertyDependenciesOf(grant, "roleDefinitionId").some((d) => d.urn === created.urn))
          report(
            `${label(grant)} uses role definition ${show(id)}, which ${label(created)} is only being created, but the role ID is not computed from it: a definition may name the GUID of a role that exists already (its create then fails, the grant is made with that role's permissions), and a grant that does not wait for its definition fails; set roleDefinitionId from the definition's id`,
            grant.urn,
          );
        continue;
      }
      if (!guid || !known.has(guid))
        report(
          `${label(grant)} uses role definition ${show(id)}, which is neither a built-in role the pack knows, nor defined in this stack, nor a custom role of the preset: its permissions cannot be judged`,
          grant.urn,
        );
    }
  },
});

/** How each kind of grant names its principal. */
const PRINCIPAL_PATHS: { type: AzureType; path: string[] }[] = [
  { type: "azure-native:authorization:RoleAssignment", path: ["principalId"] },
  { type: "azure-native:authorization:PimRoleEligibilitySchedule", path: ["principalId"] },
  { type: "azure-native:redisenterprise:AccessPolicyAssignment", path: ["user", "objectId"] },
  { type: "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra", path: ["objectId"] },
];

/** Principal IDs of the identities the stack creates (user-assigned, and system-assigned ones). */
function stackPrincipals(resources: readonly StackResource[]): {
  principals: Set<string>;
  /** The URNs of the resources that create an identity (`createsIdentity`). */
  identities: Set<string>;
} {
  const principals = new Set<string>();
  const identities = new Set<string>();
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i];
    const own =
      r.canonical === "azure-native:managedidentity:UserAssignedIdentity"
        ? peek(r.props, "principalId")
        : undefined;
    // A system-assigned identity's principal ID is an output: count it only where the resource
    // declares one, so a stray `identity.principalId` input cannot vouch for a foreign principal.
    const creates = createsIdentity(r);
    if (creates) identities.add(r.urn);
    const system = creates ? peek(r.props, "identity", "principalId") : undefined;
    if (typeof own === "string") principals.add(own.toLowerCase());
    if (typeof system === "string") principals.add(system.toLowerCase());
  }
  return { principals, identities };
}

/**
 * Resources that create an identity (whose principal ID may still be unknown in a preview). An
 * identity type not known yet may be a system-assigned one: peeked, never read, since reading it
 * would make the whole policy "can't run during preview" for every grant of the stack.
 */
function createsIdentity(r: StackResource): boolean {
  if (r.canonical === "azure-native:managedidentity:UserAssignedIdentity") return true;
  const type = peek(r.props, "identity", "type");
  return type === NOT_KNOWN || (typeof type === "string" && /systemassigned/i.test(type));
}

export const principalsFromStackOrAllowList = stackPolicy({
  name: "principals-from-stack-or-allow-list",
  description:
    "Every role assignment, PIM eligibility, Managed Redis access policy assignment and PostgreSQL Entra administrator names a principal the stack creates (its managed identities) or one allow-listed in the preset (the environment's human groups): a principal of another environment, or anyone else, never reaches this environment's data (ENV-1, IAM-2).",
  controls: ["ENV-1", "IAM-2"],
  severity: "critical",
  remediation:
    "Grant access to an identity this stack creates (WorkloadIdentity) or to one of the environment's Entra groups; add a new group's object ID to allowedPrincipalIds in policy/config/<stack>.json in the same reviewed change.",
  types: [...PRINCIPAL_PATHS.map((p) => p.type), "azure-native:managedidentity:UserAssignedIdentity"],
  config: {
    requireKnownPrincipals: {
      description: "Refuse grants to principals that are neither created by the stack nor allow-listed.",
      default: true,
    },
    allowedPrincipalIds: {
      description:
        "Object IDs of the principals (the environment's Entra groups: developer, QA, DevOps, Cloud Admin, database admins) that may receive access besides the stack's own identities.",
      default: [] as readonly string[],
    },
  },
  check: (stack, cfg, report) => {
    if (!cfg.requireKnownPrincipals) return;
    const { principals: known, identities: identityUrns } = stackPrincipals(stack.resources);
    for (const id of cfg.allowedPrincipalIds) known.add(id.toLowerCase());
    for (const { type, path } of PRINCIPAL_PATHS) {
      for (const grant of stack.ofType(type)) {
        const principal = peek(grant.props, ...path);
        if (principal === NOT_KNOWN) {
          // Preview: an ID not known yet comes from an identity being created, if the input
          // holding it was computed from one of the stack's (its propertyDependencies; before, any
          // dependency of the grant did, e.g. a scope or a dependsOn naming an identity).
          if (!propertyDependenciesOf(grant, path[0]).some((d) => identityUrns.has(d.urn)))
            report(
              `${label(grant)} names a principal that is not known yet and not created by this stack`,
              grant.urn,
            );
          continue;
        }
        if (typeof principal !== "string" || !known.has(principal.toLowerCase()))
          report(
            `${label(grant)} grants access to principal ${show(principal)}, which this stack does not create and the preset does not allow (${path.join(".")})`,
            grant.urn,
          );
      }
    }
  },
});

export const authorizationPolicies = [
  roleAssignmentNoPrivilegedWorkload,
  roleAssignmentGroupsOnly,
  roleAssignmentWorkloadResourceScope,
  roleAssignmentNoPrivilegedHuman,
  customRoleDefinitionLeastPrivilege,
  roleAssignmentKnownRole,
  principalsFromStackOrAllowList,
] as const;
