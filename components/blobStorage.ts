/**
 * Blob Storage for customer files (recordings, transcripts, knowledge bases), secure by
 * default: Entra-only data access with shared keys, local users and SFTP off (IAM-1), HTTPS
 * with TLS 1.2 as floor (the highest floor Storage accepts, TLS-1), infrastructure (double)
 * encryption and customer-managed keys through a user-assigned identity (ENC-1, ENC-2), no
 * public network access and a blob private endpoint (NET-1), geo-redundant replication with
 * soft delete, versioning, change feed and point-in-time restore (BAK-1, AVL-1), private
 * containers, blob read/write/delete logs (LOG-1), and a lock plus `protect` in prod (BAK-2).
 */
import * as pulumi from "@pulumi/pulumi";
import * as storage from "@pulumi/azure-native/storage";
import { EU_REGIONS, pairedRegion } from "../controls/regions";
import { BLOB_STORAGE_DEFAULTS, blobStorageSettingsSchema, StorageSkuName } from "./blobStorage.schema";
import { addMetricAlerts } from "./common/alerts";
import { addDiagnostics } from "./common/diagnostics";
import { startArgChecks, type CommonComponentArgs } from "./common/interfaces";
import { addLock } from "./common/lock";
import { assignRoles, checkCustomerManagedKey, prepareDataComponent } from "./common/dataComponent";
import { globalResourceName } from "./common/naming";
import { addPrivateEndpoint } from "./common/privateEndpoint";
import { parseArgs, PLATFORM_CONTEXT_KEYS } from "./common/schema";
import { componentType, withLegacyAlias } from "./common/componentType";
import { customerManagedKeyRequired, zoneRedundancyRequired } from "./common/mandatory";

// Values too: callers in any language pick from the enum.
export { StorageSkuName };

const VERSIONLESS_KEY_URI = /^https:\/\/[^/]+\/keys\/[^/]+\/?$/;

export interface BlobStorageArgs extends CommonComponentArgs {
  /** Private containers to create (3-63 lowercase letters, digits or single '-'). */
  containers: string[];
  /**
   * Replication, geo-redundant only. Default `Standard_GZRS` when the platform is zone
   * redundant (required then), else `Standard_GRS`.
   */
  skuName?: StorageSkuName;
  /** BAK-1: blob and container soft-delete window, 30..365 days. Default 35. */
  softDeleteRetentionDays?: number;
  /** BAK-1: point-in-time restore window; strictly shorter than the soft-delete window. Default soft delete - 1. */
  restoreDays?: number;
  /** Change feed retention in days, at least the restore window (the restore replays it). Default 365. */
  changeFeedRetentionDays?: number;
  /** Part of the account name (letters and digits). Default `data`. */
  purpose?: string;
}

const ARG_KEYS: Record<keyof BlobStorageArgs, true> = {
  platform: true,
  diagnostics: true,
  lock: true,
  privateEndpoint: true,
  customerManagedKey: true,
  roleAssignments: true,
  tags: true,
  containers: true,
  skuName: true,
  softDeleteRetentionDays: true,
  restoreDays: true,
  changeFeedRetentionDays: true,
  purpose: true,
};

/**
 * Blob Storage for customer files (IAM-1, TLS-1, ENC-1/2, NET-1, BAK-1, AVL-1, LOG-1, BAK-2):
 * Entra-only access, private endpoint, customer-managed keys, geo-redundant with soft delete,
 * versioning and point-in-time restore.
 */
export class BlobStorage extends pulumi.ComponentResource {
  /** Resource ID of the storage account. */
  readonly accountId: pulumi.Output<string>;
  /** Name of the storage account (with its random suffix). */
  readonly accountName: pulumi.Output<string>;
  /** `https://<account>.blob.core.windows.net/`, resolved privately through the private DNS zone. */
  readonly blobEndpoint: pulumi.Output<string>;
  /** Names of the private containers. */
  readonly containerNames: pulumi.Output<string[]>;

  constructor(name: string, args: BlobStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = `BlobStorage "${name}"`;
    // Every problem at once, before anything registers.
    const { problems, platformOk } = startArgChecks(
      owner,
      args,
      Object.keys(ARG_KEYS),
      "shared keys, public access and TLS cannot be weakened",
      PLATFORM_CONTEXT_KEYS,
    );
    problems.beforePlatformReads(platformOk);
    const { platform } = args;
    const settings = problems.check(() =>
      parseArgs(owner, blobStorageSettingsSchema(platform), {
        containers: args.containers,
        skuName: args.skuName,
        softDeleteRetentionDays: args.softDeleteRetentionDays,
        restoreDays: args.restoreDays,
        changeFeedRetentionDays: args.changeFeedRetentionDays,
      }),
    );
    // RES-1: the geo-replica lives in the region's Azure pair, which must be an EU region.
    const eu = EU_REGIONS as readonly string[];
    const pair = pairedRegion(platform.location);
    if (!eu.includes(platform.location.toLowerCase()) || !pair || !eu.includes(pair)) {
      problems.add(
        ["platform", "location"],
        platform.location,
        `replicates to ${pair ?? "no paired region"}; both must be EU regions: ${EU_REGIONS.join(", ")} (RES-1)`,
      );
    }
    const cmk = args.customerManagedKey;
    checkCustomerManagedKey(problems, "customerManagedKey", cmk, [
      "keyVaultUri",
      "keyName",
      "keyUri",
      "identityId",
    ]);
    if (!cmk && customerManagedKeyRequired(platform)) {
      problems.add(
        ["customerManagedKey"],
        cmk,
        `is required in ${platform.environment}: the account must encrypt with a customer-managed key (ENC-2)`,
      );
    }
    if (cmk && typeof cmk.keyUri === "string" && !VERSIONLESS_KEY_URI.test(cmk.keyUri)) {
      problems.add(
        ["customerManagedKey", "keyUri"],
        cmk.keyUri,
        "must be versionless (https://<vault>.vault.azure.net/keys/<name>) so Storage follows key rotation (ENC-2)",
      );
    }
    const purpose = args.purpose ?? "data";
    const { locked, tags } = prepareDataComponent(owner, platform, args, "storageAccount", purpose, problems);
    const zoneRedundant = zoneRedundancyRequired(platform);
    const skuName = settings!.skuName ?? (zoneRedundant ? "Standard_GZRS" : "Standard_GRS");
    const softDelete = settings!.softDeleteRetentionDays ?? BLOB_STORAGE_DEFAULTS.softDeleteRetentionDays;
    const restoreDays = settings!.restoreDays ?? softDelete - 1;
    const changeFeedDays = settings!.changeFeedRetentionDays ?? BLOB_STORAGE_DEFAULTS.changeFeedRetentionDays;

    super(componentType("BlobStorage"), name, {}, withLegacyAlias("BlobStorage", opts));

    // Account-scoped keys for every service so the customer-managed key covers all of them;
    // the key type is fixed at creation.
    const accountKey = { enabled: true, keyType: storage.KeyType.Account };
    const account = new storage.StorageAccount(
      `${name}-account`,
      {
        resourceGroupName: platform.resourceGroupName,
        location: platform.location,
        accountName: globalResourceName(platform, "storageAccount", purpose, this),
        kind: storage.Kind.StorageV2,
        sku: { name: skuName },
        accessTier: storage.AccessTier.Hot,
        // IAM-1: Entra ID only.
        allowSharedKeyAccess: false,
        defaultToOAuthAuthentication: true,
        isLocalUserEnabled: false,
        isSftpEnabled: false,
        isHnsEnabled: false,
        allowBlobPublicAccess: false,
        allowCrossTenantReplication: false,
        // TLS-1: the API lists TLS1_3 but documents it as unsupported as a minimum.
        minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
        enableHttpsTrafficOnly: true,
        // NET-1: private endpoint only; trusted Azure services (backup, monitoring) may pass.
        publicNetworkAccess: storage.PublicNetworkAccess.Disabled,
        networkRuleSet: {
          defaultAction: storage.DefaultAction.Deny,
          bypass: storage.Bypass.AzureServices,
          ipRules: [],
          virtualNetworkRules: [],
        },
        allowedCopyScope: storage.AllowedCopyScope.PrivateLink,
        encryption: {
          requireInfrastructureEncryption: true,
          services: { blob: accountKey, file: accountKey, queue: accountKey, table: accountKey },
          ...(cmk
            ? {
                keySource: storage.KeySource.Microsoft_Keyvault,
                // No keyVersion: Storage follows the key's latest version (rotation without redeploy).
                keyVaultProperties: { keyName: cmk.keyName, keyVaultUri: cmk.keyVaultUri },
                encryptionIdentity: { encryptionUserAssignedIdentity: cmk.identityId },
              }
            : { keySource: storage.KeySource.Microsoft_Storage }),
        },
        ...(cmk
          ? {
              identity: { type: storage.IdentityType.UserAssigned, userAssignedIdentities: [cmk.identityId] },
            }
          : {}),
        tags,
      },
      { parent: this, protect: locked },
    );

    const blobService = new storage.BlobServiceProperties(
      `${name}-blob-service`,
      {
        resourceGroupName: platform.resourceGroupName,
        accountName: account.name,
        blobServicesName: "default",
        deleteRetentionPolicy: { enabled: true, days: softDelete },
        containerDeleteRetentionPolicy: { enabled: true, days: softDelete },
        isVersioningEnabled: true,
        changeFeed: { enabled: true, retentionInDays: changeFeedDays },
        restorePolicy: { enabled: true, days: restoreDays },
      },
      { parent: this },
    );
    const containers = settings!.containers.map(
      (containerName) =>
        new storage.BlobContainer(
          `${name}-${containerName}`,
          {
            resourceGroupName: platform.resourceGroupName,
            accountName: account.name,
            containerName,
            publicAccess: storage.PublicAccess.None,
          },
          // After the service properties: soft delete protects a container from its first day.
          { parent: this, dependsOn: [blobService], protect: locked },
        ),
    );

    if (locked) addLock(`${name}-account`, account, args.lock, { parent: this });
    const endpoint = addPrivateEndpoint(name, account.id, "blob", platform, args.privateEndpoint, {
      parent: this,
    });
    // Blob logs come from the blob service (`<account>/blobServices/default`); the account emits metrics.
    addDiagnostics(`${name}-blob`, blobService.id, "storageBlob", platform, args.diagnostics, {
      parent: this,
    });
    addDiagnostics(`${name}-account`, account.id, "storageAccount", platform, args.diagnostics, {
      parent: this,
    });
    addMetricAlerts(
      name,
      account.id,
      [
        {
          name: "availability",
          description: "Storage availability below 99.9%",
          metricNamespace: "Microsoft.Storage/storageAccounts",
          metricName: "Availability",
          operator: "LessThan",
          threshold: 99.9,
          aggregation: "Average",
          severity: 1,
        },
      ],
      platform,
      { parent: this },
    );
    assignRoles(name, account.id, args.roleAssignments, this);

    this.accountId = account.id;
    this.accountName = account.name;
    // Apps get the endpoint once its private address is in DNS (NET-1).
    this.blobEndpoint = endpoint.reachable(account.primaryEndpoints.blob);
    this.containerNames = pulumi.all(containers.map((c) => c.name));
    this.registerOutputs({
      accountId: this.accountId,
      accountName: this.accountName,
      blobEndpoint: this.blobEndpoint,
      containerNames: this.containerNames,
    });
  }
}
