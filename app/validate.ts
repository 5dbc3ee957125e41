import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TerraformStack } from "cdktf";
import { stackValidationFailures } from "../modules/rules/synth";

/**
 * Runs every stack's validations (the rules among them) on what the App synthesized into `staging`, before anything
 * reaches the output dir: on a failure it prints them all and exits 1, so a failing app writes nothing.
 */
export function validateStacksOrExit(stacks: readonly TerraformStack[], staging: string): void {
  const manifest = JSON.parse(readFileSync(join(staging, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const failures = stacks.flatMap((stack) => {
    const written = JSON.parse(
      readFileSync(join(staging, manifest.stacks[stack.node.id].synthesizedStackPath), "utf8"),
    );
    return withToTerraform(stack, written, () => stackValidationFailures([stack]));
  });
  if (failures.length === 0) return;
  process.stderr.write(`${failures.join("\n")}\n`);
  process.exit(1);
}

/**
 * Runs `check` while the stack's `toTerraform()` answers with `written`, the JSON synthesized into the staging dir:
 * the validations read exactly what was written, and no token is resolved a third time (prepareStack and synth did;
 * ~100 ms saved).
 */
function withToTerraform<T>(stack: TerraformStack, written: unknown, check: () => T): T {
  const own = Object.getOwnPropertyDescriptor(stack, "toTerraform");
  stack.toTerraform = () => written;
  try {
    return check();
  } finally {
    if (own === undefined) delete (stack as { toTerraform?: unknown }).toTerraform;
    else Object.defineProperty(stack, "toTerraform", own);
  }
}
