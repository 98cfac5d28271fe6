/**
 * Escape hatches of Azure Resource Manager (issue 13, class 2): an ARM deployment, deployment
 * stack, template spec, deployment script or generic `resources:Resource` creates whatever its
 * template or script says — resources the pack never sees, so no other policy of the pack can
 * judge them. They are refused unless the preset allow-lists the one resource by name.
 */
import { isType } from "../lib/azureTypes";
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
  // assignment's identity: judged only when its rule carries one.
  "azure-native:authorization:PolicyDefinition",
  "azure-native:authorization:PolicyDefinitionAtManagementGroup",
] as const;

const POLICY_DEFINITIONS = [
  "azure-native:authorization:PolicyDefinition",
  "azure-native:authorization:PolicyDefinitionAtManagementGroup",
] as const;

/** The names a user may allow-list a resource by: its Azure name inputs, then its Pulumi name. */
const NAME_INPUTS = [
  "deploymentName",
  "deploymentStackName",
  "templateSpecName",
  "scriptName",
  "resourceName",
];

export const noArmEscapeHatches = resourcePolicy({
  name: "no-arm-escape-hatches",
  description:
    "No ARM deployment, deployment stack, template spec, deployment script or generic resources:Resource unless allow-listed by name: what they create is invisible to every other policy (location, tags, encryption, network, access), so they would bypass the whole pack (ENV-1, IAM-2).",
  controls: ["ENV-1", "IAM-2"],
  severity: "critical",
  remediation:
    "Write the resources with their azure-native types so the pack judges them. If a template is unavoidable, have security review it and add its name to allowedEscapeHatches in the preset.",
  types: ESCAPE_HATCH_TYPES,
  config: {
    allowedEscapeHatches: {
      description:
        "Names (deploymentName, deploymentStackName, templateSpecName, scriptName or resourceName, else the Pulumi resource name) of reviewed deployments, scripts or generic resources allowed in the stack. Empty: none.",
      default: [] as readonly string[],
    },
  },
  check: (resource, cfg, report) => {
    const { props, name, type } = resource;
    if (
      isType(type, ...POLICY_DEFINITIONS) &&
      !/"deployment"\s*:|deployIfNotExists/i.test(JSON.stringify(get(props, "policyRule")) ?? "")
    )
      return resource.notApplicable("no deployIfNotExists effect");
    const names = [...NAME_INPUTS.map((key) => str(props, key)), name].filter((n) => n !== undefined);
    if (names.some((n) => cfg.allowedEscapeHatches.includes(n))) return;
    report(
      `${type} ${show(names[0])} deploys content the pack cannot evaluate; it is not in allowedEscapeHatches`,
    );
  },
});

export const resourcesPolicies = [noArmEscapeHatches] as const;
