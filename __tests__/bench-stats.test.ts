import { failedBudgets, formatBudget, summarize, table, verdict, wantsRecord } from "../bench/stats";

describe("benchmark statistics", () => {
  it("summarizes odd and even run counts", () => {
    expect(summarize([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
    expect(() => summarize([])).toThrow("no measurements");
  });

  it("judges budgets at the limit as passing and above it as failing", () => {
    expect(verdict({ name: "x", value: 1.0, limit: 1.0, unit: "s" })).toBe("pass");
    expect(verdict({ name: "x", value: 1.01, limit: 1.0, unit: "s" })).toBe("FAIL");
    expect(formatBudget({ name: "synth", value: 0.5, limit: 1, unit: "s" })).toBe("synth: 0.50 s (limit 1.00 s) pass");
  });

  it("renders a markdown table", () => {
    expect(table(["a", "b"], [["1", "2"]])).toBe("| a | b |\n| --- | --- |\n| 1 | 2 |");
  });

  it("fails the run on any failed budget and records only when asked", () => {
    const pass = { name: "a", value: 1, limit: 1, unit: "s" };
    const fail = { name: "b", value: 2, limit: 1, unit: "s" };
    expect(failedBudgets([pass])).toEqual([]);
    expect(failedBudgets([pass, fail])).toEqual([fail]);
    expect(wantsRecord(["--runs", "3"])).toBe(false);
    expect(wantsRecord(["--runs", "3", "--record"])).toBe(true);
  });
});
