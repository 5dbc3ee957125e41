// The package's entry points and what their API reports declare; `npm run api:update` writes the name counts into
// etc/README.md (the API report test checks they are current).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fillMarkedSections } from "../modules/core/field-tables";

const ROOT = join(__dirname, "..");

/** One entry point of the package: what a consumer imports, the source it is built from, its api-extractor report. */
export interface EntryPoint {
  readonly specifier: string;
  readonly source: string;
  readonly report: string;
  readonly holds: string;
}

/** The package's entry points, main entry first (package.json `exports`). */
export const ENTRY_POINTS: readonly EntryPoint[] = [
  {
    specifier: "@secure-aws-env/cdktf",
    source: "modules/index.ts",
    report: "etc/cdktf-secure-aws-env.api.md",
    holds: "the constructs, their props and planners, the config schema and its resolution, the rules",
  },
  {
    specifier: "@secure-aws-env/cdktf/tools",
    source: "modules/tools/index.ts",
    report: "etc/cdktf-secure-aws-env-tools.api.md",
    holds:
      "inventory, diagram, cost, plans, CI workflow, Terraform modules, config docs (optional peers: `@viz-js/viz`, `yaml`)",
  },
];

/** The names an api-extractor report declares at its top level (values and types), sorted. */
export function reportNames(report: string): string[] {
  const names = [
    ...report.matchAll(
      /^export (?:declare )?(?:abstract )?(?:class|interface|type|function|const|let|enum|namespace) (\w+)/gm,
    ),
  ].map((m) => m[1]);
  return [...new Set(names)].sort();
}

/** The symbols a report says it uses but its entry does not export (`ae-forgotten-export`), sorted. */
export function forgottenExports(report: string): string[] {
  return [...new Set([...report.matchAll(/\(ae-forgotten-export\) The symbol "(\w+)"/g)].map((m) => m[1]))].sort();
}

/** The entry table of etc/README.md: each entry point, what it holds and how many names it exports. */
export function renderEntryTable(root = ROOT): string {
  return [
    "| entry point | names | report | holds |",
    "| --- | --- | --- | --- |",
    ...ENTRY_POINTS.map(
      (e) =>
        `| \`${e.specifier}\` | ${reportNames(readFileSync(join(root, e.report), "utf8")).length} | [${e.report.slice(4)}](${e.report.slice(4)}) | ${e.holds} |`,
    ),
  ].join("\n");
}

if (require.main === module) {
  const file = join(ROOT, "etc", "README.md");
  writeFileSync(file, fillMarkedSections(readFileSync(file, "utf8"), { entries: renderEntryTable() }));
  process.stdout.write(`wrote the entry table of ${file}\n`);
}
