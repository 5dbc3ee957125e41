import type { SubnetType } from "../network/types";
import { ConfigProblem, fieldPath } from "../core/problems";
import { adminPortsIn, Port } from "../core/port";
import { sourceCidrProblem } from "../security/policy";
import { InstanceChoice, InstanceContext, placeInstances } from "../placement/instance-choice";
import { AppServersConfig, COMPUTE_DEFAULTS, DbServerConfig, IngressSource, ServerRole, ServersConfig } from "./schema";
import { artifactPath, ServiceSpec, substitute } from "../instance/user-data";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const SERVER_TIERS = { allowedTypes: ["private", "isolated"] as SubnetType[], why: "servers get no public IP" };

/** One rule letting sources reach the app servers' service ports. */
export interface AppIngress {
  readonly ports: readonly number[];
  readonly from: readonly IngressSource[];
  readonly description?: string;
}

/** The app servers, resolved. */
export interface AppPlan {
  readonly instance: InstanceChoice;
  readonly tier: string;
  readonly azs: readonly string[];
  readonly countPerAz: number;
  readonly ingress: readonly AppIngress[];
  /** The service; its command and environment still hold `{{db.privateIp}}`-style references only the stack can fill. */
  readonly service: ServiceSpec;
}

/** The DB server, resolved. */
export interface DbPlan {
  readonly instance: InstanceChoice;
  readonly tier: string;
  readonly az: string;
  readonly port: number;
  readonly packages: readonly string[];
  readonly services: readonly string[];
  /**
   * true when the config names neither `packages` nor `services`: the server runs MariaDB and creates the app's
   * database, user and password (db-credentials.ts); otherwise the engine is the config's and none of that happens.
   */
  readonly managedMariadb: boolean;
  /** The data volume: its size, and whether Terraform refuses to destroy it. */
  readonly dataVolume: { readonly sizeGiB: number; readonly preventDestroy: boolean };
}

/** The values of the references a service's command and environment may use (`{{port}}`, `{{db.privateIp}}`...). */
export function serviceReferences(
  service: Pick<AppPlan["service"], "name" | "port" | "artifact">,
  db: { privateIp: string; port: number } | undefined,
): Record<string, string> {
  const refs: Record<string, string> = { port: String(service.port) };
  if (service.artifact !== undefined) refs.artifact = artifactPath(service.name, service.artifact.url);
  if (db !== undefined) Object.assign(refs, { "db.privateIp": db.privateIp, "db.port": String(db.port) });
  return refs;
}

/** The service as the user data renders it: its references filled in (the DB's IP is a Terraform reference at synth). */
export function serviceSpec(
  service: AppPlan["service"],
  db: { privateIp: string; port: number } | undefined,
): ServiceSpec {
  const refs = serviceReferences(service, db);
  const fill = (text: string) => substitute(text, refs).text;
  return {
    ...service,
    command: fill(service.command),
    environment: Object.fromEntries(Object.entries(service.environment).map(([k, v]) => [k, fill(v)])),
  };
}

/** What the server plan needs: the `servers` block, where instances go, and the few facts of the rest it checks against. */
export interface ServersInput extends InstanceContext {
  /** The config's `servers` block. @default none: no servers */
  readonly servers?: ServersConfig;
  /** Whether the environment has a bastion (servers are reached only through a door: it, or the Instance Connect Endpoint). */
  readonly hasBastion: boolean;
  /** Whether the environment's door is an EC2 Instance Connect Endpoint (`instanceConnect`). @default false */
  readonly hasInstanceConnect?: boolean;
  /** `access.insecureAllowAdminPortsFromAnywhere`: lets an ingress CIDR of `/0` open an admin port. */
  readonly allowAdminPortsFromAnywhere: boolean;
  /** Whether the VPC is dual-stack (`ipv6`): an ingress CIDR may then be IPv6. @default false */
  readonly ipv6?: boolean;
}

/** Checks `servers` and applies its defaults: the one place the environment's resolution goes through. */
export function planServers(env: ServersInput): { app?: AppPlan; db?: DbPlan; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const servers = env.servers;
  if (servers === undefined) return { problems };
  if (!env.hasBastion && env.hasInstanceConnect !== true && (servers.app !== undefined || servers.db !== undefined)) {
    problems.push({
      field: "bastion",
      value: undefined,
      expected: "a bastion block (or an instanceConnect block): servers are reached only through a door",
    });
  }
  const db = servers.db === undefined ? undefined : planDb(env, servers.db, problems);
  const app = servers.app === undefined ? undefined : planApp(env, servers.app, servers.db, problems);
  return { app, db, problems };
}

function planDb(env: ServersInput, db: DbServerConfig, problems: ConfigProblem[]): DbPlan {
  const placed = placeInstances(env, "servers.db", db, {
    ...SERVER_TIERS,
    defaultTier: COMPUTE_DEFAULTS.dbTier,
    azs: db.az === undefined ? undefined : [db.az],
    azField: "az",
  });
  problems.push(...placed.problems);
  return {
    instance: placed.choice,
    tier: placed.tier,
    az: placed.azs[0] ?? "",
    port: db.port,
    packages: db.packages ?? [],
    services: db.services ?? [],
    managedMariadb: db.packages === undefined && db.services === undefined,
    dataVolume: db.dataVolume,
  };
}

function planApp(
  env: ServersInput,
  app: AppServersConfig,
  db: DbServerConfig | undefined,
  problems: ConfigProblem[],
): AppPlan {
  const placed = placeInstances(env, "servers.app", app, {
    ...SERVER_TIERS,
    defaultTier: COMPUTE_DEFAULTS.appTier,
    azs: app.azs,
    azField: "azs",
  });
  problems.push(...placed.problems);

  const { port, name } = app.service;
  if (port === Port.SSH.from)
    problems.push({ field: "servers.app.service.port", value: port, expected: "a service port other than 22 (SSH)" });
  const door = env.hasInstanceConnect === true ? "instance-connect" : "bastion";
  const ingress: AppIngress[] = app.ingress ?? [{ ports: [port], from: [{ securityGroup: door }] }];
  problems.push(...ingressProblems(env, ingress));
  if (!ingress.some((rule) => rule.ports.includes(port))) {
    problems.push({
      field: "servers.app.service.port",
      value: port,
      expected: `a port that servers.app.ingress opens (${[...new Set(ingress.flatMap((r) => r.ports))].join(", ")}), or nobody can reach the service`,
    });
  }

  const artifact = app.service.artifact;
  const refs = serviceReferences(
    { name, port, artifact },
    db === undefined ? undefined : { privateIp: "", port: db.port },
  );
  const command =
    app.service.command ?? (app.service.artifact !== undefined ? "/usr/bin/java -jar {{artifact}}" : undefined);
  if (command === undefined) {
    problems.push({
      field: "servers.app.service.command",
      value: undefined,
      expected: "the service's command line (required when there is no artifact to run with java -jar)",
    });
  }
  for (const key of Object.keys(app.service.environment)) {
    if (!ENV_NAME.test(key))
      problems.push({
        field: fieldPath("servers.app.service.environment", key),
        value: key,
        expected: "a variable name such as DB_HOST (letters, digits, _; not starting with a digit)",
      });
  }
  const templates: Array<[string, string]> = [
    ["servers.app.service.command", command ?? ""],
    ...Object.entries(app.service.environment).map(([k, v]): [string, string] => [
      fieldPath("servers.app.service.environment", k),
      v,
    ]),
  ];
  for (const [field, template] of templates) {
    for (const unknown of substitute(template, refs).unknown) {
      problems.push({
        field,
        value: template,
        expected: `only known references in {{ }}: ${Object.keys(refs).join(", ")} (not ${unknown})`,
      });
    }
  }
  return {
    instance: placed.choice,
    tier: placed.tier,
    azs: placed.azs,
    countPerAz: app.countPerAz,
    ingress,
    service: {
      name,
      port,
      command: command ?? "",
      environment: app.service.environment,
      artifact: app.service.artifact,
      packages: app.service.packages,
    },
  };
}

function ingressProblems(env: ServersInput, ingress: readonly AppIngress[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const allowAnywhere = env.allowAdminPortsFromAnywhere;
  const seen = new Set<string>();
  ingress.forEach((rule, i) => {
    const at = (...key: Array<string | number>) => fieldPath("servers.app.ingress", i, ...key);
    rule.ports.forEach((p, j) => {
      if (p === Port.SSH.from)
        problems.push({
          field: at("ports", j),
          value: p,
          expected:
            "a service port other than 22: SSH to servers comes only from the bastion's group, which is always allowed",
        });
    });
    const adminPorts = rule.ports.flatMap((p) => adminPortsIn(Port.tcp(p)));
    rule.from.forEach((source, k) => {
      const repeated = rule.ports.filter((p) => seen.has(JSON.stringify([p, source])));
      rule.ports.forEach((p) => seen.add(JSON.stringify([p, source])));
      if (repeated.length > 0) {
        problems.push({
          field: at("from", k),
          value: source,
          expected: `each port and source once across servers.app.ingress (port ${repeated.join(", ")} from this source is already allowed)`,
        });
      } else if ("tier" in source && !env.tiers.some((t) => t.name === source.tier)) {
        problems.push({
          field: at("from", k, "tier"),
          value: source.tier,
          expected: `one of the environment's tiers (${env.tiers.map((t) => t.name).join(", ")})`,
        });
      } else if ("cidr" in source) {
        const expected = sourceCidrProblem(source.cidr, adminPorts, allowAnywhere, env.ipv6);
        if (expected !== undefined) problems.push({ field: at("from", k, "cidr"), value: source.cidr, expected });
      } else if ("securityGroup" in source && !roleExists(env, source.securityGroup)) {
        problems.push({
          field: at("from", k, "securityGroup"),
          value: source.securityGroup,
          expected: `a role the environment has (no ${ROLE_BLOCKS[source.securityGroup]} here)`,
        });
      }
    });
  });
  return problems;
}

/** The config block each role comes from. */
const ROLE_BLOCKS: Readonly<Record<ServerRole, string>> = {
  bastion: "bastion",
  app: "servers.app",
  db: "servers.db",
  "instance-connect": "instanceConnect",
};

/** Whether the environment has the role a service port's source names. */
function roleExists(env: ServersInput, role: ServerRole): boolean {
  switch (role) {
    case "bastion":
      // Without any door the missing bastion block is the one problem to report.
      return env.hasBastion || env.hasInstanceConnect !== true;
    case "instance-connect":
      return env.hasInstanceConnect === true;
    case "db":
      return env.servers?.db !== undefined;
    case "app":
      return true;
  }
}
