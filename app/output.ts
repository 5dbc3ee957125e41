import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";

/**
 * Where a command-line run synthesizes before anything reaches the output dir. The App writes into `staging` (a
 * temporary dir, removed when the process exits); the stacks' validations then run on the JSON written there, and
 * only a run that passes them `publish`es: the files cdktf wrote are copied into `outdir`, the manifest last. Files
 * cdktf did not write (terraform's `.terraform`, a local state) stay where they are, and a failing run leaves the
 * output dir exactly as it was, or absent.
 */
export interface StagedOutput {
  readonly outdir: string;
  readonly staging: string;
  /** Copies the synthesized files into `outdir` and removes the stacks its manifest no longer lists. */
  publish(): void;
}

export function stageOutput(outdir: string): StagedOutput {
  const staging = mkdtempSync(join(tmpdir(), "cdktf-staging-"));
  process.on("exit", () => rmSync(staging, { recursive: true, force: true }));
  return {
    outdir,
    staging,
    publish() {
      const written = readdirSync(staging, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => relative(staging, join(entry.parentPath, entry.name)))
        // The manifest last: whoever reads it (cdktf-cli) finds every stack it names already in place.
        .sort((a, b) => Number(a === "manifest.json") - Number(b === "manifest.json"));
      for (const file of written) {
        mkdirSync(dirname(join(outdir, file)), { recursive: true });
        copyFileSync(join(staging, file), join(outdir, file));
      }
      removeOrphanedStacks(outdir);
    },
  };
}

/**
 * Removes stack folders the manifest no longer lists (an environment taken out of the config), as `cdktf synth`
 * does, so running the app directly leaves the same `cdktf.out`.
 */
function removeOrphanedStacks(outdir: string): void {
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, unknown>;
  };
  const stacksDir = join(outdir, "stacks");
  if (!existsSync(stacksDir)) return;
  for (const name of readdirSync(stacksDir))
    if (!(name in manifest.stacks)) rmSync(join(stacksDir, name), { recursive: true, force: true });
}
