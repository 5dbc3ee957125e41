import { z } from "zod";
import { networkConfigFields } from "../network/schema";
import { accessConfigFields } from "../security/schema";
import { keyPairConfigFields } from "../keypair/schema";
import { bastionConfigFields, instanceConnectConfigFields } from "../bastion/schema";
import { computeConfigFields } from "../servers/schema";
import { stateConfigFields } from "../state/schema";
import { guardrailConfigFields } from "../rules/schema";
import { loadBalancerConfigFields } from "../loadbalancer/schema";
import { ciConfigFields } from "../ci/schema";

export const ENVIRONMENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;

/** One environment of the config file: one stack. */
export const environmentSchema = z.strictObject({
  name: z
    .string()
    .regex(ENVIRONMENT_NAME_PATTERN, {
      error: "lowercase letters, digits and dashes, starting with a letter, at most 31 characters",
    })
    .describe("stack and Name-tag prefix: lowercase letters, digits, dashes; unique in the file"),
  tags: z.record(z.string(), z.string()).default({}).meta({
    description:
      "added to the provider's `default_tags` (with `Environment` and `ManagedBy`); AWS's rules: no `aws:` prefix, keys up to 128 and values up to 256 characters",
    typeLabel: "string map",
  }),
  ...networkConfigFields,
  ...accessConfigFields,
  ...keyPairConfigFields,
  ...bastionConfigFields,
  ...instanceConnectConfigFields,
  ...computeConfigFields,
  ...stateConfigFields,
  ...guardrailConfigFields,
  ...loadBalancerConfigFields,
  ...ciConfigFields,
});

/** An environment as validated: every default applied. */
export type EnvironmentConfig = z.infer<typeof environmentSchema>;
/** An environment as written in a config file: fields with defaults may be left out. */
export type EnvironmentInput = z.input<typeof environmentSchema>;
