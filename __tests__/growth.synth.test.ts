import { EnvironmentConfig } from "../modules/environment/schema";
import { allResources, resourcesOf, SynthJson, synthEnvironment, workshopConfig } from "./support/synth";
import { problemsAfter } from "./support/config";

// Room to grow: the default environment takes two more AZs and another tier, and a full VPC takes a secondary block,
// each by creating resources only: every resource that existed keeps its logical id and every property.

function synthWith(...changes: Array<(c: EnvironmentConfig) => void>): SynthJson {
  const config = workshopConfig();
  for (const change of changes) change(config);
  return synthEnvironment(config).json;
}

/** The resources `after` adds to `before`; fails when any resource of `before` is gone or changed. */
function onlyCreates(before: SynthJson, after: SynthJson): string[] {
  const old = allResources(before);
  const now = allResources(after);
  for (const [id, props] of old) expect([id, now.get(id)]).toEqual([id, props]);
  return [...now.keys()].filter((id) => !old.has(id));
}

const addAz = (az: string) => (c: EnvironmentConfig) => c.azs.push(az);
const addTier = (c: EnvironmentConfig) => c.tiers.push({ name: "data", type: "isolated", cidrMask: 27 });

describe("the default environment has room to grow", () => {
  const base = synthWith();
  const withC = synthWith(addAz("ap-northeast-2c"));
  const withD = synthWith(addAz("ap-northeast-2c"), addAz("ap-northeast-2d"));
  const withTier = synthWith(addAz("ap-northeast-2c"), addAz("ap-northeast-2d"), addTier);

  it("adding ap-northeast-2c only creates resources, all of them in 2c", () => {
    const added = onlyCreates(base, withC);
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((id) => id.includes("ap-northeast-2c") || id.includes("2c"))).toBe(true);
  });

  it("then adding ap-northeast-2d only creates resources", () => {
    const added = onlyCreates(withC, withD);
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((id) => id.includes("2d"))).toBe(true);
  });

  it("then appending a tier only creates its subnets, route table and associations", () => {
    const added = onlyCreates(withD, withTier);
    expect(added.every((id) => id.includes("-data"))).toBe(true);
    expect(added.filter((id) => id.startsWith("aws_subnet."))).toHaveLength(4);
  });

  it("turning on every tier's network ACL only creates the ACLs and one association per subnet; the default ACL is untouched", () => {
    const added = onlyCreates(
      base,
      synthWith((c) => c.tiers.forEach((t) => (t.networkAcl = true))),
    );
    expect(added.map((id) => id.replace(/_[0-9A-F]{8}$/, "")).sort()).toEqual([
      "aws_network_acl.network_NetworkAcl-internal",
      "aws_network_acl.network_NetworkAcl-management",
      "aws_network_acl.network_NetworkAcl-public",
      "aws_network_acl_association.network_NetworkAclAssociation-internal-ap-northeast-2a",
      "aws_network_acl_association.network_NetworkAclAssociation-internal-ap-northeast-2b",
      "aws_network_acl_association.network_NetworkAclAssociation-management-ap-northeast-2a",
      "aws_network_acl_association.network_NetworkAclAssociation-public-ap-northeast-2a",
      "aws_network_acl_association.network_NetworkAclAssociation-public-ap-northeast-2b",
    ]);
  });

  it("keeps the workshop shape: public, management, internal in 2a/2b inside a 192.168.x.0 block", () => {
    const subnets = Object.values(resourcesOf(base, "aws_subnet")).map(
      (s) => `${(s.tags as Record<string, string>).Tier} ${s.availability_zone} ${s.cidr_block}`,
    );
    expect(subnets.sort()).toEqual([
      "internal ap-northeast-2a 192.168.9.128/27",
      "internal ap-northeast-2b 192.168.9.160/27",
      "management ap-northeast-2a 192.168.9.0/27",
      "public ap-northeast-2a 192.168.8.0/26",
      "public ap-northeast-2b 192.168.8.64/26",
    ]);
  });
});

describe("a full VPC grows with a secondary CIDR block", () => {
  const full = (c: EnvironmentConfig) => c.tiers.push({ name: "spare", type: "isolated", cidrMask: 25 });
  const block = (c: EnvironmentConfig) => (c.secondaryCidrBlocks = [{ name: "more", cidr: "192.168.16.0/22" }]);
  const tierInBlock = (c: EnvironmentConfig) =>
    c.tiers.push({ name: "data", type: "isolated", cidrMask: 26, block: "more" });

  it("a tier that does not fit says what would fit and what each way out costs", () => {
    const problems = problemsAfter(
      (e) => (full(e as EnvironmentConfig), e.tiers.push({ name: "data", type: "isolated", cidrMask: 26 })),
    );
    expect(problems).toEqual([
      'environment "workshop": tiers[4].cidrMask = 26: expected a mask whose 4 AZ slots (a /24 block) fit in the free space of the VPC block 192.168.8.0/22; ' +
        "it does not fit after the tiers before it. Ways out: no cidrMask of this tier fits the space left; " +
        'a secondary block (secondaryCidrBlocks, and "block" on this tier) only adds resources; a larger vpcCidr replaces the VPC and everything in it; ' +
        "fewer azSlots moves every auto-planned subnet (replaces them)",
    ]);
  });

  it("adding a block and a tier in it only creates: the association and the tier's resources", () => {
    const before = synthWith(full);
    const after = synthWith(full, block, tierInBlock);
    const added = onlyCreates(before, after);
    expect(added.filter((id) => id.startsWith("aws_vpc_ipv4_cidr_block_association."))).toHaveLength(1);
    expect(
      added.filter((id) => !id.startsWith("aws_vpc_ipv4_cidr_block_association.")).every((id) => id.includes("-data")),
    ).toBe(true);
    const association = Object.entries(resourcesOf(after, "aws_vpc_ipv4_cidr_block_association"));
    expect(association[0][1].cidr_block).toBe("192.168.16.0/22");
    const data = Object.values(resourcesOf(after, "aws_subnet")).filter(
      (s) => (s.tags as Record<string, string>).Tier === "data",
    );
    expect(data.map((s) => s.cidr_block).sort()).toEqual(["192.168.16.0/26", "192.168.16.64/26"]);
    // Terraform creates the subnet only once the block belongs to the VPC.
    expect(
      data.every((s) =>
        (s.depends_on as string[]).includes(`aws_vpc_ipv4_cidr_block_association.${association[0][0]}`),
      ),
    ).toBe(true);
  });

  it.each([
    [
      "an unknown block name",
      (e: any) => e.tiers.push({ name: "data", type: "isolated", cidrMask: 26, block: "mor" }),
      'tiers[3].block = "mor": expected the name of a block in secondaryCidrBlocks (there is none)',
    ],
    [
      "an overlapping block",
      (e: any) => (e.secondaryCidrBlocks = [{ name: "more", cidr: "192.168.10.0/23" }]),
      'secondaryCidrBlocks[0].cidr = "192.168.10.0/23": expected a block that overlaps no other block of the VPC (vpcCidr is 192.168.8.0/22)',
    ],
    [
      "another RFC 1918 range",
      (e: any) => (e.secondaryCidrBlocks = [{ name: "more", cidr: "10.0.0.0/16" }]),
      'secondaryCidrBlocks[0].cidr = "10.0.0.0/16": expected a block inside 192.168.0.0/16, the RFC 1918 range of vpcCidr (AWS refuses other private ranges as secondary blocks)',
    ],
    [
      "a duplicate name",
      (e: any) =>
        (e.secondaryCidrBlocks = [
          { name: "more", cidr: "192.168.16.0/22" },
          { name: "more", cidr: "192.168.20.0/22" },
        ]),
      'secondaryCidrBlocks[1].name = "more": expected a block name used once',
    ],
    [
      "explicit cidrs outside the tier's block",
      (e: any) => (
        (e.secondaryCidrBlocks = [{ name: "more", cidr: "192.168.16.0/22" }]),
        e.tiers.push({
          name: "data",
          type: "isolated",
          azs: ["ap-northeast-2a"],
          block: "more",
          cidrs: { "ap-northeast-2a": "192.168.10.0/26" },
        })
      ),
      'tiers[3].cidrs.ap-northeast-2a = "192.168.10.0/26": expected a subnet inside block "more" (192.168.16.0/22)',
    ],
  ])("refuses %s, naming the field", (_title, change, expected) => {
    expect(problemsAfter(change)).toEqual([`environment "workshop": ${expected}`]);
  });
});

describe("a collision with an explicit CIDR names the tier that holds it", () => {
  const legacy = {
    name: "legacy",
    type: "isolated",
    cidrs: { "ap-northeast-2a": "192.168.9.0/24", "ap-northeast-2b": "192.168.10.0/23" },
  };

  it("refuses an appended explicit CIDR in the space of the tiers before it: nothing existing moves", () => {
    const problems = problemsAfter((e) => e.tiers.push(legacy));
    expect(problems).toEqual([
      'environment "workshop": tiers[3].cidrs.ap-northeast-2a = "192.168.9.0/24": expected a block that does not overlap 192.168.9.0/25, the block of AZ slots planned for tier "management" (tiers[1]), which comes first in the list; 192.168.10.0/24 is free',
    ]);
  });

  it("blames the explicit tier listed first, not the planned one after it", () => {
    const problems = problemsAfter((e) => e.tiers.splice(1, 0, legacy));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain(
      'environment "workshop": tiers[2].cidrMask = 27: expected a mask whose 4 AZ slots (a /25 block) fit',
    );
    expect(problems[0]).toContain(
      'it would fit at 192.168.9.0/25, but the explicit CIDR of tier "legacy" (tiers[1].cidrs.ap-northeast-2a = 192.168.9.0/24) is there',
    );
    expect(problems[0]).toContain("no cidrMask of this tier fits the space left");
    expect(problems[1]).toContain("tiers[3].cidrMask = 27");
  });
});
