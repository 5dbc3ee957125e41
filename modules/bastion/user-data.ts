import { HardeningOptions, renderHardening, renderScript } from "../instance/user-data";

/** What the bastion's user data adds to the shared hardening: TCP forwarding on (for ProxyJump), audit rules locked. */
export const BASTION_HARDENING_INTERNALS = { allowTcpForwarding: true, lockAuditRules: true } as const;

/** The bastion's first-boot script: the shared hardening, with the bastion's internals. */
export function renderBastionUserData(options: {
  sessionTimeoutSeconds: number;
  sshMaxAuthTries: number;
  ssh: boolean;
}): string {
  const hardening: HardeningOptions = { ...options, ...BASTION_HARDENING_INTERNALS };
  return renderScript(renderHardening(hardening));
}
