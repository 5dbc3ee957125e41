import { Testing } from "cdktf";
import { EnvironmentConfig } from "../modules/environment/schema";
import { planNetwork, ipv6SubnetIndex } from "../modules/network/plan";
import { Network } from "../modules/network/network";
import { NetworkProps } from "../modules/network/types";
import { Peer, RoleSecurityGroup } from "../modules/security/security-group";
import { Port } from "../modules/core/port";
import { ipv6CidrSyntaxProblem } from "../modules/core/cidr";
import { sourceCidrProblem } from "../modules/security/policy";
import { allResources, resourcesOf, SynthJson, synthEnvironment, workshopConfig } from "./support/synth";
import { problemsAfter } from "./support/config";
import { readInventory, TerraformJson } from "../modules/tools/inventory/inventory";
import { toDot } from "../modules/tools/diagram/dot";
import { estimateCost } from "../modules/tools/cost/estimate";
import { formatEstimate } from "../modules/tools/cost/format";

// Dual-stack (`ipv6: true`): an Amazon-provided /56, a /64 per subnet placed by tier and AZ slot as IPv4 subnets are,
// `::/0` routes by tier type, IPv6 twins of the egress rules to anywhere, and admin CIDRs that may be IPv6.

function synthWith(...changes: Array<(c: EnvironmentConfig) => void>): SynthJson {
  const config = workshopConfig();
  for (const change of changes) change(config);
  return synthEnvironment(config).json;
}
const dualStack = (c: EnvironmentConfig) => (c.ipv6 = true);
const withLoadBalancer = (c: EnvironmentConfig) =>
  (c.loadBalancer = { deletionProtection: false } as EnvironmentConfig["loadBalancer"]);

const subnetsByTier = (json: SynthJson) =>
  Object.fromEntries(
    Object.values(resourcesOf(json, "aws_subnet")).map((s) => [
      `${(s.tags as Record<string, string>).Tier} ${String(s.availability_zone)}`,
      s,
    ]),
  );

describe("the planner places each subnet's /64 by tier and AZ slot", () => {
  const base: NetworkProps = {
    environment: "t",
    region: "ap-northeast-2",
    azs: ["ap-northeast-2a", "ap-northeast-2b"],
    vpcCidr: "10.0.0.0/16",
    ipv6: true,
    tiers: [
      { name: "public", type: "public", cidrMask: 24 },
      { name: "app", type: "private", cidrMask: 22, azs: ["ap-northeast-2b"] },
      { name: "data", type: "isolated", cidrMask: 26 },
    ],
  };
  const indexes = (props: NetworkProps) => {
    const { plan, problems } = planNetwork(props);
    expect(problems).toEqual([]);
    return Object.fromEntries(plan.subnets.map((s) => [`${s.tier} ${s.az}`, s.ipv6Index]));
  };

  it("gives tier i AZ slot s the /64 number i * azSlots + s, whatever the IPv4 masks", () => {
    expect(indexes(base)).toEqual({
      "public ap-northeast-2a": 0,
      "public ap-northeast-2b": 1,
      "app ap-northeast-2b": 5,
      "data ap-northeast-2a": 8,
      "data ap-northeast-2b": 9,
    });
    expect(ipv6SubnetIndex(2, 4, 1)).toBe(9);
  });

  it("moves no /64 when an AZ is added or a tier appended", () => {
    const before = indexes(base);
    const after = indexes({
      ...base,
      azs: [...base.azs, "ap-northeast-2c"],
      tiers: [...base.tiers, { name: "more", type: "isolated", cidrMask: 27 }],
    });
    for (const [key, index] of Object.entries(before)) expect([key, after[key]]).toEqual([key, index]);
    expect(after["more ap-northeast-2c"]).toBe(14);
    expect(after["public ap-northeast-2c"]).toBe(2);
  });

  it("plans no IPv6 when it is off, as before", () => {
    const { plan } = planNetwork({ ...base, ipv6: undefined });
    expect(plan.subnets.every((s) => s.ipv6Index === undefined)).toBe(true);
  });

  it("refuses an explicit-CIDR AZ beyond the slots, whose /64 would be the next tier's", () => {
    const { problems } = planNetwork({
      ...base,
      azSlots: 2,
      azs: ["ap-northeast-2a", "ap-northeast-2c"],
      tiers: [
        {
          name: "legacy",
          type: "isolated",
          cidrs: { "ap-northeast-2a": "10.0.0.0/24", "ap-northeast-2c": "10.0.1.0/24" },
        },
      ],
    });
    expect(problems).toEqual([
      expect.objectContaining({
        field: "tiers[0].cidrs.ap-northeast-2c",
        expected: expect.stringContaining("AZ ap-northeast-2c takes slot 2, and its /64 would be the next tier's"),
      }),
    ]);
  });

  it("refuses more tiers than the /56 has room for", () => {
    const tiers = Array.from({ length: 33 }, (_, i) => ({ name: `t${i}`, type: "isolated" as const, cidrMask: 28 }));
    const { problems } = planNetwork({ ...base, azSlots: 8, vpcCidr: "10.0.0.0/16", tiers });
    expect(problems).toEqual([
      {
        field: "ipv6",
        value: true,
        expected: "at most 32 tiers with ipv6 (the VPC's /56 holds 256 /64s, 8 AZ slots per tier); there are 33",
      },
    ]);
  });
});

describe("a dual-stack environment", () => {
  const json = synthWith(dualStack, withLoadBalancer);

  it("asks for an Amazon-provided /56 and gives each subnet the cidrsubnet of its planned index", () => {
    const vpc = Object.values(resourcesOf(json, "aws_vpc"))[0];
    expect(vpc.assign_generated_ipv6_cidr_block).toBe(true);
    const subnets = subnetsByTier(json);
    const vpcId = Object.keys(resourcesOf(json, "aws_vpc"))[0];
    const cidrsubnet = (index: number) => `\${cidrsubnet(aws_vpc.${vpcId}.ipv6_cidr_block, 8, ${index})}`;
    expect(subnets["public ap-northeast-2a"].ipv6_cidr_block).toBe(cidrsubnet(0));
    expect(subnets["public ap-northeast-2b"].ipv6_cidr_block).toBe(cidrsubnet(1));
    expect(subnets["management ap-northeast-2a"].ipv6_cidr_block).toBe(cidrsubnet(4));
    expect(subnets["internal ap-northeast-2a"].ipv6_cidr_block).toBe(cidrsubnet(8));
    expect(subnets["internal ap-northeast-2b"].ipv6_cidr_block).toBe(cidrsubnet(9));
    expect(Object.values(subnets).every((s) => s.assign_ipv6_address_on_creation === false)).toBe(true);
  });

  it("routes ::/0 from public tiers to the Internet Gateway, from private tiers to the egress-only one, and not from isolated ones", () => {
    const withData = synthWith(dualStack, (c) => c.tiers.push({ name: "data", type: "isolated", cidrMask: 27 }));
    const tables = Object.keys(resourcesOf(withData, "aws_route_table"));
    const eigw = Object.keys(resourcesOf(withData, "aws_egress_only_internet_gateway"));
    const igw = Object.keys(resourcesOf(withData, "aws_internet_gateway"));
    expect(eigw).toHaveLength(1);
    const targets = Object.fromEntries(
      Object.values(resourcesOf(withData, "aws_route"))
        .filter((r) => r.destination_ipv6_cidr_block === "::/0")
        .map((r) => [
          tables.find((t) => String(r.route_table_id).includes(`aws_route_table.${t}.`))!.replace(/_[A-F0-9]{8}$/, ""),
          String(r.gateway_id ?? r.egress_only_gateway_id)
            .replace(/_[A-F0-9]{8}\.id\}$/, "")
            .replace("${", ""),
        ]),
    );
    const gateway = (ids: string[], type: string) => `${type}.${ids[0].replace(/_[A-F0-9]{8}$/, "")}`;
    expect(targets).toEqual({
      "network_RouteTable-public": gateway(igw, "aws_internet_gateway"),
      "network_RouteTable-management": gateway(igw, "aws_internet_gateway"),
      "network_RouteTable-internal-ap-northeast-2a": gateway(eigw, "aws_egress_only_internet_gateway"),
      "network_RouteTable-internal-ap-northeast-2b": gateway(eigw, "aws_egress_only_internet_gateway"),
    });
    expect(tables.some((t) => t.startsWith("network_RouteTable-data"))).toBe(true);
  });

  it("keeps the default NACL open to IPv6 as AWS does (rule 101 ::/0)", () => {
    const nacl = Object.values(resourcesOf(json, "aws_default_network_acl"))[0];
    for (const direction of ["ingress", "egress"])
      expect(nacl[direction]).toContainEqual(expect.objectContaining({ rule_no: 101, ipv6_cidr_block: "::/0" }));
  });

  it("twins every egress rule to all of IPv4 with one to all of IPv6, and no other", () => {
    const egress = Object.values(resourcesOf(json, "aws_vpc_security_group_egress_rule"));
    const toV4 = egress.filter((r) => r.cidr_ipv4 === "0.0.0.0/0");
    const toV6 = egress.filter((r) => r.cidr_ipv6 === "::/0");
    expect(toV4.length).toBeGreaterThan(0);
    const key = (r: Record<string, unknown>) =>
      `${String(r.security_group_id)} ${String(r.from_port)} ${String(r.description)}`;
    expect(toV6.map(key).sort()).toEqual(toV4.map(key).sort());
  });

  it("makes the load balancer dual-stack, open on IPv6 wherever it is open to all of IPv4", () => {
    const lb = Object.values(resourcesOf(json, "aws_lb"))[0];
    expect(lb.ip_address_type).toBe("dualstack");
    const ingress = Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule"));
    expect(ingress.filter((r) => r.cidr_ipv6 === "::/0").map((r) => r.from_port)).toEqual([80]);
  });

  it("outputs the VPC's /56 and each subnet's /64", () => {
    expect(Object.keys(json.output ?? {})).toEqual(expect.arrayContaining(["vpc_ipv6_cidr", "subnet_ipv6_cidrs"]));
  });

  it("assigns IPv6 addresses on creation only in the tiers that ask", () => {
    const asked = synthWith(dualStack, (c) => (c.tiers[0].assignIpv6AddressOnCreation = true));
    const subnets = Object.values(resourcesOf(asked, "aws_subnet"));
    const tierOf = (s: Record<string, unknown>) => (s.tags as Record<string, string>).Tier;
    expect(subnets.filter((s) => s.assign_ipv6_address_on_creation === true).map(tierOf)).toEqual(
      subnets.filter((s) => tierOf(s) === workshopConfig().tiers[0].name).map(tierOf),
    );
  });
});

describe("turning IPv6 on for the default environment", () => {
  // Of the arguments this change touches, the AWS provider (5.100.0, as its source shows) marks none ForceNew:
  // aws_vpc.assign_generated_ipv6_cidr_block (Optional), aws_subnet.ipv6_cidr_block and
  // assign_ipv6_address_on_creation (Optional, updated in place), aws_default_network_acl ingress/egress.
  const UPDATABLE_IN_PLACE: Readonly<Record<string, readonly string[]>> = {
    aws_vpc: ["assign_generated_ipv6_cidr_block"],
    aws_subnet: ["ipv6_cidr_block", "assign_ipv6_address_on_creation"],
    aws_default_network_acl: ["ingress", "egress"],
  };
  const before = synthWith();
  const after = synthWith(dualStack);

  it("creates resources and changes only arguments updated in place: no subnet or instance is replaced", () => {
    const old = allResources(before);
    const now = allResources(after);
    const changed: string[] = [];
    for (const [address, props] of old) {
      const next = now.get(address);
      expect([address, next === undefined]).toEqual([address, false]);
      const type = address.split(".")[0];
      const keys = new Set([...Object.keys(props), ...Object.keys(next!)]);
      for (const key of keys) {
        if (JSON.stringify(props[key]) === JSON.stringify(next![key])) continue;
        changed.push(`${type}.${key}`);
        expect([address, key, (UPDATABLE_IN_PLACE[type] ?? []).includes(key)]).toEqual([address, key, true]);
      }
    }
    expect(changed.filter((c) => c.startsWith("aws_instance."))).toEqual([]);
    expect(new Set(changed)).toEqual(
      new Set([
        "aws_vpc.assign_generated_ipv6_cidr_block",
        "aws_subnet.ipv6_cidr_block",
        "aws_subnet.assign_ipv6_address_on_creation",
        "aws_default_network_acl.ingress",
        "aws_default_network_acl.egress",
      ]),
    );
    const added = [...now.keys()].filter((id) => !old.has(id)).map((id) => id.split(".")[0]);
    expect(new Set(added)).toEqual(
      new Set([
        "aws_route",
        "aws_egress_only_internet_gateway",
        "aws_vpc_security_group_egress_rule",
        // The app's service port from the public tier: from each of its subnets' /64 too.
        "aws_vpc_security_group_ingress_rule",
      ]),
    );
    const ingress = [...now.entries()].filter(
      ([id]) => id.startsWith("aws_vpc_security_group_ingress_rule.") && !old.has(id),
    );
    expect(ingress.every(([, r]) => String(r.cidr_ipv6).includes(".ipv6_cidr_block"))).toBe(true);
  });
});

describe("IPv6 in security rules and policy", () => {
  it("Peer.anyIpv6 and Peer.ipv6 make cidr_ipv6 rules; a token given as IPv6 stays IPv6", () => {
    const stack = Testing.synthScope((scope) => {
      const group = new RoleSecurityGroup(scope, "G", {
        environment: "t",
        role: "web",
        vpcId: "vpc-1",
        description: "d",
      });
      group.allowFrom(Peer.anyIpv6(), Port.tcp(443), "HTTPS from anywhere");
      group.allowFrom(Peer.ipv6("${aws_subnet.x.ipv6_cidr_block}", "x"), Port.tcp(8080), "from x");
      group.allowTo(Peer.anyIpv4(), Port.tcp(443), "out");
    });
    const json = JSON.parse(stack) as SynthJson;
    const ingress = Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule"));
    expect(ingress.map((r) => [r.cidr_ipv6, r.cidr_ipv4])).toEqual([
      ["::/0", undefined],
      ["${aws_subnet.x.ipv6_cidr_block}", undefined],
    ]);
    // Not dual-stack: no twin.
    expect(Object.values(resourcesOf(json, "aws_vpc_security_group_egress_rule"))).toHaveLength(1);
  });

  it("refuses SSH from all of IPv6 as from all of IPv4, naming the IPv6 override", () => {
    expect(() =>
      Testing.synthScope((scope) => {
        const group = new RoleSecurityGroup(scope, "G", {
          environment: "t",
          role: "b",
          vpcId: "vpc-1",
          description: "d",
        });
        group.allowFrom(Peer.anyIpv6(), Port.SSH, "SSH");
      }),
    ).toThrow(
      /::\/0 \(SSH\) opens admin port 22 \(SSH\).*Peer\.anyIpv6\(\{ insecureAllowAdminPortsFromAnywhere: true \}\)/,
    );
  });

  it.each([
    ["2001:db8::/56", undefined],
    ["2001:DB8:0:1::/64", undefined],
    ["2001:db8::1/56", "a network address with no host bits set (did you mean 2001:db8::/56?)"],
    ["2001:db8::/129", "an IPv6 CIDR block such as 2001:db8::/56"],
    ["2001:zz8::/56", "an IPv6 CIDR block such as 2001:db8::/56"],
    ["::ffff:10.0.0.0/104", undefined],
  ])("reads %s as an IPv6 block: %s", (cidr, expected) => {
    expect(ipv6CidrSyntaxProblem(cidr)).toBe(expected);
  });

  it("takes an IPv6 source only in a dual-stack VPC, and never ::/0 for an admin port", () => {
    expect(sourceCidrProblem("2001:db8::/56", [22], false, true)).toBeUndefined();
    expect(sourceCidrProblem("2001:db8::/56", [22], false, false)).toBe(
      "an IPv4 CIDR block (the VPC has no IPv6: ipv6: true makes it dual-stack)",
    );
    expect(sourceCidrProblem("::/0", [22], false, true)).toMatch(/^a source narrower than the whole internet/);
  });

  it("config: IPv6 admin CIDRs are accepted with ipv6 and refused without; ::/0 is still refused", () => {
    expect(problemsAfter((e) => ((e.ipv6 = true), (e.access.adminCidrs = ["2001:db8:1234::/48"])))).toEqual([]);
    expect(problemsAfter((e) => (e.access.adminCidrs = ["2001:db8:1234::/48"]))).toEqual([
      'environment "workshop": access.adminCidrs[0] = "2001:db8:1234::/48": expected an IPv4 CIDR block (the VPC has no IPv6: ipv6: true makes it dual-stack)',
    ]);
    expect(problemsAfter((e) => ((e.ipv6 = true), (e.access.adminCidrs = ["::/0"])))).toEqual([
      expect.stringMatching(
        /^environment "workshop": access\.adminCidrs\[0\] = "::\/0": expected a source narrower than the whole internet/,
      ),
    ]);
  });

  it("config: assignIpv6AddressOnCreation without ipv6 is refused, naming the tier", () => {
    expect(problemsAfter((e) => (e.tiers[0].assignIpv6AddressOnCreation = true))).toEqual([
      'environment "workshop": tiers[0].assignIpv6AddressOnCreation = true: expected ipv6: true on the environment first (a subnet gives IPv6 addresses only from an IPv6 block)',
    ]);
  });

  it("config: a tier's own network ACL is refused with ipv6, naming the tier (its entries are IPv4 only)", () => {
    expect(problemsAfter((e) => ((e.ipv6 = true), (e.tiers[2].networkAcl = true)))).toEqual([
      "environment \"workshop\": tiers[2].networkAcl = true: expected no network ACL of the tier's own with ipv6: its entries are planned for IPv4 only and would drop the tier's IPv6 traffic (the VPC's default ACL, which admits IPv6, stays)",
    ]);
  });

  it("an IPv6 admin CIDR becomes a cidr_ipv6 SSH rule on the bastion", () => {
    const json = synthWith(dualStack, (c) => (c.access!.adminCidrs = ["2001:db8:1234::/48"]));
    const ssh = Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule")).filter(
      (r) => r.cidr_ipv6 === "2001:db8:1234::/48",
    );
    expect(ssh.map((r) => r.from_port)).toEqual([22]);
  });
});

describe("a Network used directly", () => {
  it("exposes ipv6, the egress-only gateway and each subnet's /64 token", () => {
    const json = Testing.synthScope((scope) => {
      const network = new Network(scope, "n", {
        environment: "t",
        region: "ap-northeast-2",
        azs: ["ap-northeast-2a"],
        vpcCidr: "10.0.0.0/16",
        ipv6: true,
        tiers: [
          { name: "public", type: "public", cidrMask: 24 },
          { name: "app", type: "private", cidrMask: 24 },
        ],
      });
      expect(network.ipv6).toBe(true);
      expect(network.egressOnlyInternetGateway).toBeDefined();
      expect(network.subnets.every((s) => s.ipv6Cidr !== undefined)).toBe(true);
    });
    expect(Object.keys(resourcesOf(JSON.parse(json) as SynthJson, "aws_egress_only_internet_gateway"))).toHaveLength(1);
  });
});

describe("the diagram and the estimate of a dual-stack environment", () => {
  const ipv4Only = synthWith(withLoadBalancer);
  const dual = synthWith(dualStack, withLoadBalancer);

  it("draws the egress-only gateway and each subnet's ::/0 route", () => {
    const dot = toDot(readInventory(dual as TerraformJson), { title: "workshop" });
    expect(dot).toContain("Egress-only Internet Gateway");
    expect(dot).toContain("IPv6 /64, ::/0 → egress-only IGW");
    expect(dot).toContain("IPv6 /64, ::/0 → Internet Gateway");
    expect(toDot(readInventory(ipv4Only as TerraformJson), { title: "workshop" })).not.toContain("IPv6");
  });

  it("costs the same: the IPv6 pieces have no charge, and the public IPv4 addresses it keeps are named", () => {
    const before = estimateCost(ipv4Only as TerraformJson);
    const after = estimateCost(dual as TerraformJson);
    expect(after.totalMonthly).toBeCloseTo(before.totalMonthly, 6);
    expect(after.unpriced).toBe(0);
    expect(after.publicIpv4).toEqual({ ...before.publicIpv4, dualStack: true });
    // The NAT's, the bastion's, and the ALB's two (one per AZ).
    expect(after.publicIpv4.addresses).toBe(4);
    expect(formatEstimate("workshop", after)).toContain(
      "public IPv4: 4 address(es), $14.60 a month (this stack is dual-stack); dual-stack (ipv6) frees none of these",
    );
  });
});
