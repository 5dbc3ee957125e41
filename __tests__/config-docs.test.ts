import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { fieldRows, fillMarkedSections, inputJsonSchema, renderFieldTable } from "../modules/core/field-tables";
import { renderConfigReference, undocumentedFields } from "../modules/tools/config-docs/reference";
import { environmentSchema } from "../modules/environment/schema";

describe("config reference in docs/configuration.md", () => {
  const page = readFileSync(join(__dirname, "..", "docs", "configuration.md"), "utf8");

  it("matches the schema (run `npm run docs:config` after changing a field)", () => {
    expect(fillMarkedSections(page, renderConfigReference())).toBe(page);
  });

  it("documents every field of an environment in one of its tables", () => {
    expect(undocumentedFields()).toEqual([]);
  });

  it("gives every field a description", () => {
    const rows = fieldRows(inputJsonSchema(environmentSchema));
    expect(rows.filter((r) => r.meaning === "").map((r) => r.field)).toEqual([]);
  });
});

describe("field tables", () => {
  const schema = z.strictObject({
    name: z.string().describe("what it is called"),
    size: z.int().default(4).describe("how big"),
    mode: z.enum(["a", "b"]).default("a").describe("which way"),
    nested: z
      .strictObject({ on: z.boolean().default(false).describe("switch") })
      .prefault({})
      .describe("group"),
    optionalBlock: z
      .strictObject({ x: z.string().describe("ex") })
      .optional()
      .meta({ description: "present or not", defaultLabel: "none here" }),
    backend: z
      .discriminatedUnion("type", [
        z.strictObject({ type: z.literal("s3"), bucket: z.string().describe("bucket") }),
        z.strictObject({ type: z.literal("local") }),
      ])
      .optional()
      .describe("state"),
  });

  it("flattens nested fields, shows defaults and required fields, and tags union variants", () => {
    expect(fieldRows(inputJsonSchema(schema))).toEqual([
      { field: "name", type: "string", default: "required", meaning: "what it is called" },
      { field: "size", type: "number", default: "`4`", meaning: "how big" },
      { field: "mode", type: "`a`, `b`", default: '`"a"`', meaning: "which way" },
      { field: "nested.on", type: "boolean", default: "`false`", meaning: "switch" },
      { field: "optionalBlock", type: "object", default: "none here", meaning: "present or not" },
      { field: "optionalBlock.x", type: "string", default: "required", meaning: "ex" },
      { field: "backend", type: "`s3`, `local`", default: "none", meaning: "state" },
      { field: "backend.bucket", type: "string", default: "required", meaning: "(s3) bucket" },
    ]);
  });

  it("escapes pipes and fills only the marked section", () => {
    const table = renderFieldTable([{ field: "f", type: "a | b", default: "none", meaning: "x" }]);
    expect(table).toContain("| `f` | a \\| b | none | x |");
    expect(fillMarkedSections("before\n<!-- s -->\nold\n<!-- /s -->\nafter", { s: "new" })).toBe(
      "before\n<!-- s -->\nnew\n<!-- /s -->\nafter",
    );
    expect(() => fillMarkedSections("no markers", { s: "new" })).toThrow(/no <!-- s -->/);
  });
});
