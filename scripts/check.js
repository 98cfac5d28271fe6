#!/usr/bin/env node
// @ts-check
/**
 * `npm run check`: `npm run typecheck` and `npm run lint` in one process, on one TypeScript
 * program (issue 17). The type-checked lint rules need the program of tsconfig.json, the one
 * the type check builds: run apart, each builds and checks it again (ESLint ~21 s CPU, tsc
 * ~11 s from a fresh clone); here tsc's check builds it and ESLint lints against it
 * (typescript-eslint's `parserOptions.programs`), ~23 s in all. Same findings: the program
 * comes from the same tsconfig.json the lint config names, the rules and files are
 * eslint.config.mjs's, and warnings fail as with `--max-warnings 0`.
 *
 * `node scripts/check.js [DIR]`: DIR (default: the repository) holds the tsconfig.json and
 * eslint.config.mjs to check with; the tests run it on small fixtures.
 *
 * A clean check is recorded (issue 17): run again on the same inputs, it says so instead of
 * checking again (~45 s of CPU). The record is named by the SHA-1 of everything both tools read
 * of the tree: every file under DIR but node_modules/, .git/ and the build outputs (bin/,
 * coverage/, out/), which ESLint and tsconfig.json leave out too, whatever its kind (a changed doc
 * checks again: cheaper to hash than to prove irrelevant); DIR's absolute path; this file; and
 * npm's record of the installed packages (node_modules/.package-lock.json: the compiler, ESLint,
 * the plugins and every declaration file tsc reads; no record with a linked package, as in
 * scripts/build-components.js). Findings are never recorded: a tree with any is checked every
 * time. A fresh clone (CI) has no record and checks.
 *
 * Exit status: 0 when both are clean, else 1 (every finding of both printed).
 */
"use strict";
// Node's module compile cache (Node >= 22.1), as the launcher uses it: TypeScript's and ESLint's
// modules load from V8's cached bytecode instead of being compiled on every run.
/** @type {{ enableCompileCache?: () => unknown }} */ (require("module")).enableCompileCache?.();
const fs = require("fs");
const path = require("path");
const { installation, labelledHash } = require("./build-components.js");
/** TypeScript and ESLint load only to check (a recorded clean check needs neither). */
const ts = () => /** @type {typeof import("typescript")} */ (require("typescript"));

const args = process.argv.slice(2);
// Bad usage is exit 2 naming the argument (1 means findings): no flags, at most one DIR holding a tsconfig.json.
const usageProblem =
  args.find((a) => a.startsWith("-")) !== undefined
    ? `unknown option ${args.find((a) => a.startsWith("-"))} (it takes no options)`
    : args.length > 1
      ? `expected at most one DIR, got ${args.length}`
      : args[0] !== undefined && !fs.existsSync(path.join(args[0], "tsconfig.json"))
        ? `DIR ${args[0]}: has no tsconfig.json`
        : undefined;
if (usageProblem) {
  process.stderr.write(`check: ${usageProblem}\nusage: npm run check  (or: node scripts/check.js [DIR])\n`);
  process.exit(2);
}
const root = path.resolve(args[0] ?? path.join(__dirname, ".."));

/** The program of tsconfig.json and tsc's findings on it (`tsc -p tsconfig.json --noEmit`). */
function typecheck() {
  /** @type {import("typescript").Diagnostic[]} */
  const configProblems = [];
  const config = ts().getParsedCommandLineOfConfigFile(
    path.join(root, "tsconfig.json"),
    { noEmit: true },
    { ...ts().sys, onUnRecoverableConfigFileDiagnostic: (d) => configProblems.push(d) },
  );
  if (!config) return { program: undefined, diagnostics: configProblems };
  const host = ts().createCompilerHost(config.options);
  // As tsc itself parses: JSDoc only where it can change a type error (JavaScript files, @see and
  // @link), not the documentation comments filling the providers' declaration files.
  // ESLint lints against this same program: a rule that reads JSDoc through the type checker
  // (e.g. @typescript-eslint/no-deprecated, not enabled today) would see none in declaration
  // files; enabling one means dropping this line.
  host.jsDocParsingMode = ts().JSDocParsingMode.ParseForTypeErrors;
  const program = ts().createProgram({
    rootNames: config.fileNames,
    options: config.options,
    projectReferences: config.projectReferences,
    host,
  });
  const diagnostics = [...config.errors, ...ts().getPreEmitDiagnostics(program)];
  return { program, diagnostics };
}

/** Bumped when what a record holds or how it is named changes. */
const FORMAT = 1;
/** Records kept (the repository's, the tests' fixtures, recent edits): the newest win. */
const KEEP = 4;
/** Folders neither tool reads: dependencies, history, build outputs. */
const UNREAD = new Set(["node_modules", ".git", "bin", "coverage", "out"]);

/** The record's name for the tree as it is now (see the header). */
function recordKey(/** @type {Buffer} */ lock) {
  const { add, digest } = labelledHash();
  add("format", String(FORMAT));
  add("root", root);
  add("check.js", fs.readFileSync(__filename));
  add("lock", lock);
  const walk = (/** @type {string} */ dir) => {
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(root, full).split(path.sep).join("/");
      if (entry.isDirectory()) {
        if (!UNREAD.has(entry.name)) walk(full);
      } else if (entry.isSymbolicLink()) add(`${rel} ->`, fs.readlinkSync(full));
      else if (entry.isFile()) add(rel, fs.readFileSync(full));
    }
  };
  walk(root);
  return digest();
}

/** The recorded clean checks: where, and the current tree's name (undefined: none kept). */
function records() {
  const inst = installation("check", root);
  if ("none" in inst) return undefined;
  return { dir: inst.cache, key: recordKey(inst.lock), lock: inst.lock };
}

/** Records a clean check of `key`, if the tree still is what was checked, and prunes old ones. */
function record(/** @type {NonNullable<ReturnType<typeof records>>} */ at, /** @type {number} */ linted) {
  if (recordKey(at.lock) !== at.key) return; // edited meanwhile: which text was checked is unknown
  fs.mkdirSync(at.dir, { recursive: true });
  const tmp = path.join(at.dir, `${at.key}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify({ linted }));
  fs.renameSync(tmp, path.join(at.dir, at.key));
  const kept = fs
    .readdirSync(at.dir)
    .filter((n) => /^[0-9a-f]{40}$/.test(n))
    .map((n) => ({ n, t: fs.statSync(path.join(at.dir, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { n } of kept.slice(KEEP)) fs.rmSync(path.join(at.dir, n), { force: true });
}

/** The number of files the recorded clean check of `key` linted, or undefined. */
function recorded(/** @type {NonNullable<ReturnType<typeof records>>} */ at) {
  const file = path.join(at.dir, at.key);
  try {
    const { linted } = /** @type {{ linted: unknown }} */ (JSON.parse(fs.readFileSync(file, "utf8")));
    if (typeof linted !== "number") return undefined;
    const now = new Date();
    fs.utimesSync(file, now, now); // recently used: kept by the pruning
    return linted;
  } catch {
    return undefined;
  }
}

async function main() {
  const at = records();
  const before = at && recorded(at);
  if (at && before !== undefined) {
    const why = `unchanged since a clean check (${at.key.slice(0, 12)}: sources, configuration, installed packages)`;
    process.stdout.write(`typecheck: 0 problem(s), ${why}\n`);
    process.stdout.write(`lint: ${before} files, 0 error(s), 0 warning(s), ${why}\n`);
    return 0;
  }
  const started = Date.now();
  const { program, diagnostics } = typecheck();
  const host = {
    getCanonicalFileName: (/** @type {string} */ f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => "\n",
  };
  if (diagnostics.length > 0) {
    const format = process.stdout.isTTY ? ts().formatDiagnosticsWithColorAndContext : ts().formatDiagnostics;
    process.stdout.write(format(diagnostics, host));
  }
  process.stdout.write(
    `typecheck: ${diagnostics.length} problem(s) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  if (!program) return 1;

  const linted = Date.now();
  const { ESLint } = /** @type {typeof import("eslint")} */ (require("eslint"));
  const eslint = new ESLint({
    cwd: root,
    // The program tsc just checked, instead of the one `parserOptions.project` would build.
    overrideConfig: { languageOptions: { parserOptions: { programs: [program], project: null } } },
  });
  const results = await eslint.lintFiles(["."]);
  const output = await (await eslint.loadFormatter("stylish")).format(results);
  if (output) process.stdout.write(output.endsWith("\n") ? output : `${output}\n`);
  const errors = results.reduce((n, r) => n + r.errorCount, 0);
  const warnings = results.reduce((n, r) => n + r.warningCount, 0);
  process.stdout.write(
    `lint: ${results.length} files, ${errors} error(s), ${warnings} warning(s) in ${((Date.now() - linted) / 1000).toFixed(1)} s\n`,
  );
  // As `eslint --max-warnings 0`: a warning fails too.
  const clean = diagnostics.length === 0 && errors === 0 && warnings === 0;
  if (clean && at) {
    try {
      record(at, results.length);
    } catch (err) {
      // No record (a read-only cache, a file gone meanwhile) only costs the next run a check.
      process.stderr.write(
        `check: clean check not recorded: ${err instanceof Error ? err.message : String(err)}\n`,
      );
    }
  }
  return clean ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`check: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
