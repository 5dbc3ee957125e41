import { spawnSync } from "node:child_process";

/** The first of `tools` not on PATH, if any. */
export function missingTool(tools: readonly string[]): string | undefined {
  return tools.find((tool) => spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).status !== 0);
}

/**
 * `describe` for tests that run a system tool npm cannot install (sshd, systemd-analyze, iptables-restore, auditctl).
 * Where one is missing they skip with one line, except in CI (CI=true), where a missing tool fails the run loudly
 * (`.ci/run` installs them with apt-get).
 */
export function describeWithTools(name: string, tools: readonly string[], body: () => void): void {
  const missing = missingTool(tools);
  if (missing === undefined) {
    describe(name, body);
    return;
  }
  if (process.env.CI === "true") {
    describe(name, () => {
      it(`has ${tools.join(", ")} (required in CI)`, () => {
        throw new Error(
          `CI=true but ${missing} is not installed (apt-get install openssh-server systemd iptables auditd)`,
        );
      });
    });
    return;
  }
  process.stdout.write(`skipping "${name}": ${missing} is not installed\n`);
  describe.skip(name, () => it(`needs ${missing}`, () => undefined));
}
