/**
 * IAM-2: role assignments by built-in role name, scoped to one resource, with deterministic
 * names (a GUID derived from scope, role and principal, like ARM templates' guid()), and
 * `principalType` set so a just-created identity does not hit the PrincipalNotFound race.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import type { RoleAssignmentArgs } from "./interfaces";
import {
  BUILT_IN_ROLES,
  PRIVILEGED_ROLES,
  roleDefinitionId,
  type BuiltInRoleName,
} from "../../controls/roles";
import { ArgProblems, ComponentArgsError, argError, showValue } from "./schema";

/** A privileged role for a workload identity: a `ComponentArgsError` (a RunError) for `roleAssignments[index].role`. */
export class PrivilegedRoleError extends ComponentArgsError {
  constructor(owner: string, role: string, index = 0) {
    super(owner, [
      { path: ["roleAssignments", index, "role"], value: showValue(role), message: privilegedMessage(role) },
    ]);
    this.name = "PrivilegedRoleError";
  }
}

function privilegedMessage(role: string): string {
  return `role "${role}" refused for a workload identity (IAM-2): ${PRIVILEGED_ROLES.join(", ")} can grant or take over access; use a data-plane role scoped to the one resource`;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Throws before registration, listing every assignment that is privileged for a workload, unknown or malformed. */
export function checkRoleAssignments(
  owner: string,
  assignments: readonly RoleAssignmentArgs[] | undefined,
): void {
  if (assignments === undefined) return;
  // Checked on an unknown copy: Array.isArray would narrow the readonly array to any[].
  const value: unknown = assignments;
  if (!Array.isArray(value)) {
    throw argError(
      owner,
      ["roleAssignments"],
      assignments,
      "must be a list of { role, principalId, principalType }",
    );
  }
  const problems = new ArgProblems(owner);
  let privileged: { role: string; index: number } | undefined;
  assignments.forEach((a, i) => {
    const at = (key: string) => ["roleAssignments", i, key];
    if (typeof a !== "object" || a === null) {
      problems.add(["roleAssignments", i], a, "must be a mapping { role, principalId, principalType }");
      return;
    }
    if (!(a.role in BUILT_IN_ROLES)) {
      problems.add(
        at("role"),
        a.role,
        `is not a known built-in role; allowed: ${Object.keys(BUILT_IN_ROLES).join(", ")}`,
      );
    }
    if (a.principalType !== "ServicePrincipal" && a.principalType !== "Group") {
      problems.add(
        at("principalType"),
        a.principalType,
        "refused: ServicePrincipal (managed identities) or Group (people, never single users) (IAM-2)",
      );
    }
    if (typeof a.principalId === "string" && !GUID.test(a.principalId)) {
      problems.add(at("principalId"), a.principalId, "must be an Entra object ID (GUID)");
    }
    if (a.principalType === "ServicePrincipal" && PRIVILEGED_ROLES.includes(a.role)) {
      privileged ??= { role: a.role, index: i };
      problems.add(at("role"), a.role, privilegedMessage(a.role));
    }
  });
  // The one privileged refusal keeps its own class (callers catch it by name), also through a
  // component's ArgProblems when it is the component's only problem.
  if (privileged && problems.problems.length === 1) {
    throw new PrivilegedRoleError(owner, privileged.role, privileged.index);
  }
  problems.throwIfAny();
}

/**
 * A GUID from arbitrary parts (stable: same inputs, same assignment name), shaped like a
 * name-based UUID (version 5 bits, RFC 4122 variant) from a SHA-1 of the parts.
 */
export function deterministicGuid(...parts: string[]): string {
  const h = createHash("sha1").update(parts.join("|").toLowerCase()).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Role assignment by built-in role name on one resource (`scope`). The name is a GUID derived
 * from scope, role and principal, so re-running the program never creates a duplicate.
 */
export function assignRole(
  name: string,
  scope: pulumi.Input<string>,
  assignment: RoleAssignmentArgs,
  opts: pulumi.CustomResourceOptions,
): authorization.RoleAssignment {
  checkRoleAssignments(name, [assignment]);
  const role: BuiltInRoleName = assignment.role;
  const client = authorization.getClientConfigOutput(opts.parent ? { parent: opts.parent } : undefined);
  const roleDefinition = client.subscriptionId.apply((sub) => roleDefinitionId(sub, role));
  return new authorization.RoleAssignment(
    name,
    {
      scope,
      roleDefinitionId: roleDefinition,
      principalId: assignment.principalId,
      principalType: assignment.principalType,
      roleAssignmentName: pulumi
        .all([scope, assignment.principalId])
        .apply(([s, p]) => deterministicGuid(s, BUILT_IN_ROLES[role], p)),
      description: assignment.description ?? `${role} (IAM-2, managed by secure-azure-platform)`,
    },
    opts,
  );
}
