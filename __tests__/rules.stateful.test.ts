import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkPlan, checkSynth } from "../modules/rules/check";
import { formatFinding } from "../modules/rules/engine";
import { stackRuleOptions } from "../modules/rules/exceptions";
import { dataAtRisk, STATEFUL_RULE_ID } from "../modules/rules/catalog/stateful";
import { changesOfPlan } from "../modules/rules/plan-view";
import { PlanJson } from "../modules/rules/plan-json";
import { RULES } from "../modules/rules/rules";
import { asSynth } from "./support/rule-fixtures";
import { workshopConfig } from "./support/synth";

/** A plan JSON fixture: `terraform show -json` of a plan, as `__tests__/fixtures/plans/<name>.plan.json` keeps it. */
const fixture = (name: string): PlanJson =>
  JSON.parse(readFileSync(join(__dirname, "fixtures", "plans", `${name}.plan.json`), "utf8")) as PlanJson;
const only = { rules: RULES.filter((r) => r.id === STATEFUL_RULE_ID) };

const DB = "aws_instance.Db_Server_Instance_F7AD69F8";
const BUCKET = "aws_s3_bucket.state_Bucket_838DC8D9";
const BOOTSTRAP = "state-change-me-workshop-tfstate";

/** The default environment, with `acknowledge` as its guardrails. */
function environments(acknowledge: Array<{ rule: string; resource?: string; reason: string }> = []) {
  const config = workshopConfig();
  return [{ ...config, guardrails: { acknowledge } }];
}

describe("stateful-resource-destroyed: a plan that destroys data is refused unless acknowledged", () => {
  it("refuses a plan that replaces the DB server, saying in words what is lost and how to keep it", () => {
    const result = checkPlan(fixture("db-server-replaced"), {
      ...stackRuleOptions("workshop", environments()),
      ...only,
    });
    expect(result.findings.map(formatFinding)).toEqual([
      `stateful-resource-destroyed ${DB}: would destroy and recreate (empty) the DB server "workshop-db" (${DB}), forced by a change of subnet_id: its data is lost (everything not on its data volume; a DB server made before the data volume existed has all of it on its root volume). Keep it: undo the change that causes this (a renamed resource needs a \`moved\` block; a forced replace, the old value back); or, if losing it is intended, acknowledge it in the environment's config: "guardrails": { "acknowledge": [{"rule":"stateful-resource-destroyed","resource":"Db_Server_Instance_F7AD69F8","reason":"why losing it is fine"}] }`,
    ]);
    // The attachment is replaced too, but holds no data; the volume itself is kept.
    expect(result.accepted).toEqual([]);
  });

  it("refuses a plan that deletes the state bucket (in its bootstrap stack)", () => {
    const result = checkPlan(fixture("state-bucket-deleted"), {
      ...stackRuleOptions(BOOTSTRAP, environments()),
      ...only,
    });
    expect(result.findings.map((f) => [f.address, f.message.split(". Keep it")[0]])).toEqual([
      [
        BUCKET,
        `would destroy the S3 bucket "change-me-workshop-tfstate" (${BUCKET}): its data is lost (its objects: Terraform state, or logs)`,
      ],
    ]);
  });

  it("passes both once the environment's config acknowledges them, by rule and resource, with the reason", () => {
    const acks = environments([
      {
        rule: STATEFUL_RULE_ID,
        resource: "Db_Server_Instance",
        reason: "the DB moves AZ; its data volume is moved by hand",
      },
      { rule: STATEFUL_RULE_ID, resource: "state_Bucket", reason: "the state moved to another bucket, ticket OPS-7" },
    ]);
    const db = checkPlan(fixture("db-server-replaced"), { ...stackRuleOptions("workshop", acks), ...only });
    expect(db.findings).toEqual([]);
    expect(db.accepted.map((a) => [a.address, a.reason])).toEqual([
      [DB, "the DB moves AZ; its data volume is moved by hand"],
    ]);
    // The environment's acknowledgement reaches the bootstrap stack of the bucket it keeps its state in.
    const bucket = checkPlan(fixture("state-bucket-deleted"), { ...stackRuleOptions(BOOTSTRAP, acks), ...only });
    expect(bucket.findings).toEqual([]);
    expect(bucket.accepted.map((a) => a.address)).toEqual([BUCKET]);
  });

  it("an acknowledgement of one resource does not cover another", () => {
    const acks = environments([
      { rule: STATEFUL_RULE_ID, resource: "state_Bucket", reason: "moving the state, OPS-7" },
    ]);
    const db = checkPlan(fixture("db-server-replaced"), { ...stackRuleOptions("workshop", acks), ...only });
    expect(db.findings.map((f) => f.address)).toEqual([DB]);
  });

  it("passes a plan of creates and updates (a stateless app server replaced among them) with no finding at all", () => {
    const plan = fixture("creates-and-updates");
    expect(changesOfPlan(plan).map((c) => c.action)).toEqual(["update", "update", "create", "no-op", "replace"]);
    expect(checkPlan(plan, { ...stackRuleOptions("workshop", environments()), ...only })).toEqual({
      findings: [],
      accepted: [],
    });
  });

  it("names each kind of resource that holds data, and only those", () => {
    const change = (type: string, action: string, before: Record<string, unknown>) => ({
      address: `${type}.x`,
      type,
      action,
      before,
      forcedBy: [],
    });
    const risks = dataAtRisk([
      change("aws_instance", "delete", { tags: { Name: "w-db", Role: "db" } }),
      change("aws_instance", "delete", { tags: { Name: "w-bastion", Role: "bastion" } }),
      change("aws_ebs_volume", "replace", { tags: { Name: "w-db-data" } }),
      change("aws_s3_bucket", "delete", { bucket: "w-alb-logs" }),
      change("aws_dynamodb_table", "delete", { name: "w-locks" }),
      change("aws_cloudwatch_log_group", "replace", { name: "/w/flow-logs" }),
      change("aws_s3_bucket", "update", { bucket: "kept" }),
      change("aws_security_group", "delete", { name: "w-db" }),
    ]);
    expect(risks.map((r) => `${r.action} ${r.what}`)).toEqual([
      'delete the DB server "w-db"',
      'replace the EBS volume "w-db-data"',
      'delete the S3 bucket "w-alb-logs"',
      'delete the DynamoDB table "w-locks"',
      'replace the log group "/w/flow-logs"',
    ]);
  });

  it("is a plan rule only: a synthesized stack says nothing about what is destroyed", () => {
    const synth = asSynth({ "aws_s3_bucket.b": { bucket: "b" } });
    expect(checkSynth(synth, only)).toEqual({ findings: [], accepted: [] });
  });
});
