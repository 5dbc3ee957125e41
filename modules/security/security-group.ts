import { Construct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { ADMIN_PORT_NAMES, adminPortsIn, PortRange, portLabel } from "../core/port";
import { isAnywhere } from "./policy";

/** What a CIDR peer may be used for beyond the safe default. */
export interface CidrPeerOptions {
  /**
   * Lets an ingress rule from this peer open an admin port (SSH, RDP, ...: `ADMIN_PORT_NAMES`) when the peer is the
   * whole internet; the same policy as the config's `access.insecureAllowAdminPortsFromAnywhere`. @default false
   */
  readonly insecureAllowAdminPortsFromAnywhere?: boolean;
}

/** An IPv4 or IPv6 network as the other end of a rule. */
export interface CidrPeer extends CidrPeerOptions {
  /** The network, e.g. `203.0.113.10/32` or `2001:db8::/56`. */
  readonly cidr: string;
  /**
   * Whether `cidr` is IPv6: needed when it is a token (a subnet's /64 known only after apply).
   * @default true when `cidr` has a colon
   */
  readonly ipv6?: boolean;
  /** Short name used in construct ids, e.g. `admin` or `tier-public-ap-northeast-2a`; the CIDR when omitted. */
  readonly label?: string;
}

/** A security group this library did not make (another stack's, a load balancer's), referenced by id. */
export interface SecurityGroupIdPeer {
  /** The group's id, `sg-...` (or a token). */
  readonly securityGroupId: string;
  /** Short name used in construct ids. */
  readonly label: string;
}

/** A managed prefix list (`pl-...`), such as an AWS service's or a list of office networks. */
export interface PrefixListPeer {
  /** The prefix list's id, `pl-...` (or a token). */
  readonly prefixListId: string;
  /** Short name used in construct ids. */
  readonly label: string;
}

/**
 * The other end of a rule: a role's security group (referenced by id, not by address), a CIDR block, another
 * security group by id, or a prefix list.
 */
export type Peer = RoleSecurityGroup | CidrPeer | SecurityGroupIdPeer | PrefixListPeer;

/** Builders for peers, named after AWS CDK's `ec2.Peer`. */
export const Peer = {
  /** An IPv4 CIDR block. */
  ipv4: (cidr: string, label?: string, options: CidrPeerOptions = {}): CidrPeer => ({ cidr, label, ...options }),
  /** All of IPv4: for egress to the internet through the NAT or Internet Gateway. */
  anyIpv4: (options: CidrPeerOptions = {}): CidrPeer => ({ cidr: "0.0.0.0/0", label: "anywhere", ...options }),
  /** An IPv6 CIDR block (or a token of one, such as a subnet's /64). */
  ipv6: (cidr: string, label?: string, options: CidrPeerOptions = {}): CidrPeer => ({
    cidr,
    label,
    ipv6: true,
    ...options,
  }),
  /** All of IPv6: for egress through the Internet Gateway or the egress-only Internet Gateway of a dual-stack VPC. */
  anyIpv6: (options: CidrPeerOptions = {}): CidrPeer => ({
    cidr: "::/0",
    label: "anywhere-ipv6",
    ipv6: true,
    ...options,
  }),
  /** A security group by id (`sg-...`): one this library did not make. */
  securityGroupId: (securityGroupId: string, label: string): SecurityGroupIdPeer => ({ securityGroupId, label }),
  /** A managed prefix list by id (`pl-...`). */
  prefixList: (prefixListId: string, label: string): PrefixListPeer => ({ prefixListId, label }),
};

/** What a `RoleSecurityGroup` needs: the VPC, the environment and role it is named after, and its description. */
export interface RoleSecurityGroupProps {
  /** Environment name: prefixes the group's name and Name tag. */
  readonly environment: string;
  /** The role the group is for (`bastion`, `app`, `db`): names the group and the rules that refer to it. */
  readonly role: string;
  /** The VPC the group belongs to. */
  readonly vpcId: string;
  /** What the group is for, shown in the console. */
  readonly description: string;
  /**
   * The VPC is dual-stack: every egress rule to all of IPv4 (`Peer.anyIpv4()`) gets its twin to all of IPv6.
   * @default false
   */
  readonly dualStack?: boolean;
}

/** A rule said on a role's group: its direction, the other end, the ports. */
export interface RoleSecurityGroupRule {
  readonly direction: "ingress" | "egress";
  readonly peer: Peer;
  readonly port: PortRange;
  readonly description: string;
}

/**
 * Each server role's security group description, as the architecture reads. A changed description replaces the
 * group, so the constructs and the generated Terraform module take it from here.
 */
export const ROLE_GROUP_DESCRIPTIONS = {
  bastion: "Bastion: the only door, SSH from the admin CIDRs",
  app: "App servers: service ports from their sources, SSH from the bastion",
  db: "DB server: the DB port from the app servers, SSH from the bastion",
  "instance-connect": "EC2 Instance Connect Endpoint: the door, SSH out to the servers only",
} as const;

/**
 * The security group of one role, with no rules until they are said: `app.allowFrom(bastion, Port.SSH, "...")`
 * makes the ingress rule on `app` and the matching egress rule on `bastion` (as AWS CDK's `connections`), so both
 * sides allow exactly what the architecture says and nothing else. Every rule is its own
 * `aws_vpc_security_group_ingress_rule` / `_egress_rule` resource with a description, its construct id keyed by
 * direction, port and peer (`Ingress-tcp22-from-bastion`), never by position.
 */
export class RoleSecurityGroup extends Construct {
  readonly group: SecurityGroup;
  readonly role: string;
  private readonly said: RoleSecurityGroupRule[] = [];
  /** Whether egress to all of IPv4 is twinned to all of IPv6 (`dualStack`). */
  readonly dualStack: boolean;

  constructor(scope: Construct, id: string, props: RoleSecurityGroupProps) {
    super(scope, id);
    this.role = props.role;
    this.dualStack = props.dualStack ?? false;
    // No inline rules: the provider then removes AWS's default allow-all egress, and every rule below is explicit.
    this.group = new SecurityGroup(this, "Group", {
      name: `${props.environment}-${props.role}`,
      description: props.description,
      vpcId: props.vpcId,
      tags: { Name: `${props.environment}-${props.role}`, Role: props.role },
    });
    this.id = this.group.id;
  }

  /**
   * The group's id, for an instance's `vpcSecurityGroupIds`: read once, so every reader holds the same token (a
   * `Peer.securityGroupId(group.id)` is then recognisably this group) and no reference is made per rule.
   */
  readonly id: string;

  /** Every rule of the group, in the order said: what network ACLs are planned from (`securityGroupFlows`). */
  get rules(): readonly RoleSecurityGroupRule[] {
    return this.said;
  }

  /** Lets `peer` reach this group's members on `port`: ingress here, and egress on `peer` when it is a group. */
  allowFrom(peer: Peer, port: PortRange, description: string): void {
    this.ingress(peer, port, description);
    if (peer instanceof RoleSecurityGroup) peer.egress(this, port, description);
  }

  /** Lets this group's members reach `peer` on `port`: egress here, and ingress on `peer` when it is a group. */
  allowTo(peer: Peer, port: PortRange, description: string): void {
    this.egress(peer, port, description);
    if (peer instanceof RoleSecurityGroup) peer.ingress(this, port, description);
  }

  private ingress(peer: Peer, port: PortRange, description: string): void {
    const adminPorts = adminPortsIn(port);
    if (
      "cidr" in peer &&
      isAnywhere(peer.cidr) &&
      adminPorts.length > 0 &&
      peer.insecureAllowAdminPortsFromAnywhere !== true
    )
      throw new Error(
        `${this.node.path}: an ingress rule from ${peer.cidr} (${description}) opens admin port ${adminPorts.map((p) => `${p} (${ADMIN_PORT_NAMES[p]})`).join(", ")} to the whole internet. ` +
          `Give a narrower source, such as your office's address as a /32, or, if you mean it, a peer that says so: ` +
          `Peer.${isIpv6Peer(peer) ? "anyIpv6" : "anyIpv4"}({ insecureAllowAdminPortsFromAnywhere: true })`,
      );
    this.said.push({ direction: "ingress", peer, port, description });
    new VpcSecurityGroupIngressRule(this, `Ingress-${portLabel(port)}-from-${peerLabel(peer)}`, {
      securityGroupId: this.id,
      description,
      ...ruleTarget(peer, port),
    });
  }

  private egress(peer: Peer, port: PortRange, description: string): void {
    this.said.push({ direction: "egress", peer, port, description });
    new VpcSecurityGroupEgressRule(this, `Egress-${portLabel(port)}-to-${peerLabel(peer)}`, {
      securityGroupId: this.id,
      description,
      ...ruleTarget(peer, port),
    });
    if (this.dualStack && "cidr" in peer && !isIpv6Peer(peer) && isAnywhere(peer.cidr))
      this.egress(Peer.anyIpv6(), port, description);
  }
}

function isIpv6Peer(peer: CidrPeer): boolean {
  return peer.ipv6 ?? peer.cidr.includes(":");
}

function peerLabel(peer: Peer): string {
  if (peer instanceof RoleSecurityGroup) return peer.role;
  if ("cidr" in peer) return peer.label ?? `cidr-${idSafe(peer.cidr)}`;
  return peer.label;
}

/** `203-0-113-10-32` for `203.0.113.10/32`: readable in construct paths and logical ids alike. */
export function idSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9]+/g, "-");
}

function ruleTarget(peer: Peer, port: PortRange) {
  const where =
    peer instanceof RoleSecurityGroup
      ? { referencedSecurityGroupId: peer.id }
      : "cidr" in peer
        ? isIpv6Peer(peer)
          ? { cidrIpv6: peer.cidr }
          : { cidrIpv4: peer.cidr }
        : "securityGroupId" in peer
          ? { referencedSecurityGroupId: peer.securityGroupId }
          : { prefixListId: peer.prefixListId };
  // Every protocol takes no ports: AWS refuses them with ip_protocol -1.
  const ports = port.protocol === "-1" ? {} : { fromPort: port.from, toPort: port.to };
  return { ...where, ipProtocol: port.protocol, ...ports };
}
