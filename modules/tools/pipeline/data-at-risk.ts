import { RuleResult } from "../../rules/engine";
import { DataAtRisk, dataAtRisk, describeDataAtRisk, STATEFUL_RULE_ID } from "../../rules/catalog/stateful";
import { changesOfPlan } from "../../rules/plan-view";
import { PlanJson } from "../../rules/plan-json";

/** One resource holding data that a stack's plan destroys or replaces, and what the rules said about it. */
export interface StackDataAtRisk extends DataAtRisk {
  readonly stack: string;
  /** `refused` (a finding), `acknowledged` (the config accepts it, `reason` says why), or `unchecked` (the rule did not run). */
  readonly verdict: "refused" | "acknowledged" | "unchecked";
  /** The acknowledgement's reason, when acknowledged. */
  readonly reason?: string;
}

/** Every resource holding data that the stacks' plans destroy or replace, by stack, each with the rules' verdict. */
export function stacksDataAtRisk(
  stacks: ReadonlyArray<{ readonly stack: string; readonly plan: PlanJson; readonly policy: RuleResult }>,
): StackDataAtRisk[] {
  return stacks.flatMap(({ stack, plan, policy }) =>
    dataAtRisk(changesOfPlan(plan)).map((risk): StackDataAtRisk => {
      const about = (f: { rule: string; address: string }) => f.rule === STATEFUL_RULE_ID && f.address === risk.address;
      const accepted = policy.accepted.find(about);
      if (accepted !== undefined) return { ...risk, stack, verdict: "acknowledged", reason: accepted.reason };
      return { ...risk, stack, verdict: policy.findings.some(about) ? "refused" : "unchecked" };
    }),
  );
}

/** What a verdict means for the reader, in words. */
export function verdictText(risk: StackDataAtRisk): string {
  switch (risk.verdict) {
    case "refused":
      return `refused by ${STATEFUL_RULE_ID}: undo the change, or acknowledge the loss in the environment's guardrails.acknowledge`;
    case "acknowledged":
      return `acknowledged in the config: ${risk.reason}`;
    default:
      return `not checked by ${STATEFUL_RULE_ID}: review it yourself`;
  }
}

/**
 * The console's first lines when plans destroy data: a `DATA AT RISK` heading, then per resource its stack and the
 * change in words, and the verdict; [] when no plan destroys or replaces a resource that holds data.
 */
export function renderDataAtRiskText(risks: readonly StackDataAtRisk[]): string[] {
  if (risks.length === 0) return [];
  return [
    `DATA AT RISK: ${risks.length} resource(s) holding data would be destroyed or replaced`,
    ...risks.flatMap((risk) => [`  ${risk.stack}: ${describeDataAtRisk(risk)}`, `    ${verdictText(risk)}`]),
  ];
}
