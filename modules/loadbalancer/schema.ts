import { z } from "zod";
import { intBetween } from "../compute/schema";

/** The health check of the app servers' target group (`loadBalancer.healthCheck`). */
export const healthCheckSchema = z.strictObject({
  // The leading slash is checked by planLoadBalancer, so the message can name the value.
  path: z.string().max(1024, { error: "a path of at most 1024 characters" }).optional(),
  intervalSeconds: intBetween(5, 300).optional(),
  timeoutSeconds: intBetween(2, 120).optional(),
  healthyThreshold: intBetween(2, 10).optional(),
  unhealthyThreshold: intBetween(2, 10).optional(),
  matcher: z.string().regex(/^[1-5]\d\d(-[1-5]\d\d)?(,[1-5]\d\d(-[1-5]\d\d)?)*$/, { error: 'HTTP codes such as "200", "200,302" or "200-399"' }).optional(),
});

/** The config file's `loadBalancer` block: an internet-facing Application Load Balancer in front of the app servers. */
export const loadBalancerConfigFields = {
  loadBalancer: z
    .strictObject({
      tier: z.string().optional(),
      allowedCidrs: z.array(z.string()).min(1, { error: "at least one CIDR block, or no allowedCidrs for anywhere" }).optional(),
      certificateArn: z.string().optional(),
      healthCheck: healthCheckSchema.optional(),
      deletionProtection: z.boolean().optional(),
      accessLogs: z
        .strictObject({
          enabled: z.boolean().optional(),
          expireAfterDays: intBetween(1, 3650).optional(),
        })
        .optional(),
    })
    .optional(),
};

export type LoadBalancerConfig = NonNullable<z.infer<typeof loadBalancerConfigFields.loadBalancer>>;
export type HealthCheckConfig = z.infer<typeof healthCheckSchema>;
/** A health check with every field set. */
export type HealthCheck = Required<HealthCheckConfig>;

/** Every default of the load balancer, in one place. */
export const LOAD_BALANCER_DEFAULTS = {
  tier: "public",
  /** Web ports (80/443) are meant for everyone; admin ports never go through the load balancer. */
  allowedCidrs: ["0.0.0.0/0"] as readonly string[],
  /** TLS 1.3 and 1.2 only, forward-secret ciphers: AWS's recommended policy. */
  sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
  healthCheck: { path: "/", intervalSeconds: 30, timeoutSeconds: 5, healthyThreshold: 3, unhealthyThreshold: 3, matcher: "200-399" } as HealthCheck,
  /** On: a load balancer's DNS name is what users and DNS records point at; deleting it by accident breaks them. */
  deletionProtection: true,
  accessLogsExpireAfterDays: 90,
};

/** The health check with the defaults filled in. */
export function resolveHealthCheck(config: HealthCheckConfig | undefined): HealthCheck {
  const given = Object.fromEntries(Object.entries(config ?? {}).filter(([, v]) => v !== undefined));
  return { ...LOAD_BALANCER_DEFAULTS.healthCheck, ...given };
}
