/**
 * One compliant estate for stack-policy tests (a vault with a rotating key, CMK storage and
 * PostgreSQL, diagnostics, private endpoints and locks on each store, a container app with a
 * Key Vault reference): each service's stack policies must pass it, and each test removes or
 * changes one resource to show one violation.
 */
import { runStackPolicy, UNKNOWN } from "../../helpers/policyHarness";
import type { PlatformStackPolicy } from "../../../policy/lib/types";

export const RG = "/subscriptions/s/resourceGroups/rg";
export const ids = {
  vault: `${RG}/providers/Microsoft.KeyVault/vaults/kv1`,
  account: `${RG}/providers/Microsoft.Storage/storageAccounts/st1`,
  blob: `${RG}/providers/Microsoft.Storage/storageAccounts/st1/blobServices/default`,
  server: `${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg1`,
  workspace: `${RG}/providers/Microsoft.OperationalInsights/workspaces/ws`,
  key: `${RG}/providers/Microsoft.KeyVault/vaults/kv1/keys/cmk`,
};
export const urn = (type: string, name: string) => `urn:pulumi:prod::secure-azure-platform::${type}::${name}`;
export type R = {
  type: string;
  name: string;
  urn: string;
  props: Record<string, unknown>;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  protect?: boolean;
};
export const res = (
  type: string,
  name: string,
  props: Record<string, unknown>,
  extra: Partial<R> = {},
): R => ({
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

export function estate(): R[] {
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

export const without = (resources: R[], name: string) => resources.filter((r) => r.name !== name);
export const replace = (resources: R[], name: string, props: Record<string, unknown>) =>
  resources.map((r) => (r.name === name ? { ...r, props: { ...r.props, ...props } } : r));

/**
 * The resources as a stack policy sees them at `up` (and in a preview, once they exist): their
 * outputs (pulumi/pulumi pkg/resource/deploy/step_generator.go AnalyzeResources:
 * `resource.FromResourcePropertyMap(v.Outputs)`). A diagnostic setting's outputs have no
 * `resourceUri` (an ARM path parameter: @pulumi/azure-native monitor/diagnosticSetting.js lists
 * the outputs without it), and its ID is `{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}`.
 * The offline mocks copy inputs into outputs, so nothing else shows this.
 */
export function asOutputs<T extends { type: string; name: string; props: Record<string, unknown> }>(
  resources: readonly T[],
): T[] {
  return resources.map((r) => {
    if (r.type !== "azure-native:monitor:DiagnosticSetting") return r;
    const { resourceUri, ...props } = r.props;
    const id = `${String(resourceUri)}/providers/Microsoft.Insights/diagnosticSettings/${r.name}`;
    return { ...r, props: { ...props, id, name: r.name } };
  });
}

/** The compliant estate passes, and unknown IDs (preview) do not crash the policy. */
export function describeStackPolicy(policy: PlatformStackPolicy): void {
  describe(`${policy.name}: the compliant estate`, () => {
    it("passes", async () => {
      expect(await runStackPolicy(policy, estate())).toEqual([]);
    });
    it("does not crash on unknown IDs (preview)", async () => {
      const preview = estate().map((r) => ({ ...r, props: { ...r.props, id: UNKNOWN } }));
      const result = await runStackPolicy(policy, preview);
      expect(result === "notApplicable" || Array.isArray(result)).toBe(true);
    });
  });
}

export const violations = async (
  policy: PlatformStackPolicy,
  resources: R[],
  config?: Record<string, unknown>,
) => {
  const result = await runStackPolicy(policy, resources, config);
  expect(Array.isArray(result)).toBe(true);
  return (result as string[]).join("\n");
};
