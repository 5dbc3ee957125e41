import { Construct } from "constructs";
import { InstanceRole } from "./instance-role";

/** How admins get a shell: SSH only, SSH and SSM Session Manager, or Session Manager only (no SSH anywhere). */
export const SSM_MODES = ["off", "with-ssh", "only"] as const;
/** One of `SSM_MODES`: how admins get a shell. */
export type SsmMode = (typeof SSM_MODES)[number];

/** What an `SsmInstanceProfile` needs: the environment it is named after. */
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
