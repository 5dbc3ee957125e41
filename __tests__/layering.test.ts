import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fillMarkedSections } from "../modules/core/field-tables";
import {
  fileDependencies,
  folderCycles,
  folderGraph,
  FOLDER_ROLES,
  projectDependencies,
  renderLayers,
} from "../scripts/layers";

const root = join(__dirname, "..");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("layering", () => {
  // One dpdm run over the repository's files gives both the file cycles and the folder graph.
  const project = projectDependencies(root);

  it("has no import cycle in the library, the app shell or the scripts", () => {
    expect(project.cycles).toEqual([]);
  });

  it("finds a cycle when there is one (negative control)", () => {
    const dir = mkdtempSync(join(tmpdir(), "cycle-"));
    try {
      writeFileSync(join(dir, "a.ts"), 'import type { B } from "./b";\nexport interface A { b?: B }\n');
      writeFileSync(join(dir, "b.ts"), 'import type { A } from "./a";\nexport interface B { a?: A }\n');
      expect(fileDependencies(dir, ["a.ts"]).cycles).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("folders", () => {
    const graph = folderGraph(project.imports);
    const isTool = (folder: string) => folder.startsWith("tools/");
    // The main entry (`(entry)`) is the library's: it may no more import a tool than a construct may.
    const isLibrary = (folder: string) =>
      !isTool(folder) && !["(tools entry)", "app", "scripts", "__tests__"].includes(folder);

    it("import each other without a cycle: the folder graph is a DAG", () => {
      expect(folderCycles(graph)).toEqual([]);
    });

    it("finds a folder cycle made of files that form no file cycle (negative control)", () => {
      const dir = mkdtempSync(join(tmpdir(), "folders-"));
      try {
        for (const folder of ["low", "high"]) mkdirSync(join(dir, "modules", folder), { recursive: true });
        writeFileSync(join(dir, "modules/low/a.ts"), 'import { c } from "../high/c";\nexport const a = c;\n');
        writeFileSync(join(dir, "modules/high/b.ts"), 'import { a } from "../low/a";\nexport const b = a;\n');
        writeFileSync(join(dir, "modules/high/c.ts"), "export const c = 1;\n");
        const { cycles, imports } = fileDependencies(dir, ["modules/**/*.ts"]);
        expect(cycles).toEqual([]);
        expect(folderCycles(folderGraph(imports))).toEqual([["high", "low", "high"]]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("keep the tools beside or above the library: no library folder imports a tool", () => {
      const downward = Object.entries(graph).flatMap(([from, to]) =>
        isLibrary(from) ? to.filter(isTool).map((tool) => `${from} -> ${tool}`) : [],
      );
      expect(downward).toEqual([]);
    });

    it("each say what they hold, and ARCHITECTURE.md shows the layers the imports give", () => {
      expect(Object.keys(graph).filter((folder) => FOLDER_ROLES[folder] === undefined)).toEqual([]);
      const doc = readFileSync(join(root, "ARCHITECTURE.md"), "utf8");
      expect(doc).toBe(fillMarkedSections(doc, { layers: renderLayers(graph) }));
    });
  });

  it("keeps the library free of side effects: no process.exit, no environment reads", () => {
    const offenders = filesUnder(join(root, "modules")).filter((file) =>
      /process\.(exit|env)\b/.test(readFileSync(file, "utf8")),
    );
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it("exports an explicit list of names from each entry point", () => {
    for (const entry of [join("modules", "index.ts"), join("modules", "tools", "index.ts")])
      expect(readFileSync(join(root, entry), "utf8")).not.toMatch(/export \* from/);
  });
});
