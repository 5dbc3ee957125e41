import { TerraformStack, Testing } from "cdktf";
import { readInventory, TerraformJson } from "../modules/tools/inventory/inventory";
import { Network } from "../modules/network/network";
import { securityGroupFlows } from "../modules/placement/network-acl-flows";
import { Peer, RoleSecurityGroup } from "../modules/security/security-group";
import { rangeOf } from "../modules/core/cidr";
import { ADMIN_PORTS, Port } from "../modules/core/port";
import { rawWorkshop } from "./support/config";
import { codeBlocksUnder, docPage } from "./support/readme";
import { resourcesOf, SynthJson, synthEnvironment } from "./support/synth";
import { DOCUMENTED_VARIANTS, EXAMPLE_CERTIFICATE_ARN } from "./support/variants";

// The tiers' network ACLs against the security groups, both read from the synthesized JSON alone: every flow a
// security group allows between places (tiers, admin and other CIDRs, the internet) is admitted by the ACL of each
// subnet it crosses, in both directions; and an ACL admits nothing else, but for replies (ephemeral ports to what the
// subnet itself reaches) and ICMP "fragmentation needed". The ACLs are evaluated as AWS does: entries by rule number,
// the first that matches decides, none matching refuses.

type Json = SynthJson & TerraformJson;
interface Entry {
  readonly rule: number;
  readonly allow: boolean;
  readonly protocol: string;
  readonly first: number;
  readonly last: number;
  readonly from: number;
  readonly to: number;
}
interface Acl {
  readonly inbound: readonly Entry[];
  readonly outbound: readonly Entry[];
}
const PROTOCOL_NUMBERS: Record<string, string> = { "6": "tcp", "17": "udp", "1": "icmp", all: "-1" };
const EPHEMERAL_SAMPLES = [1024, 32768, 60999, 65535];
const INTERNET = addressIn("198.51.100.0/24");
const ALLOW_ALL: Acl = {
  inbound: [{ rule: 1, allow: true, protocol: "-1", first: 0, last: 2 ** 32 - 1, from: 0, to: 0 }],
  outbound: [{ rule: 1, allow: true, protocol: "-1", first: 0, last: 2 ** 32 - 1, from: 0, to: 0 }],
};

function addressIn(cidr: string): number {
  const { first, last } = rangeOf(cidr);
  return Math.min(first + 10, last);
}
const within = (cidr: string, address: number) => rangeOf(cidr).first <= address && address <= rangeOf(cidr).last;
const ref = (value: unknown) => /^\$\{([a-z_]+)\.([^.}]+)\.[a-z_]+\}$/.exec(String(value))?.slice(1, 3).join(".");

/** The ACL of every subnet: its own when an association names one, else the default ACL the stack adopts (allow all). */
function aclsOf(json: Json): Map<string, Acl> {
  const entries = (rules: Array<Record<string, unknown>>) =>
    rules
      .map((r) => ({
        rule: Number(r.rule_no),
        allow: r.action === "allow",
        protocol: PROTOCOL_NUMBERS[String(r.protocol)] ?? String(r.protocol),
        ...rangeOf(String(r.cidr_block)),
        from: Number(r.from_port),
        to: Number(r.to_port),
      }))
      .sort((a, b) => a.rule - b.rule);
  const acls = new Map(
    Object.entries(resourcesOf(json, "aws_network_acl")).map(([id, acl]) => [
      `aws_network_acl.${id}`,
      { inbound: entries(acl.ingress as never), outbound: entries(acl.egress as never) },
    ]),
  );
  const bySubnet = new Map<string, Acl>();
  for (const subnet of Object.keys(resourcesOf(json, "aws_subnet"))) bySubnet.set(`aws_subnet.${subnet}`, ALLOW_ALL);
  for (const association of Object.values(resourcesOf(json, "aws_network_acl_association")))
    bySubnet.set(ref(association.subnet_id)!, acls.get(ref(association.network_acl_id)!)!);
  return bySubnet;
}

/** Whether `entries` admit a TCP/UDP packet to or from `peer` on `port`, as AWS evaluates them. */
function admits(entries: readonly Entry[], protocol: string, port: number, peer: number): boolean {
  for (const e of entries) {
    if (peer < e.first || peer > e.last) continue;
    if (e.protocol === "-1" || (e.protocol === protocol && e.from <= port && port <= e.to)) return e.allow;
  }
  return false;
}

/** A place traffic starts or ends: a subnet (none: outside the VPC), its CIDR, and an address in it. */
interface End {
  readonly subnet?: string;
  readonly cidr: string;
  readonly address: number;
}
interface Flow {
  readonly sources: readonly End[];
  readonly destinations: readonly End[];
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

/** Every flow the security groups allow, between the subnets their members are in and the CIDRs they name. */
function flowsOf(json: Json): { flows: Flow[]; subnets: ReturnType<typeof readInventory>["subnets"] } {
  const inventory = readInventory(json);
  const members = new Map<string, Set<string>>();
  const place = (group: string, subnet: string) => members.set(group, (members.get(group) ?? new Set()).add(subnet));
  // A NAT instance's group admits all the VPC sends, to forward it: what crosses it is the flows of the groups
  // behind it, checked at their NAT below, so its own rules are not flows of their own.
  const natGroups = new Set(inventory.instances.filter((i) => i.isNat).flatMap((i) => i.securityGroups));
  for (const instance of inventory.instances)
    for (const group of instance.securityGroups) if (instance.subnet) place(group, instance.subnet);
  for (const lb of Object.values(resourcesOf(json, "aws_lb")))
    for (const group of lb.security_groups as string[])
      for (const subnet of lb.subnets as string[]) place(ref(group)!, ref(subnet)!);
  // An endpoint's network interfaces are members of its groups, in its subnets (interface and Instance Connect).
  for (const endpoint of Object.values(resourcesOf(json, "aws_vpc_endpoint")))
    for (const group of (endpoint.security_group_ids as string[] | undefined) ?? [])
      for (const subnet of (endpoint.subnet_ids as string[] | undefined) ?? []) place(ref(group)!, ref(subnet)!);
  for (const door of Object.values(resourcesOf(json, "aws_ec2_instance_connect_endpoint")))
    for (const group of door.security_group_ids as string[]) place(ref(group)!, ref(door.subnet_id)!);
  const cidrOf = new Map(inventory.subnets.map((s) => [s.address, s.cidr]));
  const vpc = inventory.vpcs[0].cidr;
  const subnetEnd = (subnet: string): End => ({
    subnet,
    cidr: cidrOf.get(subnet)!,
    address: addressIn(cidrOf.get(subnet)!),
  });
  const ends = (group: string) => [...(members.get(group) ?? [])].map(subnetEnd);
  const cidrEnds = (cidr: string): End[] =>
    rangeOf(vpc).first <= rangeOf(cidr).first && rangeOf(cidr).last <= rangeOf(vpc).last
      ? inventory.subnets.filter((s) => within(cidr, addressIn(s.cidr))).map((s) => subnetEnd(s.address))
      : [{ cidr, address: cidr.endsWith("/0") ? INTERNET : addressIn(cidr) }];
  const ports = (text: string) => {
    const [protocol, range] = text.split(" ");
    const [from, to] = (range ?? "0").split("-").map(Number);
    return { protocol: protocol === "all" ? "-1" : protocol, from, to: to ?? from };
  };
  const flows: Flow[] = [
    ...inventory.ingress
      .filter((rule) => !natGroups.has(rule.group))
      .map((rule) => ({
        sources: "group" in rule.source ? ends(rule.source.group) : cidrEnds(rule.source.cidr),
        destinations: ends(rule.group),
        ...ports(rule.ports),
        label: rule.address,
      })),
    ...inventory.egress
      .filter((rule) => !natGroups.has(rule.group))
      .map((rule) => ({
        sources: ends(rule.group),
        destinations: cidrEnds(rule.cidr),
        ...ports(rule.ports),
        label: rule.address,
      })),
    // Egress the inventory leaves out: to a group by its id (the endpoints'), and to a prefix list (anywhere).
    ...Object.entries(resourcesOf(json, "aws_vpc_security_group_egress_rule")).flatMap(([id, rule]): Flow[] => {
      const group = ref(rule.security_group_id)!;
      const destinations =
        rule.referenced_security_group_id !== undefined
          ? ends(ref(rule.referenced_security_group_id)!)
          : rule.prefix_list_id !== undefined
            ? cidrEnds("0.0.0.0/0")
            : undefined;
      if (destinations === undefined || natGroups.has(group)) return [];
      const protocol = rule.ip_protocol === "-1" ? "-1" : (rule.ip_protocol as string);
      const [from, to] = [rule.from_port as number, rule.to_port as number];
      return [
        { sources: ends(group), destinations, protocol, from, to, label: `aws_vpc_security_group_egress_rule.${id}` },
      ];
    }),
  ];
  return { flows, subnets: inventory.subnets };
}

function natSubnetOf(
  json: Json,
  subnet: string,
  subnets: ReturnType<typeof readInventory>["subnets"],
): string | undefined {
  const target = subnets.find((s) => s.address === subnet)?.defaultRouteTo;
  const [type, id] = target?.split(".") ?? [];
  return type === "aws_nat_gateway" || type === "aws_instance" ? ref(resourcesOf(json, type)[id].subnet_id) : undefined;
}

const withAcls = (extra: (env: Record<string, any>) => void = () => {}) => {
  const env: Record<string, any> = rawWorkshop();
  DOCUMENTED_VARIANTS["network-acls"](env);
  extra(env);
  return synthEnvironment(env as never).json as Json;
};

const LAYOUTS: ReadonlyArray<[string, Json]> = [
  ["the default environment, every tier with an ACL", withAcls()],
  ["with the HTTPS load balancer", withAcls((env) => (env.loadBalancer = { certificateArn: EXAMPLE_CERTIFICATE_ARN }))],
  [
    "with three AZs and a NAT gateway per AZ",
    withAcls((env) => (DOCUMENTED_VARIANTS["three-azs"](env), (env.nat = { mode: "per-az" }))),
  ],
  ["with Session Manager only", withAcls(DOCUMENTED_VARIANTS["ssm-only"])],
  ["with a NAT instance", withAcls(DOCUMENTED_VARIANTS["nat-instance"])],
  [
    "fully private: no NAT, Session Manager through interface endpoints",
    withAcls((env) => {
      DOCUMENTED_VARIANTS["fully-private"](env);
      DOCUMENTED_VARIANTS["network-acls"](env);
    }),
  ],
  ["with the EC2 Instance Connect door", withAcls(DOCUMENTED_VARIANTS["instance-connect"])],
  [
    "with only the internal tier's ACL",
    withAcls((env) => env.tiers.forEach((t: Record<string, unknown>) => (t.networkAcl = t.name === "internal"))),
  ],
];

describe.each(LAYOUTS)("%s", (_name, json) => {
  const acls = aclsOf(json);
  const { flows, subnets } = flowsOf(json);
  const aclOf = (subnet: string | undefined) => (subnet === undefined ? undefined : acls.get(subnet));

  it("has flows to check and an ACL of its own on the tiers that ask", () => {
    expect(flows.length).toBeGreaterThan(5);
    expect([...acls.values()].some((acl) => acl !== ALLOW_ALL)).toBe(true);
  });

  it("admits every flow the security groups allow, and its replies, at both ends and at the NAT it goes out through", () => {
    const refused: string[] = [];
    const check = (ok: boolean, what: string) => ok || refused.push(what);
    for (const flow of flows) {
      for (const port of new Set([flow.from, flow.to])) {
        for (const source of flow.sources)
          for (const destination of flow.destinations) {
            const at = `${flow.label} port ${port}`;
            const src = aclOf(source.subnet);
            const dst = aclOf(destination.subnet);
            check(
              !src || admits(src.outbound, flow.protocol, port, destination.address),
              `${at}: out of ${source.subnet}`,
            );
            check(
              !dst || admits(dst.inbound, flow.protocol, port, source.address),
              `${at}: into ${destination.subnet}`,
            );
            const nat = source.subnet && !destination.subnet ? natSubnetOf(json, source.subnet, subnets) : undefined;
            const natAcl = aclOf(nat);
            if (natAcl !== undefined) {
              check(admits(natAcl.inbound, flow.protocol, port, source.address), `${at}: into the NAT's ${nat}`);
              check(
                admits(natAcl.outbound, flow.protocol, port, destination.address),
                `${at}: out of the NAT's ${nat}`,
              );
            }
            for (const reply of EPHEMERAL_SAMPLES) {
              check(
                !dst || admits(dst.outbound, flow.protocol, reply, source.address),
                `${at}: reply ${reply} out of ${destination.subnet}`,
              );
              check(
                !src || admits(src.inbound, flow.protocol, reply, destination.address),
                `${at}: reply ${reply} into ${source.subnet}`,
              );
              if (natAcl !== undefined) {
                check(
                  admits(natAcl.inbound, flow.protocol, reply, destination.address),
                  `${at}: reply ${reply} into the NAT's ${nat}`,
                );
                check(
                  admits(natAcl.outbound, flow.protocol, reply, source.address),
                  `${at}: reply ${reply} out of the NAT's ${nat}`,
                );
              }
            }
          }
      }
    }
    expect(refused).toEqual([]);
  });

  it("admits nothing else into a tier: only what a group in it allows, what its NAT forwards, and replies to what it reaches", () => {
    const vpc = readInventory(json).vpcs[0].cidr;
    const natOf = new Map(subnets.map((s) => [s.address, natSubnetOf(json, s.address, subnets)]));
    const probes = new Set([
      INTERNET,
      ...flows.flatMap((f) => [...f.sources, ...f.destinations]).map((e) => e.address),
    ]);
    const holds = (ends: readonly End[], peer: number) => ends.some((e) => within(e.cidr, peer));
    const external = (ends: readonly End[]) => ends.filter((e) => e.subnet === undefined);
    // A tier's subnets share its ACL: what one of them must admit, all of them do.
    const viaNat = (ends: readonly End[], tier: ReadonlySet<string>) =>
      ends.filter((e) => e.subnet !== undefined && tier.has(natOf.get(e.subnet) ?? ""));
    const tcpOn = (f: Flow, port: number) => f.protocol === "tcp" && f.from <= port && port <= f.to;
    const here = (ends: readonly End[], tier: ReadonlySet<string>) => ends.some((e) => tier.has(e.subnet ?? ""));
    const allowedIn = (tier: ReadonlySet<string>, port: number, peer: number) =>
      flows.some(
        (f) =>
          tcpOn(f, port) &&
          ((here(f.destinations, tier) && holds(f.sources, peer)) ||
            (external(f.destinations).length > 0 && holds(viaNat(f.sources, tier), peer))),
      );
    const reaches = (tier: ReadonlySet<string>, peer: number) =>
      flows.some(
        (f) =>
          f.protocol === "tcp" &&
          ((here(f.sources, tier) && holds(f.destinations, peer)) ||
            (viaNat(f.sources, tier).length > 0 && holds(external(f.destinations), peer))),
      );
    const adminPortsAbove1023 = ADMIN_PORTS.filter((p) => p >= 1024);
    const tiers = new Map<Acl, Set<string>>();
    for (const [subnet, acl] of acls) if (acl !== ALLOW_ALL) tiers.set(acl, (tiers.get(acl) ?? new Set()).add(subnet));
    // Whether a port is admitted and allowed changes only at the edges of entries and flows: probe those.
    const edges = new Set([0, 1023, 1024, 65535, ...ADMIN_PORTS]);
    for (const { from, to } of [...flows, ...[...tiers.keys()].flatMap((acl) => acl.inbound)])
      for (const port of [from - 1, from, to, to + 1]) if (port >= 0 && port <= 65535) edges.add(port);
    const extra: string[] = [];
    for (const [acl, tier] of tiers) {
      for (const peer of probes) {
        const outside = !within(vpc, peer);
        for (const port of edges) {
          if (!admits(acl.inbound, "tcp", port, peer) || allowedIn(tier, port, peer)) continue;
          const reply = port >= 1024 && reaches(tier, peer) && !(outside && adminPortsAbove1023.includes(port));
          if (!reply) extra.push(`${[...tier].join(", ")} admit tcp ${port} from ${peer}`);
        }
        for (const port of [53, 123, 161, 500, 4789, 33434])
          if (admits(acl.inbound, "udp", port, peer))
            extra.push(`${[...tier].join(", ")} admit udp ${port} from ${peer}`);
      }
    }
    expect(edges.size).toBeGreaterThan(10);
    expect(extra.slice(0, 20)).toEqual([]);
  });
});

describe("docs/configuration.md: Network ACLs per tier", () => {
  it("its config is the default environment's tiers, each with networkAcl, and synthesizes the three ACLs", () => {
    const [sample] = codeBlocksUnder("## Network ACLs per tier", "json", docPage("configuration"));
    const { tiers } = JSON.parse(sample) as { tiers: Array<Record<string, unknown>> };
    const env: Record<string, any> = rawWorkshop();
    expect(tiers).toEqual(env.tiers.map((t: Record<string, unknown>) => ({ ...t, networkAcl: true })));
    env.tiers = tiers;
    const json = synthEnvironment(env as never).json;
    expect(Object.keys(resourcesOf(json, "aws_network_acl"))).toHaveLength(3);
  });
});

describe("network ACLs on the constructs", () => {
  it("a network whose tiers ask for ACLs refuses to synthesize until addNetworkAcls says which flows they admit", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "nacl");
    new Network(stack, "net", {
      environment: "demo",
      region: "ap-northeast-2",
      azs: ["ap-northeast-2a"],
      vpcCidr: "10.0.0.0/16",
      tiers: [{ name: "web", type: "public", cidrMask: 24, networkAcl: true }],
    });
    expect(() => app.synth()).toThrow(/tiers web have networkAcl: true, but nothing said which flows/);
  });

  it("securityGroupFlows refuses a rule whose peer no ACL can name, rather than an ACL that refuses what the group allows", () => {
    const stack = new TerraformStack(Testing.app(), "flows");
    const group = (role: string) =>
      new RoleSecurityGroup(stack, role, { environment: "demo", role, vpcId: "vpc-1", description: role });
    const web = group("web");
    const unplaced = group("batch");
    web.allowFrom(Peer.ipv4("203.0.113.0/24"), Port.tcp(443), "HTTPS from the office");
    expect(securityGroupFlows([{ group: web, tier: "web" }])).toEqual([
      { from: { cidr: "203.0.113.0/24" }, to: { tier: "web" }, port: Port.tcp(443) },
    ]);
    web.allowFrom(unplaced, Port.tcp(8080), "from batch");
    expect(() => securityGroupFlows([{ group: web, tier: "web" }])).toThrow(
      /names the "batch" group, which has no placement: a network ACL admits CIDRs only/,
    );
    const placedBoth = [
      { group: web, tier: "web" },
      { group: unplaced, tier: "batch" },
    ];
    // A group named by its id is placed like the group itself; a prefix list is anywhere, on its port.
    web.allowTo(Peer.securityGroupId(unplaced.id, "batch-by-id"), Port.tcp(9000), "to batch by id");
    web.allowTo(Peer.prefixList("pl-123", "s3"), Port.tcp(443), "to S3");
    expect(securityGroupFlows(placedBoth)).toEqual(
      expect.arrayContaining([
        { from: { tier: "web" }, to: { tier: "batch" }, port: Port.tcp(9000) },
        { from: { tier: "web" }, to: { cidr: "0.0.0.0/0" }, port: Port.tcp(443) },
      ]),
    );
    web.allowTo(Peer.securityGroupId("sg-0123456789abcdef0", "elsewhere"), Port.tcp(443), "to a group elsewhere");
    expect(() => securityGroupFlows(placedBoth)).toThrow(/names "elsewhere", a security group id/);
  });
});
