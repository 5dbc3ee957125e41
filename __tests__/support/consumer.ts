import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { documentationFiles } from "./readme";

/** The consumer project's tsconfig for the README example: strict, type-check only. */
export const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "commonjs",
    moduleResolution: "node",
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
  },
  include: ["main.ts"],
};

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
 * repeats a deduplicated copy under each dependent, so copies are told apart by path; it also lists a dependency it
 * did not install (an optional peer nobody asked for) with no path, which is no copy.
 */
export function installedCopies(tree: LsNode, name: string): string[] {
  const copies = new Set<string>();
  const walk = (node: LsNode) => {
    for (const [dep, child] of Object.entries(node.dependencies ?? {})) {
      if (dep === name && child.path !== undefined) copies.add(`${child.version ?? "?"} at ${child.path}`);
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

/**
 * What a packed tarball of this project holds beside the compiled library (`dist/modules`): its manifest, license and
 * changelog, the README and every page of docs/ with the picture the README shows, ARCHITECTURE.md, and the examples
 * as git tracks them (what the README links to, so its links work in the package too), sorted.
 */
export const SHIPPED_BESIDE_THE_LIBRARY: readonly string[] = [
  "CHANGELOG.md",
  "LICENSE",
  "package.json",
  "ARCHITECTURE.md",
  "docs/workshop.svg",
  ...documentationFiles(),
  ...spawnSync("git", ["ls-files", "--", "examples"], { cwd: join(__dirname, "..", ".."), encoding: "utf8" })
    .stdout.split("\n")
    .filter((line) => line !== ""),
].sort();

/** The packed paths that are not the compiled library's JavaScript and declarations, sorted. */
export function shippedBesideTheLibrary(paths: readonly string[]): string[] {
  return paths.filter((p) => !/^dist\/modules\/.+\.(js|d\.ts)$/.test(p)).sort();
}
