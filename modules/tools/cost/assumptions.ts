import { CostAssumptions } from "./estimate";

/** The command-line name of each assumption, for messages. */
const FLAGS: Record<keyof CostAssumptions, string> = {
  hoursPerMonth: "--hours",
  natTrafficGb: "--nat-traffic-gb",
  flowLogGb: "--flow-log-gb",
  rootVolumeGiB: "--root-volume-gib",
  albLcus: "--alb-lcus",
  endpointTrafficGb: "--endpoint-traffic-gb",
};
const LIMITS: Record<keyof CostAssumptions, [number, number]> = {
  hoursPerMonth: [0, 744],
  natTrafficGb: [0, 10_000_000],
  flowLogGb: [0, 10_000_000],
  rootVolumeGiB: [1, 16384],
  albLcus: [0, 100_000],
  endpointTrafficGb: [0, 10_000_000],
};

/**
 * Assumption overrides from text (command-line values): each must be a number in its range. Throws one error naming
 * every bad flag, its value and what is expected; absent values are left to the defaults.
 */
export function parseAssumptions(raw: Partial<Record<keyof CostAssumptions, string>>): Partial<CostAssumptions> {
  const out: Partial<Record<keyof CostAssumptions, number>> = {};
  const problems: string[] = [];
  for (const key of Object.keys(FLAGS) as Array<keyof CostAssumptions>) {
    const text = raw[key];
    if (text === undefined) continue;
    const value = Number(text);
    const [min, max] = LIMITS[key];
    if (text.trim() === "" || !Number.isFinite(value) || value < min || value > max)
      problems.push(`${FLAGS[key]} = ${JSON.stringify(text)}: expected a number from ${min} to ${max}`);
    else out[key] = value;
  }
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return out;
}
