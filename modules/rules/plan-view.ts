import { changeAction, ConfigExpression, PlanJson, plannedResources } from "./plan-json";
import { addressOf, ChangeView, ResourceView, StackView } from "./view";

/**
 * The view of a plan (`terraform show -json`): the planned values of every managed resource, and per argument what
 * the configuration says it refers to. An argument known only after apply and taken from another resource (an id,
 * most often) gets that reference as an opaque `${...}` string, as the synthesized JSON writes it.
 */
export function viewOfPlan(plan: PlanJson): StackView {
  const configured = new Map(
    (plan.configuration?.root_module?.resources ?? []).map((r) => [r.address, r.expressions ?? {}]),
  );
  const resources: ResourceView[] = plannedResources(plan).map((planned) => {
    const references: Record<string, string[]> = {};
    const values: Record<string, unknown> = { ...planned.values };
    for (const [attribute, expression] of Object.entries(configured.get(addressOf(planned.address)) ?? {})) {
      const refs = (expression as ConfigExpression | undefined)?.references;
      if (!Array.isArray(refs) || refs.length === 0) continue;
      references[attribute] = [...refs];
      // Terraform lists `aws_vpc.x.id` then `aws_vpc.x`: the first is the most precise.
      if (values[attribute] === undefined || values[attribute] === null) values[attribute] = `\${${refs[0]}}`;
    }
    return { address: planned.address, type: planned.type, name: planned.name, values, references };
  });
  return { input: "plan", resources, changes: changesOfPlan(plan) };
}

/** What the plan does to each managed resource (`resource_changes`), in the plan's order. */
export function changesOfPlan(plan: PlanJson): ChangeView[] {
  return (plan.resource_changes ?? [])
    .filter((c) => c.mode === "managed")
    .map((c) => ({
      address: c.address,
      type: c.type,
      action: changeAction(c),
      before:
        c.change.before !== null && typeof c.change.before === "object"
          ? (c.change.before as Record<string, unknown>)
          : {},
      forcedBy: (c.change.replace_paths ?? []).map((path) => path.join(".")),
    }));
}
