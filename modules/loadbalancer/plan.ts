import { ConfigProblem, fieldPath } from "../core/problems";
import { resolvePlacement, TierLayout } from "../placement/placement";
import { IngressSource } from "../servers/schema";
import { sourceCidrListProblems } from "../security/policy";
import { HealthCheck, LOAD_BALANCER_DEFAULTS, LoadBalancerConfig } from "./schema";

/** ALB and target group names are at most 32 characters; the load balancer is named `<environment>-alb`. */
const NAME_SUFFIX = "-alb";

/** The load balancer's (and its security group's) name: `<environment>-alb`. */
export function loadBalancerName(environment: string): string {
  return `${environment}${NAME_SUFFIX}`;
}
const MAX_NAME = 32;
const CERTIFICATE_ARN = /^arn:(aws|aws-cn|aws-us-gov):acm:([a-z0-9-]+):(\d{12}):certificate\/[A-Za-z0-9-]+$/;

/** The load balancer, resolved: every default applied. */
export interface LoadBalancerPlan {
  /** `<environment>-alb`. */
  readonly name: string;
  /** The public tier whose subnets it lives in. */
  readonly tier: string;
  /** That tier's AZs (two or more). */
  readonly azs: readonly string[];
  /** Who may reach ports 80 and 443. */
  readonly allowedCidrs: readonly string[];
  /** `dualstack` in a dual-stack VPC (`ipv6`): the load balancer answers on IPv6 too. */
  readonly ipAddressType: LoadBalancerIpAddressType;
  /** The ACM certificate of the HTTPS listener; undefined for HTTP only. */
  readonly certificateArn?: string;
  readonly healthCheck: HealthCheck;
  readonly deletionProtection: boolean;
  /** Days access logs are kept in the bucket the stack creates; undefined when access logs are off. */
  readonly accessLogsExpireAfterDays?: number;
}

/** What the load balancer's plan needs of an environment. */
export interface LoadBalancerInput extends TierLayout {
  /** The environment's name: the load balancer is `<name>-alb`. */
  readonly name: string;
  /** The environment's region: a certificate must be of it. */
  readonly region: string;
  /** The `loadBalancer` block, defaults applied; undefined for none. */
  readonly loadBalancer?: LoadBalancerConfig;
  /** Where the app servers are, and how many per AZ; undefined when there are none. */
  readonly app?: { readonly azs: readonly string[]; readonly countPerAz: number };
  /** Whether the VPC is dual-stack (`ipv6`): the load balancer is then too. @default false */
  readonly ipv6?: boolean;
}

/** The address families a load balancer answers on: `ipv4`, or both (`dualstack`, its subnets need IPv6 blocks). */
export type LoadBalancerIpAddressType = "ipv4" | "dualstack";

/**
 * Checks `loadBalancer` and applies what defaults the schema leaves: the one place both the config checks and the
 * stack go through. What cannot work is a problem: a tier that is not public or has fewer than two AZs (an ALB needs
 * two), no app servers to send traffic to, app servers in an AZ the load balancer is not in, a certificate of another
 * region, a health-check path without its leading slash, a timeout not shorter than the interval.
 */
export function planLoadBalancer(env: LoadBalancerInput): {
  loadBalancer?: LoadBalancerPlan;
  problems: ConfigProblem[];
} {
  const lb = env.loadBalancer;
  if (lb === undefined) return { problems: [] };
  const problems: ConfigProblem[] = [];
  const problem = (field: string, value: unknown, expected: string) =>
    problems.push({ field: fieldPath("loadBalancer", field), value, expected });

  const name = loadBalancerName(env.name);
  if (name.length > MAX_NAME)
    problems.push({
      field: "name",
      value: env.name,
      expected: `an environment name of at most ${MAX_NAME - NAME_SUFFIX.length} characters when it has a loadBalancer (its name, "${name}", may have ${MAX_NAME})`,
    });
  if (name.startsWith("internal-"))
    problems.push({
      field: "name",
      value: env.name,
      expected: 'a name not starting with "internal-" when it has a loadBalancer (AWS reserves that prefix)',
    });

  const placement = resolvePlacement(env, {
    base: "loadBalancer",
    tier: lb.tier,
    tierGiven: true,
    azField: "azs",
    allowedTypes: ["public"],
    why: "an internet-facing load balancer is reached through the Internet Gateway",
  });
  problems.push(...placement.problems);
  const azs = placement.azs;
  const placed = placement.problems.length === 0 && azs.length >= 2;
  if (placement.problems.length === 0 && !placed) {
    problem(
      "tier",
      lb.tier,
      `a tier in at least two AZs: an Application Load Balancer needs subnets in two ("${lb.tier}" has ${azs.join(", ") || "none"})`,
    );
  }

  if (env.app === undefined) {
    problems.push({
      field: "servers.app",
      value: undefined,
      expected: "app servers for the loadBalancer to forward to",
    });
  } else if (env.app.countPerAz === 0) {
    problems.push({
      field: "servers.app.countPerAz",
      value: 0,
      expected: "at least one app server per AZ when there is a loadBalancer to send traffic to them",
    });
  } else if (placed) {
    const outside = env.app.azs.filter((az) => !azs.includes(az));
    if (outside.length > 0) {
      problem(
        "tier",
        lb.tier,
        `a tier in every AZ of the app servers: it sends no traffic to ${outside.join(", ")} ("${lb.tier}" has ${azs.join(", ")}); or app servers only in its AZs`,
      );
    }
  }

  problems.push(...allowedCidrProblems(lb.allowedCidrs, "loadBalancer.allowedCidrs", env.ipv6));

  if (lb.certificateArn !== undefined) {
    const match = CERTIFICATE_ARN.exec(lb.certificateArn);
    if (match === null) {
      problem(
        "certificateArn",
        lb.certificateArn,
        `an ACM certificate ARN such as arn:aws:acm:${env.region}:123456789012:certificate/<id>`,
      );
    } else if (match[2] !== env.region) {
      problem(
        "certificateArn",
        lb.certificateArn,
        `a certificate of the environment's region ${env.region} (a load balancer can only use ACM certificates of its own region; this one is in ${match[2]})`,
      );
    }
  }

  problems.push(...healthCheckProblems(lb.healthCheck, "loadBalancer.healthCheck"));

  const { enabled, expireAfterDays } = lb.accessLogs;
  if (!enabled && expireAfterDays !== undefined) {
    problem("accessLogs.expireAfterDays", expireAfterDays, "no expireAfterDays unless accessLogs.enabled is true");
  }
  return {
    loadBalancer: {
      name,
      tier: lb.tier,
      azs,
      allowedCidrs: lb.allowedCidrs,
      ipAddressType: env.ipv6 === true ? "dualstack" : LOAD_BALANCER_DEFAULTS.ipAddressType,
      certificateArn: lb.certificateArn,
      healthCheck: lb.healthCheck,
      deletionProtection: lb.deletionProtection,
      accessLogsExpireAfterDays: enabled
        ? (expireAfterDays ?? LOAD_BALANCER_DEFAULTS.accessLogsExpireAfterDays)
        : undefined,
    },
    problems,
  };
}

/**
 * The app servers' ingress with a load balancer: the service port is no longer opened to the subnets of the load
 * balancer's tier (the load balancer's own group is let in instead). Other ports and sources are kept.
 */
export function ingressBehindLoadBalancer<R extends { ports: readonly number[]; from: readonly IngressSource[] }>(
  ingress: readonly R[],
  tier: string,
  servicePort: number,
): R[] {
  return ingress.flatMap((rule) => {
    const fromTier = rule.from.some((s) => "tier" in s && s.tier === tier);
    if (!fromTier || !rule.ports.includes(servicePort)) return [rule];
    const others = rule.from.filter((s) => !("tier" in s && s.tier === tier));
    const otherPorts = rule.ports.filter((p) => p !== servicePort);
    return [
      ...(others.length > 0 ? [{ ...rule, from: others }] : []),
      ...(otherPorts.length > 0
        ? [{ ...rule, ports: otherPorts, from: rule.from.filter((s) => !others.includes(s)) }]
        : []),
    ];
  });
}

/** What is wrong with the CIDR blocks allowed to reach the load balancer (`base` is their field path). */
export function allowedCidrProblems(cidrs: readonly string[], base: string, ipv6 = false): ConfigProblem[] {
  return sourceCidrListProblems(cidrs, base, {
    adminPorts: [],
    allowAnywhere: false,
    duplicate: "each CIDR block listed once",
    ipv6,
  });
}

/** What is wrong with a health check: a path without its leading slash, a timeout not shorter than the interval. */
export function healthCheckProblems(healthCheck: HealthCheck, base: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!healthCheck.path.startsWith("/"))
    problems.push({
      field: fieldPath(base, "path"),
      value: healthCheck.path,
      expected: `a path starting with "/", such as "/${healthCheck.path}"`,
    });
  if (healthCheck.timeoutSeconds >= healthCheck.intervalSeconds) {
    problems.push({
      field: fieldPath(base, "timeoutSeconds"),
      value: healthCheck.timeoutSeconds,
      expected: `less than ${fieldPath(base, "intervalSeconds")} (${healthCheck.intervalSeconds})`,
    });
  }
  return problems;
}
