// Rewrites the config field tables of docs/configuration.md from the schema (descriptions, types and defaults live there
// only).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fillMarkedSections } from "../modules/core/field-tables";
import { renderConfigReference } from "../modules/tools/config-docs/reference";

const page = join(__dirname, "..", "docs", "configuration.md");
writeFileSync(page, fillMarkedSections(readFileSync(page, "utf8"), renderConfigReference()));
process.stdout.write(`wrote the config tables of ${page}\n`);
