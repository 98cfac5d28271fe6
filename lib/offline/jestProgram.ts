/**
 * A program module loaded afresh inside jest, as `loadProgram` (plan.ts) loads it afresh in a
 * plain Node process for a second plan: the program's own modules (under the repository, the
 * components workspace included) are evaluated again, the installed packages (node_modules: the
 * SDK, the providers, zod, yaml...) are the ones the test file already loaded (issue 17).
 *
 * `jest.isolateModules` alone gives the program a new registry for everything, so each plan under
 * jest loaded and compiled about a thousand SDK and provider modules again and ran them cold
 * (never optimized): a plan cost about twice what it costs the CLI. Here the packages the
 * program's modules require are registered (`jest.doMock`, as test/configSecrets.test.ts does) as
 * the test file's own instances for the time of the load, then unregistered; the SDK's runtime
 * state lives on `global` either way, so the mocks reach the program exactly as before.
 */
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";

const PACKAGE_REQUIRE = /\brequire\("([^"./][^"]*)"\)|\brequire\("(\.{1,2}(?:\/[^"]*)?)"\)/g;
const EXTENSIONS = [".ts", ".js", ".json"];

/** The file a relative specifier loads (jest's and our launcher's extension order), or undefined. */
function resolveRelative(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [
    base,
    ...EXTENSIONS.map((e) => base + e),
    ...EXTENSIONS.map((e) => path.join(base, `index${e}`)),
  ]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** What a module runs: the compiled JavaScript of a .ts file (what jest's transform serves), else its text. */
function codeOf(file: string): string {
  if (!file.endsWith(".ts")) return fs.readFileSync(file, "utf8");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { compiledSource } = require("../../scripts/build.js") as { compiledSource: (f: string) => string };
  return compiledSource(file);
}

const isInstalled = (file: string) => file.split(path.sep).includes("node_modules");

/**
 * The installed packages the program's modules require, as specifiers that resolve from this
 * file to the same file they resolve to from the requiring module (so a mock registered here is
 * the one that module gets): the closure of `main` through relative requires and workspace
 * packages (which resolve into the repository), stopping at node_modules and Node's builtins.
 */
const closures = new Map<string, string[]>();
function installedRequires(main: string): string[] {
  const cached = closures.get(main);
  if (cached) return cached;
  const here = createRequire(__filename);
  const shared = new Set<string>();
  const seen = new Set<string>();
  const queue = [main];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file) || file.endsWith(".json")) continue;
    seen.add(file);
    for (const m of codeOf(file).matchAll(PACKAGE_REQUIRE)) {
      const [, bare, relative] = m;
      if (relative !== undefined) {
        const target = resolveRelative(file, relative);
        if (target) queue.push(target);
        continue;
      }
      if (bare.startsWith("node:") || createRequire(file).resolve.paths(bare) === null) continue;
      let target: string;
      try {
        target = createRequire(file).resolve(bare);
      } catch {
        continue; // not installed: the program's own require reports it, as before
      }
      if (!isInstalled(target)) queue.push(target);
      else if (resolvesTo(here, bare) === target) shared.add(bare);
    }
  }
  const list = [...shared].sort();
  closures.set(main, list);
  return list;
}

function resolvesTo(req: NodeJS.Require, spec: string): string | undefined {
  try {
    return req.resolve(spec);
  } catch {
    return undefined;
  }
}

/** `require(main)` in a fresh jest module registry that shares the installed packages already loaded. */
export function requireProgramUnderJest(main: string): unknown {
  const packages = installedRequires(main);
  // The test file's instances (loaded now if the file has not yet), taken outside the isolation.
  const instances = packages.map((spec) => [spec, jest.requireActual<object>(spec)] as const);
  let exported: unknown;
  try {
    for (const [spec, instance] of instances) jest.doMock(spec, () => instance);
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      exported = require(main);
    });
  } finally {
    for (const [spec] of instances) jest.dontMock(spec);
  }
  return exported;
}
