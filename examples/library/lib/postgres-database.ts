import * as path from 'node:path';
import { Construct } from 'constructs';
import { App, BuildStage, HealthCheck, Host, Image, Ingress, Network, RouteProtocol, Secret, Service, UpdateOrder, Volume } from 'hoist';
import type { DatabaseConnection } from './database-connection';

/** Regular dumps of a {@link PostgresDatabase} into a volume of their own. */
export interface PostgresBackupOptions {
  /**
   * Time between dumps, in seconds.
   *
   * @default 86400 (a day)
   */
  readonly intervalSeconds?: number;

  /**
   * Dumps kept; older ones are deleted.
   *
   * @default 7
   */
  readonly keep?: number;
}

/** Options for a {@link PostgresDatabase}. */
export interface PostgresDatabaseProps {
  /** The host it runs on (one instance: one data directory). */
  readonly host: Host;

  /** The network clients reach it on; it joins it under `alias`. */
  readonly network: Network;

  /** The password of the `postgres` user, given to the server (and clients) as a file. */
  readonly password: Secret;

  /**
   * The image: PostgreSQL with an entrypoint that initializes the data directory with the
   * password file on first start.
   *
   * @default - Debian's postgresql-15 package built on `host` (no registry needed)
   */
  readonly image?: Image;

  /**
   * The name clients connect to.
   *
   * @default "postgres"
   */
  readonly alias?: string;

  /**
   * Memory limit.
   *
   * @default "512MiB"
   */
  readonly memory?: string;

  /**
   * Dump the database regularly into the volume `<id>-backups`.
   *
   * @default - no backups
   */
  readonly backup?: PostgresBackupOptions;

  /**
   * Reach the database from every host of this ingress, not only from its own: a TCP route
   * through the ingress's proxies. The connection then names the service (`db`) on the
   * ingress's network, which services on any of its hosts can join.
   *
   * @default - reachable on `network`, on the database's host only
   */
  readonly ingress?: Ingress;
}

const DATA_DIR = '/var/lib/postgresql/data';
const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL server: its image, a named volume for its data (kept when the stack is
 * destroyed), the password as a secret file, a health check on `pg_isready`, stop-first
 * updates (never two servers on one data directory), and optionally a backup service that
 * dumps it on a schedule. {@link PostgresDatabase.connection} tells clients how to reach it.
 */
export class PostgresDatabase extends Construct {
  /** The server. */
  public readonly service: Service;

  /** The data volume. */
  public readonly volume: Volume;

  /** The backup service, when backups are on. */
  public readonly backupService?: Service;

  /** How clients reach it. */
  public readonly connection: DatabaseConnection;

  constructor(scope: Construct, id: string, props: PostgresDatabaseProps) {
    super(scope, id);
    const alias = props.alias ?? 'postgres';
    const image = props.image ?? PostgresDatabase.debianImage(this, props.host);
    const passwordFile = `/run/secrets/${props.password.secretName}`;
    this.volume = new Volume(this, 'pgdata');
    this.service = new Service(this, 'db', {
      image,
      mounts: [this.volume.mount(DATA_DIR)],
      networks: [props.network.withAliases(alias)],
      secrets: [props.password],
      environment: { POSTGRES_PASSWORD_FILE: passwordFile },
      placement: { hosts: [props.host] },
      resources: { memory: props.memory ?? '512MiB' },
      healthCheck: HealthCheck.command([`${BIN}/pg_isready`, '-h', '127.0.0.1'], { startPeriod: '30s' }),
      update: { order: UpdateOrder.STOP_FIRST },
      stopGracePeriod: '30s',
      routes: props.ingress ? [{ ingress: props.ingress, port: 5432, protocol: RouteProtocol.TCP }] : undefined,
    });
    this.connection = props.ingress
      ? { host: this.service.serviceName, port: 5432, user: 'postgres', database: 'postgres', password: props.password, passwordFile, network: props.ingress.network, service: this.service }
      : { host: alias, port: 5432, user: 'postgres', database: 'postgres', password: props.password, passwordFile, network: props.network, service: this.service };

    if (props.backup) {
      const interval = props.backup.intervalSeconds ?? 86400;
      const keep = props.backup.keep ?? 7;
      const backups = new Volume(this, 'backups');
      // A dump, then the oldest beyond `keep` removed, then sleep; pg_dump reads the password
      // from the secret file through PGPASSFILE's format.
      const script = [
        'set -eu',
        `printf '%s:5432:*:postgres:%s\\n' '${alias}' "$(cat ${passwordFile})" > /tmp/pgpass && chmod 600 /tmp/pgpass`,
        'export PGPASSFILE=/tmp/pgpass',
        'while true; do',
        `  ${BIN}/pg_dump -h '${alias}' -U postgres -Fc -f "/backups/dump-$(date -u +%Y%m%dT%H%M%SZ).pgdump" postgres`,
        `  ls -1t /backups/dump-*.pgdump | tail -n +${keep + 1} | xargs -r rm -f`,
        `  sleep ${interval}`,
        'done',
      ].join('\n');
      this.backupService = new Service(this, 'backup', {
        image,
        entrypoint: ['sh', '-c'],
        command: [script],
        mounts: [backups.mount('/backups')],
        networks: [props.network],
        secrets: [props.password],
        placement: { hosts: [props.host] },
        resources: { memory: '128MiB' },
        healthCheck: HealthCheck.none(),
        dependsOn: [this.service.whenHealthy()],
      });
    }
  }

  /**
   * Debian's postgresql-15, built on `builder` from typed build steps (no registry needed),
   * with this library's entrypoint (postgres/entrypoint.sh) as its build context.
   */
  public static debianImage(scope: Construct, builder: Host): Image {
    // Relative to the project, so the graph is the same on every machine with this layout.
    const root = scope.node.root;
    const projectDir = App.isApp(root) ? root.projectDir : process.cwd();
    return Image.fromBuildSteps({
      imageName: 'postgres',
      context: path.relative(projectDir, path.join(__dirname, '..', 'postgres')).split(path.sep).join('/'),
      builder,
      stages: [
        BuildStage.fromImage('debian:bookworm-slim')
          .run('apt-get update && apt-get install -y --no-install-recommends postgresql-15 && rm -rf /var/lib/apt/lists/*')
          .env('PGDATA', DATA_DIR)
          // The volume mounted here starts as a copy of this directory, owner included.
          .run('mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 0700 "$PGDATA"')
          .copyFiles(['entrypoint.sh'], '/usr/local/bin/hoist-postgres-entrypoint')
          .user('postgres')
          .expose(5432)
          .entrypoint(['/usr/local/bin/hoist-postgres-entrypoint'])
          .cmd([`${BIN}/postgres`, '-c', 'listen_addresses=*']),
      ],
    });
  }
}
