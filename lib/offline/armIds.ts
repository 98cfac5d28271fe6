/**
 * ARM resource IDs for azure-native type tokens, the way Azure returns them. One table: the
 * token, the ID template and the input that names the resource. `{rg}` is the resource
 * group prefix, `{scope}`-style placeholders are read from the resource's inputs.
 */
import { canonicalType } from "../../policy/lib/azureTypes";

interface ArmShape {
  /** Input property holding the resource's own name (autonamed when absent). */
  nameKey: string;
  /** ID template; `{input}` placeholders come from the inputs, `{rg}` and `{sub}` are expanded. */
  template: string;
}

const RG = "/subscriptions/{sub}/resourceGroups/{resourceGroupName}";

const SHAPES: Record<string, ArmShape> = {
  "resources:ResourceGroup": { nameKey: "resourceGroupName", template: RG },
  "network:VirtualNetwork": {
    nameKey: "virtualNetworkName",
    template: `${RG}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}`,
  },
  "network:Subnet": {
    nameKey: "subnetName",
    template: `${RG}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}`,
  },
  "network:NetworkSecurityGroup": {
    nameKey: "networkSecurityGroupName",
    template: `${RG}/providers/Microsoft.Network/networkSecurityGroups/{networkSecurityGroupName}`,
  },
  "network:SecurityRule": {
    nameKey: "securityRuleName",
    template: `${RG}/providers/Microsoft.Network/networkSecurityGroups/{networkSecurityGroupName}/securityRules/{securityRuleName}`,
  },
  "network:PrivateEndpoint": {
    nameKey: "privateEndpointName",
    template: `${RG}/providers/Microsoft.Network/privateEndpoints/{privateEndpointName}`,
  },
  "network:PrivateDnsZoneGroup": {
    nameKey: "privateDnsZoneGroupName",
    template: `${RG}/providers/Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{privateDnsZoneGroupName}`,
  },
  "network:PublicIPAddress": {
    nameKey: "publicIpAddressName",
    template: `${RG}/providers/Microsoft.Network/publicIPAddresses/{publicIpAddressName}`,
  },
  "privatedns:PrivateZone": {
    nameKey: "privateZoneName",
    template: `${RG}/providers/Microsoft.Network/privateDnsZones/{privateZoneName}`,
  },
  "privatedns:VirtualNetworkLink": {
    nameKey: "virtualNetworkLinkName",
    template: `${RG}/providers/Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks/{virtualNetworkLinkName}`,
  },
  "operationalinsights:Workspace": {
    nameKey: "workspaceName",
    template: `${RG}/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}`,
  },
  "monitor:ActionGroup": {
    nameKey: "actionGroupName",
    template: `${RG}/providers/Microsoft.Insights/actionGroups/{actionGroupName}`,
  },
  "monitor:MetricAlert": {
    nameKey: "ruleName",
    template: `${RG}/providers/Microsoft.Insights/metricAlerts/{ruleName}`,
  },
  "monitor:DiagnosticSetting": {
    nameKey: "name",
    template: "{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}",
  },
  "managedidentity:UserAssignedIdentity": {
    nameKey: "resourceName",
    template: `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}`,
  },
  "authorization:RoleAssignment": {
    nameKey: "roleAssignmentName",
    template: "{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}",
  },
  "authorization:ManagementLockByScope": {
    nameKey: "lockName",
    template: "{scope}/providers/Microsoft.Authorization/locks/{lockName}",
  },
  "authorization:ManagementLockAtResourceGroupLevel": {
    nameKey: "lockName",
    template: `${RG}/providers/Microsoft.Authorization/locks/{lockName}`,
  },
  "keyvault:Vault": {
    nameKey: "vaultName",
    template: `${RG}/providers/Microsoft.KeyVault/vaults/{vaultName}`,
  },
  "keyvault:Key": {
    nameKey: "keyName",
    template: `${RG}/providers/Microsoft.KeyVault/vaults/{vaultName}/keys/{keyName}`,
  },
  "keyvault:Secret": {
    nameKey: "secretName",
    template: `${RG}/providers/Microsoft.KeyVault/vaults/{vaultName}/secrets/{secretName}`,
  },
  "storage:StorageAccount": {
    nameKey: "accountName",
    template: `${RG}/providers/Microsoft.Storage/storageAccounts/{accountName}`,
  },
  "storage:BlobServiceProperties": {
    nameKey: "blobServicesName",
    template: `${RG}/providers/Microsoft.Storage/storageAccounts/{accountName}/blobServices/{blobServicesName}`,
  },
  "storage:EncryptionScope": {
    nameKey: "encryptionScopeName",
    template: `${RG}/providers/Microsoft.Storage/storageAccounts/{accountName}/encryptionScopes/{encryptionScopeName}`,
  },
  "storage:BlobContainer": {
    nameKey: "containerName",
    template: `${RG}/providers/Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{containerName}`,
  },
  "dbforpostgresql:Server": {
    nameKey: "serverName",
    template: `${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}`,
  },
  "dbforpostgresql:Configuration": {
    nameKey: "configurationName",
    template: `${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}/configurations/{configurationName}`,
  },
  "dbforpostgresql:Database": {
    nameKey: "databaseName",
    template: `${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}/databases/{databaseName}`,
  },
  "dbforpostgresql:Administrator": {
    nameKey: "objectId",
    template: `${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}/administrators/{objectId}`,
  },
  "dbforpostgresql:AdministratorsMicrosoftEntra": {
    nameKey: "objectId",
    template: `${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}/administrators/{objectId}`,
  },
  "dbforpostgresql:FirewallRule": {
    nameKey: "firewallRuleName",
    template: `${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}/firewallRules/{firewallRuleName}`,
  },
  "redisenterprise:RedisEnterprise": {
    nameKey: "clusterName",
    template: `${RG}/providers/Microsoft.Cache/redisEnterprise/{clusterName}`,
  },
  "redisenterprise:Database": {
    nameKey: "databaseName",
    template: `${RG}/providers/Microsoft.Cache/redisEnterprise/{clusterName}/databases/{databaseName}`,
  },
  "redisenterprise:AccessPolicyAssignment": {
    nameKey: "accessPolicyAssignmentName",
    template: `${RG}/providers/Microsoft.Cache/redisEnterprise/{clusterName}/databases/{databaseName}/accessPolicyAssignments/{accessPolicyAssignmentName}`,
  },
  "redis:Redis": { nameKey: "name", template: `${RG}/providers/Microsoft.Cache/redis/{name}` },
  "app:ManagedEnvironment": {
    nameKey: "environmentName",
    template: `${RG}/providers/Microsoft.App/managedEnvironments/{environmentName}`,
  },
  "app:ContainerApp": {
    nameKey: "containerAppName",
    template: `${RG}/providers/Microsoft.App/containerApps/{containerAppName}`,
  },
  "app:Job": { nameKey: "jobName", template: `${RG}/providers/Microsoft.App/jobs/{jobName}` },
  "cdn:Profile": { nameKey: "profileName", template: `${RG}/providers/Microsoft.Cdn/profiles/{profileName}` },
  "cdn:AFDEndpoint": {
    nameKey: "endpointName",
    template: `${RG}/providers/Microsoft.Cdn/profiles/{profileName}/afdEndpoints/{endpointName}`,
  },
  "cdn:AFDOriginGroup": {
    nameKey: "originGroupName",
    template: `${RG}/providers/Microsoft.Cdn/profiles/{profileName}/originGroups/{originGroupName}`,
  },
  "cdn:AFDOrigin": {
    nameKey: "originName",
    template: `${RG}/providers/Microsoft.Cdn/profiles/{profileName}/originGroups/{originGroupName}/origins/{originName}`,
  },
  "cdn:AFDCustomDomain": {
    nameKey: "customDomainName",
    template: `${RG}/providers/Microsoft.Cdn/profiles/{profileName}/customDomains/{customDomainName}`,
  },
  "cdn:RuleSet": {
    nameKey: "ruleSetName",
    template: `${RG}/providers/Microsoft.Cdn/profiles/{profileName}/ruleSets/{ruleSetName}`,
  },
  "cdn:Rule": {
    nameKey: "ruleName",
    template: `${RG}/providers/Microsoft.Cdn/profiles/{profileName}/ruleSets/{ruleSetName}/rules/{ruleName}`,
  },
  "cdn:Route": {
    nameKey: "routeName",
    template: `${RG}/providers/Microsoft.Cdn/profiles/{profileName}/afdEndpoints/{endpointName}/routes/{routeName}`,
  },
  "cdn:SecurityPolicy": {
    nameKey: "securityPolicyName",
    template: `${RG}/providers/Microsoft.Cdn/profiles/{profileName}/securityPolicies/{securityPolicyName}`,
  },
  "frontdoor:Policy": {
    nameKey: "policyName",
    template: `${RG}/providers/Microsoft.Network/frontDoorWebApplicationFirewallPolicies/{policyName}`,
  },
  "app:ManagedEnvironmentPrivateEndpointConnection": {
    nameKey: "privateEndpointConnectionName",
    template: `${RG}/providers/Microsoft.App/managedEnvironments/{environmentName}/privateEndpointConnections/{privateEndpointConnectionName}`,
  },
  "securityinsights:SentinelOnboardingState": {
    nameKey: "sentinelOnboardingStateName",
    template: `${RG}/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}/providers/Microsoft.SecurityInsights/onboardingStates/{sentinelOnboardingStateName}`,
  },
  "securityinsights:ScheduledAlertRule": {
    nameKey: "ruleId",
    template: `${RG}/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}/providers/Microsoft.SecurityInsights/alertRules/{ruleId}`,
  },
  "monitor:SubscriptionDiagnosticSetting": {
    nameKey: "name",
    template: "/subscriptions/{sub}/providers/Microsoft.Insights/diagnosticSettings/{name}",
  },
  "monitor:ScheduledQueryRule": {
    nameKey: "ruleName",
    template: `${RG}/providers/Microsoft.Insights/scheduledQueryRules/{ruleName}`,
  },
  "security:Pricing": {
    nameKey: "pricingName",
    template: "{scopeId}/providers/Microsoft.Security/pricings/{pricingName}",
  },
};

/** `azure-native:storage:StorageAccount` -> `storage:StorageAccount`. */
function shortToken(type: string): string {
  return type.replace(/^azure-native:/, "");
}

/** The input property that names a resource of this type, if the table knows the type. */
export function nameProperty(type: string): string | undefined {
  return SHAPES[shortToken(type)]?.nameKey;
}

/** The ARM ID template of a type (`{input}` placeholders), if the table knows the type. */
export function armIdTemplate(type: string): string | undefined {
  return SHAPES[shortToken(type)]?.template;
}

/**
 * The path parameters of a type (its ID template's placeholders but the subscription): the inputs
 * that only build its URL, which azure-native's outputs leave out unless the body has them too.
 */
export function pathParameters(type: string): string[] {
  const template = armIdTemplate(canonicalType(type) ?? type);
  return template ? [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((p) => p !== "sub") : [];
}

/** Every type token the table knows (tests check the program uses no other). */
export function knownArmTypes(): string[] {
  return Object.keys(SHAPES).map((t) => `azure-native:${t}`);
}

/**
 * The ARM ID of a resource from its inputs. Unknown placeholders (an input the program left
 * to Azure) fall back to the resource's own name so the ID stays well-formed.
 */
export function armResourceId(
  type: string,
  inputs: Record<string, unknown>,
  subscriptionId: string,
  name: string,
): string {
  const shape = SHAPES[shortToken(type)];
  if (!shape) {
    // Generic fallback: provider namespace from the module, plural camel-case type.
    const [mod, kind] = shortToken(type).split(":");
    const rg = typeof inputs.resourceGroupName === "string" ? inputs.resourceGroupName : "unknown-rg";
    const plural = `${kind.charAt(0).toLowerCase()}${kind.slice(1)}s`;
    return `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.${mod}/${plural}/${name}`;
  }
  return shape.template.replace(/\{(\w+)\}/g, (_, key: string) => {
    if (key === "sub") return subscriptionId;
    const value = inputs[key];
    if (typeof value === "string" && value.length > 0) return value.replace(/\/$/, "");
    return key === "resourceGroupName" ? "unknown-rg" : name;
  });
}
