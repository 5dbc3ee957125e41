import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "..");

// `npm run docs` type-checks the library (typedoc): about 10 s on a quiet machine, much more on a busy one.
describe("npm run docs", () => {
  const out = mkdtempSync(join(tmpdir(), "api-docs-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("documents every export of the package's entry point, with the doc comments of the source", () => {
    const run = spawnSync("npm", ["run", "docs", "--", "--out", join(out, "html"), "--json", join(out, "api.json")], {
      cwd: root,
      encoding: "utf8",
    });
    expect(`${run.stderr}${run.stdout}`).not.toMatch(/\[(warning|error)\]/);
    expect(run.status).toBe(0);
    const api = JSON.parse(readFileSync(join(out, "api.json"), "utf8")) as {
      children: { name: string; comment?: { summary: { text: string }[] } }[];
    };
    const documented = new Set(api.children.map((c) => c.name));
    const exported = Object.keys(require("../modules/index"));
    expect(exported.filter((name) => !documented.has(name))).toEqual([]);
    const network = api.children.find((c) => c.name === "Network");
    const summary = (network?.comment?.summary ?? []).map((part) => part.text).join("");
    expect(
      readFileSync(join(root, "modules", "network", "network.ts"), "utf8").replace(/\s*\n\s*\*\s*/g, " "),
    ).toContain(summary.replace(/\s*\n\s*/g, " "));
    expect(summary).toMatch(/^A VPC split into tiers/);
    expect(existsSync(join(out, "html", "classes", "Network.html"))).toBe(true);
  }, 600_000);
});
