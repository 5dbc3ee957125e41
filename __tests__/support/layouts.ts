import fc from "fast-check";
import { cidrOf, rangeOf, sizeOf } from "../../modules/core/cidr";
import { NetworkProps } from "../../modules/network/types";

/** Random network layouts for the planners' property tests (the TypeScript planner and the HCL module's). */
export const LAYOUT_REGION = "us-west-2"; // four AZs, a-d
export const LAYOUT_AZS = ["a", "b", "c", "d"].map((l) => `${LAYOUT_REGION}${l}`);

export const tierArb = fc.record({
  type: fc.constantFrom("public" as const, "private" as const, "isolated" as const),
  cidrMask: fc.integer({ min: 18, max: 28 }),
  azs: fc.option(fc.subarray(LAYOUT_AZS, { minLength: 1 }), { nil: undefined }),
  // An explicit tier: its CIDRs are blocks of cidrMask at these indexes inside its block.
  explicitAt: fc.option(fc.array(fc.integer({ min: 0, max: 63 }), { minLength: 4, maxLength: 4 }), {
    nil: undefined,
    freq: 4,
  }),
  // Planned in the layout's secondary block (when it has one) rather than the VPC block.
  inSecondary: fc.boolean(),
});
export type LayoutTier = typeof tierArb extends fc.Arbitrary<infer T> ? T : never;

/** A secondary block for each VPC block of the layouts: in its RFC 1918 range, overlapping it not. */
export const LAYOUT_SECONDARY: Readonly<Record<string, string>> = {
  "10.0.0.0/16": "10.1.0.0/20",
  "10.1.0.0/18": "10.2.0.0/22",
  "192.168.0.0/20": "192.168.16.0/22",
  "172.16.4.0/22": "172.16.8.0/24",
};

export const layoutArb = fc.record({
  vpc: fc.constantFrom("10.0.0.0/16", "10.1.0.0/18", "192.168.0.0/20", "172.16.4.0/22"),
  secondary: fc.boolean(),
  azs: fc.shuffledSubarray(LAYOUT_AZS, { minLength: 1 }),
  azSlots: fc.constantFrom(1, 2, 4, 8),
  tiers: fc.array(tierArb, { minLength: 1, maxLength: 6 }),
  nat: fc.constantFrom("none" as const, "single" as const, "per-az" as const, "instance" as const),
});
export type Layout = typeof layoutArb extends fc.Arbitrary<infer T> ? T : never;

/** A layout with one more tier appended: the shape of "appends never move". */
export const appendArb = fc.record({ layout: layoutArb, extra: tierArb });

/** The network props of a layout: tier i is named tier-i. */
export function propsOf(layout: Layout): NetworkProps {
  const secondary = layout.secondary ? LAYOUT_SECONDARY[layout.vpc] : undefined;
  return {
    environment: "p",
    region: LAYOUT_REGION,
    azs: layout.azs,
    vpcCidr: layout.vpc,
    azSlots: layout.azSlots,
    ...(secondary === undefined ? {} : { secondaryCidrBlocks: [{ name: "extra", cidr: secondary }] }),
    tiers: layout.tiers.map((t, i) => {
      const azs = t.azs?.filter((az) => layout.azs.includes(az));
      const tierAzs = azs ?? layout.azs;
      const inSecondary = secondary !== undefined && t.inSecondary;
      const first = rangeOf(inSecondary ? secondary : layout.vpc).first;
      const base = {
        name: `tier-${i}`,
        type: t.type,
        ...(azs === undefined ? {} : { azs }),
        ...(inSecondary ? { block: "extra" } : {}),
      };
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
