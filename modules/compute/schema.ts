import { z } from "zod";
import { amiSourceSchema } from "../ami/ami";

/** An integer field with one message for both bounds. */
export function intBetween(min: number, max: number) {
  const error = `an integer from ${min} to ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

const port = () => intBetween(1, 65535);
const systemdName = (what: string) => z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, { error: `${what}: lowercase letters, digits and dashes, starting with a letter` });
const packageName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9+._-]*$/, { error: "a package name such as mariadb105-server" });
/** One line of text that is safe inside a double-quoted systemd value and a Terraform string. */
const lineOfText = (what: string) =>
  z.string().regex(/^(?![\s\S]*(\$\{|%\{))[^"\\\n\r`]*$/, { error: `${what} on one line, without " \\ \` or \${ %{` });

/** Fields every instance block has (bastion, servers.app, servers.db). */
export const instanceFields = {
  ami: amiSourceSchema.optional(),
  instanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: 'an EC2 instance type such as "t3.micro"' }).optional(),
  sshUser: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: "a Linux user name such as ec2-user or ubuntu" }).optional(),
  rootVolumeGiB: intBetween(8, 16384).optional(),
  detailedMonitoring: z.boolean().optional(),
};

/** Where a service port may be reached from: a role's security group, every subnet of a tier, or a CIDR block. */
export const ingressSourceSchema = z.union(
  [
    z.strictObject({ securityGroup: z.enum(["bastion", "app", "db"]) }),
    z.strictObject({ tier: z.string() }),
    z.strictObject({ cidr: z.string() }),
  ],
  { error: 'one of { "securityGroup": "bastion" | "app" | "db" }, { "tier": "<tier name>" }, { "cidr": "10.0.0.0/16" }' },
);

const serviceSchema = z.strictObject({
  name: systemdName("a service name").optional(),
  port: port().optional(),
  command: lineOfText("an absolute command line").regex(/^\//, { error: "an absolute command line, starting with /" }).optional(),
  artifact: z
    .strictObject({
      url: z.string().regex(/^https:\/\/[^\s"'\\`$]+$/, { error: "an https:// URL without spaces or quotes" }),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: "the artifact's SHA-256 as 64 lowercase hex digits" }).optional(),
    })
    .optional(),
  packages: z.array(packageName).optional(),
  // Keys are checked by planServers: zod reports a bad record key without the key.
  environment: z.record(z.string(), lineOfText("a value")).optional(),
});

/** The config file's server fields: the default AMI, shell hardening, app servers and the DB server. */
export const computeConfigFields = {
  ami: amiSourceSchema.optional(),
  hardening: z
    .strictObject({
      sessionTimeoutSeconds: intBetween(60, 86400).optional(),
      sshMaxAuthTries: intBetween(1, 6).optional(),
    })
    .optional(),
  servers: z
    .strictObject({
      app: z
        .strictObject({
          ...instanceFields,
          tier: z.string().optional(),
          azs: z.array(z.string()).optional(),
          countPerAz: intBetween(0, 10).optional(),
          service: serviceSchema.optional(),
          ingress: z
            .array(
              z.strictObject({
                ports: z.array(port()).min(1, { error: "at least one port" }),
                from: z.array(ingressSourceSchema).min(1, { error: "at least one source" }),
                description: lineOfText("a description").optional(),
              }),
            )
            .optional(),
        })
        .optional(),
      db: z
        .strictObject({
          ...instanceFields,
          tier: z.string().optional(),
          az: z.string().optional(),
          port: port().optional(),
          packages: z.array(packageName).optional(),
          services: z.array(systemdName("a systemd unit name")).optional(),
        })
        .optional(),
    })
    .optional(),
};

export type ServersConfig = NonNullable<z.infer<typeof computeConfigFields.servers>>;
export type AppServersConfig = NonNullable<ServersConfig["app"]>;
export type DbServerConfig = NonNullable<ServersConfig["db"]>;
export type ServiceConfig = NonNullable<AppServersConfig["service"]>;
export type IngressSource = z.infer<typeof ingressSourceSchema>;
export type HardeningConfig = NonNullable<z.infer<typeof computeConfigFields.hardening>>;

export const COMPUTE_DEFAULTS = {
  instanceType: "t3.micro",
  sshUser: "ec2-user",
  sessionTimeoutSeconds: 600,
  sshMaxAuthTries: 3,
  appTier: "internal",
  countPerAz: 1,
  serviceName: "app",
  servicePort: 8080,
  dbTier: "internal",
  dbPort: 3306,
  /** No `packages` and `services` in servers.db: MariaDB, with the app's database, user and password (README). */
  dbPackages: [] as string[],
  dbServices: [] as string[],
  detailedMonitoring: false,
};
