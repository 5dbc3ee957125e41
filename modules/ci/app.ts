import { App } from "cdktf";
import { CiEnvironment, ciIdentityPlans } from "./plan";
import { CiIdentityStack } from "./stack";

/** Adds one CI identity stack per AWS account that an environment's `ci` names; none when no environment has `ci`. */
export function addCiIdentityStacks(app: App, environments: readonly CiEnvironment[]): CiIdentityStack[] {
  return ciIdentityPlans(environments).map((plan) => new CiIdentityStack(app, plan.stackId, { plan }));
}
