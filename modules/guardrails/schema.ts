import { z } from "zod";
import { ConfigProblem, fieldPath } from "../config/problems";
import { GUARDRAIL_RULES } from "./rules";

/** `guardrails.acknowledge`: the named, reasoned exceptions to the synth-time guardrails. */
export const guardrailConfigFields = {
  guardrails: z
    .strictObject({
      acknowledge: z
        .array(
          z.strictObject({
            rule: z.string(),
            resource: z.string().optional(),
            reason: z.string(),
          }),
        )
        .default([])
        .meta({
          description: 'reasoned exceptions to the synth-time guardrails: `{ "rule": id, "resource": part of an address, "reason": why }`',
          typeLabel: "acknowledgement[]",
        }),
    })
    .prefault({})
    .describe("synth-time guardrails"),
};

export type GuardrailAcknowledgement = z.infer<typeof guardrailConfigFields.guardrails>;

/** Each acknowledgement names a known rule and says why, in words someone reviewing it can judge. */
export function checkAcknowledgements(guardrails: GuardrailAcknowledgement): ConfigProblem[] {
  return (guardrails?.acknowledge ?? []).flatMap((ack, i): ConfigProblem[] => {
    const at = (key: string) => fieldPath("guardrails", "acknowledge", i, key);
    const problems: ConfigProblem[] = [];
    if (!GUARDRAIL_RULES.some((r) => r.id === ack.rule)) {
      problems.push({ field: at("rule"), value: ack.rule, expected: `one of the guardrail ids: ${GUARDRAIL_RULES.map((r) => r.id).join(", ")}` });
    }
    if (ack.reason.trim().length < 10) problems.push({ field: at("reason"), value: ack.reason, expected: "a reason of at least 10 characters saying why the exception is safe" });
    return problems;
  });
}
