import { z } from "zod";

/**
 * The shape of an environment's `backend` in a config file. Only types here: names, keys, regions and locking are
 * checked by `checkBackend` (modules/state/plan.ts), which direct construct users go through too. `region` is
 * optional here only so that a missing one gets that check's clear message instead of a type error.
 */
export const stateConfigFields = {
  backend: z
    .discriminatedUnion(
      "type",
      [
        z.strictObject({
          type: z.literal("s3"),
          bucket: z.string(),
          region: z.string().optional(),
          key: z.string().optional(),
          encrypt: z.boolean().optional(),
          kmsKeyId: z.string().optional(),
          lockfile: z.boolean().optional(),
          dynamodbTable: z.string().optional(),
          accessLogs: z.boolean().optional(),
        }),
        z.strictObject({ type: z.literal("local"), path: z.string().optional() }),
        z.strictObject({
          type: z.literal("cloud"),
          organization: z.string(),
          workspace: z.string().optional(),
          hostname: z.string().optional(),
        }),
      ],
      { error: 'a backend object whose "type" is one of s3, local, cloud' },
    )
    .optional(),
};

export type StateBackendConfig = z.infer<typeof stateConfigFields.backend>;
