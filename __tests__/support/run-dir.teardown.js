// jest globalTeardown: stops the AWS provider processes terraform-reattach.js started, and removes the run's dir
// (run-dir.setup.js), the temp dir of its workers with it.
const { existsSync, readdirSync, readFileSync, rmSync } = require("node:fs");
const { join } = require("node:path");

module.exports = () => {
  const runDir = process.env.CDKTF_TEST_RUN_DIR;
  if (runDir === undefined) return;
  const providers = join(runDir, "providers");
  const entries = existsSync(providers) ? readdirSync(providers, { recursive: true, withFileTypes: true }) : [];
  for (const entry of entries)
    if (entry.isFile() && entry.name === "pid" && !entry.parentPath.endsWith(".lease"))
      try {
        process.kill(Number(readFileSync(join(entry.parentPath, entry.name), "utf8")), "SIGKILL");
      } catch {
        // already gone
      }
  rmSync(runDir, { recursive: true, force: true });
};
