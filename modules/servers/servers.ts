import { Construct } from "constructs";
import { Rehardening } from "../instance/rehardening";
import { subnetIn, tierSubnets } from "../network/subnets";
import type { INetwork, INetworkSubnet } from "../network/types";
import { Connections, IConnectable } from "../security/connections";
import { ROLE_GROUP_DESCRIPTIONS, RoleSecurityGroup } from "../security/security-group";
import { HardenedInstance } from "../instance/hardened-instance";
import { COMPUTE_DEFAULTS } from "./schema";
import {
  HardeningOptions,
  HardeningProps,
  hardeningFor,
  OS_PACKAGES,
  renderHardening,
  renderPackagesAndServices,
  renderScript,
  renderServiceSetup,
  SERVER_HARDENING_INTERNALS,
  SERVICE_START_TIMEOUT_SECONDS,
  ServiceSpec,
  startEnvPaths,
} from "../instance/user-data";
import {
  DB_PASSWORD_WAIT_SECONDS,
  DbCredentials,
  defaultDbCredentials,
  renderDbPasswordFetch,
  renderMariadbSetup,
} from "./db-credentials";
import { serverRole } from "./server-roles";
import { DataVolume, DataVolumeOptions } from "./data-volume";
import { renderDataVolumeMount } from "./data-volume-mount";
import { DATA_VOLUME_DEFAULTS } from "./schema";

/** What app and DB servers share. */
export interface ServerSettings {
  /** The network the servers stand in; its environment names them. */
  readonly network: INetwork;
  /** The AMI id. */
  readonly ami: string;
  /** EC2 instance type. @default "t3.micro" */
  readonly instanceType?: string;
  /** The user to log in as (the image's default user: ec2-user on Amazon Linux 2023, admin on Debian 12). @default "ec2-user" */
  readonly sshUser?: string;
  /** Shell and sshd hardening of the user data, as the bastion takes it. @default HARDENING_DEFAULTS */
  readonly hardening?: HardeningProps;
  /** EC2 key pair for SSH from the bastion. @default none (Session Manager only) */
  readonly keyName?: string;
  /**
   * Instance profile of the servers. @default a role of their own (`<environment>-app`, `<environment>-db`), least
   * privilege: no Session Manager, and only the DB password parameter (the DB server writes it, the app servers read it)
   */
  readonly instanceProfileName?: string;
  /** Root volume size in GiB. @default the AMI's size */
  readonly rootVolumeGiB?: number;
  /** The servers' security group. @default a new group `<environment>-<role>` in the network's VPC */
  readonly securityGroup?: RoleSecurityGroup;
  /** CloudWatch detailed (1-minute) monitoring. @default false */
  readonly detailedMonitoring?: boolean;
}

/** One server, as outputs and the ssh config list it. */
export interface Server {
  /** Short name, unique in the environment: `app-a1`, `db`. The ssh config's `Host`. */
  readonly name: string;
  /** The server's AZ. */
  readonly az: string;
  /** The user to log in as. */
  readonly sshUser: string;
  /** The instance. */
  readonly instance: HardenedInstance;
}

/** What `AppServers` need beyond the settings every server shares: the service they run and its DB login. */
export interface AppServersProps extends ServerSettings {
  /** A private or isolated tier of the network (servers get no public IP). @default "internal" */
  readonly tier?: string;
  /** The AZs of the tier to place servers in. @default every AZ of the tier */
  readonly azs?: readonly string[];
  /** Servers in each AZ. @default 1 */
  readonly countPerAz?: number;
  /** The service every app server runs. */
  readonly service: ServiceSpec;
  /**
   * The DB login the service gets at every start (`DB_NAME`, `DB_USER`, `DB_PASSWORD`, read from SSM into a root-only
   * env file): a `DbServer`'s `credentials`. @default none: the service gets no DB login
   */
  readonly dbLogin?: DbCredentials;
}

/** The service with the DB login wired in: a start script that reads the password from SSM before every start. */
export function serviceWithDbLogin(service: ServiceSpec, credentials: DbCredentials | undefined): ServiceSpec {
  if (credentials === undefined) return service;
  return {
    ...service,
    startEnvScript: renderDbPasswordFetch(credentials, startEnvPaths(service.name).envFile),
    startEnvPackages: { command: "aws", packages: OS_PACKAGES.awsCli },
    startTimeoutSeconds: DB_PASSWORD_WAIT_SECONDS + SERVICE_START_TIMEOUT_SECONDS,
  };
}

/**
 * App servers: `countPerAz` in each subnet of their tier, each running the service under systemd. Ids are keyed by
 * AZ name and a per-AZ ordinal (`App-ap-northeast-2a-1`), so adding an AZ or raising the count adds servers and moves
 * none. Nothing reaches them until said: `app.connections.allowFrom(bastion, Port.SSH, ...)`.
 */
export class AppServers extends Construct implements IConnectable {
  readonly servers: readonly Server[];
  readonly connections: Connections;

  constructor(scope: Construct, id: string, props: AppServersProps) {
    super(scope, id);
    const { network } = props;
    const securityGroup = props.securityGroup ?? roleGroup(this, network, "app", ROLE_GROUP_DESCRIPTIONS.app);
    this.connections = new Connections(securityGroup);
    const userData = renderScript(
      renderHardening(hardeningFor(props.hardening, SERVER_HARDENING_INTERNALS)),
      renderServiceSetup(serviceWithDbLogin(props.service, props.dbLogin)),
    );
    const subnets = serverSubnets(network, props.tier ?? COMPUTE_DEFAULTS.appTier, props.azs, id);
    const instanceProfileName =
      props.instanceProfileName ??
      serverRole(this, "InstanceRole", {
        environment: network.environment,
        role: "app",
        sessionManager: false,
        credentials: props.dbLogin,
      }).name;
    const sshUser = props.sshUser ?? COMPUTE_DEFAULTS.sshUser;
    this.servers = subnets.flatMap((subnet) =>
      Array.from({ length: props.countPerAz ?? COMPUTE_DEFAULTS.countPerAz }, (_, i) => {
        const name = `app-${azLabel(network.region, subnet.az)}${i + 1}`;
        const instance = new HardenedInstance(this, `App-${subnet.az}-${i + 1}`, {
          ...instanceSettings(props, securityGroup),
          instanceProfileName,
          name: `${network.environment}-${name}`,
          role: "app",
          subnetId: subnet.subnetId,
          userData,
        });
        return { name, az: subnet.az, sshUser, instance };
      }),
    );
  }

  /** Each server's private IPv4 address, in the order of `servers`. */
  get privateIps(): string[] {
    return this.servers.map((s) => s.instance.privateIp);
  }
}

/** What a `DbServer` needs beyond the settings every server shares: its tier and AZ, port, credentials and data volume. */
export interface DbServerProps extends ServerSettings {
  /** A private or isolated tier of the network. @default "internal" */
  readonly tier?: string;
  /** The AZ of the tier to stand in. @default the tier's first AZ */
  readonly az?: string;
  /** The instance profile grants Session Manager: an SSM association re-applies the hardening to the running DB. @default false */
  readonly sessionManager?: boolean;
  /** TCP port the database listens on (what `allowFrom` opens). @default 3306 */
  readonly port?: number;
  /** Packages of your own database engine (then no database, user or password is made). @default none: MariaDB */
  readonly packages?: readonly string[];
  /** systemd units of your own engine, started and waited for. @default none: MariaDB */
  readonly services?: readonly string[];
  /**
   * Where MariaDB's app password goes (with neither `packages` nor `services`).
   * @default `defaultDbCredentials`: database and user `app`, parameter `/<environment>/db/app-password`
   */
  readonly credentials?: DbCredentials;
  /**
   * The data volume: an encrypted gp3 EBS volume of its own in the server's AZ, mounted at `/var/lib/db-data`
   * (MariaDB's datadir below it; your own engine's units wait for the mount, and you point the engine there).
   * @default 20 GiB, with `prevent_destroy`
   */
  readonly dataVolume?: DataVolumeOptions;
}

/** The DB server's hardening script: what its user data ran at first boot, and what re-hardening runs again. */
export function dbHardeningScript(hardening: HardeningOptions): string {
  return renderScript(renderHardening(hardening));
}

/**
 * The DB server: private, and stateful (a new AMI or user data never replaces it), its data on a volume of its own
 * (`dataVolume`) that outlives the instance. Open its port to the app with
 * `db.connections.allowFrom(app, Port.tcp(db.port), ...)`.
 */
export class DbServer extends Construct implements IConnectable {
  readonly server: Server;
  readonly connections: Connections;
  /** Re-applies the hardening to the running DB through Session Manager; only when its profile grants Session Manager. */
  readonly rehardening?: Rehardening;
  /** The hardening its user data ran at first boot. */
  readonly hardening: HardeningOptions;
  /** The port the database listens on. */
  readonly port: number;
  /** Where the app's DB password is, when this server runs MariaDB and makes it. */
  readonly credentials?: DbCredentials;
  /** The EBS volume the data lives on, and its attachment. */
  readonly dataVolume: DataVolume;

  constructor(scope: Construct, id: string, props: DbServerProps) {
    super(scope, id);
    const { network } = props;
    const securityGroup = props.securityGroup ?? roleGroup(this, network, "db", ROLE_GROUP_DESCRIPTIONS.db);
    this.connections = new Connections(securityGroup);
    this.port = props.port ?? COMPUTE_DEFAULTS.dbPort;
    const tier = props.tier ?? COMPUTE_DEFAULTS.dbTier;
    const subnet =
      props.az === undefined
        ? serverSubnets(network, tier, undefined, id)[0]
        : serverSubnets(network, tier, [props.az], id)[0];
    // MariaDB with the app's login unless the engine is the caller's own (db-credentials.ts).
    const managed = props.packages === undefined && props.services === undefined;
    this.credentials = managed
      ? (props.credentials ?? defaultDbCredentials(network.environment, network.region))
      : undefined;
    this.dataVolume = new DataVolume(this, "DataVolume", {
      ...props.dataVolume,
      az: subnet.az,
      name: `${network.environment}-db-data`,
      role: "db",
    });
    const { mountPoint } = DATA_VOLUME_DEFAULTS;
    const engine =
      this.credentials === undefined
        ? renderPackagesAndServices(props.packages ?? [], props.services ?? [])
        : renderMariadbSetup(this.credentials, this.port, mountPoint);
    const hardening = hardeningFor(props.hardening, SERVER_HARDENING_INTERNALS);
    const units = this.credentials === undefined ? (props.services ?? []) : ["mariadb"];
    const userData = renderScript(
      renderHardening(hardening),
      renderDataVolumeMount(this.dataVolume.volume.id, units),
      engine,
    );
    const instance = new HardenedInstance(this, "Server", {
      ...instanceSettings(props, securityGroup),
      // Its own role, when given none: with Session Manager's policy when the association below is to reach it.
      instanceProfileName:
        props.instanceProfileName ??
        serverRole(this, "InstanceRole", {
          environment: network.environment,
          role: "db",
          sessionManager: props.sessionManager === true,
          credentials: this.credentials,
        }).name,
      name: `${network.environment}-db`,
      role: "db",
      subnetId: subnet.subnetId,
      userData,
      stateful: true,
    });
    this.dataVolume.attachTo(instance.instance.id);
    this.server = { name: "db", az: subnet.az, sshUser: props.sshUser ?? COMPUTE_DEFAULTS.sshUser, instance };
    this.hardening = hardening;
    // Its user data never runs again (stateful): with Session Manager, an association re-applies the hardening.
    // Every server has a profile now (instance-role.ts), so the profile alone does not say Session Manager reaches it.
    if (props.sessionManager === true) {
      this.rehardening = new Rehardening(this, "Rehardening", {
        environment: network.environment,
        name: "db",
        instanceId: instance.instance.id,
        script: dbHardeningScript(hardening),
      });
    }
  }

  /** The server's private IP, where the app reaches the database. */
  get privateIp(): string {
    return this.server.instance.privateIp;
  }

  /** Its private IPv4 address as a list, as `AppServers.privateIps` gives theirs. */
  get privateIps(): string[] {
    return [this.privateIp];
  }
}

/** `a` for ap-northeast-2a in ap-northeast-2; the AZ itself when it is not of the region. */
export function azLabel(region: string, az: string): string {
  return az.startsWith(region) ? az.slice(region.length).replace(/^-/, "") : az;
}

function roleGroup(scope: Construct, network: INetwork, role: string, description: string): RoleSecurityGroup {
  return new RoleSecurityGroup(scope, "SecurityGroup", {
    environment: network.environment,
    role,
    vpcId: network.vpcId,
    description,
    dualStack: network.ipv6,
  });
}

/** The subnets of a server tier, in the network's AZ order, limited to `azs`; servers get no public IP. */
function serverSubnets(
  network: INetwork,
  tier: string,
  azs: readonly string[] | undefined,
  id: string,
): INetworkSubnet[] {
  const subnets = tierSubnets(network, tier).filter((s) => azs === undefined || azs.includes(s.az));
  if (subnets.some((s) => s.type === "public"))
    throw new Error(`"${id}": tier "${tier}" is public; servers belong in a private or isolated tier`);
  for (const az of azs ?? []) subnetIn(network, tier, az);
  return subnets;
}

function instanceSettings(props: ServerSettings, securityGroup: RoleSecurityGroup) {
  return {
    ami: props.ami,
    instanceType: props.instanceType ?? COMPUTE_DEFAULTS.instanceType,
    keyName: props.keyName,
    rootVolumeGiB: props.rootVolumeGiB,
    detailedMonitoring: props.detailedMonitoring,
    securityGroupIds: [securityGroup.id],
  };
}
