import { problemsAfter, problemsOf, rawWorkshop } from "./support/config";
import {
  bucketNameProblem,
  defaultStateKey,
  stateCollisions,
  stateKeyProblem,
  stateStores,
} from "../modules/state/plan";

const KMS_KEY = "arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/** A copy of the default environment under another name, with `backend` fields changed. */
function workshopCopy(name: string, backend: Record<string, unknown> = {}): Record<string, any> {
  const env = rawWorkshop();
  return { ...env, name, backend: { ...env.backend, ...backend } };
}

describe("state bucket names", () => {
  it.each(["change-me-workshop-tfstate", "abc", "a1-b2", `a${"b".repeat(61)}c`])("accepts %s", (name) => {
    expect(bucketNameProblem(name)).toBeUndefined();
  });

  it.each([
    ["too short", "ab", "3-63 lowercase letters"],
    ["too long", "a".repeat(64), "3-63 lowercase letters"],
    ["upper case", "State-Bucket", "lowercase"],
    ["underscore", "state_bucket", "lowercase letters, digits and dashes"],
    ["leading dash", "-state", "starting and ending with a letter or digit"],
    ["trailing dash", "state-", "starting and ending with a letter or digit"],
    ["dots", "my.state.bucket", "no dots"],
    ["an IP address", "192.168.5.4", "no dots"],
    ["reserved prefix", "xn--state", 'not start with "xn--"'],
    ["reserved prefix sthree", "sthree-state", 'not start with "sthree-"'],
    ["reserved suffix", "state-s3alias", 'not end with "-s3alias"'],
    ["reserved suffix ol", "state--ol-s3", 'not end with "--ol-s3"'],
  ])("rejects %s (%s)", (_label, name, expected) => {
    expect(bucketNameProblem(name)).toContain(expected);
  });
});

describe("state keys", () => {
  it("defaults to <environment>/<stack>.tfstate", () => {
    expect(defaultStateKey({ environment: "workshop", stack: "environment" })).toBe("workshop/environment.tfstate");
  });

  it.each(["workshop/environment.tfstate", "team-a/prod/network.tfstate", "x.tfstate"])("accepts %s", (key) => {
    expect(stateKeyProblem(key)).toBeUndefined();
  });

  it.each([
    "/workshop/environment.tfstate",
    "workshop//environment.tfstate",
    "workshop/environment",
    "work shop/x.tfstate",
    "env:/x.tfstate",
    "",
  ])("rejects %j", (key) => {
    expect(stateKeyProblem(key)).toContain("ending in .tfstate");
  });
});

describe("backend config problems", () => {
  it("accepts the default environment's backend", () => {
    expect(problemsAfter(() => undefined)).toEqual([]);
  });

  it.each<[string, (env: Record<string, any>) => void, string]>([
    [
      "an invalid bucket name",
      (env) => (env.backend.bucket = "My_Bucket"),
      'environment "workshop": backend.bucket = "My_Bucket": expected a bucket name of 3-63 lowercase letters, digits and dashes, starting and ending with a letter or digit',
    ],
    [
      "a dotted bucket name",
      (env) => (env.backend.bucket = "my.state.bucket"),
      'environment "workshop": backend.bucket = "my.state.bucket": expected a bucket name of 3-63 lowercase letters, digits and dashes, starting and ending with a letter or digit; no dots: a dotted name breaks TLS for virtual-hosted requests, and the bucket refuses plain HTTP',
    ],
    [
      "a missing bucket",
      (env) => delete env.backend.bucket,
      'environment "workshop": backend.bucket = (missing): expected a string: this field is required',
    ],
    [
      "a missing region",
      (env) => delete env.backend.region,
      'environment "workshop": backend.region = (missing): expected the AWS region of the state bucket, such as ap-northeast-2 (required: the S3 backend has no default)',
    ],
    [
      "an invalid region",
      (env) => (env.backend.region = "seoul"),
      'environment "workshop": backend.region = "seoul": expected an AWS region name such as ap-northeast-2',
    ],
    [
      "an invalid key",
      (env) => (env.backend.key = "/workshop/state"),
      'environment "workshop": backend.key = "/workshop/state": expected an S3 key of letters, digits and !_.*\'()/- ending in .tfstate, with no leading or doubled slash',
    ],
    [
      "a KMS key that is no ARN",
      (env) => (env.backend.kmsKeyId = "alias/state"),
      'environment "workshop": backend.kmsKeyId = "alias/state": expected a KMS key or alias ARN, such as arn:aws:kms:ap-northeast-2:111122223333:key/<id>',
    ],
    [
      "a KMS key with encryption off",
      (env) => Object.assign(env.backend, { kmsKeyId: KMS_KEY, encrypt: false }),
      'environment "workshop": backend.encrypt = false: expected true (or no encrypt field) when kmsKeyId is set: the key is only used for encrypted state',
    ],
    [
      "no lock at all",
      (env) => (env.backend.lockfile = false),
      'environment "workshop": backend.lockfile = false: expected true (the default) or a dynamodbTable: without a lock two runs can corrupt the state',
    ],
    [
      "an invalid lock table name",
      (env) => (env.backend.dynamodbTable = "x"),
      'environment "workshop": backend.dynamodbTable = "x": expected a DynamoDB table name of 3-255 letters, digits, underscores, dots and dashes',
    ],
    [
      "an unknown backend type",
      (env) => (env.backend = { type: "gcs", bucket: "state" }),
      'environment "workshop": backend.type = "gcs": expected a backend object whose "type" is one of s3, local, cloud',
    ],
    [
      "a misspelt field",
      (env) => (env.backend.dynamoTable = "locks"),
      'environment "workshop": backend.dynamoTable = "locks": expected no such field: did you mean \"dynamodbTable\"?',
    ],
    [
      "a cloud backend without organization",
      (env) => (env.backend = { type: "cloud", workspace: "workshop" }),
      'environment "workshop": backend.organization = (missing): expected a string: this field is required',
    ],
  ])("reports %s", (_label, change, expected) => {
    expect(problemsAfter(change)).toEqual([expected]);
  });

  it("accepts local, cloud, DynamoDB-only and KMS backends, and none", () => {
    expect(problemsAfter((env) => (env.backend = { type: "local" }))).toEqual([]);
    expect(problemsAfter((env) => (env.backend = { type: "cloud", organization: "acme" }))).toEqual([]);
    expect(problemsAfter((env) => Object.assign(env.backend, { lockfile: false, dynamodbTable: "tf-locks" }))).toEqual(
      [],
    );
    expect(problemsAfter((env) => Object.assign(env.backend, { kmsKeyId: KMS_KEY }))).toEqual([]);
    expect(problemsAfter((env) => delete env.backend)).toEqual([]);
  });
});

describe("state between environments", () => {
  it("gives environments sharing a bucket keys of their own by default", () => {
    expect(problemsOf(rawWorkshop(), workshopCopy("prod"))).toEqual([]);
  });

  it("reports a key that collides with another environment's", () => {
    expect(problemsOf(rawWorkshop(), workshopCopy("prod", { key: "workshop/environment.tfstate" }))).toEqual([
      'environment "prod": backend.key = "workshop/environment.tfstate": expected a state of its own: environment "workshop" already keeps its state at s3://change-me-workshop-tfstate/workshop/environment.tfstate',
    ]);
  });

  it("reports a default key that an earlier environment took explicitly", () => {
    const first = workshopCopy("staging", { key: "prod/environment.tfstate" });
    expect(problemsOf(first, workshopCopy("prod"))).toEqual([
      'environment "prod": backend.key = "prod/environment.tfstate": expected a state of its own: environment "staging" already keeps its state at s3://change-me-workshop-tfstate/prod/environment.tfstate',
    ]);
  });

  it("reports a key that is the bootstrap stack's own state", () => {
    expect(problemsOf(rawWorkshop(), workshopCopy("prod", { key: "state-bootstrap.tfstate" }))).toEqual([
      'environment "prod": backend.key = "state-bootstrap.tfstate": expected a state of its own: the bootstrap stack "state-change-me-workshop-tfstate" already keeps its state at s3://change-me-workshop-tfstate/state-bootstrap.tfstate',
    ]);
  });

  it("allows the same key in different buckets", () => {
    expect(
      problemsOf(rawWorkshop(), workshopCopy("prod", { bucket: "prod-tfstate", key: "workshop/environment.tfstate" })),
    ).toEqual([]);
  });

  it("reports two environments on one HCP Terraform workspace", () => {
    const cloud = (name: string) => ({
      ...rawWorkshop(),
      name,
      backend: { type: "cloud", organization: "acme", workspace: "shared" },
    });
    expect(problemsOf(cloud("a"), cloud("b"))).toEqual([
      'environment "b": backend.workspace = "shared": expected a state of its own: environment "a" already keeps its state at cloud://app.terraform.io/acme/shared',
    ]);
  });

  it("reports environments that disagree about a shared bucket's region and KMS key", () => {
    expect(problemsOf(rawWorkshop(), workshopCopy("prod", { region: "us-east-1", kmsKeyId: KMS_KEY }))).toEqual([
      'environment "prod": backend.region = "us-east-1": expected ap-northeast-2, the region environment "workshop" gives the shared bucket change-me-workshop-tfstate',
      `environment "prod": backend.kmsKeyId = "${KMS_KEY}": expected none (AES256), the KMS key environment "workshop" gives the shared bucket change-me-workshop-tfstate`,
    ]);
  });

  it("checks collisions for any stack role", () => {
    const envs = [
      {
        name: "a",
        backend: { type: "s3" as const, bucket: "state", region: "ap-northeast-2", key: "b/servers.tfstate" },
      },
      { name: "b", backend: { type: "s3" as const, bucket: "state", region: "ap-northeast-2" } },
    ];
    expect(stateCollisions(envs, "environment")).toEqual([]);
    expect(stateCollisions(envs, "servers").map((p) => [p.environment, p.field, p.value])).toEqual([
      ["b", "backend.key", "b/servers.tfstate"],
    ]);
  });
});

describe("state stores", () => {
  it("makes one store per bucket, with the lock tables its environments use, in first-use order", () => {
    const s3 = (bucket: string, dynamodbTable?: string) => ({
      type: "s3" as const,
      bucket,
      region: "ap-northeast-2",
      dynamodbTable,
    });
    const stores = stateStores([
      { name: "a", backend: s3("shared-state", "locks") },
      { name: "b", backend: { type: "local" } },
      { name: "c", backend: s3("other-state") },
      { name: "d", backend: s3("shared-state", "locks") },
      { name: "e", backend: s3("shared-state", "more-locks") },
      { name: "f" },
    ]);
    expect(stores).toEqual([
      { bucket: "shared-state", region: "ap-northeast-2", kmsKeyId: undefined, lockTables: ["locks", "more-locks"] },
      { bucket: "other-state", region: "ap-northeast-2", kmsKeyId: undefined, lockTables: [] },
    ]);
  });
});
