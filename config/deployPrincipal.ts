/**
 * The deploy principal is pinned (ENV-1, IAM-2): the stack grants the deployer roles
 * (components/common/deployerGrants.ts) to `deployPrincipalId` only, and refuses to run as anyone
 * else. A stack concern (a config key and a ConfigError), so it lives with the config, not in
 * the components package.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { ConfigError } from "./index";

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
