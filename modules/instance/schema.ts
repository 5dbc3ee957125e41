import { z } from "zod";
import { amiSourceSchema } from "./ami";
import { intBetween } from "../core/fields";

/** Defaults every instance shares: the bastion, the servers and the NAT instance. */
export const INSTANCE_DEFAULTS = {
  instanceType: "t3.micro",
  sshUser: "ec2-user",
  sessionTimeoutSeconds: 600,
  sshMaxAuthTries: 3,
  detailedMonitoring: false,
};

export const AMI_TYPE_LABEL = 'AMI id or `{ "ssmParameter": path }`';

/** Fields every instance block has (bastion, servers.app, servers.db). */
export const instanceFields = {
  ami: amiSourceSchema
    .optional()
    .meta({ description: "the instance's image", typeLabel: AMI_TYPE_LABEL, defaultLabel: "the environment's `ami`" }),
  instanceType: z
    .string()
    .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: 'an EC2 instance type such as "t3.micro"' })
    .default(INSTANCE_DEFAULTS.instanceType)
    .describe("EC2 instance type; match the AMI's architecture"),
  sshUser: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: "a Linux user name such as ec2-user or admin" })
    .default(INSTANCE_DEFAULTS.sshUser)
    .describe("the image's login user, for the ssh config (`ec2-user` on Amazon Linux 2023, `admin` on Debian 12)"),
  rootVolumeGiB: intBetween(8, 16384)
    .optional()
    .meta({ description: "root volume size, 8 to 16384 GiB", defaultLabel: "the AMI's size" }),
  detailedMonitoring: z
    .boolean()
    .default(INSTANCE_DEFAULTS.detailedMonitoring)
    .describe("CloudWatch detailed (1-minute) monitoring, billed per metric; off: 5-minute basic metrics"),
};
