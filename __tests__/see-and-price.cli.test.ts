import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { loadStacks } from "../scripts/synthesized";

// `npm run diagram` and `npm run cost` end to end: each command is its own process, so each test its own timeout.
const root = resolve(__dirname, "..");
const SLOW = 120_000;
let scratch: string;
let synthesized: string;

function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync("node", ["--require", "./app/register-ts.js", `scripts/${script}.ts`, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1", CDKTF_OUTDIR: join(scratch, "out"), ...env },
  });
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "see-and-price-"));
  synthesized = join(scratch, "out");
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("npm run cost", () => {
  it(
    "synthesizes the app and prints every stack's estimate, total and NAT-mode comparison",
    () => {
      const result = run("cost", []);
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(result.stdout).toContain("workshop (ap-northeast-2): monthly estimate, USD");
      expect(result.stdout).toMatch(/\n {2}total +\$93\.66\n/);
      expect(result.stdout).toMatch(/single \(this stack\) .* \$47\.31 +\$93\.66/);
      expect(result.stdout).toContain("state-change-me-workshop-tfstate (ap-northeast-2)");
      expect(existsSync(join(synthesized, "manifest.json"))).toBe(true);
    },
    SLOW,
  );

  it(
    "--json --from --stack and every assumption flag: JSON of one stack of an app synthesized before",
    () => {
      const args = [
        "--json",
        "--from",
        synthesized,
        "--stack",
        "workshop",
        "--hours",
        "100",
        "--nat-traffic-gb",
        "0",
        "--flow-log-gb",
        "3",
        "--root-volume-gib",
        "20",
        "--endpoint-traffic-gb",
        "5",
      ];
      const result = run("cost", args, { CDKTF_OUTDIR: join(scratch, "unused") });
      expect(result.status).toBe(0);
      const parsed = JSON.parse(result.stdout);
      expect(parsed).toHaveLength(1);
      expect(parsed[0]).toMatchObject({ stack: "workshop", region: "ap-northeast-2", unpriced: 0 });
      expect(parsed[0].assumptions).toEqual({
        hoursPerMonth: 100,
        natTrafficGb: 0,
        flowLogGb: 3,
        rootVolumeGiB: 20,
        albLcus: 1,
        endpointTrafficGb: 5,
      });
      expect(parsed[0].totalMonthly).toBeCloseTo(
        4 * 0.013 * 100 + 4 * 20 * 0.0912 + 20 * 0.0912 + 2 * 0.005 * 100 + 0.059 * 100,
        6,
      );
      expect(parsed[0].natModes.map((m: { mode: string }) => m.mode)).toEqual(["none", "single", "per-az", "instance"]);
      expect(existsSync(join(scratch, "unused"))).toBe(false);
    },
    SLOW,
  );

  it(
    "a bad number is named with what is expected, before anything is synthesized",
    () => {
      const bad = run("cost", ["--hours", "lots"], { CDKTF_OUTDIR: join(scratch, "bad") });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('--hours = "lots": expected a number from 0 to 744');
      expect(existsSync(join(scratch, "bad"))).toBe(false);
    },
    SLOW,
  );

  it("an unknown stack is named, with the stacks there are", () => {
    expect(() => loadStacks(synthesized, ["prod"])).toThrow(
      "no stack named prod; the stacks are: state-change-me-workshop-tfstate, workshop",
    );
    expect(loadStacks(synthesized, ["workshop"]).map((s) => s.name)).toEqual(["workshop"]);
  });
});

describe("npm run diagram", () => {
  it(
    "synthesizes, then --stack --out --dot: that stack's SVG and its DOT source",
    () => {
      const out = join(scratch, "diagrams");
      const result = run("diagram", ["--stack", "workshop", "--out", out, "--dot"], {
        CDKTF_OUTDIR: join(scratch, "fresh"),
      });
      expect(result.status).toBe(0);
      expect(readdirSync(out).sort()).toEqual(["workshop.dot", "workshop.svg"]);
      expect(XMLValidator.validate(readFileSync(join(out, "workshop.svg"), "utf8"))).toBe(true);
      expect(readFileSync(join(out, "workshop.dot"), "utf8")).toMatch(/^digraph "workshop" \{/);
      expect(existsSync(join(scratch, "fresh", "manifest.json"))).toBe(true);
    },
    SLOW,
  );
});
