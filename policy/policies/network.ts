/**
 * Network security rules, subnets, public IPs, peerings, private DNS and private endpoints
 * (NET-1, NET-2).
 */
import { parseType, type AzureType } from "../lib/azureTypes";
import { propertyDependenciesOf, resourcePolicy, stackPolicy, type StackResource } from "../lib/define";
import { arr, bool, eqi, get, has, NOT_KNOWN, peek, show, str } from "../lib/props";
import {
  allowedDestinationsParam,
  allowListed,
  armParent,
  destinationLocationsParam,
  destinationJudge,
  destinationProblem,
  label,
  normalizedIdOf,
  notSetByProgram,
  ofKind,
  peekArrSet,
  peekSet,
  stackIndex,
} from "../lib/relations";

/** Source prefixes that mean "anyone on the internet". */
const INTERNET_SOURCES = new Set(["*", "internet", "any", "0.0.0.0", "0.0.0.0/0", "::/0", "::"]);

/**
 * Service tags that stand for the stack's own network. Every other tag is deny by default: it
 * names public address space of others (`AzureCloud` is every Azure customer's VMs,
 * `AzureFrontDoor.Backend` every Front Door profile's, `Storage`, regional variants, ...).
 */
const INTERNAL_TAGS = new Set(["virtualnetwork", "azureloadbalancer"]);

/** Private IPv4 space: RFC 1918 and the shared address space (100.64.0.0/10) a VNet may use. */
const PRIVATE_V4: readonly [network: number, length: number][] = [
  [0x0a000000, 8],
  [0xac100000, 12],
  [0xc0a80000, 16],
  [0x64400000, 10],
];

/**
 * How much public address space the rule's sources may add up to before they count as the
 * internet: a /8 of IPv4, a /16 of IPv6 (outside unique-local fc00::/7 and link-local fe80::/10). One wide
 * CIDR or many narrow ones alike: 0.0.0.0/1 + 128.0.0.0/1, or every /8 listed one by one, open
 * a port to the whole internet; an office range (203.0.113.0/24) does not.
 */
const PUBLIC_V4_LIMIT = 2 ** 24;
const PUBLIC_V6_LIMIT = 2n ** 112n;

/** A source prefix as an address range, or a service tag, or undefined when neither. */
function parseSource(
  prefix: string,
): { v4: [number, number] } | { v6: [string, number] } | { tag: string } | undefined {
  const p = prefix.trim().toLowerCase();
  if (/^[a-z][a-z0-9.]*$/.test(p)) return { tag: p };
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(p);
  if (v4) {
    const octets = v4.slice(1, 5).map(Number);
    const length = v4[5] === undefined ? 32 : Number(v4[5]);
    if (octets.some((o) => o > 255) || length > 32) return undefined;
    return { v4: [((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0, length] };
  }
  const v6 = /^([0-9a-f:]+)(?:\/(\d{1,3}))?$/.exec(p);
  if (v6 && v6[1].includes(":")) {
    const length = v6[2] === undefined ? 128 : Number(v6[2]);
    return length > 128 ? undefined : { v6: [v6[1], length] };
  }
  return undefined;
}

const inside = (address: number, length: number, [network, bits]: [number, number]): boolean =>
  length >= bits && address >>> (32 - bits) === network >>> (32 - bits);

/** Whether a rule's sources reach the internet (deny by default: what is not provably internal counts). */
function reachesInternet(sources: readonly string[]): boolean {
  let v4 = 0;
  let v6 = 0n;
  for (const source of sources) {
    if (INTERNET_SOURCES.has(source.trim().toLowerCase())) return true;
    const parsed = parseSource(source);
    if (parsed === undefined) return true;
    if ("tag" in parsed) {
      if (!INTERNAL_TAGS.has(parsed.tag)) return true;
    } else if ("v4" in parsed) {
      const [address, length] = parsed.v4;
      if (!PRIVATE_V4.some((range) => inside(address, length, range))) v4 += 2 ** (32 - length);
    } else {
      const [address, length] = parsed.v6;
      const local = (/^f[cd]/.test(address) && length >= 7) || (/^fe[89ab]/.test(address) && length >= 10);
      if (!local) v6 += 2n ** BigInt(128 - length);
    }
  }
  return v4 > PUBLIC_V4_LIMIT || v6 > PUBLIC_V6_LIMIT;
}

/** A port spec as a range: "443" and "443-443" are [443, 443], "*" is every port; undefined when malformed. */
function portRange(spec: string): [number, number] | undefined {
  const p = spec.trim();
  if (p === "*") return [0, 65535];
  const m = p.match(/^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return lo <= hi && hi <= 65535 ? [lo, hi] : undefined;
}

/** Whether a rule's port spec opens only allowed ports (each allowed entry may itself be a range). */
function portAllowed(spec: string, allowed: readonly string[]): boolean {
  const range = portRange(spec);
  if (range === undefined) return false;
  return allowed.some((a) => {
    const ok = portRange(a);
    return ok !== undefined && ok[0] <= range[0] && range[1] <= ok[1];
  });
}

/** Why one security rule (inline or standalone) lets the internet in on a port other than the allowed ones. */
export function internetInboundProblem(rule: unknown, allowedPorts: readonly string[]): string | undefined {
  if (!eqi(get(rule, "direction"), "Inbound") || !eqi(get(rule, "access"), "Allow")) return undefined;
  const sources = [str(rule, "sourceAddressPrefix"), ...arr(rule, "sourceAddressPrefixes")].filter(
    (s): s is string => typeof s === "string",
  );
  // No prefix and no application security group means the portal's "Any".
  const anySource = sources.length === 0 && arr(rule, "sourceApplicationSecurityGroups").length === 0;
  const internet = anySource || reachesInternet(sources);
  if (!internet) return undefined;
  const ports = [str(rule, "destinationPortRange"), ...arr(rule, "destinationPortRanges")].filter(
    (p): p is string => typeof p === "string",
  );
  const bad = ports.length === 0 ? ["*"] : ports.filter((p) => !portAllowed(p, allowedPorts));
  if (bad.length === 0) return undefined;
  return `rule ${show(get(rule, "name"))} allows inbound traffic from ${sources.length ? sources.join(", ") : "any source"} to port(s) ${bad.join(", ")}; only ${allowedPorts.join(", ")} may be open to the internet`;
}

const allowedPortsParam = {
  description: "Destination ports that may be open to the internet (HTTPS ingress only).",
  default: ["443"] as readonly string[],
};

export const nsgNoInternetInbound = resourcePolicy({
  name: "nsg-no-internet-inbound",
  description:
    "Network security rules never allow inbound traffic from the internet except HTTPS on 443: Internet, *, Any, any service tag but VirtualNetwork and AzureLoadBalancer (AzureCloud is every Azure customer), or public ranges adding up to more than a /8 of IPv4 or a /16 of IPv6 (NET-2, NET-1).",
  controls: ["NET-2", "NET-1"],
  severity: "critical",
  remediation:
    'Restrict sourceAddressPrefix to VirtualNetwork/AzureLoadBalancer, private ranges or a specific narrow public range, or set destinationPortRange: "443" for the frontend HTTPS rule.',
  types: ["azure-native:network:SecurityRule", "azure-native:network:NetworkSecurityGroup"],
  config: { allowedInternetPorts: allowedPortsParam },
  check: ({ props, canonical }, cfg, report) => {
    const rules = canonical === "azure-native:network:SecurityRule" ? [props] : arr(props, "securityRules");
    for (const rule of rules) {
      const problem = internetInboundProblem(rule, cfg.allowedInternetPorts);
      if (problem) report(problem);
    }
  },
});

/** Subnets Azure manages itself and that do not accept (or need) an NSG. */
const NSG_EXEMPT_SUBNETS = [
  "GatewaySubnet",
  "AzureFirewallSubnet",
  "AzureFirewallManagementSubnet",
  "RouteServerSubnet",
];

/** The types that hold subnets: a standalone subnet, a virtual network with inline ones. */
const SUBNET_HOLDERS = ["azure-native:network:Subnet", "azure-native:network:VirtualNetwork"] as const;

/** A standalone subnet, or a virtual network's inline subnets, each with its name. */
function subnetsOf(
  props: unknown,
  canonical: string | undefined,
  name: string,
): [subnet: unknown, name: string][] {
  const subnets = canonical === SUBNET_HOLDERS[0] ? [props] : arr(props, "subnets");
  return subnets.map((subnet) => [subnet, str(subnet, "subnetName") ?? str(subnet, "name") ?? name]);
}

export const subnetHasNsg = resourcePolicy({
  name: "subnet-has-nsg",
  description:
    "Every subnet (standalone or inline in a virtual network) has a network security group (NET-1).",
  controls: ["NET-1"],
  severity: "high",
  remediation: "Set networkSecurityGroup: { id: <nsg id> } on the subnet.",
  types: SUBNET_HOLDERS,
  config: {
    exemptSubnets: {
      description: "Subnet names that cannot carry an NSG (Azure-managed gateway and firewall subnets).",
      default: NSG_EXEMPT_SUBNETS,
    },
  },
  check: ({ props, canonical, name }, cfg, report) => {
    for (const [subnet, subnetName] of subnetsOf(props, canonical, name)) {
      if (cfg.exemptSubnets.some((s) => s.toLowerCase() === subnetName.toLowerCase())) continue;
      if (!has(subnet, "networkSecurityGroup", "id"))
        report(`subnet ${show(subnetName)} has no networkSecurityGroup`);
    }
  },
});

export const subnetNotShared = resourcePolicy({
  name: "subnet-not-shared",
  description:
    "No subnet (standalone or inline in a virtual network) is shared beyond its own subscription: sharingScope Tenant lets every subscription of the Entra tenant (other teams, the other environment) put its own resources inside the stack's private network, next to the data stores' private endpoints, where NSGs allow VirtualNetwork traffic (NET-1, ENV-1).",
  controls: ["NET-1", "ENV-1"],
  severity: "high",
  remediation:
    "Remove sharingScope from the subnet; resources of another subscription reach the platform through its own private endpoints or a reviewed peering, never inside its subnets.",
  types: SUBNET_HOLDERS,
  config: {},
  // Deny by default: any sharing scope is refused. `Tenant` shares the subnet with every
  // subscription of the tenant (Subnets - Create Or Update, properties.sharingScope:
  // https://learn.microsoft.com/rest/api/virtualnetwork/subnets/create-or-update; azure-native
  // network/subnet.d.ts); what `DelegatedServices` opens is not documented, and the components
  // set neither.
  check: ({ props, canonical, name }, _cfg, report) => {
    for (const [subnet, subnetName] of subnetsOf(props, canonical, name)) {
      const scope = get(subnet, "sharingScope");
      if (scope === undefined || scope === null) continue;
      report(
        `subnet ${show(subnetName)} has sharingScope ${show(scope)}; a subnet of the platform is shared with no other subscription (leave sharingScope unset)`,
      );
    }
  },
});

export const publicIpRestricted = resourcePolicy({
  name: "public-ip-restricted",
  description:
    "Public IP addresses are refused unless listed in the policy's configuration: ingress goes through the Container Apps environment's managed frontend (NET-2).",
  controls: ["NET-2"],
  severity: "high",
  remediation:
    "Remove the public IP; if it is a reviewed exception (e.g. an Application Gateway), add its name to allowedPublicIps in the pack config.",
  types: ["azure-native:network:PublicIPAddress"],
  config: {
    allowedPublicIps: {
      description: "Names (publicIpAddressName or Pulumi resource name) of public IPs that are allowed.",
      default: [] as readonly string[],
    },
  },
  check: ({ props, name }, cfg, report) => {
    const ipName = str(props, "publicIpAddressName");
    const allowed = cfg.allowedPublicIps.some((n) => n === name || (ipName !== undefined && n === ipName));
    if (!allowed) report(`public IP ${show(ipName ?? name)} is not in allowedPublicIps`);
  },
});

const of = (...types: AzureType[]) => ofKind(types);
/**
 * What a private endpoint of the platform connects to: the data stores, Key Vault and the
 * Container Apps environment. A target not known yet (preview) must come from one of them; any
 * resource of the stack (a random string, a role assignment) would let a computed foreign ID pass.
 */
const privateLinkTargets = ofKind([
  "azure-native:storage:StorageAccount",
  "azure-native:keyvault:Vault",
  "azure-native:dbforpostgresql:Server",
  "azure-native:redisenterprise:RedisEnterprise",
  "azure-native:redis:Redis",
  "azure-native:app:ManagedEnvironment",
]);
const VNET: AzureType = "azure-native:network:VirtualNetwork";
const SUBNET: AzureType = "azure-native:network:Subnet";
const NSG: AzureType = "azure-native:network:NetworkSecurityGroup";

/**
 * What else a subnet names that steers its traffic: a route table (user-defined routes, e.g.
 * 0.0.0.0/0 to an appliance) and a NAT gateway (the outbound address). Azure requires both in the
 * VNet's subscription, so the risk is another environment's or a hand-made one beside the stack.
 */
const STEERING: readonly [key: string, type: string][] = [
  ["routeTable", "azure-native:network:RouteTable"],
  ["natGateway", "azure-native:network:NatGateway"],
];

export const subnetNsgInStack = stackPolicy({
  name: "subnet-nsg-in-stack",
  description:
    "Every subnet's network security group is one of this stack's, whose rules the pack judges, and so are its route table and NAT gateway if it has them: an NSG from another stack or subscription may allow anything, another environment's route table sends our traffic wherever that environment's deployer chooses (NET-1).",
  controls: ["NET-1"],
  severity: "high",
  remediation:
    "Set networkSecurityGroup.id to an NSG created in this stack (components: Network), and routeTable.id / natGateway.id only to ones created in this stack; list a reviewed shared one in allowedDestinations.",
  types: [SUBNET, VNET],
  config: { allowedDestinations: allowedDestinationsParam, allowedLocations: destinationLocationsParam },
  check: (stack, cfg, report) => {
    const index = stackIndex(stack);
    for (const net of stack.ofType(SUBNET, VNET)) {
      // Preview: a subnet list, a subnet or a reference not known yet is judged by what the input
      // holding it was computed from (a subnet always waits for its VNet and NSG, so any
      // dependency would vouch for a route table computed from elsewhere); read with
      // arr()/str(), one of them made the policy skip every subnet of the stack. A subnet list the
      // program never set (a VNet whose subnets are resources of their own) is none (`peekArrSet`).
      // A reference inside an inline subnet that the program left out (unknown all the same in a
      // preview, whatever the subnet list was computed from) is none (`peekSet` on its path).
      const embedded = net.canonical === VNET;
      const subnets = embedded ? peekArrSet(net, "subnets") : [net.props];
      const sourcesOf = (key: string) => () => propertyDependenciesOf(net, embedded ? "subnets" : key);
      for (let i = 0; i < subnets.length; i++) {
        const subnet = subnets[i];
        const text = (key: string) => {
          const v = peek(subnet, key);
          return typeof v === "string" && v !== "" ? v : undefined;
        };
        const idOfRef = (key: string) =>
          embedded ? peekSet(net, "subnets", i, key, "id") : peekSet(net, key, "id");
        const name = text("subnetName") ?? text("name") ?? net.name;
        const nsg = idOfRef("networkSecurityGroup");
        const problem = destinationProblem(
          index,
          net,
          "networkSecurityGroup.id",
          nsg,
          cfg,
          of(NSG),
          stack,
          sourcesOf("networkSecurityGroup"),
        );
        if (problem) report(`${label(net)}: subnet ${show(name)}: ${problem}`, net.urn);
        for (const [key, type] of STEERING) {
          const steering = destinationProblem(
            index,
            net,
            `${key}.id`,
            idOfRef(key),
            cfg,
            (r) => parseType(r.type)?.canonical === type,
            stack,
            sourcesOf(key),
          );
          if (steering) report(`${label(net)}: subnet ${show(name)}: ${steering}`, net.urn);
        }
      }
    }
  },
});

/** Peering settings that let traffic transit through the peered network (or ours through theirs). */
const TRANSIT = ["allowForwardedTraffic", "allowGatewayTransit", "useRemoteGateways"];

export const vnetPeeringInStack = stackPolicy({
  name: "vnet-peering-in-stack",
  description:
    "Virtual networks peer only with virtual networks of this stack (or reviewed hubs), never another environment's, and without forwarded traffic or gateway transit unless allowed (NET-1, ENV-1).",
  controls: ["NET-1", "ENV-1"],
  severity: "critical",
  remediation:
    "Remove the peering, or peer with a reviewed hub listed in allowedDestinations; keep allowForwardedTraffic, allowGatewayTransit and useRemoteGateways false.",
  types: [VNET, "azure-native:network:VirtualNetworkPeering"],
  config: {
    allowedDestinations: allowedDestinationsParam,
    allowedLocations: destinationLocationsParam,
    allowTransit: {
      description:
        "Allow forwarded traffic and gateway transit on peerings (a reviewed hub-and-spoke design).",
      default: false,
    },
  },
  check: (stack, cfg, report) => {
    const index = stackIndex(stack);
    for (const r of stack.ofType(VNET, "azure-native:network:VirtualNetworkPeering")) {
      // Preview: a peering list, a peering or a remote network not known yet is judged by what
      // the input holding it was computed from; read with arr()/str()/bool(), one of them made
      // the whole policy skip every peering of the stack.
      // A peering list or setting the program never set is none (`notSetByProgram`).
      const embedded = r.canonical === VNET;
      const peerings = embedded ? peekArrSet(r, "virtualNetworkPeerings") : [r.props];
      const sourcesOf = (key: string) => () =>
        propertyDependenciesOf(r, embedded ? "virtualNetworkPeerings" : key);
      const sources = sourcesOf("remoteVirtualNetwork");
      for (let i = 0; i < peerings.length; i++) {
        const peering = peerings[i];
        const text = (key: string) => {
          const v = peek(peering, key);
          return typeof v === "string" && v !== "" ? v : undefined;
        };
        const set = (key: string, ...path: string[]) =>
          embedded ? peekSet(r, "virtualNetworkPeerings", i, key, ...path) : peekSet(r, key, ...path);
        const name = text("virtualNetworkPeeringName") ?? text("name") ?? r.name;
        const remote = set("remoteVirtualNetwork", "id");
        const problem = destinationProblem(
          index,
          r,
          "remoteVirtualNetwork.id",
          remote,
          cfg,
          of(VNET),
          stack,
          sources,
        );
        if (problem) report(`${label(r)}: peering ${show(name)}: ${problem}`, r.urn);
        else if (remote === undefined)
          report(`${label(r)}: peering ${show(name)} names no remoteVirtualNetwork.id`, r.urn);
        if (!cfg.allowTransit)
          for (const key of TRANSIT)
            if (set(key) === NOT_KNOWN)
              report(
                `${label(r)}: peering ${show(name)} sets ${key} to a value not known yet; traffic must not transit the peering`,
                r.urn,
              );
            else if (bool(peering, key) === true)
              report(
                `${label(r)}: peering ${show(name)} sets ${key}; traffic must not transit the peering`,
                r.urn,
              );
      }
    }
  },
});

const ZONE: AzureType = "azure-native:privatedns:PrivateZone";
/** Azure's DNS virtual IP: the only resolver that answers from the private DNS zones. */
const AZURE_DNS = "168.63.129.16";
const LINK: AzureType = "azure-native:privatedns:VirtualNetworkLink";
const ZONE_GROUP: AzureType = "azure-native:network:PrivateDnsZoneGroup";
const POSTGRES: AzureType = "azure-native:dbforpostgresql:Server";

/** The private DNS zone a VNet link belongs to: from the link's ID, else from its inputs in the stack's subscription. */
function linkedZone(link: StackResource, subscriptions: ReadonlySet<string>): unknown {
  const id = normalizedIdOf(link);
  if (id !== undefined && /\/privatednszones\/[^/]+\/virtualnetworklinks\/[^/]+$/.test(id))
    return armParent(id);
  const rg = peek(link.props, "resourceGroupName");
  const zone = peek(link.props, "privateZoneName");
  if (rg === NOT_KNOWN || zone === NOT_KNOWN || subscriptions.size !== 1) return NOT_KNOWN;
  if (typeof rg !== "string" || typeof zone !== "string") return undefined;
  return `/subscriptions/${[...subscriptions][0]}/resourceGroups/${rg}/providers/Microsoft.Network/privateDnsZones/${zone}`;
}

export const privateDnsInStack = stackPolicy({
  name: "private-dns-in-stack",
  description:
    "Private DNS for the stack's private endpoints stays in the stack: VNet links join the stack's zones to the stack's VNets, endpoints and VNet-integrated PostgreSQL servers register in the stack's zones, and the stack's VNets resolve through Azure DNS (no custom dhcpOptions.dnsServers unless reviewed). A foreign privatelink zone linked to our VNet, or a foreign DNS server, would resolve our data stores to someone else's addresses (NET-1).",
  controls: ["NET-1"],
  severity: "critical",
  remediation:
    "Link only the stack's privatedns zones to the stack's virtual network, point privateDnsZoneConfigs[].privateDnsZoneId and PostgreSQL network.privateDnsZoneArmResourceId at them and leave dhcpOptions.dnsServers unset (components: Network); list a reviewed central zone in allowedDestinations, a reviewed resolver in allowedDnsServers.",
  types: [LINK, ZONE_GROUP, VNET, POSTGRES],
  config: {
    allowedDestinations: allowedDestinationsParam,
    allowedLocations: destinationLocationsParam,
    allowedDnsServers: {
      description:
        "DNS server IPs a virtual network of the stack may use instead of Azure DNS (reviewed resolvers that forward to 168.63.129.16).",
      default: [] as readonly string[],
    },
  },
  check: (stack, cfg, report) => {
    const index = stackIndex(stack);
    const judge = destinationJudge(stack, cfg, report, index);
    for (const link of stack.ofType(LINK)) {
      judge(link, "private DNS zone", linkedZone(link, index.subscriptions), of(ZONE));
      judge(link, "virtualNetwork.id", peek(link.props, "virtualNetwork", "id"), of(VNET), () =>
        propertyDependenciesOf(link, "virtualNetwork"),
      );
    }
    // Preview: a zone list not known as a whole is one zone not known, judged by what the list
    // was computed from; read with arr(), it made the whole policy skip the stack.
    for (const group of stack.ofType(ZONE_GROUP)) {
      const sources = () => propertyDependenciesOf(group, "privateDnsZoneConfigs");
      for (const config of peekArrSet(group, "privateDnsZoneConfigs"))
        judge(group, "privateDnsZoneId", peek(config, "privateDnsZoneId"), of(ZONE), sources);
    }
    // A VNet-integrated PostgreSQL server registers its name in this zone, which Azure links to
    // the server's VNet if it is not linked yet: whoever owns a foreign zone answers for the
    // server's name inside our network (and may be given a zone in another subscription).
    // A zone the program left out of `network` (unknown all the same in a preview, whatever the
    // subnet beside it was computed from) is none (`peekSet`): Azure then registers no private zone.
    for (const server of stack.ofType(POSTGRES))
      judge(
        server,
        "network.privateDnsZoneArmResourceId",
        peekSet(server, "network", "privateDnsZoneArmResourceId"),
        of(ZONE),
        () => propertyDependenciesOf(server, "network"),
      );
    // Custom DNS servers replace Azure DNS for everything in the network (Container Apps
    // included), and only Azure DNS answers from the private DNS zones.
    // A server not known yet (preview) cannot be one of the reviewed literals: refused, as a list
    // not known as a whole (before: skipped, and a whole list not known skipped the policy). One
    // the program never set is none (`notSetByProgram`: Azure DNS).
    for (const vnet of stack.ofType(VNET)) {
      const sources = () => propertyDependenciesOf(vnet, "dhcpOptions");
      const servers = peekArrSet(vnet, "dhcpOptions", "dnsServers");
      for (let i = 0; i < servers.length; i++) {
        const server = servers[i];
        if (notSetByProgram(server, sources, vnet, ["dhcpOptions", "dnsServers", i])) continue;
        if (server === NOT_KNOWN) {
          report(
            `${label(vnet)}: dhcpOptions.dnsServers names a server not known yet; only Azure DNS (${AZURE_DNS}) or a server on allowedDnsServers, written as such, may resolve the network's names`,
            vnet.urn,
          );
          continue;
        }
        const ip = typeof server === "string" ? server.trim() : server;
        if (ip !== AZURE_DNS && !(typeof ip === "string" && cfg.allowedDnsServers.includes(ip)))
          report(
            `${label(vnet)}: dhcpOptions.dnsServers sends the network's name resolution to ${show(server)}, not Azure DNS (${AZURE_DNS}) nor a server on allowedDnsServers`,
            vnet.urn,
          );
      }
    }
  },
});

export const privateEndpointsInStack = stackPolicy({
  name: "private-endpoints-in-stack",
  description:
    "Private endpoints connect only to resources of this stack (or reviewed exceptions), automatically approved, from a subnet of this stack: a private endpoint to a foreign resource is a path for data out of the network (NET-1).",
  controls: ["NET-1"],
  severity: "critical",
  remediation:
    "Point privateLinkServiceConnections[].privateLinkServiceId at a resource of this stack, place the endpoint in a subnet of the stack, and do not use manualPrivateLinkServiceConnections; list a reviewed target in allowedDestinations.",
  types: ["azure-native:network:PrivateEndpoint"],
  config: { allowedDestinations: allowedDestinationsParam, allowedLocations: destinationLocationsParam },
  check: (stack, cfg, report) => {
    const index = stackIndex(stack);
    const subnets = ofKind(["azure-native:network:Subnet", "azure-native:network:VirtualNetwork"]);
    for (const pe of stack.ofType("azure-native:network:PrivateEndpoint")) {
      // Not known yet (preview): only what the connection list was computed from counts, and it
      // must be a resource a private endpoint of the platform connects to; a list or an element
      // not known as a whole is judged the same way, never read as empty; a list the program never
      // set is none (`peekArrSet`).
      const sources = () => propertyDependenciesOf(pe, "privateLinkServiceConnections");
      for (const c of peekArrSet(pe, "privateLinkServiceConnections")) {
        const problem = destinationProblem(
          index,
          pe,
          "privateLinkServiceId",
          peek(c, "privateLinkServiceId"),
          cfg,
          privateLinkTargets,
          stack,
          sources,
        );
        if (problem) report(`${label(pe)}: ${problem}`, pe.urn);
      }
      for (const c of peekArrSet(pe, "manualPrivateLinkServiceConnections")) {
        const target = peek(c, "privateLinkServiceId");
        // A manual connection waits for the other side's owner to approve it: someone else's resource.
        if (!(typeof target === "string" && allowListed(target, cfg.allowedDestinations)))
          report(
            `${label(pe)}: manual private link connection to ${show(target === NOT_KNOWN ? "(not known yet)" : target)}; only a target on allowedDestinations may need a manual approval`,
            pe.urn,
          );
      }
      const problem = destinationProblem(
        index,
        pe,
        "subnet.id",
        peek(pe.props, "subnet", "id"),
        cfg,
        subnets,
        stack,
        () => propertyDependenciesOf(pe, "subnet"),
      );
      if (problem) report(`${label(pe)}: ${problem}`, pe.urn);
    }
  },
});

export const networkPolicies = [
  nsgNoInternetInbound,
  subnetHasNsg,
  subnetNotShared,
  subnetNsgInStack,
  vnetPeeringInStack,
  privateDnsInStack,
  publicIpRestricted,
  privateEndpointsInStack,
] as const;
