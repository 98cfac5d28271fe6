/**
 * The two folders that ship on their own, packed the way they are published (issue 16), in a
 * copy of the repository (nothing is built in the checkout):
 * - components/ (`npm publish` of @secure-azure-platform/components): the publish build
 *   (`npm run build`, which `npm pack` runs as prepack) and `npm pack --dry-run --json` list
 *   compiled JavaScript and declarations for every module of the entry closure, controls/
 *   included, and no sources or tests; installed from that file list alone, with only its
 *   declared dependencies beside it, the package exports every component class. In the
 *   repository the package name resolves to the TypeScript sources (jest here, ts-node in a child).
 * - policy/ (`pulumi policy publish` runs `npm pack` in policy/ and uploads that tarball): the
 *   pack compiled by its real build (scripts/build.js --pack: the repository's layout, so the
 *   relative imports of controls/ stay valid), its packed file list holds package.json `main`
 *   and every file the entry's requires reach, and the pack serves from those files alone.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as components from "@secure-azure-platform/components";
import { ROOT } from "./helpers/cli";
import { importClosure } from "./helpers/imports";

interface Manifest {
  version: string;
  main: string;
  types?: string;
  exports?: Record<string, string | Record<string, string>>;
  files?: string[];
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
const manifest = (dir: string): Manifest =>
  JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Manifest;

let tmp: string;

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    timeout: 240_000,
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/** What `npm pack` would put in the tarball of the package in `dir` (scripts not run). */
function packedFiles(dir: string): string[] {
  const out = run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], dir);
  return (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path).sort();
}

/** Copies the packed files of `dir` to `dest`, and links the named dependencies into `nodeModules`. */
function install(dir: string, files: string[], dest: string, nodeModules: string, deps: string[]): void {
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    fs.copyFileSync(path.join(dir, f), path.join(dest, f));
  }
  for (const dep of deps) {
    fs.mkdirSync(path.dirname(path.join(nodeModules, dep)), { recursive: true });
    fs.symlinkSync(path.join(ROOT, "node_modules", dep), path.join(nodeModules, dep), "dir");
  }
}

/** The relative imports of a compiled tree's entry that are missing from the packed files. */
function unpacked(dir: string, entry: string, files: string[]): string[] {
  const closure = importClosure(path.join(dir, entry), [".js"]);
  return [
    ...closure.missing,
    ...closure.files
      .map((f) => path.relative(dir, f).split(path.sep).join("/"))
      .filter((f) => !files.includes(f)),
  ];
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "packages-"));
  // policy/bin comes along (what `npm ci` built, its manifest included): the real build below then
  // checks every file against its source and compiles only what is stale, 0.1 s instead of 2.5 s
  // of CPU for all 37 (issue 17); test/build.test.ts builds a pack from nothing. components/bin,
  // the publish build's output, is left behind: the package's `npm run build` makes it.
  for (const dir of ["components", "controls", "policy"])
    fs.cpSync(path.join(ROOT, dir), path.join(tmp, dir), {
      recursive: true,
      filter: (src) => !/[\\/](node_modules|components[\\/]bin)$/.test(src),
    });
  fs.copyFileSync(path.join(ROOT, "tsconfig.json"), path.join(tmp, "tsconfig.json"));
  fs.mkdirSync(path.join(tmp, "scripts"));
  for (const script of ["build.js", "build-components.js"])
    fs.copyFileSync(path.join(ROOT, "scripts", script), path.join(tmp, "scripts", script));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(tmp, "node_modules"), "dir");
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Component classes among a module's exports, by name. */
const componentClasses = (mod: Record<string, unknown>): string[] =>
  Object.keys(mod)
    .filter(
      (k) =>
        typeof mod[k] === "function" &&
        (mod[k] as { prototype: unknown }).prototype instanceof pulumi.ComponentResource,
    )
    .sort();

describe("the components npm package", () => {
  const dir = () => path.join(tmp, "components");
  let files: string[];
  beforeAll(() => {
    run("npm", ["run", "build"], dir());
    files = packedFiles(dir());
  }, 240_000);

  it("resolves to the TypeScript sources in the repository (jest, and ts-node in a child)", () => {
    expect(componentClasses(components)).toEqual(
      expect.arrayContaining(["ContainerApp", "Network", "PostgresServer"]),
    );
    const tsNode = path.join(ROOT, "node_modules", ".bin", "ts-node");
    const program =
      'import { ContainerApp } from "@secure-azure-platform/components"; console.log(typeof ContainerApp);';
    const out = spawnSync(tsNode, ["--transpile-only", "-e", program], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect({ status: out.status, stdout: out.stdout.trim(), stderr: out.stderr }).toEqual({
      status: 0,
      stdout: "function",
      stderr: "",
    });
  });

  it("packs compiled JavaScript and declarations for every module of the entry closure, controls/ included", () => {
    const sources = importClosure(path.join(ROOT, "components", "index.ts"), [".ts"]);
    expect(sources.missing).toEqual([]);
    const expected = sources.files.flatMap((f) => {
      const rel = path.relative(ROOT, f).split(path.sep).join("/").replace(/\.ts$/, "");
      return [`bin/${rel}.js`, `bin/${rel}.d.ts`];
    });
    expect(expected).toEqual(expect.arrayContaining(["bin/controls/limits.js", "bin/controls/limits.d.ts"]));
    expect(expected.filter((f) => !files.includes(f))).toEqual([]);
  });

  it("packs the entry points, and every file they reach, and nothing else (no sources, no tests)", () => {
    const m = manifest(dir());
    // `main` is the Pulumi plugin host (provider.ts), run from a git clone by `pulumi package
    // add`, never by npm consumers: Node resolves the package through `exports`.
    const targets = [
      m.types,
      ...Object.values(m.exports ?? {}).flatMap((e) => (typeof e === "string" ? [e] : Object.values(e))),
    ];
    for (const t of targets) expect(files).toContain(path.posix.normalize(t!));
    expect(unpacked(dir(), "bin/components/index.js", files)).toEqual([]);
    // npm always packs `main` (provider.ts, the plugin host): inert for npm consumers, whom Node
    // resolves through `exports`.
    const strays = files.filter(
      (f) =>
        !/^bin\/.+\.(js|d\.ts)$/.test(f) &&
        !["package.json", "entry.js", "CHANGELOG.md", "provider.ts"].includes(f),
    );
    expect(strays).toEqual([]);
    expect(files.filter((f) => /(^|\/)(test|__tests__)\/|\.test\./.test(f))).toEqual([]);
  });

  it("installed from its packed files alone (and its declared dependencies), exports every component class", () => {
    const m = manifest(dir());
    const installed = path.join(tmp, "consumer");
    const nodeModules = path.join(installed, "node_modules");
    install(dir(), files, path.join(nodeModules, "@secure-azure-platform", "components"), nodeModules, [
      ...Object.keys(m.dependencies ?? {}),
      ...Object.keys(m.peerDependencies ?? {}),
    ]);
    const script = [
      'const m = require("@secure-azure-platform/components");',
      'const { ComponentResource } = require("@pulumi/pulumi");',
      "const classes = Object.keys(m).filter((k) => typeof m[k] === 'function' && m[k].prototype instanceof ComponentResource);",
      "console.log(JSON.stringify({ keys: Object.keys(m).sort(), classes: classes.sort(), file: require.resolve('@secure-azure-platform/components') }));",
    ].join("\n");
    const out = JSON.parse(run(process.execPath, ["-e", script], installed)) as {
      keys: string[];
      classes: string[];
      file: string;
    };
    expect(out.classes).toEqual(componentClasses(components));
    expect(out.keys).toEqual(Object.keys(components).sort());
    expect(fs.realpathSync(out.file)).toBe(
      fs.realpathSync(
        path.join(installed, "node_modules", "@secure-azure-platform", "components", "entry.js"),
      ),
    );
  });

  it("gives a TypeScript consumer the declarations, under package.json types and exports alike", () => {
    const m = manifest(dir());
    const consumer = path.join(tmp, "ts-consumer");
    const nodeModules = path.join(consumer, "node_modules");
    install(dir(), files, path.join(nodeModules, "@secure-azure-platform", "components"), nodeModules, [
      ...Object.keys(m.dependencies ?? {}),
      ...Object.keys(m.peerDependencies ?? {}),
      "typescript",
      "@types/node",
    ]);
    // Typed outputs, and a missing export is an error: were the declarations not found, the
    // import would be `any` (or TS7016 under strict) and the expect-error below would be unused.
    fs.writeFileSync(
      path.join(consumer, "consumer.ts"),
      [
        'import type * as pulumi from "@pulumi/pulumi";',
        'import { PostgresServer } from "@secure-azure-platform/components";',
        "declare const db: PostgresServer;",
        "export const fqdn: pulumi.Output<string> = db.fqdn;",
        "// @ts-expect-error: not an export of the package",
        'export { NoSuchComponent } from "@secure-azure-platform/components";',
        "",
      ].join("\n"),
    );
    // node10 resolution reads package.json `types`, node16 the `exports` types condition: one file.
    const exportsTypes = (m.exports?.["."] as Record<string, string> | undefined)?.types;
    expect(path.posix.normalize(m.types ?? "")).toBe(path.posix.normalize(exportsTypes ?? "-"));
    const out = spawnSync(
      process.execPath,
      [
        path.join(nodeModules, "typescript", "bin", "tsc"),
        ...["--noEmit", "--strict", "--skipLibCheck", "--types", "node", "--target", "ES2022"],
        ...["--module", "node16", "--moduleResolution", "node16", "consumer.ts"],
      ],
      { cwd: consumer, encoding: "utf8", timeout: 120_000 },
    );
    expect({ status: out.status, stdout: out.stdout }).toEqual({ status: 0, stdout: "" });
  });
});

describe("the policy pack as `pulumi policy publish` packs it", () => {
  const dir = () => path.join(tmp, "policy");
  let files: string[];
  beforeAll(() => {
    // The pack's real build (scripts/build.js --pack, what `npm ci` and the publish workflow
    // run), on the copy: policy/bin laid out as in the repository, controls/ included.
    run(process.execPath, [path.join("scripts", "build.js"), "--pack"], tmp);
    files = packedFiles(dir());
  }, 120_000);

  it("has its compiled entry (package.json main) and every file the entry reaches, controls/ included", () => {
    const { main } = manifest(dir());
    expect(main).toMatch(/\.js$/);
    expect(files).toContain(path.posix.normalize(main));
    expect(files).toContain("PulumiPolicy.yaml");
    expect(files.filter((f) => f.startsWith("bin/controls/"))).not.toEqual([]);
    expect(unpacked(dir(), main, files)).toEqual([]);
    // pack.js loads the compiled pack by a computed path: its closure is checked from there.
    expect(files).toContain("bin/policy/index.js");
    expect(unpacked(dir(), "bin/policy/index.js", files)).toEqual([]);
    expect(files.filter((f) => f.endsWith(".ts"))).toEqual([]);
  });

  it("runs no npm lifecycle script: the CLI reads the tarball name from npm pack's stdout and npm-installs the pack", () => {
    // npm prints a script's banner on stdout even with --loglevel=error, which breaks
    // `pulumi policy publish` (pulumi/pulumi#6594); `prepare` would also run when the CLI
    // installs the downloaded pack, without the devDependencies a build needs.
    const lifecycle = ["prepare", "prepack", "postpack", "preinstall", "install", "postinstall"];
    expect(Object.keys(manifest(dir()).scripts ?? {}).filter((s) => lifecycle.includes(s))).toEqual([]);
  });

  it("serves from its packed files alone, with only its own dependencies installed", async () => {
    const pkgDir = path.join(tmp, "installed-pack", "package");
    install(
      dir(),
      files,
      pkgDir,
      path.join(pkgDir, "node_modules"),
      Object.keys(manifest(dir()).dependencies ?? {}),
    );
    const child = spawn(process.execPath, [manifest(pkgDir).main], {
      cwd: pkgDir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const port = await new Promise<string>((resolve, reject) => {
        let out = "";
        let err = "";
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          const line = /^(\d+)\s*$/m.exec(out);
          if (line) resolve(line[1]);
        });
        child.stderr.on("data", (c: Buffer) => (err += c.toString()));
        child.on("exit", (code) => reject(new Error(`the packed pack exited (${code}):\n${err}`)));
      });
      expect(Number(port)).toBeGreaterThan(0);
    } finally {
      child.kill();
    }
  }, 60_000);
});

describe("the components changelog (Keep a Changelog)", () => {
  const changelog = fs.readFileSync(path.join(ROOT, "components", "CHANGELOG.md"), "utf8");
  const versions = [...changelog.matchAll(/^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$/gm)];

  it("has an Unreleased section, then the package.json version as the newest release, dated", () => {
    expect(versions[0]?.[1]).toBe("Unreleased");
    const newest = versions[1];
    expect(newest?.[1]).toBe(manifest(path.join(ROOT, "components")).version);
    expect(newest?.[2]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("lists every component class of the release and links every version heading", () => {
    const release = changelog.slice(versions[1].index, versions[2]?.index);
    expect(componentClasses(components).filter((c) => !release.includes(`\`${c}\``))).toEqual([]);
    for (const v of versions)
      expect(changelog).toMatch(new RegExp(`^\\[${v[1].replace(/\./g, "\\.")}\\]: https://`, "m"));
  });
});
