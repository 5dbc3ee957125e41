import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { synthesizedStacks } from "../modules/tools/pipeline/plan";
import { CDKTN_RENAMES, renameImports, Renames } from "../scripts/bindings";
import { buildCdktnPackage, CDKTN_PACKAGE_NAME } from "../scripts/cdktn-package";
import { bindingsOf } from "./support/binding-schema";
import {
  importedModules,
  installedCopies,
  SHIPPED_BESIDE_THE_LIBRARY,
  shippedBesideTheLibrary,
} from "./support/consumer";
import { ConsumerSandbox } from "./support/npm-registry";
import { codeBlocksUnder } from "./support/readme";

// The users beside today's (cdktf 0.21 + @cdktf/provider-aws 20.x, npm-consumer.int.test.ts): a cdktf project on AWS
// provider 6 (@cdktf/provider-aws 21.x) installs @secure-aws-env/cdktf, and a cdktn project installs
// @secure-aws-env/cdktn. Both packages are published to verdaccio on 127.0.0.1; everything else comes from the stand-in
// for the public registry that serves this project's lock file. Each consumer compiles the README's library example
// (for cdktn with its imports renamed, as the README tells) and synthesizes it with exactly one copy of its framework.

const root = resolve(__dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
/** The version the lock file holds at `node_modules/<folder>` (an alias folder holds its real package). */
const locked = (folder: string) => lock.packages[`node_modules/${folder}`].version as string;
/** Generous: every step is far faster, but the machine may be busy (2 cores shared with other runs). */
const STEP_MS = 600_000;

interface Consumer {
  readonly package: string;
  /** Its own framework, provider bindings and constructs, at versions the lock file holds. */
  readonly deps: Readonly<Record<string, string>>;
  readonly framework: string;
  /** The bindings installed here that its provider package equals (for the AWS provider version it pins). */
  readonly bindings: string;
  /** What the consumer writes instead of the README example's imports. */
  readonly renames: Renames;
  /** Packages that must not be installed at all. */
  readonly absent: readonly string[];
}

const CONSUMERS: Readonly<Record<string, Consumer>> = {
  "cdktf 0.21 + @cdktf/provider-aws 21.x": {
    package: pkg.name,
    deps: {
      cdktf: locked("cdktf"),
      constructs: locked("constructs"),
      "@cdktf/provider-aws": locked("@cdktf/provider-aws-v21"),
    },
    framework: "cdktf",
    bindings: "@cdktf/provider-aws-v21",
    renames: {},
    absent: ["cdktn", "@cdktn/provider-aws"],
  },
  "cdktn 0.24 + @cdktn/provider-aws 25.x": {
    package: CDKTN_PACKAGE_NAME,
    deps: {
      cdktn: locked("cdktn"),
      constructs: locked("constructs-v107"),
      "@cdktn/provider-aws": locked("@cdktn/provider-aws"),
    },
    framework: "cdktn",
    bindings: "@cdktn/provider-aws",
    renames: { ...CDKTN_RENAMES, [pkg.name]: CDKTN_PACKAGE_NAME },
    absent: ["cdktf", "@cdktf/provider-aws"],
  },
};

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("the npm packages for provider 6 and for cdktn, published to a local registry and used by fresh consumers", () => {
  let sandbox: ConsumerSandbox;
  let timings: Record<string, number>;
  const tarballs: string[] = [];

  beforeAll(() => {
    sandbox = new ConsumerSandbox("npm consumer test (provider 6, cdktn)", "npm-consumer-bindings-");
    timings = sandbox.timings;
  });

  afterAll(() => sandbox.close(), STEP_MS);

  it(
    "builds both packages from the same sources: the cdktn one imports cdktn and its provider, never cdktf's",
    async () => {
      let started = process.hrtime.bigint();
      const out = join(sandbox.tmp, "cdktn-package");
      buildCdktnPackage(out);
      timings.buildCdktn = seconds(started);
      const imported = filesUnder(join(out, "dist", "modules"))
        .filter((f) => f.endsWith(".js"))
        .flatMap((f) => [...readFileSync(f, "utf8").matchAll(/require\("([^".][^"]*)"\)/g)].map((m) => m[1]))
        .filter((s) => !s.startsWith("node:"));
      const packages = new Set(
        imported.map((s) =>
          s
            .split("/")
            .slice(0, s.startsWith("@") ? 2 : 1)
            .join("/"),
        ),
      );
      const allowed = [
        "cdktn",
        "@cdktn/provider-aws",
        "constructs",
        ...Object.keys(pkg.dependencies),
        ...Object.keys(pkg.peerDependenciesMeta),
      ];
      expect([...packages].filter((p) => !allowed.includes(p))).toEqual([]);
      expect([...packages]).toEqual(expect.arrayContaining(["cdktn", "@cdktn/provider-aws", "constructs"]));
      started = process.hrtime.bigint();
      for (const packing of [() => sandbox.packProject(), () => sandbox.pack(out)]) {
        const { tarball, files } = await packing();
        expect(shippedBesideTheLibrary(files)).toEqual(SHIPPED_BESIDE_THE_LIBRARY);
        tarballs.push(tarball);
      }
      timings.pack = seconds(started);
    },
    STEP_MS,
  );

  it(
    "publishes both to verdaccio on 127.0.0.1, each with its own peers",
    async () => {
      const started = process.hrtime.bigint();
      const { registry } = await sandbox.startRegistries(STEP_MS / 3);
      for (const tarball of tarballs)
        await sandbox.run(["npm", "publish", tarball, "--registry", registry.url], sandbox.tmp, "npm publish");
      timings.publish = seconds(started);
      const optional = Object.keys(pkg.peerDependenciesMeta);
      for (const [name, peers] of [
        [pkg.name, ["@cdktf/provider-aws", "cdktf", "constructs", ...optional].sort()],
        [CDKTN_PACKAGE_NAME, ["@cdktn/provider-aws", "cdktn", "constructs", ...optional].sort()],
      ] as const) {
        const argv = [
          "npm",
          "view",
          `${name}@${pkg.version}`,
          "peerDependencies",
          "--json",
          "--registry",
          registry.url,
        ];
        const view = await sandbox.run(argv, sandbox.tmp, "npm view");
        expect(Object.keys(JSON.parse(view.stdout)).sort()).toEqual(peers);
      }
    },
    STEP_MS,
  );

  describe.each(Object.entries(CONSUMERS))("a fresh %s project", (label, consumer) => {
    let project: string;

    it(
      "installs the package with its own peers: one copy of each, nothing of the other framework",
      async () => {
        project = sandbox.newConsumer(label.replace(/[^a-z0-9]+/gi, "-"), pkg.name.split("/")[0]);
        const specs = [
          consumer.package,
          ...Object.entries(consumer.deps).map(([name, version]) => `${name}@${version}`),
        ];
        const install = ["npm", "install", ...specs, "--no-audit", "--no-fund"];
        timings[`${consumer.framework}Install`] = (await sandbox.run(install, project, "consumer npm install")).seconds;
        const installed = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8"));
        expect(installed.packages[`node_modules/${consumer.package}`].resolved).toMatch(
          new RegExp(`^${sandbox.registry?.url}`),
        );
        const ls = await sandbox.run(["npm", "ls", "--all", "--json", "--long"], project, "npm ls");
        const tree = JSON.parse(ls.stdout);
        for (const [name, version] of Object.entries(consumer.deps))
          expect({ name, copies: installedCopies(tree, name) }).toEqual({
            name,
            copies: [`${version} at ${join(project, "node_modules", name)}`],
          });
        for (const name of consumer.absent)
          expect({ name, copies: installedCopies(tree, name) }).toEqual({ name, copies: [] });
      },
      STEP_MS,
    );

    it(
      "compiles the README's library example (strict TypeScript)",
      async () => {
        const [example] = codeBlocksUnder("## Using the modules as a library", "ts");
        if (example === undefined) throw new Error('README has no ts block under "## Using the modules as a library"');
        const source = renameImports(example, consumer.renames);
        expect(importedModules(source)).toEqual(expect.arrayContaining([consumer.package, consumer.framework]));
        timings[`${consumer.framework}Tsc`] = (await sandbox.compile(project, source)).seconds;
      },
      STEP_MS,
    );

    it(
      "synthesizes it with its own framework, pinning the AWS provider 6 version of its bindings",
      async () => {
        timings[`${consumer.framework}Synth`] = (await sandbox.synth(project)).seconds;
        const stacks = synthesizedStacks(join(project, "cdktf.out"));
        expect(stacks.map((s) => s.name)).toEqual(["prod"]);
        const json = JSON.parse(readFileSync(join(stacks[0].dir, "cdk.tf.json"), "utf8"));
        expect(json.terraform.required_providers.aws.version).toBe(bindingsOf(consumer.bindings).providerVersion);
        expect(json.terraform.required_providers.aws.version).toMatch(/^6\./);
        expect(Object.keys(json.resource).length).toBeGreaterThan(10);
      },
      STEP_MS,
    );
  });
});
