import { NetworkFlow, planNetworkAcls, TierNetworkAcl } from "../modules/network/network-acl-plan";
import { planNetwork } from "../modules/network/plan";
import { NetworkProps, SubnetTierProps } from "../modules/network/types";
import { Port } from "../modules/core/port";

// The network ACL planner alone: which entries each flow opens, where, and what it never opens.

const TIERS: SubnetTierProps[] = [
  { name: "public", type: "public", cidrMask: 24, networkAcl: true },
  { name: "app", type: "private", cidrMask: 24, networkAcl: true },
  { name: "data", type: "isolated", cidrMask: 24 },
];
const NETWORK: NetworkProps = {
  environment: "test",
  region: "ap-northeast-2",
  azs: ["ap-northeast-2a", "ap-northeast-2b"],
  vpcCidr: "10.0.0.0/16",
  azSlots: 2,
  tiers: TIERS,
};
const { plan } = planNetwork(NETWORK);

function acls(flows: NetworkFlow[], tiers = TIERS): Record<string, TierNetworkAcl> {
  const { acls, problems } = planNetworkAcls({ tiers, plan, vpcCidrs: [NETWORK.vpcCidr], flows });
  expect(problems).toEqual([]);
  return Object.fromEntries(acls.map((acl) => [acl.tier, acl]));
}
/** `tcp 10.0.2.0/24 22` / `tcp 0.0.0.0/0 1024-3388`: an entry without its number. */
const text = (entries: TierNetworkAcl["inbound"]) =>
  entries.map(
    (e) =>
      `${e.protocol} ${e.cidr} ${e.icmp ? `${e.icmp.type}/${e.icmp.code}` : e.fromPort === e.toPort ? e.fromPort : `${e.fromPort}-${e.toPort}`}`,
  );

describe("planNetworkAcls", () => {
  it("gives an ACL only to the tiers that ask, with path MTU discovery and nothing else when no flow is given", () => {
    const planned = acls([]);
    expect(Object.keys(planned)).toEqual(["public", "app"]);
    expect(text(planned.app.inbound)).toEqual(["icmp 0.0.0.0/0 3/4"]);
    expect(text(planned.app.outbound)).toEqual(["icmp 0.0.0.0/0 3/4"]);
  });

  it("opens a flow between tiers at both ends, the replies on the ephemeral ports, joining the two AZs' subnets into their block", () => {
    const planned = acls([{ from: { tier: "public" }, to: { tier: "app" }, port: Port.tcp(8080) }]);
    // public 10.0.0.0/23 (2a 10.0.0.0/24, 2b 10.0.1.0/24), app 10.0.2.0/23
    expect(text(planned.app.inbound)).toEqual(["icmp 0.0.0.0/0 3/4", "tcp 10.0.0.0/23 8080"]);
    expect(text(planned.app.outbound)).toEqual(["icmp 0.0.0.0/0 3/4", "tcp 10.0.0.0/23 1024-65535"]);
    expect(text(planned.public.outbound)).toEqual(["icmp 0.0.0.0/0 3/4", "tcp 10.0.2.0/23 8080"]);
    expect(text(planned.public.inbound)).toEqual(["icmp 0.0.0.0/0 3/4", "tcp 10.0.2.0/23 1024-65535"]);
  });

  it("keeps one AZ's subnet apart when the flow names only that AZ", () => {
    const planned = acls([{ from: { tier: "public", azs: ["ap-northeast-2b"] }, to: { tier: "app" }, port: Port.SSH }]);
    expect(text(planned.app.inbound)).toContain("tcp 10.0.1.0/24 22");
    expect(text(planned.app.inbound)).not.toContain("tcp 10.0.0.0/24 22");
  });

  it("opens a flow from outside the VPC only at its destination: a CIDR outside is never a tier", () => {
    const planned = acls([{ from: { cidr: "203.0.113.10/32" }, to: { tier: "public" }, port: Port.SSH }]);
    expect(text(planned.public.inbound)).toContain("tcp 203.0.113.10/32 22");
    expect(text(planned.public.outbound)).toContain("tcp 203.0.113.10/32 1024-65535");
    expect(text(planned.app.inbound)).toEqual(["icmp 0.0.0.0/0 3/4"]);
  });

  it("reads a CIDR inside the VPC as the subnets it covers", () => {
    const planned = acls([{ from: { cidr: "10.0.2.0/24" }, to: { tier: "public" }, port: Port.tcp(443) }]);
    expect(text(planned.app.outbound)).toContain("tcp 10.0.0.0/23 443");
  });

  it("sends a private tier's way out through its NAT's tier, with the replies, and keeps admin ports above 1023 shut to the internet", () => {
    const planned = acls([{ from: { tier: "app" }, to: { cidr: "0.0.0.0/0" }, port: Port.tcp(443) }]);
    const repliesFromAnywhere = [
      "tcp 0.0.0.0/0 1024-3388",
      "tcp 0.0.0.0/0 3390-5899",
      "tcp 0.0.0.0/0 5901-5984",
      "tcp 0.0.0.0/0 5987-65535",
    ];
    expect(text(planned.app.inbound)).toEqual(["icmp 0.0.0.0/0 3/4", ...repliesFromAnywhere]);
    expect(text(planned.app.outbound)).toEqual(["icmp 0.0.0.0/0 3/4", "tcp 0.0.0.0/0 443"]);
    // The NAT gateway is in public 2a: in from the app subnets on 443, out to anywhere, and the replies both ways.
    expect(text(planned.public.inbound)).toEqual(["icmp 0.0.0.0/0 3/4", ...repliesFromAnywhere, "tcp 10.0.2.0/23 443"]);
    expect(text(planned.public.outbound)).toEqual([
      "icmp 0.0.0.0/0 3/4",
      "tcp 0.0.0.0/0 443",
      "tcp 10.0.2.0/23 1024-65535",
    ]);
  });

  it("leaves out what another entry covers and merges ports that touch; numbers from 100 in steps of 10", () => {
    const planned = acls([
      { from: { cidr: "10.0.0.0/16" }, to: { tier: "app" }, port: Port.tcpRange(8000, 8100) },
      { from: { tier: "public" }, to: { tier: "app" }, port: Port.tcp(8080) },
      { from: { cidr: "10.0.0.0/16" }, to: { tier: "app" }, port: Port.tcpRange(8101, 8200) },
    ]);
    // The VPC's block holds the app tier too: its own replies come back in.
    expect(text(planned.app.inbound)).toEqual([
      "icmp 0.0.0.0/0 3/4",
      "tcp 10.0.0.0/16 8000-8200",
      "tcp 10.0.2.0/23 1024-65535",
    ]);
    expect(planned.app.inbound.map((e) => e.ruleNumber)).toEqual([100, 110, 120]);
  });

  it("names the tier whose ACL needs more rules than AWS's default quota", () => {
    const flows = Array.from({ length: 20 }, (_, i) => ({
      from: { cidr: `198.51.${i}.0/30` }, // apart: no two join into one block
      to: { tier: "app" },
      port: Port.tcp(443),
    }));
    const { problems } = planNetworkAcls({ tiers: TIERS, plan, vpcCidrs: [NETWORK.vpcCidr], flows });
    expect(problems.map((p) => `${p.field}: ${p.expected}`)).toEqual([
      `tiers[1].networkAcl: at most 20 inbound rules (AWS's default quota per network ACL); the flows into and out of tier "app" need 21: fewer sources, or raise the quota with AWS and turn this tier's ACL off until then`,
      `tiers[1].networkAcl: at most 20 outbound rules (AWS's default quota per network ACL); the flows into and out of tier "app" need 21: fewer sources, or raise the quota with AWS and turn this tier's ACL off until then`,
    ]);
  });

  it("refuses a flow that names a tier the network does not have", () => {
    expect(() => acls([{ from: { tier: "web" }, to: { tier: "app" }, port: Port.SSH }])).toThrow(
      'a network flow names tier "web", which has no subnet',
    );
  });
});
