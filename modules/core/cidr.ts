import { isIPv4 } from "node:net";
import ipaddr from "ipaddr.js";

/** AWS accepts VPC and subnet netmasks from /16 to /28. */
export const AWS_MIN_PREFIX = 16;
export const AWS_MAX_PREFIX = 28;

/** The private IPv4 blocks of RFC 1918. */
export const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/** Why `text` is not a usable IPv4 network in CIDR notation, or undefined when it is. */
export function cidrSyntaxProblem(text: unknown): string | undefined {
  if (typeof text !== "string" || !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(text)) {
    return "an IPv4 CIDR block such as 10.0.0.0/16";
  }
  const [address, prefix] = text.split("/");
  // node's isIPv4 refuses octets over 255 and leading zeros (010 could be read as octal).
  if (!isIPv4(address) || Number(prefix) > 32) return "an IPv4 CIDR block with octets 0-255 and a prefix 0-32";
  if (addressOf(address) % sizeOf(Number(prefix)) !== 0)
    return `a network address with no host bits set (did you mean ${alignDown(text)}?)`;
  return undefined;
}

/** The prefix length of a CIDR block: 24 for 10.0.0.0/24. */
export function prefixLength(cidr: string): number {
  return Number(cidr.split("/")[1]);
}

function alignDown(cidr: string): string {
  return cidrOf(rangeOf(cidr).first, prefixLength(cidr));
}

/** A dotted quad as one number: IPv4 fits a JS number exactly, so the planner's arithmetic is plain arithmetic. */
function addressOf(dotted: string): number {
  return dotted.split(".").reduce((address, octet) => address * 256 + Number(octet), 0);
}

function dottedOf(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/** An IPv4 block as its first and last address (IPv4 fits a JS number exactly). */
export interface AddressRange {
  readonly first: number;
  readonly last: number;
}

const ranges = new Map<string, AddressRange>();

/** The address range of a CIDR block (host bits, if any, cleared); memoized, planning compares often. */
export function rangeOf(cidr: string): AddressRange {
  let range = ranges.get(cidr);
  if (range === undefined) {
    const size = sizeOf(prefixLength(cidr));
    const first = Math.floor(addressOf(cidr.split("/")[0]) / size) * size;
    range = { first, last: first + size - 1 };
    ranges.set(cidr, range);
  }
  return range;
}

export function isRfc1918(cidr: string): boolean {
  return RFC1918.some((block) => contains(block, cidr));
}

/** Whether `inner` lies wholly inside `outer` (or is it). */
export function contains(outer: string, inner: string): boolean {
  const a = rangeOf(outer);
  const b = rangeOf(inner);
  return a.first <= b.first && b.last <= a.last;
}

export function overlaps(a: string, b: string): boolean {
  const x = rangeOf(a);
  const y = rangeOf(b);
  return x.first <= y.last && y.first <= x.last;
}

export function cidrOf(start: number, prefix: number): string {
  return `${dottedOf(start)}/${prefix}`;
}

/** Number of addresses in a block of `prefix`. */
export function sizeOf(prefix: number): number {
  return 2 ** (32 - prefix);
}

/**
 * Finds the lowest block of `prefix` inside `within`, aligned to its own size, that overlaps none of `taken`.
 * First fit in address order keeps plans compact and deterministic.
 */
export function firstFreeBlock(within: string, prefix: number, taken: readonly string[]): string | undefined {
  const { first, last } = rangeOf(within);
  const size = sizeOf(prefix);
  const takenRanges = taken.map(rangeOf).sort((x, y) => x.first - y.first);
  let candidate = first;
  while (candidate + size - 1 <= last) {
    const end = candidate + size - 1;
    const clash = takenRanges.find((t) => t.first <= end && t.last >= candidate);
    if (clash === undefined) return cidrOf(candidate, prefix);
    candidate = Math.ceil((clash.last + 1) / size) * size;
  }
  return undefined;
}

/** Whether `text` is written as an IPv6 block (it has a colon); `ipv6CidrSyntaxProblem` says whether it is a good one. */
export function looksIpv6(text: unknown): boolean {
  return typeof text === "string" && text.includes(":");
}

/** Why `text` is not a usable IPv6 network in CIDR notation (`2001:db8::/32`), or undefined when it is. */
export function ipv6CidrSyntaxProblem(text: unknown): string | undefined {
  if (typeof text !== "string" || !/^[0-9A-Fa-f:.]+\/\d{1,3}$/.test(text) || !ipaddr.isValidCIDR(text))
    return "an IPv6 CIDR block such as 2001:db8::/56";
  const [address, prefix] = ipaddr.parseCIDR(text);
  if (address.kind() !== "ipv6") return "an IPv6 CIDR block such as 2001:db8::/56";
  const network = ipaddr.IPv6.networkAddressFromCIDR(text);
  if (network.toNormalizedString() !== (address as ipaddr.IPv6).toNormalizedString())
    return `a network address with no host bits set (did you mean ${network.toString()}/${prefix}?)`;
  return undefined;
}
