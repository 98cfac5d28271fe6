/**
 * Container apps, container app jobs and managed environments (NET-1, NET-2, TLS-1, IAM-1,
 * SEC-1, AVL-1, LOG-1).
 *
 * External ingress: an app may be public only when it is a designated frontend — named in
 * `allowedExternalApps`, or tagged `ingress: frontend` (the tag the ContainerApp component sets
 * from the app's `ingress: frontend` config; it appears in every PR diff). Security can turn
 * the tag route off (`frontendTagAllowsExternal: false`) and keep an explicit list only.
 */
import {
  propertyDependenciesOf,
  requireZoneParam,
  resourcePolicy,
  stackPolicy,
  type StackResource,
  type StackView,
} from "../lib/define";
import {
  arr,
  bool,
  eqi,
  get,
  has,
  hasText,
  isRecord,
  NOT_KNOWN,
  num,
  peek,
  peekArr,
  rec,
  show,
  str,
  tags,
  type Props,
} from "../lib/props";
import {
  allowedDestinationsParam,
  allowListed,
  destinationLocationsParam,
  destinationJudge,
  label,
  notSetByProgram,
  ofKind,
  peekSet,
  stackIndex,
} from "../lib/relations";
import { secretLookingArgs, secretLookingReason } from "../../controls/secretDetection";
import { vaultHosts } from "./keyVault";

const APP = ["azure-native:app:ContainerApp"] as const;
const APP_AND_JOB = ["azure-native:app:ContainerApp", "azure-native:app:Job"] as const;
const ENVIRONMENT = ["azure-native:app:ManagedEnvironment"] as const;

/** A string the policy can judge: an unknown value (preview) comes from another resource, not a literal. */
function literal(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** Preset parameter shared by every plain-value check (SEC-1). */
const allowedEnvNamesParam = {
  description:
    "Names (env vars, headers, flags, metadata keys) judged by value only, for settings whose name looks like a secret but is not (e.g. PASSWORD_POLICY). Values that look like credentials are refused whatever the name.",
  default: [] as readonly string[],
};

export const containerAppHttpsOnly = resourcePolicy({
  name: "container-app-https-only",
  description:
    "Container app ingress is HTTP(S) only: allowInsecure is off, and an external ingress never exposes raw TCP ports (NET-2, TLS-1).",
  controls: ["NET-2", "TLS-1"],
  severity: "high",
  remediation:
    "Set configuration.ingress.allowInsecure: false (or leave it unset); for external ingress keep transport auto/http/http2 with no exposedPort and no external additionalPortMappings.",
  types: APP,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (bool(props, "configuration", "ingress", "allowInsecure") === true)
      report("configuration.ingress.allowInsecure is true; HTTP must be refused");
    if (bool(props, "configuration", "ingress", "external") !== true) return;
    // Only the environment's HTTPS frontend may face the Internet (NET-2): TCP ingress and
    // extra ports bypass TLS termination and the 443-only rule.
    const transport = get(props, "configuration", "ingress", "transport");
    if (eqi(transport, "tcp")) report("external ingress uses transport tcp; the Internet gets HTTPS only");
    if (has(props, "configuration", "ingress", "exposedPort"))
      report(
        `external ingress exposes port ${show(get(props, "configuration", "ingress", "exposedPort"))}; only HTTPS on 443`,
      );
    for (const mapping of arr(props, "configuration", "ingress", "additionalPortMappings")) {
      if (bool(mapping, "external") === true)
        report(
          `additional port ${show(get(mapping, "targetPort"))} is external; only HTTPS on 443 faces the Internet`,
        );
    }
  },
});

/**
 * Why one allowed CORS origin lets pages the platform does not control read responses sent with
 * the user's cookies or HTTP authentication (`allowCredentials`), or undefined. The ingress proxy
 * (Envoy) echoes a matching request Origin in Access-Control-Allow-Origin, so `*` with credentials
 * is every website, not the browser-refused literal `*`.
 */
function credentialedOriginProblem(origin: unknown): string | undefined {
  if (origin === NOT_KNOWN) return "is not known yet";
  if (typeof origin !== "string") return `${show(origin)} is not an origin`;
  const o = origin.trim();
  if (o.includes("*")) return `${show(origin)} matches any website`;
  if (o.toLowerCase() === "null")
    return `${show(origin)} is what sandboxed frames and local files send: any page can claim it`;
  let url: URL;
  try {
    url = new URL(o);
  } catch {
    return `${show(origin)} is not an origin`;
  }
  if (url.protocol !== "https:")
    return `${show(origin)} is not https: whoever rewrites that page reads the responses`;
  if (`${url.protocol}//${url.host}` !== o.toLowerCase().replace(/\/$/, ""))
    return `${show(origin)} is not an origin (scheme and host only)`;
  return undefined;
}

export const containerAppCorsCredentials = resourcePolicy({
  name: "container-app-cors-credentials",
  description:
    "A container app's CORS policy never lets other websites read responses sent with the user's credentials: with allowCredentials, every allowed origin is one exact https origin (no *, no null, no http), or any page the user visits reads their data through the browser (NET-2, TLS-1).",
  controls: ["NET-2", "TLS-1"],
  severity: "high",
  remediation:
    "List exact https origins (https://app.example.com) in configuration.ingress.corsPolicy.allowedOrigins, or set allowCredentials: false (or remove the CORS policy: same-origin pages need none).",
  types: APP,
  config: {},
  check: ({ props }, _cfg, report) => {
    const cors = ["configuration", "ingress", "corsPolicy"];
    if (bool(props, ...cors, "allowCredentials") !== true) return;
    const origins = arr(props, ...cors, "allowedOrigins");
    for (const origin of origins) {
      const problem = credentialedOriginProblem(origin);
      if (problem) report(`corsPolicy allows credentials and origin ${problem}`);
    }
  },
});

/** Whether an app is a designated frontend by name or tag. */
function isDesignatedFrontend(
  props: Readonly<Record<string, unknown>>,
  name: string,
  cfg: { allowedExternalApps: readonly string[]; frontendTagAllowsExternal: boolean },
): boolean {
  const appName = str(props, "containerAppName");
  if (cfg.allowedExternalApps.some((n) => n === name || (appName !== undefined && n === appName)))
    return true;
  return cfg.frontendTagAllowsExternal && eqi(tags(props)?.ingress, "frontend");
}

const frontendConfig = {
  allowedExternalApps: {
    description:
      "Container app names (containerAppName or Pulumi resource name) allowed to have external ingress.",
    default: [] as readonly string[],
  },
  frontendTagAllowsExternal: {
    description: "Whether the tag ingress=frontend designates an app as a frontend allowed external ingress.",
    default: true,
  },
};

export const containerAppExternalIngress = resourcePolicy({
  name: "container-app-external-ingress",
  description:
    "Only designated frontends have external ingress; every other container app is internal to the environment (NET-2).",
  controls: ["NET-2"],
  severity: "high",
  remediation:
    "Set configuration.ingress.external: false, or designate the app as a frontend (ingress: frontend in the app config, which tags it ingress=frontend; or allowedExternalApps in the pack config).",
  types: APP,
  config: frontendConfig,
  check: ({ props, name }, cfg, report) => {
    if (bool(props, "configuration", "ingress", "external") !== true) return;
    if (!isDesignatedFrontend(props, name, cfg))
      report(
        `external ingress on ${show(str(props, "containerAppName") ?? name)}, which is not a designated frontend (tag ingress=frontend or allowedExternalApps)`,
      );
  },
});

export const containerAppFrontendReplicas = resourcePolicy({
  name: "container-app-frontend-replicas",
  description:
    "Container apps with external ingress keep at least the configured number of replicas (AVL-1: 2 in production).",
  controls: ["AVL-1"],
  severity: "medium",
  remediation: "Set template.scale.minReplicas to at least minExternalReplicas.",
  types: APP,
  config: {
    minExternalReplicas: {
      description: "Minimum replicas of an app with external ingress.",
      default: 2,
      schema: { minimum: 0, maximum: 300 },
    },
  },
  check: ({ props }, cfg, report) => {
    if (bool(props, "configuration", "ingress", "external") !== true) return;
    const min = num(props, "template", "scale", "minReplicas") ?? 0;
    if (min < cfg.minExternalReplicas)
      report(
        `template.scale.minReplicas is ${min}; an external app needs at least ${cfg.minExternalReplicas}`,
      );
  },
});

export const containerAppUserAssignedIdentity = resourcePolicy({
  name: "container-app-user-assigned-identity",
  description:
    "Container apps and jobs run with a user-assigned managed identity, which can hold its roles before the app exists (IAM-1).",
  controls: ["IAM-1"],
  severity: "high",
  remediation:
    "Set identity { type: UserAssigned, userAssignedIdentities: [<identity id>] } (the WorkloadIdentity component).",
  types: APP_AND_JOB,
  config: {},
  check: ({ props }, _cfg, report) => {
    const type = str(props, "identity", "type") ?? "";
    if (!/userassigned/i.test(type.replace(/[\s,_]/g, "")))
      report(`identity.type is ${show(get(props, "identity", "type"))}; it must include UserAssigned`);
    else if (
      arr(props, "identity", "userAssignedIdentities").length === 0 &&
      Object.keys(rec(props, "identity", "userAssignedIdentities") ?? {}).length === 0
    )
      report("identity.userAssignedIdentities is empty");
  },
});

export const containerAppRegistryIdentity = resourcePolicy({
  name: "container-app-registry-identity",
  description:
    "Container apps and jobs pull images with a managed identity, never a registry password (IAM-1, SEC-1).",
  controls: ["IAM-1", "SEC-1"],
  severity: "high",
  remediation:
    "Set configuration.registries[].identity to the app's user-assigned identity (with AcrPull) and remove username/passwordSecretRef.",
  types: APP_AND_JOB,
  config: {},
  check: ({ props }, _cfg, report) => {
    for (const registry of arr(props, "configuration", "registries")) {
      const server = show(get(registry, "server"));
      if (has(registry, "passwordSecretRef"))
        report(`registry ${server} uses passwordSecretRef; use a managed identity`);
      if (!str(registry, "identity")) report(`registry ${server} has no identity`);
    }
  },
});

export const containerAppNoDevServices = resourcePolicy({
  name: "container-app-no-dev-services",
  description:
    "No container app is a Container Apps add-on (configuration.service: PostgreSQL, Redis, MariaDB, Kafka, vector databases), which Microsoft builds for nonproduction use, and no app binds one (template.serviceBinds): such a store holds data with none of the data stores' controls — Entra-only auth, TLS, backups, customer-managed keys, diagnostics (IAM-1, BAK-1).",
  controls: ["IAM-1", "BAK-1"],
  severity: "high",
  remediation:
    "Use the platform's PostgreSQL server or Managed Redis through the app's managed identity; remove configuration.service and template.serviceBinds.",
  types: APP,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (has(props, "configuration", "service"))
      report(
        `configuration.service makes this app a development-grade ${show(get(props, "configuration", "service", "type"))} add-on; data stores are the platform's managed services`,
      );
    for (const bind of arr(props, "template", "serviceBinds"))
      report(
        `template.serviceBinds binds ${show(get(bind, "serviceId") ?? get(bind, "name"))}; apps reach data only through the platform's managed data stores`,
      );
  },
});

export const containerAppSecretsFromKeyVault = resourcePolicy({
  name: "container-app-secrets-from-key-vault",
  description:
    "Container app and job secrets are Key Vault references read with a user-assigned identity, never values stored in the app (SEC-1).",
  controls: ["SEC-1"],
  severity: "critical",
  remediation:
    "Store the secret in Key Vault and declare it as { name, keyVaultUrl: <versionless secret URI>, identity: <user-assigned identity id> }.",
  types: APP_AND_JOB,
  config: {},
  check: ({ props }, _cfg, report) => {
    for (const secret of arr(props, "configuration", "secrets")) {
      const name = show(get(secret, "name"));
      if (has(secret, "value")) report(`secret ${name} carries a value; it must be a Key Vault reference`);
      if (!hasText(secret, "keyVaultUrl")) report(`secret ${name} has no keyVaultUrl`);
      // An identity ID unknown in preview is a user-assigned identity being created.
      const identity = peek(secret, "identity");
      if (
        identity !== NOT_KNOWN &&
        (typeof identity !== "string" || identity === "" || eqi(identity, "system"))
      )
        report(
          `secret ${name} identity is ${show(get(secret, "identity"))}; it must be a user-assigned identity ID`,
        );
    }
  },
});

/** Where a scale rule of an app or a job holds its plain metadata. */
const SCALE_RULE_METADATA: readonly (readonly string[])[] = [
  ["custom", "metadata"],
  ["http", "metadata"],
  ["tcp", "metadata"],
  ["metadata"],
];

export const containerAppNoSecretEnv = resourcePolicy({
  name: "container-app-no-secret-env",
  description:
    "Plain values of containers and init containers (environment variables, command and arguments, probe HTTP headers), scale-rule metadata and volume mount options never look like secrets by name or value; secrets come through secretRef (SEC-1).",
  controls: ["SEC-1"],
  severity: "critical",
  remediation:
    "Move the value to Key Vault, declare a Key Vault secret reference and use env { name, secretRef } (scale rules: auth[].secretRef). A harmless name that looks like a secret goes in allowedEnvNames in the preset.",
  types: APP_AND_JOB,
  config: { allowedEnvNames: allowedEnvNamesParam },
  check: ({ props }, cfg, report) => {
    const allowed = cfg.allowedEnvNames;
    const containers = [...arr(props, "template", "containers"), ...arr(props, "template", "initContainers")];
    for (const container of containers) {
      const where = `container ${show(get(container, "name"))}`;
      for (const env of arr(container, "env")) {
        const name = str(env, "name");
        // A secretRef with a value beside it still puts the value in the program: judge it.
        if (name === undefined || (has(env, "secretRef") && !has(env, "value"))) continue;
        // A value computed by another resource (unknown in preview) is not a literal in code.
        const reason = secretLookingReason(name, literal(peek(env, "value")), allowed);
        if (reason) report(`${where}: plain env var ${name} refused because ${reason}`);
      }
      const commandLine = [...arr(container, "command"), ...arr(container, "args")].map(literal);
      const argsReason = secretLookingArgs(commandLine, allowed);
      if (argsReason) report(`${where}: command/args refused: ${argsReason}`);
      for (const probe of arr(container, "probes")) {
        for (const header of arr(probe, "httpGet", "httpHeaders")) {
          const reason = secretLookingReason(
            literal(get(header, "name")),
            literal(peek(header, "value")),
            allowed,
          );
          if (reason)
            report(
              `${where}: ${show(get(probe, "type"))} probe header ${show(get(header, "name"))} refused because ${reason}`,
            );
        }
      }
    }
    for (const rule of [
      ...arr(props, "template", "scale", "rules"),
      ...arr(props, "configuration", "eventTriggerConfig", "scale", "rules"),
    ]) {
      // An app's rule keeps metadata under its kind (custom, http, tcp: azure-native
      // types/input.d.ts app.CustomScaleRuleArgs, HttpScaleRuleArgs, TcpScaleRuleArgs), a job's
      // event-trigger rule at its top (JobScaleRuleArgs): every one is a plain value in the program.
      for (const metadata of SCALE_RULE_METADATA.map((path) => rec(rule, ...path) ?? {})) {
        for (const key of Object.keys(metadata)) {
          const reason = secretLookingReason(key, literal(peek(metadata, key)), allowed);
          if (reason)
            report(`scale rule ${show(get(rule, "name"))}: metadata ${key} refused because ${reason}`);
        }
      }
    }
    for (const volume of arr(props, "template", "volumes")) {
      const reason = secretLookingReason("mountOptions", literal(peek(volume, "mountOptions")), allowed);
      if (reason) report(`volume ${show(get(volume, "name"))}: mountOptions refused because ${reason}`);
    }
  },
});

export const daprComponentSecretsByReference = resourcePolicy({
  name: "dapr-component-secrets-by-reference",
  description:
    "Dapr components read credentials through secretRef to a Key Vault reference (or a secret store component), never as plain metadata values or secret values stored in the component (SEC-1).",
  controls: ["SEC-1"],
  severity: "critical",
  remediation:
    "Declare the credential as a component secret { name, keyVaultUrl, identity } and use metadata { name, secretRef }; or prefer azureClientId (managed identity) metadata over keys.",
  types: ["azure-native:app:DaprComponent"],
  config: { allowedEnvNames: allowedEnvNamesParam },
  check: ({ props }, cfg, report) => {
    for (const entry of arr(props, "metadata")) {
      const name = str(entry, "name");
      if (name === undefined || (has(entry, "secretRef") && !has(entry, "value"))) continue;
      const reason = secretLookingReason(name, literal(peek(entry, "value")), cfg.allowedEnvNames);
      if (reason) report(`metadata ${name} refused because ${reason}`);
    }
    for (const secret of arr(props, "secrets")) {
      if (has(secret, "value"))
        report(`secret ${show(get(secret, "name"))} carries a value; it must be a Key Vault reference`);
    }
  },
});

/**
 * What a Dapr component review covers, as a short digest: its type, version, secret store and every
 * metadata item (name, value, secretRef; sorted by name). Where the component sends data is named
 * only there, in keys that differ per component type (url, accountName, brokers, host, ...), so the
 * review pins all of them: any change needs a new review. Reading an unknown value throws, so in a
 * preview the engine reports the policy as not run and judges the component at update.
 * SHA-256, 16 hex digits: a second component with the same digest would take 2^64 tries.
 */
export function daprReviewDigest(props: Props): string {
  const text = (v: unknown) =>
    v === undefined || v === null ? null : typeof v === "string" ? v : JSON.stringify(v);
  const metadata = arr(props, "metadata")
    .map((item) => [text(get(item, "name")), text(get(item, "value")), text(get(item, "secretRef"))])
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  const reviewed = JSON.stringify({
    componentType: text(get(props, "componentType"))?.trim().toLowerCase() ?? null,
    version: text(get(props, "version")),
    secretStoreComponent: text(get(props, "secretStoreComponent")),
    metadata,
  });
  // Loaded here only: the analyzer's start does not load crypto, and few stacks have Dapr components.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require("crypto") as typeof import("crypto");
  return createHash("sha256").update(reviewed).digest("hex").slice(0, 16);
}

export const daprComponentsReviewed = resourcePolicy({
  name: "dapr-components-reviewed",
  description:
    "Deny by default: a Dapr component wires the environment's apps to a system named only in its metadata (a state store or pub/sub in any account or cloud, an HTTP output binding to any URL, a secret store the apps trust, a language-model API), which no policy can place; swapping where an existing component points redirects the data apps already send to it without a code change. Each component needs a security review, and allowedComponents pins what was reviewed: its componentName, componentType and a digest of its version, secret store and metadata (ENV-1, RES-1).",
  controls: ["ENV-1", "RES-1"],
  severity: "high",
  remediation:
    "Reach the stack's stores through the Azure SDK with the app's managed identity; if a Dapr component is needed, have security review its componentType and metadata and add the entry the violation names (<componentName>=<componentType>@<digest>) to allowedComponents of this policy in the preset. A changed metadata value changes the digest: review again.",
  types: ["azure-native:app:DaprComponent"],
  config: {
    allowedComponents: {
      description:
        "Reviewed Dapr components allowed in the stack, each as <componentName>=<componentType>@<digest> (e.g. statestore=state.azure.blobstorage@0123456789abcdef; the Pulumi resource name when componentName is unset; the digest covers version, secretStoreComponent and every metadata item, and the violation names it): renaming a component, changing its type or any metadata value needs a new review. Empty: none.",
      default: [] as readonly string[],
      schema: {
        items: {
          type: "string",
          pattern: "^[A-Za-z0-9][A-Za-z0-9_-]*=[A-Za-z0-9][A-Za-z0-9._-]*@[0-9a-f]{16}$",
          description:
            "<componentName>=<componentType>@<digest>, e.g. statestore=state.azure.blobstorage@0123456789abcdef",
        },
      },
    },
  },
  check: ({ props, name }, cfg, report) => {
    const componentName = peek(props, "componentName");
    const type = peek(props, "componentType");
    const shown = typeof componentName === "string" ? componentName : name;
    const typeText = typeof type === "string" ? type.trim().toLowerCase() : undefined;
    if (typeText === undefined) {
      report(
        `Dapr component ${show(shown)} (type not known) connects apps to a system named in its metadata, which the pack cannot place; it is not in allowedComponents`,
      );
      return;
    }
    const entry = `${shown}=${typeText}@${daprReviewDigest(props)}`;
    // Entries compare exactly (the type in lower case, as the digest has it): a partial entry,
    // e.g. one without the digest, matches nothing.
    if (
      cfg.allowedComponents.some(
        (e) => e.replace(/=([^@]*)@/, (_, t: string) => `=${t.trim().toLowerCase()}@`) === entry,
      )
    )
      return;
    report(
      `Dapr component ${show(shown)} (${typeText}) connects apps to a system named in its metadata, which the pack cannot place; ${show(entry)} is not in allowedComponents (a changed name, type, version, secret store or metadata value needs a new review)`,
    );
  },
});

export const managedEnvironmentStorageNoAccountKey = resourcePolicy({
  name: "managed-environment-storage-no-account-key",
  description:
    "Container Apps environment storage mounts never carry a storage account key in the program: Azure Files over SMB needs the account's shared key, which the platform turns off (SEC-1, IAM-1).",
  controls: ["SEC-1", "IAM-1"],
  severity: "critical",
  remediation:
    "Use blob access with the app's managed identity, or an NFS Azure Files share (properties.nfsAzureFile) reached over the VNet; never put accountKey in code.",
  types: ["azure-native:app:ManagedEnvironmentsStorage"],
  config: {},
  check: ({ props }, _cfg, report) => {
    if (has(props, "properties", "azureFile", "accountKey"))
      report("properties.azureFile.accountKey is set: a storage account key in the program");
  },
});

export const managedEnvironmentNoCertificateSecrets = resourcePolicy({
  name: "managed-environment-no-certificate-secrets",
  description:
    "A Container Apps environment's custom-domain certificate comes from Key Vault through a managed identity, never as a PFX blob and password in the program (SEC-1).",
  controls: ["SEC-1"],
  severity: "critical",
  remediation:
    "Store the certificate in Key Vault and set customDomainConfiguration.certificateKeyVaultProperties { identity, keyVaultUrl }; remove certificateValue and certificatePassword.",
  types: ENVIRONMENT,
  config: {},
  check: ({ props }, _cfg, report) => {
    for (const key of ["certificatePassword", "certificateValue"])
      if (has(props, "customDomainConfiguration", key))
        report(`customDomainConfiguration.${key} is set: certificate material in the program`);
  },
});

export const managedEnvironmentVnet = resourcePolicy({
  name: "managed-environment-vnet",
  description: "Container Apps environments are VNet-integrated in a subnet of the platform network (NET-1).",
  controls: ["NET-1"],
  severity: "high",
  remediation: "Set vnetConfiguration.infrastructureSubnetId to the apps subnet (fixed at creation).",
  types: ENVIRONMENT,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (!hasText(props, "vnetConfiguration", "infrastructureSubnetId"))
      report("vnetConfiguration.infrastructureSubnetId is not set; the environment must be VNet-integrated");
  },
});

export const managedEnvironmentPeerEncryption = resourcePolicy({
  name: "managed-environment-peer-encryption",
  description: "Traffic between apps inside a Container Apps environment is encrypted (TLS-1).",
  controls: ["TLS-1"],
  severity: "medium",
  remediation: "Set peerTrafficConfiguration.encryption.enabled: true.",
  types: ENVIRONMENT,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (bool(props, "peerTrafficConfiguration", "encryption", "enabled") !== true)
      report(
        `peerTrafficConfiguration.encryption.enabled is ${show(get(props, "peerTrafficConfiguration", "encryption", "enabled"))}; it must be true`,
      );
  },
});

export const managedEnvironmentZoneRedundant = resourcePolicy({
  name: "managed-environment-zone-redundant",
  description: "When zone redundancy is required, Container Apps environments are zone redundant (AVL-1).",
  controls: ["AVL-1"],
  severity: "high",
  remediation: "Set zoneRedundant: true (fixed at creation; needs a VNet-integrated environment).",
  types: ENVIRONMENT,
  config: { requireZoneRedundancy: requireZoneParam },
  check: ({ props }, cfg, report) => {
    if (cfg.requireZoneRedundancy && bool(props, "zoneRedundant") !== true)
      report(`zoneRedundant is ${show(get(props, "zoneRedundant"))}; it must be true`);
  },
});

export const managedEnvironmentLogs = resourcePolicy({
  name: "managed-environment-logs",
  description:
    "Container Apps environments send console and system logs through Azure Monitor (diagnostic settings), not the log-analytics destination that needs the workspace shared key (LOG-1, IAM-1).",
  controls: ["LOG-1", "IAM-1"],
  severity: "medium",
  remediation:
    "Set appLogsConfiguration.destination: azure-monitor and add a diagnostic setting to the workspace.",
  types: ENVIRONMENT,
  config: {
    allowedDestinations: {
      description: "Accepted appLogsConfiguration.destination values.",
      default: ["azure-monitor"] as readonly string[],
    },
  },
  check: ({ props }, cfg, report) => {
    const destination = str(props, "appLogsConfiguration", "destination");
    if (!destination || !cfg.allowedDestinations.some((d) => eqi(destination, d)))
      report(
        `appLogsConfiguration.destination is ${show(get(props, "appLogsConfiguration", "destination"))}; allowed: ${cfg.allowedDestinations.join(", ")}`,
      );
    if (has(props, "appLogsConfiguration", "logAnalyticsConfiguration", "sharedKey"))
      report(
        "appLogsConfiguration.logAnalyticsConfiguration.sharedKey is set; workspace keys must not be used",
      );
  },
});

/** OpenTelemetry agent destinations of an environment: `otlpConfigurations[]`, `dataDogConfiguration`. */
const OTEL_DESTINATIONS = ["openTelemetryConfiguration", "destinationsConfiguration"] as const;

export const managedEnvironmentNoTelemetryExport = resourcePolicy({
  name: "managed-environment-no-telemetry-export",
  description:
    "Container Apps environments export no telemetry out of the stack: no OpenTelemetry agent destination (any OTLP endpoint, Datadog) unless its endpoint is a reviewed one, no Application Insights or Dapr AI connection string. The apps' logs, traces and metrics carry request data; the platform sends logs through the environment's diagnostic setting to its own workspace (LOG-1, RES-1).",
  controls: ["LOG-1", "RES-1"],
  severity: "high",
  remediation:
    "Remove openTelemetryConfiguration destinations, appInsightsConfiguration, daprAIConnectionString and daprAIInstrumentationKey (logs: appLogsConfiguration.destination azure-monitor plus the diagnostic setting); list a reviewed OTLP endpoint in allowedOtlpEndpoints.",
  types: ENVIRONMENT,
  config: {
    allowedOtlpEndpoints: {
      description:
        "Exact OTLP endpoint URLs an environment's OpenTelemetry agent may send to (reviewed, in an allowed region).",
      default: [] as readonly string[],
    },
  },
  check: ({ props }, cfg, report) => {
    for (const otlp of arr(props, ...OTEL_DESTINATIONS, "otlpConfigurations")) {
      const endpoint = get(otlp, "endpoint");
      if (!(
        typeof endpoint === "string" && cfg.allowedOtlpEndpoints.some((e) => eqi(e.trim(), endpoint.trim()))
      ))
        report(
          `OpenTelemetry destination ${show(get(otlp, "name"))} sends to ${show(endpoint)}, which is not on allowedOtlpEndpoints`,
        );
    }
    if (has(props, ...OTEL_DESTINATIONS, "dataDogConfiguration"))
      report(
        `OpenTelemetry sends to Datadog (site ${show(get(props, ...OTEL_DESTINATIONS, "dataDogConfiguration", "site"))}), outside Azure`,
      );
    if (hasText(props, "appInsightsConfiguration", "connectionString"))
      report(
        "appInsightsConfiguration.connectionString is set; telemetry would go to an Application Insights resource the stack does not own",
      );
    for (const key of ["daprAIConnectionString", "daprAIInstrumentationKey"])
      if (hasText(props, key))
        report(
          `${key} is set; Dapr telemetry would go to an Application Insights resource the stack does not own`,
        );
  },
});

const ENVIRONMENT_STORAGE = "azure-native:app:ManagedEnvironmentsStorage" as const;
const STORAGE_ACCOUNT = "azure-native:storage:StorageAccount" as const;
/** Where an environment storage names its account: the key under `properties` and how to read the name. */
const MOUNTS: readonly [kind: string, key: string, accountOf: (value: string) => string | undefined][] = [
  ["azureFile", "accountName", (name) => name.trim().toLowerCase()],
  // `<account>.file.core.windows.net` (or its privatelink name): the account is the first label.
  [
    "nfsAzureFile",
    "server",
    (server) =>
      /^([a-z0-9]{3,24})(\.privatelink)?\.file\.core\.windows\.net$/i.exec(server.trim())?.[1]?.toLowerCase(),
  ],
];

/**
 * Why an environment storage does not mount a file share of this stack, or undefined. Apps write
 * to the mount whatever they hold (recordings, exports): a share of another account is a copy of
 * customer data outside the stack. Anything but an Azure Files or NFS share of a known account
 * (an SMB host of a later API version) is refused: the pack cannot place it.
 */
function mountProblems(
  stack: StackView,
  storage: StackResource,
  allowedDestinations: readonly string[],
): string[] {
  // A part the program never set (unknown in a preview all the same: `notSetByProgram`) is none:
  // azure-native's preview answers both mount kinds, unknown where the program set one.
  const sources = () => propertyDependenciesOf(storage, "properties");
  const properties = peekSet(storage, "properties");
  const fromAccount = () => sources().some((d) => stack.byUrn(d.urn)?.canonical === STORAGE_ACCOUNT);
  if (properties === NOT_KNOWN)
    return fromAccount()
      ? []
      : ["properties is not known yet and does not come from a storage account of this stack"];
  if (!isRecord(properties)) return [];
  // `peek`, not `str`: an account name not known yet (computed in a first preview) would throw
  // out of the whole policy, which the engine then reports as "can't run during preview". Such
  // an account matches no known mount; a mount of it is not known yet either (judged above).
  const nameOf = (a: StackResource) => {
    const name = peek(a.props, "accountName") ?? peek(a.props, "name");
    return typeof name === "string" ? name.toLowerCase() : undefined;
  };
  const names = new Set(
    stack
      .ofType(STORAGE_ACCOUNT)
      .map(nameOf)
      .filter((n): n is string => n !== undefined),
  );
  const reviewed = (name: string) =>
    allowedDestinations.some(
      (e) =>
        allowListed(e, [e]) &&
        /\/providers\/microsoft\.storage\/storageaccounts\/([^/\s]+)\s*$/i.exec(e)?.[1]?.toLowerCase() ===
          name,
    );
  const problems: string[] = [];
  for (const kind of Object.keys(properties)) {
    const mount = peek(properties, kind);
    if (mount === undefined || mount === null || notSetByProgram(mount, sources, storage)) continue;
    const known = MOUNTS.find(([k]) => k === kind);
    if (!known) {
      problems.push(
        `properties.${kind} mounts storage the pack cannot place; only Azure Files shares of this stack`,
      );
      continue;
    }
    const [, key, accountOf] = known;
    const read = peek(mount, key);
    const value = notSetByProgram(read, sources, storage) ? undefined : read;
    if (value === NOT_KNOWN) {
      if (!fromAccount())
        problems.push(
          `properties.${kind}.${key} is not known yet and does not come from a storage account of this stack`,
        );
      continue;
    }
    const account = typeof value === "string" ? accountOf(value) : undefined;
    if (account === undefined)
      problems.push(`properties.${kind}.${key} ${show(value)} names no storage account`);
    else if (!names.has(account) && !reviewed(account))
      problems.push(
        `properties.${kind}.${key} ${show(value)} mounts a share of storage account ${show(account)}, which is not one of this stack's (nor on allowedDestinations)`,
      );
  }
  return problems;
}

export const containerAppsRunInStack = stackPolicy({
  name: "container-apps-run-in-stack",
  description:
    "Container apps and jobs run in a Container Apps environment of this stack, each environment in a subnet of this stack, and environment storage mounts file shares of this stack's storage accounts only: an app in another environment's or a foreign environment, or an environment in another network, runs under that environment's ingress, logs and network (its NSGs, peerings and DNS), and a share of another account receives whatever the apps write (NET-1, ENV-1).",
  controls: ["NET-1", "ENV-1"],
  severity: "critical",
  remediation:
    "Set each app's and job's environmentId to the stack's environment and vnetConfiguration.infrastructureSubnetId to the stack's apps subnet (components: ContainerApp, Network; both fixed at creation), and mount shares of the stack's storage accounts only (properties.azureFile.accountName, properties.nfsAzureFile.server); list a reviewed shared one (a storage account by its ARM ID) in allowedDestinations.",
  types: [
    ...APP_AND_JOB,
    ...ENVIRONMENT,
    ENVIRONMENT_STORAGE,
    "azure-native:network:Subnet",
    "azure-native:network:VirtualNetwork",
  ],
  config: { allowedDestinations: allowedDestinationsParam, allowedLocations: destinationLocationsParam },
  check: (stack, cfg, report) => {
    const index = stackIndex(stack);
    const judge = destinationJudge(stack, cfg, report, index);
    const isNetwork = ofKind(["azure-native:network:Subnet", "azure-native:network:VirtualNetwork"]);
    for (const env of stack.ofType(...ENVIRONMENT))
      judge(
        env,
        "vnetConfiguration.infrastructureSubnetId",
        peek(env.props, "vnetConfiguration", "infrastructureSubnetId"),
        isNetwork,
        () => propertyDependenciesOf(env, "vnetConfiguration"),
      );
    const isEnvironment = ofKind([...ENVIRONMENT]);
    for (const app of stack.ofType(...APP_AND_JOB))
      // (managedEnvironmentId: the deprecated name of the same property.)
      for (const key of ["environmentId", "managedEnvironmentId"])
        judge(app, key, peek(app.props, key), isEnvironment, () => propertyDependenciesOf(app, key));
    for (const storage of stack.ofType(ENVIRONMENT_STORAGE))
      for (const problem of mountProblems(stack, storage, cfg.allowedDestinations))
        report(`${label(storage)}: ${problem}`, storage.urn);
  },
});

export const containerAppKeyVaultReferences = stackPolicy({
  name: "container-app-key-vault-references",
  description:
    "Container app and job Key Vault secret references point at a Key Vault of this stack (SEC-1).",
  controls: ["SEC-1"],
  severity: "high",
  remediation:
    "Reference secrets in the stack's Key Vault (KeyVault.addSecret) by their versionless secret URI.",
  types: ["azure-native:app:ContainerApp", "azure-native:app:Job", "azure-native:keyvault:Vault"],
  config: {},
  check: (stack, _cfg, report) => {
    const hosts = vaultHosts(stack);
    const vaults = new Set(stack.ofType("azure-native:keyvault:Vault").map((v) => v.urn));
    for (const app of stack.ofType("azure-native:app:ContainerApp", "azure-native:app:Job")) {
      // Preview: a configuration or secret list not known as a whole is one secret not known
      // (before, reading it skipped the policy for every app of the stack), and a URL not known
      // yet must be computed from a vault of ours: what `configuration` was computed from (its
      // propertyDependencies; before, any dependency of the app, e.g. a dependsOn).
      const fromVault = () => propertyDependenciesOf(app, "configuration").some((d) => vaults.has(d.urn));
      for (const secret of peekArr(app.props, "configuration", "secrets")) {
        const url = peek(secret, "keyVaultUrl");
        if (url === NOT_KNOWN) {
          if (!fromVault())
            report(
              `${label(app)}: secret ${show(get(secret, "name"))} references a Key Vault URL that is not known yet and does not come from a vault of this stack`,
              app.urn,
            );
          continue;
        }
        if (typeof url !== "string") continue;
        const host = url.match(/^https:\/\/([^/]+)/i)?.[1]?.toLowerCase();
        if (!host || !hosts.has(host))
          report(
            `${label(app)}: secret ${show(get(secret, "name"))} references ${show(url)}, not a Key Vault of this stack`,
            app.urn,
          );
      }
    }
  },
});

export const containerAppsPolicies = [
  containerAppHttpsOnly,
  containerAppCorsCredentials,
  containerAppExternalIngress,
  containerAppFrontendReplicas,
  containerAppUserAssignedIdentity,
  containerAppRegistryIdentity,
  containerAppNoDevServices,
  containerAppSecretsFromKeyVault,
  containerAppNoSecretEnv,
  daprComponentSecretsByReference,
  daprComponentsReviewed,
  managedEnvironmentStorageNoAccountKey,
  managedEnvironmentNoCertificateSecrets,
  managedEnvironmentVnet,
  managedEnvironmentPeerEncryption,
  managedEnvironmentZoneRedundant,
  managedEnvironmentLogs,
  managedEnvironmentNoTelemetryExport,
  containerAppsRunInStack,
  containerAppKeyVaultReferences,
] as const;
