import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Construct } from "constructs";
import { App, TerraformStack } from "cdktf";

/** Terraform and AWS provider versions every generated module requires. */
export const MODULE_REQUIREMENTS = {
  /** 1.9: a variable's validation may refer to other variables. */
  terraform: ">= 1.9.0",
  /**
   * Planned here with 5.100.0; every argument the modules set is in the provider 6.11.0 and 6.66.0 schemas with the
   * same type (__tests__/provider6.test.ts), and a provider major is where arguments go: so up to, not including, 7.0.
   * docs/compatibility.md says how far each level is proven.
   */
  aws: { source: "hashicorp/aws", version: ">= 5.0, < 7.0" },
};

/** A generated module: file name → contents, in Terraform's standard module structure. */
export type ModuleFiles = Record<string, string>;

type Json = Record<string, unknown>;

/** Drops cdktf's `//` metadata keys, at any depth. */
function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Json)
        .filter(([k]) => k !== "//")
        .map(([k, v]) => [k, withoutMetadata(v)]),
    );
  }
  return value;
}

/**
 * Synthesizes `define` (constructs added to a provider-less stack) with cdktf and splits the result into a module's
 * files: `versions.tf.json`, `variables.tf.json`, `main.tf.json` (locals, resources, module calls), `outputs.tf.json`.
 * No backend and no provider block: the caller configures both.
 */
export function synthModule(define: (scope: Construct) => void): ModuleFiles {
  const outdir = mkdtempSync(join(tmpdir(), "tf-module-synth-"));
  try {
    const app = new App({ outdir, skipValidation: true });
    const stack = new TerraformStack(app, "module");
    define(stack);
    app.synth();
    const synthesized = withoutMetadata(
      JSON.parse(readFileSync(join(outdir, "stacks", "module", "cdk.tf.json"), "utf8")),
    ) as Json;
    const { variable, output, locals, resource, module, data } = synthesized;
    const files: ModuleFiles = {
      "versions.tf.json": render({
        terraform: {
          required_version: MODULE_REQUIREMENTS.terraform,
          required_providers: { aws: MODULE_REQUIREMENTS.aws },
        },
      }),
      "variables.tf.json": render({ variable }),
      "main.tf.json": render(
        Object.fromEntries(Object.entries({ locals, data, module, resource }).filter(([, v]) => v !== undefined)),
      ),
      "outputs.tf.json": render({ output }),
    };
    return files;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function render(doc: Json): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
