import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { TerraformToolchain } from "../modules/tools/pipeline/terraform";
import { ApplyWorkspace, describeWithMoto, stackJson, synthApp } from "./support/apply";
import { rawWorkshop } from "./support/config";
import { DOCUMENTED_VARIANTS } from "./support/variants";
import { DEPLOY_GROUPS } from "./support/deploy-groups";

// Every documented variant, applied to moto, planned again (no change allowed) and destroyed. The variants are
// combined into a few deployments (support/deploy-groups.ts); each test has a moto of its own. The default
// environment, once applied, also grows: its tiers' network ACLs are turned on (a growth, not a deployment of its
// own: it starts from what the default deployment leaves).

const NO_DEADLINE = 6 * 3600_000; // a slow machine makes a slow apply, not a wrong one: no deadline of the test's own

interface PlanChanges {
  resource_changes?: Array<{ address: string; type: string; change: { actions: string[] } }>;
}

interface AclJson {
  resource: {
    aws_network_acl: Record<string, { ingress: Array<{ protocol: string }>; egress: Array<{ protocol: string }> }>;
  };
}

/**
 * The ACLs without their ICMP entries (path MTU discovery), for moto only: it reads an entry's ICMP type and code
 * back as 0 (seen: 3/4 applied, 0/0 in the plan after), so the plan after the apply would never be empty. The TCP
 * entries, which carry every flow, stay.
 */
function withoutIcmpEntries(json: AclJson): object {
  const tcpOnly = (entries: Array<{ protocol: string }>) => entries.filter((e) => e.protocol !== "icmp");
  const acls = Object.entries(json.resource.aws_network_acl).map(([id, acl]) => [
    id,
    { ingress: tcpOnly(acl.ingress), egress: tcpOnly(acl.egress) },
  ]);
  expect(acls.length).toBeGreaterThan(0);
  return { resource: { aws_network_acl: Object.fromEntries(acls) } };
}

/**
 * Turns the tiers' network ACLs on for the applied default environment in `dir`: the plan only creates (the ACLs and
 * their associations, which move each subnet off the default ACL) and updates in place; after the apply the plan is
 * empty, so the default ACL's adoption and the new associations do not fight.
 */
async function turnNetworkAclsOn(space: ApplyWorkspace, dir: string): Promise<void> {
  const env = rawWorkshop();
  DOCUMENTED_VARIANTS["network-acls"](env);
  copyFileSync(join(synthApp(join(space.root, "acls"), env).workshop, "cdk.tf.json"), join(dir, "cdk.tf.json"));
  space.prepareStack(dir, { moto_icmp_override: withoutIcmpEntries(stackJson(dir) as AclJson) });
  await space.mustRun(dir, "plan", "-input=false", "-out=acls.tfplan");
  const plan = JSON.parse((await space.mustRun(dir, "show", "-json", "acls.tfplan")).stdout) as PlanChanges;
  const changed = (plan.resource_changes ?? []).filter((rc) => !rc.change.actions.includes("no-op"));
  expect(changed.filter((rc) => !["create", "update"].includes(rc.change.actions.join("/")))).toEqual([]);
  const created = changed.filter((rc) => rc.change.actions.join() === "create").map((rc) => rc.type);
  expect(created.sort()).toEqual([
    ...Array(3).fill("aws_network_acl"),
    ...Array(5).fill("aws_network_acl_association"),
  ]);
  await space.mustRun(dir, "apply", "-input=false", "acls.tfplan");
  await space.expectNoChanges(dir);
  const state = (await space.mustRun(dir, "state", "list")).stdout.split("\n");
  expect(state.filter((a) => a.startsWith("aws_network_acl_association."))).toHaveLength(5);
}

describeWithMoto("deploy on the AWS API emulator", (toolchain: () => TerraformToolchain, motoServer: () => string) => {
  /** Starts moto knowing what a deploy group's stacks need, runs `body` with them; moto is stopped after. */
  async function onMoto(
    group: string,
    body: (space: ApplyWorkspace, stacks: Record<string, string>) => Promise<void>,
  ): Promise<void> {
    const env = rawWorkshop();
    DEPLOY_GROUPS[group](env, DOCUMENTED_VARIANTS);
    const space = await ApplyWorkspace.forEnvironment(group, toolchain(), motoServer(), env);
    try {
      await body(space, synthApp(join(space.root, "out"), env));
    } finally {
      await space.close();
    }
  }

  test.concurrent(
    "the default environment and its state bootstrap stack apply, plan no change after apply (the bastion is not replaced); turning the tiers' network ACLs on then creates and updates in place only and plans clean after its apply; destroy is refused for what prevent_destroy keeps (the DB's data volume, the state bucket), and clean once it is lifted",
    () =>
      onMoto("default", async (space, stacks) => {
        const bootstrap = stacks[Object.keys(stacks).find((n) => n.startsWith("state-"))!];
        for (const dir of [stacks.workshop, bootstrap]) space.prepareStack(dir);
        await Promise.all([
          space.deployCycle(stacks.workshop, "workshop (default)", () => turnNetworkAclsOn(space, stacks.workshop)),
          space.deployCycle(bootstrap, "state bootstrap"),
        ]);
      }),
    NO_DEADLINE,
  );

  test.concurrent(
    "production-shaped: three AZs, a NAT gateway per AZ, KMS-encrypted flow logs, the S3 endpoint, a secondary block and the HTTPS load balancer with access logs",
    () =>
      onMoto("production", async (space, stacks) => {
        space.prepareStack(stacks.workshop);
        await space.deployCycle(stacks.workshop, "workshop (production-shaped)");
      }),
    NO_DEADLINE,
  );

  test.concurrent(
    "private: Session Manager only, a NAT instance from an SSM-parameter AMI, flow logs, and the CI identity stack",
    () =>
      onMoto("private", async (space, stacks) => {
        const ciStack = Object.keys(stacks).find((name) => name.startsWith("ci-"));
        expect(ciStack).toBeDefined();
        for (const dir of [stacks.workshop, stacks[ciStack!]]) space.prepareStack(dir);
        await Promise.all([
          space.deployCycle(stacks.workshop, "workshop (private)"),
          space.deployCycle(stacks[ciStack!], "CI identity"),
        ]);
      }),
    NO_DEADLINE,
  );

  test.concurrent(
    "fully private: no NAT and no public tier, Session Manager only through the ssm, ssmmessages and ec2messages interface endpoints, the S3 gateway endpoint",
    () =>
      onMoto("fully-private", async (space, stacks) => {
        space.prepareStack(stacks.workshop);
        await space.deployCycle(stacks.workshop, "workshop (fully private)");
      }),
    NO_DEADLINE,
  );

  test.concurrent(
    "Instance Connect: no bastion, the servers accept SSH from the endpoint's group only (moto has no aws_ec2_instance_connect_endpoint: left out, its group and rules applied)",
    () =>
      onMoto("instance-connect", async (space, stacks) => {
        space.prepareStack(stacks.workshop);
        await space.deployCycle(stacks.workshop, "workshop (Instance Connect)");
      }),
    NO_DEADLINE,
  );
});
