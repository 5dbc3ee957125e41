import { ConfigProblem } from "../core/problems";
import { InstanceChoice, InstanceContext, placeInstances } from "../placement/instance-choice";
import { BastionConfig, BASTION_DEFAULTS } from "./schema";
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
  // through the NAT from a private tier (the first one, unless bastion.tier names another).
  const placement =
    ssm === "only"
      ? {
          defaultTier: env.tiers.find((t) => t.type === "private")?.name ?? BASTION_DEFAULTS.tier,
          allowedTypes: ["private" as const],
          why: 'with bastion.ssm "only" nothing listens, so the bastion has no public address; Session Manager reaches it through the NAT',
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
