// @ts-check
/**
 * The components package's publish build (`npm run build -w components`, which `npm pack` and
 * `npm publish` run as prepack): `tsc -p components/tsconfig.build.json` into components/bin,
 * the entry's import closure as JavaScript and declarations (docs/components-package.md).
 *
 * A build whose inputs are unchanged is not compiled again (issue 17: `npm test` builds the
 * package twice, test/packages.test.ts and the documented `npm pack --dry-run -w components`,
 * 8–9 s of CPU each): a successful build is kept under the installation's
 * node_modules/.cache, named by the SHA-1 of everything tsc reads, and copied back when the key
 * matches. The key covers
 *   - every file under components/ and controls/ (bin/ and node_modules/ aside): the only
 *     folders the package's sources may import (test/boundaries.test.ts), a superset of what tsc
 *     reads of the repository;
 *   - tsconfig.json and components/tsconfig.build.json, and this file's FORMAT;
 *   - node_modules/.package-lock.json, npm's record of every installed package (name, version,
 *     integrity), rewritten by every `npm ci`/`npm install`: it stands for the declarations tsc
 *     reads from node_modules (the compiler's own version included). Without it, or with a linked
 *     package other than the workspaces' own (whose contents npm does not record), the build
 *     always compiles.
 * A fresh clone therefore compiles; a failed compile stores nothing. Two builds of the same key at
 * once (parallel jest workers) compile once: the second waits for the first's result.
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

/** Bumped when what is stored or how it is keyed changes. */
const FORMAT = 1;
/** Builds kept per installation (other worktrees' sources, recent edits): the newest win. */
const KEEP = 4;
/** How long a build waits for another one of the same key before compiling itself. */
const WAIT_MS = 240_000;

const ROOT = path.resolve(__dirname, "..");
const PACKAGE = path.join(ROOT, "components");
const OUT = path.join(PACKAGE, "bin");
const KEYED_DIRS = ["components", "controls"];
const SKIP = new Set(["bin", "node_modules"]);

/** Files under `dir`, relative to ROOT with `/`, sorted. */
function filesUnder(/** @type {string} */ dir) {
  /** @type {string[]} */
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP.has(entry.name)) out.push(...filesUnder(full));
    } else out.push(path.relative(ROOT, full).split(path.sep).join("/"));
  }
  return out.sort();
}

/**
 * The installation's lockfile and the cache folder `name`, or a reason there is no cache. The
 * cache goes beside the lockfile's real path, so copies of the repository that link node_modules
 * share it. Also what scripts/check.js keys its record of clean checks on.
 * @returns {{ lock: Buffer, cache: string } | { none: string }}
 */
function installation(/** @type {string} */ name, root = ROOT) {
  const lockPath = path.join(root, "node_modules", ".package-lock.json");
  let real;
  try {
    real = fs.realpathSync(lockPath);
  } catch {
    return { none: "node_modules/.package-lock.json is missing" };
  }
  const lock = fs.readFileSync(real);
  /** @type {{ packages?: Record<string, { link?: boolean, resolved?: string }> }} */
  let parsed;
  try {
    parsed = JSON.parse(lock.toString("utf8"));
  } catch {
    return { none: "node_modules/.package-lock.json is not JSON" };
  }
  const workspaces = new Set(["components", "policy"]);
  const linked = Object.entries(parsed.packages ?? {}).filter(
    ([, p]) => p.link && !workspaces.has(p.resolved ?? ""),
  );
  if (linked.length > 0) return { none: `linked package ${linked[0][0]} (its contents are not recorded)` };
  return {
    lock,
    cache: path.join(path.dirname(real), ".cache", "secure-azure-platform", name),
  };
}

/**
 * A SHA-1 of labelled parts, each headed by its label and length (no two lists of parts hash the
 * same text): `add(label, data)`, then `digest()`. Also scripts/check.js's.
 */
function labelledHash() {
  const hash = crypto.createHash("sha1");
  return {
    add(/** @type {string} */ label, /** @type {Buffer | string} */ data) {
      hash.update(`${label}\0${Buffer.byteLength(data)}\0`);
      hash.update(data);
    },
    digest: () => hash.digest("hex"),
  };
}

/** The SHA-1 of everything the build reads (see the header). */
function buildKey(/** @type {Buffer} */ lock) {
  const { add, digest } = labelledHash();
  add("format", String(FORMAT));
  add("lock", lock);
  for (const rel of ["tsconfig.json", ...KEYED_DIRS.flatMap((d) => filesUnder(path.join(ROOT, d)))])
    add(rel, fs.readFileSync(path.join(ROOT, rel)));
  return digest();
}

const sleep = (/** @type {number} */ ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Whether a process is alive (a lock whose owner died is taken over). */
function alive(/** @type {number} */ pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return /** @type {NodeJS.ErrnoException} */ (e).code === "EPERM";
  }
}

/** Runs tsc on the publish tsconfig (its diagnostics on stdout, as ever); returns its exit status. */
function compile() {
  const tsc = require.resolve("typescript/bin/tsc", { paths: [ROOT] });
  const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: PACKAGE,
    stdio: "inherit",
  });
  return r.status ?? 1;
}

/** Status lines go to stderr: stdout stays tsc's alone. */
const say = (/** @type {string} */ line) => process.stderr.write(`components build: ${line}\n`);

/** Copies a finished build into the cache under `key` (atomically: a rename), and prunes old ones. */
function store(/** @type {string} */ cache, /** @type {string} */ key) {
  const tmp = path.join(cache, `${key}.${process.pid}.tmp`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.cpSync(OUT, tmp, { recursive: true });
  try {
    fs.renameSync(tmp, path.join(cache, key));
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // stored by another build meanwhile
  }
  const kept = fs
    .readdirSync(cache)
    .filter((n) => /^[0-9a-f]{40}$/.test(n))
    .map((n) => ({ n, t: fs.statSync(path.join(cache, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { n } of kept.slice(KEEP)) fs.rmSync(path.join(cache, n), { recursive: true, force: true });
}

/** The build; returns the exit status. */
function main() {
  fs.rmSync(OUT, { recursive: true, force: true });
  const inst = installation("components-build");
  if ("none" in inst) {
    say(`compiling (no build cache: ${inst.none})`);
    return compile();
  }
  const key = buildKey(inst.lock);
  const stored = path.join(inst.cache, key);
  fs.mkdirSync(inst.cache, { recursive: true });
  const lock = path.join(inst.cache, `${key}.lock`);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    if (fs.existsSync(stored)) {
      fs.cpSync(stored, OUT, { recursive: true });
      const now = new Date();
      fs.utimesSync(stored, now, now); // recently used: kept by the pruning
      say(
        `sources, tsconfig and installed packages unchanged (${key.slice(0, 12)}): bin/ restored from the build that compiled them`,
      );
      return 0;
    }
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch {
      let owner = 0;
      try {
        owner = Number(fs.readFileSync(lock, "utf8")) || -1; // -1: created, its pid not written yet
      } catch {
        continue; // released meanwhile
      }
      if ((owner > 0 && !alive(owner)) || Date.now() > deadline) fs.rmSync(lock, { force: true });
      else sleep(200);
    }
  }
  try {
    say(`compiling (${key.slice(0, 12)})`);
    const status = compile();
    if (status === 0) store(inst.cache, key);
    return status;
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

module.exports = { installation, labelledHash };

if (require.main === module) process.exitCode = main();
