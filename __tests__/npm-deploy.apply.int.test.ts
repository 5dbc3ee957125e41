import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { TerraformToolchain } from "../modules/tools/pipeline/terraform";
import { ApplyWorkspace, describeWithMoto } from "./support/apply";
import { runCommand } from "./support/moto";
import { rawWorkshop } from "./support/config";
import { codeBlocksUnder, docPage } from "./support/readme";

// The first use, as users run it: `npm run deploy` (cdktf-cli's deploy) of the state bootstrap stack with local
// state, then of the default environment with its S3 backend in the bucket the first deploy made, then
// `npm run destroy`, each line as docs/deploying.md writes it. Everything reaches moto through AWS_ENDPOINT_URL: no file is written into cdktf.out (deploy
// synthesizes it again), and the project's files are a copy, as a user's checkout would be.

const root = resolve(__dirname, "..");
const BUCKET = "apply-test-tfstate";
const NO_DEADLINE = 6 * 3600_000; // a slow machine makes a slow deploy, not a wrong one

/** The command lines of docs/deploying.md's "The same steps, by hand". */
function readmeDeployLines(): string[] {
  const [block] = codeBlocksUnder("## The same steps, by hand", "sh", docPage("deploying"));
  return block.split("\n").filter((line) => line.trim() !== "");
}

/** A fresh Ed25519 public key in OpenSSH's one-line format, as `ssh-keygen -t ed25519` writes the `.pub` file. */
function ownPublicKey(): string {
  const raw = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const field = (data: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, data.length]), data]);
  const blob = Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]);
  return `ssh-ed25519 ${blob.toString("base64")} apply-test\n`;
}

/** A copy of the project's tracked files (no tests) with the checkout's node_modules, as a user's checkout. */
function copyProject(to: string): void {
  const files = spawnSync("git", ["ls-files"], { cwd: root, encoding: "utf8" })
    .stdout.split("\n")
    .filter((f) => f !== "" && !f.startsWith("__tests__/"));
  for (const file of files) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(join(root, file), join(to, file));
  }
  symlinkSync(join(root, "node_modules"), join(to, "node_modules"));
}

describeWithMoto(
  "npm run deploy and npm run destroy",
  (toolchain: () => TerraformToolchain, motoServer: () => string) => {
    test(
      "deploys the state bootstrap stack, then the environment on its S3 backend, then destroys the environment",
      async () => {
        // The config as the checklist (docs/access-and-servers.md) has a user make it: their own state bucket, key, address and AMI
        // (the deploy refuses the shipped placeholders).
        const keyDir = mkdtempSync(join(tmpdir(), "npm-deploy-key-"));
        writeFileSync(join(keyDir, "own.pub"), ownPublicKey());
        const env = rawWorkshop();
        env.backend = { ...env.backend, bucket: BUCKET };
        env.sshPublicKey = { path: join(keyDir, "own.pub") };
        env.access = { ...env.access, adminCidrs: ["100.64.7.9/32"] };
        env.ami = "ami-0a1b2c3d4e5f60718";
        // A throwaway environment: the documented way to let `npm run destroy` remove the DB's data volume.
        env.servers.db.dataVolume = { preventDestroy: false };
        const config = { environments: [env] };
        const space = await ApplyWorkspace.forEnvironment("npm-deploy", toolchain(), motoServer(), env);
        try {
          const project = join(space.root, "project");
          copyProject(project);
          // The user's own config, named by ENVIRONMENTS_FILE (the app's documented setting).
          const configFile = join(project, "my-environments.json");
          writeFileSync(configFile, JSON.stringify(config, null, 2));
          const npmEnv: NodeJS.ProcessEnv = {
            ...space.terraformEnv,
            AWS_ENDPOINT_URL: space.moto.endpoint,
            ENVIRONMENTS_FILE: configFile,
            AWS_REGION: env.region,
            DISABLE_VERSION_CHECK: "true",
            CDKTF_DISABLE_PLUGIN_CACHE_ENV: "true",
            CI: "true",
            npm_config_cache: join(space.root, "npm-cache"),
            npm_config_update_notifier: "false",
          };
          // The page's lines, run as written: `VAR=value npm run <script> -- <args>`, `<bucket>` being ours.
          const lines = readmeDeployLines();
          expect(lines[0]).toBe("export AWS_ENDPOINT_URL=http://127.0.0.1:4566"); // ours: moto's own port
          const npm = async (line: string) => {
            const [, assignments, script, args] = /^((?:[A-Z_]+=\S+ )*)npm run (\S+) -- (.*)$/.exec(line) ?? [];
            if (script === undefined) throw new Error(`not a "npm run" line: ${line}`);
            const extra = Object.fromEntries(
              assignments
                .trim()
                .split(/\s+/)
                .filter(Boolean)
                .map((a) => a.split("=")),
            );
            const argv = ["run", script, "--", ...args.replaceAll("<bucket>", BUCKET).split(" ")];
            const run = await runCommand(space.moto.namespace, "npm", argv, {
              cwd: project,
              env: { ...npmEnv, ...extra },
            });
            if (run.code !== 0)
              throw new Error(`${line} exited ${run.code}:\n${run.stdout.slice(-6000)}\n${run.stderr}`);
            return run;
          };
          expect(lines.slice(1).map((l) => l.split(" -- ")[0])).toEqual([
            "STATE_BOOTSTRAP=local npm run deploy",
            "npm run deploy",
            "npm run diff",
            "npm run destroy",
          ]);
          const bootstrap = `state-${BUCKET}`;
          const first = await npm(lines[1]);
          expect(first.stdout).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed/);
          expect(readFileSync(join(project, `terraform.${bootstrap}.tfstate`), "utf8")).toContain(`"${BUCKET}"`);

          // moto gap: it evaluates a bucket policy's conditions without the request's context, so the state bucket's
          // TLS-only Deny (aws:SecureTransport = false) denies every object request, TLS or not. Test-only: the policy
          // is removed on moto before the environment's state goes into the bucket.
          await space.moto.call(env.region, "s3", "delete_bucket_policy", { Bucket: BUCKET });
          const second = await npm(lines[2]);
          expect(second.stdout).toContain('Successfully configured the backend "s3"');
          expect(second.stdout).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed/);
          const objects = await space.moto.call(env.region, "s3", "list_objects_v2", { Bucket: BUCKET });
          expect(objects.Contents.map((o: { Key: string }) => o.Key)).toContain("workshop/environment.tfstate");

          const diff = await npm(lines[3]);
          expect(diff.stdout).toContain("No changes.");

          const destroyed = await npm(lines[4]);
          expect(destroyed.stdout).toMatch(/Destroy complete! Resources: \d+ destroyed/);
          // The state in the bucket is empty, read through the stack's own S3 backend.
          const left = await runCommand(space.moto.namespace, toolchain().binary, ["state", "list"], {
            cwd: join(project, "cdktf.out", "stacks", "workshop"),
            env: npmEnv,
          });
          expect(left.stderr).toBe("");
          expect([left.code, left.stdout.trim()]).toEqual([0, ""]);
        } finally {
          await space.close();
          rmSync(keyDir, { recursive: true, force: true });
        }
      },
      NO_DEADLINE,
    );
  },
);
