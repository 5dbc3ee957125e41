import { Rule, Violation } from "../engine";
import { blocks, referrersOf, resourcesOf, StackView } from "../view";

/** A check of every S3 bucket for a companion resource (`type`, whose `bucket` refers to it) that passes `ok`. */
function bucketCompanion(
  type: string,
  missing: string,
  ok: (values: Readonly<Record<string, unknown>>) => boolean,
  wrong: string,
): (view: StackView) => Violation[] {
  return (view) =>
    resourcesOf(view, "aws_s3_bucket").flatMap((bucket) => {
      const companions = referrersOf(view, type, "bucket", bucket);
      if (companions.length === 0) return [{ address: bucket.address, message: missing }];
      return companions.filter((c) => !ok(c.values)).map((c) => ({ address: c.address, message: wrong }));
    });
}

export const bucketEncryption: Rule = {
  id: "bucket-encryption",
  scannerIds: ["CKV_AWS_19", "AVD-AWS-0088"],
  description: "Every S3 bucket has default server-side encryption (AES256 or aws:kms)",
  check: bucketCompanion(
    "aws_s3_bucket_server_side_encryption_configuration",
    "no aws_s3_bucket_server_side_encryption_configuration for this bucket",
    (v) =>
      blocks(v.rule).some((r) =>
        blocks(r.apply_server_side_encryption_by_default).some((d) =>
          ["AES256", "aws:kms", "aws:kms:dsse"].includes(String(d.sse_algorithm)),
        ),
      ),
    "has no rule that encrypts by default with AES256 or aws:kms",
  ),
};

export const bucketVersioning: Rule = {
  id: "bucket-versioning",
  scannerIds: ["CKV_AWS_21", "AVD-AWS-0090"],
  description: "Every S3 bucket keeps versions (aws_s3_bucket_versioning status Enabled)",
  check: bucketCompanion(
    "aws_s3_bucket_versioning",
    "no aws_s3_bucket_versioning for this bucket: an overwritten or deleted object is gone",
    (v) => blocks(v.versioning_configuration).some((c) => c.status === "Enabled"),
    'versioning_configuration.status is not "Enabled"',
  ),
};

const PUBLIC_ACCESS_FLAGS = [
  "block_public_acls",
  "block_public_policy",
  "ignore_public_acls",
  "restrict_public_buckets",
];

export const bucketPublicAccessBlock: Rule = {
  id: "bucket-public-access-block",
  scannerIds: ["CKV2_AWS_6", "AVD-AWS-0094"],
  description: "Every S3 bucket has a public access block with all four settings on",
  check: bucketCompanion(
    "aws_s3_bucket_public_access_block",
    "no aws_s3_bucket_public_access_block for this bucket",
    (v) => PUBLIC_ACCESS_FLAGS.every((flag) => v[flag] === true),
    `not all of ${PUBLIC_ACCESS_FLAGS.join(", ")} are true`,
  ),
};
