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
 * Exit status: 0 when both are clean, else 1 (every finding of both printed).
 */
"use strict";
// Node's module compile cache (Node >= 22.1), as the launcher uses it: TypeScript's and ESLint's
// modules load from V8's cached bytecode instead of being compiled on every run.
/** @type {{ enableCompileCache?: () => unknown }} */ (require("module")).enableCompileCache?.();
const fs = require("fs");
const path = require("path");
const ts = require("typescript");
const { ESLint } = require("eslint");

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
  /** @type {ts.Diagnostic[]} */
  const configProblems = [];
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, "tsconfig.json"),
    { noEmit: true },
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => configProblems.push(d) },
  );
  if (!config) return { program: undefined, diagnostics: configProblems };
  const host = ts.createCompilerHost(config.options);
  // As tsc itself parses: JSDoc only where it can change a type error (JavaScript files, @see and
  // @link), not the documentation comments filling the providers' declaration files.
  // ESLint lints against this same program: a rule that reads JSDoc through the type checker
  // (e.g. @typescript-eslint/no-deprecated, not enabled today) would see none in declaration
  // files; enabling one means dropping this line.
  host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
  const program = ts.createProgram({
    rootNames: config.fileNames,
    options: config.options,
    projectReferences: config.projectReferences,
    host,
  });
  const diagnostics = [...config.errors, ...ts.getPreEmitDiagnostics(program)];
  return { program, diagnostics };
}

async function main() {
  const started = Date.now();
  const { program, diagnostics } = typecheck();
  const host = {
    getCanonicalFileName: (/** @type {string} */ f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => "\n",
  };
  if (diagnostics.length > 0) {
    const format = process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
    process.stdout.write(format(diagnostics, host));
  }
  process.stdout.write(
    `typecheck: ${diagnostics.length} problem(s) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  if (!program) return 1;

  const linted = Date.now();
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
  return diagnostics.length > 0 || errors > 0 || warnings > 0 ? 1 : 0;
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
