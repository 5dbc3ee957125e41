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
