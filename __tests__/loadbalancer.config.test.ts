import { readFileSync } from "node:fs";
import { join } from "node:path";
import { problemsAfter } from "./support/config";
import { EXAMPLE_CERTIFICATE_ARN } from "./support/variants";
import { ingressBehindLoadBalancer } from "../modules/loadbalancer/plan";
import {
  accessLogBucketPolicy,
  ELB_LOG_DELIVERY_SERVICE,
  logDeliveryPrincipal,
} from "../modules/loadbalancer/log-delivery";
import { LOAD_BALANCER_DEFAULTS } from "../modules/loadbalancer/schema";
import { resolveOne } from "./support/synth";
import { rawWorkshop } from "./support/config";
import { EnvironmentInput } from "../modules/environment/schema";

// Each row: the default environment with a load balancer, broken one way, and every problem it must produce.
const W = 'environment "workshop": ';
const withLb =
  (lb: Record<string, unknown>, more: (e: Record<string, any>) => void = () => {}) =>
  (e: Record<string, any>) => {
    e.loadBalancer = lb;
    more(e);
  };

/** Three AZs, the public tier (the ALB's) in the first two only. */
function albInTwoOfThreeAzs(e: Record<string, any>): void {
  Object.assign(e, {
    azs: ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"],
    vpcCidr: "192.168.8.0/22",
    azSlots: 4,
  });
  e.tiers[0].azs = ["ap-northeast-2a", "ap-northeast-2b"];
}

const table: Array<[string, (env: Record<string, any>) => void, string[]]> = [
  [
    "in a private tier",
    withLb({ tier: "internal" }),
    [
      `${W}loadBalancer.tier = "internal": expected a public tier (an internet-facing load balancer is reached through the Internet Gateway); "internal" is private`,
    ],
  ],
  [
    "in a tier that does not exist",
    withLb({ tier: "dmz" }),
    [`${W}loadBalancer.tier = "dmz": expected one of the environment's tiers (public, management, internal)`],
  ],
  [
    "in a tier of one AZ",
    withLb({ tier: "management" }),
    [
      `${W}loadBalancer.tier = "management": expected a tier in at least two AZs: an Application Load Balancer needs subnets in two ("management" has ap-northeast-2a)`,
    ],
  ],
  [
    "app servers in an AZ the ALB is not in",
    withLb({}, albInTwoOfThreeAzs),
    [
      `${W}loadBalancer.tier = "public": expected a tier in every AZ of the app servers: it sends no traffic to ap-northeast-2c ("public" has ap-northeast-2a, ap-northeast-2b); or app servers only in its AZs`,
    ],
  ],
  [
    "app servers placed by azs in an AZ the ALB is not in",
    withLb({}, (e) => {
      albInTwoOfThreeAzs(e);
      e.servers.app.azs = ["ap-northeast-2a", "ap-northeast-2c"];
    }),
    [
      `${W}loadBalancer.tier = "public": expected a tier in every AZ of the app servers: it sends no traffic to ap-northeast-2c ("public" has ap-northeast-2a, ap-northeast-2b); or app servers only in its AZs`,
    ],
  ],
  [
    "no app servers",
    withLb({}, (e) => delete e.servers.app),
    [`${W}servers.app = (missing): expected app servers for the loadBalancer to forward to`],
  ],
  [
    "no app server at all",
    withLb({}, (e) => (e.servers.app.countPerAz = 0)),
    [
      `${W}servers.app.countPerAz = 0: expected at least one app server per AZ when there is a loadBalancer to send traffic to them`,
    ],
  ],
  [
    "certificate of another region",
    withLb({ certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d" }),
    [
      `${W}loadBalancer.certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d": expected a certificate of the environment's region ap-northeast-2 (a load balancer can only use ACM certificates of its own region; this one is in us-east-1)`,
    ],
  ],
  [
    "not a certificate ARN",
    withLb({ certificateArn: "arn:aws:iam::123456789012:server-certificate/x" }),
    [
      `${W}loadBalancer.certificateArn = "arn:aws:iam::123456789012:server-certificate/x": expected an ACM certificate ARN such as arn:aws:acm:ap-northeast-2:123456789012:certificate/<id>`,
    ],
  ],
  [
    "health-check path without its slash",
    withLb({ healthCheck: { path: "health" } }),
    [`${W}loadBalancer.healthCheck.path = "health": expected a path starting with "/", such as "/health"`],
  ],
  [
    "timeout not shorter than the interval",
    withLb({ healthCheck: { intervalSeconds: 10, timeoutSeconds: 10 } }),
    [
      `${W}loadBalancer.healthCheck.timeoutSeconds = 10: expected less than loadBalancer.healthCheck.intervalSeconds (10)`,
    ],
  ],
  [
    "interval out of range",
    withLb({ healthCheck: { intervalSeconds: 1 } }),
    [`${W}loadBalancer.healthCheck.intervalSeconds = 1: expected an integer from 5 to 300`],
  ],
  [
    "matcher not HTTP codes",
    withLb({ healthCheck: { matcher: "ok" } }),
    [`${W}loadBalancer.healthCheck.matcher = "ok": expected HTTP codes such as "200", "200,302" or "200-399"`],
  ],
  [
    "IPv6 source",
    withLb({ allowedCidrs: ["::/0"] }),
    [
      `${W}loadBalancer.allowedCidrs[0] = "::/0": expected an IPv4 CIDR block (the VPC has no IPv6: ipv6: true makes it dual-stack)`,
    ],
  ],
  [
    "CIDR with host bits",
    withLb({ allowedCidrs: ["198.51.100.7/24"] }),
    [
      `${W}loadBalancer.allowedCidrs[0] = "198.51.100.7/24": expected a network address with no host bits set (did you mean 198.51.100.0/24?)`,
    ],
  ],
  [
    "same CIDR twice",
    withLb({ allowedCidrs: ["198.51.100.0/24", "198.51.100.0/24"] }),
    [`${W}loadBalancer.allowedCidrs[1] = "198.51.100.0/24": expected each CIDR block listed once`],
  ],
  [
    "no CIDR",
    withLb({ allowedCidrs: [] }),
    [`${W}loadBalancer.allowedCidrs = []: expected at least one CIDR block, or no allowedCidrs for anywhere`],
  ],
  [
    "a typo",
    withLb({ deletionProtect: false }),
    [`${W}loadBalancer.deletionProtect = false: expected no such field: did you mean \"deletionProtection\"?`],
  ],
  [
    "log expiry with logs off",
    withLb({ accessLogs: { expireAfterDays: 30 } }),
    [`${W}loadBalancer.accessLogs.expireAfterDays = 30: expected no expireAfterDays unless accessLogs.enabled is true`],
  ],
  [
    "an environment name too long for the ALB's",
    withLb({}, (e) => (e.name = "workshop-with-a-very-long-name")),
    [
      `environment "workshop-with-a-very-long-name": name = "workshop-with-a-very-long-name": expected an environment name of at most 28 characters when it has a loadBalancer (its name, "workshop-with-a-very-long-name-alb", may have 32)`,
    ],
  ],
];

describe("bad loadBalancer config", () => {
  it.each(table)("%s", (_name, change, expected) => {
    expect(problemsAfter(change)).toEqual(expected);
  });

  it("docs/load-balancer.md's loadBalancer blocks are valid as written", () => {
    const page = readFileSync(join(__dirname, "..", "docs", "load-balancer.md"), "utf8");
    const blocks = [...page.matchAll(/```json\n\s*("loadBalancer": [\s\S]*?)\n\s*```/g)].map(
      (m) => JSON.parse(`{${m[1]}}`).loadBalancer,
    );
    expect(blocks).toHaveLength(2);
    for (const block of blocks) expect(problemsAfter(withLb(block))).toEqual([]);
  });

  it("the documented variants are valid", () => {
    expect(problemsAfter(withLb({ deletionProtection: false }))).toEqual([]);
    expect(problemsAfter(withLb({ certificateArn: EXAMPLE_CERTIFICATE_ARN, accessLogs: { enabled: true } }))).toEqual(
      [],
    );
  });
});

describe("the resolved load balancer", () => {
  const resolved = (loadBalancer?: Record<string, unknown>) =>
    resolveOne({ ...rawWorkshop(), loadBalancer } as EnvironmentInput).loadBalancer;

  it("has every default applied", () => {
    expect(resolved({})).toEqual({
      name: "workshop-alb",
      tier: "public",
      azs: ["ap-northeast-2a", "ap-northeast-2b"],
      allowedCidrs: ["0.0.0.0/0"],
      ipAddressType: "ipv4",
      certificateArn: undefined,
      healthCheck: LOAD_BALANCER_DEFAULTS.healthCheck,
      deletionProtection: true,
      accessLogsExpireAfterDays: undefined,
    });
    expect(resolved({ accessLogs: { enabled: true }, healthCheck: { path: "/up" } })).toMatchObject({
      accessLogsExpireAfterDays: 90,
      healthCheck: { ...LOAD_BALANCER_DEFAULTS.healthCheck, path: "/up" },
    });
  });

  it("is nothing without a loadBalancer block, and the app's ingress is then as configured", () => {
    const env = resolveOne(rawWorkshop() as EnvironmentInput);
    expect(env.loadBalancer).toBeUndefined();
    expect(env.app?.ingress.flatMap((r) => r.from)).toContainEqual({ tier: "public" });
    expect(
      resolveOne({ ...rawWorkshop(), loadBalancer: {} } as EnvironmentInput).app?.ingress.flatMap((r) => r.from),
    ).not.toContainEqual({ tier: "public" });
  });
});

describe("ingressBehindLoadBalancer", () => {
  const bastion = { securityGroup: "bastion" as const };
  const pub = { tier: "public" };
  const cidr = { cidr: "10.20.0.0/16" };

  it("drops the service port from the load balancer's tier, keeping its other sources", () => {
    expect(
      ingressBehindLoadBalancer([{ ports: [8080], from: [bastion, pub], description: "d" }], "public", 8080),
    ).toEqual([{ ports: [8080], from: [bastion], description: "d" }]);
    expect(ingressBehindLoadBalancer([{ ports: [8080], from: [pub] }], "public", 8080)).toEqual([]);
  });

  it("keeps other ports from that tier, and other tiers and CIDRs", () => {
    expect(ingressBehindLoadBalancer([{ ports: [8080, 9090], from: [pub, cidr] }], "public", 8080)).toEqual([
      { ports: [8080, 9090], from: [cidr] },
      { ports: [9090], from: [pub] },
    ]);
    const other = [{ ports: [8080], from: [{ tier: "management" }] }];
    expect(ingressBehindLoadBalancer(other, "public", 8080)).toEqual(other);
  });
});

describe("access-log delivery", () => {
  it("names the region's ELB account in older regions, with the partition, and the service principal in newer ones", () => {
    expect(logDeliveryPrincipal("ap-northeast-2")).toEqual({ AWS: "arn:aws:iam::600734575887:root" });
    expect(logDeliveryPrincipal("us-east-1")).toEqual({ AWS: "arn:aws:iam::127311923021:root" });
    expect(logDeliveryPrincipal("cn-north-1")).toEqual({ AWS: "arn:aws-cn:iam::638102146993:root" });
    expect(logDeliveryPrincipal("us-gov-west-1")).toEqual({ AWS: "arn:aws-us-gov:iam::048591011584:root" });
    expect(logDeliveryPrincipal("ap-southeast-4")).toEqual({ Service: ELB_LOG_DELIVERY_SERVICE });
  });

  it("lets delivery put objects under AWSLogs/ only, and denies anything but TLS 1.2+", () => {
    const policy = accessLogBucketPolicy("arn:aws:s3:::logs", "eu-west-1") as { Statement: Array<Record<string, any>> };
    const [allow, ...denies] = policy.Statement;
    expect(allow).toEqual({
      Sid: "ElbAccessLogDelivery",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::156460612806:root" },
      Action: "s3:PutObject",
      Resource: "arn:aws:s3:::logs/AWSLogs/*",
    });
    expect(denies.map((d) => [d.Sid, d.Effect, d.Principal, d.Action])).toEqual([
      ["DenyInsecureTransport", "Deny", "*", "s3:*"],
      ["DenyTlsBelow12", "Deny", "*", "s3:*"],
    ]);
  });
});
