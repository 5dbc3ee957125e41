import { Finding, formatFinding, RuleResult } from "../../rules/engine";
import { actionCounts, changeAction, PlanJson, ResourceChange } from "../../rules/plan-json";
import { describeDataAtRisk } from "../../rules/catalog/stateful";
import { stacksDataAtRisk, verdictText } from "./data-at-risk";

/** Marks the pull-request comment this summary is, so the workflow edits it instead of adding another. */
export const SUMMARY_MARKER = "<!-- cdktf-plan-summary -->";

/** One stack's plan and what the policy rules said about it. */
export interface StackSummary {
  readonly stack: string;
  readonly plan: PlanJson;
  readonly policy: RuleResult;
}

/** A stack whose plan failed, by step. */
export interface StackFailureSummary {
  readonly stack: string;
  readonly step: string;
  readonly message: string;
}

/** What each row counts: `replace` is delete-then-create or create-then-delete. */
export const SUMMARY_ACTIONS = ["create", "update", "replace", "delete"] as const;
export type SummaryAction = (typeof SUMMARY_ACTIONS)[number];

/** The action of one resource change in the summary's terms, or undefined for no-op and read. */
export function summaryAction(change: ResourceChange): SummaryAction | undefined {
  const action = changeAction(change);
  return SUMMARY_ACTIONS.find((a) => a === action);
}

/** Managed resource changes that destroy something: deletes and replaces, the ones a reviewer must see. */
export function destructiveChanges(plan: PlanJson): ResourceChange[] {
  return (plan.resource_changes ?? []).filter(
    (c) => c.mode === "managed" && ["delete", "replace"].includes(summaryAction(c) ?? ""),
  );
}

/** Totals per action of a plan (managed resources). */
export function actionTotals(plan: PlanJson): Record<SummaryAction, number> {
  const totals = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const byAction of Object.values(actionCounts(plan))) {
    for (const action of SUMMARY_ACTIONS) totals[action] += byAction[action] ?? 0;
  }
  return totals;
}

const escapeCell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

/** Why Terraform replaces a resource: its `action_reason` and the attributes that force it (`replace_paths`). */
function replaceReason(change: ResourceChange): string {
  const raw = change as ResourceChange & {
    action_reason?: string;
    change: { replace_paths?: ReadonlyArray<ReadonlyArray<string | number>> };
  };
  const paths = (raw.change.replace_paths ?? []).map((p) => p.join("."));
  const reason = raw.action_reason?.replace(/^replace_because_/, "").replace(/_/g, " ");
  return [reason, paths.length > 0 ? `forced by ${paths.map(code).join(", ")}` : undefined]
    .filter((s) => s !== undefined)
    .join("; ");
}

function findingLine(finding: Finding, reason?: string): string {
  return `- ${reason === undefined ? "❌" : "✔️ accepted:"} ${escapeCell(formatFinding(finding))}${reason === undefined ? "" : ` (${escapeCell(reason)})`}`;
}

/**
 * The Markdown a pull request shows for a set of plans: first, when a plan destroys or replaces a resource that holds
 * data (the DB server, its volume, buckets, tables, log groups), a "Data at risk" section naming each in words with the
 * rules' verdict; then one table row per stack (resources to add, change, replace, destroy; policy findings), a loud
 * warning listing every resource that would be destroyed or replaced, and per-stack details by resource type.
 * `failures` lists stacks that did not plan.
 */
export function renderMarkdownSummary(
  stacks: readonly StackSummary[],
  failures: readonly StackFailureSummary[] = [],
  title = "Terraform plan",
): string {
  const lines: string[] = [SUMMARY_MARKER, `## ${title}`, ""];
  const risks = stacksDataAtRisk(stacks);
  if (risks.length > 0) {
    lines.push(
      "### ⚠️ Data at risk",
      "",
      `**${risks.length} resource(s) holding data would be destroyed or replaced: a replaced one comes back empty.**`,
      "",
      ...risks.map(
        (risk) =>
          `- ${risk.verdict === "acknowledged" ? "✔️" : "❌"} ${code(risk.stack)}: ${escapeCell(describeDataAtRisk(risk))}. _${escapeCell(verdictText(risk))}_`,
      ),
      "",
    );
  }
  const destructive = stacks.flatMap((s) => destructiveChanges(s.plan).map((change) => ({ stack: s.stack, change })));
  const findings = stacks.reduce((n, s) => n + s.policy.findings.length, 0);

  if (destructive.length > 0) {
    const count = (action: SummaryAction) => destructive.filter((d) => summaryAction(d.change) === action).length;
    lines.push(
      "> [!CAUTION]",
      `> **This plan DESTROYS ${count("delete")} and REPLACES ${count("replace")} resource(s).** A replaced resource is destroyed and created anew: its data and addresses are lost.`,
      ">",
      ...destructive.map(({ stack, change }) => {
        const action = summaryAction(change) === "replace" ? "**REPLACE**" : "**DESTROY**";
        const why = summaryAction(change) === "replace" ? replaceReason(change) : "";
        return `> - ${action} ${code(`${stack}: ${change.address}`)}${why === "" ? "" : ` (${why})`}`;
      }),
      "",
    );
  }
  if (failures.length > 0) {
    lines.push(
      "> [!WARNING]",
      `> **${failures.length} stack(s) failed to plan:** ${failures.map((f) => `${code(f.stack)} at ${f.step}`).join(", ")}`,
      "",
    );
  }
  if (findings > 0) lines.push(`**${findings} policy finding(s)** must be fixed or accepted with a reason.`, "");

  lines.push("| stack | add | change | replace | destroy | policy |", "| --- | ---: | ---: | ---: | ---: | --- |");
  for (const { stack, plan, policy } of stacks) {
    const t = actionTotals(plan);
    const loud = (n: number) => (n > 0 ? `**${n}** ⚠️` : "0");
    const verdict =
      policy.findings.length > 0
        ? `❌ ${policy.findings.length} finding(s)`
        : `✅${policy.accepted.length > 0 ? ` (${policy.accepted.length} accepted)` : ""}`;
    lines.push(`| ${code(stack)} | ${t.create} | ${t.update} | ${loud(t.replace)} | ${loud(t.delete)} | ${verdict} |`);
  }
  for (const f of failures) lines.push(`| ${code(f.stack)} | - | - | - | - | ❌ plan failed at ${f.step} |`);
  lines.push("");

  for (const { stack, plan, policy } of stacks) {
    const counts = actionCounts(plan);
    const types = Object.keys(counts)
      .sort()
      .filter((type) => SUMMARY_ACTIONS.some((a) => (counts[type][a] ?? 0) > 0));
    lines.push(
      `<details><summary>${escapeCell(stack)}: ${types.length === 0 ? "no changes" : `${types.length} resource type(s) change`}</summary>`,
      "",
    );
    if (types.length > 0) {
      lines.push(
        "| resource type | " + SUMMARY_ACTIONS.join(" | ") + " |",
        "| --- |" + " ---: |".repeat(SUMMARY_ACTIONS.length),
      );
      for (const type of types)
        lines.push(`| ${code(type)} | ${SUMMARY_ACTIONS.map((a) => counts[type][a] ?? 0).join(" | ")} |`);
      lines.push("");
    }
    for (const f of policy.findings) lines.push(findingLine(f));
    for (const a of policy.accepted) lines.push(findingLine(a, a.reason));
    lines.push("", "</details>", "");
  }
  for (const f of failures)
    lines.push(
      `<details><summary>${escapeCell(f.stack)}: failed at ${f.step}</summary>`,
      "",
      "```",
      f.message.slice(-4000),
      "```",
      "",
      "</details>",
      "",
    );
  return `${lines.join("\n").trimEnd()}\n`;
}
