import { checkPlan, checkSynth } from "../modules/rules/check";
import { environmentExceptions } from "../modules/rules/exceptions";
import { RULES } from "../modules/rules/rules";
import { RuleInput } from "../modules/rules/view";
import { asPlan, asSynth, Fixture, INPUTS, ref } from "./support/rule-fixtures";
import { synthEnvironment, workshopConfig } from "./support/synth";

// The network ACL rules: nacl-admin-port-open-to-world (checkov CKV_AWS_229/230/231/232) and nacl-attached
// (CKV2_AWS_1), on hand-written resources and on the environment's own ACLs.

function hits(input: RuleInput, fixture: Fixture, id: string): string[] {
  const options = { rules: RULES.filter((r) => r.id === id) };
  const result = input === "synth" ? checkSynth(asSynth(fixture), options) : checkPlan(asPlan(fixture), options);
  return result.findings.map((f) => `${f.address}: ${f.message}`);
}

/** One inline entry: a list of them is written as is, in both inputs. */
const entry = (ruleNo: number, protocol: string, cidr: string, from: number, to: number, action = "allow") => ({
  rule_no: ruleNo,
  action,
  protocol,
  cidr_block: cidr,
  from_port: from,
  to_port: to,
});

describe.each(INPUTS)("on %s input", (input) => {
  describe("nacl-admin-port-open-to-world (CKV_AWS_229, CKV_AWS_230, CKV_AWS_231, CKV_AWS_232)", () => {
    it("fails an inbound entry from the world that covers SSH, RDP or FTP, inline or standalone, naming entry and ports", () => {
      const fixture: Fixture = {
        "aws_network_acl.a": {
          vpc_id: "vpc-1",
          ingress: [entry(100, "tcp", "0.0.0.0/0", 1024, 65535), entry(110, "6", "0.0.0.0/0", 20, 22)],
          egress: [entry(100, "-1", "0.0.0.0/0", 0, 0)],
        },
        "aws_network_acl_rule.r": {
          network_acl_id: "acl-1",
          rule_number: 120,
          egress: false,
          protocol: "-1",
          rule_action: "allow",
          cidr_block: "0.0.0.0/0",
        },
      };
      expect(hits(input, fixture, "nacl-admin-port-open-to-world")).toEqual([
        "aws_network_acl.a: entry 100 admits 0.0.0.0/0 to RDP (3389), VNC (5900), WinRM (5985), WinRM (5986) (protocol tcp)",
        "aws_network_acl.a: entry 110 admits 0.0.0.0/0 to FTP data (20), FTP (21), SSH (22) (protocol 6)",
        "aws_network_acl_rule.r: entry 120 admits 0.0.0.0/0 to FTP data (20), FTP (21), SSH (22), telnet (23), RDP (3389), VNC (5900), WinRM (5985), WinRM (5986) (protocol -1)",
      ]);
    });

    it("passes narrower sources, other ports, denies, outbound rules and the pieces between the admin ports", () => {
      const fixture: Fixture = {
        "aws_network_acl.a": {
          vpc_id: "vpc-1",
          ingress: [
            entry(100, "tcp", "203.0.113.10/32", 22, 22),
            entry(110, "tcp", "0.0.0.0/0", 1024, 3388),
            entry(120, "tcp", "0.0.0.0/0", 3390, 5899),
            entry(130, "-1", "0.0.0.0/0", 0, 0, "deny"),
          ],
        },
        "aws_network_acl_rule.out": {
          network_acl_id: "acl-1",
          rule_number: 100,
          egress: true,
          protocol: "-1",
          rule_action: "allow",
          cidr_block: "0.0.0.0/0",
        },
      };
      expect(hits(input, fixture, "nacl-admin-port-open-to-world")).toEqual([]);
    });
  });

  describe("nacl-attached (CKV2_AWS_1)", () => {
    it("fails an ACL no subnet is attached to, and passes one with an association or subnet_ids", () => {
      const fixture: Fixture = {
        "aws_subnet.s": { vpc_id: "vpc-1", cidr_block: "10.0.0.0/24" },
        "aws_network_acl.lonely": { vpc_id: "vpc-1" },
        "aws_network_acl.associated": { vpc_id: "vpc-1" },
        "aws_network_acl_association.x": {
          network_acl_id: ref("aws_network_acl.associated"),
          subnet_id: ref("aws_subnet.s"),
        },
        "aws_network_acl.inline": { vpc_id: "vpc-1", subnet_ids: ["subnet-123"] },
      };
      expect(hits(input, fixture, "nacl-attached")).toEqual([
        "aws_network_acl.lonely: is attached to no subnet: nothing it says filters anything",
      ]);
    });
  });
});

describe("the environment's own ACLs", () => {
  it("pass every rule; opening SSH to the world with the loud override makes the ACL rule an accepted finding", () => {
    const config = workshopConfig();
    config.tiers.forEach((t) => (t.networkAcl = true));
    const json = synthEnvironment(config).json;
    const nacl = { rules: RULES.filter((r) => r.id.startsWith("nacl-")) };
    expect(checkSynth(json as never, nacl).findings).toEqual([]);

    const open = workshopConfig();
    open.tiers.forEach((t) => (t.networkAcl = true));
    open.access = { adminCidrs: ["0.0.0.0/0"], insecureAllowAdminPortsFromAnywhere: true };
    const result = checkSynth(synthEnvironment(open).json as never, {
      ...nacl,
      exceptions: environmentExceptions(open),
    });
    expect(result.findings).toEqual([]);
    expect(result.accepted.map((f) => `${f.rule} ${f.address.replace(/_[0-9A-F]{8}$/, "")}`)).toEqual([
      "nacl-admin-port-open-to-world aws_network_acl.network_NetworkAcl-management",
    ]);
  });
});
