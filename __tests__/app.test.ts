import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { rawWorkshop } from "./support/config";

// The app exactly as cdktf.json runs it: environments in, stacks out, and nothing written when the input is bad.
const root = resolve(__dirname, "..");
const cdktfApp = JSON.parse(readFileSync(join(root, "cdktf.json"), "utf8")).app.split(" ") as string[];

describe("main.ts", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "app-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function runApp(environments: unknown[]) {
    const config = join(dir, "environments.json");
    writeFileSync(config, JSON.stringify({ environments }));
    const outdir = join(dir, "out");
    const run = spawnSync(cdktfApp[0], cdktfApp.slice(1), {
      cwd: root,
      encoding: "utf8",
      // Placeholders accepted: default-config.test.ts covers them; here only the stacks matter.
      env: { ...process.env, ENVIRONMENTS_FILE: config, CDKTF_OUTDIR: outdir, ACCEPT_PLACEHOLDERS: "1" },
    });
    return { ...run, outdir };
  }

  it("synthesizes one stack per environment and one per state bucket", () => {
    const second = { ...rawWorkshop(), name: "staging", vpcCidr: "192.168.20.0/22" };
    const run = runApp([rawWorkshop(), second]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(readdirSync(join(run.outdir, "stacks")).sort()).toEqual([
      "staging",
      "state-change-me-workshop-tfstate",
      "workshop",
    ]);
  });

  it("exits 1 on a bad config, listing every problem, and writes nothing", () => {
    const run = runApp([{ ...rawWorkshop(), vpcCidr: "192.168.10.0/33", azs: ["ap-northeast-2a", "us-east-1b"] }]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('environment "workshop": vpcCidr = "192.168.10.0/33"');
    expect(run.stderr).toContain('environment "workshop": azs[1] = "us-east-1b"');
    expect(existsSync(run.outdir)).toBe(false);
  });

  it("exits 1 when a guardrail fails, naming it, and writes no stack", () => {
    const { backend: _backend, ...withoutBackend } = rawWorkshop();
    const run = runApp([withoutBackend]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/stack "workshop": .*\n.*guardrail remote-state: terraform\.backend/);
    expect(existsSync(join(run.outdir, "stacks", "workshop"))).toBe(false);
    expect(existsSync(join(run.outdir, "manifest.json"))).toBe(false);
  });
});
