// Imported first by main.ts, before cdktf and the providers load. cdktf records a full stack trace for every token
// it makes, and its files carry inline source maps: with source maps on (tsx turns them on), reading those maps and
// mapping the traces was a quarter of synth time (npm run bench). Errors still say what and where, in compiled code.
// Process settings, so they live in the app shell, never in modules/ (importing a library must not change them).
process.setSourceMapsEnabled(false);

/**
 * Stops cdktf capturing a stack trace for each token it makes (an attribute reference, a `Lazy`), which it keeps only
 * to print as "creation stack" if that token later fails to resolve: skipping that takes about a sixth off a
 * 100-environment synth (BENCHMARKS.md). cdktf captures them into plain objects whose `stack` is "", which are left
 * as they are; an `Error` (or anything else) gets its stack as before. `TOKEN_CREATION_TRACES=1` keeps them (app/settings.ts), for
 * debugging a resolution error. Returns what puts the traces back.
 */
export function skipTokenCreationTraces(): () => void {
  const capture = Error.captureStackTrace;
  // cdktf's shape exactly: a plain object whose `stack` is "" (others, such as depd's `{}`, read theirs back).
  const isTokenTrace = (target: object) =>
    Object.getPrototypeOf(target) === Object.prototype && (target as { stack?: unknown }).stack === "";
  Error.captureStackTrace = (target: object, below?: Function) => {
    if (!isTokenTrace(target)) capture(target, below);
  };
  return () => {
    Error.captureStackTrace = capture;
  };
}
