/**
 * The Network component's address plan (NET-1): IPv4 CIDR arithmetic and every problem of a
 * plan. The stack config schema reads the same rules from here. Parsing is ipaddr.js's; only
 * the range comparisons are ours.
 */
import * as ipaddr from "ipaddr.js";

export interface Cidr {
  readonly text: string;
  readonly first: number;
  readonly last: number;
  readonly prefixLength: number;
}

/** Parses an IPv4 CIDR whose address is the network address (e.g. `10.20.0.0/23`), or returns an error text. */
export function parseCidr(text: string): Cidr | string {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text);
  } catch {
    return "is not a CIDR block such as 10.20.0.0/16";
  }
  const [address, prefixLength] = parsed;
  if (address.kind() !== "ipv4") return "must be an IPv4 CIDR block";
  const bytes = address.toByteArray();
  const value = ((bytes[0] << 24) >>> 0) + (bytes[1] << 16) + (bytes[2] << 8) + bytes[3];
  const size = 2 ** (32 - prefixLength);
  if (value % size !== 0) {
    const network = ipaddr.IPv4.networkAddressFromCIDR(text).toString();
    return `is not aligned to its prefix length (did you mean ${network}/${prefixLength}?)`;
  }
  return { text, first: value, last: value + size - 1, prefixLength };
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.first >= outer.first && inner.last <= outer.last;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** The platform's address plan: one VNet space, the Container Apps subnet, the private-endpoint subnet. */
export interface SubnetPlan {
  vnetAddressSpace: string;
  appsSubnetPrefix: string;
  privateEndpointSubnetPrefix: string;
}

/**
 * Every problem of an address plan, by key: not a CIDR, outside the space, overlapping, too
 * small for its service (NET-1). Shared by the config schema and the Network component.
 */
export interface SubnetPlanProblem {
  key: keyof SubnetPlan;
  message: string;
  /** The value is not a CIDR at all (field-level), as opposed to a relation between blocks. */
  syntax: boolean;
}

/**
 * Ranges a Container Apps workload profiles environment's subnet must not overlap: reserved by
 * AKS, and by the environment itself (Microsoft's "Virtual network configuration" for Container
 * Apps, "Subnet address range restrictions"). Azure refuses to create the environment otherwise.
 */
export const CONTAINER_APPS_RESERVED_RANGES: readonly string[] = [
  "169.254.0.0/16",
  "172.30.0.0/16",
  "172.31.0.0/16",
  "192.0.2.0/24",
  "100.100.0.0/17",
  "100.100.128.0/19",
  "100.100.160.0/19",
  "100.100.192.0/19",
];

export function subnetPlanProblems(plan: SubnetPlan): SubnetPlanProblem[] {
  const problems: SubnetPlanProblem[] = [];
  const parsed: Partial<Record<keyof SubnetPlan, Cidr>> = {};
  // The three plan keys only: callers such as the Network component pass their whole args.
  for (const key of ["vnetAddressSpace", "appsSubnetPrefix", "privateEndpointSubnetPrefix"] as const) {
    const result = parseCidr(plan[key]);
    if (typeof result === "string") problems.push({ key, message: result, syntax: true });
    else parsed[key] = result;
  }
  const { vnetAddressSpace: space, appsSubnetPrefix: apps, privateEndpointSubnetPrefix: pe } = parsed;
  if (space && apps && !contains(space, apps))
    problems.push({
      key: "appsSubnetPrefix",
      message: `must lie inside vnetAddressSpace ${space.text}`,
      syntax: false,
    });
  if (space && pe && !contains(space, pe))
    problems.push({
      key: "privateEndpointSubnetPrefix",
      message: `must lie inside vnetAddressSpace ${space.text}`,
      syntax: false,
    });
  if (apps && pe && overlaps(apps, pe))
    problems.push({
      key: "privateEndpointSubnetPrefix",
      message: `overlaps appsSubnetPrefix ${apps.text}`,
      syntax: false,
    });
  const reserved = apps
    ? CONTAINER_APPS_RESERVED_RANGES.filter((r) => overlaps(apps, parseCidr(r) as Cidr))
    : [];
  if (reserved.length > 0)
    problems.push({
      key: "appsSubnetPrefix",
      message: `overlaps ${reserved.join(", ")}, reserved by Container Apps (the environment cannot use it); allowed: any range outside ${CONTAINER_APPS_RESERVED_RANGES.join(", ")}`,
      syntax: false,
    });
  // Workload-profile environments need at least a /27; private endpoints one IP each.
  if (apps && apps.prefixLength > 27)
    problems.push({
      key: "appsSubnetPrefix",
      message: "must be /27 or larger (Container Apps workload profiles environment)",
      syntax: false,
    });
  if (pe && pe.prefixLength > 28)
    problems.push({ key: "privateEndpointSubnetPrefix", message: "must be /28 or larger", syntax: false });
  return problems;
}
