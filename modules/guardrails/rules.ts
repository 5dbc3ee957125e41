import { isAnywhere } from "../security/policy";
import { ADMIN_PORT_NAMES, ADMIN_PORTS } from "../security/port";
import { coversTcpPort } from "../policy/rules";

/** A stack's synthesized Terraform JSON, as far as the guardrails read it. */
export interface StackJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly terraform?: { readonly backend?: Record<string, unknown> };
}

/** What the guardrails need to know about the stack beyond its JSON. */
export interface GuardrailContext {
  /** The environment's NAT mode: `nat-cross-az` applies under `per-az` only. */
  readonly natMode?: string;
  /** The stack chose local state on purpose (config `backend.type = "local"`, or the bootstrap's first phase). */
  readonly localStateOptIn?: boolean;
}

/** One resource (or the stack, for `terraform`) that breaks a rule. */
export interface GuardrailViolation {
  readonly rule: string;
  /** `type.logicalId`, or `terraform.backend`. */
  readonly resource: string;
  readonly message: string;
}

export interface GuardrailRule {
  /** Stable id, used to acknowledge an exception in config. */
  readonly id: string;
  /** One line: what must hold. */
  readonly description: string;
  readonly check: (json: StackJson, context: GuardrailContext) => Array<Omit<GuardrailViolation, "rule">>;
}

interface Resource {
  readonly type: string;
  readonly id: string;
  readonly values: Record<string, unknown>;
}

function resources(json: StackJson, ...types: string[]): Resource[] {
  return types.flatMap((type) => Object.entries(json.resource?.[type] ?? {}).map(([id, values]) => ({ type, id, values })));
}

const address = (r: Resource) => `${r.type}.${r.id}`;

/** The `{ type, id }` a `${type.id.attribute}` reference points at. */
function referenced(value: unknown): { type: string; id: string } | undefined {
  const match = typeof value === "string" ? /^\$\{([a-z0-9_]+)\.([^.}]+)\.[a-z0-9_]+\}$/.exec(value) : null;
  return match === null ? undefined : { type: match[1], id: match[2] };
}

function lookup(json: StackJson, value: unknown): Resource | undefined {
  const ref = referenced(value);
  const values = ref === undefined ? undefined : json.resource?.[ref.type]?.[ref.id];
  return ref === undefined || values === undefined ? undefined : { ...ref, values };
}

/** A nested block as cdktf writes it: one object, or a list of them. */
function blocks(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value as Record<string, unknown>[];
  return value !== null && typeof value === "object" ? [value as Record<string, unknown>] : [];
}

const num = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);

const adminPortOpenToWorld: GuardrailRule = {
  id: "admin-port-open-to-world",
  description: "No security group rule lets 0.0.0.0/0 or ::/0 reach an admin port (SSH, telnet, RDP, WinRM, VNC)",
  check: (json) => {
    const permissions = [
      ...resources(json, "aws_vpc_security_group_ingress_rule").map((r) => ({
        r,
        cidrs: [r.values.cidr_ipv4, r.values.cidr_ipv6],
        protocol: String(r.values.ip_protocol),
        fromPort: num(r.values.from_port),
        toPort: num(r.values.to_port),
      })),
      ...resources(json, "aws_security_group_rule")
        .filter((r) => r.values.type === "ingress")
        .map((r) => ({ r, cidrs: [...blocks(r.values.cidr_blocks), ...blocks(r.values.ipv6_cidr_blocks)] as unknown[], protocol: String(r.values.protocol), fromPort: num(r.values.from_port), toPort: num(r.values.to_port) })),
      ...resources(json, "aws_security_group").flatMap((r) =>
        blocks(r.values.ingress).map((i) => ({ r, cidrs: [...(i.cidr_blocks as unknown[] ?? []), ...(i.ipv6_cidr_blocks as unknown[] ?? [])], protocol: String(i.protocol), fromPort: num(i.from_port), toPort: num(i.to_port) })),
      ),
    ];
    return permissions.flatMap(({ r, cidrs, ...ports }) => {
      const world = cidrs.filter((c): c is string => typeof c === "string" && isAnywhere(c));
      const admin = ADMIN_PORTS.filter((p) => coversTcpPort(ports, p));
      if (world.length === 0 || admin.length === 0) return [];
      return [{ resource: address(r), message: `lets ${world.join(", ")} reach ${admin.map((p) => `${ADMIN_PORT_NAMES[p]} (${p})`).join(", ")}` }];
    });
  },
};

const imdsv2Required: GuardrailRule = {
  id: "imdsv2-required",
  description: "Every instance and launch template requires IMDSv2 tokens (or turns the metadata service off)",
  check: (json) =>
    resources(json, "aws_instance", "aws_launch_template").flatMap((r) => {
      const [options] = blocks(r.values.metadata_options);
      if (options?.http_tokens === "required" || options?.http_endpoint === "disabled") return [];
      return [{ resource: address(r), message: `metadata_options.http_tokens is ${JSON.stringify(options?.http_tokens ?? null)}, not "required": IMDSv1 lets any SSRF read the instance's credentials` }];
    }),
};

const volumeEncryption: GuardrailRule = {
  id: "volume-encryption",
  description: "Every root volume, attached EBS block device and EBS volume is encrypted",
  check: (json) => [
    ...resources(json, "aws_instance").flatMap((r) => {
      const root = blocks(r.values.root_block_device);
      const found = root.length === 0 ? ["root_block_device is not set (left to the account default)"] : [];
      for (const field of ["root_block_device", "ebs_block_device"]) {
        blocks(r.values[field]).forEach((device, i) => {
          if (device.encrypted !== true) found.push(`${field}${field === "root_block_device" ? "" : `[${i}]`}.encrypted is ${JSON.stringify(device.encrypted ?? null)}`);
        });
      }
      return found.map((message) => ({ resource: address(r), message }));
    }),
    ...resources(json, "aws_ebs_volume")
      .filter((r) => r.values.encrypted !== true)
      .map((r) => ({ resource: address(r), message: `encrypted is ${JSON.stringify(r.values.encrypted ?? null)}` })),
  ],
};

/** The tier type of a subnet, from the tags the network module writes. */
function subnetType(subnet: Resource | undefined): string | undefined {
  return (subnet?.values.tags as Record<string, string> | undefined)?.SubnetType;
}

const publicIpInPrivateTier: GuardrailRule = {
  id: "public-ip-in-private-tier",
  description: "Nothing in a private or isolated tier gets a public IP (auto-assigned, on the instance, or an Elastic IP)",
  check: (json) => {
    const inner = (subnet: Resource | undefined) => ["private", "isolated"].includes(subnetType(subnet) ?? "");
    const where = (subnet: Resource) => `${subnetType(subnet)} subnet ${subnet.id}`;
    const found: Array<Omit<GuardrailViolation, "rule">> = [];
    for (const subnet of resources(json, "aws_subnet").filter(inner)) {
      if (subnet.values.map_public_ip_on_launch === true) found.push({ resource: address(subnet), message: `${where(subnet)} assigns public IPs on launch` });
    }
    for (const instance of resources(json, "aws_instance")) {
      const subnet = lookup(json, instance.values.subnet_id);
      if (inner(subnet) && instance.values.associate_public_ip_address === true) {
        found.push({ resource: address(instance), message: `has a public IP in ${where(subnet!)}` });
      }
    }
    for (const eip of resources(json, "aws_eip")) {
      const instance = lookup(json, eip.values.instance);
      const subnet = instance === undefined ? undefined : lookup(json, instance.values.subnet_id);
      if (inner(subnet)) found.push({ resource: address(eip), message: `gives ${address(instance!)} in ${where(subnet!)} a public Elastic IP` });
    }
    return found;
  },
};

const natCrossAz: GuardrailRule = {
  id: "nat-cross-az",
  description: 'Under nat.mode "per-az", every private route goes to the NAT gateway in its own AZ',
  check: (json, context) => {
    if (context.natMode !== "per-az") return [];
    const associations = resources(json, "aws_route_table_association");
    return resources(json, "aws_route").flatMap((route) => {
      const nat = lookup(json, route.values.nat_gateway_id);
      const natAz = nat === undefined ? undefined : lookup(json, nat.values.subnet_id)?.values.availability_zone;
      if (natAz === undefined) return [];
      const table = referenced(route.values.route_table_id);
      const subnets = associations
        .filter((a) => referenced(a.values.route_table_id)?.id === table?.id)
        .map((a) => lookup(json, a.values.subnet_id))
        .filter((s): s is Resource => s !== undefined && s.values.availability_zone !== natAz);
      return subnets.map((s) => ({
        resource: address(route),
        message: `sends subnet ${s.id} (${String(s.values.availability_zone)}) through the NAT gateway in ${String(natAz)}: losing that AZ cuts this one's egress`,
      }));
    });
  },
};

const remoteState: GuardrailRule = {
  id: "remote-state",
  description: 'Every stack keeps its state in a remote backend, unless the config chooses local state (backend.type "local")',
  check: (json, context) => {
    const kinds = Object.keys(json.terraform?.backend ?? {});
    if (context.localStateOptIn === true || (kinds.length > 0 && !kinds.includes("local"))) return [];
    return [{ resource: "terraform.backend", message: `state is ${kinds.length === 0 ? "Terraform's local default" : "local"}: a team and its pipelines cannot share or lock it` }];
  },
};

/** Every guardrail, checked at synth on every stack of the project. */
export const GUARDRAIL_RULES: readonly GuardrailRule[] = [adminPortOpenToWorld, imdsv2Required, volumeEncryption, publicIpInPrivateTier, natCrossAz, remoteState];
