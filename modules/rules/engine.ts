import { RULE_INPUTS, RuleInput, StackView } from "./view";

/** What the rules need to know about a stack beyond its resources. */
export interface RuleContext {
  /** The environment's NAT mode: `nat-cross-az` applies under `per-az` only. @default undefined (the rule is off) */
  readonly natMode?: string;
  /** The stack chose local state on purpose (config `backend.type = "local"`, or the bootstrap's first phase). @default false */
  readonly localStateOptIn?: boolean;
}

/** One resource (or `terraform.backend`, for the stack) that breaks a rule, and why. */
export interface Violation {
  /** The resource's address (`type.name`), or `terraform.backend` for the stack. */
  readonly address: string;
  /** What is wrong, in a few words a reader can act on. */
  readonly message: string;
}

/**
 * One check over a stack's resources. A rule is pure: the same view and context always give the same violations.
 * Adding a rule is one more entry in `RULES` (`rules.ts`).
 */
export interface Rule {
  /** Stable id, used to acknowledge an exception in config, e.g. `admin-port-open-to-world`. */
  readonly id: string;
  /** The ids checkov and trivy give the same check (checkov first); [] when no scanner has it. */
  readonly scannerIds: readonly string[];
  /** One line: what must hold. */
  readonly description: string;
  /** The inputs the rule means something on. @default every input (`RULE_INPUTS`) */
  readonly inputs?: readonly RuleInput[];
  /** The violations in `view`; [] when the rule holds. */
  readonly check: (view: StackView, context: RuleContext) => Violation[];
}

/** A rule that does not hold for one resource. */
export interface Finding extends Violation {
  /** The rule's stable id. */
  readonly rule: string;
  /** The rule's scanner ids. */
  readonly scannerIds: readonly string[];
}

/** A reasoned exception to one rule, for every resource or for those whose address contains `resource`. */
export interface RuleException {
  /** The rule's id or any of its scanner ids, e.g. `imdsv2-required` or `CKV_AWS_79`. */
  readonly rule: string;
  /** Part of the resource's address (`type.logicalId`) the exception is limited to. @default every resource */
  readonly resource?: string;
  /** Why the exception is safe. */
  readonly reason: string;
}

/** What `evaluateRules` found: failures, and findings an exception covers, with its reason. */
export interface RuleResult {
  /** Findings no exception covers: each one is a failure. */
  readonly findings: readonly Finding[];
  /** Findings covered by an exception, with its reason. */
  readonly accepted: ReadonlyArray<Finding & { readonly reason: string }>;
}

/** How a set of rules judges one stack: what they know beyond the view, and the accepted exceptions. */
export interface EvaluateOptions {
  /** What the rules need to know beyond the view. @default {} */
  readonly context?: RuleContext;
  /** Accepted exceptions. @default none */
  readonly exceptions?: readonly RuleException[];
}

/** Whether `rule` applies to views built from `input`. */
export function appliesTo(rule: Rule, input: RuleInput): boolean {
  return (rule.inputs ?? RULE_INPUTS).includes(input);
}

/** The exception that covers `finding`, if any. */
export function exceptionFor(finding: Finding, exceptions: readonly RuleException[]): RuleException | undefined {
  const ids = [finding.rule, ...finding.scannerIds];
  return exceptions.find(
    (e) => ids.includes(e.rule) && (e.resource === undefined || finding.address.includes(e.resource)),
  );
}

/** Applies every rule of `rules` meant for the view's input; findings an exception names go to `accepted`. Pure. */
export function evaluateRules(view: StackView, rules: readonly Rule[], options: EvaluateOptions = {}): RuleResult {
  const findings: Finding[] = [];
  const accepted: Array<Finding & { reason: string }> = [];
  for (const rule of rules.filter((r) => appliesTo(r, view.input))) {
    for (const violation of rule.check(view, options.context ?? {})) {
      const finding: Finding = { rule: rule.id, scannerIds: rule.scannerIds, ...violation };
      const exception = exceptionFor(finding, options.exceptions ?? []);
      if (exception === undefined) findings.push(finding);
      else accepted.push({ ...finding, reason: exception.reason });
    }
  }
  return { findings, accepted };
}

/** One line per finding, as a plan report prints it: `imdsv2-required (CKV_AWS_79, AVD-AWS-0028) aws_instance.x: message`. */
export function formatFinding(finding: Finding): string {
  const ids = finding.scannerIds.length > 0 ? ` (${finding.scannerIds.join(", ")})` : "";
  return `${finding.rule}${ids} ${finding.address}: ${finding.message}`;
}

/** One finding as the synth error shows it, with the named way out. */
export function formatViolation(finding: Finding): string {
  const ack = JSON.stringify({
    rule: finding.rule,
    resource: finding.address.split(".").pop(),
    reason: "why this is safe",
  });
  return `guardrail ${finding.rule}: ${finding.address} ${finding.message}. Fix it, or acknowledge it in the environment's config: "guardrails": { "acknowledge": [${ack}] } (in code: applyRules(stack, { exceptions: [${ack}] }))`;
}
