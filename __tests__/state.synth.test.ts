import { Testing } from "cdktf";
import { validateConfig } from "../modules/environment/load";
import { ConfigError } from "../modules/core/problems";
import { EnvironmentStack } from "../modules/environment/stack";
import { StateBootstrapStack, StateBootstrapStackProps } from "../modules/environment/state-bootstrap-stack";
import { stateBucketPolicy } from "../modules/state/store";
import {
  logicalIdOf,
  resolveOne,
  resourceNamed,
  resourcesOf,
  SynthJson,
  synthEnvironment,
  workshopConfig,
} from "./support/synth";
import defaultConfig from "./fixtures/environments.json";

const KMS_KEY = "arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/** The default environment with `backend` replaced, synthesized; returns its `terraform` block. */
function terraformBlockWith(backend: unknown): Record<string, any> {
  const { json } = synthEnvironment({ ...workshopConfig(), backend } as ReturnType<typeof workshopConfig>);
  return json.terraform as Record<string, any>;
}

function synthBootstrap(props: StateBootstrapStackProps): SynthJson {
  return JSON.parse(Testing.synth(new StateBootstrapStack(Testing.app(), "state", props))) as SynthJson;
}

describe("environment backends", () => {
  it.each(validateConfig(defaultConfig).map((env) => [env.name, env] as const))(
    "%s keeps its state in S3 under its own key, encrypted and locked",
    (_name, env) => {
      expect(env.backend?.type).toBe("s3");
      const { json } = synthEnvironment(env);
      expect((json.terraform as Record<string, any>).backend).toEqual({
        s3: {
          bucket: env.backend?.type === "s3" && env.backend.bucket,
          key: `${env.name}/environment.tfstate`,
          region: env.backend?.type === "s3" && env.backend.region,
          encrypt: true,
          use_lockfile: true,
        },
      });
    },
  );

  it("locks in DynamoDB, with or without the lock file", () => {
    const base = { type: "s3", bucket: "team-tfstate", region: "us-east-1" };
    expect(terraformBlockWith({ ...base, dynamodbTable: "tf-locks", lockfile: false }).backend.s3).toEqual({
      bucket: "team-tfstate",
      key: "workshop/environment.tfstate",
      region: "us-east-1",
      encrypt: true,
      dynamodb_table: "tf-locks",
    });
    expect(terraformBlockWith({ ...base, dynamodbTable: "tf-locks" }).backend.s3).toMatchObject({
      dynamodb_table: "tf-locks",
      use_lockfile: true,
    });
  });

  it("takes an explicit key and a KMS key", () => {
    const s3 = terraformBlockWith({
      type: "s3",
      bucket: "team-tfstate",
      region: "ap-northeast-2",
      key: "legacy/workshop.tfstate",
      kmsKeyId: KMS_KEY,
    }).backend.s3;
    expect(s3).toMatchObject({ key: "legacy/workshop.tfstate", kms_key_id: KMS_KEY, encrypt: true });
  });

  it("can keep state in a local file, explicitly or by having no backend (Terraform's default)", () => {
    expect(terraformBlockWith({ type: "local", path: "state/workshop.tfstate" }).backend).toEqual({
      local: { path: "state/workshop.tfstate" },
    });
    expect(terraformBlockWith({ type: "local" }).backend.local.path).toMatch(/terraform\.workshop\.tfstate$/);
    expect(terraformBlockWith(undefined).backend).toBeUndefined();
  });

  it("can keep state in HCP Terraform / Terraform Enterprise", () => {
    const block = terraformBlockWith({ type: "cloud", organization: "acme", hostname: "tfe.example.com" });
    expect(block.backend).toBeUndefined();
    expect(block.cloud).toEqual({
      organization: "acme",
      hostname: "tfe.example.com",
      workspaces: { name: "workshop-environment" },
    });
  });

  it("refuses a bad backend given to the stack directly, naming the problem", () => {
    const resolved = resolveOne(workshopConfig());
    const env = {
      ...resolved,
      config: {
        ...resolved.config,
        backend: { type: "s3" as const, bucket: "Bad_Bucket", encrypt: true, lockfile: true },
      },
    };
    expect(() => new EnvironmentStack(Testing.app(), "workshop", env)).toThrow(ConfigError);
    expect(() => new EnvironmentStack(Testing.app(), "workshop", env)).toThrow(
      /backend\.bucket = "Bad_Bucket".*\n.*backend\.region = \(missing\)/,
    );
  });
});

describe("state bootstrap stack", () => {
  const json = synthBootstrap({ bucket: "team-tfstate", region: "ap-northeast-2", lockTables: ["tf-locks"] });
  const bucketRef = (attr: string) => `\${aws_s3_bucket.${logicalIdOf(json, "aws_s3_bucket", "state_Bucket")}.${attr}}`;
  const ofBucket = (type: string, prefix: string) => {
    const resource = resourceNamed(json, type, prefix);
    expect(resource.bucket).toBe(bucketRef("id"));
    return resource;
  };

  it("creates the bucket, protected from destroy", () => {
    expect(resourceNamed(json, "aws_s3_bucket", "state_Bucket")).toMatchObject({
      bucket: "team-tfstate",
      lifecycle: { prevent_destroy: true },
    });
  });

  it("versions it and expires old versions, keeping the newest", () => {
    expect(ofBucket("aws_s3_bucket_versioning", "state_Versioning").versioning_configuration).toEqual({
      status: "Enabled",
    });
    const lifecycle = ofBucket("aws_s3_bucket_lifecycle_configuration", "state_Lifecycle");
    expect(lifecycle.rule).toEqual([
      expect.objectContaining({
        status: "Enabled",
        noncurrent_version_expiration: [{ noncurrent_days: 90, newer_noncurrent_versions: 10 }],
      }),
    ]);
    expect(lifecycle.depends_on).toEqual([
      `aws_s3_bucket_versioning.${logicalIdOf(json, "aws_s3_bucket_versioning", "state_Versioning")}`,
    ]);
  });

  it("encrypts with AES256 by default and with the KMS key when given", () => {
    expect(ofBucket("aws_s3_bucket_server_side_encryption_configuration", "state_Encryption").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    const kms = synthBootstrap({ bucket: "team-tfstate", region: "ap-northeast-2", kmsKeyId: KMS_KEY });
    expect(resourceNamed(kms, "aws_s3_bucket_server_side_encryption_configuration", "state_Encryption").rule).toEqual([
      {
        apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: KMS_KEY },
        bucket_key_enabled: true,
      },
    ]);
  });

  it("blocks every kind of public access and disables ACLs", () => {
    expect(ofBucket("aws_s3_bucket_public_access_block", "state_PublicAccessBlock")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(ofBucket("aws_s3_bucket_ownership_controls", "state_Ownership").rule).toEqual({
      object_ownership: "BucketOwnerEnforced",
    });
  });

  it("denies requests that are not over TLS 1.2+, by a policy written without data sources", () => {
    const policy = ofBucket("aws_s3_bucket_policy", "state_Policy").policy as string;
    expect(policy).toMatch(/^\$\{jsonencode\(/);
    expect(policy).toContain(`aws_s3_bucket.${logicalIdOf(json, "aws_s3_bucket", "state_Bucket")}.arn`);
    expect(json.data).toBeUndefined();
    expect(stateBucketPolicy("arn:aws:s3:::team-tfstate")).toEqual({
      Version: "2012-10-17",
      Statement: [
        expect.objectContaining({
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: ["arn:aws:s3:::team-tfstate", "arn:aws:s3:::team-tfstate/*"],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }),
        expect.objectContaining({
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
        }),
      ],
    });
  });

  it("creates each lock table on demand, recoverable, encrypted and protected", () => {
    const tables = Object.values(resourcesOf(json, "aws_dynamodb_table"));
    expect(tables).toEqual([
      expect.objectContaining({
        name: "tf-locks",
        hash_key: "LockID",
        attribute: [{ name: "LockID", type: "S" }],
        billing_mode: "PAY_PER_REQUEST",
        point_in_time_recovery: { enabled: true },
        server_side_encryption: { enabled: true },
        deletion_protection_enabled: true,
        lifecycle: { prevent_destroy: true },
      }),
    ]);
    expect(
      resourcesOf(synthBootstrap({ bucket: "team-tfstate", region: "ap-northeast-2" }), "aws_dynamodb_table"),
    ).toEqual({});
  });

  it("keeps its own state locally in phase 1, then in its bucket", () => {
    expect((json.terraform as Record<string, any>).backend).toEqual({
      s3: {
        bucket: "team-tfstate",
        key: "state-bootstrap.tfstate",
        region: "ap-northeast-2",
        encrypt: true,
        use_lockfile: true,
      },
    });
    const local = synthBootstrap({ bucket: "team-tfstate", region: "ap-northeast-2", localState: true });
    expect((local.terraform as Record<string, any>).backend.local.path).toMatch(/terraform\.state\.tfstate$/);
  });

  it("works in the bucket's region", () => {
    expect(json.provider?.aws).toEqual([expect.objectContaining({ region: "ap-northeast-2" })]);
  });

  it("refuses an invalid bucket or lock table name", () => {
    expect(() => synthBootstrap({ bucket: "team.tfstate", region: "ap-northeast-2", lockTables: ["x"] })).toThrow(
      /  - bucket = "team\.tfstate": expected [^]*  - lockTables\[0\] = "x": expected a DynamoDB table name/,
    );
  });
});
