import { Token } from "cdktf";
import { ConfigProblem, fieldPath } from "../core/problems";
import { contains, overlaps } from "../core/cidr";
import { azProblem, blockProblem, NAME_PATTERN, REGION_PATTERN } from "./plan";
import { ExistingNetworkAttributes, SUBNET_TYPES } from "./types";

/** AWS resource ids: the prefix, a dash, and 8 (older resources) or 17 hex digits. */
const awsId = (prefix: string) => new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`);
const ID_PATTERNS = { vpc: awsId("vpc"), subnet: awsId("subnet"), rtb: awsId("rtb") };

/**
 * Every problem of an existing VPC's attributes, all at once: ids of the right kind, CIDRs valid and inside the VPC's
 * blocks without overlapping, each tier named once with a known type, each AZ of the region once per tier. A value
 * that is a token (a variable, another stack's output) is taken as given: it is only known at plan time.
 */
export function existingNetworkProblems(attrs: ExistingNetworkAttributes): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const problem = (field: string, value: unknown, expected: string) => problems.push({ field, value, expected });
  const known = (value: string) => !Token.isUnresolved(value);
  const checkId = (field: string, value: string, kind: keyof typeof ID_PATTERNS, what: string) => {
    if (known(value) && !ID_PATTERNS[kind].test(value))
      problem(
        field,
        value,
        `${what} id: "${kind}-" and 8 or 17 lowercase hex digits, such as ${kind}-0123456789abcdef0`,
      );
  };

  if (!REGION_PATTERN.test(attrs.region)) problem("region", attrs.region, "an AWS region name such as eu-west-1");
  checkId("vpcId", attrs.vpcId, "vpc", "a VPC");
  const blocks: string[] = [];
  [attrs.vpcCidr, ...(attrs.secondaryVpcCidrs ?? [])].forEach((cidr, i) => {
    const field = i === 0 ? "vpcCidr" : fieldPath("secondaryVpcCidrs", i - 1);
    const wrong = known(cidr) ? blockProblem(cidr, "a VPC block") : undefined;
    const clash = wrong === undefined && known(cidr) ? blocks.find((b) => overlaps(b, cidr)) : undefined;
    if (wrong !== undefined) problem(field, cidr, wrong);
    else if (clash !== undefined) problem(field, cidr, `a block that overlaps no other block of the VPC (${clash})`);
    else if (known(cidr)) blocks.push(cidr);
  });

  // Containment is only judged against every block of the VPC: a block that is unknown or wrong could hold the subnet.
  const allBlocks = blocks.length === 1 + (attrs.secondaryVpcCidrs ?? []).length;
  const subnetCidrs: Array<{ cidr: string; field: string }> = [];
  const checkSubnetCidr = (cidr: string, field: string) => {
    if (!known(cidr)) return;
    const wrong = blockProblem(cidr, "a subnet");
    const clash = wrong === undefined ? subnetCidrs.find((other) => overlaps(other.cidr, cidr)) : undefined;
    if (wrong !== undefined) problem(field, cidr, wrong);
    else if (allBlocks && !blocks.some((block) => contains(block, cidr)))
      problem(field, cidr, `a subnet inside the VPC's blocks (${blocks.join(", ")})`);
    else if (clash !== undefined)
      problem(field, cidr, `a subnet that overlaps no other (${clash.field} is ${clash.cidr})`);
    else subnetCidrs.push({ cidr, field });
  };

  if (attrs.tiers.length === 0) problem("tiers", attrs.tiers, "at least one tier of subnets");
  const subnetIds = new Map<string, string>();
  attrs.tiers.forEach((tier, t) => {
    const at = (...key: Array<string | number>) => fieldPath("tiers", t, ...key);
    if (!NAME_PATTERN.test(tier.name))
      problem(at("name"), tier.name, "a tier name of lowercase letters, digits and dashes, starting with a letter");
    else if (attrs.tiers.findIndex((other) => other.name === tier.name) !== t)
      problem(at("name"), tier.name, "a tier name used once");
    if (!(SUBNET_TYPES as readonly string[]).includes(tier.type))
      problem(at("type"), tier.type, `one of ${SUBNET_TYPES.join(", ")}`);
    if (tier.subnets.length === 0) problem(at("subnets"), tier.subnets, "at least one subnet");
    tier.subnets.forEach((subnet, s) => {
      const notOfRegion = azProblem(attrs.region, subnet.az);
      if (notOfRegion !== undefined) problem(at("subnets", s, "az"), subnet.az, notOfRegion);
      else if (tier.subnets.findIndex((other) => other.az === subnet.az) !== s)
        problem(at("subnets", s, "az"), subnet.az, "each AZ once per tier");
      checkId(at("subnets", s, "subnetId"), subnet.subnetId, "subnet", "a subnet");
      const firstUse = subnetIds.get(subnet.subnetId);
      if (firstUse !== undefined && known(subnet.subnetId))
        problem(at("subnets", s, "subnetId"), subnet.subnetId, `a subnet id used once (${firstUse} has it)`);
      else subnetIds.set(subnet.subnetId, at("subnets", s));
      checkId(at("subnets", s, "routeTableId"), subnet.routeTableId, "rtb", "a route table");
      checkSubnetCidr(subnet.cidr, at("subnets", s, "cidr"));
    });
  });
  return problems;
}
