/**
 * config/yamlText.ts: each YAML text a plan reads is parsed once per process (issue 17), and every
 * reader still gets what `yaml.parse` gives it.
 */
import * as fs from "fs";
import * as yaml from "yaml";
import { projectDeclarations, PROJECT_FILE } from "../config";
import { IDENTITIES_FILE, loadDeployIdentities } from "../config/identities";
import { parseYamlText } from "../config/yamlText";
import { readStackConfig } from "../lib/offline/stackConfig";

afterEach(() => jest.restoreAllMocks());

/** How often each of `texts` went through the yaml package's parser (`parse` or `parseDocument`). */
function parsesOf(texts: string[], run: () => void): number[] {
  // The package's own exports object, which the readers call through (`import * as` would be a copy).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = require("yaml") as typeof yaml;
  const parseDocument = jest.spyOn(exported, "parseDocument");
  const parse = jest.spyOn(exported, "parse");
  run();
  const seen = [...parseDocument.mock.calls, ...parse.mock.calls].map((call) => call[0]);
  return texts.map((text) => seen.filter((s) => s === text).length);
}

test("a plan's readers parse Pulumi.yaml, the stack file and the identities file at most once each", () => {
  const project = fs.readFileSync(PROJECT_FILE, "utf8");
  const identities = fs.readFileSync(IDENTITIES_FILE, "utf8");
  const counts = parsesOf([project, identities], () => {
    // What `npm run plan` does with them: the stack config, the config check, the program's loader,
    // the program's identities and the permission check.
    readStackConfig("prod");
    projectDeclarations();
    projectDeclarations();
    loadDeployIdentities();
    loadDeployIdentities();
  });
  for (const count of counts) expect(count).toBeLessThanOrEqual(1);
});

test("each caller gets its own value, equal to yaml.parse's", () => {
  const text = "a:\n  b: [1, two, {c: true}]\nd: ~\n";
  const first = parseYamlText(text) as { a: { b: unknown[] } };
  expect(first).toEqual(yaml.parse(text));
  first.a.b.push("changed");
  expect(parseYamlText(text)).toEqual(yaml.parse(text));
  expect(parseYamlText(text)).not.toBe(parseYamlText(text));
});

test("bad YAML throws yaml.parse's error on every call, warnings go to the process each time", () => {
  const bad = "a: [1, 2\nb: c\n";
  const expected = (() => {
    try {
      yaml.parse(bad);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error("yaml.parse accepted the bad text");
  })();
  expect(() => parseYamlText(bad)).toThrow(expected);
  expect(() => parseYamlText(bad)).toThrow(expected);

  const warned = jest.spyOn(process, "emitWarning").mockImplementation(() => undefined);
  const withWarning = "%FOO bar\n---\na: 1\n";
  yaml.parse(withWarning);
  const fromYaml = warned.mock.calls.length;
  expect(fromYaml).toBeGreaterThan(0);
  warned.mockClear();
  expect(parseYamlText(withWarning)).toEqual({ a: 1 });
  expect(parseYamlText(withWarning)).toEqual({ a: 1 });
  expect(warned.mock.calls.length).toBe(2 * fromYaml);
});
