/**
 * Rules for every Azure resource, whatever token registered it (azure-native, an alias, an API
 * version, a parameterized local package or Azure Classic; see azureTypes.ts): data residency
 * (RES-1), classification tags (CLS-1), and the gate that refuses Azure types no service policy
 * evaluates unless they are allow-listed (ENV-1).
 */
import { isAzureResource, isType, parseType, typeHasTags, type ParsedType } from "../lib/azureTypes";
import { evaluatedTypes } from "../lib/coverage";
import { resourcePolicy, type CheckedResource } from "../lib/define";
import { eqi, get, normalizeLocation, normalizeLocations, show, str, tags } from "../lib/props";
import { EU_REGIONS, pairedRegion } from "../../controls/regions";

/** Locations that are not a region: global resources (private DNS zones, Front Door, ...). */
const NON_REGIONAL = new Set(["global"]);

/** The resource's region: its own `location`, else the provider's default location. */
function locationOf(resource: CheckedResource): string | undefined {
  const own = str(resource.props, "location");
  if (own !== undefined) return normalizeLocation(own);
  const fromProvider = str(resource.providerProps, "location");
  return fromProvider === undefined ? undefined : normalizeLocation(fromProvider);
}

const allowedLocationsParam = {
  description: "Regions where resources, geo-replicas and geo-backups may live (default: EU regions).",
  default: [...EU_REGIONS] as readonly string[],
};

export const allowedLocations = resourcePolicy({
  name: "allowed-locations",
  description:
    "Every regional resource is deployed to an allowed region; the default list is EU regions only (RES-1). Global and location-less resources are skipped.",
  controls: ["RES-1"],
  severity: "critical",
  remediation: "Set location to one of the allowed regions (set azure-native:location in the stack config).",
  types: "all",
  appliesTo: { type: isAzureResource, otherwise: "not an Azure resource" },
  config: { allowedLocations: allowedLocationsParam },
  check: (resource, cfg, report) => {
    const location = locationOf(resource);
    if (location === undefined || NON_REGIONAL.has(location))
      return resource.notApplicable("no regional location");
    const allowed = normalizeLocations(cfg.allowedLocations);
    if (!allowed.includes(location))
      report(`location ${show(location)} is not allowed; allowed: ${cfg.allowedLocations.join(", ")}`);
  },
});

const GEO_STORAGE_SKU = /^(standard|premium)_(ra)?g(z)?rs$/i;

export const geoReplicaLocations = resourcePolicy({
  name: "geo-replica-locations",
  description:
    "Geo-redundant copies stay in allowed regions: a GRS/GZRS storage account or a PostgreSQL server with geo-redundant backup must be in a region whose Azure pair is allowed (RES-1).",
  controls: ["RES-1"],
  severity: "critical",
  remediation:
    "Deploy to a region whose paired region is also allowed (e.g. westeurope <-> northeurope), or use a region pair inside the allowed list.",
  types: ["azure-native:storage:StorageAccount", "azure-native:dbforpostgresql:Server"],
  config: { allowedLocations: allowedLocationsParam },
  check: (resource, cfg, report) => {
    const { props } = resource;
    const geo = isType(resource.type, "azure-native:storage:StorageAccount")
      ? GEO_STORAGE_SKU.test(str(props, "sku", "name") ?? "")
      : eqi(get(props, "backup", "geoRedundantBackup"), "Enabled");
    if (!geo) return resource.notApplicable("no geo-redundant copy");
    const location = locationOf(resource);
    if (location === undefined) return resource.notApplicable("location inherited and unknown");
    const pair = pairedRegion(location);
    const allowed = normalizeLocations(cfg.allowedLocations);
    if (!pair)
      report(
        `${location} has no Azure paired region, so geo-redundant copies cannot be placed in an allowed region`,
      );
    else if (!allowed.includes(pair))
      report(`geo-redundant copies go to ${pair}, which is not an allowed region`);
  },
});

/**
 * Whether a resource carries tags: a known type by its schema; any other Azure resource
 * (unknown azure-native types, Azure Classic, which names the two properties the same) when it
 * is an ARM tracked resource, i.e. it has a location or tags.
 */
function taggable(resource: CheckedResource): boolean {
  const known = typeHasTags(resource.type);
  if (known !== undefined) return known;
  return "tags" in resource.props || "location" in resource.props;
}

export const requiredTags = resourcePolicy({
  name: "required-tags",
  description:
    "Every taggable resource carries environment, owner and dataClassification tags with an allowed classification (CLS-1).",
  controls: ["CLS-1"],
  severity: "medium",
  remediation:
    "Tag the resource with environment, owner and dataClassification (public, internal, confidential or customer-confidential); components do it through componentTags().",
  types: "all",
  appliesTo: {
    // A known type without tags is never taggable; any other Azure type depends on its props.
    type: (token) => isAzureResource(token) && typeHasTags(token) !== false,
    otherwise: "not a taggable Azure resource",
  },
  config: {
    requiredTags: {
      description: "Tag keys every taggable resource must carry.",
      default: ["environment", "owner", "dataClassification"] as readonly string[],
    },
    allowedClassifications: {
      description: "Allowed values of the dataClassification tag.",
      default: ["public", "internal", "confidential", "customer-confidential"] as readonly string[],
    },
    allowedEnvironments: {
      description: "Allowed values of the environment tag.",
      default: ["dev", "prod"] as readonly string[],
    },
  },
  check: (resource, cfg, report) => {
    if (!taggable(resource)) return resource.notApplicable("not a taggable Azure resource");
    const t = tags(resource.props) ?? {};
    const missing = cfg.requiredTags.filter((key) => !t[key]?.trim());
    if (missing.length > 0) report(`missing tag(s): ${missing.join(", ")}`);
    const classification = t.dataClassification;
    if (classification !== undefined && !cfg.allowedClassifications.includes(classification))
      report(
        `dataClassification ${show(classification)} is not one of ${cfg.allowedClassifications.join(", ")}`,
      );
    const environment = t.environment;
    if (environment !== undefined && !cfg.allowedEnvironments.includes(environment))
      report(`environment ${show(environment)} is not one of ${cfg.allowedEnvironments.join(", ")}`);
  },
});

export const customerDataClassification = resourcePolicy({
  name: "customer-data-classification",
  description:
    "Data stores that hold customer data (storage accounts, PostgreSQL servers, Managed Redis, Azure Cache for Redis) are tagged dataClassification=customer-confidential (CLS-1).",
  controls: ["CLS-1"],
  severity: "medium",
  remediation: "Tag the data store dataClassification: customer-confidential.",
  types: [
    "azure-native:storage:StorageAccount",
    "azure-native:dbforpostgresql:Server",
    "azure-native:redisenterprise:RedisEnterprise",
    "azure-native:redis:Redis",
  ],
  config: {
    classification: {
      description: "Required dataClassification of customer data stores.",
      default: "customer-confidential",
    },
  },
  check: ({ props }, cfg, report) => {
    const value = tags(props)?.dataClassification;
    if (value !== cfg.classification)
      report(`dataClassification is ${show(value)}; customer data stores must be ${cfg.classification}`);
  },
});

/**
 * Azure types the platform itself deploys that no service policy evaluates, each reviewed: their
 * own settings carry no control (what matters about them is judged elsewhere, or is location and
 * tags). The default of `allowedUnevaluatedTypes`, and the list the prod preset names explicitly.
 */
export const PLATFORM_UNEVALUATED_TYPES: readonly string[] = [
  // The identity itself has no settings beyond location and tags; its role assignments are judged.
  "azure-native:managedidentity:UserAssignedIdentity",
  // Private DNS zones (global) and their links to the stack's VNet: name resolution for endpoints.
  "azure-native:privatedns:PrivateZone",
  "azure-native:privatedns:VirtualNetworkLink",
  // Private endpoints and their DNS zone groups: data-store-private-connectivity relates them to
  // the data stores they serve.
  "azure-native:network:PrivateEndpoint",
  "azure-native:network:PrivateDnsZoneGroup",
  // Locks only protect; stateful-resources-locked relates them to what they lock (BAK-2).
  "azure-native:authorization:ManagementLockByScope",
  // Entra data-plane access to Managed Redis for the platform's workload identities.
  "azure-native:redisenterprise:AccessPolicyAssignment",
  // A database inside the PostgreSQL server: the server carries every setting.
  "azure-native:dbforpostgresql:Database",
];

let packEvaluated: ReadonlySet<string> | undefined;
/**
 * The types the pack's own policies evaluate, computed when the gate first runs:
 * policies/index.ts imports this module, so a top-level import of it would be circular.
 */
function packEvaluatedTypes(): ReadonlySet<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  packEvaluated ??= evaluatedTypes((require("./index") as typeof import("./index")).platformPolicies);
  return packEvaluated;
}

/** Allow-list entries in any token form, normalized like resource tokens. */
const allowListCache = new WeakMap<readonly string[], ReadonlySet<string>>();
function allowList(entries: readonly string[]): ReadonlySet<string> {
  let set = allowListCache.get(entries);
  if (!set) {
    set = new Set(entries.map((e) => parseType(e)?.canonical ?? e));
    allowListCache.set(entries, set);
  }
  return set;
}

export const azureResourceTypeAllowed = resourcePolicy({
  name: "azure-resource-type-allowed",
  description:
    "Deny by default: an Azure resource whose type no service policy of the pack evaluates (a service outside the platform such as App Service, Container Registry, Cosmos DB or Azure OpenAI, or any Pulumi Azure Classic resource, whose property names the azure-native policies cannot read) is refused unless its type is in allowedUnevaluatedTypes. Production runs every control mandatory, which a resource nothing checks would quietly escape (ENV-1); dev reports it as advisory.",
  controls: ["ENV-1"],
  severity: "high",
  remediation:
    "Use a resource type the pack evaluates (azure-native, not Azure Classic), or, after a security review of the type, add its canonical token (e.g. azure-native:web:WebApp) to allowedUnevaluatedTypes in the preset; location and tags are still checked.",
  types: "all",
  appliesTo: { type: isAzureResource, otherwise: "not an Azure resource" },
  config: {
    allowedUnevaluatedTypes: {
      description:
        "Azure types (canonical azure-native tokens or Azure Classic tokens; aliases, API versions and parameterized packages are normalized) allowed although no service policy evaluates them.",
      default: PLATFORM_UNEVALUATED_TYPES,
    },
  },
  check: (resource, cfg, report) => {
    const parsed = parseType(resource.type);
    // (`appliesTo` turned every other type away already; this narrows `parsed`.)
    if (!parsed) return resource.notApplicable("not an Azure resource");
    if (packEvaluatedTypes().has(parsed.canonical)) return;
    if (allowList(cfg.allowedUnevaluatedTypes).has(parsed.canonical)) return;
    const registered = parsed.canonical === resource.type ? "" : ` (registered as ${resource.type})`;
    report(
      parsed.package === "azure-classic"
        ? `${parsed.canonical} is a Pulumi Azure Classic resource: the pack's service policies read azure-native properties and cannot judge its configuration (only its location and tags are checked); it is not in allowedUnevaluatedTypes`
        : `${parsed.canonical}${registered} is not evaluated by any service policy of the pack (only its location and tags are checked); it is not in allowedUnevaluatedTypes`,
    );
  },
});

/**
 * Resource provider namespaces whose resources act on what the stack shares with every other
 * stack, team and environment in the subscription or tenant, not on the stack's own resources:
 * who holds which role and how it is activated (authorization: PIM role management policies
 * and their assignments, which set approval and MFA for activating Owner; locks at subscription
 * level), which tenant manages the subscription (managedservices: Azure Lighthouse),
 * which Azure Policy and Defender for Cloud protections apply (authorization, policyinsights,
 * blueprint, security: pricing, auto-provisioning, workspace settings, continuous export),
 * where the activity log, Entra ID's audit log and Sentinel's incidents go (monitor, insights,
 * aadiam, securityinsights), whether alerts fire at all (alertsmanagement: an alert processing
 * rule that removes action groups from every alert of the subscription), and what deploys
 * templates or calls endpoints of its own (resources, solutions: managed applications,
 * customproviders), plus subscriptions, management groups, tenants, billing and preview
 * features. dev's preset relaxes what dev's own resources may lack; nothing about a dev stack
 * makes a change to the subscription's Defender plans, its role assignments or its log sinks a
 * dev matter (dev and prod may share a subscription: docs/running-in-ci.md), and the dev deploy
 * identity is Contributor on the subscription, which can write all but the authorization ones,
 * and holds subscription-scope lock and (conditioned) role-assignment roles besides
 * (deploy/identities.yaml), so it writes locks and some role assignments anywhere in it too.
 * azure-native module names (`azure-native:<module>:<Name>`, lowercased).
 */
export const SHARED_SCOPE_MODULES: ReadonlySet<string> = new Set([
  "authorization",
  "managedservices",
  "management",
  "managementpartner",
  "subscription",
  "billing",
  "features",
  "azureactivedirectory",
  "aadiam",
  "security",
  "securityinsights",
  "policyinsights",
  "blueprint",
  "monitor",
  "insights",
  "alertsmanagement",
  "resources",
  "solutions",
  "customproviders",
]);

/**
 * The same namespaces in Pulumi Azure Classic (`azure:<module>/<member>:<Name>`, lowercased):
 * role assignments and definitions (authorization, role), PIM (pim), Azure Policy and template
 * deployments, subscriptions and provider registrations (core, policy, blueprint,
 * managedapplication), management groups and locks (management, managementgroups), Lighthouse
 * (lighthouse), Defender for Cloud (securitycenter), Sentinel (sentinel), diagnostic settings,
 * activity log profiles, Entra ID diagnostic settings and alert processing rules (monitoring),
 * billing and B2C tenants.
 */
export const CLASSIC_SHARED_SCOPE_MODULES: ReadonlySet<string> = new Set([
  "authorization",
  "role",
  "pim",
  "core",
  "policy",
  "blueprint",
  "managedapplication",
  "management",
  "managementgroups",
  "lighthouse",
  "security",
  "securitycenter",
  "sentinel",
  "monitoring",
  "billing",
  "aadb2c",
]);

/** The module of an Azure type token's canonical form, lowercased (`authorization`). */
function moduleOf(parsed: ParsedType): string {
  const rest = parsed.canonical.slice(parsed.canonical.indexOf(":") + 1);
  const end = parsed.package === "azure-classic" ? rest.indexOf("/") : rest.indexOf(":");
  return (end < 0 ? rest : rest.slice(0, end)).toLowerCase();
}

/**
 * Application Insights resources registered under their old `insights` tokens (aliases of
 * `azure-native:applicationinsights:*` in the installed SDK): a workload's own telemetry resources,
 * not the subscription's monitoring, which the same `insights` module otherwise names.
 */
const APPLICATION_INSIGHTS_ALIASES: ReadonlySet<string> = new Set(
  [
    "AnalyticsItem",
    "Component",
    "ComponentCurrentBillingFeature",
    "ComponentLinkedStorageAccount",
    "ExportConfiguration",
    "Favorite",
    "MyWorkbook",
    "ProactiveDetectionConfiguration",
    "WebTest",
    "Workbook",
    "WorkbookTemplate",
  ].map((name) => `azure-native:insights:${name}`.toLowerCase()),
);

/**
 * A workload's own monitoring in the shared-scope namespaces: each is a resource of the stack's
 * resource group that acts on resources it names (an autoscale setting scales one resource; a
 * smart detector or Prometheus rule group alerts on the scopes it lists; a data collection rule,
 * endpoint or Azure Monitor workspace collects what is associated with it), not on the
 * subscription's or tenant's settings. Left to azure-resource-type-allowed like any other type the
 * pack does not evaluate (advisory in dev, allowedUnevaluatedTypes after a review in prod):
 * otherwise an ordinary app's autoscale setting or Application Insights smart detection rule
 * could never be deployed, reviewed or not. azure-native's `monitor` types registered under their
 * old `insights` tokens (aliases in node_modules/@pulumi/azure-native/monitor/*.js that the pack's
 * alias table does not resolve) are named in both forms; Azure Classic's under `monitoring`
 * (pulumi/pulumi-azure sdk/nodejs/monitoring/*.ts).
 */
const WORKLOAD_MONITORING_TYPES: ReadonlySet<string> = new Set(
  [
    ...["AutoscaleSetting", "DataCollectionRule", "DataCollectionEndpoint"].flatMap((name) => [
      `azure-native:monitor:${name}`,
      `azure-native:insights:${name}`,
    ]),
    "azure-native:monitor:AzureMonitorWorkspace",
    "azure-native:alertsmanagement:SmartDetectorAlertRule",
    "azure-native:alertsmanagement:PrometheusRuleGroup",
    "azure:monitoring/actionGroup:ActionGroup",
    "azure:monitoring/metricAlert:MetricAlert",
    "azure:monitoring/scheduledQueryRulesAlertV2:ScheduledQueryRulesAlertV2",
    "azure:monitoring/autoscaleSetting:AutoscaleSetting",
    "azure:monitoring/smartDetectorAlertRule:SmartDetectorAlertRule",
    "azure:monitoring/alertPrometheusRuleGroup:AlertPrometheusRuleGroup",
    "azure:monitoring/dataCollectionRule:DataCollectionRule",
    "azure:monitoring/dataCollectionEndpoint:DataCollectionEndpoint",
    "azure:monitoring/workspace:Workspace",
  ].map((token) => token.toLowerCase()),
);

/** Whether a token is an Azure type of a shared-scope namespace (either package). */
function sharedScopeType(token: string): boolean {
  const parsed = parseType(token);
  if (!parsed) return false;
  const canonical = parsed.canonical.toLowerCase();
  if (APPLICATION_INSIGHTS_ALIASES.has(canonical) || WORKLOAD_MONITORING_TYPES.has(canonical)) return false;
  const modules = parsed.package === "azure-classic" ? CLASSIC_SHARED_SCOPE_MODULES : SHARED_SCOPE_MODULES;
  return modules.has(moduleOf(parsed));
}

/** The reviewed platform types, fixed in code: the preset's allow-list cannot widen this policy. */
const PLATFORM_REVIEWED: ReadonlySet<string> = new Set(PLATFORM_UNEVALUATED_TYPES);

export const sharedScopeTypesEvaluated = resourcePolicy({
  name: "shared-scope-types-evaluated",
  description:
    "In every environment and whatever the preset allow-lists: an Azure resource of a namespace that changes what the stack shares with the rest of the subscription or tenant (PIM role management policies that drop approval or MFA for Owner, Lighthouse delegations to another tenant, Azure Policy, Defender for Cloud settings and continuous export, subscription and Entra ID diagnostic settings, alert processing rules, Sentinel, management groups, subscriptions, managed applications, custom providers; azure-native in any token form or Azure Classic) is refused unless a service policy of the pack evaluates its type. A workload's own monitoring there (autoscale settings, smart detector and Prometheus alert rules, data collection rules, Azure Monitor workspaces) acts on the resources it names and stays with the type gate. azure-resource-type-allowed is advisory in dev because dev holds no customer data; these types do not touch dev's data but the subscription's controls, which dev and prod may share (ENV-1, IAM-2, THR-1, LOG-1).",
  controls: ["ENV-1", "IAM-2", "THR-1", "LOG-1"],
  severity: "critical",
  remediation:
    "Leave subscription- and tenant-wide settings to the owners of the subscription (security owns Defender, RBAC, Azure Policy and the log sinks). If the platform must manage such a type, add a service policy that evaluates it first; an allow-list entry does not lift this policy.",
  types: "all",
  appliesTo: { type: sharedScopeType, otherwise: "not an Azure type of a shared-scope namespace" },
  config: {},
  check: (resource, _cfg, report) => {
    const parsed = parseType(resource.type);
    // (`appliesTo` turned every other type away already; this narrows `parsed`.)
    if (!parsed) return resource.notApplicable("not an Azure resource");
    if (packEvaluatedTypes().has(parsed.canonical) || PLATFORM_REVIEWED.has(parsed.canonical)) return;
    const registered = parsed.canonical === resource.type ? "" : ` (registered as ${resource.type})`;
    report(
      `${parsed.canonical}${registered} changes what the stack shares with the subscription or tenant (namespace ${moduleOf(parsed)}) and no service policy of the pack evaluates it: refused in every environment, whatever allowedUnevaluatedTypes says`,
    );
  },
});

export const generalPolicies = [
  allowedLocations,
  geoReplicaLocations,
  requiredTags,
  customerDataClassification,
  azureResourceTypeAllowed,
  sharedScopeTypesEvaluated,
] as const;
