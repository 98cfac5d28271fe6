/**
 * The streaming export reader (lib/analyzer/stream.ts) against `JSON.parse` of the whole file:
 * the same resources and document in every layout (compact, indented, tabs, CRLF, a BOM,
 * multi-byte characters across chunk boundaries, brackets and escapes inside strings), `plain`
 * only where no secret or unknown can hide, `StreamBail` for everything it cannot vouch for,
 * and `evaluateExportFile` equal to `evaluateStackExport` of the parsed document.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadPackConfig } from "../../lib/analyzer/config";
import { evaluateStackExport } from "../../lib/analyzer/evaluate";
import { UNKNOWN_SENTINEL, UNKNOWN_SENTINEL_STRINGS } from "../../lib/analyzer/server";
import { evaluateExportFile, ExportReader, StreamBail } from "../../lib/analyzer/stream";
import { syntheticExport } from "../../lib/analyzer/synthetic";
import { jsonClone } from "../../lib/analyzer/paths";
import { SECRET_SIG, SIG_KEY, type StackExport } from "../../policy/common/pulumiFormat";
import { sharedExport } from "../helpers/plans";
import { expectEqual } from "../helpers/equal";
import { runMain } from "../helpers/cli";
import { main } from "../../scripts/analyze";

let dir: string;
let prod: StackExport;
/** A synthetic export of about 2 MB: more than one read chunk (1 MiB). */
let big: StackExport;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "stream-"));
  prod = await sharedExport("prod");
  big = syntheticExport({ template: prod, resources: 800 }).doc;
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** Everything the reader returns for `file`. */
function read(file: string): { doc: Record<string, unknown>; resources: unknown[]; plain: boolean[] } {
  const reader = new ExportReader(file, UNKNOWN_SENTINEL_STRINGS);
  try {
    const resources: unknown[] = [];
    const plain: boolean[] = [];
    for (let e = reader.next(); e !== undefined; e = reader.next()) {
      resources.push(e.value);
      plain.push(e.plain);
    }
    return { doc: reader.document(), resources, plain };
  } finally {
    reader.close();
  }
}

/** The reader's view put together, to compare with `JSON.parse` of the whole text. */
function whole(file: string): unknown {
  const { doc, resources } = read(file);
  (doc.deployment as Record<string, unknown>).resources = resources;
  return doc;
}

describe("ExportReader reads what JSON.parse reads", () => {
  const layouts: [string, (doc: unknown) => string][] = [
    ["compact", (d) => JSON.stringify(d)],
    ["indented by 4 (pulumi stack export)", (d) => JSON.stringify(d, null, 4)],
    ["tabs and CRLF", (d) => JSON.stringify(d, null, "\t").replace(/\n/g, "\r\n")],
    ["a byte order mark", (d) => `\uFEFF${JSON.stringify(d, null, 2)}`],
  ];
  it.each(layouts)("%s", (_name, layout) => {
    const text = layout(big);
    expect(text.length).toBeGreaterThan(1 << 20);
    expect(whole(write("layout.json", text))).toEqual(JSON.parse(text.replace(/^\uFEFF/, "")));
  });

  it("multi-byte characters across chunk boundaries, and brackets, quotes and escapes inside strings", () => {
    const doc = jsonClone(big);
    doc.deployment.resources!.forEach((r, i) => {
      r.outputs = { ...r.outputs, note: `é✓😀 {[}] \\"${"ü".repeat(i % 7)}\\u0041 ,{"urn": 1}`, n: i };
    });
    const text = JSON.stringify(doc);
    expect(whole(write("unicode.json", text))).toEqual(JSON.parse(text));
  });

  it("the text between elements found inside an element (a string, nested objects, the last one) misleads nothing", () => {
    const doc = jsonClone(big);
    doc.deployment.resources!.forEach((r, i) => {
      if (i % 3 === 0) r.outputs = { ...r.outputs, note: `x},{"urn":"y`, n: i };
      if (i % 5 === 1) r.outputs = { ...r.outputs, list: [{ urn: "a" }, { urn: "b" }], m: { urn: i } };
    });
    for (const text of [JSON.stringify(doc), JSON.stringify(doc, null, 4)])
      expect(whole(write("lookalike.json", text))).toEqual(JSON.parse(text));
  });

  it("plain unless a secret, an unknown sentinel or an escaped string of their length is in the resource", () => {
    const doc = jsonClone(prod);
    const rs = doc.deployment.resources!;
    rs[3].outputs = { ...rs[3].outputs, secret: { [SIG_KEY]: SECRET_SIG, ciphertext: "x" } };
    rs[4].inputs = { ...rs[4].inputs, sku: UNKNOWN_SENTINEL };
    rs[5].inputs = { ...rs[5].inputs, sku: "marker" };
    // The same sentinel, written with escapes only a JSON parser decodes.
    const escaped = [...UNKNOWN_SENTINEL].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    const text = JSON.stringify(doc).replace('"marker"', `"${escaped.join("")}"`);
    expect((JSON.parse(text) as StackExport).deployment.resources![5].inputs!.sku).toBe(UNKNOWN_SENTINEL);
    const { plain } = read(write("plain.json", text));
    expect(plain.slice(3, 6)).toEqual([false, false, false]);
    // Plain exactly where nothing could hide (an escaped string of another length may be trusted too).
    const texts = doc.deployment.resources!.map((r) => JSON.stringify(r));
    texts.forEach((t, i) => {
      if (t.includes(SIG_KEY) || i === 4) expect(plain[i]).toBe(false);
      else if (!t.includes("\\") && i !== 5) expect(plain[i]).toBe(true);
    });
    expect(plain.filter((p) => p).length).toBeGreaterThan(plain.length / 2);
  });
});

describe("StreamBail for whatever the reader cannot vouch for (the caller reads the file whole)", () => {
  const text = () => JSON.stringify(prod, null, 2);
  const cases: [string, () => string][] = [
    ["invalid JSON", () => "{ not json"],
    ["a truncated file", () => text().slice(0, text().length / 2)],
    ["a resource that is not an object", () => text().replace('"resources": [', '"resources": [null, ')],
    ["a second resources key", () => text().replace('"resources": [', '"resources": [], "resources": [')],
    ["a second deployment key", () => text().replace(/\n}\s*$/, ',\n"deployment": {"resources": []}\n}')],
    [
      "a key near the top written with escapes",
      () => text().replace('"resources": [', '"resourc\\u0065s": ['),
    ],
    ["text after the document", () => `${text()} x`],
    ["a top-level array", () => `[${text()}]`],
    ["no resources array", () => JSON.stringify({ version: 3, deployment: { manifest: {} } })],
  ];
  it.each(cases)("%s", (_name, make) => {
    expect(() => read(write("bad.json", make()))).toThrow(StreamBail);
  });

  it("a missing file and a directory", () => {
    expect(() => read(path.join(dir, "nope.json"))).toThrow(StreamBail);
    fs.mkdirSync(path.join(dir, "a-dir.json"));
    expect(() => read(path.join(dir, "a-dir.json"))).toThrow(StreamBail);
  });

  it("a malformed resource, an export with nothing to evaluate, a provider after its use", async () => {
    const malformed = jsonClone(prod);
    (malformed.deployment.resources![5] as unknown as Record<string, unknown>).dependencies = "urn:x";
    const providersOnly = jsonClone(prod);
    providersOnly.deployment.resources = prod.deployment.resources!.filter((r) =>
      r.type.startsWith("pulumi:providers:"),
    );
    const providerLast = jsonClone(prod);
    const rs = providerLast.deployment.resources!;
    rs.push(
      ...rs.splice(
        rs.findIndex((r) => r.type === "pulumi:providers:azure-native"),
        1,
      ),
    );
    for (const doc of [malformed, providersOnly, providerLast]) {
      await expect(evaluateExportFile(write("refused.json", JSON.stringify(doc)))).rejects.toThrow(
        StreamBail,
      );
    }
  });
});

describe("evaluateExportFile is evaluateStackExport of the parsed file", () => {
  it.each([
    ["prod, prod preset, with outcomes", "prod", true, false],
    ["the big synthetic export, dev preset, deployed", "dev", false, true],
  ] as const)("%s", async (_name, preset, outcomes, deployed) => {
    const doc = preset === "prod" ? prod : big;
    const file = write("same.json", JSON.stringify(doc, null, 2));
    const options = { config: loadPackConfig(preset), outcomes, deployed };
    const streamed = await evaluateExportFile(file, options);
    const parsed = await evaluateStackExport(JSON.parse(fs.readFileSync(file, "utf8")) as StackExport, {
      ...options,
      file,
    });
    expectEqual(streamed, parsed);
    expect(streamed.violations.length + streamed.outcomes.length).toBeGreaterThan(0);
  });

  it("an unknown value read by a policy is reported as unknown, not passed (plain only when no sentinel)", async () => {
    const doc = jsonClone(prod);
    const account = doc.deployment.resources!.find((r) => r.type === "azure-native:storage:StorageAccount")!;
    account.inputs = { ...account.inputs, minimumTlsVersion: UNKNOWN_SENTINEL };
    const file = write("unknown.json", JSON.stringify(doc));
    const streamed = await evaluateExportFile(file, { config: loadPackConfig("prod") });
    expect(streamed.unknowns.some((u) => u.urn === account.urn)).toBe(true);
    expectEqual(streamed, await evaluateStackExport(doc, { config: loadPackConfig("prod"), file }));
  });
});

describe("policy:analyze on a file the reader hands over", () => {
  it("a provider after its use: read whole, the same report as with the provider first", async () => {
    const providerLast = jsonClone(prod);
    const rs = providerLast.deployment.resources!;
    rs.push(
      ...rs.splice(
        rs.findIndex((r) => r.type === "pulumi:providers:azure-native"),
        1,
      ),
    );
    const first = await runMain(main, "--stack", "dev", "--json", write("first.json", JSON.stringify(prod)));
    const last = await runMain(
      main,
      "--stack",
      "dev",
      "--json",
      write("first.json", JSON.stringify(providerLast)),
    );
    expect(first.status).toBe(1);
    expect(last).toEqual(first);
  });
});
