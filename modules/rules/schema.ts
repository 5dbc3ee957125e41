import { z } from "zod";
import { ConfigProblem, fieldPath } from "../core/problems";
import { RULES } from "./rules";

/** `guardrails.acknowledge`: the named, reasoned exceptions to the rules, at synth and in plans. */
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
          description:
            'reasoned exceptions to the rules, at synth and in plans: `{ "rule": id or scanner id, "resource": part of an address, "reason": why }`',
          typeLabel: "acknowledgement[]",
        }),
    })
    .prefault({})
    .describe("exceptions to the rules (modules/rules)"),
};

/** The config's `guardrails` block: the reasoned exceptions to the rules it acknowledges. */
export type GuardrailAcknowledgement = z.infer<typeof guardrailConfigFields.guardrails>;

/** The shortest reason an acknowledgement may give. */
export const MIN_REASON_LENGTH = 10;

/** Each acknowledgement names a known rule (its id or a scanner id) and says why, in words a reviewer can judge. */
export function checkAcknowledgements(guardrails: GuardrailAcknowledgement): ConfigProblem[] {
  return (guardrails?.acknowledge ?? []).flatMap((ack, i): ConfigProblem[] => {
    const at = (key: string) => fieldPath("guardrails", "acknowledge", i, key);
    const problems: ConfigProblem[] = [];
    if (!RULES.some((r) => r.id === ack.rule || r.scannerIds.includes(ack.rule))) {
      problems.push({
        field: at("rule"),
        value: ack.rule,
        expected: `one of the rule ids: ${RULES.map((r) => r.id).join(", ")} (or one of their scanner ids, e.g. CKV_AWS_79)`,
      });
    }
    if (ack.reason.trim().length < MIN_REASON_LENGTH) {
      problems.push({
        field: at("reason"),
        value: ack.reason,
        expected: `a reason of at least ${MIN_REASON_LENGTH} characters saying why the exception is safe`,
      });
    }
    return problems;
  });
}
