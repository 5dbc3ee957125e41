import { Construct } from "constructs";
import { ConfigError } from "../core/problems";
import { existingNetworkProblems } from "./existing-attributes";
import { NetworkBase } from "./network-base";
import { ExistingNetworkAttributes, INetworkSubnet } from "./types";

/**
 * A VPC made elsewhere (the console, terraform-aws-modules/vpc, another stack), given by ids: creates no resource
 * and reads no data source, so a stack on it synthesizes and plans offline. Made by `Network.fromExisting`.
 */
export class ExistingNetwork extends NetworkBase {
  readonly environment: string;
  readonly region: string;
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly secondaryVpcCidrs: readonly string[];
  readonly subnets: readonly INetworkSubnet[];
  readonly ipv6: boolean;

  constructor(scope: Construct, id: string, attrs: ExistingNetworkAttributes) {
    super(scope, id);
    const problems = existingNetworkProblems(attrs);
    if (problems.length > 0)
      throw new ConfigError(
        problems.map((p) => ({ environment: attrs.environment, ...p })),
        `existing network "${id}"`,
      );
    this.environment = attrs.environment;
    this.region = attrs.region;
    this.vpcId = attrs.vpcId;
    this.vpcCidr = attrs.vpcCidr;
    this.secondaryVpcCidrs = [...(attrs.secondaryVpcCidrs ?? [])];
    this.ipv6 = attrs.ipv6 ?? false;
    this.subnets = attrs.tiers.flatMap((tier) =>
      tier.subnets.map((s) => ({
        tier: tier.name,
        type: tier.type,
        az: s.az,
        cidr: s.cidr,
        subnetId: s.subnetId,
        routeTableId: s.routeTableId,
      })),
    );
  }
}
