import { CostEstimate } from "./estimate";

const money = (n: number | undefined) => (n === undefined ? "no price" : `$${n.toFixed(2)}`);

/** A plain-text table: columns left-aligned, except those in `right` (amounts; default the last). */
function columns(rows: readonly (readonly string[])[], right: readonly number[] = [rows[0].length - 1]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (right.includes(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** The estimate of one stack as text: a line per billable item, the total, the NAT-mode comparison, the assumptions. */
export function formatEstimate(stack: string, e: CostEstimate): string {
  const out: string[] = [`${stack} (${e.region ?? "region unknown"}): monthly estimate, ${e.prices.currency}`];
  const rows = e.lines.map((l) => [
    l.item,
    l.unitPrice === undefined || l.category === "negligible"
      ? ""
      : `${+l.quantity.toFixed(3)} ${l.unit} × $${l.unitPrice}`,
    l.category === "negligible" ? "negligible" : money(l.monthly),
  ]);
  rows.push([
    "total" + (e.unpriced > 0 ? ` (${e.unpriced} item(s) with no price not included)` : ""),
    "",
    money(e.totalMonthly),
  ]);
  out.push(columns([["item", "quantity × unit price", "per month"], ...rows]).replace(/^/gm, "  "));
  // Why each unpriced line has no price, once per reason (a missing region would otherwise repeat on every line).
  const reasons = new Map<string, string[]>();
  for (const l of e.lines)
    if (l.monthly === undefined) reasons.set(l.noPrice ?? "", [...(reasons.get(l.noPrice ?? "") ?? []), l.item]);
  for (const [reason, items] of reasons)
    out.push(`  no price: ${reason} (${items.length > 3 ? `${items.length} items` : items.join("; ")})`);
  if (e.freeResources > 0)
    out.push(
      `  (${e.freeResources} more resources have no charge of their own: VPC, subnets, routes, security groups, IAM, ...)`,
    );
  if (e.natModes.length > 0) {
    out.push(
      "",
      "  NAT mode: what the same stack costs with each",
      columns(
        [
          ["mode", "makes", "NAT part", "total"],
          ...e.natModes.map((m) => [
            `${m.mode}${m.current ? " (this stack)" : ""}`,
            m.makes,
            money(m.natMonthly),
            money(m.totalMonthly),
          ]),
        ],
        [2, 3],
      ).replace(/^/gm, "  "),
    );
  }
  if (e.publicIpv4.addresses > 0)
    out.push(
      "",
      `  public IPv4: ${+e.publicIpv4.addresses.toFixed(3)} address(es), ${money(e.publicIpv4.monthly)} a month${e.publicIpv4.dualStack ? " (this stack is dual-stack)" : ""}; ${e.publicIpv4.note}`,
    );
  const a = e.assumptions;
  out.push(
    "",
    `  assumptions: ${a.hoursPerMonth} h/month, ${a.natTrafficGb} GB/month through NAT, ${a.flowLogGb} GB/month per flow log, ` +
      `${a.rootVolumeGiB} GiB root volumes where the AMI decides, ${a.albLcus} LCU per load balancer, ${a.endpointTrafficGb} GB/month through interface endpoints; data transfer out to the internet not included (same for every NAT mode)`,
    `  prices: ${e.prices.source} Recorded ${e.prices.recorded}.`,
  );
  return out.join("\n");
}
