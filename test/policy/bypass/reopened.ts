/**
 * Bypass cases, round 3: a setting of a resource type the pack already evaluates that no policy
 * read, and that reopens what the rest of the stack closed. A subnet shared with every
 * subscription of the tenant lets other teams' resources into the private network; a scale
 * rule's http or tcp metadata carries a plain secret past the check that reads custom metadata.
 */
import type { Context, Mutation, Variation } from "../mutationCatalog";
import { T } from "../mutationCatalog";

const VNET = "azure-native:network:VirtualNetwork";
const peSubnet = (i: Record<string, unknown>) => String(i.subnetName).startsWith("snet-sap-pe-");
/** A new subnet of the stack's VNet behind the stack's first NSG. */
const newSubnet = (c: Context, extra: Record<string, unknown>) => ({
  resourceGroupName: c.resourceGroup,
  virtualNetworkName: c.nameOf(VNET),
  subnetName: "snet-sap-batch",
  addressPrefix: "10.30.8.0/24",
  networkSecurityGroup: { id: c.idOf(T.nsg) },
  ...extra,
});

export const MUTATIONS: Mutation[] = [
  // A subnet shared with the tenant (NET-1): other subscriptions deploy into the stack's network.
  {
    id: "a new subnet shared with every subscription of the tenant",
    add: {
      type: T.subnet,
      name: "shared-subnet",
      inputs: (c) => newSubnet(c, { defaultOutboundAccess: false, sharingScope: "Tenant" }),
    },
    policy: "subnet-not-shared",
    control: "NET-1",
  },
  {
    id: "the private-endpoint subnet shared with the tenant (in lower case)",
    type: T.subnet,
    where: peSubnet,
    set: { defaultOutboundAccess: false, sharingScope: "tenant" },
    policy: "subnet-not-shared",
    control: "NET-1",
  },
  {
    id: "the private-endpoint subnet with the undocumented DelegatedServices sharing scope",
    type: T.subnet,
    where: peSubnet,
    set: { defaultOutboundAccess: false, sharingScope: "DelegatedServices" },
    policy: "subnet-not-shared",
    control: "NET-1",
  },
  {
    id: "virtual network with an inline subnet shared with the tenant",
    type: VNET,
    set: {
      subnets: (c: Context) => [
        {
          name: "snet-sap-batch",
          addressPrefix: "10.30.8.0/24",
          networkSecurityGroup: { id: c.idOf(T.nsg) },
          defaultOutboundAccess: false,
          sharingScope: "Tenant",
        },
      ],
    },
    policy: "subnet-not-shared",
    control: "NET-1",
  },

  // Scale-rule metadata outside `custom` (SEC-1): a plain secret in the program.
  {
    id: "a password in the HTTP scale rule's metadata",
    type: T.app,
    set: { "template.scale.rules.0.http.metadata.password": "S3cr3t-Passw0rd!" },
    policy: "container-app-no-secret-env",
    control: "SEC-1",
  },
  {
    id: "a connection string in a TCP scale rule's metadata",
    type: T.app,
    set: {
      "push:template.scale.rules": {
        name: "tcp-connections",
        tcp: { metadata: { connectionString: "Server=tcp:10.30.2.4;Password=S3cr3t-Passw0rd!" } },
      },
    },
    policy: "container-app-no-secret-env",
    control: "SEC-1",
  },
];

export const SECURE_VARIATIONS: Variation[] = [
  {
    id: "a new subnet without default outbound access, kept to its own subscription",
    add: {
      type: T.subnet,
      name: "private-subnet",
      inputs: (c) => newSubnet(c, { defaultOutboundAccess: false }),
    },
  },
  {
    id: "a TCP scale rule with plain concurrency metadata",
    type: T.app,
    set: {
      "push:template.scale.rules": {
        name: "tcp-connections",
        tcp: { metadata: { concurrentConnections: "100" } },
      },
    },
  },
];
