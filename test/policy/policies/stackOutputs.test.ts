/**
 * stack-outputs-no-credentials (bypass11): the root stack's outputs, which no resource policy
 * sees, carry no credential. Fails on the old pack, which had no policy reading them.
 */
import { stackOutputsNoCredentials } from "../../../policy/policies/stackOutputs";
import { runStackPolicy, UNKNOWN } from "../../helpers/policyHarness";

const STACK = "urn:pulumi:prod::secure-azure-platform::pulumi:pulumi:Stack::secure-azure-platform-prod";
const stack = (props: Record<string, unknown>) => ({
  type: "pulumi:pulumi:Stack",
  urn: STACK,
  name: "root",
  props,
});

describe("stack-outputs-no-credentials", () => {
  it("accepts names, IDs, endpoints and the platform's outputs", async () => {
    expect(
      await runStackPolicy(stackOutputsNoCredentials, [
        stack({
          keyVaultUri: "https://kv-sap-prod.vault.azure.net/",
          logAnalyticsWorkspaceId:
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log",
          containerApps: { api: { url: "https://api.example.com", external: false, identityClientId: "c1" } },
          postgresAppRoleSql: { api: "select * from pgaadauth_create_principal('api', false, false);" },
        }),
      ]),
    ).toEqual([]);
  });
  // review11: the token formats matched any word `npm`, `sk`, `gho`... followed by a dash and 16
  // characters, so an output naming a host or app that starts with such a word blocked the preview
  // (critical). Fails on the old controls/secretDetection.ts (all three were refused).
  it("accepts host and app names that merely start like a token prefix, and still refuses the tokens", async () => {
    expect(
      await runStackPolicy(stackOutputsNoCredentials, [
        stack({
          npmMirrorUrl: "https://npm-registry-mirror-dev.azurewebsites.net",
          skuApp: "https://sk-sap-platform-prod-001.westeurope.azurecontainerapps.io",
          identityName: "gho-orders-api-westeurope-01",
        }),
      ]),
    ).toEqual([]);
    expect(
      await runStackPolicy(stackOutputsNoCredentials, [
        stack({
          npm: "npm_abcdefghijklmnopqrstuvwxyz0123456789",
          openai: "sk-proj-abc_defghijklmnopqrstuvwxyz0123",
          gitlab: "glpat-abcdefghijklmnopqrst",
        }),
      ]),
    ).toEqual([
      expect.stringMatching(/^stack output "npm"/),
      expect.stringMatching(/^stack output "openai"/),
      expect.stringMatching(/^stack output "gitlab"/),
    ]);
  });
  // bypass12: an account key exported as listStorageAccountKeys returns it (no `AccountKey=`
  // marker) passed. Fails on the old pack, which matched markers only.
  it("refuses a bare storage account key or 256-bit access key, not other base64 or IDs", async () => {
    const storageKey = `${"Ab3+/x9Z".repeat(10)}Qw12Er==`;
    const redisKey = `${"Kq8/Zp+2".repeat(5)}abc=`;
    expect(storageKey).toHaveLength(88);
    expect(redisKey).toHaveLength(44);
    expect(
      await runStackPolicy(stackOutputsNoCredentials, [
        stack({ storage: { primaryKey: storageKey }, cacheKey: ` ${redisKey}` }),
      ]),
    ).toEqual([
      expect.stringMatching(/^stack output "storage.primaryKey"/),
      expect.stringMatching(/^stack output "cacheKey"/),
    ]);
    expect(
      await runStackPolicy(stackOutputsNoCredentials, [
        stack({
          shortBase64: "bXlrZXk=",
          clientId: "00000000-0000-4000-8000-000000000001",
          longerText: `${storageKey}and more`,
        }),
      ]),
    ).toEqual([]);
  });
  it("refuses a credential at any depth, naming its path", async () => {
    expect(
      await runStackPolicy(stackOutputsNoCredentials, [
        stack({
          storage: "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=bXlrZXk=",
          apps: [{ env: { db: "Server=pg;Database=app;User Id=app;Password=hunter2hunter2" } }],
        }),
      ]),
    ).toEqual([
      expect.stringMatching(/^stack output "storage" looks like a credential/),
      expect.stringMatching(/^stack output "apps\[0\].env.db" looks like a credential/),
    ]);
  });
  it("skips a value not known yet in a preview (judged at up) and judges the rest", async () => {
    expect(
      await runStackPolicy(stackOutputsNoCredentials, [
        stack({ later: UNKNOWN, token: "ghp_abcdefghijklmnopqrstuvwxyz0123" }),
      ]),
    ).toEqual([expect.stringMatching(/^stack output "token"/)]);
  });
  it("reads only the stack's outputs, not another resource's", async () => {
    expect(
      await runStackPolicy(stackOutputsNoCredentials, [
        {
          type: "azure-native:storage:StorageAccount",
          name: "st",
          props: {
            primaryConnectionString: "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=bXlrZXk=",
          },
        },
      ]),
    ).toEqual([]);
  });
});
