import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadEnvironmentsOrExit } from "../app/config-file";
import { readSettingsOrExit } from "../app/settings";
import { matrixOutputs, pipelineMatrix } from "../modules/tools/ci-workflow/matrix";
import { synthesizedStacks } from "../modules/tools/pipeline/plan";

// `npm run ci:matrix -- [--outdir cdktf.out]`: the workflow's job matrix from a synthesized app's manifest, as
// `$GITHUB_OUTPUT` lines (plan=[stacks], apply=[{stack, environment}]).
const { values } = parseArgs({ options: { outdir: { type: "string", default: "cdktf.out" } } });
const environments = loadEnvironmentsOrExit(readSettingsOrExit(process.env, resolve(__dirname, "..")).environmentsFile);
try {
  const stacks = synthesizedStacks(resolve(values.outdir)).map((s) => s.name);
  process.stdout.write(
    matrixOutputs(
      pipelineMatrix(
        stacks,
        environments.map((e) => e.config),
      ),
    ),
  );
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
