/**
 * Another team's Pulumi program directory (`npm run plan -- --program DIR --stack S`): its
 * `Pulumi.yaml` (project name, runtime, main) and `Pulumi.<S>.yaml`, checked before anything
 * loads, every problem at once. Dependency-free (fs, path, config/yamlText.ts) so the CLI answers a
 * bad directory at once. See docs/offline-plan.md, "Any program".
 */
import * as fs from "fs";
import * as path from "path";
import { parseYamlText } from "../../config/yamlText";

/** A program directory that passed `readProgramDir`. */
export interface ProgramDir {
  /** Absolute directory. */
  dir: string;
  /** `DIR/Pulumi.yaml`. */
  projectFile: string;
  /** `name:` of its Pulumi.yaml: the namespace of its own config keys. */
  project: string;
  /** The module the Node.js host would load (`main:`, package.json `main`, or index.ts/index.js). */
  main: string;
}

/** Runtimes the offline plan can run: Pulumi's Node.js host (TypeScript or JavaScript). */
const RUNTIME = "nodejs";
const INDEX_FILES = ["index.ts", "index.js"];

function stat(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

/** The file Node.js would load for `target` (a file, or a directory with package.json `main`/index). */
function entryFile(target: string): string | undefined {
  const s = stat(target);
  if (s?.isFile()) return target;
  if (!s?.isDirectory()) {
    // `main: src/index` without an extension resolves like a require().
    return [".ts", ".js"].map((ext) => target + ext).find((f) => stat(f)?.isFile());
  }
  const pkgFile = path.join(target, "package.json");
  if (stat(pkgFile)?.isFile()) {
    try {
      const main = (JSON.parse(fs.readFileSync(pkgFile, "utf8")) as { main?: unknown }).main;
      if (typeof main === "string" && main.length > 0) {
        const file = entryFile(path.resolve(target, main));
        if (file) return file;
      }
    } catch {
      // An unreadable package.json: Node.js falls back to index.js too.
    }
  }
  return INDEX_FILES.map((f) => path.join(target, f)).find((f) => stat(f)?.isFile());
}

/** Stack names with a `Pulumi.<name>.yaml` in `dir`. */
export function stacksIn(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/**
 * Checks `dir` as a Pulumi Node.js program with a configuration for `stack` (or `stackFile`):
 * the program, or every problem, each naming the file and what is expected.
 */
export function readProgramDir(
  dir: string,
  stack: string,
  options: { stackFile?: string } = {},
): { program?: ProgramDir; problems: string[] } {
  const shown = path.relative(process.cwd(), dir) || dir;
  const s = stat(dir);
  if (!s) return { problems: [`--program ${shown}: no such directory`] };
  if (!s.isDirectory()) return { problems: [`--program ${shown}: not a directory`] };
  const projectFile = path.join(dir, "Pulumi.yaml");
  if (!stat(projectFile)?.isFile()) {
    return {
      problems: [
        `--program ${shown}: no Pulumi.yaml (a Pulumi project directory has one, with name and runtime)`,
      ],
    };
  }
  let doc: unknown;
  try {
    doc = parseYamlText(fs.readFileSync(projectFile, "utf8"));
  } catch (err) {
    return { problems: [`--program ${shown}: Pulumi.yaml is not valid YAML: ${(err as Error).message}`] };
  }
  const project = (doc ?? {}) as { name?: unknown; runtime?: unknown; main?: unknown };
  const problems: string[] = [];
  const where = `--program ${shown}: Pulumi.yaml`;
  if (typeof project.name !== "string" || !/^[A-Za-z0-9_.-]+$/.test(project.name)) {
    problems.push(
      `${where} name ${JSON.stringify(project.name ?? null)}: needs a project name (letters, digits, '.', '_' or '-')`,
    );
  }
  const runtime =
    typeof project.runtime === "object" && project.runtime !== null
      ? (project.runtime as { name?: unknown }).name
      : project.runtime;
  if (runtime !== RUNTIME) {
    problems.push(
      `${where} runtime ${JSON.stringify(runtime ?? null)}: the offline plan runs ${RUNTIME} programs (TypeScript or JavaScript) only`,
    );
  }
  let main: string | undefined;
  if (project.main !== undefined && typeof project.main !== "string") {
    problems.push(`${where} main ${JSON.stringify(project.main)}: must be a path relative to the project`);
  } else {
    const target = path.resolve(dir, typeof project.main === "string" ? project.main : ".");
    main = entryFile(target);
    if (!main) {
      problems.push(
        typeof project.main === "string"
          ? `${where} main ${JSON.stringify(project.main)}: no such file (nor package.json main, index.ts or index.js in it)`
          : `--program ${shown}: no program to run (Pulumi.yaml has no main:, and there is no package.json main, index.ts or index.js)`,
      );
    }
  }
  const stackFile = options.stackFile ?? path.join(dir, `Pulumi.${stack}.yaml`);
  if (!stat(stackFile)?.isFile()) {
    problems.push(
      options.stackFile
        ? `--stack-file ${options.stackFile}: no such file`
        : `--program ${shown}: no Pulumi.${stack}.yaml for stack ${stack} (stacks: ${stacksIn(dir).join(", ") || "none"})`,
    );
  }
  if (problems.length > 0 || !main) return { problems };
  return { program: { dir, projectFile, project: project.name as string, main }, problems };
}
