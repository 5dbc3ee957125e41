import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { Testing } from "cdktf";
import { resolveConfig } from "../modules/environment/load";
import { addEnvironmentStacks } from "../modules/environment/app";
import { actionCounts, PlanJson, plannedResources } from "../modules/rules/plan-json";
import { checkPlan, checkSynth } from "../modules/rules/check";
import { formatFinding } from "../modules/rules/engine";
import { environmentRuleOptions } from "../modules/rules/exceptions";
import { StackJson } from "../modules/rules/synth-view";
import { planAppShared } from "./support/shared-plans";
import { describeWithTerraform } from "./support/terraform";
import { rawWorkshop } from "./support/config";
import { DOCUMENTED_VARIANTS, EXAMPLE_CERTIFICATE_ARN } from "./support/variants";

// An environment with every tier's network ACL and the HTTPS load balancer, planned offline with the real provider:
// the ACLs and associations plan as synthesized, and every rule passes on the plan as at synth.

const PLAN_MS = 10 * 60_000; // one offline plan; a busy 2-core machine has taken ten times the quiet 6-10 s

describeWithTerraform("offline plan of an environment with network ACLs", (toolchain) => {
  const env = rawWorkshop();
  DOCUMENTED_VARIANTS["network-acls"](env);
  env.loadBalancer = { certificateArn: EXAMPLE_CERTIFICATE_ARN };
  const resolved = resolveConfig({ environments: [env] });
  let planTmp: string;
  let plan: Promise<PlanJson>;
  beforeAll(() => {
    planTmp = mkdtempSync(`${tmpdir()}/network-acls-plan-`);
    plan = planAppShared((app) => addEnvironmentStacks(app, resolved), {
      toolchain: toolchain(),
      mode: "offline",
      stacks: ["workshop"],
      env: process.env,
      tempDir: planTmp,
    }).then(([p]) => p.plan);
  });
  afterAll(() => rmSync(planTmp, { recursive: true, force: true }));

  it(
    "only creates; plans one ACL per tier with the entries synthesized and one association per subnet",
    async () => {
      const planned = await plan;
      const actions = new Set(Object.values(actionCounts(planned)).flatMap((byAction) => Object.keys(byAction)));
      expect([...actions]).toEqual(["create"]);
      const [stack] = addEnvironmentStacks(Testing.app(), resolved);
      const synthesized = (stack.toTerraform() as { resource: Record<string, Record<string, Record<string, unknown>>> })
        .resource.aws_network_acl;
      const entries = (acl: Record<string, unknown>) =>
        (["ingress", "egress"] as const).map((direction) =>
          (acl[direction] as Array<Record<string, unknown>>)
            .map((e) => `${e.rule_no} ${e.protocol} ${e.cidr_block} ${e.from_port}-${e.to_port}`)
            .sort(),
        );
      const acls = plannedResources(planned, "aws_network_acl");
      expect(acls.map((a) => (a.values.tags as Record<string, string>).Tier).sort()).toEqual([
        "internal",
        "management",
        "public",
      ]);
      expect(Object.fromEntries(acls.map((a) => [a.name, entries(a.values)]))).toEqual(
        Object.fromEntries(Object.entries(synthesized).map(([id, acl]) => [id, entries(acl)])),
      );
      expect(plannedResources(planned, "aws_network_acl_association")).toHaveLength(5);
    },
    PLAN_MS,
  );

  it(
    "passes every rule at synth and in the plan, the ACL rules included",
    async () => {
      const options = environmentRuleOptions(resolved[0].config);
      const [stack] = addEnvironmentStacks(Testing.app(), resolved);
      expect(checkSynth(stack.toTerraform() as StackJson, options).findings).toEqual([]);
      expect(checkPlan(await plan, options).findings.map(formatFinding)).toEqual([]);
    },
    PLAN_MS,
  );
});
