import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { applyRules } from "../rules/synth";
import { stateStoreExceptions } from "../rules/exceptions";
import { applyStateBackend } from "../state/backend";
import { StateStore } from "../state/store";
import { STATE_DEFAULTS, StateStoreProps } from "../state/types";

/** The stack that creates one state bucket (and its lock tables) for the environments that keep state in it. */
export interface StateBootstrapStackProps extends StateStoreProps {
  /** Keep this stack's own state in a local file (phase 1, before the bucket exists). @default false: in the bucket */
  readonly localState?: boolean;
}

/** Phase 1 of remote state: the bucket and lock tables the environments' S3 backends need (docs/state.md). */
export class StateBootstrapStack extends TerraformStack {
  readonly store: StateStore;

  constructor(scope: Construct, id: string, props: StateBootstrapStackProps) {
    super(scope, id);
    new AwsProvider(this, "aws", {
      region: props.region,
      defaultTags: [{ tags: { ManagedBy: "cdktf", Purpose: "terraform-state" } }],
    });
    this.store = new StateStore(this, "state", props);
    applyStateBackend(
      this,
      props.localState === true
        ? { type: "local" }
        : {
            type: "s3",
            bucket: props.bucket,
            region: props.region,
            key: STATE_DEFAULTS.bootstrapKey,
            kmsKeyId: props.kmsKeyId,
          },
      { environment: id, stack: "bootstrap" },
    );
    applyRules(this, {
      context: { localStateOptIn: props.localState === true },
      exceptions: stateStoreExceptions(props),
    });

    new TerraformOutput(this, "bucket", { value: this.store.bucket.bucket, description: "State bucket name" });
    new TerraformOutput(this, "bucket_arn", { value: this.store.bucket.arn, description: "State bucket ARN" });
    new TerraformOutput(this, "lock_tables", {
      value: Object.keys(this.store.lockTables),
      description: "DynamoDB lock table names",
    });
  }
}
