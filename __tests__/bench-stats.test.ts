import {
  failedBudgets,
  fileSeconds,
  formatBudget,
  pairedRatio,
  stackTimingSummaries,
  summarize,
  table,
  verdict,
  wantsRecord,
} from "../bench/stats";

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

  it("takes the ratio of runs taken in turns pair by pair, and refuses unpaired runs", () => {
    expect(pairedRatio([2, 3, 9], [1, 2, 3])).toEqual({ median: 2, min: 1.5, max: 3, runs: 3 });
    expect(() => pairedRatio([1, 2], [1])).toThrow("paired runs differ in number: 2 and 1");
  });

  it("reads each test file's seconds from jest's JSON, relative to the root, slowest first", () => {
    const json = {
      testResults: [
        { name: "/repo/__tests__/a.test.ts", startTime: 1000, endTime: 3500 },
        { name: "/repo/__tests__/b.int.test.ts", startTime: 0, endTime: 60_000 },
        { name: "/elsewhere/c.test.ts", startTime: 0, endTime: 1 },
      ],
    };
    expect(fileSeconds(json, "/repo")).toEqual([
      ["__tests__/b.int.test.ts", 60],
      ["__tests__/a.test.ts", 2.5],
      ["/elsewhere/c.test.ts", 0.001],
    ]);
  });

  it("summarizes the stack timings the tests append, by stack and step, in seconds", () => {
    const lines = [
      { stack: "workshop", step: "plan", ms: 8000 },
      { stack: "workshop", step: "plan", ms: 12000 },
      { stack: "workshop", step: "apply", ms: 30000 },
      { stack: "bootstrap", step: "plan", ms: 3000 },
    ]
      .map((l) => JSON.stringify(l))
      .join("\n");
    expect(stackTimingSummaries(`${lines}\n\n`)).toEqual([
      ["bootstrap plan", { median: 3, min: 3, max: 3, runs: 1 }],
      ["workshop apply", { median: 30, min: 30, max: 30, runs: 1 }],
      ["workshop plan", { median: 10, min: 8, max: 12, runs: 2 }],
    ]);
  });
});
