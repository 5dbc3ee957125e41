import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EnvironmentConfig } from "../config/environment";
import { byTierAndAz, Network } from "../network/network";

/** One environment: its AWS provider with the common tags, its network, and the outputs people use. */
export class EnvironmentStack extends TerraformStack {
  readonly network: Network;

  constructor(scope: Construct, id: string, readonly config: EnvironmentConfig) {
    super(scope, id);
    new AwsProvider(this, "aws", {
      region: config.region,
      defaultTags: [{ tags: { Environment: config.name, ManagedBy: "cdktf", ...config.tags } }],
    });
    this.network = new Network(this, "network", { ...config, environment: config.name });

    new TerraformOutput(this, "vpc_id", { value: this.network.vpc.id, description: "VPC id" });
    new TerraformOutput(this, "vpc_cidr", { value: this.network.vpc.cidrBlock, description: "VPC IPv4 CIDR block" });
    new TerraformOutput(this, "subnet_ids", {
      value: byTierAndAz(this.network.subnets, (s) => s.resource.id),
      description: "Subnet ids by tier and AZ",
    });
    new TerraformOutput(this, "subnet_cidrs", {
      value: byTierAndAz(this.network.subnets, (s) => s.cidr),
      description: "Subnet CIDR blocks by tier and AZ",
    });
    new TerraformOutput(this, "nat_public_ips", {
      value: this.network.natPublicIps,
      description: "Public IPs the private tiers' egress leaves from, by AZ",
    });
  }
}
