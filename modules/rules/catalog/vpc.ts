import { ADMIN_PORT_NAMES } from "../../core/port";
import { isAnywhere } from "../../security/policy";
import { Rule, Violation } from "../engine";
import {
  addressOf,
  blocks,
  followReference,
  numberValue,
  referencedBy,
  referrersOf,
  ResourceView,
  resourcesOf,
  strings,
} from "../view";
import { coversTcpPort } from "./access";

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

/** Ports checkov's NACL checks guard (FTP data 20, FTP 21, SSH 22, RDP 3389), with this project's other admin ports. */
const NACL_GUARDED_PORTS: Readonly<Record<number, string>> = { 20: "FTP data", 21: "FTP", ...ADMIN_PORT_NAMES };

/** The allow entries a network ACL resource admits in with: inline `ingress` blocks, or a standalone inbound rule. */
function naclIngress(resource: ResourceView): Array<{ cidr?: string; ingress: Record<string, unknown> }> {
  const allowed = (entry: Record<string, unknown>) => String(entry.action ?? entry.rule_action) === "allow";
  const entries =
    resource.type === "aws_network_acl"
      ? blocks(resource.values.ingress)
      : resource.values.egress === true
        ? []
        : [resource.values];
  return entries
    .filter(allowed)
    .flatMap((entry) =>
      [entry.cidr_block, entry.ipv6_cidr_block].flatMap(strings).map((cidr) => ({ cidr, ingress: entry })),
    );
}

export const naclAdminPortOpenToWorld: Rule = {
  id: "nacl-admin-port-open-to-world",
  scannerIds: ["CKV_AWS_229", "CKV_AWS_230", "CKV_AWS_231", "CKV_AWS_232"],
  description:
    "No network ACL admits the world (any /0) to FTP (20, 21) or an admin port (SSH 22, telnet 23, RDP 3389, WinRM 5985/5986, VNC 5900)",
  check: (view) =>
    resourcesOf(view, "aws_network_acl", "aws_network_acl_rule").flatMap((acl) =>
      naclIngress(acl).flatMap(({ cidr, ingress }) => {
        const protocol = String(ingress.protocol);
        const ports = Object.keys(NACL_GUARDED_PORTS)
          .map(Number)
          .filter((port) =>
            coversTcpPort(
              { protocol, fromPort: numberValue(ingress.from_port), toPort: numberValue(ingress.to_port) },
              port,
            ),
          );
        if (cidr === undefined || !isAnywhere(cidr) || ports.length === 0) return [];
        const rule = numberValue(ingress.rule_no ?? ingress.rule_number);
        return [
          {
            address: acl.address,
            message: `entry ${rule ?? "?"} admits ${cidr} to ${ports.map((p) => `${NACL_GUARDED_PORTS[p]} (${p})`).join(", ")} (protocol ${protocol})`,
          },
        ];
      }),
    ),
};

export const naclAttached: Rule = {
  id: "nacl-attached",
  scannerIds: ["CKV2_AWS_1"],
  description:
    "Every network ACL is attached to a subnet (an aws_network_acl_association, or its subnet_ids): an unattached one filters nothing",
  check: (view) =>
    resourcesOf(view, "aws_network_acl")
      .filter(
        (acl) =>
          strings(acl.values.subnet_ids).length === 0 &&
          (acl.references.subnet_ids ?? []).length === 0 &&
          referrersOf(view, "aws_network_acl_association", "network_acl_id", acl).length === 0,
      )
      .map((acl) => ({ address: acl.address, message: "is attached to no subnet: nothing it says filters anything" })),
};
