import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { ROOT, run, SLOW_PROCESS_MS, terraformShim } from "./support/shell";

// No calls home: every terraform that the project's commands and tests start runs with CHECKPOINT_DISABLE=1, and
// cdktf-cli runs with its version check off. Proved with a terraform shim first on PATH that records each call's
// environment.

const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;

describe("no calls home", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "shim-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(["deploy", "diff", "destroy", "cdktf:synth"])(
    "npm run %s turns off the checkpoint, the version check and the plugin cache",
    (name) => {
      expect(scripts[name]).toMatch(
        /^CHECKPOINT_DISABLE=1 DISABLE_VERSION_CHECK=true CDKTF_DISABLE_PLUGIN_CACHE_ENV=true ([A-Z_]+=1 )*cdktf /,
      );
    },
  );

  it(
    "npm run synth starts no terraform at all",
    () => {
      const shim = terraformShim(dir);
      const result = run("npm", ["run", "--silent", "synth"], { PATH: shim.path, CDKTF_OUTDIR: join(dir, "out") });
      expect(result.status).toBe(0);
      expect(shim.calls()).toEqual([]);
    },
    SLOW_PROCESS_MS,
  );

  it(
    "cdktf's own terraform version check, run as the tests run it, has CHECKPOINT_DISABLE=1",
    () => {
      const shim = terraformShim(dir);
      // A terraform_data resource (state.int.test.ts has one) makes cdktf run `terraform version` to validate it, with
      // the environment jest's process gives its children: spawned here without an env option, only PATH prepended.
      const script =
        'const { App, DataResource, TerraformStack } = require("cdktf"); const s = new TerraformStack(new App(), "s"); new DataResource(s, "d", { input: 1 }); console.log(JSON.stringify(s.node.findAll().flatMap((c) => c.node.validate())));';
      const result = spawnSync("sh", ["-c", `PATH="${shim.path}" exec node -e '${script}'`], {
        cwd: ROOT,
        encoding: "utf8",
      });
      expect(result.stderr).toBe("");
      expect(JSON.parse(result.stdout)).toEqual([]);
      const calls = shim.calls();
      expect(calls.length).toBeGreaterThan(0);
      for (const env of calls) expect(env.CHECKPOINT_DISABLE).toBe("1");
    },
    SLOW_PROCESS_MS,
  );

  it.each([["--offline"], []])(
    "npm run plan %s runs every terraform with CHECKPOINT_DISABLE=1",
    (...mode) => {
      const shim = terraformShim(dir);
      run("node", ["--require", "./app/register-ts.js", "scripts/plan.ts", ...mode, "--stack", "workshop"], {
        // The default config's placeholders stop a real plan before terraform; this test is about what runs after.
        ACCEPT_PLACEHOLDERS: "1",
        TERRAFORM_BINARY: shim.binary,
        PATH: shim.path,
        CHECKPOINT_DISABLE: "",
      });
      const calls = shim.calls();
      expect(calls.length).toBeGreaterThanOrEqual(2);
      for (const env of calls) expect(env.CHECKPOINT_DISABLE).toBe("1");
    },
    SLOW_PROCESS_MS,
  );

  it(
    "npx cdktf synth (cdktf-cli, through npm run cdktf:synth) runs terraform only with CHECKPOINT_DISABLE=1",
    () => {
      const shim = terraformShim(dir);
      const result = run("npm", ["run", "--silent", "cdktf:synth", "--", "--output", join(dir, "out")], {
        PATH: shim.path,
        CHECKPOINT_DISABLE: "",
        DISABLE_VERSION_CHECK: "",
      });
      expect(result.status).toBe(0);
      for (const env of shim.calls()) {
        expect(env.CHECKPOINT_DISABLE).toBe("1");
        expect(env.DISABLE_VERSION_CHECK).toBe("true");
      }
    },
    SLOW_PROCESS_MS,
  );
});
