import { Testing } from "cdktf";
import { validateConfig } from "../modules/environment/load";
import { StateBootstrapStack, StateBootstrapStackProps } from "../modules/environment/state-bootstrap-stack";
import { stateStores } from "../modules/state/plan";
import { logicalIdOf, resourceNamed, resourcesOf, SynthJson, synthEnvironment, workshopConfig } from "./support/synth";
import { problemsAfter } from "./support/config";

const W = 'environment "workshop": ';
const KMS_KEY = "arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function synthBootstrap(props: StateBootstrapStackProps): SynthJson {
  return JSON.parse(Testing.synth(new StateBootstrapStack(Testing.app(), "state", props))) as SynthJson;
}

describe("state bucket access logs (backend.accessLogs)", () => {
  const json = synthBootstrap({ bucket: "team-tfstate", region: "ap-northeast-2", accessLogs: true });
  const ref = (prefix: string, attr: string) =>
    `\${aws_s3_bucket.${logicalIdOf(json, "aws_s3_bucket", prefix)}.${attr}}`;

  it("logs the state bucket's requests into its own log bucket, under a prefix", () => {
    expect(resourceNamed(json, "aws_s3_bucket_logging", "state_AccessLogs_Logging")).toMatchObject({
      bucket: ref("state_Bucket", "id"),
      target_bucket: ref("state_AccessLogs_Bucket", "id"),
      target_prefix: "state-bucket/",
    });
  });

  it("locks the log bucket down like the state bucket: protected, private, no ACLs, versioned, encrypted, TLS only", () => {
    expect(resourceNamed(json, "aws_s3_bucket", "state_AccessLogs_Bucket")).toMatchObject({
      bucket: "team-tfstate-access-logs",
      lifecycle: { prevent_destroy: true },
    });
    const of = (type: string, prefix: string) => {
      const resource = resourceNamed(json, type, `state_AccessLogs_${prefix}`);
      expect(resource.bucket).toBe(ref("state_AccessLogs_Bucket", "id"));
      return resource;
    };
    expect(of("aws_s3_bucket_public_access_block", "PublicAccessBlock")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(of("aws_s3_bucket_ownership_controls", "Ownership").rule).toEqual({
      object_ownership: "BucketOwnerEnforced",
    });
    expect(of("aws_s3_bucket_versioning", "Versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(of("aws_s3_bucket_server_side_encryption_configuration", "Encryption").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    const policy = of("aws_s3_bucket_policy", "Policy").policy as string;
    expect(policy).toContain('"aws:SecureTransport" = "false"');
    expect(policy).toContain('"s3:TlsVersion" = "1.2"');
    expect(policy).toContain('"Principal" = {"Service" = "logging.s3.amazonaws.com"}, "Action" = "s3:PutObject"');
    expect(policy).toContain(`"aws:SourceArn" = ${ref("state_Bucket", "arn").slice(2, -1)}}`);
  });

  it("is off by default: one bucket, no logging", () => {
    const plain = synthBootstrap({ bucket: "team-tfstate", region: "ap-northeast-2" });
    expect(Object.keys(resourcesOf(plain, "aws_s3_bucket"))).toHaveLength(1);
    expect(resourcesOf(plain, "aws_s3_bucket_logging")).toEqual({});
  });

  it("is set in the environment's backend and reaches the bootstrap stack", () => {
    const env = workshopConfig();
    env.backend = {
      type: "s3",
      bucket: "change-me-workshop-tfstate",
      region: "ap-northeast-2",
      encrypt: true,
      lockfile: true,
      accessLogs: true,
    };
    expect(stateStores(validateConfig({ environments: [env] }))[0].accessLogs).toBe(true);
  });

  it("refuses a bucket whose log bucket name would be too long, naming the field", () => {
    const bucket = "a".repeat(55);
    expect(
      problemsAfter((e) => (e.backend = { type: "s3", bucket, region: "ap-northeast-2", accessLogs: true })),
    ).toEqual([
      `${W}backend.bucket = "${bucket}": expected a bucket name of at most 51 characters when accessLogs is on: the log bucket is "<bucket>-access-logs" (63 at most)`,
    ]);
  });

  it("refuses environments sharing a bucket that disagree on it", () => {
    const env = workshopConfig();
    const other = {
      ...workshopConfig(),
      name: "staging",
      backend: {
        type: "s3" as const,
        bucket: "change-me-workshop-tfstate",
        region: "ap-northeast-2",
        accessLogs: true,
      },
    };
    expect(() => validateConfig({ environments: [env, other] })).toThrow(
      /environment "staging": backend\.accessLogs = true: expected false, the accessLogs setting environment "workshop" gives the shared bucket/,
    );
  });
});

describe("flow-log group KMS key (flowLogs.kmsKeyArn)", () => {
  it("encrypts the log group with the key", () => {
    const config = workshopConfig();
    config.flowLogs = { ...config.flowLogs, enabled: true, kmsKeyArn: KMS_KEY };
    const { json } = synthEnvironment(config);
    expect(resourceNamed(json, "aws_cloudwatch_log_group", "network_FlowLogs_LogGroup").kms_key_id).toBe(KMS_KEY);
  });

  it("refuses an alias or a key of another region", () => {
    for (const key of [
      "arn:aws:kms:ap-northeast-2:111122223333:alias/logs",
      KMS_KEY.replace("ap-northeast-2", "us-east-1"),
    ]) {
      expect(problemsAfter((e) => (e.flowLogs = { enabled: true, kmsKeyArn: key }))).toEqual([
        `${W}flowLogs.kmsKeyArn = "${key}": expected the ARN of a KMS key in ap-northeast-2 (CloudWatch Logs takes a key ARN, not an alias), such as arn:aws:kms:ap-northeast-2:111122223333:key/<id>`,
      ]);
    }
  });
});

describe("detailed monitoring (detailedMonitoring) in the config", () => {
  it("refuses a value that is not a boolean, naming the field", () => {
    expect(problemsAfter((e) => (e.bastion.detailedMonitoring = "yes"))).toEqual([
      `${W}bastion.detailedMonitoring = "yes": expected a value of type boolean`,
    ]);
  });
});
