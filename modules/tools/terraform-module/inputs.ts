import { z } from "zod";
import { environmentSchema } from "../../environment/schema";
import { BASTION_DEFAULTS } from "../../bastion/schema";

/**
 * The generated modules' inputs, each declared by the config field it stands for: its type, description, default and
 * the validation zod's checks allow (enums, integer ranges, RE2-compatible patterns) are read from the environment's
 * zod schema, as the config field tables are. Names and shapes are mapped here explicitly, with the reason wherever
 * the HCL input is not the config field in snake_case. `__tests__/terraform-module-inputs.test.ts` fails when a
 * config field has neither an input nor a `CONSTRUCTS_ONLY` reason, and when a module variable has no entry here.
 */

/** A JSON Schema node of the config, with what zod says when a value is refused (`expected`). */
export interface ConfigNode {
  readonly type?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly pattern?: string;
  readonly allOf?: readonly ConfigNode[];
  readonly anyOf?: readonly ConfigNode[];
  readonly items?: ConfigNode;
  readonly properties?: Readonly<Record<string, ConfigNode>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: ConfigNode | boolean;
  readonly expected?: string;
}

/** One input of a generated module. */
export interface HclInput {
  /** The input: a variable, `variable.attribute` for an object's attribute, `variable[].attribute` for a list's. */
  readonly hcl: string;
  /** The config field it stands for (`servers.app.tier`, `tiers[].cidrMask`); absent for an input of HCL only. */
  readonly from?: string;
  /** Why the input's name or shape differs from the config field's (or why there is no config field). */
  readonly why?: string;
  /** The HCL type where the config's cannot be written in HCL (a union), or of an HCL-only input. */
  readonly type?: string;
  /** Which member of a union the input takes (the others are what `why` says). */
  readonly variant?: number;
  /** A default of the module's own (`null`: optional); only with `why`. */
  readonly default?: unknown;
  /** Required in HCL though the config field is optional; only with `why`. */
  readonly required?: boolean;
  /** The description of an HCL-only input. */
  readonly description?: string;
  /** A list's items in validation messages: an HCL template of the item `x` and its index `i`. */
  readonly itemLabel?: string;
}

/** One end of a network ACL flow (`FlowEnd`): a tier, in some of its AZs, or a CIDR. */
const FLOW_END = "{ tier = optional(string), azs = optional(list(string)), cidr = optional(string) }";

const SECOND_RELEASE = "named as in the modules' first release, which HCL callers already use";

/** The network module's inputs, in the order of its `variables.tf`. */
export const NETWORK_INPUTS: readonly HclInput[] = [
  { hcl: "name", from: "name" },
  { hcl: "region", from: "region" },
  { hcl: "azs", from: "azs" },
  { hcl: "vpc_cidr", from: "vpcCidr" },
  { hcl: "acknowledge_non_rfc1918_vpc_cidr", from: "acknowledgeNonRfc1918VpcCidr" },
  { hcl: "az_slots", from: "azSlots" },
  { hcl: "secondary_cidr_blocks", from: "secondaryCidrBlocks", default: [], why: "an empty list, not null, in HCL" },
  { hcl: "secondary_cidr_blocks[].name", from: "secondaryCidrBlocks[].name" },
  { hcl: "secondary_cidr_blocks[].cidr", from: "secondaryCidrBlocks[].cidr" },
  { hcl: "tiers", from: "tiers", itemLabel: "tier ${x.name}" },
  { hcl: "tiers[].name", from: "tiers[].name" },
  { hcl: "tiers[].type", from: "tiers[].type" },
  { hcl: "tiers[].azs", from: "tiers[].azs" },
  { hcl: "tiers[].cidr_mask", from: "tiers[].cidrMask" },
  { hcl: "tiers[].cidrs", from: "tiers[].cidrs" },
  { hcl: "tiers[].block", from: "tiers[].block" },
  {
    hcl: "tiers[].assign_ipv6_address_on_creation",
    from: "tiers[].assignIpv6AddressOnCreation",
    default: false,
    why: "false rather than null in HCL",
  },
  {
    hcl: "tiers[].network_acl",
    from: "tiers[].networkAcl",
    default: false,
    why: "false rather than null in HCL; its entries come from `network_acl_flows` (the environment module adds its security groups' own)",
  },
  {
    hcl: "tiers[].tags",
    type: "map(string)",
    default: {},
    description: "tags for the tier's subnets (e.g. EKS's kubernetes.io/role/elb)",
    why: "HCL only: what terraform-aws-modules/vpc users set per subnet type; the constructs tag through `tags` and the provider's default_tags",
  },
  {
    hcl: "network_acl_flows",
    type: `list(object({ from = object(${FLOW_END}), to = object(${FLOW_END}), protocol = optional(string, "tcp"), from_port = number, to_port = number }))`,
    default: [],
    description:
      "the traffic the tiers' network ACLs admit, as the security groups allow it: each flow from a tier (in some of its AZs) or a CIDR to another, on a protocol (tcp, udp, or -1 for all) and ports; each `network_acl` tier's entries are planned from them, the replies included",
    why: "HCL only: what the constructs take as `Network.addNetworkAcls(flows)` (`securityGroupFlows` of the placed groups); the environment module passes its own groups' flows, and yours after them",
  },
  { hcl: "nat_mode", from: "nat.mode", why: `flat, as terraform-aws-modules/vpc's inputs are; ${SECOND_RELEASE}` },
  { hcl: "nat_instance", from: "nat.instance", why: `flat; ${SECOND_RELEASE}` },
  {
    hcl: "nat_instance.ami",
    from: "nat.instance.ami",
    type: "string",
    variant: 0,
    why: 'an AMI id only: read an SSM parameter with `data "aws_ssm_parameter"` in your configuration and pass its value',
  },
  { hcl: "nat_instance.instance_type", from: "nat.instance.instanceType" },
  { hcl: "nat_instance.detailed_monitoring", from: "nat.instance.detailedMonitoring" },
  { hcl: "flow_logs", from: "flowLogs" },
  { hcl: "flow_logs.enabled", from: "flowLogs.enabled" },
  { hcl: "flow_logs.retention_days", from: "flowLogs.retentionDays" },
  { hcl: "flow_logs.traffic_type", from: "flowLogs.trafficType" },
  { hcl: "flow_logs.kms_key_arn", from: "flowLogs.kmsKeyArn" },
  { hcl: "ipv6", from: "ipv6" },
  { hcl: "s3_gateway_endpoint", from: "s3GatewayEndpoint" },
  { hcl: "interface_endpoints", from: "interfaceEndpoints" },
  { hcl: "interface_endpoints.services", from: "interfaceEndpoints.services" },
  { hcl: "interface_endpoints.tier", from: "interfaceEndpoints.tier" },
  { hcl: "tags", from: "tags" },
];

const FLAT_HARDENING = `flat (one value for every instance); ${SECOND_RELEASE}`;
const AMI_ID_ONLY =
  'an AMI id only: read an SSM parameter (e.g. /aws/service/ami-amazon-linux-latest/...) with `data "aws_ssm_parameter"` in your configuration and pass its `insecure_value`, so the module itself plans without AWS';

/** The fields every server block has (`instanceFields`: bastion, servers.app, servers.db), under `hcl`. */
function instanceInputs(hcl: string, from: string): HclInput[] {
  return [
    { hcl: `${hcl}.ami`, from: `${from}.ami`, type: "string", variant: 0, why: AMI_ID_ONLY },
    ...["instanceType", "sshUser", "rootVolumeGiB", "detailedMonitoring"].map((key) => ({
      hcl: `${hcl}.${snakeCase(key)}`,
      from: `${from}.${key}`,
    })),
  ];
}

/** The inputs the environment module has besides the network module's (which it passes on). */
export const ENVIRONMENT_INPUTS: readonly HclInput[] = [
  {
    hcl: "admin_cidrs",
    from: "access.adminCidrs",
    default: [],
    why: `flat; ${SECOND_RELEASE}. Empty by default: with \`instance_connect\` (no \`access\` block in the config) it must stay empty, without it it must list one`,
  },
  {
    hcl: "ssh_public_key",
    from: "sshPublicKey",
    type: "string",
    required: true,
    why: "the key line itself, required: HCL reads a key file with `file()`, and the module's servers always have SSH (through the bastion, or the Instance Connect tunnel's `ssh_config` hosts)",
  },
  { hcl: "ami", from: "ami", type: "string", variant: 0, required: true, why: AMI_ID_ONLY },
  { hcl: "session_timeout_seconds", from: "hardening.sessionTimeoutSeconds", why: FLAT_HARDENING },
  { hcl: "ssh_max_auth_tries", from: "hardening.sshMaxAuthTries", why: FLAT_HARDENING },
  {
    hcl: "bastion",
    from: "bastion",
    default: {},
    why: "the environment module's door unless `instance_connect` is set (then these settings are unused); the network module is a network only",
  },
  {
    hcl: "bastion.tier",
    from: "bastion.tier",
    default: BASTION_DEFAULTS.tier,
    why: "always a public tier: the module's bastion has SSH (no `ssm`)",
  },
  { hcl: "bastion.az", from: "bastion.az" },
  { hcl: "instance_connect", from: "instanceConnect" },
  { hcl: "instance_connect.tier", from: "instanceConnect.tier" },
  { hcl: "instance_connect.az", from: "instanceConnect.az" },
  ...instanceInputs("bastion", "bastion"),
  {
    hcl: "app",
    from: "servers.app",
    required: true,
    why: "`servers.app`, always present: the environment module always has app servers",
  },
  { hcl: "app.tier", from: "servers.app.tier" },
  { hcl: "app.azs", from: "servers.app.azs" },
  ...instanceInputs("app", "servers.app"),
  { hcl: "app.count_per_az", from: "servers.app.countPerAz" },
  { hcl: "app.service", from: "servers.app.service", required: true, why: "its `command` is required in HCL" },
  { hcl: "app.service.name", from: "servers.app.service.name" },
  { hcl: "app.service.port", from: "servers.app.service.port" },
  {
    hcl: "app.service.command",
    from: "servers.app.service.command",
    required: true,
    why: "required: the module downloads no artifact, so there is no `java -jar {{artifact}}` default",
  },
  { hcl: "app.service.environment", from: "servers.app.service.environment" },
  {
    hcl: "app.service_from_tiers",
    from: "servers.app.ingress",
    type: "list(string)",
    default: [],
    description: "tiers whose subnets may reach the service port (the bastion always may)",
    why: "tiers only: the service port from every subnet of each tier; CIDR and security-group sources and other ports are the constructs' (`ingress`); add rules to `security_group_ids.app` yourself",
  },
  { hcl: "db", from: "servers.db", default: {}, why: "`servers.db`, always present: the module always has a DB" },
  { hcl: "db.tier", from: "servers.db.tier" },
  { hcl: "db.az", from: "servers.db.az" },
  ...instanceInputs("db", "servers.db"),
  { hcl: "db.port", from: "servers.db.port" },
  {
    hcl: "db.data_volume_size_gib",
    from: "servers.db.dataVolume.sizeGiB",
    why: `flat under \`db\`; ${SECOND_RELEASE}`,
  },
];

/**
 * Config fields (and whole blocks) the generated modules do not have, with the reason. Everything else of the
 * environment schema is an input above.
 */
export const CONSTRUCTS_ONLY: Readonly<Record<string, string>> = {
  "access.insecureAllowAdminPortsFromAnywhere":
    "the module always refuses 0.0.0.0/0 in `admin_cidrs`; an HCL caller adds a rule to `security_group_ids.bastion` deliberately",
  "bastion.ssm":
    "Session Manager (`with-ssh`, `only`) is the constructs': it changes which resources exist (no key pair, no port 22, a private bastion), which a module's `for_each` could follow but the modules do not yet; use the constructs for SSM-only access",
  "servers.app.service.artifact":
    "the module downloads nothing at first boot: put the artifact on the image or fetch it in `command`",
  "servers.app.service.packages":
    "package names differ by image (dnf, apt) and the constructs render the install at synth time; bake packages into the AMI",
  "servers.db.packages":
    "your own DB engine is the constructs': the module's DB is MariaDB with the app's login (the DB password flow)",
  "servers.db.services": "as `servers.db.packages`: the module's DB engine is always MariaDB",
  "servers.db.dataVolume.preventDestroy":
    "Terraform's `lifecycle` takes literals only, so a module cannot offer the switch, and one whose destroy always fails could not be removed by its callers",
  backend: "a module configures no backend: the caller's root module does",
  guardrails:
    "the app's synth-time rule check; run `checkPlan` (or `npm run plan`'s summary) on the HCL caller's plan JSON instead",
  loadBalancer:
    "not generated yet: put an ALB (e.g. terraform-aws-modules/alb) in front of the module's app servers, through `security_group_ids.app` and `private_ips`",
  ci: "the CI identity is a stack of its own (GitHub OIDC, plan and apply roles), not part of an environment module",
};

/** Every input of the environment module: the network module's, then its own. */
export const ALL_INPUTS: readonly HclInput[] = [...NETWORK_INPUTS, ...ENVIRONMENT_INPUTS];

/** zod's own message for a refused value, from the check's or the type's `error`. */
function zodExpected(schema: unknown): string | undefined {
  type Def = { error?: unknown; checks?: Array<{ _zod: { def: { error?: unknown } } }>; innerType?: unknown };
  const def = (schema as { _zod?: { def?: Def } })._zod?.def;
  if (def === undefined) return undefined;
  const message = (error: unknown) => (typeof error === "function" ? (error as (i: object) => unknown)({}) : error);
  for (const error of [...(def.checks ?? []).map((c) => c._zod.def.error), def.error]) {
    const text = message(error);
    if (typeof text === "string") return text;
  }
  return undefined;
}

/** The environment schema as JSON Schema (as written in a config file), each node with zod's `expected` message. */
export function configSchema(): ConfigNode {
  return z.toJSONSchema(environmentSchema, {
    io: "input",
    unrepresentable: "any",
    override: (ctx) => {
      const node = ctx.jsonSchema as { expected?: string };
      node.expected ??= zodExpected(ctx.zodSchema);
    },
  }) as ConfigNode;
}

/** The node at a config path (`a.b`, `tiers[].cidrMask`), or undefined; `required` says whether its parent needs it. */
export function configNode(root: ConfigNode, path: string): { node: ConfigNode; required: boolean } | undefined {
  let node: ConfigNode | undefined = root;
  let required = true;
  for (const part of path.split(".")) {
    const list = part.endsWith("[]");
    const key = list ? part.slice(0, -2) : part;
    if (node?.properties?.[key] === undefined) return undefined;
    required = node.required?.includes(key) === true;
    node = node.properties[key];
    if (list) node = node.items;
  }
  return node === undefined ? undefined : { node, required };
}

/** Every config path with no properties below it (a value, list, map or union), depth first; lists of objects go in. */
export function configLeaves(node: ConfigNode, prefix = ""): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = `${prefix}${key}`;
    const members = child.anyOf ?? [];
    // A tagged union (the backend's types): its variants' fields, each once.
    if (members.length > 0 && members.every((m) => m.properties?.type !== undefined))
      return [...new Set(members.flatMap((m) => configLeaves(m, `${path}.`)))].filter((p) => p !== `${path}.type`);
    if (child.properties !== undefined) return configLeaves(child, `${path}.`);
    if (child.type === "array" && child.items?.properties !== undefined)
      return [path, ...configLeaves(child.items, `${path}[].`)];
    return [path];
  });
}

/** `camelCase` as `snake_case` (`vpcCidr` → `vpc_cidr`; the unit `GiB` is one word: `sizeGiB` → `size_gib`). */
export function snakeCase(name: string): string {
  return name
    .replace(/GiB/g, "Gib")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** A Terraform validation: `[condition, error message]` (the message may hold `${...}` templates). */
export type Rule = [string, string];

/** A variable of a generated module, as `variable()` declares it. */
export interface VariableSpec {
  readonly name: string;
  readonly type: string;
  readonly description: string;
  /** Absent: required. */
  readonly default?: unknown;
  readonly nullable?: boolean;
  /** What zod checks, in Terraform. */
  readonly rules: readonly Rule[];
}

/** A literal in HCL (inside a type constraint's `optional(type, default)`). */
function hclLiteral(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(hclLiteral).join(", ")}]`;
  if (value !== null && typeof value === "object")
    return Object.keys(value).length === 0
      ? "{}"
      : `{ ${Object.entries(value)
          .map(([k, v]) => `${k} = ${hclLiteral(v)}`)
          .join(", ")} }`;
  return JSON.stringify(value);
}

/** The HCL type of a config node (a value, list or map; objects are built from their inputs). */
function hclType(node: ConfigNode): string {
  if (node.type === "string") return "string";
  if (node.type === "integer" || node.type === "number") return "number";
  if (node.type === "boolean") return "bool";
  if (node.type === "array" && node.items !== undefined) return `list(${hclType(node.items)})`;
  if (node.type === "object" && typeof node.additionalProperties === "object")
    return `map(${hclType(node.additionalProperties)})`;
  throw new Error(`no HCL type for ${JSON.stringify(node).slice(0, 120)}: give the input a type`);
}

/** Lookarounds and backreferences: what RE2 (Terraform's `regex`) cannot run. */
const NOT_RE2 = /\(\?[=!<]|\\[1-9]/;

/** zod's checks on a value at `ref`, as [condition, what is expected]; none for what Terraform cannot express. */
function valueChecks(node: ConfigNode, ref: string): Array<[string, string]> {
  const checks: Array<[string, string]> = [];
  if (node.enum !== undefined)
    checks.push([`contains(${JSON.stringify(node.enum)}, ${ref})`, node.expected ?? `one of ${node.enum.join(", ")}`]);
  const bounded = (n: number | undefined) => n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER;
  if ((node.type === "integer" || node.type === "number") && (bounded(node.minimum) || bounded(node.maximum))) {
    const parts = [
      ...(bounded(node.minimum) ? [`${ref} >= ${node.minimum}`] : []),
      ...(bounded(node.maximum) ? [`${ref} <= ${node.maximum}`] : []),
      ...(node.type === "integer" ? [`floor(${ref}) == ${ref}`] : []),
    ];
    checks.push([parts.join(" && "), node.expected ?? `a number from ${node.minimum} to ${node.maximum}`]);
  }
  const patterns = [node.pattern, ...(node.allOf ?? []).map((a) => a.pattern)].filter(
    (p): p is string => p !== undefined && !NOT_RE2.test(p),
  );
  for (const pattern of patterns)
    checks.push([
      `can(regex(${JSON.stringify(pattern.replace(/\\\//g, "/"))}, ${ref}))`,
      node.expected ?? `text matching ${pattern}`,
    ]);
  if (node.type === "array" && node.items !== undefined) {
    if (node.minItems !== undefined)
      checks.push([`length(${ref}) >= ${node.minItems}`, `a list of at least ${node.minItems}`]);
    for (const [condition, expected] of valueChecks(node.items, "v"))
      checks.push([`alltrue([for v in ${ref} : ${condition}])`, `a list of ${expected}`]);
  }
  if (node.type === "object" && typeof node.additionalProperties === "object")
    for (const [condition, expected] of valueChecks(node.additionalProperties, "v"))
      checks.push([`alltrue([for v in values(${ref}) : ${condition}])`, `a map of ${expected}`]);
  return checks;
}

/** What an input is: its config node (the chosen union member), required or not, its default. */
interface Resolved {
  readonly input: HclInput;
  readonly node: ConfigNode;
  readonly type?: string;
  /** Absent: required. */
  readonly default?: { value: unknown };
}

function resolve(root: ConfigNode, input: HclInput): Resolved {
  if (input.from === undefined) {
    if (input.type === undefined || input.description === undefined || input.why === undefined)
      throw new Error(`HCL-only input ${input.hcl} needs a type, a description and why`);
    return {
      input,
      node: { description: input.description },
      type: input.type,
      default: "default" in input ? { value: input.default } : undefined,
    };
  }
  const found = configNode(root, input.from);
  if (found === undefined) throw new Error(`input ${input.hcl}: no config field ${input.from}`);
  const node = input.variant === undefined ? found.node : { ...found.node, ...found.node.anyOf?.[input.variant] };
  const ownDefault = "default" in input ? { value: input.default } : undefined;
  const schemaDefault =
    node.default !== undefined ? { value: node.default } : found.required ? undefined : { value: null };
  return {
    input,
    node,
    type: input.type,
    default: input.required === true ? undefined : (ownDefault ?? schemaDefault),
  };
}

/**
 * The description of an input: the config field's, its config names (`vpcCidr`) written as the module's inputs
 * (`vpc_cidr`), an enum's values added; an object's lists its attributes.
 */
function describe(r: Resolved, children: readonly Resolved[], names: ReadonlyMap<string, string>): string {
  const text = (x: Resolved) => {
    const own = (x.input.from === undefined ? x.input.description : x.node.description) ?? "";
    const values = x.node.enum === undefined ? "" : ` (${x.node.enum.join(", ")})`;
    return `${own.replace(/`([A-Za-z.]+)`/g, (whole, name: string) => (names.has(name) ? `\`${names.get(name)}\`` : whole))}${values}`;
  };
  if (children.length === 0) return text(r);
  return `${text(r)}. Attributes: ${children.map((c) => `${c.input.hcl.slice(c.input.hcl.search(/[^.\]]+$/))} (${text(c)})`).join("; ")}`;
}

/**
 * The variables of `inputs`, each with its type built from its attributes, its description and default from the
 * config field, and zod's checks as validations. `checks` adds a module's own rules (the planners' cross-field
 * checks) by variable name.
 */
export function variableSpecs(
  inputs: readonly HclInput[],
  checks: Readonly<Record<string, readonly Rule[]>> = {},
): VariableSpec[] {
  const root = configSchema();
  const resolved = inputs.map((input) => resolve(root, input));
  // Config names in descriptions, by path and by their last key (`cidrs` of a tier), as the inputs are named.
  const names = new Map<string, string>();
  const key = (path: string) => path.slice(path.search(/[^.\]]+$/));
  for (const { input } of resolved)
    if (input.from !== undefined && !input.from.includes("[]")) names.set(input.from, input.hcl);
  for (const { input } of resolved)
    if (input.from !== undefined && !names.has(key(input.from))) names.set(key(input.from), key(input.hcl));
  const childrenOf = (path: string) =>
    resolved.filter((r) => {
      const rest = r.input.hcl.startsWith(`${path}.`)
        ? r.input.hcl.slice(path.length + 1)
        : r.input.hcl.startsWith(`${path}[].`)
          ? r.input.hcl.slice(path.length + 3)
          : undefined;
      return rest !== undefined && !/\.|\[\]/.test(rest);
    });
  const typeOf = (r: Resolved): string => {
    const children = childrenOf(r.input.hcl);
    if (children.length === 0) return r.type ?? hclType(r.node);
    const attributes = children.map((c) => {
      const name = c.input.hcl.slice(c.input.hcl.search(/[^.\]]+$/));
      const type = typeOf(c);
      if (c.default === undefined) return `${name} = ${type}`;
      if (c.default.value === null) return `${name} = optional(${type})`;
      return `${name} = optional(${type}, ${hclLiteral(c.default.value)})`;
    });
    const object = `object({ ${attributes.join(", ")} })`;
    return r.node.type === "array" ? `list(${object})` : object;
  };
  const rulesOf = (r: Resolved, ref: string, nullable: boolean, label: (detail: string) => string): Rule[] => {
    const path = r.input.hcl.replace(/\[\]/g, "");
    const own: Rule[] = (r.type === undefined || r.input.variant !== undefined ? valueChecks(r.node, ref) : []).map(
      ([condition, expected]) => [
        // Null (or an absent parent: an error to `try`) passes; a failing check on a value does not.
        nullable ? `try(${ref} == null, true) ? true : try(${condition}, false)` : condition,
        `${label(path)} must be ${expected.replace(/([$%])\{/g, "$1$1{")}.`,
      ],
    );
    const children = childrenOf(r.input.hcl).flatMap((c) => {
      const name = c.input.hcl.slice(c.input.hcl.search(/[^.\]]+$/));
      if (r.node.type !== "array") return rulesOf(c, `${ref}.${name}`, nullable || c.default?.value === null, label);
      // Each item's failure named: "tier edge has type \"pub\": type must be one of ...".
      const item = r.input.itemLabel ?? `${path}[\${i}]`;
      return rulesOf(c, `x.${name}`, c.default?.value === null, () => name).map(([condition, message]): Rule => [
        `alltrue([for x in ${ref} : ${condition}])`,
        `\${join(", ", [for i, x in ${ref} : "${item} has ${name} \${jsonencode(x.${name})}" if !(${condition})])}: ${message}`,
      ]);
    });
    return [...own, ...children];
  };
  return resolved
    .filter((r) => !r.input.hcl.includes("."))
    .map((r) => {
      const name = r.input.hcl;
      const optional = r.default !== undefined;
      const nullable = optional && r.default?.value === null;
      return {
        name,
        type: typeOf(r),
        description: describe(r, childrenOf(name), names),
        ...(optional ? { default: r.default?.value, nullable: nullable ? undefined : false } : {}),
        rules: [...rulesOf(r, `var.${name}`, nullable, (p) => p), ...(checks[name] ?? [])],
      };
    });
}

/** How the config fields stand against the modules' inputs: what is wrong, by kind (all empty when all is well). */
export interface FieldCoverage {
  /** Config fields with no input and no `CONSTRUCTS_ONLY` reason: added to the schema in one place only. */
  readonly unbound: readonly string[];
  /** Config fields with an input and a `CONSTRUCTS_ONLY` reason too, or with two inputs. */
  readonly twice: readonly string[];
  /** Inputs or `CONSTRUCTS_ONLY` entries naming no config field. */
  readonly unknown: readonly string[];
  /** Inputs whose name or shape differs from their config field's with no `why`. */
  readonly unexplained: readonly string[];
}

/** Checks every config field of `root` against `inputs` and `constructsOnly` (see FieldCoverage). */
export function fieldCoverage(
  root: ConfigNode,
  inputs: readonly HclInput[] = ALL_INPUTS,
  constructsOnly: Readonly<Record<string, string>> = CONSTRUCTS_ONLY,
): FieldCoverage {
  const bound = inputs.flatMap((i) => (i.from === undefined ? [] : [i.from]));
  const under = (path: string, c: string) => path === c || path.startsWith(`${c}.`) || path.startsWith(`${c}[]`);
  const excludedBy = (path: string) => Object.keys(constructsOnly).filter((c) => under(path, c));
  // An input that takes a field in a shape of its own (`type`) stands for the fields below it too.
  const reshaped = inputs.flatMap((i) => (i.from !== undefined && i.type !== undefined ? [i.from] : []));
  const covered = (leaf: string) => bound.includes(leaf) || reshaped.some((r) => leaf !== r && under(leaf, r));
  const leaves = configLeaves(root);
  const lastKey = (path: string) => path.slice(path.search(/[^.\]]+$/));
  return {
    unbound: leaves.filter((leaf) => !covered(leaf) && excludedBy(leaf).length === 0),
    twice: [...bound.filter((b, i) => bound.indexOf(b) !== i), ...bound.filter((b) => excludedBy(b).length > 0)],
    unknown: [...bound, ...Object.keys(constructsOnly)].filter((p) => configNode(root, p) === undefined),
    unexplained: inputs
      .filter(
        (i) =>
          i.why === undefined &&
          (i.from === undefined ||
            lastKey(i.hcl) !== snakeCase(lastKey(i.from)) ||
            i.type !== undefined ||
            i.variant !== undefined ||
            "default" in i ||
            i.required !== undefined),
      )
      .map((i) => i.hcl),
  };
}
