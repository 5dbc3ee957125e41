import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "..");

describe("the published package", () => {
  it("exports the constructs and checks from one entry point without loading the provider package's root", () => {
    const probe = `
      const api = require("./modules/index.ts");
      const loaded = Object.keys(require.cache);
      console.log(JSON.stringify({
        exports: ["Network", "EnvironmentStack", "Bastion", "StateBootstrapStack", "planNetwork", "validateConfig", "applyRules", "checkSynth", "checkPlan", "planApp"].filter((k) => k in api),
        providerRoot: loaded.some((f) => /@cdktf[\\\\/]provider-aws[\\\\/]lib[\\\\/]index\\.js$/.test(f)),
      }));`;
    const run = spawnSync("node", ["--import", "tsx", "-e", probe], { cwd: root, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({
      exports: [
        "Network",
        "EnvironmentStack",
        "Bastion",
        "StateBootstrapStack",
        "planNetwork",
        "validateConfig",
        "applyRules",
        "checkSynth",
        "checkPlan",
        "planApp",
      ],
      providerRoot: false,
    });
  });

  it("points main and types at what `npm run build` emits for modules/index.ts", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    const build = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8")).compilerOptions;
    expect(pkg.main).toBe(join(build.outDir, "modules", "index.js"));
    expect(pkg.types).toBe(join(build.outDir, "modules", "index.d.ts"));
    expect(pkg.scripts.prepack).toBe("npm run build");
  });
});
