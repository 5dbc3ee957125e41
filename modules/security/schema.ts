import { z } from "zod";

/** The config file's `access` block: who may knock on the bastion's door. Checked by `checkAccess`. */
export const accessConfigFields = {
  access: z
    .strictObject({
      adminCidrs: z.array(z.string()),
      insecureAllowAdminPortsFromAnywhere: z.boolean().optional(),
    })
    .optional(),
};

export type AccessConfig = NonNullable<z.infer<typeof accessConfigFields.access>>;
