import { checkPlan, checkSynth, CheckOptions } from "../modules/rules/check";
import { coversTcpPort } from "../modules/rules/catalog/access";
import { evaluateRules, formatFinding, formatViolation, RuleResult } from "../modules/rules/engine";
import { environmentExceptions, environmentRuleOptions, stateStoreExceptions } from "../modules/rules/exceptions";
import { viewOfPlan } from "../modules/rules/plan-view";
import { RULES } from "../modules/rules/rules";
import { viewOfSynth } from "../modules/rules/synth-view";
import { RuleInput } from "../modules/rules/view";
import { asPlan, asSynth, block, Fixture, INPUTS, ref } from "./support/rule-fixtures";
import { workshopConfig } from "./support/synth";

/** Runs the rules on the fixture written as `input`. */
function check(input: RuleInput, fixture: Fixture, options: CheckOptions = {}): RuleResult {
  return input === "synth" ? checkSynth(asSynth(fixture), options) : checkPlan(asPlan(fixture), options);
}

/** `rule address` of each finding of the one rule `id`. */
function hits(input: RuleInput, fixture: Fixture, id: string, options: CheckOptions = {}): string[] {
  return check(input, fixture, { ...options, rules: RULES.filter((r) => r.id === id) }).findings.map(
    (f) => `${f.rule} ${f.address}`,
  );
}

const hardened = {
  metadata_options: block({ http_tokens: "required" }),
  root_block_device: block({ encrypted: true }),
  instance_type: "t3.micro",
  monitoring: true,
  ebs_optimized: true,
  iam_instance_profile: ref("aws_iam_instance_profile.p", "name"),
};
const closedVpc: Fixture = {
  "aws_vpc.v": { cidr_block: "10.0.0.0/16" },
  "aws_default_security_group.d": { vpc_id: ref("aws_vpc.v"), ingress: [], egress: [] },
  "aws_flow_log.f": { vpc_id: ref("aws_vpc.v"), traffic_type: "ALL" },
};

describe("the rule list", () => {
  it("has distinct ids and scanner ids, a description each, checkov ids before trivy ids", () => {
    const ids = RULES.flatMap((r) => [r.id, ...r.scannerIds]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(rule.description.length).toBeGreaterThan(20);
      const firstTrivy = rule.scannerIds.findIndex((id) => id.startsWith("AVD-"));
      expect(
        rule.scannerIds
          .slice(firstTrivy === -1 ? rule.scannerIds.length : firstTrivy)
          .every((id) => id.startsWith("AVD-")),
      ).toBe(true);
    }
  });

  it("keeps every guardrail id and every scanner id the two engines had", () => {
    const ids = RULES.flatMap((r) => [r.id, ...r.scannerIds]);
    const before = [
      "admin-port-open-to-world",
      "imdsv2-required",
      "volume-encryption",
      "public-ip-in-private-tier",
      "nat-cross-az",
      "remote-state",
    ];
    const scanners = [
      "CKV_AWS_24",
      "CKV_AWS_25",
      "AVD-AWS-0107",
      "CKV_AWS_79",
      "AVD-AWS-0028",
      "CKV_AWS_8",
      "AVD-AWS-0131",
      "CKV2_AWS_12",
      "AVD-AWS-0173",
    ];
    const more = [
      "CKV2_AWS_11",
      "AVD-AWS-0178",
      "CKV_AWS_19",
      "AVD-AWS-0088",
      "CKV_AWS_21",
      "AVD-AWS-0090",
      "CKV2_AWS_6",
      "AVD-AWS-0094",
      "CKV_AWS_88",
    ];
    const issue12 = [
      "CKV_AWS_18",
      "AVD-AWS-0089",
      "CKV_AWS_158",
      "AVD-AWS-0017",
      "CKV_AWS_126",
      "CKV_AWS_135",
      "CKV2_AWS_41",
    ];
    expect(ids).toEqual(expect.arrayContaining([...before, ...scanners, ...more, ...issue12]));
  });

  it("remote-state is the one rule a plan cannot judge (it does not carry the stack's backend), stateful-resource-destroyed the one only a plan can (it says what is destroyed)", () => {
    expect(RULES.filter((r) => r.inputs !== undefined).map((r) => [r.id, r.inputs])).toEqual([
      ["remote-state", ["synth"]],
      ["stateful-resource-destroyed", ["plan"]],
    ]);
  });
});

describe.each(INPUTS)("on %s input", (input) => {
  it("finds nothing in a closed VPC with flow logs, a hardened instance and SSH from inside only", () => {
    const fixture = {
      ...closedVpc,
      "aws_subnet.s": { vpc_id: ref("aws_vpc.v"), availability_zone: "eu-west-1a", tags: { SubnetType: "private" } },
      "aws_instance.i": { ...hardened, subnet_id: ref("aws_subnet.s"), ebs_block_device: [] },
      "aws_vpc_security_group_ingress_rule.ssh": {
        security_group_id: ref("aws_security_group.g"),
        cidr_ipv4: "10.0.0.0/16",
        ip_protocol: "tcp",
        from_port: 22,
        to_port: 22,
      },
      "aws_security_group.g": { vpc_id: ref("aws_vpc.v") },
    };
    expect(check(input, fixture)).toEqual({ findings: [], accepted: [] });
  });

  describe("admin-port-open-to-world (CKV_AWS_24, CKV_AWS_25, AVD-AWS-0107)", () => {
    it.each<[string, Fixture]>([
      [
        "a standalone IPv4 rule on 22",
        {
          "aws_vpc_security_group_ingress_rule.r": {
            cidr_ipv4: "0.0.0.0/0",
            ip_protocol: "tcp",
            from_port: 22,
            to_port: 22,
          },
        },
      ],
      [
        "a standalone IPv6 rule on 3389",
        {
          "aws_vpc_security_group_ingress_rule.r": {
            cidr_ipv6: "::/0",
            ip_protocol: "tcp",
            from_port: 3389,
            to_port: 3389,
          },
        },
      ],
      [
        "all protocols from the world",
        { "aws_vpc_security_group_ingress_rule.r": { cidr_ipv4: "0.0.0.0/0", ip_protocol: "-1" } },
      ],
      [
        "a range that covers WinRM, from IPv6 anywhere",
        {
          "aws_vpc_security_group_ingress_rule.r": {
            cidr_ipv6: "::/0",
            ip_protocol: "tcp",
            from_port: 5000,
            to_port: 6000,
          },
        },
      ],
      [
        "any other /0 (the world, however it is written)",
        {
          "aws_vpc_security_group_ingress_rule.r": {
            cidr_ipv4: "10.1.2.3/0",
            ip_protocol: "tcp",
            from_port: 22,
            to_port: 22,
          },
        },
      ],
      [
        "an inline range 0-1024",
        {
          "aws_security_group.r": {
            ingress: [{ cidr_blocks: ["0.0.0.0/0"], protocol: "tcp", from_port: 0, to_port: 1024 }],
          },
        },
      ],
      [
        "an inline rule of the default group",
        {
          "aws_default_security_group.r": {
            ingress: [{ ipv6_cidr_blocks: ["::/0"], protocol: "-1", from_port: 0, to_port: 0 }],
          },
        },
      ],
      [
        "an aws_security_group_rule",
        {
          "aws_security_group_rule.r": {
            type: "ingress",
            cidr_blocks: ["10.0.0.0/8", "0.0.0.0/0"],
            protocol: "6",
            from_port: 22,
            to_port: 22,
          },
        },
      ],
    ])("fails %s", (_label, fixture) => {
      expect(hits(input, fixture, "admin-port-open-to-world")).toEqual([
        `admin-port-open-to-world ${Object.keys(fixture)[0]}`,
      ]);
    });

    it.each<[string, Fixture]>([
      [
        "HTTPS from the world",
        {
          "aws_vpc_security_group_ingress_rule.r": {
            cidr_ipv4: "0.0.0.0/0",
            ip_protocol: "tcp",
            from_port: 443,
            to_port: 443,
          },
        },
      ],
      [
        "SSH from inside",
        {
          "aws_security_group.r": {
            ingress: [{ cidr_blocks: ["10.0.0.0/16"], protocol: "tcp", from_port: 22, to_port: 22 }],
          },
        },
      ],
      [
        "SSH from one address",
        {
          "aws_vpc_security_group_ingress_rule.r": {
            cidr_ipv4: "203.0.113.10/32",
            ip_protocol: "tcp",
            from_port: 22,
            to_port: 22,
          },
        },
      ],
      [
        "UDP 22 from the world",
        {
          "aws_security_group_rule.r": {
            type: "ingress",
            cidr_blocks: ["0.0.0.0/0"],
            protocol: "udp",
            from_port: 22,
            to_port: 22,
          },
        },
      ],
      [
        "egress to the world on 22",
        {
          "aws_security_group_rule.r": {
            type: "egress",
            cidr_blocks: ["0.0.0.0/0"],
            protocol: "tcp",
            from_port: 22,
            to_port: 22,
          },
        },
      ],
      [
        "SSH from another group",
        {
          "aws_vpc_security_group_ingress_rule.r": {
            referenced_security_group_id: ref("aws_security_group.g"),
            ip_protocol: "tcp",
            from_port: 22,
            to_port: 22,
          },
        },
      ],
    ])("passes %s", (_label, fixture) => {
      expect(hits(input, fixture, "admin-port-open-to-world")).toEqual([]);
    });

    it("names the world and the ports it reaches", () => {
      const fixture = {
        "aws_vpc_security_group_ingress_rule.r": {
          cidr_ipv4: "0.0.0.0/0",
          ip_protocol: "tcp",
          from_port: 20,
          to_port: 25,
        },
      };
      expect(check(input, fixture).findings[0].message).toBe(
        "lets 0.0.0.0/0 reach SSH (22), telnet (23) (protocol tcp)",
      );
    });
  });

  describe("imdsv2-required (CKV_AWS_79, AVD-AWS-0028)", () => {
    it.each<[string, Fixture, string]>([
      ["an instance without metadata_options", { "aws_instance.i": {} }, "no metadata_options"],
      [
        "an instance with optional tokens",
        { "aws_instance.i": { metadata_options: block({ http_tokens: "optional" }) } },
        'http_tokens is "optional", not "required"',
      ],
      [
        "a launch template with optional tokens",
        { "aws_launch_template.t": { metadata_options: block({ http_tokens: "optional" }) } },
        'http_tokens is "optional"',
      ],
    ])("fails %s", (_label, fixture, message) => {
      const findings = check(input, fixture, { rules: RULES.filter((r) => r.id === "imdsv2-required") }).findings;
      expect(findings.map((f) => f.address)).toEqual(Object.keys(fixture));
      expect(findings[0].message).toContain(message);
    });

    it.each([
      ["required tokens", { metadata_options: block({ http_tokens: "required" }) }],
      ["IMDS turned off", { metadata_options: block({ http_endpoint: "disabled", http_tokens: "optional" }) }],
    ])("passes %s", (_label, values) => {
      expect(hits(input, { "aws_instance.i": values }, "imdsv2-required")).toEqual([]);
    });
  });

  describe("volume-encryption (CKV_AWS_8, CKV_AWS_3, AVD-AWS-0131, AVD-AWS-0026)", () => {
    it.each<[string, Fixture]>([
      ["an instance with no root_block_device", { "aws_instance.i": {} }],
      [
        "an instance with an unencrypted root",
        { "aws_instance.i": { root_block_device: block({ encrypted: false }) } },
      ],
      [
        "an instance with an unencrypted data volume",
        {
          "aws_instance.i": { root_block_device: block({ encrypted: true }), ebs_block_device: [{ encrypted: false }] },
        },
      ],
      [
        "a launch configuration with an unencrypted root",
        { "aws_launch_configuration.l": { root_block_device: block({ encrypted: false }) } },
      ],
      ["an unencrypted EBS volume", { "aws_ebs_volume.v": { encrypted: false } }],
      ["an EBS volume that does not say", { "aws_ebs_volume.v": { size: 10 } }],
    ])("fails %s", (_label, fixture) => {
      expect(hits(input, fixture, "volume-encryption")).toEqual([`volume-encryption ${Object.keys(fixture)[0]}`]);
    });

    it("passes encrypted roots, data volumes and EBS volumes", () => {
      const values = { root_block_device: block({ encrypted: true }), ebs_block_device: [{ encrypted: true }] };
      expect(
        hits(
          input,
          { "aws_instance.i": values, "aws_launch_configuration.l": values, "aws_ebs_volume.v": { encrypted: true } },
          "volume-encryption",
        ),
      ).toEqual([]);
    });
  });

  describe("public-ip-in-private-tier", () => {
    const subnet = (type: string) => ({ availability_zone: "eu-west-1a", tags: { SubnetType: type } });
    const instance = (subnet: string, publicIp = false) => ({
      ...hardened,
      subnet_id: ref(subnet),
      associate_public_ip_address: publicIp,
    });

    it("fails auto-assign in an isolated subnet, a public IP or an EIP on an instance in a private one; the public tier may", () => {
      const fixture: Fixture = {
        "aws_subnet.pub": { ...subnet("public"), map_public_ip_on_launch: true },
        "aws_subnet.priv": subnet("private"),
        "aws_subnet.iso": { ...subnet("isolated"), map_public_ip_on_launch: true },
        "aws_instance.bastion": instance("aws_subnet.pub", true),
        "aws_instance.app": instance("aws_subnet.priv"),
        "aws_instance.db": instance("aws_subnet.iso", true),
        "aws_eip.ok": { instance: ref("aws_instance.bastion") },
        "aws_eip.bad": { instance: ref("aws_instance.app") },
        "aws_eip.nat": { domain: "vpc" },
      };
      expect(hits(input, fixture, "public-ip-in-private-tier")).toEqual([
        "public-ip-in-private-tier aws_subnet.iso",
        "public-ip-in-private-tier aws_instance.db",
        "public-ip-in-private-tier aws_eip.bad",
      ]);
      const messages = check(input, fixture, {
        rules: RULES.filter((r) => r.id === "public-ip-in-private-tier"),
      }).findings.map((f) => f.message);
      expect(messages).toEqual([
        "isolated subnet iso assigns public IPs on launch",
        "has a public IP in isolated subnet iso",
        "gives aws_instance.app in private subnet priv a public Elastic IP",
      ]);
    });
  });

  describe("instance-public-ip (CKV_AWS_88)", () => {
    it("fails an auto-assigned public IP and an Elastic IP on an instance; passes a private instance", () => {
      const fixture = {
        "aws_instance.a": { associate_public_ip_address: true },
        "aws_instance.b": {},
        "aws_instance.c": {},
        "aws_eip.e": { instance: ref("aws_instance.b") },
      };
      expect(hits(input, fixture, "instance-public-ip")).toEqual([
        "instance-public-ip aws_instance.a",
        "instance-public-ip aws_instance.b",
      ]);
    });

    it("fails an address left to a subnet that assigns one at launch; passes it where the subnet assigns none", () => {
      const fixture = {
        "aws_subnet.auto": { map_public_ip_on_launch: true },
        "aws_subnet.none": { map_public_ip_on_launch: false },
        "aws_instance.unset_in_auto": { subnet_id: ref("aws_subnet.auto") },
        "aws_instance.off_in_auto": { subnet_id: ref("aws_subnet.auto"), associate_public_ip_address: false },
        "aws_instance.unset_in_none": { subnet_id: ref("aws_subnet.none") },
      };
      expect(hits(input, fixture, "instance-public-ip")).toEqual(["instance-public-ip aws_instance.unset_in_auto"]);
      expect(
        check(input, fixture, { rules: RULES.filter((r) => r.id === "instance-public-ip") }).findings[0].message,
      ).toBe("gets a public IP at launch from aws_subnet.auto");
    });
  });

  describe("ssh-only-from-instance-connect", () => {
    const door = {
      "aws_security_group.door": { name: "door" },
      "aws_security_group.other": { name: "other" },
      "aws_ec2_instance_connect_endpoint.e": { security_group_ids: [ref("aws_security_group.door", "id")] },
    };
    const rule = (source: Record<string, unknown>, port = 22) => ({
      security_group_id: ref("aws_security_group.other", "id"),
      ip_protocol: "tcp",
      from_port: port,
      to_port: port,
      ...source,
    });

    it("passes SSH from the endpoint's group; fails SSH from a CIDR, from another group, or in an inline block", () => {
      const fixture = {
        ...door,
        "aws_vpc_security_group_ingress_rule.from_door": rule({
          referenced_security_group_id: ref("aws_security_group.door", "id"),
        }),
        "aws_vpc_security_group_ingress_rule.from_office": rule({ cidr_ipv4: "203.0.113.10/32" }),
        "aws_vpc_security_group_ingress_rule.from_other": rule({
          referenced_security_group_id: ref("aws_security_group.other", "id"),
        }),
        "aws_vpc_security_group_ingress_rule.https_from_office": rule({ cidr_ipv4: "203.0.113.10/32" }, 443),
        "aws_security_group.inline": {
          ingress: [{ protocol: "tcp", from_port: 0, to_port: 65535, cidr_blocks: ["10.0.0.0/16"] }],
        },
      };
      expect(hits(input, fixture, "ssh-only-from-instance-connect").sort()).toEqual([
        "ssh-only-from-instance-connect aws_security_group.inline",
        "ssh-only-from-instance-connect aws_vpc_security_group_ingress_rule.from_office",
        "ssh-only-from-instance-connect aws_vpc_security_group_ingress_rule.from_other",
      ]);
    });

    it("says nothing where no Instance Connect Endpoint is the door (the bastion's admin CIDRs)", () => {
      const fixture = { "aws_vpc_security_group_ingress_rule.admin": rule({ cidr_ipv4: "203.0.113.10/32" }) };
      expect(hits(input, fixture, "ssh-only-from-instance-connect")).toEqual([]);
    });
  });

  describe("nat-cross-az", () => {
    const fixture = (natOfB: string): Fixture => ({
      "aws_subnet.pub_a": { availability_zone: "eu-west-1a" },
      "aws_subnet.pub_b": { availability_zone: "eu-west-1b" },
      "aws_subnet.app_a": { availability_zone: "eu-west-1a" },
      "aws_subnet.app_b": { availability_zone: "eu-west-1b" },
      "aws_nat_gateway.nat_a": { subnet_id: ref("aws_subnet.pub_a") },
      "aws_nat_gateway.nat_b": { subnet_id: ref("aws_subnet.pub_b") },
      "aws_route_table.rt_a": {},
      "aws_route_table.rt_b": {},
      "aws_route.default_a": {
        route_table_id: ref("aws_route_table.rt_a"),
        destination_cidr_block: "0.0.0.0/0",
        nat_gateway_id: ref("aws_nat_gateway.nat_a"),
      },
      "aws_route.default_b": {
        route_table_id: ref("aws_route_table.rt_b"),
        destination_cidr_block: "0.0.0.0/0",
        nat_gateway_id: ref(natOfB),
      },
      "aws_route_table_association.a": {
        route_table_id: ref("aws_route_table.rt_a"),
        subnet_id: ref("aws_subnet.app_a"),
      },
      "aws_route_table_association.b": {
        route_table_id: ref("aws_route_table.rt_b"),
        subnet_id: ref("aws_subnet.app_b"),
      },
    });

    it("under per-az, fails a private route through another AZ's NAT, naming both AZs", () => {
      const result = check(input, fixture("aws_nat_gateway.nat_a"), {
        rules: RULES.filter((r) => r.id === "nat-cross-az"),
        context: { natMode: "per-az" },
      });
      expect(result.findings.map((f) => `${f.address} ${f.message}`)).toEqual([
        "aws_route.default_b sends subnet app_b (eu-west-1b) through the NAT gateway in eu-west-1a: losing that AZ cuts this one's egress",
      ]);
    });

    it("passes each AZ through its own NAT, and any routing under another NAT mode", () => {
      expect(hits(input, fixture("aws_nat_gateway.nat_b"), "nat-cross-az", { context: { natMode: "per-az" } })).toEqual(
        [],
      );
      expect(hits(input, fixture("aws_nat_gateway.nat_a"), "nat-cross-az", { context: { natMode: "single" } })).toEqual(
        [],
      );
    });
  });

  describe("default-security-group-closed (CKV2_AWS_12, AVD-AWS-0173)", () => {
    it("passes an adopted default SG with no rules", () => {
      expect(hits(input, closedVpc, "default-security-group-closed")).toEqual([]);
    });

    it("fails a VPC whose default SG is not adopted", () => {
      expect(hits(input, { "aws_vpc.v": {} }, "default-security-group-closed")).toEqual([
        "default-security-group-closed aws_vpc.v",
      ]);
    });

    it("fails inline rules on the default SG", () => {
      const fixture = {
        ...closedVpc,
        "aws_default_security_group.d": {
          vpc_id: ref("aws_vpc.v"),
          ingress: [{ cidr_blocks: ["10.0.0.0/8"], protocol: "-1" }],
        },
      };
      expect(hits(input, fixture, "default-security-group-closed")).toEqual([
        "default-security-group-closed aws_default_security_group.d",
      ]);
    });

    it("fails a standalone rule on the default SG, named by the resource or by the VPC's attribute", () => {
      const fixture = {
        ...closedVpc,
        "aws_vpc_security_group_egress_rule.e": { security_group_id: ref("aws_default_security_group.d") },
        "aws_security_group_rule.r": {
          type: "egress",
          security_group_id: ref("aws_vpc.v", "default_security_group_id"),
        },
        "aws_security_group_rule.other": { type: "egress", security_group_id: ref("aws_security_group.g") },
        "aws_security_group.g": {},
      };
      expect(hits(input, fixture, "default-security-group-closed").sort()).toEqual([
        "default-security-group-closed aws_security_group_rule.r",
        "default-security-group-closed aws_vpc_security_group_egress_rule.e",
      ]);
    });
  });

  describe("vpc-flow-logs (CKV2_AWS_11, AVD-AWS-0178)", () => {
    it("passes a VPC with a flow log and fails one without", () => {
      expect(hits(input, closedVpc, "vpc-flow-logs")).toEqual([]);
      expect(hits(input, { ...closedVpc, "aws_vpc.other": {} }, "vpc-flow-logs")).toEqual([
        "vpc-flow-logs aws_vpc.other",
      ]);
    });
  });

  describe("state bucket rules: bucket-encryption, bucket-versioning, bucket-public-access-block", () => {
    const bucket = "aws_s3_bucket.state";
    const ids = ["bucket-encryption", "bucket-versioning", "bucket-public-access-block"];
    const good: Fixture = {
      [bucket]: { bucket: "state" },
      "aws_s3_bucket_server_side_encryption_configuration.sse": {
        bucket: ref(bucket),
        rule: [{ apply_server_side_encryption_by_default: block({ sse_algorithm: "aws:kms" }) }],
      },
      "aws_s3_bucket_versioning.v": { bucket: ref(bucket), versioning_configuration: block({ status: "Enabled" }) },
      "aws_s3_bucket_public_access_block.pab": {
        bucket: ref(bucket),
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      },
    };

    it("passes a bucket with all three companions set right", () => {
      expect(ids.flatMap((id) => hits(input, good, id))).toEqual([]);
    });

    it("fails a bare bucket on all three", () => {
      expect(ids.flatMap((id) => hits(input, { [bucket]: {} }, id))).toEqual(ids.map((id) => `${id} ${bucket}`));
    });

    it("fails companions that are there but wrong, naming the companion", () => {
      const wrong: Fixture = {
        ...good,
        "aws_s3_bucket_server_side_encryption_configuration.sse": {
          bucket: ref(bucket),
          rule: [{ apply_server_side_encryption_by_default: block({ sse_algorithm: "none" }) }],
        },
        "aws_s3_bucket_versioning.v": { bucket: ref(bucket), versioning_configuration: block({ status: "Suspended" }) },
        "aws_s3_bucket_public_access_block.pab": {
          ...good["aws_s3_bucket_public_access_block.pab"],
          restrict_public_buckets: false,
        },
      };
      expect(ids.flatMap((id) => hits(input, wrong, id))).toEqual([
        "bucket-encryption aws_s3_bucket_server_side_encryption_configuration.sse",
        "bucket-versioning aws_s3_bucket_versioning.v",
        "bucket-public-access-block aws_s3_bucket_public_access_block.pab",
      ]);
    });
  });

  describe("bucket-access-logging (CKV_AWS_18, AVD-AWS-0089)", () => {
    it("fails a bucket without logging; passes a logged bucket and the bucket its logs go to", () => {
      const fixture: Fixture = {
        "aws_s3_bucket.state": { bucket: "state" },
        "aws_s3_bucket.logs": { bucket: "state-access-logs" },
        "aws_s3_bucket.other": { bucket: "other" },
        "aws_s3_bucket_logging.l": {
          bucket: ref("aws_s3_bucket.state"),
          target_bucket: ref("aws_s3_bucket.logs"),
          target_prefix: "state/",
        },
      };
      expect(hits(input, fixture, "bucket-access-logging")).toEqual(["bucket-access-logging aws_s3_bucket.other"]);
      const { "aws_s3_bucket_logging.l": _logging, ...unlogged } = fixture;
      expect(hits(input, unlogged, "bucket-access-logging")).toHaveLength(3);
    });
  });

  describe("log-group-kms (CKV_AWS_158, AVD-AWS-0017)", () => {
    it("fails a log group without kms_key_id; passes one with a key ARN or a reference to a key", () => {
      const fixture: Fixture = {
        "aws_cloudwatch_log_group.plain": { retention_in_days: 90 },
        "aws_cloudwatch_log_group.arn": { kms_key_id: "arn:aws:kms:ap-northeast-2:111122223333:key/x" },
        "aws_cloudwatch_log_group.byref": { kms_key_id: ref("aws_kms_key.k", "arn") },
        "aws_kms_key.k": { enable_key_rotation: true },
      };
      expect(hits(input, fixture, "log-group-kms")).toEqual(["log-group-kms aws_cloudwatch_log_group.plain"]);
    });
  });

  describe("instance-detailed-monitoring (CKV_AWS_126), instance-ebs-optimized (CKV_AWS_135), instance-profile (CKV2_AWS_41)", () => {
    const fixture: Fixture = {
      "aws_iam_instance_profile.p": { name: "p" },
      "aws_instance.good": { ...hardened },
      "aws_instance.named": { ...hardened, iam_instance_profile: "a-profile-by-name" },
      "aws_instance.t2": { ...hardened, instance_type: "t2.micro", ebs_optimized: false },
      "aws_instance.bad": {
        ...hardened,
        instance_type: "m5.large",
        monitoring: false,
        ebs_optimized: false,
        iam_instance_profile: undefined,
      },
      "aws_instance.unset": { metadata_options: block({ http_tokens: "required" }), instance_type: "t3.micro" },
    };

    it("monitoring: fails false or unset", () => {
      expect(hits(input, fixture, "instance-detailed-monitoring")).toEqual([
        "instance-detailed-monitoring aws_instance.bad",
        "instance-detailed-monitoring aws_instance.unset",
      ]);
    });

    it("ebs_optimized: fails a type that supports it (m5, t3) left off; a t2, which cannot be, passes", () => {
      expect(hits(input, fixture, "instance-ebs-optimized")).toEqual([
        "instance-ebs-optimized aws_instance.bad",
        "instance-ebs-optimized aws_instance.unset",
      ]);
    });

    it("instance profile: a reference or a name passes, none fails", () => {
      expect(hits(input, fixture, "instance-profile")).toEqual([
        "instance-profile aws_instance.bad",
        "instance-profile aws_instance.unset",
      ]);
    });
  });

  describe("exceptions", () => {
    const open = { "aws_vpc.v": {} };

    it("move a finding named by the rule's id or any scanner id to accepted, with the reason", () => {
      for (const rule of ["vpc-flow-logs", "CKV2_AWS_11", "AVD-AWS-0178"]) {
        const { findings, accepted } = check(input, open, {
          exceptions: [{ rule, reason: "flow logs off in this sandbox" }],
        });
        expect(findings.map((f) => f.rule)).toEqual(["default-security-group-closed"]);
        expect(accepted).toEqual([
          expect.objectContaining({
            rule: "vpc-flow-logs",
            address: "aws_vpc.v",
            reason: "flow logs off in this sandbox",
          }),
        ]);
      }
    });

    it("limited to a resource, cover only addresses containing it", () => {
      const fixture = {
        "aws_instance.Bastion_Host_1": { associate_public_ip_address: true },
        "aws_instance.App_1": { associate_public_ip_address: true },
      };
      const result = check(input, fixture, {
        rules: RULES.filter((r) => r.id === "instance-public-ip"),
        exceptions: [{ rule: "CKV_AWS_88", resource: "aws_instance.Bastion_", reason: "the door" }],
      });
      expect(result.findings.map((f) => f.address)).toEqual(["aws_instance.App_1"]);
      expect(result.accepted.map((f) => [f.address, f.reason])).toEqual([["aws_instance.Bastion_Host_1", "the door"]]);
    });
  });
});

describe("remote-state (synth only)", () => {
  const state = (backend: Record<string, unknown>, localStateOptIn?: boolean) =>
    checkSynth({ resource: {}, terraform: { backend } }, { context: { localStateOptIn } }).findings.map((f) => f.rule);

  it("passes an S3 or cloud backend, fails a local or missing one without the opt-in", () => {
    expect(state({ s3: { bucket: "b" } })).toEqual([]);
    expect(state({ cloud: { organization: "o" } })).toEqual([]);
    expect(state({ local: { path: "x" } })).toEqual(["remote-state"]);
    expect(state({})).toEqual(["remote-state"]);
    expect(state({ local: { path: "x" } }, true)).toEqual([]);
  });

  it("is not applied to a plan, which does not carry the backend", () => {
    expect(checkPlan(asPlan({}), { context: { localStateOptIn: false } })).toEqual({ findings: [], accepted: [] });
  });
});

describe("the adapters", () => {
  it("synth: reads references from ${...} expressions, to known resources only, and the backend kinds", () => {
    const view = viewOfSynth({
      resource: {
        aws_vpc: { v: { cidr_block: "10.0.0.0/16" } },
        aws_subnet: {
          s: {
            vpc_id: "${aws_vpc.v.id}",
            tags: { Name: "${aws_vpc.v.id}-x" },
            cidr_block: "${cidrsubnet(aws_vpc.v.cidr_block, 8, 1)}",
            ami: "${data.aws_ami.x.id}",
          },
        },
      },
      terraform: { backend: { s3: {} } },
    });
    expect(view.backends).toEqual(["s3"]);
    const subnet = view.resources.find((r) => r.type === "aws_subnet")!;
    expect(subnet).toMatchObject({ address: "aws_subnet.s", name: "s", values: { vpc_id: "${aws_vpc.v.id}" } });
    expect(subnet.references).toEqual({
      vpc_id: ["aws_vpc.v.id"],
      tags: ["aws_vpc.v.id"],
      cidr_block: ["aws_vpc.v.cidr_block"],
    });
  });

  it("plan: fills a value unknown until apply with its reference, keeps known values, reads child modules", () => {
    const plan = asPlan({ "aws_vpc.v": {}, "aws_s3_bucket.b": { bucket: "state" } });
    const withKnown = {
      ...plan,
      planned_values: {
        root_module: {
          resources: [
            ...plan.planned_values!.root_module!.resources!,
            {
              address: "aws_s3_bucket_versioning.v",
              mode: "managed" as const,
              type: "aws_s3_bucket_versioning",
              name: "v",
              values: { bucket: "state", versioning_configuration: [{ status: "Enabled" }] },
            },
          ],
          child_modules: [
            {
              resources: [
                { address: "module.m.aws_vpc.w", mode: "managed" as const, type: "aws_vpc", name: "w", values: {} },
              ],
            },
          ],
        },
      },
      configuration: {
        root_module: {
          resources: [
            {
              address: "aws_s3_bucket_versioning.v",
              mode: "managed" as const,
              type: "aws_s3_bucket_versioning",
              name: "v",
              expressions: { bucket: { references: ["aws_s3_bucket.b.bucket", "aws_s3_bucket.b"] } },
            },
            {
              address: "aws_flow_log.f",
              mode: "managed" as const,
              type: "aws_flow_log",
              name: "f",
              expressions: { vpc_id: { references: ["aws_vpc.v.id", "aws_vpc.v"] } },
            },
          ],
        },
      },
    };
    withKnown.planned_values.root_module.resources.push({
      address: "aws_flow_log.f",
      mode: "managed",
      type: "aws_flow_log",
      name: "f",
      values: {},
    });
    const view = viewOfPlan(withKnown);
    expect(view.input).toBe("plan");
    expect(view.backends).toBeUndefined();
    const byAddress = Object.fromEntries(view.resources.map((r) => [r.address, r]));
    expect(byAddress["aws_s3_bucket_versioning.v"].values.bucket).toBe("state");
    expect(byAddress["aws_s3_bucket_versioning.v"].references.bucket).toEqual([
      "aws_s3_bucket.b.bucket",
      "aws_s3_bucket.b",
    ]);
    expect(byAddress["aws_flow_log.f"].values.vpc_id).toBe("${aws_vpc.v.id}");
    expect(Object.keys(byAddress)).toContain("module.m.aws_vpc.w");
    // A known bucket name does not hide the reference: the companion still counts for the bucket.
    expect(
      evaluateRules(
        view,
        RULES.filter((r) => r.id === "bucket-versioning"),
      ).findings,
    ).toEqual([]);
  });
});

describe("formatting", () => {
  const [finding] = checkPlan(asPlan({ "aws_vpc.v": {} })).findings;

  it("a plan line names the rule, its scanner ids, the address and the message", () => {
    expect(formatFinding(finding)).toMatch(
      /^default-security-group-closed \(CKV2_AWS_12, AVD-AWS-0173\) aws_vpc\.v: no aws_default_security_group/,
    );
    expect(formatFinding({ ...finding, scannerIds: [] })).toMatch(/^default-security-group-closed aws_vpc\.v: /);
  });

  it("a synth error names the rule and the acknowledgement that would accept it", () => {
    expect(formatViolation(finding)).toBe(
      `guardrail default-security-group-closed: aws_vpc.v ${finding.message}. Fix it, or acknowledge it in the environment's config: "guardrails": { "acknowledge": [{"rule":"default-security-group-closed","resource":"v","reason":"why this is safe"}] } (in code: applyRules(stack, { exceptions: [{"rule":"default-security-group-closed","resource":"v","reason":"why this is safe"}] }))`,
    );
  });
});

describe("coversTcpPort", () => {
  it("knows which ports a permission covers", () => {
    expect(coversTcpPort({ protocol: "tcp", fromPort: 20, toPort: 23 }, 22)).toBe(true);
    expect(coversTcpPort({ protocol: "TCP" }, 3389)).toBe(true);
    expect(coversTcpPort({ protocol: "tcp", fromPort: 23, toPort: 25 }, 22)).toBe(false);
    expect(coversTcpPort({ protocol: "icmp", fromPort: -1, toPort: -1 }, 22)).toBe(false);
    expect(coversTcpPort({ protocol: "all" }, 22)).toBe(true);
  });
});

describe("environmentExceptions", () => {
  it("accepts flow logs exactly where they are off, public IPs for the bastion and a NAT instance, and the config's own", () => {
    const env = workshopConfig();
    expect(environmentExceptions(env).map((e) => [e.rule, e.resource])).toEqual([
      ["vpc-flow-logs", undefined],
      ["instance-detailed-monitoring", "aws_instance.Bastion_"],
      ["instance-detailed-monitoring", "aws_instance.AppServers_"],
      ["instance-detailed-monitoring", "aws_instance.Db_"],
      ["instance-public-ip", "aws_instance.Bastion_"],
    ]);
    const { bastion: _bastion, servers: _servers, ...networkOnly } = env;
    const flowLogs = {
      enabled: true,
      kmsKeyArn: "arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    };
    expect(environmentExceptions({ ...networkOnly, flowLogs })).toEqual([]);
    const nat = { mode: "instance", instance: { ami: "ami-0123456789abcdef0" } };
    const natInstance = environmentExceptions({ ...networkOnly, flowLogs, nat });
    expect(natInstance.map((e) => [e.rule, e.resource])).toEqual([
      ["instance-detailed-monitoring", "aws_instance.network_NatInstance-"],
      ["instance-public-ip", "aws_instance.network_NatInstance-"],
    ]);
    expect(
      environmentExceptions({
        ...networkOnly,
        flowLogs,
        nat: { ...nat, instance: { ...nat.instance, detailedMonitoring: true } },
      }).map((e) => e.rule),
    ).toEqual(["instance-public-ip"]);
    const acknowledged = {
      ...networkOnly,
      flowLogs,
      guardrails: { acknowledge: [{ rule: "imdsv2-required", reason: "a vendor appliance" }] },
    };
    expect(environmentExceptions(acknowledged)).toEqual([{ rule: "imdsv2-required", reason: "a vendor appliance" }]);
    const open = {
      ...networkOnly,
      flowLogs,
      access: { adminCidrs: ["0.0.0.0/0"], insecureAllowAdminPortsFromAnywhere: true },
    };
    // The tiers' network ACLs admit what the groups do: the same override accepts both.
    expect(environmentExceptions(open).map((e) => e.rule)).toEqual([
      "admin-port-open-to-world",
      "nacl-admin-port-open-to-world",
    ]);
  });

  it("accepts the flow-log group's own encryption only where flow logs are on without a key, and monitoring off per block", () => {
    const env = { ...workshopConfig(), flowLogs: { enabled: true } };
    env.servers!.db!.detailedMonitoring = true;
    const exceptions = environmentExceptions(env);
    expect(exceptions.filter((e) => e.rule === "log-group-kms").map((e) => e.resource)).toEqual([
      "aws_cloudwatch_log_group.network_FlowLogs_",
    ]);
    expect(exceptions.filter((e) => e.rule === "instance-detailed-monitoring").map((e) => e.resource)).toEqual([
      "aws_instance.Bastion_",
      "aws_instance.AppServers_",
    ]);
  });

  it("stateStoreExceptions: a state bucket without accessLogs accepts bucket-access-logging; with them, nothing", () => {
    expect(stateStoreExceptions({ bucket: "b" }).map((e) => e.rule)).toEqual(["bucket-access-logging"]);
    expect(stateStoreExceptions({ bucket: "b", accessLogs: true })).toEqual([]);
  });

  it("gives the rules the environment's NAT mode (the network's default when unset) and its local-state opt-in", () => {
    const env = workshopConfig();
    expect(environmentRuleOptions({ ...env, nat: undefined, backend: undefined }).context).toEqual({
      natMode: "single",
      localStateOptIn: false,
    });
    expect(environmentRuleOptions({ ...env, nat: { mode: "per-az" }, backend: { type: "local" } }).context).toEqual({
      natMode: "per-az",
      localStateOptIn: true,
    });
  });
});
