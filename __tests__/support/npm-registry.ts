import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CONSUMER_TSCONFIG } from "./consumer";
import { RUN_DIR_VARIABLE, sharedEntry } from "./run-cache";

/** Result of one command, with its wall time. */
export interface CommandRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** A packed package: its tarball, the files it holds, and how long `npm pack` took. */
export interface Packed {
  readonly tarball: string;
  readonly files: string[];
  readonly seconds: number;
}

/**
 * Where the commands of a consumer test run. Where `unshare -n` is permitted (root) that is a network namespace of
 * its own with only its loopback up: verdaccio, npm and the consumer's tools share it and can reach nothing else.
 * Elsewhere commands run as they are, and the npm config written by `localNpmrc` is what keeps them on loopback.
 */
export interface NetworkJail {
  readonly isolated: boolean;
  /** The argv that runs `argv` inside the jail. */
  wrap(argv: readonly string[]): string[];
  close(): void;
}

export function openJail(): NetworkJail {
  const probe = spawnSync("unshare", ["-n", "true"]);
  if (probe.error !== undefined || probe.status !== 0)
    return { isolated: false, wrap: (argv) => [...argv], close: () => undefined };
  // `unshare -n sleep` execs sleep in the new namespace, so its pid names the namespace for nsenter.
  const holder = spawn("unshare", ["-n", "sleep", "infinity"], { stdio: "ignore" });
  const wrap = (argv: readonly string[]) => ["nsenter", "-t", String(holder.pid), "-n", ...argv];
  const [command, ...args] = wrap(["ip", "link", "set", "lo", "up"]);
  const up = spawnSync(command, args, { encoding: "utf8" });
  if (up.status !== 0) {
    holder.kill("SIGKILL");
    throw new Error(`could not bring up loopback in the test's network namespace: ${up.stderr || up.error?.message}`);
  }
  return { isolated: true, wrap, close: () => void holder.kill("SIGKILL") };
}

/** Runs `argv` (through the jail) and collects its output; never rejects for a non-zero exit. */
export function runIn(
  jail: NetworkJail,
  argv: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<CommandRun> {
  const [command, ...args] = jail.wrap(argv);
  const started = process.hrtime.bigint();
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code) =>
      done({ code: code ?? 1, stdout, stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 }),
    );
  });
}

/** `run` when it exited 0; otherwise an error naming `what`, with its exit code and output. */
export function succeeded(run: CommandRun, what: string): CommandRun {
  if (run.code !== 0)
    throw new Error(`${what} failed (exit ${run.code}):\n${run.stderr.trim()}\n${run.stdout.trim()}`.slice(0, 6000));
  return run;
}

/** A port nobody listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null ? done(address.port) : fail(new Error("no port")),
      );
    });
  });
}

/** The npm cache this process's npm uses: the one `npm ci` filled, which the consumer installs from. */
export function npmCacheDir(): string {
  const run = spawnSync("npm", ["config", "get", "cache"], { encoding: "utf8", env: process.env });
  if (run.status !== 0) throw new Error(`npm config get cache failed: ${run.stderr}`);
  return run.stdout.trim();
}

/**
 * An environment for npm in `home`: the caller's, without the `npm_*` variables an `npm test` run exports (they name
 * this project's prefix and config), with `userconfig` as the only npm config file, the given cache, and no
 * update, audit or funding calls.
 */
export function npmEnvironment(home: string, userconfig: string, cache: string): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key));
  const globalconfig = join(home, "npm-global-rc");
  writeFileSync(globalconfig, "");
  return {
    ...Object.fromEntries(kept),
    HOME: home,
    npm_config_userconfig: userconfig,
    npm_config_globalconfig: globalconfig,
    npm_config_cache: cache,
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
  };
}

/**
 * npm config for the test's npm runs: no retries (a miss is an error, not a minute of back-off), a proxy at a closed
 * loopback port for any host but 127.0.0.1, so a request that would leave the machine fails at once, and, once the
 * test's servers run, `registryUrl` as the registry and a token for `publishUrl` (npm refuses to publish without).
 */
export function localNpmrc(registryUrl: string | undefined, logsDir: string, publishUrl?: string): string {
  return [
    ...(registryUrl === undefined ? [] : [`registry=${registryUrl}`]),
    ...(publishUrl === undefined ? [] : [`${publishUrl.replace(/^https?:/, "")}:_authToken=local-test-token`]),
    "fetch-retries=0",
    `logs-dir=${logsDir}`,
    "proxy=http://127.0.0.1:1/",
    "https-proxy=http://127.0.0.1:1/",
    "noproxy=127.0.0.1",
    "",
  ].join("\n");
}

/** A server the test started, inside the jail. */
export interface LocalServer {
  readonly url: string;
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, "..", "..");

/** Starts `argv` (through the jail) and waits until `readyPath` answers 200, asked from inside the jail too. */
async function startServer(
  jail: NetworkJail,
  argv: readonly string[],
  port: number,
  readyPath: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  readyWithinMs: number,
): Promise<LocalServer> {
  const url = `http://127.0.0.1:${port}/`;
  const [command, ...args] = jail.wrap(argv);
  const server: ChildProcess = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  server.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  server.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((done) => server.once("exit", () => done()));
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill("SIGTERM");
    await exited;
  };
  const ping = [
    process.execPath,
    "-e",
    `require("http").get(${JSON.stringify(url + readyPath)}, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on("error", () => process.exit(1))`,
  ];
  const deadline = Date.now() + readyWithinMs;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`${argv.join(" ")} exited with ${server.exitCode}:\n${log}`);
    if ((await runIn(jail, ping, cwd, env)).code === 0) return { url, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${argv.join(" ")} did not answer ${url}${readyPath} within ${readyWithinMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** verdaccio 6.8.0 (a dev dependency): no uplinks, so it never contacts another registry; anyone may publish. */
export async function startVerdaccio(
  jail: NetworkJail,
  dir: string,
  env: NodeJS.ProcessEnv,
  readyWithinMs: number,
): Promise<LocalServer> {
  mkdirSync(join(dir, "storage"), { recursive: true });
  const config = join(dir, "config.yaml");
  writeFileSync(
    config,
    [
      `storage: ${join(dir, "storage")}`,
      "packages:",
      "  '**':",
      "    access: $all",
      "    publish: $all",
      "    unpublish: $all",
      "web:",
      "  enable: false",
      "log: { type: stdout, format: pretty, level: warn }",
      "",
    ].join("\n"),
  );
  const port = await freePort();
  const verdaccio = join(ROOT, "node_modules", "verdaccio", "bin", "verdaccio");
  return startServer(
    jail,
    [process.execPath, verdaccio, "--config", config, "--listen", `127.0.0.1:${port}`],
    port,
    "-/ping",
    dir,
    env,
    readyWithinMs,
  );
}

/**
 * The stand-in for the public registry (`serveLockMirror`): the packages of this project's lock file, their tarballs
 * out of the npm cache `cache`.
 */
export async function startLockMirror(
  jail: NetworkJail,
  cache: string,
  env: NodeJS.ProcessEnv,
  readyWithinMs: number,
): Promise<LocalServer> {
  const port = await freePort();
  const script = join(ROOT, "__tests__", "support", "lock-mirror-server.ts");
  return startServer(
    jail,
    [process.execPath, "--import", "tsx", script, join(ROOT, "package-lock.json"), cache, String(port)],
    port,
    "cdktf",
    ROOT,
    env,
    readyWithinMs,
  );
}

/** The consumer project's own tools, at the versions this project pins (so they are in the npm cache). */
const CONSUMER_TOOLS = ["typescript", "tsx", "@types/node"];

/**
 * What the steps of a consumer test share: a temp dir holding npm's config and logs, the network jail, npm's
 * environment over the npm cache that `npm ci` filled, and, once started, verdaccio and the lock mirror.
 */
export class ConsumerSandbox {
  readonly tmp: string;
  readonly jail: NetworkJail;
  readonly env: NodeJS.ProcessEnv;
  private readonly cache: string;
  registry: LocalServer | undefined;
  mirror: LocalServer | undefined;
  /** Seconds per step, printed by `close()`. */
  readonly timings: Record<string, number> = {};

  /** `title` names the test in the timings line; `prefix` the temp dir. */
  constructor(
    private readonly title: string,
    prefix: string,
  ) {
    this.tmp = mkdtempSync(join(tmpdir(), prefix));
    this.jail = openJail();
    this.cache = npmCacheDir();
    writeFileSync(join(this.tmp, "npmrc"), localNpmrc(undefined, join(this.tmp, "npm-logs"))); // registries come later
    this.env = npmEnvironment(this.tmp, join(this.tmp, "npmrc"), this.cache);
  }

  /** Runs `argv` in the jail with npm's environment (or `env`); an error naming `what` unless it exits 0. */
  async run(argv: readonly string[], cwd: string, what: string, env = this.env): Promise<CommandRun> {
    return succeeded(await runIn(this.jail, argv, cwd, env), what);
  }

  /** `npm pack` of the package in `dir` into `destination` (the temp dir): the tarball's path and the files it holds. */
  async pack(dir: string, destination = this.tmp): Promise<Packed> {
    const run = await this.run(["npm", "pack", "--json", "--pack-destination", destination], dir, `npm pack in ${dir}`);
    const [packed] = JSON.parse(run.stdout.slice(run.stdout.indexOf("["))) as {
      filename: string;
      files: { path: string }[];
    }[];
    return {
      tarball: join(destination, packed.filename),
      files: packed.files.map((f) => f.path),
      seconds: run.seconds,
    };
  }

  /**
   * `npm pack` of this project, once per jest run: its `prepack` rebuilds `dist`, so two files packing it at once
   * would pack each other's half-built `dist`. The first caller packs into the run dir; the others wait and reuse it.
   * Without the run dir (a file run outside jest's global setup) it packs into the temp dir.
   */
  async packProject(): Promise<Packed> {
    const runDir = process.env[RUN_DIR_VARIABLE];
    if (runDir === undefined) return this.pack(ROOT);
    const entry = join(runDir, "npm-pack");
    await sharedEntry(entry, async () => {
      writeFileSync(join(entry, "packed.json"), JSON.stringify(await this.pack(ROOT, entry)));
    });
    return JSON.parse(readFileSync(join(entry, "packed.json"), "utf8")) as Packed;
  }

  /** Starts verdaccio and the lock mirror, then points npm at the mirror, with a token for publishing to verdaccio. */
  async startRegistries(readyWithinMs: number): Promise<{ registry: LocalServer; mirror: LocalServer }> {
    const registry = (this.registry = await startVerdaccio(
      this.jail,
      join(this.tmp, "verdaccio"),
      this.env,
      readyWithinMs,
    ));
    const mirror = (this.mirror = await startLockMirror(this.jail, this.cache, this.env, readyWithinMs));
    writeFileSync(join(this.tmp, "npmrc"), localNpmrc(mirror.url, join(this.tmp, "npm-logs"), registry.url));
    return { registry, mirror };
  }

  /**
   * A fresh consumer project in `dir` (under the temp dir): the tools as its dev dependencies, and, as the README
   * tells, the package's `scope` routed to the private registry.
   */
  newConsumer(dir: string, scope: string): string {
    if (this.registry === undefined || this.mirror === undefined)
      throw new Error("no registry: the publish step failed");
    const project = join(this.tmp, dir);
    const pinned = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).devDependencies;
    const devDependencies = Object.fromEntries(CONSUMER_TOOLS.map((name) => [name, pinned[name] as string]));
    mkdirSync(project);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "consumer", version: "1.0.0", private: true, devDependencies }, null, 2),
    );
    writeFileSync(join(project, ".npmrc"), `${scope}:registry=${this.registry.url}\n`);
    return project;
  }

  /** Writes `source` as the consumer's `main.ts` and type-checks it with the consumer's own tsc (strict). */
  async compile(project: string, source: string): Promise<CommandRun> {
    writeFileSync(join(project, "main.ts"), source);
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(CONSUMER_TSCONFIG, null, 2));
    return this.run([join(project, "node_modules", ".bin", "tsc"), "-p", "."], project, "tsc in the consumer");
  }

  /** Runs the consumer's `main.ts` with its own tsx: the synth lands in `<project>/cdktf.out`. */
  async synth(project: string): Promise<CommandRun> {
    const env = { ...this.env, CDKTF_OUTDIR: join(project, "cdktf.out") };
    return this.run([process.execPath, "--import", "tsx", "main.ts"], project, "synth of the README example", env);
  }

  /** Stops the servers, removes the temp dir and prints the timings. */
  async close(): Promise<void> {
    await this.registry?.stop();
    await this.mirror?.stop();
    this.jail.close();
    rmSync(this.tmp, { recursive: true, force: true });
    process.stdout.write(
      `${this.title}, seconds per step (own network namespace: ${this.jail.isolated}): ${JSON.stringify(this.timings)}\n`,
    );
  }
}
