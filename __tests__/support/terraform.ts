import { existsSync } from "node:fs";
import { join } from "node:path";
import { detectTerraform, TerraformToolchain } from "../../modules/tools/pipeline/terraform";
import { RUN_DIR_VARIABLE } from "./run-cache";

/** The terraform of this jest run that lends running AWS providers to it (run-dir.setup.js), when there is one. */
function reattachingTerraform(): string | undefined {
  const runDir = process.env[RUN_DIR_VARIABLE];
  const launcher = runDir === undefined ? undefined : join(runDir, "bin", "terraform");
  return launcher !== undefined && existsSync(launcher) ? launcher : undefined;
}

/**
 * `describe` for tests that run real terraform. Where terraform or the provider mirror is missing they skip with
 * one line, except in CI (CI=true), where a missing piece fails the run loudly.
 */
export function describeWithTerraform(name: string, body: (toolchain: () => TerraformToolchain) => void): void {
  describeNeeding(name, undefined, body);
}

/**
 * `describeWithTerraform` for tests that need one more tool: `missing` says why it is not here (undefined when it is).
 * Skips with one line locally; under CI=true the missing piece fails the run.
 */
export function describeNeeding(
  name: string,
  missing: string | undefined,
  body: (toolchain: () => TerraformToolchain) => void,
): void {
  const detected = detectTerraform({
    binary: process.env.TERRAFORM_BINARY ?? reattachingTerraform(),
    pluginMirror: process.env.TF_PLUGIN_MIRROR,
    env: process.env,
  });
  const problem =
    detected.missing ??
    (detected.toolchain?.pluginMirror === undefined
      ? "no provider mirror (set TF_PLUGIN_MIRROR): plans here must not reach the registry"
      : missing);
  if (problem !== undefined) {
    if (process.env.CI === "true") {
      describe(name, () => {
        it("has terraform, the provider mirror and what else it needs (required in CI)", () => {
          throw new Error(`CI=true but ${problem}`);
        });
      });
      return;
    }
    process.stdout.write(`skipping "${name}": ${problem}\n`);
    describe.skip(name, () => it("needs terraform", () => undefined));
    return;
  }
  const { toolchain } = detected;
  describe(name, () => body(() => toolchain as TerraformToolchain));
}
