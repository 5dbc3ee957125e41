/** One thing wrong with the input: where it is, what it holds, and what was expected instead. */
export interface ConfigProblem {
  /** Name of the environment the problem belongs to; absent for problems with the file as a whole. */
  readonly environment?: string;
  /** Path of the field inside the environment, e.g. `tiers[1].cidrMask`. */
  readonly field: string;
  /** The value found there (`undefined` when it is missing). */
  readonly value: unknown;
  /** What would have been accepted. */
  readonly expected: string;
}

/** One problem as one line: the environment, the field, the value and what is expected. */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.environment === undefined ? "" : `environment "${problem.environment}": `;
  return `${where}${problem.field} = ${describeValue(problem.value)}: expected ${problem.expected}`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Raised before any construct is made when the input has one or more problems; lists all of them. */
export class ConfigError extends Error {
  constructor(
    readonly problems: readonly ConfigProblem[],
    source = "configuration",
  ) {
    super(`${source} has ${problems.length} problem(s):\n${problems.map((p) => `  - ${formatProblem(p)}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** A config file that is not valid JSON: one problem, printed as `file:line:column`, the line and a caret. */
export class ConfigSyntaxError extends ConfigError {
  constructor(
    problem: ConfigProblem,
    readonly formatted: string,
    source: string,
  ) {
    super([problem], source);
    this.message = formatted;
    this.name = "ConfigSyntaxError";
  }
}

/** Joins a base path and a key the way the problems print them: `tiers[1].cidrMask`. */
export function fieldPath(...parts: ReadonlyArray<string | number>): string {
  return parts.reduce<string>((path, part) => {
    if (typeof part === "number") return `${path}[${part}]`;
    return path === "" ? part : `${path}.${part}`;
  }, "");
}
