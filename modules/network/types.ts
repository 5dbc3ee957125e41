import type { AmiSource } from "../instance/ami";

/** How a tier reaches the internet: `public` through the Internet Gateway, `private` through a NAT, `isolated` not at all. */
export const SUBNET_TYPES = ["public", "private", "isolated"] as const;
/** One of `SUBNET_TYPES`: how a tier reaches the internet. */
export type SubnetType = (typeof SUBNET_TYPES)[number];

/** How private tiers reach the internet: no NAT, one NAT gateway, one per AZ, or one NAT instance. */
export const NAT_MODES = ["none", "single", "per-az", "instance"] as const;
/** One of `NAT_MODES`: how private tiers reach the internet. */
export type NatMode = (typeof NAT_MODES)[number];

/** One planned subnet: its tier, type, AZ and CIDR block. */
export interface PlannedSubnet {
  readonly tier: string;
  readonly type: SubnetType;
  readonly az: string;
  readonly cidr: string;
  /**
   * With `ipv6`, which /64 of the VPC's /56 the subnet takes (0-255): the tier's place in the list times `azSlots`,
   * plus the AZ's slot, so adding an AZ or appending a tier never moves one.
   */
  readonly ipv6Index?: number;
}

/** What `planNetwork` returns: every subnet with its CIDR, and where the NATs go, from which `Network` builds. */
export interface NetworkPlan {
  /** Every subnet, in tier order then the environment's AZ order. */
  readonly subnets: readonly PlannedSubnet[];
  /** AZs that hold a NAT (gateway or instance), in the environment's AZ order. */
  readonly natAzs: readonly string[];
  /** For each AZ with a private subnet: the AZ of the NAT its default route goes to. */
  readonly natAzFor: Readonly<Record<string, string>>;
  /** For each NAT AZ: the public tier whose subnet hosts the NAT. */
  readonly natTierIn: Readonly<Record<string, string>>;
  /** The tier the config's interface endpoints are placed in; undefined when it asks for none. @default none */
  readonly interfaceEndpointTier?: string;
}

/** One tier of subnets: one subnet per AZ it uses. */
export interface SubnetTierProps {
  /** Tier name, used in construct ids, Name tags and outputs: lowercase letters, digits and dashes. */
  readonly name: string;
  /** `public` routes 0.0.0.0/0 to the Internet Gateway, `private` to a NAT, `isolated` nowhere off the VPC. */
  readonly type: SubnetType;
  /**
   * The AZs this tier has a subnet in, a subset of the environment's.
   * @default all of the environment's AZs
   */
  readonly azs?: readonly string[];
  /**
   * Netmask of each of the tier's subnets (16-28), planned automatically. Give this or `cidrs`.
   * @default none: an automatic split would move every subnet whenever a tier is added
   */
  readonly cidrMask?: number;
  /**
   * Explicit CIDR per AZ (`{ "ap-northeast-2a": "10.0.0.0/24" }`), checked to be inside the VPC and overlap-free.
   * @default planned from `cidrMask`
   */
  readonly cidrs?: Readonly<Record<string, string>>;
  /**
   * The name of a secondary CIDR block (`secondaryCidrBlocks`) this tier's subnets are planned in: how a full VPC
   * grows without moving anything.
   * @default the VPC's primary block (`vpcCidr`)
   */
  readonly block?: string;
  /**
   * A network ACL of the tier's own, admitting only the flows its security groups allow (and their replies), given
   * to `Network.addNetworkAcls`: a second, stateless layer under the security groups.
   * @default false: the VPC's default network ACL, which admits everything and leaves filtering to the groups
   */
  readonly networkAcl?: boolean;
  /**
   * With `ipv6`, give every network interface made in the tier's subnets (an instance's, at launch) an IPv6 address.
   * Instances that already exist keep theirs as they are.
   * @default false
   */
  readonly assignIpv6AddressOnCreation?: boolean;
}

/** A secondary IPv4 CIDR block of the VPC (`aws_vpc_ipv4_cidr_block_association`), named so tiers can be placed in it. */
export interface SecondaryCidrBlockProps {
  /** Name tiers use in `block`, and part of the association's id: lowercase letters, digits and dashes. */
  readonly name: string;
  /** The block, /16 to /28, in the same RFC 1918 range as `vpcCidr` and overlapping no other block. */
  readonly cidr: string;
}

/** The NAT instance of `nat.mode = "instance"`. */
export interface NatInstanceProps {
  /** Image for the NAT instance: an AMI id, or an SSM parameter read at plan time. Amazon Linux 2023 or similar. */
  readonly ami: AmiSource;
  /**
   * EC2 instance type; match the AMI's architecture.
   * @default "t3.nano"
   */
  readonly instanceType?: string;
  /** CloudWatch detailed (1-minute) monitoring. @default false */
  readonly detailedMonitoring?: boolean;
}

/** Egress for private tiers. */
export interface NatProps {
  /**
   * `none`: no NAT (private tiers are then an error); `single`: one NAT gateway; `per-az`: one NAT gateway per AZ
   * with private subnets, each AZ routing to its own; `instance`: one NAT instance (cheapest, not highly available).
   * @default "single"
   */
  readonly mode?: NatMode;
  /** Settings of the NAT instance; required when `mode` is `instance`. @default none */
  readonly instance?: NatInstanceProps;
}

/** VPC flow logs to CloudWatch Logs. */
export interface FlowLogsProps {
  /** Turn flow logs on. @default false */
  readonly enabled?: boolean;
  /** Days CloudWatch keeps the log events (one of the values CloudWatch accepts). @default 30 */
  readonly retentionDays?: number;
  /** Which traffic to record. @default "ALL" */
  readonly trafficType?: FlowLogTrafficType;
  /**
   * ARN of a KMS key (in the environment's region) that encrypts the log group; its key policy must let
   * `logs.<region>.amazonaws.com` use it. @default none: CloudWatch Logs' own encryption
   */
  readonly kmsKeyArn?: string;
}

/**
 * The AWS services the instances reach through Session Manager: with these three interface endpoints Session Manager
 * works from a tier with no route off the VPC (no NAT).
 */
export const SESSION_MANAGER_ENDPOINTS = ["ssm", "ssmmessages", "ec2messages"] as const;

/** Interface endpoints (AWS PrivateLink) of AWS services, reached from inside the VPC without a NAT. */
export interface InterfaceEndpointsProps {
  /** The services, by the last part of their endpoint name (`com.amazonaws.<region>.<service>`), e.g. `ssm`, `logs`, `kms`. */
  readonly services: readonly string[];
  /**
   * A private or isolated tier: each endpoint gets one network interface in each of its AZs.
   * @default the first isolated tier, else the first private one
   */
  readonly tier?: string;
}

/** A tiered multi-AZ VPC. */
export interface NetworkProps {
  /** Environment name: prefixes every Name tag. */
  readonly environment: string;
  /** AWS region, e.g. `ap-northeast-2`; every AZ must belong to it. */
  readonly region: string;
  /** The environment's availability zones, e.g. `["ap-northeast-2a", "ap-northeast-2b"]`. */
  readonly azs: readonly string[];
  /** The VPC's IPv4 CIDR block, /16 to /28. */
  readonly vpcCidr: string;
  /**
   * Subnet slots each auto-planned tier reserves, one per AZ letter (a = slot 0, b = slot 1, ...), so adding an
   * AZ later moves no existing subnet. A power of two: 1, 2, 4 or 8.
   * @default 4
   */
  readonly azSlots?: number;
  /**
   * More IPv4 blocks for the VPC: adding one (and tiers in it) only creates resources, where a larger `vpcCidr`
   * would replace the VPC. AWS allows 5 blocks per VPC by default (a quota you can raise).
   * @default none
   */
  readonly secondaryCidrBlocks?: readonly SecondaryCidrBlockProps[];
  /** The subnet tiers, in planning order: append new tiers at the end to keep existing subnets where they are. */
  readonly tiers: readonly SubnetTierProps[];
  /** Egress for private tiers. @default { mode: "single" } */
  readonly nat?: NatProps;
  /** VPC flow logs. @default disabled */
  readonly flowLogs?: FlowLogsProps;
  /** Add an S3 gateway endpoint to the private and isolated route tables (free; saves NAT traffic). @default false */
  readonly s3GatewayEndpoint?: boolean;
  /**
   * Interface endpoints of AWS services (private DNS on, HTTPS from the VPC only); `ssm`, `ssmmessages` and
   * `ec2messages` let Session Manager work without a NAT. More can be added with `addInterfaceEndpoint`. @default none
   */
  readonly interfaceEndpoints?: InterfaceEndpointsProps;
  /**
   * Dual-stack: an Amazon-provided /56 for the VPC, a /64 per subnet, `::/0` from public tiers to the Internet
   * Gateway and from private tiers to an egress-only Internet Gateway (isolated tiers get none). Turning it on for a
   * network that exists updates the VPC and subnets in place and creates the rest.
   * @default false
   */
  readonly ipv6?: boolean;
  /** Allow a VPC CIDR outside RFC 1918 (10/8, 172.16/12, 192.168/16). @default false */
  readonly acknowledgeNonRfc1918VpcCidr?: boolean;
  /**
   * The plan of these props from `planNetwork` (or an environment's resolution), when already made: the network then
   * builds it as it is instead of planning again.
   * @default planned from the props here
   */
  readonly plan?: NetworkPlan;
}

/** Which traffic flow logs record. */
export const FLOW_LOG_TRAFFIC_TYPES = ["ALL", "ACCEPT", "REJECT"] as const;
/** One of `FLOW_LOG_TRAFFIC_TYPES`: which traffic flow logs record. */
export type FlowLogTrafficType = (typeof FLOW_LOG_TRAFFIC_TYPES)[number];

/** A subnet's IPv6 block is a /64 of the VPC's Amazon-provided /56: 8 bits, 256 subnets. */
export const IPV6_SUBNET_BITS = 8;

/** The network's defaults: what `Network` and the config use for every field left out. */
export const NETWORK_DEFAULTS = {
  ipv6: false,
  azSlots: 4,
  natMode: "single" as NatMode,
  natInstanceType: "t3.nano",
  flowLogRetentionDays: 30,
  flowLogTrafficType: "ALL" as FlowLogTrafficType,
};

/** Retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** A subnet as the constructs standing on a network read it: where it is, what it is, and its ids. */
export interface INetworkSubnet {
  /** The tier the subnet belongs to. */
  readonly tier: string;
  /** How the subnet reaches the internet: the bastion with SSH needs `public`, servers `private` or `isolated`. */
  readonly type: SubnetType;
  /** The subnet's availability zone. */
  readonly az: string;
  /** The subnet's IPv4 block. */
  readonly cidr: string;
  /** The subnet's id (`subnet-...`, or a reference to a subnet this stack makes). */
  readonly subnetId: string;
  /** The id of the route table the subnet is associated with: add routes to it, such as a transit gateway's. */
  readonly routeTableId: string;
}

/**
 * A VPC split into tiers of subnets, as the bastion, the servers and their security groups read it: implemented by a
 * `Network` this stack builds and by one imported with `Network.fromExisting`.
 */
export interface INetwork {
  /** Environment name: prefixes every Name tag of what is built on the network. */
  readonly environment: string;
  /** The AWS region the network is in. */
  readonly region: string;
  /** The VPC's id. */
  readonly vpcId: string;
  /** The VPC's primary IPv4 block. */
  readonly vpcCidr: string;
  /** The VPC's secondary IPv4 blocks, if any. */
  readonly secondaryVpcCidrs: readonly string[];
  /** Every subnet, tier by tier. */
  readonly subnets: readonly INetworkSubnet[];
  /**
   * Whether the VPC is dual-stack: the groups made on it then twin each egress rule to all of IPv4 with one to `::/0`.
   * @default false
   */
  readonly ipv6?: boolean;
}

/** One subnet of an existing VPC's tier: its AZ and ids, as the console or `terraform output` shows them. */
export interface ExistingSubnetAttributes {
  /** The subnet's availability zone, one of the region's, listed once per tier. */
  readonly az: string;
  /** The subnet's id, `subnet-` and 8 or 17 hex digits. */
  readonly subnetId: string;
  /** The subnet's IPv4 block, inside one of the VPC's blocks. */
  readonly cidr: string;
  /** The id of the route table the subnet is associated with, `rtb-` and 8 or 17 hex digits. */
  readonly routeTableId: string;
}

/** One tier of an existing VPC: subnets of the same kind, one per AZ. */
export interface ExistingTierAttributes {
  /** Tier name, as the constructs' `tier` props name it: lowercase letters, digits and dashes. */
  readonly name: string;
  /** How the tier's subnets reach the internet (their route tables'): taken as given, nothing is looked up. */
  readonly type: SubnetType;
  /** The tier's subnets, one per AZ. */
  readonly subnets: readonly ExistingSubnetAttributes[];
}

/** An existing VPC, given by ids: nothing is created and nothing is looked up, so a stack on it plans offline. */
export interface ExistingNetworkAttributes {
  /** Environment name: prefixes every Name tag of what is built on the network. */
  readonly environment: string;
  /** The AWS region the VPC is in, e.g. `eu-west-1`; every AZ must belong to it. */
  readonly region: string;
  /** The VPC's id, `vpc-` and 8 or 17 hex digits. */
  readonly vpcId: string;
  /** The VPC's primary IPv4 block. */
  readonly vpcCidr: string;
  /**
   * The VPC's secondary IPv4 blocks, where some subnets are.
   * @default none
   */
  readonly secondaryVpcCidrs?: readonly string[];
  /** The VPC's subnets, by tier. */
  readonly tiers: readonly ExistingTierAttributes[];
  /**
   * Whether the VPC is dual-stack (an IPv6 block, routes to `::/0`): egress to all of IPv4 then gets an IPv6 twin.
   * @default false
   */
  readonly ipv6?: boolean;
}
