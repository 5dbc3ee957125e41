import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { renderBastionUserData } from "../modules/bastion/user-data";
import {
  AUDIT_FUNCTIONS,
  EXECVE_RULE_B32,
  EXECVE_RULE_B64,
  installPackages,
  OS_PACKAGES,
  renderHardening,
  renderServiceUnit,
  ServiceSpec,
  startEnvPaths,
  WAIT_FOR_SERVICE_FUNCTION,
} from "../modules/instance/user-data";
import { renderDbPasswordFetch } from "../modules/servers/db-credentials";
import { renderNatInstanceUserData, renderNatRules } from "../modules/network/nat-instance";
import { describeWithTools } from "./support/system-tools";
import { SERVER_HARDENING as hardening } from "./support/hardening";
import { DATA_VOLUME_FUNCTIONS } from "../modules/servers/data-volume-mount";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "user-data-"));
  dirs.push(dir);
  return dir;
}

/** The body of the here-document the script writes to `path` (`cat > path <<'MARK'` ... `MARK`). */
function heredoc(script: string, path: string): string {
  const match = new RegExp(`^cat > "?${path.replace(/[.$*]/g, "\\$&")}"? <<'(\\w+)'\\n([\\s\\S]*?)\\n\\1$`, "m").exec(
    script,
  );
  if (match === null) throw new Error(`no here-document for ${path}`);
  return `${match[2]}\n`;
}

/** Stub commands: each `name: body` becomes an executable shell script in the returned directory. */
function stubs(commands: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, body] of Object.entries(commands)) {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

function bash(script: string, path: string) {
  return spawnSync("bash", ["--norc", "--noprofile", "-c", `set -euo pipefail\n${script}`], {
    encoding: "utf8",
    env: { PATH: path, HOME: tempDir() },
  });
}

const service: ServiceSpec = {
  name: "app",
  port: 8080,
  command: "/usr/bin/python3 -m http.server 8080",
  environment: {},
  packages: [],
};

describeWithTools("sshd -t accepts the generated sshd config", ["sshd", "ssh-keygen"], () => {
  /** `sshd -t` of the drop-in with a host key of its own, as the image's sshd_config includes it. */
  function sshdCheck(dropIn: string) {
    const dir = tempDir();
    writeFileSync(join(dir, "00-hardening.conf"), dropIn);
    spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "host_key")]);
    writeFileSync(join(dir, "sshd_config"), `Include ${dir}/00-hardening.conf\nHostKey ${dir}/host_key\n`);
    mkdirSync("/run/sshd", { recursive: true });
    return spawnSync("sshd", ["-t", "-f", join(dir, "sshd_config")], { encoding: "utf8" });
  }

  it.each([
    ["app and DB servers", renderHardening(hardening)],
    ["bastion", renderBastionUserData({ sessionTimeoutSeconds: 600, sshMaxAuthTries: 3, ssh: true })],
  ])("%s", (_name, script) => {
    const result = sshdCheck(heredoc(script, "/etc/ssh/sshd_config.d/00-hardening.conf"));
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("rejects an option sshd does not know (the check can fail)", () => {
    expect(
      sshdCheck(`${heredoc(renderHardening(hardening), "/etc/ssh/sshd_config.d/00-hardening.conf")}NoSuchOption yes\n`)
        .status,
    ).not.toBe(0);
  });
});

describeWithTools("systemd-analyze verify accepts the service unit", ["systemd-analyze"], () => {
  /** Verifies the unit in a root of its own: systemd's units copied in, the unit's commands as stubs. */
  function verify(unit: string) {
    const root = tempDir();
    cpSync("/usr/lib/systemd/system", join(root, "usr/lib/systemd/system"), { recursive: true });
    for (const command of unit.matchAll(/^Exec\w+=[-+!@:]*(\/\S+)/gm)) {
      mkdirSync(join(root, dirname(command[1])), { recursive: true });
      writeFileSync(join(root, command[1]), "#!/bin/sh\n");
      chmodSync(join(root, command[1]), 0o755);
    }
    mkdirSync(join(root, "etc/systemd/system"), { recursive: true });
    writeFileSync(join(root, "etc/systemd/system/app.service"), unit);
    return spawnSync("systemd-analyze", ["verify", "--man=no", "--generators=no", `--root=${root}`, "app.service"], {
      encoding: "utf8",
    });
  }

  it.each([
    ["plain", service],
    ["with the DB password start script, on port 80", { ...service, port: 80, startEnvScript: "#!/bin/bash\n" }],
  ])("%s", (_name, spec) => {
    const result = verify(renderServiceUnit(spec));
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("reports a setting systemd cannot parse (the check can fail)", () => {
    expect(verify(renderServiceUnit(service).replace("Type=exec", "Type=bogus")).stderr).toMatch(
      /Failed to parse service type/,
    );
  });
});

describeWithTools("iptables-restore --test accepts the NAT rules", ["iptables-restore", "unshare"], () => {
  /** In a network namespace of its own, so nothing can touch this machine's rules even if --test were ignored. */
  function restoreTest(rules: string) {
    return spawnSync("unshare", ["-n", "iptables-restore", "--test"], { input: rules, encoding: "utf8" });
  }

  it("as rendered, and as the NAT instance's user data writes them", () => {
    for (const rules of [
      renderNatRules("10.0.0.0/16"),
      heredoc(renderNatInstanceUserData({ vpcCidr: "192.168.10.0/24" }), "$rules_file"),
    ]) {
      const result = restoreTest(rules);
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
    }
  });

  it("rejects a broken rule (the check can fail)", () => {
    expect(restoreTest(renderNatRules("10.0.0.0/33")).status).not.toBe(0);
  });
});

describeWithTools("auditctl parses the audit rules", ["auditctl", "unshare"], () => {
  /**
   * Each rule through auditctl's own parser, in a user namespace: there the kernel refuses every audit request, so
   * nothing is loaded on this machine, while a rule auditctl cannot parse is reported before any request.
   */
  function parseErrors(rules: string): string[] {
    return rules
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("#"))
      .flatMap((line) => {
        const result = spawnSync("unshare", ["-U", "-r", "auditctl", ...line.trim().split(/\s+/)], {
          encoding: "utf8",
        });
        const output = `${result.stdout}${result.stderr}`.split("\n").filter((l) => l !== "");
        const errors = output.filter(
          (l) => !/^The audit system is disabled$|Operation not permitted|^Error sending/.test(l),
        );
        return errors.map((e) => `${line}: ${e}`);
      });
  }

  it("the execve rules (both architectures) and the lock", () => {
    expect(parseErrors(`${EXECVE_RULE_B64}\n${EXECVE_RULE_B32}\n-e 2\n`)).toEqual([]);
  });

  it("rejects a rule it cannot parse (the check can fail)", () => {
    expect(parseErrors("-a always,exit -F arch=b64 -S execvee -k exec\n")).not.toEqual([]);
  });
});

describe("audit that records", () => {
  // Fedora's default rules file (Amazon Linux 2023's audit package derives from it).
  const fedoraDefault =
    "## First rule - delete all\n-D\n-b 8192\n-f 1\n--backlog_wait_time 60000\n## This suppresses syscall auditing for all tasks started\n-a task,never\n";

  it("comments out every task,never rule before the rules load, and keeps the rest", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "audit.rules"), fedoraDefault);
    writeFileSync(join(dir, "other.rules"), "  -a never,task\n-w /etc/shadow -p wa\n");
    const result = bash(`${AUDIT_FUNCTIONS}neutralize_task_never '${dir}'`, "/usr/bin:/bin");
    expect(result.stderr).toBe("");
    const rules = readFileSync(join(dir, "audit.rules"), "utf8") + readFileSync(join(dir, "other.rules"), "utf8");
    expect(rules.split("\n").filter((l) => /^\s*-a\s+(task,never|never,task)/.test(l))).toEqual([]);
    expect(rules).toContain("# disabled by cdktf user data, it stops execve auditing: -a task,never");
    expect(rules).toContain("-b 8192\n");
    expect(rules).toContain("-w /etc/shadow -p wa\n");
  });

  it.each([
    ["the execve rule is loaded", `-a always,exit -F arch=b64 -S execve,execveat -F key=exec`, 0],
    [
      "a task,never rule is still loaded",
      `-a never,task\n-a always,exit -F arch=b64 -S execve,execveat -F key=exec`,
      1,
    ],
    ["no rules are loaded", "No rules", 1],
  ])("verify_exec_audit: %s", (_name, loaded, status) => {
    const path = stubs({ auditctl: `cat <<'EOF'\n${loaded}\nEOF` });
    const result = bash(`${AUDIT_FUNCTIONS}verify_exec_audit`, `${path}:/usr/bin:/bin`);
    expect(result.status).toBe(status);
    if (status !== 0) expect(result.stderr).toMatch(/^audit: /);
  });

  it("every instance's script neutralizes task,never before loading, then verifies", () => {
    for (const script of [
      renderHardening(hardening),
      renderBastionUserData({ sessionTimeoutSeconds: 600, sshMaxAuthTries: 3, ssh: false }),
      renderNatInstanceUserData({ vpcCidr: "10.0.0.0/16" }),
    ]) {
      const order = ["neutralize_task_never /etc/audit/rules.d", "augenrules --load", "verify_exec_audit\n"].map(
        (step) => script.indexOf(step),
      );
      expect(order.every((at) => at >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
    }
  });
});

describe("services fail loudly", () => {
  const journal = "journalctl:app.service: Main process exited, status=203/EXEC";

  it.each([
    [
      "a unit that failed (restart limit hit)",
      { systemctl: 'case "$1" in is-active) exit 3;; is-failed) exit 0;; status) echo "failed";; esac', ss: "" },
      1,
    ],
    [
      "a unit that is active but not listening, after the time is up",
      { systemctl: 'case "$1" in is-active) exit 0;; is-failed) exit 1;; esac', ss: "" },
      1,
    ],
    [
      "a unit that is active and listening",
      { systemctl: 'case "$1" in is-active) exit 0;; esac; exit 1', ss: 'echo "LISTEN 0 50 *:8080 *:*"' },
      0,
    ],
  ])("wait_for_service: %s", (_name, commands, status) => {
    const path = stubs({ ...commands, journalctl: `echo '${journal}'`, sleep: "exit 0" });
    const result = bash(`${WAIT_FOR_SERVICE_FUNCTION}wait_for_service app 1 8080`, `${path}:/usr/bin:/bin`);
    expect(result.status).toBe(status);
    if (status === 0) expect(result.stdout).toContain("app.service is active and listening on port 8080");
    else expect(result.stderr).toContain(journal);
  });

  it("the unit starts as Type=exec and ends failed after 5 restarts in 2 minutes", () => {
    const unit = renderServiceUnit(service);
    expect(unit).toMatch(/^Type=exec$/m);
    expect(unit).toMatch(/^StartLimitIntervalSec=120\nStartLimitBurst=5$/m);
  });
});

describe("OS families: package names per package manager", () => {
  /** What the install line asks each package manager for, with only stubs on PATH. */
  function installs(family: "dnf" | "apt", packages: Parameters<typeof installPackages>[0]): string {
    const log = join(tempDir(), "log");
    const record = `echo "$0 $*" >> '${log}'`;
    const path = stubs(family === "dnf" ? { dnf: record } : { "apt-get": record });
    const result = spawnSync("/bin/bash", ["--norc", "--noprofile", "-c", installPackages(packages)], {
      encoding: "utf8",
      env: { PATH: path },
    });
    expect(result.stderr).toBe("");
    return readFileSync(log, "utf8").replaceAll(`${path}/`, "");
  }

  it.each([
    ["mariadb", "dnf install -y mariadb105-server\n", "apt-get update\napt-get install -y mariadb-server\n"],
    ["audit", "dnf install -y audit\n", "apt-get update\napt-get install -y auditd\n"],
    [
      "natPersistence",
      "dnf install -y iptables-services\n",
      "apt-get update\napt-get install -y iptables-persistent\n",
    ],
  ] as const)("%s", (name, dnf, apt) => {
    expect(installs("dnf", OS_PACKAGES[name])).toBe(dnf);
    expect(installs("apt", OS_PACKAGES[name])).toBe(apt);
  });

  it("a plain list (the config's own packages) goes to either manager as written", () => {
    expect(installs("apt", ["postgresql"])).toBe("apt-get update\napt-get install -y postgresql\n");
  });
});

describe("the app's DB password", () => {
  it("is fetched from the parameter into a 0600 env file, and given to no command line", () => {
    const dir = tempDir();
    const envFile = join(dir, "app-start.env");
    const log = join(dir, "aws-args");
    const path = stubs({ aws: `echo "$*" >> '${log}'\necho 0123abcd` });
    const script = renderDbPasswordFetch(
      { region: "ap-northeast-2", parameterName: "/workshop/db/app-password", database: "app", user: "app" },
      envFile,
    );
    const result = spawnSync("/bin/bash", ["--norc", "--noprofile", "-c", script], {
      encoding: "utf8",
      env: { PATH: `${path}:/usr/bin:/bin` },
    });
    expect(result.stderr).toBe("");
    expect(readFileSync(envFile, "utf8")).toBe("DB_NAME=app\nDB_USER=app\nDB_PASSWORD=0123abcd\n");
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(log, "utf8")).toBe(
      "ssm get-parameter --region ap-northeast-2 --name /workshop/db/app-password --with-decryption --query Parameter.Value --output text\n",
    );
    expect(startEnvPaths("app")).toEqual({ script: "/usr/local/libexec/app-start-env", envFile: "/run/app-start.env" });
  });
});

describe("the data volume, with stub disk tools", () => {
  /** Runs the data volume functions and `call` with stubs first on PATH; each stub logs its arguments to `log`. */
  function run(call: string, commands: Record<string, string>) {
    const dir = tempDir();
    const log = join(dir, "log");
    const logged = Object.fromEntries(
      Object.entries(commands).map(([name, body]) => [name, `echo "${name} $*" >> '${log}'\n${body}`]),
    );
    const result = bash(`${DATA_VOLUME_FUNCTIONS}${call}`, `${stubs({ sleep: "exit 0", ...logged })}:/usr/bin:/bin`);
    let calls = "";
    try {
      calls = readFileSync(log, "utf8");
    } catch {
      // nothing was called
    }
    return { ...result, calls, dir };
  }

  it("finds the first candidate that exists, resolved (the NVMe by-id link before the device name)", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "nvme1n1"), "");
    spawnSync("ln", ["-s", join(dir, "nvme1n1"), join(dir, "nvme-Amazon_Elastic_Block_Store_vol0abc")]);
    const result = run(
      `find_data_device 5 ${join(dir, "nvme-Amazon_Elastic_Block_Store_vol0abc")} ${join(dir, "sdf")}`,
      {},
    );
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(`${join(dir, "nvme1n1")}\n`);
  });

  it("fails naming every candidate when none appears in time", () => {
    const result = run("find_data_device 0 /nonexistent/a /nonexistent/b", {});
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "the data volume is not attached after 0 s: none of /nonexistent/a /nonexistent/b exists",
    );
  });

  it.each([
    [
      "a blank volume (blkid finds nothing: exit 2) is formatted",
      2,
      0,
      "blkid -p /dev/xvdf\nmkfs.ext4 -q -L db-data /dev/xvdf\n",
    ],
    ["a volume with a filesystem (exit 0) is kept", 0, 0, "blkid -p /dev/xvdf\n"],
    ["a volume blkid cannot read (exit 4) is not formatted, and the script fails", 4, 1, "blkid -p /dev/xvdf\n"],
  ])("%s", (_name, blkidStatus, status, calls) => {
    const result = run("format_if_blank /dev/xvdf db-data", { blkid: `exit ${blkidStatus}`, "mkfs.ext4": "exit 0" });
    expect(result.status).toBe(status);
    expect(result.calls).toBe(calls);
  });

  it("adds the filesystem to fstab by UUID with nofail once, and mounts it when it is not mounted", () => {
    const blkid = 'case "$*" in *UUID*) echo 0b6c1b0e-1111-2222-3333-444455556666;; *TYPE*) echo ext4;; esac';
    const dir = tempDir();
    const fstab = join(dir, "fstab");
    writeFileSync(fstab, "UUID=root / xfs defaults 0 0\n");
    const mountPoint = join(dir, "data");
    const call = `mount_data_volume /dev/nvme1n1 ${mountPoint} ${fstab}`;
    const first = run(call, { blkid, mountpoint: "exit 1", mount: "exit 0" });
    const again = run(call, { blkid, mountpoint: "exit 0", mount: "exit 0" });
    expect([first.stderr, again.stderr]).toEqual(["", ""]);
    expect(readFileSync(fstab, "utf8")).toBe(
      `UUID=root / xfs defaults 0 0\nUUID=0b6c1b0e-1111-2222-3333-444455556666 ${mountPoint} ext4 defaults,nofail 0 2\n`,
    );
    expect(first.calls).toContain(`mount ${mountPoint}\n`);
    expect(again.calls).not.toContain("mount /");
    expect(statSync(mountPoint).isDirectory()).toBe(true);
  });

  it("refuses to mount a device without a filesystem", () => {
    const result = run(`mount_data_volume /dev/nvme1n1 ${join(tempDir(), "data")} /dev/null`, {
      blkid: "exit 2",
      mount: "exit 0",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("no filesystem UUID or type on /dev/nvme1n1");
    expect(result.calls).not.toContain("mount /");
  });
});
