import { z } from "zod";

/**
 * The config file's `sshPublicKey`: the public half of the key the admins log in with, as a file path
 * (`{ "path": "~/.ssh/workshop.pub" }`, relative to the directory cdktf runs in) or as the key text itself.
 * Checked by `checkPublicKey`.
 */
export const keyPairConfigFields = {
  sshPublicKey: z
    .union([z.strictObject({ path: z.string().min(1) }), z.strictObject({ text: z.string().min(1) })], {
      error: 'either { "path": "<file.pub>" } or { "text": "ssh-ed25519 AAAA... comment" }',
    })
    .optional()
    .meta({
      description:
        "the admins' public key: a `.pub` file (`~` is your home; relative to where cdktf runs) or the key line itself",
      typeLabel: '`{ "path": file }` or `{ "text": key }`',
      defaultLabel: "none: required while the bastion has SSH",
    }),
};

/** The config's `sshPublicKey`: the admins' public key, inline or from a file. */
export type PublicKeySource = NonNullable<z.infer<typeof keyPairConfigFields.sshPublicKey>>;
