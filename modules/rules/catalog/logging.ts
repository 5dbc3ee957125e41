import { Rule } from "../engine";
import { referencedBy, referrersOf, ResourceView, resourcesOf } from "../view";

/** Whether an argument is set: a known non-empty string (a reference is one, `${...}`), or a reference in a plan. */
export function isSet(resource: ResourceView, attribute: string): boolean {
  const value = resource.values[attribute];
  return (typeof value === "string" && value !== "") || (resource.references[attribute] ?? []).length > 0;
}

export const bucketAccessLogging: Rule = {
  id: "bucket-access-logging",
  scannerIds: ["CKV_AWS_18", "AVD-AWS-0089"],
  description:
    "Every S3 bucket logs its requests (aws_s3_bucket_logging), except a bucket that receives another bucket's access logs",
  check: (view) => {
    const targets = resourcesOf(view, "aws_s3_bucket_logging").flatMap((logging) =>
      referencedBy(logging, "target_bucket"),
    );
    return resourcesOf(view, "aws_s3_bucket")
      .filter(
        (bucket) =>
          !targets.includes(bucket.address) &&
          referrersOf(view, "aws_s3_bucket_logging", "bucket", bucket).length === 0,
      )
      .map((bucket) => ({
        address: bucket.address,
        message: "no aws_s3_bucket_logging: nobody can tell who read or wrote its objects",
      }));
  },
};

export const logGroupKms: Rule = {
  id: "log-group-kms",
  scannerIds: ["CKV_AWS_158", "AVD-AWS-0017"],
  description: "Every CloudWatch log group is encrypted with a customer-managed KMS key (kms_key_id)",
  check: (view) =>
    resourcesOf(view, "aws_cloudwatch_log_group")
      .filter((group) => !isSet(group, "kms_key_id"))
      .map((group) => ({
        address: group.address,
        message: "no kms_key_id: encrypted with CloudWatch Logs' own key only",
      })),
};
