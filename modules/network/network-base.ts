import { Construct } from "constructs";
import { subnetIn, tierSubnets } from "./subnets";
import type { INetwork, INetworkSubnet } from "./types";

/** What a built and an imported network share: the subnet look-ups by tier and AZ over `subnets`. */
export abstract class NetworkBase<S extends INetworkSubnet = INetworkSubnet> extends Construct implements INetwork {
  abstract readonly environment: string;
  abstract readonly region: string;
  abstract readonly vpcId: string;
  abstract readonly vpcCidr: string;
  abstract readonly secondaryVpcCidrs: readonly string[];
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
