/**
 * Stack policies on resources being created, with every output the program leaves unset unknown,
 * as a real first preview gives them: azure-native's `Create` in preview answers PreviewOutputs,
 * which puts every output property of the response the inputs do not set as unknown
 * (pulumi/pulumi-azure-native provider/pkg/convert/previewOutputs.go; `previewResource`), and the
 * engine sends no propertyDependencies entry for an input computed from nothing. Each secure case
 * was refused before ("... is not known yet and does not come from a resource of this stack"),
 * which blocked the first `pulumi up` of a new stack; an output not known yet that no resource
 * computed is one the program never set (policy/lib/relations.ts `notSetByProgram`). The same
 * output computed from a resource the policy does not accept, or written as a foreign literal,
 * stays refused.
 */
import { runResourcePolicy, runStackPolicy, UNKNOWN } from "../../helpers/policyHarness";
import { previewResource, randomString, stackResource } from "./support";
import { forgetAnalyzedInputs } from "../../../policy/lib/define";
import { requiredTags } from "../../../policy/policies/general";
import { diagnosticDestinationsInStack } from "../../../policy/policies/monitoring";
import { alertRoutesInStack } from "../../../policy/policies/alerting";
import { userAssignedIdentitiesFromStack } from "../../../policy/policies/managedIdentity";
import {
  privateDnsInStack,
  privateEndpointsInStack,
  subnetNsgInStack,
  vnetPeeringInStack,
} from "../../../policy/policies/network";
import { blobContainerEncryptionScope } from "../../../policy/policies/storage";
import { containerAppsRunInStack } from "../../../policy/policies/containerApps";
import { postgresSourceInStack } from "../../../policy/policies/postgres";
import { redisGeoReplicationInStack } from "../../../policy/policies/redis";
import { customerManagedKeysRotate } from "../../../policy/policies/customerManagedKeys";

type Resource = ReturnType<typeof previewResource> | ReturnType<typeof randomString>;
type Policy = Parameters<typeof runStackPolicy>[0];

/** Another environment's resource group: a literal foreign ARM ID is refused by what it names. */
const OTHER = "/subscriptions/00000000-0000-4000-8000-000000000002/resourceGroups/rg-sap-dev/providers";
const salt = randomString();
const rg = previewResource("resources:ResourceGroup", "rg", { resourceGroupName: "rg-sap-prod" });
const inRg = { resourceGroupName: [rg.urn] };
type Props = Record<string, unknown>;
type Deps = Record<string, string[]>;
/**
 * A resource being created in the stack's group (no ID, its outputs as PreviewOutputs gives them):
 * `defaults` and `defaultDeps` (propertyDependencies), overridden per case.
 */
const variant =
  (type: string, name: string, defaults: Props, defaultDeps: Deps = {}) =>
  (inputs: Props = {}, deps: Deps = {}) =>
    previewResource(
      type,
      name,
      { resourceGroupName: UNKNOWN, location: "westeurope", ...defaults, ...inputs },
      { ...inRg, ...defaultDeps, ...deps },
    );
const created = (type: string, name: string, inputs: Props, deps: Deps = {}) =>
  variant(type, name, inputs, deps)();
const violations = async (policy: Policy, resources: Resource[], config?: Record<string, unknown>) =>
  ((await runStackPolicy(policy, [rg, salt, ...resources] as never, config)) as string[]).join("\n");

describe("diagnostic-destinations-in-stack on a first preview", () => {
  const vault = created("keyvault:Vault", "kv", { vaultName: "kv-sap", properties: {} });
  const workspace = created("operationalinsights:Workspace", "log", { workspaceName: "log-sap" });
  const setting = variant(
    "monitor:DiagnosticSetting",
    "kv-diag",
    {
      resourceUri: UNKNOWN,
      name: "to-workspace",
      workspaceId: UNKNOWN,
      logs: [{ categoryGroup: "audit", enabled: true }],
    },
    { resourceUri: [vault.urn], workspaceId: [workspace.urn] },
  );
  it("a setting that writes to the stack's workspace only passes: its other destinations are unset", async () => {
    expect(setting().props.storageAccountId).toBe(UNKNOWN);
    expect(setting().props.marketplacePartnerId).toBe(UNKNOWN);
    expect(await violations(diagnosticDestinationsInStack, [vault, workspace, setting()])).toBe("");
  });
  it("a destination computed from a resource of another kind, or a foreign literal, is refused", async () => {
    const computed = setting({ storageAccountId: UNKNOWN }, { storageAccountId: [salt.urn] });
    expect(await violations(diagnosticDestinationsInStack, [vault, workspace, computed])).toMatch(
      /storageAccountId is not known yet and does not come from a resource of this stack/,
    );
    const partner = setting({ marketplacePartnerId: UNKNOWN }, { marketplacePartnerId: [salt.urn] });
    expect(await violations(diagnosticDestinationsInStack, [vault, workspace, partner])).toMatch(
      /marketplacePartnerId "\(not known yet\)" sends logs to a partner/,
    );
    const foreign = setting({
      storageAccountId: `${OTHER}/Microsoft.Storage/storageAccounts/stsapdev`,
      marketplacePartnerId: `${OTHER}/Microsoft.Datadog/monitors/dd`,
    });
    const result = await violations(diagnosticDestinationsInStack, [vault, workspace, foreign]);
    expect(result).toMatch(/storageAccountId .*stsapdev.* is not a resource of this stack/);
    expect(result).toMatch(/marketplacePartnerId .*monitors\/dd.* sends logs to a partner/);
  });
});

describe("alert-routes-in-stack on a first preview", () => {
  const config = { allowedEmailDomains: ["example.com"] };
  const group = variant("monitor:ActionGroup", "ag", {
    actionGroupName: "ag-sap",
    groupShortName: "sap",
    enabled: true,
    location: "global",
    emailReceivers: [{ name: "oncall", emailAddress: "oncall@example.com" }],
  });
  const vault = created("keyvault:Vault", "kv", { vaultName: "kv-sap", properties: {} });
  const alert = created(
    "monitor:MetricAlert",
    "kv-availability",
    {
      ruleName: "kv-availability",
      enabled: true,
      severity: 1,
      scopes: [UNKNOWN],
      actions: [{ actionGroupId: UNKNOWN }],
    },
    { scopes: [vault.urn], actions: [group().urn] },
  );
  it("an e-mail-only action group passes: its other receiver lists are unset", async () => {
    expect(group().props.webhookReceivers).toBe(UNKNOWN);
    expect(group().props.itsmReceivers).toBe(UNKNOWN);
    expect(await violations(alertRoutesInStack, [vault, group(), alert], config)).toBe("");
  });
  it("a receiver list computed from a resource, or a foreign literal, is refused", async () => {
    const computed = group(
      { webhookReceivers: UNKNOWN, logicAppReceivers: UNKNOWN },
      { webhookReceivers: [salt.urn], logicAppReceivers: [salt.urn] },
    );
    const result = await violations(alertRoutesInStack, [vault, computed, alert], config);
    expect(result).toMatch(/webhookReceivers is not known yet/);
    expect(result).toMatch(/logicAppReceivers is not known yet and does not come from/);
    const foreign = group({
      webhookReceivers: [{ name: "x", serviceUri: "https://collector.attacker.example/in" }],
    });
    expect(await violations(alertRoutesInStack, [vault, foreign, alert], config)).toMatch(
      /collector.attacker.example, not an allowed alert endpoint/,
    );
  });
});

describe("user-assigned-identities-from-stack on a first preview", () => {
  const identity = created("managedidentity:UserAssignedIdentity", "id", { resourceName: "id-app" });
  const workspace = created("operationalinsights:Workspace", "log", { workspaceName: "log-sap" });
  const app = (identities: unknown, from: string[]) =>
    created(
      "app:ContainerApp",
      "web",
      { containerAppName: "web", identity: { type: "UserAssigned", userAssignedIdentities: identities } },
      { identity: from },
    );
  it("a resource without an identity (unset) and an app running as the stack's identity pass", async () => {
    expect(workspace.props.identity).toBe(UNKNOWN);
    expect(
      await violations(userAssignedIdentitiesFromStack, [
        identity,
        workspace,
        app([UNKNOWN], [identity.urn]),
      ]),
    ).toBe("");
  });
  it("an identity computed from a resource that is no identity, or a foreign literal, is refused", async () => {
    expect(await violations(userAssignedIdentitiesFromStack, [identity, app([UNKNOWN], [salt.urn])])).toMatch(
      /identity.userAssignedIdentities is not known yet and does not come from a resource of this stack/,
    );
    const foreign = `${OTHER}/Microsoft.ManagedIdentity/userAssignedIdentities/id-app-dev`;
    expect(await violations(userAssignedIdentitiesFromStack, [identity, app([foreign], [])])).toMatch(
      /id-app-dev.* is not a resource of this stack/,
    );
  });
});

describe("network stack policies on a first preview", () => {
  const nsg = created("network:NetworkSecurityGroup", "nsg", { networkSecurityGroupName: "nsg-apps" });
  const vnet = created("network:VirtualNetwork", "vnet", {
    virtualNetworkName: "vnet-sap",
    addressSpace: { addressPrefixes: ["10.20.0.0/16"] },
  });
  const subnet = variant(
    "network:Subnet",
    "apps",
    {
      virtualNetworkName: UNKNOWN,
      subnetName: "snet-apps",
      addressPrefix: "10.20.0.0/23",
      networkSecurityGroup: { id: UNKNOWN },
    },
    { virtualNetworkName: [vnet.urn], networkSecurityGroup: [nsg.urn] },
  );
  const vault = created("keyvault:Vault", "kv", { vaultName: "kv-sap", properties: {} });
  const endpoint = variant(
    "network:PrivateEndpoint",
    "kv-pe",
    {
      privateEndpointName: "pe-kv",
      subnet: { id: UNKNOWN },
      privateLinkServiceConnections: [{ name: "kv", privateLinkServiceId: UNKNOWN, groupIds: ["vault"] }],
    },
    { subnet: [subnet().urn], privateLinkServiceConnections: [vault.urn] },
  );
  const remote = created("network:VirtualNetwork", "vnet2", {
    virtualNetworkName: "vnet-sap-2",
    addressSpace: { addressPrefixes: ["10.30.0.0/16"] },
  });
  const peering = variant(
    "network:VirtualNetworkPeering",
    "peer",
    { virtualNetworkName: UNKNOWN, remoteVirtualNetwork: { id: UNKNOWN } },
    { virtualNetworkName: [vnet.urn], remoteVirtualNetwork: [remote.urn] },
  );

  it("subnet-nsg-in-stack: the stack's subnet with its NSG passes; its route table, NAT gateway and the VNet's subnets are unset", async () => {
    expect(subnet().props.routeTable).toBe(UNKNOWN);
    expect(vnet.props.subnets).toBe(UNKNOWN);
    expect(await violations(subnetNsgInStack, [nsg, vnet, subnet()])).toBe("");
  });
  it("subnet-nsg-in-stack: a route table computed from a resource that is none, or a foreign one, is refused", async () => {
    const computed = subnet({ routeTable: { id: UNKNOWN } }, { routeTable: [salt.urn] });
    expect(await violations(subnetNsgInStack, [nsg, vnet, computed])).toMatch(
      /routeTable.id is not known yet and does not come from a resource of this stack/,
    );
    const foreign = subnet({ natGateway: { id: `${OTHER}/Microsoft.Network/natGateways/ng` } });
    expect(await violations(subnetNsgInStack, [nsg, vnet, foreign])).toMatch(
      /natGateway.id .*natGateways\/ng.* is not a resource of this stack/,
    );
  });

  it("private-endpoints-in-stack: an endpoint to the stack's vault passes; its manual connections are unset", async () => {
    expect(endpoint().props.manualPrivateLinkServiceConnections).toBe(UNKNOWN);
    expect(await violations(privateEndpointsInStack, [nsg, vnet, subnet(), vault, endpoint()])).toBe("");
  });
  it("private-endpoints-in-stack: manual connections computed from a resource, or to a foreign target, are refused", async () => {
    const computed = endpoint(
      { manualPrivateLinkServiceConnections: UNKNOWN },
      { manualPrivateLinkServiceConnections: [salt.urn] },
    );
    expect(await violations(privateEndpointsInStack, [nsg, vnet, subnet(), vault, computed])).toMatch(
      /manual private link connection to "\(not known yet\)"/,
    );
    const target = `${OTHER}/Microsoft.Storage/storageAccounts/stsapdev`;
    const foreign = endpoint({
      manualPrivateLinkServiceConnections: [{ name: "m", privateLinkServiceId: target, groupIds: ["blob"] }],
    });
    expect(await violations(privateEndpointsInStack, [nsg, vnet, subnet(), vault, foreign])).toMatch(
      /manual private link connection to .*stsapdev/,
    );
  });

  it("vnet-peering-in-stack: a VNet without peerings and a peering between the stack's networks pass; transit settings are unset", async () => {
    expect(vnet.props.virtualNetworkPeerings).toBe(UNKNOWN);
    expect(peering().props.allowForwardedTraffic).toBe(UNKNOWN);
    expect(await violations(vnetPeeringInStack, [vnet, remote, peering()])).toBe("");
  });
  it("vnet-peering-in-stack: transit or a remote network computed from a resource, or a foreign network, is refused", async () => {
    const computed = peering(
      { allowForwardedTraffic: UNKNOWN, remoteVirtualNetwork: { id: UNKNOWN } },
      { allowForwardedTraffic: [salt.urn], remoteVirtualNetwork: [salt.urn] },
    );
    const result = await violations(vnetPeeringInStack, [vnet, remote, computed]);
    expect(result).toMatch(/sets allowForwardedTraffic to a value not known yet/);
    expect(result).toMatch(/remoteVirtualNetwork.id is not known yet and does not come from/);
    const foreign = peering({
      remoteVirtualNetwork: { id: `${OTHER}/Microsoft.Network/virtualNetworks/vnet-sap-dev` },
    });
    expect(await violations(vnetPeeringInStack, [vnet, remote, foreign])).toMatch(
      /vnet-sap-dev.* is not a resource of this stack/,
    );
  });

  it("private-dns-in-stack: a VNet without custom DNS servers (unset) passes", async () => {
    expect(vnet.props.dhcpOptions).toBe(UNKNOWN);
    expect(await violations(privateDnsInStack, [vnet])).toBe("");
  });
  it("private-dns-in-stack: DNS servers computed from a resource, or a foreign literal, are refused", async () => {
    const computed = created(
      "network:VirtualNetwork",
      "vnet-x",
      { virtualNetworkName: "vnet-x", dhcpOptions: { dnsServers: UNKNOWN } },
      { dhcpOptions: [salt.urn] },
    );
    expect(await violations(privateDnsInStack, [computed])).toMatch(
      /dhcpOptions.dnsServers names a server not known yet/,
    );
    const foreign = created("network:VirtualNetwork", "vnet-y", {
      virtualNetworkName: "vnet-y",
      dhcpOptions: { dnsServers: ["203.0.113.53"] },
    });
    expect(await violations(privateDnsInStack, [foreign])).toMatch(/"203.0.113.53", not Azure DNS/);
  });
});

describe("blob-container-encryption-scope on a first preview", () => {
  const account = created("storage:StorageAccount", "st", { accountName: "stsap", kind: "StorageV2" });
  const container = variant(
    "storage:BlobContainer",
    "docs",
    { accountName: UNKNOWN, containerName: "docs", publicAccess: "None" },
    { accountName: [account.urn] },
  );
  it("a container under the account's key passes: its default encryption scope is unset", async () => {
    expect(container().props.defaultEncryptionScope).toBe(UNKNOWN);
    expect(await violations(blobContainerEncryptionScope, [account, container()])).toBe("");
  });
  it("a scope computed from a resource that is no Key Vault scope, or one the stack lacks, is refused", async () => {
    const computed = container({ defaultEncryptionScope: UNKNOWN }, { defaultEncryptionScope: [salt.urn] });
    expect(await violations(blobContainerEncryptionScope, [account, computed])).toMatch(
      /default encryption scope is not known yet and does not come from an encryption scope/,
    );
    expect(
      await violations(blobContainerEncryptionScope, [account, container({ defaultEncryptionScope: "mms" })]),
    ).toMatch(/default encryption scope "mms" is not an encryption scope of this stack/);
  });
});

describe("container-apps-run-in-stack on a first preview", () => {
  const environment = created("app:ManagedEnvironment", "cae", { environmentName: "cae-sap" });
  const app = variant(
    "app:ContainerApp",
    "web",
    { containerAppName: "web", environmentId: UNKNOWN },
    { environmentId: [environment.urn] },
  );
  it("an app in the stack's environment passes: the deprecated managedEnvironmentId is unset", async () => {
    expect(app().props.managedEnvironmentId).toBe(UNKNOWN);
    expect(await violations(containerAppsRunInStack, [environment, app()])).toBe("");
  });
  it("an environment computed from a resource that is none, or a foreign one, is refused", async () => {
    const computed = app({ managedEnvironmentId: UNKNOWN }, { managedEnvironmentId: [salt.urn] });
    expect(await violations(containerAppsRunInStack, [environment, computed])).toMatch(
      /managedEnvironmentId is not known yet and does not come from a resource of this stack/,
    );
    const foreign = app({ managedEnvironmentId: `${OTHER}/Microsoft.App/managedEnvironments/cae-sap-dev` });
    expect(await violations(containerAppsRunInStack, [environment, foreign])).toMatch(
      /cae-sap-dev.* is not a resource of this stack/,
    );
  });
});

describe("postgres-source-in-stack on a first preview", () => {
  const server = (name: string, inputs: Record<string, unknown> = {}, deps: Record<string, string[]> = {}) =>
    created("dbforpostgresql:Server", name, { serverName: `psql-${name}`, version: "16", ...inputs }, deps);
  it("a new server that copies nothing passes: its sourceServerResourceId is unset", async () => {
    expect(server("pg").props.sourceServerResourceId).toBe(UNKNOWN);
    expect(await violations(postgresSourceInStack, [server("pg")])).toBe("");
  });
  it("a source computed from a resource that is no server, or another environment's server, is refused", async () => {
    const computed = server(
      "copy",
      { createMode: "PointInTimeRestore", sourceServerResourceId: UNKNOWN },
      { sourceServerResourceId: [salt.urn] },
    );
    expect(await violations(postgresSourceInStack, [server("pg"), computed])).toMatch(
      /sourceServerResourceId is not known yet and does not come from a resource of this stack/,
    );
    const foreign = server("copy", {
      createMode: "PointInTimeRestore",
      sourceServerResourceId: `${OTHER}/Microsoft.DBforPostgreSQL/flexibleServers/psql-sap-dev`,
    });
    expect(await violations(postgresSourceInStack, [server("pg"), foreign])).toMatch(
      /psql-sap-dev.* is not a resource of this stack/,
    );
  });
});

describe("Managed Redis on a first preview", () => {
  const cluster = variant("redisenterprise:RedisEnterprise", "redis", {
    clusterName: "redis-sap",
    sku: { name: "Balanced_B0" },
    minimumTlsVersion: "1.2",
  });
  const database = variant(
    "redisenterprise:Database",
    "redis-db",
    { clusterName: UNKNOWN, databaseName: "default", clientProtocol: "Encrypted" },
    { clusterName: [cluster().urn] },
  );
  it("redis-geo-replication-in-stack: a database without geo-replication (unset) passes", async () => {
    expect(database().props.geoReplication).toBe(UNKNOWN);
    expect(await violations(redisGeoReplicationInStack, [cluster(), database()])).toBe("");
  });
  it("redis-geo-replication-in-stack: a link computed from a resource that is no cache, or a foreign one, is refused", async () => {
    const computed = database(
      { geoReplication: { groupNickname: "g", linkedDatabases: [{ id: UNKNOWN }] } },
      { geoReplication: [salt.urn] },
    );
    expect(await violations(redisGeoReplicationInStack, [cluster(), computed])).toMatch(
      /linkedDatabases\[\].id is not known yet and does not come from a resource of this stack/,
    );
    const other = `${OTHER}/Microsoft.Cache/redisEnterprise/redis-sap-dev/databases/default`;
    const foreign = database({ geoReplication: { groupNickname: "g", linkedDatabases: [{ id: other }] } });
    expect(await violations(redisGeoReplicationInStack, [cluster(), foreign])).toMatch(
      /redis-sap-dev.* is not a resource of this stack/,
    );
  });
  it("customer-managed-keys-rotate: a cluster without a customer-managed key (encryption unset) passes", async () => {
    expect(cluster().props.encryption).toBe(UNKNOWN);
    expect(await violations(customerManagedKeysRotate, [cluster()])).toBe("");
  });
  it("customer-managed-keys-rotate: a key URL computed from a resource that is no key, or a foreign key, is refused", async () => {
    const computed = cluster(
      { encryption: { customerManagedKeyEncryption: { keyEncryptionKeyUrl: UNKNOWN } } },
      { encryption: [salt.urn] },
    );
    expect(await violations(customerManagedKeysRotate, [computed])).toMatch(
      /uses a key whose URI is not known yet and does not come from a key of this stack/,
    );
    const url = "https://kv-sap-dev.vault.azure.net/keys/cmk/0123456789abcdef0123456789abcdef";
    const foreign = cluster({ encryption: { customerManagedKeyEncryption: { keyEncryptionKeyUrl: url } } });
    expect(await violations(customerManagedKeysRotate, [foreign])).toMatch(/does not manage/);
  });
});

/**
 * preview15: inside an object input, azure-native's preview puts every field of the output type
 * the input lacks as unknown too (pulumi/pulumi-azure-native provider/pkg/convert/previewOutputs.go:
 * `previewOutputValue` maps an object input through `PreviewOutputs` over its type's properties),
 * and only the top-level input has propertyDependencies. The resource policies see the inputs the
 * program sent first, in the same pack process (policy/lib/define.ts `inputWhenAnalyzed`): a field
 * absent there is unset; one present and not known yet, or inside an object not known as a whole,
 * is judged through the input's resources as before. (`previewResource` gives the nested fields
 * as the provider does, from the output types the SDK's typings declare: firstPreview.ts.)
 */
describe("fields an object input leaves unset, on a first preview", () => {
  afterEach(forgetAnalyzedInputs);
  /**
   * The engine's Analyze on the inputs the program sent, before AnalyzeStack (any resource policy
   * records them); each case is a deployment of its own.
   */
  const analyze = (r: Resource, inputs: Props) => {
    forgetAnalyzedInputs();
    return runResourcePolicy(requiredTags, { type: r.type, urn: r.urn, props: inputs });
  };
  const nsg = created("network:NetworkSecurityGroup", "nsg-app", { networkSecurityGroupName: "nsg-app" });
  const subnet = (extra: Props = {}) => ({
    name: "app",
    addressPrefix: "10.20.1.0/24",
    networkSecurityGroup: { id: UNKNOWN },
    ...extra,
  });
  /** A VNet with inline subnets, each subnet's NSG ID from the stack's NSG being created. */
  const inlineVnet = (subnets: unknown, from: string[] = [nsg.urn]) => {
    const inputs = {
      resourceGroupName: UNKNOWN,
      location: "westeurope",
      virtualNetworkName: "vnet-inline",
      addressSpace: { addressPrefixes: ["10.20.0.0/16"] },
      subnets,
    };
    const vnet = previewResource("network:VirtualNetwork", "vnet-inline", inputs, { ...inRg, subnets: from });
    return { vnet, inputs };
  };
  const subnetCheck = async (subnets: unknown, from?: string[], analyzed = true) => {
    const { vnet, inputs } = inlineVnet(subnets, from);
    if (analyzed) await analyze(vnet, inputs);
    else forgetAnalyzedInputs();
    return violations(subnetNsgInStack, [nsg, vnet]);
  };

  it("subnet-nsg-in-stack: inline subnets with the stack's NSG pass; their route table and NAT gateway are unset", async () => {
    const { vnet } = inlineVnet([subnet(), subnet({ name: "data", addressPrefix: "10.20.2.0/24" })]);
    // The simulation as azure-native: every field of SubnetResponse the input lacks is unknown.
    expect((vnet.props.subnets as Props[])[1]).toMatchObject({
      name: "data",
      routeTable: UNKNOWN,
      natGateway: UNKNOWN,
    });
    expect(await subnetCheck([subnet(), subnet({ name: "data", addressPrefix: "10.20.2.0/24" })])).toBe("");
    // Not seen by the resource policies (not the engine's order): what was sent cannot be told.
    expect(await subnetCheck([subnet()], undefined, false)).toMatch(
      /subnet "app": routeTable.id is not known yet and does not come from a resource of this stack/,
    );
  });
  it("subnet-nsg-in-stack: a route table set and not known yet, a foreign one, or a subnet not known as a whole is refused", async () => {
    // Set by the program, computed from the NSG and a random string: judged through them.
    expect(await subnetCheck([subnet({ routeTable: { id: UNKNOWN } })], [nsg.urn, salt.urn])).toMatch(
      /subnet "app": routeTable.id is not known yet and does not come from a resource of this stack/,
    );
    // ... or from the NSG alone (an invoke beside it adds no resource): no route table.
    expect(await subnetCheck([subnet({ natGateway: { id: UNKNOWN } })])).toMatch(
      /natGateway.id is not known yet and does not come from a resource of this stack/,
    );
    expect(
      await subnetCheck([subnet({ natGateway: { id: `${OTHER}/Microsoft.Network/natGateways/ng` } })]),
    ).toMatch(/natGateway.id .*natGateways\/ng.* is not a resource of this stack/);
    // A subnet (or the list) built in an apply over the NSG: what it leaves out cannot be told.
    for (const subnets of [[UNKNOWN], UNKNOWN])
      expect(await subnetCheck(subnets)).toMatch(/routeTable.id is not known yet and does not come from/);
  });

  // An update (the VNet exists, its NSG too): every input is known, so the resource policies keep
  // no shape, and azure-native's `Update` in preview answers `PreviewOutputs` all the same
  // (pulumi/pulumi-azure-native provider/pkg/provider/provider.go): the inline subnet's unset
  // route table is unknown, its subnet list computed from the NSG. Nothing the program sent is
  // unknown, so that one is unset (`inputsAllKnownWhenAnalyzed`).
  it("subnet-nsg-in-stack: an update of a VNet with inline subnets and an existing NSG passes; its route table is unset", async () => {
    const RG_ID = "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-sap-prod";
    const nsgId = `${RG_ID}/providers/Microsoft.Network/networkSecurityGroups/nsg-old`;
    const existingNsg = stackResource("network:NetworkSecurityGroup", "nsg-old", {
      id: nsgId,
      name: "nsg-old",
    });
    const inputs = {
      resourceGroupName: "rg-sap-prod",
      location: "westeurope",
      virtualNetworkName: "vnet-old",
      addressSpace: { addressPrefixes: ["10.30.0.0/16"] },
      subnets: [{ name: "app", addressPrefix: "10.30.1.0/24", networkSecurityGroup: { id: nsgId } }],
    };
    const preview = previewResource("network:VirtualNetwork", "vnet-old", inputs, {
      subnets: [existingNsg.urn],
    });
    const vnet = {
      ...preview,
      props: { ...preview.props, id: `${RG_ID}/providers/Microsoft.Network/virtualNetworks/vnet-old` },
    };
    expect(((vnet.props as Props).subnets as Props[])[0]).toMatchObject({ routeTable: UNKNOWN });
    const run = () => violations(subnetNsgInStack, [existingNsg, vnet] as never);
    expect(await run()).toMatch(
      /routeTable.id is not known yet and does not come from a resource of this stack/,
    );
    await analyze(vnet, inputs);
    expect(await run()).toBe("");
    // A foreign NSG, known, is still refused.
    const foreign = {
      ...inputs,
      subnets: [
        {
          ...inputs.subnets[0],
          networkSecurityGroup: { id: `${OTHER}/Microsoft.Network/networkSecurityGroups/x` },
        },
      ],
    };
    const other = previewResource("network:VirtualNetwork", "vnet-old", foreign, { subnets: [] });
    await analyze(other, foreign);
    expect(await violations(subnetNsgInStack, [existingNsg, other] as never)).toMatch(
      /networkSecurityGroups\/x.* is not a resource of this stack/,
    );
  });

  const delegated = created(
    "network:Subnet",
    "snet-pg",
    { subnetName: "snet-pg", virtualNetworkName: "vnet-sap", networkSecurityGroup: { id: UNKNOWN } },
    { networkSecurityGroup: [nsg.urn] },
  );
  /** A VNet-integrated PostgreSQL server whose `network` is computed from its delegated subnet. */
  const serverCheck = async (network: unknown, from: string[] = [delegated.urn], analyzed = true) => {
    const inputs = {
      resourceGroupName: UNKNOWN,
      location: "westeurope",
      serverName: "psql-sap",
      version: "16",
      network,
    };
    const server = previewResource("dbforpostgresql:Server", "pg", inputs, { ...inRg, network: from });
    if (analyzed) await analyze(server, inputs);
    else forgetAnalyzedInputs();
    return violations(privateDnsInStack, [nsg, delegated, server]);
  };
  const network = (extra: Props = {}) => ({ delegatedSubnetResourceId: UNKNOWN, ...extra });

  it("private-dns-in-stack: a server delegated to the stack's subnet without a private DNS zone passes", async () => {
    expect(await serverCheck(network())).toBe("");
    expect(await serverCheck(network(), undefined, false)).toMatch(
      /network.privateDnsZoneArmResourceId is not known yet and does not come from a resource of this stack/,
    );
  });
  it("private-dns-in-stack: a zone set and not known yet, a foreign zone, or a network not known as a whole is refused", async () => {
    expect(
      await serverCheck(network({ privateDnsZoneArmResourceId: UNKNOWN }), [delegated.urn, salt.urn]),
    ).toMatch(/network.privateDnsZoneArmResourceId is not known yet and does not come from/);
    const zone = `${OTHER}/Microsoft.Network/privateDnsZones/sap.postgres.database.azure.com`;
    expect(await serverCheck(network({ privateDnsZoneArmResourceId: zone }))).toMatch(
      /privateDnsZones\/sap.postgres.database.azure.com.* is not a resource of this stack/,
    );
    expect(await serverCheck(UNKNOWN)).toMatch(/network.privateDnsZoneArmResourceId is not known yet/);
  });
});
