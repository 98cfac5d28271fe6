#!/usr/bin/env node
// @ts-check
/**
 * `node scripts/launch.js scripts/<name>.ts [args...]`: how every `npm run` script starts (issue 17).
 *
 * Runs the TypeScript script from the compiled build (scripts/build.js) instead of transpiling
 * it on every start as `ts-node --transpile-only` did: each .ts module is served from bin/ when
 * it was compiled from the source now on disk, and compiled (and kept) first when it was not, so
 * the output cannot be stale. The module keeps its .ts file name, so `__dirname`, `require.main`
 * and `require.cache` behave as under ts-node. Also:
 *
 * - Node's module compile cache (Node >= 22.1, `module.enableCompileCache`) keeps V8's bytecode
 *   of every loaded module, ours and node_modules', between runs (in Node's default directory);
 *   older Node gets the same from ./compile-cache.js (one cache file per script, in node_modules/.cache).
 * - Source maps for our files only (`module.setSourceMapsSupport`, Node >= 22.14): a crash names
 *   the .ts line; node_modules' maps are not read.
 * - `@pulumi/pulumi`'s `automation` and `runtime/closure` load on first use only
 *   (policy/sdkDefer.js).
 */
"use strict";
const Module = require("module");
const path = require("path");
const { deferSdkModules } = require("../policy/sdkDefer.js");

/** Serves every .ts module from the compiled build (see scripts/build.js). */
function registerCompiled() {
  const { compiledSource } = require("./build.js");
  /** @type {Record<string, (m: NodeJS.Module & { _compile(code: string, file: string): void }, file: string) => void>} */
  const extensions = /** @type {never} */ (require.extensions);
  extensions[".ts"] = (m, filename) => m._compile(compiledSource(filename), filename);
}

function main() {
  const script = process.argv[2];
  if (!script) {
    console.error("usage: node scripts/launch.js <script.ts> [args...]");
    process.exit(2);
  }
  const root = path.resolve(__dirname, "..");
  const mod =
    /** @type {typeof Module & { enableCompileCache?: (dir: string) => unknown, setSourceMapsSupport?: (on: boolean, o: object) => void }} */ (
      Module
    );
  if (mod.enableCompileCache) mod.enableCompileCache();
  // (Loaded only here: it brings vm and zlib, which Node >= 22.1 never needs.)
  else
    require("./compile-cache.js").installCompileCache({
      root,
      name: path.relative(root, path.resolve(script)),
    });
  mod.setSourceMapsSupport?.(true, { nodeModules: false, generatedCode: false });
  deferSdkModules(root);
  registerCompiled();
  // Run the script as the main module (`require.main === module`), with its own argv.
  process.argv.splice(1, 2, path.resolve(script));
  /** @type {{ runMain(): void }} */ (/** @type {unknown} */ (Module)).runMain();
}

module.exports = { registerCompiled };

if (require.main === module) main();
