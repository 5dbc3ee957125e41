import { Construct } from "constructs";
import { SsmAssociation } from "@cdktf/provider-aws/lib/ssm-association";

/** What `Rehardening` needs: the instance to re-run a hardening script on, the script, and the names it goes by. */
export interface RehardeningProps {
  /** Environment name: prefixes the association's name. */
  readonly environment: string;
  /** Short name of the instance, e.g. `db`. */
  readonly name: string;
  /** The instance to re-harden (it needs the Session Manager instance profile). */
  readonly instanceId: string;
  /** The hardening script, as in the instance's user data (`renderHardening`). */
  readonly script: string;
}

/**
 * Re-applies the hardening script to a running instance through Systems Manager (`AWS-RunShellScript`), for an
 * instance that ignores user data changes (the stateful DB server). The association runs once when created and again
 * whenever the script changes, so a hardening change reaches the existing DB without replacing it or its data.
 */
export class Rehardening extends Construct {
  readonly association: SsmAssociation;

  constructor(scope: Construct, id: string, props: RehardeningProps) {
    super(scope, id);
    this.association = new SsmAssociation(this, "Association", {
      name: "AWS-RunShellScript",
      associationName: `${props.environment}-${props.name}-hardening`,
      targets: [{ key: "InstanceIds", values: [props.instanceId] }],
      parameters: { commands: props.script },
      applyOnlyAtCronInterval: false,
    });
  }
}
