import { Construct } from "constructs";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { ebsOptimizedFor } from "./ebs-optimized";

/** What a `HardenedInstance` needs: its name and role, image and type, subnet, security groups and user data. */
export interface HardenedInstanceProps {
  /** Name tag, e.g. `workshop-app-a1`. */
  readonly name: string;
  /** Role tag (`bastion`, `app`, `db`). */
  readonly role: string;
  /** The AMI id (literal, or a reference to an SSM parameter's value). */
  readonly ami: string;
  /** EC2 instance type; match the AMI's architecture. */
  readonly instanceType: string;
  /** The subnet the instance lives in. */
  readonly subnetId: string;
  /** Its security groups. */
  readonly securityGroupIds: readonly string[];
  /** First-boot script. */
  readonly userData: string;
  /** EC2 key pair for SSH. @default none: no key is installed (Session Manager access) */
  readonly keyName?: string;
  /** Instance profile, e.g. for Session Manager. @default none */
  readonly instanceProfileName?: string;
  /** Size of the root volume in GiB. @default the AMI's size */
  readonly rootVolumeGiB?: number;
  /** CloudWatch detailed (1-minute) monitoring, billed per metric. @default false: 5-minute basic monitoring */
  readonly detailedMonitoring?: boolean;
  /**
   * An Elastic IP is attached to it (the bastion): `associate_public_ip_address` is then left to the subnet, which
   * assigns none at launch. AWS reports the Elastic IP as the interface's public address, so an explicit `false`
   * would read back as `true` and replace the instance on every deploy.
   * @default false: the instance launches with `associate_public_ip_address = false`
   */
  readonly elasticIp?: boolean;
  /**
   * The instance holds data: a new AMI or new user data does not replace it (Terraform ignores both changes).
   * @default false: a changed AMI or user data replaces the instance, so what runs is always what the config says
   */
  readonly stateful?: boolean;
}

/**
 * What every server instance has, whatever it runs, shared with the generated Terraform module
 * (modules/terraform-module): IMDSv2 only with a hop limit of 1 (containers on the host cannot reach the
 * credentials), an encrypted gp3 root volume.
 */
export const HARDENED_INSTANCE_SETTINGS = {
  metadataOptions: {
    httpEndpoint: "enabled",
    httpTokens: "required",
    httpPutResponseHopLimit: 1,
    instanceMetadataTags: "disabled",
  },
  rootBlockDevice: { encrypted: true, volumeType: "gp3" },
};

/**
 * No public address at launch. Only for instances without an Elastic IP: once one is attached AWS reports a public
 * address, the provider reads the attribute back as `true` and, since it forces replacement, would replace the
 * instance on every deploy (hashicorp/terraform-provider-aws#37318). An instance with an Elastic IP leaves it unset;
 * its subnet's `map_public_ip_on_launch = false` keeps the launch without one (rule `instance-public-ip`).
 */
export function launchAddressSettings(elasticIp: boolean): { associatePublicIpAddress?: boolean } {
  return elasticIp ? {} : { associatePublicIpAddress: false };
}

/** An EC2 instance with the settings every instance of this project shares (`HARDENED_INSTANCE_SETTINGS`). */
export class HardenedInstance extends Construct {
  readonly instance: Instance;

  constructor(scope: Construct, id: string, props: HardenedInstanceProps) {
    super(scope, id);
    const stateful = props.stateful === true;
    this.instance = new Instance(this, "Instance", {
      ami: props.ami,
      instanceType: props.instanceType,
      subnetId: props.subnetId,
      vpcSecurityGroupIds: [...props.securityGroupIds],
      keyName: props.keyName,
      iamInstanceProfile: props.instanceProfileName,
      ebsOptimized: ebsOptimizedFor(props.instanceType),
      monitoring: props.detailedMonitoring === true,
      ...HARDENED_INSTANCE_SETTINGS,
      ...launchAddressSettings(props.elasticIp === true),
      rootBlockDevice: {
        ...HARDENED_INSTANCE_SETTINGS.rootBlockDevice,
        volumeSize: props.rootVolumeGiB,
        deleteOnTermination: !stateful,
      },
      userData: props.userData,
      userDataReplaceOnChange: !stateful,
      lifecycle: stateful ? { ignoreChanges: ["ami", "user_data"] } : undefined,
      tags: { Name: props.name, Role: props.role },
    });
  }

  /** The instance's private IPv4 address. */
  get privateIp(): string {
    return this.instance.privateIp;
  }
}
