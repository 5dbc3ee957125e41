import { Construct } from "constructs";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";

/** Bucket policy statements that deny every request not made over TLS 1.2 or later, whoever makes it. */
export function tlsOnlyStatements(bucketArn: string): object[] {
  const deny = (sid: string, condition: object) => ({
    Sid: sid,
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: condition,
  });
  return [
    deny("DenyInsecureTransport", { Bool: { "aws:SecureTransport": "false" } }),
    deny("DenyTlsBelow12", { NumericLessThan: { "s3:TlsVersion": "1.2" } }),
  ];
}

/**
 * Makes a bucket private: ACLs disabled (`BucketOwnerEnforced`, construct id `Ownership`) and all four public access
 * blocks (`PublicAccessBlock`), both in `scope`. Returns the public access block, which a bucket policy should wait for.
 */
function makeBucketPrivate(scope: Construct, bucket: string): S3BucketPublicAccessBlock {
  new S3BucketOwnershipControls(scope, "Ownership", { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
  return new S3BucketPublicAccessBlock(scope, "PublicAccessBlock", {
    bucket,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
}

/**
 * What the state bucket and its access log bucket share: the bucket made private (`makeBucketPrivate`) and
 * versioning (`Versioning`), in `scope`.
 */
export function lockDownBucket(
  scope: Construct,
  bucket: string,
): { publicAccess: S3BucketPublicAccessBlock; versioning: S3BucketVersioningA } {
  const publicAccess = makeBucketPrivate(scope, bucket);
  const versioning = new S3BucketVersioningA(scope, "Versioning", {
    bucket,
    versioningConfiguration: { status: "Enabled" },
  });
  return { publicAccess, versioning };
}

/**
 * A bucket that holds logs: locked down (`lockDownBucket`), SSE-S3 encrypted (`Encryption`), its objects expiring after
 * `retentionDays` and replaced versions after `noncurrentDays` (`Lifecycle`). Returns the public access block, which a
 * bucket policy should wait for.
 */
export function logBucketStorage(
  scope: Construct,
  bucket: string,
  expiry: { readonly retentionDays: number; readonly noncurrentDays: number },
): S3BucketPublicAccessBlock {
  const { publicAccess, versioning } = lockDownBucket(scope, bucket);
  new S3BucketServerSideEncryptionConfigurationA(scope, "Encryption", {
    bucket,
    rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
  });
  new S3BucketLifecycleConfiguration(scope, "Lifecycle", {
    bucket,
    dependsOn: [versioning],
    rule: [
      {
        id: "expire-access-logs",
        status: "Enabled",
        filter: [{ prefix: "" }],
        expiration: [{ days: expiry.retentionDays }],
        noncurrentVersionExpiration: [{ noncurrentDays: expiry.noncurrentDays }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      },
    ],
  });
  return publicAccess;
}
