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
          'a **public** tier (the bastion has an Elastic IP); under `ssm: "only"` a **private** one (no public address: nothing listens)',
        defaultLabel: '`"management"`; under `ssm: "only"` the first private tier',
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
