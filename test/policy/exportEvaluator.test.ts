/**
 * `ExportEvaluator` (lib/analyzer/evaluate.ts): many exports with one set of options, the
 * resources evaluated before not deserialized or checked again. Every evaluation must be what
 * `evaluateStackExport` returns for the same document, and nothing it keeps may go stale: a
 * resource it evaluated cannot change in place (frozen), a changed copy is judged afresh, and
 * what it cannot freeze (unknowns, objects that are not plain data) is evaluated from scratch.
 */
import { loadPackConfig } from "../../lib/analyzer/config";
import { evaluateStackExport, ExportEvaluator, type EvaluateOptions } from "../../lib/analyzer/evaluate";
import { PolicyCrashError, UNKNOWN_SENTINEL } from "../../lib/analyzer/server";
import { jsonClone } from "../../lib/analyzer/paths";
import type { StackExport, StackExportResource } from "../../policy/common/pulumiFormat";
import type { PlatformResourcePolicy } from "../../policy/lib/types";
import { sharedExport } from "../helpers/plans";
import { expectEqual } from "../helpers/equal";

const ACCOUNT = "azure-native:storage:StorageAccount";

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

describe.each(["dev", "prod"] as const)("the %s plan's export", (stack) => {
  it.each([{ deployed: false }, { deployed: true }])(
    "gives evaluateStackExport's evaluation, every outcome, for the export and its variants (%j)",
    async ({ deployed }) => {
      const options: EvaluateOptions = { config: loadPackConfig(stack), deployed };
      const evaluator = new ExportEvaluator(options);
      const doc = await sharedExport(stack);
      const first = await expectSameAsEvaluateStackExport(evaluator, doc, options);
      expect(first.outcomes.length).toBeGreaterThan(1000);
      // Again, every resource reused.
      await expectSameAsEvaluateStackExport(evaluator, doc, options);
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
      // Back to the first document: its own verdicts, not the variant's.
      await expectSameAsEvaluateStackExport(evaluator, doc, options);
    },
  );
});

/** Flags a storage account's `minimumTlsVersion` below TLS 1.2, and its provider's location. */
const tlsPolicy: PlatformResourcePolicy = {
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

function smallExport(inputs: Record<string, unknown> = { minimumTlsVersion: "TLS1_0" }): StackExport {
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

const messages = (e: { violations: { message: string }[] }) => e.violations.map((v) => v.message);

describe("what the evaluator keeps cannot go stale", () => {
  const options: EvaluateOptions = { policies: [tlsPolicy] };

  it("freezes the resources it evaluated: changed in place, they throw; changed copies are judged afresh", async () => {
    const evaluator = new ExportEvaluator(options);
    const doc = smallExport();
    expect(messages(await evaluator.evaluate(doc))).toEqual(["minimumTlsVersion is TLS1_0"]);
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
    expect(messages(await expectSameAsEvaluateStackExport(evaluator, doc, options))).toEqual([
      "minimumTlsVersion is TLS1_0",
    ]);
    // Copy-on-write: the account, then the provider, changed as new objects.
    const fixed = withResource(doc, 2, (r) => ({
      ...r,
      inputs: { ...r.inputs, minimumTlsVersion: "TLS1_2" },
    }));
    expect(messages(await expectSameAsEvaluateStackExport(evaluator, fixed, options))).toEqual([]);
    const moved = withResource(fixed, 1, (r) => ({ ...r, inputs: { location: "eastus" } }));
    expect(messages(await expectSameAsEvaluateStackExport(evaluator, moved, options))).toEqual([
      "provider location eastus",
    ]);
  });

  it("does not freeze or keep props holding an unknown: they stay behind the SDK's proxy", async () => {
    const evaluator = new ExportEvaluator(options);
    const doc = smallExport({ minimumTlsVersion: UNKNOWN_SENTINEL, nested: { a: UNKNOWN_SENTINEL } });
    for (let i = 0; i < 2; i++) {
      const e = await expectSameAsEvaluateStackExport(evaluator, doc, options);
      expect(e.unknowns.map((u) => [u.policy, u.urn])).toEqual([["test-tls", ST]]);
    }
    const account = doc.deployment.resources![2];
    expect(Object.isFrozen(account) || Object.isFrozen(account.inputs)).toBe(false);
    // Not kept: a change in place is seen.
    account.inputs!.minimumTlsVersion = "TLS1_1";
    expect(messages(await expectSameAsEvaluateStackExport(evaluator, doc, options))).toEqual([
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
    const doc = smallExport(inputs);
    expect(messages(await evaluator.evaluate(doc))).toEqual(["minimumTlsVersion is TLS1_0"]);
    expect(Object.isFrozen(doc.deployment.resources![2])).toBe(false);
    tls = "TLS1_2";
    expect(messages(await evaluator.evaluate(doc))).toEqual([]);
  });

  it("gives policies frozen props and config: one that writes to them crashes instead of changing the next evaluation", async () => {
    const writing = (write: (props: Record<string, unknown>, config: { allowed: string[] }) => void) =>
      new ExportEvaluator({
        policies: [
          {
            ...tlsPolicy,
            configSchema: { properties: { allowed: { type: "array", default: ["TLS1_2"] } } },
            validateResource: (args) => write(args.props, args.getConfig<{ allowed: string[] }>()),
          },
        ],
      });
    const doc = smallExport();
    await expect(writing((props) => (props.minimumTlsVersion = "TLS1_2")).evaluate(doc)).rejects.toThrow(
      PolicyCrashError,
    );
    await expect(writing((_, config) => config.allowed.push("TLS1_0")).evaluate(doc)).rejects.toThrow(
      PolicyCrashError,
    );
    expect(doc.deployment.resources![2].inputs).toEqual({ minimumTlsVersion: "TLS1_0" });
  });
});
