import { Address, InstanceInfo, Inventory, readInventory, TerraformJson } from "../inventory/inventory";
import { NatMode, NETWORK_DEFAULTS } from "../../network/types";
import { PRICE_TABLE, PriceTable, RegionPrices } from "./prices";

/** What the estimate assumes where the Terraform JSON cannot say. Every field can be overridden (`npm run cost -- --hours 200`). */
export interface CostAssumptions {
  /**
   * Hours each resource runs in a month.
   * @default 730 (24 × 365 / 12)
   */
  readonly hoursPerMonth: number;
  /**
   * GB through the NAT per month (both directions, all AZs), billed per GB by NAT gateways (not by a NAT instance).
   * @default 10
   */
  readonly natTrafficGb: number;
  /**
   * GB of flow-log records ingested into CloudWatch Logs per month, per flow log.
   * @default 1
   */
  readonly flowLogGb: number;
  /**
   * Root volume size of an instance whose JSON leaves it to the AMI (Amazon Linux 2023 images are 8 GiB).
   * @default 8
   */
  readonly rootVolumeGiB: number;
  /**
   * Load balancer capacity units an Application Load Balancer uses on average (a small app: 1).
   * @default 1
   */
  readonly albLcus: number;
  /**
   * GB through the interface endpoints per month (all of them together), billed per GB.
   * @default 1
   */
  readonly endpointTrafficGb: number;
}

/** The default assumptions: the one place they live. */
export const COST_DEFAULTS: CostAssumptions = {
  hoursPerMonth: 730,
  natTrafficGb: 10,
  flowLogGb: 1,
  rootVolumeGiB: 8,
  albLcus: 1,
  endpointTrafficGb: 1,
};

/** What a line is for; `nat` lines are the ones the NAT-mode comparison swaps. */
export type CostCategory =
  "compute" | "storage" | "public-ipv4" | "nat" | "endpoints" | "logs" | "negligible" | "unknown";

/** One line of an estimate. `monthly` is undefined when there is no price: `noPrice` says why. */
export interface CostLine {
  /** The resource's address, or several joined by `, `. */
  readonly resource: string;
  readonly item: string;
  readonly category: CostCategory;
  readonly quantity: number;
  /** `h`, `GB-month`, `GB` */
  readonly unit: string;
  readonly unitPrice?: number;
  readonly monthly?: number;
  readonly noPrice?: string;
}

/** The monthly cost of the stack under one NAT mode, all else as synthesized. */
export interface NatModeCost {
  readonly mode: NatMode;
  /** What the NAT part costs in this mode; undefined when some price is missing. */
  readonly natMonthly?: number;
  /** The stack's total in this mode. */
  readonly totalMonthly?: number;
  /** The mode the stack was synthesized with. */
  readonly current: boolean;
  readonly makes: string;
}

/** The estimate of one stack. */
export interface CostEstimate {
  readonly region?: string;
  readonly lines: readonly CostLine[];
  /** Sum of the priced lines. */
  readonly totalMonthly: number;
  /** Lines with no price (not in the total). */
  readonly unpriced: number;
  /** Resources with no charge of their own (VPC, subnets, routes, security groups, IAM, ...). */
  readonly freeResources: number;
  readonly assumptions: CostAssumptions;
  readonly prices: { readonly source: string; readonly recorded: string; readonly currency: string };
  /** The four NAT modes for this stack's AZs with private subnets; empty when it has no VPC. */
  readonly natModes: readonly NatModeCost[];
  /** The public IPv4 addresses billed above (NAT, bastion, load balancer), and what dual-stack changes of them. */
  readonly publicIpv4: PublicIpv4Summary;
}

/** The public IPv4 addresses of a stack: each is billed by the hour; IPv6 addresses are not. */
export interface PublicIpv4Summary {
  /** How many public IPv4 addresses the priced lines hold. */
  readonly addresses: number;
  /** What they cost a month; undefined when one has no price. */
  readonly monthly?: number;
  /** Whether the stack's subnets have IPv6 blocks (`ipv6`). */
  readonly dualStack: boolean;
  /** What dual-stack saves of them, and what stays IPv4-only. */
  readonly note: string;
}

/** Resources priced on their own lines below: neither free nor unknown. */
const PRICED_TYPES = new Set(["aws_instance", "aws_eip", "aws_nat_gateway", "aws_ebs_volume", "aws_vpc_endpoint"]);

/** Resource types that cost nothing by themselves (their use is billed on another line, or not at all). */
const FREE_TYPES = new Set([
  "aws_vpc",
  "aws_subnet",
  "aws_route",
  "aws_route_table",
  "aws_route_table_association",
  "aws_main_route_table_association",
  "aws_internet_gateway",
  "aws_egress_only_internet_gateway",
  "aws_security_group",
  "aws_security_group_rule",
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
  "aws_default_security_group",
  "aws_default_route_table",
  "aws_default_network_acl",
  // Network ACLs, their entries and associations: AWS charges nothing for them.
  "aws_network_acl",
  "aws_network_acl_rule",
  "aws_network_acl_association",
  "aws_key_pair",
  "aws_iam_role",
  "aws_iam_policy",
  "aws_iam_role_policy",
  "aws_iam_role_policy_attachment",
  "aws_iam_instance_profile",
  "aws_iam_openid_connect_provider",
  "aws_vpc_endpoint_route_table_association",
  "aws_eip_association",
  // EC2 Instance Connect Endpoint: no charge of its own (the instances' data transfer is billed as usual).
  "aws_ec2_instance_connect_endpoint",
  // The volume is priced on its own line; attaching it costs nothing.
  "aws_volume_attachment",
  // Listeners, target groups and their members are in the ALB's price; State Manager associations are free.
  "aws_lb_listener",
  "aws_lb_target_group",
  "aws_lb_target_group_attachment",
  "aws_ssm_association",
  // Priced on the ALB's lines below.
  "aws_lb",
  // Billed on the flow-log ingestion line; storage of the log events is not estimated.
  "aws_cloudwatch_log_group",
  "aws_flow_log",
  // Local to Terraform: no cloud resource.
  "terraform_data",
  "null_resource",
  "random_id",
  "random_string",
  "random_password",
  "tls_private_key",
  "time_sleep",
]);
/** Billed, but by request or by the GB stored: cents for a state bucket and its lock table. */
const NEGLIGIBLE = [/^aws_s3_bucket/, /^aws_dynamodb_table$/];

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Estimates the monthly cost of one synthesized stack from the price table. Never throws on unknown input. */
export function estimateCost(
  json: TerraformJson,
  overrides: Partial<CostAssumptions> = {},
  table: PriceTable = PRICE_TABLE,
): CostEstimate {
  const assumptions = { ...COST_DEFAULTS, ...overrides };
  const inventory = readInventory(json);
  const { hoursPerMonth: hours } = assumptions;
  const regionPrices = inventory.region === undefined ? undefined : table.regions[inventory.region];
  const regionMissing =
    inventory.region === undefined
      ? "the provider's region is not a literal"
      : `region ${inventory.region} is not in the price table`;
  const lines: CostLine[] = [];
  const priced = (
    line: Omit<CostLine, "unitPrice" | "monthly" | "noPrice">,
    price: (p: RegionPrices) => number | undefined,
    missing: string,
  ): void => {
    const unitPrice = regionPrices === undefined ? undefined : price(regionPrices);
    if (unitPrice === undefined) lines.push({ ...line, noPrice: regionPrices === undefined ? regionMissing : missing });
    else lines.push({ ...line, unitPrice, monthly: line.quantity * unitPrice });
  };

  const natEips = new Set<Address>(
    inventory.natGateways.map((n) => n.eip).filter((a): a is Address => a !== undefined),
  );
  const natInstances = new Set(inventory.instances.filter((i) => i.isNat).map((i) => i.address));
  for (const eip of inventory.eips)
    if (eip.attachedTo !== undefined && natInstances.has(eip.attachedTo)) natEips.add(eip.address);
  const eipTargets = new Set(inventory.eips.map((e) => e.attachedTo));

  for (const instance of inventory.instances) addInstance(instance);
  function addInstance(instance: InstanceInfo) {
    const category = instance.isNat ? "nat" : "compute";
    const who = instance.isNat ? "NAT instance" : instance.name;
    const type = instance.instanceType;
    priced(
      {
        resource: instance.address,
        item: `EC2 ${type ?? "(computed type)"} (${who})`,
        category,
        quantity: hours,
        unit: "h",
      },
      (p) => (type === undefined ? undefined : p.ec2Hourly[type]),
      type === undefined
        ? "instance_type is not a literal"
        : `instance type ${type} is not in the price table for ${inventory.region}`,
    );
    const size = instance.rootVolume.sizeGiB ?? assumptions.rootVolumeGiB;
    const volume = instance.rootVolume.type;
    priced(
      {
        resource: instance.address,
        item: `EBS ${volume} root volume, ${size} GiB${instance.rootVolume.sizeGiB === undefined ? " (assumed: the AMI's size)" : ""} (${who})`,
        category: instance.isNat ? "nat" : "storage",
        quantity: size,
        unit: "GB-month",
      },
      (p) => p.ebsGbMonth[volume],
      `EBS volume type ${volume} is not in the price table`,
    );
    if (instance.autoPublicIp && !eipTargets.has(instance.address)) {
      priced(
        {
          resource: instance.address,
          item: `public IPv4 address (${who}, auto-assigned)`,
          category: instance.isNat ? "nat" : "public-ipv4",
          quantity: hours,
          unit: "h",
        },
        (p) => p.publicIpv4Hourly,
        "",
      );
    }
  }
  for (const [type, id, props] of inventory.resources) {
    if (type !== "aws_ebs_volume") continue;
    const size = typeof props.size === "number" ? props.size : undefined;
    const volume = typeof props.type === "string" ? props.type : "gp3";
    if (size === undefined)
      lines.push({
        resource: `${type}.${id}`,
        item: `EBS ${volume} volume`,
        category: "storage",
        quantity: 0,
        unit: "GB-month",
        noPrice: "size is not a literal",
      });
    else
      priced(
        {
          resource: `${type}.${id}`,
          item: `EBS ${volume} volume, ${size} GiB`,
          category: "storage",
          quantity: size,
          unit: "GB-month",
        },
        (p) => p.ebsGbMonth[volume],
        `EBS volume type ${volume} is not in the price table`,
      );
  }
  for (const eip of inventory.eips) {
    const isNat = natEips.has(eip.address);
    const of = isNat ? "NAT" : (inventory.instances.find((i) => i.address === eip.attachedTo)?.name ?? "unattached");
    priced(
      {
        resource: eip.address,
        item: `public IPv4 address (Elastic IP, ${of})`,
        category: isNat ? "nat" : "public-ipv4",
        quantity: hours,
        unit: "h",
      },
      (p) => p.publicIpv4Hourly,
      "",
    );
  }
  for (const nat of inventory.natGateways) {
    const az = inventory.subnets.find((s) => s.address === nat.subnet)?.az ?? "";
    priced(
      {
        resource: nat.address,
        item: `NAT gateway hours${az ? ` (${az})` : ""}`,
        category: "nat",
        quantity: hours,
        unit: "h",
      },
      (p) => p.natGatewayHourly,
      "",
    );
  }
  if (inventory.natGateways.length > 0) {
    priced(
      {
        resource: inventory.natGateways.map((n) => n.address).join(", "),
        item: `NAT gateway data processing, ${assumptions.natTrafficGb} GB (assumed)`,
        category: "nat",
        quantity: assumptions.natTrafficGb,
        unit: "GB",
      },
      (p) => p.natGatewayPerGb,
      "",
    );
  }
  for (const log of inventory.flowLogs) {
    if (log.destination !== "cloud-watch-logs") {
      lines.push({
        resource: log.address,
        item: `flow log to ${log.destination}`,
        category: "logs",
        quantity: 0,
        unit: "GB",
        noPrice: `destination ${log.destination} is not in the price table`,
      });
      continue;
    }
    priced(
      {
        resource: log.address,
        item: `CloudWatch Logs ingestion, flow log ${log.trafficType}, ${assumptions.flowLogGb} GB (assumed)`,
        category: "logs",
        quantity: assumptions.flowLogGb,
        unit: "GB",
      },
      (p) => p.logsIngestionPerGb,
      "",
    );
  }
  for (const [id, lb] of Object.entries(json.resource?.aws_lb ?? {})) {
    const values = lb as { load_balancer_type?: unknown; internal?: unknown; subnets?: unknown };
    const resource = `aws_lb.${id}`;
    if (values.load_balancer_type !== undefined && values.load_balancer_type !== "application") {
      lines.push({
        resource,
        item: `load balancer (${String(values.load_balancer_type)})`,
        category: "unknown",
        quantity: 0,
        unit: "h",
        noPrice: "only Application Load Balancers are in the price table",
      });
      continue;
    }
    priced(
      { resource, item: "Application Load Balancer hours", category: "compute", quantity: hours, unit: "h" },
      (p) => p.albHourly,
      "",
    );
    priced(
      {
        resource,
        item: `ALB capacity, ${assumptions.albLcus} LCU (assumed)`,
        category: "compute",
        quantity: hours * assumptions.albLcus,
        unit: "LCU-h",
      },
      (p) => p.albLcuHourly,
      "",
    );
    // An internet-facing ALB holds one public IPv4 address per subnet (AZ), billed like any other.
    const zones = Array.isArray(values.subnets) ? values.subnets.length : undefined;
    if (values.internal !== true && zones !== undefined) {
      priced(
        {
          resource,
          item: `public IPv4 addresses (ALB, ${zones} AZs)`,
          category: "public-ipv4",
          quantity: hours * zones,
          unit: "h",
        },
        (p) => p.publicIpv4Hourly,
        "",
      );
    }
  }
  const interfaceEndpoints = inventory.endpoints.filter((e) => e.type === "Interface");
  for (const endpoint of interfaceEndpoints)
    priced(
      {
        resource: endpoint.address,
        item: `interface endpoint ${endpoint.service}, ${endpoint.azs ?? 1} AZ(s)`,
        category: "endpoints",
        quantity: hours * (endpoint.azs ?? 1),
        unit: "h",
      },
      (p) => p.interfaceEndpointHourly,
      "",
    );
  if (interfaceEndpoints.length > 0)
    priced(
      {
        resource: interfaceEndpoints.map((e) => e.address).join(", "),
        item: `interface endpoint data processing, ${assumptions.endpointTrafficGb} GB (assumed)`,
        category: "endpoints",
        quantity: assumptions.endpointTrafficGb,
        unit: "GB",
      },
      (p) => p.interfaceEndpointPerGb,
      "",
    );
  for (const endpoint of inventory.endpoints) {
    if (endpoint.type !== "Gateway" && endpoint.type !== "Interface")
      lines.push({
        resource: endpoint.address,
        item: `VPC endpoint (${endpoint.type}) ${endpoint.service}`,
        category: "unknown",
        quantity: 0,
        unit: "h",
        noPrice: `${endpoint.type} endpoints are not in the price table`,
      });
  }

  let freeResources = 0;
  const negligible = new Map<string, number>();
  for (const [type, id] of inventory.resources) {
    if (PRICED_TYPES.has(type)) continue;
    if (FREE_TYPES.has(type)) {
      freeResources++;
    } else if (NEGLIGIBLE.some((re) => re.test(type))) {
      negligible.set(type, (negligible.get(type) ?? 0) + 1);
    } else {
      lines.push({
        resource: `${type}.${id}`,
        item: type,
        category: "unknown",
        quantity: 0,
        unit: "",
        noPrice: `resource type ${type} is not in the price table: check its pricing yourself`,
      });
    }
  }
  if (negligible.size > 0) {
    const what = [...negligible].map(([type, n]) => (n > 1 ? `${type} ×${n}` : type)).join(", ");
    lines.push({
      resource: what,
      item: "S3 state bucket / DynamoDB lock table: per request and per GB stored, cents a month",
      category: "negligible",
      quantity: 0,
      unit: "",
      unitPrice: 0,
      monthly: 0,
    });
  }

  const totalMonthly = lines.reduce((sum, l) => sum + (l.monthly ?? 0), 0);
  const ipv4Lines = lines.filter((l) => l.item.startsWith("public IPv4"));
  return {
    region: inventory.region,
    lines,
    totalMonthly,
    unpriced: lines.filter((l) => l.monthly === undefined).length,
    freeResources,
    assumptions,
    prices: { source: table.source, recorded: table.recorded, currency: table.currency },
    natModes: compareNatModes(inventory, lines, totalMonthly, assumptions, regionPrices),
    publicIpv4: {
      addresses: ipv4Lines.reduce((n, l) => n + l.quantity / hours, 0),
      monthly: ipv4Lines.some((l) => l.monthly === undefined)
        ? undefined
        : round2(ipv4Lines.reduce((sum, l) => sum + (l.monthly ?? 0), 0)),
      dualStack: inventory.subnets.some((s) => s.ipv6),
      note: DUAL_STACK_IPV4_NOTE,
    },
  };
}

/**
 * Dual-stack in this layout adds IPv6 at no charge (the /56, the /64s and the egress-only gateway are free) but frees
 * no public IPv4 address: the NAT's serves the private tiers' IPv4 egress, the bastion's the admins on IPv4, and a
 * dual-stack ALB keeps one per AZ for IPv4 clients. What it saves is NAT data processing for IPv6 destinations.
 */
export const DUAL_STACK_IPV4_NOTE =
  "dual-stack (ipv6) frees none of these: the NAT's (IPv4 egress of private tiers), the bastion's (admins on IPv4) and the ALB's (IPv4 clients) stay IPv4; " +
  "IPv6 egress of private tiers leaves through the egress-only Internet Gateway, which has no charge and no per-GB NAT charge";

/** The NAT mode the JSON shows: NAT instances, else the count of NAT gateways against the AZs with private subnets. */
export function detectNatMode(inventory: Inventory): NatMode {
  if (inventory.instances.some((i) => i.isNat)) return "instance";
  if (inventory.natGateways.length === 0) return "none";
  return inventory.natGateways.length > 1 ? "per-az" : "single";
}

/**
 * The stack's total under each NAT mode, by substitution: the synthesized NAT lines are taken out and each mode's
 * NAT resources priced in (what each mode creates is fixed: see the README's NAT modes table). Synthesizing the
 * variants instead would need a config valid for every mode (`instance` needs an AMI; `none` refuses private tiers)
 * and would not see hand-made resources, which substitution keeps.
 */
function compareNatModes(
  inventory: Inventory,
  lines: readonly CostLine[],
  total: number,
  a: CostAssumptions,
  p: RegionPrices | undefined,
): NatModeCost[] {
  if (inventory.vpcs.length === 0) return [];
  const privateAzs = new Set(inventory.subnets.filter((s) => s.kind === "private").map((s) => s.az));
  const natLines = lines.filter((l) => l.category === "nat");
  const base = natLines.some((l) => l.monthly === undefined)
    ? undefined
    : total - natLines.reduce((s, l) => s + (l.monthly ?? 0), 0);
  const current = detectNatMode(inventory);
  const natType = inventory.instances.find((i) => i.isNat)?.instanceType ?? NETWORK_DEFAULTS.natInstanceType;
  const n = Math.max(privateAzs.size, 1);
  const gateway =
    p === undefined
      ? undefined
      : (count: number) =>
          count * (p.natGatewayHourly + p.publicIpv4Hourly) * a.hoursPerMonth + a.natTrafficGb * p.natGatewayPerGb;
  const instanceHourly = p?.ec2Hourly[natType];
  const modes: Array<[NatMode, number | undefined, string]> = [
    ["none", 0, "no NAT: private tiers become isolated (no internet)"],
    ["single", gateway?.(1), "1 NAT gateway + 1 public IPv4"],
    [
      "per-az",
      gateway?.(n),
      `${n} NAT gateway${n > 1 ? "s" : ""} + ${n} public IPv4 (one per AZ with private subnets)`,
    ],
    [
      "instance",
      p === undefined || instanceHourly === undefined
        ? undefined
        : (instanceHourly + p.publicIpv4Hourly) * a.hoursPerMonth + a.rootVolumeGiB * (p.ebsGbMonth.gp3 ?? 0),
      `1 ${natType} NAT instance + gp3 root + 1 public IPv4 (no per-GB charge)`,
    ],
  ];
  return modes.map(([mode, natMonthly, makes]) => ({
    mode,
    natMonthly: natMonthly === undefined ? undefined : round2(natMonthly),
    totalMonthly: natMonthly === undefined || base === undefined ? undefined : round2(base + natMonthly),
    current: mode === current,
    makes,
  }));
}
