import { Construct } from "constructs";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { HardenedInstance } from "../compute/hardened-instance";
import { renderBastionUserData } from "./user-data";

export interface BastionProps {
  /** Environment name: the Name tag is `<environment>-bastion`. */
  readonly environment: string;
  /** A subnet of a public tier (the management tier in the workshop). */
  readonly subnetId: string;
  /** The bastion's security groups. */
  readonly securityGroupIds: readonly string[];
  /** The AMI id. */
  readonly ami: string;
  /** EC2 instance type. */
  readonly instanceType: string;
  /** Seconds an idle shell stays open (`TMOUT`, read-only). */
  readonly sessionTimeoutSeconds: number;
  /** sshd's `MaxAuthTries`. */
  readonly sshMaxAuthTries: number;
  /** false: no sshd at all, Session Manager only (needs `instanceProfileName`). @default true */
  readonly ssh?: boolean;
  /** EC2 key pair the admins log in with. @default none (Session Manager only) */
  readonly keyName?: string;
  /** Instance profile for Session Manager. @default none */
  readonly instanceProfileName?: string;
  /** Root volume size in GiB. @default the AMI's size */
  readonly rootVolumeGiB?: number;
  /** CloudWatch detailed (1-minute) monitoring. @default false */
  readonly detailedMonitoring?: boolean;
}

/**
 * The only door into the environment: a hardened instance with an Elastic IP. Its user data closes idle shells,
 * records every executed command with auditd (rules locked until reboot) and hardens sshd.
 */
export class Bastion extends Construct {
  readonly host: HardenedInstance;
  readonly eip: Eip;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    if (props.ssh === false && props.instanceProfileName === undefined) {
      throw new Error(`bastion "${id}": with ssh false, Session Manager is the only way in: give instanceProfileName`);
    }
    this.host = new HardenedInstance(this, "Host", {
      ...props,
      name: `${props.environment}-bastion`,
      role: "bastion",
      userData: renderBastionUserData({ ...props, ssh: props.ssh !== false }),
    });
    this.eip = new Eip(this, "Eip", { domain: "vpc", instance: this.host.instance.id, tags: { Name: `${props.environment}-bastion` } });
  }

  /** The Elastic IP admins connect to. */
  get publicIp(): string {
    return this.eip.publicIp;
  }
}
