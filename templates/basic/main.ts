/**
 * Your Hoist stack. `npx hoist synth` turns it into hoist.out/graph.json, and its pipeline
 * into .github/workflows/deploy.yml (`npx hoist pipeline run deploy` runs it here).
 *
 * Hosts come from the inventory: the file named by HOIST_INVENTORY, else the local sandbox
 * (`sudo npx hoist sandbox up`), else inventory.json beside this file.
 */
import { App, ApplyStep, DriftCheckStep, HealthCheck, Image, Inventory, Pipeline, PlanStep, Service, Stack, Trigger, TriggerType } from 'hoist';

const app = new App();
const stack = new Stack(app, '{{stackName}}', {
  defaults: { resources: { memory: '64MiB', pids: 100 }, noNewPrivileges: true },
});
const hosts = Inventory.fromDefault(stack, 'hosts', { fallbackFile: 'inventory.json' });

new Service(stack, 'hello', {
  image: Image.fromRegistry('busybox:latest'),
  command: ['sh', '-c', 'mkdir -p /tmp/www && echo "hello from $(hostname)" > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www'],
  ports: [{ host: 8080, container: 8080 }],
  replicas: hosts.hosts.length,
  user: '65534:65534',
  healthCheck: HealthCheck.http(8080),
});

// Plan on every pull request (the plan is the review comment), apply that plan on merge to
// main once a person approves the "production" environment, check for drift every night.
const pipeline = new Pipeline(app, 'deploy', {
  triggers: [Trigger.pullRequest(), Trigger.push({ branches: ['main'] }), Trigger.schedule('0 4 * * *')],
});
const review = pipeline.addStage('review', { on: [TriggerType.PULL_REQUEST, TriggerType.PUSH] });
const plan = new PlanStep(review, 'plan', { stack });
new ApplyStep(pipeline.addStage('apply', { on: [TriggerType.PUSH] }), 'apply', { plan, approval: 'production' });
new DriftCheckStep(pipeline.addStage('drift', { on: [TriggerType.SCHEDULE], needs: [] }), 'check', { stack });

app.synth();
