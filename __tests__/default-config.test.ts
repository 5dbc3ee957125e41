import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../modules/environment/load";
import { PLACEHOLDERS, placeholderProblems } from "../modules/environment/placeholders";
import { ROOT, run, SLOW_PROCESS_MS } from "./support/shell";
import { ownPublicKeyLine } from "./support/own-key";

// The tests read __tests__/fixtures/environments.json, the shipped default, and never the user's
// config/environments.json: following the checklist (docs/access-and-servers.md: own bucket, key, address, AMI) keeps `npm test` green.

const FIXTURE = join(__dirname, "fixtures", "environments.json");
const USER_CONFIG = join(ROOT, "config", "environments.json");
const fixtureText = readFileSync(FIXTURE, "utf8");

/** The default config edited as the checklist says, in `dir`: every placeholder replaced. */
function editedAsTheChecklistSays(dir: string): string {
  writeFileSync(join(dir, "workshop.pub"), `${ownPublicKeyLine()}\n`);
  const config = JSON.parse(fixtureText);
  const env = config.environments[0];
  env.backend.bucket = "acme-workshop-7f3a-tfstate";
  env.sshPublicKey = { path: join(dir, "workshop.pub") };
  env.access.adminCidrs = ["198.18.7.20/32"];
  env.ami = "ami-0a1b2c3d4e5f60718";
  const file = join(dir, "environments.json");
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Every test source (this file aside), as text. */
function testSources(): Array<{ file: string; text: string }> {
  return readdirSync(__dirname, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.startsWith("fixtures") && f !== "default-config.test.ts")
    .map((file) => ({ file, text: readFileSync(join(__dirname, file), "utf8") }));
}

describe("the tests' default config", () => {
  it("is read from the fixture, never from the user's config/environments.json", () => {
    const readers = testSources().filter(({ text }) =>
      /from "(\.\.\/)+config\/environments\.json"|"config", "environments\.json"/.test(text),
    );
    expect(readers.map((r) => r.file)).toEqual([]);
    // And every app a test starts reads it (jest.config.js sets this for jest and its children).
    expect(process.env.ENVIRONMENTS_FILE).toBe(FIXTURE);
  });

  it("is the shipped default: equal to config/environments.json while that still holds the placeholders", () => {
    const shipped = (text: string) => placeholderProblems(resolveConfig(JSON.parse(text), "config", { cwd: ROOT }));
    const fixtureFields = shipped(fixtureText).map((p) => p.field);
    expect(fixtureFields).toEqual(["backend.bucket", "sshPublicKey", "access.adminCidrs[0]", "ami"]);
    const userText = readFileSync(USER_CONFIG, "utf8");
    let userFields: string[] = [];
    try {
      userFields = shipped(userText).map((p) => p.field);
    } catch {
      // The user's file is theirs to break; only an untouched default is compared.
    }
    // Untouched (a clean clone, CI): the same file. Once the checklist is started, it is the user's own.
    if (userFields.length === fixtureFields.length) expect(JSON.parse(userText)).toEqual(JSON.parse(fixtureText));
  });
});

describe("placeholders", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "placeholders-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const app = (env: NodeJS.ProcessEnv) =>
    run("npm", ["run", "--silent", "synth"], { CDKTF_OUTDIR: join(dir, "out"), ...env });

  it("are each named with the environment, field, value and what to put there", () => {
    const problems = placeholderProblems(resolveConfig(JSON.parse(fixtureText), "config", { cwd: ROOT }));
    expect(problems.map((p) => [p.environment, p.field, p.value])).toEqual([
      ["workshop", "backend.bucket", PLACEHOLDERS.stateBucket],
      ["workshop", "sshPublicKey", { path: "keys/workshop-placeholder.pub" }],
      ["workshop", "access.adminCidrs[0]", "203.0.113.10/32"],
      ["workshop", "ami", PLACEHOLDERS.ami],
    ]);
    expect(problems[0].expected).toMatch(/^a state bucket name of your own choosing/);
    expect(problems[1].expected).toMatch(/^your own public key/);
    expect(problems[2].expected).toMatch(/^your own public address as a \/32/);
    expect(problems[3].expected).toMatch(/^the id of a real image in ap-northeast-2/);
  });

  it(
    "make synth warn once and go on; deploy (REFUSE_PLACEHOLDERS=1) refuses and writes nothing; ACCEPT_PLACEHOLDERS=1 overrides",
    () => {
      const warned = app({});
      expect(warned.status).toBe(0);
      const warnings = warned.stderr.trim().split("\n");
      expect(warnings[0]).toMatch(/^warning: 4 placeholder\(s\) of the default config remain/);
      expect(warnings.slice(1).map((l) => l.replace(/ = .*/, ""))).toEqual([
        '  - environment "workshop": backend.bucket',
        '  - environment "workshop": sshPublicKey',
        '  - environment "workshop": access.adminCidrs[0]',
        '  - environment "workshop": ami',
      ]);

      rmSync(join(dir, "out"), { recursive: true, force: true });
      const refused = app({ REFUSE_PLACEHOLDERS: "1" });
      expect(refused.status).toBe(1);
      expect(refused.stdout).toBe("");
      expect(refused.stderr).toMatch(/^refusing to reach AWS: 4 placeholder\(s\) of the default config remain/);
      expect(refused.stderr).toContain('environment "workshop": backend.bucket = "change-me-workshop-tfstate"');
      expect(refused.stderr).toContain("ACCEPT_PLACEHOLDERS=1");
      expect(existsSync(join(dir, "out"))).toBe(false);

      const accepted = app({ REFUSE_PLACEHOLDERS: "1", ACCEPT_PLACEHOLDERS: "1" });
      expect(accepted.stderr).toBe("");
      expect(accepted.status).toBe(0);
    },
    SLOW_PROCESS_MS,
  );

  it(
    "stop a real npm run plan before any terraform runs",
    () => {
      const real = run("node", ["--require", "./app/register-ts.js", "scripts/plan.ts", "--stack", "workshop"], {
        TERRAFORM_BINARY: join(dir, "no-terraform-here"),
      });
      expect(real.status).toBe(1);
      expect(real.stderr).toMatch(/^refusing to reach AWS: 4 placeholder\(s\)/);
    },
    SLOW_PROCESS_MS,
  );

  it(
    "are gone from a config edited as the checklist says: synth and deploy's check pass, quietly, and it still validates",
    () => {
      const edited = editedAsTheChecklistSays(dir);
      const environments = resolveConfig(JSON.parse(readFileSync(edited, "utf8")), edited, { cwd: ROOT });
      expect(placeholderProblems(environments)).toEqual([]);
      const result = app({ ENVIRONMENTS_FILE: edited, REFUSE_PLACEHOLDERS: "1" });
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(result.stdout).toContain("state-acme-workshop-7f3a-tfstate");
    },
    SLOW_PROCESS_MS,
  );
});
