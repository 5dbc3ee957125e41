/**
 * User data scripts, rendered as plain strings so they can be tested (`bash -n`, the real sshd/systemd/iptables/audit
 * tools, stubbed commands) without synthesizing. They run once, as root, at first boot, on Amazon Linux 2023 (dnf) or
 * Debian 12 (apt); package names differ between the two and are mapped per family (`PackageNames`).
 * No `${` or `%{` anywhere: Terraform would read them as its own template syntax inside user_data.
 */
import { INSTANCE_DEFAULTS } from "./schema";

/**
 * The hardening a library user chooses, taken the same way by the bastion and the servers (`hardening` prop);
 * `HARDENING_DEFAULTS` fills what is left out, and each role adds its own internals (`HardeningOptions`).
 */
export interface HardeningProps {
  /** Seconds a shell may sit idle before it is closed (`TMOUT`, made read-only). @default HARDENING_DEFAULTS.sessionTimeoutSeconds (600) */
  readonly sessionTimeoutSeconds?: number;
  /** sshd's `MaxAuthTries`. @default HARDENING_DEFAULTS.sshMaxAuthTries (3) */
  readonly sshMaxAuthTries?: number;
  /** false: sshd is stopped and masked, Session Manager is the only way in. @default HARDENING_DEFAULTS.ssh (true) */
  readonly ssh?: boolean;
}

/** The defaults of `HardeningProps`, the config file's among them. */
export const HARDENING_DEFAULTS = {
  sessionTimeoutSeconds: INSTANCE_DEFAULTS.sessionTimeoutSeconds,
  sshMaxAuthTries: INSTANCE_DEFAULTS.sshMaxAuthTries,
  ssh: true,
} as const;

/** The full hardening of one role: the user's `props` over the defaults, and the role's own internals. */
export function hardeningFor(
  props: HardeningProps | undefined,
  internals: Pick<HardeningOptions, "allowTcpForwarding" | "lockAuditRules">,
): HardeningOptions {
  return {
    sessionTimeoutSeconds: props?.sessionTimeoutSeconds ?? HARDENING_DEFAULTS.sessionTimeoutSeconds,
    sshMaxAuthTries: props?.sshMaxAuthTries ?? HARDENING_DEFAULTS.sshMaxAuthTries,
    ssh: props?.ssh ?? HARDENING_DEFAULTS.ssh,
    ...internals,
  };
}

/** What the servers' user data adds to `HardeningProps`: no TCP forwarding, audit rules left unlocked. */
export const SERVER_HARDENING_INTERNALS = { allowTcpForwarding: false, lockAuditRules: false } as const;

/** Shell and sshd hardening as rendered into user data: `HardeningProps`, filled, with the role's internals. */
export interface HardeningOptions {
  /** Seconds a shell may sit idle before it is closed (`TMOUT`, made read-only). */
  readonly sessionTimeoutSeconds: number;
  /** sshd's `MaxAuthTries`. */
  readonly sshMaxAuthTries: number;
  /** false: sshd is stopped and masked (Session Manager is the only way in). */
  readonly ssh: boolean;
  /** Let sshd forward TCP: the bastion needs it for `ProxyJump`, nothing else does. */
  readonly allowTcpForwarding: boolean;
  /** Make the audit rules immutable until reboot (`-e 2`), so not even root can stop the recording quietly. */
  readonly lockAuditRules: boolean;
}

/** The whole script: a strict bash prologue, then each section in order. */
export function renderScript(...sections: string[]): string {
  return ["#!/bin/bash", "set -euo pipefail", "", ...sections].join("\n");
}

/** Package names per package manager: what Amazon Linux 2023 (dnf) and Debian (apt) call the same software. */
export interface PackageNames {
  /** Names for dnf (Amazon Linux 2023). */
  readonly dnf: readonly string[];
  /** Names for apt (Debian). */
  readonly apt: readonly string[];
}

/** The packages the scripts themselves install, by family. */
export const OS_PACKAGES = {
  audit: { dnf: ["audit"], apt: ["auditd"] },
  natPersistence: { dnf: ["iptables-services"], apt: ["iptables-persistent"] },
  mariadb: { dnf: ["mariadb105-server"], apt: ["mariadb-server"] },
  awsCli: { dnf: ["awscli-2"], apt: ["awscli"] },
  filesystem: { dnf: ["e2fsprogs"], apt: ["e2fsprogs"] },
} as const satisfies Record<string, PackageNames>;

/**
 * Installs packages with whichever package manager the image has. A plain list is installed under the same names by
 * both (the config's `packages`, named as the image's manager knows them); `PackageNames` picks per family.
 */
export function installPackages(packages: readonly string[] | PackageNames): string {
  const { dnf, apt } = isPackageNames(packages) ? packages : { dnf: packages, apt: packages };
  if (dnf.length === 0 && apt.length === 0) return "";
  const dnfCommand = dnf.length === 0 ? ":" : `dnf install -y ${dnf.join(" ")}`;
  const aptCommand =
    apt.length === 0
      ? ":"
      : `{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${apt.join(" ")}; }`;
  return `if command -v dnf >/dev/null; then ${dnfCommand}; else ${aptCommand}; fi\n`;
}

/** Installs `packages` unless `command` is already on the image. */
export function installIfMissing(command: string, packages: readonly string[] | PackageNames): string {
  return `command -v ${command} >/dev/null || ${installPackages(packages)}`;
}

function isPackageNames(packages: readonly string[] | PackageNames): packages is PackageNames {
  return !Array.isArray(packages);
}

/** Session timeout, command auditing and sshd hardening. */
export function renderHardening(options: HardeningOptions): string {
  const timeout = `# Idle shells close after ${options.sessionTimeoutSeconds} s; readonly, so a session cannot unset it.
cat > /etc/profile.d/00-session-timeout.sh <<'EOF'
TMOUT=${options.sessionTimeoutSeconds}
readonly TMOUT
export TMOUT
EOF
chmod 0644 /etc/profile.d/00-session-timeout.sh
`;
  const audit = `# Every executed command is recorded by the kernel's audit system (execve), which a shell cannot bypass.
${installIfMissing("auditctl", OS_PACKAGES.audit)}${AUDIT_FUNCTIONS}cat > /etc/audit/rules.d/50-execve.rules <<'EOF'
${EXECVE_RULE_B64}
EOF
if [ "$(uname -m)" = x86_64 ]; then echo '${EXECVE_RULE_B32}' >> /etc/audit/rules.d/50-execve.rules; fi
neutralize_task_never /etc/audit/rules.d
${options.lockAuditRules ? "echo '-e 2' > /etc/audit/rules.d/99-lock.rules\n" : ""}systemctl enable auditd
systemctl start auditd
augenrules --load
verify_exec_audit
`;
  const sshd = options.ssh
    ? `# sshd: keys only, no root, few tries.
grep -q '^Include /etc/ssh/sshd_config.d/' /etc/ssh/sshd_config || sed -i '1i Include /etc/ssh/sshd_config.d/*.conf' /etc/ssh/sshd_config
install -d -m 0755 /etc/ssh/sshd_config.d
cat > /etc/ssh/sshd_config.d/00-hardening.conf <<'EOF'
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitEmptyPasswords no
PermitRootLogin no
MaxAuthTries ${options.sshMaxAuthTries}
LoginGraceTime 30
X11Forwarding no
AllowAgentForwarding no
AllowTcpForwarding ${options.allowTcpForwarding ? "yes" : "no"}
ClientAliveInterval 300
ClientAliveCountMax 2
EOF
sshd -t
systemctl reload sshd 2>/dev/null || systemctl reload ssh
`
    : `# No SSH at all: Session Manager is the only way in.
systemctl disable --now sshd.service 2>/dev/null || systemctl disable --now ssh.service ssh.socket
systemctl mask sshd.service ssh.service
`;
  return [timeout, audit, sshd].join("\n");
}

/** The 64-bit execve rule (and its 32-bit twin on x86_64): every command, keyed `exec`. */
export const EXECVE_RULE_B64 = "-a always,exit -F arch=b64 -S execve,execveat -k exec";
export const EXECVE_RULE_B32 = "-a always,exit -F arch=b32 -S execve,execveat -k exec";

/**
 * Shell functions of the audit section. `neutralize_task_never DIR` comments out `-a task,never` (Fedora's and so
 * Amazon Linux 2023's default rules file has it, and it stops every new process from being audited);
 * `verify_exec_audit` fails the script unless `auditctl -l` shows the execve rule and no task,never rule.
 */
export const AUDIT_FUNCTIONS = `neutralize_task_never() {
  local file
  for file in "$1"/*.rules; do
    [ -e "$file" ] || continue
    sed -i -E 's/^[[:space:]]*-a[[:space:]]+(task,never|never,task)([[:space:]]|$)/# disabled by cdktf user data, it stops execve auditing: &/' "$file"
  done
}
verify_exec_audit() {
  local loaded
  loaded=$(auditctl -l)
  if printf '%s\\n' "$loaded" | grep -Eq '(task,never|never,task)'; then
    printf 'audit: a task,never rule is loaded, so commands are not recorded:\\n%s\\n' "$loaded" >&2
    return 1
  fi
  if ! printf '%s\\n' "$loaded" | grep -Eq -- '-S execve.*(key=exec|-k exec)'; then
    printf 'audit: the execve rule is not loaded; auditctl -l shows:\\n%s\\n' "$loaded" >&2
    return 1
  fi
  echo "audit: execve rule loaded"
}
`;

/** An app service, as the systemd unit runs it. */
export interface ServiceSpec {
  /** Unit and user name, e.g. `app`: the unit is `/etc/systemd/system/app.service`. */
  readonly name: string;
  /** TCP port the service listens on; also given to it as `PORT`. */
  readonly port: number;
  /** `ExecStart`: an absolute command line. */
  readonly command: string;
  /** Variables for the service, written to `/etc/<name>/<name>.env` (mode 0640), not into the world-readable unit. */
  readonly environment: Readonly<Record<string, string>>;
  /** Downloaded at first boot to `/opt/<name>/<file name>`, and checked against `sha256` when given. */
  readonly artifact?: { readonly url: string; readonly sha256?: string };
  /** Packages the service needs (e.g. a Java runtime). */
  readonly packages: readonly string[];
  /**
   * A root script run before every start (`ExecStartPre=+`) that writes `/run/<name>-start.env` (mode 0600, read by
   * systemd, not by the service user): how the DB password reaches the service without being in user data.
   * @default none
   */
  readonly startEnvScript?: string;
  /** Packages the start script needs, installed when its `command` is missing (the AWS CLI for the DB password). @default none */
  readonly startEnvPackages?: { readonly command: string; readonly packages: PackageNames };
  /** Seconds the user data waits for the service to be active and listening before it fails. @default SERVICE_START_TIMEOUT_SECONDS */
  readonly startTimeoutSeconds?: number;
}

/** How long the user data waits for a service to be active and listening (first boot, package installs done). */
export const SERVICE_START_TIMEOUT_SECONDS = 300;

/** Where the artifact lands: `/opt/<name>/<last part of the URL>`. */
export function artifactPath(name: string, url: string): string {
  const file =
    new URL(url).pathname
      .split("/")
      .filter((p) => p !== "")
      .pop() ?? "artifact";
  return `/opt/${name}/${file}`;
}

/** Where the start script (`startEnvScript`) is installed and what it writes. */
export function startEnvPaths(name: string): { script: string; envFile: string } {
  return { script: `/usr/local/libexec/${name}-start-env`, envFile: `/run/${name}-start.env` };
}

/**
 * The systemd unit: `Type=exec`, so a command that cannot run fails the start instead of passing for started; restarts
 * on failure, but at most 5 times in 2 minutes, after which the unit is failed (`systemctl --failed` lists it); logs to
 * journald; runs as its own unprivileged user.
 */
export function renderServiceUnit(spec: ServiceSpec): string {
  const lowPort =
    spec.port < 1024 ? "AmbientCapabilities=CAP_NET_BIND_SERVICE\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n" : "";
  const start = startEnvPaths(spec.name);
  // The `-`: systemd reads environment files before every command, ExecStartPre's too, when this one is not yet written.
  const startEnv =
    spec.startEnvScript === undefined
      ? ""
      : `EnvironmentFile=-${start.envFile}\nExecStartPre=+${start.script}\nTimeoutStartSec=${timeoutOf(spec)}\n`;
  return `[Unit]
Description=${spec.name} (managed by cdktf user data)
Wants=network-online.target
After=network-online.target
StartLimitIntervalSec=120
StartLimitBurst=5

[Service]
Type=exec
User=${spec.name}
Group=${spec.name}
WorkingDirectory=/opt/${spec.name}
EnvironmentFile=/etc/${spec.name}/${spec.name}.env
${startEnv}ExecStart=${spec.command.replace(/%/g, "%%")}
Restart=on-failure
RestartSec=5
StandardOutput=journal
StandardError=journal
SyslogIdentifier=${spec.name}
${lowPort}NoNewPrivileges=true
PrivateTmp=true
ProtectSystem=full
ProtectHome=true
StateDirectory=${spec.name}

[Install]
WantedBy=multi-user.target
`;
}

/** Installs and starts an app service: packages, its user, the artifact (checksum-verified), env file, unit. */
export function renderServiceSetup(spec: ServiceSpec): string {
  const env = Object.entries({ PORT: String(spec.port), ...spec.environment })
    .map(([k, v]) => `${k}="${v}"`)
    .join("\n");
  const artifact =
    spec.artifact === undefined
      ? ""
      : `curl --fail --silent --show-error --location --proto '=https' --retry 5 -o '${artifactPath(spec.name, spec.artifact.url)}' '${spec.artifact.url}'
${spec.artifact.sha256 === undefined ? "" : `echo '${spec.artifact.sha256}  ${artifactPath(spec.name, spec.artifact.url)}' | sha256sum --check --strict\n`}`;
  return `# The service "${spec.name}" under systemd: restarted on failure, logs in journald (journalctl -u ${spec.name}).
${installPackages(spec.packages)}id -u ${spec.name} >/dev/null 2>&1 || useradd --system --home-dir /opt/${spec.name} --shell /sbin/nologin ${spec.name}
install -d -m 0755 /opt/${spec.name}
${artifact}install -d -m 0750 -g ${spec.name} /etc/${spec.name}
cat > /etc/${spec.name}/${spec.name}.env <<'EOF'
${env}
EOF
chmod 0640 /etc/${spec.name}/${spec.name}.env
chgrp ${spec.name} /etc/${spec.name}/${spec.name}.env
${startEnvSetup(spec)}cat > /etc/systemd/system/${spec.name}.service <<'EOF'
${renderServiceUnit(spec).trimEnd()}
EOF
systemctl daemon-reload
${startAndWait(spec.name, timeoutOf(spec), spec.port)}`;
}

function timeoutOf(spec: ServiceSpec): number {
  return spec.startTimeoutSeconds ?? SERVICE_START_TIMEOUT_SECONDS;
}

function startEnvSetup(spec: ServiceSpec): string {
  if (spec.startEnvScript === undefined) return "";
  const { script } = startEnvPaths(spec.name);
  const needs =
    spec.startEnvPackages === undefined
      ? ""
      : installIfMissing(spec.startEnvPackages.command, spec.startEnvPackages.packages);
  return `${needs}install -d -m 0755 /usr/local/libexec
cat > ${script} <<'EOF'
${spec.startEnvScript.trimEnd()}
EOF
chmod 0700 ${script}
`;
}

/**
 * `wait_for_service NAME SECONDS PORT`: waits until the unit is active (and something listens on PORT, unless it is
 * ''); otherwise
 * prints the unit's status and last 50 log lines and returns 1, which `set -e` turns into a failed user data.
 */
export const WAIT_FOR_SERVICE_FUNCTION = `wait_for_service() {
  local name=$1 seconds=$2 port=$3 deadline=$((SECONDS + $2))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if systemctl is-active --quiet "$name.service" && { [ -z "$port" ] || ss -Hltn "sport = :$port" | grep -q .; }; then
      echo "$name.service is active$([ -z "$port" ] || echo " and listening on port $port")"
      return 0
    fi
    systemctl is-failed --quiet "$name.service" && break
    sleep 3
  done
  echo "$name.service did not become active$([ -z "$port" ] || echo " and listening on port $port") within $seconds s" >&2
  systemctl status --no-pager "$name.service" >&2 || true
  journalctl -u "$name.service" -n 50 --no-pager >&2 || true
  return 1
}
`;

/** Enables and (re)starts a unit without blocking on it (a package may have started it with its own config), then waits for it (bounded) and fails loudly if it is not up. */
export function startAndWait(name: string, seconds: number, port?: number): string {
  return `${WAIT_FOR_SERVICE_FUNCTION}systemctl enable ${name}.service
systemctl restart --no-block ${name}.service
wait_for_service ${name} ${seconds} ${port === undefined ? "''" : port}
`;
}

/** Installs packages and enables services (a DB engine of the config's choosing), failing loudly if one is not active. */
export function renderPackagesAndServices(
  packages: readonly string[] | PackageNames,
  services: readonly string[],
  seconds = SERVICE_START_TIMEOUT_SECONDS,
): string {
  const start = services.map((s) => startAndWait(s, seconds).replace(WAIT_FOR_SERVICE_FUNCTION, "")).join("");
  return `# Packages and services of this server.\n${installPackages(packages)}${services.length === 0 ? "" : WAIT_FOR_SERVICE_FUNCTION}${start}`;
}

/**
 * Replaces `{{name}}` references in `template` with `values`; returns the text and the names it did not know.
 * Used for the service command and environment (`{{port}}`, `{{artifact}}`, `{{db.privateIp}}`, `{{db.port}}`).
 */
export function substitute(
  template: string,
  values: Readonly<Record<string, string>>,
): { text: string; unknown: string[] } {
  const unknown: string[] = [];
  const text = template.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (whole, name: string) => {
    if (name in values) return values[name];
    unknown.push(name);
    return whole;
  });
  return { text, unknown };
}
