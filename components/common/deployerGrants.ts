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
import { ConfigError } from "../../config";
import { afterRoleGrants } from "./propagation";
import { deterministicGuid } from "./roleAssignment";

/** What the program passes: who runs it and which roles to grant (resolved from the YAML). */
export interface DeployerGrantsArgs {
  /** Object ID of the declared deploy identity (`deployPrincipalId`, see `pinnedDeployPrincipal`). */
  principalId: pulumi.Input<string>;
  /** The roles to grant, resolved from deploy/identities.yaml. */
  grants: DeployerGrant[];
}

/** One role the stack grants to its deploy identity. */
export interface DeployerGrant {
  /** Built-in role name, e.g. `Key Vault Crypto Officer`. */
  role: string;
  /** Its role definition GUID. */
  roleDefinitionGuid: string;
}

export const DEPLOY_PRINCIPAL_KEY = "secure-azure-platform:deployPrincipalId";

/**
 * The declared deploy principal, once the identity running the program is known to be it.
 * Anyone else running `pulumi up` (a person, another pipeline's identity) would otherwise
 * grant itself the deployer's data roles: the program refuses instead (ENV-1, IAM-2).
 */
export function checkDeployPrincipal(runningAs: string, declared: string): string {
  if (runningAs.toLowerCase() !== declared.toLowerCase())
    throw new ConfigError([
      {
        key: DEPLOY_PRINCIPAL_KEY,
        value: JSON.stringify(declared),
        message: `the identity running the program is ${JSON.stringify(runningAs)} (getClientConfig().objectId); only the declared deploy identity may run this stack (ENV-1, IAM-2)`,
      },
    ]);
  return declared;
}

/**
 * `checkDeployPrincipal` on the running identity: resources taking it wait for the check. A
 * preview changes nothing and runs as the read-only preview identity (pull requests, drift),
 * so there a mismatch is a warning; `pulumi up` throws.
 */
export function pinnedDeployPrincipal(declared: string): pulumi.Output<string> {
  return authorization.getClientConfigOutput().objectId.apply((id) => {
    if (!pulumi.runtime.isDryRun()) return checkDeployPrincipal(id, declared);
    try {
      return checkDeployPrincipal(id, declared);
    } catch (err) {
      void pulumi.log.warn(`${(err as Error).message}\n(preview only: pulumi up refuses to run)`);
      return declared;
    }
  });
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
