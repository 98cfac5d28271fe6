/**
 * The pack during a real `pulumi preview` that creates resources (test/helpers/firstPreview.ts:
 * IDs, names with a random suffix, FQDNs, principal IDs, vault and key URIs, a resource group's
 * `name`, and every input computed from them are unknown; propertyDependencies as the SDK sends
 * them). Stack policies must still judge the relations through the dependency graph, presence
 * checks must take an unknown reference as set, and no fail-closed rule may refuse a legitimate
 * stack: the first preview of a new stack, or an update that replaces a resource, runs in CI with
 * the pack and would be blocked (or a stack policy silenced) otherwise.
 */
import * as path from "path";
import { sharedExport, sharedPlan } from "../helpers/plans";
import { sdkFirstPreview } from "../helpers/sdkPreview";
import { previewExport } from "../helpers/firstPreview";
import { ROOT } from "../helpers/cli";
import { loadPackConfig } from "../../lib/analyzer/config";
import { evaluateStackExport, type Evaluation } from "../../lib/analyzer/evaluate";
import { UNKNOWN_SENTINEL } from "../../lib/analyzer/server";
import { jsonClone } from "../../lib/analyzer/paths";
import { planProgram } from "../../lib/offline/plan";
import { readProgramDir, type ProgramDir } from "../../lib/offline/program";
import { type StackExport } from "../../policy/common/pulumiFormat";

type Resource = {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
};

/** How examples/team-app's stack file names the platform stack it reads. */
const PLATFORM_DEV = "organization/secure-azure-platform/dev";
const resourcesOf = (doc: StackExport) => doc.deployment.resources as Resource[];
const named = (doc: StackExport, name: string) => resourcesOf(doc).find((r) => r.urn.endsWith(`::${name}`))!;

let deployed: StackExport;
let preview: StackExport;
beforeAll(async () => {
  deployed = await sharedExport("prod");
  preview = previewExport(deployed);
}, 60_000);

const evaluate = (doc: StackExport) => evaluateStackExport(doc, { config: loadPackConfig("prod") });
const without = (doc: StackExport, drop: (r: Resource) => boolean): StackExport => {
  const copy = jsonClone(doc);
  copy.deployment.resources = (copy.deployment.resources as Resource[]).filter((r) => !drop(r));
  return copy;
};

const unknownOutcomes = ({ outcomes }: Evaluation) =>
  outcomes.filter((o) => o.outcome === "unknown").map((o) => `${o.policy} ${o.urn.split("::").pop()}`);

describe("the simulation is a first preview as the engine runs it", () => {
  it("hides IDs and every value computed from a resource being created", () => {
    const diag = resourcesOf(preview).find((r) => r.type === "azure-native:monitor:DiagnosticSetting");
    expect(diag?.inputs?.resourceUri).toBe(UNKNOWN_SENTINEL);
    expect(diag?.outputs?.id).toBe(UNKNOWN_SENTINEL);
    // A random suffix, the names built from it, the FQDN and URIs Azure computes.
    expect(named(preview, "keyvault-vault-name-suffix").outputs?.result).toBe(UNKNOWN_SENTINEL);
    expect(named(preview, "keyvault-vault").inputs?.vaultName).toBe(UNKNOWN_SENTINEL);
    expect(named(preview, "postgres-server").inputs?.serverName).toBe(UNKNOWN_SENTINEL);
    expect(named(preview, "postgres-server").outputs?.fullyQualifiedDomainName).toBe(UNKNOWN_SENTINEL);
    expect(named(preview, "cmk-storage-key").outputs?.keyUriWithVersion).toBe(UNKNOWN_SENTINEL);
    // A resource group's `name` is an output, not an input: unknown until it exists
    // (pulumi-azure-native provider/pkg/convert/previewOutputs.go), and with it every
    // resourceGroupName computed from it; a key's group is read from its vault's unknown ID.
    expect(named(preview, "rg").outputs?.name).toBe(UNKNOWN_SENTINEL);
    expect(named(preview, "storage-account").inputs?.resourceGroupName).toBe(UNKNOWN_SENTINEL);
    expect(named(preview, "cmk-storage-key").inputs?.resourceGroupName).toBe(UNKNOWN_SENTINEL);
    // Only the response's properties (azure-native's PreviewOutputs): no ARM path parameter, an
    // input echoed only where an output has its name, a key's flattened properties unknown; the
    // stack's exports computed from the group's name are unknown too.
    const lock = named(preview, "postgres-server-lock");
    expect(lock.inputs?.scope).toBe(UNKNOWN_SENTINEL);
    expect(Object.keys(lock.outputs ?? {}).filter((k) => k in (lock.inputs ?? {}))).toEqual([
      "level",
      "notes",
    ]);
    const configuration = resourcesOf(preview).find(
      (r) => r.type === "azure-native:dbforpostgresql:Configuration",
    )!;
    expect(configuration.outputs).not.toHaveProperty("configurationName");
    expect(configuration.outputs).not.toHaveProperty("serverName");
    expect(configuration.outputs?.name).toBe(UNKNOWN_SENTINEL);
    expect(named(preview, "cmk-storage-key").outputs).not.toHaveProperty("properties");
    expect(named(preview, "cmk-storage-key").outputs?.kty).toBe(UNKNOWN_SENTINEL);
    expect(named(preview, "secure-azure-platform-prod").outputs?.resourceGroupName).toBe(UNKNOWN_SENTINEL);
    // A map keyed by identity IDs can only come from an apply over them: unknown as a whole.
    expect(
      (named(preview, "postgres-server").inputs?.identity as { userAssignedIdentities?: unknown })
        .userAssignedIdentities,
    ).toBe(UNKNOWN_SENTINEL);
  });

  it("keeps what a preview knows: config, invokes (the tenant) and inputs set by the program", () => {
    const vault = named(preview, "keyvault-vault").inputs?.properties as Record<string, unknown>;
    const deployedVault = named(deployed, "keyvault-vault").inputs?.properties as Record<string, unknown>;
    expect(vault.tenantId).toBe(deployedVault.tenantId);
    expect(vault.publicNetworkAccess).toBe("Disabled");
    expect(named(preview, "rg").inputs?.resourceGroupName).toBe(
      named(deployed, "rg").inputs?.resourceGroupName,
    );
  });

  it("keeps dependencies and propertyDependencies exactly as the SDK sends them", () => {
    const links = (doc: StackExport) =>
      resourcesOf(doc).map(({ urn, dependencies, propertyDependencies }) => ({
        urn,
        dependencies,
        propertyDependencies,
      }));
    expect(links(preview)).toEqual(links(deployed));
  });
});

describe("a first preview of a new stack is not blocked by the pack, and every policy runs", () => {
  // Two metrics-only diagnostic settings (storage account, Redis cluster): whether a target
  // without log categories is allowed depends on its type, which its unknown ID hides from a
  // resource policy (it sees no dependencies).
  const TYPE_DECIDES = [
    "diagnostic-setting-to-workspace redis-cluster-diag",
    "diagnostic-setting-to-workspace storage-account-diag",
  ];

  it("prod", async () => {
    const evaluation = await evaluate(preview);
    expect(evaluation.violations).toEqual([]);
    expect(unknownOutcomes(evaluation).sort()).toEqual(TYPE_DECIDES);
  });

  it("dev", async () => {
    const evaluation = await evaluateStackExport(previewExport(await sharedExport("dev")), {
      config: loadPackConfig("dev"),
    });
    expect(evaluation.violations).toEqual([]);
    expect(unknownOutcomes(evaluation).sort()).toEqual(TYPE_DECIDES);
  });

  it("examples/team-app with its reviewed config", async () => {
    const dir = path.join(ROOT, "examples", "team-app");
    const { program, problems } = readProgramDir(dir, "dev");
    expect(problems).toEqual([]);
    // Its stack reference reads the platform's shared dev plan instead of planning it again.
    const plan = await planProgram(program as ProgramDir, "dev", {
      stackReferences: { [PLATFORM_DEV]: (await sharedPlan("dev")).outputs },
    });
    const doc = previewExport(plan.toStackExport());
    // The team's own resource group and database are new: their names are not known yet.
    expect(
      resourcesOf(doc).find((r) => r.type === "azure-native:dbforpostgresql:Server")?.inputs?.serverName,
    ).toBe(UNKNOWN_SENTINEL);
    const evaluation = await evaluateStackExport(doc, {
      config: loadPackConfig(path.join(dir, "policy-config.dev.json")),
    });
    expect(evaluation.violations).toEqual([]);
    expect(unknownOutcomes(evaluation)).toEqual([]);
  }, 60_000);

  it("prod without the Front Door approval, which a component registers only once the profile exists", async () => {
    const doc = without(
      preview,
      (r) => r.type === "azure-native:app:ManagedEnvironmentPrivateEndpointConnection",
    );
    expect(resourcesOf(doc).length).toBe(resourcesOf(preview).length - 1);
    expect((await evaluate(doc)).violations).toEqual([]);
  });
});

/**
 * The first preview as the SDK itself runs it (test/helpers/sdkPreview.ts): beyond the values
 * above, a whole object input the azure-native SDK passes through its `...ArgsProvideDefaults`
 * apply is unknown, an invoke with unknown arguments keeps no dependencies, and what a component
 * creates inside an apply over an unknown does not register.
 */
describe("the first preview of the real program through the SDK is not blocked, and only these policies wait", () => {
  // Resource policies on a whole object input not known yet: the engine reports "can't run
  // during preview" (advisory, @pulumi/policy server.js), and runs them again on the known inputs
  // before it creates the resource during `pulumi up` (pulumi/pulumi
  // pkg/resource/deploy/step_generator.go: a mandatory violation makes the resource invalid).
  // - diagnostic-setting-to-workspace: a metrics-only setting's target type hides in its unknown ID;
  // - storage-account-*: `encryption` (storage/storageAccount.js encryptionArgsProvideDefaults);
  // - container-app-*: `configuration`, `template` (app/containerApp.js ...ArgsProvideDefaults).
  const APP = [
    "container-app-cors-credentials",
    "container-app-external-ingress",
    "container-app-frontend-replicas",
    "container-app-https-only",
    "container-app-no-dev-services",
    "container-app-no-secret-env",
    "container-app-registry-identity",
    "container-app-secrets-from-key-vault",
  ];
  const PLATFORM = [
    ...APP.flatMap((p) => [`${p} app-api-app`, `${p} app-web-app`]),
    "diagnostic-setting-to-workspace redis-cluster-diag",
    "diagnostic-setting-to-workspace storage-account-diag",
  ];
  const STORAGE_CMK = [
    "storage-account-customer-managed-key storage-account",
    "storage-account-infrastructure-encryption storage-account",
  ];

  // One run of the program per stack (about a second each).
  const runs = new Map<string, Promise<StackExport>>();
  const platformPreview = (stack: string) => {
    let run = runs.get(stack);
    if (!run) runs.set(stack, (run = sdkFirstPreview({ main: path.join(ROOT, "index.ts"), stack })));
    return run;
  };

  it.each([
    ["prod", [...PLATFORM, ...STORAGE_CMK]],
    ["dev", PLATFORM],
  ])(
    "%s",
    async (stack, expected) => {
      const doc = await platformPreview(stack);
      const registered = resourcesOf(doc);
      // The program really ran as a preview: nothing Azure computes is known.
      expect(registered.find((r) => r.type === "azure-native:keyvault:Vault")?.inputs?.vaultName).toBe(
        UNKNOWN_SENTINEL,
      );
      expect(
        registered.some((r) => r.type === "azure-native:app:ManagedEnvironmentPrivateEndpointConnection"),
      ).toBe(false);
      // azure-native's PreviewOutputs: no ARM path parameter among a created resource's outputs.
      const configuration = registered.find((r) => r.type === "azure-native:dbforpostgresql:Configuration")!;
      expect(configuration.outputs).not.toHaveProperty("configurationName");
      expect(configuration.outputs).not.toHaveProperty("resourceGroupName");
      const evaluation = await evaluateStackExport(doc, { config: loadPackConfig(stack) });
      expect(evaluation.violations).toEqual([]);
      expect(unknownOutcomes(evaluation).sort()).toEqual([...expected].sort());
    },
    60_000,
  );

  it("examples/team-app with its reviewed config", async () => {
    const dir = path.join(ROOT, "examples", "team-app");
    const doc = await sdkFirstPreview({
      main: path.join(dir, "index.ts"),
      projectFile: path.join(dir, "Pulumi.yaml"),
      stack: "dev",
      // A stack reference is a read: known in a preview.
      stackOutputs: { [PLATFORM_DEV]: (await sharedPlan("dev")).outputs },
    });
    const evaluation = await evaluateStackExport(doc, {
      config: loadPackConfig(path.join(dir, "policy-config.dev.json")),
    });
    expect(evaluation.violations).toEqual([]);
    expect(unknownOutcomes(evaluation).sort()).toEqual([
      "container-app-no-dev-services orders-api-app",
      "container-app-no-secret-env orders-api-app",
    ]);
  }, 60_000);

  it("the Managed Redis key URL, read through an invoke, still names its key (customer-managed-keys-rotate)", async () => {
    const doc = await platformPreview("prod");
    const cluster = named(doc, "redis-cluster");
    const encryption = cluster.inputs?.encryption as {
      customerManagedKeyEncryption?: { keyEncryptionKeyUrl?: unknown };
    };
    expect(encryption.customerManagedKeyEncryption?.keyEncryptionKeyUrl).toBe(UNKNOWN_SENTINEL);
    expect(cluster.propertyDependencies?.encryption).toContain(named(doc, "cmk-redis-key").urn);
  }, 60_000);
});

describe("an update that replaces one resource is not blocked, and every policy runs", () => {
  // (A scan of every one of prod's 154 and dev's 122 managed resources, replaced alone, gives
  // these outcomes and no violation; these are the stateful ones and the cascades.)
  const STORAGE_DIAG = "diagnostic-setting-to-workspace storage-account-diag";
  const REDIS_DIAG = "diagnostic-setting-to-workspace redis-cluster-diag";
  it.each([
    ["keyvault-vault", []],
    ["keyvault-geo-vault", []],
    ["logging-workspace", []],
    ["storage-account", [STORAGE_DIAG]],
    ["postgres-server", []],
    ["redis-cluster", [REDIS_DIAG]],
    ["network-zone-vault", []],
    ["cmk-storage-identity-identity", []],
    // Cascades: a new random suffix replaces the account it names, a new resource group everything in it.
    ["data-storageAccount-suffix", [STORAGE_DIAG]],
    ["rg", [REDIS_DIAG, STORAGE_DIAG]],
  ])("%s", async (replaced, expected) => {
    const doc = previewExport(deployed, { created: (r) => r.urn.endsWith(`::${replaced}`) });
    expect(named(doc, replaced).outputs?.id ?? named(doc, replaced).outputs?.result).toBe(UNKNOWN_SENTINEL);
    const evaluation = await evaluate(doc);
    expect(evaluation.violations).toEqual([]);
    // Only a metrics-only diagnostic setting whose target is new, as in a first preview.
    expect(unknownOutcomes(evaluation).sort()).toEqual(expected);
  });
});

describe("what the fixes accept is only what a legitimate stack computes", () => {
  it("a key's resource group not known yet counts through a vault in the stack's group, not through anything", async () => {
    const doc = jsonClone(preview);
    const key = named(doc, "cmk-storage-key");
    // Computed from the random suffix instead of the vault: no place to stand on.
    key.propertyDependencies = {
      ...key.propertyDependencies,
      resourceGroupName: [named(doc, "data-storageAccount-suffix").urn],
    };
    // A vault placed in the other environment's group vouches for no key computed from it.
    const geoKey = named(doc, "cmk-postgres-geo-key");
    const geoVault = resourcesOf(doc).find((r) =>
      geoKey.propertyDependencies?.resourceGroupName?.includes(r.urn),
    )!;
    expect(geoVault.type).toBe("azure-native:keyvault:Vault");
    geoVault.inputs = { ...geoVault.inputs, resourceGroupName: "rg-sap-dev" };
    geoVault.outputs = { ...geoVault.outputs, resourceGroupName: "rg-sap-dev" };
    const { violations } = await evaluate(doc);
    expect(
      violations
        .filter((v) => v.policy === "own-resource-groups")
        .map((v) => v.urn.split("::").pop())
        .sort(),
    ).toEqual(["cmk-postgres-geo-key", "cmk-storage-key", "keyvault-geo-vault"]);
  });

  it("another environment's identity attached in a first preview is refused, not made advisory", async () => {
    const doc = jsonClone(preview);
    const account = named(doc, "storage-account");
    const foreign =
      "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-sap-dev/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-sap-app-web-dev";
    for (const props of [account.inputs, account.outputs])
      (props!.identity as { userAssignedIdentities: unknown }).userAssignedIdentities = [foreign];
    const evaluation = await evaluate(doc);
    expect(
      unknownOutcomes(evaluation).filter((o) => o.startsWith("user-assigned-identities-from-stack")),
    ).toEqual([]);
    expect(
      evaluation.violations.filter(
        (v) => v.policy === "user-assigned-identities-from-stack" && v.level === "mandatory",
      ).length,
    ).toBeGreaterThan(0);
  });

  it("blob service properties whose account is not known yet cover only the account they are computed from", async () => {
    const doc = jsonClone(preview);
    const blob = named(doc, "storage-blob-service");
    expect(blob.inputs?.accountName).toBe(UNKNOWN_SENTINEL);
    blob.propertyDependencies = {
      ...blob.propertyDependencies,
      accountName: [named(doc, "data-storageAccount-suffix").urn],
    };
    const evaluation = await evaluate(doc);
    expect(unknownOutcomes(evaluation).filter((o) => o.startsWith("storage-blob-service-required"))).toEqual(
      [],
    );
    expect(
      evaluation.violations.filter((v) => v.policy === "storage-blob-service-required").map((v) => v.message),
    ).toEqual([expect.stringMatching(/storage-account has no blob service properties/)]);
  });

  it("a replaced Key Vault without its lock is refused, not made advisory", async () => {
    const doc = without(
      previewExport(deployed, { created: (r) => r.urn.endsWith("::keyvault-vault") }),
      (r) => r.urn.endsWith("::keyvault-vault-lock"),
    );
    const evaluation = await evaluate(doc);
    expect(unknownOutcomes(evaluation)).toEqual([]);
    expect(
      evaluation.violations.filter((v) => v.policy === "stateful-resources-locked").map((v) => v.message),
    ).toEqual([expect.stringMatching(/keyvault-vault has no CanNotDelete lock/)]);
  });
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
  // Each input whose value not known yet made the policy "can't run during preview" for the
  // whole stack (found by setting every input of the prod plan to unknown, one at a time).
  it.each([
    ["siem-activity-log", "logs", "sentinel-onboarded", 1],
    ["siem-postgres-repeated-auth-failures", "enabled", "sentinel-onboarded", 1],
    ["siem-incidents-to-security", "criteria", "sentinel-incidents-routed", 0],
    ["siem-incidents-to-security", "enabled", "sentinel-incidents-routed", 1],
    ["edge-profile-diag", "logs", "front-door-diagnostics", 1],
    ["edge-hsts", "actions", "front-door-route-hsts", 1],
    ["edge-hsts", "conditions", "front-door-route-hsts", 1],
    ["storage-blob-service", "accountName", "storage-blob-service-required", 0],
  ])("%s: %s not known yet, %s still runs", async (name, key, policy, violations) => {
    const doc = jsonClone(preview);
    const target = (doc.deployment.resources as Resource[]).find((r) => r.urn.endsWith(`::${name}`))!;
    expect(target.inputs?.[key]).toBeDefined();
    target.inputs = { ...target.inputs, [key]: UNKNOWN_SENTINEL };
    if (target.outputs) target.outputs = { ...target.outputs, [key]: UNKNOWN_SENTINEL };
    const { outcomes } = await evaluate(doc);
    const ran = outcomes.filter((o) => o.policy === policy);
    expect(ran.length).toBeGreaterThan(0);
    expect(ran.filter((o) => o.outcome === "unknown")).toEqual([]);
    // Fail closed (1) where the components set a constant, known in any preview; none where the
    // value legitimately comes from the stack (the blob service's accountName: account.name).
    expect(ran.filter((o) => o.outcome === "violation").length).toBe(violations);
  });

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
