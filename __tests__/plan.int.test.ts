import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamRole } from "@cdktf/provider-aws/lib/data-aws-iam-role";
import { DataAwsS3Bucket } from "@cdktf/provider-aws/lib/data-aws-s3-bucket";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { tmpdir } from "node:os";
import { resolveConfig } from "../modules/environment/load";
import { ResolvedEnvironment } from "../modules/environment/resolve";
import { addAllStacks, addEnvironmentStacks } from "../modules/environment/app";
import { stateBootstrapStackId } from "../modules/state/plan";
import { PlanError, planApp, synthesizeApp } from "../modules/tools/pipeline/plan";
import { CLOSED_ENDPOINT } from "../modules/tools/pipeline/terraform";
import { actionCounts, PlanJson, plannedResources } from "../modules/rules/plan-json";
import { checkPlan, checkSynth } from "../modules/rules/check";
import { Finding, formatFinding } from "../modules/rules/engine";
import { environmentRuleOptions, stateStoreExceptions } from "../modules/rules/exceptions";
import { StackJson } from "../modules/rules/synth-view";
import { describeWithTerraform } from "./support/terraform";
import { planAppShared } from "./support/shared-plans";
import { countsByType, defaultRouteTargets, targetOf } from "./support/plan";
import { workshopConfig } from "./support/synth";
import { rawWorkshop } from "./support/config";
import { DOCUMENTED_VARIANTS } from "./support/variants";
import defaultConfig from "./fixtures/environments.json";

const NAT_AMI = "ami-0123456789abcdef0";
const FLOW_LOG_KEY = "arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
/** Logical ids of the network construct's resources start with this; the stack also holds the bastion and servers. */
const NETWORK = "network_";

/** Every environment of the default config, plus the variants the default does not show, one stack each. */
function environments(): ResolvedEnvironment[] {
  const natInstance = {
    ...workshopConfig(),
    name: "nat-instance",
    nat: { mode: "instance" as const, instance: { ami: NAT_AMI } },
  };
  const perAz = {
    ...workshopConfig(),
    name: "per-az",
    nat: { mode: "per-az" as const },
    flowLogs: { enabled: true, kmsKeyArn: FLOW_LOG_KEY },
    s3GatewayEndpoint: true,
  };
  // The doors and the fully private layout of issue 21, as the README documents them.
  const documented = (variant: string) => {
    const env = rawWorkshop();
    DOCUMENTED_VARIANTS[variant](env);
    return { ...env, name: variant };
  };
  return resolveConfig({
    environments: [
      ...defaultConfig.environments,
      natInstance,
      perAz,
      documented("fully-private"),
      documented("instance-connect"),
    ],
  });
}

/** The route target each subnet's default route should have, from the network planner. */
function expectedRouteTargets(env: ResolvedEnvironment): Record<string, string> {
  const plan = env.network;
  const natKind = env.config.nat?.mode === "instance" ? "nat-instance" : "nat-gateway";
  const target = (s: { type: string; az: string }) =>
    s.type === "public" ? "igw" : s.type === "private" ? `${natKind}/${plan.natAzFor[s.az]}` : "none";
  return Object.fromEntries(plan.subnets.map((s) => [`${s.tier}/${s.az}`, target(s)]));
}

/**
 * Budget of one test: at most one offline plan (6-10 s on a quiet machine; a busy 2-core machine has taken ten times
 * that), so a correct run never hits it and a wrong one still fails on its assertions.
 */
const PLAN_MS = 10 * 60_000;

describeWithTerraform("offline plans of every stack", (toolchain) => {
  const resolved = environments();
  const envs = resolved.map((e) => e.config);
  // Plans run in a temp dir of this file's own, so the check that nothing is left behind sees only what it made.
  const planTmp = mkdtempSync(`${tmpdir()}/plan-int-tmp-`);
  // One plan per stack, started by the first test that needs it and shared after: each test's budget covers at most
  // one plan, never a queue of them (a busy 2-core machine once took over 180 s for four plans in one beforeAll).
  // Shared with the other files of the run that plan the same stack (the default environment, the state bootstrap).
  const plans = new Map<string, Promise<PlanJson>>();
  const planOf = (name: string): Promise<PlanJson> => {
    if (!plans.has(name)) {
      plans.set(
        name,
        planAppShared((app) => addAllStacks(app, resolved), {
          toolchain: toolchain(),
          mode: "offline",
          stacks: [name],
          env: process.env,
          tempDir: planTmp,
        }).then(([p]) => p.plan),
      );
    }
    return plans.get(name) as Promise<PlanJson>;
  };

  const bootstrap = stateBootstrapStackId("change-me-workshop-tfstate");
  let scratch: string;
  beforeAll(() => (scratch = mkdtempSync(`${tmpdir()}/plan-int-`)));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("the app's stacks are every environment and the state bootstrap stack, every default environment among them", () => {
    const names = synthesizeApp((app) => addAllStacks(app, resolved), scratch).map((s) => s.name);
    expect(names.sort()).toEqual([...envs.map((e) => e.name), bootstrap].sort());
    expect(defaultConfig.environments.every((e) => names.includes(e.name))).toBe(true);
  });

  describe.each(environments().map((e) => [e.config.name, e] as const))("%s", (name, env) => {
    it(
      "only creates, and makes one subnet per tier per AZ at the planned CIDRs",
      async () => {
        const plan = await planOf(name);
        const actions = new Set(Object.values(actionCounts(plan)).flatMap((byAction) => Object.keys(byAction)));
        expect([...actions]).toEqual(["create"]);
        const subnets = plannedResources(plan, "aws_subnet").map(
          (s) =>
            `${(s.values.tags as Record<string, string>).Tier}/${s.values.availability_zone} ${s.values.cidr_block}`,
        );
        const expected = env.network.subnets.map((s) => `${s.tier}/${s.az} ${s.cidr}`);
        expect(subnets.sort()).toEqual(expected.sort());
      },
      PLAN_MS,
    );

    it(
      "routes public subnets to the internet gateway and private ones to the NAT the planner chose",
      async () => {
        expect(defaultRouteTargets(await planOf(name))).toEqual(expectedRouteTargets(env));
      },
      PLAN_MS,
    );

    it(
      "passes every rule, but for the exceptions its own config implies",
      async () => {
        const { findings } = checkPlan(await planOf(name), environmentRuleOptions(env.config));
        expect(findings.map(formatFinding)).toEqual([]);
      },
      PLAN_MS,
    );

    it(
      "the rules judge its plan as they judge its synthesized JSON: the same accepted findings on both",
      async () => {
        const options = environmentRuleOptions(env.config);
        const [stack] = addEnvironmentStacks(Testing.app(), [env]);
        const key = (f: Finding) => `${f.rule} ${f.address}`;
        const atSynth = checkSynth(stack.toTerraform() as StackJson, options);
        const atPlan = checkPlan(await planOf(name), options);
        expect(atSynth.findings).toEqual([]);
        expect(atPlan.accepted.map(key).sort()).toEqual(atSynth.accepted.map(key).sort());
        expect(atPlan.accepted.length).toBeGreaterThan(0);
      },
      PLAN_MS,
    );
  });

  it(
    "workshop: the resources of a two-AZ, three-tier VPC with one NAT gateway, a bastion and three servers",
    async () => {
      expect(countsByType(await planOf("workshop"), NETWORK)).toEqual({
        aws_vpc: 1,
        aws_default_security_group: 1,
        aws_default_route_table: 1,
        aws_default_network_acl: 1,
        aws_internet_gateway: 1,
        aws_subnet: 5,
        aws_route_table: 4,
        aws_route: 4,
        aws_route_table_association: 5,
        aws_eip: 1,
        aws_nat_gateway: 1,
      });
      const access = countsByType(await planOf("workshop"));
      expect([access.aws_instance, access.aws_key_pair, access.aws_security_group, access.aws_eip]).toEqual([
        4, 1, 3, 2,
      ]);
      expect(defaultRouteTargets(await planOf("workshop"))).toEqual({
        "public/ap-northeast-2a": "igw",
        "public/ap-northeast-2b": "igw",
        "management/ap-northeast-2a": "igw",
        "internal/ap-northeast-2a": "nat-gateway/ap-northeast-2a",
        "internal/ap-northeast-2b": "nat-gateway/ap-northeast-2a",
      });
    },
    PLAN_MS,
  );

  it(
    "workshop: the default security group is adopted with no rules, and no flow logs are planned",
    async () => {
      const plan = await planOf("workshop");
      const [group] = plannedResources(plan, "aws_default_security_group");
      expect(targetOf(plan, group.address, "vpc_id")).toBe(plannedResources(plan, "aws_vpc")[0].address);
      expect(group.values.ingress ?? []).toEqual([]);
      expect(group.values.egress ?? []).toEqual([]);
      expect(plannedResources(plan, "aws_flow_log")).toEqual([]);
      expect(checkPlan(plan).findings.map((f) => f.rule)).toEqual([
        "instance-public-ip",
        "vpc-flow-logs",
        ...Array(4).fill("instance-detailed-monitoring"),
      ]);
    },
    PLAN_MS,
  );

  it(
    "fully-private: no gateway or NAT, Session Manager's three interface endpoints over both AZs, nothing but HTTPS to them out",
    async () => {
      const plan = await planOf("fully-private");
      const counts = countsByType(plan);
      expect([counts.aws_internet_gateway, counts.aws_nat_gateway, counts.aws_eip]).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
      const endpoints = plannedResources(plan, "aws_vpc_endpoint").filter(
        (e) => e.values.vpc_endpoint_type === "Interface",
      );
      expect(endpoints.map((e) => [e.values.service_name, e.values.private_dns_enabled]).sort()).toEqual([
        ["com.amazonaws.ap-northeast-2.ec2messages", true],
        ["com.amazonaws.ap-northeast-2.ssm", true],
        ["com.amazonaws.ap-northeast-2.ssmmessages", true],
      ]);
      const egress = plannedResources(plan, "aws_vpc_security_group_egress_rule");
      expect(egress.filter((r) => r.values.cidr_ipv4 !== undefined && r.values.cidr_ipv4 !== null)).toEqual([]);
    },
    PLAN_MS,
  );

  it(
    "instance-connect: the endpoint in the internal tier, no bastion, SSH into the servers only from its group",
    async () => {
      const plan = await planOf("instance-connect");
      const [endpoint] = plannedResources(plan, "aws_ec2_instance_connect_endpoint");
      expect(endpoint.values.preserve_client_ip).toBe(false);
      expect(plannedResources(plan, "aws_instance").map((i) => i.address)).not.toContainEqual(
        expect.stringMatching(/Bastion/),
      );
      const ssh = plannedResources(plan, "aws_vpc_security_group_ingress_rule").filter(
        (r) => r.values.from_port === 22,
      );
      expect(ssh).toHaveLength(2);
      for (const rule of ssh)
        expect(targetOf(plan, rule.address, "referenced_security_group_id")).toMatch(
          /^aws_security_group\.SecurityGroup-instance-connect_Group/,
        );
    },
    PLAN_MS,
  );

  it(
    "nat-instance: one hardened NAT instance, no NAT gateway",
    async () => {
      const plan = await planOf("nat-instance");
      const counts = countsByType(plan, NETWORK);
      expect([counts.aws_instance, counts.aws_nat_gateway, counts.aws_eip, counts.aws_security_group]).toEqual([
        1,
        undefined,
        1,
        1,
      ]);
      const [instance] = plannedResources(plan, "aws_instance").filter((r) => r.name.startsWith(NETWORK));
      expect(instance.values).toMatchObject({
        ami: NAT_AMI,
        instance_type: "t3.nano",
        source_dest_check: false,
        metadata_options: [
          expect.objectContaining({
            http_tokens: "required",
            http_endpoint: "enabled",
            http_put_response_hop_limit: 1,
          }),
        ],
        root_block_device: [expect.objectContaining({ encrypted: true, volume_type: "gp3" })],
      });
      const [ingress] = plannedResources(plan, "aws_vpc_security_group_ingress_rule").filter((r) =>
        r.name.startsWith(NETWORK),
      );
      expect(ingress.values).toMatchObject({ cidr_ipv4: "192.168.8.0/22", ip_protocol: "-1" });
    },
    PLAN_MS,
  );

  it(
    "per-az: a NAT gateway in each AZ, flow logs to CloudWatch and the S3 endpoint on the private tables",
    async () => {
      const plan = await planOf("per-az");
      const counts = countsByType(plan, NETWORK);
      expect([
        counts.aws_nat_gateway,
        counts.aws_eip,
        counts.aws_flow_log,
        counts.aws_cloudwatch_log_group,
        counts.aws_vpc_endpoint,
      ]).toEqual([2, 2, 1, 1, 1]);
      expect(plannedResources(plan, "aws_flow_log")[0].values).toMatchObject({
        traffic_type: "ALL",
        log_destination_type: "cloud-watch-logs",
      });
      expect(plannedResources(plan, "aws_cloudwatch_log_group")[0].values.kms_key_id).toBe(FLOW_LOG_KEY);
      expect(plannedResources(plan, "aws_vpc_endpoint_route_table_association")).toHaveLength(2);
      expect(checkPlan(plan, environmentRuleOptions(envs.find((e) => e.name === "per-az")!)).findings).toEqual([]);
    },
    PLAN_MS,
  );

  it(
    "state bootstrap: a versioned, encrypted, private bucket, and it passes the state-bucket rules",
    async () => {
      const plan = await planOf(bootstrap);
      expect(countsByType(plan)).toMatchObject({
        aws_s3_bucket: 1,
        aws_s3_bucket_versioning: 1,
        aws_s3_bucket_server_side_encryption_configuration: 1,
        aws_s3_bucket_public_access_block: 1,
        aws_s3_bucket_policy: 1,
      });
      const [bucket] = plannedResources(plan, "aws_s3_bucket");
      expect(bucket.values.bucket).toBe("change-me-workshop-tfstate");
      expect(
        checkPlan(plan, { exceptions: stateStoreExceptions({ bucket: "change-me-workshop-tfstate" }) }).findings.map(
          formatFinding,
        ),
      ).toEqual([]);
    },
    PLAN_MS,
  );

  it(
    "workshop: every instance has its own profile; only the DB role writes the DB password and only the app role reads it",
    async () => {
      const plan = await planOf("workshop");
      for (const instance of plannedResources(plan, "aws_instance"))
        expect(targetOf(plan, instance.address, "iam_instance_profile")).toMatch(/^aws_iam_instance_profile\./);
      const policies = Object.fromEntries(
        plannedResources(plan, "aws_iam_role_policy").map((p) => [
          p.name.split("_")[0],
          JSON.parse(p.values.policy as string).Statement,
        ]),
      );
      expect(policies).toEqual({
        "InstanceRole-app": [
          expect.objectContaining({
            Action: ["ssm:GetParameter"],
            Resource: "arn:aws:ssm:ap-northeast-2:*:parameter/workshop/db/app-password",
          }),
        ],
        "InstanceRole-db": [
          expect.objectContaining({
            Action: ["ssm:PutParameter"],
            Resource: "arn:aws:ssm:ap-northeast-2:*:parameter/workshop/db/app-password",
          }),
        ],
      });
      expect(plannedResources(plan, "aws_ssm_parameter")).toEqual([]);
    },
    PLAN_MS,
  );

  it(
    "workshop: the bastion's public IP is the one accepted CKV_AWS_88 (instance-public-ip) finding, with its reason",
    async () => {
      const result = checkPlan(await planOf("workshop"), environmentRuleOptions(envs[0]));
      expect(result.accepted.filter((f) => f.scannerIds.includes("CKV_AWS_88")).map((f) => f.address)).toEqual([
        expect.stringMatching(/^aws_instance\.Bastion_/),
      ]);
    },
    PLAN_MS,
  );

  it(
    "negative control: a stack the provider rejects fails the harness, naming the stack, the step and the argument",
    async () => {
      // A value the AWS provider itself refuses, set through an escape hatch in this test only.
      const rejected = await planApp(
        (app) => {
          const [stack] = addEnvironmentStacks(
            app,
            resolveConfig({ environments: [{ ...workshopConfig(), name: "rejected" }] }),
          );
          stack.network.vpc.addOverride("instance_tenancy", "shared-by-everyone");
        },
        { toolchain: toolchain(), mode: "offline", env: process.env, tempDir: planTmp },
      ).catch((error: unknown) => error);
      expect(rejected).toBeInstanceOf(PlanError);
      const error = rejected as PlanError;
      expect(error.plans).toEqual([]);
      // Offline, plan validates the config as its first step (no separate validate).
      expect(error.failures.map((f) => [f.stack, f.step])).toEqual([["rejected", "plan"]]);
      expect(error.message).toContain('stack "rejected": terraform plan failed');
      expect(error.message).toMatch(/instance_tenancy/);
    },
    PLAN_MS,
  );

  it(
    "offline, whatever AWS service a stack would read goes to the closed loopback port, not to AWS",
    async () => {
      // Data sources of five services, in a stack of this test only: an offline plan reads them and must fail there.
      const rejected = await planApp(
        (app) => {
          const stack = new TerraformStack(app, "reads-aws");
          new AwsProvider(stack, "aws", { region: "ap-northeast-2" });
          new DataAwsAvailabilityZones(stack, "zones");
          new DataAwsCallerIdentity(stack, "caller");
          new DataAwsS3Bucket(stack, "bucket", { bucket: "some-bucket" });
          new DataAwsSsmParameter(stack, "parameter", { name: "/some/parameter" });
          new DataAwsIamRole(stack, "role", { name: "some-role" });
        },
        { toolchain: toolchain(), mode: "offline", env: process.env, tempDir: planTmp },
      ).catch((error: unknown) => error);
      expect(rejected).toBeInstanceOf(PlanError);
      const { message } = rejected as PlanError;
      for (const read of [
        "DescribeAvailabilityZones",
        "STS Caller Identity",
        "S3 Bucket (some-bucket)",
        "SSM Parameter (/some/parameter)",
        "IAM Role (some-role)",
      ])
        expect([read, message.includes(read)]).toEqual([read, true]);
      const hosts = message.match(/https?:\/\/[^/"\s]+/g) ?? [];
      // S3's data source says only "empty result" when its call fails; the four others name the URL they called.
      expect(hosts.length).toBeGreaterThanOrEqual(4);
      expect(hosts.filter((host) => host !== CLOSED_ENDPOINT)).toEqual([]);
      expect(message).not.toMatch(/amazonaws\.com/);
    },
    PLAN_MS,
  );

  it("left no temp dir behind", async () => {
    await Promise.allSettled(plans.values());
    expect(readdirSync(planTmp)).toEqual([]);
    rmSync(planTmp, { recursive: true, force: true });
  });
});
