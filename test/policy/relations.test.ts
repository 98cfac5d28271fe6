import type { PolicyResource } from "@pulumi/policy";
import {
  forgetAnalyzedInputs,
  inputsAllKnownWhenAnalyzed,
  inputWhenAnalyzed,
  propertyDependenciesOf,
  StackView,
} from "../../policy/lib/define";
import { requiredTags } from "../../policy/policies/general";
import { runResourcePolicy } from "../helpers/policyHarness";
import {
  allowListed,
  armParent,
  destinationProblem,
  diagnosticTargetOf,
  judgedOnInputsInPreview,
  notSetByProgram,
  ReferenceIndex,
  referenceFrom,
  refersTo,
  stackIndex,
  TargetIndex,
} from "../../policy/lib/relations";
import { get, NOT_KNOWN, peek, tag, tags } from "../../policy/lib/props";
import { buildPolicyResources, resourceOptions, UNKNOWN_SENTINEL } from "../../lib/analyzer/server";

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

  // residual10: with the input's key, a value not known yet counts only through that input's own
  // propertyDependencies, never through another dependency of the source (a dependsOn).
  it("with an input key, matches through that input's propertyDependencies only", () => {
    const computed = (name: string, fromInput: string) =>
      ({
        ...resource(name, { resourceUri: { unknown: true } }, ["urn:kv1", fromInput]),
        propertyDependencies: { resourceUri: [{ urn: fromInput }] },
      }) as unknown as PolicyResource;
    const keyed = new StackView([
      resource("kv1", { id: `${RG}/kv1` }),
      resource("kv4", {}),
      resource("other", {}),
      computed("s-from-kv1", "urn:kv1"),
      computed("s-from-other", "urn:other"),
    ]);
    const [kv1, kv4] = keyed.resources;
    const from = keyed.resources.filter((r) => r.name.startsWith("s-"));
    const byKey = new ReferenceIndex(from, (s) => [get(s.props, "resourceUri")], "resourceUri");
    expect(byKey.referrers(kv1).map((s) => s.name)).toEqual(["s-from-kv1"]);
    expect(byKey.referrers(kv4)).toEqual([]);
    // Without the key, any dependency counts (both depend on kv1).
    const loose = new ReferenceIndex(from, (s) => [get(s.props, "resourceUri")]);
    expect(loose.referrers(kv1).map((s) => s.name)).toEqual(["s-from-kv1", "s-from-other"]);
  });

  // The engine sends only the inputs that depend on something (analyzer_plugin.go skips empty
  // lists): an input missing where others are listed depends on nothing, so a dependsOn on a
  // stack resource cannot vouch for a value not known yet computed from nothing in the stack.
  it("with an input key, an input the engine does not list depends on nothing when others are listed", () => {
    const source = {
      ...resource("s-unlisted", { resourceUri: { unknown: true }, location: "x" }, ["urn:kv1", "urn:rg"]),
      propertyDependencies: { location: [{ urn: "urn:rg" }] },
    } as unknown as PolicyResource;
    const bare = { ...source, name: "s-none-listed", urn: "urn:s-none-listed", propertyDependencies: {} };
    const keyed = new StackView([resource("kv1", { id: `${RG}/kv1` }), resource("rg", {}), source, bare]);
    const byKey = new ReferenceIndex(
      keyed.resources.slice(2),
      (s) => [get(s.props, "resourceUri")],
      "resourceUri",
    );
    // Fails on the old rules: the first fell back to every dependency (the dependsOn on kv1) for
    // s-unlisted, the second (bypass11) still did for s-none-listed, whose engine map is empty
    // because none of its inputs depends on anything (analyzer_plugin.go skips empty lists; an SDK
    // that sends no per-input dependencies is backfilled by source_eval.go, so never arrives empty).
    expect(byKey.referrers(keyed.resources[0]).map((s) => s.name)).toEqual([]);
  });

  // bypass11: only a resource without the field at all (a harness that does not give it) falls
  // back to every dependency; the engine's resources always carry it (policy server.js).
  it("with an input key, falls back to every dependency only when propertyDependencies is absent", () => {
    const { propertyDependencies: _omitted, ...withoutField } = resource(
      "s-no-field",
      { resourceUri: { unknown: true } },
      ["urn:kv1"],
    ) as unknown as Record<string, unknown>;
    const keyed = new StackView([
      resource("kv1", { id: `${RG}/kv1` }),
      withoutField as unknown as PolicyResource,
      resource("s-empty-map", { resourceUri: { unknown: true } }, ["urn:kv1"]),
    ]);
    const byKey = new ReferenceIndex(
      keyed.resources.slice(1),
      (s) => [get(s.props, "resourceUri")],
      "resourceUri",
    );
    expect(byKey.referrers(keyed.resources[0]).map((s) => s.name)).toEqual(["s-no-field"]);
  });
});

// analyzer14: `referenceFrom` from the other side, by ID instead of trying every target.
describe("TargetIndex", () => {
  // Targets with known IDs (any case, trailing slash, the same ID twice), an empty ID and no ID
  // (preview); values that are IDs in any form, foreign IDs, non-strings and NOT_KNOWN, from
  // sources with and without dependencies on the targets.
  const view = new StackView([
    resource("kv1", { id: `${RG}/kv1` }),
    resource("kv2", { id: `${RG.toUpperCase()}/KV2/` }),
    resource("kv2-again", { id: ` ${RG}/kv2` }),
    resource("kv3", { id: "" }),
    resource("kv4", {}),
    resource("kv5", {}),
    resource("s-none", {}),
    resource("s-deps", {}, ["urn:kv1", "urn:kv4", "urn:kv3"]),
    {
      ...resource("s-keyed", {}, ["urn:kv1", "urn:kv5"]),
      propertyDependencies: { workspaceId: [{ urn: "urn:kv5" }] },
    } as unknown as PolicyResource,
  ]);
  const targets = view.resources.filter((r) => r.name.startsWith("kv"));
  const sources = view.resources.filter((r) => r.name.startsWith("s-"));
  const index = new TargetIndex(targets);
  const values: unknown[] = [
    `${RG}/kv1`,
    `${RG}/KV2`,
    `${RG}/kv2///`,
    ` ${RG}/kv1 `,
    `${RG}/other`,
    "",
    42,
    null,
    undefined,
    NOT_KNOWN,
    { id: `${RG}/kv1` },
  ];
  const cases = sources.flatMap((s) =>
    values.flatMap((v) => [undefined, "workspaceId"].map((key) => [s.name, String(v), key, s, v] as const)),
  );

  it.each(cases)("finds what referenceFrom accepts: %s, %s, key %s", (_s, _v, key, source, value) => {
    const names = (list: readonly { name: string }[]) => list.map((t) => t.name).sort();
    expect(names(index.referencedBy(source, value, key))).toEqual(
      names(targets.filter(referenceFrom(source, value, key))),
    );
  });

  it("matches by ID in any case and through dependencies where the ID is not known", () => {
    const [none, deps, keyed] = sources;
    const names = (source: (typeof sources)[number], value: unknown, key?: string) =>
      index.referencedBy(source, value, key).map((t) => t.name);
    expect(names(none, `${RG}/KV2/`)).toEqual(["kv2", "kv2-again"]);
    expect(names(deps, `${RG}/kv1`)).toEqual(["kv1", "kv4"]);
    expect(names(deps, NOT_KNOWN)).toEqual(["kv1", "kv3", "kv4"]);
    expect(names(keyed, NOT_KNOWN, "workspaceId")).toEqual(["kv5"]);
  });
});

describe("StackIndex and destinationProblem", () => {
  const SUB = "/subscriptions/s/resourceGroups/rg/providers";
  const view = new StackView([
    resource("rg", { id: "/subscriptions/s/resourceGroups/rg", location: "westeurope" }),
    resource("ns", { id: `${SUB}/Microsoft.EventHub/namespaces/ns`, location: "swedencentral" }),
    resource("st-us", { id: `${SUB}/Microsoft.Storage/storageAccounts/stus`, location: "East US" }),
  ]);
  const index = stackIndex(view);
  const from = view.resources[0];
  const rules = {
    allowedLocations: ["westeurope", "swedencentral"],
    allowedDestinations: ["/subscriptions/hub/resourceGroups/siem"],
  };
  const problem = (value: unknown) => destinationProblem(index, from, "dest", value, rules, () => true, view);

  it("finds a resource's parent resource, and stops at resource groups", () => {
    expect(armParent(`${SUB}/Microsoft.EventHub/namespaces/ns/authorizationrules/send`.toLowerCase())).toBe(
      `${SUB}/Microsoft.EventHub/namespaces/ns`.toLowerCase(),
    );
    expect(
      armParent(`${SUB}/Microsoft.KeyVault/vaults/kv/providers/Microsoft.Insights/diagnosticSettings/d`),
    ).toBe(`${SUB}/Microsoft.KeyVault/vaults/kv`);
    expect(armParent(`${SUB}/Microsoft.KeyVault/vaults/kv`)).toBeUndefined();
  });
  it("reads a diagnostic setting's target from resourceUri, else from its ID (outputs), else not known", () => {
    const kv = `${SUB}/Microsoft.KeyVault/vaults/kv`;
    const target = (props: Record<string, unknown>) =>
      diagnosticTargetOf(new StackView([resource("d", props)]).resources[0]);
    expect(
      target({ resourceUri: kv, id: `${SUB}/other/providers/Microsoft.Insights/diagnosticSettings/d` }),
    ).toBe(kv);
    expect(target({ id: `${kv}/PROVIDERS/microsoft.insights/DiagnosticSettings/d/` })).toBe(kv);
    expect(target({ id: `${kv}/providers/Microsoft.Insights/diagnosticSettings/d/extra` })).toBe(NOT_KNOWN);
    expect(target({ id: "/providers/Microsoft.Insights/diagnosticSettings/d" })).toBe(NOT_KNOWN);
    expect(target({})).toBe(NOT_KNOWN);
  });
  it("knows the stack's subscriptions from the resource groups it creates", () => {
    expect([...index.subscriptions]).toEqual(["s"]);
  });
  it.each([
    [`${SUB}/Microsoft.EventHub/namespaces/NS/authorizationRules/send`, undefined],
    [`${SUB}/Microsoft.EventHub/namespaces/ns2`, /not a resource of this stack/],
    [`${SUB}/Microsoft.Storage/storageAccounts/stus`, /is in eastus, which is not an allowed region/],
    [
      "/subscriptions/hub/resourceGroups/siem/providers/Microsoft.OperationalInsights/workspaces/w",
      undefined,
    ],
    [
      "/subscriptions/hub/resourceGroups/siem2/providers/Microsoft.OperationalInsights/workspaces/w",
      /not a resource/,
    ],
    [42, /not an ARM resource ID/],
    [undefined, undefined],
  ])("judges %p", (value, expected) => {
    const result = problem(value);
    if (expected === undefined) expect(result).toBeUndefined();
    else expect(result).toMatch(expected);
  });
  // analyzer14: what a value not known yet was computed from is asked for only then (linking a
  // resource's inputs costs a URN lookup each), and the answer is the same as with the list.
  it("reads the dependencies given as a function only for a value not known yet", () => {
    const accepts = (r: { name: string }) => r.name === "ns";
    const asked: string[] = [];
    const lazily = (deps: { urn: string }[]) => () => {
      asked.push(deps.map((d) => d.urn).join());
      return deps;
    };
    const judge = (value: unknown, deps: { urn: string }[]) => [
      destinationProblem(index, from, "dest", value, rules, accepts, view, deps),
      destinationProblem(index, from, "dest", value, rules, accepts, view, lazily(deps)),
    ];
    const known = `${SUB}/Microsoft.Storage/storageAccounts/stus`;
    for (const value of [known, `${SUB}/Microsoft.EventHub/namespaces/ns`, 42, undefined, ""]) {
      const [eager, lazy] = judge(value, [{ urn: "urn:ns" }]);
      expect(lazy).toBe(eager);
    }
    expect(asked).toEqual([]);
    const [fromNs, fromNsLazily] = judge(NOT_KNOWN, [{ urn: "urn:ns" }]);
    const [fromStUs, fromStUsLazily] = judge(NOT_KNOWN, [{ urn: "urn:st-us" }]);
    expect([fromNs, fromNsLazily]).toEqual([undefined, undefined]);
    expect(fromStUs).toMatch(/not known yet and does not come from a resource of this stack/);
    expect(fromStUsLazily).toBe(fromStUs);
    expect(asked).toEqual(["urn:ns", "urn:st-us"]);
  });
  it("builds the index once per view", () => {
    expect(stackIndex(view)).toBe(index);
  });
  it("gives the same owner and region for an ID asked again (kept per ID), and none for a non-ID", () => {
    const inside = `${SUB}/Microsoft.EventHub/namespaces/NS/authorizationRules/send/`;
    const outside = `${SUB}/Microsoft.EventHub/namespaces/ns2`;
    for (let i = 0; i < 2; i++) {
      expect(index.owner(inside)?.name).toBe("ns");
      expect(index.locationOf(inside)).toBe("swedencentral");
      expect(index.owner(outside)).toBeUndefined();
      expect(index.locationOf(` ${SUB}/Microsoft.Storage/storageAccounts/STUS/blobServices/default`)).toBe(
        "eastus",
      );
      expect(index.owner(42)).toBeUndefined();
      expect(index.locationOf(null)).toBeUndefined();
    }
  });
});

describe("props reads through the SDK's unknown-checking proxy (as the engine passes props)", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy: (o: object) => Record<string, unknown>;
  };
  const props = unknownCheckingProxy({
    a: { b: "x" },
    tags: { environment: "prod", owner: UNKNOWN_SENTINEL },
    untagged: { tags: { environment: "dev" } },
  });

  it("reads an absent key as undefined and throws only on a present unknown value", () => {
    expect(get(props, "a", "b")).toBe("x");
    expect(get(props, "a", "missing")).toBeUndefined();
    expect(get(props, "missing", "b")).toBeUndefined();
    expect(peek(props, "tags", "owner")).toBe(NOT_KNOWN);
    expect(() => get(props, "tags", "owner")).toThrow(/can't be known during preview/);
  });

  it("tag is tags(...)?.[name]: the same value, and the same error on an unknown tag", () => {
    expect(() => tags(props)).toThrow(/tags\.owner/);
    expect(() => tag(props, "environment")).toThrow(/tags\.owner/);
    expect(tag(get(props, "untagged"), "environment")).toBe(tags(get(props, "untagged"))?.environment);
    expect(tag({ tags: { environment: 1 } }, "environment")).toBeUndefined();
    expect(tag({}, "environment")).toBeUndefined();
  });
});

describe("allowListed", () => {
  const id = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv";
  it("allows an ID equal to an entry or inside it, in any case and with a trailing slash", () => {
    expect(allowListed(id, ["/SUBSCRIPTIONS/s1/resourcegroups/RG/"])).toBe(true);
    expect(allowListed(id, ["/subscriptions/s1"])).toBe(true);
    expect(allowListed(id, ["/subscriptions/s1/resourceGroups/rg2"])).toBe(false);
    expect(allowListed(id, ["/subscriptions/s"])).toBe(false);
  });
  it("lets no entry broader than a subscription or management group allow anything, even unvalidated", () => {
    for (const entry of ["/", "//", "/subscriptions", "/subscriptions/", " / ", "subscriptions/s1", ""])
      expect(allowListed(id, [entry])).toBe(false);
  });
});

// analyzer11: the analyzer's graph resources answer one input's propertyDependencies without
// linking the others (GraphResource[PROPERTY_DEPENDENCIES_OF]); the answer must be the one the
// linked object gives (the path the engine's resources take under `pulumi preview`).
describe("propertyDependenciesOf on the analyzer's graph", () => {
  const urn = (name: string) => `urn:pulumi:t::p::t::${name}`;
  const request = (
    name: string,
    propertyDependencies: Record<string, string[]>,
    dependencies: string[] = [],
  ) => ({
    type: "azure-native:monitor:DiagnosticSetting",
    urn: urn(name),
    name,
    props: {},
    opts: resourceOptions(),
    dependencies: dependencies.map(urn),
    propertyDependencies: Object.fromEntries(
      Object.entries(propertyDependencies).map(([k, v]) => [k, v.map(urn)]),
    ),
  });
  const withProto = JSON.parse(`{"__proto__": ["${urn("a")}"], "x": ["${urn("b")}"]}`) as Record<
    string,
    string[]
  >;
  const requests = [
    request("a", {}),
    request("b", {}),
    request("none-listed", {}, ["a", "b"]),
    request("listed", { x: ["a", "gone"], y: [], z: ["b", "a"] }, ["a", "b"]),
    { ...request("proto", {}, ["a", "b"]), propertyDependencies: withProto },
  ];
  const keys = ["x", "y", "z", "w", "constructor", "toString", "__proto__", "hasOwnProperty"];
  // The same resources as plain objects, as the engine hands them over: linked through the getter.
  const plain = (r: PolicyResource): PolicyResource => ({
    ...r,
    dependencies: r.dependencies,
    propertyDependencies: r.propertyDependencies,
  });

  it.each(requests.map((r) => [r.name] as const))("%s: the same resources as the linked object", (name) => {
    const lazy = new StackView(buildPolicyResources(requests));
    const eager = new StackView(buildPolicyResources(requests).map(plain));
    const at = (view: StackView) => view.resources.find((r) => r.name === name)!;
    for (const key of keys) {
      const expected = propertyDependenciesOf(at(eager), key).map((d) => d.urn);
      expect([key, propertyDependenciesOf(at(lazy), key).map((d) => d.urn)]).toEqual([key, expected]);
    }
    // Asked again, and after the whole object was linked: the same arrays.
    const r = at(lazy);
    const first = propertyDependenciesOf(r, "x");
    expect(propertyDependenciesOf(r, "x")).toBe(first);
  });

  it("links the whole object later with the arrays already handed out", () => {
    const graph = buildPolicyResources(requests);
    const view = new StackView(graph);
    const listed = view.resources.find((r) => r.name === "listed")!;
    const x = propertyDependenciesOf(listed, "x");
    expect(x.map((d) => d.urn)).toEqual([urn("a")]);
    const source = graph.find((g) => g.name === "listed")!;
    expect(source.propertyDependencies.x).toBe(x);
    expect(source.propertyDependencies.z.map((d) => d.urn)).toEqual([urn("b"), urn("a")]);
  });
});

describe("what the resource policies saw of the inputs (review14)", () => {
  // An output not known yet with no propertyDependencies is one the program never set (a first
  // preview's PreviewOutputs), unless the program set that resource's input to a value not known
  // yet that came from no resource: an invoke whose arguments are not known yet answers one with no
  // dependencies (@pulumi/pulumi runtime/invoke.js), which the resource policies see in the inputs.
  const type = "azure-native:monitor:DiagnosticSetting";
  const urn = `urn:pulumi:test::secure-azure-platform::${type}::audit`;
  const seen = (props: Record<string, unknown>) => runResourcePolicy(requiredTags, { type, urn, props });
  const [setting] = new StackView([{ ...resource("audit", { storageAccountId: UNKNOWN_SENTINEL }), urn }])
    .resources;
  afterEach(forgetAnalyzedInputs);

  it("an unset output reads as unset, where no input was seen not known yet", async () => {
    expect(notSetByProgram(NOT_KNOWN, [], setting)).toBe(true);
    await seen({ workspaceId: "/subscriptions/s/x" });
    expect(notSetByProgram(NOT_KNOWN, [], setting)).toBe(true);
    expect(judgedOnInputsInPreview(setting, ["storageAccountId"])).toBe(true);
  });
  it("every input seen known (an update): an output not known yet is unset, whatever its dependencies", async () => {
    const fromWorkspace = [{ urn: "urn:pulumi:test::secure-azure-platform::w::w" }] as never;
    expect(notSetByProgram(NOT_KNOWN, fromWorkspace, setting)).toBe(false);
    await seen({ workspaceId: "/subscriptions/s/x", logs: [{ category: "audit" }] });
    expect(inputsAllKnownWhenAnalyzed(setting.urn)).toBe(true);
    expect(notSetByProgram(NOT_KNOWN, fromWorkspace, setting, ["logs", 0, "retentionPolicy"])).toBe(true);
    expect(notSetByProgram("/subscriptions/s/x", [], setting)).toBe(false);
    forgetAnalyzedInputs(); // another evaluation: the resource seen afresh
    expect(inputsAllKnownWhenAnalyzed(setting.urn)).toBe(false);
    await seen({ workspaceId: "/subscriptions/s/x", storageAccountId: UNKNOWN_SENTINEL });
    expect(inputsAllKnownWhenAnalyzed(setting.urn)).toBe(false);
    expect(notSetByProgram(NOT_KNOWN, fromWorkspace, setting)).toBe(false);
  });
  it("not where an input, or a value inside one, was not known yet and came from no resource", async () => {
    await seen({ storageAccountId: UNKNOWN_SENTINEL });
    expect(notSetByProgram(NOT_KNOWN, [], setting)).toBe(false);
    expect(judgedOnInputsInPreview(setting, ["storageAccountId"])).toBe(false);
    forgetAnalyzedInputs(); // another evaluation: the resource seen afresh
    await seen({ logs: [{ category: UNKNOWN_SENTINEL }] });
    expect(notSetByProgram(NOT_KNOWN, [], setting)).toBe(false);
    forgetAnalyzedInputs();
    expect(notSetByProgram(NOT_KNOWN, [], setting)).toBe(true);
  });
  it("inside an input: a field the inputs lacked is unset, one not known yet (or inside one) is not", async () => {
    await seen({
      logs: [{ category: "audit", retentionPolicy: { enabled: true } }, UNKNOWN_SENTINEL],
      workspaceId: UNKNOWN_SENTINEL,
      tags: { a: null },
    });
    const at = (...path: (string | number)[]) => inputWhenAnalyzed(setting.urn, path);
    expect([
      at("logs", 0, "categoryGroup"),
      at("logs", 0, "retentionPolicy", "days"),
      at("tags", "a"),
    ]).toEqual(Array(3).fill("absent"));
    expect([at("logs", 1, "category"), at("workspaceId"), at("logs", 1)]).toEqual(Array(3).fill("unknown"));
    // A known value, also where the path reads inside a scalar or a list by key: not unset.
    expect([at("logs", 0, "category"), at("logs", 0, "category", "x"), at("logs", "0")]).toEqual(
      Array(3).fill("set"),
    );
    // An input not sent at all is the top-level rule's (`notSetByProgram`), not this record's.
    expect(at("storageAccountId", "x")).toBeUndefined();
    expect(notSetByProgram(NOT_KNOWN, [{ urn: "x" }], setting, ["logs", 0, "categoryGroup"])).toBe(true);
    expect(notSetByProgram(NOT_KNOWN, [], setting, ["logs", 1, "category"])).toBe(false);
    forgetAnalyzedInputs();
    expect(at("logs", 0, "categoryGroup")).toBeUndefined();
  });
});
