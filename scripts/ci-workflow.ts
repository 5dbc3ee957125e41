import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadEnvironmentsOrExit } from "../app/config-file";
import { readSettingsOrExit } from "../app/settings";
import { renderWorkflow, WORKFLOW_PATH } from "../modules/tools/ci-workflow/workflow";

// `npm run ci:workflow [-- --check]`: writes .github/workflows/terraform.yml, or with --check exits 1 when the
// committed file differs from what the generator writes now.
const { values } = parseArgs({ options: { check: { type: "boolean" } } });
const root = resolve(__dirname, "..");
const environments = loadEnvironmentsOrExit(readSettingsOrExit(process.env, root).environmentsFile);
const defaultBranch = environments.find((e) => e.config.ci !== undefined)?.config.ci?.github.defaultBranch;
const text = renderWorkflow({ defaultBranch });
const path = resolve(root, WORKFLOW_PATH);
if (values.check === true) {
  const current = existsSync(path) ? readFileSync(path, "utf8") : "";
  if (current !== text) {
    process.stderr.write(`${WORKFLOW_PATH} is stale: run npm run ci:workflow and commit it\n`);
    process.exit(1);
  }
  process.stdout.write(`${WORKFLOW_PATH} is up to date\n`);
} else {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  process.stdout.write(`wrote ${WORKFLOW_PATH}\n`);
}
