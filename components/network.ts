/**
 * Network (NET-1, NET-2): the VNet, its subnets with a network security group each, and the
 * private DNS zones every private endpoint registers in. Inbound from the Internet is allowed
 * only on 443 to the Container Apps subnet, and only when the stack has a frontend app.
 */
import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import type * as inputs from "@pulumi/azure-native/types/input";
import type { SubnetPlan } from "./network.plan";
import { addDiagnostics } from "./common/diagnostics";
import {
  startArgChecks,
  type NetworkPlatform,
  type PrivateDnsZoneIds,
  type PrivateDnsZoneKey,
} from "./common/interfaces";
import { resourceName } from "./common/naming";
import { componentTags } from "./common/tags";
import { componentType, withLegacyAlias } from "./common/componentType";
import { NETWORK_PLATFORM_KEYS, parseArgs } from "./common/schema";
import { networkSettingsSchema } from "./network.schema";

export type { NetworkPlatform };

export interface NetworkArgs extends SubnetPlan {
  /** Placement, tags and the workspace of the platform. */
  platform: NetworkPlatform;
  /** Address space of the VNet (CIDR), e.g. `10.20.0.0/16`. */
  vnetAddressSpace: string;
  /** Apps subnet (CIDR, at least /27), delegated to Container Apps. */
  appsSubnetPrefix: string;
  /** Private endpoint subnet (CIDR) inside the VNet, not overlapping the apps subnet. */
  privateEndpointSubnetPrefix: string;
  /**
   * Whether any app is a public frontend: only then does the apps subnet accept HTTPS (443)
   * from the Internet (NET-2).
   */
  hasFrontend: boolean;
}

/** Private DNS zone names per service (Azure's privatelink zones; all global, no region in the name). */
export function privateDnsZoneNames(): Record<PrivateDnsZoneKey, string> {
  return {
    vault: "privatelink.vaultcore.azure.net",
    blob: "privatelink.blob.core.windows.net",
    postgres: "privatelink.postgres.database.azure.com",
    redis: "privatelink.redis.azure.net",
    // No Container Apps zone: nothing reaches the environment through a private endpoint (the
    // apps are reached through the environment's own VNet integration), so a zone would be unused.
  };
}

type Rule = inputs.network.SecurityRuleArgs[];

const PRIVATE_DNS_ZONE_KEYS: readonly PrivateDnsZoneKey[] = ["vault", "blob", "postgres", "redis"];
const NETWORK_ARG_KEYS: readonly (keyof NetworkArgs)[] = [
  "platform",
  "hasFrontend",
  "vnetAddressSpace",
  "appsSubnetPrefix",
  "privateEndpointSubnetPrefix",
];

/** The platform network (NET-1, NET-2): VNet, subnets with NSGs, private DNS zones. */
export class Network extends pulumi.ComponentResource {
  /** Resource ID of the VNet. */
  readonly vnetId: pulumi.Output<string>;
  /** Name of the VNet. */
  readonly vnetName: pulumi.Output<string>;
  /** Resource ID of the apps subnet (the Container Apps environment's). */
  readonly appsSubnetId: pulumi.Output<string>;
  /** Resource ID of the private endpoint subnet. */
  readonly privateEndpointSubnetId: pulumi.Output<string>;
  /**
   * Private DNS zone resource IDs by service, for `PlatformContext.privateDnsZoneIds` (NET-1); each
   * resolves once its zone is linked to the VNet.
   */
  readonly privateDnsZoneIds: PrivateDnsZoneIds;
  /** Resource ID of the apps subnet's network security group. */
  readonly appsNsgId: pulumi.Output<string>;
  /** Resource ID of the private endpoint subnet's network security group. */
  readonly privateEndpointNsgId: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = `Network "${name}"`;
    // Every problem at once, before anything registers.
    const { problems, platformOk } = startArgChecks(
      owner,
      args,
      NETWORK_ARG_KEYS,
      "NSG rules, subnets and DNS zones are fixed by NET-1/NET-2",
      NETWORK_PLATFORM_KEYS,
    );
    problems.check(() =>
      parseArgs(owner, networkSettingsSchema, {
        vnetAddressSpace: args.vnetAddressSpace,
        appsSubnetPrefix: args.appsSubnetPrefix,
        privateEndpointSubnetPrefix: args.privateEndpointSubnetPrefix,
        hasFrontend: args.hasFrontend,
      }),
    );
    problems.beforePlatformReads(platformOk);
    const { platform } = args;
    // Every name and tag is computed (and validated) before anything registers.
    let names: Record<"vnet" | "appsNsg" | "peNsg" | "appsSubnet" | "peSubnet", string>;
    let links: Record<PrivateDnsZoneKey, string>;
    let tags: Record<string, string>;
    try {
      names = {
        vnet: resourceName(platform, "virtualNetwork", "platform"),
        appsNsg: resourceName(platform, "networkSecurityGroup", "apps"),
        peNsg: resourceName(platform, "networkSecurityGroup", "pe"),
        appsSubnet: resourceName(platform, "subnet", "apps"),
        peSubnet: resourceName(platform, "subnet", "pe"),
      };
      links = Object.fromEntries(
        PRIVATE_DNS_ZONE_KEYS.map((key) => [
          key,
          resourceName(platform, "privateDnsZoneLink", key.toLowerCase()),
        ]),
      ) as Record<PrivateDnsZoneKey, string>;
      tags = componentTags(platform, "internal", {}, owner);
    } catch (err) {
      // A NamingError: the platform's namePrefix makes a name Azure refuses.
      throw problems.fail(err, { path: ["platform", "namePrefix"], value: platform.namePrefix });
    }
    problems.throwIfAny();
    super(componentType("Network"), name, {}, withLegacyAlias("Network", opts));
    const base = { resourceGroupName: platform.resourceGroupName, location: platform.location, tags };

    const appsInbound: Rule = [
      ...(args.hasFrontend
        ? [
            {
              name: "allow-https-from-internet",
              priority: 100,
              direction: "Inbound",
              access: "Allow",
              protocol: "Tcp",
              sourceAddressPrefix: "Internet",
              sourcePortRange: "*",
              destinationAddressPrefix: args.appsSubnetPrefix,
              destinationPortRange: "443",
              description: "Public HTTPS to frontend apps only (NET-2)",
            },
          ]
        : []),
      {
        name: "allow-azure-load-balancer",
        priority: 200,
        direction: "Inbound",
        access: "Allow",
        protocol: "*",
        sourceAddressPrefix: "AzureLoadBalancer",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "*",
        description: "Health probes of the Container Apps environment",
      },
      {
        name: "allow-vnet-inbound",
        priority: 300,
        direction: "Inbound",
        access: "Allow",
        protocol: "*",
        sourceAddressPrefix: "VirtualNetwork",
        sourcePortRange: "*",
        destinationAddressPrefix: "VirtualNetwork",
        destinationPortRange: "*",
        description: "Traffic between apps and the environment's infrastructure inside the VNet",
      },
      denyInternet(4000),
      denyAll(4096),
    ];
    const peInbound: Rule = [
      {
        name: "allow-vnet-to-private-endpoints",
        priority: 100,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourceAddressPrefix: "VirtualNetwork",
        sourcePortRange: "*",
        destinationAddressPrefix: args.privateEndpointSubnetPrefix,
        destinationPortRange: "*",
        description: "Only the VNet reaches the data stores (NET-1)",
      },
      denyInternet(4000),
      // Overrides Azure's default AllowAzureLoadBalancerInBound: endpoints need no probes.
      denyAll(4096),
    ];

    const appsNsg = new network.NetworkSecurityGroup(
      `${name}-apps-nsg`,
      {
        ...base,
        networkSecurityGroupName: names.appsNsg,
        securityRules: appsInbound,
      },
      { parent: this },
    );
    const peNsg = new network.NetworkSecurityGroup(
      `${name}-pe-nsg`,
      {
        ...base,
        networkSecurityGroupName: names.peNsg,
        securityRules: peInbound,
      },
      { parent: this },
    );

    const vnet = new network.VirtualNetwork(
      `${name}-vnet`,
      { ...base, virtualNetworkName: names.vnet, addressSpace: { addressPrefixes: [args.vnetAddressSpace] } },
      { parent: this },
    );
    const appsSubnet = new network.Subnet(
      `${name}-apps-subnet`,
      {
        resourceGroupName: platform.resourceGroupName,
        virtualNetworkName: vnet.name,
        subnetName: names.appsSubnet,
        addressPrefix: args.appsSubnetPrefix,
        networkSecurityGroup: { id: appsNsg.id },
        delegations: [{ name: "container-apps", serviceName: "Microsoft.App/environments" }],
        // Outbound is left to the environment (its managed load balancer, or a NAT gateway /
        // firewall route added later); a private subnet without either would cut image pulls.
      },
      { parent: this },
    );
    // Subnet updates on one VNet must not run in parallel (AnotherOperationInProgress).
    const peSubnet = new network.Subnet(
      `${name}-pe-subnet`,
      {
        resourceGroupName: platform.resourceGroupName,
        virtualNetworkName: vnet.name,
        subnetName: names.peSubnet,
        addressPrefix: args.privateEndpointSubnetPrefix,
        networkSecurityGroup: { id: peNsg.id },
        // NSG rules apply to private endpoints only with network policies enabled.
        privateEndpointNetworkPolicies: "Enabled",
        defaultOutboundAccess: false,
      },
      { parent: this, dependsOn: [appsSubnet] },
    );

    const zoneIds: Partial<Record<PrivateDnsZoneKey, pulumi.Output<string>>> = {};
    for (const [key, zoneName] of Object.entries(privateDnsZoneNames()) as [PrivateDnsZoneKey, string][]) {
      const zone = new privatedns.PrivateZone(
        `${name}-zone-${key}`,
        {
          resourceGroupName: platform.resourceGroupName,
          privateZoneName: zoneName,
          location: "global",
          tags,
        },
        { parent: this },
      );
      const link = new privatedns.VirtualNetworkLink(
        `${name}-zone-${key}-link`,
        {
          resourceGroupName: platform.resourceGroupName,
          privateZoneName: zone.name,
          virtualNetworkLinkName: links[key],
          location: "global",
          virtualNetwork: { id: vnet.id },
          registrationEnabled: false,
          tags,
        },
        { parent: zone },
      );
      // A zone answers only the VNets linked to it (Microsoft's "Azure Private Endpoint private DNS
      // zone values"): its ID resolves once the link exists, so the endpoints registered in it, and
      // the apps given a store's name through `reachable`, wait for the link as well as the record.
      zoneIds[key] = pulumi.all([zone.id, link.id]).apply(([id]) => id);
    }

    addDiagnostics(`${name}-vnet`, vnet.id, "virtualNetwork", platform, undefined, { parent: this });
    addDiagnostics(`${name}-apps-nsg`, appsNsg.id, "networkSecurityGroup", platform, undefined, {
      parent: this,
    });
    addDiagnostics(`${name}-pe-nsg`, peNsg.id, "networkSecurityGroup", platform, undefined, { parent: this });

    this.vnetId = vnet.id;
    this.vnetName = vnet.name;
    this.appsSubnetId = appsSubnet.id;
    this.privateEndpointSubnetId = peSubnet.id;
    this.privateDnsZoneIds = zoneIds as Record<PrivateDnsZoneKey, pulumi.Output<string>>;
    this.appsNsgId = appsNsg.id;
    this.privateEndpointNsgId = peNsg.id;
    this.registerOutputs({
      vnetId: this.vnetId,
      vnetName: this.vnetName,
      appsSubnetId: this.appsSubnetId,
      privateEndpointSubnetId: this.privateEndpointSubnetId,
      appsNsgId: this.appsNsgId,
      privateEndpointNsgId: this.privateEndpointNsgId,
      privateDnsZoneIds: this.privateDnsZoneIds,
    });
  }
}

function denyAll(priority: number): inputs.network.SecurityRuleArgs {
  return {
    name: "deny-all-inbound",
    priority,
    direction: "Inbound",
    access: "Deny",
    protocol: "*",
    sourceAddressPrefix: "*",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "*",
    description: "Anything not allowed above is refused",
  };
}

function denyInternet(priority: number): inputs.network.SecurityRuleArgs {
  return {
    name: "deny-internet-inbound",
    priority,
    direction: "Inbound",
    access: "Deny",
    protocol: "*",
    sourceAddressPrefix: "Internet",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "*",
    description: "Everything else from the Internet is refused (NET-2)",
  };
}
