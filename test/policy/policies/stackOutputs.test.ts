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
  // review13's open points. Keys as base64 of 32 / 64 bytes (canonical padding, as Azure issues them).
  const KEY_256 = "CzBVep/E6Q4zWH2ix+wRNluApcrvFDleg6jN8hc8YYY=";
  const KEY_512 = "BzxxptsQRXqv5BlOg7jtIleMwfYrYJXK/zRpntMIPXKn3BFGe7DlGk+Eue4jWI3C9yxhlssANWqf1Ak+c6jdEg==";
  const HEX_32 = "9f8e7d6c5b4a4c3d8e2f1a0b9c8d7e6f";
  // A base64 SHA-256 digest has a 256-bit key's shape: exported bare it stays refused whatever its
  // name (a name is chosen by whoever writes the export); in hex it passes.
  // resid15: so is one in Subresource Integrity form, which passed before, and with it a key
  // deliberately exported as `sha256-<key>` (a prefix is chosen as freely as a name). Fails on the
  // old pack, which accepted both SRI digests.
  it("refuses a base64 digest bare, under any name, or as SRI, and accepts a digest in hex", async () => {
    expect(
      await runStackPolicy(stackOutputsNoCredentials, [
        stack({
          sha256: KEY_256,
          integrity: `sha256-${KEY_256}`,
          scriptTag: `<script src="https://cdn.example.com/app.js" integrity="sha512-${KEY_512}"></script>`,
          sri384: `sha384-${KEY_256}`,
        }),
      ]),
    ).toEqual(
      ["sha256", "integrity", "scriptTag", "sri384"].map((p) =>
        expect.stringMatching(new RegExp(`^stack output "${p}"`)),
      ),
    );
    expect(
      await runStackPolicy(stackOutputsNoCredentials, [
        stack({
          imageDigest: `sha256:${"0123456789abcdef".repeat(4)}`,
          sha512:
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
          gitSha: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
          // A SHA-384 digest is 48 bytes, no Azure key's size.
          integrity: "sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC",
        }),
      ]),
    ).toEqual([]);
  });
  // Fails on the old pack, which matched a shared key only as the whole value.
  it("refuses a shared key embedded in a longer text", async () => {
    expect(
      await runStackPolicy(stackOutputsNoCredentials, [
        stack({
          keyParam: `key=${KEY_256}`,
          cosmos: `AccountEndpoint=https://cosmos.documents.azure.com:443/;Key=${KEY_512};`,
          json: JSON.stringify({ endpoint: "https://eg.westeurope-1.eventgrid.azure.net", k: KEY_256 }),
        }),
      ]),
    ).toEqual([
      expect.stringMatching(/^stack output "keyParam"/),
      expect.stringMatching(/^stack output "cosmos"/),
      expect.stringMatching(/^stack output "json"/),
    ]);
  });
  // Fails on the old pack: 32 hexadecimal characters (Azure AI services, older AI Search keys)
  // and Microsoft's identifiable key formats passed.
  it("refuses an Azure AI services or AI Search key, a SignalR access key and identifiable Microsoft keys", async () => {
    expect(
      await runStackPolicy(stackOutputsNoCredentials, [
        stack({
          openAi: { primaryKey: HEX_32, keys: [HEX_32.toUpperCase()] },
          searchAdminKey: HEX_32.toUpperCase(),
          config: JSON.stringify({ apiKey: HEX_32 }),
          translatorUrl: `https://api.cognitive.microsofttranslator.com/translate?subscription-key=${HEX_32}`,
          signalR: "Endpoint=https://sig.service.signalr.net;AccessKey=abc;Version=1.0;",
          searchKey: `${"a1B2c3D4e5".repeat(4)}x9AzSeB1c2D3`,
          functionKey: `${"a1B2c3D4_-".repeat(4)}x9y8AzFu1a2b3A==`,
          aiServicesKey: `${"a1B2c3D4e5F6g7H8".repeat(3)}a1B2JQQJ99BA${"c3D4e5F6".repeat(2)}Ka1B2c3D`,
          clientSecret: "abc8Q~abcdefghijklmnopqrstuvwxyz01234567",
        }),
      ]),
    ).toEqual(
      [
        "openAi.primaryKey",
        "openAi.keys[0]",
        "searchAdminKey",
        "config",
        "translatorUrl",
        "signalR",
        "searchKey",
        "functionKey",
        "aiServicesKey",
        "clientSecret",
      ].map((p) => expect.stringMatching(new RegExp(`^stack output "${p.replace(/[[\]]/g, "\\$&")}"`))),
    );
  });
  // resid15: 32 hexadecimal characters were refused only under a key's, secret's, token's or
  // password's name (`primaryKey`, `clientSecret`, `accessToken`), and in a text only after a
  // key's; under the other names the pack reads as a credential's everywhere else (`credentials`,
  // `pwd`, `connectionString`, `sas`, `signature`), and after `clientSecret`/`token` in a text,
  // they passed. One list (controls/secretDetection.ts `namesCredential`). Fails on the old pack.
  it("refuses 32 hexadecimal characters under any credential's name, or after one in a text", async () => {
    const names = [
      "credential",
      "credentials",
      "secret",
      "token",
      "accessToken",
      "password",
      "pwd",
      "connectionString",
      "sas",
      "signature",
      "adminkey",
      "DB_PASSWORD",
    ];
    expect(
      await runStackPolicy(stackOutputsNoCredentials, [
        stack({
          ...Object.fromEntries(names.map((n) => [n, HEX_32])),
          ai: { credentials: [HEX_32] },
          json: JSON.stringify({ clientSecret: HEX_32 }),
          yaml: `token: ${HEX_32}`,
        }),
      ]),
    ).toEqual(
      [...names, "ai.credentials[0]", "json", "yaml"].map((p) =>
        expect.stringMatching(new RegExp(`^stack output "${p.replace(/[[\]]/g, "\\$&")}"`)),
      ),
    );
  });
  it("accepts IDs, versions and hashes of a key's shape where no name says key", async () => {
    expect(
      await runStackPolicy(stackOutputsNoCredentials, [
        stack({
          cmkKeyId: `https://kv-sap-prod.vault.azure.net/keys/cmk/${HEX_32}`,
          keyVersion: HEX_32,
          traceId: HEX_32,
          objectId: HEX_32.toUpperCase(),
          contentMd5: HEX_32,
          instrumentationKey: "00000000-0000-4000-8000-000000000001",
          sshPublicKey:
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMvOsvGv4VmGJYcyzK7bIP0X7Z3kCcYQGSqpIIVmZ5rd ops@example",
          publicKey: HEX_32,
          sshPublicKeyHash: HEX_32,
          secretVersion: HEX_32,
          clientId: "00000000-0000-4000-8000-000000000001",
          tenantId: "00000000-0000-4000-8000-000000000002",
          principalId: "00000000-0000-4000-8000-000000000003",
          json: JSON.stringify({ keyVersion: HEX_32, traceId: HEX_32 }),
          blob: `data:application/octet-stream;base64,${KEY_512}${KEY_512.slice(0, 40)}`,
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
