/**
 * Diagnostic settings and Log Analytics workspaces (LOG-1, IAM-1, NET-1).
 */
import { resourcePolicy } from "../lib/define";
import { arr, bool, eqi, get, has, hasText, NOT_KNOWN, num, peek, show, str } from "../lib/props";
import { LOG_RETENTION_DAYS } from "../shared/limits";

/**
 * Resources that emit metrics only (no log categories): a storage account itself (its blob,
 * file, queue and table services carry the logs) and an Azure Managed Redis cluster (its
 * databases carry the connection audit logs).
 */
const METRICS_ONLY_TARGET =
  /\/providers\/microsoft\.(storage\/storageaccounts|cache\/redisenterprise)\/[^/]+$/i;

/**
 * The audit trail each target type must send (LOG-1): the `audit` or `allLogs` category group,
 * or every one of the listed categories. Other targets need at least one log category.
 */
const REQUIRED_AUDIT_LOGS: readonly { target: RegExp; what: string; categories: readonly string[] }[] = [
  {
    target: /\/providers\/microsoft\.keyvault\/vaults\/[^/]+$/i,
    what: "a Key Vault",
    categories: ["AuditEvent"],
  },
  {
    target: /\/providers\/microsoft\.storage\/storageaccounts\/[^/]+\/blobservices\/[^/]+$/i,
    what: "a blob service",
    categories: ["StorageRead", "StorageWrite", "StorageDelete"],
  },
  {
    target: /\/providers\/microsoft\.dbforpostgresql\/flexibleservers\/[^/]+$/i,
    what: "a PostgreSQL server",
    categories: ["PostgreSQLLogs"],
  },
  {
    target: /\/providers\/microsoft\.cache\/redisenterprise\/[^/]+\/databases\/[^/]+$/i,
    what: "a Managed Redis database",
    categories: ["ConnectionEvents"],
  },
  {
    target: /\/providers\/microsoft\.app\/managedenvironments\/[^/]+$/i,
    what: "a Container Apps environment",
    categories: ["ContainerAppConsoleLogs", "ContainerAppSystemLogs"],
  },
];
const AUDIT_GROUPS = ["audit", "allLogs"];

export const diagnosticSettingToWorkspace = resourcePolicy({
  name: "diagnostic-setting-to-workspace",
  description:
    "Diagnostic settings send logs (and metrics) to a Log Analytics workspace, where retention and access are controlled (LOG-1).",
  controls: ["LOG-1"],
  severity: "high",
  remediation:
    "Set workspaceId to the platform workspace and enable at least one log category or the allLogs/audit category group (metrics-only resources: AllMetrics).",
  types: ["azure-native:monitor:DiagnosticSetting"],
  config: {},
  check: ({ props }, _cfg, report) => {
    if (!hasText(props, "workspaceId"))
      report("workspaceId is not set; diagnostics must go to a Log Analytics workspace");
    const enabledLogs = arr(props, "logs").filter(
      (l) => bool(l, "enabled") === true && (has(l, "category") || has(l, "categoryGroup")),
    );
    const enabledMetrics = arr(props, "metrics").filter((m) => bool(m, "enabled") === true);
    const uri = peek(props, "resourceUri");
    // Unknown target (preview) with logs enabled: fine for any target; without logs the
    // verdict depends on the target's type, so read it again and let the unknown propagate.
    if (uri === NOT_KNOWN && enabledLogs.length === 0) str(props, "resourceUri");
    const metricsOnly = typeof uri === "string" && METRICS_ONLY_TARGET.test(uri.trim());
    if (metricsOnly) {
      if (enabledMetrics.length === 0) report("no metric category is enabled for a metrics-only resource");
    } else if (enabledLogs.length === 0) {
      report("no log category or category group is enabled");
    } else if (typeof uri === "string") {
      const required = REQUIRED_AUDIT_LOGS.find((r) => r.target.test(uri.trim()));
      const groups = enabledLogs.map((l) => str(l, "categoryGroup")).filter((g) => g !== undefined);
      const categories = enabledLogs.map((l) => str(l, "category")).filter((c) => c !== undefined);
      const covered =
        groups.some((g) => AUDIT_GROUPS.some((a) => eqi(g, a))) ||
        required?.categories.every((c) => categories.some((x) => eqi(x, c)));
      if (required && !covered)
        report(
          `${required.what} must send its audit trail: the audit or allLogs category group, or ${required.categories.join(" + ")}`,
        );
    }
    for (const l of arr(props, "logs")) {
      if (bool(l, "enabled") === false)
        report(`log ${show(get(l, "categoryGroup") ?? get(l, "category"))} is explicitly disabled`);
    }
  },
});

const WORKSPACE = ["azure-native:operationalinsights:Workspace"] as const;

export const logAnalyticsRetention = resourcePolicy({
  name: "log-analytics-retention",
  description: `Log Analytics workspaces keep logs at least the configured number of days (LOG-1: ${LOG_RETENTION_DAYS.min}).`,
  controls: ["LOG-1"],
  severity: "high",
  remediation: "Set retentionInDays to at least minRetentionDays (Azure's default is 30).",
  types: WORKSPACE,
  config: {
    minRetentionDays: {
      description: "Minimum workspace retention in days.",
      default: LOG_RETENTION_DAYS.min,
      schema: { minimum: 30, maximum: LOG_RETENTION_DAYS.max },
    },
  },
  check: ({ props }, cfg, report) => {
    const days = num(props, "retentionInDays");
    if (days === undefined || days < cfg.minRetentionDays)
      report(
        `retentionInDays is ${show(get(props, "retentionInDays"))}; it must be at least ${cfg.minRetentionDays}`,
      );
  },
});

export const logAnalyticsNoLocalAuth = resourcePolicy({
  name: "log-analytics-no-local-auth",
  description:
    "Log Analytics workspaces refuse the shared workspace keys; ingestion and queries use Entra ID (IAM-1).",
  controls: ["IAM-1"],
  severity: "high",
  remediation:
    "Set features.disableLocalAuth: true (send Container Apps logs with destination azure-monitor).",
  types: WORKSPACE,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (bool(props, "features", "disableLocalAuth") !== true)
      report(
        `features.disableLocalAuth is ${show(get(props, "features", "disableLocalAuth"))}; it must be true`,
      );
  },
});

export const logAnalyticsPrivateIngestion = resourcePolicy({
  name: "log-analytics-private-ingestion",
  description:
    "Log Analytics workspaces accept no ingestion from the public internet; diagnostic settings use the Azure backbone (NET-1, LOG-1).",
  controls: ["NET-1", "LOG-1"],
  severity: "medium",
  remediation: "Set publicNetworkAccessForIngestion: Disabled.",
  types: WORKSPACE,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (!eqi(get(props, "publicNetworkAccessForIngestion"), "Disabled"))
      report(
        `publicNetworkAccessForIngestion is ${show(get(props, "publicNetworkAccessForIngestion"))}; it must be Disabled`,
      );
  },
});

export const monitoringPolicies = [
  diagnosticSettingToWorkspace,
  logAnalyticsRetention,
  logAnalyticsNoLocalAuth,
  logAnalyticsPrivateIngestion,
] as const;
