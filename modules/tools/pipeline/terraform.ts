import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";

/** Where providers come from when no registry may be reached; a user's machine without it uses the registry. */
export const DEFAULT_PLUGIN_MIRROR = "/opt/tf-plugins";

/** What this machine offers for running Terraform. */
export interface TerraformToolchain {
  /** The terraform binary (`$TERRAFORM_BINARY` in the app shell, else `terraform` on PATH). */
  readonly binary: string;
  /** `terraform version`'s first line, e.g. `Terraform v1.11.4`. */
  readonly version: string;
  /** A filesystem provider mirror (`$TF_PLUGIN_MIRROR` in the app shell, else /opt/tf-plugins when it exists). */
  readonly pluginMirror?: string;
  /** Whether `unshare -n` can cut this process tree off every network but its own loopback. */
  readonly canIsolateNetwork: boolean;
}

/** Where to look for terraform and providers; the app shell fills it from its settings (app/settings.ts). */
export interface DetectOptions {
  /** The terraform binary to run. @default "terraform" (on PATH) */
  readonly binary?: string;
  /** A filesystem provider mirror that must exist. @default DEFAULT_PLUGIN_MIRROR when that folder exists, else none */
  readonly pluginMirror?: string;
  /**
   * Environment of the `terraform version` probe (PATH, at least); CHECKPOINT_DISABLE=1 is always added.
   * @default this process's environment, inherited (PATH included): the library itself reads no variable of it
   */
  readonly env?: NodeJS.ProcessEnv;
}

/** Finds terraform, the provider mirror and network isolation; `missing` says why terraform cannot run. */
export function detectTerraform(options: DetectOptions = {}): { toolchain?: TerraformToolchain; missing?: string } {
  // Resolved to an absolute path here, so later runs find it whatever PATH their own environment has.
  const name = options.binary ?? "terraform";
  const { env } = options;
  const binary = env === undefined ? commandPath(name) : onPath(name, env.PATH);
  // Inherited, the environment gets CHECKPOINT_DISABLE=1 from env(1), so the library reads none of it.
  const probe =
    env === undefined
      ? spawnSync("env", ["CHECKPOINT_DISABLE=1", binary, "version"], { encoding: "utf8" })
      : spawnSync(binary, ["version"], { encoding: "utf8", env: { ...env, CHECKPOINT_DISABLE: "1" } });
  if (probe.error !== undefined || probe.status !== 0) {
    return {
      missing: `terraform not runnable as "${binary}" (${probe.error?.message ?? probe.stderr.trim()}); install it or set TERRAFORM_BINARY`,
    };
  }
  const mirror = options.pluginMirror ?? (existsSync(DEFAULT_PLUGIN_MIRROR) ? DEFAULT_PLUGIN_MIRROR : undefined);
  if (options.pluginMirror !== undefined && !existsSync(options.pluginMirror)) {
    return { missing: `TF_PLUGIN_MIRROR=${options.pluginMirror} does not exist` };
  }
  const unshare = spawnSync("unshare", ["-n", "true"]);
  return {
    toolchain: {
      binary,
      version: probe.stdout.split("\n")[0].trim(),
      pluginMirror: mirror,
      canIsolateNetwork: unshare.error === undefined && unshare.status === 0,
    },
  };
}

/** `name` as an absolute path when it is a bare command on the inherited PATH (`command -v`); else `name` unchanged. */
function commandPath(name: string): string {
  if (name.includes("/")) return name;
  const found = spawnSync("sh", ["-c", 'command -v -- "$1"', "sh", name], { encoding: "utf8" });
  const path = found.status === 0 ? found.stdout.trim() : "";
  return path.startsWith("/") ? path : name;
}

/** `name` as an absolute path when it is a bare command found on `path`; else `name` unchanged. */
function onPath(name: string, path: string | undefined): string {
  if (name.includes("/") || path === undefined) return name;
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return name;
}

/**
 * Terraform CLI config for `dir`: no checkpoint calls and, when a mirror is given, providers only from it.
 * Returns the file's path (for TF_CLI_CONFIG_FILE).
 */
export function writeCliConfig(dir: string, pluginMirror?: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "terraformrc");
  const mirror =
    pluginMirror === undefined
      ? ""
      : `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(pluginMirror)}\n    include = ["registry.terraform.io/*/*"]\n  }\n}\n`;
  writeFileSync(path, `disable_checkpoint = true\n${mirror}`);
  return path;
}

/** A loopback port nothing listens on: where an offline run's AWS calls go, and fail. */
export const CLOSED_ENDPOINT = "http://127.0.0.1:1";

/**
 * The environment for an offline terraform run: `base` (the caller's), minus anything that could reach a real AWS
 * account or HashiCorp, plus dummy credentials, and every AWS service's endpoint at the closed loopback port
 * (`AWS_ENDPOINT_URL`). `home` is a private temp dir that also holds TMPDIR and the CLI config.
 */
export function offlineEnvironment(
  home: string,
  pluginMirror: string | undefined,
  base: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const keep = ["PATH", "LANG", "LC_ALL", "TERM", "SystemRoot"];
  const env: NodeJS.ProcessEnv = Object.fromEntries(keep.filter((k) => base[k] !== undefined).map((k) => [k, base[k]]));
  const tmp = join(home, "tmp");
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(home, "empty-aws-file"), "");
  return {
    ...env,
    HOME: home,
    TMPDIR: tmp,
    TF_CLI_CONFIG_FILE: writeCliConfig(home, pluginMirror),
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ACCESS_KEY_ID: "offline-dummy",
    AWS_SECRET_ACCESS_KEY: "offline-dummy",
    AWS_SHARED_CREDENTIALS_FILE: join(home, "empty-aws-file"),
    AWS_CONFIG_FILE: join(home, "empty-aws-file"),
    // Every service, not a list of them; and not the provider's `endpoints` block, which costs the AWS provider about
    // 2 s of CPU each time it validates its configuration (twice per plan), twice the plan of a small stack.
    AWS_ENDPOINT_URL: CLOSED_ENDPOINT,
  };
}

/** One terraform command's exit code and output. */
export interface TerraformRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Run inside `unshare -n` (loopback only, and not even the host's loopback). @default false */
  readonly isolateNetwork?: boolean;
  /** Kill terraform after this many milliseconds. @default 300000 */
  readonly timeoutMs?: number;
}

/** Runs one terraform command and collects its output; never throws for a non-zero exit. */
export function runTerraform(
  toolchain: TerraformToolchain,
  args: readonly string[],
  options: RunOptions,
): Promise<TerraformRun> {
  const [command, argv] =
    options.isolateNetwork === true && toolchain.canIsolateNetwork
      ? ["unshare", ["-n", toolchain.binary, ...args]]
      : [toolchain.binary, [...args]];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, argv, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 300_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? 1, stdout, stderr: signal === null ? stderr : `${stderr}\nkilled by ${signal}` });
    });
  });
}

/**
 * Provider settings that let `plan` run with no AWS account: dummy keys, no account or region look-ups, one attempt
 * per call. Written as `provider_override.tf.json`; the endpoints come from `offlineEnvironment`.
 */
export function offlineProviderOverride(): object {
  return {
    provider: {
      aws: {
        access_key: "offline-dummy",
        secret_key: "offline-dummy",
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        skip_region_validation: true,
        max_retries: 1,
      },
    },
  };
}

/** A local backend, for when the stack's own backend is not what is being run. Written as `backend_override.tf.json`. */
export function localBackendOverride(): object {
  return { terraform: { backend: { local: { path: "terraform.tfstate" } } } };
}
