import { Construct } from "constructs";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { NatInstance } from "./nat-instance";
import { NETWORK_DEFAULTS, NatMode, NatProps, NetworkProps } from "./types";

/** What a private route table's default route points at, and the public address the egress leaves from. @internal */
export interface NatTarget {
  /** The route's target attribute: a NAT gateway id, or the NAT instance's network interface. */
  readonly route: { readonly natGatewayId?: string; readonly networkInterfaceId?: string };
  /** The NAT's public IP. */
  readonly publicIp: string;
}

/** Where one NAT goes: its AZ, the public subnet that hosts it, and the network it serves. @internal */
export interface NatPlacement {
  readonly az: string;
  readonly hostSubnet: { readonly resource: Subnet };
  readonly props: NetworkProps;
}

/** The network a NAT is made in: its scope, with the VPC and Internet Gateway the NAT needs. @internal */
export interface NatScope extends Construct {
  readonly vpc: { readonly id: string };
  readonly internetGateway?: InternetGateway;
}

/** One flavour of NAT: makes the NAT of one AZ in the network's scope (ids keyed by AZ, so adding an AZ adds one). @internal */
export interface NatProvider {
  create(network: NatScope, placement: NatPlacement): NatTarget;
}

/** A managed NAT gateway with its Elastic IP: highly available within its AZ. @internal */
export const NAT_GATEWAY: NatProvider = {
  create(network, { az, hostSubnet, props }) {
    const tags = { Name: `${props.environment}-nat-${az}` };
    const eip = new Eip(network, `NatEip-${az}`, { domain: "vpc", tags, dependsOn: [network.internetGateway!] });
    const gateway = new NatGateway(network, `NatGateway-${az}`, {
      allocationId: eip.allocationId,
      subnetId: hostSubnet.resource.id,
      tags,
      dependsOn: [network.internetGateway!],
    });
    return { route: { natGatewayId: gateway.id }, publicIp: eip.publicIp };
  },
};

/** A hardened NAT instance with its Elastic IP: the cheapest egress, not highly available. @internal */
export const NAT_INSTANCE: NatProvider = {
  create(network, { az, hostSubnet, props }) {
    const settings = props.nat?.instance;
    if (settings === undefined)
      throw new Error(`network of "${props.environment}": nat.mode "instance" needs nat.instance settings`);
    const nat = new NatInstance(network, `NatInstance-${az}`, {
      environment: props.environment,
      vpcId: network.vpc.id,
      vpcCidr: props.vpcCidr,
      subnetId: hostSubnet.resource.id,
      az,
      ami: settings.ami,
      instanceType: settings.instanceType ?? NETWORK_DEFAULTS.natInstanceType,
      detailedMonitoring: settings.detailedMonitoring,
    });
    return { route: { networkInterfaceId: nat.instance.primaryNetworkInterfaceId }, publicIp: nat.eip.publicIp };
  },
};

/** The provider each NAT mode uses (`none` plans no NAT, so it never makes one). */
const PROVIDERS: Readonly<Record<NatMode, NatProvider>> = {
  none: NAT_GATEWAY,
  single: NAT_GATEWAY,
  "per-az": NAT_GATEWAY,
  instance: NAT_INSTANCE,
};

/** The provider of a network's NAT settings. @internal */
export function natProvider(nat: NatProps | undefined): NatProvider {
  return PROVIDERS[nat?.mode ?? NETWORK_DEFAULTS.natMode];
}
