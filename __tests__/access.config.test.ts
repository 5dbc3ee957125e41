import { resolve } from "node:path";
import { problemsAfter } from "./support/config";

// Each row: a broken copy of the default environment, and every problem it must produce, word for word.
const W = 'environment "workshop": ';
const ANYWHERE_SSH =
  "expected a source narrower than the whole internet for admin port 22 (SSH), such as your office's address as a /32; or access.insecureAllowAdminPortsFromAnywhere: true";
const NO_AMI = (base: string) =>
  `${W}${base}.ami = (missing): expected an AMI for this instance: ${base}.ami, or the environment's ami for every instance`;

const table: Array<[string, (env: Record<string, any>) => void, string[]]> = [
  // access: who may knock on the bastion's door
  [
    "SSH open to all of IPv4",
    (e) => (e.access.adminCidrs = ["0.0.0.0/0"]),
    [`${W}access.adminCidrs[0] = "0.0.0.0/0": ${ANYWHERE_SSH}`],
  ],
  [
    "SSH open to all of IPv6",
    (e) => (e.access.adminCidrs = ["::/0"]),
    [`${W}access.adminCidrs[0] = "::/0": ${ANYWHERE_SSH}`],
  ],
  [
    "any other /0 is the internet too",
    (e) => (e.access.adminCidrs = ["203.0.113.10/0"]),
    [`${W}access.adminCidrs[0] = "203.0.113.10/0": ${ANYWHERE_SSH}`],
  ],
  [
    "IPv6 admin network",
    (e) => (e.access.adminCidrs = ["2001:db8::/32"]),
    [
      `${W}access.adminCidrs[0] = "2001:db8::/32": expected an IPv4 CIDR block (the VPC has no IPv6: ipv6: true makes it dual-stack)`,
    ],
  ],
  [
    "octet out of range",
    (e) => (e.access.adminCidrs = ["203.0.113.300/32"]),
    [`${W}access.adminCidrs[0] = "203.0.113.300/32": expected an IPv4 CIDR block with octets 0-255 and a prefix 0-32`],
  ],
  [
    "address without prefix",
    (e) => (e.access.adminCidrs = ["203.0.113.10"]),
    [`${W}access.adminCidrs[0] = "203.0.113.10": expected an IPv4 CIDR block such as 10.0.0.0/16`],
  ],
  [
    "host bits set",
    (e) => (e.access.adminCidrs = ["203.0.113.10/24"]),
    [
      `${W}access.adminCidrs[0] = "203.0.113.10/24": expected a network address with no host bits set (did you mean 203.0.113.0/24?)`,
    ],
  ],
  [
    "same CIDR twice",
    (e) => (e.access.adminCidrs = ["203.0.113.10/32", "203.0.113.10/32"]),
    [`${W}access.adminCidrs[1] = "203.0.113.10/32": expected each admin CIDR listed once`],
  ],
  [
    "no admin CIDR with SSH on",
    (e) => (e.access.adminCidrs = []),
    [
      `${W}access.adminCidrs = []: expected at least one admin CIDR (your address as a /32) that may SSH to the bastion, or bastion.ssm "only"`,
    ],
  ],
  [
    "no access block with SSH on",
    (e) => delete e.access,
    [
      `${W}access.adminCidrs = (missing): expected at least one admin CIDR (your address as a /32) that may SSH to the bastion, or bastion.ssm "only"`,
    ],
  ],
  [
    "override is a boolean",
    (e) => (e.access.insecureAllowAdminPortsFromAnywhere = "yes"),
    [`${W}access.insecureAllowAdminPortsFromAnywhere = "yes": expected a value of type boolean`],
  ],

  // sshPublicKey
  [
    "no public key with SSH on",
    (e) => delete e.sshPublicKey,
    [
      `${W}sshPublicKey = (missing): expected the admins' public key ({ "path": "~/.ssh/<name>.pub" }; see README), or bastion.ssm "only"`,
    ],
  ],
  [
    "key file missing",
    (e) => (e.sshPublicKey = { path: "keys/missing.pub" }),
    [
      `${W}sshPublicKey.path = "keys/missing.pub": expected a readable public key file (${resolve("keys/missing.pub")}: ENOENT); make one with ssh-keygen (see README)`,
    ],
  ],
  [
    "private key pasted: refused and redacted",
    (e) =>
      (e.sshPublicKey = {
        text: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
      }),
    [
      `${W}sshPublicKey.text = "(a private key, redacted)": expected a PUBLIC key: this is a private key, which must never leave your machine; give the .pub file`,
    ],
  ],
  [
    "truncated key",
    (e) => (e.sshPublicKey = { text: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIXXX me" }),
    [
      `${W}sshPublicKey.text = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIXXX me": expected an OpenSSH public key line such as "ssh-ed25519 AAAA... you@laptop" (the .pub file ssh-keygen writes) (the key data is cut short)`,
    ],
  ],
  [
    "path and text both",
    (e) => (e.sshPublicKey = { path: "a.pub", text: "ssh-ed25519 x" }),
    [
      `${W}sshPublicKey = {"path":"a.pub","text":"ssh-ed25519 x"}: expected either { "path": "<file.pub>" } or { "text": "ssh-ed25519 AAAA... comment" }`,
    ],
  ],

  // bastion
  [
    "bastion in a private tier",
    (e) => (e.bastion.tier = "internal"),
    [
      `${W}bastion.tier = "internal": expected a public tier (the bastion is reached through its Elastic IP); "internal" is private`,
    ],
  ],
  [
    "bastion in no tier",
    (e) => (e.bastion.tier = "dmz"),
    [`${W}bastion.tier = "dmz": expected one of the environment's tiers (public, management, internal)`],
  ],
  [
    "bastion in an AZ its tier lacks",
    (e) => (e.bastion.az = "ap-northeast-2b"),
    [`${W}bastion.az = "ap-northeast-2b": expected an AZ of tier "management" (ap-northeast-2a)`],
  ],
  [
    "unknown SSM mode",
    (e) => (e.bastion.ssm = "yes"),
    [
      `${W}bastion.ssm = "yes": expected one of "off" (SSH only), "with-ssh" (SSH and Session Manager), "only" (Session Manager, no SSH)`,
    ],
  ],
  [
    "Session Manager only, but SSH settings left",
    (e) => ((e.bastion.ssm = "only"), delete e.bastion.tier),
    [
      `${W}access.adminCidrs = ["203.0.113.10/32"]: expected no admin CIDRs when bastion.ssm is "only": nothing listens for SSH`,
      `${W}sshPublicKey = {"path":"keys/workshop-placeholder.pub"}: expected no SSH key when bastion.ssm is "only": nothing listens for SSH`,
    ],
  ],
  [
    "misspelt field",
    (e) => (e.bastion.instnaceType = "t3.small"),
    [`${W}bastion.instnaceType = "t3.small": expected no such field: did you mean "instanceType"?`],
  ],
  [
    "instance type without a size",
    (e) => (e.bastion.instanceType = "t3"),
    [`${W}bastion.instanceType = "t3": expected an EC2 instance type such as "t3.micro"`],
  ],
  [
    "malformed AMI id",
    (e) => (e.bastion.ami = "ami-xyz"),
    [
      `${W}bastion.ami = "ami-xyz": expected an AMI id such as "ami-0123456789abcdef0" or { "ssmParameter": "/aws/service/..." }`,
    ],
  ],
  ["no AMI anywhere", (e) => delete e.ami, [NO_AMI("bastion"), NO_AMI("servers.db"), NO_AMI("servers.app")]],
  [
    "servers without a bastion",
    (e) => delete e.bastion,
    [
      `${W}bastion = (missing): expected a bastion block (or an instanceConnect block): servers are reached only through a door`,
    ],
  ],
  [
    "session timeout of zero",
    (e) => (e.hardening.sessionTimeoutSeconds = 0),
    [`${W}hardening.sessionTimeoutSeconds = 0: expected an integer from 60 to 86400`],
  ],
  [
    "root volume too small",
    (e) => (e.servers.db.rootVolumeGiB = 4),
    [`${W}servers.db.rootVolumeGiB = 4: expected an integer from 8 to 16384`],
  ],
  [
    "data volume of no size",
    (e) => (e.servers.db.dataVolume = { sizeGiB: 0 }),
    [`${W}servers.db.dataVolume.sizeGiB = 0: expected an integer from 1 to 16384`],
  ],

  // app servers: placement, ingress, service
  [
    "app servers in a public tier",
    (e) => (e.servers.app.tier = "public"),
    [
      `${W}servers.app.tier = "public": expected a private or isolated tier (servers get no public IP); "public" is public`,
    ],
  ],
  [
    "app servers in an AZ the tier lacks",
    (e) => (e.servers.app.azs = ["ap-northeast-2c"]),
    [
      `${W}servers.app.azs[0] = "ap-northeast-2c": expected an AZ of tier "internal" (ap-northeast-2a, ap-northeast-2b)`,
    ],
  ],
  [
    "too many per AZ",
    (e) => (e.servers.app.countPerAz = 11),
    [`${W}servers.app.countPerAz = 11: expected an integer from 0 to 10`],
  ],
  [
    "RDP open to the internet",
    (e) => (e.servers.app.ingress = [{ ports: [8080, 3389], from: [{ cidr: "0.0.0.0/0" }] }]),
    [
      `${W}servers.app.ingress[0].from[0].cidr = "0.0.0.0/0": expected a source narrower than the whole internet for admin port 3389 (RDP), such as your office's address as a /32; or access.insecureAllowAdminPortsFromAnywhere: true`,
    ],
  ],
  [
    "SSH among the service ports",
    (e) => (e.servers.app.ingress[0].ports = [8080, 22]),
    [
      `${W}servers.app.ingress[0].ports[1] = 22: expected a service port other than 22: SSH to servers comes only from the bastion's group, which is always allowed`,
    ],
  ],
  [
    "source tier that does not exist",
    (e) => (e.servers.app.ingress[0].from = [{ tier: "dmz" }]),
    [
      `${W}servers.app.ingress[0].from[0].tier = "dmz": expected one of the environment's tiers (public, management, internal)`,
    ],
  ],
  [
    "source of an unknown kind",
    (e) => (e.servers.app.ingress[0].from = [{ ip: "203.0.113.0/24" }]),
    [
      `${W}servers.app.ingress[0].from[0] = {"ip":"203.0.113.0/24"}: expected one of { "securityGroup": "bastion" | "app" | "db" | "instance-connect" }, { "tier": "<tier name>" }, { "cidr": "10.0.0.0/16" }`,
    ],
  ],
  [
    "malformed source CIDR",
    (e) => (e.servers.app.ingress[0].from = [{ cidr: "10.0.0.0/33" }]),
    [
      `${W}servers.app.ingress[0].from[0].cidr = "10.0.0.0/33": expected an IPv4 CIDR block with octets 0-255 and a prefix 0-32`,
    ],
  ],
  [
    "the same port and source twice",
    (e) => e.servers.app.ingress.push({ ports: [8080], from: [{ securityGroup: "bastion" }] }),
    [
      `${W}servers.app.ingress[1].from[0] = {"securityGroup":"bastion"}: expected each port and source once across servers.app.ingress (port 8080 from this source is already allowed)`,
    ],
  ],
  [
    "service port nobody may reach",
    (e) => (e.servers.app.service.port = 9090),
    [
      `${W}servers.app.service.port = 9090: expected a port that servers.app.ingress opens (8080), or nobody can reach the service`,
    ],
  ],
  [
    "service port out of range",
    (e) => (e.servers.app.service.port = 70000),
    [`${W}servers.app.service.port = 70000: expected an integer from 1 to 65535`],
  ],
  [
    "relative command",
    (e) => (e.servers.app.service.command = "python3 -m http.server"),
    [`${W}servers.app.service.command = "python3 -m http.server": expected an absolute command line, starting with /`],
  ],
  [
    "no command and no artifact",
    (e) => delete e.servers.app.service.command,
    [
      `${W}servers.app.service.command = (missing): expected the service's command line (required when there is no artifact to run with java -jar)`,
    ],
  ],
  [
    "artifact over plain HTTP",
    (e) => (e.servers.app.service.artifact = { url: "http://example.com/app.jar" }),
    [
      `${W}servers.app.service.artifact.url = "http://example.com/app.jar": expected an https:// URL without spaces or quotes`,
    ],
  ],
  [
    "unknown reference",
    (e) => (e.servers.app.service.environment.DB = "{{db.host}}"),
    [
      `${W}servers.app.service.environment.DB = "{{db.host}}": expected only known references in {{ }}: port, db.privateIp, db.port (not db.host)`,
    ],
  ],
  [
    "DB reference without a DB",
    (e) => delete e.servers.db,
    [
      `${W}servers.app.service.environment.DB_HOST = "{{db.privateIp}}": expected only known references in {{ }}: port (not db.privateIp)`,
      `${W}servers.app.service.environment.DB_PORT = "{{db.port}}": expected only known references in {{ }}: port (not db.port)`,
    ],
  ],
  [
    "a quote in an environment value",
    (e) => (e.servers.app.service.environment.GREETING = 'say "hi"'),
    [
      `${W}servers.app.service.environment.GREETING = "say \\"hi\\"": expected a value on one line, without " \\ \` or \${ %{`,
    ],
  ],
  [
    "Terraform syntax in a value",
    (e) => (e.servers.app.service.environment.X = "${var.x}"),
    [`${W}servers.app.service.environment.X = "\${var.x}": expected a value on one line, without " \\ \` or \${ %{`],
  ],
  [
    "variable name with a dash",
    (e) => (e.servers.app.service.environment["DB-HOST"] = "x"),
    [
      `${W}servers.app.service.environment.DB-HOST = "DB-HOST": expected a variable name such as DB_HOST (letters, digits, _; not starting with a digit)`,
    ],
  ],

  // DB server
  [
    "DB in no tier",
    (e) => (e.servers.db.tier = "data"),
    [`${W}servers.db.tier = "data": expected one of the environment's tiers (public, management, internal)`],
  ],
  [
    "DB in an AZ its tier lacks",
    (e) => (e.servers.db.az = "ap-northeast-2c"),
    [`${W}servers.db.az = "ap-northeast-2c": expected an AZ of tier "internal" (ap-northeast-2a, ap-northeast-2b)`],
  ],
  [
    "DB in the management tier",
    (e) => (e.servers.db.tier = "management"),
    [
      `${W}servers.db.tier = "management": expected a private or isolated tier (servers get no public IP); "management" is public`,
    ],
  ],
];

describe("bad access, key, bastion and server config", () => {
  it.each(table)("%s", (_name, change, expected) => {
    expect(problemsAfter(change)).toEqual(expected);
  });

  it("accepts the default environment", () => {
    expect(problemsAfter(() => {})).toEqual([]);
  });

  it("accepts SSH from anywhere only with the loudly named override", () => {
    expect(
      problemsAfter((e) => {
        e.access.adminCidrs = ["0.0.0.0/0"];
        e.access.insecureAllowAdminPortsFromAnywhere = true;
      }),
    ).toEqual([]);
  });

  it("accepts Session Manager only without admin CIDRs or key, the bastion in a private tier", () => {
    expect(
      problemsAfter((e) => {
        e.bastion.ssm = "only";
        delete e.bastion.tier;
        delete e.access;
        delete e.sshPublicKey;
      }),
    ).toEqual([]);
  });

  it("refuses a public tier for the bastion under Session Manager only: nothing would listen there", () => {
    expect(
      problemsAfter((e) => {
        e.bastion.ssm = "only";
        delete e.access;
        delete e.sshPublicKey;
      }),
    ).toEqual([
      `${W}bastion.tier = "management": expected a private tier (with bastion.ssm "only" nothing listens, so the bastion has no public address; Session Manager reaches it through the NAT, or from an isolated tier through interfaceEndpoints with ssm, ssmmessages and ec2messages); "management" is public`,
    ]);
  });

  it("accepts a network-only environment", () => {
    expect(
      problemsAfter((e) =>
        ["access", "sshPublicKey", "bastion", "servers", "ami", "hardening"].forEach((k) => delete e[k]),
      ),
    ).toEqual([]);
  });
});
