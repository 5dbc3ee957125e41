import { Construct } from "constructs";
import { TerraformHclModule, TerraformLocal, Token } from "cdktf";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { KeyPair } from "@cdktf/provider-aws/lib/key-pair";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { VolumeAttachment } from "@cdktf/provider-aws/lib/volume-attachment";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { Ec2InstanceConnectEndpoint } from "@cdktf/provider-aws/lib/ec2-instance-connect-endpoint";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { renderHardening, renderScript, renderServiceSetup } from "../../instance/user-data";
import { serviceWithDbLogin } from "../../servers/servers";
import { renderInstanceConnectConfig, renderSshConfig } from "../../bastion/ssh-config";
import { renderBastionUserData } from "../../bastion/user-data";
import { DATA_VOLUME_DEFAULTS } from "../../servers/schema";
import {
  EC2_ASSUME_ROLE_POLICY,
  instanceRoleName,
  instanceRolePolicyDocument,
  instanceRolePolicyName,
} from "../../instance/instance-role";
import {
  dbPasswordParameterName,
  dbPasswordStatements,
  defaultDbCredentials,
  renderMariadbSetup,
} from "../../servers/db-credentials";
import { renderDataVolumeMount } from "../../servers/data-volume-mount";
import { PREVIOUS_GENERATION_SIZES } from "../../instance/ebs-optimized";
import { HARDENED_INSTANCE_SETTINGS, launchAddressSettings } from "../../instance/hardened-instance";
import { httpsEgressDescription } from "../../servers/server-roles";
import { ROLE_GROUP_DESCRIPTIONS } from "../../security/security-group";
import { addNetworkVariables, addVariables, keyed, NETWORK_OUTPUTS, output, tagsNamed, tf } from "./network-module";
import { ENVIRONMENT_INPUTS, Rule, variableSpecs } from "./inputs";

/** Where the environment module keeps its copy of the network module (Terraform's nested-module layout). */
export const NESTED_NETWORK_PATH = "modules/network";

/**
 * Stand-ins the user data renderers are called with, replaced by Terraform references afterwards: the renderers
 * (modules/instance/user-data.ts) stay the one source of the scripts, and the module fills in the caller's values.
 */
const SENTINEL = {
  timeout: 987_654_301,
  tries: 987_654_302,
  port: 987_654_303,
  dbPort: 987_654_304,
  name: "sentinelservicename",
  command: "/sentinel/service/command",
  envLine: 'SENTINEL_ENVIRONMENT="sentinel"',
};

/** Replaces every stand-in in `script` with its Terraform reference; throws if one did not appear (a renderer changed). */
export function fillUserData(script: string, fills: ReadonlyArray<[string | number, string]>): string {
  let out = script;
  for (const [stand, reference] of fills) {
    if (!out.includes(String(stand)))
      throw new Error(`user data no longer contains the stand-in ${stand}: update the module generator`);
    out = out.split(String(stand)).join(reference);
  }
  return out;
}

function userDataScripts(): { bastion: string; app: string; db: string } {
  const hardeningFills: Array<[number, string]> = [
    [SENTINEL.timeout, "${var.session_timeout_seconds}"],
    [SENTINEL.tries, "${var.ssh_max_auth_tries}"],
  ];
  const hardening = {
    sessionTimeoutSeconds: SENTINEL.timeout,
    sshMaxAuthTries: SENTINEL.tries,
    ssh: true,
    allowTcpForwarding: false,
    lockAuditRules: false,
  };
  const bastion = fillUserData(
    renderBastionUserData({ sessionTimeoutSeconds: SENTINEL.timeout, sshMaxAuthTries: SENTINEL.tries, ssh: true }),
    hardeningFills,
  );
  // The DB password flow of the constructs: the DB writes the app's password to SSM, the app reads it at each start.
  const credentials = defaultDbCredentials("${var.name}", "${var.region}");
  const service = renderServiceSetup(
    serviceWithDbLogin(
      {
        name: SENTINEL.name,
        port: SENTINEL.port,
        command: SENTINEL.command,
        environment: { SENTINEL_ENVIRONMENT: "sentinel" },
        packages: [],
      },
      credentials,
    ),
  );
  const app = fillUserData(renderScript(renderHardening(hardening), service), [
    ...hardeningFills,
    [
      SENTINEL.envLine,
      `\${join("\\n", [for k, v in merge({ DB_HOST = aws_instance.db.private_ip, DB_PORT = tostring(var.db.port) }, var.app.service.environment) : "\${k}=\\"\${v}\\""])}`,
    ],
    [SENTINEL.command, '${replace(var.app.service.command, "%", "%%")}'],
    [SENTINEL.port, "${var.app.service.port}"],
    [SENTINEL.name, "${var.app.service.name}"],
  ]);
  // MariaDB with its datadir on the data volume and the app's database, user and password, as DbServer runs it.
  const db = fillUserData(
    renderScript(
      renderHardening(hardening),
      renderDataVolumeMount("${aws_ebs_volume.db_data.id}", ["mariadb"]),
      renderMariadbSetup(credentials, SENTINEL.dbPort, DATA_VOLUME_DEFAULTS.mountPoint),
    ),
    [...hardeningFills, [SENTINEL.dbPort, "${var.db.port}"]],
  );
  return { bastion, app, db };
}

/**
 * Every server role's IAM role and instance profile, as `InstanceRole` makes them (`<name>-<role>`, EC2 trust only),
 * keyed by role; the app role may read the DB password parameter and the DB role write it (`dbPasswordStatements`),
 * the bastion's may do nothing. No Session Manager: the module's servers are reached over SSH through the bastion.
 */
function addInstanceRoles(scope: Construct, roles: readonly string[]): void {
  const password = dbPasswordStatements({
    region: "${var.region}",
    parameterName: dbPasswordParameterName("${var.name}"),
  });
  const statements: Record<string, object> = { app: password.app, db: password.db };
  new TerraformLocal(
    scope,
    "local_instance_role_policies",
    Object.fromEntries(
      roles
        .filter((role) => statements[role] !== undefined)
        .map((role) => [role, JSON.stringify(instanceRolePolicyDocument([statements[role]]))]),
    ),
  ).overrideLogicalId("instance_role_policies");
  keyed(
    new IamRole(scope, "resource_instance_role", {
      name: instanceRoleName("${var.name}", "${each.key}"),
      assumeRolePolicy: JSON.stringify(EC2_ASSUME_ROLE_POLICY),
      tags: tagsNamed("${each.key}", ", Role = each.key"),
    }),
    "instance",
    // The bastion's role exists with the bastion.
    `toset([for role in ${JSON.stringify(roles)} : role if role != "bastion" || var.instance_connect == null])`,
  );
  keyed(
    new IamRolePolicy(scope, "resource_instance_role_policy", {
      role: "${aws_iam_role.instance[each.key].id}",
      name: instanceRolePolicyName("${each.key}"),
      policy: "${each.value}",
    }),
    "instance",
    "local.instance_role_policies",
  );
  keyed(
    new IamInstanceProfile(scope, "resource_instance_profile", {
      name: "${each.value.name}",
      role: "${each.value.name}",
      tags: tagsNamed("${each.key}", ", Role = each.key"),
    }),
    "instance",
    "aws_iam_role.instance",
  );
}

/**
 * `ebs_optimized` of an instance type, as `ebsOptimizedFor` decides it: true unless the type is of a previous
 * generation family whose listed sizes (none for t1/t2) are the only ones that can be.
 */
function ebsOptimizedExpression(instanceType: string): string {
  const table = Object.entries(PREVIOUS_GENERATION_SIZES)
    .map(([family, sizes]) => `${family} = ${JSON.stringify(sizes === "none" ? [] : sizes)}`)
    .join(", ");
  return `try(contains({ ${table} }[split(".", ${instanceType})[0]], split(".", ${instanceType})[1]), true)`;
}

/**
 * The Instance Connect Endpoint's tier, as `planInstanceConnect` places it: the one given, else the first private tier,
 * else the first isolated one ("" when there is none, which the variable's validation refuses).
 */
const INSTANCE_CONNECT_TIER = `var.instance_connect.tier != null ? var.instance_connect.tier : try(concat([for t in var.tiers : t.name if t.type == "private"], [for t in var.tiers : t.name if t.type == "isolated"])[0], "")`;

/**
 * The environment module's own checks, by variable: what the planners and access checks (not zod) say, in Terraform.
 * The rest of each variable comes from its config field (`ENVIRONMENT_INPUTS`).
 */
function environmentChecks(): Record<string, Rule[]> {
  const tiersOf = (types: string) => `[for t in var.tiers : t.name if ${types}]`;
  const azsOfTier = (field: string) =>
    `flatten([for t in var.tiers : (t.azs == null ? var.azs : t.azs) if t.name == var.${field}.tier])`;
  const inTier = (field: string, types: string, what: string) =>
    [
      `contains(${tiersOf(types)}, var.${field}.tier)`,
      `${field}.tier = \${jsonencode(var.${field}.tier)} must name ${what}: \${join(", ", ${tiersOf(types)})}.`,
    ] as Rule;
  const azOfTier = (field: string) =>
    [
      `var.${field}.az == null ? true : contains(${azsOfTier(field)}, var.${field}.az)`,
      `${field}.az = \${jsonencode(var.${field}.az)} must be one of the AZs of tier \${var.${field}.tier}.`,
    ] as Rule;
  // The bastion's settings are read only when it is the door.
  const whenBastion = ([condition, message]: Rule): Rule => [`var.instance_connect != null || (${condition})`, message];
  const connect = "var.instance_connect";
  const connectTier = INSTANCE_CONNECT_TIER;
  return {
    admin_cidrs: [
      whenBastion([
        'length(var.admin_cidrs) > 0 && alltrue([for c in var.admin_cidrs : can(cidrhost(c, 0)) && !startswith(c, "0.0.0.0/")])',
        "admin_cidrs must list at least one IPv4 CIDR block (your address as a /32), and not 0.0.0.0/0.",
      ]),
      [
        `${connect} == null || length(var.admin_cidrs) == 0`,
        "admin_cidrs must be empty with instance_connect: IAM decides who may open a tunnel (ec2-instance-connect:OpenTunnel), no CIDR reaches port 22.",
      ],
    ],
    instance_connect: [
      [
        `${connect} == null ? true : contains(${tiersOf('t.type != "public"')}, ${connectTier})`,
        `instance_connect.tier = \${jsonencode(try(${connectTier}, null))} must name a private or isolated tier of tiers (the endpoint has no public address): \${join(", ", ${tiersOf('t.type != "public"')})}.`,
      ],
      [
        `${connect} == null ? true : ${connect}.az == null ? true : contains(flatten([for t in var.tiers : (t.azs == null ? var.azs : t.azs) if t.name == ${connectTier}]), ${connect}.az)`,
        `instance_connect.az = \${jsonencode(try(${connect}.az, null))} must be one of the AZs of the endpoint's tier.`,
      ],
    ],
    ssh_public_key: [
      [
        'can(regex("^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+", var.ssh_public_key))',
        'ssh_public_key must be an OpenSSH public key line such as "ssh-ed25519 AAAA... you@host".',
      ],
    ],
    bastion: [
      inTier(
        "bastion",
        't.type == "public"',
        "a public tier of tiers (the bastion is reached through its Elastic IP); public tiers",
      ),
      azOfTier("bastion"),
    ].map(whenBastion),
    app: [
      inTier("app", 't.type != "public"', "a private or isolated tier of tiers"),
      [
        `var.app.azs == null ? true : alltrue([for az in var.app.azs : contains(${azsOfTier("app")}, az)])`,
        "app.azs must be AZs of the app's tier.",
      ],
      [
        "alltrue([for t in var.app.service_from_tiers : contains([for x in var.tiers : x.name], t)])",
        'app.service_from_tiers must name tiers of tiers, not ${join(", ", [for t in var.app.service_from_tiers : t if !contains([for x in var.tiers : x.name], t)])}.',
      ],
    ],
    db: [inTier("db", 't.type != "public"', "a private or isolated tier of tiers"), azOfTier("db")],
  };
}

/** A string as an HCL quoted template: its `${...}` references stay references. */
const quoted = (text: string) => `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

/** The bastion's count: one unless `instance_connect` makes the EC2 Instance Connect Endpoint the door. */
const BASTION_COUNT = "var.instance_connect == null ? 1 : 0";
/** The Instance Connect door's count: one with `instance_connect`. */
const INSTANCE_CONNECT_COUNT = "var.instance_connect == null ? 0 : 1";

/** A host of each kind the renderers are called with, replaced by the module's app servers and DB afterwards. */
const HOST_SENTINEL = { name: "sentinel-host", address: "sentinel-address", user: "sentinel-user" };

/** The renderer's blocks (split on blank lines), and its app host block as a template of the app server `k`, `i`. */
function hostBlocks(rendered: string): { blocks: string[]; appHost: (address: string) => string } {
  const blocks = rendered.trimEnd().split("\n\n");
  const template = blocks.find((b) => b.startsWith(`Host ${HOST_SENTINEL.name}\n`)) as string;
  return {
    blocks,
    appHost: (address) =>
      fillUserData(template, [
        [HOST_SENTINEL.name, "app-${k}"],
        [HOST_SENTINEL.address, address],
        [HOST_SENTINEL.user, "${var.app.ssh_user}"],
      ]),
  };
}

/**
 * The `ssh_config` output as the constructs render it. With the bastion (`renderSshConfig`): the bastion, then each
 * app server (`app-a1`, ...: the module's keys), then the DB, each host reached with `ProxyJump bastion`. With
 * `instance_connect` (`renderInstanceConnectConfig`): an `aws ec2-instance-connect ssh` command per server, then a host
 * block per server whose ProxyCommand opens the tunnel with `open-tunnel`.
 */
export function sshConfigExpression(): string {
  const host = { name: HOST_SENTINEL.name, privateIp: HOST_SENTINEL.address, user: HOST_SENTINEL.user };
  const viaBastion = hostBlocks(
    renderSshConfig({
      bastionIp: "${one(aws_eip.bastion[*].public_ip)}",
      bastionUser: "${var.bastion.ssh_user}",
      servers: [host, { name: "db", privateIp: "${aws_instance.db.private_ip}", user: "${var.db.ssh_user}" }],
    }),
  );
  const [bastion, , db] = viaBastion.blocks;
  const bastionConfig = `join("\\n\\n", concat([${quoted(bastion)}], [for k, i in aws_instance.app : ${quoted(viaBastion.appHost("${i.private_ip}"))}], [${quoted(db)}]))`;
  // The commands' comment lines name every server: the app servers' lines are made by a `for`, as their blocks are.
  const viaEndpoint = renderInstanceConnectConfig({
    region: "${var.region}",
    endpointId: "${one(aws_ec2_instance_connect_endpoint.this[*].id)}",
    servers: [
      { name: host.name, instanceId: host.privateIp, user: host.user },
      { name: "db", instanceId: "${aws_instance.db.id}", user: "${var.db.ssh_user}" },
    ],
  });
  const endpoint = hostBlocks(viaEndpoint);
  const [comments, , dbHost] = endpoint.blocks;
  const [intro, appCommand, dbCommand, outro] = comments.split("\n");
  const appLine = fillUserData(appCommand, [
    [HOST_SENTINEL.name, "app-${k}"],
    [HOST_SENTINEL.address, "${i.id}"],
    [HOST_SENTINEL.user, "${var.app.ssh_user}"],
  ]);
  const commandLines = `join("\\n", concat([${quoted(intro)}], [for k, i in aws_instance.app : ${quoted(appLine)}], [${quoted(dbCommand)}, ${quoted(outro)}]))`;
  const endpointConfig = `join("\\n\\n", concat([${commandLines}], [for k, i in aws_instance.app : ${quoted(endpoint.appHost("${i.id}"))}], [${quoted(dbHost)}]))`;
  return `format("%s\\n", var.instance_connect == null ? ${bastionConfig} : ${endpointConfig})`;
}

/**
 * The `environment` Terraform module: the network module (nested copy) plus the door (the bastion, or with
 * `instance_connect` the EC2 Instance Connect Endpoint), the app servers and the DB server with the security groups
 * between them, as the EnvironmentStack builds them: admins reach the bastion on SSH, the door reaches every server on
 * SSH, the service port is reached from the bastion and the chosen tiers, only the app servers reach the DB port, and
 * every role may leave on 80 and 443; the `network_acl` tiers admit what those rules allow (`network_acl_flows`).
 */
export function addEnvironmentModule(scope: Construct): void {
  const networkInputs = addNetworkVariables(scope);
  addVariables(scope, variableSpecs(ENVIRONMENT_INPUTS, environmentChecks()));
  new TerraformHclModule(scope, "network", {
    source: `./${NESTED_NETWORK_PATH}`,
    // The nested copy is written by the package builder; cdktf must not try to copy it as an asset.
    skipAssetCreationFromLocalModules: true,
    variables: {
      ...Object.fromEntries(networkInputs.map((name) => [name, `\${var.${name}}`])),
      // The flows of this module's own security groups (below), then the caller's.
      network_acl_flows: "${flatten([local.network_acl_flows, var.network_acl_flows])}",
    },
  });
  const scripts = userDataScripts();

  // The door: the bastion, or with `instance_connect` the EC2 Instance Connect Endpoint (InstanceConnectDoor); each
  // door's resources have a `count` of 1 or 0 (the bastion's addresses gained `[0]`, which Terraform moves to itself).
  const { bastion, app, db } = ROLE_GROUP_DESCRIPTIONS;
  const roles: Record<string, string> = { bastion, app, db };
  const doorCount: Record<string, string> = { bastion: BASTION_COUNT, instance_connect: INSTANCE_CONNECT_COUNT };
  const groups: Record<string, string> = { ...roles, instance_connect: ROLE_GROUP_DESCRIPTIONS["instance-connect"] };
  const firstAz = (tier: string) => `keys(module.network.subnet_ids[${tier}])[0]`;
  const dbAz = `coalesce(var.db.az, ${firstAz("var.db.tier")})`;
  // Where each group's members are (GroupPlacement), as a network ACL flow end: its tier, in the AZs they stand in.
  const placements: Record<string, string> = {
    bastion: `{ tier = var.bastion.tier, azs = [coalesce(var.bastion.az, ${firstAz("var.bastion.tier")})], cidr = null }`,
    instance_connect: `{ tier = local.instance_connect_tier, azs = [coalesce(var.instance_connect.az, ${firstAz("local.instance_connect_tier")})], cidr = null }`,
    app: "{ tier = var.app.tier, azs = var.app.azs, cidr = null }",
    db: `{ tier = var.db.tier, azs = [${dbAz}], cidr = null }`,
  };
  // The flows the rules allow, as securityGroupFlows reads them: an ingress rule is a flow from its peer (a CIDR, or a
  // group's placement) to the group's; an egress rule to a CIDR a flow from the group's placement there; an egress
  // rule to a group is its ingress rule's flow, read once. IPv6 rules make none: network ACLs refuse ipv6.
  const flows: string[] = [];
  /** A group's id: a door's (counted) or a server role's. */
  const groupId = (group: string) => `aws_security_group.${group}${group in doorCount ? "[0]" : ""}.id`;
  for (const [role, description] of Object.entries(groups)) {
    const name = role.replace(/_/g, "-");
    const group = keyed(
      new SecurityGroup(scope, `resource_sg_${role}`, {
        name: `\${var.name}-${name}`,
        description,
        vpcId: "${module.network.vpc_id}",
        tags: tagsNamed(name, `, Role = "${name}"`),
      }),
      role,
    );
    if (role in doorCount) group.addOverride("count", tf(doorCount[role]));
  }
  addInstanceRoles(scope, Object.keys(roles));
  const rule = (
    direction: "ingress" | "egress",
    name: string,
    group: string,
    port: string,
    description: string,
    peer: { cidr?: string; cidrIpv6?: string; group?: string },
    forEach?: string,
    count?: string,
  ) => {
    const props = {
      securityGroupId: tf(groupId(group)),
      description,
      ipProtocol: "tcp",
      fromPort: Token.asNumber(tf(port)),
      toPort: Token.asNumber(tf(port)),
      ...(peer.cidr !== undefined
        ? { cidrIpv4: peer.cidr }
        : peer.cidrIpv6 !== undefined
          ? { cidrIpv6: peer.cidrIpv6 }
          : { referencedSecurityGroupId: tf(groupId(peer.group as string)) }),
    };
    const resource =
      direction === "ingress"
        ? new VpcSecurityGroupIngressRule(scope, `resource_in_${name}`, props)
        : new VpcSecurityGroupEgressRule(scope, `resource_out_${name}`, props);
    keyed(resource, name, forEach);
    if (count !== undefined) resource.addOverride("count", tf(count));
    const peerEnd =
      peer.cidr !== undefined ? `{ tier = null, azs = null, cidr = "${peer.cidr}" }` : placements[peer.group ?? ""];
    if (peer.cidrIpv6 !== undefined || (direction === "egress" && peer.cidr === undefined)) return;
    const [from, to] = direction === "ingress" ? [peerEnd, placements[group]] : [placements[group], peerEnd];
    const flow = `{ from = ${from}, to = ${to}, protocol = "tcp", from_port = ${port}, to_port = ${port} }`;
    // Each rule's flows exist with the rule: one per instance of its for_each, none when its count is 0.
    flows.push(
      forEach !== undefined
        ? `[for k, v in (${forEach}) : ${flow.replace(/each\.key/g, "k").replace(/each\.value/g, "v")}]`
        : count !== undefined
          ? `(${count}) == 1 ? [${flow}] : []`
          : `[${flow}]`,
    );
  };
  // The same pairs as RoleSecurityGroup.allowFrom: ingress on the target, egress on the source group; a door's pair
  // exists with the door.
  const allow = (from: string, to: string, port: string, label: string, description: string) => {
    rule("ingress", `${to}_${label}_from_${from}`, to, port, description, { group: from }, undefined, doorCount[from]);
    rule("egress", `${from}_${label}_to_${to}`, from, port, description, { group: to }, undefined, doorCount[from]);
  };
  rule(
    "ingress",
    "bastion_ssh_from_admins",
    "bastion",
    "22",
    "SSH from an admin network",
    { cidr: "${each.key}" },
    "var.instance_connect == null ? toset(var.admin_cidrs) : toset([])",
  );
  allow("bastion", "app", "22", "ssh", "SSH from the bastion");
  allow("bastion", "db", "22", "ssh", "SSH from the bastion");
  allow("bastion", "app", "var.app.service.port", "service", "Service port from the bastion");
  // The endpoint does not preserve the client's IP: a rule from its group is the servers' one SSH source.
  allow("instance_connect", "app", "22", "ssh", "SSH from the EC2 Instance Connect Endpoint");
  allow("instance_connect", "db", "22", "ssh", "SSH from the EC2 Instance Connect Endpoint");
  rule(
    "ingress",
    "app_service_from_tiers",
    "app",
    "var.app.service.port",
    "Service port from a tier's subnet",
    { cidr: "${each.value}" },
    '{ for pair in flatten([for t in var.app.service_from_tiers : [for az, cidr in module.network.subnet_cidrs[t] : { key = "${t}/${az}", cidr = cidr }]]) : pair.key => pair.cidr }',
  );
  allow("app", "db", "var.db.port", "db", "Database port from the app servers");
  for (const role of Object.keys(roles)) {
    // What each role reaches on 443: no Session Manager here (SSH through the bastion), the DB password in SSM.
    const https = httpsEgressDescription(role, { sessionManager: false, dbPassword: true });
    const count = doorCount[role];
    rule("egress", `${role}_https_out`, role, "443", https, { cidr: "0.0.0.0/0" }, undefined, count);
    rule(
      "egress",
      `${role}_http_out`,
      role,
      "80",
      "HTTP out: package mirrors",
      { cidr: "0.0.0.0/0" },
      undefined,
      count,
    );
    // Dual-stack: each egress to all of IPv4 has its twin to all of IPv6, as RoleSecurityGroupProps.dualStack.
    const dualStack = `var.ipv6${count === undefined ? "" : " && var.instance_connect == null"} ? toset(["this"]) : toset([])`;
    rule("egress", `${role}_https_out_ipv6`, role, "443", https, { cidrIpv6: "::/0" }, dualStack);
    rule("egress", `${role}_http_out_ipv6`, role, "80", "HTTP out: package mirrors", { cidrIpv6: "::/0" }, dualStack);
  }

  new TerraformLocal(scope, "local_network_acl_flows", tf(`flatten([${flows.join(", ")}])`)).overrideLogicalId(
    "network_acl_flows",
  );

  keyed(
    new KeyPair(scope, "resource_key_pair", {
      keyName: "${var.name}-admin",
      publicKey: "${var.ssh_public_key}",
      tags: tagsNamed("admin"),
    }),
    "admin",
  );
  /** One server of `role` (`bastion`, `app`, `db`), its settings from `var.<role>`. */
  const instance = (
    id: string,
    name: string,
    role: string,
    subnet: string,
    userData: string,
    options: { forEach?: string; count?: string; stateful?: boolean } = {},
  ) => {
    const instanceType = `var.${role}.instance_type`;
    // Stateful (the DB), as HardenedInstance makes it: a new AMI or user data never replaces it, its root volume stays.
    const stateful = options.stateful === true;
    const server = keyed(
      new Instance(scope, `resource_instance_${id}`, {
        ami: `\${coalesce(var.${role}.ami, var.ami)}`,
        instanceType: tf(instanceType),
        subnetId: tf(subnet),
        vpcSecurityGroupIds: [tf(groupId(role))],
        iamInstanceProfile: `\${aws_iam_instance_profile.instance["${role}"].name}`,
        monitoring: Token.asAny(tf(`var.${role}.detailed_monitoring`)),
        keyName: "${aws_key_pair.admin.key_name}",
        ...HARDENED_INSTANCE_SETTINGS,
        ...launchAddressSettings(role === "bastion"),
        rootBlockDevice: {
          ...HARDENED_INSTANCE_SETTINGS.rootBlockDevice,
          volumeSize: Token.asNumber(tf(`var.${role}.root_volume_gib`)),
          deleteOnTermination: !stateful,
        },
        userData,
        userDataReplaceOnChange: !stateful,
        lifecycle: stateful ? { ignoreChanges: ["ami", "user_data"] } : undefined,
        tags: tagsNamed(name, `, Role = "${role}"`),
      }),
      id,
      options.forEach,
    );
    server.addOverride("ebs_optimized", tf(ebsOptimizedExpression(instanceType)));
    if (options.count !== undefined) server.addOverride("count", tf(options.count));
  };
  instance(
    "bastion",
    "bastion",
    "bastion",
    `module.network.subnet_ids[var.bastion.tier][coalesce(var.bastion.az, ${firstAz("var.bastion.tier")})]`,
    scripts.bastion,
    { count: BASTION_COUNT },
  );
  keyed(
    new Eip(scope, "resource_bastion_eip", {
      domain: "vpc",
      instance: "${aws_instance.bastion[0].id}",
      tags: tagsNamed("bastion"),
    }),
    "bastion",
  ).addOverride("count", tf(BASTION_COUNT));
  new TerraformLocal(
    scope,
    "local_instance_connect_tier",
    tf(`var.instance_connect == null ? null : ${INSTANCE_CONNECT_TIER}`),
  ).overrideLogicalId("instance_connect_tier");
  // The Instance Connect door: an endpoint in one subnet of a private or isolated tier (it reaches the whole VPC).
  keyed(
    new Ec2InstanceConnectEndpoint(scope, "resource_instance_connect", {
      subnetId: tf(
        `module.network.subnet_ids[local.instance_connect_tier][coalesce(var.instance_connect.az, ${firstAz("local.instance_connect_tier")})]`,
      ),
      securityGroupIds: [tf(groupId("instance_connect"))],
      // The servers then see the endpoint's address, and a rule from its group is their only SSH source.
      preserveClientIp: false,
      tags: tagsNamed("instance-connect"),
    }),
    "this",
  ).addOverride("count", tf(INSTANCE_CONNECT_COUNT));
  const dbSubnet = `module.network.subnet_ids[var.db.tier][${dbAz}]`;
  // The DB's data volume, as DataVolume makes it, but without prevent_destroy: Terraform takes no variable in
  // `lifecycle`, and a module whose destroy always fails could not be removed by its callers.
  keyed(
    new EbsVolume(scope, "resource_db_data", {
      availabilityZone: `\${${dbAz}}`,
      size: Token.asNumber(tf("var.db.data_volume_size_gib")),
      type: "gp3",
      encrypted: true,
      tags: tagsNamed("db-data", ', Role = "db"'),
    }),
    "db_data",
  );
  instance("db", "db", "db", dbSubnet, scripts.db, { stateful: true });
  keyed(
    new VolumeAttachment(scope, "resource_db_data_attachment", {
      deviceName: DATA_VOLUME_DEFAULTS.deviceName,
      volumeId: "${aws_ebs_volume.db_data.id}",
      instanceId: "${aws_instance.db.id}",
      stopInstanceBeforeDetaching: true,
    }),
    "db_data",
  );
  // App servers keyed by AZ and ordinal (app-a1, app-b1): adding an AZ or raising the count moves none.
  instance("app", "app-${each.key}", "app", "module.network.subnet_ids[var.app.tier][each.value]", scripts.app, {
    forEach: `merge([for az in keys(module.network.subnet_ids[var.app.tier]) : { for i in range(1, var.app.count_per_az + 1) : "\${substr(az, length(az) - 1, 1)}\${i}" => az } if var.app.azs == null ? true : contains(var.app.azs, az)]...)`,
  });

  for (const [name, { description }] of Object.entries(NETWORK_OUTPUTS))
    output(scope, name, `module.network.${name}`, description);
  output(
    scope,
    "bastion_public_ip",
    "one(aws_eip.bastion[*].public_ip)",
    "The bastion's Elastic IP: the one address admins connect to; null with instance_connect",
  );
  output(
    scope,
    "instance_connect_endpoint_id",
    "one(aws_ec2_instance_connect_endpoint.this[*].id)",
    "The EC2 Instance Connect Endpoint's id (aws ec2-instance-connect open-tunnel --instance-connect-endpoint-id); null without instance_connect",
  );
  output(
    scope,
    "private_ips",
    `merge({ for i in aws_instance.bastion : "bastion" => i.private_ip }, { db = aws_instance.db.private_ip }, { for k, i in aws_instance.app : "app-\${k}" => i.private_ip })`,
    "Private IP of every instance, by name",
  );
  output(
    scope,
    "ssh_config",
    sshConfigExpression(),
    "Paste into ~/.ssh/config (terraform output -raw ssh_config), then: ssh bastion, ssh app-a1, ssh db; with instance_connect, an aws ec2-instance-connect ssh command per server and host blocks that tunnel with open-tunnel",
  );
  output(
    scope,
    "security_group_ids",
    `merge({ for g in aws_security_group.bastion : "bastion" => g.id }, { for g in aws_security_group.instance_connect : "instance_connect" => g.id }, { app = aws_security_group.app.id, db = aws_security_group.db.id })`,
    "Security group ids by role: bastion (or instance_connect), app, db",
  );
}
