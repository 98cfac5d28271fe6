/**
 * Component type tokens moved to `secure-azure-platform:index:<Class>` (issue 16) with an alias
 * from each legacy token. The offline plan records every resource's alias URNs as the engine
 * computes them (lib/offline/aliases.ts), and the change preview (lib/offline/diff.ts) finds old
 * state through them: a stack deployed with the legacy tokens sees no create, delete or replace.
 *
 * The old state is the new prod plan's export with every component token rewritten back to its
 * legacy token and the aliases dropped. That is what main's code exported: the tokens are the
 * only thing the rename changed in URNs, types, parents and dependencies (checked against an
 * export made from main's tree when the rename was done), and the preview compares inputs, which
 * hold no component token.
 */
import * as pulumi from "@pulumi/pulumi";
import { candidateAliases, collapseAliases, withoutApiVersionAliases } from "../../lib/offline/aliases";
import { previewChanges } from "../../lib/offline/diff";
import { parseStackExport } from "../../lib/offline/export";
import type { NormalizedStackExport } from "../../policy/common/pulumiFormat";
import { sharedPlan } from "../helpers/plans";
import { componentType, LEGACY_COMPONENT_TYPES, type ComponentClass } from "../../controls/componentTypes";

const URN = (qualifiedType: string, name: string) => `urn:pulumi:prod::proj::${qualifiedType}::${name}`;

describe("alias URNs (the engine's generateAliases)", () => {
  const box = { urn: URN("p:index:Box", "box"), type: "p:index:Box", name: "box" };

  it("a component's type alias collapses to its old URN", () => {
    expect(collapseAliases(box, [{ type: "p:old:Box" }])).toEqual([URN("p:old:Box", "box")]);
    expect(collapseAliases(box, [{ type: "p:index:Box" }])).toEqual([]);
  });

  it("leaves out a provider's API-version aliases of the same resource", () => {
    const pricing = {
      urn: URN("p:index:Box$azure-native:security:Pricing", "x"),
      type: "azure-native:security:Pricing",
      name: "x",
      parent: box.urn,
    };
    expect(
      collapseAliases(pricing, [
        { type: "azure-native:security/v20240101:Pricing", parentUrn: box.urn },
        { type: "azure-native:security:OldPricing", parentUrn: box.urn },
      ]),
    ).toEqual([URN("p:index:Box$azure-native:security:OldPricing", "x")]);
  });

  it("keeps an alias from a bridged provider's token: a rename, not an API version", () => {
    const password = {
      urn: URN("random:index/randomPassword:RandomPassword", "pw"),
      type: "random:index/randomPassword:RandomPassword",
      name: "pw",
    };
    expect(collapseAliases(password, [{ type: "random:index/randomPass:RandomPass" }])).toEqual([
      URN("random:index/randomPass:RandomPass", "pw"),
    ]);
  });

  it("a child found under nothing tries its own aliases, then both under the parent's matched old URN", () => {
    const child = {
      urn: URN("p:index:Box$p:index:Inner", "box-inner"),
      type: "p:index:Inner",
      name: "box-inner",
      parent: box.urn,
    };
    const own = collapseAliases(child, [{ type: "p:old:Inner", parentUrn: box.urn }]);
    expect(own).toEqual([URN("p:index:Box$p:old:Inner", "box-inner")]);
    expect(candidateAliases(child, own, undefined)).toEqual(own);
    expect(candidateAliases(child, own, URN("p:old:Box", "box"))).toEqual([
      URN("p:index:Box$p:old:Inner", "box-inner"),
      URN("p:old:Box$p:index:Inner", "box-inner"),
      URN("p:old:Box$p:old:Inner", "box-inner"),
    ]);
    // A grandchild inherits the child's matched old URN: the whole old type chain.
    const leaf = {
      urn: URN("p:index:Box$p:index:Inner$x:y:Z", "box-inner-z"),
      type: "x:y:Z",
      name: "box-inner-z",
      parent: child.urn,
    };
    expect(candidateAliases(leaf, [], URN("p:old:Box$p:old:Inner", "box-inner"))).toEqual([
      URN("p:old:Box$p:old:Inner$x:y:Z", "box-inner-z"),
    ]);
  });

  it("a child named after its parent follows a parent's name alias", () => {
    const parent = URN("p:index:Box", "new");
    const child = { urn: URN("p:index:Box$x:y:Z", "new-z"), type: "x:y:Z", name: "new-z", parent };
    expect(candidateAliases(child, [], URN("p:index:Box", "old"))).toEqual([
      URN("p:index:Box$x:y:Z", "old-z"),
    ]);
  });
});

/** Every component token in an export's text rewritten to its legacy token. */
function legacyTokens(text: string): string {
  const classes = Object.keys(LEGACY_COMPONENT_TYPES) as ComponentClass[];
  for (const c of classes) text = text.split(`${componentType(c)}$`).join(`${LEGACY_COMPONENT_TYPES[c]}$`);
  for (const c of classes) text = text.split(`${componentType(c)}::`).join(`${LEGACY_COMPONENT_TYPES[c]}::`);
  for (const c of classes) text = text.split(`"${componentType(c)}"`).join(`"${LEGACY_COMPONENT_TYPES[c]}"`);
  return text;
}

describe("withoutApiVersionAliases (the offline run's stack transformation)", () => {
  const type = "azure-native:app:ContainerApp";
  const target = { urn: URN(type, "app"), type, name: "app" };
  const transform = (aliases: pulumi.Input<string | pulumi.Alias>[]) =>
    withoutApiVersionAliases({
      resource: undefined as unknown as pulumi.Resource,
      type,
      name: "app",
      props: { a: 1 },
      opts: { protect: true, aliases },
    });

  it("removes exactly the aliases the export leaves out, keeping the others in order and every other option", () => {
    const aliases: { type?: string; name?: string }[] = [
      { type: "azure-native:app/v20240301:ContainerApp" },
      { type: "azure-native:web:ContainerApp" },
      { name: "old-app" },
      { type: "azure-native:app/v20250101:ContainerApp", name: "old-app" },
    ];
    const urnAliases = [URN("azure-native:app/v20220101preview:ContainerApp", "app"), URN("x:y:Z", "app")];
    const result = transform([...aliases, ...urnAliases]);
    expect(result?.props).toEqual({ a: 1 });
    expect(result?.opts).toEqual({
      protect: true,
      aliases: [{ type: "azure-native:web:ContainerApp" }, { name: "old-app" }, URN("x:y:Z", "app")],
    });
    // What the export records is unchanged.
    const specs = (list: unknown[]) =>
      list.map((a) => (typeof a === "string" ? { urn: a } : (a as { type?: string; name?: string })));
    expect(collapseAliases(target, specs(result?.opts.aliases ?? []))).toEqual(
      collapseAliases(target, specs([...aliases, ...urnAliases])),
    );
  });

  it("keeps what is not known yet (an output, a computed type) and leaves a resource without API-version aliases alone", () => {
    const computed = [
      pulumi.output({ type: "azure-native:app/v20240301:ContainerApp" }),
      { type: pulumi.output("t:u:V") },
    ];
    expect(transform(computed)).toBeUndefined();
    expect(transform([])).toBeUndefined();
  });
});

describe("legacy component tokens: no replacement", () => {
  let next: NormalizedStackExport;
  let legacy: NormalizedStackExport;

  beforeAll(async () => {
    const plan = await sharedPlan("prod");
    next = parseStackExport(plan.toStackExport(), "prod");
    const old = JSON.parse(legacyTokens(JSON.stringify(next))) as NormalizedStackExport;
    for (const r of old.deployment.resources) delete r.aliases;
    legacy = old;
  }, 180_000);

  it("the old state really is the legacy one: every component and descendant has another URN", () => {
    const moved = legacy.deployment.resources.filter(
      (r) => !next.deployment.resources.some((n) => n.urn === r.urn),
    );
    expect(moved.length).toBeGreaterThan(100);
    expect(
      legacy.deployment.resources.some((r) => r.type === "secure-azure-platform:foundation:KeyVault"),
    ).toBe(true);
    expect(JSON.stringify(legacy)).not.toMatch(/secure-azure-platform:index:/);
  });

  it("previews zero creates, deletes, replaces and updates against the legacy state", () => {
    const p = previewChanges(legacy, next, { stack: "prod", from: "legacy.json" });
    expect(p.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0, failures: 0 });
    expect(p.summary.same).toBeGreaterThan(100);
  });

  it("without the aliases the same change would delete and recreate every component's resources", () => {
    const bare = JSON.parse(JSON.stringify(next)) as NormalizedStackExport;
    for (const r of bare.deployment.resources) delete r.aliases;
    const p = previewChanges(legacy, bare, { stack: "prod", from: "legacy.json" });
    expect(p.summary.create).toBe(p.summary.delete);
    expect(p.summary.delete).toBeGreaterThan(100);
    expect(p.failures.map((f) => f.kind)).toContain("data-loss");
  });
});

/**
 * Redis grants moved from children of the `ManagedRedis` component (`redis-access-<app>`) to
 * children of each `ContainerApp` (`app-<app>-redis-access`), with an alias to the old name and
 * parent. The old state is the new prod plan's export with each grant's URN rewritten back
 * (everywhere it appears: its own entry, other resources' dependencies), its parent set back to
 * the ManagedRedis component and the aliases dropped. That is main's export: compared with one
 * made from main's tree before the move (`npm run -s plan -- --stack prod --export`), every
 * custom resource then has the same URN, parent, inputs, ID and dependencies; the one other
 * difference is which input of the second grant records the first grant as a dependency (it was
 * `dependsOn`, now `databaseName`), and components' outputs, neither of which the preview compares.
 */
describe("Redis grants moved to the container apps: no replacement", () => {
  let next: NormalizedStackExport;
  let old: NormalizedStackExport;
  const REDIS = URN_OF("secure-azure-platform:index:ManagedRedis", "redis");
  const moved = (app: string) => ({
    from: `secure-azure-platform:index:ManagedRedis$azure-native:redisenterprise:AccessPolicyAssignment::redis-access-${app}`,
    to: `secure-azure-platform:index:ContainerApp$azure-native:redisenterprise:AccessPolicyAssignment::app-${app}-redis-access`,
  });

  beforeAll(async () => {
    const plan = await sharedPlan("prod");
    next = parseStackExport(plan.toStackExport(), "prod");
    let text = JSON.stringify(next);
    for (const app of plan.config.apps.filter((a) => a.uses.includes("redis"))) {
      const { from, to } = moved(app.name);
      text = text.split(to).join(from);
    }
    old = JSON.parse(text) as NormalizedStackExport;
    for (const r of old.deployment.resources) {
      if (r.type !== "azure-native:redisenterprise:AccessPolicyAssignment") continue;
      r.parent = REDIS;
      delete r.aliases;
    }
  }, 180_000);

  it("the new plan has each grant under its app, aliased to the old name under the ManagedRedis component", () => {
    const grants = next.deployment.resources.filter(
      (r) => r.type === "azure-native:redisenterprise:AccessPolicyAssignment",
    );
    expect(grants.map((g) => g.urn.split("::").pop()).sort()).toEqual([
      "app-api-redis-access",
      "app-web-redis-access",
    ]);
    for (const g of grants) {
      const app = /app-(\w+)-redis-access$/.exec(g.urn)![1];
      expect(g.parent).toBe(URN_OF("secure-azure-platform:index:ContainerApp", `app-${app}`));
      expect(g.aliases).toEqual([
        `urn:pulumi:prod::secure-azure-platform::${moved(app).from}`,
        `urn:pulumi:prod::secure-azure-platform::${legacyTokens(moved(app).from)}`,
      ]);
    }
    expect(
      old.deployment.resources.filter((r) => r.urn.includes("redis-access-")).map((r) => r.parent),
    ).toEqual([REDIS, REDIS]);
  });

  it("previews zero creates, deletes, replaces and updates against the state before the move", () => {
    const p = previewChanges(old, next, { stack: "prod", from: "before-move.json" });
    expect(p.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0, failures: 0 });
    expect(p.summary.same).toBeGreaterThan(100);
  });

  it("a stack last deployed before the token rename too sees no create, delete or replace", () => {
    const older = JSON.parse(legacyTokens(JSON.stringify(old))) as NormalizedStackExport;
    expect(JSON.stringify(older)).not.toMatch(/secure-azure-platform:index:/);
    const p = previewChanges(older, next, { stack: "prod", from: "before-rename.json" });
    expect(p.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0, failures: 0 });
  });

  it("without the aliases the grants would be deleted and recreated (an app losing Redis access meanwhile)", () => {
    const bare = JSON.parse(JSON.stringify(next)) as NormalizedStackExport;
    for (const r of bare.deployment.resources) delete r.aliases;
    const p = previewChanges(old, bare, { stack: "prod", from: "before-move.json" });
    expect(p.summary).toMatchObject({ create: 2, delete: 2, replace: 0 });
  });
});

function URN_OF(type: string, name: string): string {
  return `urn:pulumi:prod::secure-azure-platform::${type}::${name}`;
}
