import { spawnSync } from "node:child_process";
import { renderBastionUserData } from "../modules/bastion/user-data";
import { renderDbPasswordFetch, renderMariadbSetup } from "../modules/servers/db-credentials";
import { renderNatInstanceUserData } from "../modules/network/nat-instance";
import {
  renderHardening,
  renderPackagesAndServices,
  renderScript,
  renderServiceSetup,
  renderServiceUnit,
  ServiceSpec,
  substitute,
} from "../modules/instance/user-data";
import { SERVER_HARDENING as hardening } from "./support/hardening";
import { renderDataVolumeMount } from "../modules/servers/data-volume-mount";
import { DATA_VOLUME_DEFAULTS } from "../modules/servers/schema";

const service: ServiceSpec = {
  name: "app",
  port: 8080,
  command: "/usr/bin/java -Xmx256m -jar /opt/app/app.jar",
  environment: { APP_ENV: "workshop", DB_HOST: "192.168.10.200" },
  artifact: { url: "https://example.com/releases/app.jar", sha256: "a".repeat(64) },
  packages: ["java-21-amazon-corretto-headless"],
};

const credentials = {
  region: "ap-northeast-2",
  parameterName: "/workshop/db/app-password",
  database: "app",
  user: "app",
};

const VOLUME_ID = "vol-0123456789abcdef0";

/** Every script the project renders, by name. */
const scripts: Record<string, string> = {
  "bastion, SSH": renderBastionUserData({ sessionTimeoutSeconds: 600, sshMaxAuthTries: 3, ssh: true }),
  "bastion, Session Manager only": renderBastionUserData({
    sessionTimeoutSeconds: 900,
    sshMaxAuthTries: 2,
    ssh: false,
  }),
  "app server with artifact": renderScript(renderHardening(hardening), renderServiceSetup(service)),
  "app server without artifact": renderScript(
    renderHardening(hardening),
    renderServiceSetup({ ...service, artifact: undefined, packages: [] }),
  ),
  "db server": renderScript(
    renderHardening(hardening),
    renderDataVolumeMount(VOLUME_ID, ["postgresql"]),
    renderPackagesAndServices(["postgresql-server"], ["postgresql"]),
  ),
  "db server, no packages": renderScript(
    renderHardening({ ...hardening, ssh: false }),
    renderDataVolumeMount(VOLUME_ID, []),
    renderPackagesAndServices([], []),
  ),
  "db server, MariaDB with the app's login": renderScript(
    renderHardening(hardening),
    renderDataVolumeMount(VOLUME_ID, ["mariadb"]),
    renderMariadbSetup(credentials, 3306, DATA_VOLUME_DEFAULTS.mountPoint),
  ),
  "NAT instance": renderNatInstanceUserData({ vpcCidr: "192.168.10.0/24" }),
};

function bashSyntaxErrors(script: string): string {
  const result = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
  return result.status === 0 ? "" : result.stderr || `exit ${result.status}`;
}

describe("user data scripts", () => {
  it.each(Object.entries(scripts))("%s passes bash -n", (_name, script) => {
    expect(bashSyntaxErrors(script)).toBe("");
  });

  it("bash -n does catch a broken script (the check can fail)", () => {
    expect(bashSyntaxErrors(`${scripts["db server"]}\nif true; then\n`)).not.toBe("");
  });

  it.each(Object.entries(scripts))("%s starts strict and has no Terraform template syntax", (_name, script) => {
    expect(script.startsWith("#!/bin/bash\nset -euo pipefail\n")).toBe(true);
    expect(script).not.toMatch(/\$\{|%\{/);
  });

  it.each(Object.entries(scripts))("%s makes TMOUT read-only and records every execve with auditd", (_name, script) => {
    expect(script).toMatch(/^TMOUT=\d+\nreadonly TMOUT\nexport TMOUT$/m);
    expect(script).toContain("-a always,exit -F arch=b64 -S execve,execveat -k exec");
    expect(script).toContain("augenrules --load");
  });

  it("sets the configured timeout", () => {
    expect(scripts["bastion, Session Manager only"]).toContain("TMOUT=900\n");
  });

  it("hardens sshd on the bastion, keeping TCP forwarding for ProxyJump, and locks the audit rules", () => {
    const bastion = scripts["bastion, SSH"];
    for (const line of [
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin no",
      "MaxAuthTries 3",
      "AllowTcpForwarding yes",
      "AllowAgentForwarding no",
    ]) {
      expect(bastion).toMatch(new RegExp(`^${line}$`, "m"));
    }
    expect(bastion).toContain("sshd -t\n");
    expect(bastion).toContain("echo '-e 2' > /etc/audit/rules.d/99-lock.rules");
  });

  it("turns TCP forwarding off on servers and leaves their audit rules changeable", () => {
    const app = scripts["app server with artifact"];
    expect(app).toMatch(/^AllowTcpForwarding no$/m);
    expect(app).not.toContain("-e 2");
  });

  it("stops and masks sshd when Session Manager is the only way in", () => {
    const script = scripts["bastion, Session Manager only"];
    expect(script).toContain("systemctl mask sshd.service ssh.service");
    expect(script).not.toContain("sshd_config.d");
    expect(script).toContain("systemctl disable --now sshd.service");
    expect(script).not.toMatch(/^PasswordAuthentication/m);
  });
});

describe("app service", () => {
  const unit = renderServiceUnit(service);

  it("runs under systemd from config: command, environment file, restart on failure, journald", () => {
    expect(unit).toContain("ExecStart=/usr/bin/java -Xmx256m -jar /opt/app/app.jar\n");
    expect(unit).toContain("EnvironmentFile=/etc/app/app.env\n");
    expect(unit).toContain("Restart=on-failure\n");
    expect(unit).toContain("StandardOutput=journal\nStandardError=journal\n");
    expect(unit).toContain("User=app\n");
    expect(unit).toContain("WantedBy=multi-user.target\n");
  });

  it("is not started with nohup or in the background", () => {
    const setup = renderServiceSetup(service);
    expect(setup).not.toMatch(/nohup|&\s*$/m);
    expect(setup).toContain(
      "systemctl enable app.service\nsystemctl restart --no-block app.service\nwait_for_service app 300 8080\n",
    );
  });

  it("writes the port and environment to a 0640 env file", () => {
    const setup = renderServiceSetup(service);
    expect(setup).toContain('PORT="8080"\nAPP_ENV="workshop"\nDB_HOST="192.168.10.200"\n');
    expect(setup).toContain("chmod 0640 /etc/app/app.env");
  });

  it("downloads the artifact over HTTPS only and verifies its checksum", () => {
    const setup = renderServiceSetup(service);
    expect(setup).toContain("--proto '=https'");
    expect(setup).toContain(`echo '${"a".repeat(64)}  /opt/app/app.jar' | sha256sum --check --strict`);
  });

  it("may bind a port below 1024 through a capability, not root", () => {
    expect(renderServiceUnit({ ...service, port: 80 })).toContain("AmbientCapabilities=CAP_NET_BIND_SERVICE\n");
    expect(unit).not.toContain("AmbientCapabilities");
  });

  it("escapes % for systemd", () => {
    expect(renderServiceUnit({ ...service, command: "/bin/date +%s" })).toContain("ExecStart=/bin/date +%%s\n");
  });

  it("installs the config's DB engine, enables its services and waits for each to be active", () => {
    const db = renderPackagesAndServices(["postgresql-server"], ["postgresql"]);
    expect(db).toContain("dnf install -y postgresql-server");
    expect(db).toContain(
      "systemctl enable postgresql.service\nsystemctl restart --no-block postgresql.service\nwait_for_service postgresql 300 ''\n",
    );
  });
});

describe("the NAT instance", () => {
  const script = scripts["NAT instance"];

  it("applies its own sysctl file only (sysctl --system aborts under set -e on a key the kernel lacks)", () => {
    expect(script).toContain("sysctl -p /etc/sysctl.d/90-nat-instance.conf\n");
    expect(script).not.toMatch(/^\s*sysctl --system/m);
  });

  it("gets the hardening every instance gets, with sshd masked (nothing may reach its port 22)", () => {
    expect(script).toContain("readonly TMOUT");
    expect(script).toContain("verify_exec_audit\n");
    expect(script).toContain("systemctl mask sshd.service ssh.service");
  });

  it("loads its rules from one file that persists, and fails unless masquerading and forwarding are on", () => {
    expect(script).toContain('iptables-restore < "$rules_file"');
    expect(script).toContain('-j MASQUERADE\' || { echo "NAT: the MASQUERADE rule is not loaded" >&2; exit 1; }');
    expect(script).toContain(
      "if command -v dnf >/dev/null; then dnf install -y iptables-services; else { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y iptables-persistent; }; fi",
    );
  });
});

describe("the DB server's first boot", () => {
  const script = renderMariadbSetup(credentials, 3306, DATA_VOLUME_DEFAULTS.mountPoint);

  it("listens on its private address, creates the app's database and user, and writes the password to SSM", () => {
    expect(script).toContain("printf '[mysqld]\\nbind-address = %s\\nport = 3306\\n' \"$private_ip\"");
    expect(script).toContain("wait_for_service mariadb 300 3306\n");
    expect(script).toContain(
      "CREATE DATABASE IF NOT EXISTS app;\nCREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY '$password';",
    );
    expect(script).toContain(
      `aws ssm put-parameter --region ap-northeast-2 --cli-input-json "file://$request" >/dev/null`,
    );
  });

  it("puts the password on no command line and prints it nowhere (the audit log keeps every command's arguments)", () => {
    const uses = script.split("\n").filter((line) => line.includes("$password"));
    // Only the shell itself reads it: the SQL here-document's body, and printf (a builtin) into a 0600 file.
    expect(uses.filter((line) => !/^(CREATE USER|ALTER USER) /.test(line))).toEqual([
      `printf '{"Name": "%s", "Type": "SecureString", "Overwrite": true, "Value": "%s"}' '/workshop/db/app-password' "$password" > "$request"`,
    ]);
    expect(script.indexOf("umask 077")).toBeLessThan(script.indexOf("request=$(mktemp)"));
    expect(script).not.toMatch(/set -x|echo .*\$password/);
    expect(renderDbPasswordFetch(credentials, "/run/app-start.env")).not.toMatch(/echo .*\$password|set -x/);
  });
});

describe("the DB server's data volume", () => {
  const mariadb = scripts["db server, MariaDB with the app's login"];
  const mount = renderDataVolumeMount(VOLUME_ID, ["mariadb"]);

  it("is found by its id in the NVMe serial, else by the attachment's device name, waiting for the attachment", () => {
    expect(mount).toContain(`data_serial=$(printf '%s' '${VOLUME_ID}' | tr -d -)\n`);
    expect(mount).toContain(
      'data_device=$(find_data_device 600 "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_$data_serial" /dev/sdf /dev/xvdf)\n',
    );
  });

  it("is formatted only when blank, mounted from /etc/fstab with nofail, and required by the engine's units", () => {
    expect(mount).toContain('format_if_blank "$data_device" db-data\n');
    expect(mount).toContain('mount_data_volume "$data_device" /var/lib/db-data /etc/fstab\n');
    expect(mount).toContain("defaults,nofail 0 2");
    expect(mount).toContain("require_mount mariadb /var/lib/db-data\nsystemctl daemon-reload\n");
    expect(renderDataVolumeMount(VOLUME_ID, ["postgresql", "pgbouncer"])).toContain(
      "require_mount postgresql /var/lib/db-data\nrequire_mount pgbouncer /var/lib/db-data\n",
    );
  });

  it("is mounted before MariaDB is installed, and MariaDB's datadir is on it before MariaDB first starts", () => {
    const mounted = mariadb.indexOf('mount_data_volume "$data_device"');
    const installed = mariadb.indexOf("dnf install -y mariadb105-server");
    const datadir = mariadb.indexOf(
      'datadir = %s\\n\' /var/lib/db-data/mysql > "$mariadb_conf_dir/zz-cdktf-datadir.cnf"',
    );
    const started = mariadb.indexOf("systemctl restart --no-block mariadb.service");
    expect([mounted, installed, datadir, started].every((i) => i > 0)).toBe(true);
    expect(mounted).toBeLessThan(installed);
    expect(installed).toBeLessThan(datadir);
    expect(datadir).toBeLessThan(started);
  });

  it("keeps the system tables a volume already has, and creates them only on a volume without them", () => {
    expect(mariadb).toContain(
      'if [ ! -d /var/lib/db-data/mysql/mysql ]; then\n  install -d -o mysql -g mysql -m 0750 /var/lib/db-data/mysql\n  install_db=$(command -v mariadb-install-db || command -v mysql_install_db)\n  "$install_db" --user=mysql --datadir=/var/lib/db-data/mysql >/dev/null\nfi\n',
    );
  });
});

describe("substitute", () => {
  it("fills known references and reports unknown ones", () => {
    expect(substitute("{{ port }} {{db.privateIp}} {{nope}}", { port: "8080", "db.privateIp": "10.0.0.5" })).toEqual({
      text: "8080 10.0.0.5 {{nope}}",
      unknown: ["nope"],
    });
  });
});
