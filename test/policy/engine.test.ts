/**
 * The offline policy engine behaves like the Pulumi policy server and engine: unknowns,
 * notApplicable, the SDK's type fast path, config defaults, enforcement resolution, stack
 * resources with parents and dependencies, and evaluation of stack exports.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { validateResourceOfType, type PolicyResource } from "@pulumi/policy";
import {
  checkPackConfigShape,
  loadPackConfig,
  PackConfigError,
  reconcilePackConfig,
  type PackConfig,
} from "../../lib/analyzer/config";
import {
  evaluateStackExport,
  ExportEvaluator,
  type EvaluateOptions,
  type Evaluation,
} from "../../lib/analyzer/evaluate";
import {
  checkResourcePolicy,
  checkStackPolicy,
  runResourcePolicy,
  runStackPolicy,
  UNKNOWN,
} from "../helpers/policyHarness";
import {
  deserializeProperties,
  PolicyCrashError,
  SECRET_PLACEHOLDER,
  UNKNOWN_SENTINEL,
} from "../../lib/analyzer/server";
import { jsonClone } from "../../lib/analyzer/paths";
import { coverageLines } from "../../lib/analyzer/verdict";
import {
  SECRET_SIG,
  SIG_KEY,
  StackExportError,
  type StackExport,
  type StackExportResource,
} from "../../policy/common/pulumiFormat";
import { SYNTHETIC_DEFECTS, syntheticExport } from "../../lib/analyzer/synthetic";
import type { PlatformResourcePolicy, PlatformStackPolicy } from "../../policy/lib/types";
import { sharedExport } from "../helpers/plans";
import { expectEqual } from "../helpers/equal";
import { platformPolicies } from "../../policy/policies";

const meta = { controls: ["TLS-1" as const], severity: "high" as const, remediation: "fix it" };

/** A resource policy that records what it saw and flags `minimumTlsVersion` below 1.2. */
function tlsPolicy(seen: Record<string, unknown>[] = []): PlatformResourcePolicy {
  return {
    name: "test-tls",
    description: "TLS 1.2 minimum",
    enforcementLevel: "mandatory",
    ...meta,
    resourceTypes: ["azure-native:storage:StorageAccount"],
    configSchema: {
      properties: {
        minimum: { type: "string", default: "TLS1_2" },
        allowed: { type: "array", items: { type: "string" }, default: ["a"] },
      },
    },
    validateResource: (args, report) => {
      if (args.type !== "azure-native:storage:StorageAccount") args.notApplicable("not a storage account");
      seen.push(args.getConfig());
      const tls = (args.props as { minimumTlsVersion?: string }).minimumTlsVersion;
      if (tls !== "TLS1_2") report(`minimumTlsVersion is ${tls}`);
    },
  };
}

const ACCOUNT = "azure-native:storage:StorageAccount";

/**
 * Retype the export's resources as `retype` says, each with a provider of its new token's package
 * where that changed (the engine's default provider for a package; a parameterized package's is
 * `pulumi:providers:<parameterization name>`, pulumi/pulumi pkg/resource/deploy/providers/
 * provider.go ProviderRequest.Package), configured as the one it replaces and registered right
 * after the root stack. Returns the URNs of the providers it added.
 */
function retypeWithProviders(doc: StackExport, retype: (type: string) => string | undefined): Set<string> {
  const resources = doc.deployment.resources!;
  const providers = new Map<string, string>();
  const added: (typeof resources)[number][] = [];
  const stack = resources[0].urn.split("::")[0].replace(/^urn:pulumi:/, "");
  for (const r of resources) {
    const type = retype(r.type);
    if (type === undefined || type === r.type) continue;
    const pkg = type.split(":")[0];
    if (r.provider !== undefined && pkg !== r.type.split(":")[0]) {
      let ref = providers.get(pkg);
      if (ref === undefined) {
        const urn = `urn:pulumi:${stack}::secure-azure-platform::pulumi:providers:${pkg}::default`;
        // Configured as the provider it replaces (its default location).
        const was = resources.find((p) => `${p.urn}::${p.id}` === r.provider);
        added.push({
          urn,
          type: `pulumi:providers:${pkg}`,
          custom: true,
          id: `p-${pkg}`,
          inputs: { ...was?.inputs },
          outputs: { ...was?.outputs },
        });
        ref = `${urn}::p-${pkg}`;
        providers.set(pkg, ref);
      }
      r.provider = ref;
    }
    r.type = type;
  }
  resources.splice(1, 0, ...added);
  return new Set(added.map((p) => p.urn));
}

describe("harness: resource policies as the policy server runs them", () => {
  it("makes UNKNOWN the sentinel the SDK's unknownCheckingProxy detects", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { unknownCheckingProxy } = require("@pulumi/policy") as {
      unknownCheckingProxy: (o: object) => Record<string, unknown>;
    };
    expect(() => unknownCheckingProxy({ a: UNKNOWN }).a).toThrow(/can't be known during preview/);
    const result = await checkResourcePolicy(tlsPolicy(), {
      type: ACCOUNT,
      props: { minimumTlsVersion: UNKNOWN },
    });
    expect(result.outcome).toBe("unknown");
    expect(result.unknown).toMatch(/\.minimumTlsVersion can't be known during preview/);
    expect(
      await runResourcePolicy(tlsPolicy(), { type: ACCOUNT, props: { minimumTlsVersion: UNKNOWN } }),
    ).toEqual([]);
  });

  it("keeps violations reported before an unknown was read", async () => {
    const policy: PlatformResourcePolicy = {
      ...tlsPolicy(),
      validateResource: (args, report) => {
        report("first");
        void (args.props as { x: { y: unknown } }).x.y;
      },
    };
    const result = await checkResourcePolicy(policy, { type: ACCOUNT, props: { x: { y: UNKNOWN } } });
    expect(result).toMatchObject({ outcome: "violation", diagnostics: [{ message: "first" }] });
  });

  it("unknowns nested in arrays are detected too", async () => {
    const policy: PlatformResourcePolicy = {
      ...tlsPolicy(),
      validateResource: (args) => {
        for (const rule of (args.props as { rules: { port: unknown }[] }).rules) void rule.port;
      },
    };
    const result = await checkResourcePolicy(policy, {
      type: ACCOUNT,
      props: { rules: [{ port: 1 }, { port: UNKNOWN }] },
    });
    expect(result.outcome).toBe("unknown");
  });

  it("detects an unknown inside a secret among known values; an unread unknown changes nothing", async () => {
    const secretUnknown = { [SIG_KEY]: SECRET_SIG, value: UNKNOWN };
    const result = await checkResourcePolicy(tlsPolicy(), {
      type: ACCOUNT,
      props: { tags: { a: "b" }, minimumTlsVersion: secretUnknown },
    });
    expect(result.outcome).toBe("unknown");
    // An unknown the policy never reads changes nothing, as with the SDK's proxy.
    const deep = await checkResourcePolicy(tlsPolicy(), {
      type: ACCOUNT,
      props: { minimumTlsVersion: "TLS1_2", x: [{ y: UNKNOWN }] },
    });
    expect(deep.outcome).toBe("pass");
  });

  it("treats notApplicable() as not applicable and passes/violates otherwise", async () => {
    expect(await runResourcePolicy(tlsPolicy(), { type: "azure-native:app:ContainerApp", props: {} })).toBe(
      "notApplicable",
    );
    expect(
      await runResourcePolicy(tlsPolicy(), { type: ACCOUNT, props: { minimumTlsVersion: "TLS1_2" } }),
    ).toEqual([]);
    expect(
      await runResourcePolicy(tlsPolicy(), { type: ACCOUNT, props: { minimumTlsVersion: "TLS1_0" } }),
    ).toEqual(["minimumTlsVersion is TLS1_0"]);
  });

  it("skips a validateResourceOfType policy for other types without calling it (SDK fast path)", async () => {
    const calls: string[] = [];
    const fakeClass = { __pulumiType: ACCOUNT } as unknown as new (...a: never[]) => never;
    const policy: PlatformResourcePolicy = {
      ...tlsPolicy(),
      validateResource: validateResourceOfType(fakeClass as never, (_props, args) => {
        calls.push(args.type);
      }),
    };
    expect(await runResourcePolicy(policy, { type: "azure-native:app:ContainerApp", props: {} })).toBe(
      "notApplicable",
    );
    expect(await runResourcePolicy(policy, { type: ACCOUNT, props: {} })).toEqual([]);
    expect(calls).toEqual([ACCOUNT]);
  });

  it("runs every function of a validateResource array even after one is not applicable", async () => {
    const calls: number[] = [];
    const policy: PlatformResourcePolicy = {
      ...tlsPolicy(),
      validateResource: [
        (args) => {
          calls.push(1);
          args.notApplicable();
        },
        (_args, report) => {
          calls.push(2);
          report("second");
        },
      ],
    };
    expect(await runResourcePolicy(policy, { type: ACCOUNT, props: {} })).toEqual(["second"]);
    expect(calls).toEqual([1, 2]);
  });

  it("fails on any other exception, naming the policy and resource (a crashing policy fails preview)", async () => {
    const policy: PlatformResourcePolicy = {
      ...tlsPolicy(),
      validateResource: () => {
        throw new TypeError("boom");
      },
    };
    await expect(checkResourcePolicy(policy, { type: ACCOUNT, props: {}, name: "st" })).rejects.toThrow(
      PolicyCrashError,
    );
    await expect(checkResourcePolicy(policy, { type: ACCOUNT, props: {}, name: "st" })).rejects.toThrow(
      /test-tls.*boom/,
    );
  });

  it("merges config over the configSchema defaults and hides enforcementLevel", async () => {
    const seen: Record<string, unknown>[] = [];
    await runResourcePolicy(tlsPolicy(seen), { type: ACCOUNT, props: {} });
    await runResourcePolicy(
      tlsPolicy(seen),
      { type: ACCOUNT, props: {} },
      { allowed: ["b"], enforcementLevel: "advisory" },
    );
    expect(seen).toEqual([
      { minimum: "TLS1_2", allowed: ["a"] },
      { minimum: "TLS1_2", allowed: ["b"] },
    ]);
  });

  it("reports the level: advisory stays advisory, remediate is reported as mandatory", async () => {
    const props = { minimumTlsVersion: "TLS1_0" };
    const adv = await checkResourcePolicy(
      tlsPolicy(),
      { type: ACCOUNT, props },
      { enforcementLevel: "advisory" },
    );
    const rem = await checkResourcePolicy(
      tlsPolicy(),
      { type: ACCOUNT, props },
      { enforcementLevel: "remediate" },
    );
    expect(adv.diagnostics[0].enforcementLevel).toBe("advisory");
    expect(rem.diagnostics[0].enforcementLevel).toBe("mandatory");
  });

  it("unwraps secrets: plaintext when present, the placeholder when only ciphertext is", async () => {
    const seen: unknown[] = [];
    const policy: PlatformResourcePolicy = {
      ...tlsPolicy(),
      validateResource: (args) => {
        seen.push((args.props as { a: unknown; b: unknown }).a, (args.props as { b: unknown }).b);
      },
    };
    const sig = "4dabf18193072939515e22adb298388d";
    const secret = "1b47061264138c4ac30d75fd1eb44270";
    await runResourcePolicy(policy, {
      type: ACCOUNT,
      props: { a: { [sig]: secret, value: "plain" }, b: { [sig]: secret, ciphertext: "AAAA" } },
    });
    expect(seen).toEqual(["plain", SECRET_PLACEHOLDER]);
  });

  it("unwraps nested secrets into new objects, shares what holds none, and never changes the input", () => {
    const raw = {
      a: { b: { [SIG_KEY]: SECRET_SIG, value: "x" }, c: [1, { d: 2 }] },
      e: { f: [{ g: 1 }] },
    };
    const before = jsonClone(raw);
    const props = deserializeProperties(raw) as typeof raw & { a: { b: unknown } };
    expect(props).toEqual({ a: { b: "x", c: [1, { d: 2 }] }, e: { f: [{ g: 1 }] } });
    expect(raw).toEqual(before);
    expect(props).not.toBe(raw);
    expect(props.a).not.toBe(raw.a);
    expect(props.a.c).toBe(raw.a.c);
    expect(props.e).toBe(raw.e);
  });

  it("passes the resource options and the provider", async () => {
    let seen: unknown;
    const policy: PlatformResourcePolicy = {
      ...tlsPolicy(),
      validateResource: (args) => {
        seen = {
          protect: args.opts.protect,
          location: (args.provider?.props as { location?: string }).location,
        };
      },
    };
    await runResourcePolicy(policy, {
      type: ACCOUNT,
      props: {},
      opts: { protect: true },
      provider: { props: { location: "westeurope" } },
    });
    expect(seen).toEqual({ protect: true, location: "westeurope" });
  });
});

describe("harness: stack policies", () => {
  const urn = (name: string) => `urn:pulumi:test::p::t::${name}`;
  const resources = [
    { type: "pkg:index:Component", name: "comp", urn: urn("comp"), props: {} },
    {
      type: ACCOUNT,
      name: "st",
      urn: urn("st"),
      props: { id: "/st" },
      parent: urn("comp"),
      protect: true,
    },
    {
      type: "azure-native:monitor:DiagnosticSetting",
      name: "diag",
      urn: urn("diag"),
      props: { resourceUri: "/st" },
      parent: urn("comp"),
      dependencies: [urn("st"), urn("not-in-stack")],
      propertyDependencies: { resourceUri: [urn("st")] },
    },
  ];

  it("links parent, dependencies and propertyDependencies to the resource objects", async () => {
    let graph: PolicyResource[] = [];
    const policy: PlatformStackPolicy = {
      name: "test-graph",
      description: "graph",
      enforcementLevel: "mandatory",
      ...meta,
      validateStack: (args) => {
        graph = args.resources;
      },
    };
    expect(await runStackPolicy(policy, resources)).toEqual([]);
    const [comp, st, diag] = graph;
    expect(st.parent).toBe(comp);
    expect(diag.parent).toBe(comp);
    expect(diag.dependencies).toEqual([st]);
    expect(diag.propertyDependencies.resourceUri[0]).toBe(st);
    expect(st.opts.protect).toBe(true);
    expect(st.isType({ __pulumiType: ACCOUNT } as never)).toBe(true);
    expect(st.asType({ __pulumiType: ACCOUNT } as never)).toBe(st.props);
    expect(comp.asType({ __pulumiType: ACCOUNT } as never)).toBeUndefined();
  });

  it("reports violations with the URN the policy names", async () => {
    const policy: PlatformStackPolicy = {
      name: "test-diag",
      description: "every account has a diagnostic setting",
      enforcementLevel: "mandatory",
      ...meta,
      validateStack: (args, report) => {
        const covered = new Set(
          args.resources
            .filter((r) => r.type.endsWith("DiagnosticSetting"))
            .map((r) => r.props.resourceUri as string),
        );
        for (const r of args.resources)
          if (r.type === ACCOUNT && !covered.has(r.props.id as string)) report("no diag", r.urn);
      },
    };
    expect(await runStackPolicy(policy, resources)).toEqual([]);
    const result = await checkStackPolicy(policy, resources.slice(0, 2));
    expect(result).toMatchObject({
      outcome: "violation",
      diagnostics: [{ message: "no diag", urn: urn("st") }],
    });
    const unknown = await checkStackPolicy(
      policy,
      resources.map((r) => ({ ...r, props: { ...r.props, id: UNKNOWN } })),
    );
    expect(unknown.outcome).toBe("unknown");
  });
});

describe("enforcement resolution and config (as the engine reconciles it)", () => {
  const policies = [
    { ...tlsPolicy(), name: "own-advisory", enforcementLevel: "advisory" as const },
    { ...tlsPolicy(), name: "no-level", enforcementLevel: undefined },
    { ...tlsPolicy(), name: "own-mandatory" },
  ];
  const level = (config: PackConfig, pack: "advisory" | "mandatory" = "mandatory") => {
    const r = reconcilePackConfig(policies, config, pack);
    return Object.fromEntries([...r.policies].map(([k, v]) => [k, v.enforcementLevel]));
  };

  it("uses the policy's own level, then the pack's", () => {
    expect(level({}, "advisory")).toEqual({
      "own-advisory": "advisory",
      "no-level": "advisory",
      "own-mandatory": "mandatory",
    });
    expect(level({}, "mandatory")).toEqual({
      "own-advisory": "advisory",
      "no-level": "mandatory",
      "own-mandatory": "mandatory",
    });
  });

  it("`all` overrides every policy's level; a policy's entry overrides `all` whatever the key order", () => {
    expect(level({ all: "advisory" })).toEqual({
      "own-advisory": "advisory",
      "no-level": "advisory",
      "own-mandatory": "advisory",
    });
    const expected = { "own-advisory": "mandatory", "no-level": "mandatory", "own-mandatory": "disabled" };
    expect(level({ all: "mandatory", "own-mandatory": "disabled" })).toEqual(expected);
    expect(
      level({ "own-mandatory": { enforcementLevel: "disabled" }, all: { enforcementLevel: "mandatory" } }),
    ).toEqual(expected);
  });

  it("merges properties shallowly over the schema defaults, keeping the level", () => {
    const r = reconcilePackConfig(policies, { all: "advisory", "no-level": { allowed: ["x", "y"] } });
    expect(r.policies.get("no-level")).toEqual({
      enforcementLevel: "advisory",
      properties: { minimum: "TLS1_2", allowed: ["x", "y"] },
    });
    expect(r.policies.get("own-mandatory")!.properties).toEqual({ minimum: "TLS1_2", allowed: ["a"] });
  });

  it("reports values the engine would refuse, and refuses unknown policies and parameters with a did-you-mean", () => {
    const r = reconcilePackConfig(policies, {
      "no-level": { allowed: "x", minimum: 3 },
      "no-such-policy": "advisory",
      "own-mandatroy": "advisory",
      "own-advisory": { minimun: "TLS1_3", alowed: [], colour: "red" },
    });
    expect(r.problems).toEqual([
      "no-such-policy: not a policy of the pack; policies: see docs/policy.md",
      'own-mandatroy: not a policy of the pack (did you mean "own-mandatory"?); policies: see docs/policy.md',
      'own-advisory.minimun: not a parameter of own-advisory (did you mean "minimum"?); parameters: minimum, allowed',
      'own-advisory.alowed: not a parameter of own-advisory (did you mean "allowed"?); parameters: minimum, allowed',
      "own-advisory.colour: not a parameter of own-advisory; parameters: minimum, allowed",
      "no-level.minimum: expected string, got 3",
      'no-level.allowed: expected array, got "x"',
    ]);
    expect(r.warnings).toEqual([]);
    expect(checkPackConfigShape({ all: "loud", x: 3 })).toEqual([
      'all: "loud" is not an enforcement level (advisory, mandatory, remediate, disabled)',
      "x: expected an enforcement level or an object, got 3",
    ]);
  });

  it("refuses an allow-list entry broader than a subscription or management group, as the engine's schema does", () => {
    const r = reconcilePackConfig(platformPolicies, {
      "extension-targets-in-stack": {
        allowedDestinations: [
          "/",
          "/subscriptions",
          "/subscriptions/5e000000-0000-4000-8000-000000000000/resourceGroups/rg-shared",
          "/providers/Microsoft.Management/managementGroups/mg-platform",
        ],
      },
    });
    expect(r.problems).toHaveLength(2);
    expect(r.problems[0]).toMatch(
      /^extension-targets-in-stack\.allowedDestinations\[0\]: "\/" is not the ARM ID of a subscription or management group/,
    );
    expect(r.problems[1]).toMatch(
      /^extension-targets-in-stack\.allowedDestinations\[1\]: "\/subscriptions" is not the ARM ID of a subscription/,
    );
  });

  it("loads the presets by stack name and other configs by path, with clear errors", () => {
    expect(loadPackConfig("prod").all).toBe("mandatory");
    expect(loadPackConfig("dev").all).toBe("mandatory");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "packcfg-"));
    const file = path.join(dir, "custom.json");
    fs.writeFileSync(file, JSON.stringify({ all: "advisory" }));
    expect(loadPackConfig(file)).toEqual({ all: "advisory" });
    fs.writeFileSync(file, `\uFEFF${JSON.stringify({ all: "advisory" })}`); // a BOM is not JSON, and not an error
    expect(loadPackConfig(file)).toEqual({ all: "advisory" });
    fs.writeFileSync(file, "{ nope");
    expect(() => loadPackConfig(file)).toThrow(/custom\.json is not valid JSON/);
    fs.writeFileSync(file, JSON.stringify({ all: "sometimes" }));
    expect(() => loadPackConfig(file)).toThrow(PackConfigError);
    expect(() => loadPackConfig("staging")).toThrow(/No policy pack preset "staging".*presets: .*dev.*prod/);
  });
});

/** A small export: root stack, provider, a component with an account, a diagnostic setting. */
function smallExport(): StackExport {
  const stack = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev";
  const provider = "urn:pulumi:dev::p::pulumi:providers:azure-native::default_3_28_0";
  const comp = "urn:pulumi:dev::p::secure-azure-platform:index:BlobStorage::data";
  const st =
    "urn:pulumi:dev::p::secure-azure-platform:index:BlobStorage$azure-native:storage:StorageAccount::st";
  const resources: StackExportResource[] = [
    { urn: stack, type: "pulumi:pulumi:Stack", custom: false, outputs: { out: 1 } },
    {
      urn: provider,
      type: "pulumi:providers:azure-native",
      custom: true,
      id: "pid",
      inputs: { location: "westeurope" },
    },
    { urn: comp, type: "secure-azure-platform:index:BlobStorage", custom: false, parent: stack },
    {
      urn: st,
      type: ACCOUNT,
      custom: true,
      id: "/st",
      parent: comp,
      protect: true,
      provider: `${provider}::pid`,
      inputs: { minimumTlsVersion: "TLS1_0" },
      outputs: { minimumTlsVersion: "TLS1_2", id: "/st" },
    },
    { urn: `${st}-old`, type: ACCOUNT, custom: true, delete: true, inputs: { minimumTlsVersion: "TLS1_0" } },
  ];
  return { version: 3, deployment: { resources } };
}

describe("evaluateStackExport", () => {
  // Like the engine (pulumi/pulumi pkg/resource/deploy/analyze_snapshot.go AnalyzeSnapshot, and the
  // step generator on every registration), provider resources go through the policies too.
  it("runs resource policies on inputs of every resource but pending deletes, providers included", async () => {
    const seen: string[] = [];
    const policy: PlatformResourcePolicy = {
      ...tlsPolicy(),
      resourceTypes: undefined,
      validateResource: (args, report) => {
        seen.push(
          `${args.type}|${JSON.stringify(args.props)}|${args.provider?.urn ?? "-"}|${args.opts.protect}`,
        );
        if (args.type === ACCOUNT && args.props.minimumTlsVersion !== "TLS1_2") report("weak TLS");
      },
    };
    const e = await evaluateStackExport(smallExport(), { policies: [policy] });
    expect(seen).toEqual([
      "pulumi:pulumi:Stack|{}|-|false",
      'pulumi:providers:azure-native|{"location":"westeurope"}|-|false',
      "secure-azure-platform:index:BlobStorage|{}|-|false",
      `${ACCOUNT}|{"minimumTlsVersion":"TLS1_0"}|urn:pulumi:dev::p::pulumi:providers:azure-native::default_3_28_0|true`,
    ]);
    expect(e.summary).toEqual({
      // Counted as the plan counts (countedResources): the component and the account; not the
      // stack, the provider or the pending delete, although the stack went through the policy.
      resources: 2,
      policies: 1,
      mandatory: 1,
      advisory: 0,
      unknown: 0,
      // The test policy declares no types, so nothing counts as evaluated by a service policy.
      unevaluated: 1,
    });
    expect(e.violations).toEqual([
      {
        policy: "test-tls",
        level: "mandatory",
        severity: "high",
        controls: ["TLS-1"],
        urn: smallExport().deployment.resources![3].urn,
        message: "weak TLS",
        remediation: "fix it",
      },
    ]);
    expect(e.outcomes.map((o) => o.outcome)).toEqual(["pass", "pass", "pass", "violation"]);
  });

  it("runs stack policies on outputs with parents (providers included, as the engine does), and attributes foreign URNs to the root stack", async () => {
    const policy: PlatformStackPolicy = {
      name: "test-stack",
      description: "outputs",
      enforcementLevel: "mandatory",
      ...meta,
      resourceTypes: [ACCOUNT],
      validateStack: (args, report) => {
        const st = args.resources.find((r) => r.type === ACCOUNT)!;
        report(`${st.props.minimumTlsVersion} parent=${st.parent?.type}`, st.urn);
        report("elsewhere", "urn:pulumi:dev::p::x::gone");
        if (args.resources.some((r) => r.type.startsWith("pulumi:providers:"))) report("saw a provider");
      },
    };
    const e = await evaluateStackExport(smallExport(), { policies: [policy] });
    const [root, , , st] = smallExport().deployment.resources!;
    expect(e.violations.map((v) => [v.message, v.urn])).toEqual([
      ["TLS1_2 parent=secure-azure-platform:index:BlobStorage", st.urn],
      ["elsewhere", root.urn],
      ["saw a provider", root.urn],
    ]);
    expect(e.outcomes).toEqual([{ policy: "test-stack", urn: st.urn, type: ACCOUNT, outcome: "violation" }]);
  });

  it("applies the config: disabled policies do not run, advisory violations do not count as mandatory", async () => {
    const policy = tlsPolicy();
    const off = await evaluateStackExport(smallExport(), {
      policies: [policy],
      config: { "test-tls": "disabled" },
    });
    expect(off.summary).toMatchObject({ policies: 0, mandatory: 0 });
    expect(off.outcomes).toEqual([]);
    const adv = await evaluateStackExport(smallExport(), { policies: [policy], config: { all: "advisory" } });
    expect(adv.summary).toMatchObject({ policies: 1, mandatory: 0, advisory: 1 });
    const rem = await evaluateStackExport(smallExport(), {
      policies: [policy],
      config: { all: "remediate" },
    });
    expect(rem.violations[0].level).toBe("mandatory");
    await expect(
      evaluateStackExport(smallExport(), { policies: [policy], config: { "test-tls": { minimum: 12 } } }),
    ).rejects.toThrow(/test-tls\.minimum: expected string, got 12/);
  });

  it("refuses malformed resources, naming every resource and field at once (never a crash)", async () => {
    const doc = smallExport() as unknown as { deployment: { resources: Record<string, unknown>[] } };
    doc.deployment.resources[3].dependencies = "urn:pulumi:dev::p::x::y";
    doc.deployment.resources[3].inputs = ["not", "an", "object"];
    doc.deployment.resources[2].propertyDependencies = { a: "urn" };
    doc.deployment.resources.push(42 as never, { urn: 7, type: "t" });
    const error = await evaluateStackExport(doc as unknown as StackExport).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StackExportError);
    const message = (error as Error).message;
    expect(message).toContain("5 malformed field(s)");
    expect(message).toContain(
      `resource #3 (${smallExport().deployment.resources![3].urn}): "inputs" is an array, expected an object`,
    );
    expect(message).toMatch(
      /resource #3 \(\S+::st\): "dependencies" is a string, expected an array of URN strings/,
    );
    expect(message).toMatch(
      /resource #2 \(\S+\): "propertyDependencies" is an object, expected an object of URN string arrays/,
    );
    expect(message).toContain("resource #5 is a number, not an object");
    expect(message).toContain('resource #6: "urn" is a number, expected a string');
    await expect(
      evaluateStackExport({ version: 3, deployment: { resources: "all of them" } } as unknown as StackExport),
    ).rejects.toThrow(/"deployment.resources" is a string, not an array/);
  });

  it("an export with nothing to evaluate is an error, not a pass", async () => {
    const only = smallExport().deployment.resources!.filter((r) => r.custom === false || r.delete === true);
    for (const resources of [[], only, undefined]) {
      await expect(
        evaluateStackExport({ version: 3, deployment: { resources } }, { file: "empty.json" }),
      ).rejects.toThrow(/empty\.json holds no resources to evaluate/);
    }
  });

  it("refuses documents that are not stack exports", async () => {
    await expect(evaluateStackExport({ version: 1, deployment: {} })).rejects.toThrow(
      /not a pulumi stack export: version 1/,
    );
    await expect(evaluateStackExport({ resources: [] } as unknown as StackExport)).rejects.toThrow(
      /"version"/,
    );
  });
});

describe("the pack on real plans", () => {
  let exports: Record<"dev" | "prod", StackExport>;
  beforeAll(async () => {
    exports = {
      dev: await sharedExport("dev"),
      prod: await sharedExport("prod"),
    };
  });

  it("the type fast path gives exactly the slow path's violations and outcomes", async () => {
    const { doc } = syntheticExport({ template: exports.prod, resources: 600, noncompliantRatio: 1 });
    for (const [doc_, stack] of [
      [exports.dev, "dev"],
      [exports.prod, "prod"],
      [doc, "prod"],
    ] as const) {
      const config = loadPackConfig(stack);
      const fast = await evaluateStackExport(doc_, { config });
      const slow = await evaluateStackExport(doc_, { config, typeFilter: false });
      expectEqual(fast.violations, slow.violations);
      expectEqual(fast.outcomes, slow.outcomes);
    }
  });

  it("a policy for every type is not applicable, whatever the props, to the tokens its appliesToType refuses", async () => {
    const gated = platformPolicies.filter((p) => typeof p.appliesToType === "function");
    expect(gated.map((p) => p.name).sort()).toEqual([
      "allowed-locations",
      "azure-provider-settings",
      "azure-resource-own-provider",
      "azure-resource-type-allowed",
      "computed-properties-not-inputs",
      "no-provider-escape-hatches",
      "required-tags",
      "shared-scope-types-evaluated",
    ]);
    const props = { location: "eastus", tags: { environment: "nope" } };
    const tokens = [
      "random:index/randomPassword:RandomPassword",
      "secure-azure-platform:index:BlobStorage",
      "aws:s3/bucket:Bucket",
      "pulumi:pulumi:Stack",
      "azure-native:authorization:RoleAssignment",
      "azure-native:storage:BlobContainer",
      "azure-native:storage:StorageAccount",
      "azure-native:web:WebApp",
      "azure:appservice/linuxWebApp:LinuxWebApp",
      "command:local:Command",
    ];
    let refused = 0;
    for (const policy of gated)
      for (const type of tokens) {
        if (policy.appliesToType!(type)) continue;
        refused++;
        const result = await checkResourcePolicy(policy, { type, props });
        expect(result.outcome).toBe("notApplicable");
      }
    // The Azure-only five (azure-resource-own-provider among them) refuse the 5 non-Azure tokens,
    // required-tags also the 2 known types without tags; no-provider-escape-hatches refuses the 5
    // Azure tokens and the stack (deny by default: every other package's resources are its business);
    // azure-provider-settings refuses all 10 (none is an Azure provider); shared-scope-types-evaluated
    // all but the one Azure type of a shared-scope namespace (authorization).
    expect(refused).toBe(5 * 5 + 2 + 6 + 10 + 9);
  });

  it("without outcomes (the CLI's path), the policies indexed by type give the slow path's verdicts", async () => {
    const { doc } = syntheticExport({ template: exports.prod, resources: 600, noncompliantRatio: 1 });
    const config = loadPackConfig("prod");
    const fast = await evaluateStackExport(doc, { config, outcomes: false });
    const slow = await evaluateStackExport(doc, { config, typeFilter: false });
    expect(fast.violations.length).toBeGreaterThan(0);
    expectEqual(fast.violations, slow.violations);
    expectEqual(fast.unknowns, slow.unknowns);
    expect(fast.summary).toEqual(slow.summary);
  });

  // A remote component's package shows only in its provider resource: the component the provider
  // registers from Construct has no provider (no-provider-escape-hatches).
  it("refuses the provider resource of an unreviewed remote component's package in an export", async () => {
    const doc = jsonClone(exports.prod);
    const root = doc.deployment.resources![0];
    const stack = root.urn.split("::")[0].slice("urn:pulumi:".length);
    const providerUrn = `urn:pulumi:${stack}::secure-azure-platform::pulumi:providers:synced-folder::default`;
    doc.deployment.resources!.push(
      {
        urn: providerUrn,
        type: "pulumi:providers:synced-folder",
        custom: true,
        id: "p1",
        inputs: {},
        outputs: {},
      },
      {
        urn: `urn:pulumi:${stack}::secure-azure-platform::synced-folder:index:AzureBlobFolder::site`,
        type: "synced-folder:index:AzureBlobFolder",
        custom: false,
        parent: root.urn,
        inputs: {},
        outputs: {},
      },
    );
    const e = await evaluateStackExport(doc, { config: loadPackConfig("prod"), outcomes: false });
    expect(e.violations.map((v) => [v.policy, v.urn])).toEqual([["no-provider-escape-hatches", providerUrn]]);
  });

  it("a type no policy declares still meets every deny-by-default policy, whatever its token", async () => {
    const doc = jsonClone(exports.prod);
    const template = doc.deployment.resources!.find((r) => r.type === "azure-native:storage:StorageAccount")!;
    const odd = [
      "azure-native:web:WebApp",
      "azure-native:web/v20240101:WebApp",
      "azure-native_web_v20240101:web:WebApp",
      "azure:appservice/linuxWebApp:LinuxWebApp",
    ].map((type, i) => ({
      ...template,
      type,
      urn: `${template.urn}-odd${i}`,
      inputs: { location: "eastus" },
      outputs: {},
    }));
    doc.deployment.resources!.push(...odd);
    // Each token with its own package's provider, as the engine registers it.
    for (const r of odd) {
      const pkg = r.type.split(":")[0];
      if (pkg === "azure-native") continue;
      const urn = `urn:pulumi:prod::secure-azure-platform::pulumi:providers:${pkg}::default`;
      doc.deployment.resources!.splice(1, 0, {
        urn,
        type: `pulumi:providers:${pkg}`,
        custom: true,
        id: `p-${pkg}`,
        inputs: {},
        outputs: {},
      });
      r.provider = `${urn}::p-${pkg}`;
    }
    const e = await evaluateStackExport(doc, { config: loadPackConfig("prod"), outcomes: false });
    for (const r of odd)
      expect(
        e.violations
          .filter((v) => v.urn === r.urn)
          .map((v) => v.policy)
          .sort(),
      ).toEqual(["allowed-locations", "azure-resource-type-allowed", "required-tags"]);
  });

  it("every token form of a type gets the same verdict: API-versioned and parameterized-package tokens", async () => {
    const { doc } = syntheticExport({ template: exports.prod, resources: 600, noncompliantRatio: 1 });
    const config = loadPackConfig("prod");
    const base = await evaluateStackExport(doc, { config });
    expect(base.violations.length).toBeGreaterThan(0);
    // (Without the outcomes on the providers the retyping registered: the base has none of them.)
    const withoutType = (e: Evaluation, added: ReadonlySet<string> = new Set()) =>
      e.outcomes
        .filter((o) => !added.has(o.urn))
        .map(({ policy, urn, outcome }) => ({ policy, urn, outcome }));
    const forms = [
      (t: string) => t.replace(/^azure-native:([^:]+):/, "azure-native:$1/v20240101preview:"),
      (t: string) => t.replace(/^azure-native:([^:]+):/, "azure-native_$1_v20240101:$1:"),
    ];
    for (const retype of forms) {
      const retyped = jsonClone(doc);
      // A parameterized package's resources come with its own provider (the engine's default).
      const providers = retypeWithProviders(retyped, (t) =>
        t.startsWith("azure-native:") ? retype(t) : undefined,
      );
      for (const typeFilter of [true, false]) {
        const e = await evaluateStackExport(retyped, { config, typeFilter });
        expectEqual(e.violations, base.violations);
        expectEqual(withoutType(e, providers), withoutType(base));
        expect(e.unevaluated.map((u) => [u.type, u.resources])).toEqual(
          base.unevaluated.map((u) => [u.type, u.resources]),
        );
      }
    }
  });

  it("says which Azure resources no service policy evaluates, and which resources are not Azure", async () => {
    const e = await evaluateStackExport(exports.prod, { config: loadPackConfig("prod") });
    expect(e.violations).toEqual([]);
    expect(e.unevaluated.map((u) => u.type)).toEqual(
      expect.arrayContaining(["azure-native:privatedns:PrivateZone"]),
    );
    expect(e.unevaluated.map((u) => u.type)).not.toContain("azure-native:storage:StorageAccount");
    expect(e.summary.unevaluated).toBe(e.unevaluated.reduce((n, u) => n + u.urns.length, 0));
    // Random suffixes, and the propagation waits after role grants (components/common/propagation.ts).
    expect(e.nonAzure.map((n) => n.type).sort()).toEqual([
      "random:index/randomString:RandomString",
      "time:index/sleep:Sleep",
    ]);
  });

  it("says which policy judges the resources that are not Azure (and that none judges the engine's own)", () => {
    const lines = coverageLines({
      unevaluated: [],
      unknowns: [],
      nonAzure: [
        { type: "random:index/randomString:RandomString", resources: 4 },
        { type: "pulumi:pulumi:StackReference", resources: 1 },
      ],
    });
    expect(lines).toContain(
      "Not Azure resources (judged only by no-provider-escape-hatches: package reviewed or resource allow-listed): random:index/randomString:RandomString x4",
    );
    expect(lines).toContain(
      "The engine's own resources (no policy applies): pulumi:pulumi:StackReference x1",
    );
    expect(lines.join("\n")).not.toMatch(/no policy applies\): random/);
  });

  it("names every check a preview could not run, by policy and resource", async () => {
    const doc = jsonClone(exports.prod);
    const account = doc.deployment.resources!.find((r) => r.type === "azure-native:storage:StorageAccount")!;
    account.inputs!.minimumTlsVersion = UNKNOWN;
    const e = await evaluateStackExport(doc, { config: loadPackConfig("prod") });
    expect(e.unknowns).toContainEqual({
      policy: "storage-account-tls",
      urn: account.urn,
      type: account.type,
      reason: expect.stringMatching(/minimumTlsVersion/),
    });
    expect(e.summary.unknown).toBe(e.unknowns.length);
  });

  it("every synthetic defect is reported on the resource that carries it; clean copies repeat the template", async () => {
    // Whole copies (a cut-off last copy would miss, say, its private endpoints), enough of them
    // that every defect is planted at half the copies however large the plan grows.
    const all = exports.prod.deployment.resources ?? [];
    const shared = all.filter(
      (r) => r.type.startsWith("pulumi:providers:") || r.type === "pulumi:pulumi:Stack",
    );
    const resources = shared.length + (all.length - shared.length) * (2 * SYNTHETIC_DEFECTS.length + 2);
    const { doc, defects } = syntheticExport({ template: exports.prod, resources, noncompliantRatio: 0.5 });
    expect(doc.deployment.resources).toHaveLength(resources);
    expect(new Set(defects.map((d) => d.defect))).toEqual(new Set(SYNTHETIC_DEFECTS.map((d) => d.id)));
    const config = loadPackConfig("prod");
    const base = await evaluateStackExport(exports.prod, { config, outcomes: false });
    const e = await evaluateStackExport(doc, { config, outcomes: false });
    const mandatoryUrns = new Set(e.violations.filter((v) => v.level === "mandatory").map((v) => v.urn));
    for (const d of defects) expect(mandatoryUrns).toContain(d.urn);
    const copyOf = (urn: string) => /-(c\d+)$/.exec(urn)?.[1];
    const defective = new Set(defects.map((d) => copyOf(d.urn)));
    const templateFindings = new Set(base.violations.map((v) => `${v.policy} ${v.urn}`));
    const clean = e.violations.filter((v) => !defective.has(copyOf(v.urn)));
    for (const v of clean) expect(templateFindings).toContain(`${v.policy} ${v.urn.replace(/-c\d+$/, "")}`);
  });
});

/**
 * `ExportEvaluator` (lib/analyzer/evaluate.ts): many exports with one set of options, the
 * resources evaluated before not deserialized or checked again. Every evaluation must be what
 * `evaluateStackExport` returns for the same document, and nothing it keeps may go stale: a
 * resource it evaluated cannot change in place (frozen), a changed copy is judged afresh, and
 * what it cannot freeze (unknowns, objects that are not plain data) is evaluated from scratch.
 */
/** What `evaluateStackExport` returns for (a copy of) the same document. */
async function expectSameAsEvaluateStackExport(
  evaluator: ExportEvaluator,
  doc: StackExport,
  options: EvaluateOptions,
): Promise<Awaited<ReturnType<ExportEvaluator["evaluate"]>>> {
  const expected = await evaluateStackExport(jsonClone(doc), options);
  const actual = await evaluator.evaluate(doc);
  expectEqual(actual, expected);
  return actual;
}

/** `doc` with resource `i` replaced by `change(resource)`; every other resource shared. */
function withResource(
  doc: StackExport,
  i: number,
  change: (r: StackExportResource) => StackExportResource,
): StackExport {
  const resources = [...(doc.deployment.resources ?? [])];
  resources[i] = change(resources[i]);
  return { ...doc, deployment: { ...doc.deployment, resources } };
}

describe("ExportEvaluator: the plans' exports", () => {
  // The whole pack, every outcome: prod as the mutation suite evaluates it, dev on deployed values.
  it.each([
    { stack: "prod", deployed: false },
    { stack: "dev", deployed: true },
  ] as const)(
    "%j: evaluateStackExport's evaluation for the export, a variant sharing all but one resource, and the export again",
    async ({ stack, deployed }) => {
      const options: EvaluateOptions = { config: loadPackConfig(stack), deployed };
      const evaluator = new ExportEvaluator(options);
      const doc = await sharedExport(stack);
      const first = await expectSameAsEvaluateStackExport(evaluator, doc, options);
      expect(first.outcomes.length).toBeGreaterThan(1000);
      // A variant: one storage account copied with TLS 1.0 (inputs and outputs), the rest shared.
      const i = doc.deployment.resources!.findIndex((r) => r.type === ACCOUNT);
      const weak = withResource(doc, i, (r) => ({
        ...r,
        inputs: { ...r.inputs, minimumTlsVersion: "TLS1_0" },
        outputs: { ...r.outputs, minimumTlsVersion: "TLS1_0" },
      }));
      const changed = await expectSameAsEvaluateStackExport(evaluator, weak, options);
      expect(changed.violations.map((v) => v.urn)).toContain(doc.deployment.resources![i].urn);
      expect(changed.violations.length).toBeGreaterThan(first.violations.length);
      // The first document again, every resource reused: its own verdicts, not the variant's.
      await expectSameAsEvaluateStackExport(evaluator, doc, options);
    },
  );
});

/** Flags a storage account's `minimumTlsVersion` below TLS 1.2, and its provider's location. */
const tlsAndLocation: PlatformResourcePolicy = {
  name: "test-tls",
  description: "TLS 1.2 minimum",
  enforcementLevel: "mandatory",
  controls: ["TLS-1"],
  severity: "high",
  remediation: "fix it",
  resourceTypes: [ACCOUNT],
  validateResource: (args, report) => {
    if (args.type !== ACCOUNT) args.notApplicable("not a storage account");
    const tls = (args.props as { minimumTlsVersion?: string }).minimumTlsVersion;
    if (tls !== "TLS1_2") report(`minimumTlsVersion is ${tls}`);
    const location = (args.provider?.props as { location?: string } | undefined)?.location;
    if (location !== "westeurope") report(`provider location ${location}`);
  },
};

const PROVIDER = "urn:pulumi:dev::p::pulumi:providers:azure-native::default";
const ST = "urn:pulumi:dev::p::azure-native:storage:StorageAccount::st";

function providerExport(inputs: Record<string, unknown> = { minimumTlsVersion: "TLS1_0" }): StackExport {
  const resources: StackExportResource[] = [
    { urn: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", type: "pulumi:pulumi:Stack", custom: false },
    {
      urn: PROVIDER,
      type: "pulumi:providers:azure-native",
      custom: true,
      id: "pid",
      inputs: { location: "westeurope" },
    },
    {
      urn: ST,
      type: ACCOUNT,
      custom: true,
      id: "/st",
      provider: `${PROVIDER}::pid`,
      inputs,
      outputs: { id: "/st" },
    },
  ];
  return { version: 3, deployment: { resources } };
}

const messagesOf = (e: { violations: { message: string }[] }) => e.violations.map((v) => v.message);

describe("ExportEvaluator: what it keeps cannot go stale", () => {
  const options: EvaluateOptions = { policies: [tlsAndLocation] };

  it("freezes the resources it evaluated: changed in place, they throw; changed copies are judged afresh", async () => {
    const evaluator = new ExportEvaluator(options);
    const doc = providerExport();
    expect(messagesOf(await evaluator.evaluate(doc))).toEqual(["minimumTlsVersion is TLS1_0"]);
    const [, provider, account] = doc.deployment.resources!;
    expect(() => {
      account.inputs!.minimumTlsVersion = "TLS1_2";
    }).toThrow(TypeError);
    expect(() => {
      provider.inputs!.location = "eastus";
    }).toThrow(TypeError);
    expect(() => {
      account.custom = false;
    }).toThrow(TypeError);
    // Whatever was tried, the document is what the next evaluation reads.
    expect(messagesOf(await expectSameAsEvaluateStackExport(evaluator, doc, options))).toEqual([
      "minimumTlsVersion is TLS1_0",
    ]);
    // Copy-on-write: the account, then the provider, changed as new objects.
    const fixed = withResource(doc, 2, (r) => ({
      ...r,
      inputs: { ...r.inputs, minimumTlsVersion: "TLS1_2" },
    }));
    expect(messagesOf(await expectSameAsEvaluateStackExport(evaluator, fixed, options))).toEqual([]);
    const moved = withResource(fixed, 1, (r) => ({ ...r, inputs: { location: "eastus" } }));
    expect(messagesOf(await expectSameAsEvaluateStackExport(evaluator, moved, options))).toEqual([
      "provider location eastus",
    ]);
  });

  it("does not freeze or keep props holding an unknown: they stay behind the SDK's proxy", async () => {
    const evaluator = new ExportEvaluator(options);
    const doc = providerExport({ minimumTlsVersion: UNKNOWN_SENTINEL, nested: { a: UNKNOWN_SENTINEL } });
    for (let i = 0; i < 2; i++) {
      const e = await expectSameAsEvaluateStackExport(evaluator, doc, options);
      expect(e.unknowns.map((u) => [u.policy, u.urn])).toEqual([["test-tls", ST]]);
    }
    const account = doc.deployment.resources![2];
    expect(Object.isFrozen(account) || Object.isFrozen(account.inputs)).toBe(false);
    // Not kept: a change in place is seen.
    account.inputs!.minimumTlsVersion = "TLS1_1";
    expect(messagesOf(await expectSameAsEvaluateStackExport(evaluator, doc, options))).toEqual([
      "minimumTlsVersion is TLS1_1",
    ]);
  });

  it("evaluates a resource that is not plain JSON data from scratch every time", async () => {
    const evaluator = new ExportEvaluator(options);
    let tls = "TLS1_0";
    const inputs = {
      get minimumTlsVersion() {
        return tls;
      },
    };
    const doc = providerExport(inputs);
    expect(messagesOf(await evaluator.evaluate(doc))).toEqual(["minimumTlsVersion is TLS1_0"]);
    expect(Object.isFrozen(doc.deployment.resources![2])).toBe(false);
    tls = "TLS1_2";
    expect(messagesOf(await evaluator.evaluate(doc))).toEqual([]);
  });

  it("gives policies frozen props and config: one that writes to them crashes instead of changing the next evaluation", async () => {
    const writing = (write: (props: Record<string, unknown>, config: { allowed: string[] }) => void) =>
      new ExportEvaluator({
        policies: [
          {
            ...tlsAndLocation,
            configSchema: { properties: { allowed: { type: "array", default: ["TLS1_2"] } } },
            validateResource: (args) => write(args.props, args.getConfig<{ allowed: string[] }>()),
          },
        ],
      });
    const doc = providerExport();
    await expect(writing((props) => (props.minimumTlsVersion = "TLS1_2")).evaluate(doc)).rejects.toThrow(
      PolicyCrashError,
    );
    await expect(writing((_, config) => config.allowed.push("TLS1_0")).evaluate(doc)).rejects.toThrow(
      PolicyCrashError,
    );
    expect(doc.deployment.resources![2].inputs).toEqual({ minimumTlsVersion: "TLS1_0" });
  });
});
