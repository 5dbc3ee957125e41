import { PlanJson, PlannedResource, plannedResources, referencedAddresses, referencesOf } from "../pipeline/plan-json";

// Load balancer rules, in the style of rules.ts; POLICY_RULES includes them. rules.ts and check.ts import this file,
// and the config schema reaches rules.ts: so the shapes used here are declared here, not imported (no import cycle).

/** A resource a rule objects to (`Violation` of rules.ts). */
interface Violation {
  readonly address: string;
  readonly message: string;
}

/** A rule over a plan, named by scanner ids (`PolicyRule` of rules.ts). */
interface PolicyRule {
  readonly ids: readonly [string, ...string[]];
  readonly description: string;
  readonly check: (plan: PlanJson) => Violation[];
}

/** What `loadBalancerExceptions` reads of an environment as written. */
export interface LoadBalancerExceptionInput {
  readonly name: string;
  readonly loadBalancer?: { readonly certificateArn?: string; readonly deletionProtection?: boolean; readonly accessLogs?: { readonly enabled?: boolean } };
}

const LB_TYPES = ["aws_lb", "aws_alb"];
const LISTENER_TYPES = ["aws_lb_listener", "aws_alb_listener"];

const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? (value as Record<string, unknown>[]) : []);
const ofTypes = (plan: PlanJson, types: readonly string[]): PlannedResource[] => types.flatMap((t) => plannedResources(plan, t));
/** Application load balancers (`load_balancer_type` defaults to application). */
const applicationLbs = (plan: PlanJson) => ofTypes(plan, LB_TYPES).filter((lb) => (lb.values.load_balancer_type ?? "application") === "application");

/** Whether a plain-HTTP listener's default action sends every request to HTTPS. */
function redirectsToHttps(listener: PlannedResource): boolean {
  const actions = list(listener.values.default_action);
  return actions.length > 0 && actions.every((a) => a.type === "redirect" && list(a.redirect).some((r) => r.protocol === "HTTPS"));
}

/** The listeners of the plan whose `load_balancer_arn` refers to `lb`. */
function listenersOf(plan: PlanJson, lb: string): PlannedResource[] {
  return ofTypes(plan, LISTENER_TYPES).filter((l) => referencedAddresses(referencesOf(plan, l.address, "load_balancer_arn")).includes(lb));
}

const listenerUsesHttps: PolicyRule = {
  ids: ["CKV_AWS_2"],
  description: "Load balancer listeners use HTTPS (or TLS, TCP, UDP); a plain HTTP listener only redirects to HTTPS",
  check: (plan) =>
    ofTypes(plan, LISTENER_TYPES)
      .filter((l) => (l.values.protocol ?? "HTTP") === "HTTP" && !redirectsToHttps(l))
      .map((l) => ({ address: l.address, message: `protocol HTTP on port ${String(l.values.port)} serves plain HTTP instead of redirecting to HTTPS` })),
};

/** TLS policies that offer nothing older than TLS 1.2, by the naming AWS uses for them. */
const TLS12_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)-/;

const listenerTls12: PolicyRule = {
  ids: ["CKV_AWS_103"],
  description: "HTTPS and TLS listeners use a security policy of TLS 1.2 or later (ELBSecurityPolicy-TLS13-1-2-*, -TLS-1-2-*, -FS-1-2-*)",
  check: (plan) =>
    ofTypes(plan, LISTENER_TYPES)
      .filter((l) => ["HTTPS", "TLS"].includes(String(l.values.protocol)))
      .filter((l) => typeof l.values.ssl_policy !== "string" || !TLS12_POLICY.test(l.values.ssl_policy))
      .map((l) => ({ address: l.address, message: `ssl_policy ${JSON.stringify(l.values.ssl_policy ?? null)} allows TLS below 1.2 (the provider's default does); use ELBSecurityPolicy-TLS13-1-2-2021-06` })),
};

/** A check of every application load balancer: `ok` holds, or `message` says what is wrong. */
function eachAlb(ok: (lb: PlannedResource, plan: PlanJson) => boolean, message: string): (plan: PlanJson) => Violation[] {
  return (plan) => applicationLbs(plan).filter((lb) => !ok(lb, plan)).map((lb) => ({ address: lb.address, message }));
}

const albDropsInvalidHeaders: PolicyRule = {
  ids: ["CKV_AWS_131"],
  description: "Application load balancers drop invalid HTTP header fields (drop_invalid_header_fields = true)",
  check: eachAlb((lb) => lb.values.drop_invalid_header_fields === true, "drop_invalid_header_fields is not true: malformed headers reach the app (request smuggling)"),
};

const lbAccessLogs: PolicyRule = {
  ids: ["CKV_AWS_91"],
  description: "Load balancers write access logs (access_logs.enabled = true)",
  check: (plan) =>
    ofTypes(plan, LB_TYPES)
      .filter((lb) => !list(lb.values.access_logs).some((l) => l.enabled === true))
      .map((lb) => ({ address: lb.address, message: "no access_logs with enabled = true: requests leave no record" })),
};

const lbDeletionProtection: PolicyRule = {
  ids: ["CKV_AWS_150"],
  description: "Load balancers have deletion protection (enable_deletion_protection = true)",
  check: (plan) =>
    ofTypes(plan, LB_TYPES)
      .filter((lb) => lb.values.enable_deletion_protection !== true)
      .map((lb) => ({ address: lb.address, message: "enable_deletion_protection is not true: one destroy takes the DNS name users point at" })),
};

const albRedirectsHttp: PolicyRule = {
  ids: ["CKV2_AWS_20"],
  description: "Application load balancers redirect HTTP to HTTPS: every HTTP listener's default action is a redirect to HTTPS",
  check: eachAlb(
    (lb, plan) => listenersOf(plan, lb.address).every((l) => (l.values.protocol ?? "HTTP") !== "HTTP" || redirectsToHttps(l)),
    "has an HTTP listener that does not redirect to HTTPS",
  ),
};

const albBehindWaf: PolicyRule = {
  ids: ["CKV2_AWS_28"],
  description: "Internet-facing application load balancers are protected by a WAF web ACL (aws_wafv2_web_acl_association)",
  check: eachAlb(
    (lb, plan) =>
      lb.values.internal === true ||
      plannedResources(plan, "aws_wafv2_web_acl_association").some((a) => referencedAddresses(referencesOf(plan, a.address, "resource_arn")).includes(lb.address)),
    "internet-facing with no WAF web ACL associated",
  ),
};

/** The load balancer rules. */
export const LOAD_BALANCER_RULES: readonly PolicyRule[] = [listenerUsesHttps, listenerTls12, albDropsInvalidHeaders, lbAccessLogs, lbDeletionProtection, albRedirectsHttp, albBehindWaf];

/** Address prefixes of the environment stack's load balancer (construct id `LoadBalancer`). */
const LB_PREFIX = "aws_lb.LoadBalancer_";
const LISTENER_PREFIX = "aws_lb_listener.LoadBalancer_";

/** The exceptions an environment's `loadBalancer` settings imply, each with its reason. */
export function loadBalancerExceptions(env: LoadBalancerExceptionInput): Array<{ rule: string; reason: string; addressPrefix: string }> {
  const lb = env.loadBalancer;
  if (lb === undefined) return [];
  const exceptions: Array<{ rule: string; reason: string; addressPrefix: string }> = [
    {
      rule: "CKV2_AWS_28",
      addressPrefix: LB_PREFIX,
      reason: "no WAF web ACL: AWS WAF is billed per ACL and rule and needs rules chosen for the app; associate one before production traffic",
    },
  ];
  if (lb.certificateArn === undefined) {
    const reason = `environment "${env.name}" gives no loadBalancer.certificateArn: HTTP only until a certificate is configured`;
    exceptions.push({ rule: "CKV_AWS_2", addressPrefix: LISTENER_PREFIX, reason }, { rule: "CKV2_AWS_20", addressPrefix: LB_PREFIX, reason });
  }
  if (lb.accessLogs?.enabled !== true) {
    exceptions.push({ rule: "CKV_AWS_91", addressPrefix: LB_PREFIX, reason: `environment "${env.name}" does not enable loadBalancer.accessLogs` });
  }
  if (lb.deletionProtection === false) {
    exceptions.push({ rule: "CKV_AWS_150", addressPrefix: LB_PREFIX, reason: `environment "${env.name}" sets loadBalancer.deletionProtection to false (so it can be destroyed)` });
  }
  return exceptions;
}
