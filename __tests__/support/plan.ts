import {
  PlanJson,
  PlannedModule,
  plannedResource,
  plannedResources,
  referencedAddresses,
  referencesOf,
} from "../../modules/rules/plan-json";

/** The one address that `attribute` of the resource at `address` refers to; throws when it is not exactly one. */
export function targetOf(plan: PlanJson, address: string, attribute: string): string {
  const targets = referencedAddresses(referencesOf(plan, address, attribute));
  if (targets.length !== 1)
    throw new Error(`${address}.${attribute} refers to ${targets.join(", ") || "nothing"}, not one resource`);
  return targets[0];
}

/** A subnet's tier and AZ, from the tags and values the network gives it: `internal/ap-northeast-2a`. */
function subnetKey(plan: PlanJson, address: string): string {
  const values = plannedResource(plan, address).values;
  return `${(values.tags as Record<string, string>).Tier}/${String(values.availability_zone)}`;
}

/**
 * Where each subnet's default route (0.0.0.0/0) goes, followed through the plan's references: subnet → association →
 * route table → route → target. Keyed by `tier/az`; the value is `igw`, `nat-gateway/<az of its subnet>`,
 * `nat-instance/<az of its subnet>`, or `none` for a subnet whose table has no default route.
 */
export function defaultRouteTargets(plan: PlanJson): Record<string, string> {
  const routes = plannedResources(plan, "aws_route").filter((r) => r.values.destination_cidr_block === "0.0.0.0/0");
  const out: Record<string, string> = {};
  for (const association of plannedResources(plan, "aws_route_table_association")) {
    const table = targetOf(plan, association.address, "route_table_id");
    const route = routes.filter((r) => targetOf(plan, r.address, "route_table_id") === table);
    if (route.length > 1) throw new Error(`${table} has ${route.length} default routes`);
    out[subnetKey(plan, targetOf(plan, association.address, "subnet_id"))] =
      route.length === 0 ? "none" : describeTarget(plan, route[0].address);
  }
  return out;
}

function describeTarget(plan: PlanJson, route: string): string {
  const attributes = ["gateway_id", "nat_gateway_id", "network_interface_id"].filter(
    (a) => referencesOf(plan, route, a).length > 0,
  );
  if (attributes.length !== 1)
    throw new Error(`${route} should have exactly one target, has ${attributes.join(", ") || "none"}`);
  const target = targetOf(plan, route, attributes[0]);
  const type = target.split(".")[0];
  if (type === "aws_internet_gateway") return "igw";
  const az = subnetKey(plan, targetOf(plan, target, "subnet_id")).split("/")[1];
  if (type === "aws_nat_gateway") return `nat-gateway/${az}`;
  if (type === "aws_instance") return `nat-instance/${az}`;
  return target;
}

/** Number of planned resources per type, e.g. `{ aws_subnet: 5 }`. */
export function countsByType(plan: PlanJson, namePrefix = ""): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of plannedResources(plan)) if (r.name.startsWith(namePrefix)) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
}

/** Resource types a network is made of (the VPC, its blocks and endpoints, subnets, routes, gateways, NATs' EIPs aside). */
export const NETWORK_RESOURCE_TYPE =
  /^aws_(vpc$|vpc_ipv4|vpc_endpoint|subnet|route|internet_gateway|nat_gateway|default_|network_acl|flow_log)/;

/**
 * The part of `plan` under the root's `module.<label>`: its planned resources and their changes, addresses unchanged.
 * For a root module that calls several modules at once, so that one plan serves the tests of each.
 */
export function modulePlan(plan: PlanJson, label: string): PlanJson {
  const address = `module.${label}`;
  const child = plan.planned_values?.root_module?.child_modules?.find(
    (m) => (m as PlannedModule & { address?: string }).address === address,
  );
  if (child === undefined) throw new Error(`no ${address} in the plan`);
  return {
    ...plan,
    planned_values: { root_module: { child_modules: [child] } },
    resource_changes: (plan.resource_changes ?? []).filter((c) => c.address.startsWith(`${address}.`)),
  };
}
