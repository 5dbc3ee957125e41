import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { MODULE_REQUIREMENTS } from "../modules/tools/terraform-module/build";
import { buildModulePackages, TERRAFORM_MODULES } from "../modules/tools/terraform-module/packages";
import { CDKTN_PACKAGE_NAME, cdktnManifest } from "../scripts/cdktn-package";
import { bindingsOf } from "./support/binding-schema";
import { FLAVOURS } from "./support/bindings-matrix";
import { PROVIDER6_CHANGES } from "./support/provider6-changes";
import { codeBlocksUnder } from "./support/readme";

// docs/compatibility.md's table, rebuilt here from what the packages declare, what the lock file installs, what the
// bindings were generated for and what the modules require: a change to any of them fails until the table says it.

const root = join(__dirname, "..");
const doc = readFileSync(join(root, "docs", "compatibility.md"), "utf8");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
const cdktn = cdktnManifest(pkg) as { peerDependencies: Record<string, string> };
const locked = (folder: string) => lock.packages[`node_modules/${folder}`].version as string;
const aws = (bindings: string) => bindingsOf(bindings).providerVersion;

/** The rows of the first markdown table under `heading`, cells unescaped. */
function tableUnder(heading: string): string[][] {
  const lines = doc.slice(doc.indexOf(`\n${heading}\n`)).split("\n");
  const first = lines.findIndex((l) => l.startsWith("|"));
  const end = lines.findIndex((l, i) => i > first && !l.startsWith("|"));
  const rows = lines.slice(first + 2, end); // after the header and its |---| line
  return rows.map((l) =>
    l
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, "|")),
  );
}

const peers = (name: string, declared: Record<string, string>, framework: string, provider: string) =>
  `\`${name}\`: \`${framework}\` \`${declared[framework]}\`, \`${provider}\` \`${declared[provider]}\``;
const proofs = (...entries: [string, string[]][]) =>
  entries.map(([kind, files]) => `${kind}: ${files.map((f) => `\`__tests__/${f}\``).join(", ")}`).join("; ");

const CDKTF = peers(pkg.name, pkg.peerDependencies, "cdktf", "@cdktf/provider-aws");
const CDKTN = peers(CDKTN_PACKAGE_NAME, cdktn.peerDependencies, "cdktn", "@cdktn/provider-aws");
const HCL = `\`${MODULE_REQUIREMENTS.aws.source}\` \`${MODULE_REQUIREMENTS.aws.version}\``;
const SYNTH = proofs(
  ["synth", ["bindings-matrix.int.test.ts", "npm-consumer-bindings.int.test.ts"]],
  ["schema check", ["provider6.test.ts"]],
);

const EXPECTED = [
  [
    "cdktf 0.21 + AWS provider 5",
    CDKTF,
    `cdktf ${locked("cdktf")}, @cdktf/provider-aws ${locked("@cdktf/provider-aws")} (AWS provider ${aws("@cdktf/provider-aws")})`,
    proofs(
      ["plan", ["plan.int.test.ts", "npm-consumer.int.test.ts"]],
      ["apply on the emulator", ["state.int.test.ts"]],
    ),
  ],
  [
    "cdktf 0.21 + AWS provider 6",
    CDKTF,
    `cdktf ${locked("cdktf")}, @cdktf/provider-aws ${locked("@cdktf/provider-aws-v21")} (AWS provider ${aws("@cdktf/provider-aws-v21")})`,
    SYNTH,
  ],
  [
    "cdktn 0.24 + AWS provider 6",
    CDKTN,
    `cdktn ${locked("cdktn")}, @cdktn/provider-aws ${locked("@cdktn/provider-aws")} (AWS provider ${aws("@cdktn/provider-aws")})`,
    SYNTH,
  ],
  [
    "HCL modules + AWS provider 5",
    HCL,
    `AWS provider ${aws("@cdktf/provider-aws")}`,
    proofs(["plan", ["terraform-modules.int.test.ts"]]),
  ],
  [
    "HCL modules + AWS provider 6",
    HCL,
    `AWS provider ${aws("@cdktf/provider-aws-v21")}, ${aws("@cdktn/provider-aws")} (schemas)`,
    proofs(["schema check", ["provider6.test.ts"]]),
  ],
];

describe("docs/compatibility.md", () => {
  it("has the table the packages, the lock file, the bindings and the modules imply", () => {
    expect(tableUnder("## The table")).toEqual(EXPECTED);
  });

  it("names only test files that exist, and the bindings tests cover both provider 6 setups", () => {
    const named = [...doc.matchAll(/`(__tests__\/[\w./-]+\.ts)`/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((file) => !existsSync(join(root, file)))).toEqual([]);
    const versions = Object.values(FLAVOURS).map((f) => aws(f.bindings));
    expect(versions).toEqual([aws("@cdktf/provider-aws-v21"), aws("@cdktn/provider-aws")]);
  });

  it("gives the HCL modules the range their required_providers declare", () => {
    for (const name of TERRAFORM_MODULES) {
      const versions = buildModulePackages(pkg.version)[name]["versions.tf"];
      expect(versions).toContain(`source  = "${MODULE_REQUIREMENTS.aws.source}"`);
      expect(versions).toContain(`version = "${MODULE_REQUIREMENTS.aws.version}"`);
    }
    expect(
      tableUnder("## The table")
        .filter((row) => row[0].startsWith("HCL"))
        .map((row) => row[1]),
    ).toEqual([HCL, HCL]);
  });

  it("lists every provider 6 change it checks", () => {
    for (const change of PROVIDER6_CHANGES)
      expect([
        change.type,
        doc.includes(`\`${change.kind === "data" ? "data." : ""}${change.type}`) &&
          doc.includes(`${change.argument}\``),
      ]).toEqual([change.type, true]);
  });

  it("installs each package with its declared peers", () => {
    const [sh] = codeBlocksUnder("## Installing each", "sh", doc);
    const lines = sh
      .trim()
      .split("\n")
      .map((l) => l.replace(/\s+#.*$/, ""));
    const install = (
      name: string,
      declared: Record<string, string>,
      framework: string,
      provider: string,
      range: string,
    ) =>
      `npm install ${name} ${framework}@${declared[framework]} constructs@${declared.constructs} ${provider}@${range}`;
    const [v20, v21] = (pkg.peerDependencies["@cdktf/provider-aws"] as string).split(" || ");
    expect(lines).toEqual([
      install(pkg.name, pkg.peerDependencies, "cdktf", "@cdktf/provider-aws", v20),
      install(pkg.name, pkg.peerDependencies, "cdktf", "@cdktf/provider-aws", v21),
      install(
        CDKTN_PACKAGE_NAME,
        cdktn.peerDependencies,
        "cdktn",
        "@cdktn/provider-aws",
        cdktn.peerDependencies["@cdktn/provider-aws"],
      ),
    ]);
  });
});
