import { Construct } from "constructs";
import type { SsmMode } from "../instance/ssm-instance-profile";
import { InstanceRole } from "../instance/instance-role";
import { DbCredentials, dbPasswordStatements } from "./db-credentials";

/** What decides each server role's permissions. */
export interface ServerRolesProps {
  /** Environment name: roles are `<environment>-app` and `<environment>-db`. */
  readonly environment: string;
  /** The bastion's Session Manager mode: servers get Session Manager only when it is `only` (no SSH to them). */
  readonly ssm: SsmMode;
  /** Whether the environment has app servers. */
  readonly app: boolean;
  /** Whether the environment has a DB server. */
  readonly db: boolean;
  /** The DB password parameter, when the DB server makes one. @default none */
  readonly credentials?: DbCredentials;
}

/** Whether the app and DB servers get Session Manager (only when it is the only way in). */
export function serversUseSessionManager(ssm: SsmMode): boolean {
  return ssm === "only";
}

/**
 * The app and DB servers' instance profiles, least privilege: Session Manager's managed policy only where it is the
 * way in, `ssm:GetParameter` on the DB password for the app servers and `ssm:PutParameter` on it for the DB server.
 */
export function addServerRoles(scope: Construct, props: ServerRolesProps): { app?: InstanceRole; db?: InstanceRole } {
  const sessionManager = serversUseSessionManager(props.ssm);
  const role = (name: "app" | "db") =>
    serverRole(scope, `InstanceRole-${name}`, {
      environment: props.environment,
      role: name,
      sessionManager,
      credentials: props.credentials,
    });
  return { app: props.app ? role("app") : undefined, db: props.db ? role("db") : undefined };
}

/**
 * One app or DB server role: Session Manager's managed policy when `sessionManager`, and its side of the DB password
 * (`ssm:GetParameter` for the app, `ssm:PutParameter` for the DB) when there are `credentials`.
 */
export function serverRole(
  scope: Construct,
  id: string,
  props: { environment: string; role: "app" | "db"; sessionManager: boolean; credentials?: DbCredentials },
): InstanceRole {
  return new InstanceRole(scope, id, {
    environment: props.environment,
    role: props.role,
    sessionManager: props.sessionManager,
    statements: props.credentials === undefined ? [] : [dbPasswordStatements(props.credentials)[props.role]],
  });
}

/**
 * The description of a role's HTTPS egress rule: what the role really reaches on 443, so a reader of the security
 * group is not told about Session Manager where it is off.
 */
export function httpsEgressDescription(
  role: string,
  options: { sessionManager: boolean; dbPassword: boolean },
): string {
  const uses = ["packages"];
  if (role === "app") uses.push("artifacts");
  return `HTTPS out: ${[...uses, ...awsServicesUsed(role, options)].join(", ")}`;
}

/**
 * The description of a role's HTTPS egress to the VPC's interface endpoints, which replaces its HTTPS to anywhere in
 * a tier with no route off the VPC: the AWS services it reaches there, and why nothing else.
 */
export function endpointEgressDescription(
  role: string,
  tier: string,
  options: { sessionManager: boolean; dbPassword: boolean },
): string {
  const uses = awsServicesUsed(role, options);
  return `HTTPS to the VPC's interface endpoints only${uses.length > 0 ? `: ${uses.join(", ")}` : ""} (tier ${tier} has no route to the internet)`;
}

/** The AWS services a role reaches on 443. */
function awsServicesUsed(role: string, options: { sessionManager: boolean; dbPassword: boolean }): string[] {
  const uses: string[] = [];
  if (options.dbPassword && (role === "app" || role === "db")) uses.push("SSM Parameter Store (DB password)");
  if (options.sessionManager) uses.push("Session Manager");
  return uses;
}
