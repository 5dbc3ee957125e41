/**
 * The parts of `terraform show -json PLANFILE` this project reads, and plain helpers over them.
 * Format: https://developer.hashicorp.com/terraform/internals/json-format (format_version 1.x).
 */

/** A resource as it will be after apply (`planned_values`); values not known until apply are absent. */
export interface PlannedResource {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly values: Record<string, unknown>;
}

/** What Terraform will do to one resource. */
export interface ResourceChange {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly change: {
    /** e.g. ["create"], ["no-op"], ["update"], ["delete", "create"]. */
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    /** Same shape as `after`, `true` where a value is known only after apply. */
    readonly after_unknown?: unknown;
    /** The attribute paths whose change forces a replace, e.g. `[["ami"]]`. */
    readonly replace_paths?: ReadonlyArray<ReadonlyArray<string | number>>;
  };
  /** Why Terraform chose the action, e.g. `replace_because_cannot_update`. */
  readonly action_reason?: string;
}

/** An argument in the configuration: a literal (`constant_value`) or what it refers to (`references`). */
export interface ConfigExpression {
  readonly constant_value?: unknown;
  readonly references?: readonly string[];
}

/** One resource of a plan's configuration (`configuration.root_module.resources`): its address and expressions. */
export interface ConfigResource {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly expressions?: Record<string, unknown>;
}

/** A module of a plan's planned values: its resources and child modules. */
export interface PlannedModule {
  readonly resources?: readonly PlannedResource[];
  readonly child_modules?: readonly PlannedModule[];
}

/** The plan JSON of one stack. */
export interface PlanJson {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly planned_values?: { readonly root_module?: PlannedModule };
  readonly resource_changes?: readonly ResourceChange[];
  readonly configuration?: { readonly root_module?: { readonly resources?: readonly ConfigResource[] } };
  readonly errored?: boolean;
}

/** Every managed resource the plan leaves in place or creates, root and child modules alike. */
export function plannedResources(plan: PlanJson, type?: string): PlannedResource[] {
  const walk = (module: PlannedModule | undefined): PlannedResource[] => [
    ...(module?.resources ?? []),
    ...(module?.child_modules ?? []).flatMap(walk),
  ];
  return walk(plan.planned_values?.root_module).filter(
    (r) => r.mode === "managed" && (type === undefined || r.type === type),
  );
}

/** The one planned resource at `address`; throws naming the addresses there are when it is not in the plan. */
export function plannedResource(plan: PlanJson, address: string): PlannedResource {
  const found = plannedResources(plan).find((r) => r.address === address);
  if (found === undefined) throw new Error(`no resource ${address} in the plan`);
  return found;
}

/**
 * What the argument `attribute` of the resource at `address` refers to in the configuration, e.g.
 * `["aws_internet_gateway.igw.id", "aws_internet_gateway.igw"]`; [] for a literal or a missing argument.
 */
export function referencesOf(plan: PlanJson, address: string, attribute: string): readonly string[] {
  const resource = plan.configuration?.root_module?.resources?.find(
    (r) => r.address === address.replace(/\[[^\]]*\]$/, ""),
  );
  const expression = resource?.expressions?.[attribute] as ConfigExpression | undefined;
  return expression?.references ?? [];
}

/** The resource addresses (`type.name`) among `references`, without attribute paths. */
export function referencedAddresses(references: readonly string[]): string[] {
  const addresses = references.map((ref) => ref.split(".").slice(0, 2).join("."));
  return [...new Set(addresses)];
}

/** One change's action: `replace` for delete-then-create or create-then-delete, else Terraform's own (`no-op`, ...). */
export function changeAction(change: ResourceChange): string {
  const actions = change.change.actions;
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  return actions[0] ?? "unknown";
}

/** Count of planned actions by resource type: `{ aws_subnet: { create: 5 } }`; `delete, create` counts as `replace`. */
export function actionCounts(plan: PlanJson): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const change of plan.resource_changes ?? []) {
    if (change.mode !== "managed") continue;
    const action = changeAction(change);
    const byAction = (counts[change.type] ??= {});
    byAction[action] = (byAction[action] ?? 0) + 1;
  }
  return counts;
}

/** A short account of a plan: totals per action, then one line per resource type, e.g. `  aws_subnet  create 5`. */
export function summarizePlan(plan: PlanJson): string[] {
  const counts = actionCounts(plan);
  const totals: Record<string, number> = {};
  for (const byAction of Object.values(counts)) {
    for (const [action, n] of Object.entries(byAction)) totals[action] = (totals[action] ?? 0) + n;
  }
  const order = ["create", "update", "replace", "delete", "read", "no-op"];
  const rank = (action: string) => (order.includes(action) ? order.indexOf(action) : order.length);
  const describe = (byAction: Record<string, number>) =>
    Object.entries(byAction)
      .sort(([a], [b]) => rank(a) - rank(b))
      .map(([action, n]) => `${action} ${n}`)
      .join(", ");
  const types = Object.keys(counts).sort();
  const width = Math.max(0, ...types.map((t) => t.length));
  return [
    types.length === 0 ? "no resources" : `${describe(totals)} (${types.length} resource types)`,
    ...types.map((type) => `  ${type.padEnd(width)}  ${describe(counts[type])}`),
  ];
}
