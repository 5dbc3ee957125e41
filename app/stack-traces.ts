// Imported first by main.ts, before cdktf and the providers load. cdktf records a full stack trace for every token
// it makes, and its files carry inline source maps: with source maps on (tsx turns them on), reading those maps and
// mapping the traces was a quarter of synth time (npm run bench). Errors still say what and where, in compiled code.
// Process settings, so they live in the app shell, never in modules/ (importing a library must not change them).
process.setSourceMapsEnabled(false);

/**
 * Stops the formatting of the stack traces cdktf captures for each token it makes (an attribute reference, a `Lazy`),
 * which it keeps only to print as "creation stack" if that token later fails to resolve: skipping that takes about a
 * sixth off a 100-environment synth (BENCHMARKS.md). cdktf captures them into plain objects; an `Error`'s stack is formatted
 * as node formats it. `TOKEN_CREATION_TRACES=1` keeps them (app/settings.ts), for debugging a resolution error.
 */
export function skipTokenCreationTraces(): void {
  Error.prepareStackTrace = (target: unknown, frames: NodeJS.CallSite[]) =>
    target instanceof Error
      ? `${Error.prototype.toString.call(target)}${frames.map((f) => `\n    at ${f}`).join("")}`
      : "";
}
