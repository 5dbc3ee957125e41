#!/usr/bin/env node
// The terraform the tests run (run-dir.setup.js writes a launcher for it): terraform itself, with one change. A
// command that loads the AWS provider (plan, apply, destroy, show, validate, refresh, providers schema) borrows an
// AWS provider process that is already running, through Terraform's own TF_REATTACH_PROVIDERS, instead of starting
// its own. Terraform starts the provider three times per plan (schema, validate, plan) and once per show: each start
// costs about 1.2 s of CPU, more than half of what a small plan costs on this 2-core machine.
//
// The borrowed process is the same provider binary the dir's `terraform init` installed, started with `-debug` (the
// provider's way of serving reattaching Terraforms) from the same environment, AWS endpoint and credentials
// included, and on the same kind of network (the host's, or a namespace of its own): the environment is part of the
// key of the pool it is taken from. One terraform at a time uses a process. Anything else runs terraform as it is:
// init and the other commands, a dir whose config has provider aliases (several configurations would share one
// process), a CA bundle (the provider can then be configured only once per process), credential files that are not
// empty, -chdir or TF_DATA_DIR. Whatever goes wrong in borrowing runs terraform as it is, too.
//
// Offline (every AWS call to the closed port), a second change: terraform reaches the borrowed process through
// schema-proxy.js, which shows it only the schemas of the AWS types its dir names. Terraform decodes the provider's
// whole schema in every command otherwise (1.3-1.5 s of CPU, whatever the stack). Terraform's stdout and stderr stay
// this process's own: nothing here writes to them through node's streams (which would make them non-blocking).
//
// Usage: terraform-reattach.js <pool dir> <terraform binary> <the jest run's network namespace> <terraform's arguments>
"use strict";
const { spawn } = require("node:child_process");
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const { join } = require("node:path");
const { isRunning, takeLease } = require("./lease");
const { startSchemaProxy, terraformFiles, typesNamedIn } = require("./schema-proxy");

const PROVIDER_DIR = join(".terraform", "providers", "registry.terraform.io", "hashicorp", "aws");
const BORROWING = new Set(["plan", "apply", "destroy", "show", "validate", "refresh", "providers schema"]);
/**
 * Variables that differ per test dir but not in what the provider does with them (see poolOf), and those the shell
 * of the launcher adds (PWD: the dir terraform runs in).
 */
const NOT_IN_KEY = new Set([
  "HOME",
  "TMPDIR",
  "TF_CLI_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_CONFIG_FILE",
  "PWD",
  "OLDPWD",
  "SHLVL",
  "_",
]);
// offlineEnvironment's AWS_ENDPOINT_URL (CLOSED_ENDPOINT in modules/tools/pipeline/terraform.ts; this file is plain JS).
const CLOSED_ENDPOINT = "http://127.0.0.1:1";
const STARTS_WITHIN_MS = 120_000;

const [poolDir, terraform, hostNetwork, ...args] = process.argv.slice(2);

function commandOf(argv) {
  const words = argv.filter((a) => !a.startsWith("-"));
  if (words[0] === "providers") return words[1] === "schema" ? "providers schema" : "providers";
  return words[0];
}

/**
 * The AWS provider the dir's `terraform init` installed, when it has exactly one: its binary, and what tells it from
 * another (init copies it into each dir, so not its path).
 */
function installedProvider(cwd) {
  if (!fs.existsSync(join(cwd, PROVIDER_DIR))) return undefined;
  const versions = fs.readdirSync(join(cwd, PROVIDER_DIR));
  if (versions.length !== 1) return undefined;
  const platforms = fs.readdirSync(join(cwd, PROVIDER_DIR, versions[0]));
  if (platforms.length !== 1) return undefined;
  const dir = join(cwd, PROVIDER_DIR, versions[0], platforms[0]);
  const binaries = fs.readdirSync(dir).filter((f) => f.startsWith("terraform-provider-aws"));
  if (binaries.length !== 1) return undefined;
  const binary = join(dir, binaries[0]);
  return { binary, identity: [versions[0], platforms[0], binaries[0], fs.statSync(binary).size] };
}

const isEmptyFile = (path) => path !== undefined && fs.statSync(path).size === 0;

/**
 * The pool of this command's provider (its key), the binary to start in it and the AWS types the dir names;
 * undefined: run terraform as it is.
 */
function poolOf(env, cwd) {
  if (!BORROWING.has(commandOf(args))) return undefined;
  if (args.some((a) => a.startsWith("-chdir")) || env.TF_REATTACH_PROVIDERS || env.TF_DATA_DIR) return undefined;
  if (env.AWS_CA_BUNDLE) return undefined;
  // The provider reads credentials from these files (or from HOME without them): only empty ones are alike.
  if (!isEmptyFile(env.AWS_SHARED_CREDENTIALS_FILE) || !isEmptyFile(env.AWS_CONFIG_FILE)) return undefined;
  const files = terraformFiles(cwd);
  if (files.config.some((text) => /"alias"\s*:|^\s*alias\s*=/m.test(text))) return undefined;
  const provider = installedProvider(cwd);
  if (provider === undefined) return undefined;
  // The network the provider's calls leave from: the host's, or a namespace of this command's own (`unshare -n`, or
  // the emulator's). A namespace is identified by itself, except a throwaway one whose AWS calls all go to the
  // closed port: any such namespace is as good as another.
  const network = fs.readlinkSync("/proc/self/ns/net");
  const host = network === hostNetwork;
  const place = host ? "host" : env.AWS_ENDPOINT_URL === CLOSED_ENDPOINT ? "own namespace, closed port" : network;
  const environment = Object.entries(env)
    .filter(([name]) => !NOT_IN_KEY.has(name))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const key = createHash("sha256")
    .update(JSON.stringify([provider.identity, place, environment]))
    .digest("hex")
    .slice(0, 24);
  return { key, binary: provider.binary, names: typesNamedIn([...files.config, ...files.state]) };
}

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the provider in `server` (its dir) and waits for the reattach config it prints. */
async function startProvider(server, binary, env) {
  const tmp = join(server, "tmp");
  fs.mkdirSync(tmp, { recursive: true });
  const log = join(server, "provider.log");
  const out = fs.openSync(log, "w");
  const child = spawn(binary, ["-debug"], {
    cwd: server,
    env: { ...env, TMPDIR: tmp, HOME: server },
    detached: true,
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  child.unref();
  fs.writeFileSync(join(server, "pid"), String(child.pid));
  const started = Date.now();
  for (;;) {
    const match = /TF_REATTACH_PROVIDERS='([^']+)'/.exec(fs.readFileSync(log, "utf8"));
    if (match !== null) {
      fs.writeFileSync(join(server, "reattach.json"), match[1]);
      return match[1];
    }
    if (child.exitCode !== null || !isRunning(child.pid) || Date.now() - started > STARTS_WITHIN_MS) {
      if (isRunning(child.pid)) process.kill(child.pid, "SIGKILL");
      throw new Error(`the provider did not start: ${fs.readFileSync(log, "utf8").slice(-2000)}`);
    }
    await wait(50);
  }
}

/** A running provider of the pool `key`, leased to this process: its dir and reattach config. */
async function borrow(key, binary, env) {
  const pool = join(poolDir, key);
  fs.mkdirSync(pool, { recursive: true });
  for (let n = 0; ; n++) {
    const server = join(pool, String(n));
    fs.mkdirSync(server, { recursive: true });
    if (!takeLease(`${server}.lease`)) continue;
    const pidFile = join(server, "pid");
    const reattach = join(server, "reattach.json");
    if (fs.existsSync(reattach) && isRunning(Number(fs.readFileSync(pidFile, "utf8"))))
      return { server, config: fs.readFileSync(reattach, "utf8") };
    fs.rmSync(reattach, { force: true });
    try {
      return { server, config: await startProvider(server, binary, env) };
    } catch (error) {
      fs.rmSync(`${server}.lease`, { recursive: true, force: true });
      throw error;
    }
  }
}

function run(env) {
  return new Promise((resolve) => {
    const child = spawn(terraform, args, { stdio: "inherit", env });
    for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
    child.on("error", (error) => {
      fs.writeSync(2, `${error.message}\n`);
      resolve(127);
    });
    child.on("close", (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

/**
 * Offline (every AWS call to the closed port), the command reaches the provider through a proxy that gives terraform
 * only the schemas of the types its dir names (schema-proxy.js). Returns the reattach config and how to stop it.
 */
async function throughSchemaProxy(borrowed, { key, names }) {
  const entries = Object.entries(JSON.parse(borrowed.config));
  const [[address, provider]] = entries;
  // A dir that names no type (e.g. only `required_providers`, to read the provider's schema) gets all of it.
  if (entries.length !== 1 || provider.Addr?.Network !== "unix" || names.size === 0) return { config: borrowed.config };
  const socket = join(borrowed.server, `schema-proxy-${process.pid}.sock`);
  const stop = await startSchemaProxy({
    socket,
    upstream: provider.Addr.String,
    cacheFile: join(poolDir, key, "schema.bin"),
    names,
  });
  return {
    config: JSON.stringify({ [address]: { ...provider, Addr: { ...provider.Addr, String: socket } } }),
    stop: () => {
      stop();
      fs.rmSync(socket, { force: true });
    },
  };
}

async function main() {
  let lease;
  let stopProxy;
  let env = process.env;
  try {
    const pool = poolOf(process.env, process.cwd());
    if (pool !== undefined) {
      const borrowed = await borrow(pool.key, pool.binary, process.env);
      lease = `${borrowed.server}.lease`;
      const offline = process.env.AWS_ENDPOINT_URL === CLOSED_ENDPOINT;
      const { config, stop } = offline ? await throughSchemaProxy(borrowed, pool) : { config: borrowed.config };
      stopProxy = stop;
      env = { ...process.env, TF_REATTACH_PROVIDERS: config };
    }
  } catch (error) {
    fs.writeSync(2, `terraform-reattach: running terraform as it is (${error.message.split("\n")[0]})\n`);
  }
  const code = await run(env);
  stopProxy?.();
  if (lease !== undefined) fs.rmSync(lease, { recursive: true, force: true });
  process.exit(code);
}

main();
