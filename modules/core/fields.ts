import { z } from "zod";

/** An integer field with one message for both bounds. */
export function intBetween(min: number, max: number) {
  const error = `an integer from ${min} to ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}
