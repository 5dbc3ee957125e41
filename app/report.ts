/**
 * Prints what stops the run, once, and exits. Run by the cdktf CLI (`cdktf synth`/`deploy`, which set
 * CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS), the CLI would echo the app's stderr twice inside its own error frame: there
 * the message goes to stdout, which the CLI passes through once, and the app stops without writing a manifest, which
 * the CLI reports with one line and exit code 1. Run directly (`npm run synth`), it goes to stderr with `code`.
 */
export function reportAndExit(message: string, code: number, env: NodeJS.ProcessEnv = process.env): never {
  if (env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS === "true") {
    process.stdout.write(`${message}\n`);
    process.exit(0);
  }
  process.stderr.write(`${message}\n`);
  process.exit(code);
}
