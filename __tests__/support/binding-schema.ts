import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * What the provider bindings (@cdktf/provider-aws, @cdktn/provider-aws) know of an argument: the generator writes
 * each resource's schema into its `synthesizeHclAttributes()` and each nested block's into a `<block>ToHclTerraform`
 * function, one entry per argument: `name: { value, isBlock, type, storageClassType }`.
 */
export interface ArgumentSchema {
  readonly isBlock: boolean;
  /** "simple", "list", "set", "map", "struct". */
  readonly type: string;
  /** The value's type ("string", "stringList", "boolean", ...) or, for a block, its list/struct class. */
  readonly storageClassType: string;
  /** A block's own arguments (the `ToHclTerraform` function its value is built by). */
  readonly block?: string;
}

/** One binding file's schemas: the resource's arguments ("" key) and each nested block's, by converter name. */
export type FileSchema = ReadonlyMap<string, ReadonlyMap<string, ArgumentSchema>>;

// Anchored at line starts, one field a line, as the generator prints them (an unanchored pattern takes seconds a file).
const ENTRY =
  /^[ \t]+(\w+): \{\n[ \t]*value: ([^\n]*),\n[ \t]*isBlock: (true|false),\n[ \t]*type: "(\w+)",\n[ \t]*storageClassType: "(\w+)",\n[ \t]*\}/gm;
const SCOPE = /^(?:function (\w+)ToHclTerraform\(|function \w+ToTerraform\(|    synthesizeHclAttributes\(\) \{)/gm;

/** Parses one binding file (`lib/<name>/index.js`). */
export function parseBindingFile(source: string): FileSchema {
  const starts = [...source.matchAll(SCOPE)].map((m) => ({
    at: m.index,
    name: m[1] ?? (m[0].startsWith("    ") ? "" : undefined),
  }));
  const converters = new Set(starts.flatMap((s) => (s.name ? [s.name] : [])));
  const schema = new Map<string, Map<string, ArgumentSchema>>();
  starts.forEach((scope, i) => {
    if (scope.name === undefined) return;
    const body = source.slice(scope.at, starts[i + 1]?.at ?? source.length);
    const args = new Map<string, ArgumentSchema>();
    for (const [, name, value, isBlock, type, storageClassType] of body.matchAll(ENTRY)) {
      const block = [...value.matchAll(/(\w+)ToHclTerraform\b/g)].map((m) => m[1]).find((f) => converters.has(f));
      args.set(name, { isBlock: isBlock === "true", type, storageClassType, ...(block ? { block } : {}) });
    }
    schema.set(scope.name, args);
  });
  return schema;
}

/** The provider bindings installed at `packageDir`: file schemas by Terraform type, and the AWS provider version. */
export class Bindings {
  private readonly files = new Map<string, FileSchema | undefined>();

  constructor(readonly packageDir: string) {}

  /** The AWS provider version the bindings were generated for (what their synth pins). */
  get providerVersion(): string {
    const source = readFileSync(join(this.packageDir, "lib", "provider", "index.js"), "utf8");
    const found = /providerVersion: ["']([^"']+)["']/.exec(source);
    if (found === null) throw new Error(`no providerVersion in ${this.packageDir}/lib/provider/index.js`);
    return found[1];
  }

  /**
   * The schema of a Terraform type: `aws_vpc`, `data.aws_ssm_parameter` or `provider.aws`; undefined when the
   * bindings have no such type.
   */
  schemaOf(kind: "resource" | "data" | "provider", type: string): FileSchema | undefined {
    const folder = kind === "provider" ? "provider" : kind === "data" ? `data-${type}` : type.replace(/^aws_/, "");
    const key = folder.replace(/_/g, "-");
    if (!this.files.has(key)) {
      const file = join(this.packageDir, "lib", key, "index.js");
      this.files.set(key, existsSync(file) ? parseBindingFile(readFileSync(file, "utf8")) : undefined);
    }
    return this.files.get(key);
  }
}

/** The bindings package a module specifier resolves to from this project. */
export function bindingsOf(packageName: string): Bindings {
  return new Bindings(dirname(require.resolve(`${packageName}/package.json`)));
}

/** An argument a Terraform JSON document sets: `aws_instance.root_block_device.volume_size`, `provider.aws.region`. */
export interface UsedArgument {
  readonly kind: "resource" | "data" | "provider";
  readonly type: string;
  /** The argument's path from the resource down through its blocks. */
  readonly path: readonly string[];
}

/** Terraform's own arguments, not the provider's: a provider block's `alias`, a resource's `count` and the like. */
const META_ARGUMENTS = {
  resource: new Set(["count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection", "//"]),
  data: new Set(["count", "for_each", "depends_on", "lifecycle", "provider", "//"]),
  provider: new Set(["alias"]),
};

/**
 * Every argument `json` (a cdktf stack's synth or a module's `main.tf.json`) sets on resources, data sources and
 * providers, blocks followed into their arguments, with each argument's schema in `bindings` (undefined where the
 * bindings have no such argument). A `dynamic` block counts as the block it makes.
 */
export function argumentsOf(
  json: Record<string, any>,
  bindings: Bindings,
): { used: UsedArgument; schema: ArgumentSchema | undefined }[] {
  const out: { used: UsedArgument; schema: ArgumentSchema | undefined }[] = [];
  const walk = (
    used: Omit<UsedArgument, "path">,
    file: FileSchema | undefined,
    scope: string | undefined,
    body: Record<string, any>,
    path: string[],
  ) => {
    const args = scope === undefined ? undefined : file?.get(scope);
    const visit = (name: string, value: unknown) => {
      const schema = args?.get(name);
      out.push({ used: { ...used, path: [...path, name] }, schema });
      if (schema?.isBlock !== true) return;
      for (const item of Array.isArray(value) ? value : [value])
        if (item !== null && typeof item === "object") walk(used, file, schema.block, item, [...path, name]);
    };
    for (const [name, value] of Object.entries(body)) {
      if (path.length === 0 && META_ARGUMENTS[used.kind].has(name)) continue;
      if (name === "dynamic")
        for (const [block, { content }] of Object.entries(value as Record<string, { content: unknown }>))
          visit(block, content);
      else visit(name, value);
    }
  };
  for (const kind of ["resource", "data"] as const)
    for (const [type, byName] of Object.entries((json[kind] ?? {}) as Record<string, Record<string, any>>))
      for (const body of Object.values(byName)) walk({ kind, type }, bindings.schemaOf(kind, type), "", body, []);
  for (const [type, configs] of Object.entries((json.provider ?? {}) as Record<string, any[]>))
    for (const body of configs) walk({ kind: "provider", type }, bindings.schemaOf("provider", type), "", body, []);
  return out;
}

/** `aws_instance.root_block_device.volume_size`, `data.aws_ssm_parameter.name`, `provider.aws.region`. */
export function argumentName(used: UsedArgument): string {
  return [used.kind === "resource" ? "" : `${used.kind}.`, used.type, ".", used.path.join(".")].join("");
}
