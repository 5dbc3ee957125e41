import { instance, Viz } from "@viz-js/viz";

let viz: Promise<Viz> | undefined;

/** Renders DOT to SVG with Graphviz compiled to WebAssembly (`@viz-js/viz`): no native binary, no network. */
export async function renderSvg(dot: string): Promise<string> {
  viz ??= instance();
  const result = (await viz).render(dot, { format: "svg", engine: "dot" });
  if (result.status !== "success") {
    throw new Error(`Graphviz could not draw the diagram: ${result.errors.map((e) => e.message).join("; ")}`);
  }
  return result.output;
}
