import { App, Testing, TerraformStack } from "cdktf";
import { resolveConfig } from "../../modules/environment/load";
import { addAllStacks } from "../../modules/environment/app";
import { rawWorkshop } from "./config";

/** A certificate ARN of the default environment's region, as the HTTPS example of docs/load-balancer.md has it. */
export const EXAMPLE_CERTIFICATE_ARN =
  "arn:aws:acm:ap-northeast-2:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789";

/**
 * The load balancer findings each load balancer variant accepts, as its config implies them (`rule resource`): the
 * same at synth and in the plan.
 */
export const LOAD_BALANCER_ACCEPTED: ReadonlyArray<[string, string[]]> = [
  [
    "load-balancer-http",
    [
      "alb-redirect-http aws_lb.LoadBalancer",
      "alb-waf aws_lb.LoadBalancer",
      "lb-access-logs aws_lb.LoadBalancer",
      "lb-deletion-protection aws_lb.LoadBalancer",
      "lb-listener-https aws_lb_listener.LoadBalancer_Http",
    ],
  ],
  ["load-balancer-https", ["alb-waf aws_lb.LoadBalancer"]],
];

/**
 * The default config and its documented variants: each is the default environment with one change. Their resource
 * addresses are committed (`__tests__/fixtures/addresses.json`) so that no refactor renames a logical id unnoticed.
 */
export const DOCUMENTED_VARIANTS: Readonly<Record<string, (env: Record<string, any>) => void>> = {
  default: () => {},
  "nat-per-az": (env) => (env.nat = { mode: "per-az" }),
  "nat-instance": (env) => (env.nat = { mode: "instance", instance: { ami: "ami-0123456789abcdef0" } }),
  "ssm-only": (env) => {
    // Nothing listens under "only": the bastion leaves the public management tier for the first private one.
    env.bastion = { ...env.bastion, ssm: "only" };
    delete env.bastion.tier;
    delete env.access;
    delete env.sshPublicKey;
  },
  "flow-logs-and-s3-endpoint": (env) => {
    env.flowLogs = { enabled: true };
    env.s3GatewayEndpoint = true;
  },
  "three-azs": (env) => {
    // Written out whole, so the variant does not depend on how much room the default block leaves.
    env.azs = ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"];
    env.vpcCidr = "192.168.8.0/22";
    env.azSlots = 4;
  },
  // docs/configuration.md "Interface endpoints": Session Manager's endpoints added to the default environment (growth: only creates).
  "interface-endpoints": (env) => (env.interfaceEndpoints = { services: ["ssm", "ssmmessages", "ec2messages"] }),
  // docs/configuration.md "Interface endpoints, and a fully private environment": no NAT, no public tier, Session Manager through interface endpoints.
  "fully-private": (env) => {
    env.nat = { mode: "none" };
    env.tiers = [{ name: "internal", type: "isolated", cidrMask: 27 }];
    env.interfaceEndpoints = { services: ["ssm", "ssmmessages", "ec2messages"] };
    env.s3GatewayEndpoint = true;
    env.bastion = { instanceType: env.bastion.instanceType, ssm: "only" };
    delete env.access;
    delete env.sshPublicKey;
    env.servers.app.ingress = [{ ports: [8080], from: [{ securityGroup: "bastion" }] }];
  },
  // docs/access-and-servers.md "EC2 Instance Connect instead of a bastion": no bastion, SSH through the endpoint with IAM.
  "instance-connect": (env) => {
    delete env.bastion;
    delete env.access;
    env.instanceConnect = {};
    env.servers.app.ingress = [{ ports: [8080], from: [{ securityGroup: "instance-connect" }, { tier: "public" }] }];
  },
  // docs/configuration.md "Network ACLs per tier": every tier of the default environment with an ACL of its own.
  "network-acls": (env) => env.tiers.forEach((tier: Record<string, unknown>) => (tier.networkAcl = true)),
  // docs/load-balancer.md: the workshop's HTTP-only ALB, and the HTTPS one with access logs.
  "load-balancer-http": (env) => (env.loadBalancer = { deletionProtection: false }),
  "load-balancer-https": (env) =>
    (env.loadBalancer = { certificateArn: EXAMPLE_CERTIFICATE_ARN, accessLogs: { enabled: true } }),
  // docs/configuration.md "IPv6 dual-stack": the default environment with ipv6 on and the (then dual-stack) HTTP load balancer.
  "dual-stack": (env) => {
    env.ipv6 = true;
    env.loadBalancer = { deletionProtection: false };
  },
};

/** The synthesized JSON of every stack the app makes for a variant, by stack. */
export function synthOf(variant: string, makeApp: () => App = () => Testing.app()): Record<string, unknown> {
  const env = rawWorkshop();
  DOCUMENTED_VARIANTS[variant](env);
  const app = makeApp();
  const stacks: TerraformStack[] = addAllStacks(app, resolveConfig({ environments: [env] }), false);
  return Object.fromEntries(stacks.map((stack) => [stack.node.id, JSON.parse(Testing.synth(stack))]));
}

/** Every resource and data source address (`type.logicalId`) of every stack the app makes for a variant, by stack. */
export function addressesOf(variant: string, makeApp?: () => App): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(synthOf(variant, makeApp)).map(([stack, synthesized]) => {
      const json = synthesized as Record<string, Record<string, Record<string, unknown>> | undefined>;
      const addresses = ["resource", "data"].flatMap((kind) =>
        Object.entries(json[kind] ?? {}).flatMap(([type, byId]) =>
          Object.keys(byId).map((id) => `${kind === "data" ? "data." : ""}${type}.${id}`),
        ),
      );
      return [stack, addresses.sort()];
    }),
  );
}

/** The addresses of every documented variant, as the committed fixture holds them. */
export function allAddresses(makeApp?: () => App): Record<string, Record<string, string[]>> {
  return Object.fromEntries(
    Object.keys(DOCUMENTED_VARIANTS).map((variant) => [variant, addressesOf(variant, makeApp)]),
  );
}
