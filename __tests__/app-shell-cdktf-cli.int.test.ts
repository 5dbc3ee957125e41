import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rawWorkshop } from "./support/config";
import { run, SLOW_PROCESS_MS } from "./support/shell";

// The app shell through cdktf-cli: `npx cdktf synth` prints each config problem once, exits 1 and writes nothing,
// as `npm run synth` does (app-shell.test.ts), and both write the same cdktf.out.

describe("npx cdktf synth (cdktf-cli)", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "cli-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "prints each config problem once, exits 1 and writes nothing",
    () => {
      const file = join(dir, "environments.json");
      writeFileSync(file, JSON.stringify({ environments: [{ ...rawWorkshop(), vpcCidr: "192.168.8.0/33" }] }));
      const result = run("npx", ["cdktf", "synth", "--output", join(dir, "out")], {
        ENVIRONMENTS_FILE: file,
        CI: "true",
      });
      expect(result.status).toBe(1);
      const all = `${result.stdout}\n${result.stderr}`;
      expect(all.split('vpcCidr = "192.168.8.0/33"').length - 1).toBe(1);
      expect(all).not.toContain("cdktf encountered an error");
      expect(existsSync(join(dir, "out"))).toBe(false);
    },
    SLOW_PROCESS_MS,
  );

  it(
    "writes the same cdktf.out as npm run synth",
    () => {
      const direct = run("npm", ["run", "--silent", "synth"], { CDKTF_OUTDIR: join(dir, "direct") });
      const cli = run("npx", ["cdktf", "synth", "--output", join(dir, "cli")], { CI: "true" });
      expect([direct.status, cli.status]).toEqual([0, 0]);
      const files = (root: string): string[] =>
        readdirSync(root, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => join(e.parentPath, e.name).slice(root.length))
          .sort();
      expect(files(join(dir, "direct"))).toEqual(files(join(dir, "cli")));
      for (const file of files(join(dir, "direct"))) {
        expect([file, readFileSync(join(dir, "direct", file), "utf8")]).toEqual([
          file,
          readFileSync(join(dir, "cli", file), "utf8"),
        ]);
      }
    },
    SLOW_PROCESS_MS,
  );
});
