import { IPv4, IPv4CidrRange, IPv4Prefix, Validator } from "ip-num";

/** AWS accepts VPC and subnet netmasks from /16 to /28. */
export const AWS_MIN_PREFIX = 16;
export const AWS_MAX_PREFIX = 28;

const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((c) => IPv4CidrRange.fromCidr(c));

/** Why `text` is not a usable IPv4 network in CIDR notation, or undefined when it is. */
export function cidrSyntaxProblem(text: unknown): string | undefined {
  if (typeof text !== "string" || !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(text)) {
    return "an IPv4 CIDR block such as 10.0.0.0/16";
  }
  const [valid] = Validator.isValidIPv4CidrNotation(text);
  if (!valid) return "an IPv4 CIDR block with octets 0-255 and a prefix 0-32";
  const [aligned] = Validator.isValidIPv4CidrRange(text);
  if (!aligned) return `a network address with no host bits set (did you mean ${alignDown(text)}?)`;
  return undefined;
}

/** The prefix length of a CIDR block: 24 for 10.0.0.0/24. */
export function prefixLength(cidr: string): number {
  return Number(cidr.split("/")[1]);
}

function alignDown(cidr: string): string {
  const prefix = prefixLength(cidr);
  const address = IPv4.fromDecimalDottedString(cidr.split("/")[0]).value;
  const size = 1n << BigInt(32 - prefix);
  return `${IPv4.fromNumber(address - (address % size)).toString()}/${prefix}`;
}

export function parseCidr(cidr: string): IPv4CidrRange {
  return IPv4CidrRange.fromCidr(cidr);
}

export function isRfc1918(cidr: string): boolean {
  const range = parseCidr(cidr);
  return RFC1918.some((block) => range.inside(block) || range.isEquals(block));
}

export function contains(outer: string, inner: string): boolean {
  const a = parseCidr(outer);
  const b = parseCidr(inner);
  return b.inside(a) || b.isEquals(a);
}

export function overlaps(a: string, b: string): boolean {
  return parseCidr(a).isOverlapping(parseCidr(b));
}

export function cidrOf(start: bigint, prefix: number): string {
  return new IPv4CidrRange(IPv4.fromNumber(start), IPv4Prefix.fromNumber(BigInt(prefix))).toCidrString();
}

export function sizeOf(prefix: number): bigint {
  return 1n << BigInt(32 - prefix);
}

/**
 * Finds the lowest block of `prefix` inside `within`, aligned to its own size, that overlaps none of `taken`.
 * First fit in address order keeps plans compact and deterministic.
 */
export function firstFreeBlock(within: string, prefix: number, taken: readonly string[]): string | undefined {
  const outer = parseCidr(within);
  const start = outer.getFirst().value;
  const end = outer.getLast().value;
  const size = sizeOf(prefix);
  const takenRanges = taken.map((t) => parseCidr(t)).sort((x, y) => Number(x.getFirst().value - y.getFirst().value));
  let candidate = start;
  while (candidate + size - 1n <= end) {
    const last = candidate + size - 1n;
    const clash = takenRanges.find((t) => t.getFirst().value <= last && t.getLast().value >= candidate);
    if (clash === undefined) return cidrOf(candidate, prefix);
    const next = clash.getLast().value + 1n;
    candidate = next % size === 0n ? next : next + size - (next % size);
  }
  return undefined;
}
