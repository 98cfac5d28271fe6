import * as st from "../../../policy/policies/stack";
import { checkStackPolicy, runStackPolicy, UNKNOWN } from "../../helpers/policyHarness";

const RG = "/subscriptions/s/resourceGroups/rg";
const ids = {
  vault: `${RG}/providers/Microsoft.KeyVault/vaults/kv1`,
  account: `${RG}/providers/Microsoft.Storage/storageAccounts/st1`,
  blob: `${RG}/providers/Microsoft.Storage/storageAccounts/st1/blobServices/default`,
  server: `${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg1`,
  workspace: `${RG}/providers/Microsoft.OperationalInsights/workspaces/ws`,
  key: `${RG}/providers/Microsoft.KeyVault/vaults/kv1/keys/cmk`,
};
const urn = (type: string, name: string) => `urn:pulumi:prod::secure-azure-platform::${type}::${name}`;
type R = {
  type: string;
  name: string;
  urn: string;
  props: Record<string, unknown>;
  dependencies?: string[];
  protect?: boolean;
};
const res = (type: string, name: string, props: Record<string, unknown>, extra: Partial<R> = {}): R => ({
  type: `azure-native:${type}`,
  name,
  urn: urn(`azure-native:${type}`, name),
  props,
  ...extra,
});
const rotation = {
  attributes: { expiryTime: "P730D" },
  lifetimeActions: [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P365D" } }],
};

function estate(): R[] {
  return [
    res(
      "operationalinsights:Workspace",
      "ws",
      { id: ids.workspace, retentionInDays: 365 },
      { protect: true },
    ),
    res(
      "keyvault:Vault",
      "kv",
      { id: ids.vault, vaultName: "kv1", properties: { vaultUri: "https://kv1.vault.azure.net/" } },
      { protect: true },
    ),
    res("keyvault:Key", "cmk", {
      id: ids.key,
      keyName: "cmk",
      vaultName: "kv1",
      keyUri: "https://kv1.vault.azure.net/keys/cmk",
      properties: { rotationPolicy: rotation },
    }),
    res(
      "storage:StorageAccount",
      "st",
      {
        id: ids.account,
        encryption: {
          keySource: "Microsoft.Keyvault",
          keyVaultProperties: { keyVaultUri: "https://kv1.vault.azure.net/", keyName: "cmk" },
        },
      },
      { protect: true },
    ),
    res("storage:BlobServiceProperties", "blob", { id: ids.blob }),
    res(
      "dbforpostgresql:Server",
      "pg",
      {
        id: ids.server,
        serverName: "pg1",
        dataEncryption: {
          type: "AzureKeyVault",
          primaryKeyURI: "https://kv1.vault.azure.net/keys/cmk",
        },
      },
      { protect: true },
    ),
    ...["ssl_min_protocol_version=TLSv1.3", "log_connections=on", "log_disconnections=on"].map((kv) => {
      const [name, value] = kv.split("=");
      return res("dbforpostgresql:Configuration", `pg-${name}`, {
        serverName: "pg1",
        configurationName: name,
        value,
      });
    }),
    ...(["vault", "account", "blob", "server", "workspace"] as const).map((k) =>
      res("monitor:DiagnosticSetting", `diag-${k}`, { resourceUri: ids[k], workspaceId: ids.workspace }),
    ),
    ...(["vault", "account", "server"] as const).map((k) =>
      res("network:PrivateEndpoint", `pe-${k}`, {
        privateLinkServiceConnections: [{ name: k, privateLinkServiceId: ids[k] }],
      }),
    ),
    ...(["vault", "account", "server", "workspace"] as const).map((k) =>
      res("authorization:ManagementLockByScope", `lock-${k}`, { scope: ids[k], level: "CanNotDelete" }),
    ),
    res("app:ContainerApp", "web", {
      configuration: {
        secrets: [
          { name: "s", keyVaultUrl: "https://kv1.vault.azure.net/secrets/web-session", identity: "/id" },
        ],
      },
    }),
  ];
}

const without = (resources: R[], name: string) => resources.filter((r) => r.name !== name);
const replace = (resources: R[], name: string, props: Record<string, unknown>) =>
  resources.map((r) => (r.name === name ? { ...r, props: { ...r.props, ...props } } : r));

describe.each(st.stackPolicies.map((p) => [p.name, p] as const))("%s", (_name, policy) => {
  it("passes the compliant estate", async () => {
    expect(await runStackPolicy(policy, estate())).toEqual([]);
  });
  it("does not crash on unknown IDs (preview)", async () => {
    const preview = estate().map((r) => ({ ...r, props: { ...r.props, id: UNKNOWN } }));
    const result = await runStackPolicy(policy, preview);
    expect(result === "notApplicable" || Array.isArray(result)).toBe(true);
  });
});

const violations = async (
  policy: (typeof st.stackPolicies)[number],
  resources: R[],
  config?: Record<string, unknown>,
) => {
  const result = await runStackPolicy(policy, resources, config);
  expect(Array.isArray(result)).toBe(true);
  return (result as string[]).join("\n");
};

describe("diagnostics-coverage", () => {
  it("flags a resource without a diagnostic setting", async () => {
    expect(await violations(st.diagnosticsCoverage, without(estate(), "diag-blob"))).toMatch(
      /BlobServiceProperties blob has no diagnostic setting/,
    );
  });
  it("flags settings to a workspace with short retention", async () => {
    expect(
      await violations(st.diagnosticsCoverage, replace(estate(), "ws", { retentionInDays: 30 })),
    ).toMatch(/>= 365 days/);
  });
  it("flags settings to a workspace outside the stack", async () => {
    expect(
      await violations(
        st.diagnosticsCoverage,
        replace(estate(), "diag-vault", {
          workspaceId: `${RG}2/providers/Microsoft.OperationalInsights/workspaces/x`,
        }),
      ),
    ).toMatch(/Vault kv/);
  });
  it("matches through dependencies when IDs are not known yet", async () => {
    const preview = estate().map((r) => {
      const { id: _id, ...props } = r.props;
      if (r.name === "diag-vault")
        return {
          ...r,
          props: {},
          dependencies: [
            urn("azure-native:keyvault:Vault", "kv"),
            urn("azure-native:operationalinsights:Workspace", "ws"),
          ],
        };
      return { ...r, props };
    });
    const text = await violations(st.diagnosticsCoverage, preview);
    expect(text).not.toMatch(/Vault kv/);
    expect(text).toMatch(/StorageAccount st has no diagnostic setting/);
  });
});

describe("data-store-private-connectivity", () => {
  it("flags a store without a private endpoint", async () => {
    expect(await violations(st.dataStorePrivateConnectivity, without(estate(), "pe-server"))).toMatch(
      /Server pg has no private endpoint/,
    );
  });
  it("accepts a PostgreSQL server VNet-integrated in a subnet of the stack, not another one's", async () => {
    const subnetId =
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/pg";
    const integrated = (id: string) => [
      ...replace(without(estate(), "pe-server"), "pg", { network: { delegatedSubnetResourceId: id } }),
      res("network:Subnet", "pg-subnet", { id: subnetId }),
    ];
    expect(await violations(st.dataStorePrivateConnectivity, integrated(subnetId))).toBe("");
    expect(
      await violations(st.dataStorePrivateConnectivity, integrated(subnetId.replace("/s/", "/other/"))),
    ).toMatch(/delegatedSubnetResourceId .* is not a resource of this stack/);
  });
});

describe("stateful-resources-locked", () => {
  it("flags a missing lock and missing protect", async () => {
    const text = await violations(
      st.statefulResourcesLocked,
      without(estate(), "lock-server").map((r) => (r.name === "st" ? { ...r, protect: false } : r)),
    );
    expect(text).toMatch(/Server pg has no CanNotDelete lock/);
    expect(text).toMatch(/StorageAccount st is not protected/);
  });
  it("accepts a resource-group lock covering everything", async () => {
    const locks = estate().filter((r) => !r.name.startsWith("lock-"));
    locks.push(
      res("authorization:ManagementLockAtResourceGroupLevel", "rg-lock", {
        resourceGroupName: "rg",
        level: "CanNotDelete",
      }),
    );
    expect(await violations(st.statefulResourcesLocked, locks)).toBe("");
  });
  it("accepts a scope lock on the resource group (a parent scope, any case)", async () => {
    const locks = estate().filter((r) => !r.name.startsWith("lock-"));
    locks.push(
      res("authorization:ManagementLockByScope", "rg-lock", {
        scope: `${RG.toUpperCase()}/`,
        level: "CanNotDelete",
      }),
    );
    expect(await violations(st.statefulResourcesLocked, locks)).toBe("");
  });
  it("does not take a lock on a sibling whose name is a prefix for a lock on the resource", async () => {
    const locks = replace(estate(), "lock-vault", { scope: ids.vault.slice(0, -1) });
    expect(await violations(st.statefulResourcesLocked, locks)).toMatch(/Vault kv has no CanNotDelete lock/);
  });
  it("matches scope locks through dependencies when IDs are unknown (preview)", async () => {
    const preview = estate().map((r) =>
      r.name === "kv"
        ? { ...r, props: { ...r.props, id: undefined } }
        : r.name === "lock-vault"
          ? {
              ...r,
              props: { ...r.props, scope: UNKNOWN },
              dependencies: [
                r.urn
                  .replace(/lock-vault$/, "kv")
                  .replace("authorization:ManagementLockByScope", "keyvault:Vault"),
              ],
            }
          : r,
    );
    // The policy must run to a pass (an unknown read would end it as "unknown" with no messages).
    expect((await checkStackPolicy(st.statefulResourcesLocked, preview)).outcome).toBe("pass");
    const unlinked = preview.map((r) => (r.name === "lock-vault" ? { ...r, dependencies: [] } : r));
    expect(await violations(st.statefulResourcesLocked, unlinked)).toMatch(
      /Vault kv has no CanNotDelete lock/,
    );
  });
  it("ignores a lock that does not block deletion", async () => {
    expect(
      await violations(
        st.statefulResourcesLocked,
        replace(estate(), "lock-vault", { level: "NotSpecified" }),
      ),
    ).toMatch(/Vault kv/);
  });
  it("requires nothing when locks are off (dev)", async () => {
    const dev = estate()
      .filter((r) => !r.name.startsWith("lock-"))
      .map((r) => ({ ...r, protect: false }));
    expect(await violations(st.statefulResourcesLocked, dev, { requireLocks: false })).toBe("");
  });
});

describe("customer-managed-keys-rotate", () => {
  it("flags a key without rotation", async () => {
    expect(
      await violations(st.customerManagedKeysRotate, replace(estate(), "cmk", { properties: {} })),
    ).toMatch(/no rotation policy/);
  });
  it("flags a key the stack does not manage", async () => {
    expect(await violations(st.customerManagedKeysRotate, without(estate(), "cmk"))).toMatch(
      /does not manage/,
    );
  });
});

describe("container-app-key-vault-references", () => {
  it("flags a reference to a foreign vault", async () => {
    const foreign = replace(estate(), "web", {
      configuration: {
        secrets: [{ name: "s", keyVaultUrl: "https://elsewhere.vault.azure.net/secrets/x", identity: "/id" }],
      },
    });
    expect(await violations(st.containerAppKeyVaultReferences, foreign)).toMatch(/elsewhere/);
  });
});

describe("postgres-server-parameters", () => {
  it("flags a server without the TLS 1.3 floor", async () => {
    expect(
      await violations(st.postgresServerParameters, without(estate(), "pg-ssl_min_protocol_version")),
    ).toMatch(/ssl_min_protocol_version is not set/);
  });
  it("flags disconnection logging off", async () => {
    expect(
      await violations(
        st.postgresServerParameters,
        replace(estate(), "pg-log_disconnections", { value: "off" }),
      ),
    ).toMatch(/log_disconnections/);
  });
});

describe("diagnostic-destinations-in-stack", () => {
  const foreignSub = "/subscriptions/other/resourceGroups/rg/providers";
  const withDiag = (props: Record<string, unknown>) => replace(estate(), "diag-vault", props);
  it.each([
    [
      "a storage account in another subscription",
      { storageAccountId: `${foreignSub}/Microsoft.Storage/storageAccounts/x` },
    ],
    [
      "a second workspace outside the stack",
      { workspaceId: `${foreignSub}/Microsoft.OperationalInsights/workspaces/x` },
    ],
    [
      "an event hub outside the stack",
      {
        eventHubAuthorizationRuleId: `${foreignSub}/Microsoft.EventHub/namespaces/ns/authorizationrules/RootManageSharedAccessKey`,
      },
    ],
    ["a marketplace partner", { marketplacePartnerId: `${RG}/providers/Microsoft.Datadog/monitors/dd` }],
  ])("flags %s", async (_what, props) => {
    expect(await violations(st.diagnosticDestinationsInStack, withDiag(props))).toMatch(/diag-vault/);
  });
  it("accepts a second destination inside the stack, and a reviewed one on the allow-list", async () => {
    expect(
      await violations(st.diagnosticDestinationsInStack, withDiag({ storageAccountId: ids.account })),
    ).toBe("");
    const siem = `${foreignSub}/Microsoft.OperationalInsights/workspaces/siem`;
    expect(
      await violations(st.diagnosticDestinationsInStack, withDiag({ workspaceId: siem }), {
        allowedDestinations: [siem],
      }),
    ).toBe("");
  });
  it("flags a destination of the stack outside the allowed regions", async () => {
    const us = replace(withDiag({ storageAccountId: ids.account }), "st", { location: "eastus" });
    expect(await violations(st.diagnosticDestinationsInStack, us)).toMatch(/in eastus/);
  });
});

describe("private-endpoints-in-stack", () => {
  it.each([
    [
      "a foreign target",
      {
        privateLinkServiceConnections: [
          {
            name: "x",
            privateLinkServiceId:
              "/subscriptions/other/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/exfil",
          },
        ],
      },
      /not a resource of this stack/,
    ],
    [
      "a manual connection",
      { manualPrivateLinkServiceConnections: [{ name: "x", privateLinkServiceId: ids.account }] },
      /manual private link connection/,
    ],
    [
      "a foreign subnet",
      {
        subnet: {
          id: "/subscriptions/other/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
        },
      },
      /subnet.id/,
    ],
  ])("flags %s", async (_what, props, message) => {
    expect(await violations(st.privateEndpointsInStack, replace(estate(), "pe-vault", props))).toMatch(
      message,
    );
  });
});

describe("stateful-resources-locked: where the lock points", () => {
  const noLocks = () => estate().filter((r) => r.name !== "lock-vault");
  it.each([
    [
      "a scope lock in another subscription",
      { scope: ids.vault.replace("/subscriptions/s/", "/subscriptions/other/") },
    ],
    ["a scope lock on a child of the vault", { scope: `${ids.vault}/keys/cmk` }],
    [
      "a lock whose own ID shows another subscription",
      { scope: ids.vault, id: `/subscriptions/other/providers/Microsoft.Authorization/locks/l` },
    ],
  ])("does not count %s", async (_what, props) => {
    const locks = [
      ...noLocks(),
      res("authorization:ManagementLockByScope", "lock-x", { level: "CanNotDelete", ...props }),
    ];
    expect(await violations(st.statefulResourcesLocked, locks)).toMatch(/Vault kv has no CanNotDelete lock/);
  });
  it("in a preview, does not take a known foreign scope for the vault through a dependency", async () => {
    const preview = estate().map((r) =>
      r.name === "kv"
        ? { ...r, props: { ...r.props, id: undefined } }
        : r.name === "lock-vault"
          ? {
              ...r,
              props: { ...r.props, scope: "/subscriptions/other/resourceGroups/rg" },
              dependencies: [urn("azure-native:keyvault:Vault", "kv")],
            }
          : r,
    );
    expect(await violations(st.statefulResourcesLocked, preview)).toMatch(
      /Vault kv has no CanNotDelete lock/,
    );
  });
  it("requires protect on the data inside locked stores", async () => {
    const data = [...estate(), res("storage:BlobContainer", "recordings", { accountName: "st1" })];
    expect(await violations(st.statefulResourcesLocked, data)).toMatch(
      /BlobContainer recordings holds data and is not protected/,
    );
  });
});

describe("customer-managed-keys-rotate: pinned versions", () => {
  it("flags a storage account pinned to a key version", async () => {
    const pinned = replace(estate(), "st", {
      encryption: {
        keySource: "Microsoft.Keyvault",
        keyVaultProperties: {
          keyVaultUri: "https://kv1.vault.azure.net/",
          keyName: "cmk",
          keyVersion: "0123abcd",
        },
      },
    });
    expect(await violations(st.customerManagedKeysRotate, pinned)).toMatch(/pins version 0123abcd/);
  });
  it("flags a PostgreSQL key URI with a version", async () => {
    const pinned = replace(estate(), "pg", {
      dataEncryption: { type: "AzureKeyVault", primaryKeyURI: "https://kv1.vault.azure.net/keys/cmk/abc123" },
    });
    expect(await violations(st.customerManagedKeysRotate, pinned)).toMatch(/Server pg pins version abc123/);
  });
  it("wants Managed Redis on the key's current version", async () => {
    const redis = (version: string) => [
      ...replace(estate(), "cmk", { keyUriWithVersion: "https://kv1.vault.azure.net/keys/cmk/v2" }),
      res("redisenterprise:RedisEnterprise", "redis", {
        encryption: {
          customerManagedKeyEncryption: {
            keyEncryptionKeyUrl: `https://kv1.vault.azure.net/keys/cmk/${version}`,
          },
        },
      }),
    ];
    expect(await violations(st.customerManagedKeysRotate, redis("v2"))).toBe("");
    expect(await violations(st.customerManagedKeysRotate, redis("v1"))).toMatch(
      /version v1 .* not its current version v2/,
    );
  });
});
