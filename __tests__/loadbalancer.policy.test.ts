import { checkPlan, environmentExceptions } from "../modules/policy/check";
import { POLICY_RULES } from "../modules/policy/rules";
import { LOAD_BALANCER_RULES } from "../modules/policy/load-balancer-rules";
import { PlanJson } from "../modules/pipeline/plan-json";
import { handMadePlan } from "./support/hand-made-plan";
import { workshopConfig } from "./support/synth";
import { EXAMPLE_CERTIFICATE_ARN } from "./support/variants";

const goodLb = { load_balancer_type: "application", internal: false, drop_invalid_header_fields: true, enable_deletion_protection: true, access_logs: [{ enabled: true, bucket: "b" }] };
const redirect = { port: 80, protocol: "HTTP", default_action: [{ type: "redirect", redirect: [{ protocol: "HTTPS", port: "443", status_code: "HTTP_301" }] }] };
const forward = { type: "forward", target_group_arn: "arn" };
const tls = { port: 443, protocol: "HTTPS", ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06", default_action: [forward] };

/** An ALB (with `lb` values over a compliant one), its listeners, and a WAF association unless `waf` is false. */
function albPlan(lb: Record<string, unknown>, listeners: Array<Record<string, unknown>>, waf = true): PlanJson {
  const values: Record<string, Record<string, unknown>> = { "aws_lb.alb": { ...goodLb, ...lb } };
  const refs: Record<string, Record<string, string>> = {};
  listeners.forEach((l, i) => {
    values[`aws_lb_listener.l${i}`] = l;
    refs[`aws_lb_listener.l${i}`] = { load_balancer_arn: "aws_lb.alb" };
  });
  if (waf) {
    values["aws_wafv2_web_acl_association.w"] = {};
    refs["aws_wafv2_web_acl_association.w"] = { resource_arn: "aws_lb.alb" };
  }
  return handMadePlan(values, refs);
}

const findings = (p: PlanJson) => checkPlan(p, [], LOAD_BALANCER_RULES).findings.map((f) => `${f.rule} ${f.address}`);

describe("load balancer rules", () => {
  it("are all among POLICY_RULES", () => {
    for (const rule of LOAD_BALANCER_RULES) expect(POLICY_RULES).toContain(rule);
  });

  it("find nothing in an HTTPS ALB with a redirect, TLS 1.2+, dropped headers, logs, deletion protection and a WAF", () => {
    expect(findings(albPlan({}, [redirect, tls]))).toEqual([]);
  });

  it("CKV_AWS_2 and CKV2_AWS_20: a plain HTTP listener that forwards", () => {
    expect(findings(albPlan({}, [{ port: 80, protocol: "HTTP", default_action: [forward] }, tls]))).toEqual(["CKV_AWS_2 aws_lb_listener.l0", "CKV2_AWS_20 aws_lb.alb"]);
  });

  it("CKV_AWS_2: a redirect to another HTTP URL is no redirect to HTTPS", () => {
    const toHttp = { ...redirect, default_action: [{ type: "redirect", redirect: [{ protocol: "HTTP", port: "8080" }] }] };
    expect(findings(albPlan({}, [toHttp]))).toEqual(["CKV_AWS_2 aws_lb_listener.l0", "CKV2_AWS_20 aws_lb.alb"]);
  });

  it("CKV_AWS_103: an HTTPS listener with no policy (the provider's TLS 1.0 default) or an old one", () => {
    expect(findings(albPlan({}, [redirect, { ...tls, ssl_policy: undefined }]))).toEqual(["CKV_AWS_103 aws_lb_listener.l1"]);
    expect(findings(albPlan({}, [redirect, { ...tls, ssl_policy: "ELBSecurityPolicy-2016-08" }]))).toEqual(["CKV_AWS_103 aws_lb_listener.l1"]);
    expect(findings(albPlan({}, [redirect, { ...tls, ssl_policy: "ELBSecurityPolicy-TLS-1-2-2017-01" }]))).toEqual([]);
  });

  it("CKV_AWS_131, CKV_AWS_91, CKV_AWS_150: headers kept, no access logs, no deletion protection", () => {
    expect(findings(albPlan({ drop_invalid_header_fields: false }, [redirect, tls]))).toEqual(["CKV_AWS_131 aws_lb.alb"]);
    expect(findings(albPlan({ access_logs: [{ enabled: false, bucket: "b" }] }, [redirect, tls]))).toEqual(["CKV_AWS_91 aws_lb.alb"]);
    expect(findings(albPlan({ access_logs: [] }, [redirect, tls]))).toEqual(["CKV_AWS_91 aws_lb.alb"]);
    expect(findings(albPlan({ enable_deletion_protection: false }, [redirect, tls]))).toEqual(["CKV_AWS_150 aws_lb.alb"]);
  });

  it("CKV2_AWS_28: an internet-facing ALB without a WAF; an internal one needs none", () => {
    expect(findings(albPlan({}, [redirect, tls], false))).toEqual(["CKV2_AWS_28 aws_lb.alb"]);
    expect(findings(albPlan({ internal: true }, [redirect, tls], false))).toEqual([]);
  });

  it("CKV_AWS_131 and CKV2_AWS_28 are for application load balancers only", () => {
    expect(findings(albPlan({ load_balancer_type: "network", drop_invalid_header_fields: false }, [], false))).toEqual([]);
  });
});

describe("environmentExceptions for a load balancer", () => {
  const withLb = (lb: Record<string, unknown>) => ({ ...workshopConfig(), loadBalancer: lb });
  const rules = (lb: Record<string, unknown>) => environmentExceptions(withLb(lb)).filter((e) => e.addressPrefix?.includes("LoadBalancer_")).map((e) => e.rule);

  it("always accepts the missing WAF, with its reason", () => {
    const waf = environmentExceptions(withLb({ certificateArn: EXAMPLE_CERTIFICATE_ARN, accessLogs: { enabled: true } })).filter((e) => e.rule === "CKV2_AWS_28");
    expect(waf).toEqual([{ rule: "CKV2_AWS_28", addressPrefix: "aws_lb.LoadBalancer_", reason: expect.stringMatching(/^no WAF web ACL: .+ associate one before production traffic$/) }]);
    expect(rules({ certificateArn: EXAMPLE_CERTIFICATE_ARN, accessLogs: { enabled: true } })).toEqual(["CKV2_AWS_28"]);
  });

  it("accepts plain HTTP without a certificate, no logs when they are off, and no deletion protection when it is turned off", () => {
    expect(rules({ deletionProtection: false }).sort()).toEqual(["CKV2_AWS_20", "CKV2_AWS_28", "CKV_AWS_150", "CKV_AWS_2", "CKV_AWS_91"].sort());
  });

  it("implies nothing without a load balancer", () => {
    expect(rules({}).length).toBeGreaterThan(0);
    expect(environmentExceptions(workshopConfig()).filter((e) => e.addressPrefix?.includes("LoadBalancer_"))).toEqual([]);
  });
});
