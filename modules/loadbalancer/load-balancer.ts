import { Construct } from "constructs";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { LbTargetGroupAttachment } from "@cdktf/provider-aws/lib/lb-target-group-attachment";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { ConfigError, ConfigProblem } from "../core/problems";
import { Peer, RoleSecurityGroup, idSafe } from "../security/security-group";
import { Connections, IConnectable } from "../security/connections";
import { isAnywhere } from "../security/policy";
import { looksIpv6 } from "../core/cidr";
import { Port } from "../core/port";
import { AccessLogBucket } from "./access-log-bucket";
import { allowedCidrProblems, healthCheckProblems, LoadBalancerIpAddressType, loadBalancerName } from "./plan";
import { HealthCheckOptions, LOAD_BALANCER_DEFAULTS, resolveHealthCheck } from "./schema";

/** A server behind the load balancer. */
export interface LoadBalancerTarget {
  /** Short, unique name (`app-a1`): keys the attachment's construct id. */
  readonly name: string;
  /** The EC2 instance id. */
  readonly instanceId: string;
}

/** What a `LoadBalancer` needs: the VPC and public subnets, its targets and their port, who may reach it, its access logs. */
export interface LoadBalancerProps {
  /** Environment name: the load balancer is `<environment>-alb`, its group `<environment>-alb`. */
  readonly environment: string;
  /** AWS region: picks who delivers access logs. */
  readonly region: string;
  /** The VPC. */
  readonly vpcId: string;
  /** Subnet ids of the public tier, in two AZs or more. */
  readonly subnetIds: readonly string[];
  /** Every app server; each is registered on `targetPort`. */
  readonly targets: readonly LoadBalancerTarget[];
  /** The port the app servers' service listens on. */
  readonly targetPort: number;
  /** The app servers (their connections): opened to the load balancer's group on `targetPort`; the load balancer may reach nothing else. */
  readonly app: IConnectable;
  /**
   * IPv4 blocks (and IPv6 ones when `dualstack`) that may reach ports 80 and 443; with `dualstack`, all of IPv4
   * brings all of IPv6 with it. @default LOAD_BALANCER_DEFAULTS.allowedCidrs (anywhere)
   */
  readonly allowedCidrs?: readonly string[];
  /** `dualstack` answers on IPv6 too: every subnet in `subnetIds` needs an IPv6 block (`ipv6` on the network). @default "ipv4" */
  readonly ipAddressType?: LoadBalancerIpAddressType;
  /** ACM certificate (same region) for an HTTPS listener; then HTTP redirects to HTTPS. @default none: HTTP only, forwarding */
  readonly certificateArn?: string;
  /** The target group's health check. @default LOAD_BALANCER_DEFAULTS.healthCheck */
  readonly healthCheck?: HealthCheckOptions;
  /** Refuse deletion of the load balancer (and keep a non-empty log bucket on destroy). @default LOAD_BALANCER_DEFAULTS.deletionProtection (true) */
  readonly deletionProtection?: boolean;
  /** Access logs to an S3 bucket this construct creates, kept `expireAfterDays`. @default none: no access logs */
  readonly accessLogs?: { readonly expireAfterDays: number };
}

/**
 * An internet-facing Application Load Balancer in front of the app servers: its own security group (80, and 443 with
 * a certificate, from `allowedCidrs`; out only to the app servers' port), a target group holding every app server,
 * an HTTP listener that forwards (no certificate) or redirects to HTTPS, an HTTPS listener with a TLS 1.2+ policy,
 * invalid header fields dropped, and optionally access logs to a bucket of its own.
 */
export class LoadBalancer extends Construct implements IConnectable {
  readonly loadBalancer: Lb;
  readonly securityGroup: RoleSecurityGroup;
  /** Its security group's connections: more sources with `connections.allowFrom(Peer.ipv4(...), Port.tcp(443), ...)`. */
  readonly connections: Connections;
  readonly targetGroup: LbTargetGroup;
  readonly httpListener: LbListener;
  /** The HTTPS listener, when there is a certificate. */
  readonly httpsListener?: LbListener;
  /** The access-log bucket, when access logs are on. */
  readonly accessLogBucket?: AccessLogBucket;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const allowedCidrs = props.allowedCidrs ?? LOAD_BALANCER_DEFAULTS.allowedCidrs;
    const dualStack = (props.ipAddressType ?? LOAD_BALANCER_DEFAULTS.ipAddressType) === "dualstack";
    const healthCheck = resolveHealthCheck(props.healthCheck);
    const deletionProtection = props.deletionProtection ?? LOAD_BALANCER_DEFAULTS.deletionProtection;
    const problems: ConfigProblem[] = [
      ...(props.subnetIds.length < 2
        ? [
            {
              field: "subnetIds",
              value: props.subnetIds,
              expected: "subnets in at least two AZs (an Application Load Balancer needs two)",
            },
          ]
        : []),
      ...(props.targets.length === 0 ? [{ field: "targets", value: [], expected: "at least one app server" }] : []),
      ...allowedCidrProblems(allowedCidrs, "allowedCidrs", dualStack),
      ...healthCheckProblems(healthCheck, "healthCheck"),
    ];
    if (problems.length > 0) throw new ConfigError(problems, `load balancer "${id}"`);
    const name = loadBalancerName(props.environment);
    const https = props.certificateArn !== undefined;

    this.securityGroup = new RoleSecurityGroup(this, "SecurityGroup", {
      environment: props.environment,
      role: "alb",
      vpcId: props.vpcId,
      description: "Load balancer: web ports from the allowed CIDRs, out only to the app servers' service port",
    });
    this.connections = new Connections(this.securityGroup);
    // Dual-stack: all of IPv4 comes with all of IPv6, so "anywhere" means the same on both families.
    const anyIpv6Listed = allowedCidrs.some((cidr) => looksIpv6(cidr) && isAnywhere(cidr));
    const sources = allowedCidrs.flatMap((cidr) =>
      dualStack && isAnywhere(cidr) && !looksIpv6(cidr) && !anyIpv6Listed ? [cidr, "::/0"] : [cidr],
    );
    for (const cidr of sources) {
      const peer = looksIpv6(cidr)
        ? Peer.ipv6(cidr, isAnywhere(cidr) ? "anywhere-ipv6" : undefined)
        : Peer.ipv4(cidr, isAnywhere(cidr) ? "anywhere" : undefined);
      this.connections.allowFrom(peer, Port.tcp(80), `HTTP from ${cidr}${https ? " (redirected to HTTPS)" : ""}`);
      if (https) this.connections.allowFrom(peer, Port.tcp(443), `HTTPS from ${cidr}`);
    }
    props.app.connections.allowFrom(
      this,
      Port.tcp(props.targetPort),
      `Service port ${props.targetPort} from the load balancer`,
    );

    if (props.accessLogs !== undefined) {
      this.accessLogBucket = new AccessLogBucket(this, "AccessLogs", {
        environment: props.environment,
        region: props.region,
        expireAfterDays: props.accessLogs.expireAfterDays,
        forceDestroy: !deletionProtection,
      });
    }
    this.loadBalancer = new Lb(this, "LoadBalancer", {
      name,
      internal: false,
      loadBalancerType: "application",
      ...(dualStack ? { ipAddressType: "dualstack" } : {}),
      securityGroups: [this.securityGroup.id],
      subnets: [...props.subnetIds],
      dropInvalidHeaderFields: true,
      enableDeletionProtection: deletionProtection,
      accessLogs:
        this.accessLogBucket === undefined ? undefined : { bucket: this.accessLogBucket.bucket.id, enabled: true },
      dependsOn: this.accessLogBucket === undefined ? undefined : [this.accessLogBucket.policy],
      tags: { Name: name },
    });

    // Unnamed (Terraform picks a unique name), so a change that replaces it can create the new one first.
    this.targetGroup = new LbTargetGroup(this, "TargetGroup", {
      port: props.targetPort,
      protocol: "HTTP",
      targetType: "instance",
      vpcId: props.vpcId,
      healthCheck: {
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        path: healthCheck.path,
        interval: healthCheck.intervalSeconds,
        timeout: healthCheck.timeoutSeconds,
        healthyThreshold: healthCheck.healthyThreshold,
        unhealthyThreshold: healthCheck.unhealthyThreshold,
        matcher: healthCheck.matcher,
      },
      tags: { Name: `${props.environment}-app` },
      lifecycle: { createBeforeDestroy: true },
    });
    for (const target of props.targets) {
      new LbTargetGroupAttachment(this, `Target-${idSafe(target.name)}`, {
        targetGroupArn: this.targetGroup.arn,
        targetId: target.instanceId,
        port: props.targetPort,
      });
    }

    const forward = [{ type: "forward", targetGroupArn: this.targetGroup.arn }];
    this.httpListener = new LbListener(this, "Http", {
      loadBalancerArn: this.loadBalancer.arn,
      port: 80,
      protocol: "HTTP",
      defaultAction: https
        ? [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]
        : forward,
    });
    if (https) {
      this.httpsListener = new LbListener(this, "Https", {
        loadBalancerArn: this.loadBalancer.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: LOAD_BALANCER_DEFAULTS.sslPolicy,
        certificateArn: props.certificateArn,
        defaultAction: forward,
      });
    }
  }

  /** The load balancer's DNS name. */
  get dnsName(): string {
    return this.loadBalancer.dnsName;
  }

  /** The URL users open: https:// with a certificate, else http://. */
  get url(): string {
    return `${this.httpsListener === undefined ? "http" : "https"}://${this.loadBalancer.dnsName}`;
  }
}
