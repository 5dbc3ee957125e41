import { tlsOnlyStatements } from "../state/private-bucket";

/**
 * Who writes a load balancer's access logs into S3, per region, without a data source (so plans run offline).
 *
 * Regions opened before August 2022 deliver from an Elastic Load Balancing account of the region, which the bucket
 * policy names (`arn:<partition>:iam::<account>:root`). Regions opened since deliver through the service principal
 * `logdelivery.elasticloadbalancing.amazonaws.com`. The accounts are the ones AWS documents under "Enable access logs
 * for your Application Load Balancer"; a region missing here is taken to be a newer one.
 */
export const ELB_LOG_ACCOUNTS: Readonly<Record<string, string>> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "af-south-1": "098369216593",
  "ap-east-1": "754344448648",
  "ap-south-1": "718504428378",
  "ap-northeast-1": "582318560864",
  "ap-northeast-2": "600734575887",
  "ap-northeast-3": "383597477331",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ca-central-1": "985666609251",
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-west-3": "009996457667",
  "eu-south-1": "635631232127",
  "eu-north-1": "897822967062",
  "me-south-1": "076674570225",
  "sa-east-1": "507241528517",
  "us-gov-west-1": "048591011584",
  "us-gov-east-1": "190560391635",
  "cn-north-1": "638102146993",
  "cn-northwest-1": "037604701340",
};

/** The service principal that delivers access logs in regions opened since August 2022. */
export const ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com";

/** The ARN partition of a region: `aws`, `aws-cn` or `aws-us-gov`. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** The principal that writes the region's access logs, as a bucket policy names it. */
export function logDeliveryPrincipal(region: string): { AWS: string } | { Service: string } {
  const account = ELB_LOG_ACCOUNTS[region];
  return account === undefined
    ? { Service: ELB_LOG_DELIVERY_SERVICE }
    : { AWS: `arn:${partitionOf(region)}:iam::${account}:root` };
}

/**
 * The access-log bucket's policy: the region's log delivery may put objects under `AWSLogs/`, and nothing else; every
 * request not made over TLS 1.2 or later is denied, whoever makes it.
 */
export function accessLogBucketPolicy(bucketArn: string, region: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ElbAccessLogDelivery",
        Effect: "Allow",
        Principal: logDeliveryPrincipal(region),
        Action: "s3:PutObject",
        Resource: `${bucketArn}/AWSLogs/*`,
      },
      ...tlsOnlyStatements(bucketArn),
    ],
  };
}
