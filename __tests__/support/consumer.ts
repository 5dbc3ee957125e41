/** The first fenced block of `lang` in the section under the heading `heading` (any level), up to the next heading. */
export function codeBlockUnder(markdown: string, heading: string, lang: string): string {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => /^#{1,6} /.test(line) && line.replace(/^#+ /, "").trim() === heading);
  if (start < 0) throw new Error(`README has no heading "${heading}"`);
  let end = lines.findIndex((line, i) => i > start && /^#{1,6} /.test(line));
  if (end < 0) end = lines.length;
  const open = lines.findIndex((line, i) => i > start && i < end && line.trim() === "```" + lang);
  if (open < 0) throw new Error(`README section "${heading}" has no \`\`\`${lang} block`);
  const close = lines.findIndex((line, i) => i > open && line.trim() === "```");
  if (close < 0 || close > end) throw new Error(`README section "${heading}": the \`\`\`${lang} block is not closed`);
  return lines.slice(open + 1, close).join("\n") + "\n";
}

/** Module specifiers of the `import ... from "x"` statements in `source`. */
export function importedModules(source: string): string[] {
  return [...source.matchAll(/^\s*import\s[^;]*?\sfrom\s+["']([^"']+)["']/gm)].map((m) => m[1]);
}

/** Node's view of `npm ls --json --all`: one entry per installed copy of a package. */
interface LsNode {
  readonly version?: string;
  readonly path?: string;
  readonly dependencies?: Record<string, LsNode>;
}

/**
 * Every distinct installed copy of `name` in an `npm ls --json --all --long` tree, as `version at path`. `npm ls`
 * repeats a deduplicated copy under each dependent, so copies are told apart by path.
 */
export function installedCopies(tree: LsNode, name: string): string[] {
  const copies = new Set<string>();
  const walk = (node: LsNode) => {
    for (const [dep, child] of Object.entries(node.dependencies ?? {})) {
      if (dep === name) copies.add(`${child.version ?? "?"} at ${child.path ?? "?"}`);
      walk(child);
    }
  };
  walk(tree);
  return [...copies].sort();
}

/** One entry of package-lock.json's `packages` map (lockfile v2/v3). */
export interface LockEntry {
  readonly version?: string;
  readonly resolved?: string;
  readonly integrity?: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  readonly [field: string]: unknown;
}
