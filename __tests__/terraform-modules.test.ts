import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readmeUsageHcl } from "./support/readme-hcl";
import {
  buildModulePackages,
  exampleHcl,
  interfaceRows,
  parseInterfaceTables,
  TERRAFORM_MODULES,
} from "../modules/terraform-module/packages";
import { fillUserData } from "../modules/terraform-module/environment-module";
import { NETWORK_DEFAULTS } from "../modules/network/types";
import { EC2_ASSUME_ROLE_POLICY, instanceRoleName } from "../modules/compute/instance-role";

const packages = buildModulePackages();

type Json = Record<string, Record<string, Record<string, unknown>>>;
const main = (name: (typeof TERRAFORM_MODULES)[number]) => JSON.parse(packages[name]["main.tf.json"]) as Json;
const variables = (name: (typeof TERRAFORM_MODULES)[number]) =>
  (JSON.parse(packages[name]["variables.tf.json"]) as Json).variable;

describe.each(TERRAFORM_MODULES.map((m) => [m]))("the generated %s module", (name) => {
  it("has Terraform's standard files, a README and an example", () => {
    expect(Object.keys(packages[name])).toEqual(
      expect.arrayContaining([
        "versions.tf.json",
        "variables.tf.json",
        "main.tf.json",
        "outputs.tf.json",
        "README.md",
        "examples/basic/main.tf",
      ]),
    );
  });

  it("README tables list exactly the variables and outputs, with their types, defaults and descriptions", () => {
    const tables = parseInterfaceTables(packages[name]["README.md"]);
    const rows = interfaceRows(packages[name]);
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
    const rows = interfaceRows(packages[name]);
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

  it("configures no provider or backend, and keys resources with for_each, never count", () => {
    const doc = main(name);
    expect(doc.provider).toBeUndefined();
    expect(JSON.stringify(doc)).not.toMatch(/"backend"/);
    const resources = Object.values(doc.resource).flatMap((byName) => Object.values(byName));
    expect(resources.length).toBeGreaterThan(5);
    expect(resources.filter((r) => "count" in (r as object))).toEqual([]);
  });

  it("documents the example in the README, with a registry source and a version constraint", () => {
    expect(packages[name]["README.md"]).toContain(`source  = "<registry>/<namespace>/${name}/aws"`);
    expect(packages[name]["README.md"]).toContain('version = "~> 0.1"');
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
    for (const file of ["main.tf.json", "variables.tf.json", "outputs.tf.json", "versions.tf.json"]) {
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
      availability_zone: "${keys(module.network.subnet_ids[var.db.tier])[0]}",
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
    expect(role.for_each).toBe('${toset(["bastion","app","db"])}');
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
      expect(instances[server].monitoring).toBe(false);
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
