import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = join(__dirname, "..");

/** Import cycles among the files `patterns` reach, type-only imports included (dpdm, an ES module: run as its CLI). */
function cyclesIn(cwd: string, patterns: string[]): string[][] {
  const out = mkdtempSync(join(tmpdir(), "dpdm-"));
  try {
    const run = spawnSync(
      join(root, "node_modules", ".bin", "dpdm"),
      ["--no-tree", "--no-warning", "--no-circular", "--no-progress", "-o", join(out, "deps.json"), ...patterns],
      {
        cwd,
        encoding: "utf8",
      },
    );
    if (run.status !== 0) throw new Error(`dpdm failed: ${run.stderr}`);
    return (JSON.parse(readFileSync(join(out, "deps.json"), "utf8")) as { circulars: string[][] }).circulars;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("layering", () => {
  it("has no import cycle in the library, the app shell or the scripts", () => {
    expect(cyclesIn(root, ["modules/**/*.ts", "main.ts", "scripts/**/*.ts"])).toEqual([]);
  });

  it("finds a cycle when there is one (negative control)", () => {
    const dir = mkdtempSync(join(tmpdir(), "cycle-"));
    try {
      writeFileSync(join(dir, "a.ts"), 'import type { B } from "./b";\nexport interface A { b?: B }\n');
      writeFileSync(join(dir, "b.ts"), 'import type { A } from "./a";\nexport interface B { a?: A }\n');
      expect(cyclesIn(dir, ["a.ts"])).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps the library free of side effects: no process.exit, no environment reads", () => {
    const offenders = filesUnder(join(root, "modules")).filter((file) =>
      /process\.(exit|env)\b/.test(readFileSync(file, "utf8")),
    );
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it("exports an explicit list of names from the package entry point", () => {
    expect(readFileSync(join(root, "modules", "index.ts"), "utf8")).not.toMatch(/export \* from/);
  });
});
