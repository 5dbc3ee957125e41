import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TerraformStack } from "cdktf";
import { mapBounded, planApp, synthesizeApp, synthesizedStacks } from "../modules/pipeline/plan";
import { actionCounts, PlanJson, summarizePlan } from "../modules/pipeline/plan-json";
import { TerraformToolchain } from "../modules/pipeline/terraform";

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

describe("a provider that fails to start", () => {
  // A stand-in terraform: `validate` fails the first time as a provider that never started does, then every step
  // succeeds (`show` prints an empty plan). The harness runs the step again instead of failing the stack.
  it("runs the step again, and reports a failure that is not a start-up failure at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fake-terraform-"));
    try {
      const script = join(dir, "terraform");
      writeFileSync(
        script,
        `#!/bin/bash
case "$1" in
  validate) if [ ! -e "${dir}/started" ]; then touch "${dir}/started"; echo "Failed to read any lines from plugin's stdout" >&2; exit 1; fi ;;
  plan) if [ -e "${dir}/broken" ]; then echo "Error: Unsupported argument" >&2; exit 1; fi ;;
  show) echo '{"format_version":"1.2"}' ;;
esac
echo "$1" >> "${dir}/calls"
`,
      );
      chmodSync(script, 0o755);
      const toolchain: TerraformToolchain = { binary: script, version: "fake", canIsolateNetwork: false };
      const build = (app: import("cdktf").App) => void new TerraformStack(app, "alpha");
      const [planned] = await planApp(build, { toolchain, mode: "offline" });
      expect(planned.plan).toEqual({ format_version: "1.2" });
      expect(
        readFileSync(join(dir, "calls"), "utf8")
          .split("\n")
          .filter((l) => l !== ""),
      ).toEqual(["init", "validate", "plan", "show"]);
      writeFileSync(join(dir, "broken"), "");
      await expect(planApp(build, { toolchain, mode: "offline" })).rejects.toThrow(/plan.*Unsupported argument/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
