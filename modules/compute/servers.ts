import { Construct } from "constructs";
import { HardenedInstance } from "./hardened-instance";
import { HardeningOptions, renderHardening, renderPackagesAndServices, renderScript, renderServiceSetup, ServiceSpec } from "./user-data";
import { DbCredentials, renderMariadbSetup } from "./db-credentials";

/** What app and DB servers share. */
export interface ServerSettings {
  /** Environment name: prefixes every Name tag. */
  readonly environment: string;
  /** The AMI id. */
  readonly ami: string;
  /** EC2 instance type. */
  readonly instanceType: string;
  /** The user to log in as (the image's default user: ec2-user on Amazon Linux, ubuntu on Ubuntu). */
  readonly sshUser: string;
  /** The role's security groups. */
  readonly securityGroupIds: readonly string[];
  /** Shell and sshd hardening of the user data. */
  readonly hardening: HardeningOptions;
  /** EC2 key pair for SSH from the bastion. @default none (Session Manager only) */
  readonly keyName?: string;
  /** Instance profile (Session Manager). @default none */
  readonly instanceProfileName?: string;
  /** Root volume size in GiB. @default the AMI's size */
  readonly rootVolumeGiB?: number;
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

export interface AppServersProps extends ServerSettings {
  /** AWS region: an AZ's short label is what follows it (`a` for ap-northeast-2a). */
  readonly region: string;
  /** The subnets to place servers in, one per AZ, in the environment's AZ order. */
  readonly subnets: ReadonlyArray<{ readonly az: string; readonly subnetId: string }>;
  /** Servers in each AZ. */
  readonly countPerAz: number;
  /** The service every app server runs. */
  readonly service: ServiceSpec;
}

/**
 * App servers: `countPerAz` in each subnet, each running the service under systemd. Ids are keyed by AZ name and a
 * per-AZ ordinal (`App-ap-northeast-2a-1`), so adding an AZ or raising the count adds servers and moves none.
 */
export class AppServers extends Construct {
  readonly servers: readonly Server[];

  constructor(scope: Construct, id: string, props: AppServersProps) {
    super(scope, id);
    const userData = renderScript(renderHardening(props.hardening), renderServiceSetup(props.service));
    this.servers = props.subnets.flatMap(({ az, subnetId }) =>
      Array.from({ length: props.countPerAz }, (_, i) => {
        const name = `app-${azLabel(props.region, az)}${i + 1}`;
        const instance = new HardenedInstance(this, `App-${az}-${i + 1}`, {
          ...props,
          name: `${props.environment}-${name}`,
          role: "app",
          subnetId,
          userData,
        });
        return { name, az, sshUser: props.sshUser, instance };
      }),
    );
  }
}

export interface DbServerProps extends ServerSettings {
  /** The subnet the server lives in. */
  readonly subnetId: string;
  /** Its AZ. */
  readonly az: string;
  /** Packages of the database engine. */
  readonly packages: readonly string[];
  /** systemd units to enable and start. */
  readonly services: readonly string[];
  /** The DB port MariaDB listens on (with `credentials`). */
  readonly port: number;
  /** Run MariaDB and create the app's database, user and password (in SSM) at first boot. @default none: `packages` and `services` only */
  readonly credentials?: DbCredentials;
}

/** The DB server: private, and stateful (a new AMI or user data never replaces it and its data). */
export class DbServer extends Construct {
  readonly server: Server;

  constructor(scope: Construct, id: string, props: DbServerProps) {
    super(scope, id);
    const instance = new HardenedInstance(this, "Server", {
      ...props,
      name: `${props.environment}-db`,
      role: "db",
      userData: renderScript(
        renderHardening(props.hardening),
        props.credentials === undefined ? renderPackagesAndServices(props.packages, props.services) : renderMariadbSetup(props.credentials, props.port),
      ),
      stateful: true,
    });
    this.server = { name: "db", az: props.az, sshUser: props.sshUser, instance };
  }
}

/** `a` for ap-northeast-2a in ap-northeast-2; the AZ itself when it is not of the region. */
export function azLabel(region: string, az: string): string {
  return az.startsWith(region) ? az.slice(region.length).replace(/^-/, "") : az;
}
