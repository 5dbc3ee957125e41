import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { synthModule } from "../modules/tools/terraform-module/build";
import { addNetworkVariables, addPlanLocals, output } from "../modules/tools/terraform-module/network-module";
import { offlineEnvironment, runTerraform } from "../modules/tools/pipeline/terraform";
import { planNetwork } from "../modules/network/plan";
import { describeWithTerraform } from "./support/terraform";
import { networkAclFlowInputs, networkInputs } from "./support/module-inputs";
import { appendArb, LAYOUT_AZS, LAYOUT_REGION, layoutArb, propsOf } from "./support/layouts";
import { NetworkProps, SUBNET_TYPES } from "../modules/network/types";
import { MODULE_MAX_TIERS } from "../modules/tools/terraform-module/plan-expressions";
import { NetworkAclEntry, NetworkFlow, planNetworkAcls, TierNetworkAcl } from "../modules/network/network-acl-plan";
import { PortRange } from "../modules/core/port";

/** terraform apply of many module instances with no provider and no resources: seconds, but a busy machine is slow. */
const STEP_MS = 300_000;

interface PlannerResult {
  subnets: Record<string, string>;
  nat_az_for: Record<string, string>;
  nat_azs: string[];
  /** What the planner refuses: explicit CIDRs in an earlier tier's block, and tiers that do not fit. */
  refusals: string[];
  /** Each network_acl tier's entries, by direction. */
  acl: Record<string, Record<"in" | "out", AclRow[]>>;
}

interface AclRow {
  rule_no: number;
  protocol: string;
  cidr: string;
  from: number;
  to: number;
  icmp: string;
}

/** planNetworkAcls' ACLs as the module's rows: by tier, `in` and `out`. */
function aclRows(acls: readonly TierNetworkAcl[]): PlannerResult["acl"] {
  const rows = (entries: readonly NetworkAclEntry[]) =>
    entries.map((e) => ({
      rule_no: e.ruleNumber,
      protocol: e.protocol,
      cidr: e.cidr,
      from: e.fromPort,
      to: e.toPort,
      icmp: e.icmp === undefined ? "" : `${e.icmp.type}/${e.icmp.code}`,
    }));
  return Object.fromEntries(acls.map((a) => [a.tier, { in: rows(a.inbound), out: rows(a.outbound) }]));
}

describeWithTerraform("the network module's Terraform planning expressions = planNetwork", (toolchain) => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "tf-plan-expr-"));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Runs the planner-only module (the network module's variables, with their validations, and locals) per case. */
  async function runPlanner(
    name: string,
    cases: NetworkProps[],
    seed: number,
    flows?: ReadonlyArray<readonly NetworkFlow[]>,
  ): Promise<PlannerResult[]> {
    const dir = join(root, name);
    const planner = synthModule((scope) => {
      addNetworkVariables(scope);
      addPlanLocals(scope);
      output(scope, "subnets", "{ for k, s in local.subnets : k => s.cidr }", "planned subnet CIDRs by tier/az");
      output(scope, "nat_az_for", "local.nat_az_for", "NAT AZ of each AZ with a private subnet");
      output(scope, "nat_azs", "local.nat_azs", "AZs holding a NAT");
      output(
        scope,
        "acl",
        "{ for t, d in local.acl_entries : t => { for dir, es in d : dir => [for e in es : { rule_no = e.rule_no, protocol = e.protocol, cidr = e.cidr, from = e.from, to = e.to, icmp = e.icmp }] } }",
        "each network_acl tier's entries",
      );
      // The module's preconditions refuse these: the clashes, the tiers that do not fit, and (as before this planner
      // was in list order) explicit CIDRs that overlap each other.
      const overlapping =
        "[for i, a in local.explicit_ranges : a.cidr if anytrue([for j, b in local.explicit_ranges : i != j && a.first <= b.last && b.first <= a.last])]";
      output(
        scope,
        "refusals",
        `concat(local.explicit_clashes, local.unplaced_tiers, ${overlapping})`,
        "what the planner refuses",
      );
    });
    mkdirSync(join(dir, "planner"), { recursive: true });
    for (const [file, text] of Object.entries(planner))
      if (file !== "versions.tf") writeFileSync(join(dir, "planner", file), text);
    writeFileSync(
      join(dir, "cases.json"),
      JSON.stringify(
        Object.fromEntries(
          cases.map((p, i) => [
            `case${i}`,
            {
              ...networkInputs(p),
              ...(flows?.[i] === undefined ? {} : { network_acl_flows: networkAclFlowInputs(flows[i]) }),
            },
          ]),
        ),
      ),
    );
    writeFileSync(
      join(dir, "main.tf.json"),
      JSON.stringify({
        locals: { cases: '${jsondecode(file("${path.module}/cases.json"))}' },
        module: {
          case: {
            for_each: "${local.cases}",
            source: "./planner",
            ...Object.fromEntries(
              [
                ...new Set(
                  cases.flatMap((p) => Object.keys(networkInputs(p))).concat(flows ? ["network_acl_flows"] : []),
                ),
              ].map((k) => [k, `\${try(each.value.${k}, null)}`]),
            ),
          },
        },
        output: {
          results: {
            value:
              "${{ for k, m in module.case : k => { subnets = m.subnets, nat_az_for = m.nat_az_for, nat_azs = m.nat_azs, refusals = m.refusals, acl = m.acl } }}",
          },
        },
      }),
    );
    const env = offlineEnvironment(join(dir, "home"), toolchain().pluginMirror, process.env);
    const run = (args: string[]) =>
      runTerraform(toolchain(), args, { cwd: dir, env, isolateNetwork: true, timeoutMs: STEP_MS });
    for (const args of [
      ["init", "-input=false", "-no-color"],
      ["apply", "-auto-approve", "-input=false", "-no-color", "-lock=false"],
    ]) {
      const result = await run(args);
      if (result.code !== 0) throw new Error(`terraform ${args[0]} failed (seed ${seed}):\n${result.stderr}`);
    }
    const results = JSON.parse((await run(["output", "-json", "results"])).stdout) as Record<string, PlannerResult>;
    return cases.map((_, i) => results[`case${i}`]);
  }

  it(
    "plans the same subnets and NATs as the TypeScript planner, for random valid layouts",
    async () => {
      const seed = Date.now();
      // As many tiers as the module plans (its planning is unrolled), some in a secondary block.
      const most: NetworkProps = {
        environment: "p",
        region: LAYOUT_REGION,
        azs: LAYOUT_AZS.slice(0, 3),
        vpcCidr: "10.0.0.0/20",
        secondaryCidrBlocks: [{ name: "extra", cidr: "10.0.16.0/21" }],
        tiers: Array.from({ length: MODULE_MAX_TIERS }, (_, i) => ({
          name: `tier-${i}`,
          type: SUBNET_TYPES[i % SUBNET_TYPES.length],
          cidrMask: 25 + (i % 3),
          ...(i % 4 === 3 ? { block: "extra" } : {}),
        })),
      };
      expect(planNetwork(most).problems).toEqual([]);
      const valid = fc
        .sample(layoutArb, { numRuns: 3000, seed })
        .map(propsOf)
        .filter((p) => planNetwork(p).problems.length === 0);
      // Taken by kind: the first 60 valid layouts of a seed held as few as 4 with a tier in the secondary block.
      const inBlock = (p: NetworkProps) => p.tiers.some((t) => t.block !== undefined);
      const cases = [most, ...valid.filter(inBlock).slice(0, 15), ...valid.filter((p) => !inBlock(p)).slice(0, 45)];
      expect(cases.length).toBeGreaterThanOrEqual(20);
      // Secondary blocks: tiers planned in them, beside tiers of the VPC block.
      expect(cases.filter(inBlock).length).toBeGreaterThanOrEqual(5);
      const results = await runPlanner("valid", cases, seed);
      const expected = cases.map((p) => {
        const { plan } = planNetwork(p);
        return {
          subnets: Object.fromEntries(plan.subnets.map((s) => [`${s.tier}/${s.az}`, s.cidr])),
          nat_az_for: plan.natAzFor,
          nat_azs: plan.natAzs,
          refusals: [],
          acl: {},
        };
      });
      process.stdout.write(`compared ${cases.length} layouts (seed ${seed})\n`);
      expect(results).toEqual(expected);
    },
    STEP_MS * 2,
  );

  it(
    "never moves a subnet when a tier is appended: it fits or is refused, as by the TypeScript planner",
    async () => {
      const seed = Date.now();
      // Appends to valid layouts that planNetwork takes, or refuses for the address planning only (the planner-only
      // module has the planning, not the other checks).
      const addressRefusal = (n: number, p: { field: string; expected: string }) =>
        (p.field.startsWith(`tiers[${n}].cidrs.`) && p.expected.startsWith("a block that does not overlap")) ||
        (p.field === `tiers[${n}].cidrMask` && p.expected.startsWith("a mask whose"));
      const cases = fc
        .sample(appendArb, { numRuns: 3000, seed })
        .map(({ layout, extra }) => ({
          before: propsOf(layout),
          after: propsOf({ ...layout, tiers: [...layout.tiers, extra] }),
          n: layout.tiers.length,
        }))
        .filter(({ before, after, n }) => {
          const problems = planNetwork(after).problems;
          return planNetwork(before).problems.length === 0 && problems.every((p) => addressRefusal(n, p));
        })
        .slice(0, 60);
      // Pinned: the free block an earlier tier's explicit CIDRs take is not offered (10.0.0.0/22 overlaps tier-0).
      const pinnedBefore = propsOf({
        vpc: "10.0.0.0/16",
        secondary: false,
        azs: LAYOUT_AZS.slice(0, 2),
        azSlots: 4,
        tiers: [
          { type: "public", cidrMask: 24, azs: undefined, explicitAt: [0, 0, 0, 0], inSecondary: false },
          { type: "private", cidrMask: 20, azs: undefined, explicitAt: undefined, inSecondary: false },
        ],
        nat: "single",
      });
      const pinnedAfter = {
        ...pinnedBefore,
        tiers: [
          ...pinnedBefore.tiers,
          {
            name: "tier-2",
            type: "isolated" as const,
            azs: [LAYOUT_AZS[0]],
            cidrs: { [LAYOUT_AZS[0]]: "10.0.84.0/22" },
          },
        ],
      };
      expect(planNetwork(pinnedAfter).problems.map((p) => p.expected)).toEqual([
        expect.stringMatching(/overlap 10\.0\.64\.0\/18, .*; 10\.0\.4\.0\/22 is free$/),
      ]);
      cases.push({ before: pinnedBefore, after: pinnedAfter, n: 2 });
      const refused = cases.filter(({ after }) => planNetwork(after).problems.length > 0);
      expect(
        cases.filter(({ after }) => after.tiers[after.tiers.length - 1].block !== undefined).length,
      ).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThanOrEqual(5);
      expect(cases.length - refused.length).toBeGreaterThanOrEqual(5);
      const results = await runPlanner(
        "appended",
        cases.map((c) => c.after),
        seed,
      );
      cases.forEach(({ before, after, n }, i) => {
        const kept = Object.fromEntries(
          Object.entries(results[i].subnets).filter(([key]) => key.split("/")[0] !== `tier-${n}`),
        );
        const subnetsOf = (p: NetworkProps) =>
          Object.fromEntries(planNetwork(p).plan.subnets.map((s) => [`${s.tier}/${s.az}`, s.cidr]));
        expect({ seed, case: i, subnets: kept }).toEqual({ seed, case: i, subnets: subnetsOf(before) });
        const problems = planNetwork(after).problems;
        if (problems.length === 0) {
          expect({ seed, case: i, ...results[i] }).toEqual({
            seed,
            case: i,
            ...results[i],
            subnets: subnetsOf(after),
            refusals: [],
          });
        } else {
          expect({ seed, case: i, refused: results[i].refusals.length > 0 }).toEqual({ seed, case: i, refused: true });
          // A clash with an earlier tier's planned block reads the same in both planners.
          for (const p of problems.filter((q) => q.expected.includes("the block of AZ slots planned")))
            expect(results[i].refusals).toContain(
              `${p.field} = ${String(p.value)} overlaps ${p.expected.replace("a block that does not overlap ", "")}`,
            );
        }
      });
      process.stdout.write(`appended to ${cases.length} layouts, ${refused.length} refused (seed ${seed})\n`);
    },
    STEP_MS * 2,
  );

  it(
    "plans each network_acl tier's entries as planNetworkAcls does, for random layouts and flows (rule numbers too)",
    async () => {
      const seed = Date.now();
      const ports: PortRange[] = [
        { protocol: "tcp", from: 22, to: 22 },
        { protocol: "tcp", from: 443, to: 443 },
        { protocol: "tcp", from: 8080, to: 8080 },
        { protocol: "tcp", from: 3000, to: 3400 },
        { protocol: "tcp", from: 1024, to: 65535 },
        { protocol: "udp", from: 53, to: 53 },
        { protocol: "-1", from: 0, to: 65535 },
      ];
      const endArb = fc.oneof(
        fc.record({ tier: fc.nat(), azs: fc.option(fc.nat(), { nil: undefined }) }),
        fc.record({ cidr: fc.nat() }),
      );
      const aclArb = fc.record({
        layout: layoutArb,
        acl: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        flows: fc.array(fc.record({ from: endArb, to: endArb, port: fc.constantFrom(...ports) }), {
          minLength: 1,
          maxLength: 6,
        }),
      });
      const cases = fc
        .sample(aclArb, { numRuns: 2000, seed })
        .map(({ layout, acl, flows }) => {
          const base = propsOf(layout);
          const props: NetworkProps = { ...base, tiers: base.tiers.map((t, i) => ({ ...t, networkAcl: acl[i] })) };
          const { plan, problems } = planNetwork(props);
          if (problems.length > 0 || !props.tiers.some((t) => t.networkAcl)) return undefined;
          // Ends the planner takes: a tier (all its AZs, or one of them), or a CIDR outside the VPC, the VPC's
          // block, the secondary block, a subnet, or anywhere.
          const cidrs = [
            "0.0.0.0/0",
            "203.0.113.10/32",
            "203.0.113.11/32",
            props.vpcCidr,
            ...(props.secondaryCidrBlocks ?? []).map((b) => b.cidr),
            ...plan.subnets.map((s) => s.cidr),
          ];
          const tiers = [...new Set(plan.subnets.map((s) => s.tier))];
          const end = (e: { tier?: number; azs?: number; cidr?: number }) => {
            if (e.cidr !== undefined) return { cidr: cidrs[e.cidr % cidrs.length] };
            const tier = tiers[(e.tier ?? 0) % tiers.length];
            const azs = plan.subnets.filter((s) => s.tier === tier).map((s) => s.az);
            return e.azs === undefined ? { tier } : { tier, azs: [azs[e.azs % azs.length]] };
          };
          const resolved: NetworkFlow[] = flows.map((f) => ({ from: end(f.from), to: end(f.to), port: f.port }));
          return { props, plan, flows: resolved };
        })
        .filter((c): c is NonNullable<typeof c> => c !== undefined)
        .slice(0, 40);
      expect(cases.length).toBeGreaterThanOrEqual(20);
      const expected = cases.map(({ props, plan, flows }) =>
        aclRows(
          planNetworkAcls({
            tiers: props.tiers,
            plan,
            vpcCidrs: [props.vpcCidr, ...(props.secondaryCidrBlocks ?? []).map((b) => b.cidr)],
            flows,
          }).acls,
        ),
      );
      // The planner's steps are all taken: merged ranges, joined siblings, the admin ports left out, NAT tiers.
      const all = expected.flatMap((acl) => Object.values(acl).flatMap((d) => [...d.in, ...d.out]));
      expect(all.some((r) => r.from === 5987)).toBe(true);
      expect(all.filter((r) => r.icmp === "").length).toBeGreaterThan(cases.length);
      const results = await runPlanner(
        "acl",
        cases.map((c) => c.props),
        seed,
        cases.map((c) => c.flows),
      );
      cases.forEach((_, i) =>
        expect({ seed, case: i, acl: results[i].acl }).toEqual({ seed, case: i, acl: expected[i] }),
      );
      process.stdout.write(
        `compared the network ACLs of ${cases.length} layouts (seed ${seed}), ${all.length} entries\n`,
      );
    },
    STEP_MS * 2,
  );
});
