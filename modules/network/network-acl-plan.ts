import { ConfigProblem, fieldPath } from "../core/problems";
import { ADMIN_PORTS, PortRange } from "../core/port";
import { cidrOf, contains, overlaps, prefixLength, rangeOf } from "../core/cidr";
import { NetworkPlan, SubnetTierProps } from "./types";

/**
 * The ports replies come back to: every client's ephemeral range (Linux 32768-60999, Windows 49152-65535) and the
 * ports a NAT gateway or a load balancer translates to (1024-65535), as AWS's network ACL guide recommends.
 */
export const EPHEMERAL_PORTS = { from: 1024, to: 65535 } as const;

/** AWS's default quota of rules per network ACL and direction (adjustable up to 40). */
export const NETWORK_ACL_RULE_QUOTA = 20;

/** The first rule number; rules follow 10 apart, so a rule can be added by hand between two of them. */
export const FIRST_RULE_NUMBER = 100;
/** The step between two rule numbers. */
export const RULE_NUMBER_STEP = 10;

/** One end of a flow: the subnets of a tier (all its AZs, or some), or a network given by its CIDR. */
export type FlowEnd = { readonly tier: string; readonly azs?: readonly string[] } | { readonly cidr: string };

/** Traffic that may start at `from` and reach `to` on `port`: what one security group rule allows, placed on tiers. */
export interface NetworkFlow {
  readonly from: FlowEnd;
  readonly to: FlowEnd;
  readonly port: PortRange;
}

/** One allow entry of a network ACL. */
export interface NetworkAclEntry {
  /** Its place in the ACL's order (AWS evaluates entries from the lowest number; all of them allow). */
  readonly ruleNumber: number;
  /** `tcp`, `udp`, `icmp`, or `-1` for every protocol. */
  readonly protocol: "tcp" | "udp" | "icmp" | "-1";
  /** The other end: the source of an inbound entry, the destination of an outbound one. */
  readonly cidr: string;
  readonly fromPort: number;
  readonly toPort: number;
  /** ICMP type and code, for `icmp` entries. */
  readonly icmp?: { readonly type: number; readonly code: number };
}

/** The network ACL of one tier: what it admits in and lets out. */
export interface TierNetworkAcl {
  readonly tier: string;
  readonly inbound: readonly NetworkAclEntry[];
  readonly outbound: readonly NetworkAclEntry[];
}

/** What the network ACL planner reads: the network's plan and tiers, its IPv4 blocks, and the flows to admit. */
export interface NetworkAclInput {
  /** The environment's tiers, as configured; those with `networkAcl: true` get an ACL. */
  readonly tiers: readonly SubnetTierProps[];
  /** The network's plan: its subnets, and which NAT each private subnet goes out through. */
  readonly plan: NetworkPlan;
  /** Every IPv4 block of the VPC (`vpcCidr` and the secondary blocks): a CIDR inside one is a place in the VPC. */
  readonly vpcCidrs: readonly string[];
  /** The flows the security groups allow. */
  readonly flows: readonly NetworkFlow[];
}

/**
 * ICMP "fragmentation needed" (type 3, code 4), in and out from anywhere: path MTU discovery works through a
 * stateless ACL only so. Security groups admit these errors for the connections they track, so this admits nothing
 * a security group refuses.
 */
export const PATH_MTU = { protocol: "icmp", cidr: "0.0.0.0/0", from: 0, to: 0, icmp: { type: 3, code: 4 } } as const;

type Direction = "inbound" | "outbound";
interface RawEntry {
  readonly protocol: NetworkAclEntry["protocol"];
  readonly cidr: string;
  readonly from: number;
  readonly to: number;
  readonly icmp?: { readonly type: number; readonly code: number };
}

/**
 * Plans the network ACL of every tier that asks for one, from the flows the security groups allow. Stateless, so
 * each flow opens four doors: at the destination tier, in on the port from the source and out on the ephemeral
 * ports back to it; at the source tier, out on the port and in on the ephemeral ports. A flow from a private tier to
 * a network outside the VPC also crosses the tier of its NAT, which gets the same four. A CIDR outside the VPC (the
 * internet, an office) is never a tier: a rule "from anywhere" opens nothing on the other tiers' side. Inbound
 * replies from anywhere leave out the admin ports above 1023 (RDP, VNC, WinRM): CIS AWS 5.1 and checkov's
 * CKV_AWS_231 refuse an ACL that admits 3389 from anywhere. Pure: the same input gives the same ACLs, numbered in a
 * stable order; `problems` names a tier whose ACL needs more rules than AWS's default quota.
 */
export function planNetworkAcls(input: NetworkAclInput): { acls: TierNetworkAcl[]; problems: ConfigProblem[] } {
  const withAcl = new Set(input.tiers.filter((t) => t.networkAcl === true).map((t) => t.name));
  const raw = new Map<string, { inbound: RawEntry[]; outbound: RawEntry[] }>(
    [...withAcl].map((tier) => [tier, { inbound: [{ ...PATH_MTU }], outbound: [{ ...PATH_MTU }] }]),
  );
  const add = (tier: string, direction: Direction, port: PortRange, cidr: string) => {
    const entries = raw.get(tier)?.[direction];
    if (entries === undefined) return;
    const protocol = port.protocol;
    const range = protocol === "-1" ? { from: 0, to: 0 } : { from: port.from, to: port.to };
    // Replies from anywhere: every port but the admin ones, which stay shut to the internet.
    const pieces =
      direction === "inbound" && prefixLength(cidr) === 0 && protocol === "tcp" && isEphemeral(port)
        ? withoutAdminPorts(range)
        : [range];
    for (const piece of pieces) entries.push({ protocol, cidr, ...piece });
  };
  const inVpc = (cidr: string) => input.vpcCidrs.some((block) => contains(block, cidr));
  const subnetsOf = (end: FlowEnd) => {
    if ("cidr" in end) return inVpc(end.cidr) ? input.plan.subnets.filter((s) => overlaps(s.cidr, end.cidr)) : [];
    const found = input.plan.subnets.filter((s) => s.tier === end.tier && (end.azs ?? [s.az]).includes(s.az));
    if (found.length === 0)
      throw new Error(
        `a network flow names tier "${end.tier}"${end.azs ? ` in ${end.azs.join(", ")}` : ""}, which has no subnet`,
      );
    return found;
  };
  const cidrsOf = (end: FlowEnd) => ("cidr" in end ? [end.cidr] : subnetsOf(end).map((s) => s.cidr));

  for (const flow of input.flows) {
    const back = replyPorts(flow.port);
    const sources = cidrsOf(flow.from);
    const destinations = cidrsOf(flow.to);
    for (const subnet of subnetsOf(flow.to))
      for (const source of sources) {
        add(subnet.tier, "inbound", flow.port, source);
        add(subnet.tier, "outbound", back, source);
      }
    for (const subnet of subnetsOf(flow.from)) {
      const nat = subnet.type === "private" ? input.plan.natTierIn[input.plan.natAzFor[subnet.az]] : undefined;
      for (const destination of destinations) {
        add(subnet.tier, "outbound", flow.port, destination);
        add(subnet.tier, "inbound", back, destination);
        // Out of the VPC through the NAT: in from the subnet and out to the destination there, and the replies.
        if (nat !== undefined && !inVpc(destination)) {
          add(nat, "inbound", flow.port, subnet.cidr);
          add(nat, "outbound", flow.port, destination);
          add(nat, "inbound", back, destination);
          add(nat, "outbound", back, subnet.cidr);
        }
      }
    }
  }

  const problems: ConfigProblem[] = [];
  const acls = [...raw.entries()].map(([tier, entries]) => {
    const acl = { tier, inbound: numbered(entries.inbound), outbound: numbered(entries.outbound) };
    for (const direction of ["inbound", "outbound"] as const) {
      if (acl[direction].length > NETWORK_ACL_RULE_QUOTA)
        problems.push({
          field: fieldPath(
            "tiers",
            input.tiers.findIndex((t) => t.name === tier),
            "networkAcl",
          ),
          value: true,
          expected: `at most ${NETWORK_ACL_RULE_QUOTA} ${direction} rules (AWS's default quota per network ACL); the flows into and out of tier "${tier}" need ${acl[direction].length}: fewer sources, or raise the quota with AWS and turn this tier's ACL off until then`,
        });
    }
    return acl;
  });
  return { acls, problems };
}

/** Where the replies of a flow on `port` go: the ephemeral ports of the same protocol (every protocol stays every). */
function replyPorts(port: PortRange): PortRange {
  return port.protocol === "-1" ? port : { protocol: port.protocol, ...EPHEMERAL_PORTS };
}

function isEphemeral(port: PortRange): boolean {
  return port.from === EPHEMERAL_PORTS.from && port.to === EPHEMERAL_PORTS.to;
}

/** The range without the admin ports in it, as the pieces between them. */
export function withoutAdminPorts(range: { from: number; to: number }): Array<{ from: number; to: number }> {
  const pieces: Array<{ from: number; to: number }> = [];
  let from = range.from;
  for (const port of [...ADMIN_PORTS].sort((a, b) => a - b)) {
    if (port < from || port > range.to) continue;
    if (port > from) pieces.push({ from, to: port - 1 });
    from = port + 1;
  }
  if (from <= range.to) pieces.push({ from, to: range.to });
  return pieces;
}

/**
 * The entries with the same protocol and peer merged where their ports touch, those another entry already covers
 * left out, in a stable order (peer address, prefix, protocol, port), numbered.
 */
function numbered(entries: readonly RawEntry[]): NetworkAclEntry[] {
  const groups = new Map<string, RawEntry[]>();
  for (const entry of entries) {
    const key = `${entry.protocol} ${entry.cidr} ${entry.icmp?.type ?? ""}/${entry.icmp?.code ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  const merged = [...groups.values()].flatMap((group) => {
    const sorted = [...group].sort((a, b) => a.from - b.from);
    const out: RawEntry[] = [];
    for (const entry of sorted) {
      const last = out[out.length - 1];
      if (last !== undefined && entry.from <= last.to + 1)
        out[out.length - 1] = { ...last, to: Math.max(last.to, entry.to) };
      else out.push(entry);
    }
    return out;
  });
  const joined = joinSiblings(merged);
  const kept = joined.filter((entry) => !joined.some((other) => other !== entry && covers(other, entry)));
  const start = (cidr: string) => rangeOf(cidr).first;
  return kept
    .sort(
      (a, b) =>
        start(a.cidr) - start(b.cidr) ||
        prefixLength(a.cidr) - prefixLength(b.cidr) ||
        a.protocol.localeCompare(b.protocol) ||
        a.from - b.from,
    )
    .map((entry, i) => ({
      ruleNumber: FIRST_RULE_NUMBER + i * RULE_NUMBER_STEP,
      protocol: entry.protocol,
      cidr: entry.cidr,
      fromPort: entry.from,
      toPort: entry.to,
      ...(entry.icmp === undefined ? {} : { icmp: entry.icmp }),
    }));
}

/**
 * Two entries that differ only in their peer, when the peers are the two halves of one block, become one entry for
 * the block (the subnets of a tier in neighbouring AZ slots): fewer rules, and not one address more.
 */
function joinSiblings(entries: readonly RawEntry[]): RawEntry[] {
  let current = [...entries];
  for (let joined = true; joined;) {
    joined = false;
    const byRest = new Map<string, RawEntry>();
    for (const entry of current) {
      const prefix = prefixLength(entry.cidr);
      if (prefix === 0) continue;
      const size = 2 ** (32 - prefix);
      const first = rangeOf(entry.cidr).first;
      const parentFirst = first - (first % (size * 2));
      const rest = `${entry.protocol} ${entry.from}-${entry.to} ${entry.icmp?.type ?? ""}/${entry.icmp?.code ?? ""} ${parentFirst}/${prefix}`;
      const sibling = byRest.get(rest);
      if (sibling === undefined) {
        byRest.set(rest, entry);
        continue;
      }
      current = current.filter((e) => e !== entry && e !== sibling);
      current.push({ ...entry, cidr: cidrOf(parentFirst, prefix - 1) });
      joined = true;
      break;
    }
  }
  return current;
}

/** Whether `outer` admits everything `inner` does: a wider peer, the same protocol (or every one), wider ports. */
function covers(outer: RawEntry, inner: RawEntry): boolean {
  if (!contains(outer.cidr, inner.cidr)) return false;
  if (outer.protocol === "-1") return true;
  if (outer.protocol !== inner.protocol || outer.icmp !== undefined || inner.icmp !== undefined) return false;
  return outer.from <= inner.from && inner.to <= outer.to;
}
