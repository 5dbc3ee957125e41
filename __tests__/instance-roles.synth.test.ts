import { logicalIdOf, resourceNamed, resourcesOf, synthEnvironment, workshopConfig } from "./support/synth";
import { ebsOptimizedFor } from "../modules/instance/ebs-optimized";
import { httpsEgressDescription } from "../modules/servers/server-roles";

const PARAMETER_ARN = "arn:aws:ssm:ap-northeast-2:*:parameter/workshop/db/app-password";

/** The inline policy of a role (`InstanceRole-app`), parsed. */
function policyOf(
  json: ReturnType<typeof synthEnvironment>["json"],
  role: string,
): { Statement: Array<Record<string, unknown>> } {
  return JSON.parse(resourceNamed(json, "aws_iam_role_policy", `InstanceRole-${role}_Policy`).policy as string);
}

describe("an instance role for every server, least privilege", () => {
  const { json } = synthEnvironment(workshopConfig());
  const instances = resourcesOf(json, "aws_instance");

  it("every instance has an instance profile", () => {
    expect(Object.keys(instances)).toHaveLength(4);
    for (const [id, instance] of Object.entries(instances))
      expect([id, instance.iam_instance_profile]).toEqual([
        id,
        expect.stringMatching(/^\$\{aws_iam_instance_profile\./),
      ]);
  });

  it("with Session Manager off, no role has its managed policy", () => {
    expect(resourcesOf(json, "aws_iam_role_policy_attachment")).toEqual({});
  });

  it("only the DB server may write the DB password parameter, only the app servers may read it, and nothing else", () => {
    expect(policyOf(json, "db").Statement).toEqual([
      { Sid: "WriteDbPassword", Effect: "Allow", Action: ["ssm:PutParameter"], Resource: PARAMETER_ARN },
    ]);
    expect(policyOf(json, "app").Statement).toEqual([
      { Sid: "ReadDbPassword", Effect: "Allow", Action: ["ssm:GetParameter"], Resource: PARAMETER_ARN },
    ]);
    expect(Object.keys(resourcesOf(json, "aws_iam_role_policy"))).toHaveLength(2);
  });

  it("the password is in no resource: no parameter or random password in the plan, none in user data", () => {
    expect(resourcesOf(json, "aws_ssm_parameter")).toEqual({});
    expect(json.resource?.random_password).toBeUndefined();
    const app = resourceNamed(json, "aws_instance", "AppServers_App-ap-northeast-2a-1_Instance").user_data as string;
    expect(app).toContain("ExecStartPre=+/usr/local/libexec/app-start-env\n");
    expect(app).toContain(
      "command -v aws >/dev/null || if command -v dnf >/dev/null; then dnf install -y awscli-2; else { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y awscli; }; fi\n",
    );
    expect(app).toContain("--name '/workshop/db/app-password' --with-decryption");
    expect(app).not.toMatch(/DB_PASSWORD=[^%'\n]/);
  });

  it("with Session Manager only, app and DB servers get its managed policy, each on its own role", () => {
    const config = workshopConfig();
    config.bastion!.ssm = "only";
    delete config.bastion!.tier; // under "only" it stands in the first private tier
    delete config.access;
    delete config.sshPublicKey;
    const { json: only } = synthEnvironment(config);
    const attached = Object.values(resourcesOf(only, "aws_iam_role_policy_attachment")).map((a) => a.role);
    expect(attached).toHaveLength(3);
    for (const role of ["app", "db"])
      expect(attached).toContain(
        `\${aws_iam_role.${logicalIdOf(only, "aws_iam_role", `InstanceRole-${role}_Role`)}.name}`,
      );
  });

  it("with custom DB packages there is no password to hand over, so no parameter permission", () => {
    const config = workshopConfig();
    config.servers!.db!.packages = ["postgresql15-server"];
    config.servers!.db!.services = ["postgresql"];
    const { json: custom } = synthEnvironment(config);
    expect(resourcesOf(custom, "aws_iam_role_policy")).toEqual({});
    expect(resourceNamed(custom, "aws_instance", "Db_Server_Instance").user_data).toContain(
      "wait_for_service postgresql 300 ''",
    );
  });
});

describe("scanner findings on instances", () => {
  it("ebs_optimized is on where the instance type supports it", () => {
    const { json } = synthEnvironment(workshopConfig());
    for (const instance of Object.values(resourcesOf(json, "aws_instance"))) expect(instance.ebs_optimized).toBe(true);
    expect([
      ebsOptimizedFor("t3.micro"),
      ebsOptimizedFor("m7g.large"),
      ebsOptimizedFor("t2.micro"),
      ebsOptimizedFor("m3.medium"),
      ebsOptimizedFor("m3.xlarge"),
    ]).toEqual([true, true, false, false, true]);
  });

  it("detailed monitoring is off by default and on per instance block", () => {
    const config = workshopConfig();
    config.servers!.db!.detailedMonitoring = true;
    const { json } = synthEnvironment(config);
    expect(resourceNamed(json, "aws_instance", "Db_Server_Instance").monitoring).toBe(true);
    expect(resourceNamed(json, "aws_instance", "Bastion_Host_Instance").monitoring).toBe(false);
  });

  it("egress descriptions name Session Manager only where it is on", () => {
    const { json } = synthEnvironment(workshopConfig());
    const https = Object.values(resourcesOf(json, "aws_vpc_security_group_egress_rule"))
      .filter((r) => r.from_port === 443)
      .map((r) => r.description);
    expect(https.sort()).toEqual([
      "HTTPS out: packages",
      "HTTPS out: packages, SSM Parameter Store (DB password)",
      "HTTPS out: packages, artifacts, SSM Parameter Store (DB password)",
    ]);
    expect(httpsEgressDescription("db", { sessionManager: true, dbPassword: false })).toBe(
      "HTTPS out: packages, Session Manager",
    );
  });
});
