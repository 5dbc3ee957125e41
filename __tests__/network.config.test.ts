import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfigFile } from "../modules/environment/load";
import { ConfigError } from "../modules/core/problems";
import { problemsAfter, problemsOf, rawWorkshop } from "./support/config";

const W = 'environment "workshop": ';

describe("network config: bad input is reported with environment, field, value and expectation", () => {
  it.each<[string, (env: Record<string, any>) => void, string[]]>([
    [
      "malformed VPC CIDR",
      (e) => (e.vpcCidr = "192.168.10/24"),
      [`${W}vpcCidr = "192.168.10/24": expected an IPv4 CIDR block such as 10.0.0.0/16`],
    ],
    [
      "host bits set",
      (e) => (e.vpcCidr = "192.168.10.7/24"),
      [
        `${W}vpcCidr = "192.168.10.7/24": expected a network address with no host bits set (did you mean 192.168.10.0/24?)`,
      ],
    ],
    [
      "VPC larger than /16",
      (e) => (e.vpcCidr = "10.0.0.0/8"),
      [`${W}vpcCidr = "10.0.0.0/8": expected a VPC block from /16 to /28 (AWS's limits)`],
    ],
    [
      "VPC smaller than /28",
      (e) => (e.vpcCidr = "192.168.10.0/29"),
      [`${W}vpcCidr = "192.168.10.0/29": expected a VPC block from /16 to /28 (AWS's limits)`],
    ],
    [
      "public VPC block without acknowledgement",
      (e) => (e.vpcCidr = "100.64.8.0/22"),
      [
        `${W}vpcCidr = "100.64.8.0/22": expected a private RFC 1918 block (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), or acknowledgeNonRfc1918VpcCidr: true`,
      ],
    ],
    [
      "AZ of another region",
      (e) => (e.azs = ["ap-northeast-2a", "us-east-1b"]),
      [
        `${W}azs[1] = "us-east-1b": expected one of the availability zones of ap-northeast-2: ap-northeast-2a, ap-northeast-2b, ap-northeast-2c, ap-northeast-2d`,
      ],
    ],
    [
      "AZ the region does not have: named once, with the region's AZs, whatever azSlots allows",
      (e) => ((e.azs = ["ap-northeast-2a", "ap-northeast-2e"]), (e.azSlots = 8)),
      [
        `${W}azs[1] = "ap-northeast-2e": expected one of the availability zones of ap-northeast-2: ap-northeast-2a, ap-northeast-2b, ap-northeast-2c, ap-northeast-2d`,
      ],
    ],
    [
      "AZ the region does not have, beyond azSlots too: named once, not once per tier",
      (e) => (e.azs = ["ap-northeast-2a", "ap-northeast-2e"]),
      [
        `${W}azs[1] = "ap-northeast-2e": expected one of the availability zones of ap-northeast-2: ap-northeast-2a, ap-northeast-2b, ap-northeast-2c, ap-northeast-2d`,
      ],
    ],
    [
      "tier AZ not in the environment",
      (e) => (e.tiers[1].azs = ["ap-northeast-2c"]),
      [
        `${W}tiers[1].azs[0] = "ap-northeast-2c": expected one of the environment's AZs (ap-northeast-2a, ap-northeast-2b)`,
      ],
    ],
    [
      "duplicate tier name",
      (e) => (e.tiers[2].name = "public"),
      [
        `${W}tiers[2].name = "public": expected a tier name used once per environment`,
        // The servers placed in the renamed tier are reported too.
        `${W}servers.db.tier = "internal": expected one of the environment's tiers (public, management, public)`,
        `${W}servers.app.tier = "internal": expected one of the environment's tiers (public, management, public)`,
      ],
    ],
    [
      "unknown NAT mode",
      (e) => (e.nat.mode = "double"),
      [`${W}nat.mode = "double": expected one of none, single, per-az, instance`],
    ],
    [
      "private tier without a NAT path",
      (e) => (e.nat.mode = "none"),
      [
        `${W}tiers[2].type = "private": expected a NAT path for a private tier: set nat.mode to single, per-az or instance, or make the tier "isolated" (interfaceEndpoints then reach AWS services, such as Session Manager, without a NAT)`,
      ],
    ],
    [
      "per-az NAT in an AZ with no public subnet",
      (e) => {
        e.nat.mode = "per-az";
        e.tiers[0].azs = ["ap-northeast-2a"];
        e.tiers[1].azs = ["ap-northeast-2a"];
      },
      [
        `${W}tiers[2].azs = "ap-northeast-2b": expected an AZ with a public subnet to hold its NAT gateway (nat.mode "per-az"); AZ ap-northeast-2b has none`,
      ],
    ],
    [
      "tiers that do not fit",
      (e) => (e.tiers[2].cidrMask = 24),
      [
        `${W}tiers[2].cidrMask = 24: expected a mask whose 4 AZ slots (a /22 block) fit in the free space of the VPC block 192.168.8.0/22; it does not fit after the tiers before it. ` +
          `Ways out: cidrMask 25 (smaller subnets) fits and changes nothing that exists; a secondary block (secondaryCidrBlocks, and "block" on this tier) only adds resources; ` +
          `a larger vpcCidr replaces the VPC and everything in it; fewer azSlots moves every auto-planned subnet (replaces them)`,
      ],
    ],
    [
      "subnet mask out of AWS range",
      (e) => (e.tiers[0].cidrMask = 29),
      [`${W}tiers[0].cidrMask = 29: expected a subnet netmask from 16 to 28 (AWS's limits)`],
    ],
    [
      "explicit subnet outside the VPC",
      (e) =>
        (e.tiers[1] = {
          name: "management",
          type: "public",
          azs: ["ap-northeast-2a"],
          cidrs: { "ap-northeast-2a": "192.168.12.0/27" },
        }),
      [`${W}tiers[1].cidrs.ap-northeast-2a = "192.168.12.0/27": expected a subnet inside the VPC block 192.168.8.0/22`],
    ],
    [
      "overlapping explicit subnets",
      (e) => {
        e.tiers[0] = {
          name: "public",
          type: "public",
          cidrs: { "ap-northeast-2a": "192.168.10.0/26", "ap-northeast-2b": "192.168.10.32/27" },
        };
      },
      [
        `${W}tiers[0].cidrs.ap-northeast-2b = "192.168.10.32/27": expected a block that does not overlap 192.168.10.0/26 (tier "public", tiers[0].cidrs.ap-northeast-2a); 192.168.8.0/27 is free`,
      ],
    ],
    [
      "both cidrMask and cidrs",
      (e) => (e.tiers[0].cidrs = { "ap-northeast-2a": "192.168.10.0/26" }),
      [`${W}tiers[0].cidrMask = 26: expected either cidrMask or cidrs (exactly one of them)`],
    ],
    [
      "AZ beyond the reserved slots",
      (e) => (e.azSlots = 1),
      [
        `${W}azSlots = 1: expected one of 2, 4, 8: AZ ap-northeast-2b takes slot 1 in tier(s) "public", "internal", beyond the 1 slot(s) each tier reserves. Raising azSlots moves every auto-planned subnet (replaces it): choose it before the first apply`,
      ],
    ],
    [
      "unknown field (a typo)",
      (e) => (e.vpcCdir = "10.0.0.0/16"),
      [`${W}vpcCdir = "10.0.0.0/16": expected no such field: did you mean "vpcCidr"?`],
    ],
    ["wrong type", (e) => (e.azs = "ap-northeast-2a"), [`${W}azs = "ap-northeast-2a": expected a value of type array`]],
    [
      "NAT instance without settings",
      (e) => (e.nat.mode = "instance"),
      [`${W}nat.instance = (missing): expected the NAT instance settings ({ "ami": ... }) when nat.mode is "instance"`],
    ],
    [
      "NAT instance with a malformed AMI",
      (e) => (e.nat = { mode: "instance", instance: { ami: "ubuntu" } }),
      [
        `${W}nat.instance.ami = "ubuntu": expected an AMI id such as "ami-0123456789abcdef0" or { "ssmParameter": "/aws/service/..." }`,
      ],
    ],
    [
      "flow log retention CloudWatch does not offer",
      (e) => (e.flowLogs = { enabled: true, retentionDays: 10 }),
      [
        `${W}flowLogs.retentionDays = 10: expected one of CloudWatch's retention periods: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653`,
      ],
    ],
  ])("%s", (_title, change, expected) => {
    expect(problemsAfter(change)).toEqual(expected);
  });

  it("accepts the default environment and a public VPC block when acknowledged", () => {
    expect(problemsAfter(() => undefined)).toEqual([]);
    expect(
      problemsAfter((e) => Object.assign(e, { vpcCidr: "100.64.8.0/22", acknowledgeNonRfc1918VpcCidr: true })),
    ).toEqual([]);
  });

  it("reports duplicate environment names and every problem of every environment at once", () => {
    const second = { ...rawWorkshop(), vpcCidr: "10.0.0.0/33" };
    const third = { ...rawWorkshop(), name: "staging", region: "eu-west-1" };
    const problems = problemsOf(rawWorkshop(), second, third);
    expect(problems).toContain(`${W}name = "workshop": expected an environment name used once in the file`);
    expect(problems).toContain(
      `${W}vpcCidr = "10.0.0.0/33": expected an IPv4 CIDR block with octets 0-255 and a prefix 0-32`,
    );
    expect(problems).toContain(
      'environment "staging": azs[0] = "ap-northeast-2a": expected one of the availability zones of eu-west-1: eu-west-1a, eu-west-1b, eu-west-1c',
    );
    expect(problems.length).toBeGreaterThanOrEqual(4);
  });

  it("names an environment without a usable name by its position", () => {
    expect(problemsOf({ ...rawWorkshop(), name: "Prod!" })[0]).toBe(
      'environment "Prod!": name = "Prod!": expected lowercase letters, digits and dashes, starting with a letter, at most 31 characters',
    );
    expect(problemsOf({ region: "x" })[0]).toBe(
      'environment "#1": name = (missing): expected a string: this field is required',
    );
  });

  it("reports a broken file before anything else is read", () => {
    const dir = mkdtempSync(join(tmpdir(), "config-"));
    const broken = join(dir, "environments.json");
    writeFileSync(broken, '{ "environments": [ { "name": "workshop", } ] }');
    expect(() => loadConfigFile(broken)).toThrow(ConfigError);
    expect(() => loadConfigFile(broken)).toThrow(/environments.json:1:43: invalid JSON: expected a property name/);
    expect(() => loadConfigFile(join(dir, "missing.json"))).toThrow(/expected a readable config file/);
    writeFileSync(broken, '{ "environments": [] }');
    expect(() => loadConfigFile(broken)).toThrow(/environments = \[\]: expected .*1/);
  });
});
