import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { TerraformToolchain } from "../modules/tools/pipeline/terraform";
import { planAppShared } from "./support/shared-plans";
import { RUN_DIR_VARIABLE } from "./support/run-cache";
import { STACK_TIMINGS_VARIABLE } from "./support/stack-timings";

// planAppShared against a stand-in terraform that counts its plans: no provider, no network.
describe("offline plans shared across a test run", () => {
  let dir: string;
  let toolchain: TerraformToolchain;
  const previous = process.env[RUN_DIR_VARIABLE];
  // The stand-in's stacks are not the suite's: keep them out of the bench's stack timings.
  const timings = process.env[STACK_TIMINGS_VARIABLE];
  const plans = () => readFileSync(join(dir, "plans.log"), "utf8").split("\n").filter(Boolean);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "shared-plans-"));
    const binary = join(dir, "terraform");
    writeFileSync(join(dir, "plans.log"), "");
    writeFileSync(
      binary,
      `#!/bin/sh\ncase "$1" in\n  plan) basename "$(pwd)" >> "${dir}/plans.log"; : > tfplan;;\n` +
        `  show) echo '{"format_version":"1.2","resource_changes":[]}';;\nesac\nexit 0\n`,
    );
    chmodSync(binary, 0o755);
    toolchain = { binary, version: "Terraform v1.11.4", canIsolateNetwork: false };
    process.env[RUN_DIR_VARIABLE] = join(dir, "run");
    delete process.env[STACK_TIMINGS_VARIABLE];
  });
  afterEach(() => {
    if (previous === undefined) delete process.env[RUN_DIR_VARIABLE];
    else process.env[RUN_DIR_VARIABLE] = previous;
    if (timings !== undefined) process.env[STACK_TIMINGS_VARIABLE] = timings;
    rmSync(dir, { recursive: true, force: true });
  });

  const app = (value: string) => (scope: App) => {
    new TerraformOutput(new TerraformStack(scope, "one"), "out", { value });
    new TerraformOutput(new TerraformStack(scope, "two"), "out", { value: "fixed" });
  };

  it("plans a stack once for callers at the same time and after, and again when its files differ", async () => {
    const options = { toolchain, mode: "offline" as const };
    const [first, second] = await Promise.all([planAppShared(app("a"), options), planAppShared(app("a"), options)]);
    expect(first.map((p) => p.stack)).toEqual(["one", "two"]);
    expect(second).toEqual(first);
    expect(first[0].plan).toEqual({ format_version: "1.2", resource_changes: [] });
    expect(plans()).toHaveLength(2);
    await planAppShared(app("b"), { ...options, stacks: ["one", "two"] });
    expect(plans()).toHaveLength(3); // "one" changed, "two" did not
  });

  it("puts each stack's saved plan and JSON in saveDir, as planApp does", async () => {
    const saveDir = join(dir, "saved");
    await planAppShared(app("a"), { toolchain, mode: "offline", stacks: ["two"], saveDir });
    expect(readFileSync(join(saveDir, "two.plan.json"), "utf8")).toContain('"format_version":"1.2"');
    expect(readFileSync(join(saveDir, "two.tfplan"), "utf8")).toBe("");
  });

  it("plans every time without the run dir", async () => {
    delete process.env[RUN_DIR_VARIABLE];
    await planAppShared(app("a"), { toolchain, mode: "offline", stacks: ["one"] });
    await planAppShared(app("a"), { toolchain, mode: "offline", stacks: ["one"] });
    expect(plans()).toHaveLength(2);
  });
});
