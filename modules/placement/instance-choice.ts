import type { AmiSource } from "../instance/ami";
import { INSTANCE_DEFAULTS } from "../instance/schema";
import { ConfigProblem, fieldPath } from "../core/problems";
import { PlacementRules, resolvePlacement, TierLayout } from "./placement";

/** An instance block's choices with defaults applied. */
export interface InstanceChoice {
  readonly ami: AmiSource;
  readonly instanceType: string;
  readonly sshUser: string;
  readonly rootVolumeGiB?: number;
  /** CloudWatch detailed (1-minute) monitoring. */
  readonly detailedMonitoring: boolean;
}

/** The fields every instance block has (see `instanceFields`). */
type InstanceBlock = {
  ami?: AmiSource;
  instanceType?: string;
  sshUser?: string;
  rootVolumeGiB?: number;
  detailedMonitoring?: boolean;
};

/** Where instances go and what they run when their block does not say: the environment's tiers and default AMI. */
export interface InstanceContext extends TierLayout {
  /** The environment's `ami`, for every instance block that names none. @default none */
  readonly defaultAmi?: AmiSource;
}

/** Applies the defaults to an instance block; a problem when it has no AMI and the environment has none either. */
export function chooseInstance(
  context: Pick<InstanceContext, "defaultAmi">,
  base: string,
  block: InstanceBlock,
): { choice: InstanceChoice; problems: ConfigProblem[] } {
  const ami = block.ami ?? context.defaultAmi;
  const problems: ConfigProblem[] =
    ami === undefined
      ? [
          {
            field: fieldPath(base, "ami"),
            value: undefined,
            expected: `an AMI for this instance: ${base}.ami, or the environment's ami for every instance`,
          },
        ]
      : [];
  return {
    choice: {
      ami: ami ?? "",
      instanceType: block.instanceType ?? INSTANCE_DEFAULTS.instanceType,
      sshUser: block.sshUser ?? INSTANCE_DEFAULTS.sshUser,
      rootVolumeGiB: block.rootVolumeGiB,
      detailedMonitoring: block.detailedMonitoring ?? INSTANCE_DEFAULTS.detailedMonitoring,
    },
    problems,
  };
}

/** An instance block's defaults and placement, checked: the shared first step of the bastion, app and DB plans. */
export function placeInstances(
  env: InstanceContext,
  base: string,
  block: InstanceBlock & { tier?: string },
  rules: PlacementRules,
): { choice: InstanceChoice; tier: string; azs: string[]; problems: ConfigProblem[] } {
  const { choice, problems } = chooseInstance(env, base, block);
  const tier = block.tier ?? rules.defaultTier;
  const placement = resolvePlacement(env, { ...rules, base, tier, tierGiven: block.tier !== undefined });
  return { choice, tier, azs: placement.azs, problems: [...problems, ...placement.problems] };
}
