import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Construct } from "constructs";
import { App, TerraformResource, TerraformStack } from "cdktf";
import { BlockTypes, JsonObject, renderHcl } from "./hcl";

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

/** A module as Terraform JSON (cdktf's synth, metadata dropped), and the nested block types of its resources. */
export interface ModuleDocument {
  readonly document: {
    readonly variable: Record<string, JsonObject>;
    readonly output: Record<string, JsonObject>;
    readonly locals?: JsonObject;
    readonly resource: Record<string, Record<string, JsonObject>>;
    readonly module?: Record<string, JsonObject>;
    readonly data?: Record<string, Record<string, JsonObject>>;
  };
  readonly blockTypes: BlockTypes;
}

/** Drops cdktf's `//` metadata keys, at any depth. */
function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as JsonObject)
        .filter(([k]) => k !== "//")
        .map(([k, v]) => [k, withoutMetadata(v)]),
    );
  }
  return value;
}

/**
 * Which arguments of each resource type are nested blocks, as the provider bindings declare them (`isBlock`): Terraform
 * JSON writes a block and an object argument alike, native HCL does not.
 */
function blockTypesOf(scope: Construct): BlockTypes {
  const types: Record<string, Set<string>> = {};
  for (const node of scope.node.findAll()) {
    if (!TerraformResource.isTerraformResource(node)) continue;
    const resource = node as TerraformResource;
    // Protected in cdktf's typings; it is what cdktf's own HCL output reads.
    const attributes = (
      resource as unknown as { synthesizeHclAttributes(): Record<string, { isBlock?: boolean } | undefined> }
    ).synthesizeHclAttributes();
    const names = (types[resource.terraformResourceType] ??= new Set());
    for (const [name, attribute] of Object.entries(attributes)) if (attribute?.isBlock === true) names.add(name);
  }
  return types;
}

/**
 * Synthesizes `define` (constructs added to a provider-less stack) with cdktf: the module's Terraform JSON. No backend
 * and no provider block: the caller configures both.
 */
export function synthModuleDocument(define: (scope: Construct) => void): ModuleDocument {
  const outdir = mkdtempSync(join(tmpdir(), "tf-module-synth-"));
  try {
    const app = new App({ outdir, skipValidation: true });
    const stack = new TerraformStack(app, "module");
    define(stack);
    app.synth();
    const { variable, output, locals, resource, module, data } = withoutMetadata(
      JSON.parse(readFileSync(join(outdir, "stacks", "module", "cdk.tf.json"), "utf8")),
    ) as ModuleDocument["document"];
    return { document: { variable, output, locals, resource, module, data }, blockTypes: blockTypesOf(stack) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** A module's files, as native HCL: `versions.tf`, `variables.tf`, `main.tf` (locals, resources, module calls), `outputs.tf`. */
export function moduleFiles({ document, blockTypes }: ModuleDocument): ModuleFiles {
  const { variable, output, locals, resource, module, data } = document;
  const defined = (doc: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== undefined)) as JsonObject;
  return {
    "versions.tf": renderHcl({
      terraform: {
        required_version: MODULE_REQUIREMENTS.terraform,
        required_providers: { aws: MODULE_REQUIREMENTS.aws },
      },
    }),
    "variables.tf": renderHcl({ variable }),
    "main.tf": renderHcl(defined({ locals, data, module, resource }), blockTypes),
    "outputs.tf": renderHcl({ output }),
  };
}

/** `define`'s module as files (see moduleFiles). */
export function synthModule(define: (scope: Construct) => void): ModuleFiles {
  return moduleFiles(synthModuleDocument(define));
}
