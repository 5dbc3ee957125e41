import { TerraformStack } from "cdktf";
import { formatViolation } from "./engine";
import { checkSynth, CheckOptions } from "./check";
import { StackJson } from "./synth-view";

/** A stack's JSON as synthesized, while `stackValidationFailures` validates it: the rules read it, not a new resolve. */
const alreadySynthesized = new WeakMap<TerraformStack, unknown>();

/**
 * Makes `stack` fail synthesis while any rule is broken. The check runs on the stack's own Terraform JSON, so it
 * also catches what escape hatches (`addOverride`) and hand-made constructs do.
 */
export function applyRules(stack: TerraformStack, options: CheckOptions = {}): void {
  stack.node.addValidation({
    validate: () =>
      checkSynth((alreadySynthesized.get(stack) ?? stack.toTerraform()) as StackJson, options).findings.map(
        formatViolation,
      ),
  });
}

/**
 * Runs every stack's validations (the rules among them) and returns one message per failing stack, naming it;
 * [] when all pass. With `synthesized` (a stack's JSON as already written, e.g. read back from `cdk.tf.json`), the
 * rules check that JSON instead of resolving every token of the stack again. Pure: printing and the exit status are
 * the app's business.
 */
export function stackValidationFailures(
  stacks: readonly TerraformStack[],
  synthesized?: (stack: TerraformStack) => unknown,
): string[] {
  return stacks.flatMap((stack) => {
    if (synthesized !== undefined) alreadySynthesized.set(stack, synthesized(stack));
    try {
      stack.runAllValidations();
      return [];
    } catch (error) {
      return [`stack "${stack.node.id}": ${(error as Error).message}`];
    } finally {
      alreadySynthesized.delete(stack);
    }
  });
}
