// jest globalTeardown: removes the run's dir (run-dir.setup.js), the temp dir of its workers with it.
const { rmSync } = require("node:fs");

module.exports = () => {
  if (process.env.CDKTF_TEST_RUN_DIR !== undefined)
    rmSync(process.env.CDKTF_TEST_RUN_DIR, { recursive: true, force: true });
};
