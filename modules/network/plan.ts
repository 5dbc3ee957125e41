import { ConfigProblem, fieldPath } from "../core/problems";
import {
  AWS_MAX_PREFIX,
  AWS_MIN_PREFIX,
  cidrOf,
  cidrSyntaxProblem,
  contains,
  firstFreeBlock,
  isRfc1918,
  overlaps,
  rangeOf,
  prefixLength,
  RFC1918,
  sizeOf,
} from "../core/cidr";
import {
  IPV6_SUBNET_BITS,
  LOG_RETENTION_DAYS,
  NETWORK_DEFAULTS,
  NetworkPlan,
  NetworkProps,
  PlannedSubnet,
  SubnetTierProps,
} from "./types";
import { regionAzs } from "./azs";

/** A tier or block name: lowercase letters, digits and dashes, starting with a letter, at most 31 characters. */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;
export const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const AZ_SLOT_CHOICES = [1, 2, 4, 8];

/** The AZ's slot: its letter's place in the alphabet (a = 0), so a subnet's place never depends on list order. */
export function azSlot(region: string, az: string): number | undefined {
  const match = new RegExp(`^${region.replace(/[-]/g, "\\-")}([a-z])$`).exec(az);
  return match === null ? undefined : match[1].charCodeAt(0) - "a".charCodeAt(0);
}

/**
 * Checks a network description and plans its subnets and NATs. Pure: the same input always gives the same plan,
 * and the plan is only meaningful when `problems` is empty.
 */
export function planNetwork(props: NetworkProps): { plan: NetworkPlan; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const problem = (field: string, value: unknown, expected: string) => problems.push({ field, value, expected });

  if (!REGION_PATTERN.test(props.region)) problem("region", props.region, "an AWS region name such as ap-northeast-2");
  const usableAzs = checkAzs(props, problem);
  const vpcOk = checkVpcCidr(props, problem);
  const azSlots = props.azSlots ?? NETWORK_DEFAULTS.azSlots;
  if (!AZ_SLOT_CHOICES.includes(azSlots)) problem("azSlots", props.azSlots, "one of 1, 2, 4 or 8");
  checkFlowLogs(props, problem);

  const blocks = vpcOk ? checkSecondaryBlocks(props, problem) : undefined;
  const beyondSlots = new Map<string, string[]>();
  const tierAzs = props.tiers.map((tier, index) =>
    checkTier(props, tier, index, { usableAzs, azSlots, beyondSlots }, problem),
  );
  // Once per AZ, whatever the number of tiers that would place a subnet in it.
  for (const [az, tiers] of beyondSlots) {
    const slot = azSlot(props.region, az) as number;
    const enough = AZ_SLOT_CHOICES.filter((n) => n > slot);
    problem(
      "azSlots",
      props.azSlots,
      `one of ${enough.join(", ")}: AZ ${az} takes slot ${slot} in tier(s) ${tiers.map((t) => `"${t}"`).join(", ")}, beyond the ${azSlots} slot(s) each tier reserves. ` +
        `Raising azSlots moves every auto-planned subnet (replaces it): choose it before the first apply`,
    );
  }
  const subnets =
    blocks !== undefined && AZ_SLOT_CHOICES.includes(azSlots)
      ? planCidrs(props, blocks, tierAzs, azSlots, problem)
      : [];
  const nat = planNat(props, tierAzs, problem);
  const interfaceEndpointTier = checkInterfaceEndpoints(props, problem);
  const ipv6 = checkIpv6(props, azSlots, tierAzs, problem);
  return {
    plan: { subnets: ipv6 ? withIpv6Indexes(props, subnets, azSlots) : subnets, ...nat, interfaceEndpointTier },
    problems,
  };
}

/** A service's part of an endpoint name: `ssm`, `ecr.api`, `execute-api`. */
const ENDPOINT_SERVICE_PATTERN = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)*$/;
/** Services this project reaches through a (free) gateway endpoint instead. */
const GATEWAY_SERVICES: Readonly<Record<string, string>> = {
  s3: "s3GatewayEndpoint: true (a free gateway endpoint)",
  dynamodb: "a DynamoDB gateway endpoint (free), not an interface endpoint",
};

/** The tier interface endpoints go in when none is named: the first isolated tier, else the first private one. */
export function defaultInterfaceEndpointTier(tiers: NetworkProps["tiers"]): string | undefined {
  return (tiers.find((t) => t.type === "isolated") ?? tiers.find((t) => t.type === "private"))?.name;
}

/** Checks `interfaceEndpoints`; returns the tier they go in, or undefined when there are none. */
function checkInterfaceEndpoints(props: NetworkProps, problem: Report): string | undefined {
  const endpoints = props.interfaceEndpoints;
  if (endpoints === undefined) return undefined;
  endpoints.services.forEach((service, i) => {
    const at = fieldPath("interfaceEndpoints", "services", i);
    if (!ENDPOINT_SERVICE_PATTERN.test(service))
      problem(at, service, "a service's endpoint name such as ssm, ssmmessages, ec2messages, logs or ecr.api");
    else if (GATEWAY_SERVICES[service] !== undefined) problem(at, service, GATEWAY_SERVICES[service]);
    else if (endpoints.services.indexOf(service) !== i) problem(at, service, "each service listed once");
  });
  if (endpoints.services.length === 0) problem("interfaceEndpoints.services", [], "at least one service");
  const tierName = endpoints.tier ?? defaultInterfaceEndpointTier(props.tiers);
  const tier = props.tiers.find((t) => t.name === tierName);
  const innerTiers = props.tiers.filter((t) => t.type !== "public").map((t) => t.name);
  if (tier === undefined || tier.type === "public") {
    problem(
      "interfaceEndpoints.tier",
      endpoints.tier,
      innerTiers.length === 0
        ? "a private or isolated tier to hold the endpoints (there is none)"
        : `a private or isolated tier (${innerTiers.join(", ")}): the endpoints' addresses are the VPC's own`,
    );
    return undefined;
  }
  return tier.name;
}

type Report = (field: string, value: unknown, expected: string) => void;

/** The /64s a VPC's /56 holds. */
const IPV6_SUBNETS = 2 ** IPV6_SUBNET_BITS;

/**
 * The /64 of a subnet within the VPC's /56, as its IPv4 block is placed: the tier's place in the list reserves
 * `azSlots` consecutive /64s, the AZ's slot picks one. Appending a tier or adding an AZ moves none that exists.
 */
export function ipv6SubnetIndex(tierIndex: number, azSlots: number, slot: number): number {
  return tierIndex * azSlots + slot;
}

/** Checks the dual-stack settings; returns whether the plan gets IPv6 blocks. */
function checkIpv6(props: NetworkProps, azSlots: number, tierAzs: string[][], problem: Report): boolean {
  const on = props.ipv6 ?? NETWORK_DEFAULTS.ipv6;
  props.tiers.forEach((tier, index) => {
    if (tier.assignIpv6AddressOnCreation === true && !on)
      problem(
        fieldPath("tiers", index, "assignIpv6AddressOnCreation"),
        true,
        "ipv6: true on the environment first (a subnet gives IPv6 addresses only from an IPv6 block)",
      );
    // A tier's own ACL is planned from IPv4 flows: on a dual-stack VPC it would drop every IPv6 packet.
    if (tier.networkAcl === true && on)
      problem(
        fieldPath("tiers", index, "networkAcl"),
        true,
        "no network ACL of the tier's own with ipv6: its entries are planned for IPv4 only and would drop the tier's IPv6 traffic (the VPC's default ACL, which admits IPv6, stays)",
      );
  });
  if (!on || !AZ_SLOT_CHOICES.includes(azSlots)) return false;
  const maxTiers = IPV6_SUBNETS / azSlots;
  if (props.tiers.length > maxTiers) {
    problem(
      "ipv6",
      true,
      `at most ${maxTiers} tiers with ipv6 (the VPC's /56 holds ${IPV6_SUBNETS} /64s, ${azSlots} AZ slots per tier); there are ${props.tiers.length}`,
    );
    return false;
  }
  let ok = true;
  props.tiers.forEach((tier, index) => {
    for (const az of tierAzs[index]) {
      const slot = azSlot(props.region, az) ?? 0;
      if (slot >= azSlots) {
        ok = false;
        problem(
          fieldPath("tiers", index, "cidrs", az),
          tier.cidrs?.[az],
          `an AZ within the ${azSlots} slot(s) each tier reserves, with ipv6: AZ ${az} takes slot ${slot}, and its /64 would be the next tier's. ` +
            `Raising azSlots moves every auto-planned subnet (replaces it): choose it before the first apply`,
        );
      }
    }
  });
  return ok;
}

function withIpv6Indexes(props: NetworkProps, subnets: PlannedSubnet[], azSlots: number): PlannedSubnet[] {
  return subnets.map((s) => ({
    ...s,
    ipv6Index: ipv6SubnetIndex(
      props.tiers.findIndex((t) => t.name === s.tier),
      azSlots,
      azSlot(props.region, s.az) ?? 0,
    ),
  }));
}

/** Checks the environment's AZs against the region's (modules/network/azs.ts); returns those that exist. */
function checkAzs(props: NetworkProps, problem: Report): Set<string> {
  if (props.azs.length === 0) problem("azs", props.azs, "at least one availability zone");
  const usable = new Set<string>();
  props.azs.forEach((az, i) => {
    const notOfRegion = azProblem(props.region, az);
    if (notOfRegion !== undefined) {
      problem(fieldPath("azs", i), az, notOfRegion);
    } else if (props.azs.indexOf(az) !== i) {
      problem(fieldPath("azs", i), az, "each AZ listed once");
    } else usable.add(az);
  });
  return usable;
}

/** What is wrong with `az` as an availability zone of `region` (the table in azs.ts, or the name's shape), if anything. */
export function azProblem(region: string, az: string): string | undefined {
  const known = regionAzs(region);
  if (known !== undefined && !known.includes(az))
    return `one of the availability zones of ${region}: ${known.join(", ")}`;
  if (azSlot(region, az) === undefined) return `an availability zone of region ${region}, such as ${region}a`;
  return undefined;
}

/** What is wrong with `cidr` as a VPC block or subnet (`kind`: "a VPC block", "a subnet"), if anything: syntax, AWS's sizes. */
export function blockProblem(cidr: string, kind: string): string | undefined {
  const syntax = cidrSyntaxProblem(cidr);
  if (syntax !== undefined) return syntax;
  const prefix = prefixLength(cidr);
  if (prefix < AWS_MIN_PREFIX || prefix > AWS_MAX_PREFIX)
    return `${kind} from /${AWS_MIN_PREFIX} to /${AWS_MAX_PREFIX} (AWS's limits)`;
  return undefined;
}

function checkVpcCidr(props: NetworkProps, problem: Report): boolean {
  const wrong = blockProblem(props.vpcCidr, "a VPC block");
  if (wrong !== undefined) {
    problem("vpcCidr", props.vpcCidr, wrong);
    return false;
  }
  if (!isRfc1918(props.vpcCidr) && props.acknowledgeNonRfc1918VpcCidr !== true) {
    problem(
      "vpcCidr",
      props.vpcCidr,
      "a private RFC 1918 block (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), or acknowledgeNonRfc1918VpcCidr: true",
    );
  }
  return true;
}

/** AWS's default quota of IPv4 blocks per VPC, the primary one included. */
export const VPC_CIDR_BLOCKS_QUOTA = 5;

/** Checks the secondary blocks; returns every usable block by name ("" for the primary), or undefined if one is broken. */
function checkSecondaryBlocks(props: NetworkProps, problem: Report): Map<string, string> | undefined {
  const blocks = new Map<string, string>([["", props.vpcCidr]]);
  let ok = true;
  const secondary = props.secondaryCidrBlocks ?? [];
  if (secondary.length > VPC_CIDR_BLOCKS_QUOTA - 1) {
    problem(
      "secondaryCidrBlocks",
      secondary.length,
      `at most ${VPC_CIDR_BLOCKS_QUOTA - 1} secondary blocks (AWS's default quota is ${VPC_CIDR_BLOCKS_QUOTA} per VPC; raise it with AWS first)`,
    );
  }
  // AWS wants every secondary block in the primary block's RFC 1918 range, when it is in one.
  const range = RFC1918.find((block) => contains(block, props.vpcCidr));
  secondary.forEach((block, i) => {
    const at = (key: string) => fieldPath("secondaryCidrBlocks", i, key);
    if (!NAME_PATTERN.test(block.name))
      problem(at("name"), block.name, "a block name of lowercase letters, digits and dashes, starting with a letter");
    else if (blocks.has(block.name)) problem(at("name"), block.name, "a block name used once");
    const syntax = cidrSyntaxProblem(block.cidr);
    if (syntax !== undefined) {
      problem(at("cidr"), block.cidr, syntax);
      ok = false;
      return;
    }
    const wrong = blockProblem(block.cidr, "a block");
    const clash = [...blocks.entries()].find(([, cidr]) => overlaps(cidr, block.cidr));
    if (wrong !== undefined) problem(at("cidr"), block.cidr, wrong);
    else if (clash !== undefined)
      problem(
        at("cidr"),
        block.cidr,
        `a block that overlaps no other block of the VPC (${clash[0] === "" ? "vpcCidr" : `block "${clash[0]}"`} is ${clash[1]})`,
      );
    else if (range !== undefined && !contains(range, block.cidr))
      problem(
        at("cidr"),
        block.cidr,
        `a block inside ${range}, the RFC 1918 range of vpcCidr (AWS refuses other private ranges as secondary blocks)`,
      );
    else {
      blocks.set(block.name, block.cidr);
      return;
    }
    ok = false;
  });
  return ok ? blocks : undefined;
}

function checkFlowLogs(props: NetworkProps, problem: Report): void {
  const days = props.flowLogs?.retentionDays;
  if (days !== undefined && !(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
    problem("flowLogs.retentionDays", days, `one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")}`);
  }
  const key = props.flowLogs?.kmsKeyArn;
  if (key !== undefined) {
    const region = FLOW_LOG_KMS_KEY_ARN.exec(key)?.[1];
    if (region !== props.region) {
      problem(
        "flowLogs.kmsKeyArn",
        key,
        `the ARN of a KMS key in ${props.region} (CloudWatch Logs takes a key ARN, not an alias), such as arn:aws:kms:${props.region}:111122223333:key/<id>`,
      );
    }
  }
}

/** A KMS key ARN (not an alias: CloudWatch Logs refuses those); group 1 is its region. */
const FLOW_LOG_KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]+$/;

/** Checks one tier; returns the AZs it uses (only the valid ones). */
function checkTier(
  props: NetworkProps,
  tier: SubnetTierProps,
  index: number,
  azs: { usableAzs: ReadonlySet<string>; azSlots: number; beyondSlots: Map<string, string[]> },
  problem: Report,
): string[] {
  const { usableAzs, azSlots, beyondSlots } = azs;
  const at = (...key: Array<string | number>) => fieldPath("tiers", index, ...key);
  if (!NAME_PATTERN.test(tier.name)) {
    problem(
      at("name"),
      tier.name,
      "a tier name of lowercase letters, digits and dashes, starting with a letter, at most 31 characters",
    );
  } else if (props.tiers.findIndex((t) => t.name === tier.name) !== index) {
    problem(at("name"), tier.name, "a tier name used once per environment");
  }
  const tierAzs = [...(tier.azs ?? props.azs)];
  if (tier.azs !== undefined && tier.azs.length === 0)
    problem(at("azs"), tier.azs, "at least one AZ, or no azs field for all of them");
  const valid = tierAzs.filter((az, i) => {
    if (!props.azs.includes(az)) {
      problem(at("azs", i), az, `one of the environment's AZs (${props.azs.join(", ")})`);
      return false;
    }
    if (tierAzs.indexOf(az) !== i) {
      problem(at("azs", i), az, "each AZ listed once");
      return false;
    }
    // Not an AZ of the region: reported once, at the environment's azs.
    if (!usableAzs.has(az)) return false;
    const slot = azSlot(props.region, az);
    if (tier.cidrs === undefined && slot !== undefined && slot >= azSlots) {
      beyondSlots.set(az, [...(beyondSlots.get(az) ?? []), tier.name]);
      return false;
    }
    return true;
  });

  if (tier.block !== undefined && !(props.secondaryCidrBlocks ?? []).some((b) => b.name === tier.block)) {
    const names = (props.secondaryCidrBlocks ?? []).map((b) => b.name);
    problem(
      at("block"),
      tier.block,
      names.length === 0
        ? "the name of a block in secondaryCidrBlocks (there is none)"
        : `one of the secondaryCidrBlocks: ${names.join(", ")}`,
    );
  }
  if ((tier.cidrMask === undefined) === (tier.cidrs === undefined)) {
    problem(at("cidrMask"), tier.cidrMask, "either cidrMask or cidrs (exactly one of them)");
  } else if (
    tier.cidrMask !== undefined &&
    !(Number.isInteger(tier.cidrMask) && tier.cidrMask >= AWS_MIN_PREFIX && tier.cidrMask <= AWS_MAX_PREFIX)
  ) {
    problem(
      at("cidrMask"),
      tier.cidrMask,
      `a subnet netmask from ${AWS_MIN_PREFIX} to ${AWS_MAX_PREFIX} (AWS's limits)`,
    );
  } else if (tier.cidrs !== undefined) {
    const keys = Object.keys(tier.cidrs);
    for (const az of valid)
      if (!keys.includes(az)) problem(at("cidrs", az), undefined, `a CIDR for AZ ${az}, which the tier uses`);
    for (const az of keys)
      if (!tierAzs.includes(az))
        problem(at("cidrs", az), tier.cidrs[az], `only keys that are AZs of the tier (${tierAzs.join(", ")})`);
  }
  return valid;
}

function planCidrs(
  props: NetworkProps,
  blocks: ReadonlyMap<string, string>,
  tierAzs: string[][],
  azSlots: number,
  problem: Report,
): PlannedSubnet[] {
  const subnets: PlannedSubnet[] = [];
  const explicit: Array<{ index: number; az: string; cidr: string }> = [];
  const planned: Array<{ index: number; block: string }> = [];
  const blockName = (tier: SubnetTierProps) => (tier.block !== undefined && blocks.has(tier.block) ? tier.block : "");
  const describeBlock = (name: string) =>
    name === "" ? `the VPC block ${props.vpcCidr}` : `block "${name}" (${blocks.get(name)})`;
  const takenBefore = (index: number) => [
    ...explicit.filter((e) => e.index < index).map((e) => e.cidr),
    ...planned.map((p) => p.block),
  ];
  // Tier by tier, in list order: a tier sees only the tiers before it, so appending one (planned or with explicit
  // cidrs) never moves an existing subnet; an explicit CIDR in an earlier tier's space is refused instead.
  props.tiers.forEach((tier, index) => {
    const within = blocks.get(blockName(tier)) as string;
    if (tier.cidrs !== undefined) {
      for (const az of tierAzs[index]) {
        const cidr = tier.cidrs[az];
        if (cidr === undefined) continue;
        const field = fieldPath("tiers", index, "cidrs", az);
        const wrong = blockProblem(cidr, "a subnet");
        if (wrong !== undefined) problem(field, cidr, wrong);
        else if (!contains(within, cidr)) problem(field, cidr, `a subnet inside ${describeBlock(blockName(tier))}`);
        else {
          const clash = explicitClash(props, index, cidr, explicit, planned);
          if (clash !== undefined) {
            const prefix = prefixLength(cidr);
            const free = firstFreeBlock(within, prefix, takenBefore(index));
            problem(
              field,
              cidr,
              `a block that does not overlap ${clash}` +
                (free === undefined
                  ? `; no /${prefix} is free in ${describeBlock(blockName(tier))}`
                  : `; ${free} is free`),
            );
          } else {
            subnets.push({ tier: tier.name, type: tier.type, az, cidr });
            explicit.push({ index, az, cidr });
          }
        }
      }
      return;
    }
    if (tier.cidrMask === undefined) return;
    const slotBits = Math.log2(azSlots);
    const blockPrefix = tier.cidrMask - slotBits;
    const block =
      blockPrefix >= prefixLength(within) ? firstFreeBlock(within, blockPrefix, takenBefore(index)) : undefined;
    if (block === undefined) {
      problem(
        fieldPath("tiers", index, "cidrMask"),
        tier.cidrMask,
        doesNotFit(props, within, describeBlock(blockName(tier)), blockPrefix, slotBits, azSlots, planned, explicit),
      );
      return;
    }
    planned.push({ index, block });
    const start = rangeOf(block).first;
    for (const az of props.azs.filter((a) => tierAzs[index].includes(a))) {
      const slot = azSlot(props.region, az) ?? 0;
      subnets.push({
        tier: tier.name,
        type: tier.type,
        az,
        cidr: cidrOf(start + slot * sizeOf(tier.cidrMask), tier.cidrMask),
      });
    }
  });
  const order = (s: PlannedSubnet) => props.tiers.findIndex((t) => t.name === s.tier) * 100 + props.azs.indexOf(s.az);
  return subnets.sort((a, b) => order(a) - order(b));
}

/** What an explicit CIDR overlaps among the tiers before it (a planned tier's whole block of AZ slots counts). */
function explicitClash(
  props: NetworkProps,
  index: number,
  cidr: string,
  explicit: ReadonlyArray<{ index: number; az: string; cidr: string }>,
  planned: ReadonlyArray<{ index: number; block: string }>,
): string | undefined {
  const subnet = explicit.find((e) => overlaps(e.cidr, cidr));
  if (subnet !== undefined)
    return `${subnet.cidr} (tier "${props.tiers[subnet.index].name}", tiers[${subnet.index}].cidrs.${subnet.az})${subnet.index < index ? ", which comes first in the list" : ""}`;
  const block = planned.find((p) => overlaps(p.block, cidr));
  if (block !== undefined)
    return `${block.block}, the block of AZ slots planned for tier "${props.tiers[block.index].name}" (tiers[${block.index}]), which comes first in the list`;
  return undefined;
}

/**
 * Why an auto-planned tier does not fit, and the ways out with what each costs: which tier's explicit cidrs are in
 * the way (when they are), the largest cidrMask that would fit, and the growth paths.
 */
function doesNotFit(
  props: NetworkProps,
  within: string,
  where: string,
  blockPrefix: number,
  slotBits: number,
  azSlots: number,
  plannedTiers: ReadonlyArray<{ index: number; block: string }>,
  explicit: ReadonlyArray<{ index: number; az: string; cidr: string }>,
): string {
  const planned = plannedTiers.map((p) => p.block);
  const taken = [...explicit.map((e) => e.cidr), ...planned];
  const parts = [`a mask whose ${azSlots} AZ slots (a /${blockPrefix} block) fit in the free space of ${where}`];
  const withoutExplicit =
    blockPrefix >= prefixLength(within) ? firstFreeBlock(within, blockPrefix, planned) : undefined;
  if (withoutExplicit !== undefined) {
    const blockers = explicit.filter((e) => overlaps(e.cidr, withoutExplicit));
    const named = blockers.map(
      (e) => `tier "${props.tiers[e.index].name}" (tiers[${e.index}].cidrs.${e.az} = ${e.cidr})`,
    );
    parts.push(`it would fit at ${withoutExplicit}, but the explicit CIDR of ${named.join(" and ")} is there`);
  } else {
    parts.push("it does not fit after the tiers before it");
  }
  let fitting: number | undefined;
  for (let mask = blockPrefix + slotBits + 1; mask <= AWS_MAX_PREFIX && fitting === undefined; mask++) {
    if (mask - slotBits >= prefixLength(within) && firstFreeBlock(within, mask - slotBits, taken) !== undefined)
      fitting = mask;
  }
  const ways = [
    fitting !== undefined
      ? `cidrMask ${fitting} (smaller subnets) fits and changes nothing that exists`
      : `no cidrMask of this tier fits the space left`,
    `a secondary block (secondaryCidrBlocks, and "block" on this tier) only adds resources`,
    `a larger vpcCidr replaces the VPC and everything in it`,
  ];
  if (azSlots > 1) ways.push(`fewer azSlots moves every auto-planned subnet (replaces them)`);
  return `${parts.join("; ")}. Ways out: ${ways.join("; ")}`;
}

function planNat(
  props: NetworkProps,
  tierAzs: string[][],
  problem: Report,
): Pick<NetworkPlan, "natAzs" | "natAzFor" | "natTierIn"> {
  const mode = props.nat?.mode ?? NETWORK_DEFAULTS.natMode;
  const publicTierIn = (az: string) => props.tiers.find((t, i) => t.type === "public" && tierAzs[i].includes(az))?.name;
  const privateAzs = props.azs.filter((az) =>
    props.tiers.some((t, i) => t.type === "private" && tierAzs[i].includes(az)),
  );
  const privateTiers = props.tiers.map((t, i) => ({ tier: t, index: i })).filter(({ tier }) => tier.type === "private");
  const none = { natAzs: [], natAzFor: {}, natTierIn: {} };

  if (mode === "instance" && props.nat?.instance === undefined)
    problem("nat.instance", undefined, 'the NAT instance settings ({ "ami": ... }) when nat.mode is "instance"');
  if (mode !== "instance" && props.nat?.instance !== undefined)
    problem("nat.instance", props.nat.instance, 'no instance settings unless nat.mode is "instance"');
  if (privateTiers.length === 0) return none;

  if (mode === "none") {
    for (const { tier, index } of privateTiers) {
      problem(
        fieldPath("tiers", index, "type"),
        tier.type,
        'a NAT path for a private tier: set nat.mode to single, per-az or instance, or make the tier "isolated" (interfaceEndpoints then reach AWS services, such as Session Manager, without a NAT)',
      );
    }
    return none;
  }
  if (mode === "per-az") {
    const natAzs: string[] = [];
    for (const { index } of privateTiers) {
      for (const az of tierAzs[index]) {
        if (publicTierIn(az) === undefined) {
          problem(
            fieldPath("tiers", index, "azs"),
            az,
            `an AZ with a public subnet to hold its NAT gateway (nat.mode "per-az"); AZ ${az} has none`,
          );
        } else if (!natAzs.includes(az)) natAzs.push(az);
      }
    }
    const ordered = props.azs.filter((az) => natAzs.includes(az));
    return {
      natAzs: ordered,
      natAzFor: Object.fromEntries(ordered.map((az) => [az, az])),
      natTierIn: Object.fromEntries(ordered.map((az) => [az, publicTierIn(az) as string])),
    };
  }
  const natAz = props.azs.find((az) => publicTierIn(az) !== undefined);
  if (natAz === undefined) {
    problem("nat.mode", mode, `a public tier to hold the NAT, or nat.mode "none" with isolated tiers only`);
    return none;
  }
  return {
    natAzs: [natAz],
    natAzFor: Object.fromEntries(privateAzs.map((az) => [az, natAz])),
    natTierIn: { [natAz]: publicTierIn(natAz) as string },
  };
}
