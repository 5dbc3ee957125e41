import { readFileSync } from "node:fs";
import { join } from "node:path";
import { StackPlan } from "../modules/tools/pipeline/plan";
import { actionCounts, plannedResources } from "../modules/rules/plan-json";
import { exampleApp, docPage, libraryExample, runApp } from "./support/readme";
import { describeWithTerraform } from "./support/terraform";
import { NETWORK_RESOURCE_TYPE } from "./support/plan";
import { planAppShared } from "./support/shared-plans";

const HEADING = "## On an existing VPC";

// The library docs' bastion + servers + DB on a VPC given by ids, as a user would run it: compiled, synthesized, planned offline.
describe("the library docs' example on an existing VPC", () => {
  const { main, outdir } = exampleApp(
    ".readme-existing-vpc-",
    libraryExample("../modules/index", HEADING, docPage("library")),
  );

  it(
    "synthesizes one stack that reads no data source and makes no network",
    () => {
      const run = runApp(main, outdir);
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      const json = JSON.parse(readFileSync(join(outdir, "stacks", "team-a", "cdk.tf.json"), "utf8")) as {
        resource: Record<string, unknown>;
        data?: unknown;
      };
      expect(json.data).toBeUndefined();
      expect(Object.keys(json.resource).filter((type) => NETWORK_RESOURCE_TYPE.test(type))).toEqual([]);
    },
    10 * 60_000,
  );

  describeWithTerraform("offline plan", (toolchain) => {
    // A plan takes 10-30 s; the bound only catches a hang, never a busy machine.
    it(
      "creates the bastion, two app servers and the DB server in the given subnets and VPC, and nothing of the network",
      async () => {
        const [plan]: StackPlan[] = await planAppShared({ outdir }, { toolchain: toolchain(), mode: "offline" });
        const instances = plannedResources(plan.plan, "aws_instance").map((r) => [
          (r.values.tags as Record<string, string>).Role,
          r.values.subnet_id,
        ]);
        expect(instances.sort()).toEqual([
          ["app", "subnet-0a1b2c3d4e5f60011"],
          ["app", "subnet-0a1b2c3d4e5f60012"],
          ["bastion", "subnet-0a1b2c3d4e5f60001"],
          ["db", "subnet-0a1b2c3d4e5f60022"],
        ]);
        const groups = plannedResources(plan.plan, "aws_security_group").map((r) => r.values.vpc_id);
        expect(groups).toEqual(["vpc-0a1b2c3d4e5f60718", "vpc-0a1b2c3d4e5f60718", "vpc-0a1b2c3d4e5f60718"]);
        expect(plannedResources(plan.plan, "aws_ebs_volume").map((r) => r.values.availability_zone)).toEqual([
          "eu-west-1b",
        ]);
        const types = Object.keys(actionCounts(plan.plan));
        expect(types.filter((t) => NETWORK_RESOURCE_TYPE.test(t))).toEqual([]);
      },
      20 * 60_000,
    );
  });
});
