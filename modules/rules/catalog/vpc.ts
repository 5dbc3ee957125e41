import { Rule, Violation } from "../engine";
import { addressOf, blocks, followReference, referencedBy, referrersOf, ResourceView, resourcesOf } from "../view";

/** Standalone rule resources; their `security_group_id` names the group they add to. */
const STANDALONE_RULES = [
  "aws_security_group_rule",
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
];

export const defaultSecurityGroupClosed: Rule = {
  id: "default-security-group-closed",
  scannerIds: ["CKV2_AWS_12", "AVD-AWS-0173"],
  description:
    "Every VPC's default security group is adopted (aws_default_security_group) with no ingress or egress rules",
  check: (view) =>
    resourcesOf(view, "aws_vpc").flatMap((vpc) => {
      const groups = referrersOf(view, "aws_default_security_group", "vpc_id", vpc);
      if (groups.length === 0)
        return [
          {
            address: vpc.address,
            message:
              "no aws_default_security_group adopts this VPC's default security group, so AWS's allow-all rules stay",
          },
        ];
      const found: Violation[] = [];
      for (const group of groups) {
        for (const field of ["ingress", "egress"]) {
          if (blocks(group.values[field]).length > 0)
            found.push({
              address: group.address,
              message: `has ${field} rules: the default security group must have none`,
            });
        }
      }
      const vpcAttribute = `${addressOf(vpc.address)}.default_security_group_id`;
      for (const rule of resourcesOf(view, ...STANDALONE_RULES)) {
        const targets = referencedBy(rule, "security_group_id");
        const toDefault =
          groups.some((g) => targets.includes(addressOf(g.address))) ||
          (rule.references.security_group_id ?? []).includes(vpcAttribute);
        if (toDefault)
          found.push({ address: rule.address, message: `adds a rule to the default security group of ${vpc.address}` });
      }
      return found;
    }),
};

export const vpcFlowLogs: Rule = {
  id: "vpc-flow-logs",
  scannerIds: ["CKV2_AWS_11", "AVD-AWS-0178"],
  description: "Every VPC has flow logs (an aws_flow_log whose vpc_id is the VPC)",
  check: (view) =>
    resourcesOf(view, "aws_vpc")
      .filter((vpc) => referrersOf(view, "aws_flow_log", "vpc_id", vpc).length === 0)
      .map((vpc) => ({ address: vpc.address, message: "no aws_flow_log records this VPC's traffic" })),
};

const azOf = (subnet: ResourceView | undefined) => subnet?.values.availability_zone;

export const natCrossAz: Rule = {
  id: "nat-cross-az",
  scannerIds: [],
  description: 'Under nat.mode "per-az", every private route goes to the NAT gateway in its own AZ',
  check: (view, context) => {
    if (context.natMode !== "per-az") return [];
    const associations = resourcesOf(view, "aws_route_table_association");
    return resourcesOf(view, "aws_route").flatMap((route) => {
      const nat = followReference(view, route, "nat_gateway_id");
      const natAz = nat === undefined ? undefined : azOf(followReference(view, nat, "subnet_id"));
      const table = followReference(view, route, "route_table_id");
      if (natAz === undefined || table === undefined) return [];
      return associations
        .filter((a) => followReference(view, a, "route_table_id") === table)
        .map((a) => followReference(view, a, "subnet_id"))
        .filter((s): s is ResourceView => s !== undefined && azOf(s) !== natAz)
        .map((s) => ({
          address: route.address,
          message: `sends subnet ${s.name} (${String(azOf(s))}) through the NAT gateway in ${String(natAz)}: losing that AZ cuts this one's egress`,
        }));
    });
  },
};
