/**
 * What a synthesized stack builds, read from its Terraform JSON (`cdk.tf.json`) alone: subnets and how they route,
 * gateways, instances, addresses and the flows security groups allow. Escape hatches and hand-made constructs are in
 * that JSON too, so whatever reads an inventory (the diagram, the cost estimate) sees them. Pure functions, no I/O.
 */

/** A synthesized stack's Terraform JSON, as far as an inventory reads it. */
export interface TerraformJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly provider?: Readonly<Record<string, unknown>>;
}

/** A resource's address, `type.logicalId`, as Terraform names it. */
export type Address = string;

/** How a subnet reaches the internet, from its route table's default route. */
export type RouteKind = "public" | "private" | "isolated";

/** One subnet. */
export interface SubnetInfo {
  readonly address: Address;
  /** The VPC its `vpc_id` refers to. */
  readonly vpc?: Address;
  /** The `Tier` tag, else the `Name` tag, else the logical id. */
  readonly tier: string;
  /** The `availability_zone`, or `"(unknown AZ)"` when it is not a literal. */
  readonly az: string;
  /** The `cidr_block`, or `"(computed)"` when it is not a literal. */
  readonly cidr: string;
  /** From the default route of the subnet's route table: IGW = public, NAT = private, none = isolated. */
  readonly kind: RouteKind;
  /** Address of the NAT gateway, NAT instance or Internet Gateway its default route goes to. */
  readonly defaultRouteTo?: Address;
  /** Whether it has an IPv6 block (`ipv6_cidr_block`): a dual-stack subnet. */
  readonly ipv6: boolean;
  /** Address of the Internet Gateway or egress-only Internet Gateway its `::/0` route goes to. */
  readonly ipv6RouteTo?: Address;
}

/** One EC2 instance. */
export interface InstanceInfo {
  readonly address: Address;
  /** The `Name` tag without the environment prefix, else the logical id. */
  readonly name: string;
  /** The `Role` tag, `"nat"` for an instance some route forwards through. */
  readonly role?: string;
  /** Literal `instance_type`; undefined when computed. */
  readonly instanceType?: string;
  readonly subnet?: Address;
  readonly securityGroups: readonly Address[];
  /** `associate_public_ip_address = true`: an auto-assigned public IPv4 address. */
  readonly autoPublicIp: boolean;
  /** Root volume: type (`gp3` unless said) and size (undefined: the AMI's). */
  readonly rootVolume: { readonly type: string; readonly sizeGiB?: number };
  /** Some route sends traffic through this instance: a NAT instance. */
  readonly isNat: boolean;
}

/** One NAT gateway. */
export interface NatGatewayInfo {
  readonly address: Address;
  readonly subnet?: Address;
  /** `public` (the default) or `private`: a private NAT gateway has no Elastic IP. */
  readonly connectivity: string;
  /** The Elastic IP its `allocation_id` refers to. */
  readonly eip?: Address;
}

/** One Elastic IP (one public IPv4 address). */
export interface EipInfo {
  readonly address: Address;
  /** The instance or NAT gateway it is attached to. */
  readonly attachedTo?: Address;
}

/** Where an allowed flow comes from: a security group's members, or a CIDR. */
export type FlowSource = { readonly group: Address } | { readonly cidr: string };

/** One ingress rule: traffic `source` may send to the members of `group` on `ports`. */
export interface FlowInfo {
  readonly address: Address;
  readonly source: FlowSource;
  readonly group: Address;
  /** `tcp 22`, `tcp 8000-8100`, `all` */
  readonly ports: string;
  readonly description?: string;
}

/** One egress rule to a CIDR (egress to a group mirrors that group's ingress and is not repeated). */
export interface EgressInfo {
  readonly address: Address;
  readonly group: Address;
  readonly cidr: string;
  readonly ports: string;
}

/** Everything an inventory knows about one stack. */
export interface Inventory {
  /** The AWS provider's literal `region` (the first, unaliased provider). */
  readonly region?: string;
  /** The provider's default `Environment` tag: the prefix stripped from Name tags. */
  readonly environment?: string;
  readonly vpcs: ReadonlyArray<{ readonly address: Address; readonly cidr: string }>;
  readonly subnets: readonly SubnetInfo[];
  readonly internetGateways: readonly Address[];
  /** Egress-only Internet Gateways: IPv6 out of private subnets, nothing in. */
  readonly egressOnlyInternetGateways: readonly Address[];
  readonly natGateways: readonly NatGatewayInfo[];
  readonly instances: readonly InstanceInfo[];
  readonly eips: readonly EipInfo[];
  readonly securityGroups: ReadonlyArray<{ readonly address: Address; readonly name: string }>;
  readonly ingress: readonly FlowInfo[];
  readonly egress: readonly EgressInfo[];
  readonly endpoints: ReadonlyArray<{
    readonly address: Address;
    readonly service: string;
    readonly type: string;
    /** The subnets an interface endpoint has a network interface in (one per AZ); undefined for a gateway endpoint. */
    readonly subnets?: readonly Address[];
    /** How many AZs an interface endpoint is billed for: its `subnet_ids`; undefined when not a literal list. */
    readonly azs?: number;
  }>;
  /** EC2 Instance Connect Endpoints: the door without a bastion, and the subnet each stands in. */
  readonly instanceConnectEndpoints: ReadonlyArray<{
    readonly address: Address;
    readonly subnet?: Address;
    readonly securityGroups: readonly Address[];
  }>;
  readonly flowLogs: ReadonlyArray<{
    readonly address: Address;
    readonly destination: string;
    /** The resource the logs go to (a log group, a bucket), when the flow log names one of this stack. */
    readonly target?: Address;
    readonly trafficType: string;
  }>;
  /** Every resource as `[type, logicalId, properties]`, in the JSON's order. */
  readonly resources: ReadonlyArray<readonly [string, string, Readonly<Record<string, unknown>>]>;
}

const REFERENCE = /^\$\{([a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$/;

/** The address a `${type.id.attr}` reference points at, or undefined for anything else. */
export function referencedAddress(value: unknown): Address | undefined {
  if (typeof value !== "string") return undefined;
  const match = REFERENCE.exec(value);
  return match === null ? undefined : `${match[1]}.${match[2]}`;
}

const literal = (value: unknown): string | undefined =>
  typeof value === "string" && !value.includes("${") ? value : undefined;
const record = (value: unknown): Record<string, unknown> =>
  (Array.isArray(value) ? (value[0] ?? {}) : (value ?? {})) as Record<string, unknown>;

/** `tcp 22`, `tcp 8000-8100`, `udp 53`, `all`. */
export function portText(props: Readonly<Record<string, unknown>>): string {
  const protocol = String(props.ip_protocol ?? props.protocol ?? "-1");
  if (protocol === "-1" || protocol === "all") return "all";
  const from = props.from_port;
  const to = props.to_port ?? from;
  return from === to ? `${protocol} ${from}` : `${protocol} ${from}-${to}`;
}

/** Reads the inventory of one stack's Terraform JSON. */
export function readInventory(json: TerraformJson): Inventory {
  const resources: Array<readonly [string, string, Readonly<Record<string, unknown>>]> = [];
  for (const [type, byId] of Object.entries(json.resource ?? {})) {
    for (const [id, props] of Object.entries(byId)) resources.push([type, id, props]);
  }
  const ofType = (type: string) =>
    resources.filter(([t]) => t === type).map(([t, id, props]) => ({ address: `${t}.${id}`, id, props }));

  const provider = record(json.provider?.aws);
  const defaultTags = record(record(provider.default_tags).tags);
  const environment = literal(defaultTags.Environment);
  const nameOf = (props: Readonly<Record<string, unknown>>, id: string) => {
    const name = literal(record(props.tags).Name) ?? id;
    return environment !== undefined && name.startsWith(`${environment}-`) ? name.slice(environment.length + 1) : name;
  };

  // Default routes per route table, and the table of each subnet.
  const defaultRoute = new Map<Address, Address | undefined>();
  for (const { props } of ofType("aws_route")) {
    const table = referencedAddress(props.route_table_id);
    if (table === undefined || props.destination_cidr_block !== "0.0.0.0/0") continue;
    const target = [props.gateway_id, props.nat_gateway_id, props.network_interface_id, props.instance_id]
      .map(referencedAddress)
      .find((a) => a !== undefined);
    defaultRoute.set(table, target);
  }
  for (const { address, props } of ofType("aws_route_table")) {
    for (const route of (props.route as Array<Record<string, unknown>> | undefined) ?? []) {
      if (route.cidr_block === "0.0.0.0/0")
        defaultRoute.set(
          address,
          [route.gateway_id, route.nat_gateway_id, route.network_interface_id].map(referencedAddress).find(Boolean),
        );
    }
  }
  const ipv6Route = new Map<Address, Address | undefined>();
  for (const { props } of ofType("aws_route")) {
    const table = referencedAddress(props.route_table_id);
    if (table === undefined || props.destination_ipv6_cidr_block !== "::/0") continue;
    ipv6Route.set(table, [props.gateway_id, props.egress_only_gateway_id].map(referencedAddress).find(Boolean));
  }
  const tableOf = new Map<Address, Address>();
  for (const { props } of ofType("aws_route_table_association")) {
    const subnet = referencedAddress(props.subnet_id);
    const table = referencedAddress(props.route_table_id);
    if (subnet !== undefined && table !== undefined) tableOf.set(subnet, table);
  }
  // A route to `aws_instance.x.primary_network_interface_id` means the instance is a NAT.
  const natInstances = new Set(
    [...defaultRoute.values()].filter((a): a is Address => a?.startsWith("aws_instance.") === true),
  );

  const subnets: SubnetInfo[] = ofType("aws_subnet").map(({ address, id, props }) => {
    const table = tableOf.get(address);
    const target = table === undefined ? undefined : defaultRoute.get(table);
    const kind: RouteKind =
      target === undefined
        ? "isolated"
        : target.startsWith("aws_internet_gateway.") || target.startsWith("aws_egress_only")
          ? "public"
          : "private";
    return {
      address,
      vpc: referencedAddress(props.vpc_id),
      tier: literal(record(props.tags).Tier) ?? nameOf(props, id),
      az: literal(props.availability_zone) ?? "(unknown AZ)",
      cidr: literal(props.cidr_block) ?? "(computed)",
      kind,
      defaultRouteTo: target,
      ipv6: props.ipv6_cidr_block !== undefined,
      ipv6RouteTo: table === undefined ? undefined : ipv6Route.get(table),
    };
  });

  const instances: InstanceInfo[] = ofType("aws_instance").map(({ address, id, props }) => {
    const root = record(props.root_block_device);
    const size = root.volume_size;
    return {
      address,
      name: nameOf(props, id),
      role: natInstances.has(address) ? "nat" : literal(record(props.tags).Role),
      instanceType: literal(props.instance_type),
      subnet: referencedAddress(props.subnet_id),
      securityGroups: ((props.vpc_security_group_ids as unknown[] | undefined) ?? [])
        .map(referencedAddress)
        .filter((a): a is Address => a !== undefined),
      autoPublicIp: props.associate_public_ip_address === true,
      rootVolume: { type: literal(root.volume_type) ?? "gp2", sizeGiB: typeof size === "number" ? size : undefined },
      isNat: natInstances.has(address),
    };
  });

  const ingress: FlowInfo[] = [];
  const egress: EgressInfo[] = [];
  for (const { address, props } of ofType("aws_vpc_security_group_ingress_rule")) {
    const group = referencedAddress(props.security_group_id);
    const peer = referencedAddress(props.referenced_security_group_id);
    const cidr = literal(props.cidr_ipv4) ?? literal(props.cidr_ipv6);
    if (group === undefined || (peer === undefined && cidr === undefined)) continue;
    ingress.push({
      address,
      group,
      source: peer !== undefined ? { group: peer } : { cidr: cidr! },
      ports: portText(props),
      description: literal(props.description),
    });
  }
  for (const { address, props } of ofType("aws_vpc_security_group_egress_rule")) {
    const group = referencedAddress(props.security_group_id);
    const cidr = literal(props.cidr_ipv4) ?? literal(props.cidr_ipv6);
    if (group !== undefined && cidr !== undefined) egress.push({ address, group, cidr, ports: portText(props) });
  }
  // Inline rules of aws_security_group (hand-made groups may use them).
  for (const { address, props } of ofType("aws_security_group")) {
    for (const [direction, rules] of [
      ["ingress", props.ingress],
      ["egress", props.egress],
    ] as const) {
      for (const [i, rule] of ((rules as Array<Record<string, unknown>> | undefined) ?? []).entries()) {
        const ports = portText({ ...rule, ip_protocol: rule.protocol });
        for (const cidr of (rule.cidr_blocks as string[] | undefined) ?? []) {
          if (direction === "ingress")
            ingress.push({
              address: `${address}#ingress${i}`,
              group: address,
              source: { cidr },
              ports,
              description: literal(rule.description),
            });
          else egress.push({ address: `${address}#egress${i}`, group: address, cidr, ports });
        }
        if (direction === "ingress") {
          for (const peer of ((rule.security_groups as unknown[] | undefined) ?? []).map(referencedAddress)) {
            if (peer !== undefined)
              ingress.push({
                address: `${address}#ingress${i}`,
                group: address,
                source: { group: peer },
                ports,
                description: literal(rule.description),
              });
          }
        }
      }
    }
  }

  return {
    region: literal(provider.region),
    environment,
    vpcs: ofType("aws_vpc").map(({ address, props }) => ({ address, cidr: literal(props.cidr_block) ?? "(computed)" })),
    subnets,
    internetGateways: ofType("aws_internet_gateway").map((r) => r.address),
    egressOnlyInternetGateways: ofType("aws_egress_only_internet_gateway").map((r) => r.address),
    natGateways: ofType("aws_nat_gateway").map(({ address, props }) => ({
      address,
      subnet: referencedAddress(props.subnet_id),
      connectivity: literal(props.connectivity_type) ?? "public",
      eip: referencedAddress(props.allocation_id),
    })),
    instances,
    eips: ofType("aws_eip").map(({ address, props }) => ({
      address,
      attachedTo: referencedAddress(props.instance) ?? referencedAddress(props.network_interface),
    })),
    securityGroups: ofType("aws_security_group").map(({ address, id, props }) => ({
      address,
      name: nameOf(props, id),
    })),
    ingress,
    egress,
    endpoints: ofType("aws_vpc_endpoint").map(({ address, props }) => {
      const subnetIds = Array.isArray(props.subnet_ids) ? props.subnet_ids : undefined;
      return {
        address,
        service: literal(props.service_name) ?? "(computed)",
        type: literal(props.vpc_endpoint_type) ?? "Gateway",
        subnets: subnetIds?.map(referencedAddress).filter((a): a is Address => a !== undefined),
        azs: subnetIds?.length,
      };
    }),
    instanceConnectEndpoints: ofType("aws_ec2_instance_connect_endpoint").map(({ address, props }) => ({
      address,
      subnet: referencedAddress(props.subnet_id),
      securityGroups: ((props.security_group_ids as unknown[] | undefined) ?? [])
        .map(referencedAddress)
        .filter((a): a is Address => a !== undefined),
    })),
    flowLogs: ofType("aws_flow_log").map(({ address, props }) => ({
      address,
      destination: literal(props.log_destination_type) ?? "cloud-watch-logs",
      target: referencedAddress(props.log_destination),
      trafficType: literal(props.traffic_type) ?? "ALL",
    })),
    resources,
  };
}
