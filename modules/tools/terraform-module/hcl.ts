/**
 * Terraform's JSON configuration syntax written out as native HCL, laid out as `terraform fmt` lays it out (two-space
 * indents, `=` aligned across consecutive one-line arguments), so the generated modules read like hand-written ones
 * and pass `terraform fmt -check`. Pure: JSON in, text out. The meaning is kept exactly: a JSON string is a template,
 * so `"${expr}"` becomes the bare expression, other strings quoted templates (or heredocs when they span lines).
 */

/** A value of Terraform's JSON configuration syntax. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** An object of Terraform's JSON configuration syntax: a block's body. */
export type JsonObject = { [key: string]: JsonValue };

/** The nested block types (not arguments) of each resource type, e.g. `aws_instance` → root_block_device. */
export type BlockTypes = Record<string, ReadonlySet<string>>;

const INDENT = "  ";
/** A one-line list or object longer than this is written one item a line. */
const MAX_INLINE = 100;

/** How a string is read: a template (most arguments), a literal (defaults, descriptions), or a reference list. */
type StringKind = "template" | "literal" | "reference";

/** Index of the `}` closing the `${`/`%{` whose body starts at `start`, skipping quoted strings (and their templates). */
function closingBrace(text: string, start: number): number {
  let depth = 1;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') i = closingQuote(text, i + 1);
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  throw new Error(`unterminated template interpolation in ${JSON.stringify(text.slice(start - 2, start + 60))}`);
}

function closingQuote(text: string, start: number): number {
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === '"') return i;
    else if (text.startsWith("$${", i) || text.startsWith("%%{", i)) i += 2;
    else if (text.startsWith("${", i) || text.startsWith("%{", i)) i = closingBrace(text, i + 2);
  }
  throw new Error(`unterminated string in ${JSON.stringify(text.slice(start - 1, start + 60))}`);
}

/** A template split into literal text and `${...}`/`%{...}` sequences (kept verbatim, escapes `$${` included). */
export function templateParts(text: string): Array<{ literal: string } | { sequence: string }> {
  const parts: Array<{ literal: string } | { sequence: string }> = [];
  let literal = "";
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith("$${", i) || text.startsWith("%%{", i)) {
      literal += text.slice(i, i + 3);
      i += 2;
    } else if (text.startsWith("${", i) || text.startsWith("%{", i)) {
      if (literal !== "") parts.push({ literal });
      literal = "";
      const end = closingBrace(text, i + 2);
      parts.push({ sequence: text.slice(i, end + 1) });
      i = end;
    } else {
      literal += text[i];
    }
  }
  if (literal !== "") parts.push({ literal });
  return parts;
}

/**
 * An expression spaced as `terraform fmt` spaces it, where the generator's expressions differ (they embed JSON lists):
 * one space after each comma, none between a name and `(` (fmt reads `in (x)` as a call and writes `in(x)`). The text
 * of strings inside is kept; their `${...}` sequences are spaced the same way.
 */
export function tidyExpression(expression: string): string {
  let out = "";
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === '"') {
      const end = closingQuote(expression, i + 1);
      out += `"${tidyTemplate(expression.slice(i + 1, end))}"`;
      i = end;
    } else if (c === "," && expression[i + 1] !== undefined && !/\s/.test(expression[i + 1])) {
      out += ", ";
    } else if (c === " " && expression[i + 1] === "(" && /[A-Za-z0-9_]$/.test(out)) {
      // dropped: a name directly followed by "("
    } else {
      out += c;
    }
  }
  return out;
}

/** A template with each `${...}`/`%{...}` sequence's expression tidied; its literal text unchanged. */
function tidyTemplate(text: string): string {
  return templateParts(text)
    .map((p) => ("literal" in p ? p.literal : `${p.sequence.slice(0, 2)}${tidyExpression(p.sequence.slice(2, -1))}}`))
    .join("");
}

const escapeQuoted = (text: string) =>
  text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");

/** A string value as HCL lines (more than one for a heredoc). */
function stringLines(text: string, kind: StringKind): string[] {
  if (kind === "reference") return [text];
  if (kind === "literal") return [`"${escapeQuoted(text).replace(/([$%])\{/g, "$1$1{")}"`];
  const parts = templateParts(text);
  if (parts.length === 1 && "sequence" in parts[0] && parts[0].sequence.startsWith("${"))
    return [tidyExpression(parts[0].sequence.slice(2, -1).trim())];
  const multiline = parts.some((p) => "literal" in p && p.literal.includes("\n"));
  if (multiline && text.endsWith("\n")) {
    const lines = text.slice(0, -1).split("\n");
    const marker = ["EOT", "EOF", "END_OF_TEXT"].find((m) => !lines.includes(m)) as string;
    return [`<<${marker}`, ...tidyTemplate(text).slice(0, -1).split("\n"), marker];
  }
  return [`"${parts.map((p) => ("literal" in p ? escapeQuoted(p.literal) : tidyTemplate(p.sequence))).join("")}"`];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const KEYWORDS = new Set(["true", "false", "null", "for", "in", "if"]);
const objectKey = (key: string) => (IDENTIFIER.test(key) && !KEYWORDS.has(key) ? key : JSON.stringify(key));

/** A value as HCL lines: the first goes after `name = `, the others are already indented to `depth`. */
function valueLines(value: JsonValue, kind: StringKind, depth: number): string[] {
  if (value === null || typeof value === "boolean" || typeof value === "number") return [String(value)];
  if (typeof value === "string") return stringLines(value, kind);
  const pad = INDENT.repeat(depth + 1);
  if (Array.isArray(value)) {
    const items = value.map((v) => valueLines(v, kind, depth + 1));
    const inline = `[${items.map((l) => l[0]).join(", ")}]`;
    if (items.every((l) => l.length === 1 && !l[0].startsWith("<<")) && inline.length <= MAX_INLINE) return [inline];
    return [
      "[",
      ...items.flatMap((l) => [`${pad}${l[0]}`, ...l.slice(1)].map((x, i, a) => (i === a.length - 1 ? `${x},` : x))),
      `${INDENT.repeat(depth)}]`,
    ];
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return ["{}"];
  const rendered = entries.map(([k, v]) => ({ name: objectKey(k), lines: valueLines(v, kind, depth + 1) }));
  const inline = `{ ${rendered.map((e) => `${e.name} = ${e.lines[0]}`).join(", ")} }`;
  if (entries.length === 1 && rendered[0].lines.length === 1 && inline.length <= MAX_INLINE) return [inline];
  return ["{", ...alignedArguments(rendered, depth + 1), `${INDENT.repeat(depth)}}`];
}

/** `name = value` lines at `depth`, with `=` aligned across each run of one-line values (heredocs count as one). */
function alignedArguments(args: Array<{ name: string; lines: string[] }>, depth: number): string[] {
  const pad = INDENT.repeat(depth);
  const oneLine = (a: { lines: string[] }) => a.lines.length === 1 || a.lines[0].startsWith("<<");
  const out: string[] = [];
  let run: Array<{ name: string; lines: string[] }> = [];
  const flush = () => {
    const width = Math.max(0, ...run.map((a) => a.name.length));
    for (const a of run) out.push(`${pad}${a.name.padEnd(width)} = ${a.lines[0]}`, ...a.lines.slice(1));
    run = [];
  };
  for (const arg of args) {
    if (oneLine(arg)) {
      run.push(arg);
      continue;
    }
    flush();
    out.push(`${pad}${arg.name} = ${arg.lines[0]}`, ...arg.lines.slice(1));
  }
  flush();
  return out;
}

/** What a block's body holds: which keys are nested blocks, and how its strings read. */
interface BodySchema {
  readonly blocks?: ReadonlySet<string>;
  /** Schemas of nested blocks by type (default: every string a template, no deeper blocks). */
  readonly nested?: Readonly<Record<string, BodySchema>>;
  /** Arguments whose strings are literals or references rather than templates. */
  readonly kinds?: Readonly<Record<string, StringKind>>;
}

const CONDITION: BodySchema = {};
const LIFECYCLE: BodySchema = {
  blocks: new Set(["precondition", "postcondition"]),
  kinds: { ignore_changes: "reference", replace_triggered_by: "reference" },
};
/** Meta-arguments first, then arguments, then blocks, then depends_on and lifecycle: the Terraform style guide's order. */
const LEADING = ["count", "for_each", "provider", "source", "version"];
const TRAILING = ["depends_on"];

/** A `dynamic "<type>"` block: its `for_each`, and the `content` block. */
const DYNAMIC: BodySchema = { blocks: new Set(["content"]) };

function resourceSchema(blocks: ReadonlySet<string> | undefined): BodySchema {
  return {
    blocks: new Set([...(blocks ?? []), "lifecycle", "dynamic"]),
    nested: { lifecycle: LIFECYCLE },
    kinds: { depends_on: "reference", provider: "reference" },
  };
}

/** A block: `header {`, its body (arguments, then nested blocks, a blank line between groups), `}`. */
function blockLines(header: string, body: JsonObject, schema: BodySchema, depth: number): string[] {
  const keys = Object.keys(body);
  const isBlock = (k: string) => schema.blocks?.has(k) === true && body[k] !== null && typeof body[k] === "object";
  const argument = (k: string) => ({
    name: objectKey(k),
    lines: valueLines(body[k], schema.kinds?.[k] ?? "template", depth + 1),
  });
  const groups: string[][] = [
    alignedArguments(keys.filter((k) => LEADING.includes(k) && !isBlock(k)).map(argument), depth + 1),
    alignedArguments(
      keys.filter((k) => !LEADING.includes(k) && !TRAILING.includes(k) && !isBlock(k)).map(argument),
      depth + 1,
    ),
    ...keys.filter((k) => isBlock(k) && k !== "lifecycle").flatMap((k) => nestedBlocks(k, body[k], schema, depth + 1)),
    alignedArguments(keys.filter((k) => TRAILING.includes(k)).map(argument), depth + 1),
    ...(isBlock("lifecycle") ? nestedBlocks("lifecycle", body.lifecycle, schema, depth + 1) : []),
  ].filter((g) => g.length > 0);
  const pad = INDENT.repeat(depth);
  if (groups.length === 0) return [`${pad}${header} {}`];
  return [`${pad}${header} {`, ...groups.flatMap((g, i) => (i === 0 ? g : ["", ...g])), `${pad}}`];
}

function nestedBlocks(type: string, value: JsonValue, parent: BodySchema, depth: number): string[][] {
  // JSON's `"dynamic": { "<type>": { for_each, content } }` is HCL's `dynamic "<type>" { ... }`.
  if (type === "dynamic")
    return Object.entries(value as JsonObject).map(([of, spec]) =>
      blockLines(`dynamic "${of}"`, spec as JsonObject, DYNAMIC, depth),
    );
  const schema = parent.nested?.[type] ?? CONDITION;
  const bodies = (Array.isArray(value) ? value : [value]) as JsonObject[];
  return bodies.map((b) => blockLines(type, b, schema, depth));
}

const VARIABLE: BodySchema = {
  blocks: new Set(["validation"]),
  kinds: { type: "reference", default: "literal", description: "literal" },
};
const OUTPUT: BodySchema = {
  blocks: new Set(["precondition"]),
  kinds: { description: "literal", depends_on: "reference" },
};
const MODULE_CALL: BodySchema = { kinds: { source: "literal", version: "literal", depends_on: "reference" } };
const TERRAFORM: BodySchema = {
  blocks: new Set(["required_providers"]),
  nested: { required_providers: { kinds: {} } },
  kinds: { required_version: "literal" },
};

/** Literal strings throughout (the `terraform` block takes no expressions). */
function literalStrings(value: JsonValue): JsonValue {
  if (typeof value === "string") return value.replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
  if (Array.isArray(value)) return value.map(literalStrings);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literalStrings(v)]));
  return value;
}

/**
 * A Terraform JSON document (`terraform`, `variable`, `locals`, `data`, `module`, `resource`, `output` at the top) as
 * native HCL. `blockTypes` names each resource type's nested blocks, which JSON cannot tell from object arguments.
 */
export function renderHcl(doc: JsonObject, blockTypes: BlockTypes = {}): string {
  const blocks: string[][] = [];
  const named = (section: string) => Object.entries((doc[section] ?? {}) as Record<string, JsonObject>);
  if (doc.terraform !== undefined)
    blocks.push(blockLines("terraform", literalStrings(doc.terraform) as JsonObject, TERRAFORM, 0));
  for (const [name, body] of named("variable")) blocks.push(blockLines(`variable "${name}"`, body, VARIABLE, 0));
  if (doc.locals !== undefined) blocks.push(blockLines("locals", doc.locals as JsonObject, {}, 0));
  for (const section of ["data", "resource"])
    for (const [type, byName] of named(section))
      for (const [name, body] of Object.entries(byName as Record<string, JsonObject>))
        blocks.push(blockLines(`${section} "${type}" "${name}"`, body, resourceSchema(blockTypes[type]), 0));
  for (const [name, body] of named("module")) blocks.push(blockLines(`module "${name}"`, body, MODULE_CALL, 0));
  for (const [name, body] of named("output")) blocks.push(blockLines(`output "${name}"`, body, OUTPUT, 0));
  const unknown = Object.keys(doc).filter(
    (k) => !["terraform", "variable", "locals", "data", "resource", "module", "output"].includes(k),
  );
  if (unknown.length > 0) throw new Error(`renderHcl: no HCL rendering for top-level ${unknown.join(", ")}`);
  return `${blocks.map((b) => b.join("\n")).join("\n\n")}\n`;
}
