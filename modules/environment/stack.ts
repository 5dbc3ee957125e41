import { Construct } from "constructs";
import { TerraformBackend, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Network } from "../network/network";
import { AmiSource, resolveAmiId } from "../instance/ami";
import { IConnectable } from "../security/connections";
import { idSafe, Peer, ROLE_GROUP_DESCRIPTIONS, RoleSecurityGroup } from "../security/security-group";
import { Port } from "../core/port";
import { GroupPlacement, securityGroupFlows } from "../placement/network-acl-flows";
import { looksIpv6 } from "../core/cidr";
import { AdminKeyPair } from "../keypair/key-pair";
import { Bastion } from "../bastion/bastion";
import { InstanceConnectDoor } from "../bastion/instance-connect";
import { BastionPlan } from "../bastion/plan";
import { AppPlan, DbPlan, serviceSpec } from "../servers/plan";
import { IngressSource } from "../servers/schema";
import { AppServers, DbServer, Server, ServerSettings } from "../servers/servers";
import { SsmInstanceProfile } from "../instance/ssm-instance-profile";
import { HardeningProps } from "../instance/user-data";
import { InstanceRole } from "../instance/instance-role";
import {
  addServerRoles,
  endpointEgressDescription,
  httpsEgressDescription,
  serversUseSessionManager,
} from "../servers/server-roles";
import { DbCredentials, defaultDbCredentials } from "../servers/db-credentials";
import { applyStateBackend } from "../state/backend";
import { STATE_DEFAULTS } from "../state/types";
import { applyRules } from "../rules/synth";
import { environmentRuleOptions } from "../rules/exceptions";
import { EnvironmentConfig } from "./schema";
import type { LoadBalancer } from "../loadbalancer/load-balancer";
import { addAccessOutputs, addLoadBalancerOutputs, addNetworkOutputs } from "./outputs";
import { ResolvedEnvironment } from "./resolve";

/** The security groups of the roles an environment has, created at the stack's top so their addresses stay put. */
type RoleGroups = {
  bastion?: RoleSecurityGroup;
  "instance-connect"?: RoleSecurityGroup;
  app?: RoleSecurityGroup;
  db?: RoleSecurityGroup;
};

/**
 * One environment, composed from its resolved plan: its state backend (key `<environment>/environment.tfstate` by
 * default), its AWS provider with the common tags, its network, the bastion and the servers behind it, the
 * connections between them, and the outputs people use. Nothing is planned or read here: see `resolveEnvironment`.
 */
export class EnvironmentStack extends TerraformStack {
  readonly network: Network;
  /** The bastion, when the environment has one. */
  readonly bastion?: Bastion;
  /** The EC2 Instance Connect Endpoint, when it is the door instead of a bastion. */
  readonly instanceConnect?: InstanceConnectDoor;
  /** The app servers, when the environment has them. */
  readonly appServers?: AppServers;
  /** The DB server, when the environment has one. */
  readonly dbServer?: DbServer;
  /** Every server behind the bastion: app servers, then the DB server. */
  readonly servers: readonly Server[];
  /** Security groups by role (`bastion` or `instance-connect`, `app`, `db`). */
  readonly securityGroups: Readonly<Record<string, RoleSecurityGroup>>;
  /** The Application Load Balancer in front of the app servers, when the config has `loadBalancer`. */
  readonly loadBalancer?: LoadBalancer;
  /** The backend from the config's `backend`; undefined means cdktf's local default. */
  readonly backend?: TerraformBackend;
  /** The environment's config, defaults applied. */
  readonly config: EnvironmentConfig;

  constructor(scope: Construct, id: string, environment: ResolvedEnvironment) {
    super(scope, id);
    const config = (this.config = environment.config);
    this.backend = applyStateBackend(this, config.backend, {
      environment: config.name,
      stack: STATE_DEFAULTS.environmentStack,
    });
    applyRules(this, environmentRuleOptions(config));
    new AwsProvider(this, "aws", {
      region: config.region,
      defaultTags: [{ tags: { Environment: config.name, ManagedBy: "cdktf", ...config.tags } }],
    });
    this.network = new Network(this, "network", { ...config, environment: config.name, plan: environment.network });
    addNetworkOutputs(this, this.network);

    const hasDoor = environment.bastion !== undefined || environment.instanceConnect !== undefined;
    const groups = hasDoor ? this.roleGroups(environment) : undefined;
    this.securityGroups = groups === undefined ? {} : definedValues(groups);
    if (groups === undefined) {
      this.servers = [];
      this.addNetworkAcls([]);
      return;
    }
    // Without a bastion the door is the Instance Connect Endpoint: SSH, and no Session Manager.
    const ssm = environment.bastion?.ssm ?? "off";
    const ssh = ssm !== "only";
    const settings = this.serverSettings(environment, ssh);
    // The DB server makes the app's password and hands it over through SSM Parameter Store (db-credentials.ts).
    const credentials =
      environment.db?.managedMariadb === true ? defaultDbCredentials(config.name, config.region) : undefined;
    const roles = addServerRoles(this, {
      environment: config.name,
      ssm,
      app: environment.app !== undefined,
      db: environment.db !== undefined,
      credentials,
    });
    this.bastion =
      environment.bastion === undefined ? undefined : this.addBastion(environment.bastion, settings, groups.bastion!);
    this.instanceConnect =
      environment.instanceConnect === undefined
        ? undefined
        : new InstanceConnectDoor(this, "InstanceConnect", {
            network: this.network,
            ...environment.instanceConnect,
            securityGroup: groups["instance-connect"],
          });
    this.dbServer =
      environment.db === undefined
        ? undefined
        : this.addDb(environment.db, settings, groups.db!, roles.db!, serversUseSessionManager(ssm), credentials);
    this.appServers =
      environment.app === undefined ? undefined : this.addApp(environment.app, settings, groups.app!, roles.app!);
    this.servers = [
      ...(this.appServers?.servers ?? []),
      ...(this.dbServer === undefined ? [] : [this.dbServer.server]),
    ];
    this.connect(environment, ssh, credentials !== undefined);
    addAccessOutputs(this, {
      bastion: this.bastion,
      bastionUser: environment.bastion?.instance.sshUser,
      instanceConnect: this.instanceConnect,
      servers: this.servers,
      ssh,
      region: config.region,
      identityFile: environment.identityFile,
      db: this.dbServer,
    });
    this.loadBalancer = this.addLoadBalancer(environment);
    this.addNetworkAcls([
      ...(environment.bastion === undefined
        ? []
        : [{ group: groups.bastion!, tier: environment.bastion.tier, azs: [environment.bastion.az] }]),
      ...(environment.instanceConnect === undefined
        ? []
        : [
            {
              group: groups["instance-connect"]!,
              tier: environment.instanceConnect.tier,
              azs: [environment.instanceConnect.az],
            },
          ]),
      // The endpoints' group, in every AZ of each tier that holds them: the roles' HTTPS to them crosses the ACLs.
      ...this.network.interfaceEndpointTiers.map((tier) => ({
        group: this.network.interfaceEndpointSecurityGroup,
        tier,
      })),
      ...(environment.app === undefined
        ? []
        : [{ group: groups.app!, tier: environment.app.tier, azs: environment.app.azs }]),
      ...(environment.db === undefined
        ? []
        : [{ group: groups.db!, tier: environment.db.tier, azs: [environment.db.az] }]),
      ...(this.loadBalancer === undefined || environment.loadBalancer === undefined
        ? []
        : [
            {
              group: this.loadBalancer.securityGroup,
              tier: environment.loadBalancer.tier,
              azs: environment.loadBalancer.azs,
            },
          ]),
    ]);
  }

  /** The tiers' network ACLs, when some tier asks for one: from the rules of the groups, once every rule is said. */
  private addNetworkAcls(placements: readonly GroupPlacement[]): void {
    if (this.config.tiers.some((t) => t.networkAcl)) this.network.addNetworkAcls(securityGroupFlows(placements));
  }

  /** The load balancer in front of the app servers, and its outputs, when the environment has one. */
  private addLoadBalancer(environment: ResolvedEnvironment): LoadBalancer | undefined {
    const lb = environment.loadBalancer;
    if (lb === undefined || this.appServers === undefined || environment.app === undefined) return undefined;
    // Loaded here, not on import: its provider classes cost about 45 ms, which environments without one never pay.
    const { LoadBalancer } = require("../loadbalancer/load-balancer") as typeof import("../loadbalancer/load-balancer");
    const loadBalancer = new LoadBalancer(this, "LoadBalancer", {
      ...lb,
      environment: environment.config.name,
      region: environment.config.region,
      vpcId: this.network.vpc.id,
      subnetIds: lb.azs.map((az) => this.network.subnet(lb.tier, az).subnetId),
      targets: this.appServers.servers.map((s) => ({ name: s.name, instanceId: s.instance.instance.id })),
      targetPort: environment.app.service.port,
      app: this.appServers,
      accessLogs:
        lb.accessLogsExpireAfterDays === undefined ? undefined : { expireAfterDays: lb.accessLogsExpireAfterDays },
    });
    addLoadBalancerOutputs(this, loadBalancer);
    return loadBalancer;
  }

  /** One security group per role the environment has. */
  private roleGroups(environment: ResolvedEnvironment): RoleGroups {
    const group = (role: string, description: string) =>
      new RoleSecurityGroup(this, `SecurityGroup-${role}`, {
        environment: environment.config.name,
        role,
        vpcId: this.network.vpc.id,
        description,
        dualStack: this.network.ipv6,
      });
    return {
      bastion: environment.bastion === undefined ? undefined : group("bastion", ROLE_GROUP_DESCRIPTIONS.bastion),
      "instance-connect":
        environment.instanceConnect === undefined
          ? undefined
          : group("instance-connect", ROLE_GROUP_DESCRIPTIONS["instance-connect"]),
      app: environment.app === undefined ? undefined : group("app", ROLE_GROUP_DESCRIPTIONS.app),
      db: environment.db === undefined ? undefined : group("db", ROLE_GROUP_DESCRIPTIONS.db),
    };
  }

  /** What every instance shares: the network, hardening, key pair, Session Manager profile, and one data source per AMI. */
  private serverSettings(environment: ResolvedEnvironment, ssh: boolean) {
    const { config } = environment;
    const hardening: HardeningProps = {
      sessionTimeoutSeconds: config.hardening.sessionTimeoutSeconds,
      sshMaxAuthTries: config.hardening.sshMaxAuthTries,
      ssh,
    };
    const keyName =
      environment.publicKey === undefined
        ? undefined
        : new AdminKeyPair(this, "AdminKeyPair", { environment: config.name, publicKey: environment.publicKey })
            .keyName;
    const ssmProfile =
      (environment.bastion?.ssm ?? "off") === "off"
        ? undefined
        : new SsmInstanceProfile(this, "SsmInstanceProfile", { environment: config.name }).name;
    const amis = new Map<string, string>();
    const ami = (source: AmiSource) => {
      const key = typeof source === "string" ? source : source.ssmParameter;
      if (!amis.has(key)) amis.set(key, resolveAmiId(this, `Ami-${idSafe(key)}`, source));
      return amis.get(key) as string;
    };
    return { common: { network: this.network, hardening, keyName }, ssmProfile, ami };
  }

  private addBastion(
    bastion: BastionPlan,
    settings: ReturnType<EnvironmentStack["serverSettings"]>,
    securityGroup: RoleSecurityGroup,
  ): Bastion {
    const { network, keyName, hardening } = settings.common;
    return new Bastion(this, "Bastion", {
      network,
      keyName,
      hardening,
      ami: settings.ami(bastion.instance.ami),
      instanceType: bastion.instance.instanceType,
      rootVolumeGiB: bastion.instance.rootVolumeGiB,
      tier: bastion.tier,
      az: bastion.az,
      adminCidrs: this.config.access?.adminCidrs,
      insecureAllowAdminPortsFromAnywhere: this.config.access?.insecureAllowAdminPortsFromAnywhere,
      securityGroup,
      // Without Session Manager, a profile with no permissions: every instance has one (CKV2_AWS_41), none grants more than it uses.
      instanceProfileName:
        settings.ssmProfile ??
        new InstanceRole(this, "InstanceRole-bastion", { environment: this.config.name, role: "bastion" }).name,
      detailedMonitoring: bastion.instance.detailedMonitoring,
    });
  }

  private addDb(
    db: DbPlan,
    settings: ReturnType<EnvironmentStack["serverSettings"]>,
    securityGroup: RoleSecurityGroup,
    role: InstanceRole,
    sessionManager: boolean,
    credentials?: DbCredentials,
  ): DbServer {
    return new DbServer(this, "Db", {
      ...serverProps(db.instance, settings, securityGroup),
      instanceProfileName: role.name,
      sessionManager,
      tier: db.tier,
      az: db.az,
      port: db.port,
      dataVolume: db.dataVolume,
      // MariaDB with the app's login, or the config's own engine.
      ...(credentials === undefined ? { packages: db.packages, services: db.services } : { credentials }),
    });
  }

  private addApp(
    app: AppPlan,
    settings: ReturnType<EnvironmentStack["serverSettings"]>,
    securityGroup: RoleSecurityGroup,
    role: InstanceRole,
  ): AppServers {
    const db =
      this.dbServer === undefined ? undefined : { privateIp: this.dbServer.privateIp, port: this.dbServer.port };
    return new AppServers(this, "AppServers", {
      ...serverProps(app.instance, settings, securityGroup),
      instanceProfileName: role.name,
      tier: app.tier,
      azs: app.azs,
      countPerAz: app.countPerAz,
      service: serviceSpec(app.service, db),
      // The DB password reaches the service at every start, from SSM into a root-only env file (db-credentials.ts).
      dbLogin: this.dbServer?.credentials,
    });
  }

  /**
   * Who may talk to whom, as the architecture reads: admins reach the bastion on SSH (the bastion says so itself), the
   * door (the bastion, or the Instance Connect Endpoint) reaches every server on SSH, the service ports are reached
   * from their configured sources, only the app servers reach the DB port, and every role may reach HTTPS and HTTP
   * out; a role in an isolated tier, where interface endpoints stand in for the internet, reaches HTTPS on them only.
   */
  private connect(environment: ResolvedEnvironment, ssh: boolean, dbPassword: boolean): void {
    const bastion = this.bastion;
    const door: IConnectable = bastion ?? (this.instanceConnect as InstanceConnectDoor);
    const from = bastion === undefined ? "SSH from the EC2 Instance Connect Endpoint" : "SSH from the bastion";
    const servers = [this.appServers, this.dbServer].filter((s): s is AppServers | DbServer => s !== undefined);
    if (ssh) for (const server of servers) server.connections.allowFrom(door, Port.SSH, from);
    for (const rule of environment.app?.ingress ?? []) {
      for (const source of rule.from) {
        for (const peer of this.peersOf(source)) {
          for (const port of rule.ports)
            this.appServers!.connections.allowFrom(
              peer,
              Port.tcp(port),
              rule.description ?? `Service port ${port} from ${describeSource(source)}`,
            );
        }
      }
    }
    if (this.dbServer !== undefined && this.appServers !== undefined) {
      this.dbServer.connections.allowFrom(
        this.appServers,
        Port.tcp(this.dbServer.port),
        `Database port ${this.dbServer.port} from the app servers`,
      );
    }
    const ssm = environment.bastion?.ssm ?? "off";
    const roles: Array<[string, IConnectable | undefined, string | undefined]> = [
      ["bastion", bastion, environment.bastion?.tier],
      ["app", this.appServers, environment.app?.tier],
      ["db", this.dbServer, environment.db?.tier],
    ];
    for (const [name, role, tier] of roles) {
      if (role === undefined) continue;
      // Says what the role really uses 443 for: no Session Manager where it is off.
      const uses = { sessionManager: name === "bastion" ? ssm !== "off" : serversUseSessionManager(ssm), dbPassword };
      if (this.reachesOnlyEndpoints(tier)) {
        this.allowToEndpoints(role, name, tier as string, uses);
        continue;
      }
      role.connections.allowTo(Peer.anyIpv4(), Port.tcp(443), httpsEgressDescription(name, uses));
      role.connections.allowTo(Peer.anyIpv4(), Port.tcp(80), "HTTP out: package mirrors");
    }
  }

  /** Whether a tier has no route off the VPC and the network has interface endpoints to stand in for the internet. */
  private reachesOnlyEndpoints(tier: string | undefined): boolean {
    const type = this.config.tiers.find((t) => t.name === tier)?.type;
    return type === "isolated" && Object.keys(this.network.interfaceEndpoints).length > 0;
  }

  /** HTTPS to the interface endpoints' group, and to S3's prefix list through the gateway endpoint: nothing else out. */
  private allowToEndpoints(
    role: IConnectable,
    name: string,
    tier: string,
    uses: { sessionManager: boolean; dbPassword: boolean },
  ): void {
    const endpoints = Peer.securityGroupId(this.network.interfaceEndpointSecurityGroup.id, "endpoints");
    role.connections.allowTo(endpoints, Port.tcp(443), endpointEgressDescription(name, tier, uses));
    const s3 = this.network.s3GatewayEndpoint;
    if (s3 !== undefined)
      role.connections.allowTo(
        Peer.prefixList(s3.prefixListId, "s3"),
        Port.tcp(443),
        `HTTPS to S3 through the gateway endpoint: packages (tier ${tier} has no route to the internet)`,
      );
  }

  /** What a configured source stands for: a role, one CIDR peer per subnet of a tier, or a CIDR. */
  private peersOf(source: IngressSource): Array<IConnectable | Peer> {
    if ("securityGroup" in source) return [this.securityGroups[source.securityGroup]];
    if ("tier" in source)
      return this.network
        .tierSubnets(source.tier)
        .flatMap((s) => [
          Peer.ipv4(s.cidr, `tier-${s.tier}-${s.az}`),
          ...(s.ipv6Cidr === undefined ? [] : [Peer.ipv6(s.ipv6Cidr, `tier-${s.tier}-${s.az}-ipv6`)]),
        ]);
    // The config's checks already refused an admin port from anywhere unless its loud override says otherwise.
    return [
      (looksIpv6(source.cidr) ? Peer.ipv6 : Peer.ipv4)(source.cidr, undefined, {
        insecureAllowAdminPortsFromAnywhere: this.config.access?.insecureAllowAdminPortsFromAnywhere,
      }),
    ];
  }
}

function serverProps(
  instance: AppPlan["instance"],
  settings: ReturnType<EnvironmentStack["serverSettings"]>,
  securityGroup: RoleSecurityGroup,
): ServerSettings {
  return {
    ...settings.common,
    ami: settings.ami(instance.ami),
    instanceType: instance.instanceType,
    sshUser: instance.sshUser,
    rootVolumeGiB: instance.rootVolumeGiB,
    detailedMonitoring: instance.detailedMonitoring,
    securityGroup,
  };
}

function describeSource(source: IngressSource): string {
  if ("securityGroup" in source) return `the ${source.securityGroup} group`;
  if ("tier" in source) return `tier ${source.tier}`;
  return source.cidr;
}

function definedValues<T>(record: Record<string, T | undefined>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter((entry): entry is [string, T] => entry[1] !== undefined));
}
