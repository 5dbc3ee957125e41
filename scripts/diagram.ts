import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { toDot } from "../modules/tools/diagram/dot";
import { renderSvg } from "../modules/tools/diagram/render";
import { readInventory } from "../modules/tools/inventory/inventory";
import { runCommand } from "./cli";
import { loadStacks, OUTDIR } from "./synthesized";

const USAGE = `usage: npm run diagram -- [--stack NAME ...] [--from DIR] [--out DIR] [--dot]

Synthesizes the app (config/environments.json, or $ENVIRONMENTS_FILE) into cdktf.out and draws every stack from its
synthesized Terraform JSON into <out>/<stack>.svg, with Graphviz compiled to WebAssembly (no native binary).
  --stack NAME   draw only this stack (repeatable)
  --from DIR     draw an app synthesized before (e.g. cdktf.out) instead of synthesizing now
  --out DIR      where the SVGs go (default: cdktf.out/diagrams, or $CDKTF_OUTDIR/diagrams)
  --dot          also write <stack>.dot, the Graphviz source
Exit status: 0 drawn, 1 a config or drawing error, 2 usage.`;

runCommand(
  USAGE,
  {
    stack: { type: "string", multiple: true },
    from: { type: "string" },
    out: { type: "string" },
    dot: { type: "boolean" },
  },
  async (values) => {
    const out = resolve(values.out ?? join(OUTDIR, "diagrams"));
    const stacks = loadStacks(values.from, values.stack);
    mkdirSync(out, { recursive: true });
    for (const stack of stacks) {
      const dot = toDot(readInventory(stack.json), { title: stack.name });
      const path = join(out, `${stack.name}.svg`);
      writeFileSync(path, await renderSvg(dot));
      if (values.dot === true) writeFileSync(join(out, `${stack.name}.dot`), dot);
      process.stdout.write(`${relative(process.cwd(), path) || path}\n`);
    }
    return 0;
  },
);
