/**
 * The commands the docs name inline (`npm run <script> -- <flags>` in backticks, in README.md,
 * BENCHMARKS.md, docs/, components/ and examples/ Markdown), which test/docsCommands.test.ts does
 * not run (they hold placeholders such as FILE): each names an npm script of package.json, and
 * each flag it shows is one that script accepts (its own usage text names it). docs/offline-plan.md
 * used to send readers to `npm run analyze`, which does not exist.
 */
import * as fs from "fs";
import * as path from "path";
import { ROOT, runScript } from "./helpers/cli";

const scripts = (
  JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;

const markdown = (dir: string): string[] =>
  fs.existsSync(path.join(ROOT, dir))
    ? fs
        .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".md") && !f.includes("node_modules"))
        .map((f) => path.join(dir, f))
    : [];
const DOCS = [
  "README.md",
  "BENCHMARKS.md",
  ...markdown("docs"),
  ...markdown("components"),
  ...markdown("examples"),
];

interface Inline {
  doc: string;
  script: string;
  flags: string[];
}

/** `npm run [-s] <script> [-- args]` inside backticks (placeholders such as `...` and `<name>` allowed). */
const inline: Inline[] = DOCS.flatMap((doc) =>
  [
    ...fs
      .readFileSync(path.join(ROOT, doc), "utf8")
      .matchAll(/`npm run (?:-s |--silent )?([a-z][\w:-]*)([^`]*)`/g),
  ].map(([, script, rest]) => ({
    doc,
    script,
    flags: [...(rest.split(/\s--\s/)[1] ?? "").matchAll(/(?:^|\s)(--[a-z][\w-]*)/g)].map((m) => m[1]),
  })),
);

describe("commands named inline in the docs", () => {
  it("are found (the docs name plan, policy:analyze and bench with flags)", () => {
    expect(inline.filter((c) => c.flags.length > 0).map((c) => c.script)).toEqual(
      expect.arrayContaining(["plan", "policy:analyze", "bench"]),
    );
  });

  it.each([...new Set(inline.map((c) => c.script))])("npm run %s is a script of package.json", (script) => {
    const where = inline.filter((c) => c.script === script).map((c) => c.doc);
    expect({ script, where, exists: script in scripts }).toEqual({ script, where, exists: true });
  });

  const flagged = [
    ...new Set(inline.filter((c) => c.flags.length > 0 && c.script in scripts).map((c) => c.script)),
  ];
  it.each(flagged)("npm run %s: every flag the docs show is one its usage names", (script) => {
    const file = /scripts\/([\w-]+)\.ts/.exec(scripts[script])?.[1];
    expect(file).toBeDefined();
    // `--help` prints the usage (bench refuses it and lists what it allows: the same names).
    const help = runScript(file ?? "", "--help");
    const usage = `${help.stdout}\n${help.stderr}`;
    const shown = [...new Set(inline.filter((c) => c.script === script).flatMap((c) => c.flags))];
    const unknown = shown.filter((flag) => !new RegExp(`${flag}\\b`).test(usage));
    expect({ script, unknown }).toEqual({ script, unknown: [] });
  });
});

describe("repository paths named in README.md, docs/ and the examples' READMEs", () => {
  const TOP =
    /`((?:components|lib|policy|scripts|config|controls|test|deploy|docs|examples|\.github|\.ci)\/[\w./-]*)`/g;
  const named = ["README.md", ...markdown("docs"), ...markdown("examples")].flatMap((doc) =>
    [...fs.readFileSync(path.join(ROOT, doc), "utf8").matchAll(TOP)].map((m) => ({ doc, file: m[1] })),
  );

  it("are found", () => {
    expect(named.length).toBeGreaterThan(20);
  });

  it("exist (docs/container-apps.md named the secret heuristic at a path it left long ago)", () => {
    const missing = named.filter(({ file }) => !fs.existsSync(path.join(ROOT, file)));
    expect(missing).toEqual([]);
  });
});
