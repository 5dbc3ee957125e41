import {
  EPHEMERAL_PORTS,
  FIRST_RULE_NUMBER,
  NETWORK_ACL_RULE_QUOTA,
  PATH_MTU,
  RULE_NUMBER_STEP,
  withoutAdminPorts,
} from "../../network/network-acl-plan";
import { cidrFirst, cidrPrefix, cidrSize } from "./plan-expressions";

/**
 * `planNetworkAcls` in Terraform: the locals that plan each `network_acl` tier's entries from `var.network_acl_flows`
 * at the caller's plan time, step by step as the planner does (four doors per flow, the NAT tier's for a flow out of
 * the VPC, the admin ports left out of replies from anywhere, touching ranges merged, sibling blocks joined, covered
 * entries dropped, sorted and numbered). The constants are the planner's own; Terraform has no loop that carries
 * state, so the sibling joins are taken in one step: an entry widens to its largest ancestor block that the entries of
 * the same protocol, ports and direction fill, which is where the planner's pairwise joins end.
 */

/** Whether a CIDR lies in one of the VPC's IPv4 blocks. */
const inVpc = (cidr: string) =>
  `anytrue([for b in local.acl_vpc_blocks : b.first <= ${cidrFirst(cidr)} && ${cidrFirst(cidr)} + ${cidrSize(cidr)} - 1 <= b.last])`;

/** Whether the subnet `s` is of the flow end `e` given by tier (and AZs). */
const ofTier = (e: string) => `s.tier == ${e}.tier && (${e}.azs == null ? true : contains(${e}.azs, s.az))`;

/** The CIDRs of a flow end: its own, or its tier's subnets'. */
const endCidrs = (e: string) =>
  `${e}.cidr != null ? [${e}.cidr] : [for s in local.acl_subnets : s.cidr if ${ofTier(e)}]`;

/** The subnets of a flow end: its tier's, or those a CIDR in the VPC overlaps (a CIDR outside is never a tier). */
const endSubnets = (e: string) =>
  `${e}.cidr != null ? (${inVpc(`${e}.cidr`)} ? [for s in local.acl_subnets : s if s.first <= ${cidrFirst(`${e}.cidr`)} + ${cidrSize(`${e}.cidr`)} - 1 && ${cidrFirst(`${e}.cidr`)} <= s.last] : []) : [for s in local.acl_subnets : s if ${ofTier(e)}]`;

/** An add of the planner: an entry of `tier` in direction `dir` on `port` (`f.port` or `f.back`) with `cidr`. */
const add = (tier: string, dir: "in" | "out", port: string, cidr: string) =>
  `{ tier = ${tier}, dir = "${dir}", port = ${port}, cidr = ${cidr} }`;

/** Numbers sorted as numbers (Terraform's `sort` takes strings): up to 10 digits, an IPv4 address number. */
const numericSort = (list: string) => `[for x in sort([for v in ${list} : format("%010d", v)]) : tonumber(x)]`;

/** The key entries are ordered by within an ACL: peer address, prefix, protocol, ports (the planner's order). */
const orderKey = (e: string) =>
  `format("%010d %02d %s %05d %05d %s %s", ${e}.first, ${e}.prefix, ${e}.protocol, ${e}.from, ${e}.to, ${e}.icmp, ${e}.cidr)`;

/** The first address of `e`'s ancestor block at prefix `q`. */
const blockFirst = (e: string, q: string) => `${e}.first - ${e}.first % pow(2, 32 - ${q})`;

/**
 * The locals of the network ACLs, by name (Terraform expressions). `ownFlows`: the flows of the module's own security
 * groups (Terraform lists of flows), planned after the caller's `var.network_acl_flows` (`flatten`, not `concat`: a
 * flow's `azs` may be a list in one and null in another, which `concat` cannot join).
 */
export function networkAclLocals(ownFlows: readonly string[] = []): Record<string, string> {
  const ephemeral = `${EPHEMERAL_PORTS.from}`;
  const pieces = `[${withoutAdminPorts(EPHEMERAL_PORTS)
    .map((p) => `{ from = ${p.from}, to = ${p.to} }`)
    .join(", ")}]`;
  const mtu = (dir: string) =>
    `{ tier = t, dir = "${dir}", protocol = "${PATH_MTU.protocol}", cidr = "${PATH_MTU.cidr}", from = ${PATH_MTU.from}, to = ${PATH_MTU.to}, icmp = "${PATH_MTU.icmp.type}/${PATH_MTU.icmp.code}", icmp_type = ${PATH_MTU.icmp.type}, icmp_code = ${PATH_MTU.icmp.code} }`;
  const entry = (fields: string) =>
    `merge(${fields}, { first = ${cidrFirst("e.cidr")}, prefix = ${cidrPrefix("e.cidr")}, size = ${cidrSize("e.cidr")} })`;
  return {
    acl_tiers: `\${[for t in var.tiers : t.name if t.network_acl]}`,
    acl_vpc_blocks: `\${[for b in values(local.block_ranges) : { first = b.first, last = b.last }]}`,
    // Each subnet with its address range and the tier of the NAT its internet traffic leaves through.
    acl_subnets: `\${[for k, s in local.subnets : { tier = s.tier, az = s.az, cidr = s.cidr, first = ${cidrFirst("s.cidr")}, last = ${cidrFirst("s.cidr")} + ${cidrSize("s.cidr")} - 1, nat = s.type == "private" && contains(keys(local.nat_az_for), s.az) ? local.public_tier_in[local.nat_az_for[s.az]] : null }]}`,
    acl_flows: `\${[for f in flatten([var.network_acl_flows, ${ownFlows.join(", ")}]) : { port = { protocol = f.protocol, from = f.from_port, to = f.to_port }, back = { protocol = f.protocol, from = f.protocol == "-1" ? f.from_port : ${ephemeral}, to = f.protocol == "-1" ? f.to_port : ${EPHEMERAL_PORTS.to} }, src_cidrs = ${endCidrs("f.from")}, dst_cidrs = ${endCidrs("f.to")}, src_subnets = ${endSubnets("f.from")}, dst_subnets = ${endSubnets("f.to")} }]}`,
    // Four doors per flow: in on the port and out on the replies at the destination, out and in at the source; a flow
    // from a private subnet out of the VPC crosses its NAT's tier too.
    acl_adds: `\${flatten([for f in local.acl_flows : concat(flatten([for d in f.dst_subnets : [for c in f.src_cidrs : [${add("d.tier", "in", "f.port", "c")}, ${add("d.tier", "out", "f.back", "c")}]]]), flatten([for s in f.src_subnets : [for c in f.dst_cidrs : concat([${add("s.tier", "out", "f.port", "c")}, ${add("s.tier", "in", "f.back", "c")}], s.nat != null && !(${inVpc("c")}) ? [${add("s.nat", "in", "f.port", "s.cidr")}, ${add("s.nat", "out", "f.port", "c")}, ${add("s.nat", "in", "f.back", "c")}, ${add("s.nat", "out", "f.back", "s.cidr")}] : [])]]))])}`,
    // The adds on ACL tiers, "every protocol" as ports 0-0, replies from anywhere without the admin ports; path MTU.
    acl_raw: `\${[for e in concat([for t in local.acl_tiers : ${mtu("in")}], [for t in local.acl_tiers : ${mtu("out")}], flatten([for a in local.acl_adds : [for p in (a.dir == "in" && ${cidrPrefix("a.cidr")} == 0 && a.port.protocol == "tcp" && a.port.from == ${ephemeral} && a.port.to == ${EPHEMERAL_PORTS.to} ? tolist(${pieces}) : tolist([{ from = a.port.protocol == "-1" ? 0 : a.port.from, to = a.port.protocol == "-1" ? 0 : a.port.to }])) : { tier = a.tier, dir = a.dir, protocol = a.port.protocol, cidr = a.cidr, from = p.from, to = p.to, icmp = "", icmp_type = null, icmp_code = null }] if contains(local.acl_tiers, a.tier)])) : ${entry("e")}]}`,
    // Touching or overlapping ranges of one peer and protocol merged: a merged range starts where no other range
    // reaches, and ends where none goes on; in order, the n-th start pairs with the n-th end.
    acl_spans: `\${[for g in values({ for e in local.acl_raw : "\${e.tier}|\${e.dir}|\${e.protocol}|\${e.cidr}|\${e.icmp}" => e... }) : { entry = g[0], starts = ${numericSort("distinct([for r in g : r.from if !anytrue([for o in g : o.from < r.from && o.to + 1 >= r.from])])")}, ends = ${numericSort("distinct([for r in g : r.to if !anytrue([for o in g : o.from <= r.to + 1 && o.to > r.to])])")} }]}`,
    acl_merged: `\${flatten([for x in local.acl_spans : [for i, from in x.starts : merge(x.entry, { from = from, to = x.ends[i] })]])}`,
    // Entries of one direction, protocol and ports, by peer: those no other one of them lies in.
    acl_rests: `\${{ for r, members in { for e in local.acl_merged : "\${e.tier}|\${e.dir}|\${e.protocol}|\${e.from}-\${e.to}|\${e.icmp}" => e... } : r => [for o in members : o if !anytrue([for m in members : m.cidr != o.cidr && m.first <= o.first && o.first + o.size <= m.first + m.size])] }}`,
    // Each entry widened to the largest ancestor block its group's entries fill: the planner's sibling joins, ended.
    acl_joined: `\${distinct(flatten([for r, members in local.acl_rests : [for e in members : [for q in [min([for q in range(0, e.prefix + 1) : q if sum(concat([0], [for o in members : o.size if o.first >= ${blockFirst("e", "q")} && o.first + o.size <= ${blockFirst("e", "q")} + pow(2, 32 - q)])) == pow(2, 32 - q)]...)] : merge(e, { cidr = q == e.prefix ? e.cidr : "\${cidrhost("\${split("/", e.cidr)[0]}/\${q}", 0)}/\${q}", first = ${blockFirst("e", "q")}, prefix = q, size = pow(2, 32 - q) })]]]))}`,
    // Those another entry covers (a wider peer, every protocol or the same one with wider ports) left out.
    acl_kept: `\${[for i, e in local.acl_joined : e if !anytrue([for j, o in local.acl_joined : j != i && o.tier == e.tier && o.dir == e.dir && o.first <= e.first && e.first + e.size <= o.first + o.size && (o.protocol == "-1" || (o.protocol == e.protocol && o.icmp == "" && e.icmp == "" && o.from <= e.from && e.to <= o.to))])]}`,
    // Sorted and numbered, by tier and direction.
    acl_entries: `\${{ for t in local.acl_tiers : t => { for d in ["in", "out"] : d => [for i, k in sort([for e in local.acl_kept : ${orderKey("e")} if e.tier == t && e.dir == d]) : merge({ for e in local.acl_kept : ${orderKey("e")} => e if e.tier == t && e.dir == d }[k], { rule_no = ${FIRST_RULE_NUMBER} + ${RULE_NUMBER_STEP} * i })] } }}`,
  };
}

/** The precondition of each tier's ACL: AWS's default quota of rules per direction. */
export const NETWORK_ACL_QUOTA_CHECK = {
  condition: `\${length(local.acl_entries[each.key].in) <= ${NETWORK_ACL_RULE_QUOTA} && length(local.acl_entries[each.key].out) <= ${NETWORK_ACL_RULE_QUOTA}}`,
  error_message: `\${"tier \${each.key}: network_acl needs \${length(local.acl_entries[each.key].in)} inbound and \${length(local.acl_entries[each.key].out)} outbound rules, more than AWS's default quota of ${NETWORK_ACL_RULE_QUOTA} per direction: fewer sources, or raise the quota with AWS and turn this tier's ACL off until then."}`,
};
