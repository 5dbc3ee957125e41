import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readmeUsageHcl } from "./support/readme-hcl";
import {
  buildModulePackages,
  exampleHcl,
  interfaceRows,
  moduleDocuments,
  parseInterfaceTables,
  TERRAFORM_MODULES,
} from "../modules/tools/terraform-module/packages";
import { fillUserData, sshConfigExpression } from "../modules/tools/terraform-module/environment-module";
import { renderInstanceConnectConfig, renderSshConfig } from "../modules/bastion/ssh-config";
import { NETWORK_DEFAULTS } from "../modules/network/types";
import { EC2_ASSUME_ROLE_POLICY, instanceRoleName } from "../modules/instance/instance-role";

const documents = moduleDocuments();
const packages = buildModulePackages("1.2.3", documents);

type Json = Record<string, Record<string, Record<string, unknown>>>;
const main = (name: (typeof TERRAFORM_MODULES)[number]) => documents[name].document as unknown as Json;
const variables = (name: (typeof TERRAFORM_MODULES)[number]) => main(name).variable;

describe.each(TERRAFORM_MODULES.map((m) => [m]))("the generated %s module", (name) => {
  it("has Terraform's standard files, as native HCL (no JSON), a README and an example", () => {
    expect(Object.keys(packages[name])).toEqual(
      expect.arrayContaining([
        "versions.tf",
        "variables.tf",
        "main.tf",
        "outputs.tf",
        "README.md",
        "examples/basic/main.tf",
      ]),
    );
    expect(Object.keys(packages[name]).filter((f) => f.endsWith(".json"))).toEqual([]);
    expect(packages[name]["main.tf"]).toMatch(/^resource "aws_\w+" "\w+" \{$/m);
  });

  it("README tables list exactly the variables and outputs, with their types, defaults and descriptions", () => {
    const tables = parseInterfaceTables(packages[name]["README.md"]);
    const rows = interfaceRows(documents[name]);
    expect(tables.inputs).toEqual(
      rows.inputs.map((r) => [
        r.name,
        r.description,
        r.type,
        r.required ? "n/a" : r.default,
        r.required ? "yes" : "no",
      ]),
    );
    expect(tables.outputs).toEqual(rows.outputs.map((r) => [r.name, r.description]));
    expect(tables.inputs.map((r) => r[0]).sort()).toEqual(Object.keys(variables(name)).sort());
    expect(rows.outputs.length).toBeGreaterThan(0);
  });

  it("describes every variable and output, and validates every input without a fixed type-only meaning", () => {
    const rows = interfaceRows(documents[name]);
    for (const row of [...rows.inputs, ...rows.outputs])
      expect([row.name, row.description.length > 10]).toEqual([row.name, true]);
    const unvalidated = Object.entries(variables(name))
      .filter(([, v]) => v.validation === undefined)
      .map(([n]) => n);
    // Booleans and free-form maps or strings (tags, instance types) are all Terraform's type check can say.
    expect(
      unvalidated.every((n) => ["acknowledge_non_rfc1918_vpc_cidr", "s3_gateway_endpoint", "tags"].includes(n)),
    ).toBe(true);
  });

  it("configures no provider or backend, and keys resources with for_each, never count over a list", () => {
    const doc = main(name);
    expect(doc.provider).toBeUndefined();
    expect(JSON.stringify(doc)).not.toMatch(/"backend"/);
    const resources = Object.values(doc.resource).flatMap((byName) => Object.values(byName));
    expect(resources.length).toBeGreaterThan(5);
    // `count` only switches a singleton on or off (the door's resources): index 0 never shifts, and Terraform moves
    // an address of the release before (no key) to [0] by itself.
    const counts = resources.flatMap((r) =>
      "count" in (r as object) ? [String((r as { count: unknown }).count)] : [],
    );
    for (const count of counts) expect(count).toMatch(/^\$\{var\.instance_connect == null \? [01] : [01]\}$/);
  });

  it("documents in the README how to use the release archive, and the registry source address form", () => {
    const readme = packages[name]["README.md"];
    expect(readme).toContain(`mkdir -p modules/${name} && tar -xzf ${name}-1.2.3.tar.gz -C modules/${name}`);
    expect(readme).toContain(`  source = "./modules/${name}"`);
    expect(readme).toContain(`\`[<hostname>/]<namespace>/${name}/aws\``);
    expect(readme).not.toMatch(/<registry>|"<namespace>/);
    expect(exampleHcl(name)).toContain('source = "../.."');
  });
});

describe("the project README", () => {
  it("shows the consumer HCL the generator writes (registry source, version constraint)", () => {
    const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
    expect(readme).toContain(readmeUsageHcl());
  });
});

describe("the network module's defaults", () => {
  it("are the constructs' own defaults", () => {
    const v = variables("network");
    expect(v.az_slots.default).toBe(NETWORK_DEFAULTS.azSlots);
    expect(v.nat_mode.default).toBe(NETWORK_DEFAULTS.natMode);
    expect(v.nat_instance.type).toContain(`instance_type = optional(string, "${NETWORK_DEFAULTS.natInstanceType}")`);
    expect(v.flow_logs.type).toContain(`retention_days = optional(number, ${NETWORK_DEFAULTS.flowLogRetentionDays})`);
  });

  it("the environment module nests an identical copy of the network module", () => {
    for (const file of ["main.tf", "variables.tf", "outputs.tf", "versions.tf"]) {
      expect(packages.environment[`modules/network/${file}`]).toBe(packages.network[file]);
    }
  });
});

describe("user data of the environment module", () => {
  it("refers to the module's variables instead of the renderers' stand-ins", () => {
    const doc = main("environment");
    const instances = doc.resource.aws_instance as Record<string, { user_data: string }>;
    const app = instances.app.user_data;
    expect(app).toContain("TMOUT=${var.session_timeout_seconds}");
    expect(app).toContain("MaxAuthTries ${var.ssh_max_auth_tries}");
    expect(app).toContain("/etc/systemd/system/${var.app.service.name}.service");
    expect(app).not.toMatch(/sentinel|98765430/i);
    expect(instances.bastion.user_data).toContain("AllowTcpForwarding yes");
  });

  it("fails loudly when a renderer no longer prints a stand-in", () => {
    expect(() => fillUserData("echo hello", [["987", "${var.x}"]])).toThrow("no longer contains the stand-in 987");
  });
});

describe("the DB's data volume in the environment module", () => {
  const doc = main("environment");
  const resource = doc.resource as Record<string, Record<string, Record<string, any>>>;
  const volume = resource.aws_ebs_volume.db_data;
  const db = resource.aws_instance.db;

  it("is an encrypted gp3 volume of its own in the DB's AZ, sized by db.data_volume_size_gib, attached to the DB", () => {
    expect(volume).toMatchObject({
      availability_zone: "${coalesce(var.db.az, keys(module.network.subnet_ids[var.db.tier])[0])}",
      size: "${var.db.data_volume_size_gib}",
      type: "gp3",
      encrypted: true,
    });
    expect(resource.aws_volume_attachment.db_data).toEqual({
      device_name: "/dev/sdf",
      volume_id: "${aws_ebs_volume.db_data.id}",
      instance_id: "${aws_instance.db.id}",
      stop_instance_before_detaching: true,
    });
    expect(db.user_data).toContain("data_serial=$(printf '%s' '${aws_ebs_volume.db_data.id}' | tr -d -)");
    expect(db.user_data).toContain("datadir = %s\\n' /var/lib/db-data/mysql");
  });

  it("has no prevent_destroy: Terraform takes no variable in lifecycle, and the module's callers must be able to destroy", () => {
    expect(volume.lifecycle).toBeUndefined();
  });

  it("keeps the DB instance, as the constructs do, when its image or user data changes, and its root volume", () => {
    expect(db.lifecycle).toEqual({ ignore_changes: ["ami", "user_data"] });
    expect(db.user_data_replace_on_change).toBe(false);
    expect(db.root_block_device).toMatchObject({ delete_on_termination: false });
    expect(resource.aws_instance.bastion.lifecycle).toBeUndefined();
  });
});

describe("instance roles of the environment module", () => {
  const doc = main("environment");
  type Keyed = { for_each: string } & Record<string, string>;

  it("gives each server role its own IAM role and instance profile, keyed by role, named as InstanceRole names them", () => {
    const role = (doc.resource.aws_iam_role as Record<string, Keyed>).instance;
    expect(role.for_each).toBe(
      '${toset([for role in ["bastion","app","db"] : role if role != "bastion" || var.instance_connect == null])}',
    );
    expect(role.name).toBe(instanceRoleName("${var.name}", "${each.key}"));
    expect(JSON.parse(role.assume_role_policy)).toEqual(EC2_ASSUME_ROLE_POLICY);
    const profile = (doc.resource.aws_iam_instance_profile as Record<string, Keyed>).instance;
    expect(profile).toMatchObject({
      for_each: "${aws_iam_role.instance}",
      name: "${each.value.name}",
      role: "${each.value.name}",
    });
    const instances = doc.resource.aws_instance as Record<string, Record<string, unknown>>;
    for (const server of ["bastion", "app", "db"]) {
      expect(instances[server].iam_instance_profile).toBe(`\${aws_iam_instance_profile.instance["${server}"].name}`);
      expect(instances[server].monitoring).toBe(`\${var.${server}.detailed_monitoring}`);
      expect(instances[server].ebs_optimized).toContain(`var.${server}.instance_type`);
    }
  });

  it("lets the app role read the DB password parameter and the DB role write it, with the constructs' statements", () => {
    const policy = (doc.resource.aws_iam_role_policy as Record<string, Keyed>).instance;
    expect(policy).toMatchObject({
      for_each: "${local.instance_role_policies}",
      name: "${each.key}-permissions",
      policy: "${each.value}",
      role: "${aws_iam_role.instance[each.key].id}",
    });
    const documents = doc.locals.instance_role_policies as unknown as Record<string, string>;
    expect(Object.keys(documents).sort()).toEqual(["app", "db"]);
    const arn = "arn:aws:ssm:${var.region}:*:parameter/${var.name}/db/app-password";
    expect(JSON.parse(documents.app).Statement).toEqual([
      { Sid: "ReadDbPassword", Effect: "Allow", Action: ["ssm:GetParameter"], Resource: arn },
    ]);
    expect(JSON.parse(documents.db).Statement).toEqual([
      { Sid: "WriteDbPassword", Effect: "Allow", Action: ["ssm:PutParameter"], Resource: arn },
    ]);
  });
});

describe("the network module for a terraform-aws-modules/vpc user", () => {
  it("takes per-tier subnet tags and puts them on the tier's subnets, under the module's own tags", () => {
    const tiers = variables("network").tiers as { type: string };
    expect(tiers.type).toContain("tags = optional(map(string), {})");
    const subnet = (main("network").resource.aws_subnet as Record<string, { tags: string }>).this;
    expect(subnet.tags).toMatch(/^\$\{merge\(var\.tags, local\.tier_tags\[each\.value\.tier\], \{ Name = /);
    expect(main("network").locals.tier_tags).toBe("${{ for t in var.tiers : t.name => t.tags }}");
  });

  it("has the flat outputs: vpc_id, igw_id, natgw_ids, and subnets, CIDR blocks and route tables per tier type", () => {
    const outputs = Object.keys(main("network").output);
    const flat = ["vpc_id", "igw_id", "natgw_ids", "route_table_ids_by_tier"].concat(
      ...["public", "private", "isolated"].map((t) => [
        `${t}_subnets`,
        `${t}_subnets_cidr_blocks`,
        `${t}_route_table_ids`,
      ]),
    );
    expect(outputs).toEqual(expect.arrayContaining(flat));
    // The environment module passes every one of them on.
    expect(Object.keys(main("environment").output)).toEqual(expect.arrayContaining(flat));
    expect(packages.network["README.md"]).toContain("| `isolated_subnets` |");
    expect(packages.network["README.md"]).toContain("intra_subnets");
  });

  it("names the failing tier in every per-tier validation message", () => {
    const rules = (variables("network").tiers as { validation: Array<{ condition: string; error_message: string }> })
      .validation;
    // The module's own checks, and those read from the schema (a tier's type).
    const perTier = rules.filter((r) => /^\$\{alltrue\(\[for [tx] in var\.tiers : /.test(r.condition));
    expect(perTier.length).toBeGreaterThanOrEqual(7);
    for (const rule of perTier)
      expect(rule.error_message).toMatch(
        /^(tier \$\{join\(", ", \[for t in var\.tiers : "|\$\{join\(", ", \[for i, x in var\.tiers : "tier \$\{x\.name\})/,
      );
    expect(rules.find((r) => r.error_message.includes("type must be one of"))?.error_message).toContain(
      "tier ${x.name} has type ${jsonencode(x.type)}",
    );
  });

  it("names the value given in the environment module's tier choices", () => {
    const v = variables("environment") as Record<string, { validation: Array<{ error_message: string }> }>;
    for (const field of ["bastion", "app", "db"])
      expect(v[field].validation.map((r) => r.error_message)).toContainEqual(
        expect.stringContaining(`${field}.tier = \${jsonencode(var.${field}.tier)} must name`),
      );
  });
});

describe("access and the DB login in the environment module, as the constructs have them", () => {
  const doc = main("environment");
  const instances = doc.resource.aws_instance as Record<string, { user_data: string }>;

  it("outputs ssh_config as renderSshConfig writes it: the bastion, each app server by its key, then the DB", () => {
    const value = String((doc.output.ssh_config as { value: string }).value);
    expect(value).toBe(`\${${sshConfigExpression()}}`);
    const blocks = renderSshConfig({
      bastionIp: "${one(aws_eip.bastion[*].public_ip)}",
      bastionUser: "${var.bastion.ssh_user}",
      servers: [
        { name: "app-${k}", privateIp: "${i.private_ip}", user: "${var.app.ssh_user}" },
        { name: "db", privateIp: "${aws_instance.db.private_ip}", user: "${var.db.ssh_user}" },
      ],
    })
      .trimEnd()
      .split("\n\n");
    const quoted = (b: string) => JSON.stringify(b);
    expect(value).toContain(
      `concat([${quoted(blocks[0])}], [for k, i in aws_instance.app : ${quoted(blocks[1])}], [${quoted(blocks[2])}])`,
    );
  });

  it("with instance_connect, outputs ssh_config as renderInstanceConnectConfig writes it: a command and a tunnelled host per server", () => {
    const value = String((doc.output.ssh_config as { value: string }).value);
    const rendered = renderInstanceConnectConfig({
      region: "${var.region}",
      endpointId: "${one(aws_ec2_instance_connect_endpoint.this[*].id)}",
      servers: [
        { name: "app-${k}", instanceId: "${i.id}", user: "${var.app.ssh_user}" },
        { name: "db", instanceId: "${aws_instance.db.id}", user: "${var.db.ssh_user}" },
      ],
    });
    const [comments, app, db] = rendered.trimEnd().split("\n\n");
    const [intro, appCommand, dbCommand, outro] = comments.split("\n");
    const quoted = (b: string) => JSON.stringify(b);
    expect(value).toContain('var.instance_connect == null ? join("\\n\\n", concat(["Host bastion\\n');
    expect(value).toContain(
      `: join("\\n\\n", concat([join("\\n", concat([${quoted(intro)}], [for k, i in aws_instance.app : ${quoted(appCommand)}], [${quoted(dbCommand)}, ${quoted(outro)}]))], [for k, i in aws_instance.app : ${quoted(app)}], [${quoted(db)}]))`,
    );
  });

  it("has the DB write the app's password to its SSM parameter and the app service read it before each start", () => {
    const parameter = "/${var.name}/db/app-password";
    expect(instances.db.user_data).toContain(`'${parameter}'`);
    expect(instances.db.user_data).toContain("aws ssm put-parameter --region ${var.region}");
    expect(instances.db.user_data).toContain("CREATE USER IF NOT EXISTS 'app'@'%'");
    expect(instances.db.user_data).toContain("port = ${var.db.port}");
    expect(instances.app.user_data).toContain(
      `aws ssm get-parameter --region \${var.region} --name '${parameter}' --with-decryption`,
    );
    expect(instances.app.user_data).toContain("ExecStartPre=+/usr/local/libexec/${var.app.service.name}-start-env");
  });
});
