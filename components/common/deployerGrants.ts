/**
 * The roles the stack grants to the identity running it (`grantedBy: stack` in
 * deploy/identities.yaml), on a scope the stack itself created: its resource group (locks) and
 * each of its vaults (keys and placeholder secrets through Resource Manager, which an RBAC vault
 * authorizes against Key Vault data roles). The deploy identity makes them through its
 * conditioned RBAC administrator role, whose allowed-role list names these roles. Whatever uses
 * them depends on `ready`, a sleep that absorbs role propagation.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { afterRoleGrants } from "./propagation";
import { deterministicGuid } from "./roleAssignment";

/** What the program passes: who runs it and which roles to grant (resolved from the YAML). */
export interface DeployerGrantsArgs {
  /** Object ID of the declared deploy identity (the stack pins it: config/deployPrincipal.ts). */
  principalId: pulumi.Input<string>;
  grants: readonly { role: string; roleDefinitionGuid: string }[];
}

export interface DeployerGrants {
  assignments: authorization.RoleAssignment[];
  /** Depend on this to use the grants; undefined when there is nothing to grant. */
  ready?: pulumi.Resource;
}

export function grantDeployer(
  name: string,
  scope: pulumi.Input<string>,
  args: DeployerGrantsArgs | undefined,
  opts: pulumi.CustomResourceOptions,
): DeployerGrants {
  if (!args || args.grants.length === 0) return { assignments: [] };
  const client = authorization.getClientConfigOutput(opts.parent ? { parent: opts.parent } : undefined);
  const assignments = args.grants.map((g) => {
    const slug = g.role.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    return new authorization.RoleAssignment(
      `${name}-deployer-${slug}`,
      {
        scope,
        roleDefinitionId: client.subscriptionId.apply(
          (sub) =>
            `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${g.roleDefinitionGuid}`,
        ),
        principalId: args.principalId,
        principalType: "ServicePrincipal",
        roleAssignmentName: pulumi
          .all([scope, args.principalId])
          .apply(([s, p]) => deterministicGuid(s, g.roleDefinitionGuid, p)),
        description: `Deploy identity: ${g.role} (deploy/identities.yaml, grantedBy: stack)`,
      },
      { ...opts, dependsOn: opts.dependsOn },
    );
  });
  return { assignments, ready: afterRoleGrants(name, assignments, opts) };
}
