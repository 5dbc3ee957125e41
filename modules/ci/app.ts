import { App } from "cdktf";
import { CiEnvironment, ciIdentityPlans } from "./plan";
import type { CiIdentityStack } from "./stack";

/** Adds one CI identity stack per AWS account that an environment's `ci` names; none when no environment has `ci`. */
export function addCiIdentityStacks(app: App, environments: readonly CiEnvironment[]): CiIdentityStack[] {
  const plans = ciIdentityPlans(environments);
  if (plans.length === 0) return [];
  // Loaded here, not on import: only a config with `ci` pays for the stack and its IAM provider classes.
  const { CiIdentityStack } = require("./stack") as typeof import("./stack");
  return plans.map((plan) => new CiIdentityStack(app, plan.stackId, { plan }));
}
