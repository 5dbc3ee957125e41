import { resolveConfig } from "../modules/environment/load";
import { addEnvironmentStacks } from "../modules/environment/app";
import { planApp } from "../modules/tools/pipeline/plan";
import { actionCounts, PlanJson, plannedResources } from "../modules/rules/plan-json";
import { checkPlan } from "../modules/rules/check";
import { formatFinding } from "../modules/rules/engine";
import { environmentRuleOptions } from "../modules/rules/exceptions";
import { describeWithTerraform } from "./support/terraform";
import { rawWorkshop } from "./support/config";
import { DOCUMENTED_VARIANTS } from "./support/variants";

// The dual-stack variant of docs/configuration.md (ipv6 with the load balancer), planned offline by the real provider.

describeWithTerraform("an offline plan of the dual-stack environment with the load balancer", (toolchain) => {
  const env = rawWorkshop();
  DOCUMENTED_VARIANTS["dual-stack"](env);
  const envs = resolveConfig({ environments: [env] });
  let plan: PlanJson;

  beforeAll(async () => {
    const [planned] = await planApp((app) => addEnvironmentStacks(app, envs), {
      toolchain: toolchain(),
      mode: "offline",
    });
    plan = planned.plan;
  }, 600_000);

  it("creates only, the load balancer dual-stack, the VPC asking for its /56", () => {
    expect(new Set(Object.values(actionCounts(plan)).flatMap((byAction) => Object.keys(byAction)))).toEqual(
      new Set(["create"]),
    );
    expect(plannedResources(plan, "aws_lb").map((r) => r.values.ip_address_type)).toEqual(["dualstack"]);
    expect(plannedResources(plan, "aws_vpc").map((r) => r.values.assign_generated_ipv6_cidr_block)).toEqual([true]);
    expect(plannedResources(plan, "aws_egress_only_internet_gateway")).toHaveLength(1);
  });

  it("gives every subnet a /64 known only after apply, and routes ::/0 from every public and private table", () => {
    const subnets = (plan.resource_changes ?? []).filter((c) => c.type === "aws_subnet");
    expect(subnets.length).toBe(5);
    for (const s of subnets) expect((s.change.after_unknown as Record<string, unknown>).ipv6_cidr_block).toBe(true);
    const routes = plannedResources(plan, "aws_route").filter((r) => r.values.destination_ipv6_cidr_block === "::/0");
    // public, management (public) and the internal tier's two AZ tables (private).
    expect(routes).toHaveLength(4);
  });

  it("breaks no rule: the rules read the IPv6 rules and routes of the plan", () => {
    const { findings } = checkPlan(plan, environmentRuleOptions(envs[0].config));
    expect(findings.map(formatFinding)).toEqual([]);
  });
});
