import { RULES } from "../modules/rules/rules";
import { problemsAfter } from "./support/config";

describe("guardrails.acknowledge in config", () => {
  const W = 'environment "workshop": ';
  const ids = RULES.map((r) => r.id).join(", ");
  it.each<[string, unknown, string[]]>([
    [
      "unknown rule",
      { rule: "no-such-rule", reason: "because we said so" },
      [
        `${W}guardrails.acknowledge[0].rule = "no-such-rule": expected one of the rule ids: ${ids} (or one of their scanner ids, e.g. CKV_AWS_79)`,
      ],
    ],
    [
      "empty reason",
      { rule: "remote-state", reason: " " },
      [
        `${W}guardrails.acknowledge[0].reason = " ": expected a reason of at least 10 characters saying why the exception is safe`,
      ],
    ],
    [
      "missing reason",
      { rule: "remote-state" },
      [`${W}guardrails.acknowledge[0].reason = (missing): expected a string: this field is required`],
    ],
    ["valid", { rule: "remote-state", resource: "terraform.backend", reason: "a throwaway sandbox account" }, []],
    ["valid, by a former plan-policy rule's id", { rule: "vpc-flow-logs", reason: "a throwaway sandbox account" }, []],
    [
      "valid, by a scanner id",
      { rule: "CKV_AWS_88", resource: "App_", reason: "a demo reached from the office only" },
      [],
    ],
  ])("%s", (_title, ack, expected) => {
    expect(problemsAfter((e) => (e.guardrails = { acknowledge: [ack] }))).toEqual(expected);
  });
});
