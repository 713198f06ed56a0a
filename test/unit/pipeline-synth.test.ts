import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  ApplyStep, BuildStep, CiSystem, DriftCheckStep, Host, Image, LintStep, Pipeline, PlanStep, RunStep, Secret, Service, ShellStep, Stack, Testing,
  Trigger, TriggerType,
} from '../../lib';
import type { PipelinesDocument } from '../../lib/graph/pipeline-document';

/** A project with a built web image on a builder, two hosts, and an env secret. */
function project() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-pipeline-synth-'));
  fs.mkdirSync(path.join(dir, 'web'));
  fs.writeFileSync(path.join(dir, 'web', 'Dockerfile'), 'FROM busybox:1.36\nCOPY . /app\n');
  process.env.HOIST_PIPELINE_TEST_TOKEN = 'pipeline-test-token-value';
  const app = Testing.app({ projectDir: dir });
  const stack = new Stack(app, 'shop');
  const h1 = new Host(stack, 'h1', { address: '10.9.0.1', hostKeyFingerprint: `SHA256:${'A'.repeat(43)}` });
  const h2 = new Host(stack, 'h2', { address: '10.9.0.2' });
  const token = Secret.fromEnv(stack, 'api-token', 'HOIST_PIPELINE_TEST_TOKEN');
  const webImage = Image.fromDockerfile('web', { imageName: 'web', builder: h1 });
  new Service(stack, 'web', { image: webImage, replicas: 2, placement: { hosts: [h1, h2] }, secrets: [token] });
  return { app, stack, h1, h2, token, webImage };
}

/** The pipeline a README would show: checks, review, deploy with approval, nightly drift. */
function delivery(p = project()) {
  const pipeline = new Pipeline(p.app, 'delivery', {
    triggers: [Trigger.push(), Trigger.pullRequest({ branches: ['main'] }), Trigger.schedule('0 3 * * *'), Trigger.manual()],
    ci: [CiSystem.GITLAB_CI, CiSystem.GITHUB_ACTIONS],
  });
  const checks = pipeline.addStage('checks', { on: [TriggerType.PULL_REQUEST, TriggerType.PUSH] });
  new BuildStep(checks, 'build', { stack: p.stack });
  new RunStep(checks, 'unit-tests', { stack: p.stack, image: p.webImage, command: ['sh', '-c', 'test -d /app'], environment: { CI: 'true' }, secrets: { API_TOKEN: p.token } });
  new LintStep(checks, 'lint', { stack: p.stack });
  const review = pipeline.addStage('review', { on: [TriggerType.PULL_REQUEST, TriggerType.PUSH] });
  const plan = new PlanStep(review, 'plan', { stack: p.stack });
  const deploy = pipeline.addStage('deploy', { on: [TriggerType.PUSH] });
  new ApplyStep(deploy, 'apply', { plan, approval: 'production' });
  new ShellStep(deploy, 'notify', { command: ['echo', 'deployed'] });
  const drift = pipeline.addStage('drift', { on: [TriggerType.SCHEDULE], needs: [] });
  new DriftCheckStep(drift, 'check', { stack: p.stack });
  return { ...p, pipeline, checks, review, deploy, plan };
}

const problemsOf = (build: (p: ReturnType<typeof project>) => void): string[] => {
  const p = project();
  build(p);
  return Testing.validate(p.app);
};

describe('pipelines: synth', () => {
  it('gives the pipelines document: stages in order, steps resolved against the graph, CI secret names and no values', () => {
    const { app } = delivery();
    const doc = Testing.synthPipelines(app) as PipelinesDocument;
    assert.equal(doc.pipelines.length, 1);
    const [pipeline] = doc.pipelines;
    assert.equal(pipeline.name, 'delivery');
    assert.deepEqual(pipeline.ci, ['github', 'gitlab']);
    assert.deepEqual(pipeline.triggers.map((t) => t.type), ['pull_request', 'push', 'schedule', 'manual']);
    assert.deepEqual(pipeline.triggers[1].branches, ['main'], 'a push trigger defaults to main');
    assert.equal(pipeline.triggers[2].cron, '0 3 * * *');
    assert.deepEqual(pipeline.stages.map((s) => [s.name, s.needs, s.on, s.approval]), [
      ['checks', [], ['pull_request', 'push'], null],
      ['review', ['checks'], ['pull_request', 'push'], null],
      ['deploy', ['review'], ['push'], 'production'],
      ['drift', [], ['schedule'], null],
    ]);
    const run = pipeline.stages[0].steps[1];
    assert.equal(run.type, 'run');
    if (run.type !== 'run') return;
    assert.equal(run.host, 'h1', 'a built image runs on its builder');
    assert.match(run.image.reference, /^hoist\/shop\/web:[0-9a-f]{16}$/);
    assert.equal(run.image.resource, 'image:shop/web');
    assert.deepEqual(run.secrets, [{ env: 'API_TOKEN', secret: 'secret:shop/api-token', origin: { kind: 'env', variable: 'HOIST_PIPELINE_TEST_TOKEN' } }]);
    assert.equal(run.timeoutSeconds, 600);
    const apply = pipeline.stages[2].steps[0];
    assert.deepEqual(apply.type === 'apply' && [apply.plan, apply.planFile], ['review/plan', 'hoist.out/pipeline/delivery/review-plan.plan.json']);
    assert.equal(pipeline.artifactDirectory, 'hoist.out/pipeline/delivery');
    assert.deepEqual(pipeline.access.secrets, [{ env: 'HOIST_PIPELINE_TEST_TOKEN', ciName: 'HOIST_PIPELINE_TEST_TOKEN', secrets: ['shop/api-token'] }]);
    assert.equal(pipeline.access.knownHostsSecret, 'HOIST_SSH_KNOWN_HOSTS', 'h2 pins no fingerprint, so CI needs known_hosts');
    assert.doesNotMatch(JSON.stringify(doc), /pipeline-test-token-value/);
  });

  it('is deterministic: the same program gives the same document', () => {
    assert.equal(JSON.stringify(Testing.synthPipelines(delivery().app)), JSON.stringify(Testing.synthPipelines(delivery().app)));
  });

  it('an app without pipelines has an empty document', () => {
    assert.deepEqual(Testing.synthPipelines(project().app).pipelines, []);
  });

  it('refuses an apply that runs before its plan, naming the step and the fix', () => {
    const problems = problemsOf((p) => {
      const pipeline = new Pipeline(p.app, 'delivery', { triggers: [Trigger.push()] });
      const deploy = pipeline.addStage('deploy');
      const review = pipeline.addStage('review', { needs: [] });
      new ApplyStep(deploy, 'apply', { plan: new PlanStep(review, 'plan', { stack: p.stack }) });
    });
    assert.deepEqual(problems, ['delivery/deploy/apply: applies the plan of delivery/review/plan, which does not run before it; make stage deploy need stage review']);
  });

  it('accepts an apply after its plan in one stage; refuses one that runs on a trigger its plan does not', () => {
    const problems = problemsOf((p) => {
      const pipeline = new Pipeline(p.app, 'delivery', { triggers: [Trigger.push(), Trigger.manual()] });
      const together = pipeline.addStage('together');
      new ApplyStep(together, 'apply', { plan: new PlanStep(together, 'plan', { stack: p.stack }) });
      const review = pipeline.addStage('review', { on: [TriggerType.PUSH] });
      const plan = new PlanStep(review, 'plan', { stack: p.stack });
      new ApplyStep(pipeline.addStage('deploy'), 'apply', { plan });
    });
    assert.deepEqual(problems, ['delivery/deploy/apply: runs on manual, where the stage review that makes its plan does not run; give both the same triggers']);
  });

  it('refuses a cycle of stages, naming it', () => {
    const problems = problemsOf((p) => {
      const pipeline = new Pipeline(p.app, 'delivery', { triggers: [Trigger.push()] });
      const a = pipeline.addStage('a');
      const b = pipeline.addStage('b', { needs: [a] });
      (a as any)._props = { needs: [b] };
      new LintStep(a, 'lint', { stack: p.stack });
      new LintStep(b, 'lint', { stack: p.stack });
    });
    assert.deepEqual(problems, ['delivery: its stages need each other in a cycle: a -> b -> a']);
  });

  it('refuses a stack or a secret of another app, and an image no service of the stack builds', () => {
    const problems = problemsOf((p) => {
      const other = project();
      const pipeline = new Pipeline(p.app, 'delivery', { triggers: [Trigger.push()] });
      const stage = pipeline.addStage('checks');
      new BuildStep(stage, 'build', { stack: other.stack });
      new RunStep(stage, 'foreign-image', { stack: p.stack, image: Image.fromDockerfile('web', { imageName: 'other' }) });
      new RunStep(stage, 'foreign-secret', { stack: p.stack, image: p.webImage, secrets: { TOKEN: other.token } });
    });
    assert.deepEqual(problems, [
      'delivery/checks/build: stack: shop is a stack of another app; a pipeline deploys the stacks of its own app',
      'delivery/checks/foreign-image: image: no service of shop uses this built image, so no build makes it; run a registry image, or an image a service of the stack uses',
      'delivery/checks/foreign-secret: secrets.TOKEN: is not a Secret of shop',
    ]);
  });

  it('refuses bad triggers, names and hosts with the construct path', () => {
    const problems = problemsOf((p) => {
      const pipeline = new Pipeline(p.app, 'Delivery', { triggers: [Trigger.schedule('0 25 * * *'), Trigger.push({ branches: ['main; rm -rf /'] })], sshKeySecret: 'ssh key' });
      const stage = pipeline.addStage('checks', { on: [TriggerType.PULL_REQUEST] });
      new RunStep(stage, 'registry', { stack: p.stack, image: Image.fromRegistry('busybox:1.36'), timeout: '10' });
      pipeline.addStage('empty');
    });
    assert.deepEqual(problems, [
      'Delivery/checks/registry: host: a registry image needs a host to run on; name one of the stack\'s hosts',
      'Delivery/checks: on: "pull_request" is not a trigger of Delivery; add it to the pipeline\'s triggers or remove it here',
      'Delivery/empty: has no steps; create steps with this stage as their scope',
      'Delivery: pipelineName: "Delivery" must be lowercase letters, digits and "-", starting with a letter (it names the workflow file)',
      'Delivery: sshKeySecret: "ssh key" is not a CI secret name (upper-case letters, digits and "_", not starting with GITHUB_)',
      'Delivery: triggers[0]: "0 25 * * *": field 2 ("25") must be *, a number from 0 to 23, a range, a list or a step',
      'Delivery: triggers[1]: "main; rm -rf /" is not a branch name Hoist writes into CI files (letters, digits, ".", "_", "-", "/")',
    ]);
  });

  it('runs a registry image on the host named, and checks that host belongs to the stack', () => {
    const p = project();
    const pipeline = new Pipeline(p.app, 'jobs', { triggers: [Trigger.manual()] });
    const stage = pipeline.addStage('migrate');
    new RunStep(stage, 'migrate', { stack: p.stack, image: Image.fromRegistry('busybox'), host: p.h2, timeout: '90s' });
    const doc = Testing.synthPipelines(p.app) as PipelinesDocument;
    const step = doc.pipelines[0].stages[0].steps[0];
    assert.deepEqual(step.type === 'run' && [step.host, step.image, step.timeoutSeconds], ['h2', { reference: 'busybox:latest', resource: null }, 90]);

    const elsewhere = project();
    const q = project();
    new RunStep(new Pipeline(q.app, 'jobs', { triggers: [Trigger.manual()] }).addStage('migrate'), 'migrate', { stack: q.stack, image: Image.fromRegistry('busybox'), host: elsewhere.h2 });
    assert.deepEqual(Testing.validate(q.app), ['jobs/migrate/migrate: host: shop/h2 is not a host or builder of shop']);
  });
});
