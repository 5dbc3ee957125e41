import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";

/** Props of `InstanceRole`. */
export interface InstanceRoleProps {
  /** Environment name: the role and profile are `<environment>-<role>`. */
  readonly environment: string;
  /** The servers' role in the environment, e.g. `app`, `db`, `nat-instance`. */
  readonly role: string;
  /** Attach AmazonSSMManagedInstanceCore, so Session Manager can reach the instance. @default false */
  readonly sessionManager?: boolean;
  /** IAM policy statements of the role's one inline policy. @default none: the role may do nothing */
  readonly statements?: readonly object[];
  /** AWS partition of the managed policy's ARN. @default "aws" */
  readonly partition?: string;
}

/** The name of a role's IAM role and instance profile: `<environment>-<role>`. */
export function instanceRoleName(environment: string, role: string): string {
  return `${environment}-${role}`;
}

/** The trust policy of every instance role: EC2 may assume it, nothing else. */
export const EC2_ASSUME_ROLE_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
};

/** The name of a role's one inline policy. */
export function instanceRolePolicyName(role: string): string {
  return `${role}-permissions`;
}

/** The document of a role's one inline policy. */
export function instanceRolePolicyDocument(statements: readonly object[]): object {
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * An instance profile for one kind of server, least privilege: no permission at all unless given — Session Manager's
 * managed policy where Session Manager is on, and the statements the role needs (the DB password parameter).
 * Every instance gets one, so no instance falls back to whatever an account default might grant.
 */
export class InstanceRole extends Construct {
  /** The IAM role the instances assume. */
  readonly role: IamRole;
  /** The instance profile carrying the role. */
  readonly profile: IamInstanceProfile;

  constructor(scope: Construct, id: string, props: InstanceRoleProps) {
    super(scope, id);
    const name = instanceRoleName(props.environment, props.role);
    // Policy JSON written out: a data source would need AWS at plan time.
    this.role = new IamRole(this, "Role", { name, assumeRolePolicy: JSON.stringify(EC2_ASSUME_ROLE_POLICY) });
    if (props.sessionManager === true) {
      new IamRolePolicyAttachment(this, "SessionManager", {
        role: this.role.name,
        policyArn: `arn:${props.partition ?? "aws"}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
      });
    }
    if (props.statements !== undefined && props.statements.length > 0) {
      new IamRolePolicy(this, "Policy", {
        role: this.role.id,
        name: instanceRolePolicyName(props.role),
        policy: JSON.stringify(instanceRolePolicyDocument(props.statements)),
      });
    }
    this.profile = new IamInstanceProfile(this, "Profile", { name, role: this.role.name });
  }

  /** The profile's name, for an instance's `iamInstanceProfile`. */
  get name(): string {
    return this.profile.name;
  }
}
