import { FlowEnd, NetworkFlow } from "../network/network-acl-plan";
import { Peer, RoleSecurityGroup } from "../security/security-group";

/** Where the members of a role's security group are: a tier, in some of its AZs. */
export interface GroupPlacement {
  /** The group. */
  readonly group: RoleSecurityGroup;
  /** The tier its members' subnets belong to. */
  readonly tier: string;
  /** The AZs they are in. @default every AZ of the tier */
  readonly azs?: readonly string[];
}

/**
 * The flows the rules of placed security groups allow, for `Network.addNetworkAcls`: an ingress rule is a flow from
 * its peer (a placed group's tier, or a CIDR) to the group's tier; an egress rule to a CIDR is a flow from the group's
 * tier there. An egress rule to a group is the same flow as that group's ingress rule (`allowFrom`/`allowTo` make
 * both), so it is read once; an egress rule to a placed group by its id (`Peer.securityGroupId(group.id)`) is a flow
 * there, and one to a prefix list a flow to anywhere on its port. A peer no network ACL can name (an unplaced group, a
 * group id of no placed group) is an error: the ACLs would refuse what the group allows.
 */
export function securityGroupFlows(placements: readonly GroupPlacement[]): NetworkFlow[] {
  const placed = new Map<RoleSecurityGroup, FlowEnd>(
    placements.map((p) => [p.group, p.azs === undefined ? { tier: p.tier } : { tier: p.tier, azs: p.azs }]),
  );
  // A rule may name a placed group by its id (`Peer.securityGroupId(group.id)`), with no reciprocal rule on it.
  const placedById = new Map([...placed].map(([group, end]) => [group.id, end]));
  const endOf = (peer: Peer, group: RoleSecurityGroup): FlowEnd => {
    if ("cidr" in peer) return { cidr: peer.cidr };
    // A prefix list (an AWS service's public ranges, which change) has no CIDR an ACL can hold: anywhere, on its port.
    if ("prefixListId" in peer) return { cidr: "0.0.0.0/0" };
    const end =
      peer instanceof RoleSecurityGroup
        ? placed.get(peer)
        : "securityGroupId" in peer
          ? placedById.get(peer.securityGroupId)
          : undefined;
    if (end !== undefined) return end;
    throw new Error(
      `${group.node.path}: a rule of the "${group.role}" group names ${peer instanceof RoleSecurityGroup ? `the "${peer.role}" group, which has no placement` : `"${peer.label}", a security group id of no placed group`}: ` +
        `a network ACL admits CIDRs only, so give that group's tier in the placements (or a CIDR peer instead)`,
    );
  };
  return placements.flatMap(({ group }) => {
    const here = placed.get(group) as FlowEnd;
    return group.rules.flatMap((rule): NetworkFlow[] => {
      const there = endOf(rule.peer, group);
      if (rule.direction === "ingress") return [{ from: there, to: here, port: rule.port }];
      return rule.peer instanceof RoleSecurityGroup ? [] : [{ from: here, to: there, port: rule.port }];
    });
  });
}
