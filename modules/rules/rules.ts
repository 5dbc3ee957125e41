import { Rule } from "./engine";
import {
  adminPortOpenToWorld,
  instancePublicIp,
  publicIpInPrivateTier,
  sshOnlyFromInstanceConnect,
} from "./catalog/access";
import { bucketEncryption, bucketPublicAccessBlock, bucketVersioning } from "./catalog/buckets";
import { imdsv2Required, volumeEncryption } from "./catalog/instances";
import {
  albDropInvalidHeaders,
  albRedirectHttp,
  albWaf,
  lbAccessLogs,
  lbDeletionProtection,
  lbListenerHttps,
  lbListenerTls12,
} from "./catalog/loadbalancer";
import { bucketAccessLogging, logGroupKms } from "./catalog/logging";
import { instanceDetailedMonitoring, instanceEbsOptimized, instanceProfile } from "./catalog/servers";
import { remoteState } from "./catalog/state";
import { statefulResourceDestroyed } from "./catalog/stateful";
import {
  defaultSecurityGroupClosed,
  naclAdminPortOpenToWorld,
  naclAttached,
  natCrossAz,
  vpcFlowLogs,
} from "./catalog/vpc";

/**
 * Every rule: checked at synth on each stack's JSON (a failure stops the synth) and on each plan by `npm run plan`
 * (a failure is a POLICY line and exit 1). A new rule is one more entry here.
 */
export const RULES: readonly Rule[] = [
  adminPortOpenToWorld,
  imdsv2Required,
  volumeEncryption,
  publicIpInPrivateTier,
  instancePublicIp,
  sshOnlyFromInstanceConnect,
  natCrossAz,
  defaultSecurityGroupClosed,
  vpcFlowLogs,
  naclAdminPortOpenToWorld,
  naclAttached,
  bucketEncryption,
  bucketVersioning,
  bucketPublicAccessBlock,
  remoteState,
  lbListenerHttps,
  lbListenerTls12,
  albDropInvalidHeaders,
  lbAccessLogs,
  lbDeletionProtection,
  albRedirectHttp,
  albWaf,
  bucketAccessLogging,
  logGroupKms,
  instanceDetailedMonitoring,
  instanceEbsOptimized,
  instanceProfile,
  statefulResourceDestroyed,
];
