import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { synthesizedStacks } from "../modules/tools/pipeline/plan";
import {
  importedModules,
  installedCopies,
  SHIPPED_BESIDE_THE_LIBRARY,
  shippedBesideTheLibrary,
} from "./support/consumer";
import { codeBlocksUnder } from "./support/readme";
import { ConsumerSandbox } from "./support/npm-registry";
import { describeWithTerraform } from "./support/terraform";
import { planAppShared } from "./support/shared-plans";

// A fresh consumer project installs the package from a private registry (verdaccio on 127.0.0.1, no uplinks) and
// its other dependencies from a stand-in for the public registry that serves this project's lock file out of the npm
// cache that `npm ci` filled, then compiles, synthesizes and plans the README's library example. Each slow step is
// its own test; the steps share what they made.

const root = resolve(__dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const scope = (pkg.name as string).split("/")[0];
const tarballName = `${(pkg.name as string).split("/")[1]}-${pkg.version}.tgz`;
/** The consumer's own versions of the peers and tools: the ones this project pins, so they are in the npm cache. */
const consumerDeps = Object.fromEntries(
  Object.keys(pkg.peerDependencies).map((name) => [name, pkg.devDependencies[name] as string]),
);
/** Generous: every step is far faster, but the machine may be busy (2 cores shared with other runs). */
const STEP_MS = 600_000;

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

describeWithTerraform("the npm package, published to a local registry and used by a fresh consumer", (toolchain) => {
  let sandbox: ConsumerSandbox;
  let timings: Record<string, number>;
  let tarball: string;
  let consumer: string;

  beforeAll(() => {
    sandbox = new ConsumerSandbox("npm consumer test", "npm-consumer-");
    timings = sandbox.timings;
  });

  afterAll(() => sandbox.close(), STEP_MS);

  it(
    "packs only the built library, its README with the docs and examples it links to, and its changelog",
    async () => {
      const packed = await sandbox.pack(root);
      timings.pack = packed.run.seconds;
      tarball = packed.tarball;
      const paths = packed.files;
      expect(shippedBesideTheLibrary(paths)).toEqual(SHIPPED_BESIDE_THE_LIBRARY);
      expect(paths).toEqual(expect.arrayContaining([pkg.main, pkg.types]));
      expect(paths.filter((p) => /(__tests__|\.test\.|bench|scripts|config\/environments)/.test(p))).toEqual([]);
    },
    STEP_MS,
  );

  it(
    "publishes the tarball to verdaccio on 127.0.0.1",
    async () => {
      const started = process.hrtime.bigint();
      const { registry } = await sandbox.startRegistries(STEP_MS / 3);
      timings.registriesStart = seconds(started);
      timings.publish = (
        await sandbox.run(["npm", "publish", tarball, "--registry", registry.url], sandbox.tmp, "npm publish")
      ).seconds;
      const view = await sandbox.run(
        ["npm", "view", `${pkg.name}@${pkg.version}`, "dist.tarball", "--registry", registry.url],
        sandbox.tmp,
        "npm view",
      );
      expect(view.stdout.trim()).toBe(`${registry.url}${pkg.name}/-/${tarballName}`);
    },
    STEP_MS,
  );

  it(
    "installs in a fresh consumer: the package from the registry, one copy of each peer, the consumer's own",
    async () => {
      consumer = sandbox.newConsumer("consumer", scope);
      const specs = [pkg.name, ...Object.entries(consumerDeps).map(([name, version]) => `${name}@${version}`)];
      timings.install = (
        await sandbox.run(["npm", "install", ...specs, "--no-audit", "--no-fund"], consumer, "consumer npm install")
      ).seconds;
      const lock = JSON.parse(readFileSync(join(consumer, "package-lock.json"), "utf8"));
      expect(lock.packages[`node_modules/${pkg.name}`].resolved).toBe(
        `${sandbox.registry?.url}${pkg.name}/-/${tarballName}`,
      );
      const ls = await sandbox.run(["npm", "ls", "--all", "--json", "--long"], consumer, "npm ls");
      const tree = JSON.parse(ls.stdout);
      for (const peer of Object.keys(consumerDeps)) {
        expect({ peer, copies: installedCopies(tree, peer) }).toEqual({
          peer,
          copies: [`${consumerDeps[peer]} at ${join(consumer, "node_modules", peer)}`],
        });
      }
    },
    STEP_MS,
  );

  it(
    "compiles the README's library example (strict TypeScript)",
    async () => {
      const [example] = codeBlocksUnder("## Using the modules as a library", "ts");
      if (example === undefined) throw new Error('README has no ts block under "## Using the modules as a library"');
      expect(importedModules(example)).toContain(pkg.name);
      timings.tsc = (await sandbox.compile(consumer, example)).seconds;
    },
    STEP_MS,
  );

  it(
    "synthesizes it with the consumer's own cdktf",
    async () => {
      timings.synth = (await sandbox.synth(consumer)).seconds;
      expect(synthesizedStacks(join(consumer, "cdktf.out")).length).toBeGreaterThan(0);
    },
    STEP_MS,
  );

  it(
    "plans it offline: every synthesized resource is planned to be created",
    async () => {
      const started = process.hrtime.bigint();
      const plans = await planAppShared(
        { outdir: join(consumer, "cdktf.out") },
        { toolchain: toolchain(), mode: "offline" },
      );
      timings.plan = seconds(started);
      for (const stack of synthesizedStacks(join(consumer, "cdktf.out"))) {
        const json = JSON.parse(readFileSync(join(stack.dir, "cdk.tf.json"), "utf8")) as {
          resource?: Record<string, Record<string, unknown>>;
        };
        const synthesized = Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
          Object.keys(byName).map((name) => `${type}.${name}`),
        );
        const plan = plans.find((p) => p.stack === stack.name)?.plan;
        const created = (plan?.resource_changes ?? [])
          .filter((c) => c.change.actions.join() === "create")
          .map((c) => c.address);
        expect(synthesized.length).toBeGreaterThan(0);
        expect(created.sort()).toEqual(synthesized.sort());
      }
    },
    STEP_MS,
  );
});
