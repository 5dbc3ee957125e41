import { PlanJson } from "../../modules/rules/plan-json";
import { StackJson } from "../../modules/rules/synth-view";
import { RuleInput } from "../../modules/rules/view";

/** A reference to another resource's attribute (`id` unless said): `${type.name.attr}` at synth, a configuration reference in a plan. */
export class Ref {
  constructor(
    readonly target: string,
    readonly attribute = "id",
  ) {}
}

/** One nested block: cdktf writes it as an object, a plan as a list of one. */
export class Block {
  constructor(readonly value: Record<string, unknown>) {}
}

export const ref = (target: string, attribute?: string) => new Ref(target, attribute);
export const block = (value: Record<string, unknown>) => new Block(value);

/** Resources by address (`type.name`); values may hold `ref(...)` (top level, alone or a list of them) and `block(...)` (anywhere). */
export type Fixture = Record<string, Record<string, unknown>>;

function synthValue(value: unknown): unknown {
  if (value instanceof Ref) return `\${${value.target}.${value.attribute}}`;
  if (value instanceof Block) return synthValue(value.value);
  if (Array.isArray(value)) return value.map(synthValue);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, synthValue(v)]));
  return value;
}

function planValue(value: unknown): unknown {
  if (value instanceof Block) return [planValue(value.value)];
  if (Array.isArray(value)) return value.map(planValue);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, planValue(v)]));
  return value;
}

/** The fixture as a stack's synthesized JSON, as cdktf writes it, with an optional backend. */
export function asSynth(fixture: Fixture, backend: Record<string, unknown> = { s3: { bucket: "state" } }): StackJson {
  const resource: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [address, values] of Object.entries(fixture)) {
    const [type, name] = address.split(".");
    (resource[type] ??= {})[name] = synthValue(values) as Record<string, unknown>;
  }
  return { resource, terraform: { backend } };
}

/**
 * The fixture as `terraform show -json` writes it: references are unknown until apply, so they are absent from
 * `planned_values` and listed in `configuration` (`["aws_vpc.v.id", "aws_vpc.v"]`); blocks are lists.
 */
export function asPlan(fixture: Fixture): PlanJson {
  const split = (address: string) => ({
    address,
    mode: "managed" as const,
    type: address.split(".")[0],
    name: address.split(".")[1],
  });
  const entries = Object.entries(fixture);
  return {
    format_version: "1.2",
    planned_values: {
      root_module: {
        resources: entries.map(([address, values]) => ({
          ...split(address),
          values: Object.fromEntries(
            Object.entries(values)
              .filter(([, v]) => refsIn(v).length === 0)
              .map(([k, v]) => [k, planValue(v)]),
          ),
        })),
      },
    },
    configuration: {
      root_module: {
        resources: entries.map(([address, values]) => ({
          ...split(address),
          expressions: Object.fromEntries(
            Object.entries(values)
              .filter(([, v]) => refsIn(v).length > 0)
              .map(([k, v]) => [k, { references: refsIn(v).flatMap((r) => [`${r.target}.${r.attribute}`, r.target]) }]),
          ),
        })),
      },
    },
  };
}

/** The references of a top-level value: a `ref(...)`, or a list of them (such as `security_group_ids`). */
function refsIn(value: unknown): Ref[] {
  if (value instanceof Ref) return [value];
  return Array.isArray(value) && value.length > 0 && value.every((v) => v instanceof Ref) ? value : [];
}

/** Both inputs, for `describe.each`. */
export const INPUTS: readonly RuleInput[] = ["synth", "plan"];
