import { App, TerraformOutput, Testing, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Network } from "../modules/network/network";
import { NetworkProps } from "../modules/network/types";
import { Bastion } from "../modules/bastion/bastion";
import { AppServers, DbServer } from "../modules/servers/servers";
import { HARDENING_DEFAULTS } from "../modules/instance/user-data";
import { RoleSecurityGroup, Peer } from "../modules/security/security-group";
import { Port } from "../modules/core/port";
import { applyRules, stackValidationFailures } from "../modules/rules/synth";
import { parsePublicKey, loadPublicKey } from "../modules/keypair/public-key";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, SLOW_PROCESS_MS, terraformShim } from "./support/shell";

type Json = { resource?: Record<string, Record<string, Record<string, any>>> };

// What a library user gets without a config file: the same refusals as the config's, the shapes the constructs share.
const NETWORK: NetworkProps = {
  environment: "lib",
  region: "us-east-1",
  azs: ["us-east-1a", "us-east-1b"],
  vpcCidr: "10.1.0.0/16",
  tiers: [
    { name: "edge", type: "public", cidrMask: 24 },
    { name: "apps", type: "private", cidrMask: 22 },
  ],
};
const AMI = "ami-0123456789abcdef0";

function synth(build: (scope: Construct, network: Network) => void): Json {
  return JSON.parse(Testing.synthScope((scope) => build(scope, new Network(scope, "net", NETWORK)))) as Json;
}
/** An empty security group for the app role, for rules said on it. */
const appGroup = (scope: Construct, network: Network) =>
  new RoleSecurityGroup(scope, "sg", { environment: "lib", role: "app", vpcId: network.vpc.id, description: "d" });
const rules = (json: Json, type: string) => Object.values(json.resource?.[type] ?? {});

describe("admin ports from anywhere", () => {
  it("a Bastion refuses 0.0.0.0/0 admin CIDRs, naming the prop and its acknowledgement", () => {
    expect(() =>
      synth(
        (scope, network) => new Bastion(scope, "door", { network, tier: "edge", ami: AMI, adminCidrs: ["0.0.0.0/0"] }),
      ),
    ).toThrow(
      'bastion "door": adminCidrs[0] = "0.0.0.0/0" opens SSH (22) to the whole internet: give your own address as a /32, or, if you mean it, insecureAllowAdminPortsFromAnywhere: true',
    );
  });

  it("a Bastion takes them when the prop acknowledges it, with the loud rule description", () => {
    const json = synth(
      (scope, network) =>
        new Bastion(scope, "door", {
          network,
          tier: "edge",
          ami: AMI,
          adminCidrs: ["0.0.0.0/0"],
          insecureAllowAdminPortsFromAnywhere: true,
        }),
    );
    expect(rules(json, "aws_vpc_security_group_ingress_rule").map((r) => [r.cidr_ipv4, r.description])).toEqual([
      [
        "0.0.0.0/0",
        "SSH from admin network 0.0.0.0/0 (OPEN TO THE INTERNET: access.insecureAllowAdminPortsFromAnywhere)",
      ],
    ]);
  });

  it.each([
    ["SSH", Port.SSH],
    ["RDP in a range", Port.tcpRange(3000, 4000)],
    ["all traffic", Port.allTraffic()],
  ])("allowFrom(Peer.anyIpv4(), %s) is refused unless the peer acknowledges it", (_name, port) => {
    expect(() => synth((scope, network) => appGroup(scope, network).allowFrom(Peer.anyIpv4(), port, "open"))).toThrow(
      /opens admin port .* to the whole internet\. .*Peer\.anyIpv4\(\{ insecureAllowAdminPortsFromAnywhere: true \}\)/,
    );
    const json = synth((scope, network) =>
      appGroup(scope, network).allowFrom(Peer.anyIpv4({ insecureAllowAdminPortsFromAnywhere: true }), port, "meant"),
    );
    expect(rules(json, "aws_vpc_security_group_ingress_rule")).toHaveLength(1);
  });

  it("lets non-admin ports in from anywhere, and admin ports from a narrower source", () => {
    const json = synth((scope, network) => {
      const sg = appGroup(scope, network);
      sg.allowFrom(Peer.anyIpv4(), Port.tcp(443), "HTTPS");
      sg.allowFrom(Peer.ipv4("198.51.100.7/32"), Port.SSH, "office");
    });
    expect(rules(json, "aws_vpc_security_group_ingress_rule")).toHaveLength(2);
  });
});

describe("ports and peers", () => {
  it("makes UDP, ranges, all traffic (no ports), other groups by id and prefix lists", () => {
    const json = synth((scope, network) => {
      const sg = appGroup(scope, network);
      sg.allowFrom(Peer.ipv4("10.1.0.0/16", "vpc"), Port.udp(53), "DNS");
      sg.allowFrom(Peer.securityGroupId("sg-0123456789abcdef0", "lb"), Port.tcpRange(8000, 8100), "from the LB");
      sg.allowTo(Peer.prefixList("pl-63a5400a", "s3"), Port.tcp(443), "to S3");
      sg.allowTo(Peer.ipv4("10.1.0.0/16", "vpc"), Port.allTraffic(), "anything in the VPC");
      sg.allowTo(Peer.ipv4("10.1.0.0/16", "vpc"), Port.udpRange(1000, 2000), "UDP range");
    });
    const shape = (r: Record<string, any>) =>
      [r.ip_protocol, r.from_port, r.to_port, r.cidr_ipv4 ?? r.referenced_security_group_id ?? r.prefix_list_id].join(
        " ",
      );
    expect(rules(json, "aws_vpc_security_group_ingress_rule").map(shape).sort()).toEqual([
      "tcp 8000 8100 sg-0123456789abcdef0",
      "udp 53 53 10.1.0.0/16",
    ]);
    expect(rules(json, "aws_vpc_security_group_egress_rule").map(shape).sort()).toEqual([
      "-1   10.1.0.0/16",
      "tcp 443 443 pl-63a5400a",
      "udp 1000 2000 10.1.0.0/16",
    ]);
  });
});

describe("shapes the constructs share", () => {
  it("every subnet carries its route table id: one per public tier, one per AZ for a private tier", () => {
    let ids: Record<string, string> = {};
    const json = synth((_scope, network) => {
      ids = Object.fromEntries(network.subnets.map((s) => [`${s.tier}/${s.az}`, s.routeTableId]));
    });
    const subnetId = (key: string) =>
      Object.entries(json.resource!.aws_subnet).find(([, s]) => `${s.tags.Tier}/${s.availability_zone}` === key)![0];
    // The token resolves to the table the subnet is associated with.
    const tableOf = (key: string) =>
      rules(json, "aws_route_table_association").find((a) => a.subnet_id === `\${aws_subnet.${subnetId(key)}.id}`)!
        .route_table_id;
    const resolved = JSON.parse(
      Testing.synthScope((scope) => {
        const network = new Network(scope, "net", NETWORK);
        for (const s of network.subnets) new TerraformOutput(scope, `rt-${s.tier}-${s.az}`, { value: s.routeTableId });
      }),
    ).output as Record<string, { value: string }>;
    for (const key of Object.keys(ids)) expect(resolved[`rt-${key.replace("/", "-")}`].value).toBe(tableOf(key));
    expect(new Set(Object.keys(ids).map(tableOf)).size).toBe(3);
  });

  it("the bastion and the servers take the same optional hardening, with exported defaults and a default instance type", () => {
    const json = synth((scope, network) => {
      new Bastion(scope, "door", { network, tier: "edge", ami: AMI, hardening: { sessionTimeoutSeconds: 300 } });
      new DbServer(scope, "db", { network, tier: "apps", ami: AMI, hardening: { sessionTimeoutSeconds: 300 } });
      new AppServers(scope, "app", {
        network,
        tier: "apps",
        ami: AMI,
        service: { name: "app", port: 8080, command: "/bin/true", environment: {}, packages: [] },
      });
    });
    const instances = rules(json, "aws_instance");
    expect(instances.map((i) => i.instance_type)).toEqual(["t3.micro", "t3.micro", "t3.micro", "t3.micro"]);
    const byRole = (role: string) => instances.filter((i) => i.tags.Role === role).map((i) => i.user_data as string);
    for (const data of [...byRole("bastion"), ...byRole("db")]) expect(data).toContain("TMOUT=300");
    for (const data of byRole("app")) expect(data).toContain(`TMOUT=${HARDENING_DEFAULTS.sessionTimeoutSeconds}`);
    for (const data of [...byRole("bastion"), ...byRole("db"), ...byRole("app")])
      expect(data).toContain(`MaxAuthTries ${HARDENING_DEFAULTS.sshMaxAuthTries}`);
    expect(byRole("bastion")[0]).toContain("AllowTcpForwarding yes");
    expect(byRole("db")[0]).toContain("AllowTcpForwarding no");
  });

  it("servers give their private IPs", () => {
    const json = JSON.parse(
      Testing.synthScope((scope) => {
        const network = new Network(scope, "net", NETWORK);
        const app = new AppServers(scope, "app", {
          network,
          tier: "apps",
          ami: AMI,
          countPerAz: 2,
          service: { name: "app", port: 8080, command: "/bin/true", environment: {}, packages: [] },
        });
        const db = new DbServer(scope, "db", { network, tier: "apps", ami: AMI });
        new TerraformOutput(scope, "app-ips", { value: app.privateIps });
        new TerraformOutput(scope, "db-ips", { value: db.privateIps });
      }),
    ) as Json & { output: Record<string, { value: string[] }> };
    const ipOf = (role: string) =>
      Object.entries(json.resource!.aws_instance)
        .filter(([, i]) => i.tags.Role === role)
        .map(([id]) => `\${aws_instance.${id}.private_ip}`);
    expect(json.output["app-ips"].value).toEqual(ipOf("app"));
    expect(json.output["app-ips"].value).toHaveLength(4);
    expect(json.output["db-ips"].value).toEqual(ipOf("db"));
  });

  it("a key's problem has one shape, parsed or loaded", () => {
    const parsed = parsePublicKey("ssh-dss AAAA");
    const loaded = loadPublicKey({ text: "ssh-dss AAAA" });
    expect("problem" in parsed && parsed.problem).toEqual("problem" in loaded && loaded.problem);
    expect(parsed).toHaveProperty("problem.field", "sshPublicKey.text");
  });
});

describe("applyRules for a library user", () => {
  const stackWith = (exceptions?: Array<{ rule: string; resource?: string; reason: string }>) => {
    const stack = new TerraformStack(Testing.app() as App, "lib");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    const network = new Network(stack, "net", { ...NETWORK, tiers: [{ name: "edge", type: "public", cidrMask: 24 }] });
    new Bastion(stack, "Bastion", { network, tier: "edge", ami: AMI, adminCidrs: ["198.51.100.7/32"] });
    applyRules(stack, { exceptions });
    return stack;
  };

  it("fails synth on a finding, showing the exception to pass in code", () => {
    const [failure] = stackValidationFailures([stackWith()]);
    expect(failure).toContain("guardrail instance-public-ip: aws_instance.Bastion_");
    expect(failure).toContain('(in code: applyRules(stack, { exceptions: [{"rule":"instance-public-ip"');
  });

  it("passes once each finding is accepted by name, with its reason", () => {
    const stack = stackWith([
      { rule: "instance-public-ip", resource: "Bastion_", reason: "the bastion is the one door in" },
      { rule: "instance-detailed-monitoring", reason: "basic metrics are enough here" },
      { rule: "vpc-flow-logs", reason: "no flow logs in this test network" },
      { rule: "remote-state", reason: "a test stack, never applied" },
    ]);
    expect(stackValidationFailures([stack])).toEqual([]);
  });
});

describe("detectTerraform", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "detect-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "finds terraform on the PATH of the environment it inherits, when given none",
    () => {
      const shim = terraformShim(dir);
      const script =
        'const { detectTerraform } = require("./modules/tools/pipeline/terraform"); console.log(JSON.stringify(detectTerraform()));';
      const result = run("node", ["--require", "./app/register-ts.js", "-e", script], {
        PATH: shim.path,
        CHECKPOINT_DISABLE: "",
      });
      expect(result.stderr).toBe("");
      const { toolchain } = JSON.parse(result.stdout);
      expect(toolchain).toMatchObject({ binary: shim.binary, version: "Terraform v1.11.4" });
      // The probe still ran with CHECKPOINT_DISABLE=1, added without the library reading the environment.
      expect(shim.calls().map((env) => env.CHECKPOINT_DISABLE)).toEqual(["1"]);
    },
    SLOW_PROCESS_MS,
  );
});
