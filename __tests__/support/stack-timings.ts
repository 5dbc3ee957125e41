import { appendFileSync } from "node:fs";

/**
 * Names the file where tests that run terraform append each stack's step timings, one JSON line each
 * (`{"stack":"workshop","step":"plan","ms":8123}`); `npm run bench` sets it for the suite run and reports them.
 */
export const STACK_TIMINGS_VARIABLE = "BENCH_STACK_TIMINGS";

/** Appends one stack step's wall time to the timings file, when the bench asked for one. */
export function recordStackTiming(stack: string, step: string, ms: number): void {
  const file = process.env[STACK_TIMINGS_VARIABLE];
  if (file !== undefined && file !== "") appendFileSync(file, `${JSON.stringify({ stack, step, ms })}\n`);
}
