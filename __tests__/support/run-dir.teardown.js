// jest globalTeardown: removes the run's shared dir (run-dir.setup.js).
const { rmSync } = require("node:fs");

module.exports = () => {
  if (process.env.CDKTF_TEST_RUN_DIR !== undefined)
    rmSync(process.env.CDKTF_TEST_RUN_DIR, { recursive: true, force: true });
};
