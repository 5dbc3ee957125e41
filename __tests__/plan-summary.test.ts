import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PlanJson, ResourceChange } from "../modules/rules/plan-json";
import {
  actionTotals,
  destructiveChanges,
  renderMarkdownSummary,
  SUMMARY_MARKER,
  summaryAction,
} from "../modules/tools/pipeline/summary-markdown";
import { renderDataAtRiskText, stacksDataAtRisk } from "../modules/tools/pipeline/data-at-risk";
import { checkPlan } from "../modules/rules/check";
import { stackRuleOptions } from "../modules/rules/exceptions";
import { workshopConfig } from "./support/synth";

const change = (address: string, actions: string[], extra: object = {}): ResourceChange =>
  ({
    address,
    mode: "managed",
    type: address.split(".")[0],
    name: address.split(".")[1],
    change: { actions },
    ...extra,
  }) as ResourceChange;

const plan = (...changes: ResourceChange[]): PlanJson => ({ format_version: "1.2", resource_changes: changes });
const clean = { findings: [], accepted: [] };

describe("renderMarkdownSummary", () => {
  it("counts each action; delete-then-create and create-then-delete are replaces; no-op and read count nothing", () => {
    const p = plan(
      change("aws_vpc.a", ["no-op"]),
      change("aws_subnet.b", ["create"]),
      change("aws_subnet.c", ["update"]),
      change("aws_instance.d", ["delete", "create"]),
      change("aws_instance.e", ["create", "delete"]),
      change("aws_eip.f", ["delete"]),
      { ...change("aws_ami.g", ["read"]), mode: "data" },
    );
    expect(actionTotals(p)).toEqual({ create: 1, update: 1, replace: 2, delete: 1 });
    expect(destructiveChanges(p).map((c) => `${c.address} ${summaryAction(c)}`)).toEqual([
      "aws_instance.d replace",
      "aws_instance.e replace",
      "aws_eip.f delete",
    ]);
  });

  it("shows nothing loud for a plan that only creates", () => {
    const markdown = renderMarkdownSummary([
      { stack: "dev", plan: plan(change("aws_vpc.a", ["create"])), policy: clean },
    ]);
    expect(markdown.startsWith(`${SUMMARY_MARKER}\n## Terraform plan\n`)).toBe(true);
    expect(markdown).toContain("| `dev` | 1 | 0 | 0 | 0 | ✅ |");
    expect(markdown).not.toMatch(/CAUTION|WARNING|DESTROY|REPLACE|⚠️/);
  });

  it("puts every destroy and replace, with its reason, in a caution block before the table", () => {
    const replaced = change("aws_instance.d", ["delete", "create"], { action_reason: "replace_because_cannot_update" });
    (replaced.change as { replace_paths?: string[][] }).replace_paths = [
      ["ami"],
      ["root_block_device", "0", "encrypted"],
    ];
    const markdown = renderMarkdownSummary([
      { stack: "prod", plan: plan(replaced, change("aws_eip.f", ["delete"])), policy: clean },
    ]);
    const caution = markdown.indexOf("> [!CAUTION]");
    expect(caution).toBeGreaterThan(0);
    expect(caution).toBeLessThan(markdown.indexOf("| stack |"));
    expect(markdown).toContain("**This plan DESTROYS 1 and REPLACES 1 resource(s).**");
    expect(markdown).toContain(
      "> - **REPLACE** `prod: aws_instance.d` (cannot update; forced by `ami`, `root_block_device.0.encrypted`)",
    );
    expect(markdown).toContain("> - **DESTROY** `prod: aws_eip.f`");
    expect(markdown).toContain("| `prod` | 0 | 0 | **1** ⚠️ | **1** ⚠️ | ✅ |");
  });

  it("lists policy findings and accepted ones, and stacks that failed, with their step", () => {
    const finding = {
      rule: "imdsv2-required",
      scannerIds: ["CKV_AWS_79", "AVD-AWS-0028"],
      address: "aws_instance.x",
      message: "IMDSv2 | not required",
    };
    const markdown = renderMarkdownSummary(
      [
        {
          stack: "dev",
          plan: plan(change("aws_instance.x", ["create"])),
          policy: { findings: [finding], accepted: [{ ...finding, address: "aws_instance.y", reason: "legacy AMI" }] },
        },
      ],
      [{ stack: "broken", step: "init", message: "Error: backend" }],
    );
    expect(markdown).toContain("**1 policy finding(s)** must be fixed or accepted with a reason.");
    expect(markdown).toContain("| `dev` | 1 | 0 | 0 | 0 | ❌ 1 finding(s) |");
    expect(markdown).toContain(
      "- ❌ imdsv2-required (CKV_AWS_79, AVD-AWS-0028) aws_instance.x: IMDSv2 \\| not required",
    );
    expect(markdown).toContain(
      "- ✔️ accepted: imdsv2-required (CKV_AWS_79, AVD-AWS-0028) aws_instance.y: IMDSv2 \\| not required (legacy AMI)",
    );
    expect(markdown).toContain("> **1 stack(s) failed to plan:** `broken` at init");
    expect(markdown).toContain("| `broken` | - | - | - | - | ❌ plan failed at init |");
    expect(markdown).toContain("```\nError: backend\n```");
  });
});

describe("data at risk comes first", () => {
  const fixture = (name: string): PlanJson =>
    JSON.parse(readFileSync(join(__dirname, "fixtures", "plans", `${name}.plan.json`), "utf8")) as PlanJson;
  const environments = (acknowledge: Array<{ rule: string; resource?: string; reason: string }> = []) => [
    { ...workshopConfig(), guardrails: { acknowledge } },
  ];
  const summarize = (stack: string, name: string, acks = environments()) => {
    const p = fixture(name);
    return { stack, plan: p, policy: checkPlan(p, stackRuleOptions(stack, acks)) };
  };
  const BOOTSTRAP = "state-change-me-workshop-tfstate";

  it("opens the Markdown with a Data at risk section naming each stateful resource destroyed or replaced, and why", () => {
    const markdown = renderMarkdownSummary([
      summarize("workshop", "db-server-replaced"),
      summarize(BOOTSTRAP, "state-bucket-deleted"),
    ]);
    const section = markdown.indexOf("### ⚠️ Data at risk");
    expect(section).toBe(markdown.indexOf("## Terraform plan\n") + "## Terraform plan\n\n".length);
    expect(section).toBeLessThan(markdown.indexOf("> [!CAUTION]"));
    expect(section).toBeLessThan(markdown.indexOf("| stack |"));
    const lines = markdown
      .split("\n")
      .filter((l) => l.startsWith("- ") && markdown.indexOf(l) < markdown.indexOf("> [!CAUTION]"));
    expect(lines).toEqual([
      '- ❌ `workshop`: would destroy and recreate (empty) the DB server "workshop-db" (aws_instance.Db_Server_Instance_F7AD69F8), forced by a change of subnet_id: its data is lost (everything not on its data volume; a DB server made before the data volume existed has all of it on its root volume). _refused by stateful-resource-destroyed: undo the change, or acknowledge the loss in the environment\'s guardrails.acknowledge_',
      '- ❌ `state-change-me-workshop-tfstate`: would destroy the S3 bucket "change-me-workshop-tfstate" (aws_s3_bucket.state_Bucket_838DC8D9): its data is lost (its objects: Terraform state, or logs). _refused by stateful-resource-destroyed: undo the change, or acknowledge the loss in the environment\'s guardrails.acknowledge_',
    ]);
    expect(markdown).toContain("**2 resource(s) holding data would be destroyed or replaced");
  });

  it("marks an acknowledged loss with its reason", () => {
    const acks = environments([
      { rule: "stateful-resource-destroyed", resource: "Db_Server", reason: "moving the DB to AZ b, OPS-9" },
    ]);
    const markdown = renderMarkdownSummary([summarize("workshop", "db-server-replaced", acks)]);
    expect(markdown).toMatch(
      /^- ✔️ `workshop`: would destroy and recreate \(empty\) the DB server .*_acknowledged in the config: moving the DB to AZ b, OPS-9_$/m,
    );
  });

  it("has no such section when nothing holding data is destroyed (a stateless server replaced is not data)", () => {
    const markdown = renderMarkdownSummary([summarize("workshop", "creates-and-updates")]);
    expect(markdown).not.toContain("Data at risk");
    expect(markdown).toContain("> [!CAUTION]");
  });

  it("prints the same first on the console, and nothing when there is nothing", () => {
    const text = renderDataAtRiskText(stacksDataAtRisk([summarize(BOOTSTRAP, "state-bucket-deleted")]));
    expect(text).toEqual([
      "DATA AT RISK: 1 resource(s) holding data would be destroyed or replaced",
      '  state-change-me-workshop-tfstate: would destroy the S3 bucket "change-me-workshop-tfstate" (aws_s3_bucket.state_Bucket_838DC8D9): its data is lost (its objects: Terraform state, or logs)',
      "    refused by stateful-resource-destroyed: undo the change, or acknowledge the loss in the environment's guardrails.acknowledge",
    ]);
    expect(renderDataAtRiskText(stacksDataAtRisk([summarize("workshop", "creates-and-updates")]))).toEqual([]);
  });

  it("says a loss the rule did not judge is unchecked, not refused", () => {
    const p = fixture("db-server-replaced");
    const [risk] = stacksDataAtRisk([{ stack: "workshop", plan: p, policy: clean }]);
    expect(risk.verdict).toBe("unchecked");
  });
});
