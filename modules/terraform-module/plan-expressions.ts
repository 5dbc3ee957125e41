/**
 * The network planner's rules (modules/network/plan.ts) written as Terraform expressions, for the generated HCL
 * modules, whose inputs are known only when the caller plans. Pure: returns `locals` entries (name → expression).
 * The equivalence with `planNetwork` is not assumed: __tests__/terraform-modules.int.test.ts compares them.
 *
 * The rules mirrored:
 * - an AZ's slot is its letter's place in the alphabet (a = 0);
 * - explicit CIDRs are taken first; then each auto-planned tier, in order, takes the lowest block of
 *   `cidr_mask - log2(az_slots)` bits, aligned to its size, that overlaps nothing taken, and its subnet in an AZ is
 *   slot number `slot` of that block;
 * - NAT: `single` and `instance` put one NAT in the first AZ (environment order) holding a public subnet, and every AZ
 *   with a private subnet routes to it; `per-az` puts one in every AZ with a private subnet; `none` makes none.
 */

/** Most tiers a generated module accepts: Terraform has no loops that carry state, so tier planning is unrolled. */
export const MODULE_MAX_TIERS = 8;

/** The alphabet an AZ's last letter is looked up in. */
export const LETTERS = "abcdefghijklmnopqrstuvwxyz".split("");

/** An IPv4 address (a Terraform string expression) as a number. */
export function addressNumber(address: string): string {
  return `sum([for i, octet in split(".", ${address}) : tonumber(octet) * pow(256, 3 - i)])`;
}

/** The `locals` that plan the subnets, route tables and NATs of `var.*` inputs. */
export function planLocals(): Record<string, string> {
  const locals: Record<string, string> = {
    vpc_prefix: `\${tonumber(split("/", var.vpc_cidr)[1])}`,
    vpc_first: `\${${addressNumber("cidrhost(var.vpc_cidr, 0)")}}`,
    vpc_last: `\${local.vpc_first + pow(2, 32 - local.vpc_prefix) - 1}`,
    slot_bits: `\${lookup({ "1" = 0, "2" = 1, "4" = 2, "8" = 3 }, tostring(var.az_slots), 0)}`,
    az_slot: `\${{ for az in var.azs : az => index(${JSON.stringify(LETTERS)}, substr(az, length(az) - 1, 1)) }}`,
    // Each tier's AZs, in the environment's AZ order.
    tier_azs: `\${[for t in var.tiers : [for az in var.azs : az if contains(t.azs == null ? var.azs : t.azs, az)]]}`,
    explicit_subnets: `\${flatten([for i, t in var.tiers : t.cidrs == null ? [] : [for az in local.tier_azs[i] : { tier = t.name, type = t.type, az = az, cidr = t.cidrs[az] }]])}`,
    explicit_ranges: `\${[for s in local.explicit_subnets : { first = ${addressNumber("cidrhost(s.cidr, 0)")}, last = ${addressNumber("cidrhost(s.cidr, 0)")} + pow(2, 32 - tonumber(split("/", s.cidr)[1])) - 1 }]}`,
  };
  const blocks: string[] = [];
  for (let k = 0; k < MODULE_MAX_TIERS; k++) {
    const tier = `var.tiers[${k}]`;
    const auto = `try(${tier}.cidr_mask != null && ${tier}.cidrs == null, false)`;
    const size = `pow(2, 32 - (${tier}.cidr_mask - local.slot_bits))`;
    const taken = `concat(local.explicit_ranges, ${blocks.length === 0 ? "[]" : `[for b in [${blocks.join(", ")}] : b if b != null]`})`;
    // The lowest free block is at the VPC's start or just after a taken block (rounded up to the block's size).
    const candidates = `concat([local.vpc_first], [for t in ${taken} : ceil((t.last + 1) / ${size}) * ${size}])`;
    const fits = `c + ${size} - 1 <= local.vpc_last && ${tier}.cidr_mask - local.slot_bits >= local.vpc_prefix && alltrue([for t in ${taken} : !(t.first <= c + ${size} - 1 && t.last >= c)])`;
    locals[`tier_${k}_block`] =
      `\${${auto} ? try({ first = min([for c in ${candidates} : c if ${fits}]...), last = min([for c in ${candidates} : c if ${fits}]...) + ${size} - 1 }, null) : null}`;
    blocks.push(`local.tier_${k}_block`);
  }
  locals.auto_subnets = `\${flatten([for k, b in [${blocks.join(", ")}] : b == null ? [] : [for az in local.tier_azs[k] : { tier = var.tiers[k].name, type = var.tiers[k].type, az = az, cidr = cidrsubnet(var.vpc_cidr, var.tiers[k].cidr_mask - local.vpc_prefix, (b.first - local.vpc_first) / pow(2, 32 - var.tiers[k].cidr_mask) + local.az_slot[az]) }]])}`;
  // Auto tiers whose block did not fit (checked by a precondition, with the tier named).
  locals.unplaced_tiers = `\${[for k, t in var.tiers : t.name if t.cidr_mask != null && t.cidrs == null && try([${blocks.join(", ")}][k] == null, true)]}`;
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
