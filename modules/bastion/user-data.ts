import { renderHardening, renderScript } from "../compute/user-data";

/** The bastion's first-boot script: the shared hardening, with TCP forwarding on (for ProxyJump) and audit rules locked. */
export function renderBastionUserData(options: {
  sessionTimeoutSeconds: number;
  sshMaxAuthTries: number;
  ssh: boolean;
}): string {
  return renderScript(renderHardening({ ...options, allowTcpForwarding: true, lockAuditRules: true }));
}
