import { estimateCost } from "../modules/tools/cost/estimate";
import { formatEstimate } from "../modules/tools/cost/format";
import { toDot } from "../modules/tools/diagram/dot";
import { renderSvg } from "../modules/tools/diagram/render";
import { readInventory } from "../modules/tools/inventory/inventory";
import { loadStacks } from "../scripts/synthesized";

// `node --require ./app/register-ts.js bench/see-and-price.ts <synthesized app dir>`: what `npm run diagram` and `npm run cost` add on
// top of synth, in one fresh process (so Graphviz's WebAssembly start is counted): prints wall and CPU milliseconds of each
// ({"diagramMs","costMs","diagramCpuMs","costCpuMs"}): CPU time is what a busy machine does not inflate.
async function main() {
  const stacks = loadStacks(process.argv[2]);
  const cpuMs = () => {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1000;
  };
  let [started, cpu] = [process.hrtime.bigint(), cpuMs()];
  for (const s of stacks) await renderSvg(toDot(readInventory(s.json), { title: s.name }));
  const diagramMs = Number(process.hrtime.bigint() - started) / 1e6;
  const diagramCpuMs = cpuMs() - cpu;
  [started, cpu] = [process.hrtime.bigint(), cpuMs()];
  for (const s of stacks) formatEstimate(s.name, estimateCost(s.json));
  const costMs = Number(process.hrtime.bigint() - started) / 1e6;
  const costCpuMs = cpuMs() - cpu;
  process.stdout.write(JSON.stringify({ diagramMs, costMs, diagramCpuMs, costCpuMs }));
}
void main();
