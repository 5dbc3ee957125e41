import { z } from "zod";

/** The config file's `access` block: who may knock on the bastion's door. Checked by `checkAccess`. */
export const accessConfigFields = {
  access: z
    .strictObject({
      adminCidrs: z
        .array(z.string())
        .describe(
          'IPv4 networks that may SSH to the bastion, e.g. `["198.51.100.7/32"]`; `0.0.0.0/0`, `::/0` (any `/0`) are refused',
        ),
      insecureAllowAdminPortsFromAnywhere: z
        .boolean()
        .default(false)
        .describe(
          "the loud override that lets an admin port (22 SSH, 23, 3389 RDP, 5985/5986 WinRM, 5900 VNC) be open to the whole internet, in `adminCidrs` or in `servers.app.ingress`",
        ),
    })
    .optional()
    .meta({
      description: "who may knock on the bastion's door",
      defaultLabel: "none: required while the bastion has SSH",
    }),
};

export type AccessConfig = NonNullable<z.infer<typeof accessConfigFields.access>>;
