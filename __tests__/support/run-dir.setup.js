// jest globalSetup: one dir for the whole run, where test files share what is costly to make (offline plans, see
// shared-plans.ts), and the TMPDIR of every worker and every process a test starts, so that whatever a test leaves
// in the temp dir (cdktf's Testing.app() outdirs among them) goes with the run. Set in jest's own process before the
// workers start, so every worker inherits it. With terraform on PATH, it also writes the terraform the tests run
// (unless TERRAFORM_BINARY names one): terraform-reattach.js, which lends running AWS provider processes to it.
const { spawnSync } = require("node:child_process");
const { chmodSync, mkdirSync, mkdtempSync, readlinkSync, writeFileSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

module.exports = () => {
  const runDir = mkdtempSync(join(tmpdir(), "cdktf-test-run-"));
  process.env.CDKTF_TEST_RUN_DIR = runDir;
  process.env.TMPDIR = join(runDir, "tmp");
  mkdirSync(process.env.TMPDIR);
  const terraform = spawnSync("sh", ["-c", "command -v terraform"], { encoding: "utf8" }).stdout.trim();
  if (terraform.startsWith("/")) {
    const launcher = join(runDir, "bin", "terraform");
    mkdirSync(join(runDir, "bin"));
    const reattach = join(__dirname, "terraform-reattach.js");
    const network = readlinkSync("/proc/self/ns/net");
    const words = [process.execPath, reattach, join(runDir, "providers"), terraform, network];
    writeFileSync(launcher, `#!/bin/sh\nexec ${words.map((w) => JSON.stringify(w)).join(" ")} "$@"\n`);
    chmodSync(launcher, 0o755);
  }
};
