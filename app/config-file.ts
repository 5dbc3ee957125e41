import { existsSync } from "node:fs";
import { ResolvedEnvironment } from "../modules/environment/resolve";
import { loadConfigFile } from "../modules/environment/load";
import { ConfigError } from "../modules/core/problems";
import { reportAndExit } from "./report";

/**
 * Loads the environments for a command-line run. On a bad config it prints every problem once, plainly, and exits 1
 * before any construct is made, so nothing is synthesized or written.
 */
export function loadEnvironmentsOrExit(path: string): ResolvedEnvironment[] {
  try {
    if (!existsSync(path))
      throw new ConfigError(
        [{ field: "(file)", value: path, expected: "an existing config file; set ENVIRONMENTS_FILE or create it" }],
        path,
      );
    return loadConfigFile(path);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return reportAndExit(error.message, 1);
  }
}
