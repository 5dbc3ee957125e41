import { Construct } from "constructs";
import { Fn } from "cdktf";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { VpcIpv4CidrBlockAssociation } from "@cdktf/provider-aws/lib/vpc-ipv4-cidr-block-association";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { EgressOnlyInternetGateway } from "@cdktf/provider-aws/lib/egress-only-internet-gateway";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { DefaultRouteTable } from "@cdktf/provider-aws/lib/default-route-table";
import { DefaultNetworkAcl } from "@cdktf/provider-aws/lib/default-network-acl";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcEndpointRouteTableAssociation } from "@cdktf/provider-aws/lib/vpc-endpoint-route-table-association";
import { NetworkAcl } from "@cdktf/provider-aws/lib/network-acl";
import { NetworkAclAssociation } from "@cdktf/provider-aws/lib/network-acl-association";
import { ConfigError } from "../core/problems";
import { Port } from "../core/port";
import { Peer, RoleSecurityGroup } from "../security/security-group";
import { FlowLogs } from "./flow-logs";
import { NatTarget, natProvider } from "./nat";
import { defaultInterfaceEndpointTier, planNetwork } from "./plan";
import { ExistingNetwork } from "./existing-network";
import { NetworkBase } from "./network-base";
import { NetworkAclEntry, NetworkFlow, planNetworkAcls, TierNetworkAcl } from "./network-acl-plan";
import {
  ExistingNetworkAttributes,
  INetworkSubnet,
  IPV6_SUBNET_BITS,
  NETWORK_DEFAULTS,
  NetworkPlan,
  NetworkProps,
  SESSION_MANAGER_ENDPOINTS,
} from "./types";

const ANYWHERE = "0.0.0.0/0";
const ANYWHERE_IPV6 = "::/0";

/**
 * A subnet the network made, with what it was planned from. Its route table is shared by its tier when the tier is
 * public or isolated, and its own (for its AZ's NAT) when private.
 */
export interface NetworkSubnet extends INetworkSubnet {
  /** With `ipv6`, the subnet's /64 (known after apply: a token), else undefined. */
  readonly ipv6Cidr?: string;
  readonly resource: Subnet;
}

/** Where `addInterfaceEndpoint` puts an endpoint. */
export interface InterfaceEndpointOptions {
  /**
   * A private or isolated tier: the endpoint gets one network interface in each of its AZs.
   * @default the tier of the network's `interfaceEndpoints`, else its first isolated tier, else its first private one
   */
  readonly tier?: string;
}

/** The security group every interface endpoint shares: HTTPS from the VPC's own blocks, nothing else. */
export const INTERFACE_ENDPOINT_GROUP_DESCRIPTION = "Interface endpoints of AWS services: HTTPS from the VPC only";

/**
 * A VPC split into tiers of subnets, one subnet per tier per AZ, with the routes, NATs and hardening of the default
 * security group, route table and network ACL. Every resource's id is keyed by tier and AZ name, so adding or removing
 * an AZ or a tier leaves every other resource as it was.
 */
export class Network extends NetworkBase<NetworkSubnet> {
  /**
   * A VPC made elsewhere, given by ids, for the bastion and servers to stand on: nothing is created or looked up (so
   * it plans offline), and every attribute is checked first, all problems reported at once in a `ConfigError`.
   */
  static fromExisting(scope: Construct, id: string, attrs: ExistingNetworkAttributes): NetworkBase {
    return new ExistingNetwork(scope, id, attrs);
  }

  /** Environment name: prefixes every Name tag, here and in what is built on the network. */
  readonly environment: string;
  /** The AWS region the network is in. */
  readonly region: string;
  readonly vpc: Vpc;
  /** The VPC's id (a reference to `vpc`). */
  readonly vpcId: string;
  /** The VPC's primary IPv4 block, as given (`vpcCidr`). */
  readonly vpcCidr: string;
  /** The VPC's secondary IPv4 blocks, as given (`secondaryCidrBlocks`). */
  readonly secondaryVpcCidrs: readonly string[];
  readonly plan: NetworkPlan;
  readonly subnets: readonly NetworkSubnet[];
  /** Public IPs of the NATs (gateway EIPs, or the NAT instance's EIP), keyed by AZ. */
  readonly natPublicIps: Readonly<Record<string, string>>;
  readonly internetGateway?: InternetGateway;
  /** The S3 gateway endpoint (`s3GatewayEndpoint`); its `prefixListId` is S3's addresses, for egress rules. */
  readonly s3GatewayEndpoint?: VpcEndpoint;
  /** With `ipv6` and a private tier: the egress-only Internet Gateway the private tiers' `::/0` routes go to. */
  readonly egressOnlyInternetGateway?: EgressOnlyInternetGateway;
  /** Whether the network is dual-stack (`ipv6`). */
  readonly ipv6: boolean;
  /** The secondary IPv4 blocks of the VPC, by name (`secondaryCidrBlocks`). */
  readonly cidrBlocks: Readonly<Record<string, VpcIpv4CidrBlockAssociation>>;
  /** The network ACL of each tier with `networkAcl: true`, by tier, once `addNetworkAcls` made them. */
  readonly networkAcls: Record<string, NetworkAcl> = {};
  private readonly props: NetworkProps;
  private readonly endpoints = new Map<string, VpcEndpoint>();
  private readonly endpointTiers = new Set<string>();
  private endpointGroup?: RoleSecurityGroup;
  private aclsPlanned?: readonly TierNetworkAcl[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.props = props;
    this.environment = props.environment;
    this.region = props.region;
    this.plan = props.plan ?? planOrThrow(props, id);
    const plan = this.plan;
    const name = (...parts: string[]) => ({ Name: [props.environment, ...parts].join("-") });
    this.ipv6 = props.ipv6 ?? NETWORK_DEFAULTS.ipv6;

    this.vpc = new Vpc(this, "Vpc", {
      cidrBlock: props.vpcCidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      // Not ForceNew in the provider: turning IPv6 on associates a /56 with the VPC in place.
      ...(this.ipv6 ? { assignGeneratedIpv6CidrBlock: true } : {}),
      tags: name("vpc"),
    });
    this.vpcId = this.vpc.id;
    this.vpcCidr = props.vpcCidr;
    this.secondaryVpcCidrs = (props.secondaryCidrBlocks ?? []).map((b) => b.cidr);
    // Secondary blocks: keyed by name, so adding one only creates; a subnet in one waits for its association.
    this.cidrBlocks = Object.fromEntries(
      (props.secondaryCidrBlocks ?? []).map((b) => [
        b.name,
        new VpcIpv4CidrBlockAssociation(this, `VpcCidrBlock-${b.name}`, { vpcId: this.vpc.id, cidrBlock: b.cidr }),
      ]),
    );
    const blockOfTier = new Map(
      props.tiers.filter((t) => t.block !== undefined).map((t) => [t.name, this.cidrBlocks[t.block as string]]),
    );
    // Adopted so that nothing can use them by accident: the default SG loses all rules.
    new DefaultSecurityGroup(this, "DefaultSecurityGroup", { vpcId: this.vpc.id, tags: name("default-sg-unused") });
    new DefaultRouteTable(this, "DefaultRouteTable", {
      defaultRouteTableId: this.vpc.defaultRouteTableId,
      tags: name("default-rt-unused"),
    });
    const allowAll = { protocol: "-1", ruleNo: 100, action: "allow", cidrBlock: ANYWHERE, fromPort: 0, toPort: 0 };
    // AWS adds the IPv6 twin (rule 101) to a dual-stack VPC's default NACL; without it IPv6 would be cut.
    const allowAllIpv6 = {
      protocol: "-1",
      ruleNo: 101,
      action: "allow",
      ipv6CidrBlock: ANYWHERE_IPV6,
      fromPort: 0,
      toPort: 0,
    };
    const allow = this.ipv6 ? [allowAll, allowAllIpv6] : [allowAll];
    new DefaultNetworkAcl(this, "DefaultNetworkAcl", {
      defaultNetworkAclId: this.vpc.defaultNetworkAclId,
      // AWS's own default rules, kept: security groups do the filtering; an empty list here would cut all traffic.
      ingress: allow,
      egress: allow,
      tags: name("default-nacl"),
      // Every subnet without its own NACL is associated with this one; Terraform must not fight over that list.
      lifecycle: { ignoreChanges: ["subnet_ids"] },
    });

    const hasPublic = plan.subnets.some((s) => s.type === "public");
    if (hasPublic) {
      this.internetGateway = new InternetGateway(this, "InternetGateway", { vpcId: this.vpc.id, tags: name("igw") });
    }
    if (this.ipv6 && plan.subnets.some((s) => s.type === "private")) {
      // IPv6 has no NAT: private tiers leave through this gateway, which lets nothing in. It has no charge of its own.
      this.egressOnlyInternetGateway = new EgressOnlyInternetGateway(this, "EgressOnlyInternetGateway", {
        vpcId: this.vpc.id,
        tags: name("eigw"),
      });
    }

    // Each subnet's route table is made below, after the NATs its routes need; the subnet reads it from here.
    const tableOfSubnet = new Map<string, RouteTable>();
    const assignIpv6 = new Set(props.tiers.filter((t) => t.assignIpv6AddressOnCreation === true).map((t) => t.name));
    this.subnets = plan.subnets.map((s) => {
      // The /56 is known only after apply; the /64's index is planned (planNetwork), so it never moves.
      const ipv6Cidr =
        s.ipv6Index === undefined ? undefined : Fn.cidrsubnet(this.vpc.ipv6CidrBlock, IPV6_SUBNET_BITS, s.ipv6Index);
      const resource = new Subnet(this, `Subnet-${s.tier}-${s.az}`, {
        vpcId: this.vpc.id,
        cidrBlock: s.cidr,
        availabilityZone: s.az,
        mapPublicIpOnLaunch: false,
        // Neither is ForceNew in the provider: both update the subnet in place.
        ...(ipv6Cidr === undefined
          ? {}
          : { ipv6CidrBlock: ipv6Cidr, assignIpv6AddressOnCreation: assignIpv6.has(s.tier) }),
        tags: { ...name(s.tier, s.az), Tier: s.tier, SubnetType: s.type },
        ...(blockOfTier.has(s.tier) ? { dependsOn: [blockOfTier.get(s.tier) as VpcIpv4CidrBlockAssociation] } : {}),
      });
      return {
        ...s,
        ipv6Cidr,
        resource,
        subnetId: resource.id,
        get routeTableId(): string {
          return (tableOfSubnet.get(`${s.tier}/${s.az}`) as RouteTable).id;
        },
      };
    });

    const natTargets = this.createNats(props);
    this.natPublicIps = Object.fromEntries(Object.entries(natTargets).map(([az, t]) => [az, t.publicIp]));

    const isolatedOrPrivateTables: Array<{ key: string; table: RouteTable }> = [];
    for (const tier of props.tiers) {
      const tierSubnets = this.subnets.filter((s) => s.tier === tier.name);
      // Public and isolated tiers share one table per tier; private tiers need one per AZ for their own NAT.
      const perAz = tier.type === "private";
      const tables = new Map<string, RouteTable>();
      for (const subnet of tierSubnets) {
        const key = perAz ? `${tier.name}-${subnet.az}` : tier.name;
        let table = tables.get(key);
        if (table === undefined) {
          table = new RouteTable(this, `RouteTable-${key}`, { vpcId: this.vpc.id, tags: name(key) });
          tables.set(key, table);
          if (tier.type !== "public") isolatedOrPrivateTables.push({ key, table });
          if (tier.type === "public") {
            new Route(this, `DefaultRoute-${key}`, {
              routeTableId: table.id,
              destinationCidrBlock: ANYWHERE,
              gatewayId: this.internetGateway?.id,
            });
          } else if (tier.type === "private") {
            new Route(this, `DefaultRoute-${key}`, {
              routeTableId: table.id,
              destinationCidrBlock: ANYWHERE,
              ...natTargets[plan.natAzFor[subnet.az]].route,
            });
          }
          if (this.ipv6 && tier.type !== "isolated") {
            new Route(this, `DefaultRouteIpv6-${key}`, {
              routeTableId: table.id,
              destinationIpv6CidrBlock: ANYWHERE_IPV6,
              ...(tier.type === "public"
                ? { gatewayId: this.internetGateway?.id }
                : { egressOnlyGatewayId: this.egressOnlyInternetGateway?.id }),
            });
          }
        }
        tableOfSubnet.set(`${subnet.tier}/${subnet.az}`, table);
        new RouteTableAssociation(this, `RouteTableAssociation-${subnet.tier}-${subnet.az}`, {
          subnetId: subnet.subnetId,
          routeTableId: table.id,
        });
      }
    }

    if (props.s3GatewayEndpoint === true) {
      const endpoint = (this.s3GatewayEndpoint = new VpcEndpoint(this, "S3GatewayEndpoint", {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${props.region}.s3`,
        vpcEndpointType: "Gateway",
        tags: name("s3-endpoint"),
      }));
      // One association per table, so adding an AZ adds a resource instead of editing the endpoint.
      for (const { key, table } of isolatedOrPrivateTables) {
        new VpcEndpointRouteTableAssociation(this, `S3GatewayEndpoint-${key}`, {
          vpcEndpointId: endpoint.id,
          routeTableId: table.id,
        });
      }
    }

    for (const service of props.interfaceEndpoints?.services ?? []) this.addInterfaceEndpoint(service);
    const aclTiers = props.tiers.filter((t) => t.networkAcl === true).map((t) => t.name);
    if (aclTiers.length > 0)
      this.node.addValidation({
        validate: () =>
          this.aclsPlanned !== undefined
            ? []
            : [
                `tiers ${aclTiers.join(", ")} have networkAcl: true, but nothing said which flows their ACLs admit: ` +
                  `call addNetworkAcls with the flows of the security groups (securityGroupFlows)`,
              ],
      });

    if (props.flowLogs?.enabled === true) {
      new FlowLogs(this, "FlowLogs", {
        environment: props.environment,
        vpcId: this.vpc.id,
        retentionDays: props.flowLogs.retentionDays ?? NETWORK_DEFAULTS.flowLogRetentionDays,
        trafficType: props.flowLogs.trafficType ?? NETWORK_DEFAULTS.flowLogTrafficType,
        kmsKeyArn: props.flowLogs.kmsKeyArn,
      });
    }
  }

  /**
   * An interface endpoint (AWS PrivateLink) of an AWS service, e.g. `ssm` for `com.amazonaws.<region>.ssm`: one
   * network interface in each AZ of a private or isolated tier, private DNS on (the service's usual name resolves to
   * it inside the VPC), and the shared endpoint security group, which admits HTTPS from the VPC's blocks only. Its id
   * is keyed by the service, so adding one only creates.
   */
  addInterfaceEndpoint(service: string, options: InterfaceEndpointOptions = {}): VpcEndpoint {
    if (this.endpoints.has(service)) throw new Error(`network "${this.node.id}" already has an endpoint of ${service}`);
    const tier =
      options.tier ?? this.plan.interfaceEndpointTier ?? defaultInterfaceEndpointTier(this.props.tiers) ?? "";
    const subnets = this.tierSubnets(tier);
    if (subnets[0].type === "public")
      throw new Error(`interface endpoint ${service}: tier "${tier}" is public; give a private or isolated tier`);
    const endpoint = new VpcEndpoint(this, `InterfaceEndpoint-${idSafeService(service)}`, {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${this.region}.${service}`,
      vpcEndpointType: "Interface",
      // One network interface per AZ; adding an AZ to the tier updates the endpoint in place.
      subnetIds: subnets.map((s) => s.resource.id),
      securityGroupIds: [this.interfaceEndpointSecurityGroup.id],
      privateDnsEnabled: true,
      tags: { Name: `${this.environment}-${service}-endpoint` },
    });
    this.endpoints.set(service, endpoint);
    this.endpointTiers.add(tier);
    return endpoint;
  }

  /** The interface endpoints, by service. */
  get interfaceEndpoints(): Readonly<Record<string, VpcEndpoint>> {
    return Object.fromEntries(this.endpoints);
  }

  /** The tiers the interface endpoints' network interfaces are in (in every AZ of each). */
  get interfaceEndpointTiers(): readonly string[] {
    return [...this.endpointTiers];
  }

  /** Whether Session Manager's three endpoints (`ssm`, `ssmmessages`, `ec2messages`) are here: it then needs no NAT. */
  get hasSessionManagerEndpoints(): boolean {
    return SESSION_MANAGER_ENDPOINTS.every((service) => this.endpoints.has(service));
  }

  /** The security group of the interface endpoints (made with the first one): HTTPS from the VPC's blocks only. */
  get interfaceEndpointSecurityGroup(): RoleSecurityGroup {
    if (this.endpointGroup === undefined) {
      const group = new RoleSecurityGroup(this, "InterfaceEndpointSecurityGroup", {
        environment: this.environment,
        role: "endpoints",
        vpcId: this.vpc.id,
        description: INTERFACE_ENDPOINT_GROUP_DESCRIPTION,
      });
      const blocks = [
        { name: "vpc", cidr: this.props.vpcCidr },
        ...(this.props.secondaryCidrBlocks ?? []).map((b) => ({ name: `vpc-${b.name}`, cidr: b.cidr })),
      ];
      for (const block of blocks)
        group.allowFrom(Peer.ipv4(block.cidr, block.name), Port.tcp(443), `HTTPS to AWS services from ${block.cidr}`);
      this.endpointGroup = group;
    }
    return this.endpointGroup;
  }

  /**
   * Makes the network ACL of every tier with `networkAcl: true`, admitting exactly `flows` (what the security groups
   * allow, placed on tiers: `securityGroupFlows`) and their replies, and associates it with the tier's subnets; the
   * other subnets keep the VPC's default ACL. Called once, after every connection is made. The rules are the ACL's
   * inline `ingress`/`egress`: Terraform owns the whole list, so a rule added by hand is removed at the next apply and
   * a change of flows updates the ACL in place. Returns the ACLs' plan.
   */
  addNetworkAcls(flows: readonly NetworkFlow[]): readonly TierNetworkAcl[] {
    if (this.aclsPlanned !== undefined) throw new Error(`network "${this.node.id}": addNetworkAcls is called once`);
    const { acls, problems } = planNetworkAcls({
      tiers: this.props.tiers,
      plan: this.plan,
      vpcCidrs: [this.props.vpcCidr, ...(this.props.secondaryCidrBlocks ?? []).map((b) => b.cidr)],
      flows,
    });
    if (problems.length > 0)
      throw new ConfigError(
        problems.map((p) => ({ environment: this.environment, ...p })),
        `network "${this.node.id}"`,
      );
    for (const acl of acls) {
      const resource = new NetworkAcl(this, `NetworkAcl-${acl.tier}`, {
        vpcId: this.vpc.id,
        ingress: acl.inbound.map(aclRule),
        egress: acl.outbound.map(aclRule),
        tags: { Name: `${this.environment}-${acl.tier}-nacl`, Tier: acl.tier },
      });
      this.networkAcls[acl.tier] = resource;
      // One association per subnet, keyed by AZ: adding an AZ adds one; it moves the subnet off the default ACL.
      for (const subnet of this.tierSubnets(acl.tier))
        new NetworkAclAssociation(this, `NetworkAclAssociation-${subnet.tier}-${subnet.az}`, {
          networkAclId: resource.id,
          subnetId: subnet.resource.id,
        });
    }
    this.aclsPlanned = acls;
    return acls;
  }

  /** Makes the NATs of the plan, with the provider of the NAT mode; returns what each NAT AZ's private routes use. */
  private createNats(props: NetworkProps): Record<string, NatTarget> {
    const provider = natProvider(props.nat);
    return Object.fromEntries(
      this.plan.natAzs.map((az) => [
        az,
        provider.create(this, { az, hostSubnet: this.subnet(this.plan.natTierIn[az], az), props }),
      ]),
    );
  }
}

function planOrThrow(props: NetworkProps, id: string): NetworkPlan {
  const { plan, problems } = planNetwork(props);
  if (problems.length > 0)
    throw new ConfigError(
      problems.map((p) => ({ environment: props.environment, ...p })),
      `network "${id}"`,
    );
  return plan;
}

/** `ecr-api` for `ecr.api`: a service name as construct ids take it. */
function idSafeService(service: string): string {
  return service.replace(/[^A-Za-z0-9-]/g, "-");
}

/** An entry of the plan as the inline rule of `aws_network_acl`. */
function aclRule(entry: NetworkAclEntry) {
  return {
    ruleNo: entry.ruleNumber,
    action: "allow",
    protocol: entry.protocol,
    cidrBlock: entry.cidr,
    fromPort: entry.fromPort,
    toPort: entry.toPort,
    ...(entry.icmp === undefined ? {} : { icmpType: entry.icmp.type, icmpCode: entry.icmp.code }),
  };
}
