/**
 * Role grants take time to reach the services that enforce them: Microsoft's Key Vault RBAC guide
 * gives up to 10 minutes (600 s) after a role assignment changes, and ARM caches assignments too
 * (Azure RBAC troubleshooting). Whatever uses a grant right after the stack made it (a key the
 * deployer creates, a service reaching its CMK, an app reading its secrets) waits behind a
 * `time.Sleep` that depends on the grants. The sleep is re-run only when a grant is replaced
 * (its `triggers` carry the grants' IDs), so routine updates do not wait.
 */
import * as pulumi from "@pulumi/pulumi";
import * as time from "@pulumiverse/time";

/** One limit, one place: how long a just-made role grant is given to take effect. */
export const ROLE_PROPAGATION_DELAY = "600s";

/** A sleep after `grants`; depend on it (not on the grants) to use them. */
export function afterRoleGrants(
  name: string,
  grants: readonly pulumi.CustomResource[],
  opts: pulumi.CustomResourceOptions,
): time.Sleep {
  return new time.Sleep(
    `${name}-role-propagation`,
    {
      createDuration: ROLE_PROPAGATION_DELAY,
      triggers: pulumi.all(grants.map((g) => g.id)).apply((ids) => ({ grants: [...ids].sort().join(",") })),
    },
    { ...opts, dependsOn: [...grants] },
  );
}
