import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { synthModule } from "../modules/terraform-module/build";
import { addNetworkVariables, addPlanLocals, output } from "../modules/terraform-module/network-module";
import { offlineEnvironment, runTerraform } from "../modules/pipeline/terraform";
import { planNetwork } from "../modules/network/plan";
import { cidrOf, rangeOf, sizeOf } from "../modules/network/cidr";
import { NetworkProps } from "../modules/network/types";
import { describeWithTerraform } from "./support/terraform";
import { networkInputs } from "./support/module-inputs";

/** terraform apply of many module instances with no provider and no resources: seconds, but a busy machine is slow. */
const STEP_MS = 300_000;
const REGION = "eu-west-1";
const AZS = ["a", "b", "c", "d"].map((l) => `${REGION}${l}`);

const tierArb = fc.record({
  type: fc.constantFrom("public" as const, "private" as const, "isolated" as const),
  cidrMask: fc.integer({ min: 18, max: 28 }),
  azs: fc.option(fc.subarray(AZS, { minLength: 1 }), { nil: undefined }),
  // An explicit tier: its CIDRs are blocks of cidrMask at these indexes inside the VPC.
  explicitAt: fc.option(fc.array(fc.integer({ min: 0, max: 63 }), { minLength: 4, maxLength: 4 }), {
    nil: undefined,
    freq: 4,
  }),
});
const layoutArb = fc.record({
  vpc: fc.constantFrom("10.0.0.0/16", "10.1.0.0/18", "192.168.0.0/20", "172.16.4.0/22"),
  azs: fc.shuffledSubarray(AZS, { minLength: 1 }),
  azSlots: fc.constantFrom(1, 2, 4, 8),
  tiers: fc.array(tierArb, { minLength: 1, maxLength: 6 }),
  nat: fc.constantFrom("none" as const, "single" as const, "per-az" as const, "instance" as const),
});

type Layout = typeof layoutArb extends fc.Arbitrary<infer T> ? T : never;

function propsOf(layout: Layout): NetworkProps {
  const first = rangeOf(layout.vpc).first;
  return {
    environment: "p",
    region: REGION,
    azs: layout.azs,
    vpcCidr: layout.vpc,
    azSlots: layout.azSlots,
    tiers: layout.tiers.map((t, i) => {
      const azs = t.azs?.filter((az) => layout.azs.includes(az));
      const tierAzs = azs ?? layout.azs;
      const base = { name: `tier-${i}`, type: t.type, ...(azs === undefined ? {} : { azs }) };
      if (t.explicitAt === undefined) return { ...base, cidrMask: t.cidrMask };
      const at = t.explicitAt;
      return {
        ...base,
        cidrs: Object.fromEntries(
          tierAzs.map((az, j) => [az, cidrOf(first + (at[j % at.length] + j) * sizeOf(t.cidrMask), t.cidrMask)]),
        ),
      };
    }),
    nat:
      layout.nat === "instance"
        ? { mode: "instance", instance: { ami: "ami-0123456789abcdef0" } }
        : { mode: layout.nat },
  };
}

describeWithTerraform("the network module's Terraform planning expressions = planNetwork", (toolchain) => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "tf-plan-expr-"));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it(
    "plans the same subnets and NATs as the TypeScript planner, for random valid layouts",
    async () => {
      const seed = Date.now();
      const cases = fc
        .sample(layoutArb, { numRuns: 3000, seed })
        .map(propsOf)
        .filter((p) => planNetwork(p).problems.length === 0)
        .slice(0, 60);
      expect(cases.length).toBeGreaterThanOrEqual(20);
      // The planner-only module: the network module's variables (with their validations), locals and plan outputs.
      const planner = synthModule((scope) => {
        addNetworkVariables(scope);
        addPlanLocals(scope);
        output(scope, "subnets", "{ for k, s in local.subnets : k => s.cidr }", "planned subnet CIDRs by tier/az");
        output(scope, "nat_az_for", "local.nat_az_for", "NAT AZ of each AZ with a private subnet");
        output(scope, "nat_azs", "local.nat_azs", "AZs holding a NAT");
      });
      mkdirSync(join(root, "planner"), { recursive: true });
      for (const [file, text] of Object.entries(planner))
        if (file !== "versions.tf") writeFileSync(join(root, "planner", file), text);
      writeFileSync(
        join(root, "cases.json"),
        JSON.stringify(Object.fromEntries(cases.map((p, i) => [`case${i}`, networkInputs(p)]))),
      );
      writeFileSync(
        join(root, "main.tf.json"),
        JSON.stringify({
          locals: { cases: '${jsondecode(file("${path.module}/cases.json"))}' },
          module: {
            case: {
              for_each: "${local.cases}",
              source: "./planner",
              ...Object.fromEntries(
                [...new Set(cases.flatMap((p) => Object.keys(networkInputs(p))))].map((k) => [
                  k,
                  `\${try(each.value.${k}, null)}`,
                ]),
              ),
            },
          },
          output: {
            results: {
              value:
                "${{ for k, m in module.case : k => { subnets = m.subnets, nat_az_for = m.nat_az_for, nat_azs = m.nat_azs } }}",
            },
          },
        }),
      );
      const env = offlineEnvironment(join(root, "home"), toolchain().pluginMirror, process.env);
      const run = (args: string[]) =>
        runTerraform(toolchain(), args, { cwd: root, env, isolateNetwork: true, timeoutMs: STEP_MS });
      for (const args of [
        ["init", "-input=false", "-no-color"],
        ["apply", "-auto-approve", "-input=false", "-no-color", "-lock=false"],
      ]) {
        const result = await run(args);
        if (result.code !== 0) throw new Error(`terraform ${args[0]} failed (seed ${seed}):\n${result.stderr}`);
      }
      const results = JSON.parse((await run(["output", "-json", "results"])).stdout) as Record<
        string,
        { subnets: Record<string, string>; nat_az_for: Record<string, string>; nat_azs: string[] }
      >;
      const expected = Object.fromEntries(
        cases.map((p, i) => {
          const { plan } = planNetwork(p);
          return [
            `case${i}`,
            {
              subnets: Object.fromEntries(plan.subnets.map((s) => [`${s.tier}/${s.az}`, s.cidr])),
              nat_az_for: plan.natAzFor,
              nat_azs: plan.natAzs,
            },
          ];
        }),
      );
      process.stdout.write(`compared ${cases.length} layouts (seed ${seed})\n`);
      expect(results).toEqual(expected);
    },
    STEP_MS * 2,
  );
});
