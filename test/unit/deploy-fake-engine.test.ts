import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { App, EngineType, HealthCheck, Host, Image, Secret, Service, Stack, UpdateOrder } from '../../lib';
import { apply, DeployError, type DeployEvent, destroy, type HostOpener, plan, rollback, status } from '../../lib/deploy';
import { FakeEngine } from '../../lib/drivers/fake/fake-engine';
import type { OpenHost } from '../../lib/drivers/open-host';
import { acquireLock, readLock } from '../../lib/engine/host-lock';
import type { IHostConnection } from '../../lib/transport/host-connection';

const SECRET = 'fake-deploy-s3cret-value';
const REGISTRY = { 'busybox:1.36': { config: { Env: ['PATH=/bin'], Cmd: ['sh'] } } };

/**
 * The deploy API's transaction (lock, observe, plan, lint, secrets, confirm, execute, verify,
 * history, release) against the in-memory engine, through the `openHost` option: in
 * milliseconds, what the integration suite runs on real hosts.
 */
class Hosts {
  public readonly engines = new Map([
    ['h1', new FakeEngine({ host: 'h1', kind: 'docker', registry: REGISTRY })],
    ['h2', new FakeEngine({ host: 'h2', kind: 'podman', registry: REGISTRY })],
  ]);

  public readonly opened: string[] = [];

  public readonly open: HostOpener = async (spec) => {
    const engine = this.engines.get(spec.name);
    if (!engine) throw new Error(`host ${spec.name}: connection refused`);
    this.opened.push(spec.name);
    const host: OpenHost = { spec, connection: {} as IHostConnection, engine: engine.driver(), close: () => undefined };
    return host;
  };

  public engine(name: string): FakeEngine {
    return this.engines.get(name)!;
  }
}

const PROJECT = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-deploy-fake-'));

/** web x2 (h1 Docker, h2 Podman) with a secret file; `mode` changes its environment. */
function appOf(mode = 'a'): App {
  process.env.HOIST_DEPLOY_FAKE_SECRET = SECRET;
  const app = new App({ projectDir: PROJECT, outdir: 'hoist.out' });
  const stack = new Stack(app, 'shop');
  const h1 = new Host(stack, 'h1', { address: '10.9.0.1', engine: EngineType.DOCKER });
  const h2 = new Host(stack, 'h2', { address: '10.9.0.2', engine: EngineType.PODMAN });
  new Service(stack, 'web', {
    image: Image.fromRegistry('busybox:1.36'), command: ['httpd', '-f'], environment: { MODE: mode },
    secrets: [Secret.fromEnv(stack, 'token', 'HOIST_DEPLOY_FAKE_SECRET')],
    replicas: 2, placement: { hosts: [h1, h2], maxPerHost: 1 },
    healthCheck: HealthCheck.http(8080), update: { order: UpdateOrder.START_FIRST, healthTimeout: '2s' },
  });
  return app;
}

async function deployError(work: Promise<unknown>): Promise<DeployError> {
  try {
    await work;
  } catch (error) {
    assert.ok(DeployError.isDeployError(error), `expected a DeployError, got ${(error as Error)?.stack ?? String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

const types = (events: readonly DeployEvent[]) => events.filter((e) => !e.type.startsWith('action-') && e.type !== 'history-recorded').map((e) => e.type);

describe('deploy API against the in-memory engine (openHost option)', () => {
  it('apply(app) locks, plans, executes, verifies, records history and releases; the next plan() is clean; destroy() empties the hosts', async () => {
    const hosts = new Hosts();
    const events: DeployEvent[] = [];
    const result = await apply(appOf(), { openHost: hosts.open, onEvent: (e) => events.push(e) });
    assert.equal(result.changed, true);
    assert.deepEqual(result.revisions, [{ stack: 'shop', revision: 1 }]);
    assert.deepEqual(types(events), ['connected', 'lock-waiting', 'lock-taken', 'plan-ready', 'lint', 'confirmed', 'stack-start', 'stack-done', 'executed', 'versions', 'verified', 'complete']);
    assert.equal(events.filter((e) => e.type === 'history-recorded').length, 2);
    assert.equal(hosts.engine('h1').containerNames().length, 1);
    assert.equal(hosts.engine('h2').containerNames().length, 1);
    for (const name of ['h1', 'h2']) assert.equal(await readLock(hosts.engine(name).driver(), 'shop'), undefined, `the lock on ${name} was released`);

    const again = await plan(appOf(), { openHost: hosts.open });
    assert.equal(again.hasChanges, false, 'apply-then-plan is clean');
    const running = await status(appOf(), { openHost: hosts.open });
    assert.deepEqual(running.stacks[0].hosts.map((h) => `${h.host} ${h.reachable} ${h.resources.map((r) => `${r.state}/${r.inSync}`).join(',')}`), ['h1 true running/true', 'h2 true running/true']);

    const nothing: DeployEvent[] = [];
    const unchanged = await apply(appOf(), { openHost: hosts.open, onEvent: (e) => nothing.push(e) });
    assert.equal(unchanged.changed, false);
    assert.deepEqual(types(nothing), ['connected', 'lock-waiting', 'lock-taken', 'plan-ready', 'no-changes']);

    const destroyed = await destroy(appOf(), { openHost: hosts.open });
    assert.equal(destroyed.summary.delete >= 2, true);
    assert.deepEqual([...hosts.engines.values()].map((e) => e.containerNames().filter((n) => !n.startsWith('hoist-'))), [[], []]);
  });

  it('apply(plan(app)) carries out exactly that plan without asking, and refuses it as stale-plan once a host changed', async () => {
    const hosts = new Hosts();
    const planned = await plan(appOf(), { openHost: hosts.open });
    assert.equal(planned.hasChanges, true);
    let asked = 0;
    await apply(planned, { openHost: hosts.open, confirm: async () => (asked++, true) });
    assert.equal(asked, 0, 'a reviewed plan is not confirmed again');
    const stale = await deployError(apply(planned, { openHost: hosts.open }));
    assert.equal(stale.reason, 'stale-plan');
    assert.equal(stale.nothingChanged, true);
    assert.equal(stale.message, 'saved plan is stale: h1, h2 changed since it was made; nothing was changed. Run hoist plan --out again, review it, and apply that');
  });

  it('confirm answering no cancels before any change, and the locks are released', async () => {
    const hosts = new Hosts();
    const shown: string[] = [];
    const error = await deployError(apply(appOf(), { openHost: hosts.open, confirm: async (p) => (shown.push(`${p.summary.create} to create`), false) }));
    assert.equal(error.reason, 'cancelled');
    assert.equal(error.message, 'apply cancelled; nothing was changed');
    assert.deepEqual(shown, ['4 to create'], 'an image and a container on each host');
    assert.deepEqual(hosts.engine('h1').containerNames(), []);
    assert.equal(await readLock(hosts.engine('h1').driver(), 'shop'), undefined);
  });

  it('an aborted signal stops the run before any change (interrupted), or after the running step (interrupted, not nothingChanged)', async () => {
    const before = new Hosts();
    const stop = new AbortController();
    const early = await deployError(apply(appOf(), { openHost: before.open, signal: stop.signal, confirm: async () => (stop.abort(), true) }));
    assert.equal(early.reason, 'interrupted');
    assert.equal(early.nothingChanged, true);
    assert.equal(early.message, 'apply stopped before any change; nothing was changed');

    const during = new Hosts();
    const abort = new AbortController();
    const events: DeployEvent[] = [];
    const late = await deployError(apply(appOf(), { openHost: during.open, signal: abort.signal, onEvent: (e) => { events.push(e); if (e.type === 'action-done') abort.abort(); } }));
    assert.equal(late.reason, 'interrupted');
    assert.equal(late.nothingChanged, false);
    assert.equal(late.message, 'apply stopped on request; run hoist plan to see what is left');
    assert.ok(events.some((e) => e.type === 'interrupted'));
    assert.ok(events.some((e) => e.type === 'incomplete'));
    assert.equal(await readLock(during.engine('h1').driver(), 'shop'), undefined, 'the locks were released');
  });

  it('a stack locked by another run fails with reason lock, naming the holder, and takes no other lock', async () => {
    const hosts = new Hosts();
    const other = await acquireLock(hosts.engine('h2').driver(), { stack: 'shop', ttlMs: 60_000, message: 'maintenance window' });
    const error = await deployError(apply(appOf(), { openHost: hosts.open }));
    assert.equal(error.reason, 'lock');
    assert.match(error.message, new RegExp(`^cannot apply: host h2: stack shop is locked by .*maintenance window.*hoist lock release --id ${other.holder.id}.*; nothing was changed$`, 's'));
    assert.equal(await readLock(hosts.engine('h1').driver(), 'shop'), undefined, 'h1\'s lock, taken first, was released');
  });

  it('a host error that contains a secret value is redacted in the events and history; the error names the failed action', async () => {
    const hosts = new Hosts();
    hosts.engine('h2').beforeCall = (operation) => {
      if (operation === 'startContainer') throw new Error(`engine: cannot start: env dump TOKEN=${SECRET}`);
    };
    const events: DeployEvent[] = [];
    const error = await deployError(apply(appOf(), { openHost: hosts.open, onEvent: (e) => events.push(e) }));
    assert.equal(error.reason, 'failed');
    assert.match(error.message, /^apply failed: shop-web-\d@h2 \(see above\); run hoist plan to see where each host stands$/);
    const failed = events.find((e) => e.type === 'action-failed');
    assert.ok(failed && failed.type === 'action-failed');
    assert.match(failed.error, /TOKEN=\[REDACTED\]/);
    assert.equal(JSON.stringify(events).includes(SECRET), false, 'no event shows the secret');
    hosts.engine('h2').beforeCall = () => undefined;
    const { readHistory } = await import('../../lib/engine/host-history');
    const records = await readHistory(hosts.engine('h2').driver(), 'shop');
    assert.equal(JSON.stringify(records).includes(SECRET), false, 'the history record does not keep it either');
    assert.ok(JSON.stringify(records).includes('[REDACTED]'));
  });

  it('rollback() goes back to the revision before the current one through the same transaction', async () => {
    const hosts = new Hosts();
    await apply(appOf('a'), { openHost: hosts.open });
    await apply(appOf('b'), { openHost: hosts.open });
    const events: DeployEvent[] = [];
    const result = await rollback(appOf('b'), { openHost: hosts.open, onEvent: (e) => events.push(e) });
    assert.equal(result.revision, 1);
    assert.deepEqual(events[0], { type: 'rollback-target', stack: 'shop', revision: 1 });
    assert.deepEqual(events.at(-1), { type: 'complete', command: 'rollback', summary: result.summary, revision: 1 });
    assert.equal((await plan(appOf('a'), { openHost: hosts.open })).hasChanges, false, 'the hosts run revision 1 (mode a) again');
  });

  it('an apply with nothing to do still removes a secret volume a killed run left unused, and never one in use', async () => {
    const hosts = new Hosts();
    await apply(appOf(), { openHost: hosts.open });
    const h1 = hosts.engine('h1');
    const inUse = h1.volumeNames().filter((v) => v.startsWith('hoist-secrets-'));
    assert.equal(inUse.length, 1);
    // What a run killed between removing a container and its secret volume leaves behind.
    await h1.driver().createVolume({ Name: 'hoist-secrets-0123456789abcdef', Labels: { 'hoist.managed-by': 'hoist', 'hoist.secret-files': 'shop/shop-web-1-hoist-prev' } });
    const events: DeployEvent[] = [];
    const result = await apply(appOf(), { openHost: hosts.open, onEvent: (e) => events.push(e) });
    assert.equal(result.changed, false);
    assert.ok(events.some((e) => e.type === 'no-changes'));
    assert.deepEqual(h1.volumeNames().filter((v) => v.startsWith('hoist-secrets-')), inUse);
  });

  it('a host missing from the opener fails apply as unreachable before any lock is taken', async () => {
    const hosts = new Hosts();
    hosts.engines.delete('h2');
    const error = await deployError(apply(appOf(), { openHost: hosts.open }));
    assert.equal(error.reason, 'unreachable');
    assert.equal(error.message, 'cannot apply: not every host can be reached; nothing was changed:\n  host h2: connection refused');
    assert.equal(await readLock(hosts.engine('h1').driver(), 'shop'), undefined);
  });
});
