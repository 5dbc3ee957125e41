import { NETWORK_DEFAULTS } from "../network/types";
import { EnvironmentState, stateBootstrapStackId, stateStores } from "../state/plan";
import { INSECURE_OVERRIDE_FIELD } from "../security/policy";
import type { StateStoreProps } from "../state/types";
import { EvaluateOptions, RuleException } from "./engine";
import { STATEFUL_RULE_ID } from "./catalog/stateful";

/** An instance block of the config (`bastion`, `servers.app`, ...), as far as the rules read it. */
export interface MonitoredBlock {
  /** CloudWatch detailed (1-minute) monitoring; off accepts `instance-detailed-monitoring` for the block's instances. @default false */
  readonly detailedMonitoring?: boolean;
  /** The block's other settings, which the rules do not read. */
  readonly [setting: string]: unknown;
}

/** The parts of an environment's config that decide how the rules judge its stack (an `EnvironmentConfig` is one). */
export interface RuleSubject {
  /** The environment's name, used in reasons. */
  readonly name: string;
  /** Flow logs: without `enabled`, `vpc-flow-logs` is accepted; enabled without `kmsKeyArn`, `log-group-kms` is. @default off */
  readonly flowLogs?: { readonly enabled?: boolean; readonly kmsKeyArn?: string };
  /** A bastion: its public IP is the accepted `instance-public-ip` finding (unless `ssm` is `only`: then it has none); without `detailedMonitoring`, `instance-detailed-monitoring` is. @default none */
  readonly bastion?: MonitoredBlock & { readonly ssm?: string };
  /** NAT mode: `instance` accepts the NAT instance's public IP (and its monitoring when off); `per-az` turns on `nat-cross-az`. @default NETWORK_DEFAULTS.natMode */
  readonly nat?: { readonly mode?: string; readonly instance?: MonitoredBlock };
  /** App and DB servers: a block without `detailedMonitoring` accepts `instance-detailed-monitoring` for its instances. @default none */
  readonly servers?: { readonly app?: MonitoredBlock; readonly db?: MonitoredBlock };
  /** `insecureAllowAdminPortsFromAnywhere` acknowledges `admin-port-open-to-world`. @default off */
  readonly access?: { readonly insecureAllowAdminPortsFromAnywhere?: boolean };
  /** `backend.type = "local"` is the opt-in to local state. @default a remote backend is expected */
  readonly backend?: { readonly type?: string };
  /** A load balancer: `alb-waf` is accepted; so are the rules for what its settings leave off (certificate, access logs, deletion protection). @default none */
  readonly loadBalancer?: {
    readonly certificateArn?: string;
    readonly deletionProtection?: boolean;
    readonly accessLogs?: { readonly enabled?: boolean };
  };
  /** The config's own acknowledgements. @default none */
  readonly guardrails?: { readonly acknowledge?: readonly RuleException[] };
}

/**
 * The exceptions an environment's config implies: its own acknowledgements, its loud insecure override, and the
 * rules a feature it leaves off (flow logs) or a door it opens on purpose (bastion, NAT instance) makes moot.
 */
export function environmentExceptions(env: RuleSubject): RuleException[] {
  const exceptions: RuleException[] = [...(env.guardrails?.acknowledge ?? [])];
  // The config's own loud override already chose this; asking twice would teach people to click through.
  if (env.access?.insecureAllowAdminPortsFromAnywhere === true) {
    exceptions.push({ rule: "admin-port-open-to-world", reason: `${INSECURE_OVERRIDE_FIELD} is set in the config` });
    // A tier's network ACL admits what its security groups do: the same override, the same choice.
    exceptions.push({
      rule: "nacl-admin-port-open-to-world",
      reason: `${INSECURE_OVERRIDE_FIELD} is set in the config`,
    });
  }
  if (env.flowLogs?.enabled !== true) {
    exceptions.push({ rule: "vpc-flow-logs", reason: `environment "${env.name}" does not enable flowLogs` });
  }
  if (env.flowLogs?.enabled === true && env.flowLogs.kmsKeyArn === undefined) {
    exceptions.push({
      rule: "log-group-kms",
      resource: "aws_cloudwatch_log_group.network_FlowLogs_",
      reason: `environment "${env.name}" sets no flowLogs.kmsKeyArn (CloudWatch Logs' own encryption)`,
    });
  }
  exceptions.push(...monitoringExceptions(env));
  // Under Session Manager only the bastion has no public address, so there is nothing to accept.
  if (env.bastion !== undefined && env.bastion.ssm !== "only") {
    exceptions.push({
      rule: "instance-public-ip",
      resource: "aws_instance.Bastion_",
      reason: "the bastion is the one door in: reached through its Elastic IP, SSH from the admin CIDRs only",
    });
  }
  if (env.nat?.mode === "instance") {
    exceptions.push({
      rule: "instance-public-ip",
      resource: "aws_instance.network_NatInstance-",
      reason:
        "a NAT instance forwards the private tiers' egress through its public IP; its security group admits only the VPC",
    });
  }
  exceptions.push(...loadBalancerExceptions(env));
  return exceptions;
}

/** Address parts of the environment stack's load balancer and its listeners (construct id `LoadBalancer`). */
const LB_RESOURCE = "aws_lb.LoadBalancer_";
const LISTENER_RESOURCE = "aws_lb_listener.LoadBalancer_";

/** The exceptions an environment's `loadBalancer` settings imply, each with its reason; [] without a load balancer. */
export function loadBalancerExceptions(env: Pick<RuleSubject, "name" | "loadBalancer">): RuleException[] {
  const lb = env.loadBalancer;
  if (lb === undefined) return [];
  const exceptions: RuleException[] = [
    {
      rule: "alb-waf",
      resource: LB_RESOURCE,
      reason:
        "no WAF web ACL: AWS WAF is billed per ACL and rule and needs rules chosen for the app; associate one before production traffic",
    },
  ];
  if (lb.certificateArn === undefined) {
    const reason = `environment "${env.name}" gives no loadBalancer.certificateArn: HTTP only until a certificate is configured`;
    exceptions.push(
      { rule: "lb-listener-https", resource: LISTENER_RESOURCE, reason },
      { rule: "alb-redirect-http", resource: LB_RESOURCE, reason },
    );
  }
  if (lb.accessLogs?.enabled !== true) {
    exceptions.push({
      rule: "lb-access-logs",
      resource: LB_RESOURCE,
      reason: `environment "${env.name}" does not enable loadBalancer.accessLogs`,
    });
  }
  if (lb.accessLogs?.enabled === true) {
    // The log bucket's own S3 access logs would need a further bucket, whose logs would need another.
    exceptions.push({
      rule: "bucket-access-logging",
      resource: "aws_s3_bucket.LoadBalancer_AccessLogs_",
      reason: "the load balancer's access-log bucket is itself the log: only ELB log delivery writes to it",
    });
  }
  if (lb.deletionProtection === false) {
    exceptions.push({
      rule: "lb-deletion-protection",
      resource: LB_RESOURCE,
      reason: `environment "${env.name}" sets loadBalancer.deletionProtection to false (so it can be destroyed)`,
    });
  }
  return exceptions;
}

/** Detailed monitoring is billed per metric: an instance block that leaves it off chose 5-minute metrics. */
function monitoringExceptions(env: RuleSubject): RuleException[] {
  const blocks: Array<[MonitoredBlock | undefined, string, string]> = [
    [env.bastion, "aws_instance.Bastion_", "bastion"],
    [env.servers?.app, "aws_instance.AppServers_", "servers.app"],
    [env.servers?.db, "aws_instance.Db_", "servers.db"],
    [
      env.nat?.mode === "instance" ? (env.nat.instance ?? {}) : undefined,
      "aws_instance.network_NatInstance-",
      "nat.instance",
    ],
  ];
  return blocks
    .filter(([block]) => block !== undefined && block.detailedMonitoring !== true)
    .map(([, resource, block]) => ({
      rule: "instance-detailed-monitoring",
      resource,
      reason: `${block}.detailedMonitoring is off in environment "${env.name}" (5-minute metrics)`,
    }));
}

/** The exceptions a state bootstrap stack's settings imply: without `accessLogs`, its state bucket logs no requests. */
export function stateStoreExceptions(store: Pick<StateStoreProps, "bucket" | "accessLogs">): RuleException[] {
  return store.accessLogs === true
    ? []
    : [{ rule: "bucket-access-logging", reason: `state bucket ${store.bucket} has no backend.accessLogs` }];
}

/** How the rules judge an environment's stack: its NAT mode and state opt-in, and its exceptions. */
export function environmentRuleOptions(env: RuleSubject): Required<EvaluateOptions> {
  return {
    context: { natMode: env.nat?.mode ?? NETWORK_DEFAULTS.natMode, localStateOptIn: env.backend?.type === "local" },
    exceptions: environmentExceptions(env),
  };
}

/**
 * How the rules judge one stack of the app, by its name: an environment's stack by that environment's options, a
 * state bucket's bootstrap stack by the bucket's exceptions plus the `stateful-resource-destroyed` acknowledgements
 * of the environments that keep their state in it (the bucket and lock tables are theirs), any other stack by the
 * rules alone.
 */
export function stackRuleOptions(
  stack: string,
  environments: ReadonlyArray<RuleSubject & EnvironmentState>,
): EvaluateOptions {
  const env = environments.find((e) => e.name === stack);
  if (env !== undefined) return environmentRuleOptions(env);
  const store = stateStores(environments).find((s) => stateBootstrapStackId(s.bucket) === stack);
  if (store === undefined) return {};
  const acknowledged = environments
    .filter((e) => e.backend?.type === "s3" && e.backend.bucket === store.bucket)
    .flatMap((e) => (e.guardrails?.acknowledge ?? []).filter((ack) => ack.rule === STATEFUL_RULE_ID));
  return { exceptions: [...stateStoreExceptions(store), ...acknowledged] };
}
