import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ResolvedEnvironment } from "../environment/resolve";
import { loadConfigFile } from "./load";
import { ConfigError } from "./problems";

/** The config file the app reads: `$ENVIRONMENTS_FILE`, else `config/environments.json` beside the app. */
export function configFilePath(appDir: string): string {
  return resolve(process.env.ENVIRONMENTS_FILE ?? resolve(appDir, "config", "environments.json"));
}

/**
 * Loads the environments for a command-line run. On a bad config it prints every problem and exits 1 before any
 * construct is made, so nothing is synthesized or written.
 */
export function loadEnvironmentsOrExit(appDir: string): ResolvedEnvironment[] {
  const path = configFilePath(appDir);
  try {
    if (!existsSync(path)) throw new ConfigError([{ field: "(file)", value: path, expected: "an existing config file; set ENVIRONMENTS_FILE or create it" }], path);
    return loadConfigFile(path);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
