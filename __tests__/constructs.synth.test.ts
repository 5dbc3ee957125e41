import { Testing } from "cdktf";
import { Construct } from "constructs";
import { Network } from "../modules/network/network";
import { NetworkProps } from "../modules/network/types";
import { Bastion } from "../modules/bastion/bastion";
import { AppServers, DbServer } from "../modules/servers/servers";
import { HardeningProps } from "../modules/instance/user-data";
import { Port } from "../modules/core/port";
import { ConfigError } from "../modules/core/problems";

type Json = { resource?: Record<string, Record<string, Record<string, any>>> };

// Each construct on its own, as a library user composes them: found by the tags and roles they carry, not by ids.
const NETWORK: NetworkProps = {
  environment: "lib",
  region: "us-east-1",
  azs: ["us-east-1a", "us-east-1b"],
  vpcCidr: "10.1.0.0/16",
  tiers: [
    { name: "edge", type: "public", cidrMask: 24 },
    { name: "apps", type: "private", cidrMask: 22 },
    { name: "data", type: "isolated", cidrMask: 24 },
  ],
};
const HARDENING: HardeningProps = { sessionTimeoutSeconds: 300, sshMaxAuthTries: 2 };
const AMI = "ami-0123456789abcdef0";

function synth(build: (scope: Construct, network: Network) => void, props: NetworkProps = NETWORK): Json {
  return JSON.parse(
    Testing.synthScope((scope) => {
      const network = new Network(scope, "net", props);
      build(scope, network);
    }),
  ) as Json;
}

const all = (json: Json, type: string) => Object.entries(json.resource?.[type] ?? {});
const tagged = (json: Json, type: string, tag: string, value: string) =>
  all(json, type).filter(([, r]) => r.tags?.[tag] === value);
const ref = (type: string, id: string) => `\${${type}.${id}.id}`;

describe("Network alone", () => {
  const json = synth(() => undefined);

  it("makes one subnet per tier per AZ, tagged with its tier, and routes by tier type", () => {
    const subnets = all(json, "aws_subnet").map(([, s]) => `${s.tags.Tier} ${s.availability_zone} ${s.cidr_block}`);
    expect(subnets.sort()).toEqual([
      "apps us-east-1a 10.1.16.0/22",
      "apps us-east-1b 10.1.20.0/22",
      "data us-east-1a 10.1.4.0/24",
      "data us-east-1b 10.1.5.0/24",
      "edge us-east-1a 10.1.0.0/24",
      "edge us-east-1b 10.1.1.0/24",
    ]);
    expect(all(json, "aws_nat_gateway")).toHaveLength(1);
    expect(
      all(json, "aws_route")
        .map(([, r]) => (r.gateway_id !== undefined ? "igw" : "nat"))
        .sort(),
    ).toEqual(["igw", "nat", "nat"]);
  });

  it("builds a plan it is given instead of planning again", () => {
    const planned = synth(() => undefined, {
      ...NETWORK,
      plan: {
        subnets: [{ tier: "edge", type: "public", az: "us-east-1a", cidr: "10.1.200.0/24" }],
        natAzs: [],
        natAzFor: {},
        natTierIn: {},
      },
    });
    expect(all(planned, "aws_subnet").map(([, s]) => s.cidr_block)).toEqual(["10.1.200.0/24"]);
  });

  it("throws a ConfigError naming every problem of bad props", () => {
    expect(() =>
      synth(() => undefined, { ...NETWORK, vpcCidr: "10.1.0.0/33", azs: ["us-east-1a", "eu-west-1b"] }),
    ).toThrow(ConfigError);
  });
});

describe("Bastion on a Network", () => {
  const json = synth(
    (scope, network) =>
      new Bastion(scope, "door", {
        network,
        tier: "edge",
        az: "us-east-1b",
        ami: AMI,
        instanceType: "t3.nano",
        hardening: HARDENING,
        adminCidrs: ["198.51.100.7/32"],
      }),
  );
  const [[bastionId, bastion]] = tagged(json, "aws_instance", "Role", "bastion");

  it("stands in the tier and AZ asked for, with an Elastic IP and its own group", () => {
    const [[subnetId]] = all(json, "aws_subnet").filter(
      ([, s]) => s.tags.Tier === "edge" && s.availability_zone === "us-east-1b",
    );
    expect(bastion.subnet_id).toBe(ref("aws_subnet", subnetId));
    expect(all(json, "aws_eip").filter(([, e]) => e.instance === ref("aws_instance", bastionId))).toHaveLength(1);
    const [[groupId, group]] = all(json, "aws_security_group");
    expect(group.name).toBe("lib-bastion");
    expect(bastion.vpc_security_group_ids).toEqual([ref("aws_security_group", groupId)]);
  });

  it("lets SSH in from the admin networks only", () => {
    expect(all(json, "aws_vpc_security_group_ingress_rule").map(([, r]) => `${r.cidr_ipv4} ${r.from_port}`)).toEqual([
      "198.51.100.7/32 22",
    ]);
  });

  it("refuses a tier without a public route", () => {
    expect(() =>
      synth(
        (scope, network) =>
          new Bastion(scope, "door", {
            network,
            tier: "apps",
            ami: AMI,
            instanceType: "t3.nano",
            hardening: HARDENING,
          }),
      ),
    ).toThrow(/tier "apps" is private/);
  });
});

describe("servers on a Network, connected", () => {
  const json = synth((scope, network) => {
    const door = new Bastion(scope, "door", {
      network,
      tier: "edge",
      ami: AMI,
      instanceType: "t3.nano",
      hardening: HARDENING,
      adminCidrs: ["198.51.100.7/32"],
    });
    const db = new DbServer(scope, "db", {
      network,
      tier: "data",
      az: "us-east-1b",
      ami: AMI,
      hardening: HARDENING,
      port: 5432,
    });
    const app = new AppServers(scope, "app", {
      network,
      tier: "apps",
      countPerAz: 2,
      ami: AMI,
      hardening: HARDENING,
      service: {
        name: "web",
        port: 8000,
        command: "/usr/bin/web",
        environment: { DB_HOST: db.privateIp },
        packages: [],
      },
    });
    for (const servers of [app, db]) servers.connections.allowFrom(door, Port.SSH, "SSH from the bastion");
    db.connections.allowFrom(app, Port.tcp(db.port), "Postgres from the app");
  });
  const groupOf = (role: string) =>
    ref("aws_security_group", all(json, "aws_security_group").find(([, g]) => g.tags.Role === role)![0]);

  it("places countPerAz app servers in every AZ of their tier and the DB server in its AZ", () => {
    const subnetAz = Object.fromEntries(
      all(json, "aws_subnet").map(([id, s]) => [ref("aws_subnet", id), `${s.tags.Tier}/${s.availability_zone}`]),
    );
    expect(
      tagged(json, "aws_instance", "Role", "app")
        .map(([, i]) => subnetAz[i.subnet_id])
        .sort(),
    ).toEqual(["apps/us-east-1a", "apps/us-east-1a", "apps/us-east-1b", "apps/us-east-1b"]);
    expect(tagged(json, "aws_instance", "Role", "db").map(([, i]) => subnetAz[i.subnet_id])).toEqual([
      "data/us-east-1b",
    ]);
  });

  it("makes the ingress on one side and the egress on the other for each allowFrom", () => {
    const rules = (type: string) =>
      all(json, type)
        .filter(([, r]) => r.referenced_security_group_id !== undefined)
        .map(
          ([, r]) =>
            `${r.security_group_id === groupOf("db") ? "db" : r.security_group_id === groupOf("app") ? "app" : "bastion"} ${r.from_port} ${r.referenced_security_group_id === groupOf("db") ? "db" : r.referenced_security_group_id === groupOf("app") ? "app" : "bastion"}`,
        )
        .sort();
    expect(rules("aws_vpc_security_group_ingress_rule")).toEqual(["app 22 bastion", "db 22 bastion", "db 5432 app"]);
    expect(rules("aws_vpc_security_group_egress_rule")).toEqual(["app 5432 db", "bastion 22 app", "bastion 22 db"]);
  });

  it("refuses to put servers in a public tier", () => {
    expect(() =>
      synth((scope, network) => new DbServer(scope, "db", { network, tier: "edge", ami: AMI, hardening: HARDENING })),
    ).toThrow(/tier "edge" is public/);
  });
});

describe("the DB server's data volume", () => {
  const dbJson = (props: Partial<ConstructorParameters<typeof DbServer>[2]> = {}) =>
    synth((scope, network) => {
      new DbServer(scope, "db", { network, tier: "data", az: "us-east-1b", ami: AMI, hardening: HARDENING, ...props });
    });
  const json = dbJson();
  const [[volumeId, volume]] = all(json, "aws_ebs_volume");
  const [[, attachment]] = all(json, "aws_volume_attachment");
  const [[instanceId, instance]] = all(json, "aws_instance");

  it("is an encrypted gp3 volume of its own, 20 GiB, in the server's AZ, that Terraform refuses to destroy", () => {
    expect(volume).toMatchObject({
      availability_zone: "us-east-1b",
      size: 20,
      type: "gp3",
      encrypted: true,
      tags: { Name: "lib-db-data", Role: "db" },
      lifecycle: { prevent_destroy: true },
    });
  });

  it("is attached to the server, which is stopped before a detach, and mounted by the server's user data", () => {
    expect(attachment).toEqual({
      device_name: "/dev/sdf",
      volume_id: ref("aws_ebs_volume", volumeId),
      instance_id: ref("aws_instance", instanceId),
      stop_instance_before_detaching: true,
    });
    expect(instance.user_data).toContain(`data_serial=$(printf '%s' '${ref("aws_ebs_volume", volumeId)}' | tr -d -)`);
    expect(instance.user_data).toContain("require_mount mariadb /var/lib/db-data\n");
    // The instance is stateful: a changed user data (a new volume id) does not replace it.
    expect(instance.lifecycle).toEqual({ ignore_changes: ["ami", "user_data"] });
  });

  it("takes its size and prevent_destroy from the props; your own engine's units wait for its mount", () => {
    const custom = dbJson({
      dataVolume: { sizeGiB: 100, preventDestroy: false },
      packages: ["postgresql15-server"],
      services: ["postgresql"],
    });
    const [[, customVolume]] = all(custom, "aws_ebs_volume");
    expect(customVolume).toMatchObject({ size: 100, lifecycle: { prevent_destroy: false } });
    const [[, customInstance]] = all(custom, "aws_instance");
    expect(customInstance.user_data).toContain("require_mount postgresql /var/lib/db-data\n");
    expect(customInstance.user_data).not.toContain("mariadb");
  });
});

describe("servers given no instance profile: roles of their own, least privilege, and the DB login wired", () => {
  const build = (dbLogin: boolean) =>
    synth((scope, network) => {
      const db = new DbServer(scope, "db", { network, tier: "data", ami: AMI, hardening: HARDENING });
      new AppServers(scope, "app", {
        network,
        tier: "apps",
        ami: AMI,
        hardening: HARDENING,
        service: { name: "web", port: 8000, command: "/usr/bin/web", environment: {}, packages: [] },
        dbLogin: dbLogin ? db.credentials : undefined,
      });
      new Bastion(scope, "door", {
        network,
        tier: "edge",
        ami: AMI,
        instanceType: "t3.nano",
        hardening: HARDENING,
      });
    });
  const parameter = "arn:aws:ssm:us-east-1:*:parameter/lib/db/app-password";
  const profileOf = (json: Json, role: string) => {
    const [[, instance]] = tagged(json, "aws_instance", "Role", role);
    const [id] = /aws_iam_instance_profile\.([^.]+)\./.exec(instance.iam_instance_profile)!.slice(1);
    return json.resource!.aws_iam_instance_profile[id];
  };
  const policyOf = (json: Json, role: string) =>
    all(json, "aws_iam_role_policy")
      .filter(([, p]) => p.name === `${role}-permissions`)
      .map(([, p]) => JSON.parse(p.policy).Statement);

  it("each server kind gets its own profile <environment>-<role>; no Session Manager", () => {
    const json = build(true);
    expect(["app", "db", "bastion"].map((role) => profileOf(json, role).name)).toEqual([
      "lib-app",
      "lib-db",
      "lib-bastion",
    ]);
    expect(all(json, "aws_iam_role_policy_attachment")).toEqual([]);
  });

  it("a DB server with Session Manager and no profile gets Session Manager's policy on its own role, so the re-hardening reaches it", () => {
    const json = synth((scope, network) => {
      new DbServer(scope, "db", { network, tier: "data", ami: AMI, hardening: HARDENING, sessionManager: true });
    });
    const attachments = all(json, "aws_iam_role_policy_attachment").map(([, a]) => [a.role, a.policy_arn]);
    expect(attachments).toEqual([
      [
        expect.stringMatching(/^\$\{aws_iam_role\.db_InstanceRole_[0-9A-F]+\.name\}$/),
        expect.stringMatching(/AmazonSSMManagedInstanceCore$/),
      ],
    ]);
    expect(all(json, "aws_ssm_association")).toHaveLength(1);
  });

  it("the DB role may only write the password, the app role only read it, and the service fetches it before every start", () => {
    const json = build(true);
    expect(policyOf(json, "db")).toEqual([
      [expect.objectContaining({ Action: ["ssm:PutParameter"], Resource: parameter })],
    ]);
    expect(policyOf(json, "app")).toEqual([
      [expect.objectContaining({ Action: ["ssm:GetParameter"], Resource: parameter })],
    ]);
    expect(policyOf(json, "bastion")).toEqual([]);
    const [[, app]] = tagged(json, "aws_instance", "Role", "app");
    expect(app.user_data).toContain("ExecStartPre=+/usr/local/libexec/web-start-env");
  });

  it("without dbLogin the app role may do nothing and the service reads no password", () => {
    const json = build(false);
    expect(policyOf(json, "app")).toEqual([]);
    const [[, app]] = tagged(json, "aws_instance", "Role", "app");
    expect(app.user_data).not.toContain("start-env");
  });
});
