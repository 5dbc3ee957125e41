import { isAbsolute, resolve } from "node:path";

/** One host behind the bastion. */
export interface SshHost {
  /** The `Host` alias, e.g. `app-a1`. */
  readonly name: string;
  /** Its private IP (a literal, or a Terraform reference at synth time). */
  readonly privateIp: string;
  /** Login user. */
  readonly user: string;
}

/** What `renderSshConfig` needs: the bastion's address and user, the key file and the hosts behind it. */
export interface SshConfigInput {
  /** The bastion's public IP. */
  readonly bastionIp: string;
  /** Login user on the bastion. */
  readonly bastionUser: string;
  /** Private key file for every host (`IdentitiesOnly yes` with it). @default none: ssh's defaults and agent */
  readonly identityFile?: string;
  /** The servers, each reached with `ProxyJump bastion`. */
  readonly servers: readonly SshHost[];
}

/**
 * The private key beside a public key file, as `ssh_config`'s IdentityFile: `~/...` kept as written (ssh expands it),
 * anything else made absolute from `cwd`, so the block still works once pasted into `~/.ssh/config`.
 */
export function identityFileFor(publicKeyFile: string, cwd: string): string {
  const privateKey = publicKeyFile.replace(/\.pub$/, "");
  if (privateKey.startsWith("~/") || isAbsolute(privateKey)) return privateKey;
  return resolve(cwd, privateKey);
}

/**
 * A block to paste into `~/.ssh/config`: `Host bastion` with its public IP, then one `Host` per server with its
 * private IP and `ProxyJump bastion`, so `ssh app-a1` works and nobody edits /etc/hosts.
 */
export function renderSshConfig(input: SshConfigInput): string {
  const identity =
    input.identityFile === undefined ? [] : [`  IdentityFile ${input.identityFile}`, "  IdentitiesOnly yes"];
  const host = (name: string, ip: string, user: string, extra: string[]) =>
    [`Host ${name}`, `  HostName ${ip}`, `  User ${user}`, ...identity, ...extra].join("\n");
  return (
    [
      host("bastion", input.bastionIp, input.bastionUser, ["  ServerAliveInterval 60"]),
      ...input.servers.map((s) => host(s.name, s.privateIp, s.user, ["  ProxyJump bastion"])),
    ].join("\n\n") + "\n"
  );
}

/** With Session Manager only there is nothing to SSH to: how to open a shell on each instance instead. */
export function renderSsmCommands(
  region: string,
  instances: ReadonlyArray<{ name: string; instanceId: string }>,
): string {
  return (
    [
      '# SSH is off (bastion.ssm = "only"): open a shell with Session Manager.',
      ...instances.map((i) => `# ${i.name}: aws ssm start-session --region ${region} --target ${i.instanceId}`),
    ].join("\n") + "\n"
  );
}
