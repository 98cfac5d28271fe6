import * as s from "../../../policy/policies/storage";
import { runResourcePolicy, runStackPolicy, UNKNOWN } from "../../helpers/policyHarness";
import { forgetAnalyzedInputs } from "../../../policy/lib/define";
import { requiredTags } from "../../../policy/policies/general";
import { describePolicy, expectPass, expectViolation, randomString } from "./support";

const ACCOUNT = "azure-native:storage:StorageAccount";
const account = {
  accountName: "sapdevst1234",
  kind: "StorageV2",
  sku: { name: "Standard_GZRS" },
  allowSharedKeyAccess: false,
  defaultToOAuthAuthentication: true,
  isLocalUserEnabled: false,
  isSftpEnabled: false,
  allowBlobPublicAccess: false,
  allowCrossTenantReplication: false,
  minimumTlsVersion: "TLS1_2",
  enableHttpsTrafficOnly: true,
  publicNetworkAccess: "Disabled",
  networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" },
  encryption: {
    requireInfrastructureEncryption: true,
    keySource: "Microsoft.Keyvault",
    keyVaultProperties: { keyVaultUri: "https://kv1.vault.azure.net/", keyName: "storage-cmk" },
    encryptionIdentity: {
      encryptionUserAssignedIdentity:
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1",
    },
    services: { queue: { keyType: "Account" }, table: { keyType: "Account" } },
  },
};

describePolicy(s.storageAccountEntraOnlyAuth, {
  type: ACCOUNT,
  compliant: account,
  violations: [
    ["allowSharedKeyAccess", true, /allowSharedKeyAccess/],
    ["allowSharedKeyAccess", undefined, /allowSharedKeyAccess is not set/],
    ["defaultToOAuthAuthentication", false, /defaultToOAuthAuthentication/],
    ["isLocalUserEnabled", undefined, /isLocalUserEnabled/],
    ["isSftpEnabled", true, /isSftpEnabled/],
    ["isNfsV3Enabled", true, /network location only/],
  ],
  passes: [["isNfsV3Enabled", false]],
  unknown: "allowSharedKeyAccess",
});

describePolicy(s.storageAccountNoPublicBlobAccess, {
  type: ACCOUNT,
  compliant: account,
  violations: [
    ["allowBlobPublicAccess", true, /allowBlobPublicAccess/],
    ["allowBlobPublicAccess", undefined, /allowBlobPublicAccess/],
  ],
  unknown: "allowBlobPublicAccess",
});

describePolicy(s.storageAccountNoCrossTenantReplication, {
  type: ACCOUNT,
  compliant: account,
  violations: [["allowCrossTenantReplication", true, /allowCrossTenantReplication/]],
  unknown: "allowCrossTenantReplication",
});

describePolicy(s.storageAccountTls, {
  type: ACCOUNT,
  compliant: account,
  violations: [
    ["minimumTlsVersion", "TLS1_0", /minimumTlsVersion/],
    ["minimumTlsVersion", undefined, /minimumTlsVersion is not set/],
    ["enableHttpsTrafficOnly", false, /enableHttpsTrafficOnly/],
  ],
  passes: [
    ["minimumTlsVersion", "TLS1_3"],
    ["enableHttpsTrafficOnly", undefined],
  ],
  unknown: "minimumTlsVersion",
});

describePolicy(s.storageAccountInfrastructureEncryption, {
  type: ACCOUNT,
  compliant: account,
  violations: [
    ["encryption.requireInfrastructureEncryption", false, /requireInfrastructureEncryption/],
    ["encryption", undefined, /requireInfrastructureEncryption/],
  ],
  unknown: "encryption",
});

describePolicy(s.storageAccountCustomerManagedKey, {
  type: ACCOUNT,
  compliant: account,
  violations: [
    ["encryption.keySource", "Microsoft.Storage", /keySource/],
    ["encryption.keyVaultProperties.keyName", undefined, /keyVaultProperties/],
    ["encryption.encryptionIdentity", undefined, /encryptionUserAssignedIdentity/],
    ["encryption.services.queue.keyType", "Service", /queue.keyType is "Service"/],
    ["encryption.services.table", undefined, /table.keyType is not set/],
  ],
  unknown: "encryption.keySource",
});

describe("storage-account-customer-managed-key config", () => {
  it("does not require CMK when requireCustomerManagedKey is false", () =>
    expectPass(
      s.storageAccountCustomerManagedKey,
      ACCOUNT,
      { ...account, encryption: { requireInfrastructureEncryption: true, keySource: "Microsoft.Storage" } },
      { requireCustomerManagedKey: false },
    ));
  it("matches the old versioned token of the type", () =>
    expectViolation(
      s.storageAccountCustomerManagedKey,
      "azure-native:storage/v20230101:StorageAccount",
      { ...account, encryption: {} },
      /keySource/,
    ));
});

describePolicy(s.storageAccountPrivateAccess, {
  type: ACCOUNT,
  compliant: account,
  violations: [
    ["publicNetworkAccess", "Enabled", /publicNetworkAccess/],
    ["publicNetworkAccess", undefined, /publicNetworkAccess/],
    ["networkRuleSet.defaultAction", "Allow", /defaultAction/],
    ["networkRuleSet", undefined, /defaultAction/],
  ],
  unknown: "networkRuleSet",
});

describePolicy(s.storageAccountGeoRedundant, {
  type: ACCOUNT,
  compliant: account,
  violations: [
    ["sku.name", "Standard_LRS", /sku.name/],
    ["sku.name", "Standard_ZRS", /sku.name/],
    ["sku.name", "Standard_GRS", /Standard_GZRS/],
  ],
  passes: [["sku.name", "Standard_RAGZRS"]],
  unknown: "sku",
});

describe("storage-account-geo-redundant without zone redundancy", () => {
  it("accepts GRS", () =>
    expectPass(
      s.storageAccountGeoRedundant,
      ACCOUNT,
      { ...account, sku: { name: "Standard_GRS" } },
      {
        requireZoneRedundancy: false,
      },
    ));
  it("still refuses LRS", () =>
    expectViolation(
      s.storageAccountGeoRedundant,
      ACCOUNT,
      { ...account, sku: { name: "Standard_LRS" } },
      /sku/,
      {
        requireZoneRedundancy: false,
      },
    ));
});

const BLOB = "azure-native:storage:BlobServiceProperties";
const blobService = {
  accountName: "sapdevst1234",
  blobServicesName: "default",
  deleteRetentionPolicy: { enabled: true, days: 35 },
  containerDeleteRetentionPolicy: { enabled: true, days: 35 },
  isVersioningEnabled: true,
  changeFeed: { enabled: true },
  restorePolicy: { enabled: true, days: 34 },
};

describePolicy(s.blobServiceSoftDelete, {
  type: BLOB,
  compliant: blobService,
  violations: [
    ["deleteRetentionPolicy.days", 7, /deleteRetentionPolicy.days/],
    ["deleteRetentionPolicy.enabled", false, /deleteRetentionPolicy.enabled/],
    ["containerDeleteRetentionPolicy", undefined, /containerDeleteRetentionPolicy.enabled/],
    ["deleteRetentionPolicy.allowPermanentDelete", true, /allowPermanentDelete/],
  ],
  passes: [["deleteRetentionPolicy.days", 365]],
  unknown: "deleteRetentionPolicy",
});

describePolicy(s.blobServiceVersioning, {
  type: BLOB,
  compliant: blobService,
  violations: [
    ["isVersioningEnabled", false, /isVersioningEnabled/],
    ["changeFeed", undefined, /changeFeed/],
  ],
  unknown: "changeFeed",
});

describePolicy(s.blobServicePointInTimeRestore, {
  type: BLOB,
  compliant: blobService,
  violations: [
    ["restorePolicy", undefined, /restorePolicy.enabled/],
    ["restorePolicy.days", 35, /shorter than/],
    ["restorePolicy.days", 0, /at least 1/],
  ],
  unknown: "restorePolicy",
});

describePolicy(s.blobContainerPrivate, {
  type: "azure-native:storage:BlobContainer",
  compliant: { accountName: "a", containerName: "recordings", publicAccess: "None" },
  violations: [
    ["publicAccess", "Blob", /publicAccess/],
    ["publicAccess", "Container", /publicAccess/],
  ],
  passes: [["publicAccess", undefined]],
  unknown: "publicAccess",
});

describePolicy(s.storageEncryptionScopeCustomerKey, {
  type: "azure-native:storage:EncryptionScope",
  compliant: {
    accountName: "st1",
    encryptionScopeName: "cmk",
    source: "Microsoft.KeyVault",
    keyVaultProperties: { keyUri: "https://kv1.vault.azure.net/keys/storage-cmk" },
  },
  violations: [
    ["source", "Microsoft.Storage", /must be Microsoft.KeyVault/],
    ["source", undefined, /Azure's default is Microsoft.Storage/],
    ["keyVaultProperties", undefined, /keyUri is not set/],
  ],
  unknown: "source",
});

describe("storage stack policies", () => {
  const RG = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts";
  const res = (type: string, name: string, props: Record<string, unknown>, dependencies: string[] = []) => ({
    type: `azure-native:storage:${type}`,
    name,
    urn: `urn:pulumi:prod::p::azure-native:storage:${type}::${name}`,
    props,
    dependencies,
  });
  const st = res("StorageAccount", "st", { id: `${RG}/st1`, accountName: "st1", location: "westeurope" });
  const st2 = res("StorageAccount", "st2", { id: `${RG}/st2`, accountName: "st2", location: "northeurope" });
  const blob = res("BlobServiceProperties", "blob", {
    id: `${RG}/st1/blobServices/default`,
    accountName: "st1",
  });

  it("storage-blob-service-required names an account without blob service properties", async () => {
    expect(await runStackPolicy(s.storageBlobServiceRequired, [st, blob])).toEqual([]);
    expect(await runStackPolicy(s.storageBlobServiceRequired, [st, st2, blob])).toEqual([
      expect.stringMatching(/StorageAccount st2 has no blob service properties/),
    ]);
    // Preview: IDs and names unknown, matched through the dependency graph.
    const preview = [
      { ...st, props: { id: UNKNOWN, accountName: UNKNOWN } },
      { ...blob, props: { id: UNKNOWN, accountName: UNKNOWN }, dependencies: [st.urn] },
    ];
    expect(await runStackPolicy(s.storageBlobServiceRequired, preview)).toEqual([]);
  });

  // Preview (unknown10): before, a blob service's accountName not known yet made the whole policy
  // "can't run during preview" (advisory), hiding an account without blob service properties.
  it("storage-blob-service-required in a preview: an accountName not known yet counts only through the input holding it", async () => {
    const ids = (a: typeof st) => ({ ...a, props: { ...a.props, id: UNKNOWN } });
    const unknownName = (name: string, sources: string[]) => ({
      ...res("BlobServiceProperties", name, { id: UNKNOWN, accountName: UNKNOWN }, [st.urn, st2.urn]),
      propertyDependencies: { accountName: sources },
    });
    expect(
      await runStackPolicy(s.storageBlobServiceRequired, [ids(st), ids(st2), unknownName("blob", [st.urn])]),
    ).toEqual([expect.stringMatching(/StorageAccount st2 has no blob service properties/)]);
    // Computed from something else (the account only in dependsOn): covers no account.
    const salt = randomString();
    expect(
      await runStackPolicy(s.storageBlobServiceRequired, [
        ids(st),
        ids(st2),
        salt,
        unknownName("blob", [salt.urn]),
      ]),
    ).toEqual([
      expect.stringMatching(/StorageAccount st has no blob service properties/),
      expect.stringMatching(/StorageAccount st2 has no blob service properties/),
    ]);
  });

  // unknown11: an account whose name cannot be read (neither accountName nor name) was the
  // parent of any blob service depending on it, whatever account the service's name spells.
  it("storage-blob-service-required: an account without a readable name is the parent only of a service whose accountName came from it", async () => {
    const nameless = { ...st, props: { id: UNKNOWN } };
    const service = (sources: string[]) => ({
      ...res("BlobServiceProperties", "blob", { id: UNKNOWN, accountName: "st9" }, [st.urn]),
      propertyDependencies: { accountName: sources },
    });
    expect(await runStackPolicy(s.storageBlobServiceRequired, [nameless, service([st.urn])])).toEqual([]);
    expect(await runStackPolicy(s.storageBlobServiceRequired, [nameless, service([])])).toEqual([
      expect.stringMatching(/StorageAccount st has no blob service properties/),
    ]);
  });

  const scope = (source: string) =>
    res("EncryptionScope", "scope", { accountName: "st1", encryptionScopeName: "cmk", source });
  const container = (defaultEncryptionScope?: string) =>
    res("BlobContainer", "c", { accountName: "st1", containerName: "c", defaultEncryptionScope });
  it.each([
    [undefined, "Microsoft.KeyVault", ""],
    ["cmk", "Microsoft.KeyVault", ""],
    ["cmk", "Microsoft.Storage", "uses a Microsoft-managed key"],
    ["elsewhere", "Microsoft.KeyVault", "is not an encryption scope of this stack"],
  ])("blob-container-encryption-scope: default scope %p with a %s scope", async (name, source, message) => {
    const result = (await runStackPolicy(s.blobContainerEncryptionScope, [
      st,
      scope(source),
      container(name),
    ])) as string[];
    if (message) expect(result.join("\n")).toContain(message);
    else expect(result).toEqual([]);
  });

  it("blob-container-encryption-scope in a preview: an unknown scope must come from a Key Vault scope of the stack", async () => {
    const unknownScope = { ...container(), props: { accountName: "st1", defaultEncryptionScope: UNKNOWN } };
    const fromScope = { ...unknownScope, dependencies: [scope("Microsoft.KeyVault").urn] };
    expect(
      await runStackPolicy(s.blobContainerEncryptionScope, [st, scope("Microsoft.KeyVault"), fromScope]),
    ).toEqual([]);
    expect(
      String(
        await runStackPolicy(s.blobContainerEncryptionScope, [st, scope("Microsoft.Storage"), fromScope]),
      ),
    ).toMatch(/not known yet/);
    // Computed from no resource: a scope the program never set (a first preview's PreviewOutputs).
    expect(
      await runStackPolicy(s.blobContainerEncryptionScope, [st, scope("Microsoft.KeyVault"), unknownScope]),
    ).toEqual([]);
    // bypass11b: the Key Vault scope only in dependsOn, the name computed from a random string.
    const salt = randomString();
    const decoy = {
      ...fromScope,
      dependencies: [...fromScope.dependencies, salt.urn],
      propertyDependencies: { defaultEncryptionScope: [salt.urn] },
    };
    expect(
      String(
        await runStackPolicy(s.blobContainerEncryptionScope, [st, scope("Microsoft.KeyVault"), salt, decoy]),
      ),
    ).toMatch(/not known yet and does not come from an encryption scope of this stack/);
    const honest = {
      ...decoy,
      propertyDependencies: { defaultEncryptionScope: [scope("Microsoft.KeyVault").urn] },
    };
    expect(
      await runStackPolicy(s.blobContainerEncryptionScope, [st, scope("Microsoft.KeyVault"), salt, honest]),
    ).toEqual([]);
  });

  // preview15: a deployed container's and scope's outputs carry no accountName (a path parameter):
  // a scope was matched by its name alone, so a container of one account passed naming a Key
  // Vault scope that only another account of the stack has (Azure looks the name up in the
  // container's own account). Matched now by the account's ID at the start of both IDs.
  describe("blob-container-encryption-scope on a deployed stack with two accounts", () => {
    const deployedScope = (account: string, name: string, source: string) =>
      res("EncryptionScope", `${account}-${name}`, {
        id: `${RG}/${account}/encryptionScopes/${name}`,
        name,
        source,
      });
    const deployedContainer = (account: string, defaultEncryptionScope: string) =>
      res("BlobContainer", `${account}-docs`, {
        id: `${RG}/${account}/blobServices/default/containers/docs`,
        name: "docs",
        defaultEncryptionScope,
      });
    const run = async (...resources: ReturnType<typeof res>[]) =>
      String(await runStackPolicy(s.blobContainerEncryptionScope, [st, st2, ...resources]));
    const onlyInSt1 = deployedScope("st1", "cmk", "Microsoft.KeyVault");
    it("a container naming a Key Vault scope only another account has is refused", async () => {
      expect(await run(onlyInSt1, deployedContainer("st1", "cmk"))).toBe("");
      expect(await run(onlyInSt1, deployedContainer("st2", "cmk"))).toMatch(
        /st2-docs: default encryption scope "cmk" is not an encryption scope of this stack in the container's storage account/,
      );
    });
    it("of two scopes of one name, the container's account's decides", async () => {
      const scopes = [
        deployedScope("st1", "shared", "Microsoft.KeyVault"),
        deployedScope("st2", "shared", "Microsoft.Storage"),
      ];
      for (const order of [scopes, [...scopes].reverse()]) {
        expect(await run(...order, deployedContainer("st1", "shared"))).toBe("");
        expect(await run(...order, deployedContainer("st2", "shared"))).toMatch(
          /st2-docs: default encryption scope "shared" uses a Microsoft-managed key/,
        );
      }
    });
    it("where no ID says (a preview), every scope of the name the container's account may hold must use a Key Vault key", async () => {
      const named = (account: string, source: string) =>
        res("EncryptionScope", `${account}-shared`, {
          accountName: account,
          encryptionScopeName: "shared",
          source,
        });
      const container = {
        ...deployedContainer("st2", "shared"),
        props: { defaultEncryptionScope: "shared" },
      };
      // The container's account cannot be told: both scopes of the name count.
      expect(
        await run(named("st1", "Microsoft.KeyVault"), named("st2", "Microsoft.Storage"), container),
      ).toMatch(/uses a Microsoft-managed key/);
      expect(
        await run(named("st1", "Microsoft.KeyVault"), named("st2", "Microsoft.KeyVault"), container),
      ).toBe("");
      // Its accountName known: only that account's scope.
      const inSt1 = { ...container, props: { accountName: "st1", defaultEncryptionScope: "shared" } };
      expect(await run(named("st1", "Microsoft.KeyVault"), named("st2", "Microsoft.Storage"), inSt1)).toBe(
        "",
      );
    });
    // A container being created in a preview shows neither its accountName (a path parameter) nor
    // its ID; the resource policies saw the accountName the program sent, in the same pack process.
    it("in a first preview, the accountName the program sent says which account's scope counts", async () => {
      const created = {
        ...deployedContainer("st2", "cmk"),
        props: { id: UNKNOWN, defaultEncryptionScope: "cmk" },
      };
      const inputs = {
        resourceGroupName: "rg",
        accountName: "st2",
        containerName: "docs",
        defaultEncryptionScope: "cmk",
      };
      try {
        forgetAnalyzedInputs();
        await runResourcePolicy(requiredTags, { type: created.type, urn: created.urn, props: inputs });
        expect(await run(onlyInSt1, created)).toMatch(
          /st2-docs: default encryption scope "cmk" is not an encryption scope of this stack in the container's storage account/,
        );
        expect(await run(deployedScope("st2", "cmk", "Microsoft.KeyVault"), created)).toBe("");
      } finally {
        forgetAnalyzedInputs();
      }
    });
  });

  const replication = (sourceAccount: string, destinationAccount: string) =>
    res("ObjectReplicationPolicy", "orp", { accountName: "st2", sourceAccount, destinationAccount });
  const foreign =
    "/subscriptions/other/resourceGroups/rg-x/providers/Microsoft.Storage/storageAccounts/exfil";
  it.each([
    [`${RG}/st1`, `${RG}/st2`, ""],
    ["st1", "st2", ""],
    [`${RG}/st1`, foreign, "destinationAccount"],
    [foreign, `${RG}/st2`, "sourceAccount"],
    ["st1", "exfil", "is not a storage account of this stack"],
  ])("storage-object-replication-in-stack: %s -> %s", async (from, to, message) => {
    const result = (await runStackPolicy(s.storageObjectReplicationInStack, [
      st,
      st2,
      replication(from, to),
    ])) as string[];
    if (message) expect(result.join("\n")).toContain(message);
    else expect(result).toEqual([]);
  });
  it("storage-object-replication-in-stack refuses a stack account outside the allowed regions", async () => {
    const us = { ...st2, props: { ...st2.props, location: "eastus" } };
    expect(
      await runStackPolicy(s.storageObjectReplicationInStack, [
        st,
        us,
        replication(`${RG}/st1`, `${RG}/st2`),
      ]),
    ).toEqual([expect.stringMatching(/is in eastus, which is not an allowed region/)]);
  });
  // Preview (bypass10): a destination not known yet was vouched for by any dependency of the
  // replication policy (it always waits for its own account); now only the input's sources.
  it("storage-object-replication-in-stack, in a preview, judges a destination by what it was computed from", async () => {
    const salt = randomString();
    const computed = (sources: string[]) => ({
      ...replication(`${RG}/st1`, "x"),
      props: { accountName: "st2", sourceAccount: `${RG}/st1`, destinationAccount: UNKNOWN },
      dependencies: [st.urn, st2.urn, salt.urn],
      propertyDependencies: { destinationAccount: sources },
    });
    expect(
      await runStackPolicy(s.storageObjectReplicationInStack, [st, st2, salt, computed([st2.urn])]),
    ).toEqual([]);
    expect(
      String(await runStackPolicy(s.storageObjectReplicationInStack, [st, st2, salt, computed([salt.urn])])),
    ).toMatch(/destinationAccount is not known yet and does not come from a resource of this stack/);
  });
});
