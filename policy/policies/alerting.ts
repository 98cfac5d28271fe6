/**
 * Azure Monitor alerting (MON-1): alert rules are enabled and routed to an action group that
 * reaches someone, and the resources whose failure hurts customers each have one.
 */
import { canonicalType, type AzureType } from "../lib/azureTypes";
import { resourcePolicy, stackPolicy, type StackResource, type StackView } from "../lib/define";
import { arr, bool, hasText, NOT_KNOWN, peek, show } from "../lib/props";
import {
  allowedDestinationsParam,
  destinationLocationsParam,
  destinationProblem,
  label,
  ReferenceIndex,
  stackIndex,
  type DestinationRules,
} from "../lib/relations";

const METRIC_ALERT: AzureType[] = ["azure-native:monitor:MetricAlert"];

export const metricAlertRouted = resourcePolicy({
  name: "metric-alert-routed",
  description:
    "Metric alert rules are enabled, watch at least one resource and notify at least one action group (MON-1).",
  controls: ["MON-1"],
  severity: "medium",
  remediation:
    "Set enabled: true, scopes: [the resource ID] and actions: [{ actionGroupId: the platform action group }] (components: addMetricAlerts).",
  types: METRIC_ALERT,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (bool(props, "enabled") === false) report("enabled is false; the rule would never fire");
    if (arr(props, "scopes").length === 0) report("scopes is empty; the rule watches nothing");
    const routed = arr(props, "actions").some((a) => hasText(a, "actionGroupId"));
    if (!routed) report("actions has no actionGroupId; nobody would be notified");
  },
});

const RECEIVER_KINDS = [
  "emailReceivers",
  "smsReceivers",
  "webhookReceivers",
  "armRoleReceivers",
  "azureAppPushReceivers",
  "voiceReceivers",
  "logicAppReceivers",
  "azureFunctionReceivers",
  "automationRunbookReceivers",
  "itsmReceivers",
  "eventHubReceivers",
] as const;

export const actionGroupReachesSomeone = resourcePolicy({
  name: "action-group-reaches-someone",
  description: "Action groups are enabled and have at least one receiver (MON-1).",
  controls: ["MON-1"],
  severity: "medium",
  remediation: "Set enabled: true and add a receiver (the platform uses emailReceivers with alertEmail).",
  types: ["azure-native:monitor:ActionGroup"],
  config: {},
  check: ({ props }, _cfg, report) => {
    // `enabled` is required by Azure and an action group that is off drops every alert.
    if (bool(props, "enabled") !== true) report("enabled is not true; alerts would be dropped");
    if (!RECEIVER_KINDS.some((kind) => arr(props, kind).length > 0))
      report("the action group has no receiver");
  },
});

const isActionGroup = (r: StackResource) => r.canonical === "azure-native:monitor:ActionGroup";

/** Why each action group an alert notifies is not one of the stack's (or allow-listed), with the raw ID. */
function foreignRoutes(stack: StackView, alert: StackResource, rules: DestinationRules): string[] {
  const index = stackIndex(stack);
  return arr(alert.props, "actions")
    .map((a) =>
      destinationProblem(
        index,
        alert,
        "actionGroupId",
        peek(a, "actionGroupId"),
        rules,
        isActionGroup,
        stack,
      ),
    )
    .filter((p): p is string => p !== undefined);
}

/** Action group receivers that deliver to an Azure resource: list and the property holding its ARM ID. */
const RESOURCE_RECEIVERS: readonly [kind: string, key: string][] = [
  ["logicAppReceivers", "resourceId"],
  ["azureFunctionReceivers", "functionAppResourceId"],
  ["automationRunbookReceivers", "automationAccountId"],
];

/**
 * Receivers whose URL, not an ARM ID, is where Azure posts the alert (resource IDs, metric values,
 * search results in the common alert schema): list, URL property, and the ARM ID property whose
 * resource name makes the host the stack's own (Functions: <app>.azurewebsites.net).
 */
const URL_RECEIVERS: readonly [
  kind: string,
  key: string,
  ownHostOf?: (receiver: unknown) => string | undefined,
][] = [
  ["webhookReceivers", "serviceUri"],
  ["logicAppReceivers", "callbackUrl"],
  [
    "azureFunctionReceivers",
    "httpTriggerUrl",
    (receiver) => {
      const id = peek(receiver, "functionAppResourceId");
      const name = typeof id === "string" ? /\/sites\/([^/]+)\/?$/i.exec(id.trim())?.[1] : undefined;
      return name && `${name.toLowerCase()}.azurewebsites.net`;
    },
  ],
];

/** Why a receiver URL is not an allowed alert endpoint, or undefined. */
function endpointProblem(
  url: unknown,
  allowedHosts: readonly string[],
  ownHost: string | undefined,
): string | undefined {
  // Unknown in a preview: only a function trigger of the stack's own app may come from a resource
  // (its keys); any other URL is written in the program, so it must be known (deny by default).
  if (url === NOT_KNOWN) return ownHost === undefined ? "is not known yet" : undefined;
  if (typeof url !== "string") return `is ${show(url)}, not an https URL`;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return `${show(url)} is not a URL`;
  }
  if (parsed.protocol !== "https:") return `${show(url)} is not https`;
  const host = parsed.hostname.toLowerCase();
  if (host === ownHost || allowedHosts.some((h) => h.trim().toLowerCase() === host)) return undefined;
  return `${show(url)} posts alerts to ${host}, not an allowed alert endpoint`;
}

export const alertRoutesInStack = stackPolicy({
  name: "alert-routes-in-stack",
  description:
    "Metric alerts notify only action groups of this stack, and action groups deliver only to resources (logic apps, functions, runbooks, event hubs) of this stack and to reviewed URLs (webhooks, logic app callback and function trigger URLs: Azure posts the alert to the URL, whatever resource ID sits beside it), or reviewed exceptions: an alert routed to another environment pages the wrong people and tells them about this one (MON-1, ENV-1).",
  controls: ["MON-1", "ENV-1"],
  severity: "high",
  remediation:
    "Set actions[].actionGroupId to the stack's action group (components: addMetricAlerts); list a reviewed shared group in allowedDestinations and a reviewed webhook host in allowedAlertEndpoints.",
  types: [...METRIC_ALERT, "azure-native:monitor:ActionGroup"],
  config: {
    allowedDestinations: allowedDestinationsParam,
    allowedLocations: destinationLocationsParam,
    allowedAlertEndpoints: {
      description:
        "Host names (e.g. pager.example.com) an action group may post alerts to over https: webhookReceivers[].serviceUri, logicAppReceivers[].callbackUrl, azureFunctionReceivers[].httpTriggerUrl (a function app of the stack's own <name>.azurewebsites.net needs no entry). Reviewed exceptions only.",
      default: [] as readonly string[],
    },
  },
  check: (stack, cfg, report) => {
    for (const alert of stack.ofType(...METRIC_ALERT))
      for (const problem of foreignRoutes(stack, alert, cfg))
        report(`${label(alert)}: ${problem}`, alert.urn);
    const index = stackIndex(stack);
    for (const group of stack.ofType("azure-native:monitor:ActionGroup")) {
      for (const [kind, key] of RESOURCE_RECEIVERS)
        for (const receiver of arr(group.props, kind)) {
          const problem = destinationProblem(
            index,
            group,
            `${kind}[].${key}`,
            peek(receiver, key),
            cfg,
            () => true,
            stack,
          );
          if (problem) report(`${label(group)}: ${problem}`, group.urn);
        }
      for (const [kind, key, ownHostOf] of URL_RECEIVERS)
        for (const receiver of arr(group.props, kind)) {
          const problem = endpointProblem(
            peek(receiver, key),
            cfg.allowedAlertEndpoints,
            ownHostOf?.(receiver),
          );
          if (problem) report(`${label(group)}: ${kind}[].${key} ${problem}`, group.urn);
        }
      for (const receiver of arr(group.props, "eventHubReceivers")) {
        const sub = peek(receiver, "subscriptionId");
        if (typeof sub === "string" && !index.subscriptions.has(sub.trim().toLowerCase()))
          report(
            `${label(group)}: eventHubReceivers[] delivers to subscription ${show(sub)}, not one of this stack's`,
            group.urn,
          );
      }
    }
  },
});

const WATCHED: AzureType[] = [
  "azure-native:keyvault:Vault",
  "azure-native:dbforpostgresql:Server",
  "azure-native:storage:StorageAccount",
  "azure-native:redisenterprise:RedisEnterprise",
  "azure-native:redis:Redis",
  "azure-native:app:ContainerApp",
];

const OWN_GROUPS_ONLY: DestinationRules = { allowedDestinations: [], allowedLocations: ["global"] };

export const criticalResourcesAlerted = stackPolicy({
  name: "critical-resources-alerted",
  description:
    "Every Key Vault, PostgreSQL server, storage account, Redis cache and container app has an enabled metric alert routed to an action group of this stack (MON-1).",
  controls: ["MON-1"],
  severity: "medium",
  remediation:
    "Add a metric alert scoped to the resource with an action group (the components do it with addMetricAlerts; e.g. Key Vault availability, PostgreSQL CPU and storage, container restarts).",
  types: WATCHED,
  config: {
    resourceTypes: {
      description: "Canonical azure-native type tokens that must have at least one metric alert.",
      default: WATCHED,
    },
  },
  check: (stack, cfg, report) => {
    const alerts = stack.ofType(...METRIC_ALERT).filter((a) => {
      if (bool(a.props, "enabled") === false) return false;
      const routes = arr(a.props, "actions").filter((x) => hasText(x, "actionGroupId"));
      // Routed only to groups outside the stack: nobody of this environment hears it.
      return routes.length > 0 && foreignRoutes(stack, a, OWN_GROUPS_ONLY).length < routes.length;
    });
    const byScope = new ReferenceIndex(alerts, (a) => arr(a.props, "scopes"));
    const wanted = new Set(cfg.resourceTypes.map((t) => canonicalType(t)).filter((t) => t !== undefined));
    for (let i = 0; i < stack.resources.length; i++) {
      const target = stack.resources[i];
      if (target.canonical === undefined || !wanted.has(target.canonical)) continue;
      if (byScope.referrers(target).length === 0)
        report(`${label(target)} has no enabled metric alert routed to an action group`, target.urn);
    }
  },
});

export const alertingPolicies = [
  metricAlertRouted,
  actionGroupReachesSomeone,
  alertRoutesInStack,
  criticalResourcesAlerted,
] as const;
