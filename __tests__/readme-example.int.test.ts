import { readFileSync } from "node:fs";
import { join } from "node:path";
import { StackPlan } from "../modules/tools/pipeline/plan";
import { plannedResources } from "../modules/rules/plan-json";
import { checkSynth } from "../modules/rules/check";
import { StackJson } from "../modules/rules/synth-view";
import { exampleApp, libraryExample, runApp } from "./support/readme";
import { describeWithTerraform } from "./support/terraform";
import { planAppShared } from "./support/shared-plans";

// The README's library example, as a user would run it: compiled by tsc, run by node (app.synth()), planned offline.
describe("the README's library example", () => {
  const { main, outdir } = exampleApp(".readme-example-", libraryExample("../modules/index"));

  it(
    "synthesizes one stack",
    () => {
      const run = runApp(main, outdir);
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
    },
    10 * 60_000,
  );

  it("wires the DB login end to end: each server its own role, the DB's writes the password, the app's reads it, the service fetches it", () => {
    const json = JSON.parse(readFileSync(join(outdir, "stacks", "prod", "cdk.tf.json"), "utf8")) as StackJson & {
      resource: Record<string, Record<string, Record<string, unknown>>>;
    };
    const parameter = "arn:aws:ssm:eu-west-1:*:parameter/prod/db/app-password";
    // The servers' own policies (the flow-log role's is the network's business).
    const policies = Object.values(json.resource.aws_iam_role_policy ?? {})
      .filter((p) => String(p.name).endsWith("-permissions"))
      .map((p) => JSON.parse(String(p.policy)).Statement);
    expect(policies).toEqual(
      expect.arrayContaining([
        [expect.objectContaining({ Action: ["ssm:PutParameter"], Resource: parameter })],
        [expect.objectContaining({ Action: ["ssm:GetParameter"], Resource: parameter })],
      ]),
    );
    expect(policies).toHaveLength(2);
    expect(Object.values(json.resource.aws_iam_role_policy_attachment ?? {})).toEqual([]);
    const instances = Object.values(json.resource.aws_instance);
    expect(instances).toHaveLength(5);
    for (const instance of instances) expect(instance.iam_instance_profile).toMatch(/^\$\{aws_iam_instance_profile\./);
    const app = instances.filter((i) => (i.tags as Record<string, string>).Role === "app");
    for (const instance of app) {
      expect(instance.user_data).toContain("ExecStartPre=+/usr/local/libexec/app-start-env");
      expect(instance.user_data).toContain("--name '/prod/db/app-password' --with-decryption");
    }
    expect(checkSynth(json).findings.filter((f) => f.rule === "instance-profile")).toEqual([]);
  });

  describeWithTerraform("offline plan", (toolchain) => {
    // A plan takes 10-30 s; the bound only catches a hang, never a busy machine.
    it(
      "creates the network, the bastion, three app servers and the DB server, with the connections said",
      async () => {
        const [plan]: StackPlan[] = await planAppShared({ outdir }, { toolchain: toolchain(), mode: "offline" });
        const instances = plannedResources(plan.plan, "aws_instance").map(
          (r) => (r.values.tags as Record<string, string>).Role,
        );
        expect(instances.sort()).toEqual(["app", "app", "app", "bastion", "db"]);
        expect(plannedResources(plan.plan, "aws_nat_gateway")).toHaveLength(3);
        expect(plannedResources(plan.plan, "aws_subnet")).toHaveLength(10);
        const ingress = plannedResources(plan.plan, "aws_vpc_security_group_ingress_rule").map(
          (r) => `${r.values.from_port} ${r.values.description}`,
        );
        expect(ingress.sort()).toEqual(
          [
            "22 SSH from admin network 198.51.100.7/32",
            "22 SSH from the bastion",
            "22 SSH from the bastion",
            "3306 MariaDB from the app servers",
            "8080 The app, through the bastion",
          ].sort(),
        );
        expect(plannedResources(plan.plan, "aws_key_pair")).toHaveLength(1);
      },
      20 * 60_000,
    );
  });
});
