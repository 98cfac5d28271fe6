/** LOG-1: one diagnostic setting per resource with the categories its Azure type offers. */
import {
  DIAGNOSTIC_CATEGORIES,
  DIAGNOSTIC_SETTING_NAME,
  addDiagnostics,
  checkDiagnostics,
  diagnosticCategories,
  type DiagnosticsTarget,
} from "../../../components/common/diagnostics";
import { testPlatform } from "../../helpers/platform";
import { only, runExpectingError, runProgram } from "../../helpers/pulumi";

const DIAG = "azure-native:monitor:DiagnosticSetting";
const TARGET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1";

describe("diagnostic categories per target type", () => {
  const logsOf = (t: DiagnosticsTarget) => diagnosticCategories(t).logs;
  const metricsOf = (t: DiagnosticsTarget) => diagnosticCategories(t).metrics;

  it("Key Vault: allLogs (includes the audit group, AuditEvent) and AllMetrics", () => {
    expect(logsOf("keyVault")).toEqual([{ categoryGroup: "allLogs", enabled: true }]);
    expect(metricsOf("keyVault")).toEqual([{ category: "AllMetrics", enabled: true }]);
  });

  it("blob service: StorageRead, StorageWrite, StorageDelete", () => {
    expect(logsOf("storageBlob")).toEqual([
      { category: "StorageRead", enabled: true },
      { category: "StorageWrite", enabled: true },
      { category: "StorageDelete", enabled: true },
    ]);
  });

  it("storage account itself: metrics only", () => {
    expect(logsOf("storageAccount")).toEqual([]);
    expect(metricsOf("storageAccount")).toEqual([{ category: "AllMetrics", enabled: true }]);
  });

  it("Managed Redis: metrics on the cluster, allLogs (ConnectionEvents) on the database", () => {
    expect(logsOf("redisEnterprise")).toEqual([]);
    expect(metricsOf("redisEnterprise")).toEqual([{ category: "AllMetrics", enabled: true }]);
    expect(logsOf("redisEnterpriseDatabase")).toEqual([{ categoryGroup: "allLogs", enabled: true }]);
  });

  it("Container Apps environment and PostgreSQL: allLogs and AllMetrics", () => {
    for (const t of ["containerAppsEnvironment", "postgres"] as const) {
      expect(logsOf(t)).toEqual([{ categoryGroup: "allLogs", enabled: true }]);
      expect(metricsOf(t)).toEqual([{ category: "AllMetrics", enabled: true }]);
    }
  });

  it("Log Analytics workspace: the audit group (its Audit category)", () => {
    expect(logsOf("logAnalyticsWorkspace")).toEqual([{ categoryGroup: "audit", enabled: true }]);
  });

  it("NSG: allLogs and no metrics (NSGs have none)", () => {
    expect(logsOf("networkSecurityGroup")).toEqual([{ categoryGroup: "allLogs", enabled: true }]);
    expect(metricsOf("networkSecurityGroup")).toEqual([]);
  });

  it("every target enables something, and nothing is ever disabled", () => {
    for (const t of Object.keys(DIAGNOSTIC_CATEGORIES) as DiagnosticsTarget[]) {
      const { logs, metrics } = diagnosticCategories(t);
      const entries = [...(logs as object[]), ...(metrics as object[])];
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.every((e) => (e as { enabled: boolean }).enabled)).toBe(true);
    }
  });

  it("extra categories extend, never duplicate, and allLogs absorbs audit", () => {
    expect(diagnosticCategories("storageBlob", ["StorageRead", "Extra"]).logs).toHaveLength(4);
    expect(diagnosticCategories("keyVault", ["audit"]).logs).toEqual([
      { categoryGroup: "allLogs", enabled: true },
    ]);
    expect(diagnosticCategories("storageAccount", ["allLogs"]).logs).toEqual([
      { categoryGroup: "allLogs", enabled: true },
    ]);
  });
});

describe("addDiagnostics", () => {
  it("sends to the platform workspace with resource-specific tables", async () => {
    const { resources } = await runProgram(() =>
      addDiagnostics("kv", TARGET, "keyVault", testPlatform(), undefined, {}),
    );
    const diag = only(resources, DIAG);
    expect(diag.name).toBe("kv-diag");
    expect(diag.inputs).toMatchObject({
      name: DIAGNOSTIC_SETTING_NAME,
      resourceUri: TARGET,
      workspaceId: testPlatform().workspaceId,
      logAnalyticsDestinationType: "Dedicated",
      logs: [{ categoryGroup: "allLogs", enabled: true }],
      metrics: [{ category: "AllMetrics", enabled: true }],
    });
  });

  it("is deleted before its replacement is created: Azure refuses two settings with the same sink", async () => {
    const { resources } = await runProgram(() =>
      addDiagnostics("kv", TARGET, "keyVault", testPlatform(), undefined, {}),
    );
    expect(only(resources, DIAG).deleteBeforeReplace).toBe(true);
  });

  it("takes another workspace and extra categories", async () => {
    const other =
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/other";
    const { resources } = await runProgram(() =>
      addDiagnostics(
        "st",
        `${TARGET}/blobServices/default`,
        "storageBlob",
        testPlatform(),
        { workspaceId: other, additionalLogCategories: ["audit"] },
        {},
      ),
    );
    const diag = only(resources, DIAG);
    expect(diag.inputs.workspaceId).toBe(other);
    expect(diag.inputs.logs).toContainEqual({ categoryGroup: "audit", enabled: true });
    expect(diag.inputs.logAnalyticsDestinationType).toBeUndefined();
  });

  it("refuses a malformed extra category before registering", async () => {
    expect(() => checkDiagnostics('KeyVault "kv"', { additionalLogCategories: ["all logs"] })).toThrow(
      /KeyVault "kv": invalid arguments \(1 problem\):\n {2}- diagnostics\.additionalLogCategories\[0\] = "all logs": is not a category name/,
    );
    const { resources } = await runExpectingError(() =>
      addDiagnostics("kv", TARGET, "keyVault", testPlatform(), { additionalLogCategories: [""] }, {}),
    );
    expect(resources).toEqual([]);
  });
});
