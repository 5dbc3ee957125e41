import { TerraformStack } from "cdktf";
import { formatViolation } from "./engine";
import { checkSynth, CheckOptions } from "./check";
import { StackJson } from "./synth-view";

/**
 * Makes `stack` fail synthesis while any rule is broken. The check runs on the stack's own Terraform JSON, so it
 * also catches what escape hatches (`addOverride`) and hand-made constructs do.
 */
export function applyRules(stack: TerraformStack, options: CheckOptions = {}): void {
  stack.node.addValidation({
    validate: () => checkSynth(stack.toTerraform() as StackJson, options).findings.map(formatViolation),
  });
}

/**
 * Runs every stack's validations (the rules among them) and returns one message per failing stack, naming it;
 * [] when all pass. Pure: printing and the exit status are the app's business.
 */
export function stackValidationFailures(stacks: readonly TerraformStack[]): string[] {
  return stacks.flatMap((stack) => {
    try {
      stack.runAllValidations();
      return [];
    } catch (error) {
      return [`stack "${stack.node.id}": ${(error as Error).message}`];
    }
  });
}
