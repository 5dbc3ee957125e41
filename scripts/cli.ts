import { parseArgs, ParseArgsConfig } from "node:util";

/** Bad command-line input: printed with the usage text, exit status 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O }>>["values"];

/**
 * Runs a command: parses its flags (`--help` prints `usage`), then `body`. Exit status: what `body` returns, 2 for a
 * flag parseArgs refuses or a UsageError, 1 for any other error (its message on stderr).
 */
export function runCommand<O extends Options>(
  usage: string,
  options: O,
  body: (values: Values<O>) => Promise<number> | number,
): void {
  const main = async (): Promise<number> => {
    let values: Values<O>;
    try {
      values = parseArgs<{ options: O }>({ options: { ...options, help: { type: "boolean" } } }).values;
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if ((values as Record<string, unknown>).help === true) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    return body(values);
  };
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const usageError = error instanceof UsageError;
      process.stderr.write(
        `${error instanceof Error ? error.message : String(error)}${usageError ? `\n${usage}` : ""}\n`,
      );
      process.exit(usageError ? 2 : 1);
    },
  );
}
