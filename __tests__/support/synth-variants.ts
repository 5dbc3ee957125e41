// node --require tsx/cjs [--require bindings-hook.ts] synth-variants.ts OUT.json: writes every documented variant's
// synthesized JSON ({ variant: { stack: json } }) with whatever bindings this process resolves.
import { writeFileSync } from "node:fs";
import { DOCUMENTED_VARIANTS, synthOf } from "./variants";

const out = process.argv[2];
if (out === undefined) throw new Error("usage: synth-variants.ts OUT.json");
writeFileSync(out, JSON.stringify(Object.fromEntries(Object.keys(DOCUMENTED_VARIANTS).map((v) => [v, synthOf(v)]))));
