/**
 * The classic web application: a Python web service in front of PostgreSQL, on a private
 * network, with the database's data on a volume and its password as a secret.
 *
 * Both images are built (no registry is needed): the web image from a multi-stage Dockerfile,
 * the database from typed build steps on Debian's postgresql package. The database host
 * builds them; apply sends each web host only the layers it does not have yet.
 */
import { App, BuildStage, HealthCheck, Image, Inventory, Network, Secret, Service, Stack, UpdateOrder, Volume } from 'hoist';

const app = new App();
const stack = new Stack(app, 'shop', {
  defaults: {
    resources: { memory: '256MiB', pids: 200 },
    noNewPrivileges: true,
    logging: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } },
  },
});

const hosts = Inventory.fromDefault(stack, 'hosts', { fallbackFile: 'inventory.json' });
const builder = hosts.withRole('db')[0];
const backend = new Network(stack, 'backend');
const pgdata = new Volume(stack, 'pgdata');
// Generated once per project by `hoist` users, e.g. `openssl rand -hex 24 > .secrets/db-password`;
// the example falls back to an environment variable so CI can set it.
const dbPassword = process.env.SHOP_DB_PASSWORD_FILE
  ? Secret.fromFile(stack, 'db-password', process.env.SHOP_DB_PASSWORD_FILE)
  : Secret.fromEnv(stack, 'db-password', 'SHOP_DB_PASSWORD');

const postgresImage = Image.fromBuildSteps({
  imageName: 'postgres',
  context: 'db',
  builder,
  stages: [
    BuildStage.fromImage('debian:bookworm-slim')
      .run('apt-get update && apt-get install -y --no-install-recommends postgresql-15 && rm -rf /var/lib/apt/lists/*')
      .env('PGDATA', '/var/lib/postgresql/data')
      // The volume mounted here starts as a copy of this directory, owner included.
      .run('mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 0700 "$PGDATA"')
      .copyFiles(['entrypoint.sh'], '/usr/local/bin/hoist-postgres-entrypoint')
      .user('postgres')
      .expose(5432)
      .entrypoint(['/usr/local/bin/hoist-postgres-entrypoint'])
      .cmd(['/usr/lib/postgresql/15/bin/postgres', '-c', 'listen_addresses=*']),
  ],
});

const db = new Service(stack, 'db', {
  image: postgresImage,
  mounts: [pgdata.mount('/var/lib/postgresql/data')],
  networks: [backend.withAliases('postgres')],
  secrets: [dbPassword],
  placement: { hosts: hosts.withRole('db') },
  resources: { memory: '512MiB' },
  healthCheck: HealthCheck.command(['/usr/lib/postgresql/15/bin/pg_isready', '-h', '127.0.0.1'], { startPeriod: '30s' }),
  // One PostgreSQL per data directory: never two at once.
  update: { order: UpdateOrder.STOP_FIRST },
  stopGracePeriod: '30s',
});

new Service(stack, 'web', {
  image: Image.fromDockerfile('web', { target: 'runtime', builder }),
  ports: [{ host: 8081, container: 5000 }],  // 8080 is the multi-host example's, on the same sandbox
  networks: [backend],
  secrets: [dbPassword],
  environment: { DATABASE_HOST: 'postgres', DATABASE_USER: 'postgres', PASSWORD_FILE: '/run/secrets/db-password' },
  placement: { hosts: hosts.withRole('web') },
  replicas: 2,
  healthCheck: HealthCheck.http(5000, { path: '/health' }),
  readOnlyRootFilesystem: true,
  capDrop: ['ALL'],
  dependsOn: [db.whenHealthy()],
});

app.synth();
