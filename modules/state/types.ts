/** Where one environment's stacks keep their Terraform state. */
export type StateBackendProps = S3StateBackendProps | LocalStateBackendProps | CloudStateBackendProps;

/** State in an S3 bucket that the state bootstrap stack creates (the default for real environments). */
export interface S3StateBackendProps {
  /** Selects the S3 backend. */
  readonly type: "s3";
  /** Name of the state bucket: S3's naming rules, and no dots (they break TLS for virtual-hosted requests). */
  readonly bucket: string;
  /** AWS region of the bucket and of the lock table; required, and may differ from the environment's region. */
  readonly region: string;
  /** Object key of a stack's state; set it only to adopt an existing state. @default "<environment>/<stack>.tfstate" */
  readonly key?: string;
  /** Encrypt the state object at rest (the backend's `encrypt`). @default true */
  readonly encrypt?: boolean;
  /** ARN of a KMS key for the state objects and the bucket's default encryption. @default none: SSE-S3 (AES256) */
  readonly kmsKeyId?: string;
  /** Lock with a lock object next to the state (`use_lockfile`, Terraform 1.10+). @default true */
  readonly lockfile?: boolean;
  /** DynamoDB table to lock in as well (created by the bootstrap stack), for Terraform before 1.10. @default none */
  readonly dynamodbTable?: string;
  /**
   * S3 server access logs of the state bucket, into a log bucket the bootstrap stack makes beside it
   * (`<bucket>-access-logs`, locked down like the state bucket). @default false
   */
  readonly accessLogs?: boolean;
}

/** State in a local file: for trying things out only, since nobody else can see or lock it. */
export interface LocalStateBackendProps {
  /** Selects the local backend. */
  readonly type: "local";
  /** Path of the state file. @default cdktf's: `terraform.<stack>.tfstate` in the directory synth runs in */
  readonly path?: string;
}

/** State in HCP Terraform or Terraform Enterprise (cdktf's CloudBackend). */
export interface CloudStateBackendProps {
  /** Selects the cloud backend. */
  readonly type: "cloud";
  /** The organization that owns the workspace. */
  readonly organization: string;
  /** Workspace name. @default "<environment>-<stack>" */
  readonly workspace?: string;
  /** Hostname of a Terraform Enterprise installation. @default "app.terraform.io" */
  readonly hostname?: string;
}

/** Which state a backend is for: the environment and the stack's role in it. */
export interface StateOwner {
  /** Environment name, the first part of the default key. */
  readonly environment: string;
  /** The stack's role in the environment (e.g. `environment`), the second part of the default key. */
  readonly stack: string;
}

/** One state bucket and what lives in it, as the state bootstrap stack creates it. */
export interface StateStoreProps {
  /** Bucket name. */
  readonly bucket: string;
  /** Region of the bucket and of its lock tables. */
  readonly region: string;
  /** KMS key ARN for the bucket's default encryption. @default none: SSE-S3 (AES256) */
  readonly kmsKeyId?: string;
  /** Log the bucket's requests to `<bucket>-access-logs` (see `S3StateBackendProps.accessLogs`). @default false */
  readonly accessLogs?: boolean;
  /** DynamoDB lock tables to create beside the bucket. @default none */
  readonly lockTables?: readonly string[];
  /** Days a replaced or deleted state version is kept before it expires. @default 90 */
  readonly noncurrentVersionDays?: number;
  /** Replaced state versions always kept, however old. @default 10 */
  readonly noncurrentVersionsKept?: number;
  /** Tags for every resource. @default none beyond the provider's */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The state backend's and state bucket's defaults: what every field left out becomes. */
export const STATE_DEFAULTS = {
  encrypt: true,
  lockfile: true,
  noncurrentVersionDays: 90,
  noncurrentVersionsKept: 10,
  /** The environment stack's role: its default key is `<environment>/environment.tfstate`. */
  environmentStack: "environment",
  /** Key of the bootstrap stack's own state once migrated into its bucket; default keys all contain a slash. */
  bootstrapKey: "state-bootstrap.tfstate",
};
