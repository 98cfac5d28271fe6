/**
 * What a TypeScript or JavaScript file imports, read with the TypeScript scanner (import,
 * `export ... from`, `import type`, require, dynamic import; comments and strings excluded),
 * and the closure of relative imports from an entry point. Shared by the package-boundary and
 * packaging tests.
 */
import * as fs from "fs";
import { builtinModules } from "module";
import * as path from "path";
import * as ts from "typescript";

/** Every module specifier in a file, in order. */
export function specifiersOf(file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

export const isRelative = (spec: string): boolean => spec.startsWith("./") || spec.startsWith("../");

/** `@scope/name/sub/path` -> `@scope/name`; `name/sub` -> `name`. */
export function packageNameOf(spec: string): string {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

export const isBuiltin = (spec: string): boolean =>
  spec.startsWith("node:") || builtinModules.includes(spec.split("/")[0]);

/** The file a relative specifier loads, as Node (with ts-node or jest) resolves it, or undefined. */
export function resolveRelative(
  from: string,
  spec: string,
  extensions: readonly string[],
): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  const candidates = [
    base,
    ...extensions.map((e) => base + e),
    ...extensions.map((e) => path.join(base, `index${e}`)),
  ];
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
}

/**
 * Every file reachable from `entry` through relative imports (entry included), sorted. A
 * relative import that resolves to no file is returned in `missing` as `file -> specifier`.
 */
export function importClosure(
  entry: string,
  extensions: readonly string[],
): { files: string[]; missing: string[] } {
  const seen = new Set<string>();
  const missing: string[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of specifiersOf(file).filter(isRelative)) {
      const target = resolveRelative(file, spec, extensions);
      if (target) queue.push(target);
      else missing.push(`${file} -> ${spec}`);
    }
  }
  return { files: [...seen].sort(), missing };
}

/** Source files under a folder (recursively), skipping dependencies and build output. */
export function sourceFiles(dir: string, extensions: readonly string[] = [".ts"]): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && extensions.some((x) => e.name.endsWith(x)))
    .map((e) => path.join(e.parentPath, e.name))
    .filter(
      (f) =>
        !path
          .relative(dir, f)
          .split(path.sep)
          .some((p) => p === "node_modules" || p === "bin"),
    )
    .sort();
}
