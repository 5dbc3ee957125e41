import { z } from "zod";
import { networkConfigFields } from "../network/schema";
import { planNetwork } from "../network/plan";
import { accessConfigFields } from "../security/schema";
import { checkAccess } from "../security/policy";
import { keyPairConfigFields } from "../keypair/schema";
import { checkPublicKey } from "../keypair/public-key";
import { bastionConfigFields } from "../bastion/schema";
import { planBastion } from "../bastion/plan";
import { computeConfigFields } from "../compute/schema";
import { planServers } from "../compute/plan";
import { stateConfigFields } from "../state/schema";
import { checkBackend } from "../state/plan";
import { guardrailConfigFields, checkAcknowledgements } from "../guardrails/schema";
import { ciConfigFields } from "../ci/schema";
import { ConfigProblem } from "./problems";

export const ENVIRONMENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;

/** One environment of the config file: one stack. */
export const environmentSchema = z.strictObject({
  name: z.string().regex(ENVIRONMENT_NAME_PATTERN, {
    error: "lowercase letters, digits and dashes, starting with a letter, at most 31 characters",
  }),
  tags: z.record(z.string(), z.string()).optional(),
  ...networkConfigFields,
  ...accessConfigFields,
  ...keyPairConfigFields,
  ...bastionConfigFields,
  ...computeConfigFields,
  ...stateConfigFields,
  ...guardrailConfigFields,
  ...ciConfigFields,
});

export type EnvironmentConfig = z.infer<typeof environmentSchema>;

/** The cross-field rules of each module, run on an environment whose shape is already valid. */
const semanticChecks: ReadonlyArray<(env: EnvironmentConfig) => ConfigProblem[]> = [
  (env) => planNetwork({ ...env, environment: env.name }).problems,
  (env) => checkAccess(env.access),
  (env) => checkPublicKey(env.sshPublicKey),
  (env) => planBastion(env).problems,
  (env) => planServers(env).problems,
  (env) => checkBackend(env.backend),
  (env) => checkAcknowledgements(env.guardrails),
];

export function checkEnvironment(env: EnvironmentConfig): ConfigProblem[] {
  return semanticChecks.flatMap((check) => check(env)).map((p) => ({ ...p, environment: env.name }));
}
