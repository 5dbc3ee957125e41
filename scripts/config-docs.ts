// Rewrites the config field tables of docs/configuration.md from the schema (descriptions, types and defaults live there
// only).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fillMarkedSections } from "../modules/config/docs";
import { renderConfigReference } from "../modules/config/reference";

const page = join(__dirname, "..", "docs", "configuration.md");
writeFileSync(page, fillMarkedSections(readFileSync(page, "utf8"), renderConfigReference()));
process.stdout.write(`wrote the config tables of ${page}\n`);
