import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { identityFileFor } from "../modules/bastion/ssh-config";
import { checkTags } from "../modules/core/tags";
import { resolveEnvironment } from "../modules/environment/resolve";
import { workshopConfig } from "./support/synth";
import { problemsAfter } from "./support/config";
import { ROOT, run, SLOW_PROCESS_MS, terraformShim } from "./support/shell";

describe("tags follow AWS's rules, with clear errors", () => {
  it.each([
    [
      "the reserved aws: prefix",
      { "aws:owner": "me" },
      'tags.aws:owner = "me": expected a tag key without the "aws:" prefix, which AWS reserves for its own tags (it refuses it at apply)',
    ],
    [
      "the prefix in any case",
      { "AWS:x": "1" },
      'tags.AWS:x = "1": expected a tag key without the "aws:" prefix, which AWS reserves for its own tags (it refuses it at apply)',
    ],
    [
      "a key over 128 characters",
      { ["k".repeat(129)]: "v" },
      `tags.${"k".repeat(129)} = "v": expected a tag key of at most 128 characters (this one has 129)`,
    ],
  ])("refuses %s", (_title, tags, expected) => {
    expect(problemsAfter((e) => (e.tags = tags))).toEqual([`environment "workshop": ${expected}`]);
  });

  it("refuses a value over 256 characters and accepts the limits exactly", () => {
    expect(checkTags({ Owner: "v".repeat(257) }).map((p) => p.expected)).toEqual([
      "a tag value of at most 256 characters (this one has 257)",
    ]);
    expect(checkTags({ ["k".repeat(128)]: "v".repeat(256), awsome: "x" })).toEqual([]);
  });
});

describe("ssh_config's IdentityFile works once pasted into ~/.ssh/config", () => {
  it("keeps ~/ paths, keeps absolute ones, and makes relative ones absolute", () => {
    expect(identityFileFor("~/.ssh/workshop.pub", "/work")).toBe("~/.ssh/workshop");
    expect(identityFileFor("/keys/a.pub", "/work")).toBe("/keys/a");
    expect(identityFileFor("keys/workshop-placeholder.pub", "/work/proj")).toBe("/work/proj/keys/workshop-placeholder");
  });

  it("names the key beside the one read: a relative path from the same directory the key was read from", () => {
    const { environment } = resolveEnvironment(workshopConfig(), { cwd: ROOT });
    expect(environment?.identityFile).toBe(join(ROOT, "keys", "workshop-placeholder"));
    const elsewhere = resolveEnvironment(workshopConfig(), { cwd: tmpdir() });
    expect(elsewhere.problems.map((p) => p.field)).toEqual(["sshPublicKey.path"]);
  });
});

describe("small things", () => {
  it("./help is executable and prints the commands", () => {
    accessSync(join(ROOT, "help"), constants.X_OK);
    const result = run("./help", []);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("npm run deploy -- workshop");
    expect(result.stdout).not.toContain("npx cdktf deploy");
  });

  it("npm pack's tarball is ignored by git", () => {
    expect(readFileSync(join(ROOT, ".gitignore"), "utf8").split("\n")).toContain("*.tgz");
    expect(run("git", ["check-ignore", "-q", "cdktf-secure-aws-env-0.1.0.tgz"]).status).toBe(0);
  });

  it(
    "npm run plan -- --stack nope is a usage error: exit 2, naming the stacks there are",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "usage-"));
      try {
        const shim = terraformShim(dir);
        const result = run(
          "node",
          ["--require", "./app/register-ts.js", "scripts/plan.ts", "--offline", "--stack", "nope"],
          {
            TERRAFORM_BINARY: shim.binary,
          },
        );
        expect(result.status).toBe(2);
        expect(result.stderr).toContain(
          "no stack nope in the app (stacks: state-change-me-workshop-tfstate, workshop)",
        );
        expect(result.stderr).toContain("usage: npm run plan");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    SLOW_PROCESS_MS,
  );
});
