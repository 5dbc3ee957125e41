import {
  installIfMissing,
  installPackages,
  OS_PACKAGES,
  startAndWait,
  SERVICE_START_TIMEOUT_SECONDS,
} from "../instance/user-data";

/**
 * How the app gets a database login with no secret in user data, Terraform state or logs:
 * 1. the DB server, at first boot, generates a random password on the instance, creates the database and its user,
 *    and writes the password to an SSM Parameter Store SecureString that only the DB server's role may write;
 * 2. each app server's service, before every start, reads that parameter (only the app servers' role may) into a
 *    root-only runtime env file that systemd hands to the service as `DB_PASSWORD` (with `DB_USER` and `DB_NAME`).
 * The password is passed to no command line (the audit log records every command's arguments) and printed nowhere.
 */
export interface DbCredentials {
  /** AWS region of the parameter. */
  readonly region: string;
  /** The SecureString's name: `dbPasswordParameterName(environment)`. */
  readonly parameterName: string;
  /** Database the app uses. */
  readonly database: string;
  /** The app's database user. */
  readonly user: string;
}

/** The database and user the DB server creates for the app. */
export const DB_CREDENTIAL_DEFAULTS = { database: "app", user: "app" };

/** The credentials of an environment's DB server: database and user `app`, the parameter under the environment's path. */
export function defaultDbCredentials(environment: string, region: string): DbCredentials {
  return { region, parameterName: dbPasswordParameterName(environment), ...DB_CREDENTIAL_DEFAULTS };
}

/** The parameter holding the app's DB password, under the environment's path. */
export function dbPasswordParameterName(environment: string): string {
  return `/${environment}/db/app-password`;
}

/** The parameter's ARN (any account: the stack plans without AWS, so it cannot look the account up). */
export function dbPasswordParameterArn(
  credentials: Pick<DbCredentials, "region" | "parameterName">,
  partition = "aws",
): string {
  return `arn:${partition}:ssm:${credentials.region}:*:parameter${credentials.parameterName}`;
}

/** IAM statements: the DB server may write the parameter, the app servers may read it; nothing else. */
export function dbPasswordStatements(credentials: Pick<DbCredentials, "region" | "parameterName">): {
  db: object;
  app: object;
} {
  const Resource = dbPasswordParameterArn(credentials);
  return {
    db: { Sid: "WriteDbPassword", Effect: "Allow", Action: ["ssm:PutParameter"], Resource },
    app: { Sid: "ReadDbPassword", Effect: "Allow", Action: ["ssm:GetParameter"], Resource },
  };
}

/** A quoted SQL string literal of a name we chose (letters, digits, _ only). */
function sqlName(name: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(name))
    throw new Error(`database or user name "${name}": expected letters, digits and _ only`);
  return name;
}

/** MariaDB's datadir on a data volume mounted at `mountPoint`: a folder of its own, beside the volume's lost+found. */
export function mariadbDataDir(mountPoint: string): string {
  return `${mountPoint}/mysql`;
}

/**
 * Installs MariaDB (from the image's own repository) with its datadir on the data volume mounted at `mountPoint`
 * (`mariadbDataDir`): stops what the package may have started on the root volume, creates the system tables there only
 * when the volume has none (a new instance keeps the databases the last one left), and says so in a config file named
 * to be read after the package's own (`zz-`: after `50-server.cnf` on Debian and `mariadb-server.cnf` on Amazon Linux,
 * which set the default datadir). Leaves MariaDB stopped.
 */
function renderMariadbInstall(mountPoint: string): string {
  const dataDir = mariadbDataDir(mountPoint);
  return `# MariaDB, its datadir on the data volume (${dataDir}).
${installPackages(OS_PACKAGES.mariadb)}systemctl stop mariadb.service 2>/dev/null || true
if [ ! -d ${dataDir}/mysql ]; then
  install -d -o mysql -g mysql -m 0750 ${dataDir}
  install_db=$(command -v mariadb-install-db || command -v mysql_install_db)
  "$install_db" --user=mysql --datadir=${dataDir} >/dev/null
fi
if command -v selinuxenabled >/dev/null && selinuxenabled; then chcon -R -t mysqld_db_t ${dataDir}; fi
mariadb_conf_dir=/etc/my.cnf.d
[ -d /etc/mysql/mariadb.conf.d ] && mariadb_conf_dir=/etc/mysql/mariadb.conf.d
printf '[mysqld]\\ndatadir = %s\\n' ${dataDir} > "$mariadb_conf_dir/zz-cdktf-datadir.cnf"
`;
}

/**
 * The DB server's engine (`renderMariadbInstall`: MariaDB, its datadir on the data volume at `mountPoint`),
 * listening on its private address only; at first boot the app's database, user and password, the password going to
 * the SSM parameter (a new instance on the same volume makes a new password). Waits for MariaDB to be active and
 * listening, and fails loudly if it is not.
 */
export function renderMariadbSetup(credentials: DbCredentials, port: number, mountPoint: string): string {
  const database = sqlName(credentials.database);
  const user = sqlName(credentials.user);
  return `${renderMariadbInstall(mountPoint)}# MariaDB on this server's private address, with the app's database and user; the password goes to SSM only.
${installIfMissing("aws", OS_PACKAGES.awsCli)}private_ip=$(ip -4 -o route get 192.0.2.1 | awk '{for (i = 1; i < NF; i++) if ($i == "src") print $(i + 1)}')
[ -n "$private_ip" ] || { echo "no private IPv4 address found" >&2; exit 1; }
conf_dir=/etc/my.cnf.d
[ -d /etc/mysql/mariadb.conf.d ] && conf_dir=/etc/mysql/mariadb.conf.d
printf '[mysqld]\\nbind-address = %s\\nport = ${port}\\n' "$private_ip" > "$conf_dir/90-cdktf.cnf"
${startAndWait("mariadb", SERVICE_START_TIMEOUT_SECONDS, port)}umask 077
# 24 random bytes as hex; made by the shell, given to no command line (the audit log keeps every command's arguments).
password=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \\n')
mysql --protocol=socket -uroot <<SQL
CREATE DATABASE IF NOT EXISTS ${database};
CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY '$password';
ALTER USER '${user}'@'%' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON ${database}.* TO '${user}'@'%';
SQL
request=$(mktemp)
printf '{"Name": "%s", "Type": "SecureString", "Overwrite": true, "Value": "%s"}' '${credentials.parameterName}' "$password" > "$request"
unset password
aws ssm put-parameter --region ${credentials.region} --cli-input-json "file://$request" >/dev/null
rm -f "$request"
umask 022
echo "database ${database} and user ${user} created; password in SSM parameter ${credentials.parameterName}"
`;
}

/** Seconds an app server's service start waits for the DB server to have written the password. */
export const DB_PASSWORD_WAIT_SECONDS = 600;

/**
 * The app service's start script (`ExecStartPre=+`, as root): reads the password parameter, waiting up to
 * `DB_PASSWORD_WAIT_SECONDS` for the DB server's first boot, into `envFile` (mode 0600).
 */
export function renderDbPasswordFetch(credentials: DbCredentials, envFile: string): string {
  const database = sqlName(credentials.database);
  const user = sqlName(credentials.user);
  return `#!/bin/bash
# Written by cdktf user data: the DB login for the service, from SSM Parameter Store into a root-only env file.
set -euo pipefail
deadline=$((SECONDS + ${DB_PASSWORD_WAIT_SECONDS}))
until password=$(aws ssm get-parameter --region ${credentials.region} --name '${credentials.parameterName}' --with-decryption --query Parameter.Value --output text); do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "no DB password in SSM parameter ${credentials.parameterName} after ${DB_PASSWORD_WAIT_SECONDS} s (the DB server writes it at its first boot)" >&2
    exit 1
  fi
  sleep 10
done
umask 077
printf 'DB_NAME=%s\\nDB_USER=%s\\nDB_PASSWORD=%s\\n' '${database}' '${user}' "$password" > '${envFile}.tmp'
mv -f '${envFile}.tmp' '${envFile}'
`;
}
