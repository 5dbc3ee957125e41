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
import { Port } from "../core/port";
import { Peer, RoleSecurityGroup } from "../security/security-group";
import { FlowLogs } from "./flow-logs";
import { NatTarget, natProvider } from "./nat";
import { defaultInterfaceEndpointTier, planNetwork } from "./plan";
import { NETWORK_DEFAULTS, NetworkPlan, NetworkProps, SESSION_MANAGER_ENDPOINTS, SubnetType } from "./types";

const ANYWHERE = "0.0.0.0/0";

/** A subnet the network made, with what it was planned from. */
export interface NetworkSubnet {
  readonly tier: string;
  readonly type: SubnetType;
  readonly az: string;
  readonly cidr: string;
  readonly resource: Subnet;
  /** The id of the subnet's route table (shared by a public or isolated tier, one per AZ in a private tier): add routes to it, such as a transit gateway's. */
  readonly routeTableId: string;
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
export class Network extends Construct {
  /** Environment name: prefixes every Name tag, here and in what is built on the network. */
  readonly environment: string;
  /** The AWS region the network is in. */
  readonly region: string;
  readonly vpc: Vpc;
  readonly plan: NetworkPlan;
  readonly subnets: readonly NetworkSubnet[];
  /** Public IPs of the NATs (gateway EIPs, or the NAT instance's EIP), keyed by AZ. */
  readonly natPublicIps: Readonly<Record<string, string>>;
  readonly internetGateway?: InternetGateway;
  /** The S3 gateway endpoint (`s3GatewayEndpoint`); its `prefixListId` is S3's addresses, for egress rules. */
  readonly s3GatewayEndpoint?: VpcEndpoint;
  /** The secondary IPv4 blocks of the VPC, by name (`secondaryCidrBlocks`). */
  readonly cidrBlocks: Readonly<Record<string, VpcIpv4CidrBlockAssociation>>;
  private readonly props: NetworkProps;
  private readonly endpoints = new Map<string, VpcEndpoint>();
  private endpointGroup?: RoleSecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.environment = props.environment;
    this.region = props.region;
    this.props = props;
    this.plan = props.plan ?? planOrThrow(props, id);
    const plan = this.plan;
    const name = (...parts: string[]) => ({ Name: [props.environment, ...parts].join("-") });

    this.vpc = new Vpc(this, "Vpc", {
      cidrBlock: props.vpcCidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: name("vpc"),
    });
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
    this.subnets = plan.subnets.map((s) => ({
      ...s,
      resource: new Subnet(this, `Subnet-${s.tier}-${s.az}`, {
        vpcId: this.vpc.id,
        cidrBlock: s.cidr,
        availabilityZone: s.az,
        mapPublicIpOnLaunch: false,
        tags: { ...name(s.tier, s.az), Tier: s.tier, SubnetType: s.type },
        ...(blockOfTier.has(s.tier) ? { dependsOn: [blockOfTier.get(s.tier) as VpcIpv4CidrBlockAssociation] } : {}),
      }),
      get routeTableId(): string {
        return (tableOfSubnet.get(`${s.tier}/${s.az}`) as RouteTable).id;
      },
    }));

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
          subnetId: subnet.resource.id,
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
    return endpoint;
  }

  /** The interface endpoints, by service. */
  get interfaceEndpoints(): Readonly<Record<string, VpcEndpoint>> {
    return Object.fromEntries(this.endpoints);
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

  /** The subnets of one tier, in the environment's AZ order. */
  tierSubnets(tier: string): NetworkSubnet[] {
    const found = this.subnets.filter((s) => s.tier === tier);
    if (found.length === 0)
      throw new Error(
        `network has no tier "${tier}" (tiers: ${[...new Set(this.subnets.map((s) => s.tier))].join(", ")})`,
      );
    return found;
  }

  /** The subnet of `tier` in `az`. */
  subnet(tier: string, az: string): NetworkSubnet {
    const found = this.tierSubnets(tier).find((s) => s.az === az);
    if (found === undefined) throw new Error(`tier "${tier}" has no subnet in ${az}`);
    return found;
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

/** Used by the stack's outputs: `{ tier: { az: value } }`. */
export function byTierAndAz<T>(
  subnets: readonly NetworkSubnet[],
  pick: (s: NetworkSubnet) => T,
): Record<string, Record<string, T>> {
  const out: Record<string, Record<string, T>> = {};
  for (const s of subnets) (out[s.tier] ??= {})[s.az] = pick(s);
  return out;
}
