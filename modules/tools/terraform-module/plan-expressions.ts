/**
 * The network planner's rules (modules/network/plan.ts) written as Terraform expressions, for the generated HCL
 * modules, whose inputs are known only when the caller plans. Pure: returns `locals` entries (name → expression).
 * The equivalence with `planNetwork` is not assumed: __tests__/terraform-modules.int.test.ts compares them.
 *
 * The rules mirrored:
 * - an AZ's slot is its letter's place in the alphabet (a = 0);
 * - tiers are planned in list order and each sees only the tiers before it: an auto-planned tier takes the lowest
 *   block of `cidr_mask - log2(az_slots)` bits, aligned to its size, that overlaps nothing an earlier tier took, and
 *   its subnet in an AZ is slot number `slot` of that block; an explicit CIDR inside an earlier tier's block is
 *   refused (`explicit_clashes`), with the lowest free block of its size; so an appended tier never moves a subnet;
 * - NAT: `single` and `instance` put one NAT in the first AZ (environment order) holding a public subnet, and every AZ
 *   with a private subnet routes to it; `per-az` puts one in every AZ with a private subnet; `none` makes none.
 */

/** Most tiers a generated module accepts: Terraform has no loops that carry state, so tier planning is unrolled. */
export const MODULE_MAX_TIERS = 16;

/** The alphabet an AZ's last letter is looked up in. */
export const LETTERS = "abcdefghijklmnopqrstuvwxyz".split("");

/** An IPv4 address (a Terraform string expression) as a number. */
export function addressNumber(address: string): string {
  return `sum([for i, octet in split(".", ${address}) : tonumber(octet) * pow(256, 3 - i)])`;
}

/** A CIDR's first address as a number, its prefix length and its size in addresses (of a Terraform string expression). */
export const cidrFirst = (cidr: string) => addressNumber(`cidrhost(${cidr}, 0)`);
export const cidrPrefix = (cidr: string) => `tonumber(split("/", ${cidr})[1])`;
export const cidrSize = (cidr: string) => `pow(2, 32 - ${cidrPrefix(cidr)})`;

/** The `locals` that plan the subnets, route tables and NATs of `var.*` inputs. */
export function planLocals(): Record<string, string> {
  const locals: Record<string, string> = {
    slot_bits: `\${lookup({ "1" = 0, "2" = 1, "4" = 2, "8" = 3 }, tostring(var.az_slots), 0)}`,
    az_slot: `\${{ for az in var.azs : az => index(${JSON.stringify(LETTERS)}, substr(az, length(az) - 1, 1)) }}`,
    // Each tier's AZs, in the environment's AZ order.
    tier_azs: `\${[for t in var.tiers : [for az in var.azs : az if contains(t.azs == null ? var.azs : t.azs, az)]]}`,
    explicit_subnets: `\${flatten([for i, t in var.tiers : t.cidrs == null ? [] : [for az in local.tier_azs[i] : { index = i, tier = t.name, type = t.type, az = az, cidr = t.cidrs[az] }]])}`,
    explicit_ranges: `\${[for s in local.explicit_subnets : { index = s.index, az = s.az, cidr = s.cidr, first = ${cidrFirst("s.cidr")}, last = ${cidrFirst("s.cidr")} + ${cidrSize("s.cidr")} - 1 }]}`,
    // The VPC's blocks by name ("" the primary), and the block each tier is planned in.
    block_ranges: `\${{ for b in concat([{ name = "", cidr = var.vpc_cidr }], var.secondary_cidr_blocks) : b.name => { name = b.name, cidr = b.cidr, prefix = ${cidrPrefix("b.cidr")}, first = ${cidrFirst("b.cidr")}, last = ${cidrFirst("b.cidr")} + ${cidrSize("b.cidr")} - 1, where = b.name == "" ? "the VPC block \${b.cidr}" : "block \\"\${b.name}\\" (\${b.cidr})" } }}`,
    tier_within: `\${[for t in var.tiers : try(local.block_ranges[t.block == null ? "" : t.block], local.block_ranges[""])]}`,
  };
  const blocks: string[] = [];
  for (let k = 0; k < MODULE_MAX_TIERS; k++) {
    const tier = `var.tiers[${k}]`;
    const auto = `try(${tier}.cidr_mask != null && ${tier}.cidrs == null, false)`;
    const prefix = `${tier}.cidr_mask - local.slot_bits`;
    const first = lowestFreeBlock(prefix, takenBefore(`${k}`, blocks), `local.tier_within[${k}]`);
    locals[`tier_${k}_block`] =
      `\${${auto} ? try({ prefix = ${prefix}, first = ${first}, last = ${first} + pow(2, 32 - (${prefix})) - 1 }, null) : null}`;
    blocks.push(`local.tier_${k}_block`);
  }
  const blockList = `[${blocks.join(", ")}]`;
  // An explicit CIDR in the block of an earlier auto-planned tier: refused by a precondition, naming both.
  const prefixOf = `tonumber(split("/", r.cidr)[1])`;
  const within = "local.tier_within[r.index]";
  const free = lowestFreeBlock(prefixOf, takenBefore("r.index", blocks), within);
  // An address number as an address: its offset from a block's first address, as a host of that block.
  const address = (number: string, block: string) => `cidrhost(${block}.cidr, ${number} - ${block}.first)`;
  locals.explicit_clashes = `\${flatten([for r in local.explicit_ranges : [for j, b in ${blockList} : "tiers[\${r.index}].cidrs.\${r.az} = \${r.cidr} overlaps \${${address("b.first", "local.tier_within[j]")}}/\${b.prefix}, the block of AZ slots planned for tier \\"\${var.tiers[j].name}\\" (tiers[\${j}]), which comes first in the list; \${try("\${${address(free, within)}}/\${${prefixOf}} is free", "no /\${${prefixOf}} is free in \${${within}.where}")}" if(b == null ? false : j < r.index && b.first <= r.last && r.first <= b.last)]])}`;
  const tierBlock = "local.tier_within[k]";
  locals.auto_subnets = `\${flatten([for k, b in ${blockList} : b == null ? [] : [for az in local.tier_azs[k] : { tier = var.tiers[k].name, type = var.tiers[k].type, az = az, cidr = cidrsubnet(${tierBlock}.cidr, var.tiers[k].cidr_mask - ${tierBlock}.prefix, (b.first - ${tierBlock}.first) / pow(2, 32 - var.tiers[k].cidr_mask) + local.az_slot[az]) }]])}`;
  // Auto tiers whose block did not fit (checked by a precondition, with the tier named).
  locals.unplaced_tiers = `\${[for k, t in var.tiers : t.name if t.cidr_mask != null && t.cidrs == null && try(${blockList}[k] == null, true)]}`;
  locals.subnets = `\${{ for s in concat(local.explicit_subnets, local.auto_subnets) : "\${s.tier}/\${s.az}" => s }}`;

  // NATs.
  locals.public_tier_in = `\${{ for az in var.azs : az => try([for i, t in var.tiers : t.name if t.type == "public" && contains(local.tier_azs[i], az)][0], null) }}`;
  locals.private_azs = `\${[for az in var.azs : az if anytrue([for i, t in var.tiers : t.type == "private" && contains(local.tier_azs[i], az)])]}`;
  locals.nat_azs = `\${length(local.private_azs) == 0 || var.nat_mode == "none" ? [] : var.nat_mode == "per-az" ? [for az in local.private_azs : az if local.public_tier_in[az] != null] : try(slice([for az in var.azs : az if local.public_tier_in[az] != null], 0, 1), [])}`;
  locals.nat_az_for = `\${{ for az in local.private_azs : az => var.nat_mode == "per-az" ? az : local.nat_azs[0] if length(local.nat_azs) > 0 }}`;
  locals.nat_gateways = `\${var.nat_mode == "instance" ? {} : { for az in local.nat_azs : az => local.public_tier_in[az] }}`;
  locals.nat_instances = `\${var.nat_mode == "instance" ? { for az in local.nat_azs : az => local.public_tier_in[az] } : {}}`;

  // Route tables: one per public or isolated tier, one per AZ for a private tier (its own NAT).
  locals.route_tables = `\${merge([for i, t in var.tiers : t.type == "private" ? { for az in local.tier_azs[i] : "\${t.name}-\${az}" => { tier = t.name, type = t.type, nat_az = lookup(local.nat_az_for, az, null) } } : length(local.tier_azs[i]) == 0 ? {} : { (t.name) = { tier = t.name, type = t.type, nat_az = null } }]...)}`;
  locals.route_table_of = `\${{ for key, s in local.subnets : key => s.type == "private" ? "\${s.tier}-\${s.az}" : s.tier }}`;
  return locals;
}

/** What the tiers before tier `index` (an expression) took: their explicit CIDRs and their auto-planned blocks. */
function takenBefore(index: string, blocks: readonly string[]): string {
  // Not `r`: a caller's `index` may be `r.index`, which the loop variable would shadow (every range then "after").
  const explicit = `[for e in local.explicit_ranges : e if e.index < ${index}]`;
  const planned = `[for j, b in [${blocks.join(", ")}] : b if(b == null ? false : j < ${index})]`;
  return blocks.length === 0 ? explicit : `concat(${explicit}, ${planned})`;
}

/**
 * The first address of the lowest block of `prefix` (an expression) in the VPC block `within` (an expression of
 * { first, last, prefix }), aligned to its size, that overlaps none of `taken` (an expression of { first, last }
 * ranges); an error (for `try`) when none fits. The lowest free block starts at the block's start or just after a
 * taken block, rounded up to the block's size.
 */
function lowestFreeBlock(prefix: string, taken: string, within: string): string {
  const size = `pow(2, 32 - (${prefix}))`;
  const candidates = `concat([${within}.first], [for t in ${taken} : ceil((t.last + 1) / ${size}) * ${size}])`;
  const fits = `c >= ${within}.first && c + ${size} - 1 <= ${within}.last && ${prefix} >= ${within}.prefix && alltrue([for t in ${taken} : !(t.first <= c + ${size} - 1 && t.last >= c)])`;
  return `min([for c in ${candidates} : c if ${fits}]...)`;
}
