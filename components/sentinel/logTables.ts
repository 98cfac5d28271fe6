/**
 * SIEM-1: which Log Analytics table each log category our diagnostic settings send lands in
 * (Azure Monitor "supported logs" per resource type, with the destination type the setting
 * uses: `Dedicated` writes resource-specific tables where the service has them, everything else
 * goes to `AzureDiagnostics`). Analytics rules may only query tables in `writtenTables()`, so a
 * rule cannot watch a table nothing writes (tested in test/components/sentinel.test.ts).
 */
import { DIAGNOSTIC_CATEGORIES, type DiagnosticsTarget } from "../common/diagnostics";

/** Tables per diagnostics target, for the categories (or category groups) the target sends. */
export const TABLES_BY_TARGET: Readonly<Record<DiagnosticsTarget, readonly string[]>> = {
  // AuditEvent -> AZKVAuditLogs, AzurePolicyEvaluationDetails -> AZKVPolicyEvaluationDetailsLogs (Dedicated).
  keyVault: ["AZKVAuditLogs", "AZKVPolicyEvaluationDetailsLogs"],
  // Flexible server has no resource-specific tables: PostgreSQLLogs and the rest go to AzureDiagnostics.
  postgres: ["AzureDiagnostics"],
  storageAccount: [],
  // StorageRead/Write/Delete on the blob service.
  storageBlob: ["StorageBlobLogs"],
  redisEnterprise: [],
  // Azure Managed Redis ConnectionEvents (connect, authenticate, disconnect), resource-specific
  // (Microsoft's "Monitor Azure Managed Redis data using diagnostic settings"); no rule reads it yet.
  redisEnterpriseDatabase: ["REDConnectionEvents"],
  containerAppsEnvironment: ["ContainerAppConsoleLogs", "ContainerAppSystemLogs"],
  // The workspace's Audit category: LAQueryLogs.
  logAnalyticsWorkspace: ["LAQueryLogs"],
  networkSecurityGroup: ["AzureDiagnostics"],
  virtualNetwork: ["AzureDiagnostics"],
  // Microsoft.Cdn/profiles: access, health probe and WAF logs, all in AzureDiagnostics.
  frontDoorProfile: ["AzureDiagnostics"],
};

/** The subscription's Activity log (Administrative, Security, Policy, Alert) sent by the Sentinel component. */
export const ACTIVITY_LOG_TABLE = "AzureActivity";
/** Written by Sentinel itself once the workspace is onboarded. */
export const SENTINEL_TABLES = ["SecurityIncident", "SecurityAlert"] as const;

/** Every table the stack writes to the platform workspace, given the diagnostics targets it uses. */
export function writtenTables(targets: readonly DiagnosticsTarget[] = allTargets()): Set<string> {
  return new Set([...targets.flatMap((t) => TABLES_BY_TARGET[t]), ACTIVITY_LOG_TABLE, ...SENTINEL_TABLES]);
}

export function allTargets(): DiagnosticsTarget[] {
  return Object.keys(DIAGNOSTIC_CATEGORIES) as DiagnosticsTarget[];
}

const KQL_KEYWORDS = new Set(["let", "union", "datatable", "print", "range", "materialize", "toscalar"]);

/**
 * The tables a KQL query reads: the identifier that starts the query or a `let`-free pipeline
 * statement, every `union`/`join`/`lookup` operand. Good enough for our own rules, which the
 * test keeps to that shape; it is not a KQL parser.
 */
export function queryTables(query: string): string[] {
  const tables = new Set<string>();
  const statements = query
    .replace(/\/\/.*$/gm, "")
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const statement of statements) {
    const body = statement.startsWith("let ") ? statement.replace(/^let\s+\w+\s*=\s*/, "") : statement;
    const head = body.match(/^\(?\s*([A-Za-z_][A-Za-z0-9_]*)/);
    if (head && !KQL_KEYWORDS.has(head[1]) && !/^\w+\s*\(/.test(body)) tables.add(head[1]);
    for (const m of body.matchAll(
      /\b(?:join|lookup)\b(?:\s+kind\s*=\s*\w+)?\s*\(?\s*([A-Za-z_][A-Za-z0-9_]*)/g,
    ))
      tables.add(m[1]);
    for (const m of body.matchAll(/\bunion\b([^|]*)/g))
      for (const t of m[1].split(",").map((x) => x.trim().replace(/^\(/, "")))
        if (/^[A-Za-z_]\w*$/.test(t)) tables.add(t);
  }
  // Names bound by `let` are not tables.
  for (const m of query.matchAll(/\blet\s+(\w+)\s*=/g)) tables.delete(m[1]);
  return [...tables];
}

/**
 * A table read so that the query resolves whether or not the workspace has the table yet: a fuzzy
 * union whose first leg is an empty `datatable` (`union isfuzzy=true (datatable(...)[]), Table`).
 * KQL's fuzzy union drops an operand it cannot resolve and fails only when none resolves.
 */
const FUZZY_TABLE_SOURCE =
  /\bunion\s+isfuzzy\s*=\s*true\s*\(\s*datatable\s*\([^)]*\)\s*\[\s*\]\s*\)\s*,\s*([A-Za-z_]\w*)(?![\w\s]*,)/g;

/**
 * The tables a query reads directly, not through the fuzzy source above. Azure validates a
 * Sentinel scheduled rule's or a log search alert's query when it is created and refuses one that
 * reads a table the workspace does not have ("Failed to run the analytics rule query. One of the
 * tables does not exist"); Azure Monitor creates a workspace's Azure tables from the services and
 * diagnostic settings that send to it (Microsoft's "Tables in Azure Monitor Logs"), at a time no
 * document gives. So on a workspace the same deployment creates, only these reads can fail.
 */
export function directTableReads(query: string): string[] {
  return queryTables(query.replace(/\/\/.*$/gm, "").replace(FUZZY_TABLE_SOURCE, ""));
}

/**
 * Why Sentinel refuses a scheduled analytics rule's query at creation (SIEM-1): one rule, declared
 * in controls/sentinelQuery.ts and read by the policy pack too.
 */
export { scheduledRuleQueryProblems } from "../../controls/sentinelQuery";
