import { PortRange } from "../core/port";
import { Peer, RoleSecurityGroup } from "./security-group";

/** Something with a security group that others can be allowed to reach, or be reached from: a bastion, servers. */
export interface IConnectable {
  /** The connections of the thing: its security group and the rules said about it. */
  readonly connections: Connections;
}

/**
 * Who may talk to whom, said on the constructs themselves, as AWS CDK's `ec2.Connections`:
 * `db.connections.allowFrom(app, Port.tcp(3306), "...")` makes the ingress rule on the DB's group and the matching
 * egress rule on the app's group.
 */
export class Connections implements IConnectable {
  constructor(
    /** The security group the rules go on. */
    readonly securityGroup: RoleSecurityGroup,
  ) {}

  /** Itself, so a `Connections` can stand wherever a connectable is expected. */
  get connections(): Connections {
    return this;
  }

  /** Lets `other` (a connectable, or a CIDR peer) reach this one on `port`. */
  allowFrom(other: IConnectable | Peer, port: PortRange, description: string): void {
    this.securityGroup.allowFrom(peerOf(other), port, description);
  }

  /** Lets this one reach `other` (a connectable, or a CIDR peer) on `port`. */
  allowTo(other: IConnectable | Peer, port: PortRange, description: string): void {
    this.securityGroup.allowTo(peerOf(other), port, description);
  }
}

function peerOf(other: IConnectable | Peer): Peer {
  return "connections" in other ? other.connections.securityGroup : other;
}
