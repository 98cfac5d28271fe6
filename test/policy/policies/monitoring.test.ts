import * as m from "../../../policy/policies/monitoring";
import { describePolicy, expectPass, expectViolation } from "./support";

const DIAG = "azure-native:monitor:DiagnosticSetting";
const vaultId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1";
const setting = {
  name: "to-workspace",
  resourceUri: vaultId,
  workspaceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws",
  logs: [{ categoryGroup: "allLogs", enabled: true }],
  metrics: [{ category: "AllMetrics", enabled: true }],
};

describePolicy(m.diagnosticSettingToWorkspace, {
  type: DIAG,
  compliant: setting,
  violations: [
    ["workspaceId", undefined, /workspaceId/],
    ["logs", [], /no log category/],
    ["logs.0.enabled", false, /disabled/],
  ],
  unknown: "logs",
});

describe("diagnostic-setting-to-workspace", () => {
  it("accepts metrics only for a storage account (it has no log categories)", () =>
    expectPass(m.diagnosticSettingToWorkspace, DIAG, {
      ...setting,
      resourceUri: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1",
      logs: [],
    }));
  it("accepts metrics only for an Azure Managed Redis cluster (its databases carry the logs)", () =>
    expectPass(m.diagnosticSettingToWorkspace, DIAG, {
      ...setting,
      resourceUri: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cache/redisEnterprise/redis1",
      logs: [],
    }));
  it("still wants logs for a Redis database", () =>
    expectViolation(
      m.diagnosticSettingToWorkspace,
      DIAG,
      {
        ...setting,
        resourceUri:
          "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cache/redisEnterprise/redis1/databases/default",
        logs: [],
      },
      /no log category/,
    ));
  it.each([
    [
      "a Key Vault without AuditEvent",
      vaultId,
      [{ category: "AzurePolicyEvaluationDetails", enabled: true }],
      /Key Vault must send its audit trail/,
    ],
    [
      "a blob service with reads only",
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1/blobServices/default",
      [{ category: "StorageRead", enabled: true }],
      /blob service must send its audit trail: .*StorageRead \+ StorageWrite \+ StorageDelete/,
    ],
    [
      "a PostgreSQL server with session logs only",
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg1",
      [{ category: "PostgreSQLFlexSessions", enabled: true }],
      /PostgreSQL server must send its audit trail/,
    ],
  ] as const)("requires the audit trail of %s", (_what, resourceUri, logs, message) =>
    expectViolation(
      m.diagnosticSettingToWorkspace,
      DIAG,
      { ...setting, resourceUri, logs: [...logs] },
      message,
    ),
  );
  it.each([
    ["the audit group", [{ categoryGroup: "audit", enabled: true }]],
    ["the allLogs group", [{ categoryGroup: "allLogs", enabled: true }]],
    ["AuditEvent itself", [{ category: "AuditEvent", enabled: true }]],
  ] as const)("accepts a Key Vault setting with %s", (_what, logs) =>
    expectPass(m.diagnosticSettingToWorkspace, DIAG, { ...setting, logs: [...logs] }),
  );
  it("still wants logs for the blob service", () =>
    expectViolation(
      m.diagnosticSettingToWorkspace,
      DIAG,
      {
        ...setting,
        resourceUri:
          "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1/blobServices/default",
        logs: [],
      },
      /no log category/,
    ));
  it("matches the old insights alias", () =>
    expectViolation(
      m.diagnosticSettingToWorkspace,
      "azure-native:insights:DiagnosticSetting",
      { ...setting, workspaceId: undefined },
      /workspaceId/,
    ));
});

const WS = "azure-native:operationalinsights:Workspace";
const workspace = {
  workspaceName: "sap-prod-log",
  retentionInDays: 365,
  features: { disableLocalAuth: true },
  publicNetworkAccessForIngestion: "Disabled",
  publicNetworkAccessForQuery: "Enabled",
};

describePolicy(m.logAnalyticsRetention, {
  type: WS,
  compliant: workspace,
  violations: [
    ["retentionInDays", 30, /at least 365/],
    ["retentionInDays", undefined, /at least 365/],
  ],
  passes: [["retentionInDays", 730]],
  unknown: "retentionInDays",
});

describePolicy(m.logAnalyticsNoLocalAuth, {
  type: WS,
  compliant: workspace,
  violations: [
    ["features.disableLocalAuth", false, /disableLocalAuth/],
    ["features", undefined, /disableLocalAuth/],
  ],
  unknown: "features",
});

describePolicy(m.logAnalyticsPrivateIngestion, {
  type: WS,
  compliant: workspace,
  violations: [["publicNetworkAccessForIngestion", "Enabled", /Disabled/]],
  unknown: "publicNetworkAccessForIngestion",
});
