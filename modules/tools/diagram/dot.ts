import { Address, FlowInfo, InstanceInfo, Inventory, SubnetInfo } from "../inventory/inventory";

/** The DOT text of one stack's architecture, for Graphviz's `dot` engine. */
export interface DiagramOptions {
  /**
   * Title at the top of the picture.
   * @default the environment name of the provider's default tags, else "stack"
   */
  readonly title?: string;
}

/** Resource types the picture draws (or that are implied by what it draws); anything else is listed under it. */
const DRAWN = new Set([
  "aws_vpc",
  "aws_subnet",
  "aws_route",
  "aws_route_table",
  "aws_route_table_association",
  "aws_internet_gateway",
  "aws_egress_only_internet_gateway",
  "aws_nat_gateway",
  "aws_instance",
  "aws_eip",
  "aws_security_group",
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
  "aws_default_security_group",
  "aws_default_route_table",
  "aws_default_network_acl",
  "aws_vpc_endpoint",
  "aws_vpc_endpoint_route_table_association",
  "aws_ec2_instance_connect_endpoint",
  "aws_flow_log",
  "aws_cloudwatch_log_group",
]);

const FILL: Record<SubnetInfo["kind"], string> = { public: "#e6f4ea", private: "#e3eefc", isolated: "#f1f1f1" };
const BORDER: Record<SubnetInfo["kind"], string> = { public: "#34a853", private: "#4a7fd4", isolated: "#8a8a8a" };

/** A DOT double-quoted string. */
export function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}
const clusterId = (address: string) => `cluster_${address.replace(/[^A-Za-z0-9]/g, "_")}`;
const attrs = (a: Record<string, string | number | boolean | undefined>) =>
  `[${Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === "string" && !/^<.*>$/s.test(v) ? quote(v) : v}`)
    .join(", ")}]`;
/** `192.168.10.64/26` → a number that orders subnets by address. */
const cidrStart = (cidr: string) =>
  cidr
    .split("/")[0]
    .split(".")
    .reduce((n, octet) => n * 256 + (Number(octet) || 0), 0);

/** Where a flow starts or ends in the picture: a node, or a subnet (drawn as its cluster). */
interface End {
  readonly key: string;
  readonly node: string;
  readonly cluster?: string;
  /** The subnet, when the end is one. */
  readonly subnet?: SubnetInfo;
  /** For an instance: its subnet's AZ. */
  readonly az?: string;
}

/** The id of a subnet's anchor node: an invisible point inside the subnet's cluster that edges attach to. */
export const anchorOf = (subnet: Address) => `anchor:${subnet}`;

/**
 * Draws the inventory: region → VPC (CIDR) → one column per AZ and one row per tier, each subnet with its CIDR and
 * type; the Internet Gateway; NAT gateways or instances and which private subnets route to each; instances in their
 * subnets; the flows security groups allow, as labelled arrows; endpoints, flow logs; every other resource listed.
 */
export function toDot(inventory: Inventory, options: DiagramOptions = {}): string {
  const title = options.title ?? inventory.environment ?? "stack";
  const out: string[] = [];
  const line = (s: string) => out.push(s);
  line(`digraph ${quote(title)} {`);
  line(
    `  graph ${attrs({ newrank: true, forcelabels: true, compound: true, rankdir: "TB", fontname: "Helvetica", fontsize: 13, nodesep: 0.4, ranksep: 0.9, pad: 0.3, labelloc: "t", label: `${title}: what the synthesized Terraform builds` })};`,
  );
  line(
    `  node ${attrs({ fontname: "Helvetica", fontsize: 11, shape: "box", style: "rounded,filled", fillcolor: "white", color: "#555555" })};`,
  );
  line(`  edge ${attrs({ fontname: "Helvetica", fontsize: 10, color: "#444444" })};`);

  const instancesIn = new Map<Address, InstanceInfo[]>();
  for (const i of inventory.instances)
    if (i.subnet !== undefined) instancesIn.set(i.subnet, [...(instancesIn.get(i.subnet) ?? []), i]);
  const natsIn = new Map<Address, Address[]>();
  for (const n of inventory.natGateways)
    if (n.subnet !== undefined) natsIn.set(n.subnet, [...(natsIn.get(n.subnet) ?? []), n.address]);
  const subnetByCidr = new Map(inventory.subnets.map((s) => [s.cidr, s]));
  const vpcCidrs = new Set(inventory.vpcs.map((v) => v.cidr));
  const top: string[] = [];
  /** Invisible edges that keep each AZ a column and each tier a row. */
  const layout: string[] = [];

  // Egress to CIDRs and ingress from the VPC itself are written into the instance's label, not drawn as arrows.
  const notes = new Map<Address, string[]>();
  const noteOn = (group: Address, text: string) => {
    for (const i of inventory.instances.filter((x) => x.securityGroups.includes(group)))
      notes.set(i.address, [...(notes.get(i.address) ?? []), text]);
  };
  const egressByGroup = new Map<string, string[]>();
  for (const e of inventory.egress) {
    const key = `${e.group}|${e.cidr}`;
    egressByGroup.set(key, [...(egressByGroup.get(key) ?? []), e.ports]);
  }
  for (const [key, ports] of egressByGroup) {
    const [group, cidr] = key.split("|");
    noteOn(group, `out to ${cidr === "0.0.0.0/0" ? "anywhere" : cidr}: ${ports.join(", ")}`);
  }
  for (const f of inventory.ingress)
    if ("cidr" in f.source && vpcCidrs.has(f.source.cidr)) noteOn(f.group, `in: ${f.ports} from the VPC`);

  const instanceNode = (i: InstanceInfo, indent: string) => {
    const eip = inventory.eips.some((e) => e.attachedTo === i.address) || i.autoPublicIp ? " · public IPv4" : "";
    const label = [
      i.isNat ? `NAT instance (${i.name})` : i.name,
      `${i.instanceType ?? "?"}${eip}`,
      ...(notes.get(i.address) ?? []),
    ].join("\n");
    line(`${indent}${quote(i.address)} ${attrs({ label, fillcolor: i.isNat ? "#fff4e0" : "#ffffff", shape: "box" })};`);
  };

  line(`  subgraph ${clusterId("region")} {`);
  line(
    `    ${attrs({
      label: `region ${inventory.region ?? "(unknown)"}`,
      style: "rounded",
      color: "#999999",
      labeljust: "l",
    })
      .slice(1, -1)
      .split(", ")
      .join("; ")};`,
  );
  const rows: string[][] = [];
  for (const vpc of inventory.vpcs) {
    const subnets = inventory.subnets.filter(
      (s) => s.vpc === vpc.address || (s.vpc === undefined && inventory.vpcs.length === 1),
    );
    const azs = [...new Set(subnets.map((s) => s.az))].sort();
    const tierStart = new Map<string, number>();
    for (const s of subnets) tierStart.set(s.tier, Math.min(tierStart.get(s.tier) ?? Infinity, cidrStart(s.cidr)));
    const tiers = [...tierStart].sort((a, b) => a[1] - b[1]).map(([t]) => t);
    line(`    subgraph ${clusterId(vpc.address)} {`);
    line(`      label=${quote(`VPC ${vpc.cidr}`)}; style="rounded"; color="#333333"; penwidth=1.5; labeljust="l";`);
    const igws = inventory.internetGateways;
    const vpcTop: string[] = [];
    for (const igw of igws) {
      line(`      ${quote(igw)} ${attrs({ label: "Internet Gateway", shape: "box", fillcolor: "#e6f4ea" })};`);
      vpcTop.push(igw);
    }
    for (const eigw of inventory.egressOnlyInternetGateways) {
      line(
        `      ${quote(eigw)} ${attrs({ label: "Egress-only Internet Gateway\nIPv6 out, nothing in", shape: "box", fillcolor: "#e6f4ea" })};`,
      );
      vpcTop.push(eigw);
    }
    for (const ep of inventory.endpoints) {
      line(
        `      ${quote(ep.address)} ${attrs({ label: `${ep.type} endpoint\n${ep.service}${ep.azs === undefined ? "" : `\n${ep.azs} AZ(s), private DNS`}`, shape: "box", fillcolor: "#f3e8fd" })};`,
      );
      vpcTop.push(ep.address);
    }
    const tierRows = tiers.map(() => [] as string[]);
    const firstAnchors: string[] = [];
    for (const az of azs) {
      line(`      subgraph ${clusterId(`az:${vpc.address}:${az}`)} {`);
      line(`        label=${quote(az)}; style="dashed,rounded"; color="#888888"; labeljust="l";`);
      let previous: string | undefined;
      for (const [row, tier] of tiers.entries()) {
        const subnet = subnets.find((s) => s.tier === tier && s.az === az);
        let anchor: string;
        if (subnet === undefined) {
          anchor = `slot:${vpc.address}:${tier}:${az}`;
          line(
            `        ${quote(anchor)} ${attrs({ label: `(no ${tier} subnet)`, shape: "plaintext", style: "", fontcolor: "#999999" })};`,
          );
        } else {
          anchor = anchorOf(subnet.address);
          const via =
            subnet.kind === "public"
              ? "0.0.0.0/0 → Internet Gateway"
              : subnet.kind === "private"
                ? "0.0.0.0/0 → NAT"
                : "no route off the VPC";
          const viaIpv6 = !subnet.ipv6
            ? ""
            : subnet.ipv6RouteTo === undefined
              ? "\nIPv6 /64, no ::/0 route"
              : subnet.ipv6RouteTo.startsWith("aws_egress_only_internet_gateway.")
                ? "\nIPv6 /64, ::/0 → egress-only IGW"
                : "\nIPv6 /64, ::/0 → Internet Gateway";
          line(`        subgraph ${clusterId(subnet.address)} {`);
          line(
            `          label=${quote(`${tier} · ${subnet.kind}\n${subnet.cidr}\n${via}${viaIpv6}`)}; style="rounded,filled"; fillcolor=${quote(FILL[subnet.kind])}; color=${quote(BORDER[subnet.kind])};`,
          );
          line(`          ${quote(anchor)} ${attrs({ label: "", shape: "point", width: 0.01, style: "invis" })};`);
          tierRows[row].push(anchor);
          for (const nat of natsIn.get(subnet.address) ?? []) {
            line(`          ${quote(nat)} ${attrs({ label: "NAT gateway\npublic IPv4", fillcolor: "#fff4e0" })};`);
            tierRows[row].push(nat);
          }
          for (const door of inventory.instanceConnectEndpoints.filter((e) => e.subnet === subnet.address)) {
            line(
              `          ${quote(door.address)} ${attrs({ label: "EC2 Instance Connect Endpoint\nSSH with IAM, no public IP", fillcolor: "#f3e8fd" })};`,
            );
            tierRows[row].push(door.address);
          }
          for (const i of instancesIn.get(subnet.address) ?? []) {
            instanceNode(i, "          ");
            tierRows[row].push(i.address);
          }
          line("        }");
        }
        tierRows[row].push(anchor);
        // Written after the clusters: an edge statement inside a cluster would pull both its nodes into it.
        if (previous === undefined) firstAnchors.push(anchor);
        const above = previous;
        if (above !== undefined) layout.push(`  ${quote(above)} -> ${quote(anchor)} ${attrs({ style: "invis" })};`);
        previous = anchor;
      }
      line("      }");
    }
    rows.push(vpcTop, ...tierRows);
    // An invisible hub with ordered out-edges keeps the AZ columns in name order, left to right: crossing
    // minimization would otherwise swap them to shorten the flow arrows.
    const hub = `columns:${vpc.address}`;
    line(`      ${quote(hub)} ${attrs({ label: "", shape: "point", width: 0.01, style: "invis", ordering: "out" })};`);
    vpcTop.push(hub);
    for (const anchor of firstAnchors) layout.push(`  ${quote(hub)} -> ${quote(anchor)} ${attrs({ style: "invis" })};`);
    line("    }");
  }
  // Instances outside any known subnet, and security groups with no instance in them, still get a node.
  const placed = new Set(inventory.subnets.flatMap((s) => (instancesIn.get(s.address) ?? []).map((i) => i.address)));
  for (const i of inventory.instances.filter((x) => !placed.has(x.address))) instanceNode(i, "    ");
  line("  }");
  out.push(...layout);

  // Which private subnets route to which NAT, and the NATs' way out.
  for (const s of inventory.subnets) {
    if (s.kind !== "private" || s.defaultRouteTo === undefined) continue;
    line(
      `  ${quote(anchorOf(s.address))} -> ${quote(s.defaultRouteTo)} ${attrs({ ltail: clusterId(s.address), style: "dashed", color: "#c77700", tooltip: "default route 0.0.0.0/0", constraint: false })};`,
    );
  }
  for (const n of [
    ...inventory.natGateways.map((g) => g.address),
    ...inventory.instances.filter((i) => i.isNat).map((i) => i.address),
  ]) {
    for (const igw of inventory.internetGateways)
      line(`  ${quote(n)} -> ${quote(igw)} ${attrs({ style: "dashed", color: "#c77700", constraint: false })};`);
  }
  for (const igw of inventory.internetGateways)
    line(`  ${quote("internet")} -> ${quote(igw)} ${attrs({ dir: "both", color: "#34a853", penwidth: 1.5 })};`);

  // Allowed flows, one arrow per source and target, its ports in the label.
  const endsOfGroup = (group: Address): End[] => {
    const members = inventory.instances.filter((i) => i.securityGroups.includes(group));
    if (members.length > 0)
      return members.map((i) => ({
        key: i.name,
        node: i.address,
        az: inventory.subnets.find((x) => x.address === i.subnet)?.az,
      }));
    const doors = inventory.instanceConnectEndpoints.filter((e) => e.securityGroups.includes(group));
    if (doors.length > 0)
      return doors.map((e) => ({
        key: e.address,
        node: e.address,
        az: inventory.subnets.find((x) => x.address === e.subnet)?.az,
      }));
    const sg = inventory.securityGroups.find((g) => g.address === group);
    return [{ key: `sg:${sg?.name ?? group}`, node: `sg:${group}` }];
  };
  const sgNodes = new Set<Address>();
  const cidrNodes = new Set<string>();
  const sourceEnds = (f: FlowInfo): End[] => {
    if ("group" in f.source) return endsOfGroup(f.source.group);
    const subnet = subnetByCidr.get(f.source.cidr);
    if (subnet !== undefined)
      return [
        {
          key: `${subnet.tier}-${subnet.az}`,
          node: anchorOf(subnet.address),
          cluster: clusterId(subnet.address),
          subnet,
        },
      ];
    cidrNodes.add(f.source.cidr);
    return [{ key: f.source.cidr, node: `cidr:${f.source.cidr}` }];
  };
  const edges = new Map<string, { from: End; to: End; ports: string[]; description?: string }>();
  for (const f of inventory.ingress) {
    if ("cidr" in f.source && vpcCidrs.has(f.source.cidr)) continue;
    for (const from of sourceEnds(f)) {
      for (const to of endsOfGroup(f.group)) {
        const id = `flow:${from.key}->${to.key}`;
        const edge = edges.get(id) ?? { from, to, ports: [], description: f.description };
        if (!edge.ports.includes(f.ports)) edge.ports.push(f.ports);
        edges.set(id, edge);
        for (const end of [from, to]) if (end.node.startsWith("sg:")) sgNodes.add(end.node);
      }
    }
  }
  // A flow from every subnet of a tier is drawn once per target, from the tier's subnet in the target's AZ: the
  // many-to-many arrows of "the public tier may reach the app port" would otherwise cross the whole picture.
  const byTier = new Map<string, string[]>();
  for (const [id, e] of edges) {
    if (e.from.subnet === undefined) continue;
    const key = `${e.from.subnet.vpc}|${e.from.subnet.tier}|${e.to.key}|${e.ports.join(", ")}`;
    byTier.set(key, [...(byTier.get(key) ?? []), id]);
  }
  for (const ids of byTier.values()) {
    const group = ids.map((id) => edges.get(id)!);
    const { tier, vpc } = group[0].from.subnet!;
    const tierSubnets = inventory.subnets.filter((s) => s.tier === tier && s.vpc === vpc);
    if (group.length < 2 || group.length !== tierSubnets.length) continue;
    const to = group[0].to;
    const from = group.find((e) => e.from.subnet!.az === to.az)?.from ?? group[0].from;
    for (const id of ids) edges.delete(id);
    edges.set(`flow:${tier}->${to.key}`, {
      ...group[0],
      from: { ...from, key: tier },
      ports: group[0].ports.map((p) => `${p} (all ${tier})`),
    });
  }
  for (const cidr of [...cidrNodes].sort()) {
    const who = cidr === "0.0.0.0/0" || cidr === "::/0" ? "anywhere" : "admin network";
    line(
      `  ${quote(`cidr:${cidr}`)} ${attrs({ label: `${who}\n${cidr}`, shape: "ellipse", fillcolor: "#fdecea", color: "#d93025" })};`,
    );
    top.push(`cidr:${cidr}`);
  }
  // Declared after the admin networks: the top row's order is declaration order, and admins above the bastion's
  // AZ keep the AZ columns in name order (seen: declared first, "Internet" swapped the columns).
  if (inventory.vpcs.length > 0) {
    line(`  ${quote("internet")} ${attrs({ label: "Internet", shape: "ellipse", fillcolor: "#f7f7f7" })};`);
    top.push("internet");
  }
  for (const sg of sgNodes) {
    const name = inventory.securityGroups.find((g) => `sg:${g.address}` === sg)?.name ?? sg;
    line(
      `  ${quote(sg)} ${attrs({ label: `security group ${name}\n(no instance of this stack in it)`, shape: "component", fillcolor: "#f7f7f7" })};`,
    );
  }
  for (const [id, e] of edges) {
    // Flows from a whole subnet (a CIDR) are drawn lighter than those from a server: they are the many-to-many ones.
    const color = e.from.cluster === undefined ? "#1a56db" : "#8fb0e8";
    line(
      `  ${quote(e.from.node)} -> ${quote(e.to.node)} ${attrs({ id, ltail: e.from.cluster, xlabel: e.ports.join(", "), tooltip: e.description, color, fontcolor: color, penwidth: e.from.cluster === undefined ? 1.4 : 1, constraint: e.from.node.startsWith("cidr:") })};`,
    );
  }

  for (const log of inventory.flowLogs) {
    // The log group (or bucket) this flow log writes to, by its name when the JSON has one.
    const target = inventory.resources.find(([type, id]) => `${type}.${id}` === log.target);
    const name = typeof target?.[2].name === "string" ? target[2].name : "";
    line(
      `  ${quote(log.address)} ${attrs({ label: `VPC flow logs (${log.trafficType})\n→ ${log.destination === "cloud-watch-logs" ? "CloudWatch Logs" : log.destination} ${name}`, shape: "note", fillcolor: "#fffbe6" })};`,
    );
    top.push(log.address);
  }

  // Everything else in the stack, by type: hand-made and escape-hatch resources are at least named.
  const rest = new Map<string, number>();
  for (const [type] of inventory.resources) if (!DRAWN.has(type)) rest.set(type, (rest.get(type) ?? 0) + 1);
  if (rest.size > 0) {
    const label =
      ["also in this stack:", ...[...rest].sort().map(([type, n]) => `${type}${n > 1 ? ` ×${n}` : ""}`)].join("\\l") +
      "\\l";
    line(`  ${quote("also")} [label="${label.replace(/"/g, '\\"')}", shape=note, fillcolor="#fafafa", fontsize=10];`);
    if (inventory.vpcs.length === 0) rows.push(["also"]);
  }

  if (inventory.vpcs.length > 0) {
    const legend = [
      "how to read it:",
      "blue arrow: traffic a security group allows (protocol, port)",
      "light blue: allowed from every subnet of a tier",
      "orange dashed: default route (0.0.0.0/0) to a NAT, and the NAT's way out",
      "green: the Internet Gateway's traffic",
    ];
    line(`  ${quote("legend")} [label="${legend.join("\\l")}\\l", shape=note, fillcolor="#fafafa", fontsize=10];`);
    rows.push(["legend", ...(rest.size > 0 ? ["also"] : [])]);
  }
  line(`  { rank=min; ${top.map(quote).join("; ")} }`.replace("{ rank=min;  }", ""));
  for (const r of rows) if (r.length > 0) line(`  { rank=same; ${[...new Set(r)].map(quote).join("; ")} }`);
  // The notes go under the picture: one rank below its last row.
  const filled = rows.filter((r) => r.length > 0);
  const [lastRow, under] = [filled.at(-2), filled.at(-1)];
  if (lastRow !== undefined && under !== undefined)
    for (const n of under) line(`  ${quote(lastRow[0])} -> ${quote(n)} ${attrs({ style: "invis" })};`);
  line("}");
  return out.join("\n") + "\n";
}
