// Rewrites the config field tables of docs/configuration.md from the schema (descriptions, types and defaults live there
// only), and the HCL modules' parity table of docs/terraform-modules.md from the modules' input declarations.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fillMarkedSections } from "../modules/core/field-tables";
import { renderConfigReference } from "../modules/tools/config-docs/reference";
import { renderParityTables } from "../modules/tools/terraform-module/parity";

const docs = join(__dirname, "..", "docs");
const pages: Array<[string, Record<string, string>]> = [
  ["configuration.md", renderConfigReference()],
  ["terraform-modules.md", { "hcl:parity": renderParityTables() }],
];
for (const [name, sections] of pages) {
  const page = join(docs, name);
  writeFileSync(page, fillMarkedSections(readFileSync(page, "utf8"), sections));
  process.stdout.write(`wrote the generated tables of ${page}\n`);
}
