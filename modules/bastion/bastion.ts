import { Construct } from "constructs";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InstanceRole } from "../instance/instance-role";
import { HardenedInstance } from "../instance/hardened-instance";
import { subnetIn, tierSubnets } from "../network/subnets";
import type { INetwork } from "../network/types";
import { Connections, IConnectable } from "../security/connections";
import { idSafe, Peer, ROLE_GROUP_DESCRIPTIONS, RoleSecurityGroup } from "../security/security-group";
import { Port } from "../core/port";
import { isAnywhere, INSECURE_OVERRIDE_FIELD } from "../security/policy";
import { looksIpv6 } from "../core/cidr";
import { BASTION_DEFAULTS } from "./schema";
import { BASTION_HARDENING_INTERNALS, renderBastionUserData } from "./user-data";
import { hardeningFor, HardeningProps } from "../instance/user-data";
import { INSTANCE_DEFAULTS } from "../instance/schema";

/** What a `Bastion` needs: the network and public tier it stands in, its image, key and who may reach it. */
export interface BastionProps {
  /** The network the bastion stands in; its environment names the bastion. */
  readonly network: INetwork;
  /** A public tier of the network (the bastion is reached through its Elastic IP); a private one when `ssh` is false. @default "management" */
  readonly tier?: string;
  /** The AZ of the tier's subnet to stand in. @default the tier's first AZ */
  readonly az?: string;
  /** The AMI id. */
  readonly ami: string;
  /** EC2 instance type. @default INSTANCE_DEFAULTS.instanceType ("t3.micro") */
  readonly instanceType?: string;
  /**
   * Shell and sshd hardening, as the servers take it; `ssh: false` means no sshd at all, Session Manager only (needs
   * `instanceProfileName`), and no Elastic IP. @default HARDENING_DEFAULTS
   */
  readonly hardening?: HardeningProps;
  /** Networks that may SSH to the bastion (your address as a /32); each gets its own rule. @default none */
  readonly adminCidrs?: readonly string[];
  /**
   * Lets `adminCidrs` hold the whole internet (`0.0.0.0/0`): SSH open to anyone, the same loud override as the
   * config's `access.insecureAllowAdminPortsFromAnywhere`. @default false: such a CIDR is refused
   */
  readonly insecureAllowAdminPortsFromAnywhere?: boolean;
  /** EC2 key pair the admins log in with. @default none (Session Manager only) */
  readonly keyName?: string;
  /** Instance profile (Session Manager's, where it is on). @default a role of its own with no permission (`<environment>-bastion`) */
  readonly instanceProfileName?: string;
  /** Root volume size in GiB. @default the AMI's size */
  readonly rootVolumeGiB?: number;
  /** The bastion's security group. @default a new group `<environment>-bastion` in the network's VPC */
  readonly securityGroup?: RoleSecurityGroup;
  /** CloudWatch detailed (1-minute) monitoring. @default false */
  readonly detailedMonitoring?: boolean;
}

/**
 * The only door into the environment: a hardened instance with an Elastic IP in a public tier (without SSH: in a
 * private tier, no Elastic IP: nothing listens). Its user data closes
 * idle shells, records every executed command with auditd (rules locked until reboot) and hardens sshd. SSH comes in
 * from `adminCidrs` only; let it on to servers with `servers.connections.allowFrom(bastion, Port.SSH, ...)`.
 */
export class Bastion extends Construct implements IConnectable {
  readonly host: HardenedInstance;
  /** The Elastic IP admins SSH to; none without SSH (nothing would listen on it). */
  readonly eip?: Eip;
  readonly connections: Connections;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    const hardening = hardeningFor(props.hardening, BASTION_HARDENING_INTERNALS);
    const ssh = hardening.ssh;
    if (!ssh && props.instanceProfileName === undefined) {
      throw new Error(`bastion "${id}": with ssh false, Session Manager is the only way in: give instanceProfileName`);
    }
    const { network } = props;
    const environment = network.environment;
    const tier = props.tier ?? BASTION_DEFAULTS.tier;
    const subnet = subnetIn(network, tier, props.az ?? tierSubnets(network, tier)[0].az);
    if (ssh && subnet.type !== "public")
      throw new Error(
        `bastion "${id}": tier "${tier}" is ${subnet.type}; with SSH the bastion needs a public tier for its Elastic IP`,
      );
    if (!ssh && subnet.type === "public")
      throw new Error(
        `bastion "${id}": tier "${tier}" is public; without SSH nothing listens, so the bastion belongs in a private tier`,
      );
    const securityGroup =
      props.securityGroup ??
      new RoleSecurityGroup(this, "SecurityGroup", {
        environment,
        role: "bastion",
        vpcId: network.vpcId,
        description: ROLE_GROUP_DESCRIPTIONS.bastion,
        dualStack: network.ipv6,
      });
    this.connections = new Connections(securityGroup);
    const insecure = props.insecureAllowAdminPortsFromAnywhere === true;
    (props.adminCidrs ?? []).forEach((cidr, i) => {
      if (isAnywhere(cidr) && !insecure)
        throw new Error(
          `bastion "${id}": adminCidrs[${i}] = "${cidr}" opens SSH (22) to the whole internet: give your own address as a /32, ` +
            `or, if you mean it, insecureAllowAdminPortsFromAnywhere: true`,
        );
    });
    for (const cidr of ssh ? (props.adminCidrs ?? []) : []) {
      const warning = isAnywhere(cidr) ? ` (OPEN TO THE INTERNET: ${INSECURE_OVERRIDE_FIELD})` : "";
      this.connections.allowFrom(
        (looksIpv6(cidr) ? Peer.ipv6 : Peer.ipv4)(cidr, `admin-${idSafe(cidr)}`, {
          insecureAllowAdminPortsFromAnywhere: insecure,
        }),
        Port.SSH,
        `SSH from admin network ${cidr}${warning}`,
      );
    }
    this.host = new HardenedInstance(this, "Host", {
      ...props,
      // Every instance has a profile (instance-profile, CKV2_AWS_41); without one given, a role that may do nothing.
      instanceProfileName:
        props.instanceProfileName ?? new InstanceRole(this, "InstanceRole", { environment, role: "bastion" }).name,
      name: `${environment}-bastion`,
      role: "bastion",
      subnetId: subnet.subnetId,
      securityGroupIds: [securityGroup.id],
      instanceType: props.instanceType ?? INSTANCE_DEFAULTS.instanceType,
      userData: renderBastionUserData(hardening),
      elasticIp: ssh,
    });
    if (ssh) {
      this.eip = new Eip(this, "Eip", {
        domain: "vpc",
        instance: this.host.instance.id,
        tags: { Name: `${environment}-bastion` },
      });
    }
  }

  /** The Elastic IP admins connect to; undefined without SSH. */
  get publicIp(): string | undefined {
    return this.eip?.publicIp;
  }
}
