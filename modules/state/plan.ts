import { ConfigProblem, fieldPath } from "../core/problems";
import { REGION_PATTERN } from "../network/plan";
import { StateBackendConfig } from "./schema";
import { STATE_DEFAULTS, StateOwner, StateStoreProps } from "./types";
import { accessLogBucketName } from "./access-logs";

const BUCKET_PREFIXES_RESERVED = ["xn--", "sthree-", "amzn-s3-demo-"];
const BUCKET_SUFFIXES_RESERVED = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];
const KEY_PATTERN = /^[A-Za-z0-9!_.*'()/-]+$/;
const DYNAMODB_TABLE_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;
const KMS_KEY_ARN_PATTERN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/;

/** Why `name` cannot be a state bucket (S3's rules for general purpose buckets, plus no dots), or undefined. */
export function bucketNameProblem(name: string): string | undefined {
  const rules =
    "a bucket name of 3-63 lowercase letters, digits and dashes, starting and ending with a letter or digit";
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) return rules;
  if (name.includes("."))
    return `${rules}; no dots: a dotted name breaks TLS for virtual-hosted requests, and the bucket refuses plain HTTP`;
  const prefix = BUCKET_PREFIXES_RESERVED.find((p) => name.startsWith(p));
  if (prefix !== undefined) return `a bucket name that does not start with "${prefix}" (reserved by S3)`;
  const suffix = BUCKET_SUFFIXES_RESERVED.find((s) => name.endsWith(s));
  if (suffix !== undefined) return `a bucket name that does not end with "${suffix}" (reserved by S3)`;
  return undefined;
}

/** The default state key of a stack: `<environment>/<stack>.tfstate`. */
export function defaultStateKey(owner: StateOwner): string {
  return `${owner.environment}/${owner.stack}.tfstate`;
}

/** Why `key` cannot be a state object key, or undefined. */
export function stateKeyProblem(key: string): string | undefined {
  const ok =
    KEY_PATTERN.test(key) &&
    !key.startsWith("/") &&
    !key.includes("//") &&
    key.endsWith(".tfstate") &&
    key.length <= 1024;
  return ok
    ? undefined
    : "an S3 key of letters, digits and !_.*'()/- ending in .tfstate, with no leading or doubled slash";
}

/** Why `name` cannot be a DynamoDB lock table, or undefined. */
export function lockTableProblem(name: string): string | undefined {
  return DYNAMODB_TABLE_PATTERN.test(name)
    ? undefined
    : "a DynamoDB table name of 3-255 letters, digits, underscores, dots and dashes";
}

/** Problems of one environment's `backend` (fields relative to the environment, e.g. `backend.bucket`). */
export function checkBackend(backend: StateBackendConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const problem = (field: string, value: unknown, expected: string) =>
    problems.push({ field: fieldPath("backend", field), value, expected });
  if (backend === undefined) return problems;
  if (backend.type === "s3") {
    const bucket = bucketNameProblem(backend.bucket);
    if (bucket !== undefined) problem("bucket", backend.bucket, bucket);
    if (backend.region === undefined) {
      problem(
        "region",
        backend.region,
        "the AWS region of the state bucket, such as ap-northeast-2 (required: the S3 backend has no default)",
      );
    } else if (!REGION_PATTERN.test(backend.region)) {
      problem("region", backend.region, "an AWS region name such as ap-northeast-2");
    }
    const key = backend.key === undefined ? undefined : stateKeyProblem(backend.key);
    if (key !== undefined) problem("key", backend.key, key);
    if (backend.kmsKeyId !== undefined && !KMS_KEY_ARN_PATTERN.test(backend.kmsKeyId)) {
      problem(
        "kmsKeyId",
        backend.kmsKeyId,
        "a KMS key or alias ARN, such as arn:aws:kms:ap-northeast-2:111122223333:key/<id>",
      );
    }
    if (backend.kmsKeyId !== undefined && backend.encrypt === false) {
      problem(
        "encrypt",
        backend.encrypt,
        "true (or no encrypt field) when kmsKeyId is set: the key is only used for encrypted state",
      );
    }
    const logBucket = accessLogBucketName(backend.bucket);
    if (backend.accessLogs === true && logBucket.problem !== undefined)
      problem("bucket", backend.bucket, logBucket.problem);
    const table = backend.dynamodbTable === undefined ? undefined : lockTableProblem(backend.dynamodbTable);
    if (table !== undefined) problem("dynamodbTable", backend.dynamodbTable, table);
    if (backend.lockfile === false && backend.dynamodbTable === undefined) {
      problem(
        "lockfile",
        backend.lockfile,
        "true (the default) or a dynamodbTable: without a lock two runs can corrupt the state",
      );
    }
  }
  if (backend.type === "cloud" && backend.organization === "")
    problem("organization", backend.organization, "an HCP Terraform organization name");
  return problems;
}

/** Where a stack's state lives: a comparable address, and the config field and value that decide it. */
export interface StateLocation {
  readonly address: string;
  readonly field: string;
  readonly value: string;
}

/** The location of a stack's state; undefined for no backend, or a local file at cdktf's default path. */
export function stateLocation(backend: StateBackendConfig, owner: StateOwner): StateLocation | undefined {
  switch (backend?.type) {
    case "s3": {
      const key = backend.key ?? defaultStateKey(owner);
      return { address: `s3://${backend.bucket}/${key}`, field: "backend.key", value: key };
    }
    case "cloud": {
      const workspace = backend.workspace ?? `${owner.environment}-${owner.stack}`;
      return {
        address: `cloud://${backend.hostname ?? "app.terraform.io"}/${backend.organization}/${workspace}`,
        field: "backend.workspace",
        value: workspace,
      };
    }
    case "local":
      return backend.path === undefined
        ? undefined
        : { address: `local:${backend.path}`, field: "backend.path", value: backend.path };
    default:
      return undefined;
  }
}

/** An environment as the cross-environment checks see it. */
export interface EnvironmentState {
  readonly name: string;
  readonly backend?: StateBackendConfig;
}

/**
 * Problems between environments: two stacks writing one state (or one writing the bootstrap stack's), and
 * environments that share a bucket but disagree on its region or encryption key (the bucket has one of each). Each is
 * reported on the later environment.
 */
export function stateCollisions(
  environments: readonly EnvironmentState[],
  stack = STATE_DEFAULTS.environmentStack,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, string>(
    stateStores(environments).map((store) => [
      `s3://${store.bucket}/${STATE_DEFAULTS.bootstrapKey}`,
      `the bootstrap stack "${stateBootstrapStackId(store.bucket)}"`,
    ]),
  );
  const buckets = new Map<string, EnvironmentState & { backend: Extract<StateBackendConfig, { type: "s3" }> }>();
  for (const env of environments) {
    const location = stateLocation(env.backend, { environment: env.name, stack });
    const owner = location === undefined ? undefined : seen.get(location.address);
    if (location !== undefined && owner !== undefined) {
      problems.push({
        environment: env.name,
        field: location.field,
        value: location.value,
        expected: `a state of its own: ${owner} already keeps its state at ${location.address}`,
      });
    }
    if (location !== undefined && owner === undefined) seen.set(location.address, `environment "${env.name}"`);
    if (env.backend?.type !== "s3") continue;
    const first = buckets.get(env.backend.bucket);
    if (first === undefined) {
      buckets.set(env.backend.bucket, { ...env, backend: env.backend });
      continue;
    }
    const shared = (what: string) =>
      `the ${what} environment "${first.name}" gives the shared bucket ${first.backend.bucket}`;
    if (
      env.backend.region !== undefined &&
      first.backend.region !== undefined &&
      env.backend.region !== first.backend.region
    ) {
      problems.push({
        environment: env.name,
        field: "backend.region",
        value: env.backend.region,
        expected: `${first.backend.region}, ${shared("region")}`,
      });
    }
    if (env.backend.kmsKeyId !== first.backend.kmsKeyId) {
      problems.push({
        environment: env.name,
        field: "backend.kmsKeyId",
        value: env.backend.kmsKeyId,
        expected: `${first.backend.kmsKeyId ?? "none (AES256)"}, ${shared("KMS key")}`,
      });
    }
    if ((env.backend.accessLogs === true) !== (first.backend.accessLogs === true)) {
      problems.push({
        environment: env.name,
        field: "backend.accessLogs",
        value: env.backend.accessLogs,
        expected: `${first.backend.accessLogs === true}, ${shared("accessLogs setting")}`,
      });
    }
  }
  return problems;
}

/** The state buckets of valid environments, each with the lock tables its environments use, in first-use order. */
export function stateStores(environments: readonly EnvironmentState[]): StateStoreProps[] {
  const stores = new Map<
    string,
    { bucket: string; region: string; kmsKeyId?: string; accessLogs?: boolean; lockTables: string[] }
  >();
  for (const env of environments) {
    if (env.backend?.type !== "s3" || env.backend.region === undefined) continue;
    const store = stores.get(env.backend.bucket) ?? {
      bucket: env.backend.bucket,
      region: env.backend.region,
      kmsKeyId: env.backend.kmsKeyId,
      accessLogs: env.backend.accessLogs,
      lockTables: [],
    };
    const table = env.backend.dynamodbTable;
    if (table !== undefined && !store.lockTables.includes(table)) store.lockTables.push(table);
    stores.set(store.bucket, store);
  }
  return [...stores.values()];
}

/** The id of the bootstrap stack of a bucket (and the folder under cdktf.out/stacks). */
export function stateBootstrapStackId(bucket: string): string {
  return `state-${bucket}`;
}
