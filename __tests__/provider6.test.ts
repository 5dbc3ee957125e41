import { moduleDocuments, TERRAFORM_MODULES } from "../modules/tools/terraform-module/packages";
import { argumentName, argumentsOf, bindingsOf, parseBindingFile } from "./support/binding-schema";
import { PROVIDER6_CHANGES } from "./support/provider6-changes";
import { DOCUMENTED_VARIANTS, synthOf } from "./support/variants";

// AWS provider 6 cannot run here (the offline mirror holds 5.100.0 only), so what the project sets is checked against
// the schemas the provider 6 bindings were generated from: @cdktf/provider-aws 21.9.1 (AWS provider 6.11.0) and
// @cdktn/provider-aws 25.7.0 (6.66.0), beside @cdktf/provider-aws 20.1.0 (5.100.0, the one every plan here runs).

const today = bindingsOf("@cdktf/provider-aws");
const provider6 = [bindingsOf("@cdktf/provider-aws-v21"), bindingsOf("@cdktn/provider-aws")];
const modules = moduleDocuments();

/** Every Terraform JSON document the project makes: both HCL modules and every stack of every documented variant. */
const documents: [string, Record<string, any>][] = [
  ...TERRAFORM_MODULES.map((name): [string, Record<string, any>] => [
    `HCL module ${name}`,
    modules[name].document as Record<string, any>,
  ]),
  ...Object.keys(DOCUMENTED_VARIANTS).flatMap((variant) =>
    Object.entries(synthOf(variant)).map(([stack, json]): [string, Record<string, any>] => [
      `${variant} ${stack}`,
      json as Record<string, any>,
    ]),
  ),
];

/** `where: argument → schema` for every argument a document sets, per bindings. */
function schemasIn(bindings: ReturnType<typeof bindingsOf>, json: Record<string, any>): Record<string, unknown> {
  return Object.fromEntries(argumentsOf(json, bindings).map(({ used, schema }) => [argumentName(used), schema]));
}

it("reads the bindings as provider 5.100.0 and 6.x schemas", () => {
  expect([today, ...provider6].map((b) => b.providerVersion)).toEqual(["5.100.0", "6.11.0", "6.66.0"]);
});

describe.each(documents)("%s", (_, json) => {
  it("sets only arguments that provider 6 has with provider 5.100.0's type", () => {
    const before = schemasIn(today, json);
    expect(Object.keys(before).length).toBeGreaterThan(0);
    // Every argument is known to the bindings every plan here runs with, so the reader misses nothing.
    expect(Object.entries(before).filter(([, schema]) => schema === undefined)).toEqual([]);
    for (const bindings of provider6) expect(schemasIn(bindings, json)).toEqual(before);
  });
});

describe("what provider 6.0.0 changed on the types the project uses (its upgrade guide)", () => {
  const everything = documents.map(([, json]) => json);
  const setAnywhere = new Set(
    everything.flatMap((json) => argumentsOf(json, today).map(({ used }) => argumentName(used))),
  );
  const text = JSON.stringify(everything);

  it.each(PROVIDER6_CHANGES.map((c) => [`${c.kind === "data" ? "data." : ""}${c.type}.${c.argument}`, c]))(
    "%s",
    (name, change) => {
      const argumentIn = (b: ReturnType<typeof bindingsOf>) =>
        b.schemaOf(change.kind, change.type)?.get("")?.has(change.argument);
      if (change.check === "removed") {
        expect(argumentIn(today)).toBe(true);
        for (const bindings of provider6)
          expect([bindings.providerVersion, argumentIn(bindings)]).toEqual([bindings.providerVersion, false]);
      }
      if (change.check === "not-read") {
        const reads = new RegExp(
          `\\b${change.kind === "data" ? "data\\." : ""}${change.type}\\.[\\w-]+\\.${change.argument}\\b`,
        );
        expect(text).not.toMatch(reads);
      } else expect(setAnywhere.has(name)).toBe(false);
    },
  );

  it("would see a removed argument set (negative control)", () => {
    const old = { resource: { aws_eip: { nat: { vpc: true, tags: {} } } } };
    const unknown = provider6.map((b) =>
      argumentsOf(old, b)
        .filter((a) => a.schema === undefined)
        .map((a) => argumentName(a.used)),
    );
    expect(unknown).toEqual([["aws_eip.vpc"], ["aws_eip.vpc"]]);
    expect(argumentsOf(old, today).every((a) => a.schema !== undefined)).toBe(true);
  });
});

it("parseBindingFile reads arguments and nested blocks, whichever framework the bindings import", () => {
  const entry = (name: string, value: string, isBlock: boolean, type: string, storage: string) =>
    `            ${name}: {\n                value: ${value},\n                isBlock: ${isBlock},\n                type: "${type}",\n                storageClassType: "${storage}",\n            },\n`;
  const source = [
    "function thingRootToTerraform(struct) {\n    return {};\n}\n",
    `function thingRootToHclTerraform(struct) {\n    const attrs = {\n${entry("size", "cdktn.numberToHclTerraform(struct.size)", false, "simple", "number")}    };\n}\n`,
    `class Thing {\n    synthesizeHclAttributes() {\n        const attrs = {\n${entry("name", "cdktn.stringToHclTerraform(this._name)", false, "simple", "string")}${entry("root", "thingRootToHclTerraform(this._root.internalValue)", true, "list", "ThingRootList")}        };\n    }\n}\n`,
  ].join("");
  const schema = parseBindingFile(source);
  expect(Object.fromEntries([...schema].map(([scope, args]) => [scope, Object.fromEntries(args)]))).toEqual({
    thingRoot: { size: { isBlock: false, type: "simple", storageClassType: "number" } },
    "": {
      name: { isBlock: false, type: "simple", storageClassType: "string" },
      root: { isBlock: true, type: "list", storageClassType: "ThingRootList", block: "thingRoot" },
    },
  });
});
