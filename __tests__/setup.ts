import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing } from "cdktf";
// cdktf captures a stack trace for every token it makes, and jest formats each through its source maps: about a
// tenth of the unit project's CPU. The tests skip them as the app shell does (app/stack-traces.ts).
import "./support/token-traces";

Testing.setupJest();

// Testing.app() (and synthScope, through it) makes an output dir under the system temp dir and never removes it:
// point it at one temp dir per test file and remove that afterwards, so a test run leaves nothing behind.
const fileTmp = mkdtempSync(join(tmpdir(), "jest-cdktf-"));
const makeApp = Testing.app.bind(Testing);
Testing.app = (options = {}) => makeApp({ outdir: mkdtempSync(join(fileTmp, "app-")), ...options });
afterAll(() => rmSync(fileTmp, { recursive: true, force: true }));
