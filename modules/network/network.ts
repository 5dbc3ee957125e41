import { Construct } from "constructs";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { VpcIpv4CidrBlockAssociation } from "@cdktf/provider-aws/lib/vpc-ipv4-cidr-block-association";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { DefaultRouteTable } from "@cdktf/provider-aws/lib/default-route-table";
import { DefaultNetworkAcl } from "@cdktf/provider-aws/lib/default-network-acl";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcEndpointRouteTableAssociation } from "@cdktf/provider-aws/lib/vpc-endpoint-route-table-association";
import { ConfigError } from "../core/problems";
import { FlowLogs } from "./flow-logs";
import { NatTarget, natProvider } from "./nat";
import { planNetwork } from "./plan";
import { ExistingNetwork } from "./existing-network";
import { NetworkBase } from "./network-base";
import { ExistingNetworkAttributes, INetworkSubnet, NETWORK_DEFAULTS, NetworkPlan, NetworkProps } from "./types";

const ANYWHERE = "0.0.0.0/0";

/**
 * A subnet the network made, with what it was planned from. Its route table is shared by its tier when the tier is
 * public or isolated, and its own (for its AZ's NAT) when private.
 */
export interface NetworkSubnet extends INetworkSubnet {
  readonly resource: Subnet;
}

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
  /** The secondary IPv4 blocks of the VPC, by name (`secondaryCidrBlocks`). */
  readonly cidrBlocks: Readonly<Record<string, VpcIpv4CidrBlockAssociation>>;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.environment = props.environment;
    this.region = props.region;
    this.plan = props.plan ?? planOrThrow(props, id);
    const plan = this.plan;
    const name = (...parts: string[]) => ({ Name: [props.environment, ...parts].join("-") });

    this.vpc = new Vpc(this, "Vpc", {
      cidrBlock: props.vpcCidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
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
    new DefaultNetworkAcl(this, "DefaultNetworkAcl", {
      defaultNetworkAclId: this.vpc.defaultNetworkAclId,
      // AWS's own default rules, kept: security groups do the filtering; an empty list here would cut all traffic.
      ingress: [allowAll],
      egress: [allowAll],
      tags: name("default-nacl"),
      // Every subnet without its own NACL is associated with this one; Terraform must not fight over that list.
      lifecycle: { ignoreChanges: ["subnet_ids"] },
    });

    const hasPublic = plan.subnets.some((s) => s.type === "public");
    if (hasPublic) {
      this.internetGateway = new InternetGateway(this, "InternetGateway", { vpcId: this.vpc.id, tags: name("igw") });
    }

    // Each subnet's route table is made below, after the NATs its routes need; the subnet reads it from here.
    const tableOfSubnet = new Map<string, RouteTable>();
    this.subnets = plan.subnets.map((s) => {
      const resource = new Subnet(this, `Subnet-${s.tier}-${s.az}`, {
        vpcId: this.vpc.id,
        cidrBlock: s.cidr,
        availabilityZone: s.az,
        mapPublicIpOnLaunch: false,
        tags: { ...name(s.tier, s.az), Tier: s.tier, SubnetType: s.type },
        ...(blockOfTier.has(s.tier) ? { dependsOn: [blockOfTier.get(s.tier) as VpcIpv4CidrBlockAssociation] } : {}),
      });
      return {
        ...s,
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
        }
        tableOfSubnet.set(`${subnet.tier}/${subnet.az}`, table);
        new RouteTableAssociation(this, `RouteTableAssociation-${subnet.tier}-${subnet.az}`, {
          subnetId: subnet.subnetId,
          routeTableId: table.id,
        });
      }
    }

    if (props.s3GatewayEndpoint === true) {
      const endpoint = new VpcEndpoint(this, "S3GatewayEndpoint", {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${props.region}.s3`,
        vpcEndpointType: "Gateway",
        tags: name("s3-endpoint"),
      });
      // One association per table, so adding an AZ adds a resource instead of editing the endpoint.
      for (const { key, table } of isolatedOrPrivateTables) {
        new VpcEndpointRouteTableAssociation(this, `S3GatewayEndpoint-${key}`, {
          vpcEndpointId: endpoint.id,
          routeTableId: table.id,
        });
      }
    }

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
