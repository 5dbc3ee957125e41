import { Testing, TerraformStack } from "cdktf";
import { Network } from "../modules/network/network";
import { EnvironmentInput } from "../modules/environment/schema";
import { evaluateRules } from "../modules/rules/engine";
import { RULES } from "../modules/rules/rules";
import { viewOfSynth } from "../modules/rules/synth-view";
import { problemsAfter, problemsOf, rawWorkshop } from "./support/config";
import { codeBlocksUnder, docPage } from "./support/readme";
import { DOCUMENTED_VARIANTS } from "./support/variants";
import { allResources, resourcesOf, SynthJson, synthEnvironment } from "./support/synth";
import { estimateCost } from "../modules/tools/cost/estimate";
import { TerraformJson, readInventory } from "../modules/tools/inventory/inventory";
import { toDot } from "../modules/tools/diagram/dot";

// Interface endpoints (Session Manager without a NAT) and the EC2 Instance Connect Endpoint as the door: what each
// builds, what the config refuses and why, how the two combine, and that enabling endpoints only adds resources.

const SESSION_MANAGER = ["ssm", "ssmmessages", "ec2messages"];

function variant(name: string, change: (env: Record<string, any>) => void = () => {}): Record<string, any> {
  const env = rawWorkshop();
  DOCUMENTED_VARIANTS[name](env);
  change(env);
  return env;
}

const synth = (env: Record<string, any>): SynthJson => synthEnvironment(env as EnvironmentInput).json;
const ids = (json: SynthJson, type: string) => Object.keys(resourcesOf(json, type));
const ref = (type: string, prefix: string, json: SynthJson) => {
  const found = ids(json, type).filter((id) => id.startsWith(prefix));
  expect(found).toHaveLength(1);
  return `\${${type}.${found[0]}.id}`;
};
const rules = (json: SynthJson, type: string) => Object.values(resourcesOf(json, type));

describe("interface endpoints", () => {
  const json = synth(variant("interface-endpoints"));
  const endpoints = Object.values(resourcesOf(json, "aws_vpc_endpoint"));
  const group = ref("aws_security_group", "network_InterfaceEndpointSecurityGroup", json);

  it("makes one Interface endpoint per service, private DNS on, a network interface in every AZ of the tier", () => {
    expect(endpoints.map((e) => e.service_name).sort()).toEqual(
      SESSION_MANAGER.map((s) => `com.amazonaws.ap-northeast-2.${s}`).sort(),
    );
    const internal = ["2a", "2b"].map((az) => ref("aws_subnet", `network_Subnet-internal-ap-northeast-${az}`, json));
    for (const endpoint of endpoints)
      expect(endpoint).toMatchObject({
        vpc_endpoint_type: "Interface",
        private_dns_enabled: true,
        subnet_ids: internal,
        security_group_ids: [group],
      });
  });

  it("lets HTTPS in from the VPC's block only, and nothing out", () => {
    const into = rules(json, "aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id === group);
    expect(into.map((r) => [r.ip_protocol, r.from_port, r.to_port, r.cidr_ipv4])).toEqual([
      ["tcp", 443, 443, "192.168.8.0/22"],
    ]);
    expect(rules(json, "aws_vpc_security_group_egress_rule").filter((r) => r.security_group_id === group)).toEqual([]);
  });

  it("leaves the servers' HTTPS to anywhere where their tier has a NAT (the internet is still their package source)", () => {
    const https = rules(json, "aws_vpc_security_group_egress_rule").filter((r) => r.from_port === 443);
    expect(https.every((r) => r.cidr_ipv4 === "0.0.0.0/0")).toBe(true);
  });

  it("admits a secondary block's addresses too", () => {
    const grown = synth(
      variant("interface-endpoints", (env) => {
        env.secondaryCidrBlocks = [{ name: "more", cidr: "192.168.16.0/22" }];
        env.tiers.push({ name: "data", type: "isolated", cidrMask: 26, block: "more" });
      }),
    );
    const g = ref("aws_security_group", "network_InterfaceEndpointSecurityGroup", grown);
    expect(
      rules(grown, "aws_vpc_security_group_ingress_rule")
        .filter((r) => r.security_group_id === g)
        .map((r) => r.cidr_ipv4)
        .sort(),
    ).toEqual(["192.168.16.0/22", "192.168.8.0/22"]);
  });

  it("goes in the named tier, or by default in the first isolated tier", () => {
    const withData = (tier?: string) =>
      synth(
        variant("interface-endpoints", (env) => {
          env.tiers.push({ name: "data", type: "isolated", cidrMask: 28 });
          if (tier !== undefined) env.interfaceEndpoints.tier = tier;
        }),
      );
    const subnetsOf = (j: SynthJson) => Object.values(resourcesOf(j, "aws_vpc_endpoint"))[0].subnet_ids as string[];
    expect(subnetsOf(withData()).every((s) => s.includes("Subnet-data-"))).toBe(true);
    expect(subnetsOf(withData("internal")).every((s) => s.includes("Subnet-internal-"))).toBe(true);
  });

  it("refuses a public tier, a gateway service, a repeated service and a malformed name, saying what to give", () => {
    expect(problemsAfter((env) => (env.interfaceEndpoints = { services: ["ssm"], tier: "public" }))).toEqual([
      'environment "workshop": interfaceEndpoints.tier = "public": expected a private or isolated tier (internal): the endpoints\' addresses are the VPC\'s own',
    ]);
    expect(problemsAfter((env) => (env.interfaceEndpoints = { services: ["s3", "ssm", "ssm", "Not Valid"] }))).toEqual([
      'environment "workshop": interfaceEndpoints.services[0] = "s3": expected s3GatewayEndpoint: true (a free gateway endpoint)',
      'environment "workshop": interfaceEndpoints.services[2] = "ssm": expected each service listed once',
      'environment "workshop": interfaceEndpoints.services[3] = "Not Valid": expected a service\'s endpoint name such as ssm, ssmmessages, ec2messages, logs or ecr.api',
    ]);
  });

  it("network.addInterfaceEndpoint adds one more to a Network construct, keyed by service, once", () => {
    const stack = new TerraformStack(Testing.app(), "lib");
    const network = new Network(stack, "net", {
      environment: "lib",
      region: "ap-northeast-2",
      azs: ["ap-northeast-2a", "ap-northeast-2b"],
      vpcCidr: "10.0.0.0/16",
      nat: { mode: "none" },
      tiers: [{ name: "data", type: "isolated", cidrMask: 24 }],
    });
    network.addInterfaceEndpoint("ecr.api");
    expect(() => network.addInterfaceEndpoint("ecr.api")).toThrow(/already has an endpoint of ecr.api/);
    const out = JSON.parse(Testing.synth(stack)) as SynthJson;
    expect(ids(out, "aws_vpc_endpoint")).toEqual([expect.stringMatching(/^net_InterfaceEndpoint-ecr-api_/)]);
    expect(Object.keys(network.interfaceEndpoints)).toEqual(["ecr.api"]);
    expect(network.hasSessionManagerEndpoints).toBe(false);
  });
});

describe("a fully private environment: no NAT, Session Manager through the endpoints", () => {
  const json = synth(variant("fully-private"));

  it("has no Internet Gateway, NAT, Elastic IP or public address", () => {
    for (const type of ["aws_internet_gateway", "aws_nat_gateway", "aws_eip"]) expect(ids(json, type)).toEqual([]);
    for (const instance of Object.values(resourcesOf(json, "aws_instance")))
      expect(instance.associate_public_ip_address).not.toBe(true);
    expect(json.output?.bastion_public_ip).toBeUndefined();
  });

  it("places the Session Manager-only bastion in the isolated tier, where the endpoints are", () => {
    const bastion = Object.entries(resourcesOf(json, "aws_instance")).find(([id]) => id.startsWith("Bastion_"))![1];
    expect(bastion.subnet_id).toBe(ref("aws_subnet", "network_Subnet-internal-ap-northeast-2a", json));
  });

  it("narrows every role's egress to HTTPS on the endpoints and S3's prefix list, and says why", () => {
    const endpoints = ref("aws_security_group", "network_InterfaceEndpointSecurityGroup", json);
    const s3 = Object.keys(resourcesOf(json, "aws_vpc_endpoint")).find((id) => id.startsWith("network_S3Gateway"));
    const out = rules(json, "aws_vpc_security_group_egress_rule");
    expect(out.filter((r) => r.cidr_ipv4 !== undefined)).toEqual([]);
    const https = out.filter((r) => r.from_port === 443);
    expect(https).toHaveLength(6); // bastion, app and DB: the endpoints, and S3
    for (const rule of https) {
      if (rule.referenced_security_group_id !== undefined) {
        expect(rule.referenced_security_group_id).toBe(endpoints);
        expect(rule.description).toMatch(
          /^HTTPS to the VPC's interface endpoints only: .*Session Manager \(tier internal has no route to the internet\)$/,
        );
      } else {
        expect(rule.prefix_list_id).toBe(`\${aws_vpc_endpoint.${s3}.prefix_list_id}`);
        expect(rule.description).toMatch(/^HTTPS to S3 through the gateway endpoint: packages/);
      }
    }
  });

  it("is refused without the endpoints, with the way to make it valid in the message", () => {
    const problems = problemsOf(variant("fully-private", (env) => delete env.interfaceEndpoints));
    expect(problems).toEqual([
      expect.stringMatching(
        /^environment "workshop": bastion\.tier = .*: expected a private tier .*from an isolated tier through interfaceEndpoints with ssm, ssmmessages and ec2messages.*"internal" is isolated$/,
      ),
    ]);
  });

  it("a private tier under nat none points at isolated tiers and the endpoints", () => {
    expect(problemsAfter((env) => (env.nat = { mode: "none" }))[0]).toMatch(
      /make the tier "isolated" \(interfaceEndpoints then reach AWS services, such as Session Manager, without a NAT\)/,
    );
  });
});

describe("EC2 Instance Connect Endpoint as the door", () => {
  const json = synth(variant("instance-connect"));
  const endpointGroup = ref("aws_security_group", "SecurityGroup-instance-connect", json);

  it("makes the endpoint in the first private tier with its own group, not preserving the client IP", () => {
    expect(Object.values(resourcesOf(json, "aws_ec2_instance_connect_endpoint"))).toEqual([
      {
        subnet_id: ref("aws_subnet", "network_Subnet-internal-ap-northeast-2a", json),
        security_group_ids: [endpointGroup],
        preserve_client_ip: false,
        tags: { Name: "workshop-instance-connect" },
      },
    ]);
  });

  it("has no bastion and no public address on any instance (only the NAT gateway's)", () => {
    expect(ids(json, "aws_instance").filter((id) => id.startsWith("Bastion"))).toEqual([]);
    expect(ids(json, "aws_eip")).toEqual([expect.stringMatching(/^network_NatEip-ap-northeast-2a_/)]);
    for (const instance of Object.values(resourcesOf(json, "aws_instance")))
      expect(instance.associate_public_ip_address).not.toBe(true);
  });

  it("lets SSH into the servers from the endpoint's group only, and the endpoint's group reach nothing else", () => {
    const ssh = rules(json, "aws_vpc_security_group_ingress_rule").filter((r) => r.from_port === 22);
    expect(ssh).toHaveLength(2);
    for (const rule of ssh) {
      expect(rule.referenced_security_group_id).toBe(endpointGroup);
      expect(rule.description).toBe("SSH from the EC2 Instance Connect Endpoint");
    }
    const out = rules(json, "aws_vpc_security_group_egress_rule").filter((r) => r.security_group_id === endpointGroup);
    expect(out.map((r) => r.from_port).sort()).toEqual([22, 22, 8080]);
  });

  it("outputs the aws ec2-instance-connect ssh commands and an ssh_config that tunnels with open-tunnel", () => {
    const output = json.output?.ssh_config as unknown as { value: string; description: string };
    expect(output.description).toMatch(/EC2 Instance Connect Endpoint is the door/);
    expect(output.value).toMatch(
      /^# app-a1: aws ec2-instance-connect ssh --region ap-northeast-2 --connection-type eice --instance-id \$\{aws_instance\.AppServers_App-ap-northeast-2a-1_Instance_\w+\.id\} --os-user ec2-user$/m,
    );
    expect(output.value).toMatch(
      /^ {2}ProxyCommand aws ec2-instance-connect open-tunnel --region ap-northeast-2 --instance-connect-endpoint-id \$\{aws_ec2_instance_connect_endpoint\.InstanceConnect_Endpoint_\w+\.id\} --instance-id \$\{aws_instance\.Db_Server_Instance_\w+\.id\}$/m,
    );
    expect(output.value).not.toMatch(/ProxyJump|Host bastion/);
  });

  it("the guardrail holds on it, and catches an SSH rule from anywhere else", () => {
    const rule = RULES.filter((r) => r.id === "ssh-only-from-instance-connect");
    expect(evaluateRules(viewOfSynth(json), rule).findings).toEqual([]);
    const [id, first] = Object.entries(resourcesOf(json, "aws_vpc_security_group_ingress_rule")).find(
      ([, r]) => r.from_port === 22,
    )!;
    const broken = structuredClone(json);
    broken.resource!.aws_vpc_security_group_ingress_rule[id] = {
      ...first,
      referenced_security_group_id: undefined,
      cidr_ipv4: "10.0.0.0/8",
    };
    expect(evaluateRules(viewOfSynth(broken), rule).findings.map((f) => f.address)).toEqual([
      `aws_vpc_security_group_ingress_rule.${id}`,
    ]);
  });

  it("refuses a bastion beside it, an access block, a public tier, and a source group of a role that is not there", () => {
    expect(problemsAfter((env) => (env.instanceConnect = {}))).toEqual([
      'environment "workshop": instanceConnect = {}: expected one door: a bastion block or an instanceConnect block, not both',
      expect.stringMatching(/^environment "workshop": access = .*expected no access block with instanceConnect/),
    ]);
    const env = variant("instance-connect", (e) => {
      e.access = { adminCidrs: ["203.0.113.10/32"] };
      e.instanceConnect = { tier: "public" };
      e.servers.app.ingress = [{ ports: [8080], from: [{ securityGroup: "bastion" }] }];
    });
    expect(problemsOf(env)).toEqual([
      'environment "workshop": instanceConnect.tier = "public": expected a private or isolated tier (the endpoint has no public address); "public" is public',
      'environment "workshop": access = {"adminCidrs":["203.0.113.10/32"],"insecureAllowAdminPortsFromAnywhere":false}: expected no access block with instanceConnect: IAM decides who may open a tunnel (ec2-instance-connect:OpenTunnel), no CIDR reaches port 22',
      'environment "workshop": servers.app.ingress[0].from[0].securityGroup = "bastion": expected a role the environment has (no bastion here)',
    ]);
  });

  it("opens the app's port to the door by default, and needs no SSH key", () => {
    const noKey = synth(
      variant("instance-connect", (env) => {
        delete env.servers.app.ingress;
        delete env.sshPublicKey;
      }),
    );
    expect(ids(noKey, "aws_key_pair")).toEqual([]);
    const app = rules(noKey, "aws_vpc_security_group_ingress_rule").filter((r) => r.from_port === 8080);
    expect(app.map((r) => r.referenced_security_group_id)).toEqual([
      ref("aws_security_group", "SecurityGroup-instance-connect", noKey),
    ]);
  });
});

describe("combined: Instance Connect in a fully private environment", () => {
  const env = variant("fully-private", (e) => {
    delete e.bastion;
    e.instanceConnect = {};
    e.servers.app.ingress = [{ ports: [8080], from: [{ securityGroup: "instance-connect" }] }];
  });
  const json = synth(env);

  it("puts the endpoint in the isolated tier; no NAT, no public address; servers reach only the endpoints", () => {
    expect(Object.values(resourcesOf(json, "aws_ec2_instance_connect_endpoint"))[0].subnet_id).toBe(
      ref("aws_subnet", "network_Subnet-internal-ap-northeast-2a", json),
    );
    for (const type of ["aws_internet_gateway", "aws_nat_gateway", "aws_eip"]) expect(ids(json, type)).toEqual([]);
    const out = rules(json, "aws_vpc_security_group_egress_rule");
    expect(out.filter((r) => r.cidr_ipv4 !== undefined)).toEqual([]);
    // Without Session Manager the servers' endpoint egress names only the DB password.
    expect(out.filter((r) => String(r.description).startsWith("HTTPS to the VPC's")).map((r) => r.description)).toEqual(
      [
        "HTTPS to the VPC's interface endpoints only: SSM Parameter Store (DB password) (tier internal has no route to the internet)",
        "HTTPS to the VPC's interface endpoints only: SSM Parameter Store (DB password) (tier internal has no route to the internet)",
      ],
    );
  });
});

describe("growth: enabling interface endpoints on the default environment", () => {
  it("only creates resources (the endpoints, their group and its rule); nothing existing changes", () => {
    const before = allResources(synth(variant("default")));
    const after = allResources(synth(variant("interface-endpoints")));
    for (const [id, props] of before) expect([id, after.get(id)]).toEqual([id, props]);
    const added = [...after.keys()].filter((id) => !before.has(id));
    expect(added.map((id) => id.replace(/_[0-9A-F]{8}$/, "")).sort()).toEqual([
      "aws_security_group.network_InterfaceEndpointSecurityGroup",
      "aws_vpc_endpoint.network_InterfaceEndpoint-ec2messages",
      "aws_vpc_endpoint.network_InterfaceEndpoint-ssm",
      "aws_vpc_endpoint.network_InterfaceEndpoint-ssmmessages",
      "aws_vpc_security_group_ingress_rule.network_InterfaceEndpointSecurityGroup_Ingress-tcp443-from-vpc",
    ]);
  });

  it("adding an AZ then changes only the endpoints' subnet_ids (an in-place update) besides creating", () => {
    const twoAzs = allResources(synth(variant("interface-endpoints")));
    const threeAzs = allResources(synth(variant("interface-endpoints", (env) => env.azs.push("ap-northeast-2c"))));
    const changed = [...twoAzs].filter(([id, props]) => JSON.stringify(threeAzs.get(id)) !== JSON.stringify(props));
    expect(changed.map(([id]) => id.split(".")[0])).toEqual([
      "aws_vpc_endpoint",
      "aws_vpc_endpoint",
      "aws_vpc_endpoint",
    ]);
    for (const [id, props] of changed) {
      const { subnet_ids: before, ...rest } = props;
      const { subnet_ids: after, ...restAfter } = threeAzs.get(id)!;
      expect(restAfter).toEqual(rest);
      expect((after as string[]).slice(0, 2)).toEqual(before);
    }
  });
});

describe("the cost estimate and the diagram know both", () => {
  it("prices interface endpoints per AZ-hour and per GB; the Instance Connect Endpoint has no line of its own", () => {
    const base = estimateCost(synth(variant("default")) as TerraformJson);
    const withEndpoints = estimateCost(synth(variant("interface-endpoints")) as TerraformJson);
    const endpointLines = withEndpoints.lines.filter((l) => l.category === "endpoints");
    // 3 endpoints × 2 AZs × 730 h at $0.013 = 56.94; 1 GB (assumed) at $0.01 = 0.01
    expect(endpointLines.map((l) => [l.item, l.quantity, l.unitPrice])).toEqual([
      ["interface endpoint com.amazonaws.ap-northeast-2.ec2messages, 2 AZ(s)", 1460, 0.013],
      ["interface endpoint com.amazonaws.ap-northeast-2.ssm, 2 AZ(s)", 1460, 0.013],
      ["interface endpoint com.amazonaws.ap-northeast-2.ssmmessages, 2 AZ(s)", 1460, 0.013],
      ["interface endpoint data processing, 1 GB (assumed)", 1, 0.01],
    ]);
    expect(withEndpoints.totalMonthly - base.totalMonthly).toBeCloseTo(3 * 2 * 730 * 0.013 + 0.01, 6);
    expect(withEndpoints.unpriced).toBe(0);
    const door = estimateCost(synth(variant("instance-connect")) as TerraformJson);
    expect(door.unpriced).toBe(0);
    expect(door.lines.some((l) => l.resource.includes("aws_ec2_instance_connect_endpoint"))).toBe(false);
  });

  it("draws the endpoints with their AZs, and the Instance Connect Endpoint in its subnet with its SSH arrows", () => {
    const endpoints = toDot(readInventory(synth(variant("fully-private")) as TerraformJson));
    expect(endpoints).toContain("Interface endpoint\\ncom.amazonaws.ap-northeast-2.ssm\\n2 AZ(s), private DNS");
    const json = synth(variant("instance-connect")) as TerraformJson;
    const dot = toDot(readInventory(json));
    const door = `aws_ec2_instance_connect_endpoint.${ids(json as SynthJson, "aws_ec2_instance_connect_endpoint")[0]}`;
    expect(dot).toContain(`"${door}" [label="EC2 Instance Connect Endpoint`);
    const ssh = dot.split("\n").filter((l) => l.startsWith(`  "${door}" -> `) && l.includes("tcp 22"));
    expect(ssh).toHaveLength(3); // app-a1, app-b1, db
    expect(dot).not.toMatch(/no instance of this stack in it/);
  });
});

describe("the docs' samples", () => {
  const sample = (page: string, heading: string) => {
    const [block] = codeBlocksUnder(heading, "json", docPage(page));
    return JSON.parse(block).environments[0] as Record<string, any>;
  };

  it("the fully private environment is valid: the endpoints, no NAT, no Internet Gateway", () => {
    const env = sample("configuration", "## Interface endpoints, and a fully private environment");
    expect(problemsOf(env)).toEqual([]);
    const json = synth(env);
    for (const type of ["aws_nat_gateway", "aws_internet_gateway"]) expect(ids(json, type)).toEqual([]);
    expect(ids(json, "aws_vpc_endpoint")).toHaveLength(4);
  });

  it("the Instance Connect environment is valid, with the endpoint as the door and no bastion", () => {
    const env = sample("access-and-servers", "## EC2 Instance Connect instead of a bastion");
    expect(problemsOf(env)).toEqual([]);
    const json = synth(env);
    expect(ids(json, "aws_ec2_instance_connect_endpoint")).toHaveLength(1);
    expect(ids(json, "aws_instance").filter((id) => id.startsWith("Bastion"))).toEqual([]);
  });
});
