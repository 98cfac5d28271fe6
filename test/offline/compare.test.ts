/**
 * The before/after comparison of plan outputs (lib/offline/compare.ts, scripts/compare-plans.ts):
 * only the order an output takes from registration may differ; anything else is a difference.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import {
  compareChangePreview,
  compareExports,
  compareJson,
  compareLines,
  compareReports,
  compareText,
  sharedAliasCandidates,
} from "../../lib/offline/compare";
import { STACK_TYPE, type StackExport, type StackExportResource } from "../../policy/common/pulumiFormat";

const text = (tree: string[], done = "Done in 1.0 s.") =>
  [
    "Offline plan of stack dev (p), from /tmp/a/Pulumi.dev.yaml",
    "",
    "pulumi:pulumi:Stack  p-dev",
    ...tree,
    "",
    "Total: 3",
    done,
  ].join("\n");

describe("compareText", () => {
  const tree = ["├─ c:index:Box  box", "│  ├─ x:y:A  a", "│  └─ x:y:B  b", "└─ x:y:R  rg"];

  it("ignores durations and where files were read from", () => {
    const other = text(tree, "Done in 9.9 s.").replace("/tmp/a/", "../b/");
    expect(compareText(text(tree), other)).toEqual({ verdict: "identical", details: [] });
  });

  it("tells siblings in another order from a changed tree", () => {
    const swapped = ["├─ c:index:Box  box", "│  ├─ x:y:B  b", "│  └─ x:y:A  a", "└─ x:y:R  rg"];
    expect(compareText(text(tree), text(swapped)).verdict).toBe("same up to order");
    // The same lines under another parent are another tree.
    const moved = ["├─ c:index:Box  box", "│  └─ x:y:A  a", "├─ x:y:B  b", "└─ x:y:R  rg"];
    expect(compareText(text(tree), text(moved)).verdict).toBe("different");
    expect(compareText(text(tree), text(tree).replace("Total: 3", "Total: 4")).details[0]).toMatch(
      /outside the tree, line \d+: "Total: 3" vs "Total: 4"/,
    );
  });

  it("takes violations of one severity in another order as the same, not other violations", () => {
    const violation = (policy: string, urn: string) => [
      `  [mandatory] [high] ${policy} (NET-1)`,
      `    resource: ${urn}`,
      "    remediation: fix it",
    ];
    const verdict = (...blocks: string[][]) =>
      text(tree).replace("Total: 3", ["Total: 3", ...blocks.flat()].join("\n"));
    const a = violation("p1", "urn:a");
    const b = violation("p2", "urn:b");
    expect(compareText(verdict(a, b), verdict(b, a))).toEqual({
      verdict: "same up to order",
      details: ["the verdict lists violations of one severity in another order"],
    });
    expect(compareText(verdict(a, b), verdict(a, violation("p2", "urn:c"))).verdict).toBe("different");
  });
});

describe("compareReports and compareLines", () => {
  const report = (rows: string[], time = "2026-01-01T00:00:00.000Z") =>
    [`Generated (${time}).`, "", "| a | b |", "|---|---|", ...rows, "", "end"].join("\n");

  it("ignore the report's time, take rows of a table in another order as the same", () => {
    expect(
      compareReports(
        report(["| 1 | x |", "| 2 | y |"]),
        report(["| 1 | x |", "| 2 | y |"], "2027-02-02T01:02:03.456Z"),
      ).verdict,
    ).toBe("identical");
    expect(
      compareReports(report(["| 1 | x |", "| 2 | y |"]), report(["| 2 | y |", "| 1 | x |"])).verdict,
    ).toBe("same up to order");
    expect(compareReports(report(["| 1 | x |"]), report(["| 1 | z |"])).verdict).toBe("different");
  });

  it("compare other text line by line", () => {
    expect(compareLines("a\nb", "a\nb").verdict).toBe("identical");
    expect(compareLines("a\nb", "b\na").verdict).toBe("same up to order");
    expect(compareLines("a\nb", "a\nc").verdict).toBe("different");
  });
});

describe("compareJson", () => {
  it("takes arrays as multisets", () => {
    expect(compareJson({ v: [1, { a: 2 }] }, { v: [1, { a: 2 }] }).verdict).toBe("identical");
    expect(compareJson({ v: [1, { a: 2 }] }, { v: [{ a: 2 }, 1] }).verdict).toBe("same up to order");
    expect(compareJson({ v: [1, 1] }, { v: [1] }).verdict).toBe("different");
  });
});

const stack: StackExportResource = {
  urn: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s",
  custom: false,
  type: STACK_TYPE,
};
const res = (name: string, fields: Partial<StackExportResource> = {}): StackExportResource => ({
  urn: `urn:pulumi:s::p::x:y:Z::${name}`,
  custom: true,
  type: "x:y:Z",
  id: name,
  parent: stack.urn,
  inputs: { name },
  ...fields,
});
const doc = (resources: StackExportResource[], time = "2026-01-01T00:00:00Z"): StackExport => ({
  version: 3,
  deployment: { manifest: { time, magic: "m", version: "v" }, resources },
});

describe("compareExports", () => {
  const a = res("a");
  const b = res("b", { dependencies: [a.urn] });

  it("ignores the time, takes resources in another valid order as the same", () => {
    expect(compareExports(doc([stack, a, b]), doc([stack, a, b], "2027-01-01T00:00:00Z")).verdict).toBe(
      "identical",
    );
    const c = res("c");
    expect(compareExports(doc([stack, a, b, c]), doc([stack, c, a, b])).verdict).toBe("same up to order");
  });

  it("names a resource that changed or is missing, and an order that is not a valid state", () => {
    const changed = compareExports(doc([stack, a, b]), doc([stack, a, { ...b, inputs: { name: "other" } }]));
    expect(changed.verdict).toBe("different");
    expect(changed.details).toEqual([`differs: ${b.urn}: inputs`]);
    expect(compareExports(doc([stack, a, b]), doc([stack, a])).details).toContain(`only before: ${b.urn}`);
    const invalid = compareExports(doc([stack, a, b]), doc([stack, b, a]));
    expect(invalid.verdict).toBe("different");
    expect(invalid.details[0]).toMatch(
      /^after: not a valid state: .*dependency .*::a is not listed before it/,
    );
  });
});

describe("compareChangePreview and sharedAliasCandidates", () => {
  it("previews nothing between the same resources, and names what would change", () => {
    const a = res("a");
    expect(compareChangePreview(doc([stack, a]), doc([stack, a])).verdict).toBe("identical");
    const preview = compareChangePreview(doc([stack, a]), doc([stack, a, res("b")]));
    expect(preview.details).toEqual(["before -> after: 1 create", "after -> before: 1 delete"]);
  });

  it("finds an old URN two resources could be found under, also through a parent's alias", () => {
    const old = "urn:pulumi:s::p::x:y:Z::old";
    expect(sharedAliasCandidates(doc([stack, res("a", { aliases: [old] }), res("b")]))).toEqual([]);
    expect(
      sharedAliasCandidates(doc([stack, res("a", { aliases: [old] }), res("b", { aliases: [old] })])),
    ).toEqual([`${old}: urn:pulumi:s::p::x:y:Z::a and urn:pulumi:s::p::x:y:Z::b`]);
    // A child inherits its parent's candidates: under the parent's old URN it is `x:y:Z$x:y:Z::c`.
    const parent = res("p", { aliases: [old] });
    const child = res("c", { urn: "urn:pulumi:s::p::x:y:Z$x:y:Z::c", parent: parent.urn });
    const clash = res("d", { aliases: ["urn:pulumi:s::p::x:y:Z$x:y:Z::c"] });
    expect(sharedAliasCandidates(doc([stack, parent, child, clash]))).toHaveLength(1);
  });
});

it("scripts/compare-plans.ts refuses bad usage with exit 2, naming each problem", () => {
  const root = path.resolve(__dirname, "..", "..");
  const r = spawnSync(
    process.execPath,
    [path.join(root, "scripts", "launch.js"), "scripts/compare-plans.ts", "--apps", "0", "--befor", "x"],
    { cwd: root, encoding: "utf8" },
  );
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('--apps "0": not a number of apps (1 to 9999)');
  expect(r.stderr).toContain("unknown option --befor (did you mean --before?)");
  expect(r.stderr).toContain("--before is required");
});
