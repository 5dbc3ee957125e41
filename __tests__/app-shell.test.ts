import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSettings, SettingError } from "../app/settings";
import { rawWorkshop } from "./support/config";
import { run, SLOW_PROCESS_MS } from "./support/shell";

// The app shell (main.ts and app/): `npm run synth` runs the app directly, prints each problem once and plainly,
// exits 1 (2 for a bad setting) and writes nothing. The same through cdktf-cli: app-shell-cdktf-cli.int.test.ts.

describe("app settings", () => {
  it("reads the environment variables the app shell owns", () => {
    expect(readSettings({}, "/app")).toEqual({
      environmentsFile: "/app/config/environments.json",
      outdir: "cdktf.out",
      stateBootstrapLocal: false,
      terraformBinary: undefined,
      pluginMirror: undefined,
      placeholders: "warn",
      tokenCreationTraces: false,
      runByCdktfCli: false,
    });
    expect(
      readSettings(
        {
          ENVIRONMENTS_FILE: "/x.json",
          CDKTF_OUTDIR: "/out",
          STATE_BOOTSTRAP: "local",
          TERRAFORM_BINARY: "/tf",
          TF_PLUGIN_MIRROR: "/m",
          ACCEPT_PLACEHOLDERS: "1",
          REFUSE_PLACEHOLDERS: "1",
          TOKEN_CREATION_TRACES: "1",
          CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true",
        },
        "/app",
      ),
    ).toEqual({
      environmentsFile: "/x.json",
      outdir: "/out",
      stateBootstrapLocal: true,
      terraformBinary: "/tf",
      pluginMirror: "/m",
      placeholders: "accept",
      tokenCreationTraces: true,
      runByCdktfCli: true,
    });
    expect(readSettings({ REFUSE_PLACEHOLDERS: "1" }, "/app").placeholders).toBe("refuse");
  });

  it("refuses a STATE_BOOTSTRAP or placeholder setting it does not know, saying what it accepts", () => {
    expect(() => readSettings({ STATE_BOOTSTRAP: "yes" }, "/app")).toThrow(
      new SettingError("STATE_BOOTSTRAP", "yes", `"local" (phase 1 of the state bootstrap) or unset`),
    );
    expect(() => readSettings({ ACCEPT_PLACEHOLDERS: "true" }, "/app")).toThrow(
      new SettingError("ACCEPT_PLACEHOLDERS", "true", `"1" or unset`),
    );
  });
});

describe("npm run synth", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "synth-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (text: string) => (
    writeFileSync(join(dir, "environments.json"), text),
    join(dir, "environments.json")
  );
  const synth = (env: NodeJS.ProcessEnv) =>
    run("npm", ["run", "--silent", "synth"], { CDKTF_OUTDIR: join(dir, "out"), ...env });

  it(
    "prints each config problem once, plainly, exits 1 and writes nothing",
    () => {
      const env = { ...rawWorkshop(), vpcCidr: "192.168.8.0/33", azs: ["ap-northeast-2a", "us-east-1b"] };
      const result = synth({ ENVIRONMENTS_FILE: config(JSON.stringify({ environments: [env] })) });
      expect(result.status).toBe(1);
      expect(result.stdout).toBe("");
      const lines = result.stderr.trim().split("\n");
      expect(lines[0]).toMatch(/environments\.json has 2 problem\(s\):$/);
      expect(lines.filter((l) => l.includes('vpcCidr = "192.168.8.0/33"'))).toHaveLength(1);
      expect(lines.filter((l) => l.includes('azs[1] = "us-east-1b"'))).toHaveLength(1);
      expect(result.stderr).not.toMatch(/cdktf encountered|\[ERROR\]|CLI configuration/);
      expect(existsSync(join(dir, "out"))).toBe(false);
    },
    SLOW_PROCESS_MS,
  );

  it(
    "shows a JSON syntax error as file:line:column with the line and a caret",
    () => {
      const file = config('{\n  "environments": [\n    { "name": workshop }\n  ]\n}\n');
      const result = synth({ ENVIRONMENTS_FILE: file });
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(
        `${file}:3:15: invalid JSON: expected a JSON value (strings need double quotes), not workshop\n      { "name": workshop }\n                ^\n`,
      );
      expect(existsSync(join(dir, "out"))).toBe(false);
    },
    SLOW_PROCESS_MS,
  );

  it(
    "exits 2 on a bad setting (a usage error)",
    () => {
      const result = synth({ STATE_BOOTSTRAP: "yes" });
      expect(result.status).toBe(2);
      expect(result.stderr).toBe('STATE_BOOTSTRAP="yes": expected "local" (phase 1 of the state bootstrap) or unset\n');
      expect(existsSync(join(dir, "out"))).toBe(false);
    },
    SLOW_PROCESS_MS,
  );

  it(
    "leaves no empty output dir behind when a guardrail fails",
    () => {
      const { backend: _backend, ...withoutBackend } = rawWorkshop();
      const result = synth({ ENVIRONMENTS_FILE: config(JSON.stringify({ environments: [withoutBackend] })) });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/guardrail remote-state/);
      expect(existsSync(join(dir, "out"))).toBe(false);
    },
    SLOW_PROCESS_MS,
  );

  it(
    "keeps what terraform left in a stack's dir, and a failing run changes nothing of the last output",
    () => {
      expect(synth({}).status).toBe(0);
      const stackDir = join(dir, "out", "stacks", "workshop");
      writeFileSync(join(stackDir, "terraform.tfstate"), '{"serial": 7}');
      const lastGood = readFileSync(join(stackDir, "cdk.tf.json"), "utf8");
      const { backend: _backend, ...withoutBackend } = rawWorkshop();
      const failing = synth({ ENVIRONMENTS_FILE: config(JSON.stringify({ environments: [withoutBackend] })) });
      expect(failing.status).toBe(1);
      expect(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")).toBe(lastGood);
      expect(synth({}).status).toBe(0);
      expect(readFileSync(join(stackDir, "terraform.tfstate"), "utf8")).toBe('{"serial": 7}');
    },
    SLOW_PROCESS_MS,
  );

  it(
    "writes the manifest and every stack, and removes stacks no longer in the config, as cdktf synth does",
    () => {
      mkdirSync(join(dir, "out", "stacks", "gone"), { recursive: true });
      writeFileSync(join(dir, "out", "stacks", "gone", "cdk.tf.json"), "{}");
      const result = synth({});
      // The default config's placeholders are named (default-config.test.ts), and nothing else goes to stderr.
      expect(result.stderr).toMatch(/^warning: 4 placeholder\(s\)[^\n]*\n(  - [^\n]*\n){4}$/);
      expect(result.status).toBe(0);
      const manifest = JSON.parse(readFileSync(join(dir, "out", "manifest.json"), "utf8"));
      // It says what it wrote: each stack with its resource count, as on disk, and the next command.
      const count = (stack: string) =>
        Object.values(
          JSON.parse(readFileSync(join(dir, "out", "stacks", stack, "cdk.tf.json"), "utf8")).resource as object,
        ).reduce((n: number, byName: object) => n + Object.keys(byName).length, 0);
      expect(result.stdout).toBe(
        [
          `wrote 2 stack(s) to ${join(dir, "out", "stacks")}:`,
          `  state-change-me-workshop-tfstate  ${count("state-change-me-workshop-tfstate")} resources`,
          `  workshop                          ${count("workshop")} resources`,
          "next: npm run plan -- --offline (a terraform plan with no AWS account), npm test, or ./help for every command",
          "",
        ].join("\n"),
      );
      expect(Object.keys(manifest.stacks).sort()).toEqual(["state-change-me-workshop-tfstate", "workshop"]);
      expect(readdirSync(join(dir, "out", "stacks")).sort()).toEqual(["state-change-me-workshop-tfstate", "workshop"]);
    },
    SLOW_PROCESS_MS,
  );
});
