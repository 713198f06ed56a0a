import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Host, Image, Service, Stack, Testing } from '../../lib';
import { CliError } from '../../lib/cli/cli-error';
import { cliErrorOf } from '../../lib/cli/cli-error-of';
import { apply, DeployError, type DeployFailureReason, destroy, type HostOpener, plan, readPlanFile, rollback, status } from '../../lib/deploy';
import type { DeployEvent } from '../../lib/deploy/deploy-events';
import { redactingEmitter, withRedaction } from '../../lib/deploy/redacting-emitter';
import { rollbackStack } from '../../lib/deploy/rollback';
import type { GraphDocument, HostSpec } from '../../lib/graph/graph-document';
import { readSavedPlanFile } from '../../lib/plan/read-saved-plan';
import type { PlannedAction } from '../../lib/plan/plan-types';
import { Redactor } from '../../lib/values/redactor';

const SECRET = 'hunter2-very-secret';

function demo(stacks: string[] = ['demo']): { graph: GraphDocument; projectDir: string } {
  const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-deploy-'));
  const app = Testing.app({ projectDir });
  for (const name of stacks) {
    const stack = new Stack(app, name);
    const host = new Host(stack, 'h1', { address: '10.9.0.1' });
    new Service(stack, 'web', { image: Image.fromRegistry('busybox:latest'), placement: { hosts: [host] } });
  }
  return { graph: Testing.synth(app), projectDir };
}

/** A host opener whose every host refuses the connection, recording what was asked. */
function refusingHosts(): HostOpener & { asked: string[] } {
  const asked: string[] = [];
  const open = (async (spec: HostSpec) => {
    asked.push(spec.name);
    throw new Error(`host ${spec.name}: connection refused`);
  }) as unknown as HostOpener & { asked: string[] };
  open.asked = asked;
  return open;
}

/** Runs `work` and fails if it wrote to stdout or stderr or called process.exit. */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const written: string[] = [];
  const out = process.stdout.write;
  const err = process.stderr.write;
  const exit = process.exit;
  process.stdout.write = ((chunk: unknown) => (written.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
  process.exit = ((code?: number) => { throw new Error(`process.exit(${code}) called`); }) as typeof process.exit;
  try {
    return await work();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exit = exit;
    assert.deepEqual(written.filter((w) => /h1|demo|cannot|refused/.test(w)), [], 'the library wrote to stdout or stderr');
  }
}

async function deployError(work: Promise<unknown>): Promise<DeployError> {
  try {
    await work;
  } catch (error) {
    assert.ok(DeployError.isDeployError(error), `expected a DeployError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('deploy API (lib/deploy) without hosts', () => {
  it('apply() of an unreachable host fails with reason unreachable, nothingChanged, and the CLI\'s message; it never prints or exits', async () => {
    const open = refusingHosts();
    const events: DeployEvent[] = [];
    const error = await quietly(() => deployError(apply(demo(), { openHost: open, onEvent: (e) => events.push(e) })));
    assert.equal(error.reason, 'unreachable');
    assert.equal(error.nothingChanged, true);
    assert.equal(error.message, 'cannot apply: not every host can be reached; nothing was changed:\n  host h1: connection refused');
    assert.deepEqual(open.asked, ['h1']);
    assert.deepEqual(events, []);
  });

  it('destroy() and rollback() of an unreachable host name the command and the host', async () => {
    const destroyed = await quietly(() => deployError(destroy(demo(), { openHost: refusingHosts() })));
    assert.equal(destroyed.message, 'cannot destroy: not every host can be reached; nothing was changed:\n  host h1: connection refused');
    const rolledBack = await quietly(() => deployError(rollback(demo(), { openHost: refusingHosts() })));
    assert.equal(rolledBack.reason, 'unreachable');
    assert.equal(rolledBack.message, 'cannot roll back demo: the history of h1 (host h1: connection refused) cannot be read; nothing was changed');
  });

  it('plan() needs every host: one unreachable host fails it with every failure listed', async () => {
    const error = await quietly(() => deployError(plan(demo(), { openHost: refusingHosts() })));
    assert.equal(error.reason, 'unreachable');
    assert.equal(error.message, 'cannot plan: 1 host(s) could not be read, and a plan needs every host:\n  host h1: connection refused');
  });

  it('status() reports an unreachable host in the document instead of failing', async () => {
    const document = await quietly(() => status(demo(), { openHost: refusingHosts() }));
    assert.equal(document.formatVersion, '1.0');
    const host = document.stacks[0].hosts[0];
    assert.equal(host.host, 'h1');
    assert.equal(host.reachable, false);
    assert.match(host.error ?? '', /connection refused/);
  });

  it('status({ stack }) and rollback({ stack }) refuse a stack the source does not have, naming the ones it has', async () => {
    const missing = await deployError(status(demo(['a', 'b']), { stack: 'c', openHost: refusingHosts() }));
    assert.equal(missing.reason, 'invalid');
    assert.equal(missing.message, 'no stack named c; stacks: a, b');
    assert.throws(() => rollbackStack(demo(['a', 'b']).graph, undefined), { message: 'the program has 2 stacks (a, b); name one with --stack' });
  });

  it('checks its options before contacting any host: each bad number is a DeployError invalid naming the option', async () => {
    const cases: [string, Promise<unknown>, string][] = [];
    const open = refusingHosts();
    cases.push(['apply parallelism', apply(demo(), { openHost: open, parallelism: 0 }), 'parallelism: must be a whole number of 1 or more, got 0']);
    cases.push(['apply lockTimeoutMs', apply(demo(), { openHost: open, lockTimeoutMs: -1 }), 'lockTimeoutMs: must be a number of 0 or more, got -1']);
    cases.push(['destroy parallelism', destroy(demo(), { openHost: open, parallelism: 1.5 }), 'parallelism: must be a whole number of 1 or more, got 1.5']);
    cases.push(['plan connectTimeoutMs', plan(demo(), { openHost: open, connectTimeoutMs: Number.NaN }), 'connectTimeoutMs: must be a whole number of 1 or more, got NaN']);
    cases.push(['rollback to', rollback(demo(), { openHost: open, to: 0 }), 'to: must be a whole number of 1 or more, got 0']);
    for (const [what, call, message] of cases) {
      const error = await deployError(call);
      assert.equal(error.reason, 'invalid', what);
      assert.equal(error.message, message, what);
      assert.equal(error.nothingChanged, true, what);
    }
    assert.deepEqual(open.asked, []);
  });

  it('apply(app) synthesizes the App in-process; one that does not validate is refused with every problem', async () => {
    const app = Testing.app({ projectDir: fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-deploy-')) });
    const open = refusingHosts();
    const error = await deployError(apply(app, { openHost: open }));
    assert.equal(error.reason, 'invalid');
    assert.match(error.message, /^synth found 1 problem:\n {2}<app>: the app has no Stack/);
    assert.deepEqual(open.asked, []);
  });

  it('apply(app) of a valid App reaches the hosts of its graph', async () => {
    const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-deploy-'));
    const app = Testing.app({ projectDir });
    const stack = new Stack(app, 'shop');
    new Service(stack, 'web', { image: Image.fromRegistry('busybox:latest'), placement: { hosts: [new Host(stack, 'web-1', { address: '10.9.0.2' })] } });
    const open = refusingHosts();
    assert.equal((await deployError(apply(app, { openHost: open }))).reason, 'unreachable');
    assert.deepEqual(open.asked, ['web-1']);
  });

  it('readPlanFile() refuses a cut-short plan with the same message as the saved-plan reader, as DeployError invalid', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-deploy-')), 'plan.json');
    fs.writeFileSync(file, '{"format_version": "1.0", "stacks": [');
    let expected = '';
    try {
      readSavedPlanFile(file);
    } catch (error) {
      expected = (error as Error).message;
    }
    assert.ok(expected);
    assert.throws(() => readPlanFile(file), (error: unknown) => DeployError.isDeployError(error) && error.reason === 'invalid' && error.message === expected);
  });
});

describe('deploy API redaction', () => {
  const action: PlannedAction = { step: 1, host: 'h1', kind: 'container', resource: 'container:demo/web#1@h1', name: 'demo-web-1', action: 'create', causes: [] };

  it('redactingEmitter() takes every known secret value out of an event\'s text, however deep, and leaves the original alone', () => {
    const redactor = new Redactor();
    redactor.add([SECRET]);
    const seen: DeployEvent[] = [];
    const emit = redactingEmitter((e) => seen.push(e), redactor);
    const failed: DeployEvent = { type: 'action-failed', stack: 'demo', action, error: `container printed ${SECRET}` };
    emit(failed);
    emit({ type: 'warning', host: 'h1', message: `could not add to the history on h1: ${JSON.stringify({ value: SECRET })}` });
    emit({ type: 'incomplete', done: 0, failed: 1, notStarted: [], rolledBack: [{ service: 'web', host: 'h1', name: 'demo-web-1', ok: false, error: `boom ${SECRET}\nmore` }] });
    assert.equal(JSON.stringify(seen).includes(SECRET), false);
    assert.equal((seen[0] as { error: string }).error, 'container printed [REDACTED]');
    assert.equal((seen[1] as { message: string }).message, 'could not add to the history on h1: {"value":"[REDACTED]"}');
    assert.equal((failed as { error: string }).error, `container printed ${SECRET}`);
  });

  it('redactingEmitter() passes events through as they are while no secret is known, and drops them without a listener', () => {
    const redactor = new Redactor();
    const seen: DeployEvent[] = [];
    const event: DeployEvent = { type: 'no-changes', command: 'apply' };
    redactingEmitter((e) => seen.push(e), redactor)(event);
    assert.equal(seen[0], event);
    redactingEmitter(undefined, redactor)(event);
  });

  it('withRedaction() redacts the error a call ends with, keeping a DeployError\'s reason and nothingChanged', async () => {
    const error = await deployError(withRedaction(undefined, async (_emit, redactor) => {
      redactor.add([SECRET]);
      throw new DeployError('failed', `apply failed: web printed ${SECRET}`, { nothingChanged: false });
    }));
    assert.equal(error.message, 'apply failed: web printed [REDACTED]');
    assert.equal(error.reason, 'failed');
    assert.equal(error.nothingChanged, false);
    await assert.rejects(withRedaction(undefined, async (_emit, redactor) => {
      redactor.add([SECRET]);
      throw new Error(`engine said ${SECRET}`);
    }), { message: 'engine said [REDACTED]' });
  });

  it('withRedaction() redacts the events emitted after a secret is read, not before', async () => {
    const seen: DeployEvent[] = [];
    await withRedaction((e) => seen.push(e), async (emit, redactor) => {
      emit({ type: 'warning', message: `before ${SECRET}` });
      redactor.add([SECRET]);
      emit({ type: 'warning', message: `after ${SECRET}` });
    });
    assert.deepEqual(seen.map((e) => (e as { message: string }).message), [`before ${SECRET}`, 'after [REDACTED]']);
  });
});

describe('DeployError and the CLI\'s exit codes', () => {
  const reasons: DeployFailureReason[] = ['invalid', 'unreachable', 'lock', 'conflict', 'stale-plan', 'blocked', 'secrets', 'cancelled', 'interrupted', 'lock-lost', 'failed', 'unverified', 'inconsistent'];

  it('cliErrorOf() keeps the message exactly and exits 130 for interrupted, 1 for every other reason', () => {
    for (const reason of reasons) {
      const mapped = cliErrorOf(new DeployError(reason, `apply: ${reason}`, { nothingChanged: true }));
      assert.ok(mapped instanceof CliError, reason);
      assert.equal(mapped.message, `apply: ${reason}`);
      assert.equal(mapped.exitCode, reason === 'interrupted' ? 130 : 1, reason);
    }
  });

  it('cliErrorOf() leaves any other error as it is (a bug keeps its stack trace)', () => {
    const bug = new TypeError('x is undefined');
    assert.equal(cliErrorOf(bug), bug);
    const cli = new CliError('needs --yes', 1);
    assert.equal(cliErrorOf(cli), cli);
  });

  it('DeployError.isDeployError() recognizes one by its brand, not by instanceof', () => {
    const error = new DeployError('lock', 'cannot apply: locked', { nothingChanged: true });
    assert.equal(DeployError.isDeployError(error), true);
    assert.equal(DeployError.isDeployError(new Error('cannot apply: locked')), false);
    assert.equal(DeployError.isDeployError({ reason: 'lock' }), false);
    assert.equal(error.name, 'DeployError');
  });
});

describe('the README\'s library example', () => {
  it('is the code of examples/library-api/deploy.ts, line for line, so the integration test runs what the README shows', () => {
    const root = path.resolve(__dirname, '..', '..');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Hoist as a library'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(block, 'the README has a "Hoist as a library" section with a ts block');
    const example = fs.readFileSync(path.join(root, 'examples', 'library-api', 'deploy.ts'), 'utf8');
    let at = 0;
    for (const line of block.split('\n').filter((l) => l.trim())) {
      const found = example.indexOf(`${line}\n`, at);
      assert.ok(found >= 0, `README line not in the example (in this order): ${line}`);
      at = found + line.length;
    }
  });
});
