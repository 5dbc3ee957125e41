import { z } from "zod";

/** A JSON Schema node as `z.toJSONSchema` writes it, with the project's own metadata (`typeLabel`, `defaultLabel`). */
interface SchemaNode {
  readonly type?: string;
  readonly description?: string;
  readonly typeLabel?: string;
  readonly defaultLabel?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly items?: SchemaNode;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: SchemaNode | boolean;
  readonly anyOf?: readonly SchemaNode[];
  readonly oneOf?: readonly SchemaNode[];
}

/** One row of a config field table. */
export interface FieldRow {
  readonly field: string;
  readonly type: string;
  readonly default: string;
  readonly meaning: string;
}

/** The JSON Schema of a zod schema, as a config file is written (fields with defaults are optional). */
export function inputJsonSchema(schema: z.ZodType): SchemaNode {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as SchemaNode;
}

/**
 * The rows documenting `keys` of an object schema (every key when omitted), depth first: a nested object's fields
 * follow it as `parent.child`; an object whose presence means something (no default) gets a row of its own; the
 * variants of a tagged union (`type`) list their fields with the variant's tag.
 */
export function fieldRows(node: SchemaNode, keys?: readonly string[], prefix = ""): FieldRow[] {
  const properties = node.properties ?? {};
  return (keys ?? Object.keys(properties)).flatMap((key) => {
    const child = properties[key];
    if (child === undefined) throw new Error(`no field "${prefix}${key}" in the schema`);
    return rowsOf(child, `${prefix}${key}`, node.required?.includes(key) === true);
  });
}

function rowsOf(node: SchemaNode, field: string, required: boolean): FieldRow[] {
  const variants = taggedVariants(node);
  if (variants !== undefined) {
    return [
      row(node, field, required),
      ...variants.flatMap(([tag, variant]) =>
        fieldRows(
          variant,
          Object.keys(variant.properties ?? {}).filter((k) => k !== "type"),
          `${field}.`,
        ).map((r) => ({ ...r, meaning: `(${tag}) ${r.meaning}` })),
      ),
    ];
  }
  if (isStruct(node)) {
    const own = node.default === undefined && node.typeLabel === undefined ? [row(node, field, required)] : [];
    return [...own, ...fieldRows(node, undefined, `${field}.`)];
  }
  return [row(node, field, required)];
}

function row(node: SchemaNode, field: string, required: boolean): FieldRow {
  return { field, type: typeOf(node), default: defaultOf(node, required), meaning: node.description ?? "" };
}

/** An object with named fields (not a string map). */
function isStruct(node: SchemaNode): boolean {
  return node.type === "object" && node.properties !== undefined && node.typeLabel === undefined;
}

function taggedVariants(node: SchemaNode): Array<[string, SchemaNode]> | undefined {
  const members = node.oneOf ?? node.anyOf;
  if (members === undefined || !members.every((m) => m.properties?.type?.const !== undefined)) return undefined;
  return members.map((m) => [String(m.properties!.type!.const), m]);
}

function typeOf(node: SchemaNode): string {
  if (node.typeLabel !== undefined) return node.typeLabel;
  if (node.enum !== undefined) return node.enum.map((v) => `\`${String(v)}\``).join(", ");
  if (node.type === "array") return `${node.items === undefined ? "value" : typeOf(node.items)}[]`;
  if (node.type === "integer" || node.type === "number") return "number";
  if (node.type === "object" && node.properties === undefined) return "map";
  if (node.type === "object") return "object";
  const variants = taggedVariants(node);
  if (variants !== undefined) return variants.map(([tag]) => `\`${tag}\``).join(", ");
  return node.type ?? "value";
}

function defaultOf(node: SchemaNode, required: boolean): string {
  if (node.defaultLabel !== undefined) return node.defaultLabel;
  if (node.default !== undefined) return `\`${JSON.stringify(node.default)}\``;
  return required ? "required" : "none";
}

/** The rows as a Markdown table. */
export function renderFieldTable(rows: readonly FieldRow[]): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  return [
    "| field | type | default | meaning |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => `| \`${r.field}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.meaning)} |`),
  ].join("\n");
}

/** Replaces the text between `<!-- NAME -->` and `<!-- /NAME -->` markers with each section's text. */
export function fillMarkedSections(document: string, sections: Readonly<Record<string, string>>): string {
  return Object.entries(sections).reduce((text, [name, body]) => {
    const start = `<!-- ${name} -->`;
    const end = `<!-- /${name} -->`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`no ${start} ... ${end} section in the document`);
    return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
  }, document);
}
