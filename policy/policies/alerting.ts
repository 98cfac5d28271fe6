/**
 * Azure Monitor alerting (MON-1): alert rules are enabled and routed to an action group that
 * reaches someone, and the resources whose failure hurts customers each have one.
 */
import { canonicalType, parseType, type AzureType } from "../lib/azureTypes";
import {
  propertyDependenciesOf,
  resourcePolicy,
  stackPolicy,
  type StackResource,
  type StackView,
} from "../lib/define";
import { arr, bool, has, hasText, known, NOT_KNOWN, peek, show } from "../lib/props";
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

/** Azure's canonical token of `r` (aliases, API versions, parameterized packages resolved), known to the pack or not. */
const azureTypeOf = (r: StackResource): string | undefined => parseType(r.type)?.canonical;

/**
 * Action group receivers that deliver to an Azure resource: list, the property holding its ARM ID,
 * and the resource type it must be when the ID is not known yet (preview). The types are matched,
 * never declared in `types`: listing them would make the type gate treat them as evaluated.
 */
const RESOURCE_RECEIVERS: readonly [kind: string, key: string, type: string][] = [
  ["logicAppReceivers", "resourceId", "azure-native:logic:Workflow"],
  ["azureFunctionReceivers", "functionAppResourceId", "azure-native:web:WebApp"],
  ["automationRunbookReceivers", "automationAccountId", "azure-native:automation:AutomationAccount"],
  ["automationRunbookReceivers", "webhookResourceId", "azure-native:automation:Webhook"],
];

/** `<app>.azurewebsites.net` of a function app ID (`.../sites/<app>`), or undefined. */
function functionHostOf(receiver: unknown): string | undefined {
  const id = peek(receiver, "functionAppResourceId");
  const name = typeof id === "string" ? /\/sites\/([^/]+)\/?$/i.exec(id.trim())?.[1] : undefined;
  return name && `${name.toLowerCase()}.azurewebsites.net`;
}

/**
 * Receivers whose URL, not an ARM ID, is where Azure posts the alert (resource IDs, metric values,
 * search results in the common alert schema): list, URL property, whether the receiver names
 * a function app whose host is the stack's own (Functions: <app>.azurewebsites.net), and whether
 * the URL may be absent. A runbook receiver's serviceUri ("the URI where webhooks should be sent",
 * actionGroups.json AutomationRunbookReceiver) is optional, and a URL like any other when set.
 */
const URL_RECEIVERS: readonly [kind: string, key: string, ownHost: boolean, optional: boolean][] = [
  ["webhookReceivers", "serviceUri", false, false],
  ["logicAppReceivers", "callbackUrl", false, false],
  ["azureFunctionReceivers", "httpTriggerUrl", true, false],
  ["automationRunbookReceivers", "serviceUri", false, true],
];

/** Why a receiver URL is not an allowed alert endpoint, or undefined. */
function endpointProblem(
  url: unknown,
  allowedHosts: readonly string[],
  ownHost: string | undefined,
  fromOwnApp: boolean,
): string | undefined {
  // Unknown in a preview: only a function trigger of the stack's own app may come from a resource
  // (its keys, its host name); any other URL is written in the program, so it must be known (deny
  // by default). The update judges the URL itself.
  if (url === NOT_KNOWN) return ownHost !== undefined || fromOwnApp ? undefined : "is not known yet";
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

/** A DNS domain name with at least two labels (no wildcard, no scheme, no user part). */
const DOMAIN = /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
/** An E.164 number: `+`, country code and subscriber number, digits only. */
const PHONE = /^\+[1-9][0-9]{6,14}$/;
/** A role definition GUID. */
const GUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
/** An ARM role receiver's roleId: the role definition GUID, alone or at the end of its ARM ID. */
const ROLE_ID = new RegExp(
  `^(?:(?:/subscriptions/[^/]+)?/providers/Microsoft\\.Authorization/roleDefinitions/)?(${GUID.source.slice(1, -1)})$`,
  "i",
);
/** One address: a local part and a domain, nothing that could separate a second address. */
const EMAIL = /^[^@\s,;<>()"'[\]\\]+@([^@\s,;<>()"'[\]\\]+)$/;

/**
 * Why an e-mail receiver's address is not in an allowed domain, or undefined. Exact domains only
 * (a subdomain is another mailbox owner); an entry the schema refuses allows nothing, where the
 * config was not validated (a programmatic `configure`): deny by default.
 */
function emailProblem(address: unknown, domains: readonly string[]): string | undefined {
  if (address === NOT_KNOWN) return "is not known yet";
  if (typeof address !== "string") return `is ${show(address)}, not an e-mail address`;
  const domain = EMAIL.exec(address.trim())?.[1]?.toLowerCase().replace(/\.$/, "");
  if (domain === undefined) return `${show(address)} is not one e-mail address`;
  if (domains.some((d) => DOMAIN.test(d.trim()) && d.trim().toLowerCase() === domain)) return undefined;
  return `${show(address)} sends alerts to ${domain}, not an allowed e-mail domain`;
}

/** Why an SMS or voice receiver's number is not allow-listed, or undefined. */
function phoneProblem(receiver: unknown, numbers: readonly string[]): string | undefined {
  const cc = peek(receiver, "countryCode");
  const number = peek(receiver, "phoneNumber");
  if (cc === NOT_KNOWN || number === NOT_KNOWN) return "is not known yet";
  if (typeof cc !== "string" || typeof number !== "string")
    return `${show(cc)} ${show(number)} is not a phone number`;
  // Azure takes the country code and the number apart; separators people type are not digits.
  const e164 = `+${cc.trim().replace(/^\+/, "")}${number.replace(/[\s().-]/g, "")}`;
  if (!PHONE.test(e164)) return `${show(cc)} ${show(number)} is not a phone number`;
  if (numbers.some((n) => PHONE.test(n.trim()) && n.trim() === e164)) return undefined;
  return `${e164} is not an allowed phone number`;
}

/** Why an ARM role receiver's role is not allow-listed, or undefined. */
function roleProblem(roleId: unknown, roles: readonly string[]): string | undefined {
  if (roleId === NOT_KNOWN) return "is not known yet";
  if (typeof roleId !== "string") return `is ${show(roleId)}, not a role definition ID`;
  // A GUID, or a role definition ID ending in one; nothing else before it (`x/<guid>` is no role).
  const guid = ROLE_ID.exec(roleId.trim())?.[1]?.toLowerCase() ?? "";
  if (roles.some((r) => GUID.test(r.trim()) && r.trim().toLowerCase() === guid)) return undefined;
  return `${show(roleId)} e-mails everyone holding that role on the subscription, not an allowed role`;
}

/**
 * Receivers that deliver to people, with the property judged and how: the address or number must
 * be on the policy's allow-list (deny by default). Azure sends them the alert's contents (the
 * resource, the condition, for log alerts search results).
 */
const PEOPLE_RECEIVERS: readonly [
  kind: string,
  what: string,
  problem: (receiver: unknown, cfg: PeopleRules) => string | undefined,
][] = [
  [
    "emailReceivers",
    "emailAddress",
    (r, cfg) => emailProblem(peek(r, "emailAddress"), cfg.allowedEmailDomains),
  ],
  [
    "azureAppPushReceivers",
    "emailAddress",
    (r, cfg) => emailProblem(peek(r, "emailAddress"), cfg.allowedEmailDomains),
  ],
  ["smsReceivers", "phone number", (r, cfg) => phoneProblem(r, cfg.allowedPhoneNumbers)],
  ["voiceReceivers", "phone number", (r, cfg) => phoneProblem(r, cfg.allowedPhoneNumbers)],
  ["armRoleReceivers", "roleId", (r, cfg) => roleProblem(peek(r, "roleId"), cfg.allowedArmRoles)],
];

interface PeopleRules {
  allowedEmailDomains: readonly string[];
  allowedPhoneNumbers: readonly string[];
  allowedArmRoles: readonly string[];
}

/**
 * Receivers that hand the alert to a ticketing connection the pack cannot place (an ITSM
 * connection of some Log Analytics workspace, an incident-management connection by GUID): never
 * accepted; a reviewed ticketing endpoint goes through a webhook on allowedAlertEndpoints.
 */
const UNPLACEABLE_RECEIVERS = ["itsmReceivers", "incidentReceivers"] as const;

/** Every receiver list this policy judges (the lists of actionGroups.json up to 2024-10-01-preview). */
const JUDGED_RECEIVERS: ReadonlySet<string> = new Set([
  ...RESOURCE_RECEIVERS.map(([kind]) => kind),
  ...URL_RECEIVERS.map(([kind]) => kind),
  ...PEOPLE_RECEIVERS.map(([kind]) => kind),
  ...UNPLACEABLE_RECEIVERS,
  "eventHubReceivers",
]);

/**
 * Receiver lists of the group this policy does not judge: a kind a later API version adds (its
 * versioned token reaches this policy as the same type) or a key in another spelling. Deny by
 * default: nobody has checked where it delivers.
 */
const unjudgedReceivers = (group: StackResource): string[] =>
  Object.keys(group.props).filter(
    (key) => /receivers$/i.test(key) && !JUDGED_RECEIVERS.has(key) && has(group.props, key),
  );

/** The receivers of one kind, or `NOT_KNOWN` when the whole list is not known yet (preview). */
const receiversOf = (group: StackResource, kind: string): unknown[] | typeof NOT_KNOWN =>
  known(() => arr(group.props, kind));

export const alertRoutesInStack = stackPolicy({
  name: "alert-routes-in-stack",
  description:
    "Metric alerts notify only action groups of this stack, and action groups deliver only to resources (logic apps, functions, runbooks, event hubs) of this stack, to reviewed URLs (webhooks, logic app callback, function trigger and runbook webhook URLs: Azure posts the alert to the URL, whatever resource ID sits beside it) and to reviewed people (e-mail and app push addresses in allowed domains, allowed SMS and voice numbers, allowed ARM roles), and have no receiver list the policy does not know (deny by default), or reviewed exceptions: an alert routed to another environment pages the wrong people and tells them about this one, and an alert's contents name the resources and conditions of customer data stores (MON-1, ENV-1).",
  controls: ["MON-1", "ENV-1"],
  severity: "high",
  remediation:
    "Set actions[].actionGroupId to the stack's action group (components: addMetricAlerts); list a reviewed shared group in allowedDestinations, a reviewed webhook host in allowedAlertEndpoints, the team's mail domain in allowedEmailDomains, and reviewed on-call numbers and roles in allowedPhoneNumbers and allowedArmRoles.",
  types: [...METRIC_ALERT, "azure-native:monitor:ActionGroup"],
  config: {
    allowedDestinations: allowedDestinationsParam,
    allowedLocations: destinationLocationsParam,
    allowedAlertEndpoints: {
      description:
        "Host names (e.g. pager.example.com) an action group may post alerts to over https: webhookReceivers[].serviceUri, logicAppReceivers[].callbackUrl, azureFunctionReceivers[].httpTriggerUrl, automationRunbookReceivers[].serviceUri (a function app of the stack's own <name>.azurewebsites.net needs no entry). Reviewed exceptions only.",
      default: [] as readonly string[],
    },
    allowedEmailDomains: {
      description:
        "Mail domains (exact, e.g. example.com; a subdomain needs its own entry) that emailReceivers[].emailAddress and azureAppPushReceivers[].emailAddress may be in. Empty: no e-mail receiver is accepted.",
      default: [] as readonly string[],
      schema: {
        items: {
          type: "string",
          pattern: DOMAIN.source,
          description: "a DNS domain name such as example.com",
        },
      },
    },
    allowedPhoneNumbers: {
      description:
        "Numbers (E.164, e.g. +4930123456) that smsReceivers and voiceReceivers (countryCode + phoneNumber) may call. Empty: none.",
      default: [] as readonly string[],
      schema: {
        items: {
          type: "string",
          pattern: PHONE.source,
          description: "an E.164 phone number such as +4930123456",
        },
      },
    },
    allowedArmRoles: {
      description:
        "Role definition GUIDs whose holders on the subscription armRoleReceivers may e-mail (they are not chosen by this stack). Empty: none.",
      default: [] as readonly string[],
      schema: { items: { type: "string", pattern: GUID.source, description: "a role definition GUID" } },
    },
  },
  check: (stack, cfg, report) => {
    for (const alert of stack.ofType(...METRIC_ALERT))
      for (const problem of foreignRoutes(stack, alert, cfg))
        report(`${label(alert)}: ${problem}`, alert.urn);
    const index = stackIndex(stack);
    for (const group of stack.ofType("azure-native:monitor:ActionGroup")) {
      const fail = (problem: string) => report(`${label(group)}: ${problem}`, group.urn);
      // What each receiver list was computed from (preview): its propertyDependencies, else all.
      const sources = (kind: string) => propertyDependenciesOf(group, kind);
      const fromStack = (kind: string, type: string) =>
        sources(kind).some((d) => {
          const r = stack.byUrn(d.urn);
          return r !== undefined && azureTypeOf(r) === type;
        });
      for (const [kind, key, type] of RESOURCE_RECEIVERS) {
        const receivers = receiversOf(group, kind);
        if (receivers === NOT_KNOWN) {
          if (!fromStack(kind, type))
            fail(`${kind} is not known yet and does not come from an ${type} of this stack`);
          continue;
        }
        for (const receiver of receivers) {
          const problem = destinationProblem(
            index,
            group,
            `${kind}[].${key}`,
            // A receiver not known as a whole (an output in a preview) is judged as its ID would be.
            receiver === NOT_KNOWN ? NOT_KNOWN : peek(receiver, key),
            cfg,
            (r) => azureTypeOf(r) === type,
            stack,
            sources(kind),
          );
          if (problem) fail(problem);
        }
      }
      for (const [kind, key, ownHost, optional] of URL_RECEIVERS) {
        const receivers = receiversOf(group, kind);
        if (receivers === NOT_KNOWN) {
          // A function receiver list was judged above by the app it comes from; any other URL is
          // written in the program.
          if (!ownHost) fail(`${kind} is not known yet`);
          continue;
        }
        for (const receiver of receivers) {
          if (receiver === NOT_KNOWN) {
            // As a list not known yet: its URL is not known either, so it reads as absent below.
            if (!ownHost) fail(`${kind}[] is not known yet`);
            continue;
          }
          if (optional && peek(receiver, key) === undefined) continue;
          const fromOwnApp =
            ownHost &&
            peek(receiver, "functionAppResourceId") === NOT_KNOWN &&
            fromStack(kind, "azure-native:web:WebApp");
          const problem = endpointProblem(
            peek(receiver, key),
            cfg.allowedAlertEndpoints,
            ownHost ? functionHostOf(receiver) : undefined,
            fromOwnApp,
          );
          if (problem) fail(`${kind}[].${key} ${problem}`);
        }
      }
      for (const [kind, what, problemOf] of PEOPLE_RECEIVERS) {
        const receivers = receiversOf(group, kind);
        if (receivers === NOT_KNOWN) {
          fail(`${kind} is not known yet`);
          continue;
        }
        for (const receiver of receivers) {
          const problem = problemOf(receiver, cfg);
          if (problem) fail(`${kind}[].${what} ${problem}`);
        }
      }
      for (const kind of UNPLACEABLE_RECEIVERS)
        if (receiversOf(group, kind) === NOT_KNOWN || arr(group.props, kind).length > 0)
          fail(
            `${kind} hands alerts to a ticketing connection this pack cannot place; use a webhook to a reviewed endpoint (allowedAlertEndpoints)`,
          );
      for (const kind of unjudgedReceivers(group))
        fail(`${kind} is a receiver list this policy does not judge; nobody has checked where it delivers`);
      const hubs = receiversOf(group, "eventHubReceivers");
      if (hubs === NOT_KNOWN) fail("eventHubReceivers is not known yet");
      else
        for (const receiver of hubs) {
          if (receiver === NOT_KNOWN) fail("eventHubReceivers[] is not known yet");
          const sub = peek(receiver, "subscriptionId");
          if (typeof sub === "string" && !index.subscriptions.has(sub.trim().toLowerCase()))
            fail(`eventHubReceivers[] delivers to subscription ${show(sub)}, not one of this stack's`);
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
