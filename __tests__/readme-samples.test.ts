import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { codeBlocksUnder, docPage } from "./support/readme";
import { ROOT, run, SLOW_PROCESS_MS } from "./support/shell";
import { ownPublicKeyLine } from "./support/own-key";

// The samples of what the commands print, in the README, docs/ and ./help, are what they print today, for the default
// config.

const FIXTURE = join(__dirname, "fixtures", "environments.json");

describe("README and docs/ samples", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "samples-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "the quick start's npm run synth report",
    () => {
      const [sample] = codeBlocksUnder("## Quick start", "text");
      const outdir = join(dir, "cdktf.out");
      const result = run("npm", ["run", "--silent", "synth"], { CDKTF_OUTDIR: outdir });
      expect(result.status).toBe(0);
      expect(result.stdout.split(join(outdir, "stacks")).join("cdktf.out/stacks")).toBe(sample);
    },
    SLOW_PROCESS_MS,
  );

  it(
    "the problems of a bad config, each once",
    () => {
      const [sample] = codeBlocksUnder("## Bad input", "text", docPage("configuration"));
      const config = JSON.parse(readFileSync(FIXTURE, "utf8"));
      const env = config.environments[0];
      env.azs[1] = "us-east-1b";
      env.tiers[2].cidrmask = env.tiers[2].cidrMask;
      delete env.tiers[2].cidrMask;
      // A copy of the committed fixture in a temp dir laid out as a checkout; the sample shows its path from there.
      const configDir = join(dir, "config");
      const file = join(configDir, "environments.json");
      mkdirSync(configDir);
      writeFileSync(file, JSON.stringify(config));
      const result = run("npm", ["run", "--silent", "synth"], {
        ENVIRONMENTS_FILE: file,
        CDKTF_OUTDIR: join(dir, "out"),
      });
      expect(result.status).toBe(1);
      expect(result.stderr.split(file).join(relative(dir, file))).toBe(sample);
    },
    SLOW_PROCESS_MS,
  );

  it(
    "the checklist's refusal, with one placeholder left",
    () => {
      const [sample] = codeBlocksUnder(
        "## Before the first `apply`: replace the placeholders",
        "text",
        docPage("access-and-servers"),
      );
      const config = JSON.parse(readFileSync(FIXTURE, "utf8"));
      const env = config.environments[0];
      env.backend.bucket = "acme-workshop-tfstate";
      env.sshPublicKey = { text: ownPublicKeyLine() };
      env.access.adminCidrs = ["198.18.0.10/32"];
      writeFileSync(join(dir, "environments.json"), JSON.stringify(config));
      const result = run("npm", ["run", "--silent", "synth"], {
        ENVIRONMENTS_FILE: join(dir, "environments.json"),
        CDKTF_OUTDIR: join(dir, "out"),
        REFUSE_PLACEHOLDERS: "1",
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(sample);
    },
    SLOW_PROCESS_MS,
  );

  it(
    "the cost estimate of the default environment",
    () => {
      const [sample] = codeBlocksUnder("## The bill: `npm run cost`", "text", docPage("see-and-price"));
      const result = run("npm", ["run", "--silent", "cost", "--", "--stack", "workshop"], {
        CDKTF_OUTDIR: join(dir, "out"),
      });
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(sample);
    },
    SLOW_PROCESS_MS,
  );
});

describe("./help", () => {
  const help = run("./help", []).stdout;

  it("names only npm scripts that exist", () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
    const named = [...help.matchAll(/npm run ([a-z:]+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((name) => !(name in scripts))).toEqual([]);
  });

  it("hard-codes no state bucket: the bootstrap stack is named from the user's config", () => {
    expect(help).not.toContain("change-me-workshop-tfstate");
    expect(help).toContain("npm run deploy -- state-<bucket>");
  });
});
