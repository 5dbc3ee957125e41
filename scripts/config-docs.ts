// Rewrites the README's config field tables and the HCL modules' parity table from the schema (descriptions, types
// and defaults live there only) and the modules' input declarations.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fillMarkedSections } from "../modules/core/field-tables";
import { renderConfigReference } from "../modules/tools/config-docs/reference";
import { renderParityTables } from "../modules/tools/terraform-module/parity";

const readme = join(__dirname, "..", "README.md");
writeFileSync(
  readme,
  fillMarkedSections(readFileSync(readme, "utf8"), {
    ...renderConfigReference(),
    "hcl:parity": renderParityTables(),
  }),
);
process.stdout.write(`wrote the config tables of ${readme}\n`);
