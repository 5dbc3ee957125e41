import { z } from "zod";
import { amiSourceSchema } from "../instance/ami";
import { AMI_TYPE_LABEL, INSTANCE_DEFAULTS, instanceFields } from "../instance/schema";
import { intBetween } from "../core/fields";

/** Where a server's data volume is mounted, and what its defaults are. */
export const DATA_VOLUME_DEFAULTS = {
  /** The mount point: MariaDB keeps its datadir below it; your own engine is pointed here by you. */
  mountPoint: "/var/lib/db-data",
  /** The device name the attachment asks for; on Nitro instances the volume shows up as NVMe and is found by its id. */
  deviceName: "/dev/sdf",
  sizeGiB: 20,
  preventDestroy: true,
  /** Seconds the user data waits for the attachment (Terraform attaches the volume once the instance runs). */
  attachTimeoutSeconds: 600,
  /** The filesystem label of a freshly formatted volume (ext4 allows 16 characters). */
  label: "db-data",
};

/** The servers' defaults, with those every instance shares. */
export const COMPUTE_DEFAULTS = {
  ...INSTANCE_DEFAULTS,
  appTier: "internal",
  countPerAz: 1,
  serviceName: "app",
  servicePort: 8080,
  dbTier: "internal",
  dbPort: 3306,
};

/** The roles a service port may be opened to, by their security group. */
export const SERVER_ROLES = ["bastion", "app", "db", "instance-connect"] as const;
/** A role whose security group may be a service port's source. */
export type ServerRole = (typeof SERVER_ROLES)[number];

const port = () => intBetween(1, 65535);
const systemdName = (what: string) =>
  z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, {
    error: `${what}: lowercase letters, digits and dashes, starting with a letter`,
  });
const packageName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9+._-]*$/, { error: "a package name such as mariadb105-server" });
/** One line of text that is safe inside a double-quoted systemd value and a Terraform string. */
const lineOfText = (what: string) =>
  z.string().regex(/^(?![\s\S]*(\$\{|%\{))[^"\\\n\r`]*$/, { error: `${what} on one line, without " \\ \` or \${ %{` });

/** Where a service port may be reached from: a role's security group, every subnet of a tier, or a CIDR block. */
export const ingressSourceSchema = z.union(
  [
    z.strictObject({ securityGroup: z.enum(SERVER_ROLES) }),
    z.strictObject({ tier: z.string() }),
    z.strictObject({ cidr: z.string() }),
  ],
  {
    error:
      'one of { "securityGroup": "bastion" | "app" | "db" | "instance-connect" }, { "tier": "<tier name>" }, { "cidr": "10.0.0.0/16" }',
  },
);

const serviceSchema = z.strictObject({
  name: systemdName("a service name").default(COMPUTE_DEFAULTS.serviceName).describe("systemd unit and user name"),
  port: port()
    .default(COMPUTE_DEFAULTS.servicePort)
    .describe("the port it listens on (also `PORT` in its environment); must be opened by `ingress`"),
  command: lineOfText("an absolute command line")
    .regex(/^\//, { error: "an absolute command line, starting with /" })
    .optional()
    .meta({
      description:
        "`ExecStart`, an absolute command line; may use `{{port}}`, `{{artifact}}`, `{{db.privateIp}}`, `{{db.port}}`",
      defaultLabel: "`/usr/bin/java -jar {{artifact}}` when there is an artifact, else required",
    }),
  artifact: z
    .strictObject({
      url: z.string().regex(/^https:\/\/[^\s"'\\`$]+$/, { error: "an https:// URL without spaces or quotes" }),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/, { error: "the artifact's SHA-256 as 64 lowercase hex digits" })
        .optional(),
    })
    .optional()
    .meta({
      description: "downloaded at first boot (HTTPS only) to `/opt/<name>/`, checksum-verified when `sha256` is given",
      typeLabel: '`{ "url": "https://...", "sha256": "<64 hex>" }`',
      defaultLabel: "none",
    }),
  packages: z
    .array(packageName)
    .default([])
    .describe('packages to install first, e.g. `["java-21-amazon-corretto-headless"]`'),
  // Keys are checked by planServers: zod reports a bad record key without the key.
  environment: z
    .record(z.string(), lineOfText("a value"))
    .default({})
    .describe(
      'variables for the service, e.g. `{ "DB_HOST": "{{db.privateIp}}" }`, written to `/etc/<name>/<name>.env` (mode 0640); no secrets: user data is readable in the console and in state',
    ),
});

/** The config file's server fields: the default AMI, shell hardening, app servers and the DB server. */
export const computeConfigFields = {
  ami: amiSourceSchema.optional().meta({
    description: "the image of every instance that names none itself",
    typeLabel: AMI_TYPE_LABEL,
    defaultLabel: "none",
  }),
  hardening: z
    .strictObject({
      sessionTimeoutSeconds: intBetween(60, 86400)
        .default(COMPUTE_DEFAULTS.sessionTimeoutSeconds)
        .describe("idle shells close after this (`TMOUT`, read-only), 60 to 86400"),
      sshMaxAuthTries: intBetween(1, 6)
        .default(COMPUTE_DEFAULTS.sshMaxAuthTries)
        .describe("sshd `MaxAuthTries`, 1 to 6"),
    })
    .prefault({})
    .describe("applies to every instance (bastion and servers)"),
  servers: z
    .strictObject({
      app: z
        .strictObject({
          ...instanceFields,
          tier: z.string().default(COMPUTE_DEFAULTS.appTier).describe("a private or isolated tier"),
          azs: z
            .array(z.string())
            .optional()
            .meta({ description: "some of that tier's AZs", defaultLabel: "all of them" }),
          countPerAz: intBetween(0, 10).default(COMPUTE_DEFAULTS.countPerAz).describe("servers in each AZ, 0 to 10"),
          service: serviceSchema.prefault({}).describe("the service every app server runs under systemd"),
          ingress: z
            .array(
              z.strictObject({
                ports: z.array(port()).min(1, { error: "at least one port" }),
                from: z.array(ingressSourceSchema).min(1, { error: "at least one source" }),
                description: lineOfText("a description").optional(),
              }),
            )
            .optional()
            .meta({
              description:
                'who may reach the service ports: `[{ "ports": [8080], "from": [...], "description": "..." }]`, each source `{ "securityGroup": "bastion" | "app" | "db" | "instance-connect" }`, `{ "tier": "public" }` or `{ "cidr": "10.20.0.0/16" }`; never port 22',
              typeLabel: "rule[]",
              defaultLabel: "`service.port` from the bastion group",
            }),
        })
        .optional()
        .meta({ description: "app servers, each running the service", defaultLabel: "none" }),
      db: z
        .strictObject({
          ...instanceFields,
          tier: z.string().default(COMPUTE_DEFAULTS.dbTier).describe("a private or isolated tier"),
          az: z
            .string()
            .optional()
            .meta({ description: "one of that tier's AZs", defaultLabel: "the tier's first AZ" }),
          port: port()
            .default(COMPUTE_DEFAULTS.dbPort)
            .describe("the DB port, reachable only from the app servers' group"),
          packages: z.array(packageName).optional().meta({
            description:
              "your own engine: packages installed at first boot (named as the image's package manager knows them); with `packages` or `services`, no database, user or password is made for the app",
            defaultLabel: "none: MariaDB, with the app's database, user and password",
          }),
          services: z.array(systemdName("a systemd unit name")).optional().meta({
            description: "your own engine's systemd units, started at first boot and waited for until active",
            defaultLabel: "none: `mariadb`",
          }),
          dataVolume: z
            .strictObject({
              sizeGiB: intBetween(1, 16384)
                .default(DATA_VOLUME_DEFAULTS.sizeGiB)
                .describe(
                  `size of the DB's data volume, 1 to 16384 GiB: an encrypted gp3 EBS volume of its own in the server's AZ, mounted at \`${DATA_VOLUME_DEFAULTS.mountPoint}\` (MariaDB's datadir below it; your own engine's \`services\` wait for the mount: point the engine there), that a replaced instance gets back; grow it in place (a smaller size would replace it)`,
                ),
              preventDestroy: z
                .boolean()
                .default(DATA_VOLUME_DEFAULTS.preventDestroy)
                .describe(
                  "Terraform refuses any plan that destroys or replaces the data volume (`prevent_destroy`); `false` only for a throwaway environment, so `destroy` can remove it and its data",
                ),
            })
            .prefault({})
            .describe("the DB's data volume"),
        })
        .optional()
        .meta({ description: "the DB server, reachable only from the app servers", defaultLabel: "none" }),
    })
    .optional()
    .meta({ description: "the servers behind the bastion", defaultLabel: "none" }),
};

export type ServersConfig = NonNullable<z.infer<typeof computeConfigFields.servers>>;
export type AppServersConfig = NonNullable<ServersConfig["app"]>;
export type DbServerConfig = NonNullable<ServersConfig["db"]>;
export type ServiceConfig = NonNullable<AppServersConfig["service"]>;
/** Who may reach a server's port: another role's security group, a tier's subnets or a CIDR block. */
export type IngressSource = z.infer<typeof ingressSourceSchema>;
export type HardeningConfig = NonNullable<z.infer<typeof computeConfigFields.hardening>>;
