import { EnvironmentConfig } from "../modules/environment/schema";
import { environmentExceptions } from "../modules/rules/exceptions";
import { dbHardeningScript } from "../modules/servers/servers";
import { resourceNamed, resourcesOf, synthEnvironment, workshopConfig } from "./support/synth";

// bastion.ssm "only" all the way: nothing public where nothing listens, texts and accepted findings that match the
// mode, and the DB server's hardening re-applied although it ignores user data changes.

function ssmOnly(): EnvironmentConfig {
  const config = workshopConfig();
  config.bastion!.ssm = "only";
  delete config.bastion!.tier; // the default config names "management", a public tier: a config error under "only"
  delete config.access;
  delete config.sshPublicKey;
  return config;
}

const tagsOf = (r: Record<string, unknown>) => r.tags as Record<string, string>;

describe('bastion.ssm "only"', () => {
  const { json } = synthEnvironment(ssmOnly());
  const subnetOf = (instance: Record<string, unknown>) => {
    const id = String(instance.subnet_id).match(/aws_subnet\.([^.]+)\.id/)![1];
    return tagsOf(resourcesOf(json, "aws_subnet")[id]);
  };

  it("gives the bastion no Elastic IP and places it in a private tier", () => {
    const bastion = resourceNamed(json, "aws_instance", "Bastion_Host_Instance");
    expect(Object.keys(resourcesOf(json, "aws_eip")).filter((id) => id.startsWith("Bastion"))).toEqual([]);
    expect(subnetOf(bastion)).toMatchObject({ Tier: "internal", SubnetType: "private" });
    expect(bastion.associate_public_ip_address).not.toBe(true);
  });

  it("outputs no public IP and describes the Session Manager commands, not SSH", () => {
    expect(json.output?.bastion_public_ip).toBeUndefined();
    const ssh = json.output?.ssh_config as unknown as { description: string };
    expect(ssh.description).toMatch(/Session Manager/);
    expect(ssh.description).not.toMatch(/ssh bastion|~\/\.ssh\/config/);
  });

  it("accepts no instance-public-ip (CKV_AWS_88) finding for the bastion: it has no public address", () => {
    const bastionIp = (e: { rule: string; resource?: string }) =>
      e.rule === "instance-public-ip" && e.resource?.startsWith("aws_instance.Bastion_") === true;
    expect(environmentExceptions(ssmOnly()).filter(bastionIp)).toEqual([]);
    expect(environmentExceptions(workshopConfig()).filter(bastionIp)).toHaveLength(1);
  });

  it("re-applies the hardening (sshd masked) to the stateful DB through a Session Manager association", () => {
    const db = resourceNamed(json, "aws_instance", "Db_Server_Instance");
    expect((db.lifecycle as { ignore_changes: string[] }).ignore_changes).toContain("user_data");
    const association = resourceNamed(json, "aws_ssm_association", "Db_Rehardening_Association");
    expect(association).toMatchObject({ name: "AWS-RunShellScript", association_name: "workshop-db-hardening" });
    expect(association.targets).toEqual([
      {
        key: "InstanceIds",
        values: [
          `\${aws_instance.${Object.keys(resourcesOf(json, "aws_instance")).find((id) => id.startsWith("Db_Server_Instance"))}.id}`,
        ],
      },
    ]);
    const commands = (association.parameters as Record<string, string>).commands;
    expect(commands).toContain("systemctl mask sshd.service ssh.service");
    expect(db.user_data).toContain(commands.trim().split("\n").slice(-1)[0]);
  });

  it("a hardening change changes the association (so SSM re-runs it) and not the DB instance", () => {
    const changed = ssmOnly();
    changed.hardening = { ...changed.hardening, sessionTimeoutSeconds: 300 };
    const after = synthEnvironment(changed).json;
    const before = resourceNamed(json, "aws_ssm_association", "Db_Rehardening_Association").parameters as Record<
      string,
      string
    >;
    const now = resourceNamed(after, "aws_ssm_association", "Db_Rehardening_Association").parameters as Record<
      string,
      string
    >;
    expect(now.commands).not.toEqual(before.commands);
    expect(now.commands).toContain("TMOUT=300");
  });
});

describe("with SSH, the bastion keeps its door and the DB's hardening is an output to run over SSH", () => {
  const config = workshopConfig();
  const { json } = synthEnvironment(config);

  it("keeps the Elastic IP and the public placement", () => {
    expect(Object.keys(resourcesOf(json, "aws_eip")).filter((id) => id.startsWith("Bastion"))).toHaveLength(1);
    expect(json.output?.bastion_public_ip).toBeDefined();
  });

  it("outputs the DB hardening script, the same one the DB's user data ran", () => {
    expect(resourcesOf(json, "aws_ssm_association")).toEqual({});
    const output = json.output?.db_hardening_script as unknown as { value: string; description: string };
    expect(output.description).toContain("terraform output -raw db_hardening_script | ssh db sudo bash -s");
    expect(output.value).toContain("MaxAuthTries");
    const db = resourceNamed(json, "aws_instance", "Db_Server_Instance");
    expect(String(db.user_data)).toContain(output.value.trim().split("\n").slice(-1)[0]);
    expect(output.value).toBe(
      dbHardeningScript({
        sessionTimeoutSeconds: 600,
        sshMaxAuthTries: 3,
        ssh: true,
        allowTcpForwarding: false,
        lockAuditRules: false,
      }),
    );
  });
});
