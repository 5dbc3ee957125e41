import { ResolvedEnvironment } from "./resolve";
import { contains, cidrSyntaxProblem } from "../core/cidr";
import { ConfigProblem, fieldPath } from "../core/problems";

/**
 * The placeholders the default config ships with, in the order a first deployment needs them replaced (the
 * checklist in docs/access-and-servers.md): the state bucket (the bootstrap stack creates it first), then the admins' key, address and AMI.
 * Each synthesizes and plans offline, and none may reach AWS: a bucket name is global (a room of workshop users
 * would collide), nobody holds the key's private half, the address is documentation-only, and the AMI does not exist.
 */
export const PLACEHOLDERS = {
  stateBucket: "change-me-workshop-tfstate",
  /** The comment of keys/workshop-placeholder.pub, the key whose private half was destroyed. */
  publicKeyComment: "PLACEHOLDER-replace-with-your-own-key",
  /** RFC 5737's documentation blocks (TEST-NET-1, -2, -3): never anybody's address. */
  documentationCidrs: ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"],
  ami: "ami-0123456789abcdef0",
} as const;

/** Every placeholder still in the environments, as problems naming the environment, field, value and replacement. */
export function placeholderProblems(environments: readonly ResolvedEnvironment[]): ConfigProblem[] {
  return environments.flatMap(({ config, publicKey }) => {
    const found: Array<Omit<ConfigProblem, "environment">> = [];
    const backend = config.backend;
    if (backend?.type === "s3" && backend.bucket === PLACEHOLDERS.stateBucket)
      found.push({
        field: "backend.bucket",
        value: backend.bucket,
        expected:
          "a state bucket name of your own choosing (3-63 lowercase letters, digits and dashes, unique across all of AWS), such as <your-company>-<project>-tfstate",
      });
    if (publicKey?.line.includes(PLACEHOLDERS.publicKeyComment))
      found.push({
        field: "sshPublicKey",
        value: config.sshPublicKey,
        expected:
          'your own public key, { "path": "~/.ssh/workshop.pub" } (ssh-keygen -t ed25519 -f ~/.ssh/workshop): nobody holds this placeholder\'s private half',
      });
    (config.access?.adminCidrs ?? []).forEach((cidr, i) => {
      if (isDocumentationCidr(cidr))
        found.push({
          field: fieldPath("access.adminCidrs", i),
          value: cidr,
          expected:
            "your own public address as a /32 (curl -s https://checkip.amazonaws.com): this one is a documentation-only block",
        });
    });
    for (const [field, ami] of amiFields(config))
      if (ami === PLACEHOLDERS.ami)
        found.push({
          field,
          value: ami,
          expected: `the id of a real image in ${config.region}, such as the current Amazon Linux 2023 AMI (docs/access-and-servers.md, "AMI choice")`,
        });
    return found.map((problem) => ({ environment: config.name, ...problem }));
  });
}

function isDocumentationCidr(cidr: string): boolean {
  return (
    cidrSyntaxProblem(cidr) === undefined && PLACEHOLDERS.documentationCidrs.some((block) => contains(block, cidr))
  );
}

/** The config's AMI ids by field: the environment's, a server's own, the NAT instance's. */
function amiFields(config: ResolvedEnvironment["config"]): Array<[string, unknown]> {
  return [
    ["ami", config.ami],
    ...Object.entries(config.servers ?? {}).map(([name, server]): [string, unknown] => [
      fieldPath("servers", name, "ami"),
      server?.ami,
    ]),
    ["bastion.ami", config.bastion?.ami],
    ["nat.instance.ami", config.nat?.instance?.ami],
  ];
}
