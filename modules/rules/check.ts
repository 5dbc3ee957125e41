import { PlanJson } from "./plan-json";
import { evaluateRules, EvaluateOptions, Rule, RuleResult } from "./engine";
import { viewOfPlan } from "./plan-view";
import { RULES } from "./rules";
import { StackJson, viewOfSynth } from "./synth-view";

/** Options of `checkSynth` and `checkPlan`. */
export interface CheckOptions extends EvaluateOptions {
  /** The rules to apply. @default RULES */
  readonly rules?: readonly Rule[];
}

/** The rules on one stack's synthesized JSON. Pure. */
export function checkSynth(json: StackJson, options: CheckOptions = {}): RuleResult {
  return evaluateRules(viewOfSynth(json), options.rules ?? RULES, options);
}

/** The rules on one stack's plan (`terraform show -json`). Pure. */
export function checkPlan(plan: PlanJson, options: CheckOptions = {}): RuleResult {
  return evaluateRules(viewOfPlan(plan), options.rules ?? RULES, options);
}
