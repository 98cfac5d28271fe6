/**
 * Escape hatches of Azure Resource Manager (issue 13, class 2): an ARM deployment, deployment
 * stack, template spec, deployment script or generic `resources:Resource` creates whatever its
 * template or script says — resources the pack never sees, so no other policy of the pack can
 * judge them. They are refused unless the preset allow-lists the one resource by name.
 */
import { isAzureResource, isType } from "../lib/azureTypes";
import { resourcePolicy } from "../lib/define";
import { get, NOT_KNOWN, peek, show, str } from "../lib/props";
import {
  LEGACY_COMPONENT_TYPES,
  PULUMI_PACKAGE,
  componentType,
  componentTypes,
  type ComponentClass,
} from "../../controls/componentTypes";

/** Resource types whose content the pack cannot see (deployed templates, scripts, generic resources). */
export const ESCAPE_HATCH_TYPES = [
  "azure-native:resources:Deployment",
  "azure-native:resources:DeploymentAtScope",
  "azure-native:resources:DeploymentAtSubscriptionScope",
  "azure-native:resources:DeploymentAtManagementGroupScope",
  "azure-native:resources:DeploymentAtTenantScope",
  "azure-native:resources:DeploymentStackAtResourceGroup",
  "azure-native:resources:DeploymentStackAtSubscription",
  "azure-native:resources:DeploymentStackAtManagementGroup",
  "azure-native:resources:TemplateSpec",
  "azure-native:resources:TemplateSpecVersion",
  "azure-native:resources:AzureCliScript",
  "azure-native:resources:AzurePowerShellScript",
  "azure-native:resources:Resource",
  // A policy definition with a deployIfNotExists effect deploys its template with the
  // assignment's identity, and one with modify or append rewrites the properties of every
  // matching create or update request before the resource provider sees it: judged only when
  // its rule carries one of these effects.
  "azure-native:authorization:PolicyDefinition",
  "azure-native:authorization:PolicyDefinitionAtManagementGroup",
  "azure-native:authorization:PolicyDefinitionVersion",
  "azure-native:authorization:PolicyDefinitionVersionAtManagementGroup",
  // An assignment runs its definition (a built-in one too, whose rule the pack never sees) with
  // the assignment's identity: deployIfNotExists deploys, modify rewrites, on every scope below
  // it (the whole shared subscription). A remediation runs it on what exists; an exemption lifts
  // guardrails set outside the stack.
  "azure-native:authorization:PolicyAssignment",
  "azure-native:authorization:PolicyExemption",
  "azure-native:policyinsights:RemediationAtManagementGroup",
  "azure-native:policyinsights:RemediationAtSubscription",
  "azure-native:policyinsights:RemediationAtResourceGroup",
  "azure-native:policyinsights:RemediationAtResource",
] as const;

/**
 * A policy rule that changes resources: a deployIfNotExists deployment, modify `operations`, or
 * an append/modify/deployIfNotExists effect named outright (a parameterized effect still shows
 * its details). Append's details are a list of `{ field, value }`.
 */
const CHANGING_RULE =
  /"deployment"\s*:|"operations"\s*:|"details"\s*:\s*\[|deployIfNotExists|"effect"\s*:\s*"(modify|append)"/i;

const POLICY_DEFINITIONS = [
  "azure-native:authorization:PolicyDefinition",
  "azure-native:authorization:PolicyDefinitionAtManagementGroup",
  "azure-native:authorization:PolicyDefinitionVersion",
  "azure-native:authorization:PolicyDefinitionVersionAtManagementGroup",
] as const;

/**
 * Escape hatches no review can allow (an allow-list names a resource, not its content, which can
 * change after the review): an exemption lifts Azure Policy guardrails that security assigned
 * outside the stack, and a deployment, deployment stack, policy definition or remediation at
 * tenant or management-group scope acts above every subscription, which no stack owns.
 */
const NEVER_ALLOWED = [
  "azure-native:authorization:PolicyExemption",
  "azure-native:resources:DeploymentAtTenantScope",
  "azure-native:resources:DeploymentAtManagementGroupScope",
  "azure-native:resources:DeploymentStackAtManagementGroup",
  "azure-native:authorization:PolicyDefinitionAtManagementGroup",
  "azure-native:authorization:PolicyDefinitionVersionAtManagementGroup",
  "azure-native:policyinsights:RemediationAtManagementGroup",
] as const satisfies readonly (typeof ESCAPE_HATCH_TYPES)[number][];

/** The names a user may allow-list a resource by: its Azure name inputs, then its Pulumi name. */
const NAME_INPUTS = [
  "deploymentName",
  "deploymentStackName",
  "templateSpecName",
  "scriptName",
  "resourceName",
  "policyAssignmentName",
  "policyExemptionName",
  "remediationName",
];

export const noArmEscapeHatches = resourcePolicy({
  name: "no-arm-escape-hatches",
  description:
    "No ARM deployment, deployment stack, template spec, deployment script, generic resources:Resource, Azure Policy definition that deploys or rewrites resources (deployIfNotExists, modify, append), policy assignment, remediation or exemption unless allow-listed by name: what they create is invisible to every other policy (location, tags, encryption, network, access), so they would bypass the whole pack. A policy exemption, and a deployment, deployment stack, policy definition or remediation at tenant or management-group scope, is never allowed, allow-listed or not (ENV-1, IAM-2).",
  controls: ["ENV-1", "IAM-2"],
  severity: "critical",
  remediation:
    "Write the resources with their azure-native types so the pack judges them. If a template is unavoidable, have security review it and add its name to allowedEscapeHatches in the preset.",
  types: ESCAPE_HATCH_TYPES,
  config: {
    allowedEscapeHatches: {
      description:
        "Names (deploymentName, deploymentStackName, templateSpecName, scriptName, resourceName, policyAssignmentName or remediationName, else the Pulumi resource name) of reviewed deployments, scripts, generic resources or Azure Policy resources allowed in the stack. Exemptions and anything at tenant or management-group scope cannot be allowed. Empty: none.",
      default: [] as readonly string[],
    },
  },
  check: (resource, cfg, report) => {
    const { props, name, type } = resource;
    if (
      isType(type, ...POLICY_DEFINITIONS) &&
      !CHANGING_RULE.test(JSON.stringify(get(props, "policyRule")) ?? "")
    )
      return resource.notApplicable("no deployIfNotExists, modify or append effect");
    const names = [...NAME_INPUTS.map((key) => str(props, key)), name].filter((n) => n !== undefined);
    if (names.some((n) => cfg.allowedEscapeHatches.includes(n))) {
      if (!isType(type, ...NEVER_ALLOWED)) return;
      report(
        `${type} ${show(names[0])} lifts Azure Policy guardrails or acts above every subscription (tenant or management group scope): never allowed, even in allowedEscapeHatches`,
      );
      return;
    }
    report(
      `${type} ${show(names[0])} deploys content the pack cannot evaluate; it is not in allowedEscapeHatches`,
    );
  },
});

/**
 * Providers other than azure-native that change Azure or Entra ID with content the pack cannot
 * judge, by the package part of their type token: what they create or change never reaches the
 * azure-native policies (or any policy, since their tokens are not Azure resources to the pack).
 */
export const PROVIDER_ESCAPE_HATCHES: readonly { pkg: RegExp; what: string }[] = [
  {
    // AzAPI (the Pulumi package, or the Terraform provider through `pulumi package add
    // terraform-provider azure/azapi`): Resource creates any ARM type at any API version from a
    // JSON body, UpdateResource PATCHes an existing resource, ResourceAction calls any action.
    pkg: /^azapi$/i,
    what: "AzAPI sends raw ARM requests (any type, any API version, a PATCH of an existing resource, any action)",
  },
  {
    // `pulumi package add terraform-provider hashicorp/azurerm`: Azure resources under the
    // Terraform property names, registered as `azurerm:index/<member>:<Name>`.
    pkg: /^azurerm$/i,
    what: "the Terraform azurerm provider names Azure resources with property names no policy of the pack reads",
  },
  {
    // Group members (a member of a preset group inherits its roles), application and service
    // principal passwords, federated credentials, app role assignments.
    pkg: /^azuread$/i,
    what: "Entra ID changes (group members, application and service principal credentials, federated credentials) grant access the pack cannot see",
  },
  {
    pkg: /^command$/i,
    what: "pulumi-command runs any shell command (e.g. az CLI) with the deployer's credentials",
  },
  {
    // `pulumi-nodejs:dynamic:Resource`, `pulumi-nodejs:dynamic/<module>:<Type>`, Python's too.
    pkg: /^pulumi-[a-z]+:dynamic(\/[^:]*)?$/i,
    what: "a dynamic provider runs arbitrary program code with the deployer's credentials",
  },
];

/** The package part of a type token (`azapi` of `azapi:index/resource:Resource`; dynamic keeps its module). */
function packageOf(token: string): string {
  const parts = token.split(":");
  return parts.length === 3 ? (parts[0].startsWith("pulumi-") ? `${parts[0]}:${parts[1]}` : parts[0]) : "";
}

/** The escape hatch a type token belongs to, if any. */
function providerEscapeHatch(token: string): (typeof PROVIDER_ESCAPE_HATCHES)[number] | undefined {
  const pkg = packageOf(token);
  return PROVIDER_ESCAPE_HATCHES.find((h) => h.pkg.test(pkg));
}

/**
 * Whether a token can belong to a resource of some provider package other than azure-native and
 * the engine's own: Azure resources (azure-native in any token form, Azure Classic) are judged by
 * the service policies and the type gate, `pulumi:` tokens are the stack, providers and stack
 * references.
 */
const outsideAzureNative = (token: string): boolean =>
  token.startsWith(PROVIDER_PREFIX)
    ? !judgedByItsResources(token.slice(PROVIDER_PREFIX.length))
    : !isAzureResource(token) && !token.startsWith("pulumi:");

const PROVIDER_PREFIX = "pulumi:providers:";

/**
 * A type token's first part, the package that registered it (`random` of
 * `random:index/randomString:RandomString`): `token.split(":")[0]` without the array (read for
 * every Azure resource of the stack).
 */
function firstPart(token: string): string {
  const end = token.indexOf(":");
  return end < 0 ? token : token.slice(0, end);
}

/** The package a provider resource's type token serves (`azapi` of `pulumi:providers:azapi`). */
const providerPackageOf = (providerType: string): string =>
  providerType.startsWith(PROVIDER_PREFIX) ? providerType.slice(PROVIDER_PREFIX.length) : providerType;

/** A v3 local package of one azure-native module and API version (`azure-native_storage_v20240101`). */
const AZURE_NATIVE_LOCAL_PACKAGE = /^azure-native_[A-Za-z0-9]+_v\d{8}[a-z]*$/;

/**
 * Provider packages whose provider resource carries only settings while each of their resources
 * is judged on its own: Azure's (azure-native in any package form, Azure Classic) by the service
 * policies and the type gate, the escape hatches' above by name, dynamic providers'
 * (`pulumi:providers:pulumi-nodejs`) above too, and the engine's own (`pulumi`: stack references).
 */
function judgedByItsResources(pkg: string): boolean {
  return (
    pkg === "azure-native" ||
    AZURE_NATIVE_LOCAL_PACKAGE.test(pkg) ||
    pkg === "azure" ||
    pkg === "pulumi" ||
    /^pulumi-[a-z]+$/.test(pkg) ||
    PROVIDER_ESCAPE_HATCHES.some((h) => h.pkg.test(pkg))
  );
}

/** Our components' type tokens (current and legacy): the components package serves nothing else. */
const OUR_COMPONENTS: ReadonlySet<string> = new Set(
  (Object.keys(LEGACY_COMPONENT_TYPES) as ComponentClass[]).flatMap(componentTypes),
);
/** The current tokens, for messages. */
const OUR_CURRENT_COMPONENTS = (Object.keys(LEGACY_COMPONENT_TYPES) as ComponentClass[]).map(componentType);

export const noProviderEscapeHatches = resourcePolicy({
  name: "no-provider-escape-hatches",
  description:
    "No resource of a provider that changes Azure or Entra ID outside the pack's view (AzAPI, a bridged Terraform azurerm, azuread, pulumi-command, dynamic providers) unless allow-listed by its Pulumi name, and deny by default: no resource of any other provider package (a generic REST provider, the retired azure-nextgen, another cloud's storage) and no provider of such a package (a remote component's, whose Construct runs the package's code; the component itself reaches the pack without a provider) unless the package is reviewed in allowedPackages. The platform's own components package is accepted only as what it is: its provider without configuration, its components' tokens, no custom resource (another plugin can take its name, and which plugin the engine loaded never reaches the pack). A raw ARM PATCH, an az CLI command, an Entra group member or a copy of customer data in another cloud undoes any control while every policy passes (ENV-1, IAM-2).",
  controls: ["ENV-1", "IAM-2"],
  severity: "critical",
  remediation:
    "Write the change with azure-native resources so the pack judges it (Entra group membership and app credentials are managed outside the stacks). If one is unavoidable, have security review it and add its Pulumi resource name to allowedEscapeHatches (the listed hatches) or its package to allowedPackages (any other provider that changes nothing the pack judges) of this policy in the preset.",
  types: "all",
  appliesTo: {
    type: outsideAzureNative,
    otherwise:
      "an Azure resource, the engine's own, or the provider of a package whose resources are judged one by one (Azure's, the escape hatches', the engine's)",
  },
  config: {
    allowedEscapeHatches: {
      description:
        "Pulumi resource names of reviewed resources of these providers allowed in the stack. Empty: none.",
      default: [] as readonly string[],
    },
    allowedPackages: {
      description:
        "Provider packages (the first part of a type token, e.g. random) besides azure-native whose resources may be in the stack, each reviewed: it must change nothing in Azure, Entra ID or elsewhere that holds customer data. The escape hatches above are never allowed by package.",
      default: ["random", "time"] as readonly string[],
      schema: {
        items: {
          type: "string",
          pattern: "^[a-z][a-z0-9_-]*$",
          description: "a Pulumi package name such as random",
        },
      },
    },
  },
  check: (resource, cfg, report) => {
    if (resource.type.startsWith(PROVIDER_PREFIX)) {
      // A provider resource: the engine registers one for every package a program uses, a remote
      // component's package too. The component resource itself reaches the pack without a
      // provider (below), but its provider's Construct runs the package's code with the
      // deployer's credentials: the package is judged here, by its provider resource.
      const pkg = providerPackageOf(resource.type);
      // Our own component package (consumed from Python, Go, .NET, Java as a remote component):
      // any plugin can call itself by our name, and which plugin the engine loaded never reaches
      // the pack (`pluginDownloadURL`, the plugin name and parameterization live under
      // `__internal`, which pulumi/pulumi's analyzer client strips: pkg/resource/plugin/
      // analyzer_plugin.go marshalProvider, SkipInternalKeys). What does reach it is judged: our
      // provider takes no configuration, so a key besides the engine's `version` is another
      // package's provider under our name.
      if (pkg === PULUMI_PACKAGE) {
        const foreign = Object.keys(resource.props).filter((key) => key !== "version");
        if (foreign.length === 0) return;
        report(
          `${resource.type} ${show(resource.name)} is configured with ${foreign.map((k) => show(k)).join(", ")}, which the platform's components package does not take (its provider has no configuration; only the engine's version): another package's provider under the platform's name, whose Construct would run its own code with the deployer's credentials`,
        );
        return;
      }
      if (cfg.allowedPackages.includes(pkg)) return;
      report(
        `${resource.type} ${show(resource.name)} is the provider of package ${show(pkg)}, which the pack does not judge: a remote component's provider runs its code with the deployer's credentials, and what it changes is invisible to every policy; it is not in allowedPackages`,
      );
      return;
    }
    const hatch = providerEscapeHatch(resource.type);
    if (hatch) {
      if (cfg.allowedEscapeHatches.includes(resource.name)) return;
      report(`${resource.type} ${show(resource.name)}: ${hatch.what}; it is not in allowedEscapeHatches`);
      return;
    }
    // A component resource, local or remote, reaches the analyzer without a provider: the engine
    // resolves a provider reference only for a custom or a remote (client-side) registration,
    // the client-side registration of a remote component goes to the provider's Construct and
    // never to the analyzers, and the component the provider then registers is neither custom nor
    // remote (pulumi/pulumi pkg/resource/deploy/source_eval.go RegisterResource: `providerRef`
    // only `if custom && !IsProviderType(t) || remote`; step_generator.go analyzeAll →
    // getProviderResource returns nil for ""). A custom resource always has one
    // (loadResourceProvider asserts it). Its children are judged one by one.
    const pkg = firstPart(resource.type);
    if (resource.provider === undefined) {
      // Our package serves these components and nothing else: another token under our name is a
      // foreign package's component claiming it (whose provider the check above would accept).
      if (pkg === PULUMI_PACKAGE && !OUR_COMPONENTS.has(resource.type)) {
        report(
          `${resource.type} ${show(resource.name)} claims the platform's components package, which serves no such component (only ${OUR_CURRENT_COMPONENTS.join(", ")}): another package under the platform's name, whose code runs unseen`,
        );
        return;
      }
      return resource.notApplicable("a component resource");
    }
    // A resource with a provider is custom (the engine resolves one only for a custom or a remote
    // registration, and a remote one goes to Construct, never to the analyzers): our components
    // package serves no custom resource, so a custom resource under our name, or one handled by
    // a provider of our name, is another plugin's create/update/delete (whatever the token, even
    // one of our components' tokens), refused and never allowed by package.
    const providerPkg = providerPackageOf(resource.provider);
    if (pkg === PULUMI_PACKAGE || providerPkg === PULUMI_PACKAGE) {
      report(
        `${resource.type} ${show(resource.name)} is a custom resource (handled by provider ${show(resource.provider)}) under the platform's components package, which serves components only: another plugin's create, update and delete under the platform's name, invisible to every policy`,
      );
      return;
    }
    // The provider does the work, whatever the token says: the resource monitor takes an explicit
    // provider reference as given, without matching its package to the token's
    // (source_eval.go getProviderReference), so a reviewed token can be sent to any provider.
    if (providerPkg !== pkg && !cfg.allowedPackages.includes(providerPkg)) {
      report(
        `${resource.type} ${show(resource.name)} is handled by provider ${show(resource.provider)} of package ${show(providerPkg)}, not its own package's, which the pack does not judge; it is not in allowedPackages`,
      );
      return;
    }
    if (cfg.allowedPackages.includes(pkg)) return;
    report(
      `${resource.type} ${show(resource.name)} belongs to provider package ${show(pkg)}, which the pack does not judge: what it creates or changes is invisible to every policy; it is not in allowedPackages`,
    );
  },
});

/**
 * An Azure resource handed to another package's provider: the Node.js SDK sends a custom
 * resource's explicit `provider` whatever its package (pulumi/pulumi sdk/nodejs/runtime/resource.ts
 * prepareResource: `sendProvider = custom`) and the engine takes the reference as given
 * (pkg/resource/deploy/source_eval.go getProviderReference). A dynamic provider
 * (`pulumi:providers:pulumi-nodejs`) ignores the token and runs the code in the resource's
 * `__provider` input: a storage account whose inputs pass every policy is created, updated and
 * deleted by that code, never by Azure's Resource Manager. no-provider-escape-hatches refuses the
 * same mismatch for every token, but lets a package reviewed in allowedPackages (a dynamic
 * provider a team needs for its own resources) handle any token; for an Azure token no review
 * makes that right, so this policy has no allow-list.
 */
export const azureResourceOwnProvider = resourcePolicy({
  name: "azure-resource-own-provider",
  description:
    "An Azure resource (azure-native in any token form, Azure Classic) is handled by a provider of its own package: the SDK sends a custom resource to whatever provider its `provider` option names and the engine does not match the package to the type, so an Azure type handed to a dynamic provider (or any other package's) runs that provider's code with the deployer's credentials while every service policy judges inputs that never reach Azure (ENV-1, IAM-2).",
  controls: ["ENV-1", "IAM-2"],
  severity: "critical",
  remediation:
    "Pass the resource a provider of its own package (pulumi:providers:azure-native; a local package's own provider for an API-versioned package), or none.",
  types: "all",
  appliesTo: { type: isAzureResource, otherwise: "not an Azure resource" },
  config: {},
  check: (resource, _cfg, report) => {
    // No provider: a component (local, or registered by a remote component's Construct, whose
    // provider resource no-provider-escape-hatches judges); it creates nothing itself.
    if (resource.provider === undefined) return resource.notApplicable("a component resource");
    const pkg = firstPart(resource.type);
    const providerPkg = providerPackageOf(resource.provider);
    if (providerPkg === pkg) return;
    report(
      `${resource.type} ${show(resource.name)} is handled by provider ${show(resource.provider)}, not ${show(PROVIDER_PREFIX + pkg)}: that package's code creates, updates and deletes it, and the inputs the pack judged never reach Azure's Resource Manager`,
    );
  },
});

/** Whether a type token is an Azure provider resource (azure-native in any package form, Azure Classic). */
const isAzureProvider = (token: string): boolean => {
  if (!token.startsWith(PROVIDER_PREFIX)) return false;
  const pkg = providerPackageOf(token);
  return pkg === "azure-native" || pkg === "azure" || AZURE_NATIVE_LOCAL_PACKAGE.test(pkg);
};

/**
 * Azure provider settings that send the deploy's credentials or tokens elsewhere, or put
 * credentials into the program (azure-native's and Azure Classic's names). The deploy signs in
 * with GitHub OIDC from the runner's environment (.github/workflows/deploy.yml) and sets none.
 */
const CREDENTIAL_SETTINGS: Readonly<Record<string, string>> = {
  metadataHost:
    "sends endpoint discovery, and the Resource Manager calls and tokens that follow it, to the host it names",
  msiEndpoint: "asks the endpoint it names for managed identity tokens",
  oidcRequestUrl: "sends the runner's OIDC request token to the URL it names",
  oidcRequestToken: "writes the runner's OIDC request token into the program",
  oidcToken: "writes an OIDC token into the program",
  oidcTokenFilePath: "signs in with an OIDC token from a file the program chooses",
  clientSecret: "writes a client secret into the program",
  clientSecretFilePath: "signs in with a client secret from a file the program chooses",
  clientIdFilePath: "signs in as the application named in a file the program chooses",
  clientCertificate: "writes a client certificate into the program",
  clientCertificatePassword: "writes a certificate password into the program",
  clientCertificatePath: "signs in with a certificate file the program chooses",
  auxiliaryTenantIds: "signs Resource Manager calls for other tenants too",
  adoPipelineServiceConnectionId:
    "signs in through the federation of the Azure DevOps service connection it names",
};

/**
 * Switches that, on, sign the deploy in as someone other than the runner's OIDC identity
 * (azure-native's and Azure Classic's names; Azure Classic sends booleans JSON-encoded, "false"
 * when unset). azure-native tries the default credential chain before anything else, OIDC
 * included (pulumi/pulumi-azure-native provider/pkg/provider/auth_azidentity.go
 * newSingleMethodAuthCredential: default credential, certificate, secret, OIDC, managed identity,
 * Azure CLI).
 */
const SIGN_IN_SWITCHES: Readonly<Record<string, string>> = {
  useMsi: "signs in with the managed identity of the machine the deploy runs on",
  useDefaultAzureCredential:
    "signs in with the Azure SDK's default credential chain (environment variables, workload identity, the machine's managed identity, the Azure CLI's account), which azure-native tries before OIDC",
  useAksWorkloadIdentity: "signs in with the workload identity of the Kubernetes pod the deploy runs in",
};

/** The public cloud's names (`environment`): azure-native's, Azure Classic's, the Azure SDKs'. */
const PUBLIC_CLOUD = new Set(["public", "azurecloud", "azurepubliccloud"]);

export const azureProviderSettings = resourcePolicy({
  name: "azure-provider-settings",
  description:
    "An Azure provider (azure-native in any package form, Azure Classic) keeps the deploy's sign-in and destination: no endpoint-discovery host, managed identity endpoint or OIDC request URL of its own (each sends the deploy's tokens where it says), no credential written into the program, no sign-in other than the runner's OIDC federation (useMsi, useDefaultAzureCredential, useAksWorkloadIdentity, useOidc off while the runner uses OIDC, an Azure DevOps service connection) or as another application (a clientId other than the runner's ARM_CLIENT_ID), no auxiliary tenants, the public cloud, and a subscription or tenant set explicitly only when the preset lists it or it is the runner's own (ARM_SUBSCRIPTION_ID, ARM_TENANT_ID: otherwise the runner's environment chooses them). A provider resource carries settings only, so no other policy judges it, while every resource it handles lands where it says (ENV-1, SEC-1).",
  controls: ["ENV-1", "SEC-1"],
  severity: "critical",
  remediation:
    "Remove the setting: the deploy signs in with GitHub OIDC and picks subscription and tenant from the runner's environment (ARM_SUBSCRIPTION_ID, ARM_TENANT_ID). A reviewed second subscription or tenant goes in allowedSubscriptionIds or allowedTenantIds of this policy in the preset.",
  types: "all",
  appliesTo: { type: isAzureProvider, otherwise: "not an Azure provider" },
  config: {
    allowedSubscriptionIds: {
      description:
        "Subscription IDs an Azure provider may name explicitly (subscriptionId). Empty: none; the runner's environment chooses.",
      default: [] as readonly string[],
    },
    allowedTenantIds: {
      description:
        "Tenant IDs an Azure provider may name explicitly (tenantId). Empty: none; the runner's environment chooses.",
      default: [] as readonly string[],
    },
  },
  check: (resource, cfg, report) => {
    const { props } = resource;
    const what = `${resource.type} ${show(resource.name)}`;
    const set = (key: string): unknown => {
      const value = peek(props, key);
      // An empty list (auxiliaryTenantIds arrives JSON-encoded: "[]") or string sets nothing.
      return value === undefined || value === null || value === "" || value === "[]" ? undefined : value;
    };
    for (const [key, why] of Object.entries(CREDENTIAL_SETTINGS))
      if (set(key) !== undefined)
        report(
          `${what} sets ${key}, which ${why}; the deploy signs in with GitHub OIDC from the runner's environment`,
        );
    const environment = set("environment");
    if (
      environment !== undefined &&
      !(typeof environment === "string" && PUBLIC_CLOUD.has(environment.toLowerCase()))
    )
      report(
        `${what} sets environment ${show(environment)}: the platform runs in the Azure public cloud only`,
      );
    // The runner's OIDC federation decides who deploys.
    for (const [key, why] of Object.entries(SIGN_IN_SWITCHES)) {
      const on = set(key);
      if (on !== undefined && on !== false && on !== "false")
        report(`${what} sets ${key} ${show(on)}, which ${why} instead of the runner's OIDC federation`);
    }
    // Off while the runner signs in with OIDC: the provider falls back to the machine's managed
    // identity or the Azure CLI's account (provider config wins over ARM_USE_OIDC, azure-native
    // getConfig). Judged against the runner only: an SDK may send "false" for an unset switch.
    const oidc = set("useOidc");
    if (
      oidc !== undefined &&
      oidc !== true &&
      oidc !== "true" &&
      process.env.ARM_USE_OIDC?.toLowerCase() === "true"
    )
      report(
        `${what} sets useOidc ${show(oidc)}, which turns the runner's OIDC federation (ARM_USE_OIDC) off: the provider then signs in with the machine's managed identity or the Azure CLI's account`,
      );
    const explicit = (
      key: string,
      allowed: readonly string[],
      param: string | undefined,
      runnerEnv: string,
      consequence: string,
    ) => {
      const value = set(key);
      if (value === undefined) return;
      // The value the runner's environment chooses anyway changes nothing: Azure Classic's SDK
      // fills `subscriptionId` from ARM_SUBSCRIPTION_ID into every explicit provider's inputs
      // (pulumi/pulumi-azure sdk/nodejs/provider.ts), and teams copy ARM_* into stack config
      // (`pulumi config set azure-native:subscriptionId $ARM_SUBSCRIPTION_ID`). The pack runs
      // in the CLI's environment (pulumi/pulumi pkg/resource/plugin/plugin.go: os.Environ()),
      // the one the provider reads (pulumi-azure-native provider/pkg/provider/auth.go
      // getConfig("subscriptionId", "ARM_SUBSCRIPTION_ID")).
      const chosen = [...allowed, process.env[runnerEnv] ?? ""].filter((a) => a.trim() !== "");
      if (
        typeof value === "string" &&
        chosen.some((a) => a.trim().toLowerCase() === value.trim().toLowerCase())
      )
        return;
      report(
        `${what} sets ${key} ${value === NOT_KNOWN ? "to a value not known yet" : show(value)}, which is ${param ? `not in ${param} and is ` : ""}not the runner's ${runnerEnv}: ${consequence}`,
      );
    };
    const elsewhere = "every resource it handles goes there instead of where the runner's environment points";
    explicit(
      "subscriptionId",
      cfg.allowedSubscriptionIds,
      "allowedSubscriptionIds",
      "ARM_SUBSCRIPTION_ID",
      elsewhere,
    );
    explicit("tenantId", cfg.allowedTenantIds, "allowedTenantIds", "ARM_TENANT_ID", elsewhere);
    // The application the runner's OIDC token is exchanged for: another one (the other
    // environment's deploy identity) signs the deploy in as that identity wherever its federated
    // credentials trust the runner's token; no preset list, one deploy identity per stack.
    explicit(
      "clientId",
      [],
      undefined,
      "ARM_CLIENT_ID",
      "the deploy would sign in as that application instead of the stack's deploy identity",
    );
  },
});

export const resourcesPolicies = [
  noArmEscapeHatches,
  noProviderEscapeHatches,
  azureResourceOwnProvider,
  azureProviderSettings,
] as const;
