import { Construct } from "constructs";
import { Fn } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { lockDownBucket, tlsOnlyStatements } from "./private-bucket";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { ConfigError, ConfigProblem, fieldPath } from "../core/problems";
import { checkBackend, lockTableProblem } from "./plan";
import { STATE_DEFAULTS, StateStoreProps } from "./types";
import { accessLogBucketName, StateAccessLogs } from "./access-logs";

/** The state bucket's policy: every request that is not over TLS 1.2 or later is denied, whoever makes it. */
export function stateBucketPolicy(bucketArn: string): { Version: string; Statement: object[] } {
  return { Version: "2012-10-17", Statement: tlsOnlyStatements(bucketArn) };
}

/**
 * A Terraform state bucket: versioned, encrypted by default, private (all four public access blocks, ACLs disabled),
 * reachable over TLS only, old versions expiring, and protected from `terraform destroy`; plus its DynamoDB lock
 * tables, if any.
 */
export class StateStore extends Construct {
  /** The state bucket. */
  readonly bucket: S3Bucket;
  /** The access log bucket, when `accessLogs` is on. */
  readonly accessLogs?: StateAccessLogs;
  /** Lock tables by name. */
  readonly lockTables: Readonly<Record<string, DynamodbTable>>;

  constructor(scope: Construct, id: string, props: StateStoreProps) {
    super(scope, id);
    // The backend rules, reported under the store's own field names.
    const problems: ConfigProblem[] = [
      ...checkBackend({ type: "s3", bucket: props.bucket, region: props.region, kmsKeyId: props.kmsKeyId }).map(
        (p) => ({ ...p, field: p.field.replace(/^backend\./, "") }),
      ),
      ...(props.accessLogs === true && accessLogBucketName(props.bucket).problem !== undefined
        ? [{ field: "bucket", value: props.bucket, expected: accessLogBucketName(props.bucket).problem as string }]
        : []),
      ...(props.lockTables ?? []).flatMap((table, i) => {
        const expected = lockTableProblem(table);
        return expected === undefined ? [] : [{ field: fieldPath("lockTables", i), value: table, expected }];
      }),
    ];
    if (problems.length > 0) throw new ConfigError(problems, `state store "${id}"`);
    const protect = { preventDestroy: true };
    const tags = props.tags === undefined ? undefined : { ...props.tags };

    this.bucket = new S3Bucket(this, "Bucket", { bucket: props.bucket, tags, lifecycle: protect });
    const bucket = this.bucket.id;
    const { publicAccess, versioning } = lockDownBucket(this, bucket);
    new S3BucketServerSideEncryptionConfigurationA(this, "Encryption", {
      bucket,
      rule: [
        {
          applyServerSideEncryptionByDefault: {
            sseAlgorithm: props.kmsKeyId === undefined ? "AES256" : "aws:kms",
            kmsMasterKeyId: props.kmsKeyId,
          },
          bucketKeyEnabled: props.kmsKeyId === undefined ? undefined : true,
        },
      ],
    });
    new S3BucketLifecycleConfiguration(this, "Lifecycle", {
      bucket,
      dependsOn: [versioning],
      rule: [
        {
          id: "expire-old-state-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [
            {
              noncurrentDays: props.noncurrentVersionDays ?? STATE_DEFAULTS.noncurrentVersionDays,
              newerNoncurrentVersions: props.noncurrentVersionsKept ?? STATE_DEFAULTS.noncurrentVersionsKept,
            },
          ],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    new S3BucketPolicy(this, "Policy", {
      bucket,
      dependsOn: [publicAccess],
      policy: Fn.jsonencode(stateBucketPolicy(this.bucket.arn)),
    });
    this.accessLogs =
      props.accessLogs === true
        ? new StateAccessLogs(this, "AccessLogs", {
            stateBucket: this.bucket,
            logBucketName: accessLogBucketName(props.bucket).name,
            tags,
          })
        : undefined;

    this.lockTables = Object.fromEntries(
      (props.lockTables ?? []).map((name) => [
        name,
        new DynamodbTable(this, `LockTable-${name}`, {
          name,
          billingMode: "PAY_PER_REQUEST",
          hashKey: "LockID",
          attribute: [{ name: "LockID", type: "S" }],
          pointInTimeRecovery: { enabled: true },
          serverSideEncryption: { enabled: true },
          deletionProtectionEnabled: true,
          tags,
          lifecycle: protect,
        }),
      ]),
    );
  }
}
