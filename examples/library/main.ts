import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import {
  AdminKeyPair,
  AppServers,
  applyRules,
  applyStateBackend,
  Bastion,
  DbServer,
  HardeningProps,
  Network,
  parsePublicKey,
  Peer,
  Port,
  RuleException,
} from "@secure-aws-env/cdktf";

const app = new App();
const stack = new TerraformStack(app, "prod");
new AwsProvider(stack, "aws", { region: "eu-west-1", defaultTags: [{ tags: { Environment: "prod" } }] });
applyStateBackend(
  stack,
  { type: "s3", bucket: "acme-prod-tfstate", region: "eu-west-1" },
  { environment: "prod", stack: "environment" },
);

const network = new Network(stack, "network", {
  environment: "prod",
  region: "eu-west-1",
  azs: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
  vpcCidr: "10.0.0.0/16",
  tiers: [
    { name: "public", type: "public", cidrMask: 24 },
    { name: "management", type: "public", azs: ["eu-west-1a"], cidrMask: 26 },
    { name: "app", type: "private", cidrMask: 20 },
    { name: "db", type: "isolated", cidrMask: 24 },
  ],
  nat: { mode: "per-az" },
  flowLogs: { enabled: true, retentionDays: 90 },
  s3GatewayEndpoint: true,
});

const key = parsePublicKey(
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBT7J3xXzudRbWq8Jm6+yUgKinlLOJJOe1JmpUPDmL5C admin@laptop",
);
if ("problem" in key) throw new Error(key.problem.expected);
const { keyName } = new AdminKeyPair(stack, "AdminKeyPair", { environment: "prod", publicKey: key.key });
const ami = "ami-0123456789abcdef0"; // your image: docs/access-and-servers.md, "AMI choice"
const hardening: HardeningProps = { sessionTimeoutSeconds: 600 }; // HARDENING_DEFAULTS fill the rest

const bastion = new Bastion(stack, "Bastion", {
  network,
  tier: "management",
  ami,
  hardening,
  adminCidrs: ["198.51.100.7/32"],
  keyName,
});
const db = new DbServer(stack, "Db", { network, tier: "db", ami, hardening, keyName });
const appServers = new AppServers(stack, "App", {
  network,
  tier: "app",
  ami,
  hardening,
  keyName,
  service: {
    name: "app",
    port: 8080,
    command: "/usr/bin/python3 -m http.server 8080",
    environment: { DB_HOST: db.privateIp },
    packages: [],
  },
  dbLogin: db.credentials, // DB_NAME, DB_USER, DB_PASSWORD at every start, read from SSM
});

for (const servers of [appServers, db]) servers.connections.allowFrom(bastion, Port.SSH, "SSH from the bastion");
appServers.connections.allowFrom(bastion, Port.tcp(8080), "The app, through the bastion");
db.connections.allowFrom(appServers, Port.tcp(db.port), "MariaDB from the app servers");
for (const role of [bastion, appServers, db])
  role.connections.allowTo(Peer.anyIpv4(), Port.tcp(443), "HTTPS out: packages");

// The rules the config stacks pass (docs/pipelines.md, "Rules"): synth fails on any finding not accepted here.
const accepted: RuleException[] = [
  {
    rule: "instance-public-ip",
    resource: "Bastion_",
    reason: "the bastion is the one door in, SSH from the admin CIDR only",
  },
  { rule: "instance-detailed-monitoring", reason: "5-minute basic metrics are enough here (detailed ones are billed)" },
  {
    rule: "log-group-kms",
    resource: "FlowLogs",
    reason: "CloudWatch Logs' own encryption is enough for the flow logs",
  },
];
applyRules(stack, { exceptions: accepted }); // checked at synth: what is pushed to `accepted` before then counts

app.synth();
