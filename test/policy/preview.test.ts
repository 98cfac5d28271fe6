/**
 * The pack during a real `pulumi preview` of a new stack: every resource's ID, and every
 * value computed from another resource (IDs, principal IDs, vault URIs), is unknown. Stack
 * policies must still judge the relations through the dependency graph, and presence checks
 * must take an unknown reference as set — otherwise the engine only prints "can't run during
 * preview" and nothing blocks until `pulumi up` has created the resources.
 */
import { sharedExport } from "../helpers/plans";
import { loadPackConfig } from "../../lib/analyzer/config";
import { evaluateStackExport } from "../../lib/analyzer/evaluate";
import { UNKNOWN_SENTINEL } from "../../lib/analyzer/server";
import { jsonClone } from "../../lib/analyzer/paths";
import { type StackExport } from "../../policy/common/pulumiFormat";

type Resource = {
  urn: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
};

/** The export as a first preview sees it. */
function previewOf(doc: StackExport): StackExport {
  const copy = jsonClone(doc);
  const resources = copy.deployment.resources as Resource[];
  const ids = resources
    .map((r) => r.outputs?.id)
    .filter((id): id is string => typeof id === "string" && id.split("/").length > 3);
  // Principal IDs the stack computes (its identities'); human group IDs come from config and
  // are known in a preview.
  const principals = resources
    .filter((r) => r.type === "azure-native:managedidentity:UserAssignedIdentity")
    .map((r) => r.outputs?.principalId)
    .filter((p) => typeof p === "string");
  const vaultUris = resources
    .map((r) => (r.outputs?.properties as { vaultUri?: unknown } | undefined)?.vaultUri)
    .filter((u): u is string => typeof u === "string");
  const computed = (s: string) =>
    ids.some((id) => s.startsWith(id)) || principals.includes(s) || vaultUris.some((u) => s.startsWith(u));
  const blank = (v: unknown): unknown =>
    typeof v === "string"
      ? computed(v)
        ? UNKNOWN_SENTINEL
        : v
      : Array.isArray(v)
        ? v.map(blank)
        : v && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, blank(x)]))
          : v;
  for (const r of resources) {
    if (r.type.startsWith("pulumi:")) continue;
    r.inputs = blank(r.inputs) as Record<string, unknown>;
    r.outputs = blank(r.outputs) as Record<string, unknown>;
  }
  return copy;
}

let preview: StackExport;
beforeAll(async () => {
  preview = previewOf(await sharedExport("prod"));
}, 60_000);

const evaluate = (doc: StackExport) => evaluateStackExport(doc, { config: loadPackConfig("prod") });
const without = (doc: StackExport, drop: (r: Resource) => boolean): StackExport => {
  const copy = jsonClone(doc);
  copy.deployment.resources = (copy.deployment.resources as Resource[]).filter((r) => !drop(r));
  return copy;
};

it("the simulation really hides the references", () => {
  const diag = (preview.deployment.resources as Resource[]).find(
    (r) => r.type === "azure-native:monitor:DiagnosticSetting",
  );
  expect(diag?.inputs?.resourceUri).toBe(UNKNOWN_SENTINEL);
  expect(diag?.outputs?.id).toBe(UNKNOWN_SENTINEL);
});

it("the prod preview passes, and every policy runs except where the target's type decides", async () => {
  const { violations, outcomes } = await evaluate(preview);
  expect(violations).toEqual([]);
  const unknown = outcomes.filter((o) => o.outcome === "unknown");
  // Two metrics-only diagnostic settings (storage account, Redis cluster): whether a target
  // without log categories is allowed depends on its type, which its unknown ID hides.
  expect(unknown.map((o) => o.policy)).toEqual([
    "diagnostic-setting-to-workspace",
    "diagnostic-setting-to-workspace",
  ]);
});

describe("stack policies still block in a preview, through dependencies", () => {
  it.each([
    [
      "a Key Vault without its diagnostic setting",
      (r: Resource) => r.urn.endsWith("::keyvault-vault-diag"),
      "diagnostics-coverage",
    ],
    [
      "the storage account without its private endpoint",
      (r: Resource) => r.urn.endsWith("::storage-pe"),
      "data-store-private-connectivity",
    ],
    [
      "PostgreSQL without its lock",
      (r: Resource) => r.urn.endsWith("::postgres-server-lock"),
      "stateful-resources-locked",
    ],
    [
      "PostgreSQL without its alerts",
      (r: Resource) => r.type === "azure-native:monitor:MetricAlert" && r.urn.includes("::postgres-"),
      "critical-resources-alerted",
    ],
  ] as const)("%s", async (_what, drop, policy) => {
    const doc = without(preview, drop);
    expect((doc.deployment.resources ?? []).length).toBeLessThan((preview.deployment.resources ?? []).length);
    const { violations } = await evaluate(doc);
    expect(violations.filter((v) => v.policy === policy && v.level === "mandatory").length).toBeGreaterThan(
      0,
    );
  });
});

it("a workload role whose scope comes from a resource group of the stack is refused in the first preview", async () => {
  const doc = jsonClone(preview);
  const resources = doc.deployment.resources as (Resource & {
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
  })[];
  const rg = resources.find((r) => r.type === "azure-native:resources:ResourceGroup")!;
  const grant = resources.find((r) => r.urn.endsWith("::app-web-blob-read"))!;
  // scope: rg.id instead of the account's ID; both are unknown in a first preview.
  expect(grant.inputs?.scope).toBe(UNKNOWN_SENTINEL);
  // As the SDK registers it: the grant, and its scope input, now depend on the resource group.
  grant.dependencies = [rg.urn, ...(grant.dependencies ?? []).filter((d) => !d.includes("StorageAccount"))];
  grant.propertyDependencies = { ...grant.propertyDependencies, scope: [rg.urn] };
  const { violations } = await evaluate(doc);
  expect(violations.filter((v) => v.policy === "extension-targets-in-stack").map((v) => v.message)).toEqual([
    expect.stringMatching(/gives a workload a role on a scope not known yet that depends on .*ResourceGroup/),
  ]);
});

describe("an injected unknown does not turn a stack policy advisory in a preview", () => {
  it("a PostgreSQL parameter whose server name is not known yet, beside a removed TLS floor", async () => {
    const doc = without(
      preview,
      (r) =>
        r.type === "azure-native:dbforpostgresql:Configuration" &&
        r.inputs?.configurationName === "ssl_min_protocol_version",
    );
    const resources = doc.deployment.resources as Resource[];
    const pgConfig = resources.find((r) => r.type === "azure-native:dbforpostgresql:Configuration")!;
    resources.push({
      ...jsonClone(pgConfig),
      urn: pgConfig.urn.replace(/::[^:]+$/, "::pg-decoy"),
      inputs: {
        ...pgConfig.inputs,
        serverName: UNKNOWN_SENTINEL,
        configurationName: "log_min_duration_statement",
        value: "-1",
      },
    });
    const { violations } = await evaluate(doc);
    expect(
      violations.filter((v) => v.policy === "postgres-server-parameters" && v.level === "mandatory").length,
    ).toBeGreaterThan(0);
  });
});
