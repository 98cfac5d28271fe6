/**
 * Package boundaries (issue 16). Two folders ship on their own: components/ as the npm package
 * @secure-azure-platform/components and policy/ as the CrossGuard pack. Each may import only
 * itself, the dependency-free rules in controls/ (which both builds include), Node built-ins and
 * the npm packages its own package.json declares; controls/ imports nothing but controls/.
 * Type-only imports count: they end up in the published declarations.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "./helpers/cli";
import { isBuiltin, isRelative, packageNameOf, sourceFiles, specifiersOf } from "./helpers/imports";

interface Boundary {
  /** Folder whose files are checked (relative to `root`). */
  folder: string;
  /** Folders a relative import may land in (relative to `root`). */
  inside: string[];
  /** npm packages it may import (by package name). */
  packages: string[];
}

/** Every import of a file under `folder` that leaves the boundary, as `file: specifier`. */
function escapes(root: string, b: Boundary): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(path.join(root, b.folder), [".ts", ".js"])) {
    for (const spec of specifiersOf(file)) {
      const ok = isRelative(spec)
        ? b.inside.some((dir) => {
            const rel = path.relative(path.join(root, dir), path.resolve(path.dirname(file), spec));
            return !rel.startsWith("..") && !path.isAbsolute(rel);
          })
        : isBuiltin(spec) || b.packages.includes(packageNameOf(spec));
      if (!ok) out.push(`${path.relative(root, file)}: ${spec}`);
    }
  }
  return out;
}

/** The packages a package.json lets its code import at run time. */
function declared(manifest: string): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, manifest), "utf8")) as Record<
    string,
    Record<string, string> | undefined
  >;
  return [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
}

describe("package boundaries", () => {
  it("components/ imports only components/, controls/, Node built-ins and what components/package.json declares", () => {
    const boundary = {
      folder: "components",
      inside: ["components", "controls"],
      packages: declared("components/package.json"),
    };
    expect(escapes(ROOT, boundary)).toEqual([]);
  });

  it("policy/ imports only policy/, controls/, Node built-ins and what policy/package.json declares", () => {
    const boundary = {
      folder: "policy",
      inside: ["policy", "controls"],
      packages: declared("policy/package.json"),
    };
    expect(escapes(ROOT, boundary)).toEqual([]);
  });

  it("controls/ is dependency-free: it imports nothing but controls/", () => {
    expect(escapes(ROOT, { folder: "controls", inside: ["controls"], packages: [] })).toEqual([]);
  });

  it("catches every way out: a stack folder, a relative climb, an undeclared package, a type-only import", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "boundaries-"));
    try {
      fs.mkdirSync(path.join(root, "components", "common"), { recursive: true });
      fs.writeFileSync(
        path.join(root, "components", "common", "bad.ts"),
        [
          '// import { nope } from "../../policy/x";  (a comment is not an import)',
          'import { a } from "../../config/network";',
          'import type { B } from "../../policy/lib/types";',
          'import { c } from "../../controls/limits";',
          'import { d } from "./sibling";',
          'import * as fs from "fs";',
          'import { z } from "zod";',
          'import { e } from "left-pad";',
          'const f = require("../../lib/offline/mocks");',
          "",
        ].join("\n"),
      );
      const found = escapes(root, {
        folder: "components",
        inside: ["components", "controls"],
        packages: ["zod"],
      });
      expect(found).toEqual([
        "components/common/bad.ts: ../../config/network",
        "components/common/bad.ts: ../../policy/lib/types",
        "components/common/bad.ts: left-pad",
        "components/common/bad.ts: ../../lib/offline/mocks",
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
