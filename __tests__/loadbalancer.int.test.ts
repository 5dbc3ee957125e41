import { resolveConfig } from "../modules/environment/load";
import { addEnvironmentStacks } from "../modules/environment/app";
import { planApp } from "../modules/tools/pipeline/plan";
import { actionCounts, PlanJson, plannedResources, referencedAddresses } from "../modules/rules/plan-json";
import { checkPlan } from "../modules/rules/check";
import { formatFinding } from "../modules/rules/engine";
import { environmentRuleOptions } from "../modules/rules/exceptions";
import { describeWithTerraform } from "./support/terraform";
import { targetOf } from "./support/plan";
import { rawWorkshop } from "./support/config";
import { DOCUMENTED_VARIANTS, LOAD_BALANCER_ACCEPTED } from "./support/variants";

/** The README's two load balancer variants of the default environment, named after them. */
const VARIANTS = ["load-balancer-http", "load-balancer-https"] as const;
function environments() {
  return resolveConfig({
    environments: VARIANTS.map((name) => {
      const env = rawWorkshop();
      DOCUMENTED_VARIANTS[name](env);
      return { ...env, name };
    }),
  });
}

/** The one resource a nested block's argument refers to, e.g. `default_action[0].target_group_arn`. */
function nestedTarget(plan: PlanJson, address: string, block: string, attribute: string): string {
  const resource = plan.configuration?.root_module?.resources?.find((r) => r.address === address);
  const blocks = resource?.expressions?.[block] as Array<Record<string, { references?: string[] }>> | undefined;
  const targets = referencedAddresses(blocks?.[0]?.[attribute]?.references ?? []);
  if (targets.length !== 1)
    throw new Error(`${address}.${block}[0].${attribute} refers to ${targets.join(", ") || "nothing"}`);
  return targets[0];
}

const listeners = (plan: PlanJson) =>
  plannedResources(plan, "aws_lb_listener").sort((a, b) => Number(a.values.port) - Number(b.values.port));

describeWithTerraform("offline plans with a load balancer", (toolchain) => {
  const envs = environments();
  const plans = new Map<string, PlanJson>();

  // Two stacks, planned one after the other (each plan holds the ~630 MB provider): 2-3 minutes on a busy 2-core machine.
  beforeAll(async () => {
    for (const p of await planApp((app) => addEnvironmentStacks(app, envs), {
      toolchain: toolchain(),
      mode: "offline",
    }))
      plans.set(p.stack, p.plan);
  }, 600_000);

  it("planned both variants, creating only", () => {
    expect([...plans.keys()].sort()).toEqual([...VARIANTS]);
    for (const plan of plans.values()) {
      expect(new Set(Object.values(actionCounts(plan)).flatMap((byAction) => Object.keys(byAction)))).toEqual(
        new Set(["create"]),
      );
    }
  });

  it.each<[string, string[]]>(LOAD_BALANCER_ACCEPTED)(
    "%s passes every rule in its plan; the load balancer findings accepted are exactly the ones its config implies",
    (name, expected) => {
      const env = envs.find((e) => e.config.name === name)!.config;
      const result = checkPlan(plans.get(name)!, environmentRuleOptions(env));
      expect(result.findings.map(formatFinding)).toEqual([]);
      const lbAccepted = result.accepted
        .filter((f) => /^(lb|alb)-/.test(f.rule))
        .map((f) => `${f.rule} ${f.address.replace(/_[0-9A-F]{8}$/, "")}`);
      expect(lbAccepted.sort()).toEqual(expected);
    },
  );

  it.each(VARIANTS)(
    "%s: an internet-facing ALB dropping invalid headers, and every app server in its target group on 8080",
    (name) => {
      const plan = plans.get(name)!;
      const [lb] = plannedResources(plan, "aws_lb");
      expect(lb.values).toMatchObject({
        internal: false,
        load_balancer_type: "application",
        drop_invalid_header_fields: true,
        enable_deletion_protection: name === "load-balancer-https",
      });
      const [tg] = plannedResources(plan, "aws_lb_target_group");
      expect(tg.values).toMatchObject({
        port: 8080,
        protocol: "HTTP",
        health_check: [expect.objectContaining({ path: "/", port: "traffic-port" })],
      });
      const apps = plannedResources(plan, "aws_instance")
        .filter((i) => i.name.startsWith("AppServers_"))
        .map((i) => i.address);
      const attachments = plannedResources(plan, "aws_lb_target_group_attachment");
      expect(attachments.map((a) => targetOf(plan, a.address, "target_id")).sort()).toEqual(apps.sort());
      for (const a of attachments) {
        expect(targetOf(plan, a.address, "target_group_arn")).toBe(tg.address);
        expect(a.values.port).toBe(8080);
      }
    },
  );

  it("load-balancer-http: port 80 forwards to the target group", () => {
    const plan = plans.get("load-balancer-http")!;
    const [http] = listeners(plan);
    expect(listeners(plan)).toHaveLength(1);
    expect(http.values).toMatchObject({
      port: 80,
      protocol: "HTTP",
      default_action: [expect.objectContaining({ type: "forward" })],
    });
    expect(nestedTarget(plan, http.address, "default_action", "target_group_arn")).toBe(
      plannedResources(plan, "aws_lb_target_group")[0].address,
    );
  });

  it("load-balancer-https: 80 redirects to HTTPS, 443 forwards with TLS 1.2+, and access logs go to a private bucket", () => {
    const plan = plans.get("load-balancer-https")!;
    const [http, https] = listeners(plan);
    expect(http.values).toMatchObject({
      port: 80,
      protocol: "HTTP",
      default_action: [
        expect.objectContaining({
          type: "redirect",
          redirect: [expect.objectContaining({ protocol: "HTTPS", port: "443", status_code: "HTTP_301" })],
        }),
      ],
    });
    expect(https.values).toMatchObject({
      port: 443,
      protocol: "HTTPS",
      ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      certificate_arn: expect.stringMatching(/^arn:aws:acm:ap-northeast-2:/),
    });
    const [lb] = plannedResources(plan, "aws_lb");
    expect(lb.values.access_logs).toEqual([expect.objectContaining({ enabled: true })]);
    expect(nestedTarget(plan, lb.address, "access_logs", "bucket")).toBe(
      plannedResources(plan, "aws_s3_bucket")[0].address,
    );
  });
});
