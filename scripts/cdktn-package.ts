import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { CDKTN_RENAMES, renameImports } from "./bindings";

const ROOT = resolve(__dirname, "..");

/** The cdktn package's name: the npm package's scope, `cdktn` for `cdktf`. */
export const CDKTN_PACKAGE_NAME = "@secure-aws-env/cdktn";

/** What the cdktn package peers on instead of cdktf and @cdktf/provider-aws: the versions it is built and tested with. */
export const CDKTN_PEERS: Readonly<Record<string, string>> = { cdktn: "^0.24.0", "@cdktn/provider-aws": "^25.7.0" };

/** The library's source files (modules/, no tests), relative to the project root. */
function librarySources(dir = join(ROOT, "modules")): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return librarySources(path);
    return path.endsWith(".ts") && !path.endsWith(".test.ts") ? [relative(ROOT, path)] : [];
  });
}

/**
 * The cdktn package's manifest, from the project's: its own name and description, the same version, entry points
 * (the main one and `/tools`), files and dependencies, and the cdktn peers in place of cdktf's (`constructs` and the
 * tools' optional peers stay).
 */
export function cdktnManifest(pkg: Record<string, any>): Record<string, unknown> {
  const peers = Object.fromEntries(
    Object.entries(pkg.peerDependencies as Record<string, string>).map(([name, range]) =>
      name in CDKTN_RENAMES ? [CDKTN_RENAMES[name], CDKTN_PEERS[CDKTN_RENAMES[name]]] : [name, range],
    ),
  );
  const { name, description, version, license, main, types, exports, typesVersions, engines, publishConfig } = pkg;
  const { dependencies, peerDependenciesMeta, files } = pkg;
  if (name !== "@secure-aws-env/cdktf") throw new Error(`unexpected package name ${name}`);
  return {
    name: CDKTN_PACKAGE_NAME,
    version,
    description: `${description} (for cdktn, CDK Terrain; built from the same source as @secure-aws-env/cdktf)`,
    license,
    main,
    types,
    exports,
    typesVersions,
    engines,
    publishConfig,
    dependencies,
    peerDependencies: peers,
    peerDependenciesMeta,
    files,
  };
}

/**
 * Builds the cdktn package into `out`: the library's sources with only their `cdktf`/`@cdktf/provider-aws` imports
 * renamed (`out/modules`), compiled with the project's build settings against cdktn (`out/dist/modules`), its
 * manifest, the README with the docs and examples it links to, changelog and license. `npm pack` or `npm publish` in
 * `out` then ships it.
 */
export function buildCdktnPackage(out: string): { files: number } {
  rmSync(out, { recursive: true, force: true });
  const sources = librarySources();
  for (const file of sources) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    writeFileSync(join(out, file), renameImports(readFileSync(join(ROOT, file), "utf8"), CDKTN_RENAMES));
  }
  const tsconfig = {
    extends: join(ROOT, "tsconfig.build.json"),
    compilerOptions: { rootDir: out, outDir: join(out, "dist"), typeRoots: [join(ROOT, "node_modules", "@types")] },
    include: [join(out, "modules", "**", "*.ts")],
    exclude: [],
  };
  writeFileSync(join(out, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  // The project's node_modules (cdktn and its provider are dev dependencies) serve the compile wherever `out` is.
  const modules = join(out, "node_modules");
  symlinkSync(join(ROOT, "node_modules"), modules, "dir");
  const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(out, "tsconfig.json")], {
    cwd: ROOT,
    encoding: "utf8",
  });
  rmSync(modules);
  if (tsc.status !== 0) throw new Error(`compiling the cdktn package failed:\n${tsc.stdout}${tsc.stderr}`);
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  writeFileSync(join(out, "package.json"), `${JSON.stringify(cdktnManifest(pkg), null, 2)}\n`);
  for (const file of ["README.md", "ARCHITECTURE.md", "CHANGELOG.md", "LICENSE"])
    copyFileSync(join(ROOT, file), join(out, file));
  // What the manifest's `files` picks from these is packed; what local runs leave there is not copied.
  for (const dir of ["docs", "examples"])
    cpSync(join(ROOT, dir), join(out, dir), {
      recursive: true,
      filter: (source) => !/[\\/](node_modules|cdktf\.out|\.terraform|api)$/.test(source),
    });
  return { files: sources.length };
}
