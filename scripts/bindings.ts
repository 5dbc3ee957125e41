/**
 * Module renames that build the library against other bindings of the same classes: each maps a package the library
 * imports (and any deep path under it) to the package that takes its place.
 */
export type Renames = Readonly<Record<string, string>>;

/** cdktn (CDK Terrain, cdktf's community continuation): its framework and its AWS provider bindings. */
export const CDKTN_RENAMES: Renames = { cdktf: "cdktn", "@cdktf/provider-aws": "@cdktn/provider-aws" };

/** `specifier` with its package renamed when `renames` names it (`pkg` or `pkg/deep/path`); otherwise unchanged. */
export function renameSpecifier(specifier: string, renames: Renames): string {
  for (const [from, to] of Object.entries(renames)) {
    if (specifier === from) return to;
    if (specifier.startsWith(`${from}/`)) return to + specifier.slice(from.length);
  }
  return specifier;
}

/**
 * TypeScript source with the module specifiers of its imports, re-exports, `require(...)` and `import(...)` renamed,
 * and nothing else: a string or comment that merely mentions a package keeps its text.
 */
export function renameImports(source: string, renames: Renames): string {
  const specifier = /(\bfrom\s+|\bimport\s+|\brequire\(\s*|\bimport\(\s*)(["'])([^"'\n]+)\2/g;
  return source.replace(
    specifier,
    (_, lead: string, quote: string, name: string) => `${lead}${quote}${renameSpecifier(name, renames)}${quote}`,
  );
}
