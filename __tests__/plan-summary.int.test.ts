import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { resolveConfig, validateConfig } from "../modules/environment/load";
import { EnvironmentConfig } from "../modules/environment/schema";
import { addAllStacks } from "../modules/environment/app";
import { ciIdentityStackId } from "../modules/ci/plan";
import { stateBootstrapStackId } from "../modules/state/plan";
import { planApp, StackPlan } from "../modules/tools/pipeline/plan";
import { PlanJson } from "../modules/rules/plan-json";
import { offlineEnvironment, runTerraform } from "../modules/tools/pipeline/terraform";
import { checkPlan } from "../modules/rules/check";
import { environmentRuleOptions, stackRuleOptions } from "../modules/rules/exceptions";
import {
  actionTotals,
  destructiveChanges,
  renderMarkdownSummary,
  StackSummary,
  summaryAction,
} from "../modules/tools/pipeline/summary-markdown";
import { describeWithTerraform } from "./support/terraform";
import { planAppShared } from "./support/shared-plans";
import { ProviderSchemas, stateFromPlan } from "./support/state-from-plan";
import { workshopConfig } from "./support/synth";

const ACCOUNT = "111122223333";
const NEW_AMI = "ami-0fedcba9876543210";

/** The default environment with a CI identity: the app then has three stacks. */
function before(): EnvironmentConfig[] {
  return validateConfig({
    environments: [{ ...workshopConfig(), ci: { accountId: ACCOUNT, github: { repository: "acme/infra" } } }],
  });
}

/** The same environment a change later: its second AZ dropped (destroys) and a new image (replaces every instance). */
function after(): EnvironmentConfig[] {
  const env = workshopConfig();
  return validateConfig({ environments: [{ ...env, azs: [env.azs[0]], ami: NEW_AMI }] });
}

function summaries(plans: readonly StackPlan[], environments: readonly EnvironmentConfig[]): StackSummary[] {
  return plans.map(({ stack, plan }) => ({
    stack,
    plan,
    policy: checkPlan(plan, stackRuleOptions(stack, environments)),
  }));
}

/** Row of a stack in the summary table, split into cells. */
function row(markdown: string, stack: string): string[] {
  const line = markdown.split("\n").find((l) => l.startsWith(`| \`${stack}\` |`));
  if (line === undefined) throw new Error(`no row for ${stack} in:\n${markdown}`);
  return line
    .split("|")
    .slice(1, -1)
    .map((c) => c.trim());
}

describeWithTerraform("Markdown plan summary on real offline plans", (toolchain) => {
  const work = mkdtempSync(join(tmpdir(), "plan-summary-"));
  let created: StackPlan[] = [];
  let changed: StackPlan;

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  // Each slow step is its own test, with room for a busy 2-core machine (seen: over 10 min for the three stacks
  // together under load 20; about 1 min each on a quiet one).
  const SLOW = 900_000;

  const planFresh = async (stacks: string[]) => {
    const plans = await planAppShared((app) => addAllStacks(app, resolveConfig({ environments: before() }), false), {
      toolchain: toolchain(),
      mode: "offline",
      stacks,
      saveDir: join(work, "saved"),
    });
    created = [...created, ...plans];
    for (const { stack } of plans) {
      expect(existsSync(join(work, "saved", `${stack}.tfplan`))).toBe(true);
      expect(JSON.parse(readFileSync(join(work, "saved", `${stack}.plan.json`), "utf8")).format_version).toMatch(
        /^1\./,
      );
    }
    expect(plans.map((p) => p.stack).sort()).toEqual([...stacks].sort());
  };

  it("plans the environment stack from nothing, and keeps the plan and its JSON", () => planFresh(["workshop"]), SLOW);

  it(
    "plans the state bootstrap and CI identity stacks from nothing",
    () => planFresh([ciIdentityStackId(ACCOUNT), stateBootstrapStackId("change-me-workshop-tfstate")]),
    SLOW,
  );

  it("renders a row per stack with what it creates and its policy verdict, and no warning when nothing is destroyed", () => {
    const markdown = renderMarkdownSummary(summaries(created, before()));
    for (const { stack, plan } of created) {
      const creates = (plan.resource_changes ?? []).filter(
        (c) => c.mode === "managed" && c.change.actions.join() === "create",
      ).length;
      expect(creates).toBeGreaterThan(0);
      expect(row(markdown, stack).slice(1, 5)).toEqual([String(creates), "0", "0", "0"]);
      expect(row(markdown, stack)[5]).toMatch(/^✅/);
    }
    const accepted = checkPlan(created.find((p) => p.stack === "workshop")!.plan, environmentRuleOptions(before()[0]))
      .accepted.length;
    expect(accepted).toBeGreaterThan(0);
    expect(row(markdown, "workshop")[5]).toBe(`✅ (${accepted} accepted)`);
    expect(markdown).not.toMatch(/CAUTION|DESTROY|REPLACE/);
    expect(markdown).toContain("| `aws_iam_role` | 2 | 0 | 0 | 0 |");
  });

  it(
    "plans the changed environment against the first one's state honestly: what did not change is a no-op",
    async () => {
      // The provider's schema versions and attribute types, for a state file it accepts.
      const schemaDir = join(work, "schema");
      mkdirSync(schemaDir, { recursive: true });
      writeFileSync(
        join(schemaDir, "main.tf.json"),
        JSON.stringify({ terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } } } }),
      );
      const env = offlineEnvironment(join(work, "home"), toolchain().pluginMirror, process.env);
      const run = (args: string[]) => runTerraform(toolchain(), args, { cwd: schemaDir, env, isolateNetwork: true });
      expect((await run(["init", "-input=false", "-no-color"])).code).toBe(0);
      const schema = await run(["providers", "schema", "-json"]);
      expect(schema.code).toBe(0);

      const workshop = created.find((p) => p.stack === "workshop") as StackPlan;
      const statePath = join(work, "workshop.tfstate");
      writeFileSync(
        statePath,
        JSON.stringify(stateFromPlan(workshop.plan, JSON.parse(schema.stdout) as ProviderSchemas)),
      );
      [changed] = await planApp((app) => addAllStacks(app, resolveConfig({ environments: after() }), false), {
        toolchain: toolchain(),
        mode: "offline",
        stacks: ["workshop"],
        priorStates: { workshop: statePath },
      });

      const noop = (changed.plan.resource_changes ?? [])
        .filter((c) => c.change.actions.join() === "no-op")
        .map((c) => c.type);
      expect(noop).toEqual(
        expect.arrayContaining(["aws_vpc", "aws_internet_gateway", "aws_nat_gateway", "aws_key_pair"]),
      );
    },
    SLOW,
  );

  it("makes destroys and replaces loud: a caution block naming every one, with what forces the replacement", () => {
    const plan: PlanJson = changed.plan;
    const destructive = destructiveChanges(plan);
    const deleted = destructive.filter((c) => summaryAction(c) === "delete");
    const replaced = destructive.filter((c) => summaryAction(c) === "replace");
    expect(deleted.filter((c) => c.type === "aws_subnet").length).toBe(2);
    expect(replaced.map((c) => c.type)).toEqual(expect.arrayContaining(["aws_instance"]));

    const markdown = renderMarkdownSummary(summaries([changed], after()));
    expect(markdown).toContain("> [!CAUTION]");
    expect(markdown).toContain(`**This plan DESTROYS ${deleted.length} and REPLACES ${replaced.length} resource(s).**`);
    for (const c of deleted) expect(markdown).toContain(`> - **DESTROY** \`workshop: ${c.address}\``);
    for (const c of replaced)
      expect(markdown).toMatch(
        new RegExp(`> - \\*\\*REPLACE\\*\\* \`workshop: ${c.address.replace(/[.[\]]/g, "\\$&")}\`.*`),
      );
    const instance = replaced.find((c) => c.type === "aws_instance");
    expect(markdown).toMatch(
      new RegExp(`${instance?.address.replace(/[.[\]]/g, "\\$&")}\` \\(cannot update; forced by \`ami\``),
    );
    const totals = actionTotals(plan);
    expect(row(markdown, "workshop").slice(1, 5)).toEqual([
      String(totals.create),
      String(totals.update),
      `**${totals.replace}** ⚠️`,
      `**${totals.delete}** ⚠️`,
    ]);
  });

  it(
    "npm run plan -- --offline --summary markdown prints the summary on stdout",
    () => {
      const configFile = join(work, "environments.json");
      writeFileSync(configFile, JSON.stringify({ environments: before() }));
      const bootstrap = stateBootstrapStackId("change-me-workshop-tfstate");
      const cli = spawnSync(
        process.execPath,
        [
          "--require",
          "./app/register-ts.js",
          "scripts/plan.ts",
          "--offline",
          "--summary",
          "markdown",
          "--stack",
          bootstrap,
        ],
        {
          cwd: resolve(__dirname, ".."),
          env: { ...process.env, ENVIRONMENTS_FILE: configFile },
          encoding: "utf8",
        },
      );
      expect(cli.stderr).toContain(`${bootstrap}: show`);
      expect(cli.status).toBe(0);
      expect(cli.stdout.startsWith("<!-- cdktf-plan-summary -->\n## Terraform plan (offline)\n")).toBe(true);
      const created = (JSON.parse(readFileSync(join(work, "saved", `${bootstrap}.plan.json`), "utf8")) as PlanJson)
        .resource_changes?.length;
      expect(row(cli.stdout, bootstrap).slice(1, 5)).toEqual([String(created), "0", "0", "0"]);
    },
    SLOW,
  );
});
