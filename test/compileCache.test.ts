/**
 * scripts/compile-cache.js: V8's code cache between runs where Node has no module compile cache
 * (Node < 22.1; the launcher uses Node's own where it exists). Forced on here, whatever Node runs
 * the tests, in child processes: modules behave as Node's own loader makes them, a changed or
 * damaged cache is never used, and nothing is cached when it does not apply.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import Module from "module";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
const CACHE = path.join(ROOT, "scripts", "compile-cache.js");

interface Run {
  stats: { hits: number; compiled: number; rejected: number; left: number } | null;
  value: number;
  frame: string;
  esm: number;
  resolved: string;
  main: boolean;
  parent: string;
  shebang: string;
}

describe("the compile cache for Node without one", () => {
  let dir: string;
  const cacheFile = () => path.join(dir, "cache", "run.bin");

  function run(env: NodeJS.ProcessEnv = {}, force = true) {
    const r = spawnSync(process.execPath, [path.join(dir, "run.js"), String(force)], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "", NODE_OPTIONS: "", ...env },
    });
    expect(r.stderr).toBe("");
    return JSON.parse(r.stdout) as Run;
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sap-cc-"));
    fs.writeFileSync(
      path.join(dir, "run.js"),
      `const stats = require(${JSON.stringify(CACHE)}).installCompileCache({
         root: __dirname, name: "run", dir: require("path").join(__dirname, "cache"), force: process.argv[2] === "true" });
       const lib = require("./lib.js");
       lib.load().then((esm) => console.log(JSON.stringify({ stats: stats ?? null, ...lib, esm: esm.x,
         shebang: require("./tool.js") })));\n`,
    );
    fs.writeFileSync(
      path.join(dir, "lib.js"),
      `exports.value = 1;
exports.frame = new Error("here").stack.split("\\n")[1].trim();
exports.load = require("./dynamic.js");
exports.resolved = require.resolve("./esm.mjs");
exports.main = require.main === module;
exports.parent = require.cache[__filename].parent.id;\n`,
    );
    fs.writeFileSync(path.join(dir, "dynamic.js"), 'module.exports = () => import("./esm.mjs");\n');
    fs.writeFileSync(path.join(dir, "esm.mjs"), "export const x = 42;\n");
    fs.writeFileSync(path.join(dir, "tool.js"), '#!/usr/bin/env node\nmodule.exports = "tool";\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("serves the second run from the cache, and modules behave as Node's own loader makes them", () => {
    const own = run({ NODE_DISABLE_COMPILE_CACHE: "1" });
    expect(own.stats).toBeNull();
    expect(fs.existsSync(cacheFile())).toBe(false);
    const first = run();
    expect(first.stats).toEqual({ hits: 0, compiled: 2, rejected: 0, left: 1 });
    expect(fs.existsSync(cacheFile())).toBe(true);
    const second = run();
    expect(second.stats).toEqual({ hits: 2, compiled: 0, rejected: 0, left: 1 });
    // Same values, the same file:line:column in stack traces, import() and require.resolve work.
    for (const r of [first, second]) expect({ ...r, stats: null }).toEqual(own);
    expect(own).toMatchObject({ value: 1, esm: 42, main: false, parent: ".", shebang: "tool" });
    expect(own.frame).toBe(`at Object.<anonymous> (${path.join(dir, "lib.js")}:2:17)`);
  });

  it("recompiles a module whose source changed, even to one of the same length", () => {
    run();
    fs.writeFileSync(
      path.join(dir, "lib.js"),
      fs.readFileSync(path.join(dir, "lib.js"), "utf8").replace("= 1;", "= 2;"),
    );
    const r = run();
    expect(r.value).toBe(2);
    expect(r.stats).toEqual({ hits: 1, compiled: 1, rejected: 0, left: 1 });
    expect(run().stats).toEqual({ hits: 2, compiled: 0, rejected: 0, left: 1 });
  });

  it("ignores a damaged cache file and writes a good one", () => {
    run();
    const buf = fs.readFileSync(cacheFile());
    buf[buf.length - 10] ^= 0xff;
    fs.writeFileSync(cacheFile(), buf);
    const r = run();
    expect(r.stats).toEqual({ hits: 0, compiled: 2, rejected: 0, left: 1 });
    expect(r.value).toBe(1);
    expect(run().stats).toEqual({ hits: 2, compiled: 0, rejected: 0, left: 1 });
  });

  it("leaves a syntax error to Node, with Node's own message", () => {
    fs.writeFileSync(path.join(dir, "lib.js"), "exports.value = ;\n");
    const errors = [true, false].map((force) => {
      const r = spawnSync(process.execPath, [path.join(dir, "run.js"), String(force)], {
        cwd: dir,
        encoding: "utf8",
      });
      expect(r.status).toBe(1);
      const lines = r.stderr.split("\n");
      return lines.slice(0, lines.findIndex((l) => l.startsWith("SyntaxError")) + 1).join("\n");
    });
    expect(errors[0]).toContain("SyntaxError: Unexpected token ';'");
    expect(errors[0]).toBe(errors[1]);
  });

  it("does nothing where Node has its own (Node >= 22.1), or under the inspector or source maps", () => {
    const hasOwn = "enableCompileCache" in Module;
    expect(run({}, false).stats === null).toBe(hasOwn);
    expect(run({ NODE_OPTIONS: "--enable-source-maps" }).stats).toBeNull();
    // The inspector announces itself on stderr, which `run` keeps empty: its own spawn.
    const inspected = spawnSync(
      process.execPath,
      ["--inspect=127.0.0.1:0", path.join(dir, "run.js"), "true"],
      {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "", NODE_OPTIONS: "" },
      },
    );
    expect(inspected.stderr).toContain("Debugger listening");
    expect((JSON.parse(inspected.stdout) as Run).stats).toBeNull();
    expect(fs.existsSync(cacheFile())).toBe(!hasOwn);
  });
});
