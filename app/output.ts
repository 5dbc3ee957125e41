import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { App, AppConfig } from "cdktf";

/**
 * A cdktf App for a command-line run (its outdir as cdktf's App picks it: `outdir`, else `$CDKTF_OUTDIR`, else
 * `cdktf.out`). cdktf creates the output dir and its stacks/ as the App is made; if this run created it and
 * then exits non-zero (a guardrail failed), it is removed again, so a failing run leaves nothing behind.
 */
export function newCommandLineApp(config: AppConfig = {}): App {
  const outdir = config.outdir ?? process.env.CDKTF_OUTDIR ?? "cdktf.out";
  const existed = existsSync(outdir);
  const app = new App(config);
  if (!existed) {
    process.on("exit", (code) => {
      if (code !== 0) rmSync(app.outdir, { recursive: true, force: true });
    });
  }
  return app;
}

/**
 * After `app.synth()`: removes stack folders the manifest no longer lists (an environment taken out of the config),
 * as `cdktf synth` does, so running the app directly leaves the same `cdktf.out`.
 */
export function removeOrphanedStacks(outdir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, unknown>;
  };
  const stacksDir = join(outdir, "stacks");
  if (!existsSync(stacksDir)) return [];
  const orphans = readdirSync(stacksDir).filter((name) => !(name in manifest.stacks));
  for (const name of orphans) rmSync(join(stacksDir, name), { recursive: true, force: true });
  return orphans;
}
