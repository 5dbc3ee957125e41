import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformBackend, TerraformStack } from "cdktf";
import { ConfigError } from "../core/problems";
import { checkBackend, defaultStateKey } from "./plan";
import { StateBackendConfig } from "./schema";
import { STATE_DEFAULTS, StateBackendProps, StateOwner } from "./types";

/**
 * Gives `stack` the backend `props` describe, for the state of `owner`, after checking them (a ConfigError lists every
 * problem; a config file's backend may come straight in). No props leaves cdktf's default, a local
 * `terraform.<stack>.tfstate`. Endpoints and credentials are never set here: they come from the environment, or from
 * `terraform init -backend-config=...`.
 */
export function applyStateBackend(
  stack: TerraformStack,
  props: StateBackendProps | StateBackendConfig,
  owner: StateOwner,
): TerraformBackend | undefined {
  if (props === undefined) return undefined;
  const problems = checkBackend(props);
  if (problems.length > 0)
    throw new ConfigError(
      problems.map((p) => ({ environment: owner.environment, ...p })),
      `backend of stack "${stack.node.id}"`,
    );
  switch (props.type) {
    case "s3": {
      const backend = new S3Backend(stack, {
        bucket: props.bucket,
        key: props.key ?? defaultStateKey(owner),
        region: props.region,
        encrypt: props.encrypt ?? STATE_DEFAULTS.encrypt,
        kmsKeyId: props.kmsKeyId,
        dynamodbTable: props.dynamodbTable,
      });
      // cdktf 0.21's S3Backend predates Terraform 1.10's S3-native locking.
      if (props.lockfile ?? STATE_DEFAULTS.lockfile) backend.addOverride("use_lockfile", true);
      return backend;
    }
    case "local":
      return new LocalBackend(stack, { path: props.path });
    case "cloud":
      return new CloudBackend(stack, {
        organization: props.organization,
        hostname: props.hostname,
        workspaces: new NamedCloudWorkspace(props.workspace ?? `${owner.environment}-${owner.stack}`),
      });
  }
}
