// jest globalSetup: one dir for the whole run, where test files share what is costly to make (offline plans, see
// shared-plans.ts). Set in jest's own process before the workers start, so every worker inherits it.
const { mkdtempSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

module.exports = () => {
  process.env.CDKTF_TEST_RUN_DIR = mkdtempSync(join(tmpdir(), "cdktf-test-run-"));
};
