import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TerraformToolchain } from "../modules/tools/pipeline/terraform";
import { ApplyWorkspace, describeWithMoto, synthApp } from "./support/apply";
import { rawWorkshop } from "./support/config";
import { DOCUMENTED_VARIANTS } from "./support/variants";
import { PLACEHOLDER_ARNS } from "./support/deploy-groups";

// Dual-stack on the AWS API emulator: turning IPv6 on for the applied default environment is planned by terraform
// against moto's state (nothing deleted or replaced), applied, planned clean and destroyed; and a dual-stack
// environment with the HTTPS load balancer goes through the whole deploy cycle.
//
// What moto does not do: a subnet's IPv6 block. moto keeps it, but DescribeSubnets answers its association state
// nested one level too deep (moto/ec2/models/subnets.py, `ipv6_cidr_block_association_set`), so the provider waits
// for "associated" until it times out. The applies below therefore leave the subnets' /64s out (an override file,
// as for the SSM association), and the rules that name a subnet's /64 get a documentation block of their own
// instead; the VPC's /56, the egress-only gateway, the ::/0 routes, the IPv6 rules and the dual-stack ALB are applied.

const NO_DEADLINE = 6 * 3600_000; // a slow machine makes a slow apply, not a wrong one

/** The override that keeps the subnets' IPv6 blocks from moto (see above); undefined when the stack has none. */
function withoutSubnetIpv6(dir: string): object | undefined {
  const json = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as {
    resource: Record<string, Record<string, Record<string, unknown>>>;
  };
  const subnets = Object.entries(json.resource.aws_subnet ?? {}).filter(([, s]) => s.ipv6_cidr_block !== undefined);
  if (subnets.length === 0) return undefined;
  const rules = ["aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"].flatMap((type) =>
    Object.entries(json.resource[type] ?? {})
      .filter(([, r]) => String(r.cidr_ipv6).includes("aws_subnet."))
      .map(([id]) => [type, id] as const),
  );
  const resource: Record<string, Record<string, object>> = {
    aws_subnet: Object.fromEntries(
      subnets.map(([id]) => [id, { ipv6_cidr_block: null, assign_ipv6_address_on_creation: false }]),
    ),
  };
  rules.forEach(([type, id], i) => ((resource[type] ??= {})[id] = { cidr_ipv6: `2001:db8:0:${i}::/64` }));
  return { resource };
}

interface PlanChange {
  address: string;
  type: string;
  change: { actions: string[]; before?: Record<string, unknown> | null; after?: Record<string, unknown> | null };
}

describeWithMoto(
  "IPv6 dual-stack on the AWS API emulator",
  (toolchain: () => TerraformToolchain, motoServer: () => string) => {
    test.concurrent(
      "turning ipv6 on for the applied default environment creates and updates in place only (no subnet, instance or VPC replaced), then plans clean and destroys",
      async () => {
        const before = rawWorkshop();
        const after = { ...rawWorkshop(), ipv6: true };
        const space = await ApplyWorkspace.forEnvironment("ipv6-growth", toolchain(), motoServer(), after);
        try {
          const old = synthApp(join(space.root, "before"), before).workshop;
          const now = synthApp(join(space.root, "after"), after).workshop;
          space.prepareStack(old);
          await space.mustRun(old, "init", "-input=false");
          await space.mustRun(old, "apply", "-input=false", "-auto-approve");
          copyFileSync(join(old, "terraform.tfstate"), join(now, "terraform.tfstate"));
          space.prepareStack(now);
          await space.mustRun(now, "init", "-input=false");
          await space.mustRun(now, "plan", "-input=false", "-out=ipv6.tfplan");
          const plan = JSON.parse((await space.mustRun(now, "show", "-json", "ipv6.tfplan")).stdout) as {
            resource_changes: PlanChange[];
          };
          const changes = plan.resource_changes.filter((c) => c.change.actions.join() !== "no-op");
          expect(changes.filter((c) => c.change.actions.includes("delete")).map((c) => c.address)).toEqual([]);
          const updated = new Set(changes.filter((c) => c.change.actions.join() === "update").map((c) => c.type));
          expect(updated).toEqual(new Set(["aws_vpc", "aws_subnet", "aws_default_network_acl"]));
          const created = new Set(changes.filter((c) => c.change.actions.join() === "create").map((c) => c.type));
          expect(created).toEqual(
            new Set([
              "aws_egress_only_internet_gateway",
              "aws_route",
              "aws_vpc_security_group_egress_rule",
              "aws_vpc_security_group_ingress_rule",
            ]),
          );
          space.prepareStack(now, { moto_subnet_ipv6_override: withoutSubnetIpv6(now)! });
          await space.mustRun(now, "apply", "-input=false", "-auto-approve");
          const vpc = JSON.parse((await space.mustRun(now, "output", "-json", "vpc_ipv6_cidr")).stdout) as string;
          expect(vpc).toMatch(/^[0-9a-f:]+\/56$/);
          await space.expectNoChanges(now);
          await space.destroy(now);
        } finally {
          await space.close();
        }
      },
      NO_DEADLINE,
    );

    test.concurrent(
      "a dual-stack environment with the HTTPS load balancer (dualstack) and a tier that assigns IPv6 on creation applies, plans no change and destroys",
      async () => {
        const env = rawWorkshop();
        DOCUMENTED_VARIANTS["load-balancer-https"](env);
        env.loadBalancer.certificateArn = PLACEHOLDER_ARNS.certificate; // moto issues one in its place
        env.loadBalancer.deletionProtection = false; // the test destroys it
        env.ipv6 = true;
        env.tiers.push({ name: "data", type: "isolated", cidrMask: 27, assignIpv6AddressOnCreation: true });
        const space = await ApplyWorkspace.forEnvironment("ipv6-dual-stack", toolchain(), motoServer(), env);
        try {
          const stack = synthApp(join(space.root, "out"), env).workshop;
          space.prepareStack(stack, { moto_subnet_ipv6_override: withoutSubnetIpv6(stack)! });
          await space.deployCycle(stack, "workshop (dual-stack, HTTPS load balancer)");
        } finally {
          await space.close();
        }
      },
      NO_DEADLINE,
    );
  },
);
