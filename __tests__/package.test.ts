import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { optionalPeer } from "../modules/core/optional-peer";
import { ENTRY_POINTS } from "../scripts/api-entries";

const root = resolve(__dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
/** The tools' packages: optional peers, which a consumer of the constructs alone never installs. */
const TOOL_PEERS = ["@viz-js/viz", "yaml"];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Names a library user composes or calls, and names of tools: each entry must export its own and not the other's. */
const LIBRARY_NAMES = [
  "Network",
  "EnvironmentStack",
  "Bastion",
  "StateBootstrapStack",
  "planNetwork",
  "validateConfig",
  "applyRules",
  "checkSynth",
  "checkPlan",
];
const TOOL_NAMES = [
  "planApp",
  "detectTerraform",
  "readInventory",
  "estimateCost",
  "toDot",
  "renderSvg",
  "renderWorkflow",
  "buildModulePackages",
];
const ALL_NAMES = JSON.stringify([...LIBRARY_NAMES, ...TOOL_NAMES]);

/** Runs `probe` (CommonJS, with the app's TypeScript loader) in a fresh node at the project root; `preload` runs first. Its stdout as JSON. */
function probe(source: string, preload = ""): { stdout: unknown; stderr: string } {
  const run = spawnSync("node", ["--require", "./app/register-ts.js", "-e", `${preload}\n${source}`], {
    cwd: root,
    encoding: "utf8",
  });
  return { stdout: run.stdout.trim() === "" ? undefined : JSON.parse(run.stdout), stderr: run.stderr };
}

/** Node's own error for a package that is not installed, for each of `names`: as if they were missing. */
const hidePackages = (names: readonly string[]) => `
  const Module = require("node:module");
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    if (${JSON.stringify(names)}.includes(request)) {
      const error = new Error("Cannot find module '" + request + "'");
      error.code = "MODULE_NOT_FOUND";
      throw error;
    }
    return resolveFilename.call(this, request, ...rest);
  };`;

describe("the published package", () => {
  it("exports the constructs from its main entry, loading neither the provider package's root nor any tool", () => {
    const run = probe(`
      const api = require("./modules/index.ts");
      const loaded = Object.keys(require.cache);
      console.log(JSON.stringify({
        exports: ${ALL_NAMES}.filter((k) => k in api),
        providerRoot: loaded.some((f) => /@cdktf[\\\\/]provider-aws[\\\\/]lib[\\\\/]index\\.js$/.test(f)),
        tools: loaded.filter((f) => /modules[\\\\/]tools[\\\\/]/.test(f) || ${JSON.stringify(TOOL_PEERS)}.some((p) => f.includes(p))),
      }));`);
    expect(run.stderr).toBe("");
    expect(run.stdout).toEqual({
      exports: LIBRARY_NAMES,
      providerRoot: false,
      tools: [],
    });
  });

  it("exports the tools from its tools entry, which loads an optional peer only when a tool needs it", () => {
    const run = probe(
      `
      const tools = require("./modules/tools/index.ts");
      const failures = {};
      Promise.resolve()
        .then(() => tools.renderSvg("digraph { a -> b }")).catch((e) => (failures.renderSvg = e.message))
        .then(() => { try { tools.renderWorkflow(); } catch (e) { failures.renderWorkflow = e.message; } })
        .then(() => console.log(JSON.stringify({ exported: ${ALL_NAMES}.filter((k) => k in tools), failures })));`,
      hidePackages(TOOL_PEERS),
    );
    expect(run.stderr).toBe("");
    expect(run.stdout).toEqual({
      exported: TOOL_NAMES,
      failures: {
        renderSvg:
          'renderSvg needs the package "@viz-js/viz", an optional peer dependency that is not installed: run `npm install @viz-js/viz`',
        renderWorkflow:
          'renderWorkflow needs the package "yaml", an optional peer dependency that is not installed: run `npm install yaml`',
      },
    });
  });

  it("names a missing optional peer, and passes any other loading error on as it is", () => {
    expect(() =>
      optionalPeer("@secure-aws-env/no-such-package", "theTool", () => require("@secure-aws-env/no-such-package")),
    ).toThrow('theTool needs the package "@secure-aws-env/no-such-package", an optional peer dependency');
    // A package that is there but fails to load, or misses a package of its own, is not the consumer's missing peer.
    const inner = Object.assign(new Error("Cannot find module 'left-pad'"), { code: "MODULE_NOT_FOUND" });
    expect(() =>
      optionalPeer("yaml", "theTool", () => {
        throw inner;
      }),
    ).toThrow(inner);
    expect(optionalPeer("yaml", "theTool", () => require("yaml") as typeof import("yaml")).stringify([1])).toBe(
      "- 1\n",
    );
  });

  it("points main, types and each `exports` entry at what `npm run build` emits, for old and new module resolution", () => {
    const build = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8")).compilerOptions;
    const emitted = (source: string, ext: string) => `./${join(build.outDir, source.replace(/\.ts$/, ext))}`;
    const [library, tools] = ENTRY_POINTS;
    expect(`./${pkg.main}`).toBe(emitted(library.source, ".js"));
    expect(`./${pkg.types}`).toBe(emitted(library.source, ".d.ts"));
    expect(pkg.exports).toEqual({
      ".": { types: emitted(library.source, ".d.ts"), default: emitted(library.source, ".js") },
      "./tools": { types: emitted(tools.source, ".d.ts"), default: emitted(tools.source, ".js") },
      "./package.json": "./package.json",
    });
    // TypeScript's `moduleResolution: "node"` reads no `exports`: typesVersions maps the sub-path for it.
    expect(pkg.typesVersions).toEqual({ "*": { tools: [emitted(tools.source, ".d.ts").slice(2)] } });
    expect(ENTRY_POINTS.map((e) => e.specifier)).toEqual([pkg.name, `${pkg.name}/tools`]);
    expect(pkg.scripts.prepack).toBe("npm run build");
  });

  it("asks the tools' packages as optional peers, pinned exactly in devDependencies, and the library's as dependencies", () => {
    const FRAMEWORK_PEERS = Object.keys(pkg.peerDependencies).filter((name) => !TOOL_PEERS.includes(name));
    expect(FRAMEWORK_PEERS.sort()).toEqual(["@cdktf/provider-aws", "cdktf", "constructs"]);
    for (const peer of TOOL_PEERS) {
      expect(pkg.peerDependenciesMeta[peer]).toEqual({ optional: true });
      expect(pkg.peerDependencies[peer]).toBe(`^${pkg.devDependencies[peer]}`);
      expect(pkg.dependencies[peer]).toBeUndefined();
    }
    // The dependencies are what the library (modules/ outside modules/tools/) loads, peers aside; the rest is the tools'.
    const packagesIn = (files: string[]) =>
      new Set(
        files.flatMap((file) =>
          [...readFileSync(file, "utf8").matchAll(/(?:from |require\()"([^".][^"]*)"/g)]
            .map((m) =>
              m[1]
                .split("/")
                .slice(0, m[1].startsWith("@") ? 2 : 1)
                .join("/"),
            )
            .filter((name) => !name.startsWith("node:") && !FRAMEWORK_PEERS.includes(name)),
        ),
      );
    const sources = filesUnder(join(root, "modules"));
    const library = packagesIn(sources.filter((f) => !f.includes(`${join("modules", "tools")}/`)));
    const tools = packagesIn(sources.filter((f) => f.includes(`${join("modules", "tools")}/`)));
    expect(Object.keys(pkg.dependencies).sort()).toEqual([...library].sort());
    expect([...library]).toEqual(expect.arrayContaining(["zod"]));
    expect(TOOL_PEERS.filter((peer) => library.has(peer) || !tools.has(peer))).toEqual([]);
  });
});
