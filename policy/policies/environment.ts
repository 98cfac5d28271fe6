/**
 * Environment separation (ENV-1): a stack holds one environment only, in resource groups of
 * its own. (That production changes pass a reviewed pull request whose preview ran this pack
 * is enforced by the delivery workflows, not by a resource setting.)
 */
import { isAzureResource, type AzureType } from "../lib/azureTypes";
import {
  propertyDependenciesOf,
  resourceGroupWhenAnalyzed,
  resourceIdOf,
  stackPolicy,
  type StackResource,
} from "../lib/define";
import { eqi, NOT_KNOWN, peek, show, tag } from "../lib/props";
import {
  allowedDestinationsParam,
  destinationLocationsParam,
  destinationProblem,
  diagnosticTargetOf,
  label,
  pathParameterOf,
  stackIndex,
} from "../lib/relations";

export const singleEnvironmentPerStack = stackPolicy({
  name: "single-environment-per-stack",
  description:
    "Every resource of a stack carries the same environment tag, the one the stack's preset expects: dev and prod never share a stack (ENV-1).",
  controls: ["ENV-1"],
  severity: "high",
  remediation:
    "Deploy each environment from its own stack (Pulumi.dev.yaml, Pulumi.prod.yaml) and tag every resource with that stack's environment (components: componentTags).",
  types: [],
  config: {
    expectedEnvironment: {
      description:
        'The environment tag every resource of the stack must carry ("dev" in the dev preset, "prod" in the prod preset); empty: any, as long as all agree.',
      default: "",
    },
  },
  check: (stack, cfg, report) => {
    const tagged: { r: StackResource; env: string }[] = [];
    for (let i = 0; i < stack.resources.length; i++) {
      const r = stack.resources[i];
      const env = tag(r.props, "environment");
      if (typeof env === "string") tagged.push({ r, env });
    }
    const expected = cfg.expectedEnvironment.trim();
    if (expected !== "") {
      for (const { r, env } of tagged)
        if (env !== expected)
          report(`${label(r)} is tagged environment ${show(env)} in a stack for ${show(expected)}`, r.urn);
      return;
    }
    const seen = [...new Set(tagged.map((x) => x.env))];
    if (seen.length <= 1) return;
    // No expectation: name the resources of every environment but the most common one.
    const count = (e: string) => tagged.filter((x) => x.env === e).length;
    const majority = seen.reduce((a, b) => (count(b) > count(a) ? b : a));
    for (const { r, env } of tagged)
      if (env !== majority)
        report(
          `${label(r)} is tagged environment ${show(env)}; the rest of the stack is ${show(majority)}`,
          r.urn,
        );
  },
});

/** A resource in a resource group by its ARM ID (one `/providers/`: not an extension resource). */
const IN_GROUP_ID =
  /^\s*\/subscriptions\/[^/]+\/resourcegroups\/([^/]+)\/providers\/(?:(?!\/providers\/).)+$/i;

/**
 * A resource's `resourceGroupName`, else its group read from its ARM ID. azure-native's outputs,
 * which stack policies read, carry no path parameter (pulumi/pulumi-azure-native recorded state
 * provider/pkg/provider/testdata/recorded/TestProviderUpgrade/upgrade-keyvault/2.76.0/stack.json:
 * `id` and `name`, no `resourceGroupName`): without the ID every resource of a real deployment
 * looked placed nowhere and passed. A resource being created in a preview has neither: its group
 * counts through what the input was computed from, else it is the input the resource policies saw
 * (`resourceGroupWhenAnalyzed`: a literal, or a value not known yet computed from no resource).
 * Before, a literal group of a new resource was judged only at `up`, once the resource existed.
 */
function groupOf(r: StackResource): unknown {
  const rg = pathParameterOf(r, "resourceGroupName");
  if (rg !== undefined) return rg;
  const id = resourceIdOf(r);
  if (id === undefined) return resourceGroupWhenAnalyzed(r.urn);
  return IN_GROUP_ID.exec(id)?.[1];
}

const isResourceGroup = (r: StackResource | undefined): boolean =>
  r?.canonical === "azure-native:resources:ResourceGroup";

export const ownResourceGroups = stackPolicy({
  name: "own-resource-groups",
  description:
    "A stack that creates resource groups deploys only into them, so one environment never places resources in another's resource group (ENV-1).",
  controls: ["ENV-1"],
  severity: "high",
  remediation:
    "Set resourceGroupName to a resource group this stack creates (the platform uses rg-<prefix>-<env>); reference other environments' resources by ID only.",
  types: ["azure-native:resources:ResourceGroup"],
  config: {
    requireOwnResourceGroups: {
      description: "Require resourceGroupName to name a resource group created by this stack.",
      default: true,
    },
  },
  check: (stack, cfg, report) => {
    if (!cfg.requireOwnResourceGroups) return;
    const groups = stack.ofType("azure-native:resources:ResourceGroup");
    // A name not known yet (preview: an auto-named group) is peeked, not read: reading it would
    // make the whole policy "can't run during preview" for every resource of the stack.
    // A group being created in a preview shows neither (`resourceGroupName` is its path parameter,
    // `name` an output not known yet): its name is the input the resource policies saw.
    const own = new Set<string>();
    for (const rg of groups)
      for (const name of [peek(rg.props, "name"), peek(rg.props, "resourceGroupName"), groupOf(rg)])
        if (typeof name === "string") own.add(name.toLowerCase());
    // A stack without resource groups of its own (e.g. an app team's stack) is judged elsewhere.
    if (groups.length === 0) return;
    // Whether a resource of the stack sits in one of its resource groups, its group not known
    // yet (preview) counting only through what the input was computed from: a resource group of
    // the stack, or a resource of the stack that is itself in one (a key's group read from its
    // vault's ID, which a first preview does not know: components/customerManagedKey.ts).
    const placed = new Map<string, boolean>();
    const inOwnGroup = (r: StackResource): boolean => {
      let answer = placed.get(r.urn);
      if (answer !== undefined) return answer;
      placed.set(r.urn, false); // a cycle proves nothing
      const rg = groupOf(r);
      answer =
        typeof rg === "string"
          ? own.has(rg.toLowerCase())
          : rg === NOT_KNOWN &&
            propertyDependenciesOf(r, "resourceGroupName").some((d) => {
              const from = stack.byUrn(d.urn);
              return (
                from !== undefined &&
                (isResourceGroup(from) || (isAzureResource(from.type) && inOwnGroup(from)))
              );
            });
      placed.set(r.urn, answer);
      return answer;
    };
    for (let i = 0; i < stack.resources.length; i++) {
      const r = stack.resources[i];
      // The stack's and components' outputs are exports (a stack exporting its group's name),
      // not placements: only resources are deployed into a group.
      if (r.canonical === "azure-native:resources:ResourceGroup" || !isAzureResource(r.type)) continue;
      const rg = groupOf(r);
      if (rg === NOT_KNOWN) {
        // Not known yet (preview): it must be computed from a resource group of this stack or a
        // resource in one (the input's propertyDependencies); before, one such input skipped the
        // policy for the stack.
        if (!inOwnGroup(r))
          report(
            `${label(r)}: resourceGroupName is not known yet and does not come from a resource group of this stack`,
            r.urn,
          );
        continue;
      }
      if (typeof rg === "string" && !own.has(rg.toLowerCase()))
        report(
          `${label(r)} is deployed into resource group ${show(rg)}, which this stack does not own`,
          r.urn,
        );
    }
  },
});

/**
 * Extension resources that act on another resource named by ARM ID, and where they name it. They
 * carry no resourceGroupName, so own-resource-groups cannot place them.
 */
const EXTENSION_TARGETS: readonly {
  type: AzureType;
  key: string;
  what: string;
  /** The target, when the outputs the stack policy sees may not carry `key` (default: `peek(props, key)`). */
  targetOf?: (r: StackResource) => unknown;
}[] = [
  { type: "azure-native:authorization:RoleAssignment", key: "scope", what: "grants access on" },
  { type: "azure-native:authorization:PimRoleEligibilitySchedule", key: "scope", what: "grants access on" },
  {
    type: "azure-native:monitor:DiagnosticSetting",
    key: "resourceUri",
    what: "exports the logs of",
    targetOf: diagnosticTargetOf,
  },
];

/** Resources whose ID is a whole scope (resource group, subscription, management group), not one resource. */
const isContainerScope = (r: StackResource): boolean =>
  r.canonical === "azure-native:resources:ResourceGroup" ||
  /:(subscription:Alias|management:ManagementGroup)$/.test(r.type);

export const extensionTargetsInStack = stackPolicy({
  name: "extension-targets-in-stack",
  description:
    "Role assignments and PIM eligibility (scope) and diagnostic settings (resourceUri) act on this stack: a resource of the stack, one of its resource groups, or a reviewed target. The checks on principal, role and destination alone let the dev stack give its identity a data role on the prod storage account, a preset group Reader on the whole subscription, or copy the prod Key Vault's audit log into the dev workspace (ENV-1, IAM-2).",
  controls: ["ENV-1", "IAM-2"],
  severity: "high",
  remediation:
    "Point scope / resourceUri at the resource of this stack that needs it (components: assignRole, addDiagnostics); a reviewed target outside the stack goes in allowedDestinations of this policy in the preset.",
  types: EXTENSION_TARGETS.map((t) => t.type),
  config: { allowedDestinations: allowedDestinationsParam, allowedLocations: destinationLocationsParam },
  check: (stack, cfg, report) => {
    const index = stackIndex(stack);
    // A target not known yet (preview) must be computed from an Azure resource of the stack: the
    // input's own dependencies, not the resource's (a `dependsOn` on any resource of the stack
    // next to a scope computed from a random string would pass the preview, and at `up` this stack
    // policy sees the other environment's storage account only after the grant exists:
    // pulumi/pulumi deployment_executor.go runs AnalyzeResources after the steps).
    const fromStack = (r: StackResource) => isAzureResource(r.type);
    for (const { type, key, what, targetOf } of EXTENSION_TARGETS)
      for (const r of stack.ofType(type)) {
        const target = targetOf ? targetOf(r) : peek(r.props, key);
        // A target the outputs do not show (a new diagnostic setting's resourceUri, a path
        // parameter) may be a literal: judged through what it was computed from, never taken for
        // an output the program left unset (`destinationProblem`'s `shown`).
        const shown = peek(r.props, key) !== undefined || target !== NOT_KNOWN;
        const problem = destinationProblem(
          index,
          r,
          key,
          target,
          cfg,
          fromStack,
          stack,
          () => propertyDependenciesOf(r, key),
          shown,
        );
        if (problem) report(`${label(r)} ${what} another target: ${problem}`, r.urn);
        // The preview half of role-assignment-workload-resource-scope (a resource policy sees no
        // dependencies): a workload's scope not known yet that may be a new resource group of
        // the stack (or a subscription, management group) would pass the first preview.
        // Judged on what `scope` itself was computed from when the engine says, so a grant on a
        // new resource that also waits for a resource group for another reason is not refused.
        if (
          target !== NOT_KNOWN ||
          key !== "scope" ||
          !eqi(peek(r.props, "principalType"), "ServicePrincipal")
        )
          continue;
        const containers = propertyDependenciesOf(r, key)
          .map((d) => stack.byUrn(d.urn))
          .filter((d): d is StackResource => d !== undefined && isContainerScope(d));
        if (containers.length > 0)
          report(
            `${label(r)} gives a workload a role on a scope not known yet that depends on ${containers
              .map(label)
              .join(", ")}: workload roles are scoped to the one resource they need (IAM-2)`,
            r.urn,
          );
      }
  },
});

export const environmentPolicies = [
  singleEnvironmentPerStack,
  ownResourceGroups,
  extensionTargetsInStack,
] as const;
