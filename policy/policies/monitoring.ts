/**
 * Diagnostic settings and Log Analytics workspaces (LOG-1, IAM-1, NET-1, RES-1): every resource
 * that can have diagnostic settings has one, and each sends only to destinations of the stack.
 */
import { canonicalType, parseType, type AzureType } from "../lib/azureTypes";
import { propertyDependenciesOf, resourcePolicy, stackPolicy, type StackResource } from "../lib/define";
import {
  allowedDestinationsParam,
  allowListed,
  destinationLocationsParam,
  destinationJudge,
  diagnosticTargetOf,
  label,
  ofKind,
  peekSet,
  ReferenceIndex,
  TargetIndex,
  stackIndex,
} from "../lib/relations";
import { arr, bool, eqi, get, has, hasText, NOT_KNOWN, num, peek, peekArr, show, str } from "../lib/props";
import { LOG_RETENTION_DAYS } from "../../controls/limits";

/**
 * ARM resource types that emit metrics only: Microsoft's reference lists supported metrics and no
 * log categories for them (Azure Monitor "Supported metrics" / "Supported logs" by resource type).
 * A storage account's blob, file, queue and table services carry its logs; a Managed Redis
 * cluster's databases carry the connection audit logs; a container app's logs flow through its
 * environment. A diagnostic setting on these can only carry metrics.
 */
export const METRICS_ONLY_TYPES: readonly string[] = [
  "microsoft.storage/storageaccounts",
  "microsoft.cache/redisenterprise",
  "microsoft.network/privateendpoints",
  "microsoft.network/networkinterfaces",
  "microsoft.network/privatednszones",
  "microsoft.app/containerapps",
];

/** The ARM resource type of an ID: `.../providers/Microsoft.Storage/storageAccounts/x/blobServices/default` -> `microsoft.storage/storageaccounts/blobservices`. */
export function armTypeOf(id: string): string | undefined {
  const lower = id.trim().replace(/\/+$/, "").toLowerCase();
  const at = lower.lastIndexOf("/providers/");
  if (at < 0) return undefined;
  const [namespace, ...rest] = lower.slice(at + "/providers/".length).split("/");
  if (!namespace || rest.length < 2 || rest.length % 2 !== 0) return undefined;
  return [namespace, ...rest.filter((_, i) => i % 2 === 0)].join("/");
}

/**
 * The audit trail each target type must send (LOG-1): the `allLogs` category group, or every one
 * of the listed categories, or — only where `auditGroup` says so — the `audit` group. A type's
 * audit group is a subset of allLogs chosen by its service; Microsoft's supported-logs pages list
 * categories, not that subset, so it is accepted only where it is known to hold the categories
 * (Key Vault: AuditEvent). Container Apps console logs (stdout) are no audit category at all.
 * Other targets need at least one log category.
 */
const REQUIRED_AUDIT_LOGS: readonly {
  target: RegExp;
  what: string;
  categories: readonly string[];
  auditGroup?: true;
}[] = [
  {
    target: /\/providers\/microsoft\.keyvault\/vaults\/[^/]+$/i,
    what: "a Key Vault",
    categories: ["AuditEvent"],
    auditGroup: true,
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

export const diagnosticSettingToWorkspace = resourcePolicy({
  name: "diagnostic-setting-to-workspace",
  description:
    "Diagnostic settings send logs (and metrics) to a Log Analytics workspace, where retention and access are controlled (LOG-1).",
  controls: ["LOG-1"],
  severity: "high",
  remediation:
    "Set workspaceId to the platform workspace and enable the allLogs category group or the target's audit categories (Key Vault: the audit group also does; metrics-only resources: AllMetrics).",
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
    const metricsOnly = typeof uri === "string" && METRICS_ONLY_TYPES.includes(armTypeOf(uri) ?? "");
    if (metricsOnly) {
      if (enabledMetrics.length === 0) report("no metric category is enabled for a metrics-only resource");
    } else if (enabledLogs.length === 0) {
      report("no log category or category group is enabled");
    } else if (typeof uri === "string") {
      const required = REQUIRED_AUDIT_LOGS.find((r) => r.target.test(uri.trim()));
      const groups = enabledLogs.map((l) => str(l, "categoryGroup")).filter((g) => g !== undefined);
      const categories = enabledLogs.map((l) => str(l, "category")).filter((c) => c !== undefined);
      const covered =
        groups.some((g) => eqi(g, "allLogs") || (required?.auditGroup === true && eqi(g, "audit"))) ||
        required?.categories.every((c) => categories.some((x) => eqi(x, c)));
      if (required && !covered)
        report(
          `${required.what} must send its audit trail: the ${required.auditGroup ? "audit or " : ""}allLogs category group, or ${required.categories.join(" + ")}`,
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

const minRetentionParam = {
  description: "Minimum retention in days (LOG-1: 365).",
  default: 365,
  schema: { minimum: 30, maximum: 4383 },
};

export const logAnalyticsTableRetention = resourcePolicy({
  name: "log-analytics-table-retention",
  description:
    "Log Analytics tables keep their data at least the configured number of days in total (interactive plus long-term retention): a per-table override must not undo the workspace's LOG-1 retention (LOG-1).",
  controls: ["LOG-1"],
  severity: "high",
  remediation:
    "Leave retentionInDays and totalRetentionInDays at -1 (the workspace's retention), or set totalRetentionInDays (or retentionInDays without long-term retention) to at least minRetentionDays.",
  types: ["azure-native:operationalinsights:Table"],
  config: { minRetentionDays: minRetentionParam },
  check: ({ props }, cfg, report) => {
    // -1 (or unset) follows the workspace; without long-term retention, total = interactive.
    const total = num(props, "totalRetentionInDays");
    const interactive = num(props, "retentionInDays");
    const set = (n: number | undefined) => (n !== undefined && n >= 0 ? n : undefined);
    const kept = set(total) ?? set(interactive);
    if (kept !== undefined && kept < cfg.minRetentionDays)
      report(
        `the table keeps data ${kept} days (retentionInDays ${show(get(props, "retentionInDays"))}, totalRetentionInDays ${show(get(props, "totalRetentionInDays"))}); at least ${cfg.minRetentionDays} are required`,
      );
  },
});

export const logAnalyticsNoDataLoss = resourcePolicy({
  name: "log-analytics-no-data-loss",
  description:
    "Log Analytics workspaces never drop logs early: no purge after 30 days, no daily ingestion cap (which stops collection once reached, e.g. while an attacker floods the logs) and not the Free tier (LOG-1).",
  controls: ["LOG-1"],
  severity: "high",
  remediation:
    "Remove features.immediatePurgeDataOn30Days and workspaceCapping.dailyQuotaGb (or set it to -1), and use a paid SKU (PerGB2018 or a commitment tier); control cost with table plans instead.",
  types: WORKSPACE,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (bool(props, "features", "immediatePurgeDataOn30Days") === true)
      report(
        "features.immediatePurgeDataOn30Days is true; data would be purged after 30 days whatever the retention",
      );
    const cap = num(props, "workspaceCapping", "dailyQuotaGb");
    if (cap !== undefined && cap >= 0)
      report(
        `workspaceCapping.dailyQuotaGb is ${cap}; a daily cap stops ingestion once reached (use -1, no cap)`,
      );
    if (eqi(get(props, "sku", "name"), "Free"))
      report("sku.name is Free; the Free tier keeps 7 days and caps ingestion");
  },
});

/** A resource of the stack whose type the pack parses to `canonical` (known to the pack or not). */
const ofCanonical =
  (...canonical: string[]) =>
  (r: StackResource): boolean => {
    const parsed = parseType(r.type)?.canonical;
    return parsed !== undefined && canonical.includes(parsed);
  };
const isStorageAccount = ofKind(["azure-native:storage:StorageAccount"]);
const isEventHub = ofKind([], ["eventhub"]);
const isLogCluster = ofCanonical("azure-native:operationalinsights:Cluster");

/**
 * Where a data collection rule can send data: destination list, the property holding the ARM ID,
 * and what may receive it (a destination not known yet must come from such a resource).
 */
const DCR_DESTINATIONS: readonly [kind: string, key: string, accepts: (r: StackResource) => boolean][] = [
  ["logAnalytics", "workspaceResourceId", ofKind(["azure-native:operationalinsights:Workspace"])],
  ["storageAccounts", "storageAccountResourceId", isStorageAccount],
  ["storageBlobsDirect", "storageAccountResourceId", isStorageAccount],
  ["storageTablesDirect", "storageAccountResourceId", isStorageAccount],
  ["eventHubs", "eventHubResourceId", isEventHub],
  ["eventHubsDirect", "eventHubResourceId", isEventHub],
  ["monitoringAccounts", "accountResourceId", ofCanonical("azure-native:monitor:AzureMonitorWorkspace")],
];
/** Any destination of a data collection rule (for a `destinations` object not known as a whole). */
const isDcrDestination = (r: StackResource): boolean => DCR_DESTINATIONS.some(([, , accepts]) => accepts(r));

export const logExportInStack = stackPolicy({
  name: "log-export-in-stack",
  description:
    "Log data leaves the workspace only for resources of this stack in allowed regions (or reviewed exceptions): data export rules, linked storage accounts, linked services and dedicated clusters, and data collection rule destinations (RES-1, LOG-1). In a preview, a destination not known yet must be computed from a resource of this stack of the destination's kind (a storage account or event hub for an export), and a list not known as a whole is judged the same way rather than skipped.",
  controls: ["RES-1", "LOG-1"],
  severity: "critical",
  remediation:
    "Export to a storage account or event hub namespace of this stack in an allowed region, or list a reviewed destination in allowedDestinations; otherwise delete the export rule or link.",
  types: [
    "azure-native:operationalinsights:DataExport",
    "azure-native:operationalinsights:LinkedStorageAccount",
  ],
  config: { allowedDestinations: allowedDestinationsParam, allowedLocations: destinationLocationsParam },
  check: (stack, cfg, report) => {
    const index = stackIndex(stack);
    const judgeDestination = destinationJudge(stack, cfg, report, index);
    // Not known yet (preview): only what the input was computed from counts (its
    // propertyDependencies), and it must be of the destination's kind; before, any dependency of
    // the resource did (an export always waits for its workspace), of any kind (a random string).
    const judge = (
      r: StackResource,
      input: string,
      what: string,
      value: unknown,
      accepts: (candidate: StackResource) => boolean,
    ) => judgeDestination(r, what, value, accepts, () => propertyDependenciesOf(r, input));
    const isExportTarget = (c: StackResource) => isStorageAccount(c) || isEventHub(c);
    for (const r of stack.ofType("azure-native:operationalinsights:DataExport")) {
      // A disabled rule exports nothing, but one flag away from it: judged all the same.
      const target = peek(r.props, "resourceId");
      judge(r, "resourceId", "resourceId", target, isExportTarget);
      if (target !== NOT_KNOWN && !hasText(r.props, "resourceId"))
        report(`${label(r)}: resourceId names no destination`, r.urn);
    }
    for (const r of stack.ofType("azure-native:operationalinsights:LinkedStorageAccount"))
      for (const id of peekArr(r.props, "storageAccountIds"))
        judge(r, "storageAccountIds", "storageAccountIds[]", id, isStorageAccount);
    for (const r of stack.ofType("azure-native:operationalinsights:LinkedService")) {
      judge(r, "resourceId", "resourceId", peek(r.props, "resourceId"), ofKind([], ["automation"]));
      judge(
        r,
        "writeAccessResourceId",
        "writeAccessResourceId",
        peek(r.props, "writeAccessResourceId"),
        isLogCluster,
      );
    }
    // A dedicated cluster stores the workspace's data (and holds its keys).
    for (const r of stack.ofType("azure-native:operationalinsights:Workspace"))
      judge(
        r,
        "features",
        "features.clusterResourceId",
        peek(r.props, "features", "clusterResourceId"),
        isLogCluster,
      );
    for (const r of stack.ofType("azure-native:monitor:DataCollectionRule")) {
      if (peek(r.props, "destinations") === NOT_KNOWN) {
        judge(r, "destinations", "destinations", NOT_KNOWN, isDcrDestination);
        continue;
      }
      for (const [kind, key, accepts] of DCR_DESTINATIONS)
        for (const d of peekArr(r.props, "destinations", kind))
          judge(r, "destinations", `destinations.${kind}[].${key}`, peek(d, key), accepts);
    }
  },
});

const DIAGNOSTIC_TYPES: AzureType[] = [
  "azure-native:keyvault:Vault",
  "azure-native:storage:StorageAccount",
  "azure-native:storage:BlobServiceProperties",
  "azure-native:dbforpostgresql:Server",
  "azure-native:redisenterprise:RedisEnterprise",
  "azure-native:redisenterprise:Database",
  "azure-native:redis:Redis",
  "azure-native:app:ManagedEnvironment",
  "azure-native:operationalinsights:Workspace",
  "azure-native:network:NetworkSecurityGroup",
  "azure-native:network:VirtualNetwork",
];

export const diagnosticsCoverage = stackPolicy({
  name: "diagnostics-coverage",
  description:
    "Every resource that supports diagnostic settings sends them to a Log Analytics workspace of the stack that keeps logs at least the configured days (LOG-1).",
  controls: ["LOG-1"],
  severity: "high",
  remediation:
    "Add a diagnostic setting (components: addDiagnostics) with resourceUri = the resource's ID and workspaceId = the platform workspace, whose retentionInDays >= minRetentionDays.",
  types: DIAGNOSTIC_TYPES,
  config: {
    minRetentionDays: {
      description: "Minimum retention of the receiving workspace in days.",
      default: LOG_RETENTION_DAYS.min,
    },
    resourceTypes: {
      description: "Canonical azure-native type tokens that must have a diagnostic setting.",
      default: DIAGNOSTIC_TYPES,
    },
  },
  check: (stack, cfg, report) => {
    const settings = stack.ofType("azure-native:monitor:DiagnosticSetting");
    const workspaces = new TargetIndex(stack.ofType("azure-native:operationalinsights:Workspace"));
    const byResource = new ReferenceIndex(settings, (s) => [diagnosticTargetOf(s)], "resourceUri");
    const wanted = new Set(cfg.resourceTypes.map((t) => canonicalType(t)).filter((t) => t !== undefined));
    for (let i = 0; i < stack.resources.length; i++) {
      const target = stack.resources[i];
      if (target.canonical === undefined || !wanted.has(target.canonical)) continue;
      const mine = byResource.referrers(target);
      if (mine.length === 0) {
        report(`${label(target)} has no diagnostic setting`, target.urn);
        continue;
      }
      // The workspaces each setting's workspaceId refers to (`refersTo(s, workspaceId, w)`).
      const good = mine.some((s) =>
        // A retention not known yet (preview) is judged on the workspace by log-analytics-retention;
        // reading it here would make the policy skip every resource of the stack.
        workspaces
          .referencedBy(s, peek(s.props, "workspaceId"), "workspaceId")
          .some(
            (w) =>
              peek(w.props, "retentionInDays") === NOT_KNOWN ||
              (num(w.props, "retentionInDays") ?? 0) >= cfg.minRetentionDays,
          ),
      );
      if (!good)
        report(
          `${label(target)}: its diagnostic settings do not reach a workspace of this stack retaining logs >= ${cfg.minRetentionDays} days`,
          target.urn,
        );
    }
  },
});

/** Where a diagnostic setting can send data, and what may receive it. */
const DIAGNOSTIC_DESTINATIONS: readonly [key: string, accepts: (r: StackResource) => boolean][] = [
  ["workspaceId", ofKind(["azure-native:operationalinsights:Workspace"])],
  ["storageAccountId", ofKind(["azure-native:storage:StorageAccount"])],
  ["eventHubAuthorizationRuleId", ofKind([], ["eventhub"])],
  ["serviceBusRuleId", ofKind([], ["servicebus"])],
];

/**
 * Diagnostic settings with destinations: on a resource, and the subscription's Activity log
 * (the same destination properties, Microsoft.Insights/diagnosticSettings at subscription scope).
 */
const isEventGrid = ofKind([], ["eventgrid"]);

const DIAGNOSTIC_SETTING_TYPES: readonly AzureType[] = [
  "azure-native:monitor:DiagnosticSetting",
  "azure-native:monitor:SubscriptionDiagnosticSetting",
];

export const diagnosticDestinationsInStack = stackPolicy({
  name: "diagnostic-destinations-in-stack",
  description:
    "Every destination of every diagnostic setting, the subscription's Activity log settings included (workspace, storage account, event hub, service bus), and the Event Grid topic Defender for Storage publishes malware-scan results to, is a resource of this stack in an allowed region, or a reviewed exception; partner solutions only when listed (LOG-1, RES-1).",
  controls: ["LOG-1", "RES-1"],
  severity: "critical",
  remediation:
    "Send diagnostics and the Activity log only to the stack's own workspace (or a storage account / event hub of the stack in an allowed region); add a reviewed destination outside the stack to allowedDestinations.",
  types: [...DIAGNOSTIC_SETTING_TYPES, "azure-native:security:DefenderForStorage"],
  config: { allowedDestinations: allowedDestinationsParam, allowedLocations: destinationLocationsParam },
  check: (stack, cfg, report) => {
    const judge = destinationJudge(stack, cfg, report);
    // Defender for Storage's malware-scan results (blob names and URLs, verdicts) published to an
    // Event Grid topic (defenderForStorageSettings REST spec): an export like any other.
    for (const setting of stack.ofType("azure-native:security:DefenderForStorage")) {
      const key = "properties.malwareScanning.scanResultsEventGridTopicResourceId";
      const value = peek(
        setting.props,
        "properties",
        "malwareScanning",
        "scanResultsEventGridTopicResourceId",
      );
      judge(setting, key, value, isEventGrid, () => propertyDependenciesOf(setting, "properties"));
    }
    for (const setting of stack.ofType(...DIAGNOSTIC_SETTING_TYPES)) {
      // Not known yet (preview): only what the destination input was computed from counts (its
      // propertyDependencies; before, any dependency of the setting, e.g. a dependsOn).
      for (const [key, accepts] of DIAGNOSTIC_DESTINATIONS)
        judge(setting, key, peek(setting.props, key), accepts, () => propertyDependenciesOf(setting, key));
      // A partner solution ships logs out of Azure: only a listed, reviewed one. (Not set by the
      // program, unknown in a preview all the same: absent, `peekSet`.)
      const partner = peekSet(setting, "marketplacePartnerId");
      if (
        partner !== undefined &&
        partner !== null &&
        partner !== "" &&
        !(typeof partner === "string" && allowListed(partner, cfg.allowedDestinations))
      )
        report(
          `${label(setting)}: marketplacePartnerId ${show(partner === NOT_KNOWN ? "(not known yet)" : partner)} sends logs to a partner outside Azure; only IDs on allowedDestinations may`,
          setting.urn,
        );
    }
  },
});

export const monitoringPolicies = [
  diagnosticSettingToWorkspace,
  logAnalyticsRetention,
  logAnalyticsTableRetention,
  logAnalyticsNoDataLoss,
  logAnalyticsNoLocalAuth,
  logAnalyticsPrivateIngestion,
  logExportInStack,
  diagnosticsCoverage,
  diagnosticDestinationsInStack,
] as const;
