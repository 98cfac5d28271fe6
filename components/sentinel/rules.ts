/**
 * SIEM-1: the scheduled analytics rules, as data. Each names its severity, MITRE ATT&CK tactics
 * and techniques, entity mappings and a KQL query over tables the stack's own diagnostic
 * settings write (`logTables.ts`; a test refuses any other table and any mapped column the query
 * does not produce). Values known only at deployment (the pipeline's identity, the workload
 * identities) are passed in, never hard-coded.
 */

/** What the queries need from the deployment. */
export interface RuleContext {
  /** Object and client (application) IDs of the identity that runs `pulumi up`: the pipeline. */
  pipelineIds: string[];
  /** Principal IDs allowed to read secrets and use keys (workload and CMK identities). */
  keyVaultCallers: string[];
}

export type RuleSeverity = "High" | "Medium" | "Low" | "Informational";

export interface EntityMapping {
  entityType: "Account" | "IP" | "AzureResource";
  fieldMappings: { identifier: string; columnName: string }[];
}

export interface AnalyticsRule {
  /** Stable kebab-case ID; the Sentinel rule ID is derived from it. */
  id: string;
  displayName: string;
  description: string;
  severity: RuleSeverity;
  tactics: readonly string[];
  techniques: readonly string[];
  /** ISO 8601: how often the query runs and how far back it looks. */
  queryFrequency: string;
  queryPeriod: string;
  entityMappings: readonly EntityMapping[];
  query(ctx: RuleContext): string;
}

const kqlList = (values: readonly string[]): string =>
  `dynamic([${values.map((v) => `"${v.replace(/["\\]/g, "")}"`).join(", ")}])`;

/**
 * AzureDiagnostics as a rule may read it on a fresh workspace. Sentinel validates a rule's KQL at
 * creation, and AzureDiagnostics is created by the Azure Monitor pipeline with the first log
 * sent in Azure Diagnostics mode ("One of the tables does not exist"), each service's own
 * columns (`action_s`, `Message`, ...) with the first log that carries them ("does not refer to
 * any known column", Azure/Azure-Sentinel#10495). A fuzzy union with an empty leg that has the
 * standard columns always resolves; `diagColumn` reads a service column or "" until it exists.
 */
export const AZURE_DIAGNOSTICS_SOURCE =
  "union isfuzzy=true (datatable(TimeGenerated: datetime, ResourceProvider: string, Category: string, ResourceId: string)[]), AzureDiagnostics";
export const diagColumn = (name: string): string => `column_ifexists("${name}", "")`;

/**
 * SecurityIncident as the incidents alert (an Azure Monitor log search alert) reads it. That alert
 * is created right after the onboarding, and log search alert rules validate their query at
 * creation: a table the workspace does not resolve yet is refused ("Failed to resolve table or
 * column expression named ...", learntocloud/learn-to-cloud-app#586), and `skipQueryValidation`
 * is reported not to help for a missing table (hashicorp/terraform-provider-azurerm#28293). The
 * same fuzzy union as AZURE_DIAGNOSTICS_SOURCE, its empty leg typed only where the type is
 * certain (TimeGenerated, Status); the other columns through `column_ifexists`, so a type this
 * leg got wrong cannot split a column in two. With the table present the results are the same.
 */
export const SECURITY_INCIDENT_QUERY = [
  "union isfuzzy=true (datatable(TimeGenerated: datetime, Status: string)[]), SecurityIncident",
  '| where Status == "New"',
  `| extend IncidentNumber = column_ifexists("IncidentNumber", long(null)), Title = column_ifexists("Title", ""), Severity = column_ifexists("Severity", ""), IncidentUrl = column_ifexists("IncidentUrl", "")`,
  "| summarize arg_max(TimeGenerated, Title, Severity, IncidentUrl) by IncidentNumber",
  "| project IncidentNumber, Title, Severity, IncidentUrl",
].join("\n");

/**
 * Log Analytics standard columns a rule reads, with their types (Microsoft's "Standard columns in
 * Azure Monitor Logs", MicrosoftDocs/azure-monitor-docs articles/azure-monitor/logs/
 * log-standard-columns.md). They are hidden: not in the schema view, not in `project *` results
 * unless named. Whether `column_ifexists` sees a hidden column is documented nowhere (neither the
 * function's reference nor the standard-columns page says), so a rule never reads one through it:
 * if it did not, `ResourceId` would be "" on every alert and the resource entity silently empty.
 * A query that names the column does read it, through `union` too (the same page's examples:
 * `union withsource = tt * | where _IsBillable == true`, `summarize ... by _SubscriptionId`). So
 * `resilientSource` declares it in the empty leg, where it always resolves, and reads it by name.
 */
export const STANDARD_COLUMNS = { _ResourceId: "string", _SubscriptionId: "string" } as const;
export type StandardColumn = keyof typeof STANDARD_COLUMNS;

/**
 * A resource-specific table (AZKVAuditLogs, AzureActivity) as a rule may read it on a fresh
 * workspace. A rule's query is validated when the rule is created ("Failed to run the analytics
 * rule query. One of the tables does not exist"), and Azure Monitor creates a workspace's Azure
 * tables from the diagnostic settings that send to it (Microsoft's "Tables in Azure Monitor
 * Logs"): on the first deploy those settings are created alongside the rules, and when a table
 * appears is not documented. Some columns arrive only with a record that carries them
 * (Azure/Azure-Sentinel#10340: AzureActivity rules refused on a clean workspace right after the
 * connector, "sometimes it works, sometimes it errors"). So: the fuzzy union with an empty leg
 * typed `TimeGenerated` (every table has it, a datetime) and the standard columns the rule reads,
 * then each column bound once: a table column (`[name, fallback]`) through `column_ifexists`, a
 * standard column (its name, `STANDARD_COLUMNS`) by name (`extend` replaces a column that exists,
 * KQL's extend operator reference). Same rows once the table has them; until then the rule returns
 * nothing.
 */
export function resilientSource(
  table: string,
  columns: Readonly<Record<string, readonly [column: string, fallback: string] | StandardColumn>>,
): string {
  const entries = Object.entries(columns);
  const standard = [...new Set(entries.flatMap(([, c]) => (typeof c === "string" ? [c] : [])))].map(
    (c) => `, ${c}: ${STANDARD_COLUMNS[c]}`,
  );
  const bound = entries.map(([name, c]) =>
    typeof c === "string" ? `${name} = ${c}` : `${name} = column_ifexists("${c[0]}", ${c[1]})`,
  );
  return `union isfuzzy=true (datatable(TimeGenerated: datetime${standard.join("")})[]), ${table}\n| extend ${bound.join(", ")}`;
}

const KEY_VAULT_AUDIT_SOURCE = resilientSource("AZKVAuditLogs", {
  OperationName: ["OperationName", '""'],
  ResultSignature: ["ResultSignature", '""'],
  Identity: ["Identity", "dynamic(null)"],
  CallerIpAddress: ["CallerIpAddress", '""'],
  Id: ["Id", '""'],
  ResourceId: "_ResourceId",
});

/** The Activity log columns the rules read (AzureActivity's own names). */
const ACTIVITY_SOURCE = resilientSource("AzureActivity", {
  OperationNameValue: ["OperationNameValue", '""'],
  ActivityStatusValue: ["ActivityStatusValue", '""'],
  Caller: ["Caller", '""'],
  CallerIpAddress: ["CallerIpAddress", '""'],
  Properties_d: ["Properties_d", "dynamic(null)"],
  ResourceId: "_ResourceId",
});

/** Thresholds, declared once (the docs table reads them). */
export const RULE_THRESHOLDS = {
  keyVaultBulkReads: 50,
  postgresAuthFailures: 10,
  wafBlocksPerSource: 200,
} as const;

const resourceEntity: EntityMapping = {
  entityType: "AzureResource",
  fieldMappings: [{ identifier: "ResourceId", columnName: "ResourceId" }],
};
const callerIpEntity: EntityMapping = {
  entityType: "IP",
  fieldMappings: [{ identifier: "Address", columnName: "CallerIpAddress" }],
};
const callerAccountEntity: EntityMapping = {
  entityType: "Account",
  fieldMappings: [{ identifier: "FullName", columnName: "Caller" }],
};

/** Control-plane writes that can switch public network access back on for a data store. */
const DATA_STORE_WRITES = [
  "MICROSOFT.STORAGE/STORAGEACCOUNTS/WRITE",
  "MICROSOFT.KEYVAULT/VAULTS/WRITE",
  "MICROSOFT.DBFORPOSTGRESQL/FLEXIBLESERVERS/WRITE",
  "MICROSOFT.CACHE/REDISENTERPRISE/WRITE",
  "MICROSOFT.APP/MANAGEDENVIRONMENTS/WRITE",
];

export const ANALYTICS_RULES: readonly AnalyticsRule[] = [
  {
    id: "key-vault-unexpected-or-bulk-access",
    displayName: "Key Vault secrets or keys read by an unexpected identity or in bulk",
    description:
      "A caller outside the platform's workload and encryption identities read a secret or used a key, or any caller read more secrets or keys in an hour than the applications do (SIEM-1, KEY-1).",
    severity: "High",
    tactics: ["CredentialAccess", "Collection"],
    techniques: ["T1555", "T1552"],
    queryFrequency: "PT1H",
    queryPeriod: "PT1H",
    entityMappings: [
      { entityType: "Account", fieldMappings: [{ identifier: "AadUserId", columnName: "CallerObjectId" }] },
      callerIpEntity,
      resourceEntity,
    ],
    query: (ctx) => `let allowed = ${kqlList(ctx.keyVaultCallers)};
${KEY_VAULT_AUDIT_SOURCE}
| where OperationName in~ ("SecretGet", "SecretList", "KeyGet", "KeyDecrypt", "KeyUnwrap", "KeySign", "KeyList")
| where ResultSignature !in~ ("Unauthorized", "Forbidden")
| extend CallerObjectId = tostring(coalesce(Identity.claim.oid, Identity.claim["http://schemas.microsoft.com/identity/claims/objectidentifier"]))
| summarize Operations = count(), Names = make_set(Id, 20) by CallerObjectId, CallerIpAddress, ResourceId
| where CallerObjectId !in (allowed) or Operations > ${RULE_THRESHOLDS.keyVaultBulkReads}`,
  },
  {
    id: "postgres-repeated-auth-failures",
    displayName: "Repeated PostgreSQL authentication failures",
    description: `At least ${RULE_THRESHOLDS.postgresAuthFailures} failed logins on a PostgreSQL server within 15 minutes: password spraying, a leaked host name or a broken workload identity (SIEM-1, IAM-1).`,
    severity: "Medium",
    tactics: ["CredentialAccess"],
    techniques: ["T1110"],
    queryFrequency: "PT15M",
    queryPeriod: "PT15M",
    entityMappings: [
      resourceEntity,
      { entityType: "Account", fieldMappings: [{ identifier: "Name", columnName: "UserName" }] },
    ],
    query: () => `${AZURE_DIAGNOSTICS_SOURCE}
| where ResourceProvider == "MICROSOFT.DBFORPOSTGRESQL" and Category == "PostgreSQLLogs"
| extend LogMessage = tostring(${diagColumn("Message")})
| where LogMessage has "authentication failed" or LogMessage has "token validation failed"
| extend UserName = extract(@'user "([^"]+)"', 1, LogMessage)
| summarize Failures = count() by ResourceId, UserName
| where Failures >= ${RULE_THRESHOLDS.postgresAuthFailures}`,
  },
  {
    id: "waf-blocks-from-one-source",
    displayName: "Front Door WAF blocks many requests from one client",
    description: `One client IP had more than ${RULE_THRESHOLDS.wafBlocksPerSource} requests blocked by the WAF in an hour: scanning or an attack in progress (SIEM-1, EDGE-1).`,
    severity: "Medium",
    tactics: ["InitialAccess", "Reconnaissance"],
    techniques: ["T1190", "T1595"],
    queryFrequency: "PT1H",
    queryPeriod: "PT1H",
    entityMappings: [
      { entityType: "IP", fieldMappings: [{ identifier: "Address", columnName: "ClientIp" }] },
      resourceEntity,
    ],
    query: () => `${AZURE_DIAGNOSTICS_SOURCE}
| where ResourceProvider == "MICROSOFT.CDN" and Category == "FrontDoorWebApplicationFirewallLog"
| where ${diagColumn("action_s")} == "Block"
| extend ClientIp = tostring(${diagColumn("clientIP_s")}), RuleName = tostring(${diagColumn("ruleName_s")}), Host = tostring(${diagColumn("host_s")})
| summarize Blocked = count(), Rules = make_set(RuleName, 20), Hosts = make_set(Host, 10) by ClientIp, ResourceId
| where Blocked > ${RULE_THRESHOLDS.wafBlocksPerSource}`,
  },
  {
    id: "role-assignment-outside-pipeline",
    displayName: "Role assignment created outside the deployment pipeline",
    description:
      "A role assignment was written by someone other than the pipeline's identity: access must be granted through reviewed code (SIEM-1, IAM-2, ENV-1).",
    severity: "High",
    tactics: ["PrivilegeEscalation", "Persistence"],
    techniques: ["T1098"],
    queryFrequency: "PT15M",
    queryPeriod: "PT15M",
    entityMappings: [callerAccountEntity, callerIpEntity, resourceEntity],
    query: (ctx) => `let pipeline = ${kqlList(ctx.pipelineIds)};
${ACTIVITY_SOURCE}
| where OperationNameValue =~ "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE"
| where ActivityStatusValue =~ "Success"
| where Caller !in~ (pipeline)
| project TimeGenerated, Caller, CallerIpAddress, ResourceId, Properties_d`,
  },
  {
    id: "diagnostics-or-lock-deleted",
    displayName: "Diagnostic setting or management lock deleted",
    description:
      "Someone deleted a diagnostic setting (the audit trail) or a CanNotDelete lock (deletion protection): both are defence evasion before tampering with data (SIEM-1, LOG-1, BAK-2).",
    severity: "High",
    tactics: ["DefenseEvasion", "Impact"],
    techniques: ["T1562", "T1485"],
    queryFrequency: "PT15M",
    queryPeriod: "PT15M",
    entityMappings: [callerAccountEntity, callerIpEntity, resourceEntity],
    query: () => `${ACTIVITY_SOURCE}
| where OperationNameValue in~ ("MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/DELETE", "MICROSOFT.AUTHORIZATION/LOCKS/DELETE")
| where ActivityStatusValue =~ "Success"
| project TimeGenerated, Caller, CallerIpAddress, OperationNameValue, ResourceId`,
  },
  {
    id: "public-access-re-enabled",
    displayName: "Public network access re-enabled on a data store",
    description:
      "A write to a storage account, key vault, PostgreSQL server, Managed Redis cluster or the Container Apps environment asked for public network access Enabled (SIEM-1, NET-1, EDGE-1).",
    severity: "High",
    tactics: ["DefenseEvasion", "Exfiltration"],
    techniques: ["T1562", "T1537"],
    queryFrequency: "PT15M",
    queryPeriod: "PT15M",
    entityMappings: [callerAccountEntity, callerIpEntity, resourceEntity],
    query: () => `${ACTIVITY_SOURCE}
| where OperationNameValue in~ (${DATA_STORE_WRITES.map((o) => `"${o}"`).join(", ")})
| where ActivityStatusValue in~ ("Start", "Success", "Accepted")
| extend RequestBody = tostring(Properties_d.requestbody)
| where RequestBody matches regex @'"publicNetworkAccess"\\s*:\\s*"Enabled"'
| project TimeGenerated, Caller, CallerIpAddress, OperationNameValue, ResourceId`,
  },
];
