import { TerraformStack } from "cdktf";
import { GUARDRAIL_RULES, GuardrailContext, GuardrailRule, GuardrailViolation, StackJson } from "./rules";

/** A reasoned exception to one guardrail, for every resource or those whose address contains `resource`. */
export interface Acknowledgement {
  /** The guardrail's id, e.g. `public-ip-in-private-tier`. */
  readonly rule: string;
  /** Part of the resource's address (`type.logicalId`) the exception is limited to. @default every resource */
  readonly resource?: string;
  /** Why the exception is safe. */
  readonly reason: string;
}

export interface GuardrailProps extends GuardrailContext {
  /** Accepted exceptions, from the environment's `guardrails.acknowledge`. @default none */
  readonly acknowledge?: readonly Acknowledgement[];
  /** The rules to apply. @default GUARDRAIL_RULES */
  readonly rules?: readonly GuardrailRule[];
}

/** Runs the guardrails on one stack's JSON; returns what no acknowledgement covers. Pure. */
export function evaluateGuardrails(json: StackJson, props: GuardrailProps): GuardrailViolation[] {
  return (props.rules ?? GUARDRAIL_RULES).flatMap((rule) =>
    rule
      .check(json, props)
      .map((v) => ({ rule: rule.id, ...v }))
      .filter((v) => !(props.acknowledge ?? []).some((a) => a.rule === v.rule && (a.resource === undefined || v.resource.includes(a.resource)))),
  );
}

/** One violation as the synth error shows it, with the named way out. */
export function formatViolation(v: GuardrailViolation): string {
  const ack = JSON.stringify({ rule: v.rule, resource: v.resource.split(".").pop(), reason: "why this is safe" });
  return `guardrail ${v.rule}: ${v.resource} ${v.message}. Fix it, or acknowledge it in the environment's config: "guardrails": { "acknowledge": [${ack}] }`;
}

/**
 * Makes `stack` fail synthesis while any guardrail is broken. The check runs on the stack's own Terraform JSON, so it
 * also catches what escape hatches (`addOverride`) and hand-made constructs do.
 */
export function applyGuardrails(stack: TerraformStack, props: GuardrailProps): void {
  stack.node.addValidation({ validate: () => evaluateGuardrails(stack.toTerraform() as StackJson, props).map(formatViolation) });
}

/**
 * Runs every stack's validations (guardrails included) before anything is written: on a failure it prints them all
 * and exits 1, so a failing app writes nothing.
 */
export function validateStacksOrExit(stacks: readonly TerraformStack[]): void {
  const failures = stacks.flatMap((stack) => {
    try {
      stack.runAllValidations();
      return [];
    } catch (error) {
      return [`stack "${stack.node.id}": ${(error as Error).message}`];
    }
  });
  if (failures.length === 0) return;
  process.stderr.write(`${failures.join("\n")}\n`);
  process.exit(1);
}
