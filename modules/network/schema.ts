import { z } from "zod";
import { amiSourceSchema } from "../instance/ami";
import { FLOW_LOG_TRAFFIC_TYPES, LOG_RETENTION_DAYS, NAT_MODES, NETWORK_DEFAULTS, SUBNET_TYPES } from "./types";

const oneOf = (values: readonly unknown[]) => `one of ${values.join(", ")}`;

/** One subnet tier of the config file. */
export const tierSchema = z.strictObject({
  name: z.string().describe("tier name: lowercase letters, digits, dashes; unique in the environment"),
  type: z
    .enum(SUBNET_TYPES, { error: oneOf(SUBNET_TYPES) })
    .describe(
      "`public` routes 0.0.0.0/0 to the Internet Gateway; `private` to a NAT; `isolated` has no route off the VPC",
    ),
  azs: z
    .array(z.string())
    .optional()
    .meta({ description: "the subset of the environment's AZs the tier uses", defaultLabel: "all of them" }),
  cidrMask: z.int().optional().meta({
    description: "netmask of each subnet (16-28); the planner places it. Give this or `cidrs`",
    defaultLabel: "none",
  }),
  cidrs: z.record(z.string(), z.string()).optional().meta({
    description:
      'explicit CIDR per AZ instead: `{ "ap-northeast-2a": "10.0.0.0/24" }`, checked to be inside the VPC and overlap-free',
    typeLabel: "AZ → CIDR map",
    defaultLabel: "planned from `cidrMask`",
  }),
  block: z.string().optional().meta({
    description: "the name of a secondary CIDR block (`secondaryCidrBlocks`) to plan the tier in",
    defaultLabel: "the primary `vpcCidr`",
  }),
  networkAcl: z.boolean().optional().meta({
    description:
      "a network ACL of the tier's own that admits only what its security groups allow, and the replies (stateless, free)",
    defaultLabel: "false: the VPC's default ACL",
  }),
  assignIpv6AddressOnCreation: z.boolean().optional().meta({
    description:
      "with `ipv6`, every network interface made in the tier's subnets (an instance's, at launch) gets an IPv6 address; existing instances keep theirs",
    defaultLabel: "`false`",
  }),
});

/**
 * The shape of a network description in a config file, with its defaults. Ranges and cross-field rules are checked
 * by `planNetwork`, the one place both config files and direct construct users go through.
 */
export const networkConfigFields = {
  region: z.string().describe("AWS region, e.g. `ap-northeast-2`"),
  azs: z.array(z.string()).describe("the environment's AZs; each must belong to `region`"),
  vpcCidr: z
    .string()
    .meta({ description: "the VPC block, /16 to /28 (AWS's limits), RFC 1918 unless acknowledged", typeLabel: "CIDR" }),
  acknowledgeNonRfc1918VpcCidr: z
    .boolean()
    .default(false)
    .describe("allow a VPC block outside 10/8, 172.16/12, 192.168/16"),
  azSlots: z.int().default(NETWORK_DEFAULTS.azSlots).meta({
    description:
      "subnet slots each auto-planned tier reserves, one per AZ letter (a = slot 0), so adding an AZ moves no subnet",
    typeLabel: "1, 2, 4, 8",
  }),
  tiers: z
    .array(tierSchema)
    .min(1, { error: "at least one subnet tier" })
    .meta({ description: "subnet tiers, in planning order: append new ones at the end", typeLabel: "tier[]" }),
  nat: z
    .strictObject({
      mode: z
        .enum(NAT_MODES, { error: oneOf(NAT_MODES) })
        .default(NETWORK_DEFAULTS.natMode)
        .describe("how private tiers reach the internet"),
      instance: z
        .strictObject({
          ami: amiSourceSchema.meta({
            description: "image of the NAT instance",
            typeLabel: 'AMI id or `{ "ssmParameter": path }`',
          }),
          instanceType: z
            .string()
            .default(NETWORK_DEFAULTS.natInstanceType)
            .describe("instance type of the NAT instance (match the AMI's architecture)"),
          detailedMonitoring: z
            .boolean()
            .default(false)
            .describe("CloudWatch detailed (1-minute) monitoring of the NAT instance, billed per metric"),
        })
        .optional()
        .meta({ description: "the NAT instance", defaultLabel: "required for `instance`" }),
    })
    .prefault({})
    .describe("egress of the private tiers"),
  flowLogs: z
    .strictObject({
      enabled: z.boolean().default(false).describe("VPC flow logs to CloudWatch Logs"),
      retentionDays: z
        .int()
        .default(NETWORK_DEFAULTS.flowLogRetentionDays)
        .meta({
          description: "how long the log events are kept",
          typeLabel: `one of CloudWatch's periods (${LOG_RETENTION_DAYS.slice(0, 8).join(", ")}, ...)`,
        }),
      trafficType: z
        .enum(FLOW_LOG_TRAFFIC_TYPES, { error: oneOf(FLOW_LOG_TRAFFIC_TYPES) })
        .default(NETWORK_DEFAULTS.flowLogTrafficType)
        .describe("which traffic is recorded"),
      kmsKeyArn: z.string().optional().meta({
        description:
          "a KMS key ARN (not an alias) in the environment's region that encrypts the flow-log group; its key policy must let `logs.<region>.amazonaws.com` use it",
        defaultLabel: "none: CloudWatch Logs' own encryption",
      }),
    })
    .prefault({})
    .describe("VPC flow logs"),
  ipv6: z
    .boolean()
    .default(NETWORK_DEFAULTS.ipv6)
    .describe(
      "dual-stack: an Amazon-provided /56 for the VPC, a /64 per subnet (by tier and AZ slot, as IPv4), `::/0` from public tiers to the Internet Gateway and from private tiers to an egress-only Internet Gateway; turning it on updates in place and creates",
    ),
  s3GatewayEndpoint: z
    .boolean()
    .default(false)
    .describe("S3 gateway endpoint on private and isolated route tables (free; saves NAT traffic)"),
  interfaceEndpoints: z
    .strictObject({
      services: z.array(z.string()).min(1, { error: "at least one service" }).meta({
        description:
          'AWS services by endpoint name (`com.amazonaws.<region>.<service>`), e.g. `["ssm", "ssmmessages", "ec2messages"]` for Session Manager without a NAT; `logs`, `kms`, ...',
        typeLabel: "string[]",
      }),
      tier: z.string().optional().meta({
        description: "a private or isolated tier: one endpoint network interface in each of its AZs",
        defaultLabel: "the first isolated tier, else the first private one",
      }),
    })
    .optional()
    .meta({
      description:
        "interface endpoints (PrivateLink), private DNS on, HTTPS from the VPC only; billed per AZ-hour and per GB",
      defaultLabel: "none",
    }),
  secondaryCidrBlocks: z
    .array(
      z.strictObject({
        name: z.string().describe("what tiers call the block in `block`: lowercase letters, digits, dashes"),
        cidr: z.string().describe("the block, /16 to /28, overlapping no other block of the VPC"),
      }),
    )
    .optional()
    .meta({
      description:
        "more IPv4 blocks for the VPC (`aws_vpc_ipv4_cidr_block_association`), in the RFC 1918 range of `vpcCidr`, at most 4; tiers name one in `block`",
      typeLabel: "`{ name, cidr }[]`",
      defaultLabel: "none",
    }),
};
