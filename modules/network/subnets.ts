import type { INetworkSubnet } from "./types";

/** The subnets of one tier of `network`, in its AZ order; throws naming the tiers there are when it has none. */
export function tierSubnets<S extends INetworkSubnet>(network: { readonly subnets: readonly S[] }, tier: string): S[] {
  const found = network.subnets.filter((s) => s.tier === tier);
  if (found.length === 0)
    throw new Error(
      `network has no tier "${tier}" (tiers: ${[...new Set(network.subnets.map((s) => s.tier))].join(", ")})`,
    );
  return found;
}

/** The subnet of `tier` in `az` of `network`. */
export function subnetIn<S extends INetworkSubnet>(
  network: { readonly subnets: readonly S[] },
  tier: string,
  az: string,
): S {
  const found = tierSubnets(network, tier).find((s) => s.az === az);
  if (found === undefined) throw new Error(`tier "${tier}" has no subnet in ${az}`);
  return found;
}

/** `{ tier: { az: value } }` of a network's subnets, as outputs list them. */
export function byTierAndAz<S extends INetworkSubnet, T>(
  subnets: readonly S[],
  pick: (s: S) => T,
): Record<string, Record<string, T>> {
  const out: Record<string, Record<string, T>> = {};
  for (const s of subnets) (out[s.tier] ??= {})[s.az] = pick(s);
  return out;
}
