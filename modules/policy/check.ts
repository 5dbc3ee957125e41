import type { EnvironmentInput } from "../config/environment";
import type { StateStoreProps } from "../state/types";
import { PlanJson } from "../pipeline/plan-json";
import { POLICY_RULES, PolicyRule } from "./rules";

/** A rule that does not hold for one resource. `rule` is the rule's first id; `ids` all of them. */
export interface Finding {
  readonly rule: string;
  readonly ids: readonly string[];
  readonly address: string;
  readonly message: string;
}

/** An accepted exception: any of the rule's ids, with the reason; optionally for one resource address only. */
export interface PolicyException {
  readonly rule: string;
  readonly reason: string;
  readonly address?: string;
  /** Limits the exception to resources whose address starts with this (logical ids end in a hash). */
  readonly addressPrefix?: string;
}

export interface PolicyResult {
  /** Findings no exception covers: each one is a failure. */
  readonly findings: readonly Finding[];
  /** Findings covered by an exception, with its reason. */
  readonly accepted: ReadonlyArray<Finding & { readonly reason: string }>;
}

/** Applies `rules` to a plan; findings that an exception names (by any of the rule's ids) go to `accepted`. */
export function checkPlan(plan: PlanJson, exceptions: readonly PolicyException[] = [], rules: readonly PolicyRule[] = POLICY_RULES): PolicyResult {
  const findings: Finding[] = [];
  const accepted: Array<Finding & { reason: string }> = [];
  for (const rule of rules) {
    for (const violation of rule.check(plan)) {
      const finding = { rule: rule.ids[0], ids: rule.ids, ...violation };
      const exception = exceptions.find((e) => rule.ids.includes(e.rule) && (e.address === undefined || e.address === violation.address) && violation.address.startsWith(e.addressPrefix ?? ""));
      if (exception === undefined) findings.push(finding);
      else accepted.push({ ...finding, reason: exception.reason });
    }
  }
  return { findings, accepted };
}

/** One line per finding: `CKV_AWS_79 (AVD-AWS-0028) aws_instance.x: message`. */
export function formatFinding(finding: Finding): string {
  const others = finding.ids.slice(1);
  return `${finding.rule}${others.length > 0 ? ` (${others.join(", ")})` : ""} ${finding.address}: ${finding.message}`;
}

/** The exceptions an environment's own settings imply: a rule for a feature the environment leaves off does not apply. */
export function environmentExceptions(env: Pick<EnvironmentInput, "name" | "flowLogs" | "bastion" | "nat" | "servers">): PolicyException[] {
  const exceptions: PolicyException[] = [];
  if (env.flowLogs?.enabled !== true) {
    exceptions.push({ rule: "CKV2_AWS_11", reason: `environment "${env.name}" does not enable flowLogs` });
  }
  if (env.bastion !== undefined) {
    exceptions.push({
      rule: "CKV_AWS_88",
      addressPrefix: "aws_instance.Bastion_",
      reason: "the bastion is the one door in: reached through its Elastic IP, SSH from the admin CIDRs only",
    });
  }
  if (env.flowLogs?.enabled === true && env.flowLogs.kmsKeyArn === undefined) {
    exceptions.push({ rule: "CKV_AWS_158", reason: `environment "${env.name}" sets no flowLogs.kmsKeyArn (CloudWatch Logs' own encryption)` });
  }
  // Detailed monitoring is billed per metric: an instance block that leaves it off chose 5-minute metrics.
  const monitoring: Array<[boolean | undefined, string, string]> = [
    [env.bastion === undefined ? true : env.bastion.detailedMonitoring, "aws_instance.Bastion_", "bastion"],
    [env.servers?.app === undefined ? true : env.servers.app.detailedMonitoring, "aws_instance.AppServers_", "servers.app"],
    [env.servers?.db === undefined ? true : env.servers.db.detailedMonitoring, "aws_instance.Db_", "servers.db"],
    [env.nat?.mode !== "instance" ? true : env.nat.instance?.detailedMonitoring, "aws_instance.network_NatInstance-", "nat.instance"],
  ];
  for (const [on, addressPrefix, block] of monitoring) {
    if (on !== true) exceptions.push({ rule: "CKV_AWS_126", addressPrefix, reason: `${block}.detailedMonitoring is off in environment "${env.name}" (5-minute metrics)` });
  }
  if (env.nat?.mode === "instance") {
    exceptions.push({
      rule: "CKV_AWS_88",
      addressPrefix: "aws_instance.network_NatInstance-",
      reason: "a NAT instance forwards the private tiers' egress through its public IP; its security group admits only the VPC",
    });
  }
  return exceptions;
}

/** The exceptions a state bootstrap stack's settings imply: without `accessLogs`, its bucket logs no requests. */
export function stateStoreExceptions(store: Pick<StateStoreProps, "bucket" | "accessLogs">): PolicyException[] {
  return store.accessLogs === true ? [] : [{ rule: "CKV_AWS_18", reason: `state bucket ${store.bucket} has no backend.accessLogs` }];
}
