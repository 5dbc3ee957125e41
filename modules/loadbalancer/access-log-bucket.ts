import { Construct } from "constructs";
import { Fn } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { logBucketStorage } from "../state/private-bucket";
import { accessLogBucketPolicy } from "./log-delivery";

/** What an `AccessLogBucket` needs: the environment and region it logs for, and how long logs are kept. */
export interface AccessLogBucketProps {
  /** Environment name: the bucket's name starts with `<environment>-alb-` (S3 adds a unique suffix). */
  readonly environment: string;
  /** The load balancer's region: picks who may deliver logs (see `logDeliveryPrincipal`). */
  readonly region: string;
  /** Days a log object is kept. */
  readonly expireAfterDays: number;
  /** Let `terraform destroy` delete a bucket that still holds logs. @default false */
  readonly forceDestroy?: boolean;
}

/**
 * The bucket a load balancer writes its access logs to: encrypted with S3-managed keys (the only kind ELB log
 * delivery supports), all four public access blocks, ACLs disabled, TLS 1.2+ only, writable by the region's log
 * delivery under `AWSLogs/` only, versioned, and every log expiring after `expireAfterDays`.
 */
export class AccessLogBucket extends Construct {
  readonly bucket: S3Bucket;
  /** The bucket policy: the load balancer must wait for it (ELB checks that it may write when logs are turned on). */
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "Bucket", {
      bucketPrefix: `${props.environment}-alb-`,
      forceDestroy: props.forceDestroy ?? false,
      tags: { Name: `${props.environment}-alb-access-logs` },
    });
    const bucket = this.bucket.id;
    const publicAccess = logBucketStorage(this, bucket, { retentionDays: props.expireAfterDays, noncurrentDays: 1 });
    this.policy = new S3BucketPolicy(this, "Policy", {
      bucket,
      dependsOn: [publicAccess],
      policy: Fn.jsonencode(accessLogBucketPolicy(this.bucket.arn, props.region)),
    });
  }
}
