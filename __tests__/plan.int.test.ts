import { readdirSync } from "node:fs";
import { Testing } from "cdktf";
import { tmpdir } from "node:os";
import { resolveConfig } from "../modules/config/load";
import { ResolvedEnvironment } from "../modules/environment/resolve";
import { addAllStacks, addEnvironmentStacks } from "../modules/environment/app";
import { stateBootstrapStackId } from "../modules/state/plan";
import { PlanError, planApp, StackPlan } from "../modules/pipeline/plan";
import { actionCounts, PlanJson, plannedResources } from "../modules/pipeline/plan-json";
import { checkPlan, checkSynth } from "../modules/rules/check";
import { Finding, formatFinding } from "../modules/rules/engine";
import { environmentRuleOptions, stateStoreExceptions } from "../modules/rules/exceptions";
import { StackJson } from "../modules/rules/synth-view";
import { describeWithTerraform } from "./support/terraform";
import { countsByType, defaultRouteTargets, targetOf } from "./support/plan";
import { workshopConfig } from "./support/synth";
import defaultConfig from "../config/environments.json";

const NAT_AMI = "ami-0123456789abcdef0";
const FLOW_LOG_KEY = "arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
/** Logical ids of the network construct's resources start with this; the stack also holds the bastion and servers. */
const NETWORK = "network_";

/** Every environment of the default config, plus the NAT variants the default does not show, one stack each. */
function environments(): ResolvedEnvironment[] {
  const natInstance = { ...workshopConfig(), name: "nat-instance", nat: { mode: "instance" as const, instance: { ami: NAT_AMI } } };
  const perAz = { ...workshopConfig(), name: "per-az", nat: { mode: "per-az" as const }, flowLogs: { enabled: true, kmsKeyArn: FLOW_LOG_KEY }, s3GatewayEndpoint: true };
  return resolveConfig({ environments: [...defaultConfig.environments, natInstance, perAz] });
}

/** The route target each subnet's default route should have, from the network planner. */
function expectedRouteTargets(env: ResolvedEnvironment): Record<string, string> {
  const plan = env.network;
  const natKind = env.config.nat?.mode === "instance" ? "nat-instance" : "nat-gateway";
  const target = (s: { type: string; az: string }) =>
    s.type === "public" ? "igw" : s.type === "private" ? `${natKind}/${plan.natAzFor[s.az]}` : "none";
  return Object.fromEntries(plan.subnets.map((s) => [`${s.tier}/${s.az}`, target(s)]));
}

const cdktfPlanDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith("cdktf-plan-")).sort();

describeWithTerraform("offline plans of every stack", (toolchain) => {
  const resolved = environments();
  const envs = resolved.map((e) => e.config);
  const plans = new Map<string, PlanJson>();
  let rejected: unknown;
  let dirsBefore: string[];

  beforeAll(async () => {
    dirsBefore = cdktfPlanDirs();
    // The negative control: a value the AWS provider itself refuses, set through an escape hatch in this test only.
    const rejectedRun = planApp(
      (app) => {
        const [stack] = addEnvironmentStacks(app, resolveConfig({ environments: [{ ...workshopConfig(), name: "rejected" }] }));
        stack.network.vpc.addOverride("instance_tenancy", "shared-by-everyone");
      },
      { toolchain: toolchain(), mode: "offline" },
    ).catch((error: unknown) => error);
    const planned: StackPlan[] = await planApp((app) => addAllStacks(app, resolved), { toolchain: toolchain(), mode: "offline", concurrency: 2 });
    for (const p of planned) plans.set(p.stack, p.plan);
    rejected = await rejectedRun;
    // A budget per stack planned (each environment, the bootstrap stack, the rejected one), not one fixed figure:
    // unloaded a stack plans in 10-20 s; on a 2-core machine shared with other jobs it was seen to take minutes.
  }, (resolved.length + 2) * 120_000);

  const bootstrap = stateBootstrapStackId("change-me-workshop-tfstate");

  it("planned every stack of the app, and every default environment is among them", () => {
    expect([...plans.keys()].sort()).toEqual([...envs.map((e) => e.name), bootstrap].sort());
    expect(defaultConfig.environments.every((e) => plans.has(e.name))).toBe(true);
  });

  it("left no temp dir behind", () => {
    expect(cdktfPlanDirs()).toEqual(dirsBefore);
  });

  describe.each(environments().map((e) => [e.config.name, e] as const))("%s", (name, env) => {
    it("only creates, and makes one subnet per tier per AZ at the planned CIDRs", () => {
      const plan = plans.get(name)!;
      const actions = new Set(Object.values(actionCounts(plan)).flatMap((byAction) => Object.keys(byAction)));
      expect([...actions]).toEqual(["create"]);
      const subnets = plannedResources(plan, "aws_subnet").map((s) => `${(s.values.tags as Record<string, string>).Tier}/${s.values.availability_zone} ${s.values.cidr_block}`);
      const expected = env.network.subnets.map((s) => `${s.tier}/${s.az} ${s.cidr}`);
      expect(subnets.sort()).toEqual(expected.sort());
    });

    it("routes public subnets to the internet gateway and private ones to the NAT the planner chose", () => {
      expect(defaultRouteTargets(plans.get(name)!)).toEqual(expectedRouteTargets(env));
    });

    it("passes every rule, but for the exceptions its own config implies", () => {
      const { findings } = checkPlan(plans.get(name)!, environmentRuleOptions(env.config));
      expect(findings.map(formatFinding)).toEqual([]);
    });

    it("the rules judge its plan as they judge its synthesized JSON: the same accepted findings on both", () => {
      const options = environmentRuleOptions(env.config);
      const [stack] = addEnvironmentStacks(Testing.app(), [env]);
      const key = (f: Finding) => `${f.rule} ${f.address}`;
      const atSynth = checkSynth(stack.toTerraform() as StackJson, options);
      const atPlan = checkPlan(plans.get(name)!, options);
      expect(atSynth.findings).toEqual([]);
      expect(atPlan.accepted.map(key).sort()).toEqual(atSynth.accepted.map(key).sort());
      expect(atPlan.accepted.length).toBeGreaterThan(0);
    });
  });

  it("workshop: the resources of a two-AZ, three-tier VPC with one NAT gateway, a bastion and three servers", () => {
    expect(countsByType(plans.get("workshop")!, NETWORK)).toEqual({
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
    const access = countsByType(plans.get("workshop")!);
    expect([access.aws_instance, access.aws_key_pair, access.aws_security_group, access.aws_eip]).toEqual([4, 1, 3, 2]);
    expect(defaultRouteTargets(plans.get("workshop")!)).toEqual({
      "public/ap-northeast-2a": "igw",
      "public/ap-northeast-2b": "igw",
      "management/ap-northeast-2a": "igw",
      "internal/ap-northeast-2a": "nat-gateway/ap-northeast-2a",
      "internal/ap-northeast-2b": "nat-gateway/ap-northeast-2a",
    });
  });

  it("workshop: the default security group is adopted with no rules, and no flow logs are planned", () => {
    const plan = plans.get("workshop")!;
    const [group] = plannedResources(plan, "aws_default_security_group");
    expect(targetOf(plan, group.address, "vpc_id")).toBe(plannedResources(plan, "aws_vpc")[0].address);
    expect(group.values.ingress ?? []).toEqual([]);
    expect(group.values.egress ?? []).toEqual([]);
    expect(plannedResources(plan, "aws_flow_log")).toEqual([]);
    expect(checkPlan(plan).findings.map((f) => f.rule)).toEqual(["instance-public-ip", "vpc-flow-logs", ...Array(4).fill("instance-detailed-monitoring")]);
  });

  it("nat-instance: one hardened NAT instance, no NAT gateway", () => {
    const plan = plans.get("nat-instance")!;
    const counts = countsByType(plan, NETWORK);
    expect([counts.aws_instance, counts.aws_nat_gateway, counts.aws_eip, counts.aws_security_group]).toEqual([1, undefined, 1, 1]);
    const [instance] = plannedResources(plan, "aws_instance").filter((r) => r.name.startsWith(NETWORK));
    expect(instance.values).toMatchObject({
      ami: NAT_AMI,
      instance_type: "t3.nano",
      source_dest_check: false,
      associate_public_ip_address: false,
      metadata_options: [expect.objectContaining({ http_tokens: "required", http_endpoint: "enabled", http_put_response_hop_limit: 1 })],
      root_block_device: [expect.objectContaining({ encrypted: true, volume_type: "gp3" })],
    });
    const [ingress] = plannedResources(plan, "aws_vpc_security_group_ingress_rule").filter((r) => r.name.startsWith(NETWORK));
    expect(ingress.values).toMatchObject({ cidr_ipv4: "192.168.10.0/24", ip_protocol: "-1" });
  });

  it("per-az: a NAT gateway in each AZ, flow logs to CloudWatch and the S3 endpoint on the private tables", () => {
    const plan = plans.get("per-az")!;
    const counts = countsByType(plan, NETWORK);
    expect([counts.aws_nat_gateway, counts.aws_eip, counts.aws_flow_log, counts.aws_cloudwatch_log_group, counts.aws_vpc_endpoint]).toEqual([2, 2, 1, 1, 1]);
    expect(plannedResources(plan, "aws_flow_log")[0].values).toMatchObject({ traffic_type: "ALL", log_destination_type: "cloud-watch-logs" });
    expect(plannedResources(plan, "aws_cloudwatch_log_group")[0].values.kms_key_id).toBe(FLOW_LOG_KEY);
    expect(plannedResources(plan, "aws_vpc_endpoint_route_table_association")).toHaveLength(2);
    expect(checkPlan(plan, environmentRuleOptions(envs.find((e) => e.name === "per-az")!)).findings).toEqual([]);
  });

  it("state bootstrap: a versioned, encrypted, private bucket, and it passes the state-bucket rules", () => {
    const plan = plans.get(bootstrap)!;
    expect(countsByType(plan)).toMatchObject({
      aws_s3_bucket: 1,
      aws_s3_bucket_versioning: 1,
      aws_s3_bucket_server_side_encryption_configuration: 1,
      aws_s3_bucket_public_access_block: 1,
      aws_s3_bucket_policy: 1,
    });
    const [bucket] = plannedResources(plan, "aws_s3_bucket");
    expect(bucket.values.bucket).toBe("change-me-workshop-tfstate");
    expect(checkPlan(plan, { exceptions: stateStoreExceptions({ bucket: "change-me-workshop-tfstate" }) }).findings.map(formatFinding)).toEqual([]);
  });

  it("workshop: every instance has its own profile; only the DB role writes the DB password and only the app role reads it", () => {
    const plan = plans.get("workshop")!;
    for (const instance of plannedResources(plan, "aws_instance")) expect(targetOf(plan, instance.address, "iam_instance_profile")).toMatch(/^aws_iam_instance_profile\./);
    const policies = Object.fromEntries(plannedResources(plan, "aws_iam_role_policy").map((p) => [p.name.split("_")[0], JSON.parse(p.values.policy as string).Statement]));
    expect(policies).toEqual({
      "InstanceRole-app": [expect.objectContaining({ Action: ["ssm:GetParameter"], Resource: "arn:aws:ssm:ap-northeast-2:*:parameter/workshop/db/app-password" })],
      "InstanceRole-db": [expect.objectContaining({ Action: ["ssm:PutParameter"], Resource: "arn:aws:ssm:ap-northeast-2:*:parameter/workshop/db/app-password" })],
    });
    expect(plannedResources(plan, "aws_ssm_parameter")).toEqual([]);
  });

  it("workshop: the bastion's public IP is the one accepted CKV_AWS_88 (instance-public-ip) finding, with its reason", () => {
    const result = checkPlan(plans.get("workshop")!, environmentRuleOptions(envs[0]));
    expect(result.accepted.filter((f) => f.scannerIds.includes("CKV_AWS_88")).map((f) => f.address)).toEqual([expect.stringMatching(/^aws_instance\.Bastion_/)]);
  });

  it("negative control: a stack the provider rejects fails the harness, naming the stack, the step and the argument", () => {
    expect(rejected).toBeInstanceOf(PlanError);
    const error = rejected as PlanError;
    expect(error.plans).toEqual([]);
    expect(error.failures.map((f) => [f.stack, f.step])).toEqual([["rejected", "validate"]]);
    expect(error.message).toContain('stack "rejected": terraform validate failed');
    expect(error.message).toMatch(/instance_tenancy/);
  });
});
