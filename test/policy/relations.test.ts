import type { PolicyResource } from "@pulumi/policy";
import { StackView } from "../../policy/lib/define";
import { ReferenceIndex, refersTo } from "../../policy/lib/relations";
import { get } from "../../policy/lib/props";

const RG = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults";
const resource = (name: string, props: Record<string, unknown>, dependencies: string[] = []) =>
  ({
    type: "azure-native:monitor:DiagnosticSetting",
    name,
    urn: `urn:${name}`,
    props,
    opts: {},
    dependencies: dependencies.map((urn) => ({ urn })),
    propertyDependencies: {},
    isSecret: () => false,
  }) as unknown as PolicyResource;

describe("ReferenceIndex", () => {
  // Targets with known IDs (any case, trailing slash), an empty ID and no ID (preview);
  // sources referring by ID, by a non-string value plus a dependency, or not at all.
  const view = new StackView([
    resource("kv1", { id: `${RG}/kv1` }),
    resource("kv2", { id: `${RG.toUpperCase()}/KV2/` }),
    resource("kv3", { id: "" }),
    resource("kv4", {}),
    resource("s-kv1", { resourceUri: `${RG}/KV1` }),
    resource("s-kv2", { resourceUri: `${RG}/kv2` }),
    resource("s-dep-kv4", { resourceUri: 42 }, ["urn:kv4"]),
    resource("s-dep-kv1", { resourceUri: { unknown: true } }, ["urn:kv1"]),
    resource("s-none", {}),
    resource("s-empty", { resourceUri: "" }, ["urn:kv3"]),
  ]);
  const targets = view.resources.filter((r) => r.name.startsWith("kv"));
  const sources = view.resources.filter((r) => r.name.startsWith("s-"));
  const index = new ReferenceIndex(sources, (s) => [get(s.props, "resourceUri")]);

  it.each(targets.map((t) => [t.name, t] as const))(
    "finds exactly what refersTo finds for %s",
    (_name, target) => {
      const expected = sources
        .filter((s) => refersTo(s, get(s.props, "resourceUri"), target))
        .map((s) => s.name);
      expect(
        index
          .referrers(target)
          .map((s) => s.name)
          .sort(),
      ).toEqual(expected.sort());
    },
  );

  it("matches IDs case-insensitively and through dependencies", () => {
    const names = (t: string) => index.referrers(targets.find((x) => x.name === t)!).map((s) => s.name);
    expect(names("kv1").sort()).toEqual(["s-dep-kv1", "s-kv1"]);
    expect(names("kv2")).toEqual(["s-kv2"]);
    expect(names("kv4")).toEqual(["s-dep-kv4"]);
  });
});
