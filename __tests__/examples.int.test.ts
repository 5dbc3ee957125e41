import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../modules/environment/load";
import { ResolvedEnvironment } from "../modules/environment/resolve";
import { actionCounts, PlanJson, plannedResources } from "../modules/rules/plan-json";
import { offlineEnvironment, offlineProviderOverride, runTerraform } from "../modules/tools/pipeline/terraform";
import { checkPlan } from "../modules/rules/check";
import { formatFinding } from "../modules/rules/engine";
import { environmentRuleOptions } from "../modules/rules/exceptions";
import { countsByType, defaultRouteTargets } from "./support/plan";
import { planAppShared } from "./support/shared-plans";
import { ROOT, run, SLOW_PROCESS_MS } from "./support/shell";
import { describeWithTerraform } from "./support/terraform";
import defaultConfig from "./fixtures/environments.json";

// The runnable examples of examples/, run the way the README tells a user to: each config through `npm run synth` with
// ENVIRONMENTS_FILE, its environment's stack planned offline; the HCL root module on the modules `npm run
// build:modules` writes, initialized from them and the provider mirror and planned offline. (The library example,
// examples/library/main.ts, is the README's: readme-example.int.test.ts compiles, synthesizes and plans it.)

/** Each test's bound: at most one synth or one offline plan, generous for a busy 2-core machine. */
const STEP_MS = 10 * 60_000;

/** The config examples: folder and the one environment its file holds. */
const CONFIG_EXAMPLES = [
  ["workshop", "workshop"],
  ["production", "prod"],
  ["ssm-only", "ssm-only"],
] as const;

const configFile = (folder: string) => join(ROOT, "examples", folder, "environments.json");

/** The example's environment, resolved as the app resolves it (its key path is read from the repository root). */
const resolvedExample = (folder: string): ResolvedEnvironment => {
  const [env] = resolveConfig(JSON.parse(readFileSync(configFile(folder), "utf8")));
  return env;
};

/** `tier/az cidr` of every subnet a plan makes, sorted. */
const plannedSubnets = (plan: PlanJson): string[] =>
  plannedResources(plan, "aws_subnet")
    .map(
      (s) => `${(s.values.tags as Record<string, string>).Tier}/${s.values.availability_zone} ${s.values.cidr_block}`,
    )
    .sort();

/** `tier/az cidr` of every subnet the network planner places for an environment, sorted. */
const expectedSubnets = (env: ResolvedEnvironment): string[] =>
  env.network.subnets.map((s) => `${s.tier}/${s.az} ${s.cidr}`).sort();

/** Every action of a plan, across types. */
const actionsOf = (plan: PlanJson): string[] => [
  ...new Set(Object.values(actionCounts(plan)).flatMap((byAction) => Object.keys(byAction))),
];

/** Where `npm run synth` of each config example lands: synthesized once, read by both describes below. */
const synthOut = mkdtempSync(join(tmpdir(), "examples-synth-"));
afterAll(() => rmSync(synthOut, { recursive: true, force: true }));
const synths = new Map<string, ReturnType<typeof run>>();
/** `npm run synth` of examples/<folder>'s config, into `<synthOut>/<folder>`. */
function synthOf(folder: string): ReturnType<typeof run> {
  if (!synths.has(folder))
    synths.set(
      folder,
      run("npm", ["run", "--silent", "synth"], {
        ENVIRONMENTS_FILE: configFile(folder),
        CDKTF_OUTDIR: join(synthOut, folder),
      }),
    );
  return synths.get(folder) as ReturnType<typeof run>;
}

describe("examples/: the config examples synthesize with npm run synth", () => {
  it.each(CONFIG_EXAMPLES)(
    "examples/%s: its environment %s and its state bucket's bootstrap stack",
    (folder, name) => {
      const result = synthOf(folder);
      expect(result.stderr).not.toMatch(/problem|error/i);
      expect(result.status).toBe(0);
      const stacks = [...result.stdout.matchAll(/^ {2}(\S+) +\d+ resources$/gm)].map((m) => m[1]);
      expect(stacks).toHaveLength(2);
      expect(stacks).toContain(name);
      expect(stacks.find((s) => s !== name)).toMatch(/^state-/);
    },
    SLOW_PROCESS_MS,
  );
});

describeWithTerraform("examples/: offline plans", (toolchain) => {
  const scratch = mkdtempSync(join(tmpdir(), "examples-plan-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** The example's environment stack, synthesized by `npm run synth` (synthOf), then planned offline. */
  const plans = new Map<string, Promise<PlanJson>>();
  const planOf = (folder: string, name: string): Promise<PlanJson> => {
    if (!plans.has(folder)) {
      const outdir = join(synthOut, folder);
      const synth = synthOf(folder);
      if (synth.status !== 0) throw new Error(`npm run synth of examples/${folder} failed:\n${synth.stderr}`);
      plans.set(
        folder,
        planAppShared({ outdir }, { toolchain: toolchain(), mode: "offline", stacks: [name] }).then(([p]) => p.plan),
      );
    }
    return plans.get(folder) as Promise<PlanJson>;
  };

  describe.each(CONFIG_EXAMPLES)("examples/%s", (folder, name) => {
    it(
      "only creates, the subnets where the planner puts them, and passes every rule but what its config accepts",
      async () => {
        const plan = await planOf(folder, name);
        const env = resolvedExample(folder);
        expect(actionsOf(plan)).toEqual(["create"]);
        expect(plannedSubnets(plan)).toEqual(expectedSubnets(env));
        expect(checkPlan(plan, environmentRuleOptions(env.config)).findings.map(formatFinding)).toEqual([]);
      },
      STEP_MS,
    );
  });

  it(
    "examples/workshop: an HTTP-only load balancer that destroy may remove, and a DB data volume it may remove too",
    async () => {
      const plan = await planOf("workshop", "workshop");
      const [lb] = plannedResources(plan, "aws_lb");
      expect(lb.values.enable_deletion_protection).toBe(false);
      expect(plannedResources(plan, "aws_lb_listener").map((l) => l.values.port)).toEqual([80]);
      expect(plannedResources(plan, "aws_ebs_volume")).toHaveLength(1);
      const counts = countsByType(plan);
      expect([counts.aws_instance, counts.aws_nat_gateway, counts.aws_key_pair]).toEqual([4, 1, 1]);
    },
    STEP_MS,
  );

  it(
    "examples/production: three AZs, each private subnet routed to the NAT gateway of its own AZ, HTTPS, flow logs",
    async () => {
      const plan = await planOf("production", "prod");
      const azs = ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"];
      expect(defaultRouteTargets(plan)).toEqual({
        "management/ap-northeast-2a": "igw",
        ...Object.fromEntries(
          azs.flatMap((az) => [
            [`public/${az}`, "igw"],
            [`app/${az}`, `nat-gateway/${az}`],
            [`data/${az}`, `nat-gateway/${az}`],
          ]),
        ),
      });
      const counts = countsByType(plan);
      expect([counts.aws_nat_gateway, counts.aws_instance, counts.aws_flow_log, counts.aws_vpc_endpoint]).toEqual([
        3, 5, 1, 1,
      ]);
      expect(plannedResources(plan, "aws_lb_listener").map((l) => l.values.port)).toEqual(
        expect.arrayContaining([80, 443]),
      );
      for (const instance of plannedResources(plan, "aws_instance")) expect(instance.values.monitoring).toBe(true);
    },
    STEP_MS,
  );

  it(
    "examples/ssm-only: no SSH anywhere, no key pair, no public address but the NAT's",
    async () => {
      const plan = await planOf("ssm-only", "ssm-only");
      expect(plannedResources(plan, "aws_key_pair")).toEqual([]);
      const ports = plannedResources(plan, "aws_vpc_security_group_ingress_rule").map((r) => r.values.from_port);
      expect(ports).not.toContain(22);
      expect(plannedResources(plan, "aws_eip")).toHaveLength(1);
      expect(plannedResources(plan, "aws_nat_gateway")).toHaveLength(1);
      for (const instance of plannedResources(plan, "aws_instance"))
        expect(instance.values.iam_instance_profile).toBeDefined();
      expect(plannedResources(plan, "aws_ssm_association").length).toBeGreaterThan(0);
    },
    STEP_MS,
  );

  describe("examples/hcl-root-module", () => {
    // The checkout's layout, in a temp dir: the generated modules in terraform-modules/, the example beside them.
    const root = join(scratch, "checkout");
    const dir = join(root, "examples", "hcl-root-module");
    let env: NodeJS.ProcessEnv;

    async function terraform(args: string[]): Promise<string> {
      const result = await runTerraform(toolchain(), args, { cwd: dir, env, isolateNetwork: true, timeoutMs: STEP_MS });
      if (result.code !== 0)
        throw new Error(`terraform ${args.join(" ")} failed (${result.code}):\n${result.stderr}\n${result.stdout}`);
      return result.stdout;
    }

    it(
      "plans, on the modules npm run build:modules writes, the workshop's subnets, one NAT gateway and four servers",
      async () => {
        const build = spawnSync(
          process.execPath,
          [
            "--require",
            "tsx/cjs",
            "scripts/build-modules.ts",
            join(root, "terraform-modules"),
            join(scratch, "archives"),
          ],
          { cwd: ROOT, encoding: "utf8" },
        );
        expect(build.stderr).toBe("");
        expect(build.status).toBe(0);
        mkdirSync(dir, { recursive: true });
        copyFileSync(join(ROOT, "examples", "hcl-root-module", "main.tf"), join(dir, "main.tf"));
        writeFileSync(join(dir, "provider_override.tf.json"), JSON.stringify(offlineProviderOverride(), null, 2));
        env = offlineEnvironment(join(scratch, "home"), toolchain().pluginMirror, process.env);
        // The example reads the admins' key from ~/.ssh/workshop.pub by default.
        mkdirSync(join(env.HOME as string, ".ssh"), { recursive: true });
        copyFileSync(join(ROOT, "keys", "workshop-placeholder.pub"), join(env.HOME as string, ".ssh", "workshop.pub"));
        await terraform(["init", "-input=false", "-no-color"]);
        await terraform(["plan", "-input=false", "-no-color", "-lock=false", "-out=tfplan"]);
        const plan = JSON.parse(await terraform(["show", "-json", "-no-color", "tfplan"])) as PlanJson;
        expect(actionsOf(plan)).toEqual(["create"]);
        // The same layout as the default config's workshop environment, so the same subnets.
        const [workshop] = resolveConfig(defaultConfig);
        expect(plannedSubnets(plan)).toEqual(expectedSubnets(workshop));
        const counts = countsByType(plan);
        expect([counts.aws_nat_gateway, counts.aws_instance, counts.aws_key_pair, counts.aws_eip]).toEqual([
          1, 4, 1, 2,
        ]);
        expect(plannedResources(plan).every((r) => r.address.startsWith("module.workshop."))).toBe(true);
      },
      STEP_MS,
    );
  });
});
