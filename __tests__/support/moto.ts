import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { accessSync, constants, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * The AWS API emulator the apply tests deploy to: moto in server mode, launched by `$MOTO_SERVER` (default: the
 * patched copy in the workspace's shared/tools/moto). Each test starts its own server, on 127.0.0.1, and stops it.
 */
export const DEFAULT_MOTO_SERVER = resolve(__dirname, "../../../shared/tools/moto/moto-server");

/** The moto launcher to run, or why there is none. */
export function findMotoServer(env: NodeJS.ProcessEnv = process.env): { command?: string; missing?: string } {
  const command = env.MOTO_SERVER || DEFAULT_MOTO_SERVER;
  try {
    accessSync(command, constants.X_OK);
    return { command };
  } catch {
    return { missing: `no AWS API emulator at ${command} (set MOTO_SERVER to a moto-server launcher)` };
  }
}

/** The result of one command run by the harness. */
export interface CommandRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A network namespace with nothing but its own loopback, kept open by a holder process: moto and terraform both run
 * inside it (`nsenter`), so a mistake in an endpoint cannot reach anything but moto. `undefined` where `unshare -n`
 * is not permitted (then both use the host's loopback).
 */
export class LoopbackNamespace {
  private constructor(private readonly holder: ChildProcess) {}

  static async open(): Promise<LoopbackNamespace | undefined> {
    if (spawnSync("unshare", ["-n", "true"]).status !== 0) return undefined;
    const holder = spawn("unshare", ["-n", "sh", "-c", "ip link set lo up && echo up && exec sleep infinity"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const up = await new Promise<boolean>((done) => {
      holder.stdout!.once("data", () => done(true));
      holder.once("exit", () => done(false));
    });
    if (!up) return undefined;
    return new LoopbackNamespace(holder);
  }

  /** `command args` as run inside the namespace. */
  wrap(command: string, args: readonly string[]): [string, string[]] {
    return ["nsenter", [`--net=/proc/${this.holder.pid}/ns/net`, "--", command, ...args]];
  }

  async close(): Promise<void> {
    await stopProcess(this.holder);
  }
}

/** Kills `child` and waits for it to be gone. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill("SIGKILL");
  await gone;
}

/** Runs `command` (inside `namespace` when given) and collects its output; never throws for a non-zero exit. */
export function runCommand(
  namespace: LoopbackNamespace | undefined,
  command: string,
  args: readonly string[],
  options: { cwd?: string; env: NodeJS.ProcessEnv; input?: string },
): Promise<CommandRun> {
  const [cmd, argv] = namespace === undefined ? [command, [...args]] : namespace.wrap(command, args);
  return new Promise((done, fail) => {
    const child = spawn(cmd, argv, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code, signal) =>
      done({ code: code ?? 1, stdout, stderr: signal ? `${stderr}\n${signal}` : stderr }),
    );
    child.stdin.end(options.input ?? "");
  });
}

/** What moto must know before it starts: it serves only AMIs and AWS managed policies it was given. */
export interface MotoSeed {
  /** AMI ids the stacks launch (literal ids, and the values of the public SSM parameters they read). */
  readonly amis: readonly string[];
  /** ARNs of the AWS managed policies the stacks attach (`arn:aws:iam::aws:policy/...`). */
  readonly managedPolicyArns: readonly string[];
}

/** A moto server on 127.0.0.1 (inside a loopback-only namespace where permitted), with its own state. */
export class Moto {
  private constructor(
    private readonly process: ChildProcess,
    readonly endpoint: string,
    readonly namespace: LoopbackNamespace | undefined,
    private readonly pythonPath: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Starts moto with `seed`, its files under `dir`; resolves once it answers. */
  static async start(command: string, dir: string, seed: MotoSeed, baseEnv: NodeJS.ProcessEnv): Promise<Moto> {
    const namespace = await LoopbackNamespace.open();
    const env: NodeJS.ProcessEnv = { ...baseEnv, MOTO_CACHE: baseEnv.MOTO_CACHE ?? motoCache(baseEnv) };
    const pythonPath = spawnSync(command, ["--pythonpath"], { env, encoding: "utf8" }).stdout.trim();
    writeFileSync(join(dir, "amis.json"), JSON.stringify(seed.amis.map(amiRecord)));
    writeFileSync(join(dir, "managed-policies.json"), JSON.stringify(managedPolicies(seed.managedPolicyArns)));
    const serverEnv = {
      ...env,
      MOTO_AMIS_PATH: join(dir, "amis.json"),
      MOTO_IAM_LOAD_MANAGED_POLICIES: "true",
      MOTO_MANAGED_POLICIES: join(dir, "managed-policies.json"),
    };
    const [cmd, argv] = namespace === undefined ? [command, []] : namespace.wrap(command, []);
    const child = spawn(cmd, argv, { env: serverEnv, stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    const endpoint = await new Promise<string>((done, fail) => {
      child.stderr!.on("data", (chunk: Buffer) => {
        log += chunk.toString();
        const port = /starting on http:\/\/127\.0\.0\.1:(\d+)/.exec(log)?.[1];
        if (port !== undefined) done(`http://127.0.0.1:${port}`);
      });
      child.once("exit", (code) => fail(new Error(`moto exited (${code}) before it listened:\n${log}`)));
    });
    const moto = new Moto(child, endpoint, namespace, pythonPath, env);
    // Polls until moto answers; ends early (and fails) if moto exits first.
    const ready = moto.python(
      `
import sys, time, urllib.request
while True:
    try:
        urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=5)
        break
    except Exception:
        time.sleep(0.1)
`,
      [endpoint],
    );
    const exited = new Promise<never>((_, fail) =>
      child.once("exit", (code) => fail(new Error(`moto exited (${code}) while starting:\n${log}`))),
    );
    try {
      await Promise.race([ready, exited]);
    } catch (error) {
      await moto.stop();
      throw error;
    }
    return moto;
  }

  /** Runs a Python script with moto's own packages (boto3 included) in moto's namespace; `argv` follows it. */
  python(script: string, argv: readonly string[] = []): Promise<CommandRun> {
    return runCommand(this.namespace, "/usr/bin/python3", ["-c", script, ...argv], {
      env: { ...this.env, PYTHONPATH: this.pythonPath },
    });
  }

  /** Calls one AWS API operation on moto (boto3's client method and its keyword arguments); returns the answer. */
  async call(
    region: string,
    service: string,
    operation: string,
    params: Record<string, unknown>,
  ): Promise<Record<string, any>> {
    const run = await this.python(
      `
import json, sys, boto3
client = boto3.client(sys.argv[2], endpoint_url=sys.argv[1], region_name=sys.argv[3],
                      aws_access_key_id="moto", aws_secret_access_key="moto")
print(json.dumps(getattr(client, sys.argv[4])(**json.loads(sys.argv[5])), default=str))
`,
      [this.endpoint, service, region, operation, JSON.stringify(params)],
    );
    if (run.code !== 0) throw new Error(`moto ${service}.${operation} failed:\n${run.stderr}`);
    return JSON.parse(run.stdout) as Record<string, any>;
  }

  /** The AMI id a public SSM parameter (e.g. `/aws/service/ami-amazon-linux-latest/...`) has in moto's own data. */
  static async publicParameterValue(
    command: string,
    region: string,
    name: string,
    baseEnv: NodeJS.ProcessEnv,
  ): Promise<string> {
    const env = { ...baseEnv, MOTO_CACHE: baseEnv.MOTO_CACHE ?? motoCache(baseEnv) };
    const pythonPath = spawnSync(command, ["--pythonpath"], { env, encoding: "utf8" }).stdout.trim();
    const run = await runCommand(
      undefined,
      "/usr/bin/python3",
      [
        "-c",
        `
import json, os, sys, moto.ssm
path = os.path.join(os.path.dirname(moto.ssm.__file__), "resources", "ami-amazon-linux-latest", sys.argv[1] + ".json")
print(next(p["Value"] for p in json.load(open(path)) if p["Name"] == sys.argv[2]))
`,
        region,
        name,
      ],
      { env: { ...env, PYTHONPATH: pythonPath } },
    );
    if (run.code !== 0) throw new Error(`moto has no public parameter ${name} in ${region}:\n${run.stderr}`);
    return run.stdout.trim();
  }

  async stop(): Promise<void> {
    await stopProcess(this.process);
    await this.namespace?.close();
  }
}

/** Where the launcher unpacks moto: kept across runs (it is the same archive), outside any test's temp dir. */
function motoCache(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || "/tmp", ".cache"), "moto-server");
}

/** An AMI as moto's `amis.json` lists one: an x86_64 Linux image with an EBS root. */
function amiRecord(id: string): object {
  return {
    ami_id: id,
    state: "available",
    public: true,
    owner_id: "123456789012",
    image_location: `apply-test/${id}`,
    sriov: "simple",
    root_device_type: "ebs",
    root_device_name: "/dev/xvda",
    description: "apply test image",
    image_type: "machine",
    platform: null,
    architecture: "x86_64",
    name: `apply-test-${id}`,
    virtualization_type: "hvm",
    hypervisor: "xen",
  };
}

/** AWS managed policies in the format of moto's `aws_managed_policies.py`, each allowing what its name says. */
function managedPolicies(arns: readonly string[]): Record<string, object> {
  const date = "2024-01-01T00:00:00+00:00";
  return Object.fromEntries(
    arns.map((arn) => {
      const [, path, name] = /^arn:aws:iam::aws:policy(\/(?:.*\/)?)([^/]+)$/.exec(arn) ?? [];
      if (name === undefined) throw new Error(`not an AWS managed policy ARN: ${arn}`);
      const document = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
      return [
        name,
        { Arn: arn, Path: path, DefaultVersionId: "v1", Document: document, CreateDate: date, UpdateDate: date },
      ];
    }),
  );
}
