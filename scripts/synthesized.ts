import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadEnvironmentsOrExit } from "../app/config-file";
import { readSettingsOrExit } from "../app/settings";
import { addAllStacks } from "../modules/environment/app";
import { synthesizeApp, synthesizedStacks } from "../modules/tools/pipeline/plan";
import { TerraformJson } from "../modules/tools/inventory/inventory";

/** One stack's name and Terraform JSON. */
export interface StackJson {
  readonly name: string;
  readonly json: TerraformJson;
}

export const ROOT = resolve(__dirname, "..");
const settings = readSettingsOrExit(process.env, ROOT);
/** Where the app is synthesized: `$CDKTF_OUTDIR` (as cdktf's App reads it), else cdktf.out. */
export const OUTDIR = resolve(settings.outdir);

/**
 * The stacks `npm run diagram` and `npm run cost` read: the app synthesized now into `$CDKTF_OUTDIR` or cdktf.out (the config of
 * `$ENVIRONMENTS_FILE`, as `npm run synth` does), or, with `from`, an app synthesized before. `only` picks stacks by
 * name; an unknown name is an error listing the stacks there are.
 */
export function loadStacks(from: string | undefined, only: readonly string[] = []): StackJson[] {
  const stacks =
    from !== undefined
      ? synthesizedStacks(resolve(from))
      : synthesizeApp((app) => {
          addAllStacks(app, loadEnvironmentsOrExit(settings.environmentsFile), settings.stateBootstrapLocal);
        }, OUTDIR);
  const unknown = only.filter((name) => !stacks.some((s) => s.name === name));
  if (unknown.length > 0)
    throw new Error(`no stack named ${unknown.join(", ")}; the stacks are: ${stacks.map((s) => s.name).join(", ")}`);
  return stacks
    .filter((s) => only.length === 0 || only.includes(s.name))
    .map((s) => ({
      name: s.name,
      json: JSON.parse(readFileSync(join(s.dir, "cdk.tf.json"), "utf8")) as TerraformJson,
    }));
}
