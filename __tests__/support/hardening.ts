import { HardeningOptions } from "../../modules/instance/user-data";

/** The default config's hardening for a server behind the bastion: what the user data tests render. */
export const SERVER_HARDENING: HardeningOptions = {
  sessionTimeoutSeconds: 600,
  sshMaxAuthTries: 3,
  ssh: true,
  allowTcpForwarding: false,
  lockAuditRules: false,
};
