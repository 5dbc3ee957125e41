import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { App } from "cdktf";
import { PlanJson } from "../../rules/plan-json";
import {
  localBackendOverride,
  offlineEnvironment,
  offlineProviderOverride,
  runTerraform,
  TerraformRun,
  TerraformToolchain,
} from "./terraform";

/**
 * `offline`: dummy credentials, provider endpoints on a closed loopback port, a local backend, no network
 * (override files, sanitized environment, `unshare -n`). `real`: the stack as synthesized, with the caller's
 * environment, credentials and backend.
 */
export type PlanMode = "offline" | "real";

/** One step of a stack's plan. */
export type PlanStep = "init" | "validate" | "plan" | "show";

/**
 * The steps of one stack's plan, in order. A real plan validates first, so that a broken config fails before the
 * provider is configured with the caller's credentials; offline, `plan` validates the same config as its first step,
 * and a separate `validate` (the provider's whole schema loaded once more: ~4 s of CPU) would find nothing more.
 */
const PLAN_STEPS: Readonly<Record<PlanMode, readonly PlanStep[]>> = {
  real: ["init", "validate", "plan", "show"],
  offline: ["init", "plan", "show"],
};

/** How `planApp` plans: the terraform to run, offline or real, which stacks, how many at once. */
export interface PlanOptions {
  readonly toolchain: TerraformToolchain;
  readonly mode: PlanMode;
  /** Plan only these stacks (names as in the manifest). @default every stack */
  readonly stacks?: readonly string[];
  /** Stacks planned at once; each terraform plan holds the AWS provider (~630 MB). @default 1 */
  readonly concurrency?: number;
  /** Kill a terraform command after this many milliseconds. @default 300000 */
  readonly timeoutMs?: number;
  /** The environment terraform starts from: real plans run with it (plus TF_IN_AUTOMATION), offline plans keep only PATH and locale from it. @default {} */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the run's temp dir (synth output, one work dir per stack) is made and removed again. @default the system temp dir */
  readonly tempDir?: string;
  /**
   * Offline only: a Terraform state file per stack name to plan against instead of an empty state (plans then run with
   * `-refresh=false`, since nothing can be read back offline). @default none: every stack starts from an empty state
   */
  readonly priorStates?: Readonly<Record<string, string>>;
  /** Keep each stack's saved plan and its JSON here, as `<stack>.tfplan` and `<stack>.plan.json`. @default not kept */
  readonly saveDir?: string;
  /** Told when a stack's step ends, e.g. to print progress. */
  readonly onStep?: (stack: string, step: PlanStep, ms: number, run: TerraformRun) => void;
}

/** One stack's plan. */
export interface StackPlan {
  readonly stack: string;
  /** `terraform show -json` of the saved plan. */
  readonly plan: PlanJson;
  /** Wall time of each step run, in milliseconds (offline plans run no `validate`). */
  readonly timings: Readonly<Partial<Record<PlanStep, number>>>;
}

/** One stack whose step failed, with terraform's own output. */
export interface StackFailure {
  readonly stack: string;
  readonly step: PlanStep | "setup";
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Raised when one or more stacks fail; names each stack and the step, and keeps the stacks that did plan. */
export class PlanError extends Error {
  constructor(
    readonly failures: readonly StackFailure[],
    readonly plans: readonly StackPlan[],
  ) {
    super(failures.map(describeFailure).join("\n\n"));
    this.name = "PlanError";
  }
}

/** Raised before anything is planned when `stacks` names a stack the app does not have (a usage error). */
export class UnknownStackError extends Error {
  constructor(
    readonly unknown: readonly string[],
    readonly known: readonly string[],
  ) {
    super(`no stack ${unknown.join(", ")} in the app (stacks: ${known.join(", ")})`);
    this.name = "UnknownStackError";
  }
}

function describeFailure(failure: StackFailure): string {
  const output = [failure.stderr.trim(), failure.stdout.trim()].filter((s) => s !== "").join("\n");
  return `stack "${failure.stack}": terraform ${failure.step} failed (exit ${failure.code}):\n${indent(lastLines(output, 60))}`;
}

function lastLines(text: string, count: number): string {
  const lines = text.split("\n");
  return lines.length <= count
    ? text
    : [`... (${lines.length - count} lines before)`, ...lines.slice(-count)].join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}

/** A stack of a synthesized app: its name and the folder holding its `cdk.tf.json`. */
export interface SynthesizedStack {
  readonly name: string;
  readonly dir: string;
}

/** The stacks of a synthesized app (`cdktf.out`), from its manifest. */
export function synthesizedStacks(outdir: string): SynthesizedStack[] {
  const manifestPath = join(outdir, "manifest.json");
  let manifest: { stacks?: Record<string, { name: string; workingDirectory: string }> };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  } catch (error) {
    throw new Error(`${manifestPath}: no synthesized app there (${(error as Error).message}); run the synth first`);
  }
  return Object.values(manifest.stacks ?? {}).map((s) => ({ name: s.name, dir: resolve(outdir, s.workingDirectory) }));
}

/** Synthesizes the app that `build` fills into `outdir` and returns its stacks. */
export function synthesizeApp(build: (app: App) => void, outdir: string): SynthesizedStack[] {
  const app = new App({ outdir });
  build(app);
  app.synth();
  return synthesizedStacks(outdir);
}

/**
 * Plans every stack of an app: `build` fills a fresh cdktf App (synthesized into a temp dir), or `outdir` names an
 * app already synthesized. Each stack runs `init`, `validate`, `plan -out`, `show -json` in its own temp copy.
 * Resolves to the plans in the manifest's order (by stack name); rejects with a PlanError naming every stack and step that failed.
 */
export async function planApp(
  source: ((app: App) => void) | { readonly outdir: string },
  options: PlanOptions,
): Promise<StackPlan[]> {
  const root = mkdtempSync(join(options.tempDir ?? tmpdir(), "cdktf-plan-"));
  try {
    const all =
      typeof source === "function" ? synthesizeApp(source, join(root, "cdktf.out")) : synthesizedStacks(source.outdir);
    const unknown = (options.stacks ?? []).filter((name) => !all.some((s) => s.name === name));
    if (unknown.length > 0)
      throw new UnknownStackError(
        unknown,
        all.map((s) => s.name),
      );
    if (options.priorStates !== undefined && options.mode !== "offline")
      throw new Error("priorStates: offline plans only (a real plan reads its backend's state)");
    const stacks = options.stacks === undefined ? all : all.filter((s) => options.stacks?.includes(s.name));
    const outcomes = await mapBounded(stacks, options.concurrency ?? 1, (stack) =>
      // Numbered, not named: terraform's plugin socket lives under the stack's TMPDIR, and a Unix socket path may not
      // pass 108 bytes (a long stack name under a nested temp dir made the provider fail to start).
      planStack(stack, join(root, String(stacks.indexOf(stack))), options),
    );
    const plans = outcomes.filter((o): o is StackPlan => "plan" in o);
    const failures = outcomes.filter((o): o is StackFailure => !("plan" in o));
    if (failures.length > 0) throw new PlanError(failures, plans);
    return plans;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Plans one synthesized stack in `workDir` (created, and left for the caller to remove). Never throws for terraform's failures. */
export async function planStack(
  stack: SynthesizedStack,
  workDir: string,
  options: PlanOptions,
): Promise<StackPlan | StackFailure> {
  const { toolchain, mode } = options;
  const work = join(workDir, "work");
  mkdirSync(workDir, { recursive: true });
  // Only the synthesized files: not a .terraform or state someone left beside them.
  cpSync(stack.dir, work, {
    recursive: true,
    filter: (src) => ![".terraform", "tfplan"].includes(basename(src)) && !src.endsWith(".tfstate"),
  });

  let env: NodeJS.ProcessEnv;
  const initArgs = ["init", "-input=false", "-no-color"];
  if (mode === "offline") {
    env = offlineEnvironment(join(workDir, "home"), toolchain.pluginMirror, options.env ?? {});
    writeFileSync(join(work, "provider_override.tf.json"), JSON.stringify(offlineProviderOverride(), null, 2));
    writeFileSync(join(work, "backend_override.tf.json"), JSON.stringify(localBackendOverride(), null, 2));
    const prior = options.priorStates?.[stack.name];
    if (prior !== undefined) cpSync(prior, join(work, "terraform.tfstate"));
  } else {
    env = { ...options.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
    if (toolchain.pluginMirror !== undefined) initArgs.push(`-plugin-dir=${toolchain.pluginMirror}`);
  }
  const commands: Record<PlanStep, string[]> = {
    init: initArgs,
    validate: ["validate", "-no-color"],
    plan: [
      "plan",
      "-input=false",
      "-no-color",
      "-out=tfplan",
      ...(mode === "offline" ? ["-lock=false"] : []),
      ...(options.priorStates?.[stack.name] !== undefined ? ["-refresh=false"] : []),
    ],
    show: ["show", "-json", "-no-color", "tfplan"],
  };
  const timings: Partial<Record<PlanStep, number>> = {};
  let shown: TerraformRun | undefined;
  for (const step of PLAN_STEPS[mode]) {
    const started = Date.now();
    // Offline, nothing may leave the machine; only init without a mirror needs the registry, for the provider.
    const isolateNetwork = mode === "offline" && (step !== "init" || toolchain.pluginMirror !== undefined);
    const run = await runTerraform(toolchain, commands[step], {
      cwd: work,
      env,
      isolateNetwork,
      timeoutMs: options.timeoutMs,
    });
    const ms = Date.now() - started;
    timings[step] = ms;
    options.onStep?.(stack.name, step, ms, run);
    if (run.code !== 0) return { stack: stack.name, step, ...run };
    shown = run;
  }
  try {
    const plan = JSON.parse(shown?.stdout ?? "") as PlanJson;
    if (options.saveDir !== undefined) {
      mkdirSync(options.saveDir, { recursive: true });
      cpSync(join(work, "tfplan"), join(options.saveDir, `${stack.name}.tfplan`));
      writeFileSync(join(options.saveDir, `${stack.name}.plan.json`), shown?.stdout ?? "");
    }
    return { stack: stack.name, plan, timings };
  } catch (error) {
    return {
      stack: stack.name,
      step: "show",
      code: 0,
      stdout: shown?.stdout ?? "",
      stderr: `not JSON: ${(error as Error).message}`,
    };
  }
}

/** Runs `work` over `items`, at most `limit` at a time, and keeps the input order. @internal */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
