import { Construct } from "constructs";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";

/**
 * What the state bucket and its access log bucket share: ACLs disabled (`BucketOwnerEnforced`), all four public
 * access blocks, versioning. Made in `scope` under the ids `Ownership`, `PublicAccessBlock` and `Versioning`.
 */
export function lockDownBucket(scope: Construct, bucket: string): { publicAccess: S3BucketPublicAccessBlock; versioning: S3BucketVersioningA } {
  new S3BucketOwnershipControls(scope, "Ownership", { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
  const publicAccess = new S3BucketPublicAccessBlock(scope, "PublicAccessBlock", {
    bucket,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  const versioning = new S3BucketVersioningA(scope, "Versioning", { bucket, versioningConfiguration: { status: "Enabled" } });
  return { publicAccess, versioning };
}
