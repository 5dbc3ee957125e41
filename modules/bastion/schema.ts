import { z } from "zod";
import { instanceFields } from "../compute/schema";

/** How admins get a shell: SSH only, SSH and SSM Session Manager, or Session Manager only (no SSH anywhere). */
export const SSM_MODES = ["off", "with-ssh", "only"] as const;
export type SsmMode = (typeof SSM_MODES)[number];

/** The config file's `bastion` block. Checked by `checkBastion`. */
export const bastionConfigFields = {
  bastion: z
    .strictObject({
      ...instanceFields,
      tier: z.string().optional(),
      az: z.string().optional(),
      ssm: z.enum(SSM_MODES, { error: 'one of "off" (SSH only), "with-ssh" (SSH and Session Manager), "only" (Session Manager, no SSH)' }).optional(),
    })
    .optional(),
};

export type BastionConfig = NonNullable<z.infer<typeof bastionConfigFields.bastion>>;

export const BASTION_DEFAULTS = { tier: "management", ssm: "off" as SsmMode };
