import { App, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Network } from "../modules/network/network";
import { ExistingNetworkAttributes, INetwork, NetworkProps } from "../modules/network/types";
import { Bastion } from "../modules/bastion/bastion";
import { AppServers, DbServer } from "../modules/servers/servers";
import { Peer } from "../modules/security/security-group";
import { Port } from "../modules/core/port";
import { ConfigError, formatProblem } from "../modules/core/problems";
import { applyRules, stackValidationFailures } from "../modules/rules/synth";
import { codeBlocksUnder, docPage } from "./support/readme";
import { NETWORK_RESOURCE_TYPE } from "./support/plan";

type Json = {
  resource?: Record<string, Record<string, Record<string, any>>>;
  data?: Record<string, unknown>;
};

const AMI = "ami-0123456789abcdef0";
const VPC_ID = "vpc-0a1b2c3d4e5f60718";
/** The same layout twice: built by a Network, and as an existing VPC given by ids. */
const BUILT: NetworkProps = {
  environment: "team-a",
  region: "eu-west-1",
  azs: ["eu-west-1a", "eu-west-1b"],
  vpcCidr: "10.20.0.0/16",
  tiers: [
    { name: "public", type: "public", azs: ["eu-west-1a"], cidrs: { "eu-west-1a": "10.20.0.0/24" } },
    { name: "private", type: "private", cidrs: { "eu-west-1a": "10.20.16.0/20", "eu-west-1b": "10.20.32.0/20" } },
    { name: "database", type: "isolated", azs: ["eu-west-1b"], cidrs: { "eu-west-1b": "10.20.64.0/24" } },
  ],
};
const subnet = (az: string, n: string, cidr: string) => ({
  az,
  subnetId: `subnet-0a1b2c3d4e5f600${n}`,
  cidr,
  routeTableId: `rtb-0a1b2c3d4e5f600${n}`,
});
const EXISTING: ExistingNetworkAttributes = {
  environment: "team-a",
  region: "eu-west-1",
  vpcId: VPC_ID,
  vpcCidr: "10.20.0.0/16",
  tiers: [
    { name: "public", type: "public", subnets: [subnet("eu-west-1a", "01", "10.20.0.0/24")] },
    {
      name: "private",
      type: "private",
      subnets: [subnet("eu-west-1a", "11", "10.20.16.0/20"), subnet("eu-west-1b", "12", "10.20.32.0/20")],
    },
    { name: "database", type: "isolated", subnets: [subnet("eu-west-1b", "22", "10.20.64.0/24")] },
  ],
};

/** The bastion, two app servers and the DB server on `network`, with the connections between them. */
function onNetwork(scope: Construct, network: INetwork): void {
  const bastion = new Bastion(scope, "Bastion", { network, tier: "public", ami: AMI, adminCidrs: ["198.51.100.7/32"] });
  const db = new DbServer(scope, "Db", { network, tier: "database", ami: AMI });
  const app = new AppServers(scope, "App", {
    network,
    tier: "private",
    ami: AMI,
    service: { name: "app", port: 8080, command: "/bin/true", environment: {}, packages: [] },
    dbLogin: db.credentials,
  });
  for (const servers of [app, db]) servers.connections.allowFrom(bastion, Port.SSH, "SSH from the bastion");
  db.connections.allowFrom(app, Port.tcp(db.port), "MariaDB from the app servers");
  for (const role of [bastion, app, db]) role.connections.allowTo(Peer.anyIpv4(), Port.tcp(443), "HTTPS out");
}

const synth = (build: (scope: Construct) => void): Json => JSON.parse(Testing.synthScope(build)) as Json;
const addresses = (json: Json) =>
  Object.entries(json.resource ?? {}).flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`));
const problemsOf = (attrs: ExistingNetworkAttributes): string[] => {
  try {
    synth((scope) => Network.fromExisting(scope, "network", attrs));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
};

describe("Network.fromExisting", () => {
  it("puts the bastion, app servers and DB server in the given subnets, their groups in the given VPC, and creates no network", () => {
    const json = synth((scope) => onNetwork(scope, Network.fromExisting(scope, "network", EXISTING)));
    const instances = Object.values(json.resource!.aws_instance);
    expect(instances.map((i) => [i.tags.Role, i.subnet_id]).sort()).toEqual([
      ["app", "subnet-0a1b2c3d4e5f60011"],
      ["app", "subnet-0a1b2c3d4e5f60012"],
      ["bastion", "subnet-0a1b2c3d4e5f60001"],
      ["db", "subnet-0a1b2c3d4e5f60022"],
    ]);
    const groups = Object.values(json.resource!.aws_security_group);
    expect(groups.map((g) => [g.name, g.vpc_id]).sort()).toEqual([
      ["team-a-app", VPC_ID],
      ["team-a-bastion", VPC_ID],
      ["team-a-db", VPC_ID],
    ]);
    // The DB's data volume is in its subnet's AZ, as on a built network.
    expect(Object.values(json.resource!.aws_ebs_volume).map((v) => v.availability_zone)).toEqual(["eu-west-1b"]);
    expect(Object.keys(json.resource!).filter((type) => NETWORK_RESOURCE_TYPE.test(type))).toEqual([]);
    // The one Elastic IP is the bastion's: no NAT.
    expect(Object.values(json.resource!.aws_eip).map((e) => e.tags.Name)).toEqual(["team-a-bastion"]);
    // Nothing is looked up: a stack on it plans without AWS.
    expect(json.data).toBeUndefined();
  });

  it("twins the groups' egress to all of IPv4 with one to ::/0 when the existing VPC is dual-stack, and only then", () => {
    const ipv6Egress = (json: Json) =>
      Object.values(json.resource!.aws_vpc_security_group_egress_rule)
        .filter((rule) => rule.cidr_ipv6 === "::/0")
        .map((rule) => rule.from_port);
    expect(ipv6Egress(synth((scope) => onNetwork(scope, Network.fromExisting(scope, "network", EXISTING))))).toEqual(
      [],
    );
    const dualStack = synth((scope) =>
      onNetwork(scope, Network.fromExisting(scope, "network", { ...EXISTING, ipv6: true })),
    );
    expect(ipv6Egress(dualStack)).toEqual([443, 443, 443]);
  });

  it("gives what stands on it the logical ids it has on a Network built with the same layout", () => {
    const built = addresses(synth((scope) => onNetwork(scope, new Network(scope, "network", BUILT))));
    const imported = addresses(synth((scope) => onNetwork(scope, Network.fromExisting(scope, "network", EXISTING))));
    expect(imported.length).toBeGreaterThan(20);
    // What the imported network leaves out is the network, which NETWORK_RESOURCE_TYPE (checked above) recognizes.
    const types = new Set(built.map((a) => a.split(".")[0]).filter((type) => NETWORK_RESOURCE_TYPE.test(type)));
    expect([...types]).toEqual(expect.arrayContaining(["aws_vpc", "aws_subnet", "aws_route_table", "aws_route"]));
    expect(imported.sort()).toEqual(built.filter((a) => !a.split(".")[1].startsWith("network_")).sort());
  });

  it("reads as a Network does: subnets by tier and AZ with their ids, CIDRs, route tables and the VPC's blocks", () => {
    let network: INetwork | undefined;
    synth((scope) => {
      const imported = Network.fromExisting(scope, "network", { ...EXISTING, secondaryVpcCidrs: ["10.21.0.0/16"] });
      network = imported;
      expect(imported.subnet("private", "eu-west-1b")).toEqual({
        tier: "private",
        type: "private",
        ...subnet("eu-west-1b", "12", "10.20.32.0/20"),
      });
      expect(imported.tierSubnets("private").map((s) => s.az)).toEqual(["eu-west-1a", "eu-west-1b"]);
      expect(() => imported.tierSubnets("apps")).toThrow(
        'network has no tier "apps" (tiers: public, private, database)',
      );
    });
    expect(network).toMatchObject({ vpcId: VPC_ID, vpcCidr: "10.20.0.0/16", secondaryVpcCidrs: ["10.21.0.0/16"] });
    expect(network!.subnets).toHaveLength(4);
  });

  it("is checked as the config is: every problem at once, naming the field, the value and what is expected", () => {
    const problems = problemsOf({
      environment: "team-a",
      region: "eu-west-1",
      vpcId: "vpc-123",
      vpcCidr: "10.20.0.0/16",
      secondaryVpcCidrs: ["10.20.128.0/17", "10.30.0.0/33"],
      tiers: [
        { name: "Public", type: "public", subnets: [subnet("eu-west-1a", "01", "10.20.0.0/24")] },
        {
          name: "private",
          type: "privat" as "private",
          subnets: [
            { ...subnet("eu-west-1a", "11", "10.20.0.128/25"), subnetId: "sub-0a1b", routeTableId: "rt-1" },
            subnet("eu-west-1a", "12", "10.99.0.0/24"),
            subnet("eu-west-1d", "01", "10.20.32.0/20"),
          ],
        },
        { name: "private", type: "isolated", subnets: [] },
      ],
    });
    const id = (kind: string) => `"${kind}-" and 8 or 17 lowercase hex digits, such as ${kind}-0123456789abcdef0`;
    expect(problems).toEqual(
      [
        `vpcId = "vpc-123": expected a VPC id: ${id("vpc")}`,
        `secondaryVpcCidrs[0] = "10.20.128.0/17": expected a block that overlaps no other block of the VPC (10.20.0.0/16)`,
        `secondaryVpcCidrs[1] = "10.30.0.0/33": expected an IPv4 CIDR block with octets 0-255 and a prefix 0-32`,
        `tiers[0].name = "Public": expected a tier name of lowercase letters, digits and dashes, starting with a letter`,
        `tiers[1].type = "privat": expected one of public, private, isolated`,
        `tiers[1].subnets[0].subnetId = "sub-0a1b": expected a subnet id: ${id("subnet")}`,
        `tiers[1].subnets[0].routeTableId = "rt-1": expected a route table id: ${id("rtb")}`,
        `tiers[1].subnets[0].cidr = "10.20.0.128/25": expected a subnet that overlaps no other (tiers[0].subnets[0].cidr is 10.20.0.0/24)`,
        `tiers[1].subnets[1].az = "eu-west-1a": expected each AZ once per tier`,
        `tiers[1].subnets[2].az = "eu-west-1d": expected one of the availability zones of eu-west-1: eu-west-1a, eu-west-1b, eu-west-1c`,
        `tiers[1].subnets[2].subnetId = "subnet-0a1b2c3d4e5f60001": expected a subnet id used once (tiers[0].subnets[0] has it)`,
        `tiers[2].name = "private": expected a tier name used once`,
        `tiers[2].subnets = []: expected at least one subnet`,
      ].map((p) => `environment "team-a": ${p}`),
    );
  });

  it("refuses a subnet outside the VPC's blocks, and says so in the error the library docs show", () => {
    expect(
      problemsOf({
        ...EXISTING,
        tiers: [{ name: "public", type: "public", subnets: [subnet("eu-west-1a", "01", "10.99.0.0/24")] }],
      }),
    ).toEqual([
      'environment "team-a": tiers[0].subnets[0].cidr = "10.99.0.0/24": expected a subnet inside the VPC\'s blocks (10.20.0.0/16)',
    ]);
    const private0 = EXISTING.tiers[1].subnets[0];
    const wrong = {
      ...EXISTING,
      tiers: [EXISTING.tiers[0], { ...EXISTING.tiers[1], subnets: [{ ...private0, subnetId: "sub-0a1b" }] }],
    };
    expect(() => synth((scope) => Network.fromExisting(scope, "network", wrong))).toThrow(
      'existing network "network" has 1 problem(s):\n  - environment "team-a": tiers[1].subnets[0].subnetId = "sub-0a1b": expected a subnet id: "subnet-" and 8 or 17 lowercase hex digits, such as subnet-0123456789abcdef0',
    );
  });

  it("takes a token (a variable, another stack's output) as given, since it is known only at plan time", () => {
    const json = synth((scope) => {
      const vpcId = new TerraformVariable(scope, "vpc_id", { type: "string" }).stringValue;
      const subnetId = new TerraformVariable(scope, "subnet_id", { type: "string" }).stringValue;
      const cidr = new TerraformVariable(scope, "subnet_cidr", { type: "string" }).stringValue;
      const network = Network.fromExisting(scope, "network", {
        ...EXISTING,
        vpcId,
        tiers: [
          { name: "public", type: "public", subnets: [{ ...subnet("eu-west-1a", "01", "10.20.0.0/24"), subnetId }] },
          { name: "private", type: "private", subnets: [{ ...subnet("eu-west-1a", "11", "10.20.16.0/20"), cidr }] },
        ],
      });
      new Bastion(scope, "Bastion", { network, tier: "public", ami: AMI });
    });
    expect(Object.values(json.resource!.aws_security_group)[0].vpc_id).toBe("${var.vpc_id}");
    expect(Object.values(json.resource!.aws_instance)[0].subnet_id).toBe("${var.subnet_id}");
  });

  it("keeps the constructs' own checks on the tier types it is given", () => {
    const on = (build: (scope: Construct, network: INetwork) => void) => () =>
      synth((scope) => build(scope, Network.fromExisting(scope, "network", EXISTING)));
    expect(on((scope, network) => new Bastion(scope, "B", { network, tier: "private", ami: AMI }))).toThrow(
      'bastion "B": tier "private" is private; with SSH the bastion needs a public tier for its Elastic IP',
    );
    expect(on((scope, network) => new DbServer(scope, "D", { network, tier: "public", ami: AMI }))).toThrow(
      '"D": tier "public" is public; servers belong in a private or isolated tier',
    );
    expect(
      on((scope, network) => new DbServer(scope, "D", { network, tier: "database", az: "eu-west-1a", ami: AMI })),
    ).toThrow('tier "database" has no subnet in eu-west-1a');
  });

  it("passes the rules with the library docs' exceptions (the network's own rules have nothing to judge)", () => {
    const stack = new TerraformStack(Testing.app() as App, "team-a");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    onNetwork(stack, Network.fromExisting(stack, "network", EXISTING));
    const block = codeBlocksUnder("## On an existing VPC", "ts", docPage("library"))[0];
    const accepted = [...block.matchAll(/\{ rule: "([a-z-]+)"/g)].map((m) => m[1]);
    expect(accepted).toEqual(["instance-public-ip", "instance-detailed-monitoring"]);
    applyRules(stack, {
      exceptions: [
        { rule: "instance-public-ip", resource: "Bastion_", reason: "the door" },
        { rule: "instance-detailed-monitoring", reason: "basic metrics" },
        { rule: "remote-state", reason: "a test stack, never applied (the docs' example has its backend)" },
      ],
    });
    expect(stackValidationFailures([stack])).toEqual([]);
  });
});
