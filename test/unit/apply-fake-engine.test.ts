import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EngineType, HealthCheck, Host, Image, Network, Secret, Service, Stack, Testing, UpdateOrder, Volume } from '../../lib';
import { executeStackPlan, type StackApplyResult } from '../../lib/apply/execute-plan';
import { readSecretsForPlan } from '../../lib/apply/secret-values';
import type { ApplyEvent } from '../../lib/apply/apply-events';
import type { EngineDriver } from '../../lib/drivers/engine-driver';
import { FakeEngine } from '../../lib/drivers/fake/fake-engine';
import { appendHistory, readHistory, type HistoryRecord } from '../../lib/engine/host-history';
import { acquireLock, CorruptLockError, LockHeldError, lockContainerName, newLockId, readLock, releaseLock, renewLock } from '../../lib/engine/host-lock';
import { ForeignContainerError, removeOwnedContainer } from '../../lib/engine/remove-container';
import type { GraphDocument } from '../../lib/graph/graph-document';
import { buildPlan, hasChanges } from '../../lib/plan/build-plan';
import { observeHost, readsOnHost } from '../../lib/plan/collect-observations';
import type { HostObservation, PlanDocument } from '../../lib/plan/plan-types';
import { lockHosts, LockWaitInterruptedError } from '../../lib/lock/lock-hosts';
import { fingerprintKeyOf } from '../../lib/secrets/secret-fingerprint';

/** The key Testing.synth fingerprints secrets with (lib/testing.ts). */
const TESTING_FINGERPRINT_KEY = 'hoist-testing-fingerprint-key';

/**
 * Apply, rollback, interrupts, locks and history against the in-memory engine (a real
 * implementation of the EngineDriver interface): the logic of a deployment, in milliseconds.
 * The integration suite runs the same behaviours on real Docker Engine and Podman hosts.
 */

const PROJECT = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-fake-apply-'));
const REGISTRY = {
  'postgres:15': { config: { Env: ['PATH=/usr/bin', 'PGDATA=/var/lib/postgresql/data'], Cmd: ['postgres'], Volumes: { '/var/lib/postgresql/data': {} } } },
  'busybox:1.36': { config: { Env: ['PATH=/bin'], Cmd: ['sh'] } },
};

interface Variant {
  readonly mode?: string;
  readonly dbTag?: string;
}

/** db (named volume, secret file, host port: stop-first) on h1; web x2 start-first on h1 (Docker) and h2 (Podman). */
function graphOf(variant: Variant = {}): GraphDocument {
  process.env.HOIST_FAKE_APPLY_SECRET = 's3cret-value';
  const app = Testing.app({ projectDir: PROJECT });
  const stack = new Stack(app, 'shop');
  const h1 = new Host(stack, 'h1', { address: '10.9.0.1', engine: EngineType.DOCKER });
  const h2 = new Host(stack, 'h2', { address: '10.9.0.2', engine: EngineType.PODMAN });
  const net = new Network(stack, 'backend');
  const logs = new Volume(stack, 'logs');
  const password = Secret.fromEnv(stack, 'db-password', 'HOIST_FAKE_APPLY_SECRET');
  const db = new Service(stack, 'db', {
    image: Image.fromRegistry(`postgres:${variant.dbTag ?? '15'}`), mounts: [logs.mount('/logs')], networks: [net], secrets: [password],
    ports: [{ host: 5432, container: 5432 }], placement: { hosts: [h1] }, healthCheck: HealthCheck.tcp(5432),
  });
  new Service(stack, 'web', {
    image: Image.fromRegistry('busybox:1.36'), command: ['httpd', '-f'], environment: { MODE: variant.mode ?? 'a' },
    networks: [net.withAliases('web')], replicas: 2, placement: { hosts: [h1, h2], maxPerHost: 1 }, dependsOn: [db.whenHealthy()],
    healthCheck: HealthCheck.http(8080), update: { order: UpdateOrder.START_FIRST, healthTimeout: '2s' },
  });
  return Testing.synth(app);
}

/** The web replica a host runs, by the graph's placement. */
function webOn(graph: GraphDocument, host: string): string {
  return (graph.stacks[0].resources.find((r) => r.kind === 'container' && r.host === host && (r.spec as { service: string }).service === 'web')!.spec as unknown as { name: string }).name;
}

const WEB2 = webOn(graphOf(), 'h2');

class Hosts {
  public readonly engines = new Map<string, FakeEngine>([
    ['h1', new FakeEngine({ host: 'h1', kind: 'docker', registry: REGISTRY })],
    ['h2', new FakeEngine({ host: 'h2', kind: 'podman', registry: REGISTRY })],
  ]);

  public readonly drivers = new Map<string, EngineDriver>([...this.engines].map(([name, engine]) => [name, engine.driver()]));

  public engine(name: string): FakeEngine {
    return this.engines.get(name)!;
  }

  public async observe(graph: GraphDocument): Promise<Map<string, HostObservation>> {
    return new Map(await Promise.all([...this.drivers].map(async ([name, driver]) => [name, await observeHost(driver, readsOnHost(graph, name))] as const)));
  }

  public async plan(graph: GraphDocument): Promise<PlanDocument> {
    return buildPlan(graph, await this.observe(graph), { deleteVolumes: false });
  }

  /** Plans and carries out the plan of the graph's one stack, as apply does. */
  public async apply(graph: GraphDocument, options: { stopAfterFirstStep?: boolean; revision?: number } = {}): Promise<{ plan: PlanDocument; result: StackApplyResult; events: ApplyEvent[] }> {
    const plan = await this.plan(graph);
    const [stackPlan] = plan.stacks;
    const stack = graph.stacks[0];
    const secrets = readSecretsForPlan(stackPlan, stack, PROJECT, () => fingerprintKeyOf(TESTING_FINGERPRINT_KEY));
    assert.deepEqual(secrets.problems, []);
    const events: ApplyEvent[] = [];
    const result = await executeStackPlan(stackPlan, stack, {
      clients: this.drivers, revision: options.revision ?? 1, secrets: secrets.values, imageSecrets: new Map(), projectDir: PROJECT, parallelism: 10,
      emit: (event) => events.push(event),
      // Asked before each step: true once the first step has finished an action.
      stopRequested: () => options.stopAfterFirstStep === true && events.some((e) => e.type === 'action-done'),
    });
    return { plan, result, events };
  }
}

describe('apply against the in-memory engine driver (Docker and Podman profiles)', () => {
  it('a first apply creates everything on both hosts, delivers the secret as a file, and the next plan is clean', async () => {
    const hosts = new Hosts();
    const graph = graphOf();
    const { plan, result } = await hosts.apply(graph);
    assert.ok(result.outcomes.length > 0 && result.outcomes.every((o) => o.ok), JSON.stringify(result.outcomes.filter((o) => !o.ok).map((o) => o.error)));
    assert.equal(plan.summary.create, result.outcomes.length);
    assert.deepEqual(hosts.engine('h1').containerNames(), ['shop-db-1', webOn(graph, 'h1')].sort());
    assert.deepEqual(hosts.engine('h2').containerNames(), [webOn(graph, 'h2')]);
    assert.ok(hosts.engine('h1').volumeNames().includes('shop-logs'));
    // The secret arrived as a file in its own volume, written before start, never as an env var.
    const db = await hosts.drivers.get('h1')!.inspectContainer('shop-db-1');
    assert.ok(!JSON.stringify(db.Config).includes('s3cret-value'), 'the value is not in the container config');
    const secretVolume = (db.Mounts ?? []).find((m) => String(m.Name).startsWith('hoist-secrets-'))!;
    assert.ok(secretVolume, 'the secret directory is a volume of its own');
    assert.deepEqual([...hosts.engine('h1').volumeContent(String(secretVolume.Name)).values()].map((b) => b.toString()), ['s3cret-value']);
    assert.equal(hasChanges(await hosts.plan(graph)), false, 'apply-then-plan is clean');
  });

  it('a changed environment replaces web start-first on each host: the new one is ready before the old one goes, and nothing is left over', async () => {
    const hosts = new Hosts();
    await hosts.apply(graphOf());
    const before = (await hosts.drivers.get('h2')!.inspectContainer(WEB2)).Id;
    const { plan, result } = await hosts.apply(graphOf({ mode: 'b' }), { revision: 2 });
    assert.equal(plan.summary.replace, 2);
    assert.ok(result.outcomes.every((o) => o.ok));
    const calls = hosts.engine('h2').calls;
    const created = calls.indexOf(`createContainer ${WEB2}-hoist-next`);
    // The old one is parked under its -hoist-prev name, still running, and stopped beside what follows.
    const parked = calls.indexOf(`renameContainer ${WEB2} ${WEB2}-hoist-prev`);
    const named = calls.findIndex((call) => new RegExp(`^renameContainer ${WEB2}-r\\d+-hoist-next ${WEB2}$`).test(call));
    const stopped = calls.indexOf(`stopContainer ${WEB2}-hoist-prev`);
    assert.ok(created >= 0 && parked > created && named > parked && stopped > named, `the new copy is created and takes the name before the old one stops: ${calls.join(', ')}`);
    const after = await hosts.drivers.get('h2')!.inspectContainer(WEB2);
    assert.notEqual(after.Id, before);
    assert.ok((after.Config as { Env: string[] }).Env.includes('MODE=b'));
    assert.deepEqual(hosts.engine('h2').containerNames(), [WEB2], 'no -hoist-next or -hoist-prev copy is left');
    assert.equal(hasChanges(await hosts.plan(graphOf({ mode: 'b' }))), false);
  });

  it('a new version that never becomes healthy fails on that host, the old version keeps serving, and the finished host is rolled back', async () => {
    const hosts = new Hosts();
    await hosts.apply(graphOf());
    // The new version is unhealthy on h2 (Podman) only; h1 is replaced first and succeeds.
    hosts.engine('h2').behaviour = ({ env }) => (env.includes('MODE=broken') ? { health: 'unhealthy', logs: 'listen: address in use' } : {});
    const { result } = await hosts.apply(graphOf({ mode: 'broken' }), { revision: 2 });
    const failed = result.outcomes.filter((o) => !o.ok);
    assert.equal(failed.length, 1);
    assert.equal(failed[0].action.host, 'h2');
    assert.match(failed[0].error ?? '', /not healthy within .*listen: address in use/s);
    const h2 = await hosts.drivers.get('h2')!.inspectContainer(WEB2);
    assert.ok((h2.Config as { Env: string[] }).Env.includes('MODE=a'), 'the old version still runs on h2');
    assert.equal(h2.State.Status, 'running');
    assert.deepEqual(result.rolledBack.map((r) => [r.host, r.ok]), [['h1', true]]);
    const h1 = await hosts.drivers.get('h1')!.inspectContainer(webOn(graphOf(), 'h1'));
    assert.ok((h1.Config as { Env: string[] }).Env.includes('MODE=a'), 'h1 runs the previous version again');
    assert.deepEqual(hosts.engine('h2').containerNames(), [WEB2]);
    assert.equal(hasChanges(await hosts.plan(graphOf())), false, 'the hosts are as before the failed apply');
  });

  it('a stop request after the first step starts no further step, and the next plan shows exactly what is left', async () => {
    const hosts = new Hosts();
    const { plan, result, events } = await hosts.apply(graphOf(), { stopAfterFirstStep: true });
    assert.equal(result.interrupted, true);
    const firstStep = Math.min(...plan.stacks[0].actions.map((a) => a.step));
    assert.ok(result.outcomes.every((o) => o.action.step === firstStep && o.ok));
    assert.ok(events.some((e) => e.type === 'interrupted'));
    const left = await hosts.plan(graphOf());
    assert.equal(left.summary.create, plan.summary.create - result.outcomes.length);
    const { result: rest } = await hosts.apply(graphOf());
    assert.ok(rest.outcomes.every((o) => o.ok));
    assert.equal(hasChanges(await hosts.plan(graphOf())), false);
  });

  it('a replaced database container keeps its image-declared anonymous volume, and a delete keeps it too', async () => {
    const hosts = new Hosts();
    await hosts.apply(graphOf());
    const h1 = hosts.drivers.get('h1')!;
    const anonymous = (c: Awaited<ReturnType<EngineDriver['inspectContainer']>>) => (c.Mounts ?? []).find((m) => m.Destination === '/var/lib/postgresql/data')!.Name;
    const volume = anonymous(await h1.inspectContainer('shop-db-1'));
    assert.match(String(volume), /^[0-9a-f]{64}$/);
    hosts.engine('h1').addImage('postgres:16', REGISTRY['postgres:15']);
    const { plan, result } = await hosts.apply(graphOf({ dbTag: '16' }), { revision: 2 });
    const replace = plan.stacks[0].actions.find((a) => a.name === 'shop-db-1')!;
    assert.deepEqual(replace.anonymousVolumes, [{ path: '/var/lib/postgresql/data', volume, kept: true }]);
    assert.ok(result.outcomes.every((o) => o.ok));
    assert.equal(anonymous(await h1.inspectContainer('shop-db-1')), volume, 'the new container mounts the same data');
    await removeOwnedContainer(h1, 'shop-db-1', { stack: 'shop' });
    assert.ok(hosts.engine('h1').volumeNames().includes(String(volume)), 'removing the container kept the data');
  });

  it('an object without the stack\'s labels under a needed name is a conflict in the plan and is never removed', async () => {
    const hosts = new Hosts();
    const h2 = hosts.drivers.get('h2')!;
    await h2.pullImage('busybox:1.36', undefined, 'pull');
    await h2.createContainer(WEB2, { Image: 'busybox:1.36', Labels: { owner: 'someone else' } });
    const plan = await hosts.plan(graphOf());
    assert.equal(plan.stacks[0].conflicts.length, 1);
    assert.equal(plan.stacks[0].conflicts[0].name, WEB2);
    await assert.rejects(removeOwnedContainer(h2, WEB2, { stack: 'shop' }), ForeignContainerError);
    assert.deepEqual(hosts.engine('h2').containerNames(), [WEB2]);
  });
});

describe('locks and history against the in-memory engine driver', () => {
  const request = { stack: 'shop', ttlMs: 60_000, message: 'test' };

  it('ten runs racing for one expired lock: exactly one takes it over', async () => {
    const engine = new FakeEngine({ host: 'h1' });
    await acquireLock(engine.driver(), { ...request, id: newLockId() });
    engine.clock += 61_000;
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => acquireLock(engine.driver(), { ...request, id: newLockId() })));
    const won = results.filter((r) => r.status === 'fulfilled');
    assert.equal(won.length, 1, results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'won')).join('\n'));
    assert.ok(results.every((r) => r.status === 'fulfilled' || r.reason instanceof LockHeldError));
    const holder = await readLock(engine.driver(), 'shop');
    assert.equal(holder?.id, (won[0] as PromiseFulfilledResult<{ holder: { id: string } }>).value.holder.id);
  });

  it('a held lock is refused until it expires by the engine clock; renewal moves the expiry; release needs the id', async () => {
    const engine = new FakeEngine({ host: 'h1' });
    const driver = engine.driver();
    const [first, second] = [newLockId(), newLockId()];
    await acquireLock(driver, { ...request, id: first });
    await assert.rejects(acquireLock(engine.driver(), { ...request, id: second }), LockHeldError);
    engine.clock += 50_000;
    await renewLock(driver, 'shop', first);
    engine.clock += 50_000;
    await assert.rejects(acquireLock(engine.driver(), { ...request, id: second }), LockHeldError, 'renewed 50 s ago: not expired');
    await assert.rejects(releaseLock(driver, 'shop', second), new RegExp(`has id ${first}, not ${second}`));
    assert.equal(await releaseLock(driver, 'shop', first), true);
    assert.equal(await readLock(driver, 'shop'), undefined);
  });

  it('an object under the lock\'s name that is not a valid lock is refused and left alone', async () => {
    const engine = new FakeEngine({ host: 'h1' });
    const driver = engine.driver();
    engine.addImage('busybox:1.36');
    await driver.createContainer(lockContainerName('shop'), { Image: 'busybox:1.36', Labels: { 'hoist.lock.stack': 'shop' } });
    await assert.rejects(acquireLock(driver, request), CorruptLockError);
    assert.deepEqual(engine.containerNames(), [lockContainerName('shop')]);
  });

  it('lockHosts stopped while it waits for the last host releases the locks it took on the others', async () => {
    const engines = ['h1', 'h2', 'h3'].map((host) => new FakeEngine({ host }));
    const other = newLockId();
    await acquireLock(engines[2].driver(), { ...request, id: other });
    const stop = new AbortController();
    const waiting = lockHosts(engines.map((e) => e.driver()), { stack: 'shop', ttlMs: 60_000, timeoutMs: 60_000, pollMs: 5, signal: stop.signal });
    // Stop once the first two are taken and the run waits for h3.
    for (let i = 0; i < 200 && !((await readLock(engines[1].driver(), 'shop')) && engines[2].calls.length > 8); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(await readLock(engines[0].driver(), 'shop'), 'h1 was taken while waiting');
    stop.abort();
    await assert.rejects(waiting, (error: Error) => error instanceof LockWaitInterruptedError && /released the ones taken on h1, h2/.test(error.message));
    assert.equal(await readLock(engines[0].driver(), 'shop'), undefined);
    assert.equal(await readLock(engines[1].driver(), 'shop'), undefined);
    assert.equal((await readLock(engines[2].driver(), 'shop'))?.id, other, 'the other run keeps its lock');
  });

  it('lockHosts renews held locks, so a run outlasting the ttl keeps them; a lock taken from it is reported', async () => {
    const engine = new FakeEngine({ host: 'h1' });
    const lost: string[] = [];
    const held = await lockHosts([engine.driver()], { stack: 'shop', ttlMs: 60_000, timeoutMs: 0, renewEveryMs: 10, onLost: (host) => lost.push(host) });
    try {
      engine.clock += 50_000;
      const renewed = engine.calls.filter((c) => c.startsWith('putArchive')).length;
      for (let i = 0; i < 100 && engine.calls.filter((c) => c.startsWith('putArchive')).length === renewed; i++) await new Promise((r) => setTimeout(r, 5));
      engine.clock += 50_000;
      assert.equal((await readLock(engine.driver(), 'shop'))?.expired, false, '100 s after taking a 60 s lock, renewed: still live');
      await engine.driver().removeContainer(lockContainerName('shop'));
      for (let i = 0; i < 100 && lost.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(lost, ['h1']);
    } finally {
      await held.release();
    }
  });

  it('history records written through archives read back in order', async () => {
    const engine = new FakeEngine({ host: 'h1' });
    const driver = engine.driver();
    const record = (revision: number, time: string): HistoryRecord => ({
      id: `r${revision}`, stack: 'shop', revision, time, host: 'h1', user: 'ci', machine: 'runner', command: 'apply', graphHash: 'sha256:x', ok: true,
      done: { create: 1, update: 0, replace: 0, delete: 0 }, failed: [],
    } as unknown as HistoryRecord);
    await appendHistory(driver, record(2, '2026-01-02T00:00:00.000Z'));
    await appendHistory(driver, record(1, '2026-01-01T00:00:00.000Z'));
    assert.deepEqual((await readHistory(driver, 'shop')).map((r) => r.revision), [1, 2]);
    assert.deepEqual(await readHistory(driver, 'other'), []);
    assert.deepEqual(engine.containerNames(), [], 'the helper containers are gone');
  });
});
