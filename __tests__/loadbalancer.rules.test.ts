import { Testing } from "cdktf";
import { checkPlan, checkSynth, CheckOptions } from "../modules/rules/check";
import { RuleResult } from "../modules/rules/engine";
import { environmentExceptions, environmentRuleOptions, loadBalancerExceptions } from "../modules/rules/exceptions";
import { RULES } from "../modules/rules/rules";
import { StackJson } from "../modules/rules/synth-view";
import { RuleInput } from "../modules/rules/view";
import { EnvironmentStack } from "../modules/environment/stack";
import { resolveConfig } from "../modules/environment/load";
import { asPlan, asSynth, block, Fixture, INPUTS, ref } from "./support/rule-fixtures";
import { rawWorkshop } from "./support/config";
import { workshopConfig } from "./support/synth";
import { DOCUMENTED_VARIANTS, EXAMPLE_CERTIFICATE_ARN, LOAD_BALANCER_ACCEPTED } from "./support/variants";

/** The load balancer rules: id, then scanner ids. */
const LB_RULES: Record<string, string[]> = {
  "lb-listener-https": ["CKV_AWS_2"],
  "lb-listener-tls12": ["CKV_AWS_103"],
  "alb-drop-invalid-headers": ["CKV_AWS_131"],
  "lb-access-logs": ["CKV_AWS_91"],
  "lb-deletion-protection": ["CKV_AWS_150"],
  "alb-redirect-http": ["CKV2_AWS_20"],
  "alb-waf": ["CKV2_AWS_28"],
};
const lbRules = RULES.filter((r) => r.id in LB_RULES);

function check(input: RuleInput, fixture: Fixture, options: CheckOptions = {}): RuleResult {
  const withRules = { rules: lbRules, ...options };
  return input === "synth" ? checkSynth(asSynth(fixture), withRules) : checkPlan(asPlan(fixture), withRules);
}

/** `rule address` of each finding of the load balancer rules. */
const hits = (input: RuleInput, fixture: Fixture, options: CheckOptions = {}) =>
  check(input, fixture, options).findings.map((f) => `${f.rule} ${f.address}`);

const goodLb = {
  load_balancer_type: "application",
  internal: false,
  drop_invalid_header_fields: true,
  enable_deletion_protection: true,
  access_logs: block({ enabled: true, bucket: "b" }),
};
const forward = { type: "forward", target_group_arn: "arn" };
const redirect = {
  port: 80,
  protocol: "HTTP",
  default_action: [{ type: "redirect", redirect: block({ protocol: "HTTPS", port: "443", status_code: "HTTP_301" }) }],
};
const tls = {
  port: 443,
  protocol: "HTTPS",
  ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
  default_action: [forward],
};

/** An ALB `aws_lb.alb` (with `lb` over a compliant one), its listeners `aws_lb_listener.l<i>`, and a WAF association unless `waf` is false. */
function alb(lb: Record<string, unknown>, listeners: Array<Record<string, unknown>>, waf = true): Fixture {
  const fixture: Fixture = { "aws_lb.alb": { ...goodLb, ...lb } };
  listeners.forEach(
    (l, i) => (fixture[`aws_lb_listener.l${i}`] = { ...l, load_balancer_arn: ref("aws_lb.alb", "arn") }),
  );
  if (waf)
    fixture["aws_wafv2_web_acl_association.w"] = {
      resource_arn: ref("aws_lb.alb", "arn"),
      web_acl_arn: "arn:aws:wafv2:acl",
    };
  return fixture;
}

describe("the load balancer rules in the rule list", () => {
  it("are in RULES with their stable ids and checkov ids, on both inputs", () => {
    expect(Object.fromEntries(lbRules.map((r) => [r.id, r.scannerIds]))).toEqual(LB_RULES);
    for (const rule of lbRules) expect(rule.inputs).toBeUndefined();
  });
});

describe.each(INPUTS)("on %s input", (input) => {
  it("find nothing in an HTTPS ALB with a redirect, TLS 1.2+, dropped headers, logs, deletion protection and a WAF", () => {
    expect(check(input, alb({}, [redirect, tls]))).toEqual({ findings: [], accepted: [] });
  });

  it("lb-listener-https (CKV_AWS_2) and alb-redirect-http (CKV2_AWS_20): a plain HTTP listener that forwards", () => {
    expect(hits(input, alb({}, [{ port: 80, protocol: "HTTP", default_action: [forward] }, tls]))).toEqual([
      "lb-listener-https aws_lb_listener.l0",
      "alb-redirect-http aws_lb.alb",
    ]);
  });

  it("a listener without a protocol is HTTP", () => {
    expect(hits(input, alb({}, [{ port: 80, default_action: [forward] }]))).toEqual([
      "lb-listener-https aws_lb_listener.l0",
      "alb-redirect-http aws_lb.alb",
    ]);
  });

  it("a redirect to another HTTP URL is no redirect to HTTPS", () => {
    const toHttp = {
      ...redirect,
      default_action: [{ type: "redirect", redirect: block({ protocol: "HTTP", port: "8080" }) }],
    };
    expect(hits(input, alb({}, [toHttp]))).toEqual([
      "lb-listener-https aws_lb_listener.l0",
      "alb-redirect-http aws_lb.alb",
    ]);
  });

  it("alb-redirect-http judges only the ALB's own listeners", () => {
    const fixture: Fixture = {
      ...alb({}, [redirect, tls]),
      "aws_lb.other": { ...goodLb },
      "aws_wafv2_web_acl_association.o": { resource_arn: ref("aws_lb.other", "arn") },
      "aws_lb_listener.plain": {
        port: 8080,
        protocol: "HTTP",
        default_action: [forward],
        load_balancer_arn: ref("aws_lb.other", "arn"),
      },
    };
    expect(hits(input, fixture)).toEqual(["lb-listener-https aws_lb_listener.plain", "alb-redirect-http aws_lb.other"]);
  });

  it("lb-listener-tls12 (CKV_AWS_103): an HTTPS listener with no policy (the provider's TLS 1.0 default) or an old one", () => {
    const { ssl_policy: _none, ...noPolicy } = tls;
    expect(hits(input, alb({}, [redirect, noPolicy]))).toEqual(["lb-listener-tls12 aws_lb_listener.l1"]);
    expect(check(input, alb({}, [redirect, noPolicy])).findings[0].message).toMatch(
      /^ssl_policy null allows TLS below 1\.2/,
    );
    expect(hits(input, alb({}, [redirect, { ...tls, ssl_policy: "ELBSecurityPolicy-2016-08" }]))).toEqual([
      "lb-listener-tls12 aws_lb_listener.l1",
    ]);
    expect(
      hits(input, alb({}, [redirect, { ...tls, protocol: "TLS", ssl_policy: "ELBSecurityPolicy-TLS-1-1-2017-01" }])),
    ).toEqual(["lb-listener-tls12 aws_lb_listener.l1"]);
    expect(hits(input, alb({}, [redirect, { ...tls, ssl_policy: "ELBSecurityPolicy-TLS-1-2-2017-01" }]))).toEqual([]);
    expect(hits(input, alb({}, [redirect, { ...tls, ssl_policy: "ELBSecurityPolicy-FS-1-2-Res-2020-10" }]))).toEqual(
      [],
    );
  });

  it.each<[string, string, Record<string, unknown>]>([
    ["headers kept", "alb-drop-invalid-headers", { drop_invalid_header_fields: false }],
    ["headers not set (the default keeps them)", "alb-drop-invalid-headers", { drop_invalid_header_fields: undefined }],
    ["access logs off", "lb-access-logs", { access_logs: block({ enabled: false, bucket: "b" }) }],
    ["no access_logs block", "lb-access-logs", { access_logs: undefined }],
    ["no deletion protection", "lb-deletion-protection", { enable_deletion_protection: false }],
  ])("%s fails %s", (_label, rule, lb) => {
    const values = Object.fromEntries(Object.entries({ ...goodLb, ...lb }).filter(([, v]) => v !== undefined));
    expect(hits(input, { ...alb({}, [redirect, tls]), "aws_lb.alb": values })).toEqual([`${rule} aws_lb.alb`]);
  });

  it("alb-waf (CKV2_AWS_28): an internet-facing ALB without a WAF; an internal one needs none", () => {
    expect(hits(input, alb({}, [redirect, tls], false))).toEqual(["alb-waf aws_lb.alb"]);
    expect(hits(input, alb({ internal: true }, [redirect, tls], false))).toEqual([]);
  });

  it("alb-drop-invalid-headers and alb-waf are for application load balancers only; aws_alb is a load balancer too", () => {
    expect(hits(input, alb({ load_balancer_type: "network", drop_invalid_header_fields: false }, [], false))).toEqual(
      [],
    );
    expect(hits(input, { "aws_alb.a": { ...goodLb, enable_deletion_protection: false } })).toEqual([
      "lb-deletion-protection aws_alb.a",
      "alb-waf aws_alb.a",
    ]);
  });

  it("an exception may name the rule id or its checkov id, limited to a resource", () => {
    const fixture = alb({ enable_deletion_protection: false }, [redirect, tls], false);
    const result = check(input, fixture, {
      exceptions: [
        { rule: "CKV2_AWS_28", resource: "aws_lb.alb", reason: "no WAF yet" },
        { rule: "lb-deletion-protection", resource: "aws_lb.other", reason: "another one" },
      ],
    });
    expect(result.findings.map((f) => f.rule)).toEqual(["lb-deletion-protection"]);
    expect(result.accepted.map((f) => [f.rule, f.reason])).toEqual([["alb-waf", "no WAF yet"]]);
  });
});

describe("loadBalancerExceptions", () => {
  const withLb = (lb: Record<string, unknown>) => ({ ...workshopConfig(), loadBalancer: lb });
  const rules = (lb: Record<string, unknown>) => loadBalancerExceptions(withLb(lb)).map((e) => e.rule);

  it("always accepts the missing WAF on the environment's load balancer, with its reason", () => {
    expect(
      loadBalancerExceptions(withLb({ certificateArn: EXAMPLE_CERTIFICATE_ARN, accessLogs: { enabled: true } })),
    ).toEqual([
      {
        rule: "alb-waf",
        resource: "aws_lb.LoadBalancer_",
        reason: expect.stringMatching(/^no WAF web ACL: .+ associate one before production traffic$/),
      },
      {
        rule: "bucket-access-logging",
        resource: "aws_s3_bucket.LoadBalancer_AccessLogs_",
        reason: "the load balancer's access-log bucket is itself the log: only ELB log delivery writes to it",
      },
    ]);
  });

  it("accepts plain HTTP without a certificate, no logs when they are off, and no deletion protection when it is turned off", () => {
    expect(loadBalancerExceptions(withLb({ deletionProtection: false })).map((e) => [e.rule, e.resource])).toEqual([
      ["alb-waf", "aws_lb.LoadBalancer_"],
      ["lb-listener-https", "aws_lb_listener.LoadBalancer_"],
      ["alb-redirect-http", "aws_lb.LoadBalancer_"],
      ["lb-access-logs", "aws_lb.LoadBalancer_"],
      ["lb-deletion-protection", "aws_lb.LoadBalancer_"],
    ]);
    expect(rules({ deletionProtection: true, accessLogs: { enabled: true } })).toEqual([
      "alb-waf",
      "lb-listener-https",
      "alb-redirect-http",
      "bucket-access-logging",
    ]);
  });

  it("are part of environmentExceptions, and there is none without a load balancer", () => {
    const env = withLb({ deletionProtection: false });
    expect(environmentExceptions(env)).toEqual(expect.arrayContaining(loadBalancerExceptions(env)));
    expect(loadBalancerExceptions(workshopConfig())).toEqual([]);
    expect(environmentExceptions(workshopConfig()).filter((e) => e.resource?.includes("LoadBalancer_"))).toEqual([]);
  });
});

describe("docs/load-balancer.md's load balancer variants at synth", () => {
  it.each(LOAD_BALANCER_ACCEPTED)(
    "%s breaks no rule; the load balancer findings accepted are exactly the ones its config implies",
    (variant, expected) => {
      const raw = rawWorkshop();
      DOCUMENTED_VARIANTS[variant](raw);
      const [env] = resolveConfig({ environments: [raw] });
      const stack = new EnvironmentStack(Testing.app(), env.config.name, env);
      const { findings, accepted } = checkSynth(stack.toTerraform() as StackJson, environmentRuleOptions(env.config));
      expect(findings).toEqual([]);
      const lbAccepted = accepted
        .filter((f) => f.rule in LB_RULES)
        .map((f) => `${f.rule} ${f.address.replace(/_[0-9A-F]{8}$/, "")}`);
      expect(lbAccepted.sort()).toEqual(expected);
    },
  );
});
