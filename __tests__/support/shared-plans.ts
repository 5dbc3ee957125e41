import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import {
  mapBounded,
  planApp,
  PlanOptions,
  StackPlan,
  SynthesizedStack,
  synthesizeApp,
  synthesizedStacks,
} from "../../modules/tools/pipeline/plan";
import { PlanJson } from "../../modules/rules/plan-json";
import { recordStackTiming } from "./stack-timings";
import { RUN_DIR_VARIABLE, sharedEntry } from "./run-cache";

/**
 * `planApp` whose plans are shared by every test file of one jest run: a stack's plan is keyed by what terraform
 * reads (every file of its synthesized dir, the mode, the terraform version), so the same stack planned by several
 * files (the default environment is planned by three) runs terraform once. Two workers asking for the same stack at
 * once: one plans, the other waits for its result. A failed plan is not kept. Without the run dir (a file run outside
 * jest's global setup) every call plans. With `saveDir`, each stack's `.tfplan` and `.plan.json` land there as
 * `planApp` puts them. Prior states are not shared: call `planApp` for those.
 */
export async function planAppShared(
  source: ((app: App) => void) | { readonly outdir: string },
  options: Omit<PlanOptions, "priorStates">,
): Promise<StackPlan[]> {
  const runDir = process.env[RUN_DIR_VARIABLE];
  if (runDir === undefined) return planApp(source, options);
  const scratch = mkdtempSync(join(options.tempDir ?? tmpdir(), "shared-plan-"));
  try {
    const all =
      typeof source === "function"
        ? synthesizeApp(source, join(scratch, "cdktf.out"))
        : synthesizedStacks(source.outdir);
    // planApp itself says which names the app lacks.
    if ((options.stacks ?? []).some((name) => !all.some((s) => s.name === name))) return planApp(source, options);
    const stacks = options.stacks === undefined ? all : all.filter((s) => options.stacks?.includes(s.name));
    return await mapBounded(stacks, options.concurrency ?? 1, async (stack) => {
      const entry = join(runDir, "plans", stackKey(stack, options));
      const outdir = typeof source === "function" ? join(scratch, "cdktf.out") : source.outdir;
      await sharedEntry(entry, async () => {
        const [planned] = await planApp({ outdir }, { ...options, stacks: [stack.name], saveDir: entry });
        writeFileSync(join(entry, "timings.json"), JSON.stringify(planned.timings));
        for (const [step, ms] of Object.entries(planned.timings)) recordStackTiming(stack.name, step, ms);
      });
      if (options.saveDir !== undefined) {
        mkdirSync(options.saveDir, { recursive: true });
        for (const suffix of [".tfplan", ".plan.json"])
          cpSync(join(entry, `${stack.name}${suffix}`), join(options.saveDir, `${stack.name}${suffix}`));
      }
      return {
        stack: stack.name,
        plan: JSON.parse(readFileSync(join(entry, `${stack.name}.plan.json`), "utf8")) as PlanJson,
        timings: JSON.parse(readFileSync(join(entry, "timings.json"), "utf8")) as StackPlan["timings"],
      };
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** What terraform's plan of `stack` depends on: the mode, the toolchain, every file of the stack's dir. */
function stackKey(stack: SynthesizedStack, options: Omit<PlanOptions, "priorStates">): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify([options.mode, options.toolchain.version, options.toolchain.pluginMirror ?? ""]));
  for (const file of readdirSync(stack.dir, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile())
    .map((f) => join(f.parentPath, f.name))
    .sort()) {
    hash.update(`\0${file.slice(stack.dir.length)}\0`);
    hash.update(readFileSync(file));
  }
  return `${stack.name}-${hash.digest("hex").slice(0, 32)}`;
}
