/**
 * config/yamlText.ts: each YAML text a plan reads is parsed once per process (issue 17), and every
 * reader still gets what `yaml.parse` gives it.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
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

describe("values kept between runs (node_modules/.cache/secure-azure-platform/yaml-values.json)", () => {
  type YamlText = typeof import("../config/yamlText");
  let dir: string;
  let store: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sap-yaml-"));
    store = path.join(dir, "cache", "yaml-values.json");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /**
   * A fresh copy of config/yamlText.ts (a new run) keeping values in this test's file, and how often
   * it called the yaml package from then on (its parsers and node tests, the functions it uses; it
   * loads the package on first use, from this file's registry).
   */
  function freshRun(): { text: YamlText; yamlUses: () => number } {
    let text: YamlText | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      text = require("../config/yamlText") as YamlText;
    });
    text!.useStoreFile(store);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require("yaml") as typeof yaml;
    const spies = (["parse", "parseDocument", "parseAllDocuments", "isMap", "isScalar"] as const).map(
      (name) => jest.spyOn(exported, name),
    );
    const before = spies.map((spy) => spy.mock.calls.length);
    return {
      text: text!,
      yamlUses: () => spies.reduce((n, spy, i) => n + spy.mock.calls.length - before[i], 0),
    };
  }

  const repositoryTexts = [
    "Pulumi.yaml",
    "Pulumi.dev.yaml",
    "Pulumi.prod.yaml",
    "deploy/identities.yaml",
  ].map((rel) => fs.readFileSync(path.join(__dirname, "..", rel), "utf8"));

  /** `mappingScalars` as computed from the document itself. */
  function scalarsOf(text: string, key: string): unknown[] {
    const mapping = yaml.parseDocument(text).get(key);
    if (!yaml.isMap(mapping)) return [];
    return mapping.items.flatMap((pair) => {
      const name = yaml.isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof name !== "string" || !yaml.isScalar(pair.value) || pair.value.value === null) return [];
      const source = pair.value.source as unknown;
      return [{ key: name, ...(typeof source === "string" ? { source } : {}), value: pair.value.value }];
    });
  }

  it("a second run reads the repository's YAML without the yaml package, values equal to yaml.parse's", () => {
    const expected = repositoryTexts.map((text) => ({
      value: yaml.parse(text) as unknown,
      scalars: scalarsOf(text, "config"),
    }));
    const first = freshRun();
    repositoryTexts.forEach((text, i) => {
      expect(first.text.parseYamlText(text)).toEqual(expected[i].value);
      expect(first.text.mappingScalars(text, "config")).toEqual(expected[i].scalars);
    });
    expect(first.yamlUses()).toBeGreaterThan(0);
    expect(fs.existsSync(store)).toBe(true);

    const second = freshRun();
    repositoryTexts.forEach((text, i) => {
      const value = second.text.parseYamlText(text);
      expect(value).toEqual(expected[i].value);
      expect(second.text.mappingScalars(text, "config")).toEqual(expected[i].scalars);
      // Each caller its own value.
      expect(second.text.parseYamlText(text)).not.toBe(value);
    });
    expect(second.yamlUses()).toBe(0);
  });

  it("keeps no value JSON would not give back exactly, nor a text with warnings", () => {
    const texts = {
      alias: "a: &x {b: 1}\nc: *x\n",
      infinity: "a: .inf\nb: .nan\n",
      negativeZero: "a: -0.0\n",
      binary: "a: !!binary aGVsbG8=\n",
      warning: "%FOO bar\n---\na: 1\n",
    };
    const binary = yaml.parse(texts.binary) as unknown;
    const warned = jest.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const first = freshRun();
    for (const text of Object.values(texts)) first.text.parseYamlText(text);
    const fromFirst = warned.mock.calls.length;
    expect(fromFirst).toBeGreaterThan(0);
    expect(fs.existsSync(store)).toBe(false);

    const second = freshRun();
    const alias = second.text.parseYamlText(texts.alias) as { a: unknown; c: unknown };
    expect(alias.a).toBe(alias.c);
    expect(second.text.parseYamlText(texts.infinity)).toEqual({ a: Infinity, b: NaN });
    expect(Object.is((second.text.parseYamlText(texts.negativeZero) as { a: number }).a, -0)).toBe(true);
    expect(second.text.parseYamlText(texts.binary)).toEqual(binary);
    expect(second.text.parseYamlText(texts.warning)).toEqual({ a: 1 });
    expect(warned.mock.calls.length).toBe(2 * fromFirst);
    expect(second.yamlUses()).toBeGreaterThan(0);
  });

  it("ignores a damaged file or one of another yaml version, and replaces it", () => {
    const text = repositoryTexts[0];
    const expected = yaml.parse(text) as unknown;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const version = (require("yaml/package.json") as { version: string }).version;
    const hash = createHash("sha256").update(text).digest("hex");
    // An entry for this very text of another shape (edited by hand): parsed, never served.
    const badEntry = JSON.stringify({ format: 1, yaml: version, texts: { [hash]: 5 } });
    for (const damaged of ["{not json", JSON.stringify({ format: 1, yaml: "0.0.0", texts: {} }), badEntry]) {
      fs.mkdirSync(path.dirname(store), { recursive: true });
      fs.writeFileSync(store, damaged);
      const run = freshRun();
      expect(run.text.parseYamlText(text)).toEqual(expected);
      expect(run.yamlUses()).toBeGreaterThan(0);
      const again = freshRun();
      expect(again.text.parseYamlText(text)).toEqual(expected);
      expect(again.yamlUses()).toBe(0);
    }
  });

  it("keeps the last STORED texts", () => {
    const first = freshRun();
    const texts = Array.from({ length: first.text.STORED + 2 }, (_, i) => `n: ${i}\n`);
    for (const text of texts) first.text.parseYamlText(text);
    const second = freshRun();
    for (const text of texts.slice(2)) second.text.parseYamlText(text);
    expect(second.yamlUses()).toBe(0);
    second.text.parseYamlText(texts[0]);
    expect(second.yamlUses()).toBeGreaterThan(0);
  });

  it("isJsonExact", () => {
    const { isJsonExact } = freshRun().text;
    expect(isJsonExact({ a: [1, "x", true, null, { b: -1.5 }] })).toBe(true);
    const shared = { b: 1 };
    for (const value of [
      { a: shared, c: shared },
      [NaN],
      -0,
      { a: undefined },
      new Date(0),
      Array<number>(2).fill(1, 1),
      Object.create(null),
    ])
      expect(isJsonExact(value)).toBe(false);
  });
});
