import { z } from "zod";
import { STATE_DEFAULTS } from "./types";

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
          bucket: z
            .string()
            .describe(
              "state bucket: 3-63 lowercase letters, digits and dashes; no dots (they break TLS for virtual-hosted requests)",
            ),
          region: z.string().optional().meta({
            description: "region of the bucket and of its lock table; may differ from the environment's region",
            defaultLabel: "required",
          }),
          key: z.string().optional().meta({
            description: "object key of the stack's state; set it only to adopt an existing state",
            defaultLabel: "`<environment>/environment.tfstate`",
          }),
          encrypt: z.boolean().default(STATE_DEFAULTS.encrypt).describe("encrypt the state object at rest"),
          kmsKeyId: z.string().optional().meta({
            description: "ARN of a KMS key (or alias) for the state and the bucket's default encryption",
            defaultLabel: "none: SSE-S3 (AES256)",
          }),
          lockfile: z
            .boolean()
            .default(STATE_DEFAULTS.lockfile)
            .describe("lock with a lock object beside the state (`use_lockfile`, Terraform 1.10+)"),
          dynamodbTable: z.string().optional().meta({
            description: "DynamoDB table to lock in as well; the bootstrap stack creates it",
            defaultLabel: "none",
          }),
          accessLogs: z.boolean().optional().meta({
            description:
              "S3 server access logs of the state bucket, into `<bucket>-access-logs` made by the bootstrap stack (bucket name then 51 characters at most); environments sharing a bucket must agree",
            defaultLabel: "`false`",
          }),
        }),
        z.strictObject({
          type: z.literal("local"),
          path: z.string().optional().meta({
            description: "path of the state file",
            defaultLabel: "`terraform.<stack>.tfstate` where synth runs",
          }),
        }),
        z.strictObject({
          type: z.literal("cloud"),
          organization: z.string().describe("HCP Terraform / Terraform Enterprise organization"),
          workspace: z
            .string()
            .optional()
            .meta({ description: "workspace name", defaultLabel: "`<environment>-environment`" }),
          hostname: z
            .string()
            .optional()
            .meta({ description: "Terraform Enterprise host", defaultLabel: "`app.terraform.io`" }),
        }),
      ],
      { error: 'a backend object whose "type" is one of s3, local, cloud' },
    )
    .optional()
    .meta({
      description: "where the environment's Terraform state lives: `type` is `s3`, `local` or `cloud`",
      typeLabel: "backend",
      defaultLabel: "none: Terraform's local default",
    }),
};

/** A `backend` as written (fields with defaults may be absent): what the state checks and the backend wiring accept. */
export type StateBackendConfig = z.input<typeof stateConfigFields.backend>;
