import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  ApplyStep, BuildStep, DriftCheckStep, Host, Image, LintStep, Pipeline, PlanStep, RunStep, Secret, Service, Stack, Testing, Trigger, TriggerType,
} from '../../lib';
import type { PipelineSpec, PipelinesDocument, StageSpec, StepSpec, TriggerName } from '../../lib/graph/pipeline-document';
import { defaultTrigger, runPipeline, type PipelineRunEvent, type PipelineRunOptions } from '../../lib/pipelines/run-pipeline';
import { REPO_ROOT, startHoist, type CliResult } from '../helpers/cli';
import { tempProject } from '../helpers/project';

// ---------------------------------------------------------------------------------------------
// A. runPipeline with a recording executor: no I/O, the order and the rules alone.
// ---------------------------------------------------------------------------------------------

/** The pipeline a README would show: checks -> review -> deploy (approval, push only), and a nightly drift check. */
function deliverySpec(): PipelineSpec {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-pipeline-run-'));
  fs.mkdirSync(path.join(dir, 'web'));
  fs.writeFileSync(path.join(dir, 'web', 'Dockerfile'), 'FROM busybox:1.36\nCOPY . /app\n');
  process.env.HOIST_PIPELINE_RUN_TEST_TOKEN = 'pipeline-run-token-value';
  const app = Testing.app({ projectDir: dir });
  const stack = new Stack(app, 'shop');
  const h1 = new Host(stack, 'h1', { address: '10.9.0.1', hostKeyFingerprint: `SHA256:${'A'.repeat(43)}` });
  const h2 = new Host(stack, 'h2', { address: '10.9.0.2' });
  const token = Secret.fromEnv(stack, 'api-token', 'HOIST_PIPELINE_RUN_TEST_TOKEN');
  const webImage = Image.fromDockerfile('web', { imageName: 'web', builder: h1 });
  new Service(stack, 'web', { image: webImage, replicas: 2, placement: { hosts: [h1, h2] }, secrets: [token] });

  const pipeline = new Pipeline(app, 'delivery', { triggers: [Trigger.push(), Trigger.pullRequest({ branches: ['main'] }), Trigger.schedule('0 3 * * *')] });
  const checks = pipeline.addStage('checks', { on: [TriggerType.PULL_REQUEST, TriggerType.PUSH] });
  new BuildStep(checks, 'build', { stack });
  new RunStep(checks, 'unit-tests', { stack, image: webImage, command: ['sh', '-c', 'test -d /app'], secrets: { API_TOKEN: token } });
  new LintStep(checks, 'lint', { stack });
  const review = pipeline.addStage('review', { on: [TriggerType.PULL_REQUEST, TriggerType.PUSH] });
  const plan = new PlanStep(review, 'plan', { stack });
  const deploy = pipeline.addStage('deploy', { on: [TriggerType.PUSH] });
  new ApplyStep(deploy, 'apply', { plan, approval: 'production' });
  const drift = pipeline.addStage('drift', { on: [TriggerType.SCHEDULE], needs: [] });
  new DriftCheckStep(drift, 'check', { stack });

  const doc = Testing.synthPipelines(app) as PipelinesDocument;
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(doc.pipelines.length, 1);
  return doc.pipelines[0];
}

const SPEC = deliverySpec();

/** A compact, comparable form of an event. */
function show(event: PipelineRunEvent): string {
  switch (event.type) {
    case 'run-start': return `run-start ${event.pipeline} ${event.trigger ?? '-'} [${event.stages.join(',')}]`;
    case 'stage-start': return `stage-start ${event.stage}`;
    case 'stage-skipped': return `stage-skipped ${event.stage}: ${event.reason}`;
    case 'approval': return `approval ${event.stage} ${event.environment} ${event.approved}`;
    case 'step-start': return `step-start ${event.stage}/${event.step.name}`;
    case 'step-done': return `step-done ${event.stage}/${event.step.name} ${event.ok ? 'ok' : `failed: ${event.message}`}`;
    case 'run-done': return `run-done ${event.ok}`;
  }
}

/** Runs SPEC (or `spec`) with an executor that records each call and answers with `outcome`. */
async function record(
  options: Partial<PipelineRunOptions> & { outcome?: (step: StepSpec, stage: StageSpec) => Promise<string | undefined> | string | undefined } = {},
  spec: PipelineSpec = SPEC,
) {
  const executed: string[] = [];
  const approvals: [string, string][] = [];
  const events: string[] = [];
  const rawEvents: PipelineRunEvent[] = [];
  const { outcome, ...rest } = options;
  const result = await runPipeline(spec, {
    execute: async (step, stage) => {
      executed.push(`${stage.name}/${step.name}`);
      assert.ok(stage.steps.includes(step), 'the executor gets the stage the step belongs to');
      return outcome ? await outcome(step, stage) : undefined;
    },
    approve: async (stage, environment) => {
      approvals.push([stage.name, environment]);
      return true;
    },
    onEvent: (event) => {
      rawEvents.push(event);
      events.push(show(event));
    },
    ...rest,
  });
  return { result, executed, approvals, events, rawEvents };
}

const statuses = (steps: { stage: string; step: string; status: string }[]) => steps.map((s) => `${s.stage}/${s.step} ${s.status}`);

describe('runPipeline', () => {
  it('the document it runs is the one described: checks -> review -> deploy (push, production), drift on schedule', () => {
    assert.deepEqual(SPEC.stages.map((s) => [s.name, s.needs, s.on, s.approval, s.steps.map((x) => x.name)]), [
      ['checks', [], ['pull_request', 'push'], null, ['build', 'unit-tests', 'lint']],
      ['review', ['checks'], ['pull_request', 'push'], null, ['plan']],
      ['deploy', ['review'], ['push'], 'production', ['apply']],
      ['drift', [], ['schedule'], null, ['check']],
    ]);
  });

  it('defaults to the push trigger: runs checks, review, deploy in order, skips drift, reports events in order', async () => {
    assert.equal(defaultTrigger(SPEC), 'push');
    const { result, executed, approvals, events, rawEvents } = await record();
    assert.deepEqual(executed, ['checks/build', 'checks/unit-tests', 'checks/lint', 'review/plan', 'deploy/apply']);
    assert.deepEqual(approvals, [['deploy', 'production']]);
    assert.equal(result.ok, true);
    assert.deepEqual(statuses(result.steps), [
      'checks/build passed', 'checks/unit-tests passed', 'checks/lint passed', 'review/plan passed', 'deploy/apply passed',
    ]);
    assert.deepEqual(result.steps.map((s) => s.type), ['build', 'run', 'lint', 'plan', 'apply']);
    assert.deepEqual(result.skipped, [{ stage: 'drift', reason: 'runs on schedule, not push' }]);
    assert.deepEqual(events, [
      'run-start delivery push [checks,review,deploy,drift]',
      'stage-start checks',
      'step-start checks/build', 'step-done checks/build ok',
      'step-start checks/unit-tests', 'step-done checks/unit-tests ok',
      'step-start checks/lint', 'step-done checks/lint ok',
      'stage-start review',
      'step-start review/plan', 'step-done review/plan ok',
      'approval deploy production true',
      'stage-start deploy',
      'step-start deploy/apply', 'step-done deploy/apply ok',
      'stage-skipped drift: runs on schedule, not push',
      'run-done true',
    ]);
    const done = rawEvents.filter((e) => e.type === 'step-done');
    assert.ok(done.every((e) => e.type === 'step-done' && e.ms >= 0 && !('message' in e)), 'a passed step carries no message');
  });

  it('--trigger pull_request runs checks and review, skips deploy (push only) and drift', async () => {
    const { result, executed, approvals, events } = await record({ trigger: 'pull_request' });
    assert.deepEqual(executed, ['checks/build', 'checks/unit-tests', 'checks/lint', 'review/plan']);
    assert.deepEqual(approvals, [], 'a skipped stage asks for no approval');
    assert.equal(result.ok, true);
    assert.deepEqual(result.skipped, [
      { stage: 'deploy', reason: 'runs on push, not pull_request' },
      { stage: 'drift', reason: 'runs on schedule, not pull_request' },
    ]);
    assert.equal(events[0], 'run-start delivery pull_request [checks,review,deploy,drift]');
    assert.equal(events.at(-1), 'run-done true');
  });

  it('--trigger schedule runs only drift (it needs nothing), skipping the rest', async () => {
    const { result, executed, approvals } = await record({ trigger: 'schedule' });
    assert.deepEqual(executed, ['drift/check']);
    assert.deepEqual(approvals, []);
    assert.equal(result.ok, true);
    assert.deepEqual(statuses(result.steps), ['drift/check passed']);
    assert.deepEqual(result.skipped.map((s) => [s.stage, s.reason]), [
      ['checks', 'runs on pull_request, push, not schedule'],
      ['review', 'runs on pull_request, push, not schedule'],
      ['deploy', 'runs on push, not schedule'],
    ]);
  });

  it('a failing step stops the run: the rest of its stage and the later stages are not run', async () => {
    const { result, executed, approvals, events } = await record({
      outcome: (step) => (step.name === 'unit-tests' ? 'the command exited with 1' : undefined),
    });
    assert.deepEqual(executed, ['checks/build', 'checks/unit-tests']);
    assert.deepEqual(approvals, [], 'no approval is asked for a stage that will not run');
    assert.equal(result.ok, false);
    const failed = result.steps.find((s) => s.step === 'unit-tests')!;
    assert.equal(failed.status, 'failed');
    assert.equal(failed.message, 'the command exited with 1');
    assert.deepEqual(statuses(result.steps), [
      'checks/build passed', 'checks/unit-tests failed', 'checks/lint not run', 'review/plan not run', 'deploy/apply not run',
    ]);
    // drift would not run on push anyway: it is skipped with that reason, not reported as "not run".
    assert.deepEqual(result.skipped, [{ stage: 'drift', reason: 'runs on schedule, not push' }]);
    assert.ok(result.steps.filter((s) => s.status === 'not run').every((s) => s.ms === 0 && s.message === undefined));
    assert.ok(events.includes('step-done checks/unit-tests failed: the command exited with 1'));
    assert.ok(!events.some((e) => e.startsWith('stage-start review') || e.startsWith('stage-start deploy')));
    assert.equal(events.at(-1), 'run-done false');
  });

  it('an executor that throws is a failure with the error\'s message, and the run goes no further', async () => {
    const { result, executed, events } = await record({
      trigger: 'pull_request',
      outcome: async (step) => {
        if (step.type === 'plan') throw new Error('cannot reach h2: connect ETIMEDOUT');
        return undefined;
      },
    });
    assert.deepEqual(executed, ['checks/build', 'checks/unit-tests', 'checks/lint', 'review/plan']);
    assert.equal(result.ok, false);
    const plan = result.steps.find((s) => s.stage === 'review' && s.step === 'plan')!;
    assert.deepEqual([plan.status, plan.message], ['failed', 'cannot reach h2: connect ETIMEDOUT']);
    assert.ok(events.includes('step-done review/plan failed: cannot reach h2: connect ETIMEDOUT'));
    assert.equal(events.at(-1), 'run-done false');
  });

  it('approval refused: the stage does not run and the run is not ok; the callback got the stage and its environment', async () => {
    const asked: [StageSpec, string][] = [];
    const refused = await record({ approve: async (stage, environment) => { asked.push([stage, environment]); return false; } });
    assert.equal(asked.length, 1);
    assert.equal(asked[0][0].name, 'deploy');
    assert.equal(asked[0][0], SPEC.stages[2], 'the stage itself, with its steps');
    assert.equal(asked[0][1], 'production');
    assert.deepEqual(refused.executed, ['checks/build', 'checks/unit-tests', 'checks/lint', 'review/plan']);
    assert.equal(refused.result.ok, false);
    assert.ok(refused.result.skipped.some((s) => s.stage === 'deploy' && s.reason === 'not approved (production)'));
    assert.ok(refused.result.steps.some((s) => s.stage === 'deploy' && s.step === 'apply' && s.status === 'not run'));
    assert.ok(refused.events.includes('approval deploy production false'));
    assert.ok(!refused.events.includes('stage-start deploy'));
    assert.equal(refused.events.at(-1), 'run-done false');

    const given = await record({ approve: async () => true });
    assert.ok(given.executed.includes('deploy/apply'));
    assert.equal(given.result.ok, true);
    assert.ok(given.events.includes('approval deploy production true'));
  });

  it('--stage deploy runs only deploy: no trigger filtering, the stages it needs are not required', async () => {
    const { result, executed, approvals, events } = await record({ stage: 'deploy' });
    assert.deepEqual(executed, ['deploy/apply']);
    assert.deepEqual(approvals, [['deploy', 'production']], 'its approval is still asked');
    assert.equal(result.ok, true);
    assert.deepEqual(result.skipped, []);
    assert.deepEqual(statuses(result.steps), ['deploy/apply passed']);
    assert.equal(events[0], 'run-start delivery - [deploy]');

    const drift = await record({ stage: 'drift' });
    assert.deepEqual(drift.executed, ['drift/check'], 'a schedule-only stage runs when named, with no trigger given');

    const filtered = await record({ stage: 'deploy', trigger: 'pull_request' });
    assert.deepEqual(filtered.executed, [], 'with both, the trigger still decides');
    assert.deepEqual(filtered.result.skipped, [{ stage: 'deploy', reason: 'runs on push, not pull_request' }]);
  });

  it('an unknown stage, or a trigger the pipeline lacks, is an error naming the choices, before anything runs', async () => {
    const events: string[] = [];
    const fail = (step: StepSpec) => Promise.reject(new Error(`nothing should run, but ${step.name} did`));
    await assert.rejects(
      runPipeline(SPEC, { stage: 'nope', execute: fail, approve: async () => true, onEvent: (e) => events.push(show(e)) }),
      { message: 'pipeline delivery has no stage nope; its stages are checks, review, deploy, drift' },
    );
    await assert.rejects(
      runPipeline(SPEC, { trigger: 'manual', execute: fail, approve: async () => true, onEvent: (e) => events.push(show(e)) }),
      { message: 'pipeline delivery has no manual trigger; its triggers are pull_request, push, schedule' },
    );
    await assert.rejects(
      runPipeline(SPEC, { stage: 'deploy', trigger: 'manual' as TriggerName, execute: fail, approve: async () => true, onEvent: (e) => events.push(show(e)) }),
      /has no manual trigger; its triggers are pull_request, push, schedule/,
    );
    assert.deepEqual(events, [], 'no event before the error');
  });

  it('without a push trigger, the default trigger is the first the pipeline has in push, pull_request, manual, schedule order', () => {
    const only = (...types: TriggerName[]): PipelineSpec => ({ ...SPEC, triggers: types.map((type) => ({ type, branches: [], cron: null })) });
    assert.equal(defaultTrigger(only('schedule', 'pull_request')), 'pull_request');
    assert.equal(defaultTrigger(only('schedule', 'manual')), 'manual');
    assert.equal(defaultTrigger(only('schedule')), 'schedule');
  });

  it('a stop requested after the first step: no further step starts, and the run is not ok', async () => {
    let stop = false;
    const { result, executed, events } = await record({
      outcome: () => { stop = true; return undefined; },
      stopRequested: () => stop,
    });
    assert.deepEqual(executed, ['checks/build']);
    assert.equal(result.ok, false);
    assert.deepEqual(statuses(result.steps.filter((s) => s.stage !== 'drift')), [
      'checks/build passed', 'checks/unit-tests not run', 'checks/lint not run', 'review/plan not run', 'deploy/apply not run',
    ]);
    assert.equal(events.filter((e) => e.startsWith('step-start')).length, 1);
    assert.equal(events.at(-1), 'run-done false');
  });
});

// ---------------------------------------------------------------------------------------------
// B. The CLI, in temporary projects whose hosts are unreachable (TEST-NET-1): only shell steps run.
// ---------------------------------------------------------------------------------------------

const touch = (file: string) => `['node', '-e', 'require("fs").writeFileSync("${file}", "")']`;

const PIPELINE_DECLARATION = `
const pipeline = new Pipeline(app, 'delivery', { triggers: [Trigger.push(), Trigger.pullRequest()] });
const checks = pipeline.addStage('checks');
new ShellStep(checks, 'first', { command: ${touch('ran-a')} });
new ShellStep(checks, 'second', { command: ${touch('ran-b')} });
new ShellStep(checks, 'third', { command: ${touch('ran-c')}, environment: { HOIST_RUN_MARK: 'marked' } });
const flaky = pipeline.addStage('flaky', { needs: [] });
new ShellStep(flaky, 'before', { command: ${touch('ran-before')} });
new ShellStep(flaky, 'boom', { command: ['node', '-e', 'console.error("boom says " + process.env.HOIST_RUN_MARK); process.exit(3)'], environment: { HOIST_RUN_MARK: 'hello' } });
new ShellStep(flaky, 'after', { command: ${touch('ran-after')} });
const deploy = pipeline.addStage('deploy', { needs: [checks], on: [TriggerType.PUSH] });
const plan = new PlanStep(deploy, 'plan', { stack });
new ApplyStep(deploy, 'apply', { plan, approval: 'production' });
`;

function program(withPipeline: boolean): string {
  return `
import { App, Stack, Host, Service, Image, Secret, Pipeline, Trigger, TriggerType, ShellStep, PlanStep, ApplyStep } from 'hoist';
const app = new App();
const stack = new Stack(app, 'shop');
const h1 = new Host(stack, 'h1', { address: '192.0.2.1' });
const h2 = new Host(stack, 'h2', { address: '192.0.2.2' });
const token = Secret.fromEnv(stack, 'api-token', 'HOIST_PIPELINE_RUN_CLI_TOKEN');
new Service(stack, 'web', { image: Image.fromRegistry('busybox:1.36'), replicas: 2, placement: { hosts: [h1, h2] }, secrets: [token] });
${withPipeline ? PIPELINE_DECLARATION : ''}
app.synth();
`;
}

/** A project directory with main.ts, resolving 'hoist' to this repository as an installed package would. */
const projects: string[] = [];
after(() => {
  for (const dir of projects) fs.rmSync(dir, { recursive: true, force: true });
});

function cliProject(withPipeline = true): string {
  const dir = tempProject({ 'main.ts': program(withPipeline) }, 'hoist-pipeline-run-cli-');
  projects.push(dir);
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.symlinkSync(REPO_ROOT, path.join(dir, 'node_modules', 'hoist'));
  return dir;
}

// A fixed fingerprint key: side-by-side synths in one project then never race to create .hoist/fingerprint.key.
const CLI_ENV = { HOIST_PIPELINE_RUN_CLI_TOKEN: 'cli-token-value', HOIST_FINGERPRINT_KEY: 'pipeline-run-test-fingerprint-key' };

/** `hoist ...` in `dir`, without a terminal (stdin is not a TTY); asynchronous, so tests can run side by side. */
async function hoist(dir: string, args: string[]): Promise<CliResult> {
  const running = startHoist(args, { cwd: dir, env: CLI_ENV });
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 60_000);
  try {
    return await running.finished;
  } finally {
    clearTimeout(timer);
  }
}

const exists = (dir: string, file: string) => fs.existsSync(path.join(dir, file));

// Every CLI test spawns hoist (a synth each, ~1-2 s): they run side by side.
describe('the CLI', { concurrency: true }, () => {
  describe('hoist pipeline', { concurrency: true }, () => {
    // Commands that change nothing share one project; each run gets its own, so their files do not mix.
    const shared = cliProject();

    it('list prints each pipeline with its triggers, CI systems and stages', async () => {
      const r = await hoist(shared, ['pipeline', 'list']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^delivery {2}on pull_request, push \(main\) {2}ci: github {2}stages: checks -> flaky -> deploy$/m);
    });

    it('show prints the stages, the steps with what they run, and the CI secret names, never a value', async () => {
      const r = await hoist(shared, ['pipeline', 'show', 'delivery']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^Pipeline delivery \(delivery\)$/m);
      assert.match(r.stdout, /^ {2}written for: GitHub Actions \(\.github\/workflows\/delivery\.yml\)$/m);
      assert.match(r.stdout, /^ {2}CI secrets: HOIST_SSH_PRIVATE_KEY, HOIST_SSH_KNOWN_HOSTS, HOIST_FINGERPRINT_KEY, HOIST_PIPELINE_RUN_CLI_TOKEN$/m);
      assert.match(r.stdout, /^ {2}stage checks: on pull_request, push$/m);
      assert.match(r.stdout, /^ {2}stage flaky: on pull_request, push$/m);
      assert.match(r.stdout, /^ {2}stage deploy: on push, after checks, approval: production$/m);
      assert.match(r.stdout, /^ {4}first {16}run \["node","-e","require\(\\"fs\\"\)\.writeFileSync\(\\"ran-a\\", \\"\\"\)"\]$/m);
      assert.match(r.stdout, /^ {4}plan {17}plan shop -> hoist\.out\/pipeline\/delivery\/deploy-plan\.plan\.json$/m);
      assert.match(r.stdout, /^ {4}apply {16}apply the plan of deploy\/plan$/m);
      const order = ['first', 'second', 'third', 'before', 'boom', 'after', 'plan', 'apply'].map((step) => r.stdout.search(new RegExp(`^ {4}${step} `, 'm')));
      assert.ok(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1])), `steps in order:\n${r.stdout}`);
      assert.doesNotMatch(r.stdout + r.stderr, /cli-token-value/);
    });

    it('show of an unknown pipeline exits 1 naming the pipelines there are', async () => {
      const r = await hoist(shared, ['pipeline', 'show', 'nope']);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /no pipeline named nope; the app has delivery \(hoist pipeline list\)/);
      assert.equal(r.stdout, '');
    });

    it('run --stage runs the shell steps in order in the project directory and reports each as passed', async () => {
      const dir = cliProject();
      const r = await hoist(dir, ['pipeline', 'run', 'delivery', '--stage', 'checks']);
      assert.equal(r.status, 0, r.stderr);
      for (const file of ['ran-a', 'ran-b', 'ran-c']) assert.ok(exists(dir, file), `${file} was written`);
      assert.ok(!exists(dir, 'ran-before'), 'another stage did not run');
      const first = fs.statSync(path.join(dir, 'ran-a')).mtimeMs;
      const third = fs.statSync(path.join(dir, 'ran-c')).mtimeMs;
      assert.ok(first <= third);
      const started = ['first', 'second', 'third'].map((s) => r.stderr.indexOf(`--> checks/${s} (run `));
      assert.ok(started.every((at, i) => at >= 0 && (i === 0 || at > started[i - 1])), `steps started in order:\n${r.stderr}`);
      assert.match(r.stderr, /^==> pipeline delivery: checks$/m);
      assert.match(r.stdout, /^Pipeline delivery: passed$/m);
      assert.match(r.stdout, /^ {2}passed {3}checks\/first {17}shell {2}\d+\.\d s$/m);
      assert.match(r.stdout, /^ {2}passed {3}checks\/second /m);
      assert.match(r.stdout, /^ {2}passed {3}checks\/third /m);
    });

    it('run: a shell step that exits 3 fails the run (exit 1), the next step is not run', async () => {
      const dir = cliProject();
      const r = await hoist(dir, ['pipeline', 'run', 'delivery', '--stage', 'flaky']);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.ok(exists(dir, 'ran-before'));
      assert.ok(!exists(dir, 'ran-after'), 'the step after the failure did not run');
      assert.match(r.stderr, /boom says hello/, "the step's own environment reaches it, and its output is passed through");
      assert.match(r.stderr, /<-- flaky\/boom FAILED in \d+\.\d s: node exited with 3/);
      assert.match(r.stdout, /^Pipeline delivery: failed$/m);
      assert.match(r.stdout, /^ {2}passed {3}flaky\/before /m);
      assert.match(r.stdout, /^ {2}failed {3}flaky\/boom /m);
      assert.match(r.stdout, /^ {2}not run {2}flaky\/after /m);
    });

    it('run of a stage that needs approval, without --yes and without a terminal, exits 1 saying so and runs nothing', async () => {
      const dir = cliProject();
      const r = await hoist(dir, ['pipeline', 'run', 'delivery', '--stage', 'deploy']);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /stage deploy needs approval \(production\): run with --yes to approve it/);
      assert.doesNotMatch(r.stderr, /--> deploy\//, 'no step started');
      assert.ok(!exists(dir, 'hoist.out/pipeline/delivery/deploy-plan.plan.json'));
      assert.ok(!exists(dir, 'ran-a'));
    });

    it('run --trigger with an event that is not one exits 1 naming the valid events', async () => {
      const r = await hoist(shared, ['pipeline', 'run', 'delivery', '--trigger', 'bogus']);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /--trigger bogus is not an event; use one of pull_request, push, schedule, manual/);
      assert.ok(!exists(shared, 'ran-a'));
    });
  });

  describe('hoist synth writes the pipelines as CI files', { concurrency: true }, () => {
    const WORKFLOW = '.github/workflows/delivery.yml';

    it('writes the workflow with its marker, leaves it byte-identical on a second synth, and removes it when the pipeline goes', async () => {
      const dir = cliProject();
      const file = path.join(dir, WORKFLOW);
      const first = await hoist(dir, ['synth']);
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /^Wrote \.github\/workflows\/delivery\.yml$/m);
      const text = fs.readFileSync(file, 'utf8');
      assert.ok(text.startsWith('# Generated by hoist synth'), text.slice(0, 200));
      assert.match(text, /HOIST_PIPELINE_RUN_CLI_TOKEN/);
      assert.doesNotMatch(text, /cli-token-value/);
      // A workflow a person wrote, elsewhere in the directory, is never touched.
      fs.writeFileSync(path.join(dir, '.github/workflows/mine.yml'), 'name: mine\n');
      const mtime = fs.statSync(file).mtimeMs;

      const second = await hoist(dir, ['synth']);
      assert.equal(second.status, 0, second.stderr);
      assert.equal(fs.readFileSync(file, 'utf8'), text);
      assert.equal(fs.statSync(file).mtimeMs, mtime, 'an unchanged file is not rewritten');
      assert.doesNotMatch(second.stdout, /Wrote/);

      fs.writeFileSync(path.join(dir, 'main.ts'), program(false));
      const third = await hoist(dir, ['synth']);
      assert.equal(third.status, 0, third.stderr);
      assert.equal(fs.existsSync(file), false, 'the workflow of a pipeline that is gone is removed');
      assert.match(third.stdout, /^Removed \.github\/workflows\/delivery\.yml \(its pipeline is gone\)$/m);
      assert.equal(fs.readFileSync(path.join(dir, '.github/workflows/mine.yml'), 'utf8'), 'name: mine\n');
    });

    it('a hand-written workflow at the same path makes synth exit 1 naming the file; the graph is still written', async () => {
      const dir = cliProject();
      const mine = 'name: delivery\non: push\njobs: {}\n';
      fs.mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
      fs.writeFileSync(path.join(dir, WORKFLOW), mine);
      const r = await hoist(dir, ['synth']);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.ok(r.stderr.includes(`the graph was written, but not the CI files: ${path.join(fs.realpathSync(dir), WORKFLOW)}: `), r.stderr);
      assert.match(r.stderr, /not written by hoist synth/);
      assert.equal(fs.readFileSync(path.join(dir, WORKFLOW), 'utf8'), mine, 'the person\'s file is left as it is');
      assert.ok(exists(dir, 'hoist.out/graph.json'), 'graph.json was written');
    });
  });
});
