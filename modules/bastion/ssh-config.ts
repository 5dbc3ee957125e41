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

/** One instance behind the Instance Connect Endpoint. */
export interface InstanceConnectHost {
  /** The `Host` alias, e.g. `app-a1`. */
  readonly name: string;
  /** Its instance id (a literal, or a Terraform reference at synth time): the tunnel is opened to it. */
  readonly instanceId: string;
  /** Login user. */
  readonly user: string;
}

/** What the Instance Connect `ssh_config` needs: the region, the endpoint, the key and the servers. */
export interface InstanceConnectConfigInput {
  /** The region, for the `aws` commands. */
  readonly region: string;
  /** The endpoint's id (a literal, or a Terraform reference at synth time). */
  readonly endpointId: string;
  /** Private key file for every host, when the admins have a key pair. @default none: `aws ec2-instance-connect ssh` pushes a one-time key */
  readonly identityFile?: string;
  /** The servers. */
  readonly servers: readonly InstanceConnectHost[];
}

/**
 * With the EC2 Instance Connect Endpoint as the door: one `aws ec2-instance-connect ssh` command per server (it
 * pushes a one-time key, no key pair needed), then a block for `~/.ssh/config` whose `ProxyCommand` opens the tunnel
 * with `aws ec2-instance-connect open-tunnel`, so `ssh app-a1` works with your own key.
 */
export function renderInstanceConnectConfig(input: InstanceConnectConfigInput): string {
  const identity =
    input.identityFile === undefined ? [] : [`  IdentityFile ${input.identityFile}`, "  IdentitiesOnly yes"];
  const tunnel = (instanceId: string) =>
    `aws ec2-instance-connect open-tunnel --region ${input.region} --instance-connect-endpoint-id ${input.endpointId} --instance-id ${instanceId}`;
  return (
    [
      [
        "# The door is an EC2 Instance Connect Endpoint: no bastion, no public IP. With a one-time key:",
        ...input.servers.map(
          (s) =>
            `# ${s.name}: aws ec2-instance-connect ssh --region ${input.region} --connection-type eice --instance-id ${s.instanceId} --os-user ${s.user}`,
        ),
        "# Or paste the rest into ~/.ssh/config and: ssh <name>",
      ].join("\n"),
      ...input.servers.map((s) =>
        [
          `Host ${s.name}`,
          `  HostName ${s.instanceId}`,
          `  User ${s.user}`,
          ...identity,
          `  ProxyCommand ${tunnel(s.instanceId)}`,
        ].join("\n"),
      ),
    ].join("\n\n") + "\n"
  );
}
