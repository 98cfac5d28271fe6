import * as c from "../../../policy/policies/containerApps";
import { secretLookingReason } from "../../../controls/secretDetection";
import { describePolicy, expectPass, expectViolation, set, stackResource, randomString } from "./support";
import { runResourcePolicy, runStackPolicy, UNKNOWN } from "../../helpers/policyHarness";
import { describeStackPolicy, estate, replace, violations } from "./estate";

const APP = "azure-native:app:ContainerApp";
const JOB = "azure-native:app:Job";
const identityId =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/web";
const app = {
  containerAppName: "sap-prod-ca-web",
  tags: { ingress: "frontend" },
  identity: { type: "UserAssigned", userAssignedIdentities: [identityId] },
  configuration: {
    ingress: { external: true, allowInsecure: false, targetPort: 80 },
    registries: [{ server: "acr.azurecr.io", identity: identityId }],
    secrets: [
      {
        name: "session-key",
        keyVaultUrl: "https://kv1.vault.azure.net/secrets/web-session",
        identity: identityId,
      },
    ],
  },
  template: {
    containers: [
      {
        name: "web",
        image: "mcr.microsoft.com/k8se/quickstart:latest",
        env: [
          { name: "LOG_LEVEL", value: "info" },
          { name: "SESSION_SIGNING_KEY", secretRef: "session-key" },
          { name: "AZURE_CLIENT_ID", value: "00000000-0000-0000-0000-000000000000" },
        ],
      },
    ],
    scale: { minReplicas: 2, maxReplicas: 10 },
  },
};

describePolicy(c.containerAppHttpsOnly, {
  type: APP,
  compliant: app,
  violations: [["configuration.ingress.allowInsecure", true, /allowInsecure/]],
  unknown: "configuration.ingress",
});

describePolicy(c.containerAppCorsCredentials, {
  type: APP,
  compliant: set(app, "configuration.ingress.corsPolicy", {
    allowedOrigins: ["https://portal.example.com", "https://admin.example.com:8443"],
    allowedMethods: ["GET", "POST"],
    allowCredentials: true,
  }),
  violations: [
    ["configuration.ingress.corsPolicy.allowedOrigins", ["*"], /origin "\*" matches any website/],
    ["configuration.ingress.corsPolicy.allowedOrigins", ["https://*.example.com"], /matches any website/],
    ["configuration.ingress.corsPolicy.allowedOrigins", ["null"], /any page can claim it/],
    ["configuration.ingress.corsPolicy.allowedOrigins", ["http://portal.example.com"], /is not https/],
    [
      "configuration.ingress.corsPolicy.allowedOrigins",
      ["https://portal.example.com/login"],
      /scheme and host only/,
    ],
    ["configuration.ingress.corsPolicy.allowedOrigins", ["portal.example.com"], /is not an origin/],
    ["configuration.ingress.corsPolicy.allowedOrigins", [UNKNOWN], /is not known yet/],
  ],
  passes: [
    // Without credentials a cross-origin page reads only what an anonymous client gets anyway.
    ["configuration.ingress.corsPolicy", { allowedOrigins: ["*"], allowCredentials: false }],
    ["configuration.ingress.corsPolicy", { allowedOrigins: ["*"] }],
    ["configuration.ingress.corsPolicy", undefined],
  ],
  unknown: "configuration.ingress.corsPolicy",
});

describePolicy(c.containerAppExternalIngress, {
  type: APP,
  compliant: app,
  violations: [
    ["tags", { ingress: "internal" }, /not a designated frontend/],
    ["tags", undefined, /not a designated frontend/],
  ],
  passes: [
    ["configuration.ingress.external", false],
    ["configuration.ingress", undefined],
  ],
  unknown: "configuration.ingress.external",
});

describe("container-app-external-ingress config", () => {
  const internal = { ...app, tags: {} };
  it("accepts apps named in allowedExternalApps", () =>
    expectPass(c.containerAppExternalIngress, APP, internal, { allowedExternalApps: ["sap-prod-ca-web"] }));
  it("ignores the tag when frontendTagAllowsExternal is false", () =>
    expectViolation(c.containerAppExternalIngress, APP, app, /designated frontend/, {
      frontendTagAllowsExternal: false,
    }));
});

describePolicy(c.containerAppFrontendReplicas, {
  type: APP,
  compliant: app,
  violations: [
    ["template.scale.minReplicas", 1, /at least 2/],
    ["template.scale", undefined, /at least 2/],
  ],
  passes: [["configuration.ingress.external", false]],
  unknown: "template.scale",
});

it("container-app-frontend-replicas accepts 1 replica in dev", () =>
  expectPass(
    c.containerAppFrontendReplicas,
    APP,
    { ...app, template: { scale: { minReplicas: 1 } } },
    { minExternalReplicas: 1 },
  ));

describePolicy(c.containerAppUserAssignedIdentity, {
  type: APP,
  compliant: app,
  violations: [
    ["identity", undefined, /UserAssigned/],
    ["identity.type", "SystemAssigned", /UserAssigned/],
    ["identity.userAssignedIdentities", [], /empty/],
  ],
  passes: [["identity.type", "SystemAssigned,UserAssigned"]],
  unknown: "identity",
});

describePolicy(c.containerAppRegistryIdentity, {
  type: APP,
  compliant: app,
  violations: [
    ["configuration.registries.0.passwordSecretRef", "acr-password", /passwordSecretRef/],
    ["configuration.registries.0.identity", undefined, /no identity/],
  ],
  unknown: "configuration.registries",
});

describePolicy(c.containerAppNoDevServices, {
  type: APP,
  compliant: app,
  violations: [
    ["configuration.service", { type: "postgres" }, /development-grade "postgres" add-on/],
    [
      "template.serviceBinds",
      [{ serviceId: "/subscriptions/s/x/containerApps/pg", name: "pg" }],
      /serviceBinds/,
    ],
  ],
  unknown: "configuration.service",
});

describePolicy(c.containerAppSecretsFromKeyVault, {
  type: APP,
  compliant: app,
  violations: [
    ["configuration.secrets.0.value", "s3cr3t", /carries a value/],
    ["configuration.secrets.0.keyVaultUrl", undefined, /no keyVaultUrl/],
    ["configuration.secrets.0.identity", "system", /user-assigned/],
  ],
  unknown: "configuration.secrets",
});

describePolicy(c.containerAppNoSecretEnv, {
  type: APP,
  compliant: app,
  violations: [
    ["template.containers.0.env.0", { name: "DB_PASSWORD", value: "x" }, /DB_PASSWORD/],
    [
      "template.containers.0.env.0",
      { name: "STORAGE", value: "DefaultEndpointsProtocol=https;AccountKey=abc" },
      /credential/,
    ],
    // Issue 13, class 6: secrets outside env, and detector gaps.
    ["template.containers.0.env.0", { name: "DB_PASS", value: "hunter2" }, /DB_PASS/],
    [
      "template.containers.0.env.0",
      { name: "DB_PASSWORD", secretRef: "db-password", value: "hunter2" },
      /DB_PASSWORD/,
    ],
    [
      "template.containers.0.env.0",
      { name: "UPSTREAM", value: "https://:hunter2@api.example.com" },
      /credential/,
    ],
    ["template.containers.0.env.0", { name: "AUTH", value: "Token Bearer abcdefgh12345678" }, /credential/],
    [
      "template.containers.0.env.0",
      { name: "ALERTS", value: "https://hooks.slack.com/services/T000/B000/XXXXXXXX" },
      /credential/,
    ],
    // review13: a key in a query parameter or a SignalR connection string, and an identifiable
    // Microsoft key under a plain name; all passed before.
    [
      "template.containers.0.env.0",
      {
        name: "MAPS_TILES",
        value: "https://atlas.microsoft.com/map/tile?api-version=2024-04-01&subscription-key=abc",
      },
      /credential/,
    ],
    [
      "template.containers.0.env.0",
      { name: "HUB", value: "Endpoint=https://sig.service.signalr.net;AccessKey=abc;Version=1.0;" },
      /credential/,
    ],
    [
      "template.containers.0.env.0",
      { name: "SEARCH", value: `${"a1B2c3D4e5".repeat(4)}x9AzSeB1c2D3` },
      /credential/,
    ],
    ["template.containers.0.args", ["--db-password=hunter2"], /db-password/],
    ["template.containers.0.args", ["--api-key", "abc123"], /api-key/],
    [
      "template.containers.0.command",
      ["sh", "-c", "curl -H 'Authorization: Bearer abcdefgh12345678' x"],
      /command\/args refused: .*credential/,
    ],
    [
      "template.containers.0.probes",
      [
        {
          type: "Liveness",
          httpGet: { path: "/", port: 80, httpHeaders: [{ name: "X-Api-Key", value: "k" }] },
        },
      ],
      /X-Api-Key/,
    ],
    ["template.initContainers", [{ name: "init", env: [{ name: "PGPASSWORD", value: "p" }] }], /PGPASSWORD/],
    [
      "template.scale.rules",
      [
        {
          name: "queue",
          custom: {
            type: "azure-servicebus",
            metadata: { connection: "Endpoint=sb://x/;SharedAccessKey=abc" },
          },
        },
      ],
      /metadata connection/,
    ],
    // http and tcp rules keep their metadata under their kind, as custom ones do.
    [
      "template.scale.rules",
      [{ name: "http", http: { metadata: { concurrentRequests: "50", password: "hunter2-hunter2" } } }],
      /scale rule "http": metadata password/,
    ],
    [
      "template.scale.rules",
      [{ name: "tcp", tcp: { metadata: { connectionString: "Server=tcp:db;Password=hunter2" } } }],
      /scale rule "tcp": metadata connectionString/,
    ],
    [
      "template.volumes",
      [{ name: "share", storageType: "AzureFile", mountOptions: "uid=1000,password=hunter2" }],
      /mountOptions/,
    ],
  ],
  passes: [
    ["template.containers.0.env.0", { name: "PASSWORD_MIN_LENGTH", value: "12" }],
    ["template.containers.0.env.0", { name: "TOKEN_REFRESH_ENABLED", value: "true" }],
    [
      "template.containers.0.env.0",
      { name: "TOKEN_ENDPOINT", value: "https://login.example.com/oauth2/token" },
    ],
    ["template.containers.0.args", ["--log-level", "info", "--port=8080"]],
    ["template.scale.rules", [{ name: "tcp", tcp: { metadata: { concurrentConnections: "100" } } }]],
    ["template.containers.0.env.0", { name: "DB_PASSWORD", secretRef: "db-password" }],
  ],
  unknown: "template.containers",
});

it("container-app-no-secret-env judges allow-listed names by value only", async () => {
  const props = set(app, "template.containers.0.env.0", { name: "PASSWORD_POLICY", value: "strict" });
  await expectViolation(c.containerAppNoSecretEnv, APP, props, /PASSWORD_POLICY/);
  await expectPass(c.containerAppNoSecretEnv, APP, props, { allowedEnvNames: ["PASSWORD_POLICY"] });
  const leaked = set(app, "template.containers.0.env.0", { name: "PASSWORD_POLICY", value: "x?sig=abc" });
  await expectViolation(c.containerAppNoSecretEnv, APP, leaked, /credential/, {
    allowedEnvNames: ["PASSWORD_POLICY"],
  });
});

describePolicy(c.daprComponentSecretsByReference, {
  type: "azure-native:app:DaprComponent",
  compliant: {
    componentName: "statestore",
    componentType: "state.azure.blobstorage",
    metadata: [
      { name: "accountName", value: "stsapdata" },
      { name: "azureClientId", value: "00000000-0000-0000-0000-000000000000" },
      { name: "accountKey", secretRef: "storage-key" },
    ],
    secrets: [
      { name: "storage-key", keyVaultUrl: "https://kv1.vault.azure.net/secrets/k", identity: identityId },
    ],
  },
  violations: [
    ["metadata.0", { name: "accountKey", value: "abc==" }, /accountKey/],
    ["metadata.0", { name: "url", value: "redis://:pw@cache:6380" }, /credential/],
    ["secrets.0", { name: "storage-key", value: "abc==" }, /carries a value/],
  ],
  unknown: "metadata",
});

// The digest pins the reviewed type, version, secret store and metadata (daprReviewDigest); the
// literal also pins its canonical form: entries already in presets must keep matching.
const REVIEWED_STORE = "statestore=state.azure.blobstorage@e62b7ff38f539e0f";
describePolicy(c.daprComponentsReviewed, {
  type: "azure-native:app:DaprComponent",
  compliant: {
    componentName: "statestore",
    componentType: "state.azure.blobstorage",
    metadata: [{ name: "accountName", value: "stsapdata" }],
  },
  config: { allowedComponents: [REVIEWED_STORE] },
  violations: [
    // The reviewed store renamed into an unreviewed one (same metadata or any other).
    [
      "componentName",
      "orders",
      /Dapr component "orders" \(state.azure.blobstorage\) .* not in allowedComponents/,
    ],
    // An HTTP output binding: every event the apps send goes to that URL.
    ["componentType", "bindings.http", /"statestore=bindings.http@[0-9a-f]{16}" is not in allowedComponents/],
    ["componentType", undefined, /type not known/],
    // The reviewed store pointed at another account: the same name and type, another destination.
    [
      "metadata",
      [{ name: "accountName", value: "stattacker" }],
      /"statestore=state.azure.blobstorage@[0-9a-f]{16}" is not in allowedComponents .* metadata value needs a new review/,
    ],
    [
      "metadata",
      [
        { name: "accountName", value: "stsapdata" },
        { name: "containerName", value: "state" },
      ],
      /not in allowedComponents/,
    ],
    ["metadata", [{ name: "accountName", secretRef: "account" }], /not in allowedComponents/],
    ["secretStoreComponent", "vault-elsewhere", /not in allowedComponents/],
    ["version", "v2", /not in allowedComponents/],
  ],
  passes: [
    // Metadata order and the type's case are not part of the review.
    ["componentType", "State.Azure.BlobStorage"],
    ["scopes", ["api"]],
  ],
  unknown: "componentType",
});

describe("dapr-components-reviewed: deny by default", () => {
  it("refuses every Dapr component without a review (default config)", async () => {
    const result = await runResourcePolicy(c.daprComponentsReviewed, {
      type: "azure-native:app:DaprComponent",
      name: "pubsub",
      props: {
        componentType: "pubsub.kafka",
        metadata: [{ name: "brokers", value: "kafka.attacker.example:9093" }],
      },
    });
    expect(result).toEqual([expect.stringMatching(/Dapr component "pubsub" \(pubsub.kafka\)/)]);
  });
  it("names the entry to review, and an entry without its digest allows nothing", async () => {
    const props = {
      componentName: "statestore",
      componentType: "state.azure.blobstorage",
      metadata: [
        { name: "containerName", value: "state" },
        { name: "accountName", value: "stsapdata" },
      ],
    };
    const run = (allowedComponents: string[]) =>
      runResourcePolicy(
        c.daprComponentsReviewed,
        { type: "azure-native:app:DaprComponent", name: "s", props },
        { allowedComponents },
      );
    const [message] = (await run([])) as string[];
    const entry = /"(statestore=state\.azure\.blobstorage@[0-9a-f]{16})"/.exec(message)?.[1];
    expect(entry).toBe(`statestore=state.azure.blobstorage@${c.daprReviewDigest(props)}`);
    expect(await run([entry!])).toEqual([]);
    expect(await run(["statestore=state.azure.blobstorage"])).toHaveLength(1);
    expect(c.daprReviewDigest({ ...props, metadata: [...props.metadata].reverse() })).toBe(
      c.daprReviewDigest(props),
    );
  });
});

describePolicy(c.managedEnvironmentStorageNoAccountKey, {
  type: "azure-native:app:ManagedEnvironmentsStorage",
  compliant: {
    storageName: "share",
    properties: {
      nfsAzureFile: { server: "st.file.core.windows.net", shareName: "/st/share", accessMode: "ReadOnly" },
    },
  },
  violations: [
    [
      "properties.azureFile",
      { accountName: "st", accountKey: "abc==", shareName: "share", accessMode: "ReadWrite" },
      /accountKey/,
    ],
  ],
  unknown: "properties",
});

describe("jobs follow the same secret and identity rules", () => {
  const job = {
    identity: app.identity,
    configuration: { secrets: [{ name: "s", value: "plain" }], triggerType: "Manual", replicaTimeout: 60 },
  };
  it("refuses a plain secret value in a job", () =>
    expectViolation(c.containerAppSecretsFromKeyVault, JOB, job, /carries a value/));
  it("refuses a job without identity", () =>
    expectViolation(
      c.containerAppUserAssignedIdentity,
      JOB,
      { ...job, identity: undefined },
      /UserAssigned/,
    ));
});

const ENV = "azure-native:app:ManagedEnvironment";
const environment = {
  environmentName: "sap-prod-cae",
  vnetConfiguration: { infrastructureSubnetId: "/subnets/apps", internal: false },
  peerTrafficConfiguration: { encryption: { enabled: true } },
  zoneRedundant: true,
  appLogsConfiguration: { destination: "azure-monitor" },
};

describePolicy(c.managedEnvironmentVnet, {
  type: ENV,
  compliant: environment,
  violations: [["vnetConfiguration", undefined, /infrastructureSubnetId/]],
  unknown: "vnetConfiguration",
});

describePolicy(c.managedEnvironmentPeerEncryption, {
  type: ENV,
  compliant: environment,
  violations: [
    ["peerTrafficConfiguration.encryption.enabled", false, /encryption/],
    ["peerTrafficConfiguration", undefined, /encryption/],
  ],
  unknown: "peerTrafficConfiguration",
});

describePolicy(c.managedEnvironmentZoneRedundant, {
  type: ENV,
  compliant: environment,
  violations: [["zoneRedundant", false, /zoneRedundant/]],
  unknown: "zoneRedundant",
});

describePolicy(c.managedEnvironmentLogs, {
  type: ENV,
  compliant: environment,
  violations: [
    ["appLogsConfiguration.destination", "log-analytics", /destination/],
    ["appLogsConfiguration.logAnalyticsConfiguration", { customerId: "c", sharedKey: "k" }, /sharedKey/],
    ["appLogsConfiguration", undefined, /destination/],
  ],
  unknown: "appLogsConfiguration",
});

describePolicy(c.managedEnvironmentNoTelemetryExport, {
  type: ENV,
  compliant: environment,
  config: { allowedOtlpEndpoints: ["https://otel.internal.example:4317"] },
  violations: [
    [
      "openTelemetryConfiguration.destinationsConfiguration.otlpConfigurations",
      [{ name: "collector", endpoint: "https://collector.attacker.example:4317" }],
      /collector.attacker.example.*allowedOtlpEndpoints/,
    ],
    [
      "openTelemetryConfiguration.destinationsConfiguration.dataDogConfiguration",
      { site: "datadoghq.com", key: "k" },
      /Datadog \(site "datadoghq.com"\)/,
    ],
    [
      "appInsightsConfiguration.connectionString",
      "InstrumentationKey=00000000-0000-0000-0000-000000000000",
      /Application Insights/,
    ],
    ["daprAIConnectionString", "InstrumentationKey=x", /daprAIConnectionString/],
  ],
  passes: [
    [
      "openTelemetryConfiguration.destinationsConfiguration.otlpConfigurations",
      [{ name: "reviewed", endpoint: "https://OTEL.internal.example:4317" }],
    ],
  ],
  unknown: "openTelemetryConfiguration",
});

describe("container-app-https-only on external ingress", () => {
  const APP_TYPE = "azure-native:app:ContainerApp";
  const external = { configuration: { ingress: { external: true, targetPort: 8080, transport: "auto" } } };
  it("accepts HTTP transports", async () => {
    for (const transport of ["auto", "http", "http2"])
      await expectPass(c.containerAppHttpsOnly, APP_TYPE, {
        configuration: { ingress: { ...external.configuration.ingress, transport } },
      });
  });
  it("refuses raw TCP and exposed ports", () =>
    expectViolation(
      c.containerAppHttpsOnly,
      APP_TYPE,
      {
        configuration: { ingress: { ...external.configuration.ingress, transport: "tcp", exposedPort: 22 } },
      },
      /transport tcp/,
    ));
  it("refuses an external additional port", () =>
    expectViolation(
      c.containerAppHttpsOnly,
      APP_TYPE,
      {
        configuration: {
          ingress: {
            ...external.configuration.ingress,
            additionalPortMappings: [{ external: true, targetPort: 5432 }],
          },
        },
      },
      /additional port 5432 is external/,
    ));
  it("leaves internal TCP ingress alone (the VNet only)", () =>
    expectPass(c.containerAppHttpsOnly, APP_TYPE, {
      configuration: { ingress: { external: false, transport: "tcp", exposedPort: 5432, targetPort: 5432 } },
    }));
});

describePolicy(c.managedEnvironmentNoCertificateSecrets, {
  type: "azure-native:app:ManagedEnvironment",
  compliant: {
    customDomainConfiguration: {
      dnsSuffix: "apps.example.com",
      certificateKeyVaultProperties: {
        identity: identityId,
        keyVaultUrl: "https://kv1.vault.azure.net/secrets/tls",
      },
    },
  },
  violations: [
    ["customDomainConfiguration.certificatePassword", "pfx-password", /certificatePassword/],
    ["customDomainConfiguration.certificateValue", "MIIKcQIBAzCCCjcGCSqG", /certificateValue/],
  ],
  passes: [["customDomainConfiguration", undefined]],
  unknown: "customDomainConfiguration",
});

describe("the one secret heuristic (controls/secretDetection.ts)", () => {
  it.each([
    ["DB_PASS", "hunter2"],
    ["dbPassword", "hunter2"],
    ["X-Api-Key", "k"],
    ["TOKEN_ENDPOINT", "https://user:pw@login.example.com/token"],
    ["TOKEN_ENDPOINT", "https://login.example.com/token?client_secret=x&code=abc"],
    ["API_TOKEN", ""], // unknown value (preview): judged by name
    ["NOTES", "see https://:pw@host/"],
    ["NOTES", "Authorization: Basic dXNlcjpwYXNz"],
    ["NOTES", "AKIAABCDEFGHIJKLMNOP"],
  ])("refuses %s=%p", (name, value) => expect(secretLookingReason(name, value)).toBeDefined());
  it.each([
    ["PASSWORD_MIN_LENGTH", "12"],
    ["TOKEN_TTL_SECONDS", "3600"],
    ["SECRET_ROTATION_ENABLED", "false"],
    ["TOKEN_ENDPOINT", "https://login.example.com/oauth2/token"],
    ["KEY_VAULT_HOST", "kv1.vault.azure.net"],
    ["LOG_LEVEL", "info"],
    ["DATABASE_URL", "postgresql://id-sap-app-api@db:5432/app"],
  ])("accepts %s=%p", (name, value) => expect(secretLookingReason(name, value)).toBeUndefined());
  it("takes allow-listed names by value only", () => {
    expect(secretLookingReason("PASSWORD_POLICY", "strict", ["PASSWORD_POLICY"])).toBeUndefined();
    expect(secretLookingReason("PASSWORD_POLICY", "Password=x", ["PASSWORD_POLICY"])).toBeDefined();
  });
});

describeStackPolicy(c.containerAppKeyVaultReferences);

describe("container-app-key-vault-references", () => {
  it("flags a reference to a foreign vault", async () => {
    const foreign = replace(estate(), "web", {
      configuration: {
        secrets: [{ name: "s", keyVaultUrl: "https://elsewhere.vault.azure.net/secrets/x", identity: "/id" }],
      },
    });
    expect(await violations(c.containerAppKeyVaultReferences, foreign)).toMatch(/elsewhere/);
  });
  // Preview (bypass10): before, an app's configuration or a vault's name not known yet made the
  // whole policy "can't run during preview", hiding a reference to a foreign vault beside it; and a
  // URL not known yet passed when the app depended on a vault in any way (a dependsOn).
  const foreignRef = {
    type: "azure-native:app:Job",
    name: "exfil",
    urn: "urn:pulumi:prod::secure-azure-platform::azure-native:app:Job::exfil",
    props: {
      configuration: {
        secrets: [{ name: "s", keyVaultUrl: "https://elsewhere.vault.azure.net/secrets/x", identity: "/id" }],
      },
    },
  };
  it.each([
    [
      "an app whose configuration is not known yet",
      (r: { name: string }) => r.name === "web",
      { configuration: UNKNOWN },
    ],
    ["a vault whose name is not known yet", (r: { name: string }) => r.name === "kv", { vaultName: UNKNOWN }],
  ])("in a preview, %s does not hide a reference to a foreign vault", async (_what, which, props) => {
    const preview = estate().map((r) => (which(r) ? { ...r, props: { ...r.props, ...props } } : r));
    expect(await violations(c.containerAppKeyVaultReferences, [...preview, foreignRef])).toMatch(
      /Job exfil: secret "s" references "https:\/\/elsewhere/,
    );
  });
  it("in a preview, judges a URL not known yet by what the configuration was computed from", async () => {
    const vault = estate().find((r) => r.name === "kv")!;
    const salt = randomString().urn;
    const app = (sources: string[]) => ({
      ...foreignRef,
      props: { configuration: { secrets: [{ name: "s", keyVaultUrl: UNKNOWN, identity: "/id" }] } },
      dependencies: [vault.urn, salt],
      propertyDependencies: { configuration: sources },
    });
    const saltResource = randomString();
    expect(
      await violations(c.containerAppKeyVaultReferences, [...estate(), saltResource, app([vault.urn])]),
    ).toBe("");
    expect(
      await violations(c.containerAppKeyVaultReferences, [...estate(), saltResource, app([salt])]),
    ).toMatch(/not known yet and does not come from a vault of this stack/);
    // A secret list not known as a whole is judged the same way.
    const whole = { ...app([salt]), props: { configuration: { secrets: UNKNOWN } } };
    expect(await violations(c.containerAppKeyVaultReferences, [...estate(), saltResource, whole])).toMatch(
      /not known yet and does not come from a vault of this stack/,
    );
  });
});

describe("container-apps-run-in-stack (NET-1, ENV-1)", () => {
  const vnet = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet";
  const network = [
    stackResource("network:VirtualNetwork", "vnet", { id: vnet, location: "westeurope" }),
    stackResource("network:Subnet", "apps", { id: `${vnet}/subnets/apps` }),
  ];
  const env = (infrastructureSubnetId: unknown, dependencies: string[] = []) =>
    stackResource(
      "app:ManagedEnvironment",
      "env",
      { vnetConfiguration: { infrastructureSubnetId, internal: true } },
      dependencies,
    );
  // Preview (bypass10): a subnet not known yet was vouched for by any dependency of the
  // environment (a dependsOn on our subnet); now only what vnetConfiguration was computed from.
  it("in a preview, judges the subnet by what vnetConfiguration was computed from", async () => {
    const salt = randomString();
    const computed = (sources: string[]) => ({
      ...env(UNKNOWN, [network[1].urn, salt.urn]),
      propertyDependencies: { vnetConfiguration: sources },
    });
    expect(
      await runStackPolicy(c.containerAppsRunInStack, [...network, salt, computed([network[1].urn])]),
    ).toEqual([]);
    expect(
      String(await runStackPolicy(c.containerAppsRunInStack, [...network, salt, computed([salt.urn])])),
    ).toMatch(/infrastructureSubnetId is not known yet and does not come from a resource of this stack/);
  });
  it("in a preview, judges an app's environment by what environmentId was computed from", async () => {
    const salt = randomString();
    const environment = env(`${vnet}/subnets/apps`);
    const app = (sources: string[]) => ({
      ...stackResource("app:ContainerApp", "web", { environmentId: UNKNOWN }, [environment.urn, salt.urn]),
      propertyDependencies: { environmentId: sources },
    });
    const run = (a: unknown) =>
      runStackPolicy(c.containerAppsRunInStack, [...network, environment, salt, a] as never);
    expect(await run(app([environment.urn]))).toEqual([]);
    expect(String(await run(app([salt.urn])))).toMatch(
      /environmentId is not known yet and does not come from a resource of this stack/,
    );
  });
  it("accepts the stack's apps subnet, also when its ID is not known yet", async () => {
    expect(
      await runStackPolicy(c.containerAppsRunInStack, [...network, env(`${vnet}/subnets/apps`)]),
    ).toEqual([]);
    expect(
      await runStackPolicy(c.containerAppsRunInStack, [...network, env(UNKNOWN, [network[1].urn])]),
    ).toEqual([]);
  });
  it("refuses another environment's subnet and an unknown subnet from no network of the stack", async () => {
    const other =
      "/subscriptions/s/resourceGroups/rg-dev/providers/Microsoft.Network/virtualNetworks/vnet/subnets/apps";
    expect(String(await runStackPolicy(c.containerAppsRunInStack, [...network, env(other)]))).toMatch(
      /infrastructureSubnetId .* is not a resource of this stack/,
    );
    const salt = randomString();
    expect(
      String(await runStackPolicy(c.containerAppsRunInStack, [...network, salt, env(UNKNOWN, [salt.urn])])),
    ).toMatch(/not known yet/);
  });
  it("refuses an app or job in an environment the stack does not own", async () => {
    const envId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/cae";
    const ours = stackResource("app:ManagedEnvironment", "cae", {
      id: envId,
      vnetConfiguration: { infrastructureSubnetId: `${vnet}/subnets/apps` },
    });
    const job = (environmentId: string) => stackResource("app:Job", "job", { environmentId });
    expect(await runStackPolicy(c.containerAppsRunInStack, [...network, ours, job(envId)])).toEqual([]);
    expect(
      String(
        await runStackPolicy(c.containerAppsRunInStack, [
          ...network,
          ours,
          job(`${envId.replace("/rg/", "/rg-x/")}`),
        ]),
      ),
    ).toMatch(/Job job: environmentId .* is not a resource of this stack/);
  });

  describe("environment storage mounts (bypass9: apps write to a share of another account)", () => {
    const account = stackResource("storage:StorageAccount", "st", {
      id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stsapdata",
      accountName: "stsapdata",
    });
    const mount = (properties: unknown, extra: Record<string, unknown> = {}) => ({
      ...stackResource("app:ManagedEnvironmentsStorage", "share", {
        environmentName: "cae",
        storageName: "share",
        properties,
      }),
      ...extra,
    });
    const run = async (...resources: unknown[]) =>
      String(
        await runStackPolicy(c.containerAppsRunInStack, [...network, account, ...(resources as never[])]),
      );
    const nfs = (server: unknown) => ({
      nfsAzureFile: { server, shareName: "/stsapdata/share", accessMode: "ReadWrite" },
    });
    const smb = (accountName: unknown) => ({
      azureFile: { accountName, shareName: "share", accessMode: "ReadWrite" },
    });

    it("accepts a share of the stack's account, by name or NFS host", async () => {
      expect(await run(mount(smb("StSapData")))).toBe("");
      expect(await run(mount(nfs("stsapdata.file.core.windows.net")))).toBe("");
      expect(await run(mount(nfs("stsapdata.privatelink.file.core.windows.net")))).toBe("");
    });
    it.each([
      [
        "an Azure Files share of a foreign account",
        smb("stattackerdrop"),
        /share of storage account "stattackerdrop", which is not one of this stack's/,
      ],
      ["an NFS share of a foreign account", nfs("stattackerdrop.file.core.windows.net"), /stattackerdrop/],
      [
        "an NFS server that is no storage account",
        nfs("10.0.0.4"),
        /server "10.0.0.4" names no storage account/,
      ],
      [
        "an SMB host of a later API version",
        { smb: { host: "files.attacker.example", shareName: "s", username: "u", password: "p" } },
        /properties.smb mounts storage the pack cannot place/,
      ],
    ])("refuses %s", async (_what, properties, message) => {
      expect(await run(mount(properties))).toMatch(message);
    });
    it("accepts a foreign account on allowedDestinations by its ARM ID", async () => {
      const id = "/subscriptions/o/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/stshared";
      expect(
        String(
          await runStackPolicy(c.containerAppsRunInStack, [...network, account, mount(smb("stshared"))], {
            allowedDestinations: [id],
          }),
        ),
      ).toBe("");
    });
    it("in a preview, still refuses a foreign share while an account of the stack has no name yet", async () => {
      const unnamed = stackResource("storage:StorageAccount", "st2", { id: UNKNOWN, accountName: UNKNOWN });
      expect(await run(unnamed, mount(smb("stattackerdrop")))).toMatch(
        /share of storage account "stattackerdrop", which is not one of this stack's/,
      );
    });
    it("in a preview, judges an unknown account by what the properties come from", async () => {
      expect(await run(mount(smb(UNKNOWN), { propertyDependencies: { properties: [account.urn] } }))).toBe(
        "",
      );
      const salt = randomString();
      const fromSalt = { propertyDependencies: { properties: [salt.urn] } };
      expect(await run(salt, mount(smb(UNKNOWN), fromSalt))).toMatch(
        /accountName is not known yet and does not come from a storage account/,
      );
      expect(await run(salt, mount(UNKNOWN, fromSalt))).toMatch(/properties is not known yet/);
      // Computed from no resource: an account name the program never set (a first preview's
      // PreviewOutputs), so the share names none; and properties never set are none.
      expect(await run(mount(smb(UNKNOWN)))).toMatch(/accountName not set names no storage account/);
      expect(await run(mount(UNKNOWN))).toBe("");
    });
  });
});
