import { PlanJson } from "../../modules/pipeline/plan-json";

/**
 * A hand-made plan: `values` per address (`type.name`), and per address the resource each argument refers to
 * (its `.id`), or the exact references list.
 */
export function handMadePlan(values: Record<string, Record<string, unknown>>, references: Record<string, Record<string, string | string[]>> = {}): PlanJson {
  const split = (address: string) => ({ address, mode: "managed" as const, type: address.split(".")[0], name: address.split(".")[1] });
  return {
    format_version: "1.2",
    planned_values: { root_module: { resources: Object.entries(values).map(([address, v]) => ({ ...split(address), values: v })) } },
    configuration: {
      root_module: {
        resources: Object.entries(references).map(([address, refs]) => ({
          ...split(address),
          expressions: Object.fromEntries(Object.entries(refs).map(([attr, target]) => [attr, { references: Array.isArray(target) ? target : [`${target}.id`, target] }])),
        })),
      },
    },
  };
}
