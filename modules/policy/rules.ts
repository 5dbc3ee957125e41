import { ADMIN_PORT_NAMES, ADMIN_PORTS } from "../security/port";
import { PlanJson, PlannedResource, plannedResources, referencedAddresses, referencesOf } from "../pipeline/plan-json";
import { ebsOptimizedFor } from "../compute/ebs-optimized";

/** A resource a rule objects to, and why. */
export interface Violation {
  readonly address: string;
  readonly message: string;
}

/**
 * One check over a plan, named by the scanner ids that flag the same thing (checkov first, then trivy), so a
 * finding here reads like the scanner's. A rule is pure: the same plan always gives the same violations.
 */
export interface PolicyRule {
  readonly ids: readonly [string, ...string[]];
  /** One line: what must hold. */
  readonly description: string;
  readonly check: (plan: PlanJson) => Violation[];
}

const WORLD = ["0.0.0.0/0", "::/0"];

/** One ingress permission, whichever resource type it was written as. */
interface Ingress {
  readonly cidrs: readonly string[];
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
}

const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? (value as Record<string, unknown>[]) : []);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);
const port = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);

/** Every ingress permission a resource grants: inline blocks of a group, or a standalone rule. Unknown values count as none. */
function ingressOf(resource: PlannedResource): Ingress[] {
  const v = resource.values;
  switch (resource.type) {
    case "aws_security_group":
    case "aws_default_security_group":
      return list(v.ingress).map((i) => ({
        cidrs: [...strings(i.cidr_blocks), ...strings(i.ipv6_cidr_blocks)],
        protocol: String(i.protocol),
        fromPort: port(i.from_port),
        toPort: port(i.to_port),
      }));
    case "aws_security_group_rule":
      return v.type !== "ingress"
        ? []
        : [{ cidrs: [...strings(v.cidr_blocks), ...strings(v.ipv6_cidr_blocks)], protocol: String(v.protocol), fromPort: port(v.from_port), toPort: port(v.to_port) }];
    case "aws_vpc_security_group_ingress_rule":
      return [{ cidrs: strings([v.cidr_ipv4, v.cidr_ipv6]), protocol: String(v.ip_protocol), fromPort: port(v.from_port), toPort: port(v.to_port) }];
    default:
      return [];
  }
}

/** Whether an ingress permission lets traffic reach TCP port `target`. */
export function coversTcpPort(ingress: { protocol: string; fromPort?: number; toPort?: number }, target: number): boolean {
  if (["-1", "all"].includes(ingress.protocol.toLowerCase())) return true;
  if (!["tcp", "6"].includes(ingress.protocol.toLowerCase())) return false;
  const from = ingress.fromPort ?? 0;
  const to = ingress.toPort ?? 65535;
  return from <= target && target <= to;
}

const adminPortsFromWorld: PolicyRule = {
  ids: ["CKV_AWS_24", "CKV_AWS_25", "AVD-AWS-0107"],
  description: "No security group lets 0.0.0.0/0 or ::/0 reach an admin port (SSH 22, telnet 23, RDP 3389, WinRM 5985/5986, VNC 5900)",
  check: (plan) =>
    plannedResources(plan).flatMap((resource) =>
      ingressOf(resource).flatMap((ingress) => {
        const world = ingress.cidrs.filter((c) => WORLD.includes(c));
        const ports = ADMIN_PORTS.filter((p) => coversTcpPort(ingress, p));
        if (world.length === 0 || ports.length === 0) return [];
        const names = ports.map((p) => `${ADMIN_PORT_NAMES[p]} (${p})`).join(", ");
        return [{ address: resource.address, message: `ingress from ${world.join(", ")} reaches ${names} (protocol ${ingress.protocol})` }];
      }),
    ),
};

/** Instances and launch templates: what the instance metadata service is set to. */
const METADATA_TYPES = ["aws_instance", "aws_launch_template"];

const imdsv2: PolicyRule = {
  ids: ["CKV_AWS_79", "AVD-AWS-0028"],
  description: "Instances and launch templates require IMDSv2 tokens (metadata_options.http_tokens = required), or turn IMDS off",
  check: (plan) =>
    plannedResources(plan)
      .filter((r) => METADATA_TYPES.includes(r.type))
      .flatMap((resource) => {
        const options = list(resource.values.metadata_options)[0];
        if (options?.http_tokens === "required" || options?.http_endpoint === "disabled") return [];
        const found = options === undefined ? "no metadata_options (IMDSv1 allowed)" : `http_tokens = ${JSON.stringify(options.http_tokens ?? null)}`;
        return [{ address: resource.address, message: `${found}; set metadata_options.http_tokens = "required"` }];
      }),
};

/** Instance-like resources and their block-device lists that must be encrypted. */
const BLOCK_DEVICES: Readonly<Record<string, readonly string[]>> = {
  aws_instance: ["root_block_device", "ebs_block_device"],
  aws_launch_configuration: ["root_block_device", "ebs_block_device"],
};

const ebsEncryption: PolicyRule = {
  ids: ["CKV_AWS_8", "AVD-AWS-0131"],
  description: "Instance root and EBS block devices are encrypted (a missing root_block_device leaves it to the account default: fails)",
  check: (plan) =>
    plannedResources(plan)
      .filter((r) => r.type in BLOCK_DEVICES)
      .flatMap((resource) => {
        const violations: Violation[] = [];
        if (list(resource.values.root_block_device).length === 0) {
          violations.push({ address: resource.address, message: "no root_block_device: its encryption is left to the account default; set encrypted = true" });
        }
        for (const field of BLOCK_DEVICES[resource.type]) {
          list(resource.values[field]).forEach((device, i) => {
            if (device.encrypted !== true) violations.push({ address: resource.address, message: `${field}[${i}].encrypted is ${JSON.stringify(device.encrypted ?? null)}, not true` });
          });
        }
        return violations;
      }),
};

/** The planned resources of `type` whose `attribute` refers to the resource at `target`. */
function referringTo(plan: PlanJson, type: string, attribute: string, target: string): PlannedResource[] {
  return plannedResources(plan, type).filter((r) => referencedAddresses(referencesOf(plan, r.address, attribute)).includes(target));
}

/** Standalone rule resources and the argument naming their security group. */
const STANDALONE_RULES: Readonly<Record<string, string>> = {
  aws_security_group_rule: "security_group_id",
  aws_vpc_security_group_ingress_rule: "security_group_id",
  aws_vpc_security_group_egress_rule: "security_group_id",
};

const defaultSecurityGroupClosed: PolicyRule = {
  ids: ["CKV2_AWS_12", "AVD-AWS-0173"],
  description: "Every VPC's default security group is adopted (aws_default_security_group) with no ingress or egress rules",
  check: (plan) =>
    plannedResources(plan, "aws_vpc").flatMap((vpc) => {
      const groups = referringTo(plan, "aws_default_security_group", "vpc_id", vpc.address);
      if (groups.length === 0) return [{ address: vpc.address, message: "no aws_default_security_group adopts this VPC's default security group, so AWS's allow-all rules stay" }];
      const violations: Violation[] = [];
      for (const group of groups) {
        for (const field of ["ingress", "egress"]) {
          if (list(group.values[field]).length > 0) violations.push({ address: group.address, message: `has ${field} rules: the default security group must have none` });
        }
      }
      for (const [type, attribute] of Object.entries(STANDALONE_RULES)) {
        for (const rule of plannedResources(plan, type)) {
          const refs = referencesOf(plan, rule.address, attribute);
          const targets = referencedAddresses(refs);
          const toDefault = groups.some((g) => targets.includes(g.address)) || refs.includes(`${vpc.address}.default_security_group_id`);
          if (toDefault) violations.push({ address: rule.address, message: `adds a rule to the default security group of ${vpc.address}` });
        }
      }
      return violations;
    }),
};

const vpcFlowLogs: PolicyRule = {
  ids: ["CKV2_AWS_11", "AVD-AWS-0178"],
  description: "Every VPC has flow logs (an aws_flow_log whose vpc_id is the VPC)",
  check: (plan) =>
    plannedResources(plan, "aws_vpc")
      .filter((vpc) => referringTo(plan, "aws_flow_log", "vpc_id", vpc.address).length === 0)
      .map((vpc) => ({ address: vpc.address, message: "no aws_flow_log records this VPC's traffic" })),
};

/** A check of every S3 bucket for a companion resource (`type`, whose `bucket` refers to it) that passes `ok`. */
function bucketCompanion(type: string, missing: string, ok: (values: Record<string, unknown>) => boolean, wrong: string): (plan: PlanJson) => Violation[] {
  return (plan) =>
    plannedResources(plan, "aws_s3_bucket").flatMap((bucket) => {
      const companions = referringTo(plan, type, "bucket", bucket.address);
      if (companions.length === 0) return [{ address: bucket.address, message: missing }];
      return companions.filter((c) => !ok(c.values)).map((c) => ({ address: c.address, message: wrong }));
    });
}

const bucketEncryption: PolicyRule = {
  ids: ["CKV_AWS_19", "AVD-AWS-0088"],
  description: "Every S3 bucket has default server-side encryption (AES256 or aws:kms)",
  check: bucketCompanion(
    "aws_s3_bucket_server_side_encryption_configuration",
    "no aws_s3_bucket_server_side_encryption_configuration for this bucket",
    (v) => list(v.rule).some((r) => list(r.apply_server_side_encryption_by_default).some((d) => ["AES256", "aws:kms", "aws:kms:dsse"].includes(String(d.sse_algorithm)))),
    "has no rule that encrypts by default with AES256 or aws:kms",
  ),
};

const bucketVersioning: PolicyRule = {
  ids: ["CKV_AWS_21", "AVD-AWS-0090"],
  description: "Every S3 bucket keeps versions (aws_s3_bucket_versioning status Enabled)",
  check: bucketCompanion(
    "aws_s3_bucket_versioning",
    "no aws_s3_bucket_versioning for this bucket: an overwritten or deleted object is gone",
    (v) => list(v.versioning_configuration).some((c) => c.status === "Enabled"),
    'versioning_configuration.status is not "Enabled"',
  ),
};

const PUBLIC_ACCESS_FLAGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];

const bucketPublicAccessBlock: PolicyRule = {
  ids: ["CKV2_AWS_6", "AVD-AWS-0094"],
  description: "Every S3 bucket has a public access block with all four settings on",
  check: bucketCompanion(
    "aws_s3_bucket_public_access_block",
    "no aws_s3_bucket_public_access_block for this bucket",
    (v) => PUBLIC_ACCESS_FLAGS.every((flag) => v[flag] === true),
    `not all of ${PUBLIC_ACCESS_FLAGS.join(", ")} are true`,
  ),
};

const instancePublicIp: PolicyRule = {
  ids: ["CKV_AWS_88"],
  description: "No instance has a public IP, on the instance or through an Elastic IP (the bastion is the accepted exception)",
  check: (plan) =>
    plannedResources(plan, "aws_instance").flatMap((instance) => {
      if (instance.values.associate_public_ip_address === true) return [{ address: instance.address, message: "associate_public_ip_address is true" }];
      const eips = referringTo(plan, "aws_eip", "instance", instance.address);
      return eips.map((eip) => ({ address: instance.address, message: `reachable from the internet through ${eip.address}` }));
    }),
};

/** Whether a resource's argument is set: a known non-empty value, or a reference to another resource. */
function isSet(plan: PlanJson, resource: PlannedResource, attribute: string): boolean {
  const value = resource.values[attribute];
  return (typeof value === "string" && value !== "") || referencesOf(plan, resource.address, attribute).length > 0;
}

const bucketAccessLogging: PolicyRule = {
  ids: ["CKV_AWS_18", "AVD-AWS-0089"],
  description: "Every S3 bucket logs its requests (aws_s3_bucket_logging), except a bucket that receives another bucket's access logs",
  check: (plan) => {
    const loggings = plannedResources(plan, "aws_s3_bucket_logging");
    const targets = loggings.flatMap((l) => referencedAddresses(referencesOf(plan, l.address, "target_bucket")));
    return plannedResources(plan, "aws_s3_bucket")
      .filter((bucket) => !targets.includes(bucket.address) && referringTo(plan, "aws_s3_bucket_logging", "bucket", bucket.address).length === 0)
      .map((bucket) => ({ address: bucket.address, message: "no aws_s3_bucket_logging: nobody can tell who read or wrote its objects" }));
  },
};

const logGroupKms: PolicyRule = {
  ids: ["CKV_AWS_158", "AVD-AWS-0017"],
  description: "Every CloudWatch log group is encrypted with a customer-managed KMS key (kms_key_id)",
  check: (plan) =>
    plannedResources(plan, "aws_cloudwatch_log_group")
      .filter((group) => !isSet(plan, group, "kms_key_id"))
      .map((group) => ({ address: group.address, message: "no kms_key_id: encrypted with CloudWatch Logs' own key only" })),
};

const instanceDetailedMonitoring: PolicyRule = {
  ids: ["CKV_AWS_126"],
  description: "Every instance has detailed (1-minute) monitoring on (monitoring = true)",
  check: (plan) =>
    plannedResources(plan, "aws_instance")
      .filter((instance) => instance.values.monitoring !== true)
      .map((instance) => ({ address: instance.address, message: `monitoring is ${JSON.stringify(instance.values.monitoring ?? null)}, not true` })),
};

const instanceEbsOptimized: PolicyRule = {
  ids: ["CKV_AWS_135"],
  description: "Every instance whose type supports it is EBS-optimized (ebs_optimized = true)",
  check: (plan) =>
    plannedResources(plan, "aws_instance")
      .filter((instance) => instance.values.ebs_optimized !== true && (typeof instance.values.instance_type !== "string" || ebsOptimizedFor(instance.values.instance_type)))
      .map((instance) => ({ address: instance.address, message: `ebs_optimized is ${JSON.stringify(instance.values.ebs_optimized ?? null)}, and ${String(instance.values.instance_type)} supports it` })),
};

const instanceProfile: PolicyRule = {
  ids: ["CKV2_AWS_41"],
  description: "Every instance has an IAM instance profile (its own least-privilege role), not none",
  check: (plan) =>
    plannedResources(plan, "aws_instance")
      .filter((instance) => !isSet(plan, instance, "iam_instance_profile"))
      .map((instance) => ({ address: instance.address, message: "no iam_instance_profile" })),
};

/** The rules `checkPlan` applies by default. A new rule is one more entry. */
export const POLICY_RULES: readonly PolicyRule[] = [
  adminPortsFromWorld,
  imdsv2,
  ebsEncryption,
  defaultSecurityGroupClosed,
  vpcFlowLogs,
  bucketEncryption,
  bucketVersioning,
  bucketPublicAccessBlock,
  instancePublicIp,
  bucketAccessLogging,
  logGroupKms,
  instanceDetailedMonitoring,
  instanceEbsOptimized,
  instanceProfile,
];
