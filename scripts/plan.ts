import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadEnvironmentsOrExit } from "../app/config-file";
import { readSettingsOrExit } from "../app/settings";
import { checkPlaceholdersOrExit } from "../app/placeholders";
import { addAllStacks } from "../modules/environment/app";
import { PlanError, planApp, UnknownStackError, PlanMode, StackPlan } from "../modules/tools/pipeline/plan";
import { summarizePlan } from "../modules/rules/plan-json";
import { detectTerraform } from "../modules/tools/pipeline/terraform";
import { checkPlan } from "../modules/rules/check";
import { formatFinding } from "../modules/rules/engine";
import { stackRuleOptions } from "../modules/rules/exceptions";
import { renderMarkdownSummary, StackFailureSummary, StackSummary } from "../modules/tools/pipeline/summary-markdown";
import { renderDataAtRiskText, stacksDataAtRisk } from "../modules/tools/pipeline/data-at-risk";
import { PlanJson } from "../modules/rules/plan-json";
import { ResolvedEnvironment } from "../modules/environment/resolve";
import { runCommand, UsageError } from "./cli";

const USAGE = `usage: npm run plan -- [--offline] [--stack NAME ...] [--summary text|markdown] [--save DIR] [--from DIR]

Synthesizes the app (config/environments.json, or $ENVIRONMENTS_FILE) and runs terraform init, validate (not with
--offline: the plan validates first), plan and show -json for every stack, each in its own temp dir, then prints what each plan would do and the rules' findings.
  (default)      a real plan: your AWS credentials, your backend, your network
  --offline      no AWS account needed: dummy credentials, provider endpoints on a closed loopback port, a local
                 backend, and no network (unshare -n where permitted)
  --stack NAME   plan only this stack (repeatable)
  --summary markdown
                 print the summary as Markdown (a pull-request comment: first any data at risk, then a table per
                 stack, a loud warning for every resource destroyed or replaced, rule findings); progress stays on
                 stderr. Default: text (data at risk first too)
  --save DIR     keep each stack's plan as DIR/<stack>.tfplan and DIR/<stack>.plan.json
  --from DIR     run no terraform: summarize the plans --save kept in DIR (every DIR/*.plan.json, or those of the
                 --stack names given; a named stack without one is reported as failed)
Environment: TERRAFORM_BINARY (default: terraform on PATH), TF_PLUGIN_MIRROR (a provider filesystem mirror).
Exit status: 0 all planned and no rule finding, 1 a plan failed or a rule found something, 2 usage.`;

const OPTIONS = {
  offline: { type: "boolean" },
  stack: { type: "string", multiple: true },
  summary: { type: "string", default: "text" },
  save: { type: "string" },
  from: { type: "string" },
} as const;

runCommand(USAGE, OPTIONS, async (values) => {
  if (!["text", "markdown"].includes(values.summary))
    throw new UsageError(`--summary ${values.summary}: expected text or markdown`);
  const settings = readSettingsOrExit(process.env, resolve(__dirname, ".."));
  const environments = loadEnvironmentsOrExit(settings.environmentsFile);
  if (values.from !== undefined) {
    const { plans, missing } = readSavedPlans(resolve(values.from), values.stack);
    const failures = missing.map((stack) => ({
      stack,
      step: "plan",
      message: `no ${stack}.plan.json in ${values.from}: the stack's plan did not finish (see its job's log)`,
    }));
    return report(plans, failures, environments, values.summary, "saved");
  }
  const mode: PlanMode = values.offline === true ? "offline" : "real";
  // A real plan reaches AWS: the default config's placeholders stop it (ACCEPT_PLACEHOLDERS=1 lets them through).
  checkPlaceholdersOrExit(
    environments,
    mode === "real" && settings.placeholders !== "accept" ? "refuse" : settings.placeholders,
  );
  const { toolchain, missing } = detectTerraform({
    binary: settings.terraformBinary,
    pluginMirror: settings.pluginMirror,
    env: process.env,
  });
  if (toolchain === undefined) {
    process.stderr.write(`${missing}\n`);
    return 1;
  }
  process.stderr.write(
    `${toolchain.version}; ${mode} plan; providers from ${toolchain.pluginMirror ?? "the registry"}\n`,
  );

  let plans: readonly StackPlan[];
  let failures: PlanError["failures"] = [];
  try {
    plans = await planApp((app) => addAllStacks(app, environments, settings.stateBootstrapLocal), {
      toolchain,
      mode,
      stacks: values.stack,
      saveDir: values.save === undefined ? undefined : resolve(values.save),
      env: process.env,
      onStep: (stack, step, ms) => process.stderr.write(`  ${stack}: ${step} ${(ms / 1000).toFixed(1)} s\n`),
    });
  } catch (error) {
    if (error instanceof UnknownStackError) throw new UsageError(error.message);
    if (!(error instanceof PlanError)) throw error;
    process.stderr.write(`${error.message}\n`);
    plans = error.plans;
    failures = error.failures;
  }
  const broken = failures.map((f) => ({
    stack: f.stack,
    step: f.step,
    message: [f.stderr.trim(), f.stdout.trim()].filter((t) => t !== "").join("\n"),
  }));
  return report(plans, broken, environments, values.summary, mode);
});

/** Plans `--save` kept in `dir`: the named stacks' (and which of them have none), or every one there. */
function readSavedPlans(
  dir: string,
  stacks: readonly string[] | undefined,
): { plans: Array<Pick<StackPlan, "stack" | "plan">>; missing: string[] } {
  const names =
    stacks ??
    (existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith(".plan.json"))
          .map((f) => f.slice(0, -".plan.json".length))
          .sort()
      : []);
  const found = names.filter((name) => existsSync(join(dir, `${name}.plan.json`)));
  return {
    plans: found.map((stack) => ({
      stack,
      plan: JSON.parse(readFileSync(join(dir, `${stack}.plan.json`), "utf8")) as PlanJson,
    })),
    missing: names.filter((name) => !found.includes(name)),
  };
}

/** Prints the plans' summary and policy findings; 1 when a plan failed or a rule found something. */
function report(
  plans: ReadonlyArray<Pick<StackPlan, "stack" | "plan">>,
  failures: readonly StackFailureSummary[],
  environments: readonly ResolvedEnvironment[],
  format: string,
  label: string,
): number {
  const summaries: StackSummary[] = plans.map(({ stack, plan }) => {
    return {
      stack,
      plan,
      policy: checkPlan(
        plan,
        stackRuleOptions(
          stack,
          environments.map((e) => e.config),
        ),
      ),
    };
  });
  const failed = failures.length > 0 || summaries.some((s) => s.policy.findings.length > 0);
  if (format === "markdown") {
    process.stdout.write(renderMarkdownSummary(summaries, failures, `Terraform plan (${label})`));
    return failed ? 1 : 0;
  }
  // What destroys data comes first, before any stack's counts.
  for (const line of renderDataAtRiskText(stacksDataAtRisk(summaries))) process.stdout.write(`${line}\n`);
  for (const { stack, plan, policy } of summaries) {
    process.stdout.write(`\n${stack}: ${summarizePlan(plan).join("\n")}\n`);
    for (const a of policy.accepted) process.stdout.write(`  accepted: ${formatFinding(a)} (${a.reason})\n`);
    for (const f of policy.findings) process.stdout.write(`  POLICY: ${formatFinding(f)}\n`);
  }
  for (const f of failures) process.stdout.write(`\n${f.stack}: FAILED at ${f.step}\n`);
  return failed ? 1 : 0;
}
