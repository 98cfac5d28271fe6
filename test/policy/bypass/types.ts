/**
 * Bypass cases: unrecognised types and token forms (issue 13, class 1). An attacker with write
 * access to a stack keeps the insecure setting and changes only how the resource is registered:
 * a v3 parameterized local package (`pulumi package add azure-native storage 2024-01-01`), an
 * explicit API version, Pulumi Azure Classic, or a service the platform does not use at all.
 * Every policy must follow the resource to its canonical type; what no service policy can judge
 * is refused in prod by `azure-resource-type-allowed`, and location and tags are judged in both
 * stacks whatever the token. (Engine robustness, class 8, is tested on the analyzer itself:
 * test/policy/analyze.test.ts and engine.test.ts.)
 */
import { DELETE, T, type Context, type Mutation, type Stack, type Variation } from "../mutationCatalog";

const PROD: Stack[] = ["prod"];

/** `azure-native:<module>:<Name>` as a parameterized local package of that module registers it. */
const parameterized = (type: string): string =>
  type.replace(/^azure-native:([^:/]+):/, "azure-native_$1_v20240101:$1:");
/** `azure-native:<module>:<Name>` with an explicit API version module. */
const versioned = (type: string): string =>
  type.replace(/^azure-native:([^:/]+):/, "azure-native:$1/v20230101:");

const tagsFor = (c: Context, dataClassification = "confidential") => ({
  environment: c.stack,
  owner: "platform-team",
  dataClassification,
});

/** A resource a user might add by hand, compliant in location and tags unless `changes` say otherwise. */
function added(
  type: string,
  name: string,
  inputs: (c: Context) => Record<string, unknown>,
  changes: Record<string, unknown> = {},
): NonNullable<Mutation["add"]> {
  return {
    type,
    name,
    inputs: (c) => {
      const out: Record<string, unknown> = {
        resourceGroupName: c.resourceGroup,
        location: "westeurope",
        tags: tagsFor(c),
        ...inputs(c),
      };
      for (const [key, value] of Object.entries(changes)) {
        if (value === DELETE) delete out[key];
        else out[key] = value;
      }
      return out;
    },
  };
}

/** Services outside the platform, written as a hurried engineer would (public, keys on). */
const FOREIGN_SERVICES: [what: string, type: string, inputs: (c: Context) => Record<string, unknown>][] = [
  [
    "an App Service web app reachable from the Internet",
    "azure-native:web:WebApp",
    () => ({ name: "app-public", httpsOnly: false, publicNetworkAccess: "Enabled" }),
  ],
  [
    "a Container Registry with the admin user and anonymous pull",
    "azure-native:containerregistry:Registry",
    () => ({
      registryName: "acrpublic",
      sku: { name: "Standard" },
      adminUserEnabled: true,
      anonymousPullEnabled: true,
    }),
  ],
  [
    "a Cosmos DB account with keys and public access",
    "azure-native:documentdb:DatabaseAccount",
    (c) => ({
      accountName: "cosmos-open",
      databaseAccountOfferType: "Standard",
      locations: [{ locationName: "westeurope" }],
      disableLocalAuth: false,
      publicNetworkAccess: "Enabled",
      tags: tagsFor(c, "customer-confidential"),
    }),
  ],
  [
    "an Azure OpenAI account (Cognitive Services) with API keys",
    "azure-native:cognitiveservices:Account",
    () => ({
      accountName: "oai",
      kind: "OpenAI",
      sku: { name: "S0" },
      properties: { disableLocalAuth: false },
    }),
  ],
  [
    "a Cosmos DB for PostgreSQL cluster with a password",
    "azure-native:dbforpostgresql:Cluster",
    () => ({ clusterName: "pg-citus", administratorLoginPassword: "Passw0rd!", enableHa: false }),
  ],
  [
    "an Azure SQL server with SQL authentication",
    "azure-native:sql:Server",
    () => ({ serverName: "sql-open", administratorLogin: "sa", administratorLoginPassword: "Passw0rd!" }),
  ],
  [
    "a public container group",
    "azure-native:containerinstance:ContainerGroup",
    () => ({ osType: "Linux", ipAddress: { type: "Public", ports: [{ port: 80 }] }, containers: [] }),
  ],
  [
    "a Data Factory (copies data anywhere)",
    "azure-native:datafactory:Factory",
    () => ({ factoryName: "adf-exfil", publicNetworkAccess: "Enabled" }),
  ],
  [
    "an Event Hubs namespace with SAS keys",
    "azure-native:eventhub:Namespace",
    () => ({ namespaceName: "eh-open", disableLocalAuth: false }),
  ],
  [
    "a virtual machine",
    "azure-native:compute:VirtualMachine",
    () => ({ vmName: "jumpbox", osProfile: { adminUsername: "azureuser", adminPassword: "Passw0rd!" } }),
  ],
  [
    "an object replication policy copying blobs to another account",
    "azure-native:storage:ObjectReplicationPolicy",
    (c) => ({
      accountName: c.nameOf(T.account),
      objectReplicationPolicyId: "default",
      sourceAccount: c.idOf(T.account),
      destinationAccount:
        "/subscriptions/00000000-0000-4000-8000-00000000dead/resourceGroups/rg-x/providers/Microsoft.Storage/storageAccounts/stexfil",
    }),
  ],
  [
    "an SFTP local user with an SSH key on the platform's storage account",
    "azure-native:storage:LocalUser",
    (c) => ({ accountName: c.nameOf(T.account), username: "sftp", hasSshKey: true, hasSshPassword: true }),
  ],
  [
    "a Key Vault access policy (bypasses RBAC)",
    "azure-native:keyvault:AccessPolicy",
    (c) => ({
      vaultName: c.nameOf(T.vault),
      policy: { objectId: "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8", permissions: { secrets: ["all"] } },
    }),
  ],
  [
    "a generic ARM resource creating a public storage account",
    "azure-native:resources:Resource",
    () => ({
      resourceProviderNamespace: "Microsoft.Storage",
      resourceType: "storageAccounts",
      resourceName: "stgeneric",
      parentResourcePath: "",
      apiVersion: "2023-05-01",
      kind: "StorageV2",
      sku: { name: "Standard_LRS" },
      properties: { publicNetworkAccess: "Enabled", allowSharedKeyAccess: true, minimumTlsVersion: "TLS1_0" },
    }),
  ],
  [
    "a lock at subscription level (a lock kind the platform does not use)",
    "azure-native:authorization:ManagementLockAtSubscriptionLevel",
    () => ({ level: "ReadOnly", lockName: "freeze" }),
  ],
];

/** Foreign-looking types that have a service policy of their own, and the policy that refuses them. */
const OWN_POLICY: Record<string, Pick<Mutation, "policy" | "control">> = {
  "azure-native:storage:ObjectReplicationPolicy": {
    policy: "storage-object-replication-in-stack",
    control: "RES-1",
  },
  "azure-native:resources:Resource": { policy: "no-arm-escape-hatches", control: "ENV-1" },
};

/** Azure Classic resources: the same services under the Terraform-bridged provider. */
const CLASSIC: [what: string, type: string, inputs: (c: Context) => Record<string, unknown>][] = [
  [
    "a classic storage account open to the Internet with shared keys",
    "azure:storage/account:Account",
    (c) => ({
      name: "stclassic",
      accountTier: "Standard",
      accountReplicationType: "LRS",
      publicNetworkAccessEnabled: true,
      sharedAccessKeyEnabled: true,
      minTlsVersion: "TLS1_0",
      tags: tagsFor(c, "customer-confidential"),
    }),
  ],
  [
    "a classic Key Vault without purge protection",
    "azure:keyvault/keyVault:KeyVault",
    () => ({ name: "kv-classic", skuName: "standard", tenantId: "t", purgeProtectionEnabled: false }),
  ],
  [
    "a classic PostgreSQL flexible server with a password",
    "azure:postgresql/flexibleServer:FlexibleServer",
    () => ({ name: "pg-classic", administratorPassword: "Passw0rd!", publicNetworkAccessEnabled: true }),
  ],
  [
    "a classic Owner role assignment",
    "azure:authorization/assignment:Assignment",
    (c) => ({
      scope: `/subscriptions/${c.subscription}`,
      roleDefinitionName: "Owner",
      principalId: "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8",
    }),
  ],
];

/**
 * Subscription- and tenant-wide changes a dev stack could make with its Contributor identity (or
 * a bridged provider): each leaves dev's own data alone and weakens a control prod shares.
 */
const SHARED_SCOPE: [what: string, type: string, inputs: (c: Context) => Record<string, unknown>][] = [
  [
    "a PIM policy letting Owner activate without approval or MFA",
    "azure-native:authorization:RoleManagementPolicy",
    (c) => ({
      scope: `/subscriptions/${c.subscription}`,
      roleManagementPolicyName: "owner-policy",
      rules: [
        {
          id: "Approval_EndUser_Assignment",
          ruleType: "RoleManagementPolicyApprovalRule",
          setting: { isApprovalRequired: false },
        },
      ],
    }),
  ],
  [
    "a Lighthouse delegation of the subscription to another tenant",
    "azure-native:managedservices:RegistrationAssignment",
    (c) => ({
      scope: `/subscriptions/${c.subscription}`,
      properties: {
        registrationDefinitionId: `/subscriptions/${c.subscription}/providers/Microsoft.ManagedServices/registrationDefinitions/0c9f6f64-7b1a-4b8e-9d0a-2f3e4d5c6b7a`,
      },
    }),
  ],
  [
    "a Defender continuous export of alerts to an outside workspace",
    "azure-native:security:Automation",
    () => ({
      automationName: "export",
      isEnabled: true,
      scopes: [{ scopePath: "/subscriptions/00000000-0000-4000-8000-00000000dead" }],
      sources: [{ eventSource: "Alerts" }],
      actions: [
        {
          actionType: "Workspace",
          workspaceResourceId:
            "/subscriptions/00000000-0000-4000-8000-00000000dead/resourceGroups/rg-x/providers/Microsoft.OperationalInsights/workspaces/law-exfil",
        },
      ],
    }),
  ],
  [
    "an alert processing rule removing every action group",
    "azure-native:alertsmanagement:AlertProcessingRuleByName",
    (c) => ({
      alertProcessingRuleName: "quiet",
      properties: {
        scopes: [`/subscriptions/${c.subscription}`],
        actions: [{ actionType: "RemoveAllActionGroups" }],
        enabled: true,
      },
    }),
  ],
  [
    "an Entra ID diagnostic setting sending audit logs elsewhere",
    "azure-native:aadiam:DiagnosticSetting",
    () => ({
      name: "aad-exfil",
      storageAccountId:
        "/subscriptions/00000000-0000-4000-8000-00000000dead/resourceGroups/rg-x/providers/Microsoft.Storage/storageAccounts/stexfil",
      logs: [{ category: "AuditLogs", enabled: true }],
    }),
  ],
  // The classic Owner assignment above: refused in dev too, not only by prod's type gate.
  CLASSIC.find(([, type]) => type === "azure:authorization/assignment:Assignment")!,
  [
    "a classic Defender plan set to Free",
    "azure:securitycenter/subscriptionPricing:SubscriptionPricing",
    () => ({ tier: "Free", resourceType: "StorageAccounts" }),
  ],
  [
    "a classic ARM template deployment",
    "azure:core/resourceGroupTemplateDeployment:ResourceGroupTemplateDeployment",
    (c) => ({
      name: "tpl",
      resourceGroupName: c.resourceGroup,
      deploymentMode: "Incremental",
      templateContent: "{}",
    }),
  ],
  [
    "a subscription-level ReadOnly lock",
    "azure-native:authorization:ManagementLockAtSubscriptionLevel",
    () => ({ level: "ReadOnly", lockName: "freeze" }),
  ],
];

const kebab = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40);

export const MUTATIONS: Mutation[] = [
  // The same resource under a parameterized local package or an API version: every policy follows.
  {
    id: "parameterized-package storage account with public network access",
    type: T.account,
    retype: parameterized,
    set: { publicNetworkAccess: "Enabled" },
    policy: "storage-account-private-access",
    control: "NET-1",
  },
  {
    id: "parameterized-package storage account with anonymous blob access",
    type: T.account,
    retype: parameterized,
    set: { allowBlobPublicAccess: true },
    policy: "storage-account-no-public-blob-access",
    control: "NET-1",
  },
  {
    id: "parameterized-package storage account with shared keys",
    type: T.account,
    retype: parameterized,
    set: { allowSharedKeyAccess: true },
    policy: "storage-account-entra-only-auth",
    control: "IAM-1",
  },
  {
    id: "parameterized-package storage account without tags",
    type: T.account,
    retype: parameterized,
    set: { tags: DELETE },
    policy: "required-tags",
    control: "CLS-1",
  },
  {
    id: "parameterized-package storage account outside the EU",
    type: T.account,
    retype: parameterized,
    set: { location: "eastus" },
    policy: "allowed-locations",
    control: "RES-1",
  },
  {
    id: "parameterized-package storage account classified internal",
    type: T.account,
    retype: parameterized,
    set: { "tags.dataClassification": "internal" },
    policy: "customer-data-classification",
    control: "CLS-1",
  },
  {
    id: "API-versioned storage account with TLS 1.0",
    type: T.account,
    retype: versioned,
    set: { minimumTlsVersion: "TLS1_0" },
    policy: "storage-account-tls",
    control: "TLS-1",
  },
  {
    id: "parameterized-package blob container made public",
    type: T.container,
    retype: parameterized,
    set: { publicAccess: "Container" },
    policy: "blob-container-private",
    control: "NET-1",
  },
  {
    id: "parameterized-package blob service with 1-day soft delete",
    type: T.blob,
    retype: parameterized,
    set: { "deleteRetentionPolicy.days": 1 },
    policy: "blob-service-soft-delete",
    control: "BAK-1",
  },
  {
    id: "parameterized-package Key Vault without purge protection",
    type: T.vault,
    retype: parameterized,
    set: { "properties.enablePurgeProtection": false },
    policy: "key-vault-deletion-protection",
    control: "KEY-1",
  },
  {
    id: "parameterized-package PostgreSQL with password authentication",
    type: T.pg,
    retype: parameterized,
    set: { "authConfig.passwordAuth": "Enabled" },
    policy: "postgres-entra-auth-only",
    control: "IAM-1",
  },
  {
    id: "API-versioned Redis database with access keys",
    type: T.redisDb,
    retype: versioned,
    set: { accessKeysAuthentication: "Enabled" },
    policy: "redis-database-no-access-keys",
    control: "IAM-1",
  },
  {
    id: "parameterized-package container app accepting plain HTTP",
    type: T.app,
    retype: parameterized,
    set: { "configuration.ingress.allowInsecure": true },
    policy: "container-app-https-only",
    control: "NET-2",
  },
  {
    id: "parameterized-package workspace keeping logs 30 days",
    type: T.workspace,
    retype: parameterized,
    set: { retentionInDays: 30 },
    policy: "log-analytics-retention",
    control: "LOG-1",
  },
  {
    id: "parameterized-package role assignment granting a workload Owner",
    type: T.role,
    where: (i) => i.principalType === "ServicePrincipal",
    retype: parameterized,
    set: {
      roleDefinitionId:
        "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    },
    policy: "role-assignment-no-privileged-workload",
    control: "IAM-2",
  },
  {
    id: "parameterized-package NSG opening SSH to the Internet",
    type: T.nsg,
    retype: parameterized,
    set: {
      "push:securityRules": {
        name: "ssh",
        priority: 110,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourceAddressPrefix: "Internet",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "22",
      },
    },
    policy: "nsg-no-internet-inbound",
    control: "NET-2",
  },
  {
    id: "parameterized-package CMK of 2048 bits",
    stacks: PROD,
    type: T.key,
    retype: parameterized,
    set: { "properties.keySize": 2048 },
    policy: "key-vault-key-strength",
    control: "ENC-2",
  },
  {
    id: "parameterized-package diagnostic setting sending logs nowhere",
    type: T.diag,
    retype: parameterized,
    set: { workspaceId: DELETE },
    policy: "diagnostic-setting-to-workspace",
    control: "LOG-1",
  },
  {
    id: "parameterized-package PostgreSQL in a resource group the stack does not own",
    type: T.pg,
    retype: parameterized,
    set: { resourceGroupName: "rg-sap-other" },
    policy: "own-resource-groups",
    control: "ENV-1",
  },

  // Services no service policy evaluates: refused in prod (the type gate), unless allow-listed;
  // a type with a policy of its own is refused by that policy instead.
  ...FOREIGN_SERVICES.map(([what, type, inputs]): Mutation => ({
    id: `${what} in prod`,
    stacks: PROD,
    add: added(type, kebab(what), inputs),
    ...(OWN_POLICY[type] ?? { policy: "azure-resource-type-allowed", control: "ENV-1" }),
  })),
  {
    id: "an App Service web app under a parameterized package in prod",
    stacks: PROD,
    add: added("azure-native_web_v20240401:web:WebApp", "param-webapp", () => ({ name: "app-param" })),
    policy: "azure-resource-type-allowed",
    control: "ENV-1",
  },
  {
    id: "a platform type the prod allow-list does not name (a second lock kind, API-versioned)",
    stacks: PROD,
    add: added("azure-native:authorization/v20200501:ManagementLockAtResourceGroupLevel", "rg-lock", () => ({
      level: "ReadOnly",
    })),
    policy: "azure-resource-type-allowed",
    control: "ENV-1",
  },
  ...CLASSIC.map(([what, type, inputs]): Mutation => ({
    id: `${what} in prod`,
    stacks: PROD,
    add: added(type, kebab(what), inputs),
    policy: "azure-resource-type-allowed",
    control: "ENV-1",
  })),

  // Types that change what the stack shares with the subscription or tenant: refused in dev too
  // (where the type gate is advisory) and whatever the allow-list says (shared-scope-types-evaluated).
  ...SHARED_SCOPE.map(([what, type, inputs]): Mutation => ({
    id: `${what} (every stack)`,
    add: added(type, kebab(what), inputs),
    policy: "shared-scope-types-evaluated",
    control: "ENV-1",
  })),

  // A Defender plan the platform does not rely on is still the subscription's: never Free.
  {
    id: "Defender for Resource Manager turned Free (a plan the platform does not use)",
    add: added("azure-native:security:Pricing", "arm-free", (c) => ({
      scopeId: `/subscriptions/${c.subscription}`,
      pricingName: "Arm",
      pricingTier: "Free",
    })),
    policy: "defender-plan-standard",
    control: "THR-1",
  },

  // Location and tags judge every Azure resource, in both stacks, whatever the token.
  ...[...FOREIGN_SERVICES.slice(0, 5), ...CLASSIC.slice(0, 2)].flatMap(([what, type, inputs]): Mutation[] => [
    {
      id: `${what} outside the EU`,
      add: added(type, `${kebab(what)}-us`, inputs, { location: "eastus" }),
      policy: "allowed-locations",
      control: "RES-1",
    },
    {
      id: `${what} without tags`,
      add: added(type, `${kebab(what)}-untagged`, inputs, { tags: DELETE }),
      policy: "required-tags",
      control: "CLS-1",
    },
  ]),
  {
    id: "an unknown type in West US written with spaces",
    add: added("azure-native:compute:Disk", "disk-us", () => ({ diskName: "d" }), { location: "West US" }),
    policy: "allowed-locations",
    control: "RES-1",
  },
  {
    id: "an unknown type under a parameterized package outside the EU",
    add: added("azure-native_search_v20240601preview:search:Service", "search-us", () => ({}), {
      location: "brazilsouth",
    }),
    policy: "allowed-locations",
    control: "RES-1",
  },
  {
    id: "an unknown type with a made-up classification",
    add: added("azure-native:web:StaticSite", "site", (c) => ({
      tags: { ...tagsFor(c), dataClassification: "secret" },
    })),
    policy: "required-tags",
    control: "CLS-1",
  },
  {
    id: "a classic resource group outside the EU",
    add: added("azure:core/resourceGroup:ResourceGroup", "classic-rg", () => ({ name: "rg-us" }), {
      location: "eastus2",
      resourceGroupName: DELETE,
    }),
    policy: "allowed-locations",
    control: "RES-1",
  },
];

export const SECURE_VARIATIONS: Variation[] = [
  // A token form alone changes nothing: the plan's own resources, re-registered, still pass.
  ...[
    T.account,
    T.vault,
    T.pg,
    T.redis,
    T.app,
    T.workspace,
    T.role,
    T.nsg,
    T.pe,
    T.diag,
    T.blob,
    T.container,
  ].map((type): Variation => ({
    id: `the plan's ${type} under a parameterized package`,
    type,
    retype: parameterized,
  })),
  { id: "the plan's storage account under an API version", type: T.account, retype: versioned },
  {
    id: "an allow-listed type added with compliant location and tags (another identity)",
    add: added(T.identity, "extra-identity", () => ({ resourceName: "id-extra" })),
  },
  {
    id: "an allow-listed type under a parameterized package (a private DNS zone, global)",
    add: added(
      parameterized("azure-native:privatedns:PrivateZone"),
      "extra-zone",
      () => ({
        privateZoneName: "privatelink.example.net",
      }),
      { location: "global" },
    ),
  },
];
