/**
 * Network security rules, subnets and public IPs (NET-1, NET-2).
 */
import { resourcePolicy } from "../lib/define";
import { arr, eqi, get, has, show, str } from "../lib/props";

/** Source prefixes that mean "anyone on the internet". */
const INTERNET_SOURCES = new Set(["*", "internet", "any", "0.0.0.0", "0.0.0.0/0", "::/0", "::"]);

/**
 * A CIDR wide enough to reach into public address space: IPv4 shorter than /8 (only 10/8 is a
 * private /8), IPv6 shorter than /16 outside unique-local fc00::/7 and link-local fe80::/10.
 * Without this, 0.0.0.0/1 + 128.0.0.0/1 would open a port to the whole internet unnoticed.
 */
function isWideCidr(prefix: string): boolean {
  const m = prefix.match(/^([0-9a-f.:]+)\/(\d{1,3})$/i);
  if (!m) return false;
  const [address, length] = [m[1].toLowerCase(), Number(m[2])];
  if (!address.includes(":")) return length < 8;
  if (/^f[cd]|^fe[89ab]/.test(address)) return false;
  return length < 16;
}

function isInternetSource(prefix: string): boolean {
  const p = prefix.trim().toLowerCase();
  return INTERNET_SOURCES.has(p) || isWideCidr(p);
}

/** Why one security rule (inline or standalone) lets the internet in on a port other than the allowed ones. */
export function internetInboundProblem(rule: unknown, allowedPorts: readonly string[]): string | undefined {
  if (!eqi(get(rule, "direction"), "Inbound") || !eqi(get(rule, "access"), "Allow")) return undefined;
  const sources = [str(rule, "sourceAddressPrefix"), ...arr(rule, "sourceAddressPrefixes")].filter(
    (s): s is string => typeof s === "string",
  );
  // No prefix and no application security group means the portal's "Any".
  const anySource = sources.length === 0 && arr(rule, "sourceApplicationSecurityGroups").length === 0;
  const internet = anySource || sources.some(isInternetSource);
  if (!internet) return undefined;
  const ports = [str(rule, "destinationPortRange"), ...arr(rule, "destinationPortRanges")].filter(
    (p): p is string => typeof p === "string",
  );
  const bad = ports.length === 0 ? ["*"] : ports.filter((p) => !allowedPorts.includes(p.trim()));
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
    "Network security rules never allow inbound traffic from the internet (Internet, *, 0.0.0.0/0, Any) except HTTPS on 443 (NET-2, NET-1).",
  controls: ["NET-2", "NET-1"],
  severity: "critical",
  remediation:
    'Restrict sourceAddressPrefix to VirtualNetwork/AzureLoadBalancer or specific ranges, or set destinationPortRange: "443" for the frontend HTTPS rule.',
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

export const subnetHasNsg = resourcePolicy({
  name: "subnet-has-nsg",
  description:
    "Every subnet (standalone or inline in a virtual network) has a network security group (NET-1).",
  controls: ["NET-1"],
  severity: "high",
  remediation: "Set networkSecurityGroup: { id: <nsg id> } on the subnet.",
  types: ["azure-native:network:Subnet", "azure-native:network:VirtualNetwork"],
  config: {
    exemptSubnets: {
      description: "Subnet names that cannot carry an NSG (Azure-managed gateway and firewall subnets).",
      default: NSG_EXEMPT_SUBNETS,
    },
  },
  check: ({ props, canonical, name }, cfg, report) => {
    const subnets = canonical === "azure-native:network:Subnet" ? [props] : arr(props, "subnets");
    for (const subnet of subnets) {
      const subnetName = str(subnet, "subnetName") ?? str(subnet, "name") ?? name;
      if (cfg.exemptSubnets.some((s) => s.toLowerCase() === subnetName.toLowerCase())) continue;
      if (!has(subnet, "networkSecurityGroup", "id"))
        report(`subnet ${show(subnetName)} has no networkSecurityGroup`);
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

export const networkPolicies = [nsgNoInternetInbound, subnetHasNsg, publicIpRestricted] as const;
