// No calls home from tests: set here, in jest's own process, so every worker and every child process inherits it
// (a test file's process.env is a copy: what a test sets there does not reach children spawned without an env).
// cdktf's own `terraform version` validation (terraform_data in state.int.test.ts) runs terraform this way.
// Proved by __tests__/no-calls-home.int.test.ts with a recording terraform shim.
// The tests read the committed copy of the default config, never the user's config/environments.json (which the
// checklist in docs/access-and-servers.md has them edit): ENVIRONMENTS_FILE points every app a test starts there. A
// test that needs another config passes its own ENVIRONMENTS_FILE. Proved by __tests__/default-config.test.ts.
Object.assign(process.env, {
  ENVIRONMENTS_FILE: require("node:path").join(__dirname, "__tests__", "fixtures", "environments.json"),
  CHECKPOINT_DISABLE: "1",
  DISABLE_VERSION_CHECK: "true",
  CDKTF_DISABLE_PLUGIN_CACHE_ENV: "true",
});

// @swc/jest strips types only; `tsc --noEmit` in `npm test` type-checks once for the whole tree.
const transform = { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] };
const common = { testEnvironment: "node", transform, setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"] };

module.exports = {
  // jest's default on 2 cores is one worker. The integration files, the apply tests above all, mostly wait on
  // terraform and the emulator: one worker more than there are cores, with the apply tests started first.
  maxWorkers: require("node:os").availableParallelism() + 1,
  testSequencer: "<rootDir>/__tests__/support/apply-first.sequencer.js",
  // One dir per run where test files share offline plans (__tests__/support/shared-plans.ts).
  globalSetup: "<rootDir>/__tests__/support/run-dir.setup.js",
  globalTeardown: "<rootDir>/__tests__/support/run-dir.teardown.js",
  // unit (`npm run test:unit`, the edit loop): in process, and the app or a script run directly. integration
  // (`*.int.test.ts`): whatever runs terraform (or a shim of it), cdktf-cli, typedoc, npm pack/install or the emulator.
  projects: [
    {
      ...common,
      displayName: "unit",
      testMatch: ["<rootDir>/__tests__/**/*.test.ts"],
      testPathIgnorePatterns: ["\\.int\\.test\\.ts$"],
    },
    { ...common, displayName: "integration", testMatch: ["<rootDir>/__tests__/**/*.int.test.ts"] },
  ],
};
