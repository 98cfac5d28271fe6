// @ts-check
/**
 * The compiled JavaScript build (issue 17): `npm ci` runs it (root `prepare`), `npm run build` reruns it.
 *
 * Plain JavaScript on purpose: it has to run before anything is compiled, and the launcher
 * (scripts/launch.js) and the policy pack's entry (policy/pack.js) load it on every start.
 *
 * Two outputs, both transpiled per file with the root tsconfig.json's options (the sources are
 * `isolatedModules`, so a file's JavaScript depends on that file alone; type checking stays
 * `npm run typecheck`'s job, as it was under `ts-node --transpile-only`):
 *
 *   bin/<path>.js         every .ts source of the repository, loaded by the launcher in
 *                         place of the source: the module keeps the .ts file name, so `__dirname`,
 *                         `require.cache` and stack traces are the source's.
 *   policy/bin/<path>.js  the policy pack and every file it imports (`controls/` included), laid out
 *                         as in the repository so relative imports resolve; what `pulumi preview
 *                         --policy-pack policy` loads and `pulumi policy publish` ships.
 *
 * It cannot go stale silently: every compiled file starts with the build key (compiler version,
 * tsconfig.json, this file's format) and the SHA-1 of the source it was compiled from, and a
 * manifest records each source's size and mtime. A load whose source no longer matches
 * (size/mtime changed and the hash differs), or whose compiler or options changed, recompiles
 * that file first.
 */
"use strict";
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const BIN = path.join(ROOT, "bin");
const PACK_DIR = path.join(ROOT, "policy");
const PACK_BIN = path.join(PACK_DIR, "bin");
const PACK_ENTRY = "policy/index.ts";
/**
 * Bumped when the output format changes: every compiled file is then rebuilt (it is part of the
 * build key, which every compiled file's header names). 2: source maps name the source relative
 * to where the file runs.
 */
const FORMAT = 2;
/**
 * Directories that hold no sources of the build. Tests are not built ahead: jest's transform
 * (test/helpers/transform.js) compiles each into bin/test/ on first use.
 */
const SKIP_DIRS = new Set(["node_modules", "bin", "test", "coverage", "out"]);

/** @typedef {[size: number, mtimeMs: number, sha1: string]} Entry */
/** @typedef {{ key: string, stamp?: string, files: Record<string, Entry> }} Manifest */

/** @param {string | Buffer} text */
// (crypto loads on the first hash: a start whose manifests are current needs none.)
const sha1 = (text) => require("crypto").createHash("sha1").update(text).digest("hex");
/**
 * The first line of a file compiled from source text of SHA-1 `hash` under the current build key:
 * a file compiled from other text, by another compiler or with other options does not match.
 * @param {string} hash
 */
const header = (hash) => `/*sap:${currentKey()}:${hash}*/`;
/** The header a file compiled from `source` starts with. */
const sourceHeader = (/** @type {string} */ source) => header(sha1(source));

const keyFiles = () => [
  require.resolve("typescript/package.json", { paths: [ROOT] }),
  path.join(ROOT, "tsconfig.json"),
];

let cachedStamp = "";
/**
 * The size and mtime of the files the key is computed from, and the format: a manifest saved
 * with the same stamp has the current key (as a file entry's size and mtime stand for its hash),
 * so a start with current manifests reads two stats instead of hashing.
 */
function keyStamp() {
  if (!cachedStamp) {
    const parts = keyFiles().map((file) => {
      const st = fs.statSync(file);
      return `${file}:${st.size}:${st.mtimeMs}`;
    });
    cachedStamp = [FORMAT, ...parts].join("|");
  }
  return cachedStamp;
}

let cachedKey = "";
/** The key a manifest with the current stamp recorded: the current key, known without hashing. */
let stampedKey = "";
/** The current build key, from a manifest whose stamp vouches for it, else computed. */
const currentKey = () => stampedKey || buildKey();
/**
 * What the whole output depends on besides each source: the compiler's version, the compiler
 * options (tsconfig.json) and this file's format. A different key invalidates every file.
 */
function buildKey() {
  if (!cachedKey) {
    // The stamp first: a file changed between the two then fails the stamp on the next start.
    keyStamp();
    const [tsPackage, tsconfig] = keyFiles();
    const tsVersion = /** @type {{version: string}} */ (JSON.parse(fs.readFileSync(tsPackage, "utf8")))
      .version;
    cachedKey = sha1(`${FORMAT}\n${tsVersion}\n${fs.readFileSync(tsconfig, "utf8")}`);
  }
  return cachedKey;
}

/** @type {{ ts: typeof import("typescript"), options: import("typescript").CompilerOptions } | undefined} */
let compiler;
/**
 * Source text to JavaScript with an inline source map (TypeScript is loaded only when needed).
 * `runsFrom`: the folder of the file Node loads the JavaScript as (the source's own, for the
 * launcher and jest, which load it under the .ts name). The map names the source relative to it,
 * so a stack trace names the source's real path.
 */
function transpile(
  /** @type {string} */ source,
  /** @type {string} */ fileName,
  /** @type {string} */ runsFrom = path.dirname(fileName),
) {
  if (!compiler) {
    const ts = /** @type {typeof import("typescript")} */ (
      require(require.resolve("typescript", { paths: [ROOT] }))
    );
    const file = path.join(ROOT, "tsconfig.json");
    const { config } = ts.readConfigFile(file, ts.sys.readFile);
    const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, ROOT, file);
    compiler = {
      ts,
      options: { ...options, sourceMap: false, inlineSourceMap: true, inlineSources: false, noEmit: false },
    };
  }
  return compiler.ts.transpileModule(source, {
    // A single file's output goes to outDir/<name>.js, and its map's `sources` are relative to
    // outDir: tsconfig's "bin" would make them relative to a folder the file never runs from.
    compilerOptions: { ...compiler.options, outDir: runsFrom },
    fileName,
    reportDiagnostics: false,
  }).outputText;
}

/** Writes through a temporary file and a rename, so a concurrent reader never sees half a file. */
function writeAtomic(/** @type {string} */ file, /** @type {string} */ text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** @returns {Manifest | undefined} */
/** Directories whose manifest has the current key under another stamp (`refreshStamps`). */
const staleStamps = new Set();

function readManifest(/** @type {string} */ dir) {
  try {
    const m = /** @type {Manifest} */ (JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")));
    if (m.stamp !== undefined && m.stamp === keyStamp() && typeof m.key === "string") {
      stampedKey = m.key;
      return m;
    }
    if (m.key !== buildKey()) return undefined;
    staleStamps.add(dir);
    return m;
  } catch {
    return undefined;
  }
}

/** Saves the current stamp of a manifest that needed the hash (a touched tsconfig.json), once. */
function refreshStamp(/** @type {string} */ dir) {
  if (staleStamps.delete(dir)) saveManifest(dir, {});
}

/**
 * The compiled JavaScript of `rel` (a .ts path relative to the repository) in `outDir`, recompiled
 * when it is missing or was compiled from other source text. `entries` is the manifest to consult
 * and update. Returns the JavaScript and whether it was (re)compiled.
 */
function compiledFile(
  /** @type {string} */ rel,
  /** @type {string} */ outDir,
  /** @type {Record<string, Entry>} */ entries,
) {
  const src = path.join(ROOT, rel);
  const st = fs.statSync(src);
  const known = entries[rel];
  /** @type {string | undefined} */
  let source;
  let hash = known && known[0] === st.size && known[1] === st.mtimeMs ? known[2] : undefined;
  if (!hash) {
    source = fs.readFileSync(src, "utf8");
    hash = sha1(source);
  }
  const out = path.join(outDir, rel.replace(/\.ts$/, ".js"));
  try {
    const js = fs.readFileSync(out, "utf8");
    if (js.startsWith(header(hash))) {
      entries[rel] = [st.size, st.mtimeMs, hash];
      return { js, compiled: false };
    }
  } catch {
    // not compiled yet
  }
  if (source === undefined) {
    source = fs.readFileSync(src, "utf8");
    hash = sha1(source);
  }
  // bin/ files run under their source's name (the launcher), policy/bin/ files from where they are.
  const runsFrom = path.dirname(outDir === BIN ? src : out);
  const js = header(hash) + transpile(source, src, runsFrom);
  try {
    writeAtomic(out, js);
    entries[rel] = [st.size, st.mtimeMs, hash];
  } catch {
    // A read-only checkout still runs, compiling in memory each time.
  }
  return { js, compiled: true };
}

/** Merges `entries` into the manifest on disk (other processes may have added theirs). */
function saveManifest(
  /** @type {string} */ dir,
  /** @type {Record<string, Entry>} */ entries,
  replace = false,
) {
  try {
    const files = replace ? {} : (readManifest(dir)?.files ?? {});
    writeAtomic(
      path.join(dir, "manifest.json"),
      JSON.stringify({ key: buildKey(), stamp: keyStamp(), files: { ...files, ...entries } }),
    );
  } catch {
    // as above: a read-only checkout only loses the cache
  }
}

// ---------------------------------------------------------------------------------------------
// The launcher's cache (bin/): one file at a time, as modules load.

/** @type {{ entries: Record<string, Entry>, changed: Set<string> } | undefined} */
let rootCache;
/**
 * JavaScript for the .ts module `filename`: the compiled file when it is fresh, otherwise compiled
 * now (and kept for the next run). Files outside the repository or in node_modules compile in memory.
 */
function compiledSource(/** @type {string} */ filename) {
  const rel = path.relative(ROOT, filename).split(path.sep).join("/");
  if (rel.startsWith("../") || path.isAbsolute(rel) || rel.split("/").includes("node_modules")) {
    return transpile(fs.readFileSync(filename, "utf8"), filename);
  }
  if (!rootCache) {
    const cache = { entries: { ...(readManifest(BIN)?.files ?? {}) }, changed: new Set() };
    rootCache = cache;
    // Only the entries this process changed: concurrent runs each add theirs.
    process.once("exit", () => {
      if (cache.changed.size > 0)
        saveManifest(BIN, Object.fromEntries([...cache.changed].map((r) => [r, cache.entries[r]])));
      else refreshStamp(BIN);
    });
  }
  const before = rootCache.entries[rel];
  const { js } = compiledFile(rel, BIN, rootCache.entries);
  const after = rootCache.entries[rel];
  if (after && (!before || before.some((v, i) => v !== after[i]))) rootCache.changed.add(rel);
  return js;
}

// ---------------------------------------------------------------------------------------------
// The policy pack (policy/bin/): the whole import graph of policy/index.ts.

/** Relative `require("./x")` targets of compiled JavaScript, resolved to repository paths. */
function relativeImports(/** @type {string} */ rel, /** @type {string} */ js) {
  /** @type {string[]} */
  const out = [];
  for (const m of js.matchAll(/\brequire\((["'])(\.{1,2}\/[^"']*)\1\)/g)) {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(rel), m[2]));
    const found = [`${base}.ts`, `${base}/index.ts`, base].find(
      (c) => !c.startsWith("../") && fs.statSync(path.join(ROOT, c), { throwIfNoEntry: false })?.isFile(),
    );
    if (!found) throw new Error(`${rel}: cannot resolve ${m[2]} inside the repository`);
    out.push(found);
  }
  return out;
}

/**
 * Compiles the pack's import graph into policy/bin, removing what it no longer imports.
 * Returns how many files were (re)compiled and how many the pack has.
 */
function buildPack() {
  const entries = { ...(readManifest(PACK_BIN)?.files ?? {}) };
  /** @type {Record<string, Entry>} */
  const kept = {};
  const seen = new Set([PACK_ENTRY]);
  const queue = [PACK_ENTRY];
  let compiled = 0;
  for (let rel = queue.shift(); rel !== undefined; rel = queue.shift()) {
    /** @type {string} */
    let js;
    if (rel.endsWith(".ts")) {
      const r = compiledFile(rel, PACK_BIN, entries);
      js = r.js;
      if (r.compiled) compiled++;
      kept[rel] = entries[rel];
    } else {
      // JSON and other data files the pack requires are copied as they are.
      js = "";
      const text = fs.readFileSync(path.join(ROOT, rel));
      const out = path.join(PACK_BIN, rel);
      if (!fs.existsSync(out) || !fs.readFileSync(out).equals(text)) writeAtomic(out, text.toString("utf8"));
      const st = fs.statSync(path.join(ROOT, rel));
      kept[rel] = [st.size, st.mtimeMs, sha1(text)];
    }
    for (const dep of relativeImports(rel, js)) {
      if (!seen.has(dep)) {
        seen.add(dep);
        queue.push(dep);
      }
    }
  }
  // Leftovers of files the pack no longer imports would mask a deleted source.
  const wanted = new Set(Object.keys(kept).map((rel) => rel.replace(/\.ts$/, ".js")));
  for (const file of walk(PACK_BIN, () => true)) {
    const rel = path.relative(PACK_BIN, file).split(path.sep).join("/");
    if (rel !== "manifest.json" && !wanted.has(rel)) fs.rmSync(file);
  }
  saveManifest(PACK_BIN, kept, true);
  return { compiled, files: Object.keys(kept).length };
}

/**
 * Whether policy/bin still matches its sources: every compiled file was compiled from the source
 * now on disk (sources that vanished count as changes). Cheap: one stat per file, a hash only
 * for files whose size or mtime changed, one small read per compiled file.
 */
function packIsFresh() {
  const manifest = readManifest(PACK_BIN);
  if (!manifest) return false;
  for (const [rel, [size, mtimeMs, hash]] of Object.entries(manifest.files)) {
    const st = fs.statSync(path.join(ROOT, rel), { throwIfNoEntry: false });
    if (!st) return false;
    if (st.size !== size || st.mtimeMs !== mtimeMs) {
      if (sha1(fs.readFileSync(path.join(ROOT, rel))) !== hash) return false;
    }
    if (!rel.endsWith(".ts")) continue;
    const fd = fs.openSync(path.join(PACK_BIN, rel.replace(/\.ts$/, ".js")), "r");
    const head = Buffer.alloc(header(hash).length);
    fs.readSync(fd, head, 0, head.length, 0);
    fs.closeSync(fd);
    if (head.toString("utf8") !== header(hash)) return false;
  }
  return true;
}

/** The pack entry's guard: rebuilds policy/bin first when any of its sources changed. */
function ensurePack() {
  let fresh = false;
  try {
    fresh = packIsFresh();
  } catch {
    fresh = false;
  }
  if (!fresh) buildPack();
  else refreshStamp(PACK_BIN);
}

// ---------------------------------------------------------------------------------------------
// `npm run build` / prepare: everything at once.

/** @returns {Generator<string>} */
function* walk(/** @type {string} */ dir, /** @type {(name: string) => boolean} */ enter) {
  /** @type {fs.Dirent[]} */
  let list;
  try {
    list = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const d of list) {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) {
      if (enter(d.name)) yield* walk(full, enter);
    } else if (d.isFile()) yield full;
  }
}

/** Every .ts source of the build (declaration files and tests excepted). */
function sources() {
  return [...walk(ROOT, (name) => !name.startsWith(".") && !SKIP_DIRS.has(name))]
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => path.relative(ROOT, f).split(path.sep).join("/"))
    .sort();
}

function buildAll() {
  const entries = { ...(readManifest(BIN)?.files ?? {}) };
  /** @type {Record<string, Entry>} */
  const kept = {};
  let compiled = 0;
  const all = sources();
  for (const rel of all) {
    if (compiledFile(rel, BIN, entries).compiled) compiled++;
    if (entries[rel]) kept[rel] = entries[rel];
  }
  saveManifest(BIN, kept, true);
  return { compiled, files: all.length, pack: buildPack() };
}

module.exports = {
  ROOT,
  BIN,
  PACK_BIN,
  buildAll,
  buildPack,
  buildKey,
  compiledSource,
  ensurePack,
  packIsFresh,
  sourceHeader,
  sources,
  transpile,
};

if (require.main === module) {
  // `--pack` alone is an option; anything else is bad usage (exit 2), not a silent full build.
  const unknown = process.argv.slice(2).filter((a) => a !== "--pack");
  if (unknown.length > 0) {
    process.stderr.write(
      `build: unknown argument${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} (allowed: --pack)\nusage: npm run build [-- --pack]\n`,
    );
    process.exit(2);
  }
  try {
    require.resolve("typescript", { paths: [ROOT] });
  } catch {
    // An install without devDependencies runs no script that needs the build.
    console.log("Build: skipped (the typescript devDependency is not installed).");
    process.exit(0);
  }
  const started = performance.now();
  const packOnly = process.argv.includes("--pack");
  const r = packOnly ? { pack: buildPack() } : buildAll();
  const took = ((performance.now() - started) / 1000).toFixed(1);
  const pack = `the policy pack: ${r.pack.compiled} of ${r.pack.files} files compiled into policy/bin/`;
  console.log(
    "files" in r
      ? `Build: ${r.compiled} of ${r.files} sources compiled into bin/, ${pack} (${took} s).`
      : `Build: ${pack} (${took} s).`,
  );
}
