/**
 * The one shape every rule reads: a stack's resources, whether they come from cdktf's synthesized JSON or from
 * `terraform show -json` of a plan. The adapters (`synth-view.ts`, `plan-view.ts`) build it.
 */

/** Which input a view was built from. */
export type RuleInput = "synth" | "plan";

/** Every input, in the order a project meets them. */
export const RULE_INPUTS: readonly RuleInput[] = ["synth", "plan"];

/** One managed resource. */
export interface ResourceView {
  /** `type.name` (a plan may add an index: `type.name[0]`). */
  readonly address: string;
  /** The resource type, e.g. `aws_instance`. */
  readonly type: string;
  /** The resource's name in Terraform: cdktf's logical id. */
  readonly name: string;
  /**
   * Its arguments. A value that refers to another resource is kept as an opaque string (`${aws_vpc.x.id}`); a value
   * known only after apply is absent. Nested blocks may be one object (synth) or a list (plan): read them with `blocks`.
   */
  readonly values: Readonly<Record<string, unknown>>;
  /** Per top-level argument, what it refers to: `aws_vpc.x.id`, `aws_vpc.x.default_security_group_id`, ... */
  readonly references: Readonly<Record<string, readonly string[]>>;
}

/** What a plan does to one managed resource. */
export interface ChangeView {
  /** `type.name`, with an index where the plan has one. */
  readonly address: string;
  /** The resource type, e.g. `aws_s3_bucket`. */
  readonly type: string;
  /** `create`, `update`, `replace` (delete and create, in either order), `delete`, `no-op` or `read`. */
  readonly action: string;
  /** Its values before the change; {} for a create. */
  readonly before: Readonly<Record<string, unknown>>;
  /** The attributes whose change forces a replace, as dotted paths (`root_block_device.0.volume_size`). */
  readonly forcedBy: readonly string[];
}

/** A stack as the rules see it. */
export interface StackView {
  /** The input the view was built from; a rule may declare which inputs it applies to. */
  readonly input: RuleInput;
  /** Every managed resource of the stack. */
  readonly resources: readonly ResourceView[];
  /** The backend kinds the stack declares (`s3`, `local`, `cloud`); [] for none. Undefined when the input cannot say (a plan). */
  readonly backends?: readonly string[];
  /** What the plan does to each managed resource. Undefined when the input cannot say (a synthesized stack). */
  readonly changes?: readonly ChangeView[];
}

/** The resources of the given types, in the view's order. */
export function resourcesOf(view: StackView, ...types: string[]): ResourceView[] {
  return view.resources.filter((r) => types.includes(r.type));
}

/** `type.name` of a resource address or a reference (`aws_vpc.x.id` -> `aws_vpc.x`), without a count index. */
export function addressOf(reference: string): string {
  return reference
    .split(".")
    .slice(0, 2)
    .join(".")
    .replace(/\[[^\]]*\]$/, "");
}

/** The resources that `resource`'s argument `attribute` refers to (addresses, each once). */
export function referencedBy(resource: ResourceView, attribute: string): string[] {
  return [...new Set((resource.references[attribute] ?? []).map(addressOf))];
}

/** The resource in `view` that `resource`'s argument `attribute` refers to, when it refers to exactly one. */
export function followReference(view: StackView, resource: ResourceView, attribute: string): ResourceView | undefined {
  const targets = referencedBy(resource, attribute);
  const found = view.resources.filter((r) => targets.includes(addressOf(r.address)));
  return found.length === 1 ? found[0] : undefined;
}

/** The resources of `type` whose argument `attribute` refers to `target`. */
export function referrersOf(view: StackView, type: string, attribute: string, target: ResourceView): ResourceView[] {
  const address = addressOf(target.address);
  return resourcesOf(view, type).filter((r) => referencedBy(r, attribute).includes(address));
}

/** A nested block as either input writes it: one object, or a list of them. */
export function blocks(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value))
    return value.filter((v): v is Record<string, unknown> => v !== null && typeof v === "object");
  return value !== null && typeof value === "object" ? [value as Record<string, unknown>] : [];
}

/** The strings of a list argument (a single string counts as a list of one). */
export function strings(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
}

/** A number argument, or undefined. */
export function numberValue(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}
