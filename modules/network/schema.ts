import { z } from "zod";
import { amiSourceSchema } from "../ami/ami";

/**
 * The shape of a network description in a config file. Only types here: ranges and cross-field rules are checked by
 * `planNetwork`, the one place both config files and direct construct users go through.
 */
export const networkConfigFields = {
  region: z.string(),
  azs: z.array(z.string()),
  vpcCidr: z.string(),
  azSlots: z.int().optional(),
  tiers: z
    .array(
      z.strictObject({
        name: z.string(),
        type: z.enum(["public", "private", "isolated"], { error: "one of public, private, isolated" }),
        azs: z.array(z.string()).optional(),
        cidrMask: z.int().optional(),
        cidrs: z.record(z.string(), z.string()).optional(),
      }),
    )
    .min(1, { error: "at least one subnet tier" }),
  nat: z
    .strictObject({
      mode: z.enum(["none", "single", "per-az", "instance"], { error: "one of none, single, per-az, instance" }).optional(),
      instance: z.strictObject({ ami: amiSourceSchema, instanceType: z.string().optional(), detailedMonitoring: z.boolean().optional() }).optional(),
    })
    .optional(),
  flowLogs: z
    .strictObject({
      enabled: z.boolean().optional(),
      retentionDays: z.int().optional(),
      trafficType: z.enum(["ALL", "ACCEPT", "REJECT"], { error: "one of ALL, ACCEPT, REJECT" }).optional(),
      kmsKeyArn: z.string().optional(),
    })
    .optional(),
  s3GatewayEndpoint: z.boolean().optional(),
  acknowledgeNonRfc1918VpcCidr: z.boolean().optional(),
};
