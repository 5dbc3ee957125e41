import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { synthesizedStacks } from "../modules/tools/pipeline/plan";
import {
  CONSUMER_TSCONFIG,
  importedModules,
  installedCopies,
  SHIPPED_BESIDE_THE_LIBRARY,
  shippedBesideTheLibrary,
} from "./support/consumer";
import { codeBlocksUnder, docPage } from "./support/readme";
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
/** The tools' packages: optional peers, which a consumer of the constructs alone never installs. */
const toolPeers = Object.keys(pkg.peerDependenciesMeta);
/** The consumer's own versions of the required peers: the ones this project pins, so they are in the npm cache. */
const consumerDeps = Object.fromEntries(
  Object.keys(pkg.peerDependencies)
    .filter((name) => !toolPeers.includes(name))
    .map((name) => [name, pkg.devDependencies[name] as string]),
);
/** A consumer's use of the tools entry: it draws its synthesized stack and writes the CI workflow. */
const TOOLS_APP = `import { readFileSync, writeFileSync } from "node:fs";
import { readInventory, renderSvg, renderWorkflow, synthesizedStacks, TerraformJson, toDot } from "${pkg.name}/tools";

const [stack] = synthesizedStacks("cdktf.out");
const json = JSON.parse(readFileSync(\`\${stack.dir}/cdk.tf.json\`, "utf8")) as TerraformJson;
const inventory = readInventory(json);
writeFileSync("workflow.yml", renderWorkflow());
void renderSvg(toDot(inventory)).then((svg) => {
  writeFileSync("diagram.svg", svg);
  console.log(JSON.stringify({ stack: stack.name, subnets: inventory.subnets.length }));
});
`;
/** The tools entry without its optional peers: it loads, and the tool that needs one says which to install. */
const MISSING_PEER_APP = `import { renderSvg } from "${pkg.name}/tools";

renderSvg("digraph { a -> b }").then(
  () => console.log("rendered"),
  (error: Error) => console.log(error.message),
);
`;
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
      const packed = await sandbox.packProject();
      timings.pack = packed.seconds;
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
      // A library-only consumer installs none of the tools' packages.
      expect(toolPeers.length).toBeGreaterThan(0);
      for (const peer of toolPeers) expect({ peer, copies: installedCopies(tree, peer) }).toEqual({ peer, copies: [] });
      expect(
        Object.keys(lock.packages).filter((path) => toolPeers.some((p) => path.endsWith(`node_modules/${p}`))),
      ).toEqual([]);
    },
    STEP_MS,
  );

  it(
    "compiles the README's library example (strict TypeScript)",
    async () => {
      const [example] = codeBlocksUnder("## Using the modules as a library", "ts");
      if (example === undefined) throw new Error('README has no ts block under "## Using the modules as a library"');
      expect(importedModules(example)).toContain(pkg.name);
      expect(importedModules(example).filter((m) => m.startsWith(`${pkg.name}/`))).toEqual([]); // the main entry only
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

  it(
    "loads the tools entry without the optional peers; a tool that needs one names the package to install",
    async () => {
      writeFileSync(join(consumer, "missing-peer.ts"), MISSING_PEER_APP);
      const run = await sandbox.run(
        [process.execPath, "--import", "tsx", "missing-peer.ts"],
        consumer,
        "the tools entry without its peers",
      );
      expect(run.stdout.trim()).toBe(
        'renderSvg needs the package "@viz-js/viz", an optional peer dependency that is not installed: run `npm install @viz-js/viz`',
      );
    },
    STEP_MS,
  );

  it(
    "installs the optional peers as docs/publishing.md says, then draws the stack and writes the workflow with the tools entry",
    async () => {
      const [command] = codeBlocksUnder("## Using the package from npm", "sh", docPage("publishing"))
        .flatMap((block) => block.split("\n"))
        .map((line) => line.replace(/#.*$/, "").trim())
        .filter((line) => toolPeers.every((peer) => line.includes(peer)));
      if (command === undefined)
        throw new Error("docs/publishing.md gives no command installing the tools' optional peers");
      timings.toolsInstall = (
        await sandbox.run([...command.split(/\s+/), "--no-audit", "--no-fund"], consumer, "npm install of the peers")
      ).seconds;
      const tree = JSON.parse(
        (await sandbox.run(["npm", "ls", "--all", "--json", "--long"], consumer, "npm ls")).stdout,
      );
      for (const peer of toolPeers)
        expect({ peer, copies: installedCopies(tree, peer).length }).toEqual({ peer, copies: 1 });
      writeFileSync(join(consumer, "tools.ts"), TOOLS_APP);
      // Old module resolution finds `/tools` through typesVersions, node16 through exports.
      for (const resolution of ["node", "node16"]) {
        const options = { ...CONSUMER_TSCONFIG.compilerOptions, moduleResolution: resolution };
        const tsconfig = {
          compilerOptions: resolution === "node" ? options : { ...options, module: "node16" },
          include: ["tools.ts"],
        };
        writeFileSync(join(consumer, `tsconfig.tools-${resolution}.json`), JSON.stringify(tsconfig, null, 2));
        await sandbox.run(
          [join(consumer, "node_modules", ".bin", "tsc"), "-p", `tsconfig.tools-${resolution}.json`],
          consumer,
          `tsc (moduleResolution ${resolution}) of the tools app`,
        );
      }
      const run = await sandbox.run([process.execPath, "--import", "tsx", "tools.ts"], consumer, "the tools app");
      const drawn = JSON.parse(run.stdout) as { stack: string; subnets: number };
      expect(drawn.stack).toBe(synthesizedStacks(join(consumer, "cdktf.out"))[0].name);
      expect(drawn.subnets).toBeGreaterThan(0);
      expect(readFileSync(join(consumer, "diagram.svg"), "utf8")).toMatch(/<svg[\s\S]*<\/svg>\s*$/);
      expect(readFileSync(join(consumer, "workflow.yml"), "utf8")).toMatch(/^jobs:/m);
    },
    STEP_MS,
  );
});
