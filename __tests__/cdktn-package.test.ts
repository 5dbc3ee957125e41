import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { CDKTN_RENAMES, renameImports, renameSpecifier } from "../scripts/bindings";
import { CDKTN_PACKAGE_NAME, CDKTN_PEERS, cdktnManifest } from "../scripts/cdktn-package";

const root = join(__dirname, "..");

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourcesUnder(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("the cdktn package's import renames", () => {
  it("renames a package and its deep paths, and no package that only starts with the same letters", () => {
    expect(renameSpecifier("cdktf", CDKTN_RENAMES)).toBe("cdktn");
    expect(renameSpecifier("cdktf/lib/testing", CDKTN_RENAMES)).toBe("cdktn/lib/testing");
    expect(renameSpecifier("@cdktf/provider-aws/lib/vpc", CDKTN_RENAMES)).toBe("@cdktn/provider-aws/lib/vpc");
    for (const other of ["cdktf-cli", "@cdktf/provider-aws-v21/lib/vpc", "constructs", "./cdktf"])
      expect(renameSpecifier(other, CDKTN_RENAMES)).toBe(other);
  });

  it("renames the specifiers of imports, re-exports, require() and import(), and leaves strings and comments", () => {
    const source = [
      'import { App } from "cdktf";',
      "import {\n  Vpc,\n} from '@cdktf/provider-aws/lib/vpc';",
      'export { Fn } from "cdktf";',
      'import "cdktf";',
      'const { Testing } = require("cdktf") as typeof import("cdktf");',
      '// made with "cdktf"; see cdktf.json',
      'const tags = { ManagedBy: "cdktf" };',
    ].join("\n");
    expect(renameImports(source, CDKTN_RENAMES)).toBe(
      [
        'import { App } from "cdktn";',
        "import {\n  Vpc,\n} from '@cdktn/provider-aws/lib/vpc';",
        'export { Fn } from "cdktn";',
        'import "cdktn";',
        'const { Testing } = require("cdktn") as typeof import("cdktn");',
        '// made with "cdktf"; see cdktf.json',
        'const tags = { ManagedBy: "cdktf" };',
      ].join("\n"),
    );
  });

  it("changes nothing in the library but import lines", () => {
    const changed = sourcesUnder(join(root, "modules")).flatMap((file) => {
      const before = readFileSync(file, "utf8").split("\n");
      const after = renameImports(before.join("\n"), CDKTN_RENAMES).split("\n");
      expect(after).toHaveLength(before.length);
      return before.flatMap((line, i) => (line === after[i] ? [] : [after[i]]));
    });
    expect(changed.length).toBeGreaterThan(50);
    expect(
      changed.filter((line) => !/^(import|export|\}) .*from "(cdktn|@cdktn\/provider-aws\/lib\/[\w-]+)";$/.test(line)),
    ).toEqual([]);
  });
});

it("the cdktn manifest keeps the project's version, entry points, files, dependencies and optional peers, with cdktn's peers", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const manifest = cdktnManifest(pkg);
  expect(manifest).toMatchObject({
    name: CDKTN_PACKAGE_NAME,
    version: pkg.version,
    main: pkg.main,
    types: pkg.types,
    exports: pkg.exports,
    typesVersions: pkg.typesVersions,
    files: pkg.files,
    dependencies: pkg.dependencies,
    peerDependenciesMeta: pkg.peerDependenciesMeta,
    peerDependencies: { ...CDKTN_PEERS, constructs: pkg.peerDependencies.constructs },
  });
  const optional = Object.keys(pkg.peerDependenciesMeta);
  expect(optional.length).toBeGreaterThan(0);
  expect(Object.keys(manifest.peerDependencies as object).sort()).toEqual(
    ["@cdktn/provider-aws", "cdktn", "constructs", ...optional].sort(),
  );
  // The peers it is built and tested with (dev dependencies) are in its ranges' floor.
  expect(CDKTN_PEERS).toEqual({
    cdktn: `^${pkg.devDependencies.cdktn}`,
    "@cdktn/provider-aws": `^${pkg.devDependencies["@cdktn/provider-aws"]}`,
  });
});
