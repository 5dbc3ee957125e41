import { ConfigProblem } from "../core/problems";
import { InstanceChoice, InstanceContext, placeInstances } from "../placement/instance-choice";
import { resolvePlacement } from "../placement/placement";
import { BastionConfig, BASTION_DEFAULTS, InstanceConnectConfig } from "./schema";
import type { SsmMode } from "../instance/ssm-instance-profile";

/** The bastion, resolved. */
export interface BastionPlan {
  readonly instance: InstanceChoice;
  readonly tier: string;
  readonly az: string;
  readonly ssm: SsmMode;
}

/** What the bastion plan needs: its block, where instances go, and who may knock. */
export interface BastionInput extends InstanceContext {
  /** The config's `bastion` block. @default none: no bastion */
  readonly bastion?: BastionConfig;
  /** `access.adminCidrs`, as given (undefined when there is no `access` block). @default none */
  readonly adminCidrs?: readonly string[];
  /** The config's `sshPublicKey`, as given. @default none */
  readonly sshPublicKey?: unknown;
  /**
   * Whether the network has Session Manager's interface endpoints (`ssm`, `ssmmessages`, `ec2messages`): under
   * `ssm: "only"` the bastion may then stand in an isolated tier, with no NAT at all. @default false
   */
  readonly sessionManagerEndpoints?: boolean;
}

/**
 * Checks `bastion` and applies its defaults. With SSH the door is in a public tier (it has an Elastic IP) and needs
 * admin CIDRs and a public key; with Session Manager only it is in a private tier, with no public address, no admin
 * CIDRs and no key (nothing listens for SSH).
 */
export function planBastion(env: BastionInput): { bastion?: BastionPlan; problems: ConfigProblem[] } {
  const bastion = env.bastion;
  if (bastion === undefined) return { problems: [] };
  const ssm = bastion.ssm ?? BASTION_DEFAULTS.ssm;
  // With Session Manager only nothing listens: no public address and no public placement; the agent reaches SSM
  // through the NAT from a private tier (the first one, unless bastion.tier names another), or through the interface
  // endpoints from an isolated one.
  const endpoints = env.sessionManagerEndpoints === true;
  const placement =
    ssm === "only"
      ? {
          defaultTier:
            (env.tiers.find((t) => t.type === "private") ?? env.tiers.find((t) => t.type === "isolated"))?.name ??
            BASTION_DEFAULTS.tier,
          allowedTypes: endpoints ? ["private" as const, "isolated" as const] : ["private" as const],
          why: endpoints
            ? 'with bastion.ssm "only" nothing listens, so the bastion has no public address; Session Manager reaches it through the NAT or the interface endpoints'
            : 'with bastion.ssm "only" nothing listens, so the bastion has no public address; Session Manager reaches it through the NAT, or from an isolated tier through interfaceEndpoints with ssm, ssmmessages and ec2messages',
        }
      : {
          defaultTier: BASTION_DEFAULTS.tier,
          allowedTypes: ["public" as const],
          why: "the bastion is reached through its Elastic IP",
        };
  const { choice, tier, azs, problems } = placeInstances(env, "bastion", bastion, {
    ...placement,
    azs: bastion.az === undefined ? undefined : [bastion.az],
    azField: "az",
  });
  const adminCidrs = env.adminCidrs ?? [];
  if (ssm === "only") {
    if (adminCidrs.length > 0)
      problems.push({
        field: "access.adminCidrs",
        value: adminCidrs,
        expected: 'no admin CIDRs when bastion.ssm is "only": nothing listens for SSH',
      });
    if (env.sshPublicKey !== undefined)
      problems.push({
        field: "sshPublicKey",
        value: env.sshPublicKey,
        expected: 'no SSH key when bastion.ssm is "only": nothing listens for SSH',
      });
  } else {
    if (adminCidrs.length === 0) {
      problems.push({
        field: "access.adminCidrs",
        value: env.adminCidrs,
        expected: 'at least one admin CIDR (your address as a /32) that may SSH to the bastion, or bastion.ssm "only"',
      });
    }
    if (env.sshPublicKey === undefined) {
      problems.push({
        field: "sshPublicKey",
        value: undefined,
        expected: 'the admins\' public key ({ "path": "~/.ssh/<name>.pub" }; see README), or bastion.ssm "only"',
      });
    }
  }
  return { bastion: { instance: choice, tier, az: azs[0] ?? "", ssm }, problems };
}

/** The EC2 Instance Connect Endpoint, placed. */
export interface InstanceConnectPlan {
  /** The private or isolated tier the endpoint stands in. */
  readonly tier: string;
  /** The AZ of that tier's subnet it stands in. */
  readonly az: string;
}

/** What the Instance Connect plan needs: its block, the tiers, and the rest of the doors. */
export interface InstanceConnectInput extends InstanceContext {
  /** The config's `instanceConnect` block. @default none: no Instance Connect Endpoint */
  readonly instanceConnect?: InstanceConnectConfig;
  /** Whether the config has a bastion block (one door only). @default false */
  readonly hasBastion?: boolean;
  /** The config's `access` block, as given (the endpoint takes no admin CIDRs: IAM decides). @default none */
  readonly access?: unknown;
}

/**
 * Checks `instanceConnect` and places the endpoint: in a private or isolated tier (it has no public address), one AZ
 * (one endpoint reaches every subnet of the VPC), and the only door: no bastion beside it, no admin CIDRs (who may
 * open a tunnel is IAM's `ec2-instance-connect:OpenTunnel`, not a security group rule).
 */
export function planInstanceConnect(env: InstanceConnectInput): {
  instanceConnect?: InstanceConnectPlan;
  problems: ConfigProblem[];
} {
  const block = env.instanceConnect;
  if (block === undefined) return { problems: [] };
  const defaultTier = (env.tiers.find((t) => t.type === "private") ?? env.tiers.find((t) => t.type === "isolated"))
    ?.name;
  const tier = block.tier ?? defaultTier ?? "";
  const { azs, problems } = resolvePlacement(env, {
    base: "instanceConnect",
    tier,
    tierGiven: block.tier !== undefined,
    azs: block.az === undefined ? undefined : [block.az],
    azField: "az",
    allowedTypes: ["private", "isolated"],
    why: "the endpoint has no public address",
  });
  if (env.hasBastion === true)
    problems.push({
      field: "instanceConnect",
      value: block,
      expected: "one door: a bastion block or an instanceConnect block, not both",
    });
  if (env.access !== undefined)
    problems.push({
      field: "access",
      value: env.access,
      expected:
        "no access block with instanceConnect: IAM decides who may open a tunnel (ec2-instance-connect:OpenTunnel), no CIDR reaches port 22",
    });
  return { instanceConnect: { tier, az: azs[0] ?? "" }, problems };
}
