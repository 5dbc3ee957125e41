// jest globalSetup: one dir for the whole run, where test files share what is costly to make (offline plans, see
// shared-plans.ts), and the TMPDIR of every worker and every process a test starts, so that whatever a test leaves
// in the temp dir (cdktf's Testing.app() outdirs among them) goes with the run. Set in jest's own process before the
// workers start, so every worker inherits it.
const { mkdirSync, mkdtempSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

module.exports = () => {
  const runDir = mkdtempSync(join(tmpdir(), "cdktf-test-run-"));
  process.env.CDKTF_TEST_RUN_DIR = runDir;
  process.env.TMPDIR = join(runDir, "tmp");
  mkdirSync(process.env.TMPDIR);
};
