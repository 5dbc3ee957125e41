import { TerraformToolchain } from "../modules/tools/pipeline/terraform";
import { join } from "node:path";
import { ApplyWorkspace, describeWithMoto, synthApp } from "./support/apply";
import { rawWorkshop } from "./support/config";
import { DOCUMENTED_VARIANTS } from "./support/variants";
import { DEPLOY_GROUPS } from "./support/deploy-groups";

// Every documented variant, applied to moto, planned again (no change allowed) and destroyed. The variants are
// combined into a few deployments (support/deploy-groups.ts); each test has a moto of its own.

const NO_DEADLINE = 6 * 3600_000; // a slow machine makes a slow apply, not a wrong one: no deadline of the test's own

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
    "the default environment and its state bootstrap stack apply, plan no change after apply (the bastion is not replaced), refuse the destroy of what prevent_destroy keeps (the DB's data volume, the state bucket), and destroy once it is lifted",
    () =>
      onMoto("default", async (space, stacks) => {
        const bootstrap = stacks[Object.keys(stacks).find((n) => n.startsWith("state-"))!];
        for (const dir of [stacks.workshop, bootstrap]) space.prepareStack(dir);
        await Promise.all([
          space.deployCycle(stacks.workshop, "workshop (default)"),
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
