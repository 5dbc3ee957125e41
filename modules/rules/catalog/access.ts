import { isAnywhere } from "../../security/policy";
import { ADMIN_PORT_NAMES, ADMIN_PORTS } from "../../core/port";
import { Rule, Violation } from "../engine";
import {
  blocks,
  followReference,
  numberValue,
  referencedBy,
  referrersOf,
  ResourceView,
  resourcesOf,
  StackView,
  strings,
} from "../view";

/** One ingress permission, whichever resource type it was written as. */
export interface Ingress {
  readonly cidrs: readonly string[];
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
}

/** Every ingress permission a resource grants: inline blocks of a group, or a standalone rule. Unknown values count as none. */
export function ingressOf(resource: ResourceView): Ingress[] {
  const v = resource.values;
  const permission = (cidrs: unknown[], protocol: unknown, from: unknown, to: unknown): Ingress => ({
    cidrs: cidrs.flatMap(strings),
    protocol: String(protocol),
    fromPort: numberValue(from),
    toPort: numberValue(to),
  });
  switch (resource.type) {
    case "aws_security_group":
    case "aws_default_security_group":
      return blocks(v.ingress).map((i) =>
        permission([i.cidr_blocks, i.ipv6_cidr_blocks], i.protocol, i.from_port, i.to_port),
      );
    case "aws_security_group_rule":
      return v.type === "ingress"
        ? [permission([v.cidr_blocks, v.ipv6_cidr_blocks], v.protocol, v.from_port, v.to_port)]
        : [];
    case "aws_vpc_security_group_ingress_rule":
      return [permission([v.cidr_ipv4, v.cidr_ipv6], v.ip_protocol, v.from_port, v.to_port)];
    default:
      return [];
  }
}

/** Whether an ingress permission lets traffic reach TCP port `target` (all protocols do; a missing range is every port). */
export function coversTcpPort(
  ingress: { readonly protocol: string; readonly fromPort?: number; readonly toPort?: number },
  target: number,
): boolean {
  const protocol = ingress.protocol.toLowerCase();
  if (["-1", "all"].includes(protocol)) return true;
  if (!["tcp", "6"].includes(protocol)) return false;
  return (ingress.fromPort ?? 0) <= target && target <= (ingress.toPort ?? 65535);
}

export const adminPortOpenToWorld: Rule = {
  id: "admin-port-open-to-world",
  scannerIds: ["CKV_AWS_24", "CKV_AWS_25", "AVD-AWS-0107"],
  description:
    "No security group rule lets the world (any /0: 0.0.0.0/0, ::/0) reach an admin port (SSH 22, telnet 23, RDP 3389, WinRM 5985/5986, VNC 5900)",
  check: (view) =>
    view.resources.flatMap((resource) =>
      ingressOf(resource).flatMap((ingress) => {
        const world = ingress.cidrs.filter(isAnywhere);
        const ports = ADMIN_PORTS.filter((p) => coversTcpPort(ingress, p));
        if (world.length === 0 || ports.length === 0) return [];
        const names = ports.map((p) => `${ADMIN_PORT_NAMES[p]} (${p})`).join(", ");
        return [
          {
            address: resource.address,
            message: `lets ${world.join(", ")} reach ${names} (protocol ${ingress.protocol})`,
          },
        ];
      }),
    ),
};

/** The tier type of a subnet, from the `SubnetType` tag the network module writes. */
function subnetType(subnet: ResourceView | undefined): string | undefined {
  return (subnet?.values.tags as Record<string, string> | undefined)?.SubnetType;
}

const inInnerTier = (subnet: ResourceView | undefined): subnet is ResourceView =>
  ["private", "isolated"].includes(subnetType(subnet) ?? "");
const where = (subnet: ResourceView) => `${subnetType(subnet)} subnet ${subnet.name}`;

export const publicIpInPrivateTier: Rule = {
  id: "public-ip-in-private-tier",
  scannerIds: [],
  description:
    "Nothing in a private or isolated tier gets a public IP (auto-assigned, on the instance, or an Elastic IP)",
  check: (view: StackView) => {
    const found: Violation[] = [];
    for (const subnet of resourcesOf(view, "aws_subnet").filter(inInnerTier)) {
      if (subnet.values.map_public_ip_on_launch === true)
        found.push({ address: subnet.address, message: `${where(subnet)} assigns public IPs on launch` });
    }
    for (const instance of resourcesOf(view, "aws_instance")) {
      const subnet = followReference(view, instance, "subnet_id");
      if (inInnerTier(subnet) && instance.values.associate_public_ip_address === true) {
        found.push({ address: instance.address, message: `has a public IP in ${where(subnet)}` });
      }
    }
    for (const eip of resourcesOf(view, "aws_eip")) {
      const instance = followReference(view, eip, "instance");
      const subnet = instance === undefined ? undefined : followReference(view, instance, "subnet_id");
      if (instance !== undefined && inInnerTier(subnet))
        found.push({
          address: eip.address,
          message: `gives ${instance.address} in ${where(subnet)} a public Elastic IP`,
        });
    }
    return found;
  },
};

export const instancePublicIp: Rule = {
  id: "instance-public-ip",
  scannerIds: ["CKV_AWS_88"],
  description:
    "No instance has a public IP, on the instance or through an Elastic IP (the bastion and a NAT instance are the accepted exceptions)",
  check: (view) =>
    resourcesOf(view, "aws_instance").flatMap((instance) => {
      if (instance.values.associate_public_ip_address === true)
        return [{ address: instance.address, message: "associate_public_ip_address is true" }];
      // Left unset (an instance with an Elastic IP), the subnet decides whether the launch assigns an address.
      const subnet = followReference(view, instance, "subnet_id");
      if (instance.values.associate_public_ip_address !== false && subnet?.values.map_public_ip_on_launch === true)
        return [{ address: instance.address, message: `gets a public IP at launch from ${subnet.address}` }];
      return referrersOf(view, "aws_eip", "instance", instance).map((eip) => ({
        address: instance.address,
        message: `reachable from the internet through ${eip.address}`,
      }));
    }),
};

/** Standalone ingress rules, with the argument that names a source security group. */
const SOURCE_GROUP_ARGUMENT: Readonly<Record<string, string>> = {
  aws_vpc_security_group_ingress_rule: "referenced_security_group_id",
  aws_security_group_rule: "source_security_group_id",
};

export const sshOnlyFromInstanceConnect: Rule = {
  id: "ssh-only-from-instance-connect",
  scannerIds: [],
  description:
    "Where an EC2 Instance Connect Endpoint is the door, every rule that admits SSH (22) has the endpoint's security group as its source: no CIDR, no other group",
  check: (view) => {
    const endpoints = resourcesOf(view, "aws_ec2_instance_connect_endpoint");
    if (endpoints.length === 0) return [];
    const doorGroups = new Set(endpoints.flatMap((e) => referencedBy(e, "security_group_ids")));
    return view.resources.flatMap((resource) => {
      if (!ingressOf(resource).some((ingress) => coversTcpPort(ingress, 22))) return [];
      const argument = SOURCE_GROUP_ARGUMENT[resource.type];
      const sources = argument === undefined ? [] : referencedBy(resource, argument);
      if (sources.length > 0 && sources.every((s) => doorGroups.has(s))) return [];
      const from = ingressOf(resource).flatMap((i) => i.cidrs);
      return [
        {
          address: resource.address,
          message: `admits SSH from ${[...from, ...sources].join(", ") || "a source"} other than the Instance Connect Endpoint's group (${[...doorGroups].join(", ")})`,
        },
      ];
    });
  },
};
