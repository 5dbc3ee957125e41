import { Construct } from "constructs";
import { Fn } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { logBucketStorage, tlsOnlyStatements } from "./private-bucket";

/** Days the access log objects are kept. */
export const ACCESS_LOG_DEFAULTS = { retentionDays: 365, prefix: "state-bucket/", suffix: "-access-logs" };

/** The log bucket's name: the state bucket's with `-access-logs`; a problem when that is longer than S3 allows. */
export function accessLogBucketName(stateBucket: string): { name: string; problem?: string } {
  const name = `${stateBucket}${ACCESS_LOG_DEFAULTS.suffix}`;
  return name.length <= 63
    ? { name }
    : {
        name,
        problem: `a bucket name of at most ${63 - ACCESS_LOG_DEFAULTS.suffix.length} characters when accessLogs is on: the log bucket is "<bucket>${ACCESS_LOG_DEFAULTS.suffix}" (63 at most)`,
      };
}

/**
 * The log bucket's policy: TLS 1.2+ only (as the state bucket's), and S3's log delivery may put objects under the
 * prefix, for the state bucket only.
 */
export function accessLogBucketPolicy(logBucketArn: string, stateBucketArn: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      ...tlsOnlyStatements(logBucketArn),
      {
        Sid: "S3ServerAccessLogDelivery",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${logBucketArn}/${ACCESS_LOG_DEFAULTS.prefix}*`,
        Condition: { ArnLike: { "aws:SourceArn": stateBucketArn } },
      },
    ],
  };
}

/** Props of `StateAccessLogs`. */
export interface StateAccessLogsProps {
  /** The state bucket whose requests are logged. */
  readonly stateBucket: S3Bucket;
  /** The log bucket's name (`accessLogBucketName`). */
  readonly logBucketName: string;
  /** Tags for every resource. @default none beyond the provider's */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * S3 server access logs of the state bucket (who read or wrote which state, CKV_AWS_18), delivered to a log bucket
 * locked down like the state bucket: private, ACLs disabled, versioned, encrypted (SSE-S3: log delivery cannot use
 * a KMS key), TLS only, protected from `terraform destroy`; log objects expire after a year.
 */
export class StateAccessLogs extends Construct {
  /** The bucket the access logs go to. */
  readonly logBucket: S3Bucket;

  constructor(scope: Construct, id: string, props: StateAccessLogsProps) {
    super(scope, id);
    const tags = props.tags === undefined ? undefined : { ...props.tags };
    this.logBucket = new S3Bucket(this, "Bucket", {
      bucket: props.logBucketName,
      tags,
      lifecycle: { preventDestroy: true },
    });
    const bucket = this.logBucket.id;
    const publicAccess = logBucketStorage(this, bucket, {
      retentionDays: ACCESS_LOG_DEFAULTS.retentionDays,
      noncurrentDays: 30,
    });
    new S3BucketPolicy(this, "Policy", {
      bucket,
      dependsOn: [publicAccess],
      policy: Fn.jsonencode(accessLogBucketPolicy(this.logBucket.arn, props.stateBucket.arn)),
    });
    new S3BucketLoggingA(this, "Logging", {
      bucket: props.stateBucket.id,
      targetBucket: bucket,
      targetPrefix: ACCESS_LOG_DEFAULTS.prefix,
    });
  }
}
