/**
 * The documented variants, combined into a few deployments that do not exclude each other: what the apply tests
 * deploy, and what the upgrade fixtures were synthesized from (by the release's own code). Each edits a copy of the
 * default environment, given the variants of the code that synthesizes it.
 */
export type Variants = Readonly<Record<string, (env: Record<string, any>) => void>>;

/** Stand-ins for ARNs that moto issues at random (a KMS key, an ACM certificate); overridden with moto's own. */
export const PLACEHOLDER_ARNS = {
  flowLogKey: "arn:aws:kms:ap-northeast-2:123456789012:key/00000000-0000-0000-0000-000000000000",
  certificate: "arn:aws:acm:ap-northeast-2:123456789012:certificate/00000000-0000-0000-0000-000000000000",
};

/** A public SSM parameter moto serves, for the NAT instance's AMI. */
export const SSM_AMI = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";

export const DEPLOY_GROUPS: Readonly<Record<string, (env: Record<string, any>, variants: Variants) => void>> = {
  default: () => {},
  // Three AZs, a NAT gateway per AZ, KMS-encrypted flow logs, the S3 endpoint, a secondary block with a tier in it,
  // and the HTTPS load balancer with access logs.
  production: (env, variants) => {
    for (const name of ["three-azs", "nat-per-az", "flow-logs-and-s3-endpoint", "load-balancer-https"])
      variants[name](env);
    env.flowLogs.kmsKeyArn = PLACEHOLDER_ARNS.flowLogKey;
    env.loadBalancer.certificateArn = PLACEHOLDER_ARNS.certificate;
    env.loadBalancer.deletionProtection = false; // the apply test destroys it
    env.secondaryCidrBlocks = [{ name: "more", cidr: "192.168.16.0/22" }];
    env.tiers.push({ name: "data", type: "isolated", cidrMask: 26, block: "more" });
  },
  // Session Manager only, a NAT instance from an SSM-parameter AMI, flow logs, and the CI identity stack.
  private: (env, variants) => {
    variants["ssm-only"](env);
    variants["nat-instance"](env);
    env.nat.instance.ami = { ssmParameter: SSM_AMI };
    env.flowLogs = { enabled: true };
    env.ci = { accountId: "123456789012", github: { repository: "acme/infra" } };
  },
  // No NAT, no public tier: Session Manager through interface endpoints, packages through the S3 gateway endpoint.
  "fully-private": (env, variants) => variants["fully-private"](env),
  // No bastion: the EC2 Instance Connect Endpoint is the door (moto lacks the endpoint itself: see apply.ts).
  "instance-connect": (env, variants) => variants["instance-connect"](env),
};
