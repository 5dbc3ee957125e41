import { TerraformOutput, TerraformStack } from "cdktf";
import { Network } from "../network/network";
import { byTierAndAz } from "../network/subnets";
import { Bastion } from "../bastion/bastion";
import { renderInstanceConnectConfig, renderSshConfig, renderSsmCommands } from "../bastion/ssh-config";
import type { InstanceConnectDoor } from "../bastion/instance-connect";
import { dbHardeningScript, DbServer, Server } from "../servers/servers";
import type { LoadBalancer } from "../loadbalancer/load-balancer";

/** The network's outputs: VPC id and CIDR, subnets by tier and AZ, the NATs' public IPs; the IPv6 blocks when dual-stack. */
export function addNetworkOutputs(stack: TerraformStack, network: Network): void {
  new TerraformOutput(stack, "vpc_id", { value: network.vpc.id, description: "VPC id" });
  new TerraformOutput(stack, "vpc_cidr", { value: network.vpc.cidrBlock, description: "VPC IPv4 CIDR block" });
  new TerraformOutput(stack, "subnet_ids", {
    value: byTierAndAz(network.subnets, (s) => s.subnetId),
    description: "Subnet ids by tier and AZ",
  });
  new TerraformOutput(stack, "subnet_cidrs", {
    value: byTierAndAz(network.subnets, (s) => s.cidr),
    description: "Subnet CIDR blocks by tier and AZ",
  });
  new TerraformOutput(stack, "nat_public_ips", {
    value: network.natPublicIps,
    description: "Public IPs the private tiers' egress leaves from, by AZ",
  });
  if (network.ipv6) {
    new TerraformOutput(stack, "vpc_ipv6_cidr", {
      value: network.vpc.ipv6CidrBlock,
      description: "The VPC's Amazon-provided IPv6 /56",
    });
    new TerraformOutput(stack, "subnet_ipv6_cidrs", {
      value: byTierAndAz(network.subnets, (s) => s.ipv6Cidr),
      description: "Subnet IPv6 /64 blocks by tier and AZ",
    });
  }
}

/**
 * How people get in: the bastion's address, every private IP, and a ready `ssh_config` (or Session Manager commands, or
 * the Instance Connect commands).
 */
export interface AccessOutputs {
  /** The bastion, when it is the door. @default none */
  readonly bastion?: Bastion;
  /** The bastion's login user. @default none */
  readonly bastionUser?: string;
  /** The EC2 Instance Connect Endpoint, when it is the door instead of a bastion. @default none */
  readonly instanceConnect?: InstanceConnectDoor;
  /** Every server behind the bastion. */
  readonly servers: readonly Server[];
  /** false under Session Manager only: the output lists `aws ssm start-session` commands instead of an ssh config. */
  readonly ssh: boolean;
  /** The region, for the Session Manager commands. */
  readonly region: string;
  /** Private key file for the ssh config. @default none */
  readonly identityFile?: string;
  /** The DB server, whose hardening is output as a script when Session Manager cannot re-apply it. @default none */
  readonly db?: DbServer;
}

export function addAccessOutputs(stack: TerraformStack, access: AccessOutputs): void {
  const { bastion, servers } = access;
  if (bastion?.publicIp !== undefined) {
    new TerraformOutput(stack, "bastion_public_ip", {
      value: bastion.publicIp,
      description: "The bastion's Elastic IP: the one address admins connect to",
    });
  }
  new TerraformOutput(stack, "private_ips", {
    value: Object.fromEntries([
      ...(bastion === undefined ? [] : [["bastion", bastion.host.privateIp]]),
      ...servers.map((s) => [s.name, s.instance.privateIp]),
    ]),
    description: "Private IP of every instance, by name (servers talk to each other on these)",
  });
  new TerraformOutput(stack, "ssh_config", sshConfigOutput(access));
  if (access.db !== undefined && access.db.rehardening === undefined) {
    // Under SSH the DB has no Session Manager: the same script, for an admin to run on it (README, "Re-hardening").
    new TerraformOutput(stack, "db_hardening_script", {
      value: dbHardeningScript(access.db.hardening),
      description:
        "Re-harden the running DB, whose user data never runs again: terraform output -raw db_hardening_script | ssh db sudo bash -s",
    });
  }
}

/** The `ssh_config` output of the environment's door: a bastion's ssh config, Session Manager's or Instance Connect's commands. */
function sshConfigOutput(access: AccessOutputs): { value: string; description: string } {
  const { bastion, servers, instanceConnect } = access;
  if (instanceConnect !== undefined)
    return {
      value: renderInstanceConnectConfig({
        region: access.region,
        endpointId: instanceConnect.endpointId,
        identityFile: access.identityFile,
        servers: servers.map((s) => ({ name: s.name, instanceId: s.instance.instance.id, user: s.sshUser })),
      }),
      description:
        "No bastion: the EC2 Instance Connect Endpoint is the door. One `aws ec2-instance-connect ssh` command per server, and a block for ~/.ssh/config that tunnels with open-tunnel (terraform output -raw ssh_config)",
    };
  const door = bastion as Bastion;
  if (access.ssh)
    return {
      value: renderSshConfig({
        bastionIp: door.publicIp as string,
        bastionUser: access.bastionUser as string,
        identityFile: access.identityFile,
        servers: servers.map((s) => ({ name: s.name, privateIp: s.instance.privateIp, user: s.sshUser })),
      }),
      description: "Paste into ~/.ssh/config (terraform output -raw ssh_config), then: ssh bastion, ssh app-a1, ssh db",
    };
  return {
    value: renderSsmCommands(access.region, [
      { name: "bastion", instanceId: door.host.instance.id },
      ...servers.map((s) => ({ name: s.name, instanceId: s.instance.instance.id })),
    ]),
    description:
      'No SSH anywhere (bastion.ssm "only"): one Session Manager command per instance (terraform output -raw ssh_config)',
  };
}

/** Where users go: the load balancer's DNS name, the URL to open, and the target group (for its targets' health). */
export function addLoadBalancerOutputs(stack: TerraformStack, loadBalancer: LoadBalancer): void {
  new TerraformOutput(stack, "load_balancer_dns_name", {
    value: loadBalancer.dnsName,
    description: "The load balancer's DNS name (point a CNAME or alias record here)",
  });
  new TerraformOutput(stack, "load_balancer_url", { value: loadBalancer.url, description: "The URL to open" });
  new TerraformOutput(stack, "load_balancer_target_group_arn", {
    value: loadBalancer.targetGroup.arn,
    description: "The app servers' target group (aws elbv2 describe-target-health)",
  });
}
