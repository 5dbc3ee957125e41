import { synthOf, DOCUMENTED_VARIANTS } from "./support/variants";
import { bindingsOf } from "./support/binding-schema";
import { compileLibraryWith, FLAVOURS, jsonDifferences, synthVariantsWith } from "./support/bindings-matrix";

// The unchanged library under the other bindings users run: cdktf 0.21 with @cdktf/provider-aws 21.x (AWS provider
// 6), and cdktn 0.24 with @cdktn/provider-aws 25.x. Each compiles strictly and synthesizes every documented variant;
// its JSON may differ from today's (cdktf 0.21 + 20.x) only as FLAVOURS explains.

const today = Object.fromEntries(Object.keys(DOCUMENTED_VARIANTS).map((v) => [v, synthOf(v)]));

describe.each(Object.entries(FLAVOURS))("the library on %s", (_, flavour) => {
  const providerVersion = bindingsOf(flavour.bindings).providerVersion;

  it("compiles with strict tsc, every provider class from those bindings", () => {
    const run = compileLibraryWith(flavour.renames);
    expect(run.output.split("\n").filter((line) => /error TS/.test(line))).toEqual([]);
    expect(run.status).toBe(0);
    const listed = run.output.split("\n");
    expect(listed.some((f) => f.includes(`/node_modules/${flavour.bindings}/lib/vpc/index.d.ts`))).toBe(true);
    for (const replaced of Object.keys(flavour.renames))
      expect(listed.filter((f) => f.includes(`/node_modules/${replaced}/`))).toEqual([]);
  });

  it("synthesizes every documented variant, differing from today's JSON only where explained", () => {
    const synthesized = synthVariantsWith(flavour.renames);
    expect(Object.keys(synthesized).sort()).toEqual(Object.keys(today).sort());
    const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
    const expected = flavour.differences
      .map(({ path, from, to }) => ({ path, from, to: to === "<bindings>" ? providerVersion : to }))
      .sort(byPath);
    for (const [variant, stacks] of Object.entries(today)) {
      expect(Object.keys(synthesized[variant]).sort()).toEqual(Object.keys(stacks).sort());
      for (const [stack, json] of Object.entries(stacks))
        expect({
          variant,
          stack,
          differences: jsonDifferences(json, synthesized[variant][stack]).sort(byPath),
        }).toEqual({ variant, stack, differences: expected });
    }
  });
});

it("jsonDifferences names each differing leaf with both values, and nothing when equal", () => {
  expect(jsonDifferences({ a: { b: 1, c: [1] } }, { a: { b: 1, c: [1] } })).toEqual([]);
  expect(jsonDifferences({ a: { b: 1, c: [1] } }, { a: { b: 2, c: [1, 2] }, d: true })).toEqual([
    { path: "a.b", from: 1, to: 2 },
    { path: "a.c", from: [1], to: [1, 2] },
    { path: "d", from: undefined, to: true },
  ]);
});
