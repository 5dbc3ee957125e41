import { Construct } from "constructs";
import { TerraformBackend, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EnvironmentConfig } from "../config/environment";
import { byTierAndAz, Network } from "../network/network";
import { applyStateBackend } from "../state/backend";
import { STATE_DEFAULTS } from "../state/types";

/**
 * One environment: its state backend (key `<environment>/environment.tfstate` by default), its AWS provider with the
 * common tags, its network, and the outputs people use.
 */
export class EnvironmentStack extends TerraformStack {
  readonly network: Network;
  /** The backend from the config's `backend`; undefined means cdktf's local default. */
  readonly backend?: TerraformBackend;

  constructor(scope: Construct, id: string, readonly config: EnvironmentConfig) {
    super(scope, id);
    this.backend = applyStateBackend(this, config.backend, { environment: config.name, stack: STATE_DEFAULTS.environmentStack });
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
