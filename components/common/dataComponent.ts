/**
 * What every data component (PostgreSQL, Blob Storage, Managed Redis) does with the shared
 * inputs, in one place so the three cannot drift: the checks that must pass before `super()`
 * registers anything, and the caller's role assignments on the component's main resource.
 */
import type * as pulumi from "@pulumi/pulumi";
import { checkDiagnostics } from "./diagnostics";
import {
  CUSTOMER_MANAGED_KEY_KEYS,
  type CommonComponentArgs,
  type CustomerManagedKeyArgs,
  type PlatformContext,
} from "./interfaces";
import { resolveLock } from "./lock";
import { globalNameStem, type AzureResourceKind } from "./naming";
import { assignRole, checkRoleAssignments } from "./roleAssignment";
import { ArgProblems, checkMapping } from "./schema";
import { componentTags } from "./tags";

/**
 * Checks role assignments, extra diagnostics categories, the lock override, tags and the global name; returns whether the
 * lock applies and the tags (customer-confidential, CLS-1). Every error names the component.
 */
export function prepareDataComponent(
  owner: string,
  platform: PlatformContext,
  args: Pick<CommonComponentArgs, "roleAssignments" | "diagnostics" | "lock" | "tags" | "privateEndpoint">,
  nameKind: AzureResourceKind,
  purpose: string,
  problems: ArgProblems = new ArgProblems(owner),
): { locked: boolean; tags: Record<string, string> } {
  // Independent checks, every problem at once (with the caller's own, passed in `problems`).
  problems.check(() => checkRoleAssignments(owner, args.roleAssignments));
  problems.check(() => checkDiagnostics(owner, args.diagnostics));
  checkPrivateEndpoint(problems, args.privateEndpoint);
  const locked = problems.check(() => resolveLock(platform, args.lock, owner));
  const tags = problems.check(() => componentTags(platform, "customer-confidential", args.tags, owner));
  // Throws now, not at deployment, if the prefix cannot make a valid global name.
  problems.check(() => globalNameStem(platform, nameKind, purpose), { path: ["purpose"], value: purpose });
  problems.throwIfAny();
  return { locked: locked!, tags: tags! };
}

/** The caller's `roleAssignments` (IAM-2), each scoped to `scope`, children of `parent`. */
export function assignRoles(
  name: string,
  scope: pulumi.Input<string>,
  assignments: CommonComponentArgs["roleAssignments"],
  parent: pulumi.Resource,
): void {
  (assignments ?? []).forEach((a, i) => assignRole(`${name}-role-${i}`, scope, a, { parent }));
}

/** `privateEndpoint`, if given, is a mapping (else it would be ignored without a word). */
export function checkPrivateEndpoint(problems: ArgProblems, value: unknown): void {
  checkMapping(problems, ["privateEndpoint"], value, "{ subnetId?, privateDnsZoneId? } (NET-1)");
}

/**
 * A customer-managed key argument (`customerManagedKey`, PostgreSQL's geo-backup key) is a
 * mapping with the keys the component `reads` (only those: a caller that worked without the
 * others keeps working); returns whether it can be read.
 */
export function checkCustomerManagedKey(
  problems: ArgProblems,
  field: "customerManagedKey" | "geoBackupCustomerManagedKey",
  value: unknown,
  reads: readonly (keyof CustomerManagedKeyArgs)[],
): boolean {
  return checkMapping(
    problems,
    [field],
    value,
    `{ ${CUSTOMER_MANAGED_KEY_KEYS.join(", ")} } (a CustomerManagedKey's args, ENC-2)`,
    reads,
  );
}
