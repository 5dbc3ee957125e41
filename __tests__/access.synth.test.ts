import { readFileSync } from "node:fs";
import { Testing, TerraformStack } from "cdktf";
import { EnvironmentConfig } from "../modules/environment/schema";
import { Peer, RoleSecurityGroup } from "../modules/security/security-group";
import { Port } from "../modules/core/port";
import { logicalIdOf, resourceNamed, resourcesOf, synthEnvironment, SynthJson, workshopConfig } from "./support/synth";

type Rule = Record<string, any>;

const ref = (type: string, id: string, attr: string) => `\${${type}.${id}.${attr}}`;
const groupRef = (json: SynthJson, role: string) =>
  ref("aws_security_group", logicalIdOf(json, "aws_security_group", `SecurityGroup-${role}_Group`), "id");
const roleOf = (json: SynthJson, groupId: string) =>
  Object.entries(resourcesOf(json, "aws_security_group")).find(
    ([id]) => ref("aws_security_group", id, "id") === groupId,
  )?.[1].tags as Record<string, string> | undefined;
const covers = (rule: Rule, port: number) =>
  rule.ip_protocol === "-1" || (rule.from_port <= port && port <= rule.to_port);
const ingress = (json: SynthJson) => Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule")) as Rule[];
const egress = (json: SynthJson) => Object.values(resourcesOf(json, "aws_vpc_security_group_egress_rule")) as Rule[];
const instances = (json: SynthJson) => Object.entries(resourcesOf(json, "aws_instance")) as Array<[string, Rule]>;

/** The workshop environment with more to check: two admin networks, two app servers per AZ, and sources of every kind. */
function busyConfig(): EnvironmentConfig {
  const config = workshopConfig();
  config.access!.adminCidrs = ["203.0.113.10/32", "198.51.100.0/24"];
  config.servers!.app!.countPerAz = 2;
  config.servers!.app!.ingress = [
    { ports: [8080], from: [{ securityGroup: "bastion" }, { tier: "public" }] },
    { ports: [8443, 3389], from: [{ cidr: "10.20.0.0/16" }, { securityGroup: "app" }] },
  ];
  return config;
}

describe.each([
  ["the workshop environment", workshopConfig],
  ["a busier environment", busyConfig],
])("%s", (_name, makeConfig) => {
  const config = makeConfig();
  const { json, text } = synthEnvironment(config);

  it("lets SSH in only from the admin CIDRs (to the bastion) or from the bastion's group", () => {
    const ssh = ingress(json).filter((r) => covers(r, 22));
    expect(ssh.length).toBeGreaterThan(0);
    for (const rule of ssh) {
      if (rule.cidr_ipv4 !== undefined) {
        expect(rule.security_group_id).toBe(groupRef(json, "bastion"));
        expect(config.access!.adminCidrs).toContain(rule.cidr_ipv4);
      } else {
        expect(rule.referenced_security_group_id).toBe(groupRef(json, "bastion"));
      }
      expect(rule.cidr_ipv6).toBeUndefined();
      expect(rule.prefix_list_id).toBeUndefined();
    }
    const adminRules = ssh.filter((r) => r.cidr_ipv4 !== undefined).map((r) => r.cidr_ipv4);
    expect(adminRules.sort()).toEqual([...config.access!.adminCidrs].sort());
    // Every server takes SSH from the bastion, and the bastion may send it.
    for (const role of ["app", "db"]) {
      expect(ssh.filter((r) => r.security_group_id === groupRef(json, role))).toHaveLength(1);
      expect(
        egress(json).filter(
          (r) =>
            r.security_group_id === groupRef(json, "bastion") &&
            covers(r, 22) &&
            r.referenced_security_group_id === groupRef(json, role),
        ),
      ).toHaveLength(1);
    }
  });

  it("lets the DB port in only from the app group", () => {
    const dbPort = ingress(json).filter((r) => covers(r, 3306));
    expect(dbPort).toHaveLength(1);
    expect(dbPort[0].security_group_id).toBe(groupRef(json, "db"));
    expect(dbPort[0].referenced_security_group_id).toBe(groupRef(json, "app"));
    expect(
      ingress(json)
        .filter((r) => r.security_group_id === groupRef(json, "db"))
        .map((r) => r.from_port)
        .sort(),
    ).toEqual([22, 3306]);
  });

  it("has no all-protocol rule, no inline rules, and a description on every rule", () => {
    for (const rule of [...ingress(json), ...egress(json)]) {
      expect(rule.ip_protocol).toBe("tcp");
      expect(typeof rule.description).toBe("string");
      expect(rule.description.length).toBeGreaterThan(5);
    }
    for (const group of Object.values(resourcesOf(json, "aws_security_group"))) {
      expect(group.ingress).toBeUndefined();
      expect(group.egress).toBeUndefined();
    }
  });

  it("requires IMDSv2 with hop limit 1 and an encrypted gp3 root on every instance", () => {
    expect(instances(json).length).toBeGreaterThanOrEqual(4);
    for (const [, instance] of instances(json)) {
      expect(instance.metadata_options).toMatchObject({
        http_tokens: "required",
        http_put_response_hop_limit: 1,
        http_endpoint: "enabled",
      });
      expect(instance.root_block_device).toMatchObject({ encrypted: true, volume_type: "gp3" });
    }
  });

  it("gives a public address only to the bastion", () => {
    const bastionId = logicalIdOf(json, "aws_instance", "Bastion_Host_Instance");
    for (const [id, instance] of instances(json))
      expect(instance.associate_public_ip_address).toBe(id === bastionId ? undefined : false);
    // Left unset on the bastion (its Elastic IP reads back as a public address): its subnet assigns none at launch.
    const bastionSubnet = (resourcesOf(json, "aws_instance")[bastionId].subnet_id as string).split(".")[1];
    expect(resourcesOf(json, "aws_subnet")[bastionSubnet].map_public_ip_on_launch).toBe(false);
    const attached = Object.values(resourcesOf(json, "aws_eip")).filter((eip) => eip.instance !== undefined);
    expect(attached.map((eip) => eip.instance)).toEqual([ref("aws_instance", bastionId, "id")]);
    const subnetOf = (id: string) =>
      (resourcesOf(json, "aws_instance")[id].subnet_id as string).match(/Subnet-([a-z]+)-/)?.[1];
    expect(subnetOf(bastionId)).toBe("management");
    for (const [id] of instances(json).filter(([id]) => id !== bastionId)) expect(subnetOf(id)).toBe("internal");
  });

  it("imports only the public key, never makes a private one", () => {
    const keyPair = resourceNamed(json, "aws_key_pair", "AdminKeyPair");
    expect(keyPair.public_key).toBe(readFileSync("keys/workshop-placeholder.pub", "utf8").trim());
    expect(resourcesOf(json, "tls_private_key")).toEqual({});
    expect(text).not.toMatch(/PRIVATE KEY/);
  });

  it("needs no AWS at plan time: no data sources", () => {
    expect(json.data).toBeUndefined();
  });

  it("outputs the bastion IP, every private IP, and an ssh config with a ProxyJump host per server", () => {
    const eip = logicalIdOf(json, "aws_eip", "Bastion_Eip");
    expect(json.output?.bastion_public_ip.value).toBe(ref("aws_eip", eip, "public_ip"));
    const privateIps = json.output?.private_ips.value as Record<string, string>;
    const servers = Object.keys(privateIps).filter((n) => n !== "bastion");
    expect(servers).toEqual(
      config.servers!.app!.countPerAz === 2
        ? ["app-a1", "app-a2", "app-b1", "app-b2", "db"]
        : ["app-a1", "app-b1", "db"],
    );
    const sshConfig = json.output?.ssh_config.value as string;
    expect(sshConfig).toContain(`Host bastion\n  HostName ${ref("aws_eip", eip, "public_ip")}\n  User ec2-user\n`);
    for (const name of servers) {
      expect(sshConfig).toContain(`Host ${name}\n  HostName ${privateIps[name]}\n  User ec2-user\n`);
    }
    expect(sshConfig.match(/ProxyJump bastion/g)).toHaveLength(servers.length);
    expect(privateIps["app-a1"]).toMatch(
      /^\$\{aws_instance\.AppServers_App-ap-northeast-2a-1_Instance_[0-9A-F]+\.private_ip\}$/,
    );
  });
});

describe("workshop servers", () => {
  const { json } = synthEnvironment(workshopConfig());

  it("hands the DB's private IP to the app service through its environment file", () => {
    const db = logicalIdOf(json, "aws_instance", "Db_Server_Instance");
    const app = resourceNamed(json, "aws_instance", "AppServers_App-ap-northeast-2a-1_Instance");
    expect(app.user_data).toContain(`DB_HOST="${ref("aws_instance", db, "private_ip")}"\nDB_PORT="3306"\n`);
    expect(app.user_data).toContain("ExecStart=/usr/bin/python3 -m http.server 8080 --directory /opt/app\n");
    expect(app.user_data_replace_on_change).toBe(true);
  });

  it("keeps the DB server when its image or user data changes", () => {
    const db = resourceNamed(json, "aws_instance", "Db_Server_Instance");
    expect(db.lifecycle).toEqual({ ignore_changes: ["ami", "user_data"] });
    expect(db.root_block_device).toMatchObject({ delete_on_termination: false });
  });

  it("keeps the DB's data on a volume of its own in the DB's AZ, attached to it, that Terraform refuses to destroy", () => {
    const volume = resourceNamed(json, "aws_ebs_volume", "Db_DataVolume");
    expect(volume).toMatchObject({
      availability_zone: "ap-northeast-2a",
      size: 20,
      encrypted: true,
      lifecycle: { prevent_destroy: true },
    });
    expect(resourceNamed(json, "aws_volume_attachment", "Db_DataVolume_Attachment")).toMatchObject({
      instance_id: ref("aws_instance", logicalIdOf(json, "aws_instance", "Db_Server_Instance"), "id"),
      volume_id: ref("aws_ebs_volume", logicalIdOf(json, "aws_ebs_volume", "Db_DataVolume"), "id"),
    });
  });

  it("sizes the data volume and lifts its prevent_destroy from servers.db.dataVolume", () => {
    const config = workshopConfig();
    config.servers!.db!.dataVolume = { sizeGiB: 50, preventDestroy: false };
    const volume = resourceNamed(synthEnvironment(config).json, "aws_ebs_volume", "Db_DataVolume");
    expect(volume).toMatchObject({ size: 50, lifecycle: { prevent_destroy: false } });
  });

  it("locks the bastion's audit rules and keys every server with the admin key pair", () => {
    const bastion = resourceNamed(json, "aws_instance", "Bastion_Host_Instance");
    expect(bastion.user_data).toContain("-e 2");
    const keyRef = ref("aws_key_pair", logicalIdOf(json, "aws_key_pair", "AdminKeyPair"), "key_name");
    for (const [, instance] of instances(json)) expect(instance.key_name).toBe(keyRef);
  });

  it("keeps every instance's id when an AZ is added or the count grows", () => {
    const before = Object.keys(resourcesOf(json, "aws_instance"));
    const config = workshopConfig();
    config.azs = [...config.azs, "ap-northeast-2c"];
    config.vpcCidr = "192.168.10.0/23";
    config.azSlots = 4;
    config.servers!.app!.countPerAz = 2;
    const after = Object.keys(resourcesOf(synthEnvironment(config).json, "aws_instance"));
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after.filter((id) => id.startsWith("AppServers_"))).toHaveLength(6);
    expect(after.some((id) => id.startsWith("AppServers_App-ap-northeast-2c-2_Instance_"))).toBe(true);
  });

  it("reads the AMI from one SSM parameter data source when asked to", () => {
    const config = workshopConfig();
    config.ami = { ssmParameter: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64" };
    const { json: withSsm } = synthEnvironment(config);
    const params = Object.keys(withSsm.data?.aws_ssm_parameter ?? {});
    expect(params).toHaveLength(1);
    for (const [, instance] of instances(withSsm))
      expect(instance.ami).toBe(`\${data.aws_ssm_parameter.${params[0]}.insecure_value}`);
  });
});

describe("Session Manager", () => {
  it("with-ssh gives the bastion an instance profile and keeps SSH", () => {
    const config = workshopConfig();
    config.bastion!.ssm = "with-ssh";
    const { json } = synthEnvironment(config);
    const profile = ref(
      "aws_iam_instance_profile",
      logicalIdOf(json, "aws_iam_instance_profile", "SsmInstanceProfile"),
      "name",
    );
    expect(resourceNamed(json, "aws_instance", "Bastion_Host_Instance").iam_instance_profile).toBe(profile);
    // The DB server has its own role, without Session Manager (SSH is its way in here).
    expect(resourceNamed(json, "aws_instance", "Db_Server_Instance").iam_instance_profile).toBe(
      ref("aws_iam_instance_profile", logicalIdOf(json, "aws_iam_instance_profile", "InstanceRole-db_Profile"), "name"),
    );
    expect(Object.keys(resourcesOf(json, "aws_iam_role_policy_attachment"))).toEqual([
      logicalIdOf(json, "aws_iam_role_policy_attachment", "SsmInstanceProfile_SessionManager"),
    ]);
    expect(ingress(json).filter((r) => covers(r, 22))).toHaveLength(3);
    expect(resourceNamed(json, "aws_iam_role_policy_attachment", "SsmInstanceProfile_SessionManager").policy_arn).toBe(
      "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    );
  });

  it("only: no SSH anywhere, no key pair, every instance reachable by Session Manager", () => {
    const config = workshopConfig();
    config.bastion!.ssm = "only";
    delete config.bastion!.tier;
    delete config.access;
    delete config.sshPublicKey;
    const { json } = synthEnvironment(config);
    expect(ingress(json).filter((r) => covers(r, 22))).toEqual([]);
    expect(egress(json).filter((r) => covers(r, 22))).toEqual([]);
    expect(resourcesOf(json, "aws_key_pair")).toEqual({});
    for (const [, instance] of instances(json)) {
      expect(instance.iam_instance_profile).toBeDefined();
      expect(instance.key_name).toBeUndefined();
      expect(instance.user_data).toContain("systemctl mask sshd.service ssh.service");
    }
    expect(json.output?.ssh_config.value).toMatch(
      /^# SSH is off .*\n# bastion: aws ssm start-session --region ap-northeast-2 --target \$\{aws_instance\.Bastion_Host_Instance_[0-9A-F]+\.id\}\n/,
    );
  });
});

describe("allowFrom / allowTo", () => {
  function twoGroups() {
    const stack = new TerraformStack(Testing.app(), "test");
    const make = (role: string) =>
      new RoleSecurityGroup(stack, role, { environment: "t", role, vpcId: "vpc-1", description: role });
    return { stack, web: make("web"), cache: make("cache") };
  }

  it("makes the ingress on the target and the matching egress on the source group", () => {
    const { stack, web, cache } = twoGroups();
    cache.allowFrom(web, Port.tcp(6379), "Redis from web");
    const json = JSON.parse(Testing.synth(stack)) as SynthJson;
    const groupId = (role: string) =>
      ref("aws_security_group", logicalIdOf(json, "aws_security_group", `${role}_Group`), "id");
    expect(resourceNamed(json, "aws_vpc_security_group_ingress_rule", "cache_Ingress-tcp6379-from-web")).toMatchObject({
      security_group_id: groupId("cache"),
      referenced_security_group_id: groupId("web"),
      from_port: 6379,
      to_port: 6379,
      ip_protocol: "tcp",
      description: "Redis from web",
    });
    expect(resourceNamed(json, "aws_vpc_security_group_egress_rule", "web_Egress-tcp6379-to-cache")).toMatchObject({
      security_group_id: groupId("web"),
      referenced_security_group_id: groupId("cache"),
    });
    expect(roleOf(json, groupId("web"))).toMatchObject({ Role: "web" });
  });

  it("touches only this group for a CIDR peer, and refuses the same rule twice", () => {
    const { stack, web } = twoGroups();
    web.allowTo(Peer.anyIpv4(), Port.tcp(443), "HTTPS out");
    web.allowFrom(Peer.ipv4("10.0.0.0/16"), Port.tcp(80), "HTTP from the VPC");
    const json = JSON.parse(Testing.synth(stack)) as SynthJson;
    expect(Object.keys(resourcesOf(json, "aws_vpc_security_group_egress_rule"))).toEqual([
      expect.stringMatching(/^web_Egress-tcp443-to-anywhere_/),
    ]);
    expect(
      resourceNamed(json, "aws_vpc_security_group_ingress_rule", "web_Ingress-tcp80-from-cidr-10-0-0-0-16"),
    ).toMatchObject({ cidr_ipv4: "10.0.0.0/16" });
    expect(() => web.allowTo(Peer.anyIpv4(), Port.tcp(443), "again")).toThrow(
      /There is already a Construct with name 'Egress-tcp443-to-anywhere'/,
    );
  });
});
