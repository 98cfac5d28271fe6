import { runResourcePolicy, UNKNOWN } from "../../helpers/policyHarness";
import {
  azureProviderSettings,
  azureResourceOwnProvider,
  ESCAPE_HATCH_TYPES,
  noArmEscapeHatches,
  noProviderEscapeHatches,
} from "../../../policy/policies/resources";
import { describePolicy, expectPass, expectViolation } from "./support";

const deployment = {
  resourceGroupName: "rg-sap-prod",
  deploymentName: "reviewed-template",
  properties: { mode: "Incremental", template: { resources: [] } },
};

describePolicy(noArmEscapeHatches, {
  type: "azure-native:resources:Deployment",
  compliant: deployment,
  config: { allowedEscapeHatches: ["reviewed-template"] },
  violations: [
    ["deploymentName", "anything-goes", /cannot evaluate/],
    ["deploymentName", undefined, /cannot evaluate/],
  ],
  unknown: "properties",
});

describe("no-arm-escape-hatches", () => {
  const dine = { policyRule: { then: { effect: "deployIfNotExists", details: { deployment: {} } } } };
  it.each(ESCAPE_HATCH_TYPES.map((t) => [t]))("blocks %s by default", (type) =>
    expectViolation(
      noArmEscapeHatches,
      type,
      { resourceGroupName: "rg", ...dine },
      /not in allowedEscapeHatches/,
    ),
  );
  it("blocks every token form: an API-versioned Deployment", () =>
    expectViolation(noArmEscapeHatches, "azure-native:resources/v20240301:Deployment", deployment, /cannot/));
  it("allows a reviewed script by its scriptName", () =>
    expectPass(
      noArmEscapeHatches,
      "azure-native:resources:AzureCliScript",
      { scriptName: "seed-db" },
      { allowedEscapeHatches: ["seed-db"] },
    ));
  // bypass11b: an allow-list names a resource, not its content; these are never a stack's to make.
  it.each([
    ["azure-native:authorization:PolicyExemption", { policyExemptionName: "reviewed" }],
    ["azure-native:resources:DeploymentAtTenantScope", { deploymentName: "reviewed" }],
    ["azure-native:resources:DeploymentAtManagementGroupScope", { deploymentName: "reviewed" }],
    ["azure-native:resources:DeploymentStackAtManagementGroup", { deploymentStackName: "reviewed" }],
    ["azure-native:policyinsights:RemediationAtManagementGroup", { remediationName: "reviewed" }],
    [
      "azure-native:authorization:PolicyDefinitionAtManagementGroup",
      { policyDefinitionName: "reviewed", ...dine },
    ],
    ["azure-native:authorization/v20220701preview:PolicyExemption", { policyExemptionName: "reviewed" }],
  ])("refuses %s even when allow-listed", (type, props) =>
    expectViolation(noArmEscapeHatches, type, props, /never allowed, even in allowedEscapeHatches/, {
      // (A policy definition is allow-listed by its Pulumi name: the harness's "r".)
      allowedEscapeHatches: ["reviewed", "r"],
    }),
  );
  it("still allows a reviewed deployment at resource group or subscription scope by name", async () => {
    const config = { allowedEscapeHatches: ["reviewed"] };
    await expectPass(
      noArmEscapeHatches,
      "azure-native:resources:Deployment",
      { deploymentName: "reviewed" },
      config,
    );
    await expectPass(
      noArmEscapeHatches,
      "azure-native:resources:DeploymentAtSubscriptionScope",
      { deploymentName: "reviewed" },
      config,
    );
  });
  it("is not applicable to a resource group", async () => {
    expect(
      await runResourcePolicy(noArmEscapeHatches, {
        type: "azure-native:resources:ResourceGroup",
        props: {},
      }),
    ).toBe("notApplicable");
  });
});

describe("no-arm-escape-hatches on policy definitions", () => {
  const POLICY = "azure-native:authorization:PolicyDefinition";
  const audit = {
    policyDefinitionName: "audit-tags",
    policyRule: { if: { field: "tags", exists: false }, then: { effect: "audit" } },
  };
  it("ignores a policy definition without a deployment", async () => {
    expect(await runResourcePolicy(noArmEscapeHatches, { type: POLICY, props: audit })).toBe("notApplicable");
  });
  it("blocks a deployIfNotExists definition, which deploys its template", () =>
    expectViolation(
      noArmEscapeHatches,
      POLICY,
      {
        policyDefinitionName: "dine",
        policyRule: {
          if: { field: "type", equals: "Microsoft.Storage/storageAccounts" },
          then: {
            effect: "[parameters('effect')]",
            details: { deployment: { properties: { template: {} } } },
          },
        },
      },
      /cannot evaluate/,
    ));
});

describe("no-arm-escape-hatches on rewriting policy definitions", () => {
  const rule = (then: Record<string, unknown>) => ({
    policyDefinitionName: "d",
    policyRule: { if: {}, then },
  });
  it.each([
    ["modify", { effect: "modify", details: { operations: [] } }],
    ["Modify, capitalized", { effect: "Modify", details: {} }],
    ["append", { effect: "append", details: [{ field: "f", value: 1 }] }],
    ["a parameterized modify", { effect: "[parameters('effect')]", details: { operations: [] } }],
  ])("blocks %s", (_what, then) =>
    expectViolation(
      noArmEscapeHatches,
      "azure-native:authorization:PolicyDefinition",
      rule(then),
      /cannot evaluate/,
    ),
  );
  it.each([
    ["deny", { effect: "deny" }],
    ["auditIfNotExists", { effect: "auditIfNotExists", details: { type: "t" } }],
  ])("ignores %s", async (_what, then) =>
    expect(
      await runResourcePolicy(noArmEscapeHatches, {
        type: "azure-native:authorization:PolicyDefinition",
        props: rule(then),
      }),
    ).toBe("notApplicable"),
  );
});

describe("no-provider-escape-hatches", () => {
  it.each([
    ["azapi:index/updateResource:UpdateResource", /raw ARM requests/],
    ["azurerm:index/storageAccount:StorageAccount", /azurerm/],
    ["azuread:index/groupMember:GroupMember", /Entra ID/],
    ["command:local:Command", /shell command/],
    ["pulumi-nodejs:dynamic:Resource", /dynamic provider/],
    ["pulumi-python:dynamic/ops:Fix", /dynamic provider/],
  ])("blocks %s", (type, message) => expectViolation(noProviderEscapeHatches, type, {}, message));
  it("allows a reviewed resource by its Pulumi name", () =>
    expectPass(noProviderEscapeHatches, "command:local:Command", {}, { allowedEscapeHatches: ["r"] }));
  it.each([
    "random:index/randomPassword:RandomPassword",
    "time:index/sleep:Sleep",
    "azure-native:storage:StorageAccount",
    "pulumi:providers:command",
    "secure-azure-platform:index:KeyVault",
  ])("is not applicable to %s", async (type) =>
    expect(await runResourcePolicy(noProviderEscapeHatches, { type, props: {} })).toBe("notApplicable"),
  );

  // Deny by default: a custom resource (it has a provider) of a package nobody reviewed.
  const custom = (type: string, name = "r") => ({
    type,
    name,
    props: {},
    provider: { type: `pulumi:providers:${type.split(":")[0]}`, props: {} },
  });
  it.each([
    // The retired azure-nextgen SDK registers the same ARM resources under its own package: no
    // policy of the pack sees them as Azure resources (no type gate, no location, no settings).
    ["azure-nextgen:storage/latest:StorageAccount", /package "azure-nextgen"/],
    // Generic REST providers (bridged Terraform restapi / restful) send any ARM request.
    ["restapi:index/object:Object", /package "restapi"/],
    ["restful:index/resource:Resource", /package "restful"/],
    // Customer data copied to another cloud.
    ["aws:s3/bucket:Bucket", /package "aws"/],
  ])("refuses %s, a package nobody reviewed", async (type, message) => {
    const result = (await runResourcePolicy(noProviderEscapeHatches, custom(type))) as string[];
    expect(result).toEqual([expect.stringMatching(message)]);
    expect(result[0]).toMatch(/not in allowedPackages/);
  });
  it("accepts the reviewed packages (random, time by default; others from the preset)", async () => {
    expect(
      await runResourcePolicy(noProviderEscapeHatches, custom("random:index/randomString:RandomString")),
    ).toEqual([]);
    expect(await runResourcePolicy(noProviderEscapeHatches, custom("time:index/sleep:Sleep"))).toEqual([]);
    expect(
      await runResourcePolicy(noProviderEscapeHatches, custom("tls:index/privateKey:PrivateKey"), {
        allowedPackages: ["random", "time", "tls"],
      }),
    ).toEqual([]);
  });
  // A remote component reaches the analyzer as the engine registers it from inside the provider's
  // Construct: not custom, so without a provider (pulumi/pulumi source_eval.go). What runs its
  // code is the package's provider resource, which the engine registers in the consumer's stack.
  const provider = (pkg: string, name = `default_${pkg}`) => ({
    type: `pulumi:providers:${pkg}`,
    name,
    props: {},
  });
  it("refuses the provider of a remote component of a package nobody reviewed (its Construct runs unseen)", async () => {
    expect(
      await runResourcePolicy(noProviderEscapeHatches, {
        type: "synced-folder:index:AzureBlobFolder",
        props: {},
      }),
    ).toBe("notApplicable");
    const result = (await runResourcePolicy(noProviderEscapeHatches, provider("synced-folder"))) as string[];
    expect(result).toEqual([expect.stringMatching(/package "synced-folder".*not in allowedPackages/)]);
    expect(
      await runResourcePolicy(noProviderEscapeHatches, provider("synced-folder"), {
        allowedPackages: ["random", "time", "synced-folder"],
      }),
    ).toEqual([]);
  });
  it("accepts the providers of the reviewed packages and our own components package", async () => {
    for (const pkg of ["random", "time", "secure-azure-platform"])
      expect(await runResourcePolicy(noProviderEscapeHatches, provider(pkg))).toEqual([]);
  });
  it.each([
    "azure-native",
    "azure-native_storage_v20240101",
    "azure",
    "pulumi",
    "pulumi-nodejs",
    "command",
    "azapi",
    "azurerm",
    "azuread",
  ])("leaves the provider of %s to its resources, each judged", async (pkg) =>
    expect(await runResourcePolicy(noProviderEscapeHatches, provider(pkg))).toBe("notApplicable"),
  );
  // Other teams consume our components from Python, Go, .NET or Java. Any plugin can call itself
  // `secure-azure-platform`, and which plugin the engine loaded never reaches the pack (its
  // pluginDownloadURL sits under `__internal`, stripped by the analyzer client): what reaches it
  // must be what our package is. Before, a custom resource under one of our components' tokens
  // with our package's provider was skipped as a component, a foreign component under our name
  // was skipped, and our package's provider was accepted whatever its configuration.
  it("skips our components (no provider: the engine registers them from Construct)", async () => {
    for (const type of [
      "secure-azure-platform:index:ContainerApp",
      "secure-azure-platform:data:PostgresServer",
    ])
      expect(await runResourcePolicy(noProviderEscapeHatches, { type, props: {} })).toBe("notApplicable");
  });
  it("refuses a component under our package name that our package does not serve", async () => {
    const result = (await runResourcePolicy(noProviderEscapeHatches, {
      type: "secure-azure-platform:index:BlobSync",
      props: {},
    })) as string[];
    expect(result).toEqual([
      expect.stringMatching(
        /secure-azure-platform:index:BlobSync "r" claims the platform's components package, which serves no such component \(only secure-azure-platform:index:BlobStorage, .*\)/,
      ),
    ]);
    // Case is part of the token: another spelling of our name is another package, whose
    // component is skipped here and whose provider is refused (not in allowedPackages).
    expect(
      await runResourcePolicy(noProviderEscapeHatches, {
        type: "Secure-Azure-Platform:index:KeyVault",
        props: {},
      }),
    ).toBe("notApplicable");
    expect(await runResourcePolicy(noProviderEscapeHatches, provider("Secure-Azure-Platform"))).toEqual([
      expect.stringMatching(/not in allowedPackages/),
    ]);
  });
  it("refuses any custom resource under our package or handled by a provider of our name, even one of our tokens", async () => {
    for (const [type, by] of [
      ["secure-azure-platform:index:KeyVault", "secure-azure-platform"],
      ["secure-azure-platform:data:PostgresServer", "secure-azure-platform"],
      ["secure-azure-platform:index:RawArm", "secure-azure-platform"],
      ["random:index/randomString:RandomString", "secure-azure-platform"],
      ["secure-azure-platform:index:KeyVault", "random"],
    ]) {
      const sent = { ...custom(type), provider: { type: `pulumi:providers:${by}`, props: {} } };
      expect(await runResourcePolicy(noProviderEscapeHatches, sent)).toEqual([
        expect.stringMatching(
          /is a custom resource .* under the platform's components package, which serves components only/,
        ),
      ]);
      // Never allowed by package.
      expect(
        await runResourcePolicy(noProviderEscapeHatches, sent, {
          allowedPackages: ["random", "time", "secure-azure-platform"],
        }),
      ).toEqual([expect.stringMatching(/serves components only/)]);
    }
    // One of our tokens with another package's provider is a custom resource of that package.
    const borrowed = (await runResourcePolicy(noProviderEscapeHatches, {
      ...custom("secure-azure-platform:index:KeyVault"),
      provider: { type: "pulumi:providers:evil", props: {} },
    })) as string[];
    expect(borrowed).toEqual([expect.stringMatching(/serves components only/)]);
  });
  it("refuses our package's provider when it is configured (ours takes no configuration)", async () => {
    expect(
      await runResourcePolicy(noProviderEscapeHatches, {
        ...provider("secure-azure-platform"),
        props: { version: "1.0.0" },
      }),
    ).toEqual([]);
    const result = await runResourcePolicy(noProviderEscapeHatches, {
      ...provider("secure-azure-platform"),
      props: { version: "1.0.0", endpoint: "https://collector.example.net", token: "x" },
    });
    expect(result).toEqual([
      expect.stringMatching(
        /pulumi:providers:secure-azure-platform "default_secure-azure-platform" is configured with "endpoint", "token", which the platform's components package does not take/,
      ),
    ]);
  });
  // The resource monitor takes an explicit provider as given (source_eval.go getProviderReference):
  // a reviewed token sent to an unreviewed provider runs that provider's code.
  it("refuses a reviewed package's token handled by another package's provider", async () => {
    const sent = {
      ...custom("random:index/randomString:RandomString"),
      provider: { type: "pulumi:providers:evil", props: {} },
    };
    expect(await runResourcePolicy(noProviderEscapeHatches, sent)).toEqual([
      expect.stringMatching(
        /handled by provider "pulumi:providers:evil" of package "evil".*not in allowedPackages/,
      ),
    ]);
    expect(
      await runResourcePolicy(noProviderEscapeHatches, sent, { allowedPackages: ["random", "time", "evil"] }),
    ).toEqual([]);
  });
  it("never allows an escape hatch by its package", async () => {
    const result = await runResourcePolicy(noProviderEscapeHatches, custom("azapi:index/resource:Resource"), {
      allowedPackages: ["azapi"],
    });
    expect(result).toEqual([expect.stringMatching(/raw ARM requests.*not in allowedEscapeHatches/)]);
  });
});

// bypass11: an Azure type handed to another package's provider (the SDK sends an explicit provider
// whatever its package; the engine takes it as given). Fails on the old pack, which had no policy
// comparing an Azure resource's provider with its token: every Azure token was not applicable to
// no-provider-escape-hatches, whatever provider handled it.
describe("azure-resource-own-provider", () => {
  const account = { resourceGroupName: "rg", accountName: "st", location: "westeurope" };
  const run = (type: string, providerType?: string) =>
    runResourcePolicy(azureResourceOwnProvider, {
      type,
      props: account,
      ...(providerType ? { provider: { type: providerType, props: {} } } : {}),
    });
  it.each([
    ["azure-native:storage:StorageAccount", "pulumi:providers:azure-native"],
    ["azure-native:storage/v20230101:StorageAccount", "pulumi:providers:azure-native"],
    [
      "azure-native_storage_v20240101:storage:StorageAccount",
      "pulumi:providers:azure-native_storage_v20240101",
    ],
    ["azure:storage/account:Account", "pulumi:providers:azure"],
  ])("accepts %s on its own package's provider", async (type, provider) => {
    expect(await run(type, provider)).toEqual([]);
  });
  it.each([
    ["azure-native:storage:StorageAccount", "pulumi:providers:pulumi-nodejs"],
    ["azure-native:keyvault/v20230701:Vault", "pulumi:providers:azapi"],
    ["azure-native_storage_v20240101:storage:StorageAccount", "pulumi:providers:azure-native"],
    ["azure-native:storage:StorageAccount", "pulumi:providers:azure-native_storage_v20240101"],
    ["azure:storage/account:Account", "pulumi:providers:azure-native"],
  ])("refuses %s handed to %s", async (type, provider) => {
    expect(await run(type, provider)).toEqual([
      expect.stringMatching(/is handled by provider .*, not "pulumi:providers:[^"]+": that package's code/),
    ]);
  });
  it("is not applicable to a component (no provider) or a resource that is not Azure", async () => {
    expect(await run("azure-native:storage:StorageAccount")).toBe("notApplicable");
    expect(await run("random:index/randomString:RandomString", "pulumi:providers:azure-native")).toBe(
      "notApplicable",
    );
  });
});

// bypass11: an Azure provider's settings decide where every resource it handles goes and where
// the deploy's tokens are sent; a provider resource carries nothing else, so no policy judged it.
// Fails on the old pack, which had no such policy.
describe("azure-provider-settings", () => {
  const run = (
    props: Record<string, unknown>,
    type = "pulumi:providers:azure-native",
    config?: Record<string, unknown>,
  ) => runResourcePolicy(azureProviderSettings, { type, name: "default", props }, config);
  it("accepts the settings the stacks use (location, version) and the public cloud by any of its names", async () => {
    expect(await run({ location: "westeurope", version: "3.28.0" })).toEqual([]);
    for (const environment of ["public", "AzureCloud", "AzurePublicCloud"])
      expect(await run({ environment })).toEqual([]);
    expect(await run({ auxiliaryTenantIds: "[]" })).toEqual([]);
    // Azure Classic's SDK sends its booleans JSON-encoded, "false" when unset.
    expect(await run({ useMsi: "false", useOidc: "true" }, "pulumi:providers:azure")).toEqual([]);
    expect(await run({ useMsi: false, useDefaultAzureCredential: false, useOidc: true })).toEqual([]);
  });
  it.each([
    ["metadataHost", "metadata.attacker.example", /sets metadataHost, which sends endpoint discovery/],
    ["msiEndpoint", "http://169.254.0.1:9999/token", /sets msiEndpoint/],
    [
      "oidcRequestUrl",
      "https://collector.example.net/",
      /sets oidcRequestUrl, which sends the runner's OIDC request token/,
    ],
    ["oidcToken", "eyJ0eXAi", /sets oidcToken/],
    ["clientSecret", "x", /sets clientSecret, which writes a client secret into the program/],
    ["clientCertificatePath", "/tmp/c.pfx", /sets clientCertificatePath/],
    ["auxiliaryTenantIds", '["t2"]', /sets auxiliaryTenantIds/],
    ["environment", "china", /sets environment "china": the platform runs in the Azure public cloud only/],
    [
      "subscriptionId",
      "other-sub",
      /sets subscriptionId "other-sub", which is not in allowedSubscriptionIds/,
    ],
    ["tenantId", "other-tenant", /sets tenantId "other-tenant", which is not in allowedTenantIds/],
    // bypass12: who signs in was not judged: another application's client ID (the other
    // environment's deploy identity), a client ID from a file, or the machine's managed identity.
    // Fails on the old policy (all three passed).
    [
      "clientId",
      "other-app",
      /sets clientId "other-app", which is not the runner's ARM_CLIENT_ID: the deploy would sign in as that application/,
    ],
    [
      "clientIdFilePath",
      "/tmp/id",
      /sets clientIdFilePath, which signs in as the application named in a file/,
    ],
    ["useMsi", true, /sets useMsi true, which signs in with the managed identity of the machine/],
    ["useMsi", "true", /sets useMsi "true"/],
    // review13: the other ways to sign in as someone else. azure-native tries the default
    // credential chain (the machine's managed identity, the Azure CLI's account) before OIDC;
    // useOidc off falls back to them. Fails on the old policy (all passed).
    [
      "useDefaultAzureCredential",
      true,
      /sets useDefaultAzureCredential true, which signs in with the Azure SDK's default credential chain/,
    ],
    [
      "useAksWorkloadIdentity",
      "true",
      /sets useAksWorkloadIdentity "true", which signs in with the workload identity/,
    ],
    [
      "adoPipelineServiceConnectionId",
      "sc-1",
      /sets adoPipelineServiceConnectionId, which signs in through the federation/,
    ],
  ])("refuses %s %j", async (key, value, message) => {
    expect(await run({ location: "westeurope", [key]: value })).toEqual([expect.stringMatching(message)]);
  });
  it("judges Azure Classic's and a local package's provider alike", async () => {
    expect(await run({ metadataHost: "x" }, "pulumi:providers:azure")).toHaveLength(1);
    expect(await run({ metadataHost: "x" }, "pulumi:providers:azure-native_storage_v20240101")).toHaveLength(
      1,
    );
  });
  it("accepts a subscription and tenant the preset lists (any case)", async () => {
    const config = { allowedSubscriptionIds: ["SUB-A"], allowedTenantIds: ["tenant-a"] };
    expect(await run({ subscriptionId: "sub-a", tenantId: "TENANT-A" }, undefined, config)).toEqual([]);
  });
  // review11: Azure Classic's Node SDK fills an explicit provider's subscriptionId from
  // ARM_SUBSCRIPTION_ID (pulumi/pulumi-azure sdk/nodejs/provider.ts), and teams copy ARM_* into
  // `azure-native:subscriptionId`/`tenantId`: in CI the value is the runner's own, where the
  // environment points anyway. Fails on the old policy (both were refused as "not in
  // allowedSubscriptionIds"/"allowedTenantIds").
  describe("with the runner's ARM_SUBSCRIPTION_ID and ARM_TENANT_ID", () => {
    const saved = { sub: process.env.ARM_SUBSCRIPTION_ID, tenant: process.env.ARM_TENANT_ID };
    beforeEach(() => {
      process.env.ARM_SUBSCRIPTION_ID = "11111111-2222-4333-8444-555555555555";
      process.env.ARM_TENANT_ID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
    });
    afterEach(() => {
      for (const [key, value] of [
        ["ARM_SUBSCRIPTION_ID", saved.sub],
        ["ARM_TENANT_ID", saved.tenant],
      ] as const)
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
    });
    // review13: with the runner on OIDC, useOidc off falls back to the machine's managed identity or
    // the Azure CLI's account. Fails on the old policy (accepted).
    it("refuses useOidc off while the runner signs in with OIDC, and only then", async () => {
      const saved = process.env.ARM_USE_OIDC;
      try {
        for (const off of [false, "false"]) {
          delete process.env.ARM_USE_OIDC;
          expect(await run({ useOidc: off })).toEqual([]);
          process.env.ARM_USE_OIDC = "true";
          expect(await run({ useOidc: off })).toEqual([
            expect.stringMatching(
              /sets useOidc .*false.*, which turns the runner's OIDC federation \(ARM_USE_OIDC\) off/,
            ),
          ]);
        }
        expect(await run({ useOidc: "true" })).toEqual([]);
      } finally {
        if (saved === undefined) delete process.env.ARM_USE_OIDC;
        else process.env.ARM_USE_OIDC = saved;
      }
    });
    it("accepts the runner's own client ID (any case)", async () => {
      const saved = process.env.ARM_CLIENT_ID;
      process.env.ARM_CLIENT_ID = "99999999-2222-4333-8444-555555555555";
      try {
        expect(await run({ clientId: "99999999-2222-4333-8444-555555555555".toUpperCase() })).toEqual([]);
      } finally {
        if (saved === undefined) delete process.env.ARM_CLIENT_ID;
        else process.env.ARM_CLIENT_ID = saved;
      }
    });
    it("accepts the runner's own subscription and tenant (any case), on Azure Classic's provider too", async () => {
      const own = {
        subscriptionId: "11111111-2222-4333-8444-555555555555",
        tenantId: "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE",
      };
      expect(await run(own)).toEqual([]);
      expect(await run({ ...own, environment: "public", features: {} }, "pulumi:providers:azure")).toEqual(
        [],
      );
    });
    it("still refuses another subscription or tenant", async () => {
      expect(await run({ subscriptionId: "other-sub", tenantId: "other-tenant" })).toEqual([
        expect.stringMatching(
          /sets subscriptionId "other-sub", which is not in allowedSubscriptionIds and is not the runner's ARM_SUBSCRIPTION_ID/,
        ),
        expect.stringMatching(
          /sets tenantId "other-tenant", which is not in allowedTenantIds and is not the runner's ARM_TENANT_ID/,
        ),
      ]);
    });
  });
  it("accepts nothing by an empty runner variable", async () => {
    const saved = process.env.ARM_SUBSCRIPTION_ID;
    process.env.ARM_SUBSCRIPTION_ID = "";
    try {
      expect(await run({ subscriptionId: " " })).toHaveLength(1);
      expect(await run({ subscriptionId: "sub" })).toHaveLength(1);
    } finally {
      if (saved === undefined) delete process.env.ARM_SUBSCRIPTION_ID;
      else process.env.ARM_SUBSCRIPTION_ID = saved;
    }
  });
  it("refuses a subscription not known yet (preview) rather than skipping it", async () => {
    expect(await run({ subscriptionId: UNKNOWN })).toEqual([
      expect.stringMatching(/sets subscriptionId to a value not known yet/),
    ]);
  });
  it("is not applicable to another package's provider or to a resource", async () => {
    expect(await run({ metadataHost: "x" }, "pulumi:providers:random")).toBe("notApplicable");
    expect(await run({ metadataHost: "x" }, "azure-native:storage:StorageAccount")).toBe("notApplicable");
  });
});
