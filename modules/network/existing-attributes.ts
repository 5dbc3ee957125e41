import { Token } from "cdktf";
import { ConfigProblem, fieldPath } from "../core/problems";
import { contains, overlaps } from "../core/cidr";
import { azProblem, blockProblem, NAME_PATTERN, REGION_PATTERN } from "./plan";
import { ExistingNetworkAttributes, SUBNET_TYPES } from "./types";

type Report = (field: string, value: unknown, expected: string) => void;

/** The AWS ids checked, by prefix: each is the prefix, a dash, and 8 (older resources) or 17 hex digits. */
const ID_PREFIXES = { vpc: "a VPC", subnet: "a subnet", rtb: "a route table" };

/** A value only known at plan time (a variable, another stack's output): taken as given. */
const known = (value: string) => !Token.isUnresolved(value);

/**
 * Every problem of an existing VPC's attributes, all at once: ids of the right kind, CIDRs valid and inside the VPC's
 * blocks without overlapping, each tier named once with a known type, each AZ of the region once per tier. A value
 * that is a token is taken as given.
 */
export function existingNetworkProblems(attrs: ExistingNetworkAttributes): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const report: Report = (field, value, expected) => problems.push({ field, value, expected });
  if (!REGION_PATTERN.test(attrs.region)) report("region", attrs.region, "an AWS region name such as eu-west-1");
  checkId("vpcId", attrs.vpcId, "vpc", report);
  const blocks = checkVpcBlocks(attrs, report);
  if (attrs.tiers.length === 0) report("tiers", attrs.tiers, "at least one tier of subnets");
  checkTiers(attrs, blocks, report);
  return problems;
}

function checkId(field: string, value: string, prefix: keyof typeof ID_PREFIXES, report: Report): void {
  if (known(value) && !new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`).test(value))
    report(
      field,
      value,
      `${ID_PREFIXES[prefix]} id: "${prefix}-" and 8 or 17 lowercase hex digits, such as ${prefix}-0123456789abcdef0`,
    );
}

/** Checks the VPC's blocks; returns them all, or undefined when one is unknown or wrong (it could hold any subnet). */
function checkVpcBlocks(attrs: ExistingNetworkAttributes, report: Report): string[] | undefined {
  const all = [attrs.vpcCidr, ...(attrs.secondaryVpcCidrs ?? [])];
  const blocks: string[] = [];
  all.forEach((cidr, i) => {
    if (!known(cidr)) return;
    const field = i === 0 ? "vpcCidr" : fieldPath("secondaryVpcCidrs", i - 1);
    const wrong = blockProblem(cidr, "a VPC block");
    const clash = wrong === undefined ? blocks.find((b) => overlaps(b, cidr)) : undefined;
    if (wrong !== undefined) report(field, cidr, wrong);
    else if (clash !== undefined) report(field, cidr, `a block that overlaps no other block of the VPC (${clash})`);
    else blocks.push(cidr);
  });
  return blocks.length === all.length ? blocks : undefined;
}

/** Checks each tier and its subnets: names, types, AZs, ids (each subnet once), CIDRs (in `blocks`, overlap-free). */
function checkTiers(attrs: ExistingNetworkAttributes, blocks: string[] | undefined, report: Report): void {
  const subnetAt = new Map<string, string>();
  const cidrs: Array<{ cidr: string; field: string }> = [];
  attrs.tiers.forEach((tier, t) => {
    const at = (...key: Array<string | number>) => fieldPath("tiers", t, ...key);
    if (!NAME_PATTERN.test(tier.name))
      report(at("name"), tier.name, "a tier name of lowercase letters, digits and dashes, starting with a letter");
    else if (attrs.tiers.findIndex((other) => other.name === tier.name) !== t)
      report(at("name"), tier.name, "a tier name used once");
    if (!(SUBNET_TYPES as readonly string[]).includes(tier.type))
      report(at("type"), tier.type, `one of ${SUBNET_TYPES.join(", ")}`);
    if (tier.subnets.length === 0) report(at("subnets"), tier.subnets, "at least one subnet");
    tier.subnets.forEach((subnet, s) => {
      const notOfRegion = azProblem(attrs.region, subnet.az);
      if (notOfRegion !== undefined) report(at("subnets", s, "az"), subnet.az, notOfRegion);
      else if (tier.subnets.findIndex((other) => other.az === subnet.az) !== s)
        report(at("subnets", s, "az"), subnet.az, "each AZ once per tier");
      checkId(at("subnets", s, "subnetId"), subnet.subnetId, "subnet", report);
      const firstAt = subnetAt.get(subnet.subnetId);
      if (firstAt !== undefined && known(subnet.subnetId))
        report(at("subnets", s, "subnetId"), subnet.subnetId, `a subnet id used once (${firstAt} has it)`);
      else subnetAt.set(subnet.subnetId, at("subnets", s));
      checkId(at("subnets", s, "routeTableId"), subnet.routeTableId, "rtb", report);

      const field = at("subnets", s, "cidr");
      const { cidr } = subnet;
      if (!known(cidr)) return;
      const wrong = blockProblem(cidr, "a subnet");
      const clash = wrong === undefined ? cidrs.find((other) => overlaps(other.cidr, cidr)) : undefined;
      if (wrong !== undefined) report(field, cidr, wrong);
      else if (blocks !== undefined && !blocks.some((block) => contains(block, cidr)))
        report(field, cidr, `a subnet inside the VPC's blocks (${blocks.join(", ")})`);
      else if (clash !== undefined)
        report(field, cidr, `a subnet that overlaps no other (${clash.field} is ${clash.cidr})`);
      else cidrs.push({ cidr, field });
    });
  });
}
