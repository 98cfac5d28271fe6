/**
 * PostgreSQL flexible servers, their server parameters and firewall rules (IAM-1, BAK-1,
 * AVL-1, NET-1, ENC-2, TLS-1, LOG-1). Azure defaults that are insecure — password auth on,
 * 7-day backups, local backup only, public access when no subnet is delegated — make a
 * missing setting a violation.
 */
import {
  propertyDependenciesOf,
  requireCmkParam,
  requireZoneParam,
  resourcePolicy,
  stackPolicy,
  type StackResource,
} from "../lib/define";
import { bool, eqi, get, has, NOT_KNOWN, num, peek, show, str } from "../lib/props";
import {
  allowedDestinationsParam,
  destinationLocationsParam,
  destinationProblem,
  judgedOnInputsInPreview,
  label,
  pathParameterOf,
  peekSet,
  stackIndex,
} from "../lib/relations";
import { BACKUP_RETENTION_DAYS } from "../../controls/limits";

const SERVER = ["azure-native:dbforpostgresql:Server"] as const;
const CONFIGURATION = ["azure-native:dbforpostgresql:Configuration"] as const;

export const postgresEntraAuthOnly = resourcePolicy({
  name: "postgres-entra-auth-only",
  description: "PostgreSQL servers authenticate with Entra ID only; password authentication is off (IAM-1).",
  controls: ["IAM-1"],
  severity: "high",
  remediation:
    "Set authConfig { activeDirectoryAuth: Enabled, passwordAuth: Disabled } and administer the server through an Entra group; do not set administratorLoginPassword.",
  types: SERVER,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (!eqi(get(props, "authConfig", "activeDirectoryAuth"), "Enabled"))
      report(
        `authConfig.activeDirectoryAuth is ${show(get(props, "authConfig", "activeDirectoryAuth"))}; it must be Enabled`,
      );
    if (!eqi(get(props, "authConfig", "passwordAuth"), "Disabled"))
      report(
        `authConfig.passwordAuth is ${show(get(props, "authConfig", "passwordAuth"))}; it must be Disabled (Azure's default enables passwords)`,
      );
    if (has(props, "administratorLoginPassword"))
      report("administratorLoginPassword is set; password admins are not allowed");
  },
});

export const postgresBackupRetention = resourcePolicy({
  name: "postgres-backup-retention",
  description: "PostgreSQL backups are kept at least the configured number of days (BAK-1).",
  controls: ["BAK-1"],
  severity: "high",
  remediation: `Set backup.backupRetentionDays between minBackupRetentionDays and ${BACKUP_RETENTION_DAYS.max}.`,
  types: SERVER,
  config: {
    minBackupRetentionDays: {
      description: "Minimum PostgreSQL backup retention in days (Azure allows 7-35).",
      default: BACKUP_RETENTION_DAYS.min,
      schema: { minimum: 7, maximum: BACKUP_RETENTION_DAYS.max },
    },
  },
  check: ({ props }, cfg, report) => {
    const days = num(props, "backup", "backupRetentionDays");
    if (days === undefined || days < cfg.minBackupRetentionDays)
      report(
        `backup.backupRetentionDays is ${show(get(props, "backup", "backupRetentionDays"))}; it must be at least ${cfg.minBackupRetentionDays} (Azure's default is 7)`,
      );
  },
});

export const postgresGeoRedundantBackup = resourcePolicy({
  name: "postgres-geo-redundant-backup",
  description: "PostgreSQL backups are copied to the paired region (BAK-1). Fixed at creation.",
  controls: ["BAK-1"],
  severity: "high",
  remediation: "Set backup.geoRedundantBackup: Enabled (only possible when the server is created).",
  types: SERVER,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (!eqi(get(props, "backup", "geoRedundantBackup"), "Enabled"))
      report(
        `backup.geoRedundantBackup is ${show(get(props, "backup", "geoRedundantBackup"))}; it must be Enabled`,
      );
  },
});

export const postgresZoneRedundantHa = resourcePolicy({
  name: "postgres-zone-redundant-ha",
  description: "When zone redundancy is required, PostgreSQL runs zone-redundant high availability (AVL-1).",
  controls: ["AVL-1"],
  severity: "high",
  remediation: "Set highAvailability.mode: ZoneRedundant (needs the GeneralPurpose or MemoryOptimized tier).",
  types: SERVER,
  config: { requireZoneRedundancy: requireZoneParam },
  check: ({ props }, cfg, report) => {
    if (!cfg.requireZoneRedundancy) return;
    if (!eqi(get(props, "highAvailability", "mode"), "ZoneRedundant"))
      report(
        `highAvailability.mode is ${show(get(props, "highAvailability", "mode"))}; it must be ZoneRedundant`,
      );
  },
});

export const postgresPrivateAccess = resourcePolicy({
  name: "postgres-private-access",
  description:
    "PostgreSQL servers have no public network access: either public access Disabled with a private endpoint, or VNet integration (NET-1).",
  controls: ["NET-1"],
  severity: "critical",
  remediation:
    "Set network.publicNetworkAccess: Disabled and add a private endpoint (group postgresqlServer), or delegate a subnet (network.delegatedSubnetResourceId).",
  types: SERVER,
  config: {},
  check: ({ props }, _cfg, report) => {
    const access = get(props, "network", "publicNetworkAccess");
    const vnetIntegrated = has(props, "network", "delegatedSubnetResourceId");
    if (eqi(access, "Enabled")) report("network.publicNetworkAccess is Enabled; it must be Disabled");
    else if (!vnetIntegrated && !eqi(access, "Disabled"))
      report(
        `network.publicNetworkAccess is ${show(access)}; without VNet integration it must be Disabled (Azure's default is Enabled)`,
      );
  },
});

export const postgresCustomerManagedKey = resourcePolicy({
  name: "postgres-customer-managed-key",
  description:
    "When customer-managed keys are required, PostgreSQL encrypts with a Key Vault key through a user-assigned identity, and a geo-backup key and identity when geo-redundant backup is on (ENC-2).",
  controls: ["ENC-2"],
  severity: "high",
  remediation:
    "Set dataEncryption { type: AzureKeyVault, primaryKeyURI, primaryUserAssignedIdentityId } and, with geo-redundant backup, geoBackupKeyURI and geoBackupUserAssignedIdentityId (key in a vault of the paired region); list the identities under identity.userAssignedIdentities.",
  types: SERVER,
  config: { requireCustomerManagedKey: requireCmkParam },
  check: ({ props }, cfg, report) => {
    if (!cfg.requireCustomerManagedKey) return;
    if (!eqi(get(props, "dataEncryption", "type"), "AzureKeyVault")) {
      report(
        `dataEncryption.type is ${show(get(props, "dataEncryption", "type"))}; it must be AzureKeyVault`,
      );
      return;
    }
    if (!has(props, "dataEncryption", "primaryKeyURI")) report("dataEncryption.primaryKeyURI is not set");
    if (!has(props, "dataEncryption", "primaryUserAssignedIdentityId"))
      report("dataEncryption.primaryUserAssignedIdentityId is not set");
    if (eqi(get(props, "backup", "geoRedundantBackup"), "Enabled")) {
      if (!has(props, "dataEncryption", "geoBackupKeyURI"))
        report("geo-redundant backup is on but dataEncryption.geoBackupKeyURI is not set");
      if (!has(props, "dataEncryption", "geoBackupUserAssignedIdentityId"))
        report("geo-redundant backup is on but dataEncryption.geoBackupUserAssignedIdentityId is not set");
    }
  },
});

/** PostgreSQL `ssl_min_protocol_version` values in order. */
const PG_TLS = ["tlsv1", "tlsv1.1", "tlsv1.2", "tlsv1.3"];
const OFF = /^(off|false|0|no)$/i;

function configurationName(props: Readonly<Record<string, unknown>>): string | undefined {
  return str(props, "configurationName")?.toLowerCase();
}

export const postgresConfigurationTls = resourcePolicy({
  name: "postgres-configuration-tls",
  description:
    "PostgreSQL server parameters keep TLS mandatory and the protocol floor at the configured version (TLS-1; our standard is TLSv1.3).",
  controls: ["TLS-1"],
  severity: "high",
  remediation:
    "Leave require_secure_transport on and set ssl_min_protocol_version to TLSv1.3 (or the configured minimum).",
  types: CONFIGURATION,
  config: {
    minTlsVersion: {
      description: "Lowest acceptable ssl_min_protocol_version.",
      default: "TLSv1.3",
      schema: { enum: ["TLSv1.2", "TLSv1.3"] },
    },
  },
  check: ({ props }, cfg, report) => {
    const name = configurationName(props);
    const value = str(props, "value");
    if (name === "require_secure_transport") {
      if (value === undefined || OFF.test(value.trim()))
        report(`require_secure_transport is ${show(get(props, "value"))}; it must be on`);
    } else if (name === "ssl_min_protocol_version") {
      const index = value === undefined ? -1 : PG_TLS.indexOf(value.trim().toLowerCase());
      if (index < PG_TLS.indexOf(cfg.minTlsVersion.toLowerCase()))
        report(
          `ssl_min_protocol_version is ${show(get(props, "value"))}; it must be ${cfg.minTlsVersion} or newer`,
        );
    } else if (name === "ssl_max_protocol_version") {
      const value2 = value?.trim().toLowerCase();
      if (
        value2 &&
        PG_TLS.indexOf(value2) >= 0 &&
        PG_TLS.indexOf(value2) < PG_TLS.indexOf(cfg.minTlsVersion.toLowerCase())
      )
        report(`ssl_max_protocol_version ${show(value)} is below the required floor ${cfg.minTlsVersion}`);
    }
  },
});

export const postgresConfigurationConnectionLogging = resourcePolicy({
  name: "postgres-configuration-connection-logging",
  description: "PostgreSQL server parameters keep connection and disconnection logging on (LOG-1).",
  controls: ["LOG-1"],
  severity: "medium",
  remediation: "Set log_connections and log_disconnections to on.",
  types: CONFIGURATION,
  config: {},
  check: ({ props }, _cfg, report) => {
    const name = configurationName(props);
    if (name !== "log_connections" && name !== "log_disconnections") return;
    const value = str(props, "value");
    if (value === undefined || OFF.test(value.trim()))
      report(`${name} is ${show(get(props, "value"))}; it must be on`);
  },
});

/**
 * Extensions that only work inside the database, allowed without review. Everything else the
 * azure.extensions allowlist names needs a reviewed config entry: dblink and postgres_fdw open
 * connections to any PostgreSQL server (Microsoft: "both incoming and outgoing connections"),
 * azure_storage imports and exports blobs of any account, azure_ai / azure_ml send rows to
 * model endpoints, pg_cron runs SQL on a schedule in any database.
 */
const LOCAL_EXTENSIONS = [
  "btree_gin",
  "btree_gist",
  "citext",
  "fuzzystrmatch",
  "hstore",
  "intarray",
  "ltree",
  "pg_buffercache",
  "pg_prewarm",
  "pg_stat_statements",
  "pg_trgm",
  "pgaudit",
  "pgcrypto",
  "pgstattuple",
  "plpgsql",
  "tablefunc",
  "unaccent",
  "uuid-ossp",
  "vector",
] as const;

export const postgresExtensionsAllowed = resourcePolicy({
  name: "postgres-extensions-allowed",
  description:
    "The azure.extensions server parameter (the allowlist CREATE EXTENSION needs) names only extensions that stay inside the database, or reviewed ones: dblink, postgres_fdw, azure_storage, azure_ai and pg_cron move data to other servers, storage accounts or endpoints where no private endpoint, firewall or diagnostic setting of the stack looks (NET-1, IAM-1).",
  controls: ["NET-1", "IAM-1"],
  severity: "high",
  remediation:
    "Remove the extension from azure.extensions; a reviewed need goes in allowedExtensions of policy/config/<stack>.json.",
  types: CONFIGURATION,
  config: {
    allowedExtensions: {
      description:
        "Extensions azure.extensions may name (lower case). The default lists extensions with no network reach.",
      default: LOCAL_EXTENSIONS,
    },
  },
  check: ({ props }, cfg, report) => {
    if (configurationName(props) !== "azure.extensions") return;
    const value = get(props, "value");
    // Azure takes a comma-separated list (its docs' example starts with a space); anything else is judged.
    if (value !== undefined && typeof value !== "string") {
      report(`azure.extensions is ${show(value)}; it must be a comma-separated list of extension names`);
      return;
    }
    const allowed = new Set(cfg.allowedExtensions.map((e) => e.trim().toLowerCase()));
    const refused = (value ?? "")
      .split(",")
      .map((e) => e.trim().toLowerCase())
      .filter((e) => e !== "" && !allowed.has(e));
    if (refused.length)
      report(
        `azure.extensions allows ${refused.map((e) => show(e)).join(", ")}, not in allowedExtensions (${[...allowed].join(", ")})`,
      );
  },
});

/** IPv4 dotted quad -> number, or undefined. */
function ipv4(value: string | undefined): number | undefined {
  const m = value?.trim().match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

export const postgresFirewallNoOpenRange = resourcePolicy({
  name: "postgres-firewall-no-open-range",
  description:
    "PostgreSQL firewall rules never open the server to the whole internet (0.0.0.0-255.255.255.255), to every Azure tenant (0.0.0.0-0.0.0.0) or to ranges wider than the configured prefix (NET-1).",
  controls: ["NET-1"],
  severity: "critical",
  remediation: "Delete the rule; reach the server through its private endpoint.",
  types: ["azure-native:dbforpostgresql:FirewallRule"],
  config: {
    maxAddresses: {
      description: "Largest number of addresses a single rule may cover (256 = a /24).",
      default: 256,
      schema: { minimum: 1 },
    },
  },
  check: ({ props }, cfg, report) => {
    const start = ipv4(str(props, "startIpAddress"));
    const end = ipv4(str(props, "endIpAddress"));
    if (start === undefined || end === undefined) {
      report(
        `startIpAddress/endIpAddress (${show(get(props, "startIpAddress"))}-${show(get(props, "endIpAddress"))}) are not IPv4 addresses`,
      );
      return;
    }
    if (start === 0 && end === 0) report("0.0.0.0-0.0.0.0 allows every Azure service of every tenant");
    else if (end - start + 1 > cfg.maxAddresses)
      report(`the rule covers ${end - start + 1} addresses; at most ${cfg.maxAddresses} are allowed`);
  },
});

export const postgresFirewallNoRules = resourcePolicy({
  name: "postgres-firewall-no-rules",
  description:
    "PostgreSQL servers have public access disabled, so a firewall rule is at best dead and at worst the first step to reopening the server: none are allowed unless configured (NET-1).",
  controls: ["NET-1"],
  severity: "medium",
  remediation:
    "Remove the firewall rule and connect through the private endpoint; if a rule is truly needed, set allowFirewallRules for this policy with a reviewed exception.",
  types: ["azure-native:dbforpostgresql:FirewallRule"],
  config: {
    allowFirewallRules: {
      description: "Allow firewall rules at all (each still checked by postgres-firewall-no-open-range).",
      default: false,
    },
  },
  check: ({ props }, cfg, report) => {
    if (cfg.allowFirewallRules) return;
    report(
      `firewall rule ${show(get(props, "firewallRuleName"))} (${show(get(props, "startIpAddress"))}-${show(get(props, "endIpAddress"))}) is not allowed: the server is private`,
    );
  },
});

export const postgresEntraAdminGroup = resourcePolicy({
  name: "postgres-entra-admin-group",
  description:
    "The PostgreSQL Entra administrator is an Entra group (the DBA role from config), never a single user; workloads get database roles, not admin (IAM-2).",
  controls: ["IAM-2"],
  severity: "high",
  remediation:
    "Set principalType: Group with the objectId and name of the DBA group (config postgresAdminGroupObjectId / postgresAdminGroupName).",
  types: ["azure-native:dbforpostgresql:AdministratorsMicrosoftEntra"],
  config: {},
  check: ({ props }, _cfg, report) => {
    const principalType = get(props, "principalType");
    if (!eqi(principalType, "Group"))
      report(`principalType is ${show(principalType)}; the Entra administrator must be a Group`);
  },
});

/** Create modes that copy another server's data into the new one. */
const COPY_MODES = ["Replica", "PointInTimeRestore", "GeoRestore", "ReviveDropped"];

export const postgresSourceInStack = stackPolicy({
  name: "postgres-source-in-stack",
  description:
    "A PostgreSQL server created as a replica or restore copies the data of a server of this stack only: a copy of another environment's server (prod data in dev) or a foreign one is refused (ENV-1, RES-1).",
  controls: ["ENV-1", "RES-1"],
  severity: "critical",
  remediation:
    "Set sourceServerResourceId to a server of this stack (restores and replicas of another environment's data go through a reviewed, anonymised export instead), or list a reviewed source in allowedDestinations.",
  types: SERVER,
  config: { allowedDestinations: allowedDestinationsParam, allowedLocations: destinationLocationsParam },
  check: (stack, cfg, report) => {
    const index = stackIndex(stack);
    const isServer = (r: { canonical?: string }) => r.canonical === "azure-native:dbforpostgresql:Server";
    for (const server of stack.ofType(...SERVER)) {
      // None, or one the program never set (unknown in a preview all the same: `peekSet`).
      const source = peekSet(server, "sourceServerResourceId");
      // Peeked: a mode not known yet (preview) must not make the policy skip every server.
      const peeked = peek(server.props, "createMode");
      const mode = typeof peeked === "string" ? peeked : undefined;
      const copies = COPY_MODES.some((m) => eqi(mode, m));
      if (!copies && (source === undefined || source === null || source === "")) continue;
      if (copies && (source === undefined || source === null || source === ""))
        report(`${label(server)}: createMode ${mode} without sourceServerResourceId`, server.urn);
      const problem = destinationProblem(
        index,
        server,
        "sourceServerResourceId",
        source,
        cfg,
        isServer,
        stack,
        () => propertyDependenciesOf(server, "sourceServerResourceId"),
      );
      if (problem) report(`${label(server)}: ${problem}`, server.urn);
    }
  },
});

export const postgresServerParameters = stackPolicy({
  name: "postgres-server-parameters",
  description:
    "Every PostgreSQL server of the stack sets ssl_min_protocol_version to the configured floor (TLSv1.3) and turns on connection and disconnection logging (TLS-1, LOG-1).",
  controls: ["TLS-1", "LOG-1"],
  severity: "medium",
  remediation:
    "Add dbforpostgresql.Configuration resources: ssl_min_protocol_version = TLSv1.3, log_connections = on, log_disconnections = on (source: user-override), one after another.",
  types: ["azure-native:dbforpostgresql:Server", "azure-native:dbforpostgresql:Configuration"],
  config: {
    minTlsVersion: {
      description: "Lowest acceptable ssl_min_protocol_version.",
      default: "TLSv1.3",
      schema: { enum: ["TLSv1.2", "TLSv1.3"] },
    },
    requireConnectionLogging: {
      description: "Require log_connections and log_disconnections set to on.",
      default: true,
    },
  },
  check: (stack, cfg, report) => {
    const configurations = stack.ofType("azure-native:dbforpostgresql:Configuration");
    // Names, parameter names and values are peeked: one not known yet (preview) read with str()
    // made the policy "can't run during preview" for every server of the stack.
    const text = (r: StackResource, key: string): string | undefined => {
      const v = peek(r.props, key);
      return typeof v === "string" ? v : undefined;
    };
    // Each configuration's server name, read once rather than once per server.
    const serverNames = new Map<StackResource, string | undefined>();
    const serverNameOf = (c: StackResource): string | undefined => {
      if (!serverNames.has(c)) serverNames.set(c, text(c, "serverName")?.toLowerCase());
      return serverNames.get(c);
    };
    for (const server of stack.ofType("azure-native:dbforpostgresql:Server")) {
      const serverName = (text(server, "serverName") ?? text(server, "name"))?.toLowerCase();
      const mine = configurations.filter((c) => {
        const cServer = serverNameOf(c);
        // Not known yet: the server whose name the input was computed from.
        return cServer !== undefined && serverName !== undefined
          ? cServer === serverName
          : propertyDependenciesOf(c, "serverName").some((d) => d.urn === server.urn);
      });
      // A value not known yet (preview) is judged on the configuration itself by the
      // postgres-configuration-* policies before it is applied: here it counts as set.
      const setValue = (parameter: string): string | typeof NOT_KNOWN | undefined => {
        const c = mine.find((x) => eqi(text(x, "configurationName") ?? text(x, "name"), parameter));
        const v = c === undefined ? undefined : peek(c.props, "value");
        return v === NOT_KNOWN ? NOT_KNOWN : typeof v === "string" ? v.trim().toLowerCase() : undefined;
      };
      // A configuration being created in a preview shows its value but not its name (a path
      // parameter), so not which parameter it sets; the postgres-configuration-* resource
      // policies judged that value for that parameter on its literal inputs. A parameter no named
      // configuration sets is left to `up` only through one such configuration whose (known)
      // value would satisfy it, each configuration standing for one parameter: a missing TLS
      // floor is refused here unless a nameless configuration says TLSv1.3.
      const nameless = mine
        .filter(
          (c) =>
            peek(c.props, "name") === NOT_KNOWN &&
            pathParameterOf(c, "configurationName") === undefined &&
            judgedOnInputsInPreview(c, ["configurationName", "value"]),
        )
        .map((c) => peek(c.props, "value"))
        .filter((v): v is string => typeof v === "string")
        .map((v) => v.trim().toLowerCase());
      const value = (
        parameter: string,
        satisfies: (v: string) => boolean,
      ): string | typeof NOT_KNOWN | undefined => {
        const v = setValue(parameter);
        const at = v === undefined ? nameless.findIndex(satisfies) : -1;
        if (at < 0) return v;
        nameless.splice(at, 1);
        return NOT_KNOWN;
      };
      const tlsFloor = PG_TLS.indexOf(cfg.minTlsVersion.toLowerCase());
      const isOn = (v: string) => v === "on" || v === "true" || bool(v) === true;
      const tls = value("ssl_min_protocol_version", (v) => PG_TLS.indexOf(v) >= tlsFloor);
      if (tls !== NOT_KNOWN && (tls === undefined || PG_TLS.indexOf(tls) < tlsFloor))
        report(
          `${label(server)}: ssl_min_protocol_version is ${show(tls)}; it must be ${cfg.minTlsVersion} or newer`,
          server.urn,
        );
      if (cfg.requireConnectionLogging) {
        for (const parameter of ["log_connections", "log_disconnections"]) {
          const v = value(parameter, isOn);
          if (v !== NOT_KNOWN && (v === undefined || !isOn(v)))
            report(`${label(server)}: ${parameter} is ${show(v)}; it must be on`, server.urn);
        }
      }
    }
  },
});

export const postgresPolicies = [
  postgresEntraAuthOnly,
  postgresBackupRetention,
  postgresGeoRedundantBackup,
  postgresZoneRedundantHa,
  postgresPrivateAccess,
  postgresCustomerManagedKey,
  postgresConfigurationTls,
  postgresConfigurationConnectionLogging,
  postgresExtensionsAllowed,
  postgresFirewallNoOpenRange,
  postgresFirewallNoRules,
  postgresEntraAdminGroup,
  postgresSourceInStack,
  postgresServerParameters,
] as const;
