import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { synthesizedStacks } from "../modules/pipeline/plan";
import { importedModules, installedCopies } from "./support/consumer";
import { codeBlocksUnder } from "./support/readme";
import {
  CommandRun,
  LocalServer,
  localNpmrc,
  NetworkJail,
  npmCacheDir,
  npmEnvironment,
  openJail,
  runIn,
  startLockMirror,
  startVerdaccio,
} from "./support/npm-registry";
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
const consumerDevDeps = Object.fromEntries(
  ["typescript", "tsx", "@types/node"].map((name) => [name, pkg.devDependencies[name] as string]),
);
/** Generous: every step is far faster, but the machine may be busy (2 cores shared with other runs). */
const STEP_MS = 600_000;

function ok(run: CommandRun, what: string): CommandRun {
  if (run.code !== 0)
    throw new Error(`${what} failed (exit ${run.code}):\n${run.stderr.trim()}\n${run.stdout.trim()}`.slice(0, 6000));
  return run;
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

describeWithTerraform("the npm package, published to a local registry and used by a fresh consumer", (toolchain) => {
  let tmp: string;
  let jail: NetworkJail;
  let registry: LocalServer | undefined;
  let mirror: LocalServer | undefined;
  let npmEnv: NodeJS.ProcessEnv;
  let cache: string;
  let tarball: string;
  let consumer: string;
  const timings: Record<string, number> = {};

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "npm-consumer-"));
    jail = openJail();
    cache = npmCacheDir();
    writeFileSync(join(tmp, "npmrc"), localNpmrc(undefined, join(tmp, "npm-logs"))); // registries come later
    npmEnv = npmEnvironment(tmp, join(tmp, "npmrc"), cache);
  });

  afterAll(async () => {
    await registry?.stop();
    await mirror?.stop();
    jail.close();
    rmSync(tmp, { recursive: true, force: true });
    process.stdout.write(
      `npm consumer test, seconds per step (own network namespace: ${jail.isolated}): ${JSON.stringify(timings)}\n`,
    );
  }, STEP_MS);

  it(
    "packs only the built library, its README and changelog",
    async () => {
      const run = ok(await runIn(jail, ["npm", "pack", "--json", "--pack-destination", tmp], root, npmEnv), "npm pack");
      timings.pack = run.seconds;
      const [packed] = JSON.parse(run.stdout.slice(run.stdout.indexOf("["))) as {
        filename: string;
        size: number;
        files: { path: string }[];
      }[];
      tarball = join(tmp, packed.filename);
      const paths = packed.files.map((f) => f.path);
      expect(paths.filter((p) => !/^dist\/modules\/.+\.(js|d\.ts)$/.test(p)).sort()).toEqual([
        "CHANGELOG.md",
        "LICENSE",
        "README.md",
        "package.json",
      ]);
      expect(paths).toEqual(expect.arrayContaining([pkg.main, pkg.types]));
      expect(paths.filter((p) => /(__tests__|\.test\.|bench|scripts|config\/environments)/.test(p))).toEqual([]);
    },
    STEP_MS,
  );

  it(
    "publishes the tarball to verdaccio on 127.0.0.1",
    async () => {
      let started = process.hrtime.bigint();
      registry = await startVerdaccio(jail, join(tmp, "verdaccio"), npmEnv, STEP_MS / 3);
      timings.verdaccioStart = seconds(started);
      started = process.hrtime.bigint();
      mirror = await startLockMirror(jail, cache, npmEnv, STEP_MS / 3);
      timings.mirrorStart = seconds(started);
      writeFileSync(join(tmp, "npmrc"), localNpmrc(mirror.url, join(tmp, "npm-logs"), registry.url));
      timings.publish = ok(
        await runIn(jail, ["npm", "publish", tarball, "--registry", registry.url], tmp, npmEnv),
        "npm publish",
      ).seconds;
      const view = ok(
        await runIn(
          jail,
          ["npm", "view", `${pkg.name}@${pkg.version}`, "dist.tarball", "--registry", registry.url],
          tmp,
          npmEnv,
        ),
        "npm view",
      );
      expect(view.stdout.trim()).toBe(`${registry.url}${pkg.name}/-/${tarballName}`);
    },
    STEP_MS,
  );

  it(
    "installs in a fresh consumer: the package from the registry, one copy of each peer, the consumer's own",
    async () => {
      if (registry === undefined || mirror === undefined) throw new Error("no registry: the publish step failed");
      consumer = join(tmp, "consumer");
      mkdirSync(consumer);
      writeFileSync(
        join(consumer, "package.json"),
        JSON.stringify(
          { name: "consumer", version: "1.0.0", private: true, devDependencies: consumerDevDeps },
          null,
          2,
        ),
      );
      // As the README tells: route the package's scope to the private registry, install the package with its peers.
      writeFileSync(join(consumer, ".npmrc"), `${scope}:registry=${registry.url}\n`);
      const specs = [pkg.name, ...Object.entries(consumerDeps).map(([name, version]) => `${name}@${version}`)];
      timings.install = ok(
        await runIn(jail, ["npm", "install", ...specs, "--no-audit", "--no-fund"], consumer, npmEnv),
        "consumer npm install",
      ).seconds;
      const lock = JSON.parse(readFileSync(join(consumer, "package-lock.json"), "utf8"));
      expect(lock.packages[`node_modules/${pkg.name}`].resolved).toBe(`${registry.url}${pkg.name}/-/${tarballName}`);
      const ls = ok(await runIn(jail, ["npm", "ls", "--all", "--json", "--long"], consumer, npmEnv), "npm ls");
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
      writeFileSync(join(consumer, "main.ts"), example);
      const tsconfig = {
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
      writeFileSync(join(consumer, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
      timings.tsc = ok(
        await runIn(jail, [join(consumer, "node_modules", ".bin", "tsc"), "-p", "."], consumer, npmEnv),
        "tsc in the consumer",
      ).seconds;
    },
    STEP_MS,
  );

  it(
    "synthesizes it with the consumer's own cdktf",
    async () => {
      const env = { ...npmEnv, CDKTF_OUTDIR: join(consumer, "cdktf.out") };
      timings.synth = ok(
        await runIn(jail, [process.execPath, "--import", "tsx", "main.ts"], consumer, env),
        "synth of the README example",
      ).seconds;
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
