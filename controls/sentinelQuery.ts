/**
 * SIEM-1: what a Sentinel scheduled analytics rule's query may not do. Read by the policy pack
 * (`sentinel-rule-quality`) and by the offline plan's model of Azure (through
 * components/sentinel/logTables.ts), so it lives in `controls/`, which both ship.
 *
 * Two lists:
 *  - `scheduledRuleQueryProblems`: what Sentinel refuses when the rule is created. "The query
 *    length should be between 1 and 10,000 characters and can't contain `search *` or `union *`"
 *    (Microsoft's "Scheduled analytics rules in Microsoft Sentinel", MicrosoftDocs/azure-docs
 *    articles/sentinel/scheduled-rules-overview.md); the API answers "Scheduled alert rule query
 *    should not contain 'search' or 'union *'" (Azure/Azure-Sentinel#1437, by design), so any use
 *    of the `search` operator counts, and a `*` operand anywhere in a union's table list (`union T,
 *    *`, `union withsource=X *`, `union kind=outer *`, `workspace("w").*`) reads every table as
 *    `union *` does.
 *  - `unboundedScanProblems`: reads of an open set of tables that Azure documents no refusal for,
 *    refused by the policy (deny by default): a union operand with a table wildcard (`union
 *    Security*`, `union *_CL`: "a set of tables specified with a wildcard. For example, E* would
 *    form the union of all the tables in the database whose names begin E", Microsoft's "union
 *    operator"), and the `find` operator without an `in (...)` list ("By default, find looks in
 *    all tables in the current database", Microsoft's "find operator") or with a wildcard in it.
 *    Which tables such a query reads depends on what the workspace holds when it runs, including
 *    custom tables anyone with write access to a data collection rule can add; a rule names its
 *    tables.
 *
 * Words in string literals and comments do not count, nor a column, parameter or variable that is
 * merely named `search`, `find` or `union` (`let f = (search: string) {...}`, `| where search ==
 * "x"`, `datatable(search: string)`): an operator is a keyword where a tabular expression starts
 * (the query's or a statement's start, after `|`, `(`, `{`, `,` or `let name =`) that is not
 * followed by what only follows a name (`:`, `=`, `==`, `,`, `)`, `.`, `has`, ...). This is a
 * tokenizer, not a KQL parser; what it cannot place counts as the operator.
 */
import { SENTINEL_RULE_QUERY_CHARS } from "./limits";

/**
 * KQL string literals (`"..."`, `'...'`, with `\\` escapes, `@"..."` verbatim, and multi-line
 * ```...``` ones, Microsoft's "The string data type") and `//` comments.
 */
const STRINGS_AND_COMMENTS =
  /```[\s\S]*?```|@"[^"]*"|@'[^']*'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\/\/.*$/gm;
/** Identifiers, numbers, the string placeholder, two-character operators, any other character. */
const TOKEN = /[A-Za-z_$][\w$]*|\d[\w.]*|""|==|!=|=~|!~|<=|>=|=>|\S/g;

/** Tokens after which a tabular expression may start. `=` counts only in `let name =`. */
const TABULAR_START: ReadonlySet<string> = new Set([";", "|", "(", "{", ","]);
/**
 * Tokens that follow a name and never an operator keyword: declarations (`search: string`),
 * assignments, comparisons, lists, member access and the string and logical operators.
 */
const NAME_FOLLOWERS: ReadonlySet<string> = new Set([
  ...[":", "=", "==", "!=", "=~", "!~", "<", ">", "<=", ">=", "=>", "+", "-", "/", "%", "!"],
  ...[",", ")", "]", "}", ".", "[", ";", "|"],
  ...["and", "or", "has", "has_cs", "hasprefix", "hassuffix", "has_any", "has_all", "contains"],
  ...["contains_cs", "startswith", "startswith_cs", "endswith", "endswith_cs", "matches", "between"],
  ...["asc", "desc", "nulls"],
]);
/** Closes a union's table list or a `find`'s `in (...)` at its own depth. */
const LIST_END: ReadonlySet<string> = new Set(["|", ";", ")", "]", "}"]);

function tokens(query: string): string[] {
  return query.replace(STRINGS_AND_COMMENTS, '""').match(TOKEN) ?? [];
}

/** Whether `t[i]` (a keyword) is used as a tabular operator, not as a name. */
function isOperator(t: readonly string[], i: number): boolean {
  const before = t[i - 1];
  const starts = before === undefined || TABULAR_START.has(before) || (before === "=" && t[i - 3] === "let");
  return starts && !NAME_FOLLOWERS.has(t[i + 1] ?? ";");
}

/** The index after `name=value` parameters (`kind=outer`, `withsource = T`, `hint.concurrency=4`). */
function skipParameters(t: readonly string[], j: number): number {
  for (;;) {
    if (!/^[A-Za-z_]/.test(t[j] ?? "")) return j;
    if (t[j + 1] === "=") j += 3;
    else if (t[j + 1] === "." && t[j + 3] === "=") j += 5;
    else return j;
  }
}

type Operand = "named" | "all" | "pattern";

/**
 * The table operands of a list starting at `j` (comma-separated, up to a `LIST_END` at depth 0):
 * `all` for `*` alone or after a `.` (`workspace("w").*`), `pattern` for a name with a `*` in it,
 * `named` otherwise (a table, a function call, a parenthesized query).
 */
function operands(t: readonly string[], j: number): Operand[] {
  const found: Operand[] = [];
  let depth = 0;
  let current: string[] = [];
  const close = () => {
    const star = current.indexOf("*");
    if (star >= 0) {
      const alone = current.length === star + 1 && (star === 0 || current[star - 1] === ".");
      found.push(alone ? "all" : "pattern");
    } else if (current.length > 0) found.push("named");
    current = [];
  };
  for (; j < t.length; j++) {
    const tok = t[j];
    if (depth === 0 && LIST_END.has(tok)) break;
    if (tok === "(" || tok === "[") depth++;
    else if (tok === ")" || tok === "]") depth--;
    else if (depth === 0 && tok === ",") close();
    else if (depth === 0) current.push(tok);
  }
  close();
  return found;
}

interface Scans {
  search: boolean;
  unionAll: boolean;
  unionPattern: boolean;
  findAll: boolean;
  findPattern: boolean;
}

function scans(query: string): Scans {
  const s: Scans = {
    search: false,
    unionAll: false,
    unionPattern: false,
    findAll: false,
    findPattern: false,
  };
  // A query over Azure's limit is refused for its length alone; not scanned, because the scan's
  // cost grows with the square of an adversarial query's length (100 KB of `union a, ` took ~20 s).
  if (query.length > SENTINEL_RULE_QUERY_CHARS.max) return s;
  const t = tokens(query);
  for (let i = 0; i < t.length; i++) {
    const word = t[i];
    if ((word !== "search" && word !== "union" && word !== "find") || !isOperator(t, i)) continue;
    if (word === "search") {
      s.search = true;
      continue;
    }
    const j = skipParameters(t, i + 1);
    if (word === "union") {
      const list = operands(t, j);
      s.unionAll ||= list.includes("all");
      s.unionPattern ||= list.includes("pattern");
    } else if (t[j] === "in" && t[j + 1] === "(") {
      const list = operands(t, j + 2);
      s.findAll ||= list.includes("all");
      s.findPattern ||= list.includes("pattern");
    } else s.findAll = true;
  }
  return s;
}

/**
 * Why Sentinel refuses a scheduled analytics rule's query at creation, if it does: its length
 * outside SENTINEL_RULE_QUERY_CHARS, the `search` operator, or a union over every table.
 */
export function scheduledRuleQueryProblems(query: string): string[] {
  const problems: string[] = [];
  const { min, max } = SENTINEL_RULE_QUERY_CHARS;
  if (query.trim().length < min || query.length > max)
    problems.push(`it has ${query.length} characters; a rule query has ${min} to ${max} characters`);
  const s = scans(query);
  if (s.unionAll) problems.push("it contains `union *` (a union over every table)");
  if (s.search) problems.push("it contains `search`");
  return problems;
}

/**
 * Reads of an open set of tables Azure accepts but the pack refuses (deny by default): a union
 * with a table wildcard, `find` over every table or a wildcard.
 */
export function unboundedScanProblems(query: string): string[] {
  const s = scans(query);
  const problems: string[] = [];
  if (s.unionPattern) problems.push("it unions tables by a wildcard (`union Security*`); name the tables");
  if (s.findAll) problems.push("it runs `find` over every table; name the tables in `find in (...)`");
  if (s.findPattern) problems.push("it runs `find` over tables matched by a wildcard; name the tables");
  return problems;
}
