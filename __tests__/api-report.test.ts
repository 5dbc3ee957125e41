import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fillMarkedSections } from "../modules/core/field-tables";
import { ENTRY_POINTS, forgottenExports, renderEntryTable, reportNames } from "../scripts/api-entries";

// The API reports (api-extractor, one per entry point; `npm run api:check` keeps them equal to the build) show the split
// between the library and its tools: what each entry exports, documented, and no engine internal in either.

const root = join(__dirname, "..");
const [main, tools] = ENTRY_POINTS.map((entry) => readFileSync(join(root, entry.report), "utf8"));

/** Engine internals, each with the module that keeps it: tests and the library import them by path, users never. */
const INTERNALS: Readonly<Record<string, readonly string[]>> = {
  "../modules/rules/view": [
    "addressOf",
    "blocks",
    "followReference",
    "numberValue",
    "referencedBy",
    "referrersOf",
    "resourcesOf",
    "RULE_INPUTS",
    "strings",
  ],
  "../modules/rules/engine": ["appliesTo", "evaluateRules", "exceptionFor", "formatViolation"],
  "../modules/rules/plan-view": ["changesOfPlan", "viewOfPlan"],
  "../modules/rules/synth-view": ["viewOfSynth"],
  "../modules/rules/synth": ["stackValidationFailures"],
  "../modules/rules/exceptions": ["environmentExceptions"],
  "../modules/rules/catalog/stateful": ["dataAtRisk", "describeDataAtRisk", "STATEFUL_RULE_ID"],
  "../modules/core/tags": ["checkTags", "TAG_RULES"],
  "../modules/servers/servers": ["dbHardeningScript"],
  "../modules/servers/db-credentials": ["dbPasswordStatements"],
  "../modules/instance/ebs-optimized": ["ebsOptimizedFor"],
  "../modules/tools/pipeline/plan": ["planStack", "mapBounded"],
  "../modules/tools/pipeline/terraform": ["runTerraform", "offlineEnvironment", "writeCliConfig"],
};

describe("the API reports", () => {
  it("record each entry point's name count in etc/README.md, as the reports give it", () => {
    const doc = readFileSync(join(root, "etc", "README.md"), "utf8");
    expect(doc).toBe(fillMarkedSections(doc, { entries: renderEntryTable() }));
    expect(reportNames(main).length).toBeGreaterThan(100);
    expect(reportNames(tools).length).toBeGreaterThan(20);
  });

  it("give every exported name a doc comment", () => {
    const undocumented = (report: string) =>
      [...report.matchAll(/^\/\/ @public \(undocumented\)\nexport \S+ (\w+)/gm)].map((m) => m[1]);
    expect(undocumented("// @public (undocumented)\nexport const X: number;\n")).toEqual(["X"]); // negative control
    expect(undocumented(main)).toEqual([]);
    expect(undocumented(tools)).toEqual([]);
  });

  it("show no engine internal in either entry, though each is still exported by its own module", () => {
    const exported = [...reportNames(main), ...reportNames(tools)];
    for (const [path, names] of Object.entries(INTERNALS)) {
      const module = require(path) as Record<string, unknown>;
      for (const name of names) {
        expect({ name, inItsModule: name in module }).toEqual({ name, inItsModule: true });
        expect({ name, exported: exported.includes(name) }).toEqual({ name, exported: false });
      }
    }
  });

  it("split the names: none in both entries, no tool on the main entry", () => {
    expect(reportNames(main).filter((name) => reportNames(tools).includes(name))).toEqual([]);
    expect(readFileSync(join(root, ENTRY_POINTS[0].source), "utf8")).not.toMatch(/from "\.\/tools\//);
    for (const tool of ["planApp", "detectTerraform", "readInventory", "estimateCost", "renderSvg", "renderWorkflow"])
      expect({ tool, main: reportNames(main).includes(tool), tools: reportNames(tools).includes(tool) }).toEqual({
        tool,
        main: false,
        tools: true,
      });
  });

  it("leave out of the tools' entry only types the main entry exports", () => {
    expect(forgottenExports(main)).toEqual([]);
    const fromMain = forgottenExports(tools);
    expect(fromMain.length).toBeGreaterThan(0);
    expect(fromMain.filter((name) => !reportNames(main).includes(name))).toEqual([]);
  });
});
