import { Rule, Violation } from "../engine";
import { blocks, referrersOf, ResourceView, resourcesOf, StackView } from "../view";

const LB_TYPES = ["aws_lb", "aws_alb"];
const LISTENER_TYPES = ["aws_lb_listener", "aws_alb_listener"];

/** Application load balancers (`load_balancer_type` defaults to application). */
const applicationLbs = (view: StackView) =>
  resourcesOf(view, ...LB_TYPES).filter((lb) => (lb.values.load_balancer_type ?? "application") === "application");

/** A listener's protocol; none set is HTTP. */
const protocolOf = (listener: ResourceView) => String(listener.values.protocol ?? "HTTP");

/** Whether a plain-HTTP listener's default action sends every request to HTTPS. */
function redirectsToHttps(listener: ResourceView): boolean {
  const actions = blocks(listener.values.default_action);
  return (
    actions.length > 0 &&
    actions.every((a) => a.type === "redirect" && blocks(a.redirect).some((r) => r.protocol === "HTTPS"))
  );
}

/** Whether a listener serves plain HTTP (an HTTP listener that does not only redirect to HTTPS). */
const servesPlainHttp = (listener: ResourceView) => protocolOf(listener) === "HTTP" && !redirectsToHttps(listener);

/** The listeners whose `load_balancer_arn` refers to `lb`. */
const listenersOf = (view: StackView, lb: ResourceView) =>
  LISTENER_TYPES.flatMap((type) => referrersOf(view, type, "load_balancer_arn", lb));

/** A check of every load balancer `of` gives: `ok` holds, or `message` says what is wrong. */
function eachLb(
  of: (view: StackView) => ResourceView[],
  ok: (lb: ResourceView, view: StackView) => boolean,
  message: string,
): (view: StackView) => Violation[] {
  return (view) =>
    of(view)
      .filter((lb) => !ok(lb, view))
      .map((lb) => ({ address: lb.address, message }));
}

const allLbs = (view: StackView) => resourcesOf(view, ...LB_TYPES);

export const lbListenerHttps: Rule = {
  id: "lb-listener-https",
  scannerIds: ["CKV_AWS_2"],
  description: "Load balancer listeners use HTTPS (or TLS, TCP, UDP); a plain HTTP listener only redirects to HTTPS",
  check: (view) =>
    resourcesOf(view, ...LISTENER_TYPES)
      .filter(servesPlainHttp)
      .map((l) => ({
        address: l.address,
        message: `protocol HTTP on port ${String(l.values.port)} serves plain HTTP instead of redirecting to HTTPS`,
      })),
};

/** TLS policies that offer nothing older than TLS 1.2, by the naming AWS uses for them. */
const TLS12_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)-/;

export const lbListenerTls12: Rule = {
  id: "lb-listener-tls12",
  scannerIds: ["CKV_AWS_103"],
  description:
    "HTTPS and TLS listeners use a security policy of TLS 1.2 or later (ELBSecurityPolicy-TLS13-1-2-*, -TLS-1-2-*, -FS-1-2-*)",
  check: (view) =>
    resourcesOf(view, ...LISTENER_TYPES)
      .filter((l) => ["HTTPS", "TLS"].includes(protocolOf(l)))
      .filter((l) => typeof l.values.ssl_policy !== "string" || !TLS12_POLICY.test(l.values.ssl_policy))
      .map((l) => ({
        address: l.address,
        message: `ssl_policy ${JSON.stringify(l.values.ssl_policy ?? null)} allows TLS below 1.2 (the provider's default does); use ELBSecurityPolicy-TLS13-1-2-2021-06`,
      })),
};

export const albDropInvalidHeaders: Rule = {
  id: "alb-drop-invalid-headers",
  scannerIds: ["CKV_AWS_131"],
  description: "Application load balancers drop invalid HTTP header fields (drop_invalid_header_fields = true)",
  check: eachLb(
    applicationLbs,
    (lb) => lb.values.drop_invalid_header_fields === true,
    "drop_invalid_header_fields is not true: malformed headers reach the app (request smuggling)",
  ),
};

export const lbAccessLogs: Rule = {
  id: "lb-access-logs",
  scannerIds: ["CKV_AWS_91"],
  description: "Load balancers write access logs (access_logs.enabled = true)",
  check: eachLb(
    allLbs,
    (lb) => blocks(lb.values.access_logs).some((l) => l.enabled === true),
    "no access_logs with enabled = true: requests leave no record",
  ),
};

export const lbDeletionProtection: Rule = {
  id: "lb-deletion-protection",
  scannerIds: ["CKV_AWS_150"],
  description: "Load balancers have deletion protection (enable_deletion_protection = true)",
  check: eachLb(
    allLbs,
    (lb) => lb.values.enable_deletion_protection === true,
    "enable_deletion_protection is not true: one destroy takes the DNS name users point at",
  ),
};

export const albRedirectHttp: Rule = {
  id: "alb-redirect-http",
  scannerIds: ["CKV2_AWS_20"],
  description:
    "Application load balancers redirect HTTP to HTTPS: every HTTP listener's default action is a redirect to HTTPS",
  check: eachLb(
    applicationLbs,
    (lb, view) => !listenersOf(view, lb).some(servesPlainHttp),
    "has an HTTP listener that does not redirect to HTTPS",
  ),
};

export const albWaf: Rule = {
  id: "alb-waf",
  scannerIds: ["CKV2_AWS_28"],
  description:
    "Internet-facing application load balancers are protected by a WAF web ACL (aws_wafv2_web_acl_association)",
  check: eachLb(
    applicationLbs,
    (lb, view) =>
      lb.values.internal === true || referrersOf(view, "aws_wafv2_web_acl_association", "resource_arn", lb).length > 0,
    "internet-facing with no WAF web ACL associated",
  ),
};
