import { spawnSync, SpawnSyncReturns } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "..", "..");

/**
 * Budget for a test that starts node or cdktf-cli: generous, because a busy 2-core machine can take ten times the
 * quiet figure (`npx cdktf synth` took 35 s beside other jobs), and a wrong result still fails on its assertions.
 */
export const SLOW_PROCESS_MS = 10 * 60_000;

/** The app command as cdktf.json has it (`node`, then its arguments): what `cdktf synth` and `deploy` run. */
export const APP_COMMAND = (JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")).app as string).split(" ");

/** Every file under `root` (its path below root) with its text, sorted: two outputs compare byte for byte. */
export function filesWithText(root: string): Array<[string, string]> {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort()
    .map((f) => [f.slice(root.length), readFileSync(f, "utf8")]);
}

/** Runs a command in the project root with `env` over this process's environment. */
export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * A `terraform` first on PATH that records the environment of every call into `dir/calls`, answers `version` like
 * terraform 1.11.4, and prints `{}` for anything else (so a caller parsing `show -json` gets JSON).
 */
export function terraformShim(dir: string): {
  path: string;
  binary: string;
  calls: () => Array<Record<string, string>>;
} {
  const bin = join(dir, "bin");
  const calls = join(dir, "calls");
  mkdirSync(bin, { recursive: true });
  mkdirSync(calls, { recursive: true });
  const binary = join(bin, "terraform");
  writeFileSync(
    binary,
    `#!/bin/sh\nenv -0 > "${calls}/call-$$-$(date +%s%N)"\nprintf '%s\\n' "$*" > "${calls}/args-$$"\n` +
      `case "$1" in version) echo "Terraform v1.11.4"; echo "on linux_amd64";; *) echo "{}";; esac\nexit 0\n`,
  );
  chmodSync(binary, 0o755);
  return {
    path: `${bin}:${process.env.PATH ?? ""}`,
    binary,
    calls: () =>
      readdirSync(calls)
        .filter((f) => f.startsWith("call-"))
        .map((f) =>
          Object.fromEntries(
            readFileSync(join(calls, f), "utf8")
              .split("\0")
              .filter((l) => l.includes("="))
              .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
          ),
        ),
  };
}
