import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { offlineEnvironment, offlineProviderOverride, runTerraform } from "../modules/tools/pipeline/terraform";
import { PlanJson } from "../modules/rules/plan-json";
import { describeWithTerraform } from "./support/terraform";

const STEP_MS = 300_000;
const REATTACH = join(__dirname, "support", "terraform-reattach.js");

const CONFIG = {
  terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } } },
  provider: { aws: [{ region: "ap-northeast-2" }] },
  resource: { aws_vpc: { main: { cidr_block: "10.0.0.0/16" } } },
};
const OFFLINE = (offlineProviderOverride() as { provider: { aws: object } }).provider.aws;
const ALIASED = {
  ...CONFIG,
  provider: { aws: [{ region: "ap-northeast-2" }, { ...OFFLINE, alias: "us", region: "us-east-1" }] },
  resource: { aws_vpc: { ...CONFIG.resource.aws_vpc, us: { provider: "aws.us", cidr_block: "10.1.0.0/16" } } },
};

/** The AWS provider processes the pool holds: the pid file of each server. */
function pooledProviders(pool: string): number[] {
  if (!existsSync(pool)) return [];
  return readdirSync(pool, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name === "pid" && !e.parentPath.endsWith(".lease"))
    .map((e) => Number(readFileSync(join(e.parentPath, e.name), "utf8")));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// __tests__/support/terraform-reattach.js: the terraform the other tests run lends them running AWS providers.
describeWithTerraform("terraform with borrowed AWS provider processes (the tests' terraform)", (toolchain) => {
  let root: string;
  let pool: string;
  // The real terraform, not the run's own (toolchain().binary is terraform-reattach.js under jest).
  const realTerraform = spawnSync("sh", ["-c", "command -v terraform"]).stdout.toString().trim();

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "tf-reattach-"));
    pool = join(root, "pool");
  });

  afterAll(() => {
    for (const pid of pooledProviders(pool)) if (alive(pid)) process.kill(pid, "SIGKILL");
    rmSync(root, { recursive: true, force: true });
  });

  /** A dir of `config` with the offline override, initialized by terraform itself; and the offline environment. */
  async function workDir(name: string, config: object): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
    const dir = join(root, name);
    mkdirSync(dir);
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(config));
    writeFileSync(join(dir, "provider_override.tf.json"), JSON.stringify(offlineProviderOverride()));
    const env = offlineEnvironment(join(dir, "home"), toolchain().pluginMirror, process.env);
    const init = await runTerraform(toolchain(), ["init", "-input=false", "-no-color"], { cwd: dir, env });
    expect(init.stderr).toBe("");
    return { dir, env };
  }

  /** Runs terraform in `dir` through the wrapper (or as it is, with `plain`); its output, once it exits 0. */
  async function terraformIn(dir: string, env: NodeJS.ProcessEnv, args: string[], plain = false): Promise<string> {
    const terraform = { ...toolchain(), binary: realTerraform };
    const wrapped = { ...toolchain(), binary: process.execPath };
    const prefix = [REATTACH, pool, terraform.binary, readlinkSync("/proc/self/ns/net")];
    const result = plain
      ? await runTerraform(terraform, args, { cwd: dir, env, timeoutMs: STEP_MS })
      : await runTerraform(wrapped, [...prefix, ...args], { cwd: dir, env, timeoutMs: STEP_MS });
    expect([args[0], result.code, result.stderr]).toEqual([args[0], 0, ""]);
    return result.stdout;
  }

  /** plan and show in `dir`, through the wrapper (or as it is, with `plain`): the plan's JSON. */
  async function planThrough(dir: string, env: NodeJS.ProcessEnv, plain = false): Promise<PlanJson> {
    await terraformIn(dir, env, ["plan", "-input=false", "-no-color", "-lock=false", "-out=tfplan"], plain);
    return JSON.parse(await terraformIn(dir, env, ["show", "-json", "-no-color", "tfplan"], plain)) as PlanJson;
  }

  it(
    "plans and shows through one provider process, lent again to the next command and to another dir, and plans what terraform alone plans",
    async () => {
      const { dir, env } = await workDir("plain", CONFIG);
      // plan, then show: one process in the pool served both, and it is not leased any more.
      const borrowed = await planThrough(dir, env);
      const [provider] = pooledProviders(pool);
      expect(pooledProviders(pool)).toEqual([provider]);
      expect(alive(provider)).toBe(true);
      expect(readdirSync(join(pool), { recursive: true }).filter((p) => String(p).endsWith(".lease"))).toEqual([]);
      const alone = await planThrough(dir, env, true);
      const changes = (plan: PlanJson) =>
        plan.resource_changes?.map((c) => [c.address, c.change.actions, c.change.after]);
      expect(changes(borrowed)).toEqual(changes(alone));
      // Another dir, with its own HOME and credential files but the same settings, borrows the same process.
      const other = await workDir("plain-2", CONFIG);
      expect(changes(await planThrough(other.dir, other.env))).toEqual(changes(alone));
      expect(pooledProviders(pool)).toEqual([provider]);
    },
    STEP_MS,
  );

  it(
    "offline, gives terraform only the schemas of the AWS types its dir names, each as the provider has it",
    async () => {
      const { dir, env } = await workDir("schema", CONFIG);
      type Schemas = {
        provider_schemas: Record<string, Record<string, Record<string, unknown> | undefined>>;
      };
      const aws = (json: string) =>
        (JSON.parse(json) as Schemas).provider_schemas["registry.terraform.io/hashicorp/aws"];
      const args = ["providers", "schema", "-json"];
      // Twice through the wrapper: the first asks the provider and keeps its whole answer beside the pool (one file),
      // the second gets the same.
      const [first, second] = [aws(await terraformIn(dir, env, args)), aws(await terraformIn(dir, env, args))];
      const whole = aws(await terraformIn(dir, env, args, true));
      expect(second).toEqual(first);
      expect(readdirSync(pool, { recursive: true }).filter((p) => String(p).endsWith("schema.bin"))).toHaveLength(1);
      expect(Object.keys(first.resource_schemas ?? {})).toEqual(["aws_vpc"]);
      // A name is kept for both kinds: the provider has an aws_vpc data source too.
      expect(Object.keys(first.data_source_schemas ?? {})).toEqual(["aws_vpc"]);
      expect(Object.keys(whole.resource_schemas ?? {}).length).toBeGreaterThan(1000);
      expect(Object.keys(whole.data_source_schemas ?? {}).length).toBeGreaterThan(500);
      expect(first.resource_schemas?.aws_vpc).toEqual(whole.resource_schemas?.aws_vpc);
      expect(first.provider).toEqual(whole.provider);
      expect(first.functions).toEqual(whole.functions);
    },
    STEP_MS,
  );

  it(
    "runs terraform as it is where provider configurations would share a process (aliases)",
    async () => {
      // An empty pool: a borrowing terraform would start a process in it.
      for (const pid of pooledProviders(pool)) process.kill(pid, "SIGKILL");
      rmSync(pool, { recursive: true, force: true });
      const { dir, env } = await workDir("aliased", ALIASED);
      // validate loads both configurations, as plan does, at a third of its cost.
      expect(await terraformIn(dir, env, ["validate", "-no-color"])).toContain("Success! The configuration is valid.");
      expect(pooledProviders(pool)).toEqual([]);
    },
    STEP_MS,
  );
});
