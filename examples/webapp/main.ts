/**
 * The classic web application: a Python web service in front of PostgreSQL, on a private
 * network, with the database's data on a volume and its password as a secret.
 *
 * Both images are built (no registry is needed): the web image from a multi-stage Dockerfile,
 * the database (by the PostgresDatabase construct of ../library) from typed build steps on
 * Debian's postgresql package. The database host builds them; apply sends each web host only
 * the layers it does not have yet.
 */
import {
  App, ApplyStep, BuildStep, CiSystem, DriftCheckStep, Image, Ingress, Inventory, LintStep, Network, Pipeline, PlanStep, RunStep, Secret, Stack, Trigger,
  TriggerType,
} from 'hoist';
import { PostgresDatabase, WebService } from '../library/lib';

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
// Generated once per project by `hoist` users, e.g. `openssl rand -hex 24 > .secrets/db-password`;
// the example falls back to an environment variable so CI can set it.
const dbPassword = process.env.SHOP_DB_PASSWORD_FILE
  ? Secret.fromFile(stack, 'db-password', process.env.SHOP_DB_PASSWORD_FILE)
  : Secret.fromEnv(stack, 'db-password', 'SHOP_DB_PASSWORD');

// The database and the web service come from a construct library (../library): the image,
// volume, secret file, health checks and update orders are its defaults, and the web service
// takes the database's typed connection instead of hand-wired environment variables.
// A proxy on every web host and on the database host: it serves the web app on port 8081
// (8080 is the multi-host example's, on the same sandbox), switches traffic during its
// rolling updates, and carries the web replicas' database connections to the database host.
const webHosts = hosts.withRole('web');
const edge = new Ingress(stack, 'edge', { hosts: [...new Set([...webHosts, builder])], httpPort: 8081 });
const database = new PostgresDatabase(stack, 'postgres', { host: builder, network: backend, password: dbPassword, ingress: edge });

const webImage = Image.fromDockerfile('web', { target: 'runtime', builder });

new WebService(stack, 'app', {
  image: webImage,
  port: 5000,
  ingress: edge,
  hosts: webHosts,
  replicas: webHosts.length,
  database: database.connection,
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
