import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "..");

// `npm run docs` type-checks the library (typedoc): about 10 s on a quiet machine, much more on a busy one.
describe("npm run docs", () => {
  const out = mkdtempSync(join(tmpdir(), "api-docs-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("documents every export of the package's two entry points, with the doc comments of the source", () => {
    const run = spawnSync("npm", ["run", "docs", "--", "--out", join(out, "html"), "--json", join(out, "api.json")], {
      cwd: root,
      encoding: "utf8",
    });
    expect(`${run.stderr}${run.stdout}`).not.toMatch(/\[(warning|error)\]/);
    expect(run.status).toBe(0);
    interface Reflection {
      name: string;
      comment?: { summary: { text: string }[] };
      children?: Reflection[];
    }
    const api = JSON.parse(readFileSync(join(out, "api.json"), "utf8")) as { children: Reflection[] };
    // One module per entry point, named after its path under modules/ (`index`, `tools`).
    const entries: Record<string, string> = { index: "../modules/index", tools: "../modules/tools/index" };
    expect(api.children.map((c) => c.name).sort()).toEqual(Object.keys(entries).sort());
    for (const [name, path] of Object.entries(entries)) {
      const documented = new Set((api.children.find((c) => c.name === name)?.children ?? []).map((c) => c.name));
      const exported = Object.keys(require(path));
      expect({ name, undocumented: exported.filter((e) => !documented.has(e)) }).toEqual({ name, undocumented: [] });
    }
    const network = api.children.find((c) => c.name === "index")?.children?.find((c) => c.name === "Network");
    const summary = (network?.comment?.summary ?? []).map((part) => part.text).join("");
    expect(
      readFileSync(join(root, "modules", "network", "network.ts"), "utf8").replace(/\s*\n\s*\*\s*/g, " "),
    ).toContain(summary.replace(/\s*\n\s*/g, " "));
    expect(summary).toMatch(/^A VPC split into tiers/);
    expect(existsSync(join(out, "html", "classes", "index.Network.html"))).toBe(true);
  }, 600_000);
});
