// Imported first by main.ts, before cdktf and the providers load. cdktf records a full stack trace for every token
// it makes, and its files carry inline source maps: with source maps on (tsx turns them on), reading those maps and
// mapping the traces was a quarter of synth time (npm run bench). Errors still say what and where, in compiled code.
// A process setting, so it lives in the app shell, never in modules/ (importing a library must not change it).
process.setSourceMapsEnabled(false);
