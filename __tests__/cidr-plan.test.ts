import fc from "fast-check";
import {
  cidrOf,
  cidrSyntaxProblem,
  contains,
  firstFreeBlock,
  isRfc1918,
  overlaps,
  rangeOf,
  sizeOf,
} from "../modules/core/cidr";
import { azSlot, planNetwork } from "../modules/network/plan";
import { NetworkProps, SubnetTierProps } from "../modules/network/types";
import { appendArb, propsOf as layoutProps } from "./support/layouts";

const region = "eu-west-1";
const base = (tiers: SubnetTierProps[], more: Partial<NetworkProps> = {}): NetworkProps => ({
  environment: "t",
  region,
  azs: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
  vpcCidr: "10.0.0.0/16",
  tiers,
  ...more,
});

describe("CIDR helpers", () => {
  it.each([
    ["10.0.0.0/16", undefined],
    ["10.0.0.5/16", "a network address with no host bits set (did you mean 10.0.0.0/16?)"],
    ["10.0.0.0/33", "an IPv4 CIDR block with octets 0-255 and a prefix 0-32"],
    ["10.0.0/16", "an IPv4 CIDR block such as 10.0.0.0/16"],
    ["256.0.0.0/8", "an IPv4 CIDR block with octets 0-255 and a prefix 0-32"],
    ["010.0.0.0/8", "an IPv4 CIDR block with octets 0-255 and a prefix 0-32"],
    ["10.0.0.0/08", undefined],
    ["0.0.0.0/0", undefined],
    ["255.255.255.255/32", undefined],
    ["192.168.9.0/22", "a network address with no host bits set (did you mean 192.168.8.0/22?)"],
  ])("checks %s", (cidr, expected) => {
    expect(cidrSyntaxProblem(cidr)).toBe(expected);
  });

  it("turns blocks into address ranges and back", () => {
    expect(rangeOf("0.0.0.0/0")).toEqual({ first: 0, last: 2 ** 32 - 1 });
    expect(rangeOf("192.168.8.0/22")).toEqual({ first: 3232237568, last: 3232238591 });
    expect(cidrOf(3232237568, 22)).toBe("192.168.8.0/22");
    expect(cidrOf(2 ** 32 - 1, 32)).toBe("255.255.255.255/32");
    expect(contains("192.168.8.0/22", "192.168.11.224/27")).toBe(true);
    expect(overlaps("10.0.0.0/8", "10.255.0.0/16")).toBe(true);
    expect(overlaps("10.0.0.0/9", "10.128.0.0/9")).toBe(false);
  });

  it("knows RFC 1918", () => {
    expect(isRfc1918("192.168.10.0/24")).toBe(true);
    expect(isRfc1918("172.31.0.0/16")).toBe(true);
    expect(isRfc1918("172.32.0.0/16")).toBe(false);
    expect(isRfc1918("100.64.0.0/16")).toBe(false);
  });

  it("finds the first aligned free block", () => {
    expect(firstFreeBlock("10.0.0.0/24", 26, [])).toBe("10.0.0.0/26");
    expect(firstFreeBlock("10.0.0.0/24", 25, ["10.0.0.0/27"])).toBe("10.0.0.128/25");
    expect(firstFreeBlock("10.0.0.0/24", 27, ["10.0.0.0/27", "10.0.0.128/25"])).toBe("10.0.0.32/27");
    expect(firstFreeBlock("10.0.0.0/24", 25, ["10.0.0.0/27", "10.0.0.128/25"])).toBeUndefined();
  });
});

describe("planNetwork", () => {
  it("gives each AZ the slot of its letter, whatever the list order", () => {
    expect(azSlot(region, "eu-west-1a")).toBe(0);
    expect(azSlot(region, "eu-west-1c")).toBe(2);
    expect(azSlot(region, "us-east-1a")).toBeUndefined();
    const { plan } = planNetwork(
      base([{ name: "app", type: "isolated", cidrMask: 24, azs: ["eu-west-1c", "eu-west-1a"] }]),
    );
    expect(plan.subnets.map((s) => [s.az, s.cidr])).toEqual([
      ["eu-west-1a", "10.0.0.0/24"],
      ["eu-west-1c", "10.0.2.0/24"],
    ]);
  });

  it("plans the workshop layout compactly in a /24", () => {
    const { plan, problems } = planNetwork({
      ...base([
        { name: "public", type: "public", cidrMask: 26 },
        { name: "management", type: "public", cidrMask: 27, azs: ["eu-west-1a"] },
        { name: "internal", type: "private", cidrMask: 27 },
      ]),
      azs: ["eu-west-1a", "eu-west-1b"],
      vpcCidr: "192.168.10.0/24",
      azSlots: 2,
    });
    expect(problems).toEqual([]);
    expect(plan.subnets.map((s) => `${s.tier} ${s.az} ${s.cidr}`)).toEqual([
      "public eu-west-1a 192.168.10.0/26",
      "public eu-west-1b 192.168.10.64/26",
      "management eu-west-1a 192.168.10.128/27",
      "internal eu-west-1a 192.168.10.192/27",
      "internal eu-west-1b 192.168.10.224/27",
    ]);
  });

  it("plans around explicit CIDRs of the tiers before it", () => {
    const { plan, problems } = planNetwork(
      base([
        { name: "legacy", type: "isolated", azs: ["eu-west-1a"], cidrs: { "eu-west-1a": "10.0.0.0/24" } },
        { name: "web", type: "public", cidrMask: 24 },
      ]),
    );
    expect(problems).toEqual([]);
    expect(plan.subnets.find((s) => s.tier === "legacy")?.cidr).toBe("10.0.0.0/24");
    // The web tier's block of 4 slots (/22) cannot start at 10.0.0.0: the explicit /24 is there.
    expect(plan.subnets.filter((s) => s.tier === "web").map((s) => s.cidr)).toEqual([
      "10.0.4.0/24",
      "10.0.5.0/24",
      "10.0.6.0/24",
    ]);
  });

  it("refuses an appended explicit CIDR inside an earlier tier's block, naming both and a free block", () => {
    const { problems } = planNetwork(
      base([
        { name: "web", type: "public", cidrMask: 24 },
        { name: "legacy", type: "isolated", azs: ["eu-west-1a"], cidrs: { "eu-west-1a": "10.0.3.0/24" } },
      ]),
    );
    // 10.0.3.0/24 is slot d of web's block: free today, taken the day eu-west-1d is added, so it is refused now.
    expect(problems).toEqual([
      {
        field: "tiers[1].cidrs.eu-west-1a",
        value: "10.0.3.0/24",
        expected:
          'a block that does not overlap 10.0.0.0/22, the block of AZ slots planned for tier "web" (tiers[0]), which comes first in the list; 10.0.4.0/24 is free',
      },
    ]);
  });

  it("refuses the README's appended edge tier in the default layout, and moves nothing when it fits", () => {
    const workshop = (extra: SubnetTierProps[]): NetworkProps => ({
      ...base([
        { name: "public", type: "public", cidrMask: 26 },
        { name: "management", type: "public", azs: ["eu-west-1a"], cidrMask: 27 },
        { name: "internal", type: "private", cidrMask: 27 },
        ...extra,
      ]),
      azs: ["eu-west-1a", "eu-west-1b"],
      vpcCidr: "192.168.8.0/22",
      azSlots: 4,
      nat: { mode: "single" },
    });
    const before = planNetwork(workshop([]));
    expect(before.problems).toEqual([]);
    const edge = (cidr: string): SubnetTierProps => ({
      name: "edge",
      type: "public",
      azs: ["eu-west-1a"],
      cidrs: { "eu-west-1a": cidr },
    });
    const refused = planNetwork(workshop([edge("192.168.8.0/28")]));
    expect(refused.problems.map((p) => p.expected)).toEqual([
      'a block that does not overlap 192.168.8.0/24, the block of AZ slots planned for tier "public" (tiers[0]), which comes first in the list; 192.168.10.0/28 is free',
    ]);
    const fits = planNetwork(workshop([edge("192.168.10.0/28")]));
    expect(fits.problems).toEqual([]);
    expect(fits.plan.subnets.slice(0, before.plan.subnets.length)).toEqual(before.plan.subnets);
  });

  it("pairs each private AZ with its own NAT under per-az, and with the first public AZ under single", () => {
    const tiers: SubnetTierProps[] = [
      { name: "public", type: "public", cidrMask: 24 },
      { name: "app", type: "private", cidrMask: 24 },
    ];
    const perAz = planNetwork(base(tiers, { nat: { mode: "per-az" } })).plan;
    expect(perAz.natAzs).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    expect(perAz.natAzFor).toEqual({
      "eu-west-1a": "eu-west-1a",
      "eu-west-1b": "eu-west-1b",
      "eu-west-1c": "eu-west-1c",
    });
    const single = planNetwork(base(tiers, { nat: { mode: "single" } })).plan;
    expect(single.natAzs).toEqual(["eu-west-1a"]);
    expect(Object.values(single.natAzFor)).toEqual(["eu-west-1a", "eu-west-1a", "eu-west-1a"]);
  });
});

describe("planNetwork properties", () => {
  const tierArb = fc.record({
    type: fc.constantFrom("public" as const, "private" as const, "isolated" as const),
    cidrMask: fc.integer({ min: 20, max: 28 }),
    azs: fc.subarray(["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"], { minLength: 1 }),
  });
  const layoutArb = fc.record({
    vpcPrefix: fc.integer({ min: 16, max: 22 }),
    vpcIndex: fc.integer({ min: 0, max: 16383 }),
    azSlots: fc.constantFrom(4, 8),
    tiers: fc.array(tierArb, { minLength: 1, maxLength: 6 }),
    extra: tierArb,
  });
  const propsOf = (
    l: { vpcPrefix: number; vpcIndex: number; azSlots: number },
    tiers: Array<{ type: "public" | "private" | "isolated"; cidrMask: number; azs: string[] }>,
  ): NetworkProps => ({
    environment: "p",
    region: "us-west-2", // four AZs, a-d
    azs: ["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"],
    // Any block of the prefix inside 10.0.0.0/8.
    vpcCidr: cidrOf(10 * 2 ** 24 + (l.vpcIndex % 2 ** (l.vpcPrefix - 8)) * sizeOf(l.vpcPrefix), l.vpcPrefix),
    azSlots: l.azSlots,
    // Isolated only, so NAT rules never reject a layout: this property is about addresses.
    tiers: tiers.map((t, i) => ({ ...t, type: "isolated" as const, name: `tier-${i}` })),
    nat: { mode: "none" },
  });

  it("plans subnets inside the VPC, without overlaps, and stable when a tier is appended", () => {
    fc.assert(
      fc.property(layoutArb, (layout) => {
        const before = planNetwork(propsOf(layout, layout.tiers));
        fc.pre(before.problems.length === 0);
        const props = propsOf(layout, layout.tiers);
        for (const [i, a] of before.plan.subnets.entries()) {
          expect(contains(props.vpcCidr, a.cidr)).toBe(true);
          for (const b of before.plan.subnets.slice(i + 1)) expect(overlaps(a.cidr, b.cidr)).toBe(false);
        }
        const after = planNetwork(propsOf(layout, [...layout.tiers, layout.extra]));
        // Appending a tier either fits or is reported; it never moves an existing subnet.
        if (after.problems.length === 0) {
          expect(after.plan.subnets.slice(0, before.plan.subnets.length)).toEqual(before.plan.subnets);
        } else {
          expect(after.problems.map((p) => p.field)).toEqual([`tiers[${layout.tiers.length}].cidrMask`]);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("is stable when an AZ is added to every tier", () => {
    fc.assert(
      fc.property(layoutArb, (layout) => {
        const withoutD = layout.tiers
          .map((t) => ({ ...t, azs: t.azs.filter((az) => az !== "us-west-2d") }))
          .filter((t) => t.azs.length > 0);
        fc.pre(withoutD.length > 0);
        const before = planNetwork(propsOf(layout, withoutD));
        fc.pre(before.problems.length === 0);
        const after = planNetwork(
          propsOf(
            layout,
            withoutD.map((t) => ({ ...t, azs: [...t.azs, "us-west-2d"] })),
          ),
        );
        expect(after.problems).toEqual([]);
        for (const subnet of before.plan.subnets) expect(after.plan.subnets).toContainEqual(subnet);
      }),
      { numRuns: 300 },
    );
  });

  it("never moves a subnet when a tier, planned or explicit, is appended: the append fits or is refused", () => {
    let refused = 0;
    let appended = 0;
    fc.assert(
      fc.property(appendArb, ({ layout, extra }) => {
        const before = planNetwork(layoutProps(layout));
        fc.pre(before.problems.length === 0);
        const after = planNetwork(layoutProps({ ...layout, tiers: [...layout.tiers, extra] }));
        const n = layout.tiers.length;
        if (after.problems.length > 0) refused++;
        else {
          appended++;
          expect(after.plan.subnets.slice(0, before.plan.subnets.length)).toEqual(before.plan.subnets);
          expect(after.plan.subnets.slice(before.plan.subnets.length).every((s) => s.tier === `tier-${n}`)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
    // Both outcomes are exercised, or the property proves little.
    expect(refused).toBeGreaterThan(0);
    expect(appended).toBeGreaterThan(0);
  });
});
