import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadEnvironmentsOrExit } from "../modules/config/cli";
import { addAllStacks } from "../modules/environment/app";
import { PlanError, planApp, PlanMode, StackPlan } from "../modules/pipeline/plan";
import { summarizePlan } from "../modules/pipeline/plan-json";
import { detectTerraform } from "../modules/pipeline/terraform";
import { checkPlan } from "../modules/rules/check";
import { formatFinding } from "../modules/rules/engine";
import { environmentRuleOptions, stateStoreExceptions } from "../modules/rules/exceptions";
import { stateBootstrapStackId, stateStores } from "../modules/state/plan";

const USAGE = `usage: npm run plan -- [--offline] [--stack NAME ...]

Synthesizes the app (config/environments.json, or $ENVIRONMENTS_FILE) and runs terraform init, validate, plan and
show -json for every stack, each in its own temp dir, then prints what each plan would do and the rules' findings.
  (default)      a real plan: your AWS credentials, your backend, your network
  --offline      no AWS account needed: dummy credentials, provider endpoints on a closed loopback port, a local
                 backend, and no network (unshare -n where permitted)
  --stack NAME   plan only this stack (repeatable)
Environment: TERRAFORM_BINARY (default: terraform on PATH), TF_PLUGIN_MIRROR (a provider filesystem mirror).
Exit status: 0 all planned and no rule finding, 1 a plan failed or a rule found something, 2 usage.`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { offline: { type: "boolean" }, stack: { type: "string", multiple: true }, help: { type: "boolean" } } });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const environments = loadEnvironmentsOrExit(resolve(__dirname, ".."));
  const { toolchain, missing } = detectTerraform();
  if (toolchain === undefined) {
    process.stderr.write(`${missing}\n`);
    return 1;
  }
  const mode: PlanMode = args.values.offline === true ? "offline" : "real";
  process.stderr.write(`${toolchain.version}; ${mode} plan; providers from ${toolchain.pluginMirror ?? "the registry"}\n`);

  let plans: readonly StackPlan[];
  let failed = false;
  try {
    plans = await planApp((app) => addAllStacks(app, environments), {
      toolchain,
      mode,
      stacks: args.values.stack,
      onStep: (stack, step, ms) => process.stderr.write(`  ${stack}: ${step} ${(ms / 1000).toFixed(1)} s\n`),
    });
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    process.stderr.write(`${error.message}\n`);
    plans = error.plans;
    failed = true;
  }
  for (const { stack, plan } of plans) {
    const env = environments.find((e) => e.config.name === stack);
    const store = stateStores(environments.map((e) => e.config)).find((s) => stateBootstrapStackId(s.bucket) === stack);
    const options = env !== undefined ? environmentRuleOptions(env.config) : { exceptions: store !== undefined ? stateStoreExceptions(store) : [] };
    const { findings, accepted } = checkPlan(plan, options);
    process.stdout.write(`\n${stack}: ${summarizePlan(plan).join("\n")}\n`);
    for (const a of accepted) process.stdout.write(`  accepted: ${formatFinding(a)} (${a.reason})\n`);
    for (const f of findings) process.stdout.write(`  POLICY: ${formatFinding(f)}\n`);
    failed ||= findings.length > 0;
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
