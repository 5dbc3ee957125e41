import { Construct } from "constructs";
import { InstanceRole } from "./instance-role";

export interface SsmInstanceProfileProps {
  /** Environment name: the role and profile are `<environment>-ssm-instance`. */
  readonly environment: string;
  /** AWS partition of the managed policy's ARN. @default "aws" */
  readonly partition?: string;
}

/** An instance profile that lets instances register with SSM Session Manager, and nothing else. */
export class SsmInstanceProfile extends InstanceRole {
  constructor(scope: Construct, id: string, props: SsmInstanceProfileProps) {
    super(scope, id, { ...props, role: "ssm-instance", sessionManager: true });
  }
}
