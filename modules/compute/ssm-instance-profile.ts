import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";

export interface SsmInstanceProfileProps {
  /** Environment name: the role and profile are `<environment>-ssm-instance`. */
  readonly environment: string;
  /** AWS partition of the managed policy's ARN. @default "aws" */
  readonly partition?: string;
}

/** An instance profile that lets instances register with SSM Session Manager, and nothing else. */
export class SsmInstanceProfile extends Construct {
  readonly profile: IamInstanceProfile;

  constructor(scope: Construct, id: string, props: SsmInstanceProfileProps) {
    super(scope, id);
    const name = `${props.environment}-ssm-instance`;
    // Policy JSON written out: a data source would need AWS at plan time.
    const role = new IamRole(this, "Role", {
      name,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    });
    new IamRolePolicyAttachment(this, "SessionManager", {
      role: role.name,
      policyArn: `arn:${props.partition ?? "aws"}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
    });
    this.profile = new IamInstanceProfile(this, "Profile", { name, role: role.name });
  }

  /** The profile's name, for an instance's `iamInstanceProfile`. */
  get name(): string {
    return this.profile.name;
  }
}
