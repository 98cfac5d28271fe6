/**
 * Sentinel (SIEM-1): onboarding, the Activity log connector, the analytics rules as code and the
 * route of incidents to the security team. The rules' KQL may only read tables that the stack's
 * own diagnostic settings (or Sentinel itself) write, and every mapped entity column must be
 * produced by the query.
 */
import * as fs from "fs";
import * as path from "path";
import { Sentinel, ACTIVITY_LOG_CATEGORIES, type SentinelArgs } from "../../components/sentinel";
import {
  ANALYTICS_RULES,
  AZURE_DIAGNOSTICS_SOURCE,
  SECURITY_INCIDENT_QUERY,
  resilientSource,
  STANDARD_COLUMNS,
  type StandardColumn,
  type RuleContext,
} from "../../components/sentinel/rules";
import {
  directTableReads,
  queryTables,
  TABLES_BY_TARGET,
  writtenTables,
} from "../../components/sentinel/logTables";
import { DIAGNOSTIC_CATEGORIES } from "../../components/common/diagnostics";
import { testPlatform } from "../helpers/platform";
import { byType, only, runExpectingError, runProgram, type PlannedResource } from "../helpers/pulumi";

const ctx: RuleContext = {
  pipelineIds: ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"],
  keyVaultCallers: ["33333333-3333-4333-8333-333333333333"],
};
const args = (overrides: Partial<SentinelArgs> = {}): SentinelArgs => ({
  platform: testPlatform({ environment: "prod", deletionLocks: true, zoneRedundant: true }),
  workspaceName: "log-sap-platform-prod",
  securityEmail: "security@example.com",
  ruleContext: ctx,
  ...overrides,
});

describe("analytics rules as code (SIEM-1)", () => {
  it("has a table for every diagnostics target, so a new target must say what it writes", () => {
    expect(Object.keys(TABLES_BY_TARGET).sort()).toEqual(Object.keys(DIAGNOSTIC_CATEGORIES).sort());
  });

  it("agrees with the diagnostics table: AzureDiagnostics only where no resource-specific tables are written", () => {
    for (const [target, tables] of Object.entries(TABLES_BY_TARGET)) {
      const { dedicated } = DIAGNOSTIC_CATEGORIES[target as keyof typeof DIAGNOSTIC_CATEGORIES];
      // A Dedicated setting never writes AzureDiagnostics; a target that writes it cannot ask for Dedicated.
      if (tables.includes("AzureDiagnostics")) expect([target, dedicated]).toEqual([target, false]);
    }
    expect(DIAGNOSTIC_CATEGORIES.postgres.dedicated).toBe(false);
    // Every target whose setting sends logs names the table(s) they land in.
    for (const [target, set] of Object.entries(DIAGNOSTIC_CATEGORIES)) {
      const sendsLogs = set.groups.length + set.categories.length > 0;
      expect([target, TABLES_BY_TARGET[target as keyof typeof TABLES_BY_TARGET].length > 0]).toEqual([
        target,
        sendsLogs,
      ]);
    }
  });

  it("covers the threats the catalog names", () => {
    expect(ANALYTICS_RULES.map((r) => r.id)).toEqual([
      "key-vault-unexpected-or-bulk-access",
      "postgres-repeated-auth-failures",
      "waf-blocks-from-one-source",
      "role-assignment-outside-pipeline",
      "diagnostics-or-lock-deleted",
      "public-access-re-enabled",
    ]);
  });

  it.each(ANALYTICS_RULES.map((r) => [r.id, r] as const))(
    "%s reads only tables the stack writes",
    (_id, rule) => {
      const tables = queryTables(rule.query(ctx));
      expect(tables.length).toBeGreaterThan(0);
      const written = writtenTables();
      expect(tables.filter((t) => !written.has(t))).toEqual([]);
    },
  );

  it.each(ANALYTICS_RULES.map((r) => [r.id, r] as const))(
    "%s survives creation on a fresh workspace: AzureDiagnostics through a fuzzy union, its service columns through column_ifexists",
    (_id, rule) => {
      const query = rule.query(ctx);
      if (!queryTables(query).includes("AzureDiagnostics")) return;
      // The table does not exist before the first log arrives: only the fuzzy union with an empty leg resolves.
      expect(query.startsWith(AZURE_DIAGNOSTICS_SOURCE)).toBe(true);
      expect(query.replace(AZURE_DIAGNOSTICS_SOURCE, "")).not.toMatch(/\bAzureDiagnostics\b/);
      // Every service column (`_s`, `_d`, `_g`, `Message`) only inside column_ifexists.
      const bare = query.replace(/column_ifexists\("[^"]+",\s*[^)]*\)/g, "");
      expect(bare.match(/\b[A-Za-z]\w*_[sdg]\b|\bMessage\b/g)).toBeNull();
    },
  );

  // On the first deploy the rules are created with the workspace and its diagnostic settings;
  // Sentinel validates each query at creation and refuses a table the workspace does not have yet
  // ("One of the tables does not exist"). Fails on the old Key Vault and Activity rules, which read
  // AZKVAuditLogs and AzureActivity directly (the offline plan's mock refused them: exit 3).
  it.each(ANALYTICS_RULES.map((r) => [r.id, r] as const))(
    "%s reads every table through a fuzzy union with an empty leg, so it is created on a fresh workspace",
    (_id, rule) => {
      const query = rule.query(ctx);
      expect(queryTables(query).length).toBeGreaterThan(0);
      expect(directTableReads(query)).toEqual([]);
    },
  );

  it("binds each column of a resource-specific table once: a table column through column_ifexists, a standard column by name", () => {
    expect(resilientSource("AZKVAuditLogs", { Id: ["Id", '""'], ResourceId: "_ResourceId" })).toBe(
      'union isfuzzy=true (datatable(TimeGenerated: datetime, _ResourceId: string)[]), AZKVAuditLogs\n| extend Id = column_ifexists("Id", ""), ResourceId = _ResourceId',
    );
    const kv = ANALYTICS_RULES.find((r) => r.id === "key-vault-unexpected-or-bulk-access")!.query(ctx);
    expect(kv).toContain('Identity = column_ifexists("Identity", dynamic(null))');
  });

  // Log Analytics hides its standard columns (_ResourceId, ...), and whether column_ifexists sees a
  // hidden column is not documented: if it does not, the rule's ResourceId is "" on every alert and
  // the resource entity is silently empty. Read by name, the column resolves on a fresh workspace
  // only if the empty leg declares it. Fails on the old rules (column_ifexists("_ResourceId", "")).
  it.each(ANALYTICS_RULES.map((r) => [r.id, r] as const))(
    "%s reads a standard column only by name, declared with its type in the empty leg",
    (_id, rule) => {
      const query = rule.query(ctx);
      for (const column of Object.keys(STANDARD_COLUMNS)) {
        expect(query).not.toMatch(new RegExp(`column_ifexists\\(\\s*["']${column}["']`));
        if (!new RegExp(`\\b${column}\\b`).test(query)) continue;
        const legs = [...query.matchAll(/datatable\s*\(([^)]*)\)\s*\[\s*\]/g)].map((m) => m[1]);
        expect([
          column,
          legs.some((leg) => leg.includes(`${column}: ${STANDARD_COLUMNS[column as StandardColumn]}`)),
        ]).toEqual([column, true]);
      }
    },
  );

  it("would refuse a direct read, also beside a fuzzy source", () => {
    expect(directTableReads("AzureActivity | take 1")).toEqual(["AzureActivity"]);
    expect(directTableReads(`${AZURE_DIAGNOSTICS_SOURCE}\n| join (AZKVAuditLogs) on ResourceId`)).toEqual([
      "AZKVAuditLogs",
    ]);
    expect(directTableReads(SECURITY_INCIDENT_QUERY)).toEqual([]);
  });

  it("would refuse a bare AzureDiagnostics column", () => {
    const bare = `${AZURE_DIAGNOSTICS_SOURCE} | where action_s == "Block"`.replace(
      /column_ifexists\("[^"]+",\s*[^)]*\)/g,
      "",
    );
    expect(bare.match(/\b[A-Za-z]\w*_[sdg]\b|\bMessage\b/g)).toEqual(["action_s"]);
  });

  it.each(ANALYTICS_RULES.map((r) => [r.id, r] as const))(
    "%s has severity, MITRE tactics and techniques, and entity columns its query produces",
    (_id, rule) => {
      expect(["High", "Medium", "Low", "Informational"]).toContain(rule.severity);
      expect(rule.tactics.length).toBeGreaterThan(0);
      for (const t of rule.techniques) expect(t).toMatch(/^T\d{4}$/);
      const query = rule.query(ctx);
      for (const m of rule.entityMappings)
        for (const f of m.fieldMappings) expect(query).toMatch(new RegExp(`\\b${f.columnName}\\b`));
      expect(rule.queryFrequency).toMatch(/^PT\d+[MH]$/);
    },
  );

  it("puts the deployment's identities into the queries, not literals in code", () => {
    const role = ANALYTICS_RULES.find((r) => r.id === "role-assignment-outside-pipeline")!;
    expect(role.query(ctx)).toContain(ctx.pipelineIds[0]);
    const kv = ANALYTICS_RULES.find((r) => r.id === "key-vault-unexpected-or-bulk-access")!;
    expect(kv.query(ctx)).toContain(ctx.keyVaultCallers[0]);
  });

  it("would refuse a rule on a table nothing writes", () => {
    expect(queryTables("SigninLogs | where ResultType != 0").filter((t) => !writtenTables().has(t))).toEqual([
      "SigninLogs",
    ]);
    // Only the Key Vault target writes AZKVAuditLogs: without it the Key Vault rule has no data.
    expect(writtenTables(["postgres"]).has("AZKVAuditLogs")).toBe(false);
  });

  it("reads table names from lets, unions and joins", () => {
    expect(
      queryTables(
        'let x = dynamic(["a"]);\nlet t = 5;\nAzureActivity\n| join kind=inner (StorageBlobLogs | take 1) on CallerIpAddress\n| union LAQueryLogs, AZKVAuditLogs',
      ).sort(),
    ).toEqual(["AZKVAuditLogs", "AzureActivity", "LAQueryLogs", "StorageBlobLogs"]);
  });
});

describe("Sentinel component", () => {
  let resources: PlannedResource[];
  beforeAll(async () => {
    ({ resources } = await runProgram(() => new Sentinel("siem", args())));
  });

  it("onboards the platform workspace", () => {
    expect(only(resources, "azure-native:securityinsights:SentinelOnboardingState").inputs).toMatchObject({
      workspaceName: "log-sap-platform-prod",
      sentinelOnboardingStateName: "default",
    });
  });

  it("connects the subscription's Activity log to the workspace", () => {
    const setting = only(resources, "azure-native:monitor:SubscriptionDiagnosticSetting").inputs;
    expect(setting.workspaceId).toBe(testPlatform({ environment: "prod" }).workspaceId);
    expect(setting.logs).toEqual(ACTIVITY_LOG_CATEGORIES.map((category) => ({ category, enabled: true })));
  });

  it("deploys every rule enabled, creating incidents, after onboarding", () => {
    const rules = byType(resources, "azure-native:securityinsights:ScheduledAlertRule");
    expect(rules).toHaveLength(ANALYTICS_RULES.length);
    const onboarding = only(resources, "azure-native:securityinsights:SentinelOnboardingState");
    for (const r of rules) {
      expect(r.inputs).toMatchObject({
        kind: "Scheduled",
        enabled: true,
        incidentConfiguration: { createIncident: true },
      });
      expect(r.inputs.ruleId).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.dependencies).toContain(onboarding.urn);
    }
  });

  it("mails every new incident to the security team's action group", () => {
    const group = byType(resources, "azure-native:monitor:ActionGroup")[0];
    expect(group.inputs.emailReceivers).toEqual([
      { name: "security-team", emailAddress: "security@example.com", useCommonAlertSchema: true },
    ]);
    const alert = only(resources, "azure-native:monitor:ScheduledQueryRule").inputs;
    expect(alert.actions).toEqual({ actionGroups: [group.id] });
    const query = (alert.criteria as { allOf: { query: string }[] }).allOf[0].query;
    expect(queryTables(query)).toEqual(["SecurityIncident"]);
  });

  // Log search alerts validate the query when created, right after the onboarding: a table not
  // resolved yet is refused. A fuzzy union with an empty leg always resolves; the leg types only
  // what is certain, every other column comes through column_ifexists (a wrongly typed leg column
  // would split it into two). Fails on the old query (SecurityIncident read directly).
  it("creates the incidents alert even before the workspace resolves SecurityIncident", () => {
    const alert = only(resources, "azure-native:monitor:ScheduledQueryRule").inputs;
    const query = (alert.criteria as { allOf: { query: string }[] }).allOf[0].query;
    expect(query).toBe(SECURITY_INCIDENT_QUERY);
    expect(query.split("\n")[0]).toBe(
      "union isfuzzy=true (datatable(TimeGenerated: datetime, Status: string)[]), SecurityIncident",
    );
    for (const column of ["IncidentNumber", "Title", "Severity", "IncidentUrl"]) {
      expect(query).toContain(`${column} = column_ifexists("${column}", `);
    }
  });

  it("refuses a bad security e-mail, registering nothing", async () => {
    const { error, resources: registered } = await runExpectingError(
      () => new Sentinel("siem", args({ securityEmail: "not-an-address" })),
    );
    expect(error.message).toMatch(/securityEmail = "not-an-address"/);
    expect(registered).toEqual([]);
  });
});

describe("docs/edge-and-siem.md", () => {
  it("lists every analytics rule of the code (and no other)", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "edge-and-siem.md"), "utf8");
    const listed = [...doc.matchAll(/^\| `([a-z0-9-]+)` \| (?:High|Medium|Low|Informational) \|/gm)].map(
      (m) => m[1],
    );
    expect(listed).toEqual(ANALYTICS_RULES.map((r) => r.id));
  });
});
