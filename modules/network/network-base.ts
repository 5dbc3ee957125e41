import { Construct } from "constructs";
import { subnetIn, tierSubnets } from "./subnets";
import type { INetwork, INetworkSubnet } from "./types";

/** What a built and an imported network share: the subnet look-ups by tier and AZ over `subnets`. */
export abstract class NetworkBase<S extends INetworkSubnet = INetworkSubnet> extends Construct implements INetwork {
  /** Environment name: prefixes every Name tag of what is built on the network. */
  abstract readonly environment: string;
  /** The AWS region the network is in. */
  abstract readonly region: string;
  /** The VPC's id. */
  abstract readonly vpcId: string;
  /** The VPC's primary IPv4 block. */
  abstract readonly vpcCidr: string;
  /** The VPC's secondary IPv4 blocks, if any. */
  abstract readonly secondaryVpcCidrs: readonly string[];
  /** Every subnet, tier by tier. */
  abstract readonly subnets: readonly S[];

  /** The subnets of one tier, in the network's AZ order. */
  tierSubnets(tier: string): S[] {
    return tierSubnets(this, tier);
  }

  /** The subnet of `tier` in `az`. */
  subnet(tier: string, az: string): S {
    return subnetIn(this, tier, az);
  }
}
