/**
 * User data scripts, rendered as plain strings so they can be tested (`bash -n`, hardening lines) without
 * synthesizing. They run once, as root, at first boot, on Amazon Linux 2023 (dnf) or Debian/Ubuntu (apt).
 * No `${` or `%{` anywhere: Terraform would read them as its own template syntax inside user_data.
 */

/** Shell and sshd hardening shared by every instance. */
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

/** Installs packages with whichever package manager the image has. */
export function installPackages(packages: readonly string[]): string {
  if (packages.length === 0) return "";
  const list = packages.join(" ");
  return `if command -v dnf >/dev/null; then dnf install -y ${list}; else apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${list}; fi\n`;
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
command -v auditctl >/dev/null || { if command -v dnf >/dev/null; then dnf install -y audit; else apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y auditd; fi; }
cat > /etc/audit/rules.d/50-execve.rules <<'EOF'
-a always,exit -F arch=b64 -S execve,execveat -k exec
EOF
if [ "$(uname -m)" = x86_64 ]; then echo '-a always,exit -F arch=b32 -S execve,execveat -k exec' >> /etc/audit/rules.d/50-execve.rules; fi
${options.lockAuditRules ? "echo '-e 2' > /etc/audit/rules.d/99-lock.rules\n" : ""}systemctl enable auditd
systemctl start auditd
augenrules --load
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
}

/** Where the artifact lands: `/opt/<name>/<last part of the URL>`. */
export function artifactPath(name: string, url: string): string {
  const file = new URL(url).pathname.split("/").filter((p) => p !== "").pop() ?? "artifact";
  return `/opt/${name}/${file}`;
}

/** The systemd unit: restarts on failure, logs to journald, runs as its own unprivileged user. */
export function renderServiceUnit(spec: ServiceSpec): string {
  const lowPort = spec.port < 1024 ? "AmbientCapabilities=CAP_NET_BIND_SERVICE\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n" : "";
  return `[Unit]
Description=${spec.name} (managed by cdktf user data)
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=${spec.name}
Group=${spec.name}
WorkingDirectory=/opt/${spec.name}
EnvironmentFile=/etc/${spec.name}/${spec.name}.env
ExecStart=${spec.command.replace(/%/g, "%%")}
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
cat > /etc/systemd/system/${spec.name}.service <<'EOF'
${renderServiceUnit(spec).trimEnd()}
EOF
systemctl daemon-reload
systemctl enable --now ${spec.name}.service
`;
}

/** Installs packages and enables services (the DB server's engine). */
export function renderPackagesAndServices(packages: readonly string[], services: readonly string[]): string {
  const enable = services.length === 0 ? "" : `systemctl enable --now ${services.map((s) => `${s}.service`).join(" ")}\n`;
  return `# Packages and services of this server.\n${installPackages(packages)}${enable}`;
}

/**
 * Replaces `{{name}}` references in `template` with `values`; returns the text and the names it did not know.
 * Used for the service command and environment (`{{port}}`, `{{artifact}}`, `{{db.privateIp}}`, `{{db.port}}`).
 */
export function substitute(template: string, values: Readonly<Record<string, string>>): { text: string; unknown: string[] } {
  const unknown: string[] = [];
  const text = template.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (whole, name: string) => {
    if (name in values) return values[name];
    unknown.push(name);
    return whole;
  });
  return { text, unknown };
}
