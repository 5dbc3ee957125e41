import { App, TerraformStack, Testing } from "cdktf";
import { Network } from "../modules/network/network";
import { renderNatInstanceUserData } from "../modules/network/nat-instance";
import { EnvironmentInput } from "../modules/environment/schema";
import {
  allResources,
  logicalIdOf,
  resourceNamed,
  resourcesOf,
  synthEnvironment,
  SynthJson,
  workshopConfig,
} from "./support/synth";
import { spawnSync } from "node:child_process";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DefaultRouteTable } from "@cdktf/provider-aws/lib/default-route-table";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";

const AZ_A = "ap-northeast-2a";
const AZ_B = "ap-northeast-2b";
const AZ_C = "ap-northeast-2c";
const ref = (type: string, id: string, attribute = "id") => `\${${type}.${id}.${attribute}}`;

function withChanges(change: (c: EnvironmentInput) => void): EnvironmentInput {
  const config: EnvironmentInput = workshopConfig();
  change(config);
  return config;
}

/** The `{ tier, az }` of a route table, read back from its Name tag. */
function routeTargets(json: SynthJson): Record<string, Record<string, unknown>> {
  const tables = resourcesOf(json, "aws_route_table");
  const out: Record<string, Record<string, unknown>> = {};
  for (const route of Object.values(resourcesOf(json, "aws_route"))) {
    const tableId = String(route.route_table_id).match(/aws_route_table\.([^.]+)\.id/)![1];
    const name = (tables[tableId].tags as Record<string, string>).Name;
    const { route_table_id: _t, destination_cidr_block: destination, ...target } = route;
    expect(destination).toBe("0.0.0.0/0");
    out[name] = target;
  }
  return out;
}

describe("workshop network (default environment)", () => {
  const { json, text } = synthEnvironment(workshopConfig());

  it("makes one subnet per tier per AZ, with the planned CIDRs and Name tags", () => {
    const subnets = Object.values(resourcesOf(json, "aws_subnet")).map((s) => [
      (s.tags as Record<string, string>).Name,
      s.availability_zone,
      s.cidr_block,
    ]);
    expect(subnets.sort()).toEqual([
      ["workshop-internal-ap-northeast-2a", AZ_A, "192.168.9.128/27"],
      ["workshop-internal-ap-northeast-2b", AZ_B, "192.168.9.160/27"],
      ["workshop-management-ap-northeast-2a", AZ_A, "192.168.9.0/27"],
      ["workshop-public-ap-northeast-2a", AZ_A, "192.168.8.0/26"],
      ["workshop-public-ap-northeast-2b", AZ_B, "192.168.8.64/26"],
    ]);
    expect(Object.values(resourcesOf(json, "aws_subnet")).every((s) => s.map_public_ip_on_launch === false)).toBe(true);
  });

  it("counts resources per tier and AZ", () => {
    // The network's own resources: the stack also holds the bastion's and the servers'.
    const count = (type: string) =>
      Object.keys(resourcesOf(json, type)).filter((id) => id.startsWith("network_")).length;
    expect(count("aws_vpc")).toBe(1);
    expect(count("aws_internet_gateway")).toBe(1);
    expect(count("aws_route_table")).toBe(4); // public, management, internal per AZ (2)
    expect(count("aws_route_table_association")).toBe(5);
    expect(count("aws_route")).toBe(4);
    expect(count("aws_nat_gateway")).toBe(1);
    expect(count("aws_eip")).toBe(1);
    expect(count("aws_flow_log")).toBe(0);
    expect(count("aws_vpc_endpoint")).toBe(0);
  });

  it("routes public tiers to the Internet Gateway and the private tier to the single NAT", () => {
    const igw = ref("aws_internet_gateway", logicalIdOf(json, "aws_internet_gateway", "network_InternetGateway"));
    const nat = ref("aws_nat_gateway", logicalIdOf(json, "aws_nat_gateway", `network_NatGateway-${AZ_A}`));
    expect(routeTargets(json)).toEqual({
      "workshop-public": { gateway_id: igw },
      "workshop-management": { gateway_id: igw },
      [`workshop-internal-${AZ_A}`]: { nat_gateway_id: nat },
      [`workshop-internal-${AZ_B}`]: { nat_gateway_id: nat },
    });
    expect(resourceNamed(json, "aws_nat_gateway", `network_NatGateway-${AZ_A}`).subnet_id).toBe(
      ref("aws_subnet", logicalIdOf(json, "aws_subnet", `network_Subnet-public-${AZ_A}`)),
    );
  });

  it("turns on DNS and tags everything through the provider's default tags", () => {
    expect(text).toHaveResourceWithProperties(Vpc, {
      cidr_block: "192.168.8.0/22",
      enable_dns_support: true,
      enable_dns_hostnames: true,
    });
    expect(text).toHaveProviderWithProperties(AwsProvider, {
      region: "ap-northeast-2",
      default_tags: [{ tags: { Environment: "workshop", ManagedBy: "cdktf", Project: "infra-workshop" } }],
    });
  });

  it("adopts the default security group with no rules and tags the default route table and NACL", () => {
    const sg = Object.values(resourcesOf(json, "aws_default_security_group"));
    expect(sg).toHaveLength(1);
    expect(sg[0]).not.toHaveProperty("ingress");
    expect(sg[0]).not.toHaveProperty("egress");
    expect(text).toHaveResourceWithProperties(DefaultRouteTable, { tags: { Name: "workshop-default-rt-unused" } });
    const nacl = Object.values(resourcesOf(json, "aws_default_network_acl"))[0];
    expect(nacl.tags).toEqual({ Name: "workshop-default-nacl" });
    expect(nacl.lifecycle).toEqual({ ignore_changes: ["subnet_ids"] });
  });

  it("outputs VPC, subnets by tier and AZ, and NAT public IPs", () => {
    expect(Object.keys(json.output ?? {})).toEqual(
      expect.arrayContaining(["vpc_id", "vpc_cidr", "subnet_ids", "subnet_cidrs", "nat_public_ips"]),
    );
    expect(json.output?.subnet_cidrs.value).toEqual({
      public: { [AZ_A]: "192.168.8.0/26", [AZ_B]: "192.168.8.64/26" },
      management: { [AZ_A]: "192.168.9.0/27" },
      internal: { [AZ_A]: "192.168.9.128/27", [AZ_B]: "192.168.9.160/27" },
    });
    expect(json.output?.nat_public_ips.value).toEqual({
      [AZ_A]: ref("aws_eip", logicalIdOf(json, "aws_eip", `network_NatEip-${AZ_A}`), "public_ip"),
    });
  });
});

describe("NAT modes", () => {
  it("per-az: each private route table goes to the NAT in its own AZ, hosted in that AZ's public subnet", () => {
    const { json } = synthEnvironment(withChanges((c) => (c.nat = { mode: "per-az" })));
    const natIn = (az: string) =>
      ref("aws_nat_gateway", logicalIdOf(json, "aws_nat_gateway", `network_NatGateway-${az}`));
    const targets = routeTargets(json);
    expect(targets[`workshop-internal-${AZ_A}`]).toEqual({ nat_gateway_id: natIn(AZ_A) });
    expect(targets[`workshop-internal-${AZ_B}`]).toEqual({ nat_gateway_id: natIn(AZ_B) });
    for (const az of [AZ_A, AZ_B]) {
      const gateway = resourceNamed(json, "aws_nat_gateway", `network_NatGateway-${az}`);
      expect(gateway.subnet_id).toBe(ref("aws_subnet", logicalIdOf(json, "aws_subnet", `network_Subnet-public-${az}`)));
      expect(gateway.allocation_id).toBe(
        ref("aws_eip", logicalIdOf(json, "aws_eip", `network_NatEip-${az}`), "allocation_id"),
      );
    }
  });

  it("none: isolated tiers only, no NAT and no route off the VPC", () => {
    const { json } = synthEnvironment(
      withChanges((c) => {
        c.nat = { mode: "none" };
        c.tiers[2].type = "isolated";
      }),
    );
    expect(resourcesOf(json, "aws_nat_gateway")).toEqual({});
    expect(Object.keys(resourcesOf(json, "aws_eip")).filter((id) => id.startsWith("network_"))).toEqual([]);
    expect(Object.keys(routeTargets(json)).sort()).toEqual(["workshop-management", "workshop-public"]);
    // One table for the isolated tier, shared by its AZs.
    expect(
      Object.values(resourcesOf(json, "aws_route_table")).map((t) => (t.tags as Record<string, string>).Name),
    ).toContain("workshop-internal");
  });

  it("instance: a hardened NAT instance with forwarding on, and private routes through its interface", () => {
    const { json, text } = synthEnvironment(
      withChanges((c) => (c.nat = { mode: "instance", instance: { ami: "ami-0123456789abcdef0" } })),
    );
    const instance = resourceNamed(json, "aws_instance", `network_NatInstance-${AZ_A}_Instance`);
    expect(instance).toMatchObject({
      ami: "ami-0123456789abcdef0",
      instance_type: "t3.nano",
      source_dest_check: false,
      metadata_options: { http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1 },
      root_block_device: { encrypted: true, volume_type: "gp3" },
      subnet_id: ref("aws_subnet", logicalIdOf(json, "aws_subnet", `network_Subnet-public-${AZ_A}`)),
    });
    // Unset, as on the bastion: its Elastic IP reads back as a public address; the public subnet assigns none at launch.
    expect(instance.associate_public_ip_address).toBeUndefined();
    const natSubnet = logicalIdOf(json, "aws_subnet", `network_Subnet-public-${AZ_A}`);
    expect(resourcesOf(json, "aws_subnet")[natSubnet].map_public_ip_on_launch).toBe(false);
    const instanceId = logicalIdOf(json, "aws_instance", `network_NatInstance-${AZ_A}_Instance`);
    expect(routeTargets(json)[`workshop-internal-${AZ_B}`]).toEqual({
      network_interface_id: ref("aws_instance", instanceId, "primary_network_interface_id"),
    });
    expect(resourceNamed(json, "aws_eip", `network_NatInstance-${AZ_A}_Eip`).instance).toBe(
      ref("aws_instance", instanceId),
    );
    expect(text).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, {
      cidr_ipv4: "192.168.8.0/22",
      ip_protocol: "-1",
    });
    expect(resourcesOf(json, "aws_nat_gateway")).toEqual({});
  });

  it("instance: the user data is valid bash that forwards and masquerades persistently", () => {
    const userData = renderNatInstanceUserData({ vpcCidr: "192.168.10.0/24" });
    expect(spawnSync("bash", ["-n"], { input: userData }).status).toBe(0);
    expect(userData).toContain("net.ipv4.ip_forward = 1");
    expect(userData).toContain("-A POSTROUTING -s 192.168.10.0/24 ! -d 192.168.10.0/24 -j MASQUERADE");
    expect(userData).toContain("systemctl enable iptables.service");
  });

  it("instance: an AMI from an SSM parameter becomes a data source (real users; not the offline default)", () => {
    const { json } = synthEnvironment(
      withChanges(
        (c) =>
          (c.nat = {
            mode: "instance",
            instance: {
              ami: { ssmParameter: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64" },
            },
          }),
      ),
    );
    const data = Object.entries(json.data?.aws_ssm_parameter ?? {});
    expect(data).toHaveLength(1);
    expect(resourceNamed(json, "aws_instance", `network_NatInstance-${AZ_A}_Instance`).ami).toBe(
      `\${data.aws_ssm_parameter.${data[0][0]}.insecure_value}`,
    );
  });
});

describe("optional features", () => {
  it("flow logs: a log group with retention, a role only the flow-logs service assumes, and a policy scoped to the group", () => {
    const { json } = synthEnvironment(
      withChanges((c) => (c.flowLogs = { enabled: true, retentionDays: 90, trafficType: "REJECT" })),
    );
    const group = resourceNamed(json, "aws_cloudwatch_log_group", "network_FlowLogs_LogGroup");
    expect(group).toMatchObject({ name: "/vpc/workshop/flow-logs", retention_in_days: 90 });
    const role = resourceNamed(json, "aws_iam_role", "network_FlowLogs_Role");
    expect(JSON.parse(role.assume_role_policy as string).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    const groupArn = ref(
      "aws_cloudwatch_log_group",
      logicalIdOf(json, "aws_cloudwatch_log_group", "network_FlowLogs_LogGroup"),
      "arn",
    );
    const policy = resourceNamed(json, "aws_iam_role_policy", "network_FlowLogs_Policy").policy as string;
    expect(policy).toContain(groupArn);
    expect(policy).toMatch(/^\$\{jsonencode\(/);
    expect(resourceNamed(json, "aws_flow_log", "network_FlowLogs_FlowLog")).toMatchObject({
      traffic_type: "REJECT",
      log_destination_type: "cloud-watch-logs",
      log_destination: groupArn,
      vpc_id: ref("aws_vpc", logicalIdOf(json, "aws_vpc", "network_Vpc")),
    });
  });

  it("S3 gateway endpoint: associated with every private and isolated route table, not the public ones", () => {
    const { json } = synthEnvironment(
      withChanges((c) => {
        c.s3GatewayEndpoint = true;
        c.tiers.push({ name: "data", type: "isolated", cidrMask: 28 });
        c.vpcCidr = "192.168.8.0/22";
      }),
    );
    expect(resourceNamed(json, "aws_vpc_endpoint", "network_S3GatewayEndpoint")).toMatchObject({
      service_name: "com.amazonaws.ap-northeast-2.s3",
      vpc_endpoint_type: "Gateway",
    });
    const tables = resourcesOf(json, "aws_route_table");
    const associated = Object.values(resourcesOf(json, "aws_vpc_endpoint_route_table_association")).map((a) => {
      const id = String(a.route_table_id).match(/aws_route_table\.([^.]+)\.id/)![1];
      return (tables[id].tags as Record<string, string>).Name;
    });
    expect(associated.sort()).toEqual([`workshop-data`, `workshop-internal-${AZ_A}`, `workshop-internal-${AZ_B}`]);
  });
});

describe("stable ids: adding an AZ or a tier changes no other resource", () => {
  const threeAzReady = (c: EnvironmentInput) => {
    c.azSlots = 4;
    c.vpcCidr = "192.168.8.0/22";
  };

  /** Every resource of `before` is in `after` under the same logical id with the same properties. */
  function expectUnchanged(before: SynthJson, after: SynthJson): void {
    const afterResources = allResources(after);
    for (const [id, props] of allResources(before)) expect([id, afterResources.get(id)]).toEqual([id, props]);
  }

  it.each(["single", "per-az"] as const)("adding an AZ (NAT %s)", (mode) => {
    const base = (c: EnvironmentInput) => {
      threeAzReady(c);
      c.nat = { mode };
    };
    const before = synthEnvironment(withChanges(base)).json;
    const after = synthEnvironment(
      withChanges((c) => {
        base(c);
        c.azs.push(AZ_C);
      }),
    ).json;
    expectUnchanged(before, after);
    const added = [...allResources(after).keys()].filter((id) => !allResources(before).has(id));
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((id) => id.includes(AZ_C))).toBe(true);
  });

  it("removing an AZ leaves the others' resources untouched", () => {
    const withC = synthEnvironment(withChanges((c) => (threeAzReady(c), c.azs.push(AZ_C)))).json;
    const withoutB = synthEnvironment(withChanges((c) => (threeAzReady(c), (c.azs = [AZ_A, AZ_C])))).json;
    const remaining = new Map([...allResources(withC)].filter(([id]) => !id.includes(AZ_B)));
    const after = allResources(withoutB);
    expect([...after.keys()].sort()).toEqual([...remaining.keys()].sort());
    for (const [id, props] of remaining) expect([id, after.get(id)]).toEqual([id, props]);
  });

  it("appending a tier", () => {
    const before = synthEnvironment(withChanges(threeAzReady)).json;
    const after = synthEnvironment(
      withChanges((c) => (threeAzReady(c), c.tiers.push({ name: "data", type: "isolated", cidrMask: 27 }))),
    ).json;
    expectUnchanged(before, after);
    const added = [...allResources(after).keys()].filter((id) => !allResources(before).has(id));
    expect(added.every((id) => id.includes("-data"))).toBe(true);
    expect(added).toHaveLength(5); // route table + 2 subnets + 2 associations
  });
});

describe("Network construct used directly", () => {
  it("renders in any scope (Testing.synthScope) with an isolated-only layout and no IGW", () => {
    const synthesized = Testing.synthScope((scope) => {
      new Network(scope, "net", {
        environment: "lib",
        region: "eu-west-1",
        azs: ["eu-west-1a", "eu-west-1b"],
        vpcCidr: "10.20.0.0/16",
        tiers: [{ name: "db", type: "isolated", cidrMask: 24 }],
        nat: { mode: "none" },
      });
    });
    expect(synthesized).toHaveResourceWithProperties(Vpc, { cidr_block: "10.20.0.0/16" });
    expect(synthesized).not.toHaveResource(InternetGateway);
    expect(synthesized).not.toHaveResource(Route);
    expect(synthesized).toHaveResourceWithProperties(Subnet, {
      availability_zone: "eu-west-1b",
      cidr_block: "10.20.1.0/24",
    });
  });

  it("refuses bad props with the same problems the config check gives", () => {
    const app: App = Testing.app();
    const stack = new TerraformStack(app, "direct");
    expect(
      () =>
        new Network(stack, "net", {
          environment: "lib",
          region: "eu-west-1",
          azs: ["eu-west-1a"],
          vpcCidr: "10.0.0.0/30",
          tiers: [{ name: "web", type: "public", cidrMask: 24 }],
        }),
    ).toThrow('environment "lib": vpcCidr = "10.0.0.0/30": expected a VPC block from /16 to /28');
  });
});
