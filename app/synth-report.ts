import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/**
 * What `npm run synth` wrote, in a few lines for stdout: each stack with its resource count, where, and the next
 * command. Read back from the published manifest and stack JSON, so it reports exactly what is on disk.
 */
export function synthReport(outdir: string, cwd: string = process.cwd()): string {
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const stacks = Object.entries(manifest.stacks).map(([name, stack]) => {
    const json = JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), "utf8")) as {
      resource?: Record<string, Record<string, unknown>>;
    };
    const resources = Object.values(json.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
    return { name, resources };
  });
  const width = Math.max(...stacks.map((s) => s.name.length));
  const stacksDir = resolve(cwd, outdir, "stacks");
  const where = relative(cwd, stacksDir).startsWith("..") ? stacksDir : relative(cwd, stacksDir);
  return [
    `wrote ${stacks.length} stack(s) to ${where}:`,
    ...stacks.map((s) => `  ${s.name.padEnd(width)}  ${s.resources} resources`),
    "next: npm run plan -- --offline (a terraform plan with no AWS account), npm test, or ./help for every command",
  ].join("\n");
}
