import { TerraformStack } from "cdktf";
import { stackValidationFailures } from "../modules/rules/synth";

/**
 * Runs every stack's validations (the rules among them) before anything is written: on a failure it prints them all
 * and exits 1, so a failing app writes nothing.
 */
export function validateStacksOrExit(stacks: readonly TerraformStack[]): void {
  const failures = stackValidationFailures(stacks);
  if (failures.length === 0) return;
  process.stderr.write(`${failures.join("\n")}\n`);
  process.exit(1);
}
