import { CostEstimate } from "./estimate";

const money = (n: number | undefined) => (n === undefined ? "no price" : `$${n.toFixed(2)}`);

/** A plain-text table of columns, left-aligned except the last, which is right-aligned (amounts). */
function columns(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ").trimEnd())
    .join("\n");
}

/** The estimate of one stack as text: a line per billable item, the total, the NAT-mode comparison, the assumptions. */
export function formatEstimate(stack: string, e: CostEstimate): string {
  const out: string[] = [`${stack} (${e.region ?? "region unknown"}): monthly estimate, ${e.prices.currency}`];
  const rows = e.lines.map((l) => [
    l.item,
    l.unitPrice === undefined || l.category === "negligible" ? "" : `${+l.quantity.toFixed(3)} ${l.unit} × $${l.unitPrice}`,
    l.category === "negligible" ? "negligible" : l.monthly === undefined ? `no price: ${l.noPrice}` : money(l.monthly),
  ]);
  rows.push(["total" + (e.unpriced > 0 ? ` (${e.unpriced} item(s) with no price not included)` : ""), "", money(e.totalMonthly)]);
  out.push(columns([["item", "quantity × unit price", "per month"], ...rows]).replace(/^/gm, "  "));
  if (e.freeResources > 0) out.push(`  (${e.freeResources} more resources have no charge of their own: VPC, subnets, routes, security groups, IAM, ...)`);
  if (e.natModes.length > 0) {
    out.push("", "  NAT mode: what the same stack costs with each", columns([
      ["mode", "makes", "NAT part", "total"],
      ...e.natModes.map((m) => [`${m.mode}${m.current ? " (this stack)" : ""}`, m.makes, money(m.natMonthly), money(m.totalMonthly)]),
    ]).replace(/^/gm, "  "));
  }
  const a = e.assumptions;
  out.push(
    "",
    `  assumptions: ${a.hoursPerMonth} h/month, ${a.natTrafficGb} GB/month through NAT, ${a.flowLogGb} GB/month per flow log, ` +
      `${a.rootVolumeGiB} GiB root volumes where the AMI decides; data transfer out to the internet not included (same for every NAT mode)`,
    `  prices: ${e.prices.source} Recorded ${e.prices.recorded}.`,
  );
  return out.join("\n");
}
