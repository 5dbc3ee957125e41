import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TerraformToolchain } from "../modules/pipeline/terraform";
import { ApplyWorkspace, describeWithMoto, stackJson, synthApp } from "./support/apply";
import { Moto } from "./support/moto";
import { rawWorkshop } from "./support/config";
import { DOCUMENTED_VARIANTS } from "./support/variants";

// Every documented variant, applied to moto, planned again (no change allowed) and destroyed. Variants are combined
// where they do not exclude each other, to keep the number of deployments low; each test has a moto of its own.

const REGION = "ap-northeast-2";
const SSM_AMI = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
const NO_DEADLINE = 6 * 3600_000; // a slow machine makes a slow apply, not a wrong one: no deadline of the test's own

/** The default environment with the named documented variants applied, in order. */
function variantOf(...names: string[]): Record<string, any> {
  const env = rawWorkshop();
  for (const name of names) DOCUMENTED_VARIANTS[name](env);
  return env;
}

describeWithMoto("deploy on the AWS API emulator", (toolchain: () => TerraformToolchain, motoServer: () => string) => {
  /**
   * Synthesizes `env` once to learn what moto must know, starts moto, lets `seed` create what the config names by ARN
   * (and edit `env`), synthesizes again, and runs `body` with the stack dirs. moto is stopped whatever happens.
   */
  async function onMoto(
    label: string,
    env: Record<string, any>,
    body: (space: ApplyWorkspace, stacks: Record<string, string>) => Promise<void>,
    seed: { amis?: string[]; before?: (moto: Moto) => Promise<void> } = {},
  ): Promise<void> {
    const probe = mkdtempSync(join(tmpdir(), `apply-probe-${label}-`));
    const stacks = Object.values(synthApp(probe, env)).map(stackJson);
    rmSync(probe, { recursive: true, force: true });
    const space = await ApplyWorkspace.open(label, toolchain(), motoServer(), stacks, seed.amis);
    try {
      await seed.before?.(space.moto);
      await body(space, synthApp(join(space.root, "out"), env));
    } finally {
      await space.close();
    }
  }

  test.concurrent(
    "the default environment applies, plans no change after apply (the bastion is not replaced), and destroys",
    () =>
      onMoto("default", variantOf("default"), async (space, stacks) => {
        space.prepareStack(stacks.workshop);
        await space.deployCycle(stacks.workshop, "workshop (default)");
      }),
    NO_DEADLINE,
  );

  test.concurrent(
    "production-shaped: three AZs, a NAT gateway per AZ, KMS-encrypted flow logs, the S3 endpoint, a secondary block and the HTTPS load balancer with access logs",
    async () => {
      const env = variantOf("three-azs", "nat-per-az", "flow-logs-and-s3-endpoint", "load-balancer-https");
      env.secondaryCidrBlocks = [{ name: "more", cidr: "192.168.16.0/22" }];
      env.tiers.push({ name: "data", type: "isolated", cidrMask: 26, block: "more" });
      env.loadBalancer.deletionProtection = false; // the test destroys it
      await onMoto(
        "production",
        env,
        async (space, stacks) => {
          space.prepareStack(stacks.workshop);
          await space.deployCycle(stacks.workshop, "workshop (production-shaped)");
        },
        {
          before: async (moto) => {
            const key = await moto.call(REGION, "kms", "create_key", { Description: "flow logs" });
            env.flowLogs.kmsKeyArn = key.KeyMetadata.Arn;
            const cert = await moto.call(REGION, "acm", "request_certificate", { DomainName: "app.example.test" });
            env.loadBalancer.certificateArn = cert.CertificateArn;
          },
        },
      );
    },
    NO_DEADLINE,
  );

  test.concurrent(
    "private: Session Manager only, a NAT instance from an SSM-parameter AMI, flow logs, and the CI identity stack",
    async () => {
      const env = variantOf("ssm-only", "nat-instance");
      env.nat.instance.ami = { ssmParameter: SSM_AMI };
      env.flowLogs = { enabled: true };
      env.ci = { accountId: "123456789012", github: { repository: "acme/infra" } };
      const amis = [await Moto.publicParameterValue(motoServer(), REGION, SSM_AMI, process.env)];
      await onMoto(
        "private",
        env,
        async (space, stacks) => {
          const ciStack = Object.keys(stacks).find((name) => name.startsWith("ci-"));
          expect(ciStack).toBeDefined();
          for (const dir of [stacks.workshop, stacks[ciStack!]]) space.prepareStack(dir);
          await Promise.all([
            space.deployCycle(stacks.workshop, "workshop (private)"),
            space.deployCycle(stacks[ciStack!], "CI identity"),
          ]);
        },
        { amis },
      );
    },
    NO_DEADLINE,
  );

  test.concurrent(
    "the state bootstrap stack applies and plans clean; its prevent_destroy refuses the destroy until lifted",
    () =>
      onMoto("bootstrap", variantOf("default"), async (space, stacks) => {
        const name = Object.keys(stacks).find((n) => n.startsWith("state-"))!;
        const dir = stacks[name];
        space.prepareStack(dir);
        await space.mustRun(dir, "init", "-input=false");
        await space.mustRun(dir, "apply", "-input=false", "-auto-approve");
        await space.expectNoChanges(dir);
        const refused = await space.terraform(dir, "destroy", "-input=false", "-auto-approve");
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain("Instance cannot be destroyed");
        expect(refused.stderr).toContain("lifecycle.prevent_destroy");
        // Lifted in a test-only override, as the README tells an operator to do in code.
        const bucket = Object.keys((stackJson(dir) as any).resource.aws_s3_bucket);
        writeFileSync(
          join(dir, "lift_prevent_destroy_override.tf.json"),
          JSON.stringify({
            resource: {
              aws_s3_bucket: Object.fromEntries(bucket.map((id) => [id, { lifecycle: { prevent_destroy: false } }])),
            },
          }),
        );
        await space.destroy(dir);
      }),
    NO_DEADLINE,
  );
});
