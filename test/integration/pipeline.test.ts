import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GraphDocument } from '../../lib/graph/graph-document';
import { openHost, type OpenHost } from '../../lib/drivers/open-host';
import { REPO_ROOT, runHoist } from '../helpers/cli';
import { tempProject } from '../helpers/project';
import { ensureSandbox, IT_SANDBOX, type SandboxInventory } from '../helpers/sandbox';

const STACK = 'pipe';
const TOKEN = 'pipeline-it-token-7f3a9c';

/**
 * A project like the webapp example, small enough for the sandbox (no package downloads):
 * a busybox web image built on host-1 whose unit test runs in the built image, a delivery
 * pipeline (build, unit test, lint -> plan -> apply behind an approval; drift on a schedule).
 */
function project(inventory: SandboxInventory, answer: string): string {
  const dir = tempProject({
    'hoist.json': JSON.stringify({ app: 'main.ts' }),
    'web/Dockerfile': 'FROM busybox:latest\nCOPY . /app\nCMD ["httpd", "-f", "-p", "18095", "-h", "/app"]\n',
    'web/index.html': 'pipeline\n',
    'web/answer': `${answer}\n`,
    // The app's unit test: fails unless the answer is right; prints the token it was given.
    'web/test.sh': '#!/bin/sh\necho "token is $API_TOKEN"\nif [ "$(cat /app/answer)" = 42 ]; then echo "unit tests passed"; else echo "unit tests FAILED: answer is $(cat /app/answer)"; exit 3; fi\n',
    'main.ts': `
import { App, ApplyStep, BuildStep, DriftCheckStep, Image, Inventory, LintStep, Pipeline, PlanStep, RunStep, Secret, Service, Stack, Trigger, TriggerType } from 'hoist';
const app = new App();
const stack = new Stack(app, '${STACK}');
const hosts = Inventory.fromFile(stack, 'hosts', ${JSON.stringify(path.join(inventory.dir, 'inventory.json'))});
const builder = hosts.hosts.find((h) => h.node.id === 'host-1')!;
const token = Secret.fromEnv(stack, 'api-token', 'PIPELINE_IT_TOKEN');
const image = Image.fromDockerfile('web', { imageName: 'web', builder });
new Service(stack, 'web', { image, placement: { hosts: hosts.hosts.filter((h) => h.node.id !== 'host-3') }, replicas: 2 });
const pipeline = new Pipeline(app, 'delivery', { triggers: [Trigger.push(), Trigger.schedule('0 3 * * *')] });
const checks = pipeline.addStage('checks', { on: [TriggerType.PUSH] });
new BuildStep(checks, 'build', { stack });
new RunStep(checks, 'unit-tests', { stack, image, command: ['sh', '/app/test.sh'], secrets: { API_TOKEN: token }, timeout: '2m' });
new LintStep(checks, 'lint', { stack });
const review = pipeline.addStage('review', { on: [TriggerType.PUSH] });
const plan = new PlanStep(review, 'plan', { stack });
new ApplyStep(pipeline.addStage('deploy', { on: [TriggerType.PUSH] }), 'apply', { plan, approval: 'production' });
new DriftCheckStep(pipeline.addStage('drift', { on: [TriggerType.SCHEDULE], needs: [] }), 'check', { stack });
app.synth();
`,
  }, 'hoist-pipeline-it-');
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(REPO_ROOT, path.join(dir, 'node_modules', 'hoist'));
  return dir;
}

// As a CI job has it (hoist pipeline run refuses to run in CI without it when the app has secrets).
const env = { PIPELINE_IT_TOKEN: TOKEN, HOIST_INVENTORY: undefined, HOIST_FINGERPRINT_KEY: 'pipeline-it-fingerprint-key' };

/** The stack's web containers on a host, by name and state. */
async function webContainers(host: OpenHost): Promise<string[]> {
  const all = await host.engine.listContainers();
  return all.filter((c) => c.Labels?.['hoist.stack'] === STACK).map((c) => `${c.Names[0].replace(/^\//, '')} ${c.State}`).sort();
}

describe('hoist pipeline run on the sandbox: build, unit test in the image, lint, plan, apply behind approval, drift (Docker and Podman)', () => {
  let inventory: SandboxInventory;
  let hosts: OpenHost[] = [];
  let dir: string;

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    dir = project(inventory, '41');
    // A run killed earlier may have left the stack behind.
    const destroy = runHoist(['destroy', '--yes'], { cwd: dir, env });
    assert.equal(destroy.status, 0, destroy.stderr);
    const graph = JSON.parse(fs.readFileSync(path.join(dir, 'hoist.out', 'graph.json'), 'utf8')) as GraphDocument;
    hosts = await Promise.all(graph.stacks[0].hosts.map((h) => openHost(h, { projectDir: dir, trustNewHosts: false })));
  });

  after(() => {
    if (dir) runHoist(['destroy', '--yes'], { cwd: dir, env });
    for (const host of hosts) host.close();
  });

  it('a failing unit test stops the pipeline before plan: nothing planned, nothing on the hosts, the secret masked', async () => {
    const r = runHoist(['pipeline', 'run', 'delivery', '--yes'], { cwd: dir, env, timeoutMs: 5 * 60_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /<-- checks\/build passed/);
    assert.match(r.stderr, /<-- checks\/unit-tests FAILED in [\d.]+ s: the command exited with 3/);
    assert.match(r.stdout, /unit tests FAILED: answer is 41/);
    assert.match(r.stdout, /token is \[REDACTED\]/);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(TOKEN));
    assert.match(r.stdout, /not run\s+review\/plan/);
    assert.match(r.stdout, /not run\s+deploy\/apply/);
    assert.equal(fs.existsSync(path.join(dir, 'hoist.out', 'pipeline', 'delivery', 'review-plan.plan.json')), false, 'no plan was made');
    for (const host of hosts) assert.deepEqual(await webContainers(host), [], `nothing deployed on ${host.spec.name}`);
    // The step's container is gone too.
    for (const host of hosts) {
      const left = (await host.engine.listContainers()).filter((c) => c.Labels?.['hoist.pipeline-step']);
      assert.deepEqual(left.map((c) => c.Names[0]), [], `no step container left on ${host.spec.name}`);
    }
  });

  it('without --yes and a terminal, the approval stage refuses to run and nothing is applied', async () => {
    fs.writeFileSync(path.join(dir, 'web', 'answer'), '42\n');
    const r = runHoist(['pipeline', 'run', 'delivery'], { cwd: dir, env, timeoutMs: 5 * 60_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /<-- checks\/unit-tests passed/);
    assert.match(r.stderr, /<-- review\/plan passed/);
    assert.match(r.stderr, /stage deploy needs approval \(production\): run with --yes/);
    assert.ok(fs.existsSync(path.join(dir, 'hoist.out', 'pipeline', 'delivery', 'review-plan.plan.md')), 'the review text was written');
    for (const host of hosts) assert.deepEqual(await webContainers(host), [], `nothing deployed on ${host.spec.name}`);
  });

  it('with approval it builds, tests, plans and applies exactly the plan; the hosts then match the graph', async () => {
    const r = runHoist(['pipeline', 'run', 'delivery', '--yes'], { cwd: dir, env, timeoutMs: 5 * 60_000 });
    assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
    assert.match(r.stdout, /unit tests passed/);
    const markdown = fs.readFileSync(path.join(dir, 'hoist.out', 'pipeline', 'delivery', 'review-plan.plan.md'), 'utf8');
    assert.match(markdown, /pipe-web-1/, 'the review text names what the plan creates');
    for (const step of ['checks/build', 'checks/unit-tests', 'checks/lint', 'review/plan', 'deploy/apply']) assert.match(r.stdout, new RegExp(`passed\\s+${step}`));
    assert.match(r.stdout, /skipped\s+drift\s+runs on schedule, not push/);
    assert.deepEqual(await webContainers(hosts[0]), ['pipe-web-1 running']);
    assert.deepEqual(await webContainers(hosts[1]), ['pipe-web-1 running']);
    const plan = runHoist(['plan', '--detailed-exitcode'], { cwd: dir, env });
    assert.equal(plan.status, 0, `the hosts match the graph after the pipeline:\n${plan.stdout}${plan.stderr}`);
  });

  it('as CI jobs: --stage review plans, a host changes, --stage deploy refuses the stale plan with Hoist\'s own message and changes nothing', async () => {
    const review = runHoist(['pipeline', 'run', 'delivery', '--stage', 'review'], { cwd: dir, env, timeoutMs: 2 * 60_000 });
    assert.equal(review.status, 0, `${review.stderr}\n${review.stdout}`);
    const before = await webContainers(hosts[0]);
    // Someone changes host-1 between the review and the approved deploy.
    await hosts[0].engine.stopContainer('pipe-web-1', 0);
    const deploy = runHoist(['pipeline', 'run', 'delivery', '--stage', 'deploy', '--yes'], { cwd: dir, env, timeoutMs: 2 * 60_000 });
    assert.equal(deploy.status, 1);
    assert.match(deploy.stdout + deploy.stderr, /saved plan is stale: host-1 changed since it was made; nothing was changed/);
    assert.match(deploy.stderr, /<-- deploy\/apply FAILED/);
    assert.notDeepEqual(await webContainers(hosts[0]), before, 'the container stays as it was left (stopped)');
    assert.deepEqual(await webContainers(hosts[0]), ['pipe-web-1 exited']);
    await hosts[0].engine.startContainer('pipe-web-1');
  });

  it('the scheduled drift check passes on matching hosts and fails once a container is stopped by hand', async () => {
    const clean = runHoist(['pipeline', 'run', 'delivery', '--trigger', 'schedule'], { cwd: dir, env, timeoutMs: 2 * 60_000 });
    assert.equal(clean.status, 0, `${clean.stderr}\n${clean.stdout}`);
    assert.match(clean.stdout, /passed\s+drift\/check/);
    await hosts[1].engine.stopContainer('pipe-web-1', 0);
    const drifted = runHoist(['pipeline', 'run', 'delivery', '--trigger', 'schedule'], { cwd: dir, env, timeoutMs: 2 * 60_000 });
    assert.equal(drifted.status, 1);
    assert.match(drifted.stderr, /<-- drift\/check FAILED in [\d.]+ s: the hosts of pipe differ from the graph/);
    assert.match(drifted.stdout, /pipe-web-1/);
  });
});
