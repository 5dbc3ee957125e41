import { detectTerraform, TerraformToolchain } from "../../modules/pipeline/terraform";

/**
 * `describe` for tests that run real terraform. Where terraform or the provider mirror is missing they skip with
 * one line, except in CI (CI=true), where a missing piece fails the run loudly.
 */
export function describeWithTerraform(name: string, body: (toolchain: () => TerraformToolchain) => void): void {
  const { toolchain, missing } = detectTerraform({
    binary: process.env.TERRAFORM_BINARY,
    pluginMirror: process.env.TF_PLUGIN_MIRROR,
    env: process.env,
  });
  const problem =
    missing ??
    (toolchain?.pluginMirror === undefined
      ? "no provider mirror (set TF_PLUGIN_MIRROR): plans here must not reach the registry"
      : undefined);
  if (problem !== undefined) {
    if (process.env.CI === "true") {
      describe(name, () => {
        it("has terraform and the provider mirror (required in CI)", () => {
          throw new Error(`CI=true but ${problem}`);
        });
      });
      return;
    }
    process.stdout.write(`skipping "${name}": ${problem}\n`);
    describe.skip(name, () => it("needs terraform", () => undefined));
    return;
  }
  describe(name, () => body(() => toolchain as TerraformToolchain));
}
