import { createHash, randomUUID } from "node:crypto";
import { PlanJson } from "../../modules/rules/plan-json";

/**
 * A Terraform state (format 4) holding what a plan would create, for planning a change against "applied"
 * infrastructure with no AWS: `terraform apply` cannot run offline, so the state is built from the plan itself.
 * Values the plan knows are copied; values known only after apply (ids, ARNs, ...) get stable fake values of the
 * attribute's type from the provider schema. Plans against it must use `-refresh=false` (nothing to refresh from).
 * Fake values that other resources refer to (a subnet's vpc_id) are made consistent by `settleState`.
 */

interface AttributeSchema {
  readonly type?: unknown;
  readonly computed?: boolean;
}
interface ResourceSchema {
  readonly version: number;
  readonly block: { readonly attributes?: Record<string, AttributeSchema> };
}
/** `terraform providers schema -json`, the part used here. */
export interface ProviderSchemas {
  readonly provider_schemas: Record<string, { readonly resource_schemas: Record<string, ResourceSchema> }>;
}

interface Change {
  readonly address: string;
  readonly module_address?: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  readonly provider_name: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly after?: Record<string, unknown> | null;
    readonly after_unknown?: Record<string, unknown>;
  };
}

interface StateInstance {
  index_key?: string | number;
  schema_version: number;
  attributes: Record<string, unknown>;
  sensitive_attributes: unknown[];
}
interface StateResource {
  module?: string;
  mode: "managed";
  type: string;
  name: string;
  provider: string;
  instances: StateInstance[];
}
export interface StateFile {
  version: 4;
  terraform_version: string;
  serial: number;
  lineage: string;
  outputs: Record<string, unknown>;
  resources: StateResource[];
}

function fakeValue(name: string, type: unknown, seed: string): unknown {
  const hash = createHash("sha256").update(seed).digest("hex").slice(0, 12);
  // Providers check ARNs they are given, so an ARN another resource refers to must look like one.
  if (type === "string" && (name === "arn" || name.endsWith("_arn")))
    return `arn:aws:fake:ap-northeast-2:000000000000:fake/${hash}`;
  if (type === "string") return `fake-${hash}`;
  if (type === "number") return 0;
  if (type === "bool") return false;
  if (Array.isArray(type) && (type[0] === "map" || type[0] === "object")) return {};
  if (Array.isArray(type)) return [];
  return null;
}

/** Fills the attributes the plan did not know with fake values of the schema's types. */
function attributesOf(change: Change, schema: ResourceSchema): Record<string, unknown> {
  const after = { ...(change.change.after ?? {}) };
  const unknown = change.change.after_unknown ?? {};
  for (const [name, attribute] of Object.entries(schema.block.attributes ?? {})) {
    if (unknown[name] === true || (!(name in after) && attribute.computed === true))
      after[name] = fakeValue(name, attribute.type, `${change.address}.${name}`);
  }
  return after;
}

/** A state holding every resource `plan` creates. */
export function stateFromPlan(plan: PlanJson, schemas: ProviderSchemas, terraformVersion: string): StateFile {
  const resources = new Map<string, StateResource>();
  for (const change of (plan.resource_changes ?? []) as unknown as Change[]) {
    if (change.mode !== "managed" || !change.change.actions.includes("create")) continue;
    const schema = schemas.provider_schemas[change.provider_name]?.resource_schemas[change.type];
    if (schema === undefined) throw new Error(`no schema for ${change.type} in ${change.provider_name}`);
    const key = `${change.module_address ?? ""}|${change.type}|${change.name}`;
    let resource = resources.get(key);
    if (resource === undefined) {
      resource = {
        ...(change.module_address === undefined ? {} : { module: change.module_address }),
        mode: "managed",
        type: change.type,
        name: change.name,
        provider: `provider["${change.provider_name}"]`,
        instances: [],
      };
      resources.set(key, resource);
    }
    resource.instances.push({
      ...(change.index === undefined ? {} : { index_key: change.index }),
      schema_version: schema.version,
      attributes: attributesOf(change, schema),
      sensitive_attributes: [],
    });
  }
  return {
    version: 4,
    terraform_version: terraformVersion,
    serial: 1,
    lineage: randomUUID(),
    outputs: {},
    resources: [...resources.values()],
  };
}

/**
 * Copies into `state` the values a `-refresh=false` plan against it computed for the resources it would change:
 * references to other resources' fake ids now resolve, so the state becomes what the configuration describes.
 */
export function settleState(state: StateFile, plan: PlanJson): StateFile {
  const next = structuredClone(state);
  for (const change of (plan.resource_changes ?? []) as unknown as Change[]) {
    if (change.change.actions.every((a) => a === "no-op" || a === "read")) continue;
    const resource = next.resources.find(
      (r) => (r.module ?? "") === (change.module_address ?? "") && r.type === change.type && r.name === change.name,
    );
    const instance = resource?.instances.find((i) => i.index_key === change.index);
    if (instance === undefined) continue;
    const unknown = change.change.after_unknown ?? {};
    for (const [name, value] of Object.entries(change.change.after ?? {}))
      if (unknown[name] !== true) instance.attributes[name] = value;
  }
  next.serial += 1;
  return next;
}
