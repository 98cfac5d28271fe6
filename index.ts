/**
 * Composition root of secure-azure-platform: reads the stack configuration and wires the
 * components. No resource settings live here; they are the components' secure defaults.
 */
import * as resources from "@pulumi/azure-native/resources";
import { loadPlatformConfig } from "./config";

// Validate everything before the first resource is registered: bad config registers nothing.
const config = loadPlatformConfig();

const resourceGroup = new resources.ResourceGroup("rg", {
  resourceGroupName: `${config.namePrefix}-${config.environment}-rg`,
  location: config.location,
  tags: { environment: config.environment, owner: config.owner, costCenter: config.costCenter, dataClassification: "internal" },
});

export const resourceGroupName = resourceGroup.name;
