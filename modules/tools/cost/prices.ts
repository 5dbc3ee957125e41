/**
 * The price table behind `npm run cost`: USD list prices, on-demand, Linux, per region. Edit this file to add a
 * region or an instance type; a type or region missing here is reported as "no price", never guessed.
 */
export interface RegionPrices {
  /** EC2 on-demand, Linux, USD per instance-hour, by instance type. */
  readonly ec2Hourly: Readonly<Record<string, number>>;
  /** NAT gateway, USD per gateway-hour. */
  readonly natGatewayHourly: number;
  /** NAT gateway data processing, USD per GB (both directions). */
  readonly natGatewayPerGb: number;
  /** Public IPv4 address (in use or idle, Elastic IP or auto-assigned), USD per address-hour. */
  readonly publicIpv4Hourly: number;
  /** EBS volume storage, USD per GB-month, by volume type. */
  readonly ebsGbMonth: Readonly<Record<string, number>>;
  /** CloudWatch Logs ingestion of vended logs (VPC flow logs), first tier, USD per GB. */
  readonly logsIngestionPerGb: number;
  /** Application Load Balancer, USD per load-balancer-hour. */
  readonly albHourly: number;
  /** Application Load Balancer capacity, USD per LCU-hour. */
  readonly albLcuHourly: number;
  /** Interface VPC endpoint (PrivateLink), USD per endpoint per AZ-hour. */
  readonly interfaceEndpointHourly: number;
  /** Interface VPC endpoint data processing, first 1 PB a month in the region, USD per GB. */
  readonly interfaceEndpointPerGb: number;
}

/** The table itself: where the numbers come from, when they were entered, and the prices by region. */
export interface PriceTable {
  readonly source: string;
  /** When these numbers were entered into the table (YYYY-MM-DD). */
  readonly recorded: string;
  readonly currency: "USD";
  readonly regions: Readonly<Record<string, RegionPrices>>;
}

/** The committed price table the estimate uses: AWS public list prices per region, with the date they were recorded. */
export const PRICE_TABLE: PriceTable = {
  source:
    "AWS public list prices: Amazon EC2 On-Demand (Linux), Amazon VPC (NAT gateway, public IPv4 address), " +
    "Amazon EBS (gp3/gp2 storage), Amazon CloudWatch (Logs, vended logs ingestion), Elastic Load Balancing (ALB hours, LCU-hours), AWS PrivateLink (interface endpoint per AZ-hour, data processed: first 1 PB tier). Storage of logs, IOPS/throughput " +
    "above gp3's baseline, data transfer out and Savings Plans are not included.",
  recorded: "2026-12-01",
  currency: "USD",
  regions: {
    "us-east-1": {
      ec2Hourly: {
        "t3.nano": 0.0052,
        "t3.micro": 0.0104,
        "t3.small": 0.0208,
        "t3.medium": 0.0416,
        "t3.large": 0.0832,
        "t4g.nano": 0.0042,
        "t4g.micro": 0.0084,
        "t4g.small": 0.0168,
        "t4g.medium": 0.0336,
        "t4g.large": 0.0672,
      },
      natGatewayHourly: 0.045,
      natGatewayPerGb: 0.045,
      publicIpv4Hourly: 0.005,
      ebsGbMonth: { gp3: 0.08, gp2: 0.1 },
      logsIngestionPerGb: 0.5,
      albHourly: 0.0225,
      albLcuHourly: 0.008,
      interfaceEndpointHourly: 0.01,
      interfaceEndpointPerGb: 0.01,
    },
    "ap-northeast-2": {
      ec2Hourly: {
        "t3.nano": 0.0065,
        "t3.micro": 0.013,
        "t3.small": 0.026,
        "t3.medium": 0.052,
        "t3.large": 0.104,
        "t4g.nano": 0.0052,
        "t4g.micro": 0.0104,
        "t4g.small": 0.0208,
        "t4g.medium": 0.0416,
        "t4g.large": 0.0832,
      },
      natGatewayHourly: 0.059,
      natGatewayPerGb: 0.059,
      publicIpv4Hourly: 0.005,
      ebsGbMonth: { gp3: 0.0912, gp2: 0.114 },
      logsIngestionPerGb: 0.76,
      albHourly: 0.0225,
      albLcuHourly: 0.008,
      interfaceEndpointHourly: 0.013,
      interfaceEndpointPerGb: 0.01,
    },
  },
};
