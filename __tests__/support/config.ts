import { validateConfig } from "../../modules/environment/load";
import { ConfigError, formatProblem } from "../../modules/core/problems";
import defaultConfig from "../fixtures/environments.json";

/** A deep copy of the default config's first environment (__tests__/fixtures/environments.json, never the user's file), as raw JSON (before validation). */
export function rawWorkshop(): Record<string, any> {
  return structuredClone(defaultConfig.environments[0]) as Record<string, any>;
}

/**
 * The formatted problems that validating the given environments produces; [] when valid.
 * Fails the test if validation throws anything but a ConfigError.
 */
export function problemsOf(...environments: unknown[]): string[] {
  try {
    validateConfig({ environments });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map(formatProblem);
  }
}

/** The problems of the default environment after `change` edits a copy of it. */
export function problemsAfter(change: (env: Record<string, any>) => void): string[] {
  const env = rawWorkshop();
  change(env);
  return problemsOf(env);
}
