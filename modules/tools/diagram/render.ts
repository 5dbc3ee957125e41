import type { Viz } from "@viz-js/viz";
import { optionalPeer } from "../../core/optional-peer";

let viz: Promise<Viz> | undefined;

/** Renders DOT to SVG with Graphviz compiled to WebAssembly (`@viz-js/viz`): no native binary, no network. */
export async function renderSvg(dot: string): Promise<string> {
  // Loaded here, not on import: `@viz-js/viz` is an optional peer (about 5 MB) that only this function needs.
  viz ??= optionalPeer(
    "@viz-js/viz",
    "renderSvg",
    () => require("@viz-js/viz") as typeof import("@viz-js/viz"),
  ).instance();
  const result = (await viz).render(dot, { format: "svg", engine: "dot" });
  if (result.status !== "success") {
    throw new Error(`Graphviz could not draw the diagram: ${result.errors.map((e) => e.message).join("; ")}`);
  }
  return result.output;
}
