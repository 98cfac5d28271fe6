/**
 * Environment separation (ENV-1): a stack holds one environment only, in resource groups of
 * its own. (That production changes pass a reviewed pull request whose preview ran this pack
 * is enforced by the delivery workflows, not by a resource setting.)
 */
import { stackPolicy, type StackResource } from "../lib/define";
import { show, str, tag } from "../lib/props";
import { label } from "../lib/relations";

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
    const own = new Set(
      stack
        .ofType("azure-native:resources:ResourceGroup")
        .map((rg) => (str(rg.props, "name") ?? str(rg.props, "resourceGroupName"))?.toLowerCase())
        .filter((n) => n !== undefined),
    );
    // A stack without resource groups of its own (e.g. an app team's stack) is judged elsewhere.
    if (own.size === 0) return;
    for (let i = 0; i < stack.resources.length; i++) {
      const r = stack.resources[i];
      if (r.canonical === "azure-native:resources:ResourceGroup") continue;
      const rg = str(r.props, "resourceGroupName");
      if (rg !== undefined && !own.has(rg.toLowerCase()))
        report(
          `${label(r)} is deployed into resource group ${show(rg)}, which this stack does not own`,
          r.urn,
        );
    }
  },
});

export const environmentPolicies = [singleEnvironmentPerStack, ownResourceGroups] as const;
