import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TerraformStack } from "cdktf";
import { mapBounded, planApp, synthesizeApp, synthesizedStacks } from "../modules/tools/pipeline/plan";
import { actionCounts, PlanJson, summarizePlan } from "../modules/rules/plan-json";
import { TerraformToolchain } from "../modules/tools/pipeline/terraform";

// Never run: every case here fails before terraform would start.
const noTerraform: TerraformToolchain = { binary: "/nonexistent/terraform", version: "none", canIsolateNetwork: false };

describe("mapBounded", () => {
  it("keeps input order and never runs more than the limit at once", async () => {
    let running = 0;
    let most = 0;
    const results = await mapBounded([30, 5, 20, 1, 10], 2, async (ms) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return ms * 2;
    });
    expect(results).toEqual([60, 10, 40, 2, 20]);
    expect(most).toBe(2);
  });
});

describe("planApp before terraform", () => {
  it("names the stacks there are when asked for one that is not", async () => {
    const build = (app: import("cdktf").App) => {
      new TerraformStack(app, "alpha");
      new TerraformStack(app, "beta");
    };
    await expect(planApp(build, { toolchain: noTerraform, mode: "offline", stacks: ["gamma"] })).rejects.toThrow(
      "no stack gamma in the app (stacks: alpha, beta)",
    );
  });

  it("says when a dir holds no synthesized app", () => {
    expect(() => synthesizedStacks("/nonexistent/cdktf.out")).toThrow(/manifest\.json: no synthesized app there/);
  });

  it("reads the stacks of a synthesized app from its manifest", () => {
    const dir = mkdtempSync(join(tmpdir(), "synth-test-"));
    try {
      const stacks = synthesizeApp((app) => void new TerraformStack(app, "only"), dir);
      expect(stacks).toEqual([{ name: "only", dir: join(dir, "stacks", "only") }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("plan summaries", () => {
  const change = (type: string, actions: string[], mode: "managed" | "data" = "managed") => ({
    address: `${type}.x`,
    mode,
    type,
    name: "x",
    change: { actions },
  });
  const plan: PlanJson = {
    format_version: "1.2",
    resource_changes: [
      change("aws_subnet", ["create"]),
      change("aws_subnet", ["create"]),
      change("aws_vpc", ["update"]),
      change("aws_instance", ["delete", "create"]),
      change("aws_ssm_parameter", ["read"], "data"),
    ],
  };

  it("counts managed resources by type and action, a delete-then-create as replace", () => {
    expect(actionCounts(plan)).toEqual({
      aws_subnet: { create: 2 },
      aws_vpc: { update: 1 },
      aws_instance: { replace: 1 },
    });
  });

  it("prints totals, then one aligned line per type", () => {
    expect(summarizePlan(plan)).toEqual([
      "create 2, update 1, replace 1 (3 resource types)",
      "  aws_instance  replace 1",
      "  aws_subnet    create 2",
      "  aws_vpc       update 1",
    ]);
    expect(summarizePlan({ format_version: "1.2" })).toEqual(["no resources"]);
  });
});

describe("where terraform's plugins start", () => {
  // terraform talks to its provider over a Unix socket under TMPDIR, and such a path may not pass 108 bytes: with a
  // long stack name under nested temp dirs the provider "failed to start". A stand-in terraform fails exactly then.
  it("keeps each stack's TMPDIR short, whatever the stack is called", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fake-terraform-"));
    try {
      const nested = mkdtempSync(join(dir, "plans-"));
      // What the harness adds under its temp dir must not grow with the stack's name.
      const limit = nested.length + 40;
      const script = join(dir, "terraform");
      writeFileSync(
        script,
        `#!/bin/bash
if [ \${#TMPDIR} -gt ${limit} ]; then echo "Failed to read any lines from plugin's stdout ($TMPDIR)" >&2; exit 1; fi
if [ "$1" = show ]; then echo '{"format_version":"1.2"}'; fi
`,
      );
      chmodSync(script, 0o755);
      const toolchain: TerraformToolchain = { binary: script, version: "fake", canIsolateNetwork: false };
      const name = "state-a-rather-long-state-bucket-name-for-an-environment";
      const [planned] = await planApp((app) => void new TerraformStack(app, name), {
        toolchain,
        mode: "offline",
        tempDir: nested,
      });
      expect(planned).toMatchObject({ stack: name, plan: { format_version: "1.2" } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
