/**
 * LOG-1: one helper gives any supported resource a diagnostic setting to the platform
 * workspace with the categories that matter for its type. The table is the single place
 * that knows which categories each Azure resource type offers (Azure Monitor "supported
 * categories" per resource type); a category the type lacks makes ARM reject the setting.
 */
import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import type { DiagnosticsArgs, PlatformContext } from "./interfaces";
import { ArgProblems, argError } from "./schema";

export type DiagnosticsTarget =
  | "keyVault"
  | "postgres"
  | "storageAccount"
  | "storageBlob"
  | "redisEnterprise"
  | "redisEnterpriseDatabase"
  | "containerAppsEnvironment"
  | "logAnalyticsWorkspace"
  | "networkSecurityGroup"
  | "virtualNetwork"
  | "frontDoorProfile";

export interface CategorySet {
  /** Azure resource type, for documentation and error messages. */
  resourceType: string;
  /** Category groups (`audit`, `allLogs`) where the type supports them. */
  groups: string[];
  /** Named log categories where the type has no groups (or where we want exactly these). */
  categories: string[];
  /** Metric categories (`AllMetrics`). Empty: the type has no exportable metrics. */
  metrics: string[];
  /** Resource-specific tables (`Dedicated`) where the service writes them. */
  dedicated: boolean;
}

export const DIAGNOSTIC_CATEGORIES: Readonly<Record<DiagnosticsTarget, CategorySet>> = {
  // allLogs contains the `audit` group, i.e. AuditEvent (every secret/key access), plus
  // AzurePolicyEvaluationDetails; metrics feed the availability alert.
  keyVault: {
    resourceType: "Microsoft.KeyVault/vaults",
    groups: ["allLogs"],
    categories: [],
    metrics: ["AllMetrics"],
    dedicated: true,
  },
  // PostgreSQLLogs, sessions, query store, ...; connection logging itself is a server parameter.
  // Flexible server has no resource-specific tables: every category lands in AzureDiagnostics
  // (Azure Monitor "supported logs" for Microsoft.DBforPostgreSQL/flexibleServers).
  postgres: {
    resourceType: "Microsoft.DBforPostgreSQL/flexibleServers",
    groups: ["allLogs"],
    categories: [],
    metrics: ["AllMetrics"],
    dedicated: false,
  },
  // The account itself has no log categories; AllMetrics covers its Transaction metrics (as in AVM).
  storageAccount: {
    resourceType: "Microsoft.Storage/storageAccounts",
    groups: [],
    categories: [],
    metrics: ["AllMetrics"],
    dedicated: false,
  },
  // Blob reads, writes and deletes: the data-access audit trail of customer data.
  storageBlob: {
    resourceType: "Microsoft.Storage/storageAccounts/blobServices",
    groups: [],
    categories: ["StorageRead", "StorageWrite", "StorageDelete"],
    metrics: ["AllMetrics"],
    dedicated: false,
  },
  // Azure Managed Redis: the cluster emits metrics only; logs (ConnectionEvents) live on the database.
  redisEnterprise: {
    resourceType: "Microsoft.Cache/redisEnterprise",
    groups: [],
    categories: [],
    metrics: ["AllMetrics"],
    dedicated: false,
  },
  redisEnterpriseDatabase: {
    resourceType: "Microsoft.Cache/redisEnterprise/databases",
    groups: ["allLogs"],
    categories: [],
    metrics: [],
    dedicated: true,
  },
  // ContainerAppConsoleLogs and ContainerAppSystemLogs (and the rest of allLogs).
  containerAppsEnvironment: {
    resourceType: "Microsoft.App/managedEnvironments",
    groups: ["allLogs"],
    categories: [],
    metrics: ["AllMetrics"],
    dedicated: true,
  },
  // The workspace's own `Audit` category: who queried what (audit group).
  logAnalyticsWorkspace: {
    resourceType: "Microsoft.OperationalInsights/workspaces",
    groups: ["audit"],
    categories: [],
    metrics: ["AllMetrics"],
    dedicated: true,
  },
  // NetworkSecurityGroupEvent and NetworkSecurityGroupRuleCounter; NSGs have no metrics.
  networkSecurityGroup: {
    resourceType: "Microsoft.Network/networkSecurityGroups",
    groups: ["allLogs"],
    categories: [],
    metrics: [],
    dedicated: false,
  },
  // VMProtectionAlerts (DDoS) and the VNet's metrics.
  virtualNetwork: {
    resourceType: "Microsoft.Network/virtualNetworks",
    groups: ["allLogs"],
    categories: [],
    metrics: ["AllMetrics"],
    dedicated: false,
  },
  // Front Door Standard/Premium (EDGE-1): access, health probe and WAF logs; no resource-specific
  // tables exist for Microsoft.Cdn/profiles, they land in AzureDiagnostics.
  frontDoorProfile: {
    resourceType: "Microsoft.Cdn/profiles",
    groups: [],
    categories: ["FrontDoorAccessLog", "FrontDoorHealthProbeLog", "FrontDoorWebApplicationFirewallLog"],
    metrics: ["AllMetrics"],
    dedicated: false,
  },
};

/** The setting's name on the target resource (one per resource; the scope makes it unique). */
export const DIAGNOSTIC_SETTING_NAME = "to-platform-workspace";

/** The `logs` and `metrics` entries for a target type plus caller-requested extra categories. */
export function diagnosticCategories(
  target: DiagnosticsTarget,
  additionalLogCategories: readonly string[] = [],
): Pick<monitor.DiagnosticSettingArgs, "logs" | "metrics"> {
  const set = DIAGNOSTIC_CATEGORIES[target];
  const groups = [...set.groups];
  const categories = [...set.categories];
  for (const extra of additionalLogCategories) {
    if (extra === "allLogs" || extra === "audit") {
      if (!groups.includes(extra) && !groups.includes("allLogs")) groups.push(extra);
    } else if (!categories.includes(extra)) {
      categories.push(extra);
    }
  }
  return {
    logs: [
      ...groups.map((categoryGroup) => ({ categoryGroup, enabled: true })),
      ...categories.map((category) => ({ category, enabled: true })),
    ],
    metrics: set.metrics.map((category) => ({ category, enabled: true })),
  };
}

/** Throws if `diagnostics` args are malformed. Call before `super()` so nothing registers. */
export function checkDiagnostics(owner: string, args: DiagnosticsArgs | undefined): void {
  if (args !== undefined && args !== null && (typeof args !== "object" || Array.isArray(args))) {
    throw argError(
      owner,
      ["diagnostics"],
      args,
      "must be a mapping { workspaceId?, additionalLogCategories? } (LOG-1)",
    );
  }
  const categories = args?.additionalLogCategories ?? [];
  if (!Array.isArray(categories)) {
    throw argError(
      owner,
      ["diagnostics", "additionalLogCategories"],
      categories,
      "must be a list of category names (LOG-1)",
    );
  }
  const problems = new ArgProblems(owner);
  categories.forEach((category, i) => {
    if (typeof category !== "string" || !/^[A-Za-z][A-Za-z0-9]*$/.test(category)) {
      problems.add(
        ["diagnostics", "additionalLogCategories", i],
        category,
        "is not a category name: a letter then letters or digits, e.g. AuditEvent (LOG-1)",
      );
    }
  });
  problems.throwIfAny();
}

/**
 * Diagnostic setting to the platform workspace (or `args.workspaceId`) for `resourceId`.
 * Diagnostics cannot be switched off, only extended with `args.additionalLogCategories`.
 */
export function addDiagnostics(
  name: string,
  resourceId: pulumi.Input<string>,
  target: DiagnosticsTarget,
  platform: Pick<PlatformContext, "workspaceId">,
  args: DiagnosticsArgs | undefined,
  opts: pulumi.CustomResourceOptions,
): monitor.DiagnosticSetting {
  const set = DIAGNOSTIC_CATEGORIES[target];
  // A component passing a target without a table entry is a bug in this package, not caller input.
  if (!set) throw new Error(`${name}: no diagnostics table entry for "${String(target)}" (LOG-1)`);
  checkDiagnostics(name, args);
  return new monitor.DiagnosticSetting(
    `${name}-diag`,
    {
      name: DIAGNOSTIC_SETTING_NAME,
      resourceUri: resourceId,
      workspaceId: args?.workspaceId ?? platform.workspaceId,
      // Resource-specific tables are cheaper to query and what Azure recommends where offered.
      logAnalyticsDestinationType: set.dedicated ? "Dedicated" : undefined,
      ...diagnosticCategories(target, args?.additionalLogCategories),
    },
    // A renamed setting must go before its successor exists: Azure refuses a second setting
    // sending the same categories to the same workspace ("Data sink ... is already used in
    // diagnostic setting ...", Azure/bicep-registry-modules#3407).
    { ...opts, deleteBeforeReplace: true },
  );
}
