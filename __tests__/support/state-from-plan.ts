import { randomUUID } from "node:crypto";
import { ConfigResource, PlanJson, plannedResources } from "../../modules/rules/plan-json";

/** The parts of `terraform providers schema -json` used here: each resource type's schema version and attribute types. */
export interface ProviderSchemas {
  readonly provider_schemas: Record<
    string,
    {
      readonly resource_schemas: Record<
        string,
        {
          readonly version: number;
          readonly block: { readonly attributes?: Record<string, { readonly type?: unknown }> };
        }
      >;
    }
  >;
}

const PROVIDER = "registry.terraform.io/hashicorp/aws";

/** A stand-in for a value AWS would give, of the attribute's type. */
function fakeValue(type: unknown, address: string, attribute: string): unknown {
  if (type === "string") return attribute === "arn" ? `arn:aws:fake:::${address}` : `fake-${address}-${attribute}`;
  if (type === "number") return 0;
  if (type === "bool") return false;
  if (Array.isArray(type) && ["list", "set"].includes(type[0] as string)) return [];
  if (Array.isArray(type) && type[0] === "map") return {};
  return null;
}

/**
 * The state Terraform would hold after applying `plan` from nothing: every planned resource with its planned values,
 * and each value known only after apply filled in, either from the resource attribute the configuration points it
 * at (so `subnet.vpc_id` equals the VPC's `id`; a value built from several takes the first one's) or with a
 * stand-in of the right type. This is what "the state of
 * another variant" means in the plan tests: no AWS call made it, only Terraform's own planned values.
 */
export function stateFromPlan(plan: PlanJson, schemas: ProviderSchemas): object {
  const resourceSchemas = schemas.provider_schemas[PROVIDER].resource_schemas;
  const configs = new Map<string, ConfigResource>(
    (plan.configuration?.root_module?.resources ?? []).map((r) => [r.address, r]),
  );
  const unknowns = new Map(
    (plan.resource_changes ?? []).map((c) => [c.address, (c.change.after_unknown ?? {}) as Record<string, unknown>]),
  );
  const values = new Map(plannedResources(plan).map((r) => [r.address, { ...r.values }]));

  const pending = () =>
    [...values.entries()].flatMap(([address, v]) =>
      Object.entries(unknowns.get(address) ?? {})
        .filter(([key, u]) => u === true && v[key] === undefined)
        .map(([key]) => ({ address, key })),
    );
  /** The `type.name.attribute` references of an argument; undefined when it has none. */
  const referencesOf = (address: string, key: string): string[][] | undefined => {
    const expression = configs.get(address.replace(/\[[^\]]*\]$/, ""))?.expressions?.[key] as
      { references?: string[] } | undefined;
    const refs = (expression?.references ?? []).map((ref) => ref.split(".")).filter((parts) => parts.length === 3);
    return refs.length === 0 ? undefined : refs;
  };
  const attributeType = (address: string, key: string) =>
    resourceSchemas[address.split(".")[0]]?.block.attributes?.[key]?.type;
  /** The referenced values in the attribute's type: a string takes the one value, a list or set all of them. */
  const resolved = (address: string, key: string): unknown => {
    const found = (referencesOf(address, key) ?? []).map(
      ([type, name, attribute]) => values.get(`${type}.${name}`)?.[attribute],
    );
    if (found.some((v) => v === undefined)) return undefined;
    const type = attributeType(address, key);
    if (type === "string" && found.length === 1 && typeof found[0] === "string") return found[0];
    if (
      Array.isArray(type) &&
      ["list", "set"].includes(type[0] as string) &&
      type[1] === "string" &&
      found.every((v) => typeof v === "string")
    )
      return found;
    return null;
  };
  const fake = (address: string, key: string) =>
    fakeValue(resourceSchemas[address.split(".")[0]]?.block.attributes?.[key]?.type, address, key);
  const set = (address: string, key: string, value: unknown) =>
    ((values.get(address) as Record<string, unknown>)[key] = value);

  // What AWS would invent (ids, ARNs, default route table ids...): stand-ins. Then what points at another resource's
  // attribute takes that value, until nothing changes; anything left gets a stand-in too.
  for (const { address, key } of pending())
    if (referencesOf(address, key) === undefined) set(address, key, fake(address, key));
  for (let changed = true; changed;) {
    changed = false;
    for (const { address, key } of pending()) {
      const value = resolved(address, key);
      if (value === null) set(address, key, fake(address, key));
      else if (value !== undefined) set(address, key, value);
      changed ||= value !== undefined;
    }
  }
  for (const { address, key } of pending()) set(address, key, fake(address, key));

  return {
    version: 4,
    terraform_version: plan.terraform_version ?? "1.11.4",
    serial: 1,
    lineage: randomUUID(),
    outputs: {},
    resources: plannedResources(plan).map((r) => ({
      mode: "managed",
      type: r.type,
      name: r.name,
      provider: `provider["${PROVIDER}"]`,
      instances: [
        {
          schema_version: resourceSchemas[r.type]?.version ?? 0,
          attributes: values.get(r.address),
          sensitive_attributes: [],
        },
      ],
    })),
  };
}
