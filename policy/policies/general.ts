/**
 * Rules for every resource: data residency (RES-1) and classification tags (CLS-1).
 */
import { isAzureNative, isType, typeHasTags } from "../lib/azureTypes";
import { resourcePolicy, type CheckedResource } from "../lib/define";
import { eqi, get, normalizeLocation, show, str, tags } from "../lib/props";
import { EU_REGIONS, pairedRegion } from "../shared/regions";

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
  config: { allowedLocations: allowedLocationsParam },
  check: (resource, cfg, report) => {
    if (!isAzureNative(resource.type)) return resource.notApplicable("not an azure-native resource");
    const location = locationOf(resource);
    if (location === undefined || NON_REGIONAL.has(location))
      return resource.notApplicable("no regional location");
    const allowed = cfg.allowedLocations.map(normalizeLocation);
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
    const allowed = cfg.allowedLocations.map(normalizeLocation);
    if (!pair)
      report(
        `${location} has no Azure paired region, so geo-redundant copies cannot be placed in an allowed region`,
      );
    else if (!allowed.includes(pair))
      report(`geo-redundant copies go to ${pair}, which is not an allowed region`);
  },
});

/** Whether a resource carries tags (known taggable type, or an ARM tracked resource with location/tags). */
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
    if (!isAzureNative(resource.type) || !taggable(resource))
      return resource.notApplicable("not a taggable azure-native resource");
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

export const generalPolicies = [
  allowedLocations,
  geoReplicaLocations,
  requiredTags,
  customerDataClassification,
] as const;
