import { Testing, TerraformStack } from "cdktf";
import { EnvironmentInput } from "../modules/environment/schema";
import { ConfigError } from "../modules/core/problems";
import { LoadBalancer } from "../modules/loadbalancer/load-balancer";
import { RoleSecurityGroup } from "../modules/security/security-group";
import { Connections } from "../modules/security/connections";
import { allResources, logicalIdOf, resourcesOf, synthEnvironment, SynthJson, workshopConfig } from "./support/synth";
import { EXAMPLE_CERTIFICATE_ARN } from "./support/variants";

type Res = Record<string, any>;
const ref = (type: string, id: string, attr: string) => `\${${type}.${id}.${attr}}`;
const groupRef = (json: SynthJson, prefix: string) =>
  ref("aws_security_group", logicalIdOf(json, "aws_security_group", prefix), "id");
const values = (json: SynthJson, type: string) => Object.values(resourcesOf(json, type)) as Res[];
const one = (json: SynthJson, type: string): [string, Res] => {
  const entries = Object.entries(resourcesOf(json, type));
  if (entries.length !== 1) throw new Error(`expected one ${type}, found ${entries.length}`);
  return entries[0] as [string, Res];
};

function withLoadBalancer(
  loadBalancer: NonNullable<EnvironmentInput["loadBalancer"]>,
  change: (c: EnvironmentInput) => void = () => {},
): EnvironmentInput {
  const config: EnvironmentInput = workshopConfig();
  config.loadBalancer = loadBalancer;
  change(config);
  return config;
}

const plain = synthEnvironment(workshopConfig()).json;
const http = synthEnvironment(withLoadBalancer({ deletionProtection: false })).json;
const https = synthEnvironment(
  withLoadBalancer({ certificateArn: EXAMPLE_CERTIFICATE_ARN, accessLogs: { enabled: true, expireAfterDays: 30 } }),
).json;

describe("without loadBalancer", () => {
  it("has no load balancer resources or outputs", () => {
    expect(Object.keys(plain.resource ?? {}).filter((t) => t.startsWith("aws_lb"))).toEqual([]);
    expect(Object.keys(plain.output ?? {}).filter((o) => o.startsWith("load_balancer"))).toEqual([]);
  });
});

describe.each([
  ["HTTP only", http],
  ["HTTPS", https],
])("with loadBalancer (%s)", (_name, json) => {
  it("adds resources and changes none, but for the app's service port from the public tier, which the ALB's group replaces", () => {
    const before = allResources(plain);
    const after = allResources(json);
    const removed = [...before.keys()].filter((a) => !after.has(a));
    expect(removed.sort()).toEqual(
      [...before.keys()]
        .filter((a) =>
          /^aws_vpc_security_group_ingress_rule\.SecurityGroup-app_Ingress-tcp8080-from-tier-public-/.test(a),
        )
        .sort(),
    );
    expect(removed).toHaveLength(2);
    for (const [address, props] of before)
      if (after.has(address)) expect({ address, props: after.get(address) }).toEqual({ address, props });
  });

  it("is an internet-facing ALB in both public subnets that drops invalid headers", () => {
    const [, lb] = one(json, "aws_lb");
    const publicSubnets = Object.entries(resourcesOf(json, "aws_subnet"))
      .filter(([, s]) => (s.tags as Record<string, string>).Tier === "public")
      .map(([id]) => ref("aws_subnet", id, "id"));
    expect(publicSubnets).toHaveLength(2);
    expect(lb).toMatchObject({
      name: "workshop-alb",
      internal: false,
      load_balancer_type: "application",
      drop_invalid_header_fields: true,
    });
    expect([...lb.subnets].sort()).toEqual(publicSubnets.sort());
    expect(lb.security_groups).toEqual([groupRef(json, "LoadBalancer_SecurityGroup")]);
  });

  it("registers every app server, and only them, on the service port", () => {
    const [tgId, tg] = one(json, "aws_lb_target_group");
    expect(tg).toMatchObject({ port: 8080, protocol: "HTTP", target_type: "instance" });
    const apps = Object.keys(resourcesOf(json, "aws_instance")).filter((id) => id.startsWith("AppServers_"));
    const attachments = values(json, "aws_lb_target_group_attachment");
    expect(attachments.map((a) => a.target_id).sort()).toEqual(apps.map((id) => ref("aws_instance", id, "id")).sort());
    for (const a of attachments)
      expect(a).toMatchObject({ port: 8080, target_group_arn: ref("aws_lb_target_group", tgId, "arn") });
  });

  it("lets the world reach the ALB on web ports only, the ALB reach only the app port, and the app take 8080 from the ALB's group instead of the public tier", () => {
    const alb = groupRef(json, "LoadBalancer_SecurityGroup");
    const app = groupRef(json, "SecurityGroup-app_Group");
    const ingress = values(json, "aws_vpc_security_group_ingress_rule");
    const egress = values(json, "aws_vpc_security_group_egress_rule");
    const webPorts = json === https ? [80, 443] : [80];
    expect(
      ingress
        .filter((r) => r.security_group_id === alb)
        .map((r) => [r.cidr_ipv4, r.from_port, r.to_port])
        .sort((a, b) => a[1] - b[1]),
    ).toEqual(webPorts.map((p) => ["0.0.0.0/0", p, p]));
    expect(
      egress
        .filter((r) => r.security_group_id === alb)
        .map((r) => [r.referenced_security_group_id, r.ip_protocol, r.from_port, r.to_port]),
    ).toEqual([[app, "tcp", 8080, 8080]]);
    const to8080 = ingress.filter((r) => r.security_group_id === app && r.from_port === 8080);
    expect(to8080.map((r) => r.referenced_security_group_id ?? r.cidr_ipv4).sort()).toEqual(
      [alb, groupRef(json, "SecurityGroup-bastion_Group")].sort(),
    );
  });

  it("outputs the DNS name, the URL and the target group, and leaves ssh_config as it was", () => {
    const [lbId] = one(json, "aws_lb");
    expect(json.output?.load_balancer_dns_name.value).toBe(ref("aws_lb", lbId, "dns_name"));
    expect(json.output?.load_balancer_url.value).toBe(
      `${json === https ? "https" : "http"}://${ref("aws_lb", lbId, "dns_name")}`,
    );
    expect(json.output?.load_balancer_target_group_arn.value).toBe(
      ref("aws_lb_target_group", one(json, "aws_lb_target_group")[0], "arn"),
    );
    expect(json.output?.ssh_config).toEqual(plain.output?.ssh_config);
  });
});

describe("listeners", () => {
  it("HTTP only: one listener on 80 that forwards to the target group", () => {
    const [tgId] = one(http, "aws_lb_target_group");
    const [, listener] = one(http, "aws_lb_listener");
    expect(listener).toMatchObject({
      port: 80,
      protocol: "HTTP",
      default_action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group", tgId, "arn") }],
    });
  });

  it("HTTPS: 80 redirects to 443 (301), and 443 forwards with the certificate and a TLS 1.2+ policy", () => {
    const [tgId] = one(https, "aws_lb_target_group");
    const listeners = values(https, "aws_lb_listener").sort((a, b) => a.port - b.port);
    expect(listeners).toHaveLength(2);
    expect(listeners[0]).toMatchObject({
      port: 80,
      protocol: "HTTP",
      default_action: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } }],
    });
    expect(listeners[1]).toMatchObject({
      port: 443,
      protocol: "HTTPS",
      certificate_arn: EXAMPLE_CERTIFICATE_ARN,
      ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      default_action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group", tgId, "arn") }],
    });
  });
});

describe("settings", () => {
  it("health check and deletion protection: defaults, and configured values", () => {
    expect(one(http, "aws_lb_target_group")[1].health_check).toMatchObject({
      path: "/",
      interval: 30,
      timeout: 5,
      healthy_threshold: 3,
      unhealthy_threshold: 3,
      matcher: "200-399",
      port: "traffic-port",
    });
    expect(one(http, "aws_lb")[1].enable_deletion_protection).toBe(false);
    expect(one(https, "aws_lb")[1].enable_deletion_protection).toBe(true);
    const custom = synthEnvironment(
      withLoadBalancer({
        healthCheck: {
          path: "/health",
          intervalSeconds: 10,
          timeoutSeconds: 3,
          healthyThreshold: 2,
          unhealthyThreshold: 5,
          matcher: "200",
        },
      }),
    ).json;
    expect(one(custom, "aws_lb_target_group")[1].health_check).toMatchObject({
      path: "/health",
      interval: 10,
      timeout: 3,
      healthy_threshold: 2,
      unhealthy_threshold: 5,
      matcher: "200",
    });
  });

  it("allowedCidrs replace anywhere on the web ports", () => {
    const json = synthEnvironment(withLoadBalancer({ allowedCidrs: ["198.51.100.0/24", "203.0.113.0/24"] })).json;
    const alb = groupRef(json, "LoadBalancer_SecurityGroup");
    const sources = values(json, "aws_vpc_security_group_ingress_rule")
      .filter((r) => r.security_group_id === alb)
      .map((r) => `${r.cidr_ipv4}:${r.from_port}`);
    expect(sources.sort()).toEqual(["198.51.100.0/24:80", "203.0.113.0/24:80"]);
  });

  it("registers two servers per AZ when countPerAz is 2", () => {
    const json = synthEnvironment(withLoadBalancer({}, (c) => (c.servers!.app!.countPerAz = 2))).json;
    expect(values(json, "aws_lb_target_group_attachment")).toHaveLength(4);
  });

  it("access logs: no bucket without them; with them a private, encrypted, TLS-only bucket the region's ELB account may write to, and the ALB waits for its policy", () => {
    expect(resourcesOf(http, "aws_s3_bucket")).toEqual({});
    expect(one(http, "aws_lb")[1].access_logs).toBeUndefined();
    const [bucketId, bucket] = one(https, "aws_s3_bucket");
    expect(bucket).toMatchObject({ bucket_prefix: "workshop-alb-", force_destroy: false });
    const [lbId, lb] = one(https, "aws_lb");
    expect(lb.access_logs).toEqual({ bucket: ref("aws_s3_bucket", bucketId, "id"), enabled: true });
    const [policyId, policy] = one(https, "aws_s3_bucket_policy");
    expect(lb.depends_on).toEqual([`aws_s3_bucket_policy.${policyId}`]);
    expect(policy.policy).toContain("arn:aws:iam::600734575887:root");
    expect(policy.policy).toContain("DenyInsecureTransport");
    expect(
      one(https, "aws_s3_bucket_server_side_encryption_configuration")[1].rule[0]
        .apply_server_side_encryption_by_default.sse_algorithm,
    ).toBe("AES256");
    expect(one(https, "aws_s3_bucket_public_access_block")[1]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(one(https, "aws_s3_bucket_lifecycle_configuration")[1].rule[0].expiration).toEqual([{ days: 30 }]);
    expect(lbId).toMatch(/^LoadBalancer_[0-9A-F]{8}$/);
  });
});

describe("LoadBalancer as a library construct", () => {
  const make = (subnetIds: string[], healthPath = "/") => {
    const stack = new TerraformStack(Testing.app(), "lib");
    const app = new Connections(
      new RoleSecurityGroup(stack, "app", { environment: "lib", role: "app", vpcId: "vpc-1", description: "app" }),
    );
    return new LoadBalancer(stack, "lb", {
      environment: "lib",
      region: "eu-west-1",
      vpcId: "vpc-1",
      subnetIds,
      targets: [{ name: "app-a1", instanceId: "i-1" }],
      targetPort: 8080,
      app,
      healthCheck: { path: healthPath },
    });
  };

  it("refuses one subnet and a health-check path without its slash, naming both", () => {
    expect(() => make(["subnet-a"], "health")).toThrow(ConfigError);
    expect(() => make(["subnet-a"], "health")).toThrow(
      /subnetIds = \["subnet-a"\]: expected subnets in at least two AZs[\s\S]*healthCheck.path = "health": expected a path starting with "\/"/,
    );
  });

  it("defaults to deletion protection on and HTTP only", () => {
    const lb = make(["subnet-a", "subnet-b"]);
    expect(lb.httpsListener).toBeUndefined();
    const json = JSON.parse(Testing.synth(lb.node.scope as TerraformStack)) as SynthJson;
    expect(one(json, "aws_lb")[1].enable_deletion_protection).toBe(true);
  });
});
