// Rewrites the README's config field tables from the schema (descriptions, types and defaults live there only).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fillMarkedSections } from "../modules/core/field-tables";
import { renderConfigReference } from "../modules/tools/config-docs/reference";

const readme = join(__dirname, "..", "README.md");
writeFileSync(readme, fillMarkedSections(readFileSync(readme, "utf8"), renderConfigReference()));
process.stdout.write(`wrote the config tables of ${readme}\n`);
