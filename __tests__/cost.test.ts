import { COST_DEFAULTS, CostEstimate, estimateCost } from "../modules/tools/cost/estimate";
import { parseAssumptions } from "../modules/tools/cost/assumptions";
import { formatEstimate } from "../modules/tools/cost/format";
import { PRICE_TABLE } from "../modules/tools/cost/prices";
import { TerraformJson } from "../modules/tools/inventory/inventory";
import { EnvironmentInput } from "../modules/environment/schema";
import { rawWorkshop } from "./support/config";
import { synthEnvironment, workshopConfig } from "./support/synth";

const jsonOf = (config: EnvironmentInput) => synthEnvironment(config).json as TerraformJson;
/** The default environment's raw config with `change` applied. */
const withChanges = (change: (c: Record<string, any>) => void) => {
  const c = rawWorkshop();
  change(c);
  return c as EnvironmentInput;
};
const cents = (n: number | undefined) => (n === undefined ? undefined : Math.round(n * 100) / 100);
const natMode = (e: CostEstimate, mode: string) => e.natModes.find((m) => m.mode === mode)!;
/** A copy of the JSON with `edit` applied to every resource of `type`. */
function edited(json: TerraformJson, type: string, edit: (props: Record<string, unknown>) => void): TerraformJson {
  const copy = structuredClone(json) as any;
  for (const props of Object.values(copy.resource[type] ?? {})) edit(props as Record<string, unknown>);
  return copy;
}

describe("cost estimate of the default environment", () => {
  const json = jsonOf(workshopConfig());
  const estimate = estimateCost(json);

  it("matches the figure computed by hand from the ap-northeast-2 prices", () => {
    // 4 × t3.micro (bastion, app-a1, app-b1, db) at $0.013/h for 730 h           = 37.96
    // 4 × 8 GiB gp3 root volumes (the AMI's size, assumed) at $0.0912/GB-month  =  2.9184
    // 2 × public IPv4 (bastion EIP, NAT EIP) at $0.005/h for 730 h              =  7.30
    // 1 × NAT gateway at $0.059/h for 730 h                                     = 43.07
    // 10 GB through the NAT gateway at $0.059/GB                                =  0.59
    // 1 × 20 GiB gp3 data volume (the DB's) at $0.0912/GB-month                 =  1.824
    expect(estimate.region).toBe("ap-northeast-2");
    expect(estimate.totalMonthly).toBeCloseTo(37.96 + 2.9184 + 7.3 + 43.07 + 0.59 + 1.824, 6);
    expect(cents(estimate.totalMonthly)).toBe(93.66);
    expect(estimate.unpriced).toBe(0);
  });

  it("has one line per billable resource, each naming its resource", () => {
    const items = estimate.lines.map((l) => l.item);
    expect(items.filter((i) => i.startsWith("EC2 t3.micro"))).toHaveLength(4);
    expect(items.filter((i) => i.startsWith("EBS gp3 root volume"))).toHaveLength(4);
    expect(items.filter((i) => i.startsWith("public IPv4"))).toHaveLength(2);
    expect(items).toContain("NAT gateway hours (ap-northeast-2a)");
    expect(estimate.lines.find((l) => l.item.startsWith("EC2") && l.item.includes("(bastion)"))?.resource).toMatch(
      /^aws_instance\.Bastion_/,
    );
  });

  it("compares the four NAT modes, marking the synthesized one", () => {
    expect(estimate.natModes.map((m) => m.mode)).toEqual(["none", "single", "per-az", "instance"]);
    expect(estimate.natModes.filter((m) => m.current).map((m) => m.mode)).toEqual(["single"]);
    expect(natMode(estimate, "single").totalMonthly).toBe(93.66);
    // none: everything but the NAT gateway, its EIP and its traffic: 93.6624 - 43.07 - 3.65 - 0.59
    expect(natMode(estimate, "none").totalMonthly).toBe(46.35);
  });

  // The comparison is computed by substitution from one stack; synthesizing each mode for real must agree with it.
  it.each([
    ["per-az", (c: any) => (c.nat = { mode: "per-az" })],
    ["instance", (c: any) => (c.nat = { mode: "instance", instance: { ami: "ami-0123456789abcdef0" } })],
    [
      "none",
      (c: any) => ((c.nat = { mode: "none" }), (c.tiers.find((t: any) => t.name === "internal").type = "isolated")),
    ],
  ])("the %s row equals the estimate of that mode synthesized", (mode, change) => {
    const variant = estimateCost(jsonOf(withChanges(change)));
    expect(cents(variant.totalMonthly)).toBe(natMode(estimate, mode).totalMonthly);
    expect(variant.natModes.find((m) => m.current)?.mode).toBe(mode);
  });

  it("counts the tiers' network ACLs and their associations as free: the same lines and total, 8 more free resources", () => {
    const withAcls = estimateCost(jsonOf(withChanges((c) => c.tiers.forEach((t: any) => (t.networkAcl = true)))));
    expect(withAcls.lines).toEqual(estimate.lines);
    expect(withAcls.totalMonthly).toBe(estimate.totalMonthly);
    expect(withAcls.unpriced).toBe(0);
    expect(withAcls.freeResources).toBe(estimate.freeResources + 3 + 5);
  });

  it("prices flow logs as CloudWatch Logs ingestion under the stated traffic", () => {
    const withLogs = estimateCost(jsonOf(withChanges((c) => (c.flowLogs = { enabled: true }))), { flowLogGb: 4 });
    const line = withLogs.lines.find((l) => l.category === "logs")!;
    expect(line.item).toBe("CloudWatch Logs ingestion, flow log ALL, 4 GB (assumed)");
    expect(line.monthly).toBeCloseTo(4 * 0.76, 6);
  });

  it("takes every assumption from the overrides", () => {
    const e = estimateCost(json, { hoursPerMonth: 100, natTrafficGb: 0, rootVolumeGiB: 20 });
    expect(e.assumptions).toEqual({ ...COST_DEFAULTS, hoursPerMonth: 100, natTrafficGb: 0, rootVolumeGiB: 20 });
    expect(e.totalMonthly).toBeCloseTo(
      4 * 0.013 * 100 + 4 * 20 * 0.0912 + 20 * 0.0912 + 2 * 0.005 * 100 + 0.059 * 100,
      6,
    );
  });

  it("shows the state bootstrap stack's S3 and DynamoDB as negligible, with no VPC to compare NAT modes for", () => {
    const bootstrap = {
      provider: { aws: [{ region: "ap-northeast-2" }] },
      resource: {
        aws_s3_bucket: { b: {} },
        aws_s3_bucket_versioning: { v: {} },
        aws_dynamodb_table: { t: { billing_mode: "PAY_PER_REQUEST" } },
      },
    };
    const e = estimateCost(bootstrap);
    expect(e.lines).toEqual([expect.objectContaining({ category: "negligible", monthly: 0 })]);
    expect(e.totalMonthly).toBe(0);
    expect(e.natModes).toEqual([]);
  });
});

describe("what the table does not know is reported, not guessed", () => {
  const json = jsonOf(workshopConfig());

  it("an instance type missing from the table: a no-price line, left out of the total", () => {
    const e = estimateCost(
      edited(json, "aws_instance", (p) => p.tags && (p.tags as any).Role === "db" && (p.instance_type = "x9.mega")),
    );
    const line = e.lines.find((l) => l.item.startsWith("EC2 x9.mega"))!;
    expect(line.noPrice).toBe("instance type x9.mega is not in the price table for ap-northeast-2");
    expect(line.monthly).toBeUndefined();
    expect(e.unpriced).toBe(1);
    expect(cents(e.totalMonthly)).toBe(cents(93.6624 - 0.013 * 730));
    const text = formatEstimate("workshop", e);
    expect(text).toMatch(/\n {2}EC2 x9\.mega \(db\) +no price\n/);
    expect(text).toContain(
      "\n  no price: instance type x9.mega is not in the price table for ap-northeast-2 (EC2 x9.mega (db))\n",
    );
  });

  it("a region missing from the table: every billable line says so, the total is of nothing, nothing throws", () => {
    const e = estimateCost({ ...json, provider: { aws: [{ region: "eu-south-9" }] } });
    const billable = e.lines.filter((l) => l.category !== "negligible");
    expect(billable.length).toBeGreaterThan(0);
    for (const line of billable) expect(line.noPrice).toBe("region eu-south-9 is not in the price table");
    expect(e.totalMonthly).toBe(0);
    expect(e.natModes.every((m) => m.totalMonthly === undefined || m.mode === "none")).toBe(true);
    expect(formatEstimate("workshop", e)).toContain(
      `\n  no price: region eu-south-9 is not in the price table (${billable.length} items)\n`,
    );
  });

  it("a resource type the table does not know (a network load balancer, say) is listed with no price", () => {
    const e = estimateCost({
      ...json,
      resource: { ...json.resource, aws_lb: { Nlb_Lb_1234: { load_balancer_type: "network" } } },
    });
    const line = e.lines.find((l) => l.resource === "aws_lb.Nlb_Lb_1234");
    expect(line?.noPrice).toBe("only Application Load Balancers are in the price table");
    expect(line?.monthly).toBeUndefined();
    expect(cents(e.totalMonthly)).toBe(93.66);
  });

  it("an Application Load Balancer: its hours, its assumed LCUs and one public IPv4 address per AZ", () => {
    const alb = {
      Alb_Lb_1234: {
        load_balancer_type: "application",
        internal: false,
        subnets: ["${aws_subnet.a.id}", "${aws_subnet.b.id}"],
      },
    };
    const e = estimateCost({ ...json, resource: { ...json.resource, aws_lb: alb } }, { albLcus: 2 });
    const lines = e.lines.filter((l) => l.resource === "aws_lb.Alb_Lb_1234").map((l) => [l.item, cents(l.monthly)]);
    // ap-northeast-2: 730 h x $0.0225; 730 h x 2 LCU x $0.008; 730 h x 2 addresses x $0.005.
    expect(lines).toEqual([
      ["Application Load Balancer hours", 16.43],
      ["ALB capacity, 2 LCU (assumed)", 11.68],
      ["public IPv4 addresses (ALB, 2 AZs)", 7.3],
    ]);
    expect(cents(e.totalMonthly)).toBe(cents(93.66 + 16.425 + 11.68 + 7.3));
  });

  it("a Gateway Load Balancer endpoint and a non-gp3 volume type are not priced as something else", () => {
    const e = estimateCost({
      provider: { aws: [{ region: "us-east-1" }] },
      resource: {
        aws_vpc_endpoint: { fw: { service_name: "com.amazonaws.vpce.fw", vpc_endpoint_type: "GatewayLoadBalancer" } },
        aws_ebs_volume: { data: { size: 100, type: "io2" } },
      },
    });
    expect(e.lines.map((l) => l.noPrice)).toEqual([
      "EBS volume type io2 is not in the price table",
      "GatewayLoadBalancer endpoints are not in the price table",
    ]);
  });

  it("the table covers both regions and t3/t4g nano to large, with its source and date", () => {
    for (const region of ["ap-northeast-2", "us-east-1"]) {
      for (const family of ["t3", "t4g"]) {
        for (const size of ["nano", "micro", "small", "medium", "large"])
          expect(PRICE_TABLE.regions[region].ec2Hourly[`${family}.${size}`]).toBeGreaterThan(0);
      }
    }
    expect(PRICE_TABLE.source).toMatch(/AWS/);
    expect(PRICE_TABLE.recorded).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe("assumption overrides from the command line", () => {
  it("parses numbers and leaves absent ones to the defaults", () => {
    expect(parseAssumptions({ hoursPerMonth: "200", natTrafficGb: undefined, flowLogGb: "0.5" })).toEqual({
      hoursPerMonth: 200,
      flowLogGb: 0.5,
    });
  });

  it("names every bad flag, its value and what is expected", () => {
    expect(() => parseAssumptions({ hoursPerMonth: "abc", rootVolumeGiB: "0", natTrafficGb: "" })).toThrow(
      [
        '--hours = "abc": expected a number from 0 to 744',
        '--nat-traffic-gb = "": expected a number from 0 to 10000000',
        '--root-volume-gib = "0": expected a number from 1 to 16384',
      ].join("\n"),
    );
  });
});
