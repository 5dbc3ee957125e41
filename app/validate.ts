import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TerraformStack } from "cdktf";
import { stackValidationFailures } from "../modules/rules/synth";

/**
 * Runs every stack's validations (the rules among them) on what the App synthesized into `staging`, before anything
 * reaches the output dir: on a failure it prints them all and exits 1, so a failing app writes nothing. The rules
 * read the JSON written there, so no token is resolved a third time (cdktf's prepareStack and synth did; ~100 ms).
 */
export function validateStacksOrExit(stacks: readonly TerraformStack[], staging: string): void {
  const manifest = JSON.parse(readFileSync(join(staging, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const failures = stackValidationFailures(stacks, (stack) =>
    JSON.parse(readFileSync(join(staging, manifest.stacks[stack.node.id].synthesizedStackPath), "utf8")),
  );
  if (failures.length === 0) return;
  process.stderr.write(`${failures.join("\n")}\n`);
  process.exit(1);
}
