import * as fs from "fs";
import { POLICY_DOC, renderPolicyDoc } from "../../scripts/policy-docs";
import { platformPolicies } from "../../policy/policies";
import { CONTROL_IDS } from "../../policy/lib/types";

describe("docs/policy.md", () => {
  const current = fs.readFileSync(POLICY_DOC, "utf8");

  it("lists every policy of the pack as the policies describe themselves (run npm run docs:policies)", () => {
    expect(current).toBe(renderPolicyDoc(current));
  });

  it("has one row per policy", () => {
    for (const p of platformPolicies) expect(current).toContain(`| \`${p.name}\` |`);
  });
});

describe("README.md", () => {
  it("states the pack's current number of policies", () => {
    const readme = fs.readFileSync(require.resolve("../../README.md"), "utf8");
    expect(readme).toMatch(new RegExp(`\\b${platformPolicies.length} policies\\b`));
    for (const m of readme.matchAll(/\b(\d+) policies\b/g))
      expect(Number(m[1])).toBe(platformPolicies.length);
  });
});

describe("policy/PulumiPolicy.yaml", () => {
  it("names every control of the catalog in the description `pulumi policy publish` shows", () => {
    const text = fs.readFileSync(require.resolve("../../policy/PulumiPolicy.yaml"), "utf8");
    // `ENC-1/2` stands for ENC-1 and ENC-2, as the description writes pairs.
    const named = new Set(
      [...text.matchAll(/\b([A-Z]+)-(\d)(?:\/(\d))?\b/g)].flatMap(([, id, a, b]) =>
        [a, b].filter(Boolean).map((n) => `${id}-${n}`),
      ),
    );
    expect(CONTROL_IDS.filter((id) => !named.has(id))).toEqual([]);
  });
});
