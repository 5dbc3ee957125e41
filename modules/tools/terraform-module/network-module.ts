import { Construct } from "constructs";
import { TerraformLocal, TerraformOutput, TerraformResource, TerraformVariable, Token } from "cdktf";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcIpv4CidrBlockAssociation } from "@cdktf/provider-aws/lib/vpc-ipv4-cidr-block-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { EgressOnlyInternetGateway } from "@cdktf/provider-aws/lib/egress-only-internet-gateway";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { DefaultRouteTable } from "@cdktf/provider-aws/lib/default-route-table";
import { DefaultNetworkAcl } from "@cdktf/provider-aws/lib/default-network-acl";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcEndpointRouteTableAssociation } from "@cdktf/provider-aws/lib/vpc-endpoint-route-table-association";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IPV6_SUBNET_BITS, LOG_RETENTION_DAYS, SUBNET_TYPES, SubnetType } from "../../network/types";
import { AWS_MAX_PREFIX, AWS_MIN_PREFIX, rangeOf, RFC1918 } from "../../core/cidr";
import { REGION_PATTERN, VPC_CIDR_BLOCKS_QUOTA } from "../../network/plan";
import { NETWORK_INPUTS, Rule, VariableSpec, variableSpecs } from "./inputs";
import { INTERFACE_ENDPOINT_GROUP_DESCRIPTION } from "../../network/network";
import { NAT_INSTANCE_GROUP, NAT_INSTANCE_SETTINGS, renderNatInstanceUserData } from "../../network/nat-instance";
import { FLOW_LOGS_ACTIONS, FLOW_LOGS_ASSUME_ROLE_POLICY } from "../../network/flow-logs";
import { cidrFirst, cidrSize, LETTERS, MODULE_MAX_TIERS, planLocals } from "./plan-expressions";
import { NETWORK_ACL_QUOTA_CHECK, networkAclLocals } from "./network-acl-expressions";
import { NetworkAcl } from "@cdktf/provider-aws/lib/network-acl";
import { NetworkAclAssociation } from "@cdktf/provider-aws/lib/network-acl-association";

/**
 * What terraform-aws-modules/vpc calls the subnets of each tier type: its `intra` subnets have no internet route, as
 * an isolated tier here (its `database` subnets route through the NAT by default, as a private tier).
 */
export const TAV_SUBNET_NAMES: Record<SubnetType, string> = { public: "public", private: "private", isolated: "intra" };

/**
 * The flat outputs of each tier type, named as terraform-aws-modules/vpc names them but by this module's types:
 * `<type>_subnets` (ids), `<type>_subnets_cidr_blocks`, `<type>_route_table_ids`. Lists run tier by tier in the
 * tiers' order and, within a tier, in the order of `azs`.
 */
function flatOutputsByType(): Record<string, { value: string; description: string }> {
  return Object.fromEntries(
    SUBNET_TYPES.flatMap((type) => {
      const each = (value: string) =>
        `flatten([for i, t in var.tiers : [for az in local.tier_azs[i] : ${value}] if t.type == "${type}"])`;
      const tav = `terraform-aws-modules/vpc's ${TAV_SUBNET_NAMES[type]}_`;
      return [
        [
          `${type}_subnets`,
          {
            value: each('aws_subnet.this["${t.name}/${az}"].id'),
            description: `Subnet ids of the ${type} tiers, tier by tier, in the order of azs (${tav}subnets)`,
          },
        ],
        [
          `${type}_subnets_cidr_blocks`,
          {
            value: each('local.subnets["${t.name}/${az}"].cidr'),
            description: `CIDR blocks of the ${type} tiers' subnets, in the order of ${type}_subnets (${tav}subnets_cidr_blocks)`,
          },
        ],
        [
          `${type}_route_table_ids`,
          {
            value: `[for k, rt in local.route_tables : aws_route_table.this[k].id if rt.type == "${type}"]`,
            description: `Route table ids of the ${type} tiers (${tav}route_table_ids)`,
          },
        ],
      ];
    }),
  );
}

/** The network module's outputs: name → value expression and description (the environment module passes them on). */
export const NETWORK_OUTPUTS: Record<string, { value: string; description: string }> = {
  vpc_id: { value: "aws_vpc.this.id", description: "The VPC's id (vpc-...)" },
  vpc_cidr: { value: "aws_vpc.this.cidr_block", description: "VPC IPv4 CIDR block" },
  subnet_ids: {
    value: `{ for t in distinct([for s in values(local.subnets) : s.tier]) : t => { for k, s in local.subnets : s.az => aws_subnet.this[k].id if s.tier == t } }`,
    description: "Subnet ids by tier and AZ",
  },
  subnet_cidrs: {
    value: `{ for t in distinct([for s in values(local.subnets) : s.tier]) : t => { for k, s in local.subnets : s.az => s.cidr if s.tier == t } }`,
    description: "Subnet CIDR blocks by tier and AZ",
  },
  vpc_ipv6_cidr: {
    value: "var.ipv6 ? aws_vpc.this.ipv6_cidr_block : null",
    description: "The VPC's Amazon-provided IPv6 /56; null unless ipv6",
  },
  nat_public_ips: {
    value: `merge({ for az, _ in local.nat_gateways : az => aws_eip.nat[az].public_ip }, { for az, _ in local.nat_instances : az => aws_eip.nat_instance[az].public_ip })`,
    description: "Public IPs the private tiers' egress leaves from, by AZ",
  },
  route_table_ids: {
    value: `{ for k, _ in local.route_tables : k => aws_route_table.this[k].id }`,
    description: "Route table ids: one per public or isolated tier, one per AZ for a private tier (tier-az)",
  },
  igw_id: {
    value: `try(aws_internet_gateway.this["this"].id, null)`,
    description: "The internet gateway's id; null when no tier is public",
  },
  natgw_ids: {
    value: "[for az, _ in local.nat_gateways : aws_nat_gateway.this[az].id]",
    description: 'NAT gateway ids in AZ order; empty for nat_mode "none" or "instance"',
  },
  interface_endpoint_ids: {
    value: "{ for service, e in aws_vpc_endpoint.interface : service => e.id }",
    description: "Interface endpoint ids by service (interface_endpoints); empty without them",
  },
  interface_endpoint_security_group_id: {
    value: `try(aws_security_group.endpoints["this"].id, null)`,
    description: "The interface endpoints' security group (HTTPS from the VPC); null without endpoints",
  },
  ...flatOutputsByType(),
  network_acl_ids: {
    value: "{ for t, acl in aws_network_acl.this : t => acl.id }",
    description: "The network ACL id of each network_acl tier, by tier; empty without them",
  },
  route_table_ids_by_tier: {
    value:
      "{ for t in var.tiers : t.name => [for k, rt in local.route_tables : aws_route_table.this[k].id if rt.tier == t.name] }",
    description: "Route table ids by tier name: one for a public or isolated tier, one per AZ for a private tier",
  },
  default_route_targets: {
    value: `{ for k, s in local.subnets : k => s.type == "public" ? "igw" : s.type == "private" ? "\${var.nat_mode == "instance" ? "nat-instance" : "nat-gateway"}/\${local.nat_az_for[s.az]}" : "none" }`,
    description:
      "Where each subnet's 0.0.0.0/0 route goes, by tier/AZ: igw, nat-gateway/<az>, nat-instance/<az> or none",
  },
};

/** The interface endpoints' group admits HTTPS from the VPC: its rule and its network ACL flow. */
const ENDPOINT_HTTPS = { port: 443 };

/** The RFC 1918 blocks as [first, last] address numbers. */
const RFC1918_RANGES = RFC1918.map((block) => [rangeOf(block).first, rangeOf(block).last]);

/** A Terraform expression, as cdktf writes it into `*.tf.json`. */
export const tf = (expression: string): string => `\${${expression}}`;

/** `for_each` on a resource (cdktf's iterator cannot take a raw expression), and a fixed address name. */
export function keyed<T extends TerraformResource>(resource: T, name: string, forEach?: string): T {
  resource.overrideLogicalId(name);
  if (forEach !== undefined) resource.addOverride("for_each", tf(forEach));
  return resource;
}

/** Tags of a resource: the caller's `var.tags`, then a Name built from `var.name` and `suffix` (an HCL template). */
export const tagsNamed = (suffix: string, extra = ""): Record<string, string> =>
  Token.asStringMap(tf(`merge(var.tags, { Name = "\${var.name}-${suffix}"${extra} })`));

/** An output whose value is the Terraform expression `value`. */
export function output(scope: Construct, name: string, value: string, description: string): void {
  new TerraformOutput(scope, `output_${name}`, { value: tf(value), description }).overrideLogicalId(name);
}

/** A variable with a description, and its validation rules: `[condition, message]`. */
export function variable(
  scope: Construct,
  name: string,
  spec: { type: string; description: string; default?: unknown; nullable?: boolean },
  ...rules: readonly Rule[]
): TerraformVariable {
  const v = new TerraformVariable(scope, `variable_${name}`, {
    type: spec.type,
    description: spec.description,
    default: spec.default ?? undefined,
    nullable: spec.nullable,
  });
  // cdktf cannot write a null default; Terraform needs one to make the variable optional.
  if ("default" in spec && spec.default === null) v.addOverride("default", null);
  v.overrideLogicalId(name);
  if (rules.length > 0)
    v.addOverride(
      "validation",
      rules.map(([condition, errorMessage]) => ({ condition: tf(condition), error_message: errorMessage })),
    );
  return v;
}

/** The tags the module sets on each subnet, which a tier's own tags may not replace. */
export const TIER_SUBNET_TAGS = ["Name", "Tier", "SubnetType"];

/**
 * A validation every tier must pass: `ok` (an expression of the tier `t`) and a message naming each tier that fails,
 * as `detail` (a template of `t`) describes it: "tier edge has cidr_mask 40: a tier's cidr_mask must be ...".
 */
export function everyTier(ok: string, message: string, detail = "${t.name}"): Rule {
  return [
    `alltrue([for t in var.tiers : ${ok}])`,
    `tier \${join(", ", [for t in var.tiers : "${detail}" if !(${ok})])}: ${message}`,
  ];
}

/**
 * The network module's own checks, by variable: what the planner (not zod) checks, in Terraform. The rest of each
 * variable (type, description, default, zod's checks) comes from its config field (`NETWORK_INPUTS`).
 */
function networkChecks(): Record<string, Rule[]> {
  const vpcFirst = cidrFirst("var.vpc_cidr");
  const cidrOk = (expr: string) =>
    `can(cidrhost(${expr}, 0)) && can(regex("^[0-9.]+/[0-9]+$", ${expr})) && try(cidrsubnet(${expr}, 0, 0) == ${expr}, false) && try(tonumber(split("/", ${expr})[1]) >= ${AWS_MIN_PREFIX} && tonumber(split("/", ${expr})[1]) <= ${AWS_MAX_PREFIX}, false)`;
  const blockNames = "[for b in var.secondary_cidr_blocks : b.name]";
  return {
    region: [
      [
        `can(regex(${JSON.stringify(REGION_PATTERN.source)}, var.region))`,
        "region must be an AWS region name such as ap-northeast-2.",
      ],
    ],
    azs: [
      [
        "length(var.azs) > 0 && length(distinct(var.azs)) == length(var.azs)",
        "azs must list at least one availability zone, each once.",
      ],
      [
        `alltrue([for az in var.azs : can(regex("^\${var.region}[a-z]$", az))])`,
        "every AZ in azs must be an availability zone of var.region, such as <region>a.",
      ],
    ],
    vpc_cidr: [
      [
        cidrOk("var.vpc_cidr"),
        `vpc_cidr must be an IPv4 network address in CIDR notation from /${AWS_MIN_PREFIX} to /${AWS_MAX_PREFIX}, such as 10.0.0.0/16.`,
      ],
      [
        `var.acknowledge_non_rfc1918_vpc_cidr || try(anytrue([for r in ${JSON.stringify(RFC1918_RANGES)} : ${vpcFirst} >= r[0] && ${vpcFirst} + ${cidrSize("var.vpc_cidr")} - 1 <= r[1]]), false)`,
        "vpc_cidr must be a private RFC 1918 block (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), or set acknowledge_non_rfc1918_vpc_cidr = true.",
      ],
    ],
    az_slots: [
      ["contains([1, 2, 4, 8], var.az_slots)", "az_slots must be one of 1, 2, 4 or 8."],
      everyTier(
        `t.cidr_mask == null || alltrue([for az in (t.azs == null ? var.azs : t.azs) : try(index(${JSON.stringify(LETTERS)}, substr(az, length(az) - 1, 1)) < var.az_slots, true)])`,
        "every AZ's letter must have a slot: AZ <region>c needs az_slots of at least 3 (so 4); raise az_slots.",
      ),
    ],
    secondary_cidr_blocks: [
      [
        `length(var.secondary_cidr_blocks) <= ${VPC_CIDR_BLOCKS_QUOTA - 1}`,
        `secondary_cidr_blocks may hold at most ${VPC_CIDR_BLOCKS_QUOTA - 1} blocks (AWS's default quota is ${VPC_CIDR_BLOCKS_QUOTA} per VPC).`,
      ],
      [
        `alltrue([for b in var.secondary_cidr_blocks : can(regex("^[a-z][a-z0-9-]{0,30}$", b.name))]) && length(distinct(${blockNames})) == length(var.secondary_cidr_blocks)`,
        "secondary_cidr_blocks names must be lowercase letters, digits and dashes, starting with a letter, each used once.",
      ],
      [
        `alltrue([for b in var.secondary_cidr_blocks : ${cidrOk("b.cidr")}])`,
        `every secondary_cidr_blocks cidr must be an IPv4 network address from /${AWS_MIN_PREFIX} to /${AWS_MAX_PREFIX}.`,
      ],
    ],
    tiers: [
      [
        `length(var.tiers) > 0 && length(var.tiers) <= ${MODULE_MAX_TIERS}`,
        `tiers must hold 1 to ${MODULE_MAX_TIERS} tiers, not \${length(var.tiers)}.`,
      ],
      everyTier(
        'can(regex("^[a-z][a-z0-9-]{0,30}$", t.name))',
        "a tier name must be lowercase letters, digits and dashes, starting with a letter, at most 31 characters.",
        "${jsonencode(t.name)}",
      ),
      [
        "length(distinct([for t in var.tiers : t.name])) == length(var.tiers)",
        'tier names must be unique: ${join(", ", distinct([for t in var.tiers : t.name if length([for u in var.tiers : u if u.name == t.name]) > 1]))} used more than once.',
      ],
      everyTier("(t.cidr_mask == null) != (t.cidrs == null)", "a tier needs either cidr_mask or cidrs (exactly one)."),
      everyTier(
        `t.cidr_mask == null ? true : t.cidr_mask >= ${AWS_MIN_PREFIX} && t.cidr_mask <= ${AWS_MAX_PREFIX} && floor(t.cidr_mask) == t.cidr_mask`,
        `a tier's cidr_mask must be a whole number from ${AWS_MIN_PREFIX} to ${AWS_MAX_PREFIX}.`,
        "${t.name} has cidr_mask ${t.cidr_mask}",
      ),
      everyTier(
        "t.azs == null ? true : length(t.azs) > 0 && alltrue([for az in t.azs : contains(var.azs, az)]) && length(distinct(t.azs)) == length(t.azs)",
        "a tier's azs must be a non-empty list of the module's azs, each once (or leave it out for all).",
      ),
      everyTier(
        `t.cidrs == null ? true : sort(keys(t.cidrs)) == sort(t.azs == null ? var.azs : t.azs) && alltrue([for c in values(t.cidrs) : ${cidrOk("c")}])`,
        `a tier's cidrs must give one CIDR (/${AWS_MIN_PREFIX} to /${AWS_MAX_PREFIX}, a network address) for exactly each AZ of the tier.`,
      ),
      everyTier(
        `t.block == null ? true : contains(${blockNames}, t.block)`,
        "a tier's block must name one of secondary_cidr_blocks (or leave it out for vpc_cidr).",
        "${t.name} has block ${jsonencode(t.block)}",
      ),
      everyTier(
        `length(setintersection(keys(t.tags), ${JSON.stringify(TIER_SUBNET_TAGS)})) == 0`,
        `a tier's tags may not set ${TIER_SUBNET_TAGS.join(", ")}: the module sets them on every subnet.`,
      ),
    ],
    nat_mode: [
      [
        `var.nat_mode != "instance" || var.nat_instance != null`,
        'nat_mode = "instance" needs nat_instance = { ami = "ami-..." }.',
      ],
    ],
    flow_logs: [
      [
        `contains(${JSON.stringify(LOG_RETENTION_DAYS)}, var.flow_logs.retention_days)`,
        `flow_logs.retention_days must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")}.`,
      ],
    ],
    interface_endpoints: [
      [
        `var.interface_endpoints == null || (length(distinct(try(var.interface_endpoints.services, []))) == length(try(var.interface_endpoints.services, [])) && alltrue([for s in try(var.interface_endpoints.services, []) : can(regex("^[a-z0-9][a-z0-9-]*([.][a-z0-9-]+)*$", s)) && !contains(["s3", "dynamodb"], s)]))`,
        "interface_endpoints.services must list each service once, by its endpoint name (ssm, ssmmessages, ec2messages, logs, ecr.api, ...); s3 and dynamodb take a (free) gateway endpoint: s3_gateway_endpoint = true.",
      ],
    ],
    ipv6: [
      [
        `!var.ipv6 || length(var.tiers) * var.az_slots <= ${2 ** IPV6_SUBNET_BITS}`,
        `with ipv6, tiers x az_slots must be at most ${2 ** IPV6_SUBNET_BITS} (the /56 holds that many /64s).`,
      ],
      [
        "var.ipv6 || !anytrue([for t in var.tiers : t.assign_ipv6_address_on_creation])",
        "a tier's assign_ipv6_address_on_creation needs ipv6 = true.",
      ],
      // planNetwork's refusal: the ACL's entries are planned for IPv4 only.
      everyTier(
        "!(var.ipv6 && t.network_acl)",
        "no network ACL of the tier's own with ipv6: its entries are planned for IPv4 only and would drop the tier's IPv6 traffic (the VPC's default ACL, which admits IPv6, stays); set network_acl = false or ipv6 = false.",
      ),
    ],
    network_acl_flows: [
      [
        "alltrue([for f in var.network_acl_flows : (f.from.tier == null) != (f.from.cidr == null) && (f.to.tier == null) != (f.to.cidr == null)])",
        "each end of a network_acl_flows entry is a tier (with its azs, or all of them) or a cidr: exactly one of the two.",
      ],
      [
        'alltrue([for f in var.network_acl_flows : contains(["tcp", "udp", "-1"], f.protocol) && f.from_port >= 0 && f.to_port <= 65535 && f.from_port <= f.to_port])',
        "network_acl_flows protocols must be tcp, udp or -1 (every protocol), with from_port <= to_port within 0-65535.",
      ],
      [
        'alltrue([for f in var.network_acl_flows : alltrue([for c in compact([f.from.cidr, f.to.cidr]) : can(cidrhost(c, 0)) && can(regex("^[0-9.]+/[0-9]+$", c))])])',
        "network_acl_flows cidrs must be IPv4 CIDR blocks.",
      ],
    ],
  };
}

/** Declares the variables `specs` in `scope`; returns their names, in order. */
export function addVariables(scope: Construct, specs: readonly VariableSpec[]): string[] {
  for (const spec of specs) variable(scope, spec.name, spec, ...spec.rules);
  return specs.map((spec) => spec.name);
}

/**
 * The network module's variables, from their config fields (`NETWORK_INPUTS`) and the planner's checks. Returns
 * their names, in order: what a module wrapping this one passes through.
 */
export function addNetworkVariables(scope: Construct): string[] {
  return addVariables(scope, variableSpecs(NETWORK_INPUTS, networkChecks()));
}

/**
 * The interface endpoints' group's rule (HTTPS from the VPC's block), as a network ACL flow to every AZ of the
 * endpoints' tier: where the environment places the group.
 */
const ENDPOINT_FLOWS = `var.interface_endpoints == null ? [] : [{ from = { tier = null, azs = null, cidr = var.vpc_cidr }, to = { tier = local.endpoint_tier, azs = null, cidr = null }, protocol = "tcp", from_port = ${ENDPOINT_HTTPS.port}, to_port = ${ENDPOINT_HTTPS.port} }]`;

/** The planner's locals (subnets, route tables, NATs, network ACL entries), from `planLocals` and `networkAclLocals`. */
export function addPlanLocals(scope: Construct): void {
  for (const [name, expression] of Object.entries({ ...planLocals(), ...networkAclLocals([ENDPOINT_FLOWS]) }))
    new TerraformLocal(scope, `local_${name}`, expression).overrideLogicalId(name);
  // The interface endpoints' tier: given, else the first isolated tier, else the first private one.
  new TerraformLocal(
    scope,
    "local_endpoint_tier",
    `\${var.interface_endpoints == null ? null : coalesce(var.interface_endpoints.tier, concat([for t in var.tiers : t.name if t.type == "isolated"], [for t in var.tiers : t.name if t.type == "private"], [""])[0])}`,
  ).overrideLogicalId("endpoint_tier");
}

/**
 * The `network` Terraform module, as cdktf constructs in `scope` (a stack with no provider): the same resources as
 * the `Network` construct, keyed by tier and AZ with `for_each`, planned at the caller's plan time by `planLocals`.
 */
export function addNetworkModule(scope: Construct): void {
  addNetworkVariables(scope);
  addPlanLocals(scope);
  new TerraformLocal(scope, "local_tier_tags", "${{ for t in var.tiers : t.name => t.tags }}").overrideLogicalId(
    "tier_tags",
  );

  const vpc = keyed(
    new Vpc(scope, "resource_vpc", {
      cidrBlock: "${var.vpc_cidr}",
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: tagsNamed("vpc"),
    }),
    "this",
  );
  vpc.addOverride("lifecycle.precondition", [
    {
      condition: tf("length(local.unplaced_tiers) == 0"),
      error_message: tf(
        `"tiers \${join(", ", local.unplaced_tiers)}: the cidr_mask's az_slots block does not fit in the free space of \${var.vpc_cidr} after the tiers before it; use a larger mask, fewer az_slots or a larger VPC."`,
      ),
    },
    {
      condition: tf(`var.nat_mode != "none" || length(local.private_azs) == 0`),
      error_message:
        "a private tier needs a NAT path: set nat_mode to single, per-az or instance, or make the tier isolated.",
    },
    {
      condition: tf(`var.nat_mode == "none" || length(local.private_azs) == 0 || length(local.nat_azs) > 0`),
      error_message: "the NAT needs a public tier to live in.",
    },
    {
      condition: tf(
        `var.nat_mode != "per-az" || alltrue([for az in local.private_azs : local.public_tier_in[az] != null])`,
      ),
      error_message: 'nat_mode = "per-az" needs a public subnet in every AZ with a private subnet.',
    },
    {
      condition: tf(
        `alltrue([for i, a in local.explicit_ranges : alltrue([for j, b in local.explicit_ranges : i == j || a.last < b.first || b.last < a.first]) && a.first >= local.tier_within[a.index].first && a.last <= local.tier_within[a.index].last])`,
      ),
      error_message:
        "explicit tier cidrs must lie inside their tier's block (vpc_cidr, or the secondary block it names) and not overlap each other.",
    },
    {
      condition: tf("length(local.explicit_clashes) == 0"),
      error_message: tf(
        `"explicit tier cidrs must not overlap the tiers before them (an appended tier never moves a subnet): \${join("; ", local.explicit_clashes)}."`,
      ),
    },
  ]);
  vpc.addOverride("assign_generated_ipv6_cidr_block", tf("var.ipv6"));
  // Each subnet's /64 of the VPC's /56: the tier's place in the list reserves az_slots of them, the AZ slot picks one.
  new TerraformLocal(
    scope,
    "local_ipv6_index",
    `\${{ for k, s in local.subnets : k => index([for t in var.tiers : t.name], s.tier) * var.az_slots + local.az_slot[s.az] }}`,
  ).overrideLogicalId("ipv6_index");
  const vpcId = "${aws_vpc.this.id}";
  // Secondary blocks: keyed by name, so adding one only creates; the subnets wait for the associations.
  keyed(
    new VpcIpv4CidrBlockAssociation(scope, "resource_cidr_block", { vpcId, cidrBlock: "${each.value}" }),
    "this",
    "{ for b in var.secondary_cidr_blocks : b.name => b.cidr }",
  );
  keyed(
    new DefaultSecurityGroup(scope, "resource_default_sg", { vpcId, tags: tagsNamed("default-sg-unused") }),
    "this",
  );
  keyed(
    new DefaultRouteTable(scope, "resource_default_rt", {
      defaultRouteTableId: "${aws_vpc.this.default_route_table_id}",
      tags: tagsNamed("default-rt-unused"),
    }),
    "this",
  );
  const allowAll = { protocol: "-1", ruleNo: 100, action: "allow", cidrBlock: "0.0.0.0/0", fromPort: 0, toPort: 0 };
  const nacl = keyed(
    new DefaultNetworkAcl(scope, "resource_default_nacl", {
      defaultNetworkAclId: "${aws_vpc.this.default_network_acl_id}",
      ingress: [allowAll],
      egress: [allowAll],
      tags: tagsNamed("default-nacl"),
      lifecycle: { ignoreChanges: ["subnet_ids"] },
    }),
    "this",
  );
  // AWS's IPv6 allow rule (101) of a dual-stack VPC's default NACL, as the Network construct keeps it.
  const allowAllIpv6 = {
    protocol: "-1",
    rule_no: 101,
    action: "allow",
    ipv6_cidr_block: "::/0",
    from_port: 0,
    to_port: 0,
  };
  for (const direction of ["ingress", "egress"])
    nacl.addOverride(`dynamic.${direction}`, { for_each: tf("var.ipv6 ? [1] : []"), content: allowAllIpv6 });

  keyed(
    new InternetGateway(scope, "resource_igw", { vpcId, tags: tagsNamed("igw") }),
    "this",
    `anytrue([for s in values(local.subnets) : s.type == "public"]) ? toset(["this"]) : toset([])`,
  );
  keyed(
    new Subnet(scope, "resource_subnet", {
      vpcId,
      cidrBlock: "${each.value.cidr}",
      ipv6CidrBlock: tf(
        `var.ipv6 ? cidrsubnet(aws_vpc.this.ipv6_cidr_block, ${IPV6_SUBNET_BITS}, local.ipv6_index[each.key]) : null`,
      ),
      availabilityZone: "${each.value.az}",
      mapPublicIpOnLaunch: false,
      dependsOn: ["aws_vpc_ipv4_cidr_block_association.this"] as never,
      assignIpv6AddressOnCreation: Token.asAny(
        tf("var.ipv6 && [for t in var.tiers : t.assign_ipv6_address_on_creation if t.name == each.value.tier][0]"),
      ),
      // The caller's tags, the tier's own (validated not to touch the module's), then the module's.
      tags: Token.asStringMap(
        tf(
          'merge(var.tags, local.tier_tags[each.value.tier], { Name = "${var.name}-${each.value.tier}-${each.value.az}", Tier = each.value.tier, SubnetType = each.value.type })',
        ),
      ),
    }),
    "this",
    "local.subnets",
  );

  // NAT gateways, keyed by AZ.
  keyed(
    new Eip(scope, "resource_nat_eip", {
      domain: "vpc",
      tags: tagsNamed("nat-${each.key}"),
      dependsOn: ["aws_internet_gateway.this"] as never,
    }),
    "nat",
    "local.nat_gateways",
  );
  keyed(
    new NatGateway(scope, "resource_nat_gw", {
      allocationId: "${aws_eip.nat[each.key].allocation_id}",
      subnetId: '${aws_subnet.this["${each.value}/${each.key}"].id}',
      tags: tagsNamed("nat-${each.key}"),
      dependsOn: ["aws_internet_gateway.this"] as never,
    }),
    "this",
    "local.nat_gateways",
  );

  // NAT instances, keyed by AZ: the same hardening as the NatInstance construct.
  keyed(
    new SecurityGroup(scope, "resource_nat_sg", {
      name: "${var.name}-nat-instance-${each.key}",
      description: NAT_INSTANCE_GROUP.description,
      vpcId,
      tags: tagsNamed("nat-instance-${each.key}"),
    }),
    "nat_instance",
    "local.nat_instances",
  );
  keyed(
    new VpcSecurityGroupIngressRule(scope, "resource_nat_in", {
      securityGroupId: "${aws_security_group.nat_instance[each.key].id}",
      description: NAT_INSTANCE_GROUP.fromVpc,
      ipProtocol: "-1",
      cidrIpv4: "${var.vpc_cidr}",
    }),
    "nat_instance_from_vpc",
    "local.nat_instances",
  );
  keyed(
    new VpcSecurityGroupEgressRule(scope, "resource_nat_out", {
      securityGroupId: "${aws_security_group.nat_instance[each.key].id}",
      description: NAT_INSTANCE_GROUP.toInternet,
      ipProtocol: "-1",
      cidrIpv4: "0.0.0.0/0",
    }),
    "nat_instance_to_internet",
    "local.nat_instances",
  );
  keyed(
    new Instance(scope, "resource_nat_instance", {
      ami: "${var.nat_instance.ami}",
      instanceType: "${var.nat_instance.instance_type}",
      subnetId: '${aws_subnet.this["${each.value}/${each.key}"].id}',
      vpcSecurityGroupIds: ["${aws_security_group.nat_instance[each.key].id}"],
      ...NAT_INSTANCE_SETTINGS,
      monitoring: Token.asAny("${var.nat_instance.detailed_monitoring}"),
      userData: renderNatInstanceUserData({ vpcCidr: "${var.vpc_cidr}" }),
      tags: tagsNamed("nat-instance-${each.key}"),
    }),
    "nat",
    "local.nat_instances",
  );
  keyed(
    new Eip(scope, "resource_nat_instance_eip", {
      domain: "vpc",
      instance: "${aws_instance.nat[each.key].id}",
      tags: tagsNamed("nat-instance-${each.key}"),
    }),
    "nat_instance",
    "local.nat_instances",
  );

  keyed(
    new EgressOnlyInternetGateway(scope, "resource_eigw", { vpcId, tags: tagsNamed("eigw") }),
    "this",
    `var.ipv6 && length(local.private_azs) > 0 ? toset(["this"]) : toset([])`,
  );

  // Route tables and default routes.
  keyed(new RouteTable(scope, "resource_rt", { vpcId, tags: tagsNamed("${each.key}") }), "this", "local.route_tables");
  keyed(
    new Route(scope, "resource_internet", {
      routeTableId: "${aws_route_table.this[each.key].id}",
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: '${aws_internet_gateway.this["this"].id}',
    }),
    "internet",
    `{ for k, t in local.route_tables : k => t if t.type == "public" }`,
  );
  keyed(
    new Route(scope, "resource_nat_gateway_route", {
      routeTableId: "${aws_route_table.this[each.key].id}",
      destinationCidrBlock: "0.0.0.0/0",
      natGatewayId: "${aws_nat_gateway.this[each.value.nat_az].id}",
    }),
    "nat_gateway",
    `{ for k, t in local.route_tables : k => t if t.type == "private" && var.nat_mode != "instance" && t.nat_az != null }`,
  );
  keyed(
    new Route(scope, "resource_nat_instance_route", {
      routeTableId: "${aws_route_table.this[each.key].id}",
      destinationCidrBlock: "0.0.0.0/0",
      networkInterfaceId: "${aws_instance.nat[each.value.nat_az].primary_network_interface_id}",
    }),
    "nat_instance",
    `{ for k, t in local.route_tables : k => t if t.type == "private" && var.nat_mode == "instance" && t.nat_az != null }`,
  );
  keyed(
    new Route(scope, "resource_internet_ipv6", {
      routeTableId: "${aws_route_table.this[each.key].id}",
      destinationIpv6CidrBlock: "::/0",
      gatewayId: '${aws_internet_gateway.this["this"].id}',
    }),
    "internet_ipv6",
    `{ for k, t in local.route_tables : k => t if var.ipv6 && t.type == "public" }`,
  );
  keyed(
    new Route(scope, "resource_egress_only_route", {
      routeTableId: "${aws_route_table.this[each.key].id}",
      destinationIpv6CidrBlock: "::/0",
      egressOnlyGatewayId: '${aws_egress_only_internet_gateway.this["this"].id}',
    }),
    "egress_only_ipv6",
    `{ for k, t in local.route_tables : k => t if var.ipv6 && t.type == "private" }`,
  );
  keyed(
    new RouteTableAssociation(scope, "resource_rta", {
      subnetId: "${aws_subnet.this[each.key].id}",
      routeTableId: "${aws_route_table.this[local.route_table_of[each.key]].id}",
    }),
    "this",
    "local.subnets",
  );

  // S3 gateway endpoint: one association per non-public table, so adding an AZ adds a resource.
  keyed(
    new VpcEndpoint(scope, "s3", {
      vpcId,
      serviceName: "com.amazonaws.${var.region}.s3",
      vpcEndpointType: "Gateway",
      tags: tagsNamed("s3-endpoint"),
    }),
    "s3",
    `var.s3_gateway_endpoint ? toset(["this"]) : toset([])`,
  );
  keyed(
    new VpcEndpointRouteTableAssociation(scope, "s3_rta", {
      vpcEndpointId: '${aws_vpc_endpoint.s3["this"].id}',
      routeTableId: "${aws_route_table.this[each.key].id}",
    }),
    "s3",
    `var.s3_gateway_endpoint ? { for k, t in local.route_tables : k => t if t.type != "public" } : {}`,
  );

  // Interface endpoints: the Network construct's addInterfaceEndpoint, one per service, sharing one security group.
  const endpointsOn = `var.interface_endpoints == null ? toset([]) : toset(["this"])`;
  keyed(
    new SecurityGroup(scope, "resource_endpoints_sg", {
      name: "${var.name}-endpoints",
      description: INTERFACE_ENDPOINT_GROUP_DESCRIPTION,
      vpcId,
      tags: tagsNamed("endpoints"),
    }),
    "endpoints",
    endpointsOn,
  );
  keyed(
    new VpcSecurityGroupIngressRule(scope, "resource_endpoints_https", {
      securityGroupId: "${aws_security_group.endpoints[each.key].id}",
      description: "HTTPS to AWS services from ${var.vpc_cidr}",
      cidrIpv4: "${var.vpc_cidr}",
      ipProtocol: "tcp",
      fromPort: ENDPOINT_HTTPS.port,
      toPort: ENDPOINT_HTTPS.port,
    }),
    "endpoints",
    endpointsOn,
  );
  const endpoint = keyed(
    new VpcEndpoint(scope, "resource_interface_endpoint", {
      vpcId,
      serviceName: "com.amazonaws.${var.region}.${each.key}",
      vpcEndpointType: "Interface",
      subnetIds: tf(
        "[for k, s in local.subnets : aws_subnet.this[k].id if s.tier == local.endpoint_tier]",
      ) as unknown as string[],
      securityGroupIds: ['${aws_security_group.endpoints["this"].id}'],
      privateDnsEnabled: true,
      tags: tagsNamed("${each.key}-endpoint"),
    }),
    "interface",
    `var.interface_endpoints == null ? toset([]) : toset(var.interface_endpoints.services)`,
  );
  endpoint.addOverride("lifecycle.precondition", [
    {
      condition: tf(`contains([for t in var.tiers : t.name if t.type != "public"], local.endpoint_tier)`),
      error_message: "interface_endpoints.tier must be a private or isolated tier of the network.",
    },
  ]);

  // Each `network_acl` tier's own ACL (Network.addNetworkAcls): its entries inline, so Terraform owns the whole list.
  const acl = keyed(
    new NetworkAcl(scope, "resource_network_acl", {
      vpcId,
      tags: tagsNamed("${each.key}-nacl", ", Tier = each.key"),
    }),
    "this",
    "toset(local.acl_tiers)",
  );
  for (const [block, dir] of [
    ["ingress", "in"],
    ["egress", "out"],
  ])
    acl.addOverride(`dynamic.${block}`, {
      for_each: tf(`local.acl_entries[each.key].${dir}`),
      content: Object.fromEntries(
        ["rule_no", "protocol", "from_port", "to_port", "icmp_type", "icmp_code"]
          .map((field) => [field, tf(`${block}.value.${field.replace(/_port$/, "")}`)])
          .concat([
            ["action", "allow"],
            ["cidr_block", tf(`${block}.value.cidr`)],
          ]),
      ),
    });
  acl.addOverride("lifecycle.precondition", [
    NETWORK_ACL_QUOTA_CHECK,
    {
      condition: tf(
        `alltrue([for f in var.network_acl_flows : alltrue([for e in [f.from, f.to] : e.tier == null ? true : length([for s in local.acl_subnets : s if ${"s.tier == e.tier && (e.azs == null ? true : contains(e.azs, s.az))"}]) > 0])])`,
      ),
      error_message: "every tier a network_acl_flows entry names must have a subnet (in the azs it gives).",
    },
  ]);
  keyed(
    new NetworkAclAssociation(scope, "resource_network_acl_association", {
      networkAclId: "${aws_network_acl.this[each.value.tier].id}",
      subnetId: "${aws_subnet.this[each.key].id}",
    }),
    "this",
    "{ for k, s in local.subnets : k => s if contains(local.acl_tiers, s.tier) }",
  );

  // Flow logs: the FlowLogs construct's resources, present when enabled.
  const flowLogsOn = `var.flow_logs.enabled ? toset(["this"]) : toset([])`;
  keyed(
    new CloudwatchLogGroup(scope, "resource_flow_log_group", {
      name: "/vpc/${var.name}/flow-logs",
      retentionInDays: Token.asNumber("${var.flow_logs.retention_days}"),
      kmsKeyId: "${var.flow_logs.kms_key_arn}",
      tags: tagsNamed("flow-logs"),
    }),
    "flow_logs",
    flowLogsOn,
  );
  keyed(
    new IamRole(scope, "resource_flow_log_role", {
      name: "${var.name}-vpc-flow-logs",
      assumeRolePolicy: JSON.stringify(FLOW_LOGS_ASSUME_ROLE_POLICY),
      tags: tagsNamed("vpc-flow-logs"),
    }),
    "flow_logs",
    flowLogsOn,
  );
  keyed(
    new IamRolePolicy(scope, "resource_flow_log_policy", {
      role: "${aws_iam_role.flow_logs[each.key].id}",
      name: "write-flow-logs",
      policy: tf(
        `jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ${JSON.stringify(FLOW_LOGS_ACTIONS).replace(/,/g, ", ")}, Resource = [aws_cloudwatch_log_group.flow_logs[each.key].arn, "\${aws_cloudwatch_log_group.flow_logs[each.key].arn}:*"] }] })`,
      ),
    }),
    "flow_logs",
    flowLogsOn,
  );
  keyed(
    new FlowLog(scope, "resource_flow_log", {
      vpcId,
      trafficType: "${var.flow_logs.traffic_type}",
      logDestinationType: "cloud-watch-logs",
      logDestination: "${aws_cloudwatch_log_group.flow_logs[each.key].arn}",
      iamRoleArn: "${aws_iam_role.flow_logs[each.key].arn}",
      maxAggregationInterval: 60,
      tags: tagsNamed("flow-logs"),
    }),
    "this",
    flowLogsOn,
  );

  for (const [name, { value, description }] of Object.entries(NETWORK_OUTPUTS)) output(scope, name, value, description);
}
