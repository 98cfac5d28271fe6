/**
 * IPv4 CIDR arithmetic for validating the VNet plan (NET-1). Parsing is ipaddr.js's;
 * only the range comparisons are ours.
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
