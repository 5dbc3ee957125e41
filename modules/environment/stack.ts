import { Construct } from "constructs";
import { TerraformBackend, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EnvironmentConfig } from "../config/environment";
import { byTierAndAz, Network } from "../network/network";
import { AmiSource, resolveAmiId } from "../ami/ami";
import { idSafe, Peer, RoleSecurityGroup } from "../security/security-group";
import { Port } from "../security/port";
import { INSECURE_OVERRIDE_FIELD, isAnywhere } from "../security/policy";
import { AdminKeyPair } from "../keypair/key-pair";
import { loadPublicKey } from "../keypair/public-key";
import { Bastion } from "../bastion/bastion";
import { planBastion } from "../bastion/plan";
import { renderSshConfig, renderSsmCommands } from "../bastion/ssh-config";
import { InstanceChoice, planServers, serviceSpec } from "../compute/plan";
import { COMPUTE_DEFAULTS, IngressSource } from "../compute/schema";
import { AppServers, DbServer, Server, ServerSettings } from "../compute/servers";
import { SsmInstanceProfile } from "../compute/ssm-instance-profile";
import { HardeningOptions, SERVICE_START_TIMEOUT_SECONDS, startEnvPaths } from "../compute/user-data";
import { InstanceRole } from "../compute/instance-role";
import { addServerRoles, httpsEgressDescription, serversUseSessionManager } from "../compute/server-roles";
import { DB_CREDENTIAL_DEFAULTS, DB_PASSWORD_WAIT_SECONDS, DbCredentials, dbPasswordParameterName, renderDbPasswordFetch } from "../compute/db-credentials";
import { applyStateBackend } from "../state/backend";
import { STATE_DEFAULTS } from "../state/types";
import { applyGuardrails } from "../guardrails/guardrails";
import { NETWORK_DEFAULTS } from "../network/types";

/**
 * One environment: its state backend (key `<environment>/environment.tfstate` by default), its AWS provider with the
 * common tags, its network, and the outputs people use.
 */
export class EnvironmentStack extends TerraformStack {
  readonly network: Network;
  /** The bastion, when the environment has one. */
  readonly bastion?: Bastion;
  /** Every server behind the bastion: app servers, then the DB server. */
  readonly servers: readonly Server[] = [];
  /** Security groups by role (`bastion`, `app`, `db`). */
  readonly securityGroups: Readonly<Record<string, RoleSecurityGroup>> = {};
  /** The backend from the config's `backend`; undefined means cdktf's local default. */
  readonly backend?: TerraformBackend;

  constructor(scope: Construct, id: string, readonly config: EnvironmentConfig) {
    super(scope, id);
    this.backend = applyStateBackend(this, config.backend, { environment: config.name, stack: STATE_DEFAULTS.environmentStack });
    applyGuardrails(this, {
      natMode: config.nat?.mode ?? NETWORK_DEFAULTS.natMode,
      localStateOptIn: config.backend?.type === "local",
      acknowledge: [
        ...(config.guardrails?.acknowledge ?? []),
        // The config's own loud override already chose this; asking twice would teach people to click through.
        ...(config.access?.insecureAllowAdminPortsFromAnywhere === true
          ? [{ rule: "admin-port-open-to-world", reason: `${INSECURE_OVERRIDE_FIELD} is set in the config` }]
          : []),
      ],
    });
    new AwsProvider(this, "aws", {
      region: config.region,
      defaultTags: [{ tags: { Environment: config.name, ManagedBy: "cdktf", ...config.tags } }],
    });
    this.network = new Network(this, "network", { ...config, environment: config.name });

    new TerraformOutput(this, "vpc_id", { value: this.network.vpc.id, description: "VPC id" });
    new TerraformOutput(this, "vpc_cidr", { value: this.network.vpc.cidrBlock, description: "VPC IPv4 CIDR block" });
    new TerraformOutput(this, "subnet_ids", {
      value: byTierAndAz(this.network.subnets, (s) => s.resource.id),
      description: "Subnet ids by tier and AZ",
    });
    new TerraformOutput(this, "subnet_cidrs", {
      value: byTierAndAz(this.network.subnets, (s) => s.cidr),
      description: "Subnet CIDR blocks by tier and AZ",
    });
    new TerraformOutput(this, "nat_public_ips", {
      value: this.network.natPublicIps,
      description: "Public IPs the private tiers' egress leaves from, by AZ",
    });

    const access = this.addAccessAndServers(config);
    if (access !== undefined) {
      this.bastion = access.bastion;
      this.servers = access.servers;
      this.securityGroups = access.securityGroups;
    }
  }

  /**
   * The bastion, the servers behind it and the security groups between them, written as the architecture reads:
   * admins reach the bastion on SSH, the bastion reaches every server on SSH, the service ports are reached from
   * their configured sources, and only the app servers reach the DB port.
   */
  private addAccessAndServers(config: EnvironmentConfig) {
    const bastionPlan = planBastion(config).bastion;
    if (bastionPlan === undefined) return undefined;
    const { app, db } = planServers(config);
    const environment = config.name;
    const ssh = bastionPlan.ssm !== "only";

    const group = (role: string, description: string) =>
      new RoleSecurityGroup(this, `SecurityGroup-${role}`, { environment, role, vpcId: this.network.vpc.id, description });
    const securityGroups: Record<string, RoleSecurityGroup> = { bastion: group("bastion", "Bastion: the only door, SSH from the admin CIDRs") };
    if (app !== undefined) securityGroups.app = group("app", "App servers: service ports from their sources, SSH from the bastion");
    if (db !== undefined) securityGroups.db = group("db", "DB server: the DB port from the app servers, SSH from the bastion");
    const { bastion: bastionSg, app: appSg, db: dbSg } = securityGroups;

    if (ssh) {
      for (const cidr of config.access?.adminCidrs ?? []) {
        const warning = isAnywhere(cidr) ? " (OPEN TO THE INTERNET: access.insecureAllowAdminPortsFromAnywhere)" : "";
        bastionSg.allowFrom(Peer.ipv4(cidr, `admin-${idSafe(cidr)}`), Port.SSH, `SSH from admin network ${cidr}${warning}`);
      }
      for (const server of [appSg, dbSg]) server?.allowFrom(bastionSg, Port.SSH, "SSH from the bastion");
    }
    for (const rule of app?.ingress ?? []) {
      for (const source of rule.from) {
        for (const peer of this.peersOf(source, securityGroups)) {
          for (const port of rule.ports) appSg.allowFrom(peer, Port.tcp(port), rule.description ?? `Service port ${port} from ${describeSource(source)}`);
        }
      }
    }
    if (db !== undefined && appSg !== undefined) dbSg.allowFrom(appSg, Port.tcp(db.port), `Database port ${db.port} from the app servers`);
    // The DB server makes the app's password and hands it over through SSM Parameter Store (db-credentials.ts).
    const credentials: DbCredentials | undefined =
      db?.managedMariadb === true ? { region: config.region, parameterName: dbPasswordParameterName(environment), ...DB_CREDENTIAL_DEFAULTS } : undefined;
    for (const [role, sg] of Object.entries(securityGroups)) {
      const sessionManager = role === "bastion" ? bastionPlan.ssm !== "off" : serversUseSessionManager(bastionPlan.ssm);
      sg.allowTo(Peer.anyIpv4(), Port.tcp(443), httpsEgressDescription(role, { sessionManager, dbPassword: credentials !== undefined }));
      sg.allowTo(Peer.anyIpv4(), Port.tcp(80), "HTTP out: package mirrors");
    }

    const publicKey = ssh && config.sshPublicKey !== undefined ? loadPublicKey(config.sshPublicKey) : undefined;
    if (publicKey !== undefined && "problem" in publicKey) throw new Error(`sshPublicKey: ${publicKey.problem.expected}`);
    const keyName = publicKey === undefined ? undefined : new AdminKeyPair(this, "AdminKeyPair", { environment, publicKey: publicKey.key }).keyName;
    const ssmProfile = bastionPlan.ssm === "off" ? undefined : new SsmInstanceProfile(this, "SsmInstanceProfile", { environment }).name;
    const hardening: HardeningOptions = {
      sessionTimeoutSeconds: config.hardening?.sessionTimeoutSeconds ?? COMPUTE_DEFAULTS.sessionTimeoutSeconds,
      sshMaxAuthTries: config.hardening?.sshMaxAuthTries ?? COMPUTE_DEFAULTS.sshMaxAuthTries,
      ssh,
      allowTcpForwarding: false,
      lockAuditRules: false,
    };
    const amis = new Map<string, string>();
    const amiId = (source: AmiSource) => {
      const key = typeof source === "string" ? source : source.ssmParameter;
      if (!amis.has(key)) amis.set(key, resolveAmiId(this, `Ami-${idSafe(key)}`, source));
      return amis.get(key) as string;
    };

    const bastion = new Bastion(this, "Bastion", {
      environment,
      subnetId: this.network.subnet(bastionPlan.tier, bastionPlan.az).resource.id,
      securityGroupIds: [bastionSg.id],
      ami: amiId(bastionPlan.instance.ami),
      instanceType: bastionPlan.instance.instanceType,
      rootVolumeGiB: bastionPlan.instance.rootVolumeGiB,
      sessionTimeoutSeconds: hardening.sessionTimeoutSeconds,
      sshMaxAuthTries: hardening.sshMaxAuthTries,
      ssh,
      keyName,
      // Without Session Manager, a profile with no permissions: every instance has one (CKV2_AWS_41), none grants more than it uses.
      instanceProfileName: ssmProfile ?? new InstanceRole(this, "InstanceRole-bastion", { environment, role: "bastion" }).name,
      detailedMonitoring: bastionPlan.instance.detailedMonitoring,
    });
    const roles = addServerRoles(this, { environment, ssm: bastionPlan.ssm, app: app !== undefined, db: db !== undefined, credentials });

    const serverSettings = (choice: InstanceChoice, sg: RoleSecurityGroup, role: InstanceRole | undefined): ServerSettings => ({
      environment,
      sshUser: choice.sshUser,
      ami: amiId(choice.ami),
      instanceType: choice.instanceType,
      rootVolumeGiB: choice.rootVolumeGiB,
      securityGroupIds: [sg.id],
      hardening,
      keyName,
      instanceProfileName: role?.name,
      detailedMonitoring: choice.detailedMonitoring,
    });
    const dbServer =
      db === undefined
        ? undefined
        : new DbServer(this, "Db", {
            ...serverSettings(db.instance, dbSg, roles.db),
            subnetId: this.network.subnet(db.tier, db.az).resource.id,
            az: db.az,
            packages: db.packages,
            services: db.services,
            port: db.port,
            credentials,
          });
    const appServers =
      app === undefined
        ? undefined
        : new AppServers(this, "AppServers", {
            ...serverSettings(app.instance, appSg, roles.app),
            region: config.region,
            subnets: app.azs.map((az) => ({ az, subnetId: this.network.subnet(app.tier, az).resource.id })),
            countPerAz: app.countPerAz,
            service: {
              ...serviceSpec(app.service, dbServer === undefined ? undefined : { privateIp: dbServer.server.instance.privateIp, port: db!.port }),
              ...(credentials === undefined
                ? {}
                : { startEnvScript: renderDbPasswordFetch(credentials, startEnvPaths(app.service.name).envFile), startTimeoutSeconds: DB_PASSWORD_WAIT_SECONDS + SERVICE_START_TIMEOUT_SECONDS }),
            },
          });
    const servers = [...(appServers?.servers ?? []), ...(dbServer === undefined ? [] : [dbServer.server])];

    new TerraformOutput(this, "bastion_public_ip", { value: bastion.publicIp, description: "The bastion's Elastic IP: the one address admins connect to" });
    new TerraformOutput(this, "private_ips", {
      value: Object.fromEntries([["bastion", bastion.host.privateIp], ...servers.map((s) => [s.name, s.instance.privateIp])]),
      description: "Private IP of every instance, by name (servers talk to each other on these)",
    });
    const identityFile = config.sshPublicKey !== undefined && "path" in config.sshPublicKey ? privateKeyPathFor(config.sshPublicKey.path) : undefined;
    new TerraformOutput(this, "ssh_config", {
      value: ssh
        ? renderSshConfig({
            bastionIp: bastion.publicIp,
            bastionUser: bastionPlan.instance.sshUser,
            identityFile,
            servers: servers.map((s) => ({ name: s.name, privateIp: s.instance.privateIp, user: s.sshUser })),
          })
        : renderSsmCommands(config.region, [{ name: "bastion", instanceId: bastion.host.instance.id }, ...servers.map((s) => ({ name: s.name, instanceId: s.instance.instance.id }))]),
      description: "Paste into ~/.ssh/config (terraform output -raw ssh_config), then: ssh bastion, ssh app-a1, ssh db",
    });
    return { bastion, servers, securityGroups };
  }

  /** The peers a configured source stands for: a role's group, or one CIDR peer per subnet of a tier, or a CIDR. */
  private peersOf(source: IngressSource, groups: Readonly<Record<string, RoleSecurityGroup>>): Peer[] {
    if ("securityGroup" in source) return [groups[source.securityGroup]];
    if ("tier" in source) return this.network.tierSubnets(source.tier).map((s) => Peer.ipv4(s.cidr, `tier-${s.tier}-${s.az}`));
    return [Peer.ipv4(source.cidr)];
  }
}

function describeSource(source: IngressSource): string {
  if ("securityGroup" in source) return `the ${source.securityGroup} group`;
  if ("tier" in source) return `tier ${source.tier}`;
  return source.cidr;
}

/**
 * Where ssh-keygen put the private half of `publicKeyFile`: `~/.ssh/workshop` for `~/.ssh/workshop.pub`; a relative
 * path is made absolute, since ssh would not read it from the directory cdktf ran in.
 */
/** The private key beside the configured public key, as written in the config: the output (and state) must not carry one machine's absolute paths. */
function privateKeyPathFor(publicKeyFile: string): string {
  return publicKeyFile.replace(/\.pub$/, "");
}
