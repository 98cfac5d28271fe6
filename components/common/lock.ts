/**
 * BAK-2: in production, stateful resources carry a `CanNotDelete` management lock (stops
 * deletion from the portal, CLI or another tool) and Pulumi `protect` (stops `pulumi destroy`
 * and replacements). Turning the lock off where the platform requires it is an error.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import type { LockArgs, PlatformContext } from "./interfaces";
import { argError } from "./schema";
import { deletionLockRequired } from "./mandatory";

/** Whether the lock applies. Call before `super()`: a refused override registers nothing. */
export function resolveLock(
  platform: Pick<PlatformContext, "deletionLocks" | "environment">,
  args: LockArgs | undefined,
  owner: string,
): boolean {
  if (args !== undefined && args !== null && (typeof args !== "object" || Array.isArray(args))) {
    throw argError(owner, ["lock"], args, "must be a mapping { enabled?, notes? } (BAK-2)");
  }
  if (args?.enabled !== undefined && typeof args.enabled !== "boolean") {
    throw argError(owner, ["lock", "enabled"], args.enabled, "must be true or false (BAK-2)");
  }
  if (args?.enabled === false && deletionLockRequired(platform)) {
    throw argError(
      owner,
      ["lock", "enabled"],
      false,
      `refused: stateful resources in ${platform.environment} must carry a CanNotDelete lock (BAK-2); allowed: true or not set`,
    );
  }
  return args?.enabled ?? deletionLockRequired(platform);
}

/** Lock name on every locked resource (one lock per resource; the scope makes it unique). */
export const LOCK_NAME = "do-not-delete";

/**
 * `CanNotDelete` lock on `resource`. Call only when `resolveLock` returned true; the caller also
 * sets `protect: true` on the resource itself.
 */
export function addLock(
  name: string,
  resource: pulumi.CustomResource,
  args: LockArgs | undefined,
  opts: pulumi.CustomResourceOptions,
): authorization.ManagementLockByScope {
  // Keep the caller's dependencies (a single resource or a list) and add the locked resource.
  const prior =
    opts.dependsOn === undefined
      ? []
      : Array.isArray(opts.dependsOn)
        ? opts.dependsOn
        : [opts.dependsOn as pulumi.Input<pulumi.Resource>];
  return new authorization.ManagementLockByScope(
    `${name}-lock`,
    {
      scope: resource.id,
      lockName: LOCK_NAME,
      level: "CanNotDelete",
      notes:
        args?.notes ??
        "Stateful resource holding customer data or audit logs (BAK-2). Remove via a reviewed change only.",
    },
    { ...opts, dependsOn: [...prior, resource] },
  );
}
