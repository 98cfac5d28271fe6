/**
 * Escape hatches of Azure Resource Manager (issue 13, class 2): an ARM deployment, deployment
 * stack, template spec, deployment script or generic `resources:Resource` creates whatever its
 * template or script says — resources the pack never sees, so no other policy of the pack can
 * judge them. They are refused unless the preset allow-lists the one resource by name.
 */
import { isAzureResource, isType } from "../lib/azureTypes";
import { resourcePolicy } from "../lib/define";
import { get, show, str } from "../lib/props";

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
    "No ARM deployment, deployment stack, template spec, deployment script, generic resources:Resource, Azure Policy definition that deploys or rewrites resources (deployIfNotExists, modify, append), policy assignment, remediation or exemption unless allow-listed by name: what they create is invisible to every other policy (location, tags, encryption, network, access), so they would bypass the whole pack (ENV-1, IAM-2).",
  controls: ["ENV-1", "IAM-2"],
  severity: "critical",
  remediation:
    "Write the resources with their azure-native types so the pack judges them. If a template is unavoidable, have security review it and add its name to allowedEscapeHatches in the preset.",
  types: ESCAPE_HATCH_TYPES,
  config: {
    allowedEscapeHatches: {
      description:
        "Names (deploymentName, deploymentStackName, templateSpecName, scriptName, resourceName, policyAssignmentName, policyExemptionName or remediationName, else the Pulumi resource name) of reviewed deployments, scripts, generic resources or Azure Policy resources allowed in the stack. Empty: none.",
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
    if (names.some((n) => cfg.allowedEscapeHatches.includes(n))) return;
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
  !isAzureResource(token) && !token.startsWith("pulumi:");

export const noProviderEscapeHatches = resourcePolicy({
  name: "no-provider-escape-hatches",
  description:
    "No resource of a provider that changes Azure or Entra ID outside the pack's view (AzAPI, a bridged Terraform azurerm, azuread, pulumi-command, dynamic providers) unless allow-listed by its Pulumi name, and deny by default: no resource of any other provider package (a generic REST provider, the retired azure-nextgen, another cloud's storage, a remote component's provider) unless the package is reviewed in allowedPackages. A raw ARM PATCH, an az CLI command, an Entra group member or a copy of customer data in another cloud undoes any control while every policy passes (ENV-1, IAM-2).",
  controls: ["ENV-1", "IAM-2"],
  severity: "critical",
  remediation:
    "Write the change with azure-native resources so the pack judges it (Entra group membership and app credentials are managed outside the stacks). If one is unavoidable, have security review it and add its Pulumi resource name to allowedEscapeHatches (the listed hatches) or its package to allowedPackages (any other provider that changes nothing the pack judges) of this policy in the preset.",
  types: "all",
  appliesTo: {
    type: outsideAzureNative,
    otherwise: "an Azure resource or the engine's own (judged by the service policies and the type gate)",
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
    const hatch = providerEscapeHatch(resource.type);
    if (hatch) {
      if (cfg.allowedEscapeHatches.includes(resource.name)) return;
      report(`${resource.type} ${show(resource.name)}: ${hatch.what}; it is not in allowedEscapeHatches`);
      return;
    }
    // A local component has no provider and changes nothing itself: its children are judged.
    // (A custom resource, and a remote component whose provider runs its code, have one.)
    if (resource.provider === undefined) return resource.notApplicable("a component resource");
    const pkg = resource.type.split(":")[0];
    if (cfg.allowedPackages.includes(pkg)) return;
    report(
      `${resource.type} ${show(resource.name)} belongs to provider package ${show(pkg)}, which the pack does not judge: what it creates or changes is invisible to every policy; it is not in allowedPackages`,
    );
  },
});

export const resourcesPolicies = [noArmEscapeHatches, noProviderEscapeHatches] as const;
