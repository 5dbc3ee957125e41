import { z } from "zod";
import { intBetween } from "../core/fields";

/** Every default of the load balancer, in one place. */
export const LOAD_BALANCER_DEFAULTS = {
  tier: "public",
  /** Web ports (80/443) are meant for everyone; admin ports never go through the load balancer. */
  allowedCidrs: ["0.0.0.0/0"] as string[],
  /** IPv4 only unless the VPC is dual-stack (`ipv6`), when the load balancer is too. */
  ipAddressType: "ipv4" as "ipv4" | "dualstack",
  /** TLS 1.3 and 1.2 only, forward-secret ciphers: AWS's recommended policy. */
  sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
  healthCheck: {
    path: "/",
    intervalSeconds: 30,
    timeoutSeconds: 5,
    healthyThreshold: 3,
    unhealthyThreshold: 3,
    matcher: "200-399",
  },
  /** On: a load balancer's DNS name is what users and DNS records point at; deleting it by accident breaks them. */
  deletionProtection: true,
  accessLogsExpireAfterDays: 90,
};

const D = LOAD_BALANCER_DEFAULTS.healthCheck;

/** The health check of the app servers' target group (`loadBalancer.healthCheck`). */
export const healthCheckSchema = z.strictObject({
  // The leading slash is checked by planLoadBalancer, so the message can name the value.
  path: z
    .string()
    .max(1024, { error: "a path of at most 1024 characters" })
    .default(D.path)
    .describe("path the target group asks for, starting with `/`"),
  intervalSeconds: intBetween(5, 300).default(D.intervalSeconds).describe("seconds between checks, 5 to 300"),
  timeoutSeconds: intBetween(2, 120)
    .default(D.timeoutSeconds)
    .describe("seconds a check may take, 2 to 120; shorter than the interval"),
  healthyThreshold: intBetween(2, 10)
    .default(D.healthyThreshold)
    .describe("passed checks in a row before a server gets traffic, 2 to 10"),
  unhealthyThreshold: intBetween(2, 10)
    .default(D.unhealthyThreshold)
    .describe("failed checks in a row before a server gets none, 2 to 10"),
  matcher: z
    .string()
    .regex(/^[1-5]\d\d(-[1-5]\d\d)?(,[1-5]\d\d(-[1-5]\d\d)?)*$/, {
      error: 'HTTP codes such as "200", "200,302" or "200-399"',
    })
    .default(D.matcher)
    .describe('HTTP codes that count as healthy: `"200"`, `"200,302"`, `"200-399"`'),
});

/** The config file's `loadBalancer` block: an internet-facing Application Load Balancer in front of the app servers. */
export const loadBalancerConfigFields = {
  loadBalancer: z
    .strictObject({
      tier: z
        .string()
        .default(LOAD_BALANCER_DEFAULTS.tier)
        .describe("a **public** tier in at least two AZs (an ALB needs two), holding every AZ of the app servers"),
      allowedCidrs: z
        .array(z.string())
        .min(1, { error: "at least one CIDR block, or no allowedCidrs for anywhere" })
        .default(LOAD_BALANCER_DEFAULTS.allowedCidrs)
        .describe(
          "IPv4 blocks that may reach ports 80 and 443 (web ports, for everyone by default; admin ports never go through the load balancer)",
        ),
      certificateArn: z.string().optional().meta({
        description:
          "an ACM certificate ARN of the environment's region: adds an HTTPS listener on 443 (TLS 1.2+) and turns port 80 into a redirect to HTTPS",
        defaultLabel: "none: port 80 forwards (HTTP only)",
      }),
      healthCheck: healthCheckSchema.prefault({}).describe("the target group's health check, on the service port"),
      deletionProtection: z
        .boolean()
        .default(LOAD_BALANCER_DEFAULTS.deletionProtection)
        .describe(
          "AWS refuses to delete the load balancer (its DNS name is what users point at); `cdktf destroy` fails until it is `false` and deployed",
        ),
      accessLogs: z
        .strictObject({
          enabled: z
            .boolean()
            .default(false)
            .describe("access logs to an encrypted, private, TLS-only S3 bucket the stack creates"),
          expireAfterDays: intBetween(1, 3650)
            .optional()
            .meta({
              description: "days a log object is kept, 1 to 3650 (only with `enabled`)",
              defaultLabel: `\`${LOAD_BALANCER_DEFAULTS.accessLogsExpireAfterDays}\``,
            }),
        })
        .prefault({})
        .describe("the load balancer's access logs"),
    })
    .optional()
    .meta({
      description: "an internet-facing Application Load Balancer in front of every app server",
      defaultLabel: "none: no load balancer",
    }),
};

/** The config's `loadBalancer` block, with its defaults applied. */
export type LoadBalancerConfig = NonNullable<z.infer<typeof loadBalancerConfigFields.loadBalancer>>;
/** A health check with every field set. */
export type HealthCheck = z.infer<typeof healthCheckSchema>;
/** A health check as a library user may give it: any field left out takes its default. */
export type HealthCheckOptions = Partial<HealthCheck>;

/** The health check with the defaults filled in (for constructs used without the config schema). */
export function resolveHealthCheck(options: HealthCheckOptions | undefined): HealthCheck {
  const given = Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined));
  return { ...LOAD_BALANCER_DEFAULTS.healthCheck, ...given };
}
