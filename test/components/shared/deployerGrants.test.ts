/**
 * The deploy principal is pinned (ENV-1, IAM-2): the deployer roles go to `deployPrincipalId`,
 * `pulumi up` as anyone else throws a ConfigError naming the key, a preview (the read-only
 * identity of pull requests) only warns. The plan's exit 2 is in test/config.test.ts.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import { isConfigError } from "../../../lib/offline/plan";
import {
  checkDeployPrincipal,
  DEPLOY_PRINCIPAL_KEY,
  pinnedDeployPrincipal,
} from "../../../config/deployPrincipal";
import { byType, runProgram } from "../../helpers/pulumi";

const DECLARED = "faa20390-bbe9-4192-83be-1827caeea269";
const OTHER = "11111111-2222-4333-8444-555555555555";

describe("checkDeployPrincipal", () => {
  it("returns the declared ID for the same principal in any letter case", () => {
    expect(checkDeployPrincipal(DECLARED.toUpperCase(), DECLARED)).toBe(DECLARED);
  });
  it("refuses another identity with a ConfigError naming the key and both IDs", () => {
    let error: unknown;
    try {
      checkDeployPrincipal(OTHER, DECLARED);
    } catch (err) {
      error = err;
    }
    expect(isConfigError(error)).toBe(true);
    const { problems } = error as { problems: { key: string; value: string; message: string }[] };
    expect(problems).toHaveLength(1);
    expect(problems[0].key).toBe(DEPLOY_PRINCIPAL_KEY);
    expect(problems[0].value).toBe(JSON.stringify(DECLARED));
    expect(problems[0].message).toContain(OTHER);
  });
});

describe("pinnedDeployPrincipal in a preview as another identity", () => {
  it("grants to the declared principal (nothing is changed in a preview)", async () => {
    const { resources } = await runProgram(
      () =>
        new authorization.RoleAssignment("ra", {
          scope: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
          roleDefinitionId:
            "/providers/Microsoft.Authorization/roleDefinitions/14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
          principalId: pinnedDeployPrincipal(DECLARED),
          principalType: "ServicePrincipal",
        }),
      { preview: true, mocks: { objectId: OTHER } },
    );
    expect(byType(resources, "azure-native:authorization:RoleAssignment")[0].inputs.principalId).toBe(
      DECLARED,
    );
  });
});
