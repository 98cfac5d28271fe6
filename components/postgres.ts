/**
 * PostgreSQL Flexible Server for customer data, secure by default:
 * Entra-only authentication with an Entra group as administrator (IAM-1), TLS required with a
 * TLS 1.3 floor (TLS-1), connection logging (LOG-1), >= 30-day geo-redundant backups kept in
 * the EU pair (BAK-1, RES-1), zone-redundant HA in prod (AVL-1), no public network access and a
 * private endpoint (NET-1), customer-managed keys for the data and the geo backup (ENC-2),
 * diagnostics, alerts, and a lock plus `protect` in prod (BAK-2).
 *
 * Private endpoint, not VNet integration: a VNet-integrated server needs its own delegated
 * subnet that can hold nothing else and cannot move later, while the private endpoint shares
 * the platform's endpoint subnet and DNS zones like every other data store.
 */
import * as pulumi from "@pulumi/pulumi";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import {
  POSTGRES_STORAGE_SIZES_GB,
  POSTGRES_VERSIONS,
  postgresSettingsSchema,
  PostgresSkuTier,
  PostgresVersion,
} from "./postgres.schema";
import { BACKUP_RETENTION_DAYS } from "../controls/limits";
import { argError, parseArgs, PLATFORM_CONTEXT_KEYS } from "./common/schema";
import { EU_REGIONS, pairedRegion } from "../controls/regions";
import { addMetricAlerts } from "./common/alerts";
import { addDiagnostics } from "./common/diagnostics";
import { startArgChecks, type CommonComponentArgs, type CustomerManagedKeyArgs } from "./common/interfaces";
import { addLock } from "./common/lock";
import { assignRoles, checkCustomerManagedKey, prepareDataComponent } from "./common/dataComponent";
import { globalResourceName } from "./common/naming";
import { addPrivateEndpoint } from "./common/privateEndpoint";
import { componentType, withLegacyAlias } from "./common/componentType";
import { customerManagedKeyRequired, zoneRedundancyRequired } from "./common/mandatory";

/** Major versions the API accepts (`PostgresMajorVersion`) that the platform supports. */
export const SUPPORTED_POSTGRES_VERSIONS: readonly PostgresVersion[] = POSTGRES_VERSIONS.filter((v) =>
  (Object.values(dbforpostgresql.PostgresMajorVersion) as string[]).includes(v),
);
export { POSTGRES_STORAGE_SIZES_GB, PostgresSkuTier, PostgresVersion };
/** Availability zone of a server (AVL-1). */
export const AvailabilityZone = {
  /** Zone 1. */
  Zone1: "1",
  /** Zone 2. */
  Zone2: "2",
  /** Zone 3. */
  Zone3: "3",
} as const;
export type AvailabilityZone = (typeof AvailabilityZone)[keyof typeof AvailabilityZone];

/** BAK-1: at least 30 days; Azure keeps at most 35. */
export const MIN_BACKUP_RETENTION_DAYS = BACKUP_RETENTION_DAYS.min;
export const MAX_BACKUP_RETENTION_DAYS = BACKUP_RETENTION_DAYS.max;

/**
 * Server parameters, applied one after another in this order (TLS-1, LOG-1). Azure rejects
 * parallel configuration updates on one server with ServerBusy.
 */
export const POSTGRES_SERVER_PARAMETERS: readonly { name: string; value: string; control: string }[] = [
  { name: "require_secure_transport", value: "on", control: "TLS-1" },
  { name: "ssl_min_protocol_version", value: "TLSv1.3", control: "TLS-1" },
  { name: "log_connections", value: "on", control: "LOG-1" },
  { name: "log_disconnections", value: "on", control: "LOG-1" },
  { name: "connection_throttle.enable", value: "on", control: "LOG-1" },
];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `https://<vault>.vault.azure.net/keys/<name>` with no version segment. */
const VERSIONLESS_KEY_URI = /^https:\/\/[^/]+\/keys\/[^/]+\/?$/;

/** The Entra group that administers the server (IAM-1: there is no password administrator). */
export interface PostgresAdminGroup {
  /** Object ID of the Entra group. */
  objectId: string;
  /** Display name of the group; PostgreSQL uses it as the admin role name. */
  displayName: string;
}

/** Weekly maintenance window (server time, UTC). */
export interface MaintenanceWindow {
  /** 0 = Sunday .. 6 = Saturday. */
  dayOfWeek: number;
  /** 0..23. */
  startHour: number;
}

export interface PostgresServerArgs extends CommonComponentArgs {
  /** Entra group made the server's administrator. */
  adminGroup: PostgresAdminGroup;
  /** Databases to create (UTF8, en_US.utf8). At least one. */
  databases: string[];
  /** PostgreSQL major version. Default "18" (current GA). */
  version?: PostgresVersion;
  /** Compute tier. Default `Burstable` in dev; zone-redundant HA needs GeneralPurpose or MemoryOptimized. */
  skuTier?: PostgresSkuTier;
  /** Compute size matching the tier (Standard_B*, Standard_D*, Standard_E*). Default Standard_B2s. */
  skuName?: string;
  /**
   * Initial Premium SSD size in GiB (32, 64, 128, ... 32767). Default 32. Storage then grows
   * automatically; a later change of this value is ignored (Azure never shrinks a disk, and the
   * grown size is Azure's): grow ahead of need with `az postgres flexible-server update --storage-size`.
   */
  storageSizeGb?: number;
  /** BAK-1: point-in-time-restore window in days, 30..35. Default 35. */
  backupRetentionDays?: number;
  /**
   * ENC-2: key for the geo-redundant backup copy, in a vault in the platform's paired region
   * (Azure requires the geo-backup key to live in the geo-backup region) with its own identity.
   * Required whenever `customerManagedKey` is set (geo-redundant backup is always on).
   */
  geoBackupCustomerManagedKey?: CustomerManagedKeyArgs;
  /**
   * Zone of the primary when HA is zone redundant, at creation. Default "1". A failover swaps the
   * zones; the server keeps where Azure put it (later changes of both zones are ignored).
   */
  availabilityZone?: AvailabilityZone;
  /** Zone of the HA standby at creation; must differ from `availabilityZone`. Default "2". */
  standbyAvailabilityZone?: AvailabilityZone;
  /** Weekly maintenance window. Default Sunday 02:00 UTC. */
  maintenanceWindow?: MaintenanceWindow;
  /** Part of the server name, e.g. `main`. Default `main`. */
  purpose?: string;
}

// Every key of the args type; the compiler keeps this list complete, and a JS caller passing
// e.g. `administratorLoginPassword` gets an error instead of a silently ignored value.
const ARG_KEYS: Record<keyof PostgresServerArgs, true> = {
  platform: true,
  diagnostics: true,
  lock: true,
  privateEndpoint: true,
  customerManagedKey: true,
  roleAssignments: true,
  tags: true,
  adminGroup: true,
  databases: true,
  version: true,
  skuTier: true,
  skuName: true,
  storageSizeGb: true,
  backupRetentionDays: true,
  geoBackupCustomerManagedKey: true,
  availabilityZone: true,
  standbyAvailabilityZone: true,
  maintenanceWindow: true,
  purpose: true,
};

/** A versionless key URI (rotation needs no redeploy); checked now if known, else when it resolves. */
function versionlessKeyUri(
  owner: string,
  field: "customerManagedKey" | "geoBackupCustomerManagedKey",
  uri: pulumi.Input<string>,
): pulumi.Input<string> {
  const check = (value: string): string => {
    if (!VERSIONLESS_KEY_URI.test(value)) {
      throw argError(
        owner,
        [field, "keyUri"],
        value,
        "must be a versionless Key Vault key URI (https://<vault>.vault.azure.net/keys/<name>) so key rotation needs no redeploy (ENC-2)",
      );
    }
    return value;
  };
  return typeof uri === "string" ? check(uri) : pulumi.output(uri).apply(check);
}

/**
 * PostgreSQL flexible server (IAM-1, TLS-1, ENC-1/2, NET-1, BAK-1, AVL-1, LOG-1): Entra-only
 * authentication, TLS 1.3, customer-managed keys, private access, geo-redundant backups.
 */
export class PostgresServer extends pulumi.ComponentResource {
  /** Resource ID of the server. */
  readonly serverId: pulumi.Output<string>;
  /** Name of the server (with its random suffix). */
  readonly serverName: pulumi.Output<string>;
  /** `<name>.postgres.database.azure.com`, resolved privately through the private DNS zone. */
  readonly fqdn: pulumi.Output<string>;
  /** Names of the databases created. */
  readonly databaseNames: pulumi.Output<string[]>;
  /** Entra admin role name (the group's display name). */
  readonly adminGroupName: string;

  constructor(name: string, args: PostgresServerArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = `PostgresServer "${name}"`;
    // Every problem at once, before anything registers.
    const { problems, platformOk } = startArgChecks(
      owner,
      args,
      Object.keys(ARG_KEYS),
      "there is no password admin, public access or backup switch to set",
      PLATFORM_CONTEXT_KEYS,
    );
    problems.beforePlatformReads(platformOk);
    const { platform } = args;
    // The settings a stack chooses (the same schema as the stack config's postgres* keys).
    const highAvailability = zoneRedundancyRequired(platform);
    const settings = problems.check(() =>
      parseArgs(owner, postgresSettingsSchema(platform), {
        databases: args.databases,
        version: args.version,
        skuTier: args.skuTier,
        skuName: args.skuName,
        storageSizeGb: args.storageSizeGb,
        backupRetentionDays: args.backupRetentionDays,
      }),
    );
    if (settings && !SUPPORTED_POSTGRES_VERSIONS.includes(settings.version)) {
      problems.add(["version"], settings.version, `must be one of ${SUPPORTED_POSTGRES_VERSIONS.join(", ")}`);
    }
    const zone = args.availabilityZone ?? "1";
    const standbyZone = args.standbyAvailabilityZone ?? "2";
    for (const [field, value] of [
      ["availabilityZone", zone],
      ["standbyAvailabilityZone", standbyZone],
    ] as const) {
      if (!["1", "2", "3"].includes(value)) problems.add([field], value, 'must be "1", "2" or "3"');
    }
    if (highAvailability && zone === standbyZone) {
      problems.add(
        ["standbyAvailabilityZone"],
        standbyZone,
        "equals availabilityZone: zone-redundant HA needs two different zones (AVL-1)",
      );
    }
    const adminGroup = args.adminGroup as Partial<PostgresServerArgs["adminGroup"]> | undefined;
    if (typeof adminGroup !== "object" || adminGroup === null) {
      problems.add(
        ["adminGroup"],
        adminGroup,
        "is required: { objectId, displayName } of the Entra admin group",
      );
    } else {
      if (typeof adminGroup.objectId !== "string" || !GUID.test(adminGroup.objectId)) {
        problems.add(["adminGroup", "objectId"], adminGroup.objectId, "must be an Entra object ID (GUID)");
      }
      if (typeof adminGroup.displayName !== "string" || adminGroup.displayName.trim().length === 0) {
        problems.add(
          ["adminGroup", "displayName"],
          adminGroup.displayName,
          "is required: the group's display name (it becomes the admin role name)",
        );
      }
    }
    const window = args.maintenanceWindow ?? { dayOfWeek: 0, startHour: 2 };
    if (!Number.isInteger(window.dayOfWeek) || window.dayOfWeek < 0 || window.dayOfWeek > 6) {
      problems.add(["maintenanceWindow", "dayOfWeek"], window.dayOfWeek, "must be 0 (Sunday) .. 6");
    }
    if (!Number.isInteger(window.startHour) || window.startHour < 0 || window.startHour > 23) {
      problems.add(["maintenanceWindow", "startHour"], window.startHour, "must be 0..23");
    }
    // RES-1: Azure writes geo-redundant backups to the region's pair; that pair must be the
    // platform's checked pairedLocation and an EU region.
    const pair = pairedRegion(platform.location);
    const eu = EU_REGIONS as readonly string[];
    if (!eu.includes(platform.location.toLowerCase())) {
      problems.add(
        ["platform", "location"],
        platform.location,
        `is not an EU region: ${EU_REGIONS.join(", ")} (RES-1)`,
      );
    } else if (!pair || !eu.includes(pair)) {
      problems.add(
        ["platform", "location"],
        platform.location,
        `geo-redundant backups go to ${pair ?? "no paired region"}, which is not an EU region (RES-1)`,
      );
    } else if (
      platform.pairedLocation.toLowerCase() !== pair ||
      !eu.includes(platform.pairedLocation.toLowerCase())
    ) {
      problems.add(
        ["platform", "pairedLocation"],
        platform.pairedLocation,
        `geo-redundant backups of ${platform.location} can only go to its Azure pair ${pair} (an EU region, RES-1)`,
      );
    }
    const cmk = args.customerManagedKey;
    const geoCmk = args.geoBackupCustomerManagedKey;
    // Read below only when they are mappings with every key.
    const reads = ["keyVaultId", "keyUri", "identityId"] as const;
    const cmkOk = checkCustomerManagedKey(problems, "customerManagedKey", cmk, reads);
    const geoCmkOk = checkCustomerManagedKey(problems, "geoBackupCustomerManagedKey", geoCmk, reads);
    if (!cmk && customerManagedKeyRequired(platform)) {
      problems.add(
        ["customerManagedKey"],
        cmk,
        `is required in ${platform.environment}: the server must be created encrypted with a customer-managed key (ENC-2; fixed at creation)`,
      );
    }
    if (cmk && !geoCmk) {
      problems.add(
        ["geoBackupCustomerManagedKey"],
        geoCmk,
        `is required with customerManagedKey: the geo-redundant backup in ${pair ?? "the paired region"} needs its own key in a vault in ${pair ?? "the paired region"} and its own identity (ENC-2)`,
      );
    }
    if (geoCmk && !cmk) {
      problems.problems.push({
        path: ["geoBackupCustomerManagedKey"],
        value: "(set)",
        message: "needs customerManagedKey as well (ENC-2)",
      });
    }
    if (cmk && geoCmk && typeof cmk.keyVaultId === "string" && cmk.keyVaultId === geoCmk.keyVaultId) {
      problems.add(
        ["geoBackupCustomerManagedKey", "keyVaultId"],
        geoCmk.keyVaultId,
        `is the primary key's vault; the geo-backup key must live in a vault in ${pair ?? "the paired region"} (ENC-2)`,
      );
    }
    const primaryKeyUri =
      cmk && cmkOk
        ? problems.check(() => versionlessKeyUri(owner, "customerManagedKey", cmk.keyUri))
        : undefined;
    const geoKeyUri =
      geoCmk && geoCmkOk
        ? problems.check(() => versionlessKeyUri(owner, "geoBackupCustomerManagedKey", geoCmk.keyUri))
        : undefined;
    const purpose = args.purpose ?? "main";
    const { locked, tags } = prepareDataComponent(owner, platform, args, "postgresServer", purpose, problems);
    const { version, skuTier, skuName, storageSizeGb } = settings!;
    const retention = settings!.backupRetentionDays;

    super(componentType("PostgresServer"), name, {}, withLegacyAlias("PostgresServer", opts));

    const server = new dbforpostgresql.Server(
      `${name}-server`,
      {
        resourceGroupName: platform.resourceGroupName,
        location: platform.location,
        serverName: globalResourceName(platform, "postgresServer", purpose, this),
        // A later major version is an in-place update, never a replace: `version` has no
        // x-ms-mutability in Servers.json 2025-08-01 and azure-native forces no replacement for it
        // (provider/pkg/gen/replacement.go), so azure-native PUTs the server with the new version.
        // An earlier one is refused by the change preview (lib/offline/diff.ts UPDATE_REFUSED).
        // Microsoft's own upgrade request also sends createMode "Update"
        // (ServersUpdateWithMajorVersionUpgrade.json), which this PUT does not: docs/offline-plan.md.
        version,
        sku: { tier: skuTier, name: skuName },
        storage: {
          storageSizeGB: storageSizeGb,
          autoGrow: dbforpostgresql.StorageAutoGrow.Enabled,
          type: dbforpostgresql.StorageType.Premium_LRS,
        },
        // IAM-1: Entra only; no administratorLogin/password exists anywhere.
        authConfig: {
          activeDirectoryAuth: dbforpostgresql.MicrosoftEntraAuth.Enabled,
          passwordAuth: dbforpostgresql.PasswordBasedAuth.Disabled,
          tenantId: platform.tenantId,
        },
        backup: {
          backupRetentionDays: retention,
          // Fixed at creation; the copy goes to the Azure pair checked above (RES-1).
          geoRedundantBackup: dbforpostgresql.GeographicallyRedundantBackup.Enabled,
        },
        highAvailability: highAvailability
          ? {
              mode: dbforpostgresql.PostgreSqlFlexibleServerHighAvailabilityMode.ZoneRedundant,
              standbyAvailabilityZone: standbyZone,
            }
          : { mode: dbforpostgresql.PostgreSqlFlexibleServerHighAvailabilityMode.Disabled },
        availabilityZone: highAvailability ? zone : undefined,
        network: { publicNetworkAccess: dbforpostgresql.ServerPublicNetworkAccessState.Disabled },
        maintenanceWindow: {
          customWindow: "Enabled",
          dayOfWeek: window.dayOfWeek,
          startHour: window.startHour,
          startMinute: 0,
        },
        ...(cmk && geoCmk
          ? {
              identity: {
                type: dbforpostgresql.IdentityType.UserAssigned,
                userAssignedIdentities: pulumi
                  .all([cmk.identityId, geoCmk.identityId])
                  .apply(([primary, geo]) => ({ [primary]: {}, [geo]: {} })),
              },
              dataEncryption: {
                type: dbforpostgresql.DataEncryptionType.AzureKeyVault,
                primaryKeyURI: primaryKeyUri,
                primaryUserAssignedIdentityId: cmk.identityId,
                geoBackupKeyURI: geoKeyUri,
                geoBackupUserAssignedIdentityId: geoCmk.identityId,
              },
            }
          : { dataEncryption: { type: dbforpostgresql.DataEncryptionType.SystemAssigned } }),
        tags,
      },
      {
        parent: this,
        protect: locked,
        // What Azure changes on its own, and a refresh copies into the state's inputs, is kept:
        // - autogrow doubles the disk and Azure refuses any smaller size
        //   (DowngradeDiskSizeUnsupported): the configured size is the initial one;
        // - an HA failover swaps the primary and standby zones, and availabilityZone is create-only:
        //   reverting it would replace the server (refused under `protect`, data loss without).
        ignoreChanges: [
          "storage.storageSizeGB",
          "availabilityZone",
          "highAvailability.standbyAvailabilityZone",
        ],
      },
    );

    const serverName = server.name;
    const admin = new dbforpostgresql.AdministratorsMicrosoftEntra(
      `${name}-entra-admin`,
      {
        resourceGroupName: platform.resourceGroupName,
        serverName,
        objectId: args.adminGroup.objectId,
        principalName: args.adminGroup.displayName,
        principalType: dbforpostgresql.PrincipalType.Group,
        tenantId: platform.tenantId,
      },
      { parent: this },
    );

    // One server operation at a time: admin, then each parameter, then each database.
    let previous: pulumi.Resource = admin;
    for (const parameter of POSTGRES_SERVER_PARAMETERS) {
      previous = new dbforpostgresql.Configuration(
        `${name}-${parameter.name.replace(/[._]/g, "-")}`,
        {
          resourceGroupName: platform.resourceGroupName,
          serverName,
          configurationName: parameter.name,
          value: parameter.value,
          source: "user-override",
        },
        { parent: this, dependsOn: [previous] },
      );
    }
    const databases = args.databases.map((databaseName) => {
      previous = new dbforpostgresql.Database(
        `${name}-db-${databaseName}`,
        {
          resourceGroupName: platform.resourceGroupName,
          serverName,
          databaseName,
          charset: "UTF8",
          collation: "en_US.utf8",
        },
        { parent: this, dependsOn: [previous], protect: locked },
      );
      return previous as dbforpostgresql.Database;
    });

    if (locked) addLock(`${name}-server`, server, args.lock, { parent: this });
    // The endpoint's connection is a server operation too: after the chain, never beside it
    // (parallel operations on a flexible server fail with ServerBusy).
    const endpoint = addPrivateEndpoint(name, server.id, "postgresqlServer", platform, args.privateEndpoint, {
      parent: this,
      dependsOn: [previous],
    });
    addDiagnostics(`${name}-server`, server.id, "postgres", platform, args.diagnostics, { parent: this });
    addMetricAlerts(
      name,
      server.id,
      [
        {
          name: "cpu",
          description: "PostgreSQL CPU above 80%",
          metricNamespace: "Microsoft.DBforPostgreSQL/flexibleServers",
          metricName: "cpu_percent",
          operator: "GreaterThan",
          threshold: 80,
          aggregation: "Average",
          severity: 2,
        },
        {
          name: "storage",
          description: "PostgreSQL storage above 85%",
          metricNamespace: "Microsoft.DBforPostgreSQL/flexibleServers",
          metricName: "storage_percent",
          operator: "GreaterThan",
          threshold: 85,
          aggregation: "Average",
          severity: 1,
        },
        {
          name: "memory",
          description: "PostgreSQL memory above 90%",
          metricNamespace: "Microsoft.DBforPostgreSQL/flexibleServers",
          metricName: "memory_percent",
          operator: "GreaterThan",
          threshold: 90,
          aggregation: "Average",
          severity: 2,
        },
        {
          name: "alive",
          description: "PostgreSQL server not reachable",
          metricNamespace: "Microsoft.DBforPostgreSQL/flexibleServers",
          metricName: "is_db_alive",
          operator: "LessThan",
          threshold: 1,
          aggregation: "Minimum",
          severity: 0,
          windowSize: "PT5M",
          frequency: "PT1M",
        },
      ],
      platform,
      { parent: this },
    );
    assignRoles(name, server.id, args.roleAssignments, this);

    this.serverId = server.id;
    this.serverName = serverName;
    // Apps get the host name once its private address is in DNS (NET-1).
    this.fqdn = endpoint.reachable(server.fullyQualifiedDomainName);
    this.databaseNames = pulumi.all(databases.map((d) => d.name));
    this.adminGroupName = args.adminGroup.displayName;
    this.registerOutputs({
      serverId: this.serverId,
      serverName: this.serverName,
      fqdn: this.fqdn,
      databaseNames: this.databaseNames,
      adminGroupName: this.adminGroupName,
    });
  }
}
