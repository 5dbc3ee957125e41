import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// docs/pipelines.md's "In code" example of the rules runs as written (imports pointed at this checkout).
const root = resolve(__dirname, "..");

function docBlockAfter(marker: string): string {
  const page = readFileSync(join(root, "docs", "pipelines.md"), "utf8");
  const start = page.indexOf("```ts\n", page.indexOf(marker)) + "```ts\n".length;
  return page.slice(start, page.indexOf("```", start));
}

describe("docs/pipelines.md: the rules in code", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "rules-readme-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("runs and prints no unaccepted finding for the default environment", () => {
    const code = docBlockAfter("In code (all pure but `applyRules`")
      .replace(/from "\.\/([^"]+)"/g, (_m, path: string) => `from ${JSON.stringify(join(root, path))}`)
      .replace(/from "cdktf"/g, `from ${JSON.stringify(require.resolve("cdktf"))}`);
    expect(code).toContain("checkSynth(");
    const file = join(dir, "example.ts");
    writeFileSync(file, code);
    // TMPDIR: the example's Testing.app() makes an output dir there, removed with `dir`.
    const run = spawnSync(process.execPath, ["--require", "./app/register-ts.js", file], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, TMPDIR: dir },
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe("[]");
  });
});
