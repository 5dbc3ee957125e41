// Preloaded into the bench's first, untimed app synth (bench/run.ts): when the app exits, writes the provider-aws
// modules it loaded to the file named by $BENCH_LOADED_PROVIDERS. The floor loads exactly those.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  const loaded = new Set<string>();
  for (const file of Object.keys(require.cache)) {
    const name = /@cdktf\/provider-aws\/lib\/([^/]+)\//.exec(file)?.[1];
    if (name !== undefined) loaded.add(`@cdktf/provider-aws/lib/${name}`);
  }
  writeFileSync(process.env.BENCH_LOADED_PROVIDERS as string, JSON.stringify([...loaded].sort()));
});
