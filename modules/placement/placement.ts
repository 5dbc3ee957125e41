import { ConfigProblem, fieldPath } from "../core/problems";
import type { SubnetType } from "../network/types";

/** What placement needs of an environment: its AZs and its tiers (name, type, the AZs each uses). */
export interface TierLayout {
  /** The environment's AZs, in order. */
  readonly azs: readonly string[];
  /** The tiers; a tier without `azs` uses all of the environment's. */
  readonly tiers: ReadonlyArray<{ readonly name: string; readonly type: SubnetType; readonly azs?: readonly string[] }>;
}

/** Where an instance group goes, besides what its config block says. */
export interface PlacementRules {
  /** The tier when the block names none. */
  readonly defaultTier: string;
  /** The AZs the block asks for; undefined for the tier's first AZ (`az`) or all of them (`azs`). */
  readonly azs?: readonly string[];
  /** `az` (one AZ) or `azs` (a list). */
  readonly azField: "az" | "azs";
  /** The kinds of tier the instances may be in. */
  readonly allowedTypes: readonly SubnetType[];
  /** Why only those kinds, for the message. */
  readonly why: string;
}

/** A placement to check: the rules, the block's field path, and the tier it resolved to. */
export interface PlacementRequest extends Omit<PlacementRules, "defaultTier"> {
  /** Field path of the instance block, e.g. `servers.app`. */
  readonly base: string;
  /** The tier name asked for (or the default). */
  readonly tier: string;
  /** Whether the tier was given in the config (for the value a problem shows). */
  readonly tierGiven: boolean;
}

/** The AZs a placement resolves to, and what is wrong with it. */
export function resolvePlacement(
  env: TierLayout,
  request: PlacementRequest,
): { azs: string[]; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const tier = env.tiers.find((t) => t.name === request.tier);
  if (tier === undefined) {
    const field = fieldPath(request.base, "tier");
    problems.push({
      field,
      value: request.tierGiven ? request.tier : undefined,
      expected: `one of the environment's tiers (${env.tiers.map((t) => t.name).join(", ")})`,
    });
    return { azs: [], problems };
  }
  if (!request.allowedTypes.includes(tier.type)) {
    problems.push({
      field: fieldPath(request.base, "tier"),
      value: request.tier,
      expected: `a ${request.allowedTypes.join(" or ")} tier (${request.why}); "${tier.name}" is ${tier.type}`,
    });
  }
  const tierAzs = (tier.azs ?? env.azs).filter((az) => env.azs.includes(az));
  if (request.azs === undefined) return { azs: request.azField === "az" ? tierAzs.slice(0, 1) : tierAzs, problems };
  const azs = request.azs.filter((az, i) => {
    const field = request.azField === "az" ? fieldPath(request.base, "az") : fieldPath(request.base, "azs", i);
    if (!tierAzs.includes(az))
      problems.push({ field, value: az, expected: `an AZ of tier "${tier.name}" (${tierAzs.join(", ")})` });
    else if (request.azs!.indexOf(az) !== i) problems.push({ field, value: az, expected: "each AZ listed once" });
    else return true;
    return false;
  });
  if (request.azField === "azs" && request.azs.length === 0)
    problems.push({
      field: fieldPath(request.base, "azs"),
      value: [],
      expected: "at least one AZ, or no azs field for all of the tier's",
    });
  return { azs, problems };
}
