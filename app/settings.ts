import { resolve } from "node:path";
import { reportAndExit } from "./report";
import { PlaceholderPolicy } from "./placeholders";

/** What the app shell takes from its environment variables; modules/ never reads them itself. */
export interface AppSettings {
  /** The config file: `$ENVIRONMENTS_FILE`, else `config/environments.json` beside the app. */
  readonly environmentsFile: string;
  /** Where the stacks are written, as cdktf picks it: `$CDKTF_OUTDIR` (cdktf-cli sets it), else `cdktf.out`. */
  readonly outdir: string;
  /** `STATE_BOOTSTRAP=local`: the state bootstrap stacks keep their own state locally (before the bucket exists). */
  readonly stateBootstrapLocal: boolean;
  /** `$TERRAFORM_BINARY`, when set. */
  readonly terraformBinary?: string;
  /** `$TF_PLUGIN_MIRROR`, when set. */
  readonly pluginMirror?: string;
  /**
   * The default config's placeholders: `accept` with `ACCEPT_PLACEHOLDERS=1` (the documented override), else `refuse`
   * with `REFUSE_PLACEHOLDERS=1` (what `npm run deploy` and `npm run diff` set), else `warn`.
   */
  readonly placeholders: PlaceholderPolicy;
  /** `TOKEN_CREATION_TRACES=1`: cdktf's token creation stacks are kept for its resolution errors (slower synth). */
  readonly tokenCreationTraces: boolean;
  /** Whether cdktf-cli runs the app (`cdktf synth`/`deploy` set `CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS`). */
  readonly runByCdktfCli: boolean;
}

/** A setting with a value the app does not know: a usage error (exit 2), named with what is accepted. */
export class SettingError extends Error {
  constructor(variable: string, value: string, expected: string) {
    super(`${variable}=${JSON.stringify(value)}: expected ${expected}`);
    this.name = "SettingError";
  }
}

/** Reads the app's settings from `env` (the process environment, in main.ts and scripts/). */
export function readSettings(env: NodeJS.ProcessEnv, appDir: string): AppSettings {
  const bootstrap = env.STATE_BOOTSTRAP;
  if (bootstrap !== undefined && bootstrap !== "" && bootstrap !== "local") {
    throw new SettingError("STATE_BOOTSTRAP", bootstrap, `"local" (phase 1 of the state bootstrap) or unset`);
  }
  for (const variable of ["ACCEPT_PLACEHOLDERS", "REFUSE_PLACEHOLDERS", "TOKEN_CREATION_TRACES"]) {
    const value = env[variable];
    if (value !== undefined && value !== "" && value !== "1") throw new SettingError(variable, value, `"1" or unset`);
  }
  return {
    environmentsFile: resolve(env.ENVIRONMENTS_FILE || resolve(appDir, "config", "environments.json")),
    outdir: env.CDKTF_OUTDIR || "cdktf.out",
    stateBootstrapLocal: bootstrap === "local",
    terraformBinary: env.TERRAFORM_BINARY || undefined,
    pluginMirror: env.TF_PLUGIN_MIRROR || undefined,
    placeholders: env.ACCEPT_PLACEHOLDERS === "1" ? "accept" : env.REFUSE_PLACEHOLDERS === "1" ? "refuse" : "warn",
    tokenCreationTraces: env.TOKEN_CREATION_TRACES === "1",
    runByCdktfCli: env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS === "true",
  };
}

/** `readSettings` for a command-line run: a bad setting is printed and the process exits 2 (a usage error). */
export function readSettingsOrExit(env: NodeJS.ProcessEnv, appDir: string): AppSettings {
  try {
    return readSettings(env, appDir);
  } catch (error) {
    if (!(error instanceof SettingError)) throw error;
    return reportAndExit(error.message, 2);
  }
}
