// @ts-check
/**
 * V8's code cache for the modules a script loads, kept between runs (issue 17), for Node versions
 * without the module compile cache (`module.enableCompileCache`, Node >= 22.1; the launcher uses
 * that one where it exists, and then this file does nothing).
 *
 * Node 20 compiles every module from source on every start: about 570 modules for the prod plan.
 * Here `Module.prototype._compile` compiles through `vm.Script` with the cached data of the last
 * run, and at exit saves the data of every module that had none, made after the run
 * (`script.createCachedData()`), so it also holds the functions compiled lazily while it ran. One
 * file per launched script, under node_modules/.cache/secure-azure-platform/compile-cache/<node
 * version>-<arch>/:
 *
 *   "SAPCC1\n", the index's length (uint32 LE), the index (JSON: the data's CRC-32 and, per module
 *   file name, [the source's CRC-32 and length, offset, length]), the data.
 *
 * A module is served from the cache only when its source's CRC-32 and length are the recorded ones
 * (V8 itself checks only the length; Node's own compile cache checks the same CRC-32, and a SHA-1
 * of the 7 MB the plan loads costs 9 ms more), a file whose CRC-32 does not match is ignored as a
 * whole, V8 rejects
 * data of another V8 version or other flags, and a rejected or missing entry is compiled as
 * without the cache and recorded again. The file is replaced by a rename, so concurrent runs never
 * read half a file. A fresh clone, a read-only checkout or `NODE_DISABLE_COMPILE_CACHE=1` (Node's
 * own switch) run without it.
 *
 * Why not the `v8-compile-cache` package: its cache is produced right after compiling (top-level
 * code only), which measured no gain on the prod plan, it breaks `import()` in every cached
 * module (zertosh/v8-compile-cache#30, open since 2020; here such modules are left to Node) and
 * it takes over Node >= 22 as well.
 */
"use strict";
const fs = require("fs");
const Module = require("module");
const path = require("path");
const vm = require("vm");
const zlib = require("zlib");

const MAGIC = Buffer.from("SAPCC1\n");
/** The CommonJS wrapper's parameters; the source starts on the line after them (`lineOffset: -1`). */
const WRAP_HEAD = "(function (exports, require, module, __filename, __dirname) {\n";
const DYNAMIC_IMPORT = /\bimport\s*\(/;

/** @typedef {[key: string, offset: number, length: number]} Entry */
/** @typedef {{ crc: number, entries: Record<string, Entry> }} Index */
/** @typedef {(this: NodeJS.Module, content: string, filename: string, format?: string) => unknown} Compile */

/** What identifies a module's source. */
const sourceKey = (/** @type {string} */ text) => `${zlib.crc32(text)}:${text.length}`;

/**
 * Whether the fallback applies here: only where Node has no module compile cache of its own, and
 * only when nothing needs Node's own `_compile` (the inspector's break on start, source maps,
 * policy manifests), and `zlib.crc32` exists (Node >= 20.15).
 */
function applies(force = false) {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return false;
  if (
    !force &&
    typeof (/** @type {{ enableCompileCache?: unknown }} */ (Module).enableCompileCache) === "function"
  )
    return false;
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  if (
    flags.some((f) =>
      /^--(inspect|debug|experimental-policy|experimental-permission|enable-source-maps)/.test(f),
    )
  )
    return false;
  return !process.sourceMapsEnabled && typeof zlib.crc32 === "function";
}

/** @returns {{ index: Index, data: Buffer }} */
function readCache(/** @type {string} */ file) {
  try {
    const buf = fs.readFileSync(file);
    if (buf.subarray(0, MAGIC.length).equals(MAGIC)) {
      const len = buf.readUInt32LE(MAGIC.length);
      const start = MAGIC.length + 4;
      const index = /** @type {Index} */ (JSON.parse(buf.subarray(start, start + len).toString("utf8")));
      const data = buf.subarray(start + len);
      if (zlib.crc32(data) === index.crc) return { index, data };
    }
  } catch {
    // none yet, or unreadable: compile as without the cache
  }
  return { index: { crc: 0, entries: {} }, data: Buffer.alloc(0) };
}

/**
 * Installs the cache for the modules loaded from now on, stored as `<name>.bin`. Returns the
 * counters (hits, compiled, rejected, left to Node) for tests, or undefined when it does not apply.
 * @param {{ root: string, name: string, force?: boolean, dir?: string }} opts
 */
function installCompileCache(opts) {
  if (!applies(opts.force)) return undefined;
  const dir =
    opts.dir ??
    path.join(
      opts.root,
      "node_modules",
      ".cache",
      "secure-azure-platform",
      "compile-cache",
      `${process.version}-${process.arch}`,
    );
  const file = path.join(dir, `${opts.name.replace(/[^\w.-]+/g, "_")}.bin`);
  const { index, data } = readCache(file);
  /** @type {Map<string, { key: string, script: vm.Script }>} */
  const fresh = new Map();
  const stats = { hits: 0, compiled: 0, rejected: 0, left: 0 };
  const proto = /** @type {{ _compile: Compile }} */ (/** @type {unknown} */ (Module.prototype));
  const original = proto._compile;

  /** @type {Compile} */
  function compile(content, filename, format) {
    // ES modules loaded through require (a `format`) stay Node's.
    if (format !== undefined && format !== "commonjs") return original.call(this, content, filename, format);
    const source = content.startsWith("#!") ? `//${content.slice(2)}` : content;
    const key = sourceKey(source);
    const entry = index.entries[filename];
    const cachedData = entry && entry[0] === key ? data.subarray(entry[1], entry[1] + entry[2]) : undefined;
    // `import()` needs the host options Node's own compile gives (vm's need an experimental API
    // that warns on every run): such a module, comments and strings included, is left to Node.
    // A cached module was checked when it was stored.
    if (!cachedData && DYNAMIC_IMPORT.test(source)) {
      stats.left++;
      return original.call(this, content, filename, format);
    }
    /** @type {vm.Script} */
    let script;
    try {
      script = new vm.Script(`${WRAP_HEAD}${source}\n})`, { filename, lineOffset: -1, cachedData });
    } catch {
      // A syntax error: let Node report it exactly as it would have.
      return original.call(this, content, filename, format);
    }
    if (!cachedData) stats.compiled++;
    else if (script.cachedDataRejected) stats.rejected++;
    else stats.hits++;
    if (!cachedData || script.cachedDataRejected) fresh.set(filename, { key, script });
    const fn = /** @type {Function} */ (script.runInThisContext({ displayErrors: true }));
    return fn.call(this.exports, this.exports, makeRequire(this), this, filename, path.dirname(filename));
  }
  proto._compile = compile;

  process.once("exit", () => {
    if (fresh.size === 0) return;
    try {
      save(file, index, data, fresh);
    } catch {
      // A read-only or full disk: the next run compiles again.
    }
  });
  return stats;
}

/** `require` as Node makes it for a module (lib/internal/modules/helpers.js makeRequireFunction). */
function makeRequire(/** @type {NodeJS.Module} */ mod) {
  const M =
    /** @type {typeof Module & { _resolveFilename: Function, _resolveLookupPaths: Function, _extensions: unknown, _cache: unknown }} */ (
      /** @type {unknown} */ (mod.constructor)
    );
  const require = /** @type {NodeJS.Require} */ (
    /** @type {unknown} */ ((/** @type {string} */ id) => mod.require(id))
  );
  const resolve = (/** @type {string} */ request, /** @type {unknown} */ options) =>
    M._resolveFilename(request, mod, false, options);
  resolve.paths = (/** @type {string} */ request) => M._resolveLookupPaths(request, mod);
  Object.assign(require, {
    resolve,
    main: process.mainModule,
    extensions: M._extensions,
    cache: M._cache,
  });
  return require;
}

/** Writes the entries kept (still valid, not recompiled) and the new ones, then renames it in place. */
function save(
  /** @type {string} */ file,
  /** @type {Index} */ index,
  /** @type {Buffer} */ data,
  /** @type {Map<string, { key: string, script: vm.Script }>} */ fresh,
) {
  /** @type {Buffer[]} */
  const parts = [];
  /** @type {Record<string, Entry>} */
  const entries = {};
  let offset = 0;
  const add = (/** @type {string} */ name, /** @type {string} */ key, /** @type {Buffer} */ buf) => {
    entries[name] = [key, offset, buf.length];
    parts.push(buf);
    offset += buf.length;
  };
  for (const [name, [key, start, length]] of Object.entries(index.entries))
    if (!fresh.has(name)) add(name, key, data.subarray(start, start + length));
  for (const [name, { key, script }] of fresh) add(name, key, script.createCachedData());
  const body = Buffer.concat(parts);
  const head = Buffer.from(JSON.stringify({ crc: zlib.crc32(body), entries }));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([MAGIC, len, head, body]));
  fs.renameSync(tmp, file);
}

module.exports = { installCompileCache };
