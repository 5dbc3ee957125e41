import { checkPlan, environmentExceptions, formatFinding, stateStoreExceptions } from "../modules/policy/check";
import { coversTcpPort, POLICY_RULES } from "../modules/policy/rules";
import { PlanJson } from "../modules/pipeline/plan-json";
import { workshopConfig } from "./support/synth";

/**
 * A hand-made plan: `values` per address (`type.name`), and per address the resource each argument refers to
 * (its `.id`), or the exact references list.
 */
function plan(values: Record<string, Record<string, unknown>>, references: Record<string, Record<string, string | string[]>> = {}): PlanJson {
  const split = (address: string) => ({ address, mode: "managed" as const, type: address.split(".")[0], name: address.split(".")[1] });
  return {
    format_version: "1.2",
    planned_values: { root_module: { resources: Object.entries(values).map(([address, v]) => ({ ...split(address), values: v })) } },
    configuration: {
      root_module: {
        resources: Object.entries(references).map(([address, refs]) => ({
          ...split(address),
          expressions: Object.fromEntries(Object.entries(refs).map(([attr, target]) => [attr, { references: Array.isArray(target) ? target : [`${target}.id`, target] }])),
        })),
      },
    },
  };
}

/** The ids of the rules that found something, one per finding. */
function ruleHits(p: PlanJson, only: string): string[] {
  return checkPlan(p, [], POLICY_RULES.filter((r) => r.ids.includes(only))).findings.map((f) => `${f.rule} ${f.address}`);
}

const closedVpc = {
  values: { "aws_vpc.v": {}, "aws_default_security_group.d": {}, "aws_flow_log.f": {} },
  refs: { "aws_default_security_group.d": { vpc_id: "aws_vpc.v" }, "aws_flow_log.f": { vpc_id: "aws_vpc.v" } },
};

describe("every rule", () => {
  it("has a checkov id first, a description, and ids used by no other rule", () => {
    const ids = POLICY_RULES.flatMap((r) => r.ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of POLICY_RULES) {
      expect(rule.ids[0]).toMatch(/^CKV2?_AWS_\d+$/);
      expect(rule.description.length).toBeGreaterThan(20);
    }
  });

  it("finds nothing in a VPC with a closed default SG, flow logs and a hardened instance", () => {
    const p = plan(
      {
        ...closedVpc.values,
        "aws_instance.i": {
          metadata_options: [{ http_tokens: "required" }],
          root_block_device: [{ encrypted: true }],
          ebs_block_device: [],
          monitoring: true,
          ebs_optimized: true,
          instance_type: "t3.micro",
          iam_instance_profile: "i-profile",
        },
        "aws_vpc_security_group_ingress_rule.ssh_vpc": { cidr_ipv4: "10.0.0.0/16", ip_protocol: "tcp", from_port: 22, to_port: 22 },
      },
      closedVpc.refs,
    );
    expect(checkPlan(p)).toEqual({ findings: [], accepted: [] });
  });
});

describe("CKV_AWS_24 / AVD-AWS-0107: admin ports from the world", () => {
  it.each([
    ["a standalone IPv4 rule on 22", { "aws_vpc_security_group_ingress_rule.r": { cidr_ipv4: "0.0.0.0/0", ip_protocol: "tcp", from_port: 22, to_port: 22 } }],
    ["a standalone IPv6 rule on 3389", { "aws_vpc_security_group_ingress_rule.r": { cidr_ipv6: "::/0", ip_protocol: "tcp", from_port: 3389, to_port: 3389 } }],
    ["all protocols from the world", { "aws_vpc_security_group_ingress_rule.r": { cidr_ipv4: "0.0.0.0/0", ip_protocol: "-1" } }],
    ["an inline range 0-1024", { "aws_security_group.r": { ingress: [{ cidr_blocks: ["0.0.0.0/0"], protocol: "tcp", from_port: 0, to_port: 1024 }] } }],
    ["an aws_security_group_rule", { "aws_security_group_rule.r": { type: "ingress", cidr_blocks: ["10.0.0.0/8", "0.0.0.0/0"], protocol: "6", from_port: 22, to_port: 22 } }],
  ])("fails %s", (_label, values) => {
    expect(ruleHits(plan(values), "CKV_AWS_24")).toEqual([`CKV_AWS_24 ${Object.keys(values)[0]}`]);
  });

  it.each([
    ["HTTPS from the world", { "aws_vpc_security_group_ingress_rule.r": { cidr_ipv4: "0.0.0.0/0", ip_protocol: "tcp", from_port: 443, to_port: 443 } }],
    ["SSH from inside", { "aws_security_group.r": { ingress: [{ cidr_blocks: ["10.0.0.0/16"], protocol: "tcp", from_port: 22, to_port: 22 }] } }],
    ["UDP 22 from the world", { "aws_security_group_rule.r": { type: "ingress", cidr_blocks: ["0.0.0.0/0"], protocol: "udp", from_port: 22, to_port: 22 } }],
    ["egress to the world on 22", { "aws_security_group_rule.r": { type: "egress", cidr_blocks: ["0.0.0.0/0"], protocol: "tcp", from_port: 22, to_port: 22 } }],
  ])("passes %s", (_label, values) => {
    expect(ruleHits(plan(values), "CKV_AWS_24")).toEqual([]);
  });

  it("knows which ports a permission covers", () => {
    expect(coversTcpPort({ protocol: "tcp", fromPort: 20, toPort: 23 }, 22)).toBe(true);
    expect(coversTcpPort({ protocol: "tcp", fromPort: 23, toPort: 25 }, 22)).toBe(false);
    expect(coversTcpPort({ protocol: "icmp", fromPort: -1, toPort: -1 }, 22)).toBe(false);
  });
});

describe("CKV_AWS_79 / AVD-AWS-0028: IMDSv2", () => {
  it.each([
    ["an instance without metadata_options", { "aws_instance.i": {} }, "no metadata_options"],
    ["an instance with optional tokens", { "aws_instance.i": { metadata_options: [{ http_tokens: "optional" }] } }, 'http_tokens = "optional"'],
    ["a launch template with optional tokens", { "aws_launch_template.i": { metadata_options: [{ http_tokens: "optional" }] } }, 'http_tokens = "optional"'],
  ])("fails %s", (_label, values, message) => {
    const { findings } = checkPlan(plan(values), [], POLICY_RULES.filter((r) => r.ids.includes("CKV_AWS_79")));
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain(message);
  });

  it.each([
    ["required tokens", { metadata_options: [{ http_tokens: "required" }] }],
    ["IMDS turned off", { metadata_options: [{ http_endpoint: "disabled", http_tokens: "optional" }] }],
  ])("passes %s", (_label, values) => {
    expect(ruleHits(plan({ "aws_instance.i": values }), "CKV_AWS_79")).toEqual([]);
  });
});

describe("CKV_AWS_8 / AVD-AWS-0131: EBS encryption", () => {
  it.each([
    ["no root_block_device", {}],
    ["an unencrypted root", { root_block_device: [{ encrypted: false }] }],
    ["an unencrypted data volume", { root_block_device: [{ encrypted: true }], ebs_block_device: [{ encrypted: false }] }],
  ])("fails an instance with %s", (_label, values) => {
    expect(ruleHits(plan({ "aws_instance.i": values }), "CKV_AWS_8")).toEqual(["CKV_AWS_8 aws_instance.i"]);
  });

  it("passes encrypted root and data volumes", () => {
    const values = { root_block_device: [{ encrypted: true }], ebs_block_device: [{ encrypted: true }] };
    expect(ruleHits(plan({ "aws_instance.i": values, "aws_launch_configuration.l": values }), "CKV_AWS_8")).toEqual([]);
  });
});

describe("CKV2_AWS_12 / AVD-AWS-0173: default security group without rules", () => {
  it("passes an adopted default SG with no rules", () => {
    expect(ruleHits(plan(closedVpc.values, closedVpc.refs), "CKV2_AWS_12")).toEqual([]);
  });

  it("fails a VPC whose default SG is not adopted", () => {
    expect(ruleHits(plan({ "aws_vpc.v": {} }), "CKV2_AWS_12")).toEqual(["CKV2_AWS_12 aws_vpc.v"]);
  });

  it("fails inline rules on the default SG", () => {
    const values = { ...closedVpc.values, "aws_default_security_group.d": { ingress: [{ cidr_blocks: ["10.0.0.0/8"], protocol: "-1" }] } };
    expect(ruleHits(plan(values, closedVpc.refs), "CKV2_AWS_12")).toEqual(["CKV2_AWS_12 aws_default_security_group.d"]);
  });

  it("fails a standalone rule on the default SG, named by the resource or by the VPC's attribute", () => {
    const values = { ...closedVpc.values, "aws_vpc_security_group_egress_rule.e": {}, "aws_security_group_rule.r": {} };
    const p = plan(values, {
      ...closedVpc.refs,
      "aws_vpc_security_group_egress_rule.e": { security_group_id: "aws_default_security_group.d" },
      "aws_security_group_rule.r": { security_group_id: ["aws_vpc.v.default_security_group_id", "aws_vpc.v"] },
    });
    expect(ruleHits(p, "CKV2_AWS_12").sort()).toEqual(["CKV2_AWS_12 aws_security_group_rule.r", "CKV2_AWS_12 aws_vpc_security_group_egress_rule.e"]);
  });
});

describe("CKV2_AWS_11: VPC flow logs", () => {
  it("passes a VPC with a flow log and fails one without", () => {
    expect(ruleHits(plan(closedVpc.values, closedVpc.refs), "CKV2_AWS_11")).toEqual([]);
    const values = { ...closedVpc.values, "aws_vpc.other": {} };
    expect(ruleHits(plan(values, closedVpc.refs), "CKV2_AWS_11")).toEqual(["CKV2_AWS_11 aws_vpc.other"]);
  });
});

describe("checkPlan exceptions", () => {
  const open = plan({ "aws_vpc.v": {} });

  it("moves a finding named by any of its rule's ids to accepted, with the reason", () => {
    const { findings, accepted } = checkPlan(open, [{ rule: "AVD-AWS-0178", reason: "flow logs off in this sandbox" }]);
    expect(findings.map((f) => f.rule)).toEqual(["CKV2_AWS_12"]);
    expect(accepted).toEqual([expect.objectContaining({ rule: "CKV2_AWS_11", address: "aws_vpc.v", reason: "flow logs off in this sandbox" })]);
  });

  it("limits an exception with an address to that resource", () => {
    const { findings } = checkPlan(open, [{ rule: "CKV2_AWS_11", reason: "r", address: "aws_vpc.elsewhere" }]);
    expect(findings.map((f) => f.rule)).toContain("CKV2_AWS_11");
  });

  it("formats a finding with all its ids", () => {
    const [finding] = checkPlan(open).findings;
    expect(formatFinding(finding)).toMatch(/^CKV2_AWS_12 \(AVD-AWS-0173\) aws_vpc\.v: no aws_default_security_group/);
  });

  it("excepts flow logs exactly for environments that leave them off, and public IPs for the bastion and a NAT instance", () => {
    const env = workshopConfig();
    expect(environmentExceptions(env).map((e) => e.rule)).toEqual(["CKV2_AWS_11", "CKV_AWS_88", "CKV_AWS_126", "CKV_AWS_126", "CKV_AWS_126"]);
    const { bastion: _bastion, servers: _servers, ...networkOnly } = env;
    const kmsKeyArn = "arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(environmentExceptions({ ...networkOnly, flowLogs: { enabled: true, kmsKeyArn } })).toEqual([]);
    const natInstance = environmentExceptions({ ...networkOnly, flowLogs: { enabled: true, kmsKeyArn }, nat: { mode: "instance", instance: { ami: "ami-0123456789abcdef0" } } });
    expect(natInstance.map((e) => [e.rule, e.addressPrefix])).toEqual([
      ["CKV_AWS_126", "aws_instance.network_NatInstance-"],
      ["CKV_AWS_88", "aws_instance.network_NatInstance-"],
    ]);
  });

  it("limits an exception with an address prefix to the resources it starts", () => {
    const p = plan({ "aws_instance.Bastion_Host_1": { associate_public_ip_address: true }, "aws_instance.App_1": { associate_public_ip_address: true } });
    const rules = POLICY_RULES.filter((r) => r.ids.includes("CKV_AWS_88"));
    const result = checkPlan(p, [{ rule: "CKV_AWS_88", addressPrefix: "aws_instance.Bastion_", reason: "the door" }], rules);
    expect(result.findings.map((f) => f.address)).toEqual(["aws_instance.App_1"]);
    expect(result.accepted.map((f) => [f.address, f.reason])).toEqual([["aws_instance.Bastion_Host_1", "the door"]]);
  });
});

describe("state bucket rules: CKV_AWS_19 encryption, CKV_AWS_21 versioning, CKV2_AWS_6 public access block", () => {
  const bucket = "aws_s3_bucket.state";
  const companions = {
    "aws_s3_bucket_server_side_encryption_configuration.sse": { rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: "aws:kms" }] }] },
    "aws_s3_bucket_versioning.v": { versioning_configuration: [{ status: "Enabled" }] },
    "aws_s3_bucket_public_access_block.pab": { block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true },
  };
  const refs = Object.fromEntries(Object.keys(companions).map((a) => [a, { bucket }]));

  it("passes a bucket with all three companions set right", () => {
    const p = plan({ [bucket]: {}, ...companions }, refs);
    expect(["CKV_AWS_19", "CKV_AWS_21", "CKV2_AWS_6"].flatMap((id) => ruleHits(p, id))).toEqual([]);
  });

  it("fails a bare bucket on all three", () => {
    const p = plan({ [bucket]: {} });
    expect(["CKV_AWS_19", "CKV_AWS_21", "CKV2_AWS_6"].flatMap((id) => ruleHits(p, id))).toEqual([
      `CKV_AWS_19 ${bucket}`,
      `CKV_AWS_21 ${bucket}`,
      `CKV2_AWS_6 ${bucket}`,
    ]);
  });

  it("fails companions that are there but wrong, naming the companion", () => {
    const p = plan(
      {
        [bucket]: {},
        "aws_s3_bucket_server_side_encryption_configuration.sse": { rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: "none" }] }] },
        "aws_s3_bucket_versioning.v": { versioning_configuration: [{ status: "Suspended" }] },
        "aws_s3_bucket_public_access_block.pab": { ...companions["aws_s3_bucket_public_access_block.pab"], restrict_public_buckets: false },
      },
      refs,
    );
    expect(["CKV_AWS_19", "CKV_AWS_21", "CKV2_AWS_6"].flatMap((id) => ruleHits(p, id))).toEqual([
      "CKV_AWS_19 aws_s3_bucket_server_side_encryption_configuration.sse",
      "CKV_AWS_21 aws_s3_bucket_versioning.v",
      "CKV2_AWS_6 aws_s3_bucket_public_access_block.pab",
    ]);
  });
});

describe("CKV_AWS_88: instances with a public IP", () => {
  it("fails an auto-assigned public IP and an Elastic IP on an instance; passes a private instance", () => {
    const p = plan(
      { "aws_instance.a": { associate_public_ip_address: true }, "aws_instance.b": {}, "aws_instance.c": {}, "aws_eip.e": {} },
      { "aws_eip.e": { instance: "aws_instance.b" } },
    );
    expect(ruleHits(p, "CKV_AWS_88")).toEqual(["CKV_AWS_88 aws_instance.a", "CKV_AWS_88 aws_instance.b"]);
  });
});

describe("issue 12's rules: bucket access logs, log group KMS, detailed monitoring, EBS-optimized, instance profile", () => {
  it("CKV_AWS_18: a bucket without logging fails; its log target and a logged bucket pass", () => {
    const values = { "aws_s3_bucket.state": {}, "aws_s3_bucket.logs": {}, "aws_s3_bucket.other": {}, "aws_s3_bucket_logging.l": {} };
    const refs = { "aws_s3_bucket_logging.l": { bucket: "aws_s3_bucket.state", target_bucket: "aws_s3_bucket.logs" } };
    expect(ruleHits(plan(values, refs), "CKV_AWS_18")).toEqual(["CKV_AWS_18 aws_s3_bucket.other"]);
  });

  it("CKV_AWS_158: a log group needs a kms_key_id", () => {
    const values = { "aws_cloudwatch_log_group.plain": {}, "aws_cloudwatch_log_group.kms": { kms_key_id: "arn:aws:kms:ap-northeast-2:111122223333:key/x" } };
    expect(ruleHits(plan(values), "CKV_AWS_158")).toEqual(["CKV_AWS_158 aws_cloudwatch_log_group.plain"]);
  });

  it("CKV_AWS_126, CKV_AWS_135, CKV2_AWS_41: monitoring, ebs_optimized where the type supports it, an instance profile (value or reference)", () => {
    const values = {
      "aws_instance.good": { monitoring: true, ebs_optimized: true, instance_type: "t3.micro", iam_instance_profile: "p" },
      "aws_instance.byref": { monitoring: true, ebs_optimized: true, instance_type: "t3.micro" },
      "aws_instance.t2": { monitoring: true, ebs_optimized: false, instance_type: "t2.micro", iam_instance_profile: "p" },
      "aws_instance.bad": { monitoring: false, ebs_optimized: false, instance_type: "m5.large" },
    };
    const p = plan(values, { "aws_instance.byref": { iam_instance_profile: "aws_iam_instance_profile.p" } });
    expect(ruleHits(p, "CKV_AWS_126")).toEqual(["CKV_AWS_126 aws_instance.bad"]);
    expect(ruleHits(p, "CKV_AWS_135")).toEqual(["CKV_AWS_135 aws_instance.bad"]);
    expect(ruleHits(p, "CKV2_AWS_41")).toEqual(["CKV2_AWS_41 aws_instance.bad"]);
  });

  it("the exceptions follow the settings: a state bucket without accessLogs, flow logs without a key, monitoring off per block", () => {
    expect(stateStoreExceptions({ bucket: "b" }).map((e) => e.rule)).toEqual(["CKV_AWS_18"]);
    expect(stateStoreExceptions({ bucket: "b", accessLogs: true })).toEqual([]);
    const env = workshopConfig();
    env.flowLogs = { ...env.flowLogs, enabled: true };
    env.servers!.db!.detailedMonitoring = true;
    const exceptions = environmentExceptions(env);
    expect(exceptions.filter((e) => e.rule === "CKV_AWS_158")).toHaveLength(1);
    expect(exceptions.filter((e) => e.rule === "CKV_AWS_126").map((e) => e.addressPrefix)).toEqual(["aws_instance.Bastion_", "aws_instance.AppServers_"]);
  });
});
