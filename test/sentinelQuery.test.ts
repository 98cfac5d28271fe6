/**
 * controls/sentinelQuery.ts (SIEM-1): which KQL a scheduled analytics rule may not run. Read by
 * `sentinel-rule-quality` and by the offline plan's model of Azure. review13: a parameter or column
 * named `search` was refused, and `union T, *` accepted; fails on the old check
 * (components/sentinel/logTables.ts, a regular expression).
 */
import { scheduledRuleQueryProblems, unboundedScanProblems } from "../controls/sentinelQuery";
import { SENTINEL_RULE_QUERY_CHARS } from "../controls/limits";

const both = (q: string) => [...scheduledRuleQueryProblems(q), ...unboundedScanProblems(q)];

describe("scheduledRuleQueryProblems: what Sentinel refuses", () => {
  // Microsoft's "union operator": `*` as a table operand is every table of the workspace, whatever
  // the parameters before it or the tables next to it.
  it.each([
    "union *",
    "AzureActivity | union SigninLogs, *",
    "union withsource = TableName *\n| distinct TableName",
    "union kind=outer *",
    "union isfuzzy=true *",
    "T | union hint.concurrency=2 *",
    'union AzureActivity, workspace("other").*',
    "let all = union *;\nall | take 1",
  ])("a union over every table: %j", (q) =>
    expect(scheduledRuleQueryProblems(q)).toEqual(["it contains `union *` (a union over every table)"]),
  );
  it.each([
    "search *",
    'AzureActivity | search "SecretGet"',
    'search in (AzureActivity) "x"',
    "let x = 1;\nsearch * | take 1",
    // A predicate on a column named like a keyword is still the operator.
    'AzureActivity | search by:"x"',
    'AzureActivity | join kind=inner (search "x") on Caller',
    'union (AzureActivity), (search kind=case_sensitive "x")',
    'let f = () { search "x" };\nf()',
  ])("the `search` operator: %j", (q) =>
    expect(scheduledRuleQueryProblems(q)).toEqual(["it contains `search`"]),
  );
  it("counts the length against SENTINEL_RULE_QUERY_CHARS", () => {
    expect(scheduledRuleQueryProblems("  ")).toEqual([
      "it has 2 characters; a rule query has 1 to 10000 characters",
    ]);
    expect(scheduledRuleQueryProblems(`T${" ".repeat(10_000)}`)).toHaveLength(1);
    expect(scheduledRuleQueryProblems(`T${" ".repeat(9_999)}`)).toEqual([]);
  });
});

describe("unboundedScanProblems: reads of an open set of tables the pack refuses", () => {
  it.each([
    ["union Security*", /unions tables by a wildcard/],
    ["union *_CL | take 1", /unions tables by a wildcard/],
    ['union AzureActivity, workspace("w").Sec*', /unions tables by a wildcard/],
    ['find "x"', /`find` over every table/],
    ['find withsource=Source where Caller == "x"', /`find` over every table/],
    ["find in (*) where x == 1", /`find` over every table/],
    ["find in (AzureActivity, Sign*) where x == 1", /`find` over tables matched by a wildcard/],
  ])("%j", (q, message) => {
    expect(unboundedScanProblems(q)).toEqual([expect.stringMatching(message)]);
    // Azure documents no refusal for these: the offline model of Azure accepts them.
    expect(scheduledRuleQueryProblems(q)).toEqual([]);
  });
});

describe("legitimate queries pass both", () => {
  it.each([
    // Names, not operators (review13's false violation).
    "let f = (search: string) { AzureActivity | where OperationName == search };\nf('x')",
    'datatable(search: string, union: string, find: string)["a", "b", "c"]\n| where search has "x" and union != find',
    "AzureActivity\n| where (search has 'x')\n| project-rename s = search\n| extend y = search, z = strlen(search)\n| summarize count() by search\n| sort by Caller, search desc nulls last",
    // Named tables, fuzzy unions, subqueries with arithmetic, `find` in named tables.
    "union isfuzzy=true (datatable(TimeGenerated: datetime)[]), AZKVAuditLogs\n| union (AzureActivity | where x * 2 > 1)",
    "union withsource = SourceTable kind=outer AzureActivity, SigninLogs | take 1",
    'find in (AzureActivity, SigninLogs) where Caller == "x"',
    // Words in strings, multi-line strings and comments (as before).
    'AzureActivity // search * | union *\n| where OperationName == "search union *" and Note != ```\nsearch *\n| union *```\n| where x != @"find *"',
  ])("%j", (q) => expect(both(q)).toEqual([]));
});

describe("a query over Azure's length limit", () => {
  // Refused for its length alone and not scanned: the scan's cost grows with the square of an
  // adversarial query's length (review14: 100 KB of `union a, ` took ~20 s of the analyzer).
  it("reports its length only, whatever it holds", () => {
    const long = `search * | union *, ${"union a, ".repeat(2_000)}`;
    expect(long.length).toBeGreaterThan(SENTINEL_RULE_QUERY_CHARS.max);
    expect(both(long)).toEqual([
      `it has ${long.length} characters; a rule query has 1 to ${SENTINEL_RULE_QUERY_CHARS.max} characters`,
    ]);
  });
});
