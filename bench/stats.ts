/** Summary of repeated measurements. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error("no measurements to summarize");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: values.length };
}

/** A budget: a figure, the limit it must stay within, and how the limit was derived. */
export interface Budget {
  readonly name: string;
  readonly value: number;
  readonly limit: number;
  readonly unit: string;
}

export function verdict(budget: Budget): "pass" | "FAIL" {
  return budget.value <= budget.limit ? "pass" : "FAIL";
}

/** The budgets that failed: `npm run bench` exits 1 when there is any. */
export function failedBudgets(budgets: readonly Budget[]): Budget[] {
  return budgets.filter((b) => verdict(b) === "FAIL");
}

/** Whether the command line asks for the table to be written into BENCHMARKS.md. */
export function wantsRecord(argv: readonly string[]): boolean {
  return argv.includes("--record");
}

export function formatBudget(budget: Budget): string {
  return `${budget.name}: ${budget.value.toFixed(2)} ${budget.unit} (limit ${budget.limit.toFixed(2)} ${budget.unit}) ${verdict(budget)}`;
}

/** A markdown table. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Per-pair ratios `a[i] / b[i]` of measurements taken in turns, summarized: steadier than a ratio of medians on a busy machine. */
export function pairedRatio(a: readonly number[], b: readonly number[]): Summary {
  if (a.length !== b.length) throw new Error(`paired runs differ in number: ${a.length} and ${b.length}`);
  return summarize(a.map((x, i) => x / b[i]));
}

/** What jest writes with `--json`: each test file's path and its start and end (ms since the epoch). */
export interface JestJson {
  readonly testResults: ReadonlyArray<{ readonly name: string; readonly startTime: number; readonly endTime: number }>;
}

/** Seconds each test file took, by its path relative to `root`, slowest first. */
export function fileSeconds(json: JestJson, root: string): Array<[string, number]> {
  return json.testResults
    .map((r): [string, number] => [
      r.name.startsWith(`${root}/`) ? r.name.slice(root.length + 1) : r.name,
      (r.endTime - r.startTime) / 1000,
    ])
    .sort((x, y) => y[1] - x[1]);
}

/** One line of a stack timings file (`BENCH_STACK_TIMINGS`): a terraform step of one stack and its wall time. */
export interface StackTiming {
  readonly stack: string;
  readonly step: string;
  readonly ms: number;
}

/** The stack timings file's lines (JSON, one a line), summarized in seconds by `stack step`. */
export function stackTimingSummaries(text: string): Array<[string, Summary]> {
  const by = new Map<string, number[]>();
  for (const line of text.split("\n").filter((l) => l.trim() !== "")) {
    const t = JSON.parse(line) as StackTiming;
    const key = `${t.stack} ${t.step}`;
    by.set(key, [...(by.get(key) ?? []), t.ms / 1000]);
  }
  return [...by].sort(([a], [b]) => a.localeCompare(b)).map(([key, seconds]) => [key, summarize(seconds)]);
}
