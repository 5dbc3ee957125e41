// Rewrites ARCHITECTURE.md's layer table from the folders' actual imports (the layering test checks it is current).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fillMarkedSections } from "../modules/core/field-tables";
import { projectGraph, renderLayers } from "./layers";

const root = join(__dirname, "..");
const file = join(root, "ARCHITECTURE.md");
writeFileSync(file, fillMarkedSections(readFileSync(file, "utf8"), { layers: renderLayers(projectGraph(root)) }));
process.stdout.write(`wrote the layer table of ${file}\n`);
