import { z } from "zod";
import { instanceFields } from "../instance/schema";
import { SSM_MODES, SsmMode } from "../instance/ssm-instance-profile";

export const BASTION_DEFAULTS = { tier: "management", ssm: "off" as SsmMode };

/** The config file's `bastion` block. Checked by `checkBastion`. */
export const bastionConfigFields = {
  bastion: z
    .strictObject({
      ...instanceFields,
      tier: z.string().optional().meta({
        description:
          'a **public** tier (the bastion has an Elastic IP); under `ssm: "only"` a **private** one (no public address: nothing listens), or an **isolated** one when `interfaceEndpoints` has `ssm`, `ssmmessages` and `ec2messages`',
        defaultLabel: '`"management"`; under `ssm: "only"` the first private tier, else the first isolated one',
      }),
      az: z.string().optional().meta({ description: "one of that tier's AZs", defaultLabel: "the tier's first AZ" }),
      ssm: z
        .enum(SSM_MODES, {
          error: 'one of "off" (SSH only), "with-ssh" (SSH and Session Manager), "only" (Session Manager, no SSH)',
        })
        .default(BASTION_DEFAULTS.ssm)
        .describe(
          "`off`: SSH only; `with-ssh`: SSH, plus Session Manager on the bastion; `only`: no SSH anywhere (no port 22 rule, no key pair, sshd masked, every instance gets the Session Manager profile; `access` and `sshPublicKey` must be absent)",
        ),
    })
    .optional()
    .meta({ description: "the bastion, the only door", defaultLabel: "none: a network only" }),
};

export type BastionConfig = NonNullable<z.infer<typeof bastionConfigFields.bastion>>;

/** The config file's `instanceConnect` block: the other door. Checked by `planInstanceConnect`. */
export const instanceConnectConfigFields = {
  instanceConnect: z
    .strictObject({
      tier: z.string().optional().meta({
        description:
          "a private or isolated tier to hold the endpoint (it reaches instances in every subnet of the VPC)",
        defaultLabel: "the first private tier, else the first isolated one",
      }),
      az: z.string().optional().meta({ description: "one of that tier's AZs", defaultLabel: "the tier's first AZ" }),
    })
    .optional()
    .meta({
      description:
        "an EC2 Instance Connect Endpoint as the door instead of a bastion: SSH with IAM (`aws ec2-instance-connect ssh`), no bastion and no public IP anywhere; the servers accept SSH from the endpoint only (`access` must be absent, `sshPublicKey` is optional)",
      defaultLabel: "none: the bastion is the door",
    }),
};

export type InstanceConnectConfig = NonNullable<z.infer<typeof instanceConnectConfigFields.instanceConnect>>;
