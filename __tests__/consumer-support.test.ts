import { importedModules, installedCopies } from "./support/consumer";
import { cachedContentPath, packumentsFromLock } from "./support/lock-mirror";

it("importedModules lists the specifiers of import statements", () => {
  expect(
    importedModules('import { A } from "a";\nimport {\n  B,\n} from "@s/b"; // c\nconst x = "from \\"z\\"";\n'),
  ).toEqual(["a", "@s/b"]);
});

it("installedCopies tells copies apart by path, not by how often npm ls repeats them", () => {
  const tree = {
    dependencies: {
      cdktf: { version: "0.21.0", path: "/c/node_modules/cdktf" },
      provider: {
        version: "1.0.0",
        path: "/c/node_modules/provider",
        dependencies: { cdktf: { version: "0.21.0", path: "/c/node_modules/cdktf" } },
      },
      other: {
        version: "1.0.0",
        path: "/c/node_modules/other",
        dependencies: { cdktf: { version: "0.20.0", path: "/c/node_modules/other/node_modules/cdktf" } },
      },
      // How npm ls shows an optional peer it did not install.
      library: { version: "1.0.0", path: "/c/node_modules/library", dependencies: { viz: {} } },
    },
  };
  expect(installedCopies(tree, "cdktf")).toEqual([
    "0.20.0 at /c/node_modules/other/node_modules/cdktf",
    "0.21.0 at /c/node_modules/cdktf",
  ]);
  expect(installedCopies(tree, "viz")).toEqual([]);
});

describe("packumentsFromLock", () => {
  const packages = {
    "": { name: "root", dependencies: { a: "^1.0.0" } },
    "node_modules/a": {
      version: "1.2.0",
      resolved: "https://registry.npmjs.org/a/-/a-1.2.0.tgz",
      integrity: "sha512-AAA",
      dependencies: { "@s/b": "2" },
      dev: true,
      engines: { node: ">=18" },
    },
    "node_modules/@s/b": {
      version: "2.0.0",
      resolved: "https://registry.npmjs.org/@s/b/-/b-2.0.0.tgz",
      integrity: "sha512-BBB",
      os: ["linux"],
      optional: true,
    },
    "node_modules/x/node_modules/a": { version: "1.10.0", integrity: "sha512-CCC" },
    "node_modules/linked": { link: true, resolved: "packages/linked" },
  };
  const docs = packumentsFromLock(packages, "http://127.0.0.1:9/");
  it("holds every version of every package, with the manifest fields and tarballs at the mirror", () => {
    expect(Object.keys(docs).sort()).toEqual(["@s/b", "a"]);
    expect(docs.a.versions["1.2.0"]).toEqual({
      name: "a",
      version: "1.2.0",
      dependencies: { "@s/b": "2" },
      engines: { node: ">=18" },
      dist: { tarball: "http://127.0.0.1:9/a/-/a-1.2.0.tgz", integrity: "sha512-AAA" },
    });
    expect(docs["@s/b"].versions["2.0.0"]).toEqual({
      name: "@s/b",
      version: "2.0.0",
      os: ["linux"],
      dist: { tarball: "http://127.0.0.1:9/@s/b/-/b-2.0.0.tgz", integrity: "sha512-BBB" },
    });
  });
  it("serves an alias's package under the real name, beside the other versions of that name", () => {
    const withAlias = packumentsFromLock(
      { ...packages, "node_modules/a-v3": { name: "a", version: "3.0.0", integrity: "sha512-DDD" } },
      "http://127.0.0.1:9/",
    );
    expect(Object.keys(withAlias).sort()).toEqual(["@s/b", "a"]);
    expect(Object.keys(withAlias.a.versions).sort()).toEqual(["1.10.0", "1.2.0", "3.0.0"]);
    expect(withAlias.a.versions["3.0.0"]).toEqual({
      name: "a",
      version: "3.0.0",
      dist: { tarball: "http://127.0.0.1:9/a/-/a-3.0.0.tgz", integrity: "sha512-DDD" },
    });
  });
  it("tags the newest version latest, comparing numerically", () => {
    expect(Object.keys(docs.a.versions).sort()).toEqual(["1.10.0", "1.2.0"]);
    expect(docs.a["dist-tags"].latest).toBe("1.10.0");
  });
});

it("cachedContentPath finds content the way cacache stores it", () => {
  const digest = Buffer.from("0123456789abcdef", "hex").toString("base64");
  expect(cachedContentPath("/c", `sha512-${digest}`)).toBe("/c/_cacache/content-v2/sha512/01/23/456789abcdef");
});
