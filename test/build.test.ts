/**
 * The compiled build (issue 17): scripts/build.js (run by `npm ci`), the launcher every `npm run`
 * script starts through (scripts/launch.js) and the pack's entry (policy/pack.js). What runs is
 * never older than its sources, the published pack works without them, and the SDK modules the
 * launcher leaves unloaded are the installed SDK's.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { types } from "util";
import { DEFERRED, DEFERRED_OUTSIDE_SDK, deferredFile } from "../policy/sdkDefer";

const ROOT = path.join(__dirname, "..");
const SDK = path.dirname(require.resolve("@pulumi/pulumi/package.json"));

function write(dir: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

function node(cwd: string, ...args: string[]) {
  return spawnSync(process.execPath, args, { cwd, encoding: "utf8", timeout: 60_000 });
}

/** A scratch repository with the build's own files, the real tsconfig and a few sources. */
function scratch(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sap-build-"));
  for (const rel of [
    "scripts/build.js",
    "scripts/launch.js",
    "scripts/compile-cache.js",
    "policy/pack.js",
    "policy/sdkDefer.js",
    "tsconfig.json",
  ])
    write(dir, rel, fs.readFileSync(path.join(ROOT, rel), "utf8"));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  write(dir, "controls/limit.ts", "export const LIMIT: number = 1;\n");
  write(
    dir,
    "policy/index.ts",
    'import { LIMIT } from "../controls/limit";\nconsole.log(`pack ${LIMIT}`);\n',
  );
  write(
    dir,
    "scripts/hello.ts",
    'import { LIMIT } from "../controls/limit";\n' +
      "console.log(`hello ${LIMIT} ${require.main === module} ${process.argv.slice(2).join(',')}`);\n",
  );
  return dir;
}

describe("the compiled build", () => {
  let dir: string;
  beforeAll(() => {
    dir = scratch();
    const build = node(dir, "scripts/build.js");
    expect(build.stderr).toBe("");
    expect(build.stdout).toMatch(/^Build: 3 of 3 sources compiled into bin\/, the policy pack: 2 of 2 files/);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("compiles every source, and the pack with the files it imports laid out as in the repository", () => {
    for (const rel of [
      "bin/scripts/hello.js",
      "bin/controls/limit.js",
      "policy/bin/policy/index.js",
      "policy/bin/controls/limit.js",
    ])
      expect({ rel, exists: fs.existsSync(path.join(dir, rel)) }).toEqual({ rel, exists: true });
    expect(fs.existsSync(path.join(dir, "policy/bin/scripts"))).toBe(false);
  });

  it("runs a script from the build as the main module, with its arguments", () => {
    const r = node(dir, "scripts/launch.js", "scripts/hello.ts", "a", "b");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("hello 1 true a,b\n");
  });

  it("keeps V8's code cache of each script's modules where Node has no compile cache of its own", () => {
    // Node < 22.1 as the launcher sees it: no `module.enableCompileCache`.
    const older = path.join(dir, "older-node.js");
    fs.writeFileSync(older, 'delete require("module").enableCompileCache;\n');
    const cache = path.join(
      dir,
      "node_modules/.cache/secure-azure-platform/compile-cache",
      `${process.version}-${process.arch}`,
      "scripts_hello.ts.bin",
    );
    try {
      for (let i = 0; i < 2; i++) {
        const r = node(dir, "-r", older, "scripts/launch.js", "scripts/hello.ts", "x");
        expect(r.stderr).toBe("");
        expect(r.stdout).toBe("hello 1 true x\n");
        expect(fs.existsSync(cache)).toBe(true);
      }
    } finally {
      // node_modules is the repository's (a link): leave nothing there.
      fs.rmSync(cache, { force: true });
    }
  });

  it("recompiles a changed source (here one of the same size) before the script or the pack runs", () => {
    fs.writeFileSync(path.join(dir, "controls/limit.ts"), "export const LIMIT: number = 2;\n");
    expect(node(dir, "scripts/launch.js", "scripts/hello.ts").stdout).toBe("hello 2 true \n");
    expect(node(dir, "policy/pack.js").stdout).toBe("pack 2\n");
    expect(fs.readFileSync(path.join(dir, "policy/bin/controls/limit.js"), "utf8")).toContain("LIMIT = 2");
  });

  it("hashes nothing on a start with a current build; a touched tsconfig.json is hashed once, then recorded", () => {
    const probe = path.join(dir, "crypto-loaded.js");
    fs.writeFileSync(
      probe,
      'process.on("exit", () => console.log(`crypto ${process.moduleLoadList.includes("NativeModule crypto")}`));\n',
    );
    const start = () => node(dir, "-r", probe, "scripts/launch.js", "scripts/hello.ts").stdout;
    start();
    expect(start()).toMatch(/^hello \d true \ncrypto false\n$/);
    const tsconfig = path.join(dir, "tsconfig.json");
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(tsconfig, later, later);
    expect(start()).toMatch(/^hello \d true \ncrypto true\n$/);
    expect(start()).toMatch(/^hello \d true \ncrypto false\n$/);
    expect(node(dir, "-r", probe, "policy/pack.js").stdout).toMatch(/^pack \d\ncrypto true\n$/);
    expect(node(dir, "-r", probe, "policy/pack.js").stdout).toMatch(/^pack \d\ncrypto false\n$/);
  });

  it("refuses a pack whose imported source is gone, as the sources would", () => {
    const other = scratch();
    try {
      expect(node(other, "scripts/build.js").status).toBe(0);
      fs.rmSync(path.join(other, "controls/limit.ts"));
      const r = node(other, "policy/pack.js");
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain("policy/index.ts: cannot resolve ../controls/limit inside the repository");
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it("the published pack runs from its compiled files alone", () => {
    const published = path.join(dir, "published");
    for (const rel of ["pack.js", "sdkDefer.js"])
      write(published, rel, fs.readFileSync(path.join(dir, "policy", rel), "utf8"));
    fs.cpSync(path.join(dir, "policy/bin"), path.join(published, "bin"), { recursive: true });
    const r = node(published, "pack.js");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("pack 2\n");
  });

  it("names the source's own path and line in a stack trace, from bin/ and from the pack's bin/", () => {
    write(dir, "controls/fail.ts", 'export function fail(): never {\n  throw new Error("failed");\n}\n');
    write(dir, "scripts/fail.ts", 'import { fail } from "../controls/fail";\nfail();\n');
    const index = path.join(dir, "policy/index.ts");
    const pack = fs.readFileSync(index, "utf8");
    const where = `${path.join(dir, "controls", "fail.ts")}:2`;
    try {
      // (The launcher turns source maps on itself from Node 22.14; the flag covers older Node.)
      const script = node(dir, "--enable-source-maps", "scripts/launch.js", "scripts/fail.ts");
      expect(script.stderr).toContain(where);
      fs.writeFileSync(index, 'import { fail } from "../controls/fail";\nfail();\n');
      expect(node(dir, "--enable-source-maps", "policy/pack.js").stderr).toContain(where);
    } finally {
      fs.writeFileSync(index, pack);
    }
  });

  it("recompiles every file, changed or not, when the compiler options change", () => {
    const tsconfig = path.join(dir, "tsconfig.json");
    const options = fs.readFileSync(tsconfig, "utf8");
    const compiled = ["bin/controls/limit.js", "policy/bin/controls/limit.js"].map((rel) =>
      path.join(dir, rel),
    );
    try {
      expect(node(dir, "scripts/launch.js", "scripts/hello.ts").stdout).toBe("hello 2 true \n");
      expect(node(dir, "policy/pack.js").stdout).toBe("pack 2\n");
      for (const file of compiled) expect(fs.readFileSync(file, "utf8")).not.toContain("\r\n");
      fs.writeFileSync(
        tsconfig,
        options.replace('"compilerOptions": {', '"compilerOptions": {\n    "newLine": "crlf",'),
      );
      expect(node(dir, "scripts/launch.js", "scripts/hello.ts").stdout).toBe("hello 2 true \n");
      expect(node(dir, "policy/pack.js").stdout).toBe("pack 2\n");
      for (const file of compiled) expect(fs.readFileSync(file, "utf8")).toContain("\r\n");
    } finally {
      fs.writeFileSync(tsconfig, options);
    }
  });
});

describe("jest's transform (test/helpers/transform.js)", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the transform is CommonJS, loaded as jest loads it
  const transform = require("./helpers/transform.js") as {
    process(text: string, file: string): { code: string };
    getCacheKey(text: string, file: string): string;
  };
  const file = path.join(ROOT, "controls", "closest.ts");

  it("serves the compiled build for the text on disk", () => {
    const text = fs.readFileSync(file, "utf8");
    expect(transform.process(text, file).code).toMatch(/^\/\*sap:[0-9a-f]{40}:[0-9a-f]{40}\*\//);
  });

  it("compiles the text jest read when the build came from other text (a copy that kept size and mtime)", () => {
    const code = transform.process("export const answer: number = 42;\n", file).code;
    expect(code).not.toMatch(/^\/\*sap:/);
    expect(code).toContain("exports.answer = 42");
  });

  it("keys its cache on the text", () => {
    expect(transform.getCacheKey("a", file)).not.toBe(transform.getCacheKey("b", file));
  });
});

describe("the pack's entry and Node's compile cache", () => {
  it("writes the cache once the pack is loaded, as the CLI kills the process (no write at exit)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sap-pack-cache-"));
    try {
      write(dir, "pack.js", fs.readFileSync(path.join(ROOT, "policy/pack.js"), "utf8"));
      write(dir, "sdkDefer.js", fs.readFileSync(path.join(ROOT, "policy/sdkDefer.js"), "utf8"));
      // A pack that says it serves (later, once its server is bound) until it is killed, as the real one.
      write(
        dir,
        "bin/policy/index.js",
        'setTimeout(() => console.log("serving"), 10);\nsetInterval(() => {}, 1000);\n',
      );
      const cache = path.join(dir, "cache");
      const child = spawn(process.execPath, ["pack.js"], {
        cwd: dir,
        env: { ...process.env, NODE_COMPILE_CACHE: cache },
        stdio: ["ignore", "pipe", "inherit"],
      });
      await new Promise<void>((resolve) => child.stdout.on("data", () => resolve()));
      child.kill("SIGKILL");
      await new Promise((resolve) => child.on("exit", resolve));
      // Node's module compile cache and its flush exist from Node 22.10 (flushCompileCache);
      // on Node 20 (end of life, still able to run the quick start: README) pack.js serves
      // without one, and nothing is written.
      const [major, minor] = process.versions.node.split(".").map(Number);
      const flushes = major > 22 || (major === 22 && minor >= 10);
      const files = fs.existsSync(cache)
        ? fs.readdirSync(cache, { recursive: true, withFileTypes: true }).filter((d) => d.isFile())
        : [];
      if (flushes) expect(files.length).toBeGreaterThan(0);
      else expect(files).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the published policy pack", () => {
  it("ships the entry, the compiled pack and its metadata, no TypeScript", () => {
    const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: path.join(ROOT, "policy"),
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining(["pack.js", "sdkDefer.js", "package.json", "PulumiPolicy.yaml"]),
    );
    expect(files).toContain("bin/policy/index.js");
    expect(
      files.filter(
        (f) => !/^(pack\.js|sdkDefer\.js|package\.json|PulumiPolicy\.yaml|bin\/.+\.(js|json))$/.test(f),
      ),
    ).toEqual([]);
    const main = (
      JSON.parse(fs.readFileSync(path.join(ROOT, "policy/package.json"), "utf8")) as { main: string }
    ).main;
    expect(main).toBe("pack.js");
  });
});

describe("the SDK modules loaded on first use only", () => {
  it("are the installed SDK's, with every name their importers read while loading", () => {
    for (const rel of DEFERRED_OUTSIDE_SDK)
      expect({ rel, file: deferredFile(ROOT, rel) }).toEqual({ rel, file: expect.any(String) });
    const index = fs.readFileSync(path.join(SDK, "index.js"), "utf8");
    const runtime = fs.readFileSync(path.join(SDK, "runtime/index.js"), "utf8");
    for (const [rel, names] of Object.entries(DEFERRED)) {
      const file = deferredFile(SDK, rel);
      expect({ rel, exists: file !== undefined && fs.existsSync(file) }).toEqual({ rel, exists: true });
      if (!names) continue;
      const binding = `${path.basename(rel, ".js")}_1`;
      const read = [...runtime.matchAll(new RegExp(`\\b${binding}\\.(\\w+)`, "g"))].map((m) => m[1]);
      expect(read.length).toBeGreaterThan(0);
      expect(names).toEqual(expect.arrayContaining(read));
      const real = jest.requireActual<Record<string, unknown>>(path.join(SDK, rel));
      for (const name of names) expect({ name, type: typeof real[name] }).toEqual({ name, type: "function" });
    }
    // The index keeps `automation` as a namespace and reads nothing from it while loading.
    expect(index).toMatch(/const automation = __importStar\(require\("\.\/automation"\)\);/);
    expect(index.match(/\bautomation\.\w+/g)).toBeNull();
  });

  it("are not loaded by @pulumi/pulumi, and load when used", () => {
    const probe = `
      require(${JSON.stringify(path.join(ROOT, "policy/sdkDefer.js"))}).deferSdkModules(${JSON.stringify(ROOT)});
      const pulumi = require("@pulumi/pulumi");
      const has = (f) => Object.keys(require.cache).some((k) => k.endsWith(f));
      // The index is in require.cache as the stand-in: look for a module it loads.
      const grpc = () => has("@grpc/grpc-js/build/src/channel.js");
      const otel = () => has("@opentelemetry/api/build/src/api/context.js");
      const semver = () => has("semver/functions/parse.js");
      const locales = () => has("zod/v4/locales/de.cjs");
      const z = require("zod");
      const out = { typescript: has("typescript/lib/typescript.js"), execa: has("execa/index.js"), grpc: grpc(), otel: otel(), semver: semver(), locales: locales() };
      out.workspace = typeof pulumi.automation.LocalWorkspace;
      out.execaAfterUse = has("execa/index.js");
      out.serialize = typeof pulumi.runtime.serializeFunction;
      out.client = typeof require("@pulumi/pulumi/proto/resource_grpc_pb").ResourceMonitorClient;
      out.grpcAfterUse = grpc();
      out.status = require("@grpc/grpc-js").status.UNAVAILABLE;
      out.context = typeof require("@opentelemetry/api").context.active;
      out.otelAfterUse = otel();
      out.english = z.string().safeParse(1).error.issues[0].message;
      out.localesBeforeUse = locales();
      out.german = typeof z.locales.de;
      out.localesAfterUse = locales();
      out.newer = require("semver").gt("1.2.3", "1.2.0");
      out.semverAfterUse = semver();
      console.log(JSON.stringify(out));`;
    const r = node(ROOT, "-e", probe);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({
      typescript: false,
      execa: false,
      grpc: false,
      otel: false,
      semver: false,
      locales: false,
      workspace: "function",
      execaAfterUse: true,
      serialize: "function",
      client: "function",
      grpcAfterUse: true,
      status: 14,
      context: "function",
      otelAfterUse: true,
      english: "Invalid input: expected string, received number",
      localesBeforeUse: false,
      german: "function",
      localesAfterUse: true,
      newer: true,
      semverAfterUse: true,
    });
  });

  it("are stand-ins in a jest test file too (test/helpers/deferSdk.ts), which load the real module when used", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    expect(types.isProxy(pulumi.automation)).toBe(true);
    const real = jest.requireActual<{ serializeFunction: unknown }>(
      path.join(SDK, "runtime/closure/serializeClosure.js"),
    );
    expect(pulumi.runtime.serializeFunction).not.toBe(real.serializeFunction);
    expect(typeof pulumi.automation.LocalWorkspace).toBe("function");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect((require("@grpc/grpc-js") as typeof import("@grpc/grpc-js")).status.UNAVAILABLE).toBe(14);
  });
});

describe("the components package's publish build (scripts/build-components.js)", () => {
  // A scratch repository: the script, a strict tsconfig, a package that imports controls/, the
  // real compiler linked, and a lockfile of its own (the installed packages). What is under test
  // is the build's keying and caching, not the compiler's libraries: the package declares the
  // global types tsc requires itself (`noLib`) instead of each of the seven compiles parsing,
  // binding and checking lib.es5.d.ts (0.95 -> 0.4 s of CPU a compile, issue 17).
  let dir: string;
  const lockfile = () => path.join(dir, "node_modules", ".package-lock.json");
  const lock = (packages: Record<string, unknown>) =>
    fs.writeFileSync(lockfile(), JSON.stringify({ lockfileVersion: 3, packages }));
  const build = () => node(dir, "scripts/build-components.js");
  /** components/bin, path → content. */
  const output = () =>
    Object.fromEntries(
      (fs.readdirSync(path.join(dir, "components", "bin"), { recursive: true }) as string[])
        .map((f) => path.join(dir, "components", "bin", f))
        .filter((f) => fs.statSync(f).isFile())
        .map((f) => [path.relative(dir, f).split(path.sep).join("/"), fs.readFileSync(f, "utf8")]),
    );
  const stored = () =>
    fs.readdirSync(path.join(dir, "node_modules", ".cache", "secure-azure-platform", "components-build"));

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sap-components-build-"));
    write(
      dir,
      "scripts/build-components.js",
      fs.readFileSync(path.join(ROOT, "scripts/build-components.js"), "utf8"),
    );
    write(
      dir,
      "tsconfig.json",
      JSON.stringify({
        compilerOptions: { target: "ES2022", module: "commonjs", strict: true, types: [], noLib: true },
      }),
    );
    write(
      dir,
      "components/tsconfig.build.json",
      JSON.stringify({
        extends: "../tsconfig.json",
        compilerOptions: { rootDir: "..", outDir: "bin", declaration: true },
        files: ["globals.d.ts", "index.ts"],
        include: [],
      }),
    );
    // The global types tsc requires under `strict` when no library is loaded (TS2318 without them).
    const globals = [
      ...["Array<T>", "Boolean", "CallableFunction", "Function", "IArguments"],
      ...["NewableFunction", "Number", "Object", "RegExp", "String"],
    ];
    write(dir, "components/globals.d.ts", globals.map((name) => `interface ${name} {}\n`).join(""));
    write(dir, "components/index.ts", 'export { LIMIT } from "../controls/limit";\n');
    write(dir, "controls/limit.ts", "export const LIMIT: number = 1;\n");
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(
      path.join(ROOT, "node_modules", "typescript"),
      path.join(dir, "node_modules", "typescript"),
      "dir",
    );
    lock({ "node_modules/typescript": { version: "5.9.3" } });
  });

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("compiles on the first build, then restores that output while sources, tsconfig and installed packages are unchanged", () => {
    const first = build();
    expect({ status: first.status, stderr: first.stderr }).toEqual({
      status: 0,
      stderr: expect.stringMatching(/^components build: compiling \([0-9a-f]{12}\)\n$/) as string,
    });
    const compiled = output();
    expect(Object.keys(compiled).sort()).toEqual([
      "components/bin/components/index.d.ts",
      "components/bin/components/index.js",
      "components/bin/controls/limit.d.ts",
      "components/bin/controls/limit.js",
    ]);
    expect(compiled["components/bin/controls/limit.js"]).toContain("exports.LIMIT = 1");
    // A stray file in bin/ goes (bin/ is the build's alone), and no compiler is needed to restore.
    write(dir, "components/bin/stray.js", "");
    fs.unlinkSync(path.join(dir, "node_modules", "typescript"));
    try {
      const again = build();
      expect({ status: again.status, stderr: again.stderr }).toEqual({
        status: 0,
        stderr: expect.stringMatching(
          / unchanged \([0-9a-f]{12}\): bin\/ restored from the build that compiled them\n$/,
        ) as string,
      });
      expect(output()).toEqual(compiled);
    } finally {
      fs.symlinkSync(
        path.join(ROOT, "node_modules", "typescript"),
        path.join(dir, "node_modules", "typescript"),
        "dir",
      );
    }
  });

  it("waits for a build of the same key that is under way and takes its output; takes over from one that died", async () => {
    const cache = path.join(dir, "node_modules", ".cache", "secure-azure-platform", "components-build");
    const [key] = stored();
    const aside = path.join(dir, "aside");
    fs.renameSync(path.join(cache, key), aside);
    // This process holds the key's lock, as a build compiling it would.
    fs.writeFileSync(path.join(cache, `${key}.lock`), String(process.pid));
    const child = spawn(process.execPath, ["scripts/build-components.js"], { cwd: dir });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(child.exitCode).toBeNull();
    // The build under way stores its output and releases the lock.
    fs.renameSync(aside, path.join(cache, key));
    fs.rmSync(path.join(cache, `${key}.lock`));
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/ unchanged \([0-9a-f]{12}\): bin\/ restored /);

    // A lock whose process is gone does not hold anything up.
    fs.renameSync(path.join(cache, key), aside);
    const gone = node(dir, "-p", "process.pid");
    fs.writeFileSync(path.join(cache, `${key}.lock`), gone.stdout.trim());
    const r = build();
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 0,
      stderr: `components build: compiling (${key.slice(0, 12)})\n`,
    });
    expect(stored()).toEqual([key]);
    fs.rmSync(aside, { recursive: true });
  }, 30_000);

  it("compiles again when a source under controls/ changes (same size), or the installed packages do", () => {
    write(dir, "controls/limit.ts", "export const LIMIT: number = 2;\n");
    const changed = build();
    expect(changed.stderr).toMatch(/^components build: compiling /);
    expect(output()["components/bin/controls/limit.js"]).toContain("exports.LIMIT = 2");
    lock({ "node_modules/typescript": { version: "5.9.3" }, "node_modules/zod": { version: "4.6.7" } });
    expect(build().stderr).toMatch(/^components build: compiling /);
    expect(stored()).toHaveLength(3);
  });

  it("stores nothing from a build that fails, and fails as tsc does", () => {
    const before = stored();
    write(dir, "controls/limit.ts", 'export const LIMIT: number = "two";\n');
    const failed = build();
    expect(failed.status).not.toBe(0);
    expect(failed.stdout).toContain("TS2322");
    expect(stored()).toEqual(before);
    write(dir, "controls/limit.ts", "export const LIMIT: number = 2;\n");
  });

  it("always compiles without a lockfile, or with a linked package whose contents npm does not record", () => {
    lock({ "node_modules/mine": { resolved: "../mine", link: true } });
    expect(build().stderr).toMatch(
      /^components build: compiling \(no build cache: linked package node_modules\/mine/,
    );
    fs.unlinkSync(lockfile());
    const r = build();
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 0,
      stderr: "components build: compiling (no build cache: node_modules/.package-lock.json is missing)\n",
    });
  });
});
