/**
 * Azure regions the platform may use and their geo-replication pairs (RES-1).
 *
 * Geo-redundant PostgreSQL backups and GRS/GZRS storage copy data to the region's
 * Azure pair, so a region is only usable for customer data when that pair is also
 * allowed. Regions without a pair cannot host geo-redundant backups at all.
 */

/** EU regions (GDPR Art. 44): the default `allowedLocations`. EEA/UK/CH regions are excluded on purpose. */
export const EU_REGIONS = [
  "westeurope",
  "northeurope",
  "germanywestcentral",
  "germanynorth",
  "francecentral",
  "francesouth",
  "swedencentral",
  "swedensouth",
  "polandcentral",
  "italynorth",
  "spaincentral",
  "austriaeast",
  "belgiumcentral",
  "denmarkeast",
] as const;

/** Azure region pairs (both directions), as documented by Microsoft for cross-region replication. */
export const REGION_PAIRS: Readonly<Record<string, string>> = Object.freeze({
  westeurope: "northeurope",
  northeurope: "westeurope",
  germanywestcentral: "germanynorth",
  germanynorth: "germanywestcentral",
  francecentral: "francesouth",
  francesouth: "francecentral",
  swedencentral: "swedensouth",
  swedensouth: "swedencentral",
  norwayeast: "norwaywest",
  norwaywest: "norwayeast",
  switzerlandnorth: "switzerlandwest",
  switzerlandwest: "switzerlandnorth",
  uksouth: "ukwest",
  ukwest: "uksouth",
  eastus: "westus",
  westus: "eastus",
  eastus2: "centralus",
  centralus: "eastus2",
});

/** Availability zones are offered in these regions (used to refuse zone redundancy where it cannot exist). */
export const ZONAL_REGIONS: ReadonlySet<string> = new Set([
  "westeurope",
  "northeurope",
  "germanywestcentral",
  "francecentral",
  "swedencentral",
  "polandcentral",
  "italynorth",
  "spaincentral",
  "austriaeast",
  "belgiumcentral",
  "denmarkeast",
  "norwayeast",
  "switzerlandnorth",
  "uksouth",
  "eastus",
  "eastus2",
  "centralus",
  "westus",
]);

/** The region that receives geo-redundant copies of data stored in `location`, if any. */
export function pairedRegion(location: string): string | undefined {
  return REGION_PAIRS[location.toLowerCase()];
}
