import { Construct } from "constructs";
import { Ec2InstanceConnectEndpoint } from "@cdktf/provider-aws/lib/ec2-instance-connect-endpoint";
import { subnetIn, tierSubnets } from "../network/subnets";
import type { INetwork } from "../network/types";
import { Connections, IConnectable } from "../security/connections";
import { ROLE_GROUP_DESCRIPTIONS, RoleSecurityGroup } from "../security/security-group";

/** Where the EC2 Instance Connect Endpoint stands, and its security group. */
export interface InstanceConnectDoorProps {
  /** The network the endpoint stands in; its environment names the endpoint and its group. */
  readonly network: INetwork;
  /** A private or isolated tier of the network. @default the network's first private tier, else its first isolated one */
  readonly tier?: string;
  /** The AZ of the tier's subnet to stand in (one endpoint reaches every subnet of the VPC). @default the tier's first AZ */
  readonly az?: string;
  /** The endpoint's security group. @default a new group `<environment>-instance-connect` in the network's VPC */
  readonly securityGroup?: RoleSecurityGroup;
}

/**
 * The door without a host to patch: an EC2 Instance Connect Endpoint in a private or isolated tier. Admins open an
 * SSH tunnel through it with IAM (`aws ec2-instance-connect ssh` / `open-tunnel`); nothing has a public address. The
 * endpoint does not preserve the client's IP, so the servers see its own address and a rule that references its
 * group is the one SSH source they need: `servers.connections.allowFrom(door, Port.SSH, "...")`.
 */
export class InstanceConnectDoor extends Construct implements IConnectable {
  /** The `aws_ec2_instance_connect_endpoint`. */
  readonly endpoint: Ec2InstanceConnectEndpoint;
  /** Its security group: let it reach the servers with `servers.connections.allowFrom(door, Port.SSH, "...")`. */
  readonly connections: Connections;

  constructor(scope: Construct, id: string, props: InstanceConnectDoorProps) {
    super(scope, id);
    const { network } = props;
    const tier =
      props.tier ??
      (network.subnets.find((s) => s.type === "private") ?? network.subnets.find((s) => s.type === "isolated"))?.tier;
    if (tier === undefined)
      throw new Error(`instance connect "${id}": the network has no private or isolated tier to hold the endpoint`);
    const subnet = subnetIn(network, tier, props.az ?? tierSubnets(network, tier)[0].az);
    if (subnet.type === "public")
      throw new Error(`instance connect "${id}": tier "${tier}" is public; the endpoint belongs in a private tier`);
    const securityGroup =
      props.securityGroup ??
      new RoleSecurityGroup(this, "SecurityGroup", {
        environment: network.environment,
        role: "instance-connect",
        vpcId: network.vpcId,
        description: ROLE_GROUP_DESCRIPTIONS["instance-connect"],
      });
    this.connections = new Connections(securityGroup);
    this.endpoint = new Ec2InstanceConnectEndpoint(this, "Endpoint", {
      subnetId: subnet.subnetId,
      securityGroupIds: [securityGroup.id],
      // The servers then see the endpoint's address, and a rule from its group is their only SSH source.
      preserveClientIp: false,
      tags: { Name: `${network.environment}-instance-connect` },
    });
  }

  /** The endpoint's id, for `aws ec2-instance-connect open-tunnel --instance-connect-endpoint-id`. */
  get endpointId(): string {
    return this.endpoint.id;
  }
}
