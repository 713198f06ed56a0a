/**
 * The classic web application: a Python web service in front of PostgreSQL, on a private
 * network, with the database's data on a volume and its password as a secret.
 *
 * Both images are built (no registry is needed): the web image from a multi-stage Dockerfile,
 * the database from typed build steps on Debian's postgresql package. The database host
 * builds them; apply sends each web host only the layers it does not have yet.
 */
import {
  App, ApplyStep, BuildStage, BuildStep, CiSystem, DriftCheckStep, HealthCheck, Image, Inventory, LintStep, Network, Pipeline, PlanStep, RunStep,
  Secret, Service, Stack, Trigger, TriggerType, UpdateOrder, Volume,
} from 'hoist';

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

const webImage = Image.fromDockerfile('web', { target: 'runtime', builder });

new Service(stack, 'web', {
  image: webImage,
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

// Delivery: checks and a plan on every pull request, the reviewed plan applied on merge to main
// after a person approves (the "production" environment), and a nightly drift check.
// `hoist synth` writes it as .github/workflows/delivery.yml and .gitlab-ci.yml;
// `hoist pipeline run delivery` runs the same steps here.
const delivery = new Pipeline(app, 'delivery', {
  triggers: [Trigger.pullRequest({ branches: ['main'] }), Trigger.push({ branches: ['main'] }), Trigger.schedule('0 3 * * *'), Trigger.manual()],
  ci: [CiSystem.GITHUB_ACTIONS, CiSystem.GITLAB_CI],
});
const onChange = [TriggerType.PULL_REQUEST, TriggerType.PUSH, TriggerType.MANUAL];
const checks = delivery.addStage('checks', { on: onChange });
new BuildStep(checks, 'build', { stack });
new RunStep(checks, 'unit-tests', { stack, image: webImage, command: ['python3', '-m', 'unittest', '-v', 'test_server'], timeout: '5m' });
new LintStep(checks, 'lint', { stack });
const review = delivery.addStage('review', { on: onChange });
const plan = new PlanStep(review, 'plan', { stack });
const deploy = delivery.addStage('deploy', { on: [TriggerType.PUSH, TriggerType.MANUAL] });
new ApplyStep(deploy, 'apply', { plan, approval: 'production' });
const nightly = delivery.addStage('drift', { on: [TriggerType.SCHEDULE], needs: [] });
new DriftCheckStep(nightly, 'check', { stack });

app.synth();
